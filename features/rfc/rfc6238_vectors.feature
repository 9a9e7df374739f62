@area.rfc @serial
Feature: RFC 6238 Appendix B codes bind a hardware token imported with the RFC's seeds
  A hardware token is imported with the RFC's seed, algorithm and 8 digits (30-second steps,
  T0 = 0); with the server clock at each test time, the code from the RFC's table is the
  token's authentication code and binds it. The SHA-256 and SHA-512 seeds are the 32- and
  64-byte ones from the RFC's reference code (see vectors/README.md on the erratum).
  The 20000000000 rows lie past 2^32 seconds (year 2603), so 32-bit time fails them.

  Source: RFC 6238 Section 4 (TOTP = HOTP(K, T), T = floor((time - T0) / X)) and Appendix B
  (test vectors); tencent-mfa.txt, "Binding a hardware MFA device", step 4: "Select a hardware
  MFA device, enter the serial number and authentication code, and bind the device as
  prompted." and "It is compliant with the time-based one-time password (TOTP) standard as
  defined in RFC 6238."

  Background:
    Given Rita has an account
    And Rita is on the hardware MFA beta list

  Scenario Outline: RFC 6238 at <time> seconds with <algorithm>
    Given the hardware MFA device "RFC6238" is in the inventory with the <encoding> seed "<seed>", <algorithm> and 8 digits
    And the server clock reads Unix time <time>
    When Rita binds the hardware MFA device "RFC6238" with the code "<code>"
    Then the binding is accepted

    Examples:
      | time        | algorithm | code     | encoding | seed                                                                                                                             |
      | 59          | SHA1      | 94287082 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ                                                                                                 |
      | 59          | SHA256    | 46119246 | hex      | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 59          | SHA512    | 90693936 | hex      | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |
      | 1111111109  | SHA1      | 07081804 | hex      | 3132333435363738393031323334353637383930                                                                                         |
      | 1111111109  | SHA256    | 68084774 | hex      | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 1111111109  | SHA512    | 25091201 | hex      | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |
      | 1111111111  | SHA1      | 14050471 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ                                                                                                 |
      | 1111111111  | SHA256    | 67062674 | hex      | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 1111111111  | SHA512    | 99943326 | hex      | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |
      | 1234567890  | SHA1      | 89005924 | hex      | 3132333435363738393031323334353637383930                                                                                         |
      | 1234567890  | SHA256    | 91819424 | hex      | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 1234567890  | SHA512    | 93441116 | hex      | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |
      | 2000000000  | SHA1      | 69279037 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ                                                                                                 |
      | 2000000000  | SHA256    | 90698825 | hex      | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 2000000000  | SHA512    | 38618901 | hex      | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |
      | 20000000000 | SHA1      | 65353130 | hex      | 3132333435363738393031323334353637383930                                                                                         |
      | 20000000000 | SHA256    | 77737706 | hex      | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 20000000000 | SHA512    | 47863826 | hex      | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |

  Scenario Outline: The RFC code is rejected far from its time (<time> seconds with <algorithm>)
    Given the hardware MFA device "RFC6238" is in the inventory with the hex seed "<seed>", <algorithm> and 8 digits
    And the server clock reads Unix time <time>
    When Rita binds the hardware MFA device "RFC6238" with the code "<code>"
    Then the binding is rejected

    Examples: codes from the rows above, offered an hour or more away from their time
      | time       | algorithm | code     | seed                                                                                                                             |
      | 1111114709 | SHA1      | 07081804 | 3132333435363738393031323334353637383930                                                                                         |
      | 1234564290 | SHA256    | 91819424 | 3132333435363738393031323334353637383930313233343536373839303132                                                                 |
      | 2000000000 | SHA512    | 47863826 | 31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334 |
