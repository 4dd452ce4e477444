//! When a job runs next: on its schedule after a success; after failures, later and later
//! with jitter (so that sources failing together are not retried together), at most once a
//! day, so that a source down for days is probed daily, not hammered.

use std::time::Duration;

/// The first retry after a failure.
pub const FIRST_RETRY: Duration = Duration::from_secs(60);

/// The longest wait between attempts at a failing job.
pub const LONGEST_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// The wait before the next attempt after `failures` failures in a row (1 for the first),
/// never shorter than the job's own period: `FIRST_RETRY × 2^(failures−1)`, capped at
/// [`LONGEST_WAIT`], times `jitter` (0.8 to 1.2).
pub fn after_failures(failures: u32, period: Duration, jitter: f64) -> Duration {
    exponential(FIRST_RETRY, LONGEST_WAIT, failures, jitter).max(
        period
            .min(LONGEST_WAIT)
            .mul_f64(jitter.clamp(0.8, 1.2))
            .min(LONGEST_WAIT),
    )
}

/// `first × 2^(failures−1)` (1 for the first failure), capped at `longest`, times `jitter`
/// (0.8 to 1.2), never over `longest`.
pub fn exponential(first: Duration, longest: Duration, failures: u32, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(20);
    let wait = first.saturating_mul(1_u32 << exponent).min(longest);
    wait.mul_f64(jitter.clamp(0.8, 1.2)).min(longest)
}

/// The wait after a success: the job's period, with a little jitter (at most 5 %, never
/// under a second).
pub fn after_success(period: Duration, jitter: f64) -> Duration {
    let spread = 1.0 + (jitter.clamp(0.8, 1.2) - 1.0) / 4.0;
    period.mul_f64(spread).max(Duration::from_secs(1))
}

/// A random factor between 0.8 and 1.2.
pub fn jitter() -> f64 {
    rand::random_range(0.8..=1.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn waits_double_and_stop_at_a_day() {
        assert_eq!(after_failures(1, Duration::from_secs(1), 1.0), MINUTE);
        assert_eq!(after_failures(2, Duration::from_secs(1), 1.0), 2 * MINUTE);
        assert_eq!(after_failures(5, Duration::from_secs(1), 1.0), 16 * MINUTE);
        assert_eq!(
            after_failures(30, Duration::from_secs(1), 1.0),
            LONGEST_WAIT
        );
        assert_eq!(
            after_failures(400, Duration::from_secs(1), 1.2),
            LONGEST_WAIT
        );
        assert_eq!(after_failures(1, 59 * MINUTE, 1.0), 59 * MINUTE);
    }

    #[test]
    fn jitter_spreads_retries() {
        assert_eq!(
            after_failures(3, Duration::ZERO, 0.8),
            4 * MINUTE.mul_f64(0.8)
        );
        assert_eq!(
            after_failures(3, Duration::ZERO, 5.0),
            4 * MINUTE.mul_f64(1.2)
        );
        assert!(after_success(MINUTE, 1.2) <= MINUTE.mul_f64(1.05));
        assert_eq!(after_success(Duration::ZERO, 1.0), Duration::from_secs(1));
        for _ in 0..100 {
            assert!((0.8..=1.2).contains(&jitter()));
        }
    }
}
