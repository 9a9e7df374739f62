@area.login
Feature: An IAM user with login protection but nothing bound is sent to binding
  Source: baidu-2fa.txt: "If login protection is enabled for an IAM user who has not been bound
  to a mobile phone number or virtual MFA, the system will redirect them to the binding page
  during their next console login." and "In addition to actively binding virtual MFA through
  User Center - Security Information - Virtual MFA, if using virtual MFA for secondary
  authentication without prior binding, the computer screen will also display a QR code for
  virtual MFA binding."

  Background:
    Given Rita has a root account
    And Adam is an admin IAM user under Rita
    And Alice is an IAM user under Rita


  Scenario: Login protection by SMS without a phone number sends Alice to binding
    When Adam enables login protection by SMS for Alice
    And Alice signs in with her password
    Then Alice is sent to the binding page


  Scenario: Login protection by virtual MFA without a device shows the binding QR code
    When Adam enables login protection by virtual MFA for Alice
    And Alice signs in with her password
    Then Alice is shown a QR code for binding a virtual MFA device


  Scenario: Operation protection by virtual MFA without a device shows the binding QR code
    Given Alice has operation protection by virtual MFA
    When Alice signs in with her password
    And Alice tries to delete a cloud server
    Then Alice is shown a QR code for binding a virtual MFA device
