@area.login
Feature: A feature whose scenarios were never written
  Source: a careless vendor's own feature file.
