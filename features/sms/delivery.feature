@area.sms
Feature: SMS codes reach the secure phone number and answer the second factor
  The service sends a time-limited code to the secure mobile phone number bound to the account.
  Codes have 6 digits.

  Source: baidu-2fa.txt: "SMS authentication: Verify the user's identity by sending a
  time-limited verification code to the secure mobile phone number bound to the cloud account"

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has a secure phone number bound
    And Alice has login protection by SMS

  Scenario: Alice signs in with the code from the SMS
    When Alice signs in with her password
    Then Alice is asked for a second factor by SMS
    When Alice asks for an SMS code
    Then the request is accepted
    And Alice has received 1 SMS code
    And the latest SMS code has 6 digits
    When Alice enters the code from the latest SMS
    Then the code is accepted
    And Alice is signed in

  Scenario: A wrong SMS code does not sign Alice in
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters a wrong code
    Then the code is rejected
