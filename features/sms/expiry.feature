@area.sms
Feature: An SMS code expires when its lifetime ends after sending, however late it arrives
  The code is "time-limited", for the lifetime the target declares (the reference: 5 minutes), and
  is gone once that time has passed. A slow network does not extend it: the clock starts when the
  service sends the message. Entering the code from an SMS that has not arrived yet waits for it.

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
      | delay                           | wait                            | outcome             |
      | 5 seconds                       | 0 seconds                       | accepted            |
      | 5 seconds                       | the SMS lifetime less 1 minute  | accepted            |
      | 5 seconds                       | the SMS lifetime plus 1 minute  | rejected as expired |
      | the SMS lifetime less 1 minute  | 0 seconds                       | accepted            |
      | the SMS lifetime plus 1 minute  | 0 seconds                       | rejected as expired |

  Scenario: A code entered the instant its lifetime ends has expired
    When Alice signs in with her password
    And Alice asks for an SMS code
    And time passes exactly the SMS lifetime
    And Alice enters the code from the latest SMS
    Then the code is rejected as expired
