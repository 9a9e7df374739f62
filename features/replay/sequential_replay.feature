@area.replay
Feature: A code accepted once is rejected the second time, wherever it is offered
  The replay guard remembers, per device, the time steps it has accepted, across login
  protection and operation protection alike: an overheard code is worthless once used, even
  while it is still inside the window.

  Source: RFC 6238 Section 5.2 ("the verifier MUST NOT accept the second attempt of the OTP
  after the successful validation has been issued for the first OTP"); baidu-2fa.txt: "Login
  protection: Enable login protection, requiring SMS or virtual MFA for successful account
  login."

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA

  Scenario: The same code cannot sign in twice
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted
    When Alice signs in with her password
    And Alice enters the same code again
    Then the code is rejected as a replay

  Scenario: An attacker who overheard the code cannot use it
    Given Mallory has stolen Alice's password
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted
    When Mallory signs in as Alice
    And Mallory enters the code Alice just used
    Then the code is rejected as a replay


  Scenario: The code used at login cannot confirm a sensitive operation
    Given Alice has operation protection by virtual MFA
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then Alice is signed in
    When Alice tries to create an access key
    And Alice enters the same code again
    Then the code is rejected as a replay


  Scenario: The next step's code is accepted after a replay was rejected
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    And Alice signs in with her password
    And Alice enters the same code again
    Then the code is rejected as a replay
    When time passes 30 seconds
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted

  Scenario: A later code is refused the second time too
    # The guard moves forward with every accepted code, not only the first one.
    When Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted
    When time passes 30 seconds
    And Alice signs in with her password
    And Alice enters the code her virtual MFA device shows
    Then the code is accepted
    When Alice signs in with her password
    And Alice enters the same code again
    Then the code is rejected as a replay
