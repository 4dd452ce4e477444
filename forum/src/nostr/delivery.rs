//! What a relay's answer to a published event means for the outbox (NIP-01 `OK` and its
//! machine-readable prefixes): delivered, refused for good, or to be tried again later.

use std::time::Duration;

use spasm::nostr::relay::OkPrefix;

use crate::jobs::backoff;
use crate::storage::{DeliveryState, OutboxAnswer};

/// When failed publications are tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt; it doubles after each.
    pub first: Duration,
    /// The longest wait.
    pub longest: Duration,
    /// The attempts after which a relay that keeps failing is given up (about a day with
    /// the default waits).
    pub max_attempts: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(30),
            longest: Duration::from_secs(60 * 60),
            max_attempts: 30,
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The relay answered `OK`.
    Answered {
        /// Whether it took the event.
        accepted: bool,
        /// Its message.
        message: String,
    },
    /// No `OK` came in time, or the connection failed: try again.
    Failed(String),
}

impl RetryPolicy {
    /// The outbox row's new state after `attempt`, the `attempts`-th, at `now_ms`.
    pub fn answer(
        &self,
        attempt: Attempt,
        attempts: i64,
        now_ms: i64,
        jitter: f64,
    ) -> OutboxAnswer {
        let retry = |reason: String| {
            if attempts >= self.max_attempts {
                return OutboxAnswer {
                    state: DeliveryState::Refused,
                    reason: Some(format!("gave up after {attempts} attempts: {reason}")),
                    next_attempt_ms: now_ms,
                };
            }
            let failures = u32::try_from(attempts.max(1)).unwrap_or(u32::MAX);
            let wait = backoff::exponential(self.first, self.longest, failures, jitter);
            OutboxAnswer {
                state: DeliveryState::Pending,
                reason: Some(reason),
                next_attempt_ms: now_ms
                    .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
            }
        };
        let done = |state, message: String| OutboxAnswer {
            state,
            reason: (!message.is_empty()).then_some(message),
            next_attempt_ms: now_ms,
        };
        match attempt {
            Attempt::Failed(reason) => retry(reason),
            Attempt::Answered {
                accepted: true,
                message,
            } => done(DeliveryState::Delivered, message),
            Attempt::Answered {
                accepted: false,
                message,
            } => match OkPrefix::of(&message) {
                OkPrefix::Duplicate => done(DeliveryState::Delivered, message),
                OkPrefix::Invalid
                | OkPrefix::Blocked
                | OkPrefix::Restricted
                | OkPrefix::Pow
                | OkPrefix::AuthRequired
                | OkPrefix::Mute => done(DeliveryState::Refused, message),
                // `rate-limited:`, `error:` and refusals without a known prefix may pass
                // later.
                OkPrefix::RateLimited | OkPrefix::Error | OkPrefix::Unknown => retry(message),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(accepted: bool, message: &str) -> OutboxAnswer {
        RetryPolicy::default().answer(
            Attempt::Answered {
                accepted,
                message: message.into(),
            },
            1,
            1_000,
            1.0,
        )
    }

    #[test]
    fn prefixes_decide_final_or_retry() {
        assert_eq!(answer(true, "").state, DeliveryState::Delivered);
        assert_eq!(answer(true, "").reason, None);
        assert_eq!(
            answer(false, "duplicate: have it").state,
            DeliveryState::Delivered
        );
        for refused in [
            "invalid: bad",
            "blocked: no",
            "restricted: members",
            "pow: 20",
        ] {
            assert_eq!(
                answer(false, refused).state,
                DeliveryState::Refused,
                "{refused}"
            );
        }
        let limited = answer(false, "rate-limited: slow");
        assert_eq!(limited.state, DeliveryState::Pending);
        assert_eq!(limited.next_attempt_ms, 31_000);
        assert_eq!(answer(false, "error: db").state, DeliveryState::Pending);
    }

    #[test]
    fn failures_wait_longer_each_time() {
        let policy = RetryPolicy::default();
        let at = |attempts| {
            policy
                .answer(Attempt::Failed("no OK".into()), attempts, 0, 1.0)
                .next_attempt_ms
        };
        assert_eq!(at(1), 30_000);
        assert_eq!(at(2), 60_000);
        assert_eq!(at(29), 3_600_000);
        let given_up = policy.answer(Attempt::Failed("no OK".into()), 30, 0, 1.0);
        assert_eq!(given_up.state, DeliveryState::Refused);
        assert_eq!(
            given_up.reason.as_deref(),
            Some("gave up after 30 attempts: no OK")
        );
    }
}
