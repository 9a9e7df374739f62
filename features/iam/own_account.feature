@area.iam
Feature: Any user may turn on two-factor authentication for their own account
  An IAM user may raise their own protection but may not lower protection an administrator set
  for them; protection they turned on themselves they may turn off again.

  Source: baidu-2fa.txt: "Any Baidu AI Cloud user can enable two-factor authentication for their
  own accounts." and the procedure "Enable two factor authentication": "In the pop-up window,
  click the Enable option to select one or dual two factor authentication methods;"

  Background:
    Given Rita has a root account
    And Adam is an admin IAM user under Rita
    And Alice is an IAM user under Rita
    And Alice has a secure phone number bound
    And Rita has a secure phone number bound

  Scenario: Alice turns on login protection for herself
    When Alice enables login protection by SMS on her own account
    Then the change is accepted
    And Alice has login protection by SMS
    When Alice signs in with her password
    Then Alice is asked for a second factor by SMS

  Scenario: Rita turns on login protection for her root account
    When Rita enables login protection by SMS on her own account
    Then the change is accepted
    And Rita has login protection by SMS

  Scenario: Alice turns off protection she turned on herself
    Given Alice enables login protection by SMS on her own account
    When Alice disables login protection on her own account
    Then the change is accepted
    And Alice has no login protection

  Scenario: Alice may not turn off protection her administrator set
    Given Adam enables login protection by SMS for Alice
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters the code from the latest SMS
    And Alice disables login protection on her own account
    Then the change is refused as not allowed
    And Alice has login protection by SMS

  Scenario: Alice adds virtual MFA to the login protection her administrator set
    Given Adam enables login protection by SMS for Alice
    When Alice signs in with her password
    And Alice asks for an SMS code
    And Alice enters the code from the latest SMS
    And Alice enables login protection by SMS and virtual MFA on her own account
    Then the change is accepted
    And Alice has login protection by SMS and virtual MFA
