//! Streaming aggregation: integer counters and fixed-bin histograms. Sums of integers do not
//! depend on the order they are added in, so per-chunk results merged in any order, on any
//! number of threads or machines, give byte-identical reports.

use serde::{Deserialize, Serialize};

use super::StudyError;

/// A count of successes out of trials, with its confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proportion {
    /// Successes.
    pub hits: u64,
    /// Trials.
    pub trials: u64,
}

impl Proportion {
    /// `hits / trials`, or 0 without trials.
    pub fn rate(self) -> f64 {
        if self.trials == 0 { 0.0 } else { self.hits as f64 / self.trials as f64 }
    }

    /// The Wilson score interval at `z` standard deviations (1.96 for 95 %, 3.29 for 99.9 %):
    /// unlike the normal approximation it stays inside [0, 1] and is honest for rare events.
    pub fn wilson(self, z: f64) -> (f64, f64) {
        if self.trials == 0 {
            return (0.0, 1.0);
        }
        let n = self.trials as f64;
        let p = self.rate();
        let denom = 1.0 + z * z / n;
        let centre = (p + z * z / (2.0 * n)) / denom;
        let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
        ((centre - half).max(0.0), (centre + half).min(1.0))
    }
}

impl Merge for Proportion {
    fn merge(&mut self, o: &Proportion) {
        self.hits += o.hits;
        self.trials += o.trials;
    }
}

/// Counts of values in fixed-width bins from 0, with an overflow count: percentiles without
/// keeping every sample, and mergeable across chunks and shards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram {
    /// Width of a bin, in the unit of the values (milliseconds for times).
    pub bin_width: u64,
    /// Counts per bin: bin `i` holds values in `[i·width, (i+1)·width)`.
    pub bins: Vec<u64>,
    /// Values at or past the last bin.
    pub overflow: u64,
}

impl Histogram {
    /// An empty histogram of `bins` bins of `bin_width` (at least 1).
    pub fn new(bin_width: u64, bins: usize) -> Histogram {
        Histogram { bin_width: bin_width.max(1), bins: vec![0; bins], overflow: 0 }
    }

    /// Counts `value`.
    pub fn add(&mut self, value: u64) {
        match self.bins.get_mut((value / self.bin_width) as usize) {
            Some(b) => *b += 1,
            None => self.overflow += 1,
        }
    }

    /// Adds another histogram of the same shape.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
        self.overflow += other.overflow;
    }

    /// Number of values counted.
    pub fn total(&self) -> u64 {
        self.bins.iter().sum::<u64>() + self.overflow
    }

    /// The upper edge of the bin holding the `q`-quantile (0 < q <= 1), or `None` when it is
    /// in the overflow or nothing was counted.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, b) in self.bins.iter().enumerate() {
            seen += b;
            if seen >= rank {
                return Some((i as u64 + 1) * self.bin_width);
            }
        }
        None
    }
}

/// Adds `other` into `into` element by element.
///
/// # Errors
/// [`StudyError::Merge`] when the lengths differ (counters of another configuration).
pub fn add_counts<T: Merge>(into: &mut [T], other: &[T]) -> Result<(), StudyError> {
    if into.len() != other.len() {
        return Err(StudyError::Merge(format!(
            "counters of different shapes ({} and {} entries)",
            into.len(),
            other.len()
        )));
    }
    for (a, b) in into.iter_mut().zip(other) {
        a.merge(b);
    }
    Ok(())
}

/// Counters that add up.
pub trait Merge {
    /// Adds `other`'s counts to these.
    fn merge(&mut self, other: &Self);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_contains_the_rate_and_narrows_with_trials() {
        let small = Proportion { hits: 30, trials: 100 }.wilson(1.96);
        let big = Proportion { hits: 3000, trials: 10_000 }.wilson(1.96);
        assert!(small.0 < 0.3 && 0.3 < small.1);
        assert!(big.1 - big.0 < small.1 - small.0);
        assert_eq!(Proportion { hits: 0, trials: 100 }.wilson(1.96).0, 0.0);
    }

    #[test]
    fn quantiles_come_from_bin_edges() {
        let mut h = Histogram::new(10, 10);
        for v in 0..100 {
            h.add(v);
        }
        assert_eq!(h.quantile(0.5), Some(50));
        assert_eq!(h.quantile(0.99), Some(100));
        h.add(1000);
        assert_eq!(h.quantile(1.0), None, "the largest value overflowed");
    }

    #[test]
    fn merged_histograms_count_both() {
        let mut a = Histogram::new(1, 4);
        let mut b = Histogram::new(1, 4);
        a.add(1);
        b.add(3);
        b.add(9);
        a.merge(&b);
        assert_eq!((a.bins.clone(), a.overflow), (vec![0, 1, 0, 1], 1));
    }
}
