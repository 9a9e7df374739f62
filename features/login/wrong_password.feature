@area.login
Feature: A wrong password signs no one in
  A second factor is added to the password, never put in its place: a wrong password is
  rejected at once, whether or not login protection asks for a second factor after it.

  Source: baidu-2fa.txt: "Two-factor authentication adds an additional layer of security beyond
  username and password to verify the identities of users accessing Baidu AI Cloud resources."

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account

  Scenario: A wrong password does not sign Alice in
    When Alice signs in with a wrong password
    Then the sign-in is rejected

  Scenario: With login protection a wrong password gets no second-factor prompt
    Given Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA
    When Alice signs in with a wrong password
    Then the sign-in is rejected
