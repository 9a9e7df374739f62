@area.login
Feature: Login protection asks for a second factor after the password
  With login protection on, a correct password alone does not sign the user in: SMS or virtual
  MFA must succeed as well. Without it the password suffices.

  Source: baidu-2fa.txt: "Login protection: Enable login protection, requiring SMS or virtual MFA
  for successful account login."

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has bound a virtual MFA device

  Scenario: Without login protection the password signs Alice in
    Given Alice has no login protection
    When Alice signs in with her password
    Then Alice is signed in

  Scenario: With login protection Alice needs the code from her app
    Given Alice has login protection by virtual MFA
    When Alice signs in with her password
    Then Alice is asked for a second factor by virtual MFA
    When Alice enters the code her virtual MFA device shows
    Then the code is accepted
    And Alice is signed in

  Scenario: A wrong code does not sign Alice in
    Given Alice has login protection by virtual MFA
    When Alice signs in with her password
    And Alice enters a wrong code
    Then the code is rejected

  Scenario: A stolen password alone is not enough
    Given Alice has login protection by virtual MFA
    And Mallory has stolen Alice's password
    When Mallory signs in as Alice
    Then Mallory is asked for a second factor by virtual MFA
    When Mallory enters a wrong code
    Then the code is rejected
