@area.drift @area.hardware
Feature: A hardware token's clock drifts until its codes fall outside the window
  A token's quartz runs a few parts per million fast or slow, and nobody sets its clock: at
  20 ppm it is 1.7 seconds off after a day, 52 seconds after 30 days and 53 minutes after
  5 years (a year counts 365 days). Whole days keep the server at the same place in the step,
  so each row's outcome follows from the offset alone, against the window the target declares
  (the reference: 1 step either side) and with no login in between to learn from.

  Source: RFC 6238 Section 6 ("Resynchronization": clock drift between client and validation
  server); tencent-mfa.txt: "The 6-digit dynamic authentication code displayed is updated every
  30 seconds, and the serial number of the MFA device is on the back."

  Background:
    Given Rita has an account
    And Rita is on the hardware MFA beta list
    And the hardware MFA device "HW-5001" is in the inventory
    And Rita has bound the hardware MFA device "HW-5001"
    And Rita has login protection by hardware MFA

  Scenario Outline: A token <rate> until it is <offset>
    Given the server clock is 15 seconds into a time step
    And the hardware MFA device "HW-5001" runs <rate>
    When time passes until the hardware MFA device "HW-5001" is <offset>
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is <outcome>

    Examples:
      | rate        | offset                                              | outcome  |
      | 20 ppm fast | 2 seconds fast                                      | accepted |
      | 20 ppm fast | the forward edge of the window fast                 | accepted |
      | 20 ppm fast | the forward edge of the window plus 30 seconds fast | rejected |
      | 20 ppm slow | the back edge of the window slow                    | accepted |
      | 20 ppm slow | the back edge of the window plus 30 seconds slow    | rejected |
      | 2 ppm fast  | the forward edge of the window plus 30 seconds fast | rejected |
      | 20 ppm fast | the forward edge of the window plus 50 minutes fast | rejected |
