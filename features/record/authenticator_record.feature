@area.record
Feature: The service keeps a record of every authenticator ever bound, with dates and times
  The record lists each device bound to an account, and keeps it after the device is unbound or
  removed by support, with the date and time of each event. It is how an operator answers
  "which devices could sign in as Alice, and since when?" once a device is lost or an account
  is taken over.

  Source: NIST SP 800-63B-4, "Authenticator Binding": "Throughout the lifetime of a digital
  identity, CSPs SHALL maintain a record of all authenticators that are or have ever been bound
  to each subscriber account." and "The record created by the CSP SHALL contain the date and
  time of significant authenticator life cycle events (e.g., binding to the subscriber account,
  renewal, update, expiration)." NIST SP 800-63B (2017), Section 6.1, says the same.

  Background:
    Given Alice has an account

  Scenario: A virtual MFA device Alice unbinds stays in the record with both dates
    When Alice starts binding a virtual MFA device
    And Alice confirms her identity
    And Alice scans the QR code
    And Alice confirms the binding with two consecutive codes
    Then the binding is accepted
    And Alice's authenticator record shows the virtual MFA device bound just now
    When time passes 2 weeks
    And Alice starts unbinding her virtual MFA device
    And Alice confirms the unbinding
    Then Alice is asked for a second factor by virtual MFA
    When Alice enters the code her virtual MFA device shows
    Then the unbinding is accepted
    And Alice's authenticator record shows the virtual MFA device bound 2 weeks ago
    And Alice's authenticator record shows the virtual MFA device unbound just now

  Scenario: A hardware MFA device support removes stays in the record with both dates
    Given Alice is on the hardware MFA beta list
    And the hardware MFA device "HW-8001" is in the inventory
    And Alice has bound the hardware MFA device "HW-8001"
    When time passes 30 days
    And support unbinds Alice's hardware MFA device
    Then the reset is accepted
    And Alice's authenticator record shows the hardware MFA device bound 30 days ago
    And Alice's authenticator record shows the hardware MFA device unbound just now
