@area.sms
Feature: An SMS code dies after a limited number of wrong attempts
  Six digits are a million possibilities; a handful of guesses per message keeps the chance of
  guessing small. After as many wrong attempts as the SMS attempt limit (the reference: 3) the code
  from that message no longer works, even typed correctly; a new message brings a working code.
  With the defaults the account lockout engages at the same count, so the right code may be
  refused as locked out rather than rejected: either way it is not accepted.

  Source: baidu-2fa.txt: "SMS authentication: Verify the user's identity by sending a
  time-limited verification code to the secure mobile phone number bound to the cloud account";
  NIST SP 800-63B Section 5.2.2 (rate limiting).

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has a secure phone number bound
    And Alice has login protection by SMS

  Scenario: The right code after too many wrong ones is not accepted
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters a wrong code as many times as the SMS attempt limit
    And Alice enters the code from the latest SMS
    Then the code is not accepted

  Scenario: A fresh SMS code works once the limits have passed
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters a wrong code as many times as the SMS attempt limit
    And time passes until the lockout ends
    And Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters the code from the latest SMS
    Then the code is accepted
