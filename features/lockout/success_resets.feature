@area.lockout
Feature: A successful code resets the count of consecutive failures
  The threshold counts consecutive failures: a user who mistypes a few times and then succeeds
  starts from zero again.

  Source: NIST SP 800-63B Section 5.2.2 ("consecutive failed authentication attempts").

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA

  Scenario: Mistakes before a success do not add up to a lockout
    When Alice signs in with her password
    And Alice enters a wrong code one time fewer than the lockout threshold
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted
    When time passes 30 seconds
    And Alice signs in with her password
    And Alice enters a wrong code one time fewer than the lockout threshold
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted

  Scenario: Without a success in between the failures do add up
    When Alice signs in with her password
    And Alice enters a wrong code one time fewer than the lockout threshold
    And time passes 30 seconds
    And Alice signs in with her password
    And Alice enters a wrong code once
    And Alice enters the code her virtual MFA device shows
    Then the code is refused as locked out
