@area.window @area.virtual
Feature: A code read in the last second of its step still works while the user types it
  A user who reads the code just before it changes and types it into the next step is inside the
  window of plus or minus 1 step; a code typed two steps later is not.

  Source: RFC 6238 Section 5.2 (the one-step allowance for network and typing delay);
  baidu-2fa.txt: "Dynamic password is refreshed every 30 seconds."

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA

  Scenario Outline: Reading the code <position> seconds into a step and taking <typing> to type it
    Given the server clock is <position> seconds into a time step
    When Alice signs in with her password
    And Alice types the code from her virtual MFA device, taking <typing>
    Then the code is <outcome>

    Examples:
      | position | typing     | outcome  |
      | 29       | 2 seconds  | accepted |
      | 29       | 30 seconds | accepted |
      | 29       | 31 seconds | rejected |
      | 0        | 60 seconds | rejected |
