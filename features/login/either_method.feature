@area.login @area.operation
Feature: With both methods enabled, either one suffices
  Source: baidu-2fa.txt: "If both two-factor authentication methods are activated, verification
  through either method suffices." and "For both Login Protection and Operation Protection, one
  or both TFA methods may be enabled."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound
    And Alice has bound a virtual MFA device
    And Alice has login protection by SMS and virtual MFA
    And Alice has operation protection by SMS and virtual MFA

  Scenario Outline: Alice signs in with <code>
    When Alice signs in with her password
    Then Alice is asked for a second factor by SMS or virtual MFA
    When Alice asks for an SMS code
    And Alice enters <code>
    Then the code is accepted
    And Alice is signed in

    Examples:
      | code                                  |
      | the code from the latest SMS          |
      | the code her virtual MFA device shows |

  Scenario Outline: Alice confirms a sensitive operation with <code>
    Given Alice has no login protection
    When Alice signs in with her password
    And Alice tries to create an access key
    Then Alice is asked for a second factor by SMS or virtual MFA
    When Alice asks for an SMS code
    And Alice enters <code>
    Then the operation goes ahead

    Examples:
      | code                                  |
      | the code from the latest SMS          |
      | the code her virtual MFA device shows |
