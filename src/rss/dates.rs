//! Dates as RSS writes them (RFC 822, as JavaScript's `Date.prototype.toUTCString`).

use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

use crate::timestamps::to_long_timestamp;

/// 9999-12-31T23:59:59.999Z: the last instant a four-digit year can write.
const MAX_FORMATTED_MS: i64 = 253_402_300_799_999;

/// `Tue, 01 Sep 2026 13:40:01 GMT` for a time in milliseconds since 1970 (JavaScript
/// `new Date(ms).toUTCString()`; milliseconds are dropped). `None` before 1970 and after
/// the year 9999, which RFC 822 dates here do not cover.
pub fn utc_string(milliseconds: i64) -> Option<String> {
    if !(0..=MAX_FORMATTED_MS).contains(&milliseconds) {
        return None;
    }
    let time = UNIX_EPOCH + Duration::from_millis(u64::try_from(milliseconds).ok()?);
    Some(httpdate::fmt_http_date(time))
}

/// spasm.js `toBeShortDate`: `01 Sep 2026` for a timestamp as events carry it (seconds or
/// milliseconds, or a date string; see [`crate::timestamps::to_long_timestamp`]).
pub fn short_date(timestamp: &Value) -> Option<String> {
    let full = utc_string(to_long_timestamp(timestamp)?)?;
    // `Tue, 01 Sep 2026 13:40:01 GMT`: characters 5 to 16, as spasm.js slices it.
    full.get(5..16).map(str::to_string)
}

/// An item's `pubDate`: the time in milliseconds, a 10-digit time in seconds read as seconds
/// (spasm.js reads it as milliseconds and writes a date in January 1970).
pub(super) fn pub_date(timestamp: &Value) -> Option<String> {
    utc_string(to_long_timestamp(timestamp)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dates_are_written_as_javascript_writes_them() {
        assert_eq!(
            utc_string(1_788_270_001_850).as_deref(),
            Some("Tue, 01 Sep 2026 13:40:01 GMT")
        );
        assert_eq!(
            utc_string(0).as_deref(),
            Some("Thu, 01 Jan 1970 00:00:00 GMT")
        );
        assert_eq!(utc_string(-1), None);
        assert_eq!(utc_string(MAX_FORMATTED_MS + 1), None);
        assert!(utc_string(MAX_FORMATTED_MS).is_some());
        assert_eq!(
            short_date(&json!(1_788_270_001_850_i64)).as_deref(),
            Some("01 Sep 2026")
        );
        assert_eq!(
            short_date(&json!(1_788_136_060)).as_deref(),
            Some("31 Aug 2026")
        );
        assert_eq!(
            pub_date(&json!(1_788_136_060)).as_deref(),
            Some("Mon, 31 Aug 2026 00:27:40 GMT")
        );
        assert_eq!(pub_date(&json!("not a date")), None);
        assert_eq!(pub_date(&json!(i64::MAX)), None);
    }
}
