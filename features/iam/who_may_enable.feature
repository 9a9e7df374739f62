@area.iam
Feature: Only the root account and administrator IAM users may set protection for IAM users
  Source: baidu-2fa.txt: "Additionally, to enhance the security of cloud resource access for IAM
  users, the root account and administrator IAM users can enable two-factor authentication for
  these users." and "The login account must be either a root account or an administrator IAM
  user account."

  Background:
    Given Rita has a root account
    And Adam is an admin IAM user under Rita
    And Alice is an IAM user under Rita
    And Bob is an IAM user under Rita
    And Alice has a secure phone number bound
    And Bob has a secure phone number bound
    And Rita has a secure phone number bound

  Scenario Outline: <actor> enables login protection for <user>
    When <actor> enables login protection by SMS for <user>
    Then the change is <outcome>
    And <user> has <state>

    Examples:
      | actor | user  | outcome                | state                   |
      | Rita  | Alice | accepted               | login protection by SMS |
      | Adam  | Alice | accepted               | login protection by SMS |
      | Bob   | Alice | refused as not allowed | no login protection     |
      | Alice | Bob   | refused as not allowed | no login protection     |
      | Adam  | Rita  | refused as not allowed | no login protection     |

  Scenario Outline: <actor> disables login protection for Alice
    Given Adam enables login protection by SMS for Alice
    When <actor> disables login protection for Alice
    Then the change is <outcome>
    And Alice has <state>

    Examples:
      | actor | outcome                | state                   |
      | Adam  | accepted               | no login protection     |
      | Bob   | refused as not allowed | login protection by SMS |

  Scenario: Rita confirms her identity by SMS before turning Alice's protection off
    Given Adam enables login protection by SMS for Alice
    And Rita has operation protection by SMS
    When Rita disables login protection for Alice
    Then Rita is asked for a second factor by SMS
    When Rita asks for an SMS code
    And Rita enters the code from the latest SMS
    Then the change is accepted
    And Alice has no login protection
