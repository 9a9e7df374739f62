//! Second-factor methods and sets of them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a challenge can be answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A code sent by SMS to the account's secure phone number.
    Sms,
    /// A TOTP code from the bound virtual MFA device (authenticator app).
    VirtualMfa,
    /// A TOTP code from the bound hardware MFA device.
    HardwareMfa,
    /// The account password: identity authentication before binding a device, where the
    /// account has no second factor yet.
    Password,
}

impl Method {
    /// Every method, in set order.
    pub const ALL: [Method; 4] = [Method::Sms, Method::VirtualMfa, Method::HardwareMfa, Method::Password];

    /// The words the features use.
    pub fn words(self) -> &'static str {
        match self {
            Method::Sms => "SMS",
            Method::VirtualMfa => "virtual MFA",
            Method::HardwareMfa => "hardware MFA",
            Method::Password => "password",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of methods: those enabled for a protection, or those a challenge accepts.
/// Serialised as a list of method names.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "Vec<Method>", from = "Vec<Method>")]
pub struct MethodSet(u8);

impl MethodSet {
    /// No method: the protection is off.
    pub const NONE: MethodSet = MethodSet(0);

    /// A set of the given methods.
    pub fn of(methods: &[Method]) -> Self {
        methods.iter().copied().collect()
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `method` is in the set.
    pub fn contains(self, method: Method) -> bool {
        self.0 & method.bit() != 0
    }

    /// The set with `method` added.
    pub fn with(self, method: Method) -> Self {
        MethodSet(self.0 | method.bit())
    }

    /// The set without `method`.
    pub fn without(self, method: Method) -> Self {
        MethodSet(self.0 & !method.bit())
    }

    /// Methods in both sets.
    pub fn intersect(self, other: MethodSet) -> Self {
        MethodSet(self.0 & other.0)
    }

    /// Whether every method of `other` is in `self`.
    pub fn covers(self, other: MethodSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The methods, in set order.
    pub fn iter(self) -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(move |m| self.contains(*m))
    }
}

impl FromIterator<Method> for MethodSet {
    fn from_iter<I: IntoIterator<Item = Method>>(iter: I) -> Self {
        iter.into_iter().fold(MethodSet::NONE, MethodSet::with)
    }
}

impl From<Vec<Method>> for MethodSet {
    fn from(methods: Vec<Method>) -> Self {
        methods.into_iter().collect()
    }
}

impl From<MethodSet> for Vec<Method> {
    fn from(set: MethodSet) -> Self {
        set.iter().collect()
    }
}

/// `SMS or virtual MFA`, `nothing` for the empty set.
impl fmt::Display for MethodSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("nothing");
        }
        let words: Vec<&str> = self.iter().map(Method::words).collect();
        f.write_str(&words.join(" or "))
    }
}

impl fmt::Debug for MethodSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MethodSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compose_and_serialise_as_lists() {
        let set = MethodSet::of(&[Method::VirtualMfa, Method::Sms]);
        assert!(set.contains(Method::Sms) && !set.contains(Method::Password));
        assert_eq!(set.to_string(), "SMS or virtual MFA");
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"["sms","virtual_mfa"]"#);
        assert_eq!(serde_json::from_str::<MethodSet>(r#"["virtual_mfa","sms"]"#).unwrap(), set);
        assert!(set.covers(MethodSet::of(&[Method::Sms])));
        assert_eq!(
            set.intersect(MethodSet::of(&[Method::Sms, Method::HardwareMfa])),
            MethodSet::of(&[Method::Sms])
        );
    }
}
