@area.operation
Feature: Operation protection asks for a second factor before sensitive operations
  Creating access keys, deleting resources and changing security settings are sensitive; with
  operation protection on they wait for a second factor. Ordinary reads do not.

  Source: baidu-2fa.txt: "Operation protection: When enabled, users must complete secondary
  identity verification before performing sensitive operations to confirm authenticity" and
  "If the administrator enables operation protection for an IAM user, and the IAM user has been
  bound to a mobile phone number or virtual MFA, secondary authentication via SMS or
  software-generated dynamic code is required when account anomalies or sensitive operations
  are detected;"

  Background:
    Given Rita has a root account
    And Adam is an admin IAM user under Rita
    And Alice is an IAM user under Rita
    And Alice has bound a virtual MFA device

  Scenario Outline: Alice tries to <operation> under operation protection
    When Adam enables operation protection by virtual MFA for Alice
    And Alice signs in with her password
    And Alice tries to <operation>
    Then Alice is asked for a second factor by virtual MFA
    When Alice enters the code her virtual MFA device shows
    Then the operation goes ahead

    Examples:
      | operation                 |
      | create an access key      |
      | delete a cloud server     |
      | change a security setting |

  Scenario: An ordinary read needs no second factor
    Given Alice has operation protection by virtual MFA
    When Alice signs in with her password
    And Alice tries to list cloud servers
    Then the operation goes ahead

  Scenario: A wrong code stops the sensitive operation
    Given Alice has operation protection by virtual MFA
    When Alice signs in with her password
    And Alice tries to delete a cloud server
    And Alice enters a wrong code
    Then the operation is rejected
