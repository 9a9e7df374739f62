@area.sms
Feature: SMS codes can be resent once a minute, and a new code replaces the old one
  Sending codes costs money and floods the phone, so a new code is refused until 60 seconds
  after the last one; once a new code is sent the previous one no longer works.

  Source: baidu-2fa.txt: "SMS authentication: Verify the user's identity by sending a
  time-limited verification code to the secure mobile phone number bound to the cloud account".
  The throttle and the replacement are the reference's defaults (the seed leaves them open).

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has a secure phone number bound
    And Alice has login protection by SMS

  Scenario: A second request within a minute is refused
    When Alice signs in with her password
    And Alice asks for an SMS code
    And time passes 10 seconds
    And Alice asks for an SMS code
    Then the request is refused as too soon
    And Alice has received 1 SMS code

  Scenario: After a minute a new code is sent and only the new code works
    When Alice signs in with her password
    And Alice asks for an SMS code
    And time passes 61 seconds
    And Alice asks for an SMS code
    Then the request is accepted
    And Alice has received 2 SMS codes
    When Alice enters the code from the first SMS
    Then the code is rejected
    When Alice enters the code from the latest SMS
    Then the code is accepted
