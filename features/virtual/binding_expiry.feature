@area.virtual
Feature: A binding left open does not wait forever
  The identity check that opens a binding is what allows the binding; a binding page left open
  past the prompt lifetime has expired with it, and codes typed into it then bind nothing.

  Source: tencent-mfa.txt, "Binding a virtual MFA device": "3. Complete the identity
  authentication as prompted on the authentication window that pops up." then "4. Select a
  virtual MFA device and bind it as prompted."; NIST SP 800-63B Section 6.1.2.1 (a new
  authenticator is bound only within an authenticated session).

  Background:
    # An ordinary account is all this scenario needs: no root account or IAM user tree.
    Given Alice has an account

  Scenario: Codes after the binding expired bind no device
    When Alice starts binding a virtual MFA device
    And Alice confirms her identity
    And Alice scans the QR code
    And time passes the prompt lifetime plus 1 minute
    And Alice confirms the binding with two consecutive codes
    Then the binding is not accepted
    And Alice has no virtual MFA device bound
