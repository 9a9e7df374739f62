@area.sms
Feature: An SMS code is accepted once
  A code that answered one secondary authentication is spent: it cannot answer another, whether
  at login or for a sensitive operation.

  Source: baidu-2fa.txt: "SMS authentication: Verify the user's identity by sending a
  time-limited verification code to the secure mobile phone number bound to the cloud account";
  RFC 6238 Section 5.2 (a one-time password is not accepted twice).

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has a secure phone number bound
    And Alice has login protection by SMS
    And Alice has operation protection by SMS

  Scenario: The same SMS code cannot sign in twice
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters the code from the latest SMS
    Then the code is accepted
    When Alice signs in with her password
    And Alice enters the same code again
    Then the code is rejected

  Scenario: The SMS code used at login cannot confirm a sensitive operation
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters the code from the latest SMS
    Then Alice is signed in
    When Alice tries to create an access key
    Then Alice is asked for a second factor by SMS
    When Alice enters the same code again
    Then the code is rejected

  Scenario: The code sent for one sign-in does not answer another
    # NIST SP 800-63B Section 5.1.3.2: the verifier sends a random secret for this
    # authentication and waits for it on the primary channel; a code is bound to its sign-in.
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice signs in with her password
    And Alice enters the code from the latest SMS
    Then the code is rejected
