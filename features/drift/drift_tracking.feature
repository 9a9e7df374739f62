@area.drift @area.hardware
Feature: The learned offset keeps a drifting token working between logins
  After a resync the server centres its window on the token's learned offset and moves that
  centre with every accepted code, so a token that keeps drifting stays inside the window as
  long as it is used regularly. At 20 ppm the token gains 24 seconds every 2 weeks: the third
  login below is two steps from the offset learned at resync and one step from the offset learned
  at the second login, so only a server that keeps learning accepts it.

  Source: RFC 6238 Section 6 ("the validation server SHOULD record the time step drift ... and
  adjust the drift accordingly"); tencent-mfa.txt: "The 6-digit dynamic authentication code
  displayed is updated every 30 seconds, and the serial number of the MFA device is on the back."

  Background:
    Given Rita has an account
    And Rita is on the hardware MFA beta list
    And the hardware MFA device "HW-7001" is in the inventory
    And Rita has bound the hardware MFA device "HW-7001"
    And Rita has login protection by hardware MFA
    And the server clock is 15 seconds into a time step
    And the hardware MFA device "HW-7001" runs 20 ppm fast
    And time passes 5 years

  Scenario: Logins every 2 weeks after a resync keep being accepted
    When Rita resyncs the hardware MFA device "HW-7001" with two consecutive codes
    Then the resync is accepted
    When time passes 2 weeks
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is accepted
    When time passes 2 weeks
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is accepted
    When time passes 2 weeks
    And Rita signs in with her password
    And Rita enters the code her hardware MFA device shows
    Then the code is accepted
