//! Token-bucket rate limits (per IP address, per signing key): each key may spend `burst`
//! requests at once, and earns them back at `per_minute`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The client's address as the HTTP layer resolved it (the peer, or what a trusted proxy
/// says), kept in each request's extensions for the write doors and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The most keys remembered; beyond this, keys with full buckets are forgotten.
const MAX_TRACKED_KEYS: usize = 100_000;

/// A rate limit shared by all workers.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// A limit of `per_minute` requests per key, with bursts of `burst`; `per_minute == 0`
    /// switches the limit off.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the limit is on.
    pub fn is_enabled(&self) -> bool {
        self.per_minute > 0
    }

    /// Spends one request of `key`; when none is left, how long until one is.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if !self.is_enabled() {
            return Ok(());
        }
        let per_second = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.burst);
        let mut buckets = match self.buckets.lock() {
            Ok(buckets) => buckets,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() >= MAX_TRACKED_KEYS {
            buckets.retain(|_, bucket| {
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * per_second
                    < burst
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let earned = now.duration_since(bucket.updated).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + earned).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_request_per_interval() {
        let limiter = RateLimiter::new(60, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("ip", start).is_ok());
        }
        let wait = limiter.check_at("ip", start).unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limiter.check_at("other ip", start).is_ok());
        assert!(
            limiter
                .check_at("ip", start + Duration::from_secs(1))
                .is_ok()
        );
        assert!(
            limiter
                .check_at("ip", start + Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn zero_switches_the_limit_off() {
        let limiter = RateLimiter::new(0, 1);
        for _ in 0..100 {
            assert!(limiter.check("ip").is_ok());
        }
    }
}
