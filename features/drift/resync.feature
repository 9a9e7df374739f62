@area.drift @area.hardware
Feature: Resynchronising a years-old hardware token with two consecutive codes
  A token 20 ppm fast is about 53 minutes ahead after 5 years, far outside the login window.
  Resynchronisation searches the range the target declares (the reference: 2 hours of steps
  either way) for two consecutive codes and learns the token's offset; the codes must be consecutive
  so that a single guessed or overheard code cannot move the window.

  Source: RFC 6238 Section 6 ("Resynchronization"); RFC 4226 Section 7.4 ("Resynchronization of
  the Counter", which asks for a sequence of consecutive values); tencent-mfa.txt: "The 6-digit
  dynamic authentication code displayed is updated every 30 seconds, and the serial number of
  the MFA device is on the back."

  Background:
    Given Rita has an account
    And Rita is on the hardware MFA beta list
    And the hardware MFA device "HW-6001" is in the inventory
    And Rita has bound the hardware MFA device "HW-6001"
    And Rita has login protection by hardware MFA
    And the server clock is 15 seconds into a time step
    And the hardware MFA device "HW-6001" runs 20 ppm fast
    And time passes 5 years

  Scenario: The 5-year-old token is rejected at login, accepted after resync
    When Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is rejected
    When Rita resyncs the hardware MFA device "HW-6001" with two consecutive codes
    Then the resync is accepted
    When time passes 1 minute
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is accepted

  Scenario Outline: Resync with <codes>
    When Rita resyncs the hardware MFA device "HW-6001" with <codes>
    Then the resync is <outcome>

    Examples:
      | codes                      | outcome  |
      | two consecutive codes      | accepted |
      | the same code twice        | rejected |
      | two non-consecutive codes  | rejected |
      | two codes from another key | rejected |

  Scenario: A token too far off for the resync range is not resynchronised
    When time passes until the hardware MFA device "HW-6001" is the resync range plus 30 minutes fast
    And Rita resyncs the hardware MFA device "HW-6001" with two consecutive codes
    Then the resync is rejected

  Scenario: The code after the resync codes signs in
    # RFC 4226 Section 7.4: after a resync the counter is the last value of the sequence, so
    # the token's next code is the next one accepted, not one beyond it.
    When Rita resyncs the hardware MFA device "HW-6001" with two consecutive codes
    Then the resync is accepted
    When time passes 30 seconds
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is accepted
