@area.operation
Feature: A login from a new location is an account anomaly that operation protection checks
  Source: baidu-2fa.txt: "If the administrator enables operation protection for an IAM user, and
  the IAM user has been bound to a mobile phone number or virtual MFA, secondary authentication
  via SMS or software-generated dynamic code is required when account anomalies or sensitive
  operations are detected;"

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound
    And Alice has no login protection

  Scenario: A login from a new location asks for a second factor
    Given Alice has operation protection by SMS
    When Alice signs in with her password
    And Alice signs in with her password from a new location
    Then Alice is asked for a second factor by SMS
    When Alice asks for an SMS code
    And Alice enters the code from the latest SMS
    Then the code is accepted
    And Alice is signed in

  Scenario: A login from the usual location asks for nothing
    Given Alice has operation protection by SMS
    When Alice signs in with her password
    Then Alice is signed in

  Scenario: Without operation protection a new location asks for nothing
    Given Alice has no operation protection
    When Alice signs in with her password from a new location
    Then Alice is signed in
