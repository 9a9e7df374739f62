@area.operation @area.iam
Feature: Once an administrator disables operation protection, nothing asks for a second factor
  Source: baidu-2fa.txt: "If an administrator disables operation protection for an IAM user,
  secondary authentication will not be required for account anomalies or sensitive
  operations." and "For methods and paths, refer to [Enable Two Factor Authentication](#Enable
  two factor authentication) to disable previously enabled login or operation protection."

  Background:
    Given Rita has a root account
    And Adam is an admin IAM user under Rita
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound
    And Alice has no login protection
    And Adam enables operation protection by SMS for Alice
    And Adam disables operation protection for Alice

  Scenario: A sensitive operation goes ahead without a second factor
    When Alice signs in with her password
    And Alice tries to create an access key
    Then the operation goes ahead

  Scenario: A login from a new location goes ahead without a second factor
    When Alice signs in with her password from a new location
    Then Alice is signed in
