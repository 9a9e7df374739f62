@area.login @area.virtual
Feature: Binding virtual MFA during a secondary authentication completes it
  A user asked for virtual MFA before binding one binds it on the spot; the binding codes
  answer the pending secondary authentication, so no further code is asked.

  Source: baidu-2fa.txt: "After enabling virtual MFA for themselves or IAM users, users must
  first bind the virtual MFA device during their initial secondary authentication." and "Upon
  successful binding of virtual MFA, secondary authentication is simultaneously completed"

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita


  Scenario: Binding at the first protected login signs Alice in
    Given Alice has login protection by virtual MFA
    When Alice signs in with her password
    Then Alice is shown a QR code for binding a virtual MFA device
    When Alice scans the QR code
    And Alice confirms the binding with two consecutive codes
    Then the binding is accepted
    And Alice is signed in
    And Alice has a virtual MFA device bound


  Scenario: Binding at the first protected operation lets the operation go ahead
    Given Alice has operation protection by virtual MFA
    When Alice signs in with her password
    And Alice tries to create an access key
    Then Alice is shown a QR code for binding a virtual MFA device
    When Alice scans the QR code
    And Alice confirms the binding with two consecutive codes
    Then the operation goes ahead


  Scenario: A failed binding at login binds nothing
    Given Alice has login protection by virtual MFA
    When Alice signs in with her password
    Then Alice is shown a QR code for binding a virtual MFA device
    When Alice scans the QR code
    And Alice confirms the binding with the same code twice
    Then the binding is rejected
    And Alice has no virtual MFA device bound
