@area.login
Feature: A second-factor prompt does not wait forever
  The second factor completes the sign-in the password began, within a limited time: the code
  is time-limited, and so is the attempt it answers. A prompt left open past its lifetime has
  expired: the code then does not sign the user in, and the prompt sends no more SMS codes.

  Source: baidu-2fa.txt: "Login protection: Enable login protection, requiring SMS or virtual MFA
  for successful account login."; "SMS authentication: Verify the user's identity by sending a
  time-limited verification code to the secure mobile phone number bound to the cloud account";
  NIST SP 800-63B Section 5.1.3.2 (an out-of-band secret is accepted for a limited time only).

  Background:
    # An ordinary account is all these scenarios need: no root account or IAM user tree.
    Given Alice has an account

  Scenario: A code after the prompt expired does not sign Alice in
    Given Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA
    When Alice signs in with her password
    And time passes the prompt lifetime plus 1 minute
    And Alice enters the code her virtual MFA device shows
    Then the code is not accepted

  Scenario: A sign-in prompt left open past its lifetime sends no SMS code
    Given Alice has a secure phone number bound
    And Alice has login protection by SMS
    When Alice signs in with her password
    And time passes the prompt lifetime plus 1 minute
    And Alice asks for an SMS code
    Then the request is not accepted
    And Alice has received 0 SMS codes
