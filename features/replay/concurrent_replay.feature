@area.replay @serial
Feature: The same code submitted in parallel is accepted exactly once
  The check of a time step and the record that it was used happen as one atomic step, so
  requests racing each other with one valid code cannot all win. The losers are "not accepted"
  rather than "rejected as a replay": a server that counts replays as failures may lock the
  account part-way through the burst and refuse the rest, which is just as safe.

  Source: RFC 6238 Section 5.2 ("the verifier MUST NOT accept the second attempt of the OTP
  after the successful validation has been issued for the first OTP").

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA

  Scenario: 32 parallel logins with one valid code
    When Alice signs in from 32 browsers at once, entering the code her virtual MFA device shows in each
    Then exactly 1 of them is accepted
    And exactly 31 of them are not accepted

  Scenario: An attacker racing with one overheard code
    Given Mallory has stolen Alice's password
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    And Mallory signs in as Alice from 32 browsers at once, entering the code Alice just used in each
    Then exactly 0 of them are accepted
