@area.login
Feature: A vendor scenario that signs in and checks nothing
  Source: a careless vendor's own feature file.

  Scenario: Signing in, with no Then
    Given Rita has a root account
    When Rita signs in with her password
