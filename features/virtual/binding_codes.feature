@area.virtual
Feature: Only two consecutive codes from the scanned key complete a virtual binding
  Two consecutive codes prove that the app holds the key and that its clock runs: the same code
  twice, codes two steps apart, or codes from another key must not complete the binding.

  Source: baidu-2fa.txt: "Enter two consecutive sets of passwords on the computer page, and then
  click OK button to complete the virtual MFA device binding."
  tencent-mfa.txt, "Binding a virtual MFA device", step 4: "Select a virtual MFA device and bind
  it as prompted."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita

  Scenario Outline: Binding with <codes>
    When Alice starts binding a virtual MFA device
    And Alice confirms her identity
    And Alice scans the QR code
    And Alice confirms the binding with <codes>
    Then the binding is <outcome>
    And Alice has <bound>

    Examples:
      | codes                      | outcome  | bound                       |
      | two consecutive codes      | accepted | a virtual MFA device bound  |
      | the same code twice        | rejected | no virtual MFA device bound |
      | two non-consecutive codes  | rejected | no virtual MFA device bound |
      | two codes from another key | rejected | no virtual MFA device bound |
