@area.iam
Feature: Each protection takes one or both methods
  Source: baidu-2fa.txt: "In the Two Factor Authentication module, it is possible to enable Login
  Protection and Operation Protection for IAM users. For both Login Protection and Operation
  Protection, one or both TFA methods may be enabled." and "This feature can also be enabled for
  IAM users."

  Background:
    Given Rita has a root account
    And Adam is an admin IAM user under Rita
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound
    And Alice has bound a virtual MFA device

  Scenario Outline: Adam sets login protection by <methods> for Alice
    When Adam enables login protection by <methods> for Alice
    And Alice signs in with her password
    Then Alice is asked for a second factor by <methods>

    Examples:
      | methods             |
      | SMS                 |
      | virtual MFA         |
      | SMS and virtual MFA |

  Scenario Outline: Adam sets operation protection by <methods> for Alice
    Given Alice has no login protection
    When Adam enables operation protection by <methods> for Alice
    And Alice signs in with her password
    And Alice tries to change a security setting
    Then Alice is asked for a second factor by <methods>

    Examples:
      | methods             |
      | SMS                 |
      | virtual MFA         |
      | SMS and virtual MFA |
