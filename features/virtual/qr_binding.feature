@area.virtual
Feature: Binding a virtual MFA device by scanning a QR code
  A virtual MFA device is an authenticator app (RFC 6238 TOTP). The user authenticates again,
  scans the QR code shown on the screen, and the app then shows a code that changes every
  30 seconds; two consecutive codes complete the binding.

  Source: tencent-mfa.txt, "Binding a virtual MFA device", steps 1 to 5, and "It is compliant
  with the time-based one-time password (TOTP) standard as defined in RFC 6238."
  baidu-2fa.txt, "Bind virtual MFA": scanning the QR code with the Baidu AI Cloud app or another
  authenticator, "Dynamic password is refreshed every 30 seconds.", and "Enter two consecutive
  sets of passwords on the computer page, and then click OK button to complete the virtual MFA
  device binding."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound

  Scenario: Alice binds her virtual MFA device through the QR code
    When Alice starts binding a virtual MFA device
    Then Alice is asked to confirm her identity
    When Alice confirms her identity
    Then Alice is shown a QR code for binding a virtual MFA device
    And the QR code holds a 6-digit TOTP key that changes every 30 seconds
    When Alice scans the QR code
    And Alice confirms the binding with two consecutive codes
    Then the binding is accepted
    And Alice has a virtual MFA device bound

  Scenario: A second virtual MFA device needs the first one unbound
    Given Alice has bound a virtual MFA device
    When Alice starts binding a virtual MFA device
    Then the binding is rejected
