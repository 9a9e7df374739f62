@area.window @area.virtual
Feature: A phone clock off by less than a step either way is tolerated, more is not
  The verifier accepts the code of the current 30-second step and of one step either side (the
  reference default, a window of plus or minus 1 step), and nothing further. Whether a given
  skew falls inside depends on where in the step the server is, so each row fixes that too.
  A vendor with a wider window will fail the outer rows: list them as expected failures.

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
      | position | offset          | outcome  |
      | 15       | on time         | accepted |
      | 15       | 40 seconds fast | accepted |
      | 15       | 44 seconds fast | accepted |
      | 15       | 45 seconds fast | rejected |
      | 15       | 45 seconds slow | accepted |
      | 15       | 46 seconds slow | rejected |

    Examples: other positions in the step
      | position | offset          | outcome  |
      | 25       | 40 seconds fast | rejected |
      | 0        | 59 seconds fast | accepted |
      | 0        | 60 seconds fast | rejected |
      | 0        | 31 seconds slow | rejected |
      | 29       | 1 second fast   | accepted |
