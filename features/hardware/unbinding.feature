@area.hardware
Feature: Unbinding a hardware MFA device needs confirmation and identity authentication
  Unbinding asks the user to confirm, then to authenticate again, and only then removes the
  device. Without the identity authentication the device stays bound.

  Source: tencent-mfa.txt, "Unbinding a hardware MFA device", steps 1 to 5.

  Background:
    Given Rita has a root account
    And Rita has a secure phone number bound
    And Rita is on the hardware MFA beta list
    And the hardware MFA device "HW-3001" is in the inventory
    And Rita has bound the hardware MFA device "HW-3001"

  Scenario: Rita unbinds her hardware MFA device
    When Rita starts unbinding her hardware MFA device
    And Rita confirms the unbinding
    Then Rita is asked to confirm her identity
    When Rita confirms her identity
    Then the unbinding is accepted
    And Rita has no hardware MFA device bound

  Scenario: A wrong code during the identity authentication keeps the device bound
    When Rita starts unbinding her hardware MFA device
    And Rita confirms the unbinding
    And Rita enters a wrong code
    Then the unbinding is rejected
    And Rita has a hardware MFA device bound
