//! The fields both seed-file formats carry (serial, code length, time step) and their checks,
//! so the two readers refuse the same values with the same messages.

use crate::otp::{Digits, Period};

use super::error::{Place, SeedFileError, SeedProblem, quotable};

/// Checks that a serial survives both formats unchanged: both readers trim surrounding
/// whitespace, and XML cannot carry most control characters. `None` when it is fine.
pub(crate) fn unwritable_serial(serial: &str) -> Option<&'static str> {
    if serial.is_empty() {
        Some("the serial is empty")
    } else if serial.trim() != serial {
        Some("the serial has leading or trailing whitespace, which readers strip")
    } else if serial.chars().any(char::is_control) {
        Some("the serial contains control characters")
    } else {
        None
    }
}

/// Code length from a field, 6..=10.
pub(crate) fn digits(place: Place<'_>, serial: &str, text: &str) -> Result<Digits, SeedFileError> {
    text.trim().parse::<u8>().ok().and_then(|n| Digits::new(n).ok()).ok_or_else(|| {
        place.error(SeedProblem::BadDigits { serial: quotable(serial), found: quotable(text) })
    })
}

/// Time step from a field, at least one second.
pub(crate) fn period(place: Place<'_>, serial: &str, text: &str) -> Result<Period, SeedFileError> {
    text.trim().parse::<u64>().ok().and_then(|n| Period::new(n).ok()).ok_or_else(|| {
        place.error(SeedProblem::BadPeriod { serial: quotable(serial), found: quotable(text) })
    })
}

/// Tracks serials seen so far, to reject duplicates with the line of the first.
#[derive(Debug, Default)]
pub(crate) struct SerialRegister(std::collections::HashMap<String, u64>);

impl SerialRegister {
    /// Records `serial` at `place`, or names the line where it was first seen.
    pub(crate) fn insert(&mut self, place: Place<'_>, serial: &str) -> Result<(), SeedFileError> {
        match self.0.entry(serial.to_owned()) {
            std::collections::hash_map::Entry::Occupied(first) => Err(place
                .error(SeedProblem::DuplicateSerial { serial: quotable(serial), first_line: *first.get() })),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(place.line);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwritable_serials_are_named() {
        assert!(unwritable_serial("MFA0000001").is_none());
        assert!(unwritable_serial("a, \"b\" <c> & ü").is_none());
        assert!(unwritable_serial("").is_some());
        assert!(unwritable_serial(" MFA").is_some());
        assert!(unwritable_serial("MF\u{7}A").is_some());
    }
}
