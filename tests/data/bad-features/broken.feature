Feature: broken
  Scenario: a misspelled keyword
    Givn Rita has a root account
