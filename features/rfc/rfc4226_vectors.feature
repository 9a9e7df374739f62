@area.rfc @serial
Feature: RFC 4226 Appendix D codes bind a SHA-1, 6-digit time-based token at the matching step
  TOTP is HOTP with the counter T = floor(time / 30), so with the server clock inside step C a
  6-digit SHA-1 token imported with the RFC's seed shows the RFC's HOTP value for counter C.
  Each row sets the clock 10 seconds into step C (time = 30 C + 10).

  Source: RFC 4226 Section 5.3 (dynamic truncation) and Appendix D (test values, secret
  "12345678901234567890"); RFC 6238 Section 4 (TOTP = HOTP(K, T)); tencent-mfa.txt: "The 6-digit
  dynamic authentication code displayed is updated every 30 seconds, and the serial number of
  the MFA device is on the back."

  Background:
    Given Rita has an account
    And Rita is on the hardware MFA beta list

  Scenario Outline: RFC 4226 counter <counter> (Unix time <time>)
    Given the hardware MFA device "RFC4226" is in the inventory with the <encoding> seed "<seed>", SHA1 and 6 digits
    And the server clock reads Unix time <time>
    When Rita binds the hardware MFA device "RFC4226" with the code "<code>"
    Then the binding is accepted

    Examples:
      | counter | time | code   | encoding | seed                                     |
      | 0       | 10   | 755224 | hex      | 3132333435363738393031323334353637383930 |
      | 1       | 40   | 287082 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ         |
      | 2       | 70   | 359152 | hex      | 3132333435363738393031323334353637383930 |
      | 3       | 100  | 969429 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ         |
      | 4       | 130  | 338314 | hex      | 3132333435363738393031323334353637383930 |
      | 5       | 160  | 254676 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ         |
      | 6       | 190  | 287922 | hex      | 3132333435363738393031323334353637383930 |
      | 7       | 220  | 162583 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ         |
      | 8       | 250  | 399871 | hex      | 3132333435363738393031323334353637383930 |
      | 9       | 280  | 520489 | base32   | GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ         |
