@area.virtual
Feature: A user who lost the virtual MFA app is unbound through support
  Without the bound device the user cannot produce the code that unbinding needs; support
  removes the device after a ticket, and the next protected login asks for a new binding.

  Source: baidu-2fa.txt: "If the MFA app was accidentally uninstalled, submit a ticket to backend
  support for assistance with unbinding."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has bound a virtual MFA device
    And Alice has lost her virtual MFA device

  Scenario: Without the device Alice cannot unbind it herself
    When Alice starts unbinding her virtual MFA device
    And Alice confirms the unbinding
    Then Alice is asked for a second factor by virtual MFA
    When Alice enters a wrong code
    Then the unbinding is rejected
    And Alice has a virtual MFA device bound

  Scenario: Support unbinds the lost device and Alice binds a new one at her next login
    Given Alice has login protection by virtual MFA
    When support unbinds Alice's virtual MFA device
    Then the reset is accepted
    And Alice has no virtual MFA device bound
    When Alice signs in with her password
    Then Alice is shown a QR code for binding a virtual MFA device
