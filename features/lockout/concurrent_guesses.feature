@area.lockout @concurrent @serial @needs.accounts @needs.iam @needs.virtual-mfa @needs.login-protection
Feature: Parallel wrong guesses cannot exceed the lockout threshold
  Counting failures and refusing locked accounts happen atomically, so a burst of parallel
  guesses gets no more checks than the lockout threshold allows.

  Source: NIST SP 800-63B Section 5.2.2 ("Rate Limiting (Throttling)").

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA
    And Mallory has stolen Alice's password

  Scenario: 32 parallel wrong guesses
    When Mallory signs in as Alice from 32 browsers at once, entering a wrong code in each
    Then at most the lockout threshold of them are rejected
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is refused as locked out
