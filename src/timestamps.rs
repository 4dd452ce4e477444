//! Timestamps as spasm.js reads them (SPEC.md §11.2): numbers are kept in their unit,
//! strings are parsed as dates into milliseconds.

use serde_json::Value;

/// ECMAScript's time range: ±8.64e15 ms around the epoch.
const MAX_TIME_MS: i64 = 8_640_000_000_000_000;
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// spasm.js `toBeTimestamp`: a number as it is (no unit conversion), or a date string in
/// milliseconds. `None` for falsy values, non-integers and unparseable strings.
///
/// Date strings are read as spasm.js reads them with `TZ=UTC`: ISO 8601 (with or without
/// offset; without one it is UTC here), RFC 2822 (whose zone is ignored, because spasm.js
/// appends " GMT"), `Month D, YYYY` and `MM/DD/YYYY`.
pub fn to_timestamp(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Bool(true) => Some(1.0),
        Value::Number(number) => number.as_f64(),
        Value::String(text) => js_number_from_str(text),
        _ => None,
    };
    match number {
        // `Number(x)` truthy: the number itself, which must be a safe integer in range.
        Some(x) if x != 0.0 && !x.is_nan() => {
            if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER && x.abs() <= MAX_TIME_MS as f64 {
                Some(x as i64)
            } else {
                None
            }
        }
        _ => match value {
            Value::String(text) if !text.is_empty() => parse_date(text),
            _ => None,
        },
    }
}

/// spasm.js `toBeShortTimestamp` (Nostr's seconds): 13 digits are cut to 10, 10 digits kept.
pub fn to_short_timestamp(value: &Value) -> Option<i64> {
    let timestamp = to_timestamp(value)?;
    let digits = timestamp.to_string();
    match digits.len() {
        13 => digits[..10].parse().ok(),
        10 => Some(timestamp),
        _ => None,
    }
}

/// spasm.js `toBeLongTimestamp` (milliseconds): 10 digits are multiplied by 1000, then
/// anything of at least 13 digits is kept.
pub fn to_long_timestamp(value: &Value) -> Option<i64> {
    let mut timestamp = to_timestamp(value)?;
    if timestamp.to_string().len() == 10 {
        timestamp *= 1000;
    }
    (timestamp.to_string().len() >= 13).then_some(timestamp)
}

