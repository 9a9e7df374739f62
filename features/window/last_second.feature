@area.window @area.virtual
Feature: A code read in the last second of its step works until the window's back edge passes
  A user who reads the code just before it changes and types it into a later step is inside the
  window up to its declared back edge (the reference: 1 step); a step later than that is not.

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
      | position | typing                                        | outcome  |
      | 29       | the back edge of the window less 1 second     | accepted |
      | 29       | the back edge of the window                   | accepted |
      | 29       | the back edge of the window plus 1 second     | rejected |
      | 0        | the back edge of the window plus 30 seconds   | rejected |
