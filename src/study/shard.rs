//! Splitting one study across machines: shard `i/n` runs the work units (token chunks,
//! trials) whose number is `i - 1` modulo `n`. Every unit draws from its own random streams,
//! so the union of the shards' counters is exactly a single run's.

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Counts, StudyError};

/// One shard of a study: `index` of `count`, 1-based (`--shard 2/4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, 1..=count.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// The whole study in one piece.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// A shard, checked.
    ///
    /// # Errors
    /// [`StudyError::Shard`] unless `1 <= index <= count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, StudyError> {
        if count == 0 || index == 0 || index > count {
            return Err(StudyError::Shard(format!("shard {index}/{count}: need 1 <= i <= n")));
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard runs work unit `unit`.
    pub fn owns(self, unit: u64) -> bool {
        unit % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// Whether this is the whole study.
    pub fn is_whole(self) -> bool {
        self.count == 1
    }

    /// Checks that `shards` are the `n` distinct shards of one split, in any order.
    ///
    /// # Errors
    /// [`StudyError::Shard`] naming a missing, repeated or foreign shard.
    pub fn check_cover(shards: &[Shard]) -> Result<(), StudyError> {
        let Some(first) = shards.first() else {
            return Err(StudyError::Shard("nothing to merge".to_owned()));
        };
        let n = first.count;
        let mut seen = vec![false; n as usize];
        for s in shards {
            if s.count != n {
                return Err(StudyError::Shard(format!(
                    "shard {s} belongs to a split into {} not {n}",
                    s.count
                )));
            }
            let slot = &mut seen[(s.index - 1) as usize];
            if *slot {
                return Err(StudyError::Shard(format!("shard {s} given twice")));
            }
            *slot = true;
        }
        match seen.iter().position(|s| !s) {
            Some(missing) => Err(StudyError::Shard(format!("shard {}/{n} is missing", missing + 1))),
            None => Ok(()),
        }
    }
}

/// Runs the work units of `0..units` that `shard` owns on the current rayon pool: `unit` adds
/// unit `u`'s results into counters that start as `empty()`, and the threads' counters are
/// added up. Every unit draws from its own random streams and counters are integers, so the
/// result does not depend on the thread count or the order units ran in.
///
/// # Errors
/// The first error a unit returns.
pub fn run_units<C: Counts>(
    units: u64,
    shard: Shard,
    empty: impl Fn() -> C + Sync + Send,
    unit: impl Fn(u64, &mut C) -> Result<(), StudyError> + Sync + Send,
) -> Result<C, StudyError> {
    (0..units)
        .into_par_iter()
        .filter(|&u| shard.owns(u))
        .try_fold(&empty, |mut acc, u| {
            unit(u, &mut acc)?;
            Ok(acc)
        })
        .try_reduce(&empty, |mut a, b| {
            a.add(&b)?;
            Ok(a)
        })
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = StudyError;

    fn from_str(s: &str) -> Result<Shard, StudyError> {
        let bad = || StudyError::Shard(format!("shard {s:?}: expected i/n, e.g. 2/4"));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        Shard::new(i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_units() {
        let shards: Vec<Shard> = (1..=3).map(|i| Shard::new(i, 3).unwrap()).collect();
        for unit in 0..30 {
            assert_eq!(shards.iter().filter(|s| s.owns(unit)).count(), 1);
        }
    }

    #[test]
    fn parse_rejects_out_of_range_and_garbage() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { index: 2, count: 4 });
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn cover_needs_every_shard_once() {
        let a = Shard::new(1, 2).unwrap();
        let b = Shard::new(2, 2).unwrap();
        assert!(Shard::check_cover(&[b, a]).is_ok());
        assert!(Shard::check_cover(&[a]).unwrap_err().to_string().contains("2/2 is missing"));
        assert!(Shard::check_cover(&[a, a]).unwrap_err().to_string().contains("twice"));
    }
}