/// ECMAScript `Number(string)` for the forms that matter here: trimmed decimal (with
/// exponent) and `0x` hex; `Some(0.0)` for an empty string; `None` (NaN) otherwise.
fn js_number_from_str(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(0.0);
    }
    if let Some(hex) = trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
    {
        return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    let valid = trimmed
        .bytes()
        .all(|byte| byte.is_ascii_digit() || matches!(byte, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !valid {
        return None;
    }
    trimmed.parse::<f64>().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (days may overflow the month, as
/// JavaScript's legacy date parser lets them).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (year, month) = if month <= 2 {
        (year - 1, month + 12)
    } else {
        (year, month)
    };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (i64::from(month) - 3) + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468 + i64::from(day) - 1
}

fn to_millis(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
) -> Option<i64> {
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 24
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let time = days * 86_400_000
        + i64::from(hour) * 3_600_000
        + i64::from(minute) * 60_000
        + i64::from(second) * 1000
        + i64::from(millis);
    (time.abs() <= MAX_TIME_MS).then_some(time)
}

fn month_from_name(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_ascii_lowercase();
    let position = MONTHS.iter().position(|month| lower.starts_with(month))?;
    u32::try_from(position + 1).ok()
}

/// `HH:MM[:SS[.fff]]`.
fn parse_clock(text: &str) -> Option<(u32, u32, u32, u32)> {
    let mut parts = text.split(':');
    let hour = parts.next()?.parse().ok()?;
    let minute = parts.next()?.parse().ok()?;
    let (second, millis) = match parts.next() {
        Some(seconds) => match seconds.split_once('.') {
            Some((whole, fraction)) => {
                let digits: String = fraction.chars().take(3).collect();
                if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                    return None;
                }
                // ASCII digits only, so the byte length is the digit count (1 to 3).
                let scale = 10u32.pow(3 - u32::try_from(digits.len()).ok()?);
                (whole.parse().ok()?, digits.parse::<u32>().ok()? * scale)
            }
            None => (seconds.parse().ok()?, 0),
        },
        None => (0, 0),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((hour, minute, second, millis))
}

/// A date string in milliseconds since the epoch.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    // JavaScript's `new Date("0 GMT")` reads a lone zero as the year 2000.
    if text.bytes().all(|byte| byte == b'0') {
        return Some(946_684_800_000);
    }
    parse_iso(text)
        .or_else(|| parse_words(text))
        .or_else(|| parse_slashes(text))
}

/// ISO 8601: `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM]`.
fn parse_iso(text: &str) -> Option<i64> {
    let (date, rest) = match text.find(['T', ' ']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let mut fields = date.split('-');
    let year: i64 = fields.next().filter(|year| year.len() == 4)?.parse().ok()?;
    let month: u32 = fields.next()?.parse().ok()?;
    let day: u32 = fields.next().map_or(Some(1), |day| day.parse().ok())?;
    if fields.next().is_some() {
        return None;
    }
    let Some(rest) = rest else {
        return to_millis(year, month, day, 0, 0, 0, 0);
    };
    let rest = rest.trim_end_matches(" GMT");
    let (clock, offset_minutes) = if let Some(clock) = rest.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(index) = rest.rfind(['+', '-']) {
        let (clock, offset) = rest.split_at(index);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let offset = offset[1..].replace(':', "");
        if offset.len() != 4 || !offset.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let hours: i64 = offset[..2].parse().ok()?;
        let minutes: i64 = offset[2..].parse().ok()?;
        (clock, sign * (hours * 60 + minutes))
    } else {
        (rest, 0) // No offset: local time, which is UTC on the reference machine.
    };
    let (hour, minute, second, millis) = parse_clock(clock)?;
    to_millis(year, month, day, hour, minute, second, millis)
        .map(|time| time - offset_minutes * 60_000)
}

/// RFC 2822 and its relatives: `[Wkd,] DD Mon YYYY [HH:MM[:SS]] [zone]` and
/// `Month DD, YYYY [HH:MM[:SS]]`. The zone is ignored (spasm.js appends " GMT", which wins).
fn parse_words(text: &str) -> Option<i64> {
    let cleaned = text.replace(',', " ");
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.first().is_some_and(|word| {
        word.len() >= 3 && month_from_name(word).is_none() && word.parse::<u32>().is_err()
    }) {
        words.remove(0); // weekday
    }
    let (day, month, year, rest) = match words.as_slice() {
        [day, month, year, rest @ ..] if day.parse::<u32>().is_ok() => (
            day.parse().ok()?,
            month_from_name(month)?,
            year.parse::<i64>().ok()?,
            rest,
        ),
        [month, day, year, rest @ ..] => (
            day.parse().ok()?,
            month_from_name(month)?,
            year.parse::<i64>().ok()?,
            rest,
        ),
        _ => return None,
    };
    let (hour, minute, second, millis) = match rest.first() {
        Some(clock) if clock.contains(':') => parse_clock(clock)?,
        _ => (0, 0, 0, 0),
    };
    to_millis(year, month, day, hour, minute, second, millis)
}

/// `MM/DD/YYYY`, as JavaScript reads it.
fn parse_slashes(text: &str) -> Option<i64> {
    let mut parts = text.split('/');
    let month = parts.next()?.trim().parse().ok()?;
    let day = parts.next()?.trim().parse().ok()?;
    let year = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    to_millis(year, month, day, 0, 0, 0, 0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_keep_their_unit() {
        assert_eq!(to_timestamp(&json!(1641074686178_i64)), Some(1641074686178));
        assert_eq!(to_timestamp(&json!(1641074686)), Some(1641074686));
        assert_eq!(to_timestamp(&json!(0)), None);
        assert_eq!(to_timestamp(&json!(1.5)), None);
        assert_eq!(to_timestamp(&json!(-1)), Some(-1));
        assert_eq!(
            to_timestamp(&json!(8640000000000000_i64)),
            Some(8640000000000000)
        );
        assert_eq!(to_timestamp(&json!(8640000000000001_i64)), None);
        assert_eq!(to_timestamp(&json!(true)), Some(1));
        assert_eq!(to_timestamp(&json!(" 123 ")), Some(123));
        assert_eq!(to_timestamp(&json!("0")), Some(946684800000));
    }

    #[test]
    fn hostile_date_strings_are_rejected_without_panicking() {
        // Found by the fuzzer: a multi-byte character in the fraction of a second.
        assert_eq!(to_timestamp(&json!("2022-01-01T22:04:46.19\u{2e5}")), None);
        assert_eq!(to_timestamp(&json!("2022-01-01T22:04:46+é1")), None);
        assert_eq!(to_timestamp(&json!("2022-01-01T22:04:46.")), None);
        assert_eq!(to_timestamp(&json!("Mon, 99 Feb 2025 99:99")), None);
    }

    #[test]
    fn short_and_long_forms() {
        assert_eq!(
            to_short_timestamp(&json!(1641074686178_i64)),
            Some(1641074686)
        );
        assert_eq!(to_short_timestamp(&json!("1641074686")), Some(1641074686));
        assert_eq!(to_short_timestamp(&json!(-1)), None);
        assert_eq!(to_long_timestamp(&json!(1641074686)), Some(1641074686000));
        assert_eq!(to_long_timestamp(&json!("0")), None);
    }
}
