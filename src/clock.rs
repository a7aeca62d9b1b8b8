//! The one clock: now, in seconds and as RFC 3339 in UTC, and the calendar
//! arithmetic behind it; times for people in Swedish local time. Low in the
//! layers, so that every module takes its time from here.

/// Now, in UTC, as RFC 3339.
pub fn now_rfc3339() -> String {
    rfc3339(unix_now())
}

/// Seconds since 1970, now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Seconds since 1970 as RFC 3339, in UTC.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day (since 1970) of an RFC 3339 time, from its date alone.
pub fn day_of(at: &str) -> Option<i64> {
    let y = at.get(0..4)?.parse().ok()?;
    let m = at.get(5..7)?.parse().ok()?;
    let d = at.get(8..10)?.parse().ok()?;
    Some(days_from_civil(y, m, d))
}

/// Seconds since 1970 of an RFC 3339 time in UTC (`2026-11-23T18:40:00Z`).
pub fn parse_rfc3339(at: &str) -> Option<i64> {
    let day = day_of(at)?;
    let part = |r: std::ops::Range<usize>| at.get(r)?.parse::<i64>().ok();
    if at.get(10..11)? != "T" || !at.ends_with('Z') {
        return None;
    }
    Some(day * 86_400 + part(11..13)? * 3600 + part(14..16)? * 60 + part(17..19)?)
}

/// "2026-11-23 19:40": a time for people, in Swedish local time (CET or
/// CEST), from seconds since 1970.
pub fn local_minute_of(secs: i64) -> String {
    local(secs, "%Y-%m-%d %H:%M")
}

/// "2026-11-23 19:40:05": as [`local_minute_of`], to the second.
pub fn local_second_of(secs: i64) -> String {
    local(secs, "%Y-%m-%d %H:%M:%S")
}

fn local(secs: i64, format: &str) -> String {
    use chrono::TimeZone;
    match chrono_tz::Europe::Stockholm.timestamp_opt(secs, 0) {
        chrono::LocalResult::Single(t) => t.format(format).to_string(),
        _ => rfc3339(secs),
    }
}

/// As [`local_minute_of`], from an RFC 3339 time; one that does not read is
/// shown as it is.
pub fn local_minute(at: &str) -> String {
    parse_rfc3339(at).map_or_else(|| at.to_string(), local_minute_of)
}

/// As [`local_minute`], to the second.
pub fn local_second(at: &str) -> String {
    parse_rfc3339(at).map_or_else(|| at.to_string(), local_second_of)
}

/// Today in Sweden, as (year, month, day).
pub fn local_today() -> (i64, u32, u32) {
    civil_from_days(local_day(&now_rfc3339()).unwrap_or_else(|| unix_now().div_euclid(86_400)))
}

/// The calendar day (since 1970) an RFC 3339 time falls on in Sweden: what
/// "on time" is judged by.
pub fn local_day(at: &str) -> Option<i64> {
    use chrono::{Datelike, TimeZone};
    let secs = parse_rfc3339(at)?;
    match chrono_tz::Europe::Stockholm.timestamp_opt(secs, 0) {
        chrono::LocalResult::Single(t) => {
            Some(days_from_civil(i64::from(t.year()), t.month(), t.day()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_is_swedish_summer_and_winter_time() {
        assert_eq!(local_minute("2026-11-23T18:40:00Z"), "2026-11-23 19:40");
        assert_eq!(local_minute("2026-07-01T22:30:00Z"), "2026-07-02 00:30");
        // The switch to summer time: 01:00 UTC on the last Sunday of March.
        assert_eq!(local_minute("2026-03-29T00:59:00Z"), "2026-03-29 01:59");
        assert_eq!(local_minute("2026-03-29T01:00:00Z"), "2026-03-29 03:00");
        assert_eq!(local_minute("inte en tid"), "inte en tid");
        assert_eq!(parse_rfc3339(&rfc3339(1_790_000_000)), Some(1_790_000_000));
    }

    #[test]
    fn dates_round_trip() {
        for days in [0, 1, 59, 365, 18_000, 20_779, -1] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_779), (2026, 11, 22));
    }
}
