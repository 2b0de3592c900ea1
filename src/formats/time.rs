//! Time units of the supported formats, converted to nanoseconds since the
//! Unix epoch: ISO 8601 (with `Z`, an offset, or no zone), float seconds,
//! micro- and milliseconds.

use chrono::{DateTime, NaiveDateTime};

/// Parses ISO 8601 / RFC 3339 timestamps: `2026-11-21T10:48:30.289Z`,
/// `…+00:00`, `…T10:48:30.289123` (no zone: read as UTC, see
/// [`has_zone`]), and the space-separated form `2026-11-21 10:48:30`.
pub fn iso8601_nanos(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return t.timestamp_nanos_opt();
    }
    let normalised = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalised) {
        return t.timestamp_nanos_opt();
    }
    for layout in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&normalised, layout) {
            return t.and_utc().timestamp_nanos_opt();
        }
    }
    None
}

/// True if an ISO 8601 timestamp names its zone (`Z` or `±hh:mm`). DSPy's
/// `lm.history` writes local time without one.
pub fn has_zone(text: &str) -> bool {
    let t = text.trim();
    let time_part = t.rsplit(['T', ' ']).next().unwrap_or("");
    t.ends_with('Z') || t.ends_with('z') || time_part.contains('+') || time_part.contains('-')
}

/// Float seconds since the epoch (Python's `time.time()`).
pub fn seconds_nanos(seconds: f64) -> Option<i64> {
    finite_nanos(seconds * 1e9)
}

pub fn millis_nanos(millis: f64) -> Option<i64> {
    finite_nanos(millis * 1e6)
}

pub fn micros_nanos(micros: i64) -> Option<i64> {
    micros.checked_mul(1_000)
}

fn finite_nanos(nanos: f64) -> Option<i64> {
    (nanos.is_finite() && nanos.abs() < 9.2e18).then(|| nanos.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_of_the_supported_tools() {
        let z = iso8601_nanos("2026-11-21T10:48:30.289Z");
        assert_eq!(z, Some(1_795_258_110_289_000_000));
        assert_eq!(iso8601_nanos("2026-11-21T10:48:30.289000+00:00"), z);
        assert_eq!(iso8601_nanos("2026-11-21T10:48:30.289"), z);
        assert_eq!(iso8601_nanos("2026-11-21 10:48:30.289"), z);
        assert_eq!(iso8601_nanos("2026-11-21T12:48:30.289+02:00"), z);
        assert_eq!(iso8601_nanos("yesterday"), None);
    }

    #[test]
    fn zone_detection() {
        assert!(has_zone("2026-11-21T10:48:30.289Z"));
        assert!(has_zone("2026-11-21T10:48:30+00:00"));
        assert!(!has_zone("2026-11-21T10:48:30.289123"));
    }

    #[test]
    fn units() {
        assert_eq!(seconds_nanos(1.5), Some(1_500_000_000));
        assert_eq!(millis_nanos(2.25), Some(2_250_000));
        assert_eq!(micros_nanos(7), Some(7_000));
        assert_eq!(seconds_nanos(f64::NAN), None);
    }
}
