//! Finding an edge with as few fresh subjects as possible.

use super::error::ProbeError;

/// The smallest `x` in `lo..=hi` for which `holds(x)`, when `holds` is false below some edge
/// and true from it on; `None` when it does not hold even at `hi`. Each call of `holds` is one
/// measurement with fresh subjects, so about log2(hi - lo) of them run.
///
/// # Errors
/// The first measurement that failed.
pub(crate) fn first_where(
    lo: u64,
    hi: u64,
    mut holds: impl FnMut(u64) -> Result<bool, ProbeError>,
) -> Result<Option<u64>, ProbeError> {
    if lo > hi || !holds(hi)? {
        return Ok(None);
    }
    let (mut lo, mut hi) = (lo, hi);
    // Invariant: holds(hi); every value below lo is known (or assumed) not to hold.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if holds(mid)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(Some(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_edge_in_logarithmic_steps() {
        let mut calls = 0;
        let edge = first_where(0, 86_400, |x| {
            calls += 1;
            Ok(x >= 900)
        })
        .unwrap();
        assert_eq!(edge, Some(900));
        assert!(calls <= 18, "{calls}");
    }

    #[test]
    fn no_edge_within_the_range_is_none_and_edges_at_the_ends_are_found() {
        assert_eq!(first_where(1, 100, |x| Ok(x > 100)).unwrap(), None);
        assert_eq!(first_where(1, 100, |_| Ok(true)).unwrap(), Some(1));
        assert_eq!(first_where(1, 100, |x| Ok(x == 100)).unwrap(), Some(100));
    }
}
