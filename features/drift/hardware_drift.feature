@area.drift @area.hardware
Feature: A hardware token's clock drifts until its codes fall outside the window
  A token's quartz runs a few parts per million fast or slow, and nobody sets its clock: at
  20 ppm it is 1.7 seconds off after a day, 52 seconds after 30 days and 53 minutes after
  5 years (a year counts 365 days). Whole days keep the server at the same place in the step,
  so each row's outcome follows from the offset alone, with the default window of plus or minus
  1 step and no login in between to learn from.

  Source: RFC 6238 Section 6 ("Resynchronization": clock drift between client and validation
  server); tencent-mfa.txt: "The 6-digit dynamic authentication code displayed is updated every
  30 seconds, and the serial number of the MFA device is on the back."

  Background:
    Given Rita has an account
    And Rita is on the hardware MFA beta list
    And the hardware MFA device "HW-5001" is in the inventory
    And Rita has bound the hardware MFA device "HW-5001"
    And Rita has login protection by hardware MFA

  Scenario Outline: A token <rate> after <age>
    Given the server clock is 15 seconds into a time step
    And the hardware MFA device "HW-5001" runs <rate>
    When time passes <age>
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is <outcome>

    Examples:
      | rate        | age     | outcome  |
      | 20 ppm fast | 1 day   | accepted |
      | 20 ppm fast | 2 weeks | accepted |
      | 20 ppm fast | 30 days | rejected |
      | 20 ppm slow | 2 weeks | accepted |
      | 20 ppm slow | 30 days | rejected |
      | 2 ppm fast  | 1 year  | rejected |
      | 20 ppm fast | 5 years | rejected |
