@area.sms
Feature: An SMS code expires 5 minutes after it is sent, however late it arrives
  The code is "time-limited"; the reference keeps it valid for 5 minutes from sending. A slow
  network does not extend that: the clock starts when the service sends the message. Entering
  the code from an SMS that has not arrived yet waits for it to arrive.

  Source: baidu-2fa.txt: "SMS authentication: Verify the user's identity by sending a
  time-limited verification code to the secure mobile phone number bound to the cloud account"

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has a secure phone number bound
    And Alice has login protection by SMS

  Scenario Outline: An SMS that takes <delay> to arrive, entered <wait> after asking
    Given the SMS takes <delay> to arrive
    When Alice signs in with her password
    And Alice asks for an SMS code
    And time passes <wait>
    And Alice enters the code from the latest SMS
    Then the code is <outcome>

    Examples:
      | delay     | wait      | outcome             |
      | 5 seconds | 0 seconds | accepted            |
      | 5 seconds | 4 minutes | accepted            |
      | 5 seconds | 6 minutes | rejected as expired |
      | 4 minutes | 0 seconds | accepted            |
      | 6 minutes | 0 seconds | rejected as expired |
