@area.hardware
Feature: Only known, unbound serial numbers can be bound, one hardware device per account
  The service knows a hardware MFA device only through its imported seed, identified by the
  serial number on its back. A serial that was never imported, or that is already bound to
  another user, cannot be bound; an account holds one hardware device at a time, so binding
  another one needs unbinding first.

  Source: tencent-mfa.txt, "Binding a hardware MFA device", step 4: "Select a hardware MFA
  device, enter the serial number and authentication code, and bind the device as prompted."
  A serial named in a step but never put in the inventory is a token the service does not know.

  Background:
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Bob is an IAM user under Rita
    And Alice is on the hardware MFA beta list
    And Bob is on the hardware MFA beta list
    And the hardware MFA device "HW-2001" is in the inventory
    And the hardware MFA device "HW-2002" is in the inventory

  Scenario: A serial number the service never imported is rejected
    When Alice binds the hardware MFA device "HW-9999" with the code it shows
    Then the binding is rejected
    And Alice has no hardware MFA device bound

  Scenario: A serial number already bound to another user is rejected
    Given Bob has bound the hardware MFA device "HW-2001"
    When Alice binds the hardware MFA device "HW-2001" with the code it shows
    Then the binding is rejected
    And Alice has no hardware MFA device bound

  Scenario: A second hardware device needs the first one unbound
    Given Alice has bound the hardware MFA device "HW-2001"
    When Alice binds the hardware MFA device "HW-2002" with the code it shows
    Then the binding is rejected

  Scenario: Importing a bound token's serial again leaves its seed alone
    # A token's key is burnt in at the factory: a second import under its serial cannot change
    # what the token shows. A server that takes the new seed locks the token's owner out, and
    # lets whoever supplied the new seed sign in as them (NIST SP 800-63B Section 6.1: binding).
    Given Alice has bound the hardware MFA device "HW-2001"
    And Alice has login protection by hardware MFA
    When the hardware MFA device "HW-2001" is imported again with a new seed
    And Alice signs in with her password
    And Alice enters the code her hardware MFA device shows
    Then the code is accepted
