//! The words a profile's templates see for the harness's types (`virtual_mfa`, `login`,
//! `create_access_key`), and the words read back from answers into method sets and booleans.
//! `docs/profiles.md` lists them; they are the profile format, so they never change with a
//! type's Rust name.

use crate::protocol::{DeviceKind, Method, MethodSet, Operation, Scope};

/// `login` or `operation`.
pub fn scope_word(scope: Scope) -> &'static str {
    match scope {
        Scope::Login => "login",
        Scope::Operation => "operation",
    }
}

/// `sms,virtual_mfa`: the methods' words joined by commas.
pub fn methods_words(methods: MethodSet) -> String {
    let words: Vec<&str> = methods.iter().map(method_word).collect();
    words.join(",")
}

/// The methods a protection setting flags, in the order of [`METHOD_FLAGS`].
const FLAGGED: [Method; 4] = [Method::Sms, Method::VirtualMfa, Method::HardwareMfa, Method::Password];

/// The names of the flags [`method_flags`] gives.
pub const METHOD_FLAGS: [&str; 4] =
    ["methods.sms", "methods.virtual_mfa", "methods.hardware_mfa", "methods.password"];

/// `methods.sms`, `methods.virtual_mfa`, `methods.hardware_mfa`, `methods.password`: each
/// `yes` or `no`. Templates have no conditions, so a step that must act only when one method
/// is in the set names a resource by its flag (privacyIDEA enables the SMS token
/// `...-sms-{{methods.sms}}`, which exists only with the suffix `yes`).
pub fn method_flags(methods: MethodSet) -> Vec<(String, String)> {
    FLAGGED
        .into_iter()
        .zip(METHOD_FLAGS)
        .map(|(m, name)| (name.to_owned(), if methods.contains(m) { "yes" } else { "no" }.to_owned()))
        .collect()
}

/// `sms`, `virtual_mfa`, `hardware_mfa` or `password`.
pub fn method_word(method: Method) -> &'static str {
    match method {
        Method::Sms => "sms",
        Method::VirtualMfa => "virtual_mfa",
        Method::HardwareMfa => "hardware_mfa",
        Method::Password => "password",
    }
}

/// `virtual` or `hardware`.
pub fn kind_word(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Virtual => "virtual",
        DeviceKind::Hardware => "hardware",
    }
}

/// `create_access_key`, `delete_resource`, `change_security_settings` or `list_resources`.
pub fn operation_word(operation: Operation) -> &'static str {
    match operation {
        Operation::CreateAccessKey => "create_access_key",
        Operation::DeleteResource => "delete_resource",
        Operation::ChangeSecuritySettings => "change_security_settings",
        Operation::ListResources => "list_resources",
    }
}

/// The methods named in `text` (words separated by commas or spaces; unknown words ignored).
pub fn parse_methods(text: Option<&String>) -> MethodSet {
    let Some(text) = text else { return MethodSet::NONE };
    text.split([',', ' '])
        .filter_map(|w| match w.trim() {
            "sms" => Some(Method::Sms),
            "virtual_mfa" => Some(Method::VirtualMfa),
            "hardware_mfa" => Some(Method::HardwareMfa),
            "password" => Some(Method::Password),
            _ => None,
        })
        .collect()
}

/// `true`, `yes`, or a number other than 0.
pub fn truthy(text: Option<&String>) -> bool {
    text.is_some_and(|t| {
        let t = t.trim();
        t.eq_ignore_ascii_case("true")
            || t.eq_ignore_ascii_case("yes")
            || t.parse::<f64>().is_ok_and(|n| n != 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_words_read_back_as_the_same_methods() {
        let methods =
            MethodSet::of(&[Method::Sms, Method::VirtualMfa, Method::HardwareMfa, Method::Password]);
        let words = methods_words(methods);
        assert_eq!(words, "sms,virtual_mfa,hardware_mfa,password");
        assert_eq!(parse_methods(Some(&words)), methods);
        assert_eq!(parse_methods(Some(&"sms push".to_owned())), MethodSet::of(&[Method::Sms]));
        assert_eq!(parse_methods(None), MethodSet::NONE);
    }

    #[test]
    fn each_method_has_a_flag_saying_whether_it_is_in_the_set() {
        let flags = method_flags(MethodSet::of(&[Method::Sms, Method::HardwareMfa]));
        let on: Vec<&str> = flags.iter().filter(|(_, f)| f == "yes").map(|(k, _)| k.as_str()).collect();
        assert_eq!(on, ["methods.sms", "methods.hardware_mfa"]);
        assert_eq!(flags.len(), 4);
        assert!(method_flags(MethodSet::NONE).iter().all(|(_, f)| f == "no"));
        for (method, name) in FLAGGED.into_iter().zip(METHOD_FLAGS) {
            assert_eq!(name, format!("methods.{}", method_word(method)));
        }
    }

    #[test]
    fn truthy_words_are_true_and_zero_is_not() {
        for yes in ["true", "YES", "1", "2.5"] {
            assert!(truthy(Some(&yes.to_owned())), "{yes}");
        }
        for no in ["false", "0", "", "no"] {
            assert!(!truthy(Some(&no.to_owned())), "{no}");
        }
        assert!(!truthy(None));
    }
}
