@area.hardware
Feature: Hardware MFA devices are only available to beta users
  Source: tencent-mfa.txt: "Currently, hardware MFA devices are only available for beta users."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And the hardware MFA device "HW-4001" is in the inventory

  Scenario: A user who is not on the beta list may not bind a hardware device
    Given Alice is not on the hardware MFA beta list
    When Alice binds the hardware MFA device "HW-4001" with the code it shows
    Then the binding is refused as not allowed
    And Alice has no hardware MFA device bound

  Scenario: A user on the beta list binds the same device
    Given Alice is on the hardware MFA beta list
    When Alice binds the hardware MFA device "HW-4001" with the code it shows
    Then the binding is accepted
    And Alice has a hardware MFA device bound
