@area.hardware
Feature: Binding a hardware MFA device by serial number and authentication code
  A hardware MFA device shows a 6-digit code that changes every 30 seconds and carries its
  serial number on the back. Binding it takes identity authentication first, then the serial
  number and the code the device shows.

  Source: tencent-mfa.txt, "Binding a hardware MFA device", steps 1 to 5, and "The 6-digit
  dynamic authentication code displayed is updated every 30 seconds, and the serial number of
  the MFA device is on the back."

  Background:
    Given Rita has a root account
    And Rita has a secure phone number bound
    And Rita is on the hardware MFA beta list
    And the hardware MFA device "HW-1001" is in the inventory

  Scenario: Rita binds a hardware MFA device with the code it shows
    When Rita starts binding a hardware MFA device
    Then Rita is asked to confirm her identity
    When Rita confirms her identity
    And Rita binds the hardware MFA device "HW-1001" with the code it shows
    Then the binding is accepted
    And Rita has a hardware MFA device bound

  Scenario: A wrong authentication code does not bind the device
    When Rita starts binding a hardware MFA device
    And Rita confirms her identity
    And Rita binds the hardware MFA device "HW-1001" with a wrong code
    Then the binding is rejected
    And Rita has no hardware MFA device bound


  Scenario: The bound device then answers login protection
    Given Rita has bound the hardware MFA device "HW-1001"
    And Rita has login protection by hardware MFA
    When Rita signs in with her password
    Then Rita is asked for a second factor by hardware MFA
    When Rita enters the code her hardware MFA device shows
    Then the code is accepted
    And Rita is signed in
