@area.lockout
Feature: After too many wrong codes even the right code is refused until the lockout ends
  Six digits can be guessed given enough tries; the account locks after as many consecutive
  wrong codes as the lockout threshold (10 by default, configurable; NIST allows at most 100) and
  stays locked for the lockout period (15 minutes by default). The password step still leads to
  the second factor; it is the code that is refused.

  Source: NIST SP 800-63B Section 5.2.2 ("Rate Limiting (Throttling)": no more than 100
  consecutive failed attempts); RFC 4226 Section 7.3 (throttling at the server); RFC 6238
  Section 5.2.

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA
    And Mallory has stolen Alice's password

  Scenario: Guessing locks the account and the right code is refused
    When Mallory signs in as Alice
    And Mallory enters a wrong code as many times as the lockout threshold
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is refused as locked out

  Scenario: One wrong code fewer than the threshold does not lock
    When Mallory signs in as Alice
    And Mallory enters a wrong code one time fewer than the lockout threshold
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted

  Scenario: The right code works again once the lockout ends
    When Mallory signs in as Alice
    And Mallory enters a wrong code as many times as the lockout threshold
    And time passes until the lockout ends
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted

  Scenario: The lockout is still on a minute before it ends
    When Mallory signs in as Alice
    And Mallory enters a wrong code as many times as the lockout threshold
    And time passes the lockout duration less 1 minute
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is refused as locked out

  Scenario: Once locked, a wrong code is refused as locked out too
    # A locked account checks no code. Were a wrong code answered "wrong" and only the right
    # one "locked out", the lock would tell a guesser which guess was right (NIST SP 800-63B
    # Section 5.2.2: no more attempts are evaluated once the limit is reached).
    When Mallory signs in as Alice
    And Mallory enters a wrong code as many times as the lockout threshold
    And Mallory enters a wrong code
    Then the code is refused as locked out

  Scenario: After the lockout ends the count starts again
    # The lockout period is the price of the threshold's failures; one more wrong code after it
    # must not lock the account again at once (the reference's policy: "the failure count
    # starts again afterwards"; NIST SP 800-63B Section 5.2.2 counts consecutive failures).
    When Mallory signs in as Alice
    And Mallory enters a wrong code as many times as the lockout threshold
    And time passes until the lockout ends
    And Mallory signs in as Alice
    And Mallory enters a wrong code
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted
