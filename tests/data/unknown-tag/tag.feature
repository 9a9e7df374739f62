@area.window @needs.time-travel
Feature: x
  Scenario: y
    Given Rita has a root account
    Then Rita is signed in
