@area.window @area.virtual
Feature: A phone clock inside the window's edges is tolerated, one second further is not
  The verifier accepts the code of the current 30-second step and of the steps up to each edge
  of the window it declares (the reference: 1 step either side), and nothing further. Whether a
  skew falls inside depends on where in the step the server is, so each row fixes that too.
  Whether a declared window is safe is graded by the report card, not here (RFC 6238 5.2).

  Source: RFC 6238 Section 5.2 ("We RECOMMEND that at most one time step is allowed as the
  network delay") and Section 6 (resynchronisation); tencent-mfa.txt: "It is compliant with the
  time-based one-time password (TOTP) standard as defined in RFC 6238."

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA

  Scenario Outline: <position> seconds into a step, a phone clock <offset> is <outcome>
    Given the server clock is <position> seconds into a time step
    And Alice's phone clock is <offset>
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is <outcome>

    Examples: the server 15 seconds into a step
      | position | offset                                              | outcome  |
      | 15       | on time                                             | accepted |
      | 15       | the forward edge of the window plus 10 seconds fast | accepted |
      | 15       | the forward edge of the window plus 14 seconds fast | accepted |
      | 15       | the forward edge of the window plus 15 seconds fast | rejected |
      | 15       | the back edge of the window plus 15 seconds slow    | accepted |
      | 15       | the back edge of the window plus 16 seconds slow    | rejected |

    Examples: other positions in the step
      | position | offset                                              | outcome  |
      | 25       | the forward edge of the window plus 10 seconds fast | rejected |
      | 0        | the forward edge of the window plus 29 seconds fast | accepted |
      | 0        | the forward edge of the window plus 30 seconds fast | rejected |
      | 0        | the back edge of the window plus 1 second slow      | rejected |
      | 29       | the forward edge of the window fast                 | accepted |
