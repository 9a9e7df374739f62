@area.lockout @serial
Feature: Parallel wrong guesses cannot exceed the lockout threshold
  Counting failures and refusing locked accounts happen atomically, so a burst of parallel
  guesses gets no more checks than the lockout threshold allows.

  Source: NIST SP 800-63B Section 5.2.2 ("Rate Limiting (Throttling)").

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA
    And Mallory has stolen Alice's password

  Scenario: 32 parallel wrong guesses
    When Mallory signs in as Alice from 32 browsers at once, entering a wrong code in each
    Then at most the lockout threshold of them are rejected
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is refused as locked out
