@area.operation
Feature: A root account has operation protection by SMS from the start
  IAM users start with no protection until they or an administrator enable it.

  Source: baidu-2fa.txt: "The root account enables operation protection via SMS authentication
  by default"

  Background:
    Given Rita has a root account
    And Rita has a secure phone number bound

  Scenario: A new root account has operation protection by SMS and no login protection
    Then Rita has operation protection by SMS
    And Rita has no login protection

  Scenario: Rita's first sensitive operation asks for an SMS code
    When Rita signs in with her password
    And Rita tries to create an access key
    Then Rita is asked for a second factor by SMS
    When Rita asks for an SMS code
    And Rita enters the code from the latest SMS
    Then the operation goes ahead


  Scenario: A new IAM user has no protection
    Given Alice is an IAM user under Rita
    Then Alice has no operation protection
    And Alice has no login protection
