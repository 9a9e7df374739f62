@area.virtual
Feature: Unbinding a virtual MFA device needs the current code from that device
  Source: tencent-mfa.txt, "Unbinding a virtual MFA device", steps 1 to 4 ("enter the 6-digit
  dynamic authentication code and click OK to complete the unbinding").
  baidu-2fa.txt: "Unbinding an MFA device requires verification through the currently bound
  device."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound
    And Alice has bound a virtual MFA device

  Scenario: Alice unbinds her virtual MFA device with the code it shows
    When Alice starts unbinding her virtual MFA device
    And Alice confirms the unbinding
    Then Alice is asked for a second factor by virtual MFA
    When Alice enters the code her virtual MFA device shows
    Then the unbinding is accepted
    And Alice has no virtual MFA device bound

  Scenario: A wrong code keeps the virtual MFA device bound
    When Alice starts unbinding her virtual MFA device
    And Alice confirms the unbinding
    And Alice enters a wrong code
    Then the unbinding is rejected
    And Alice has a virtual MFA device bound
