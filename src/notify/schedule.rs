//! When reminders fire and when an unasked message may go out: the settings
//! (`DVC_REMIND_BEFORE`, `DVC_QUIET_HOURS`, `DVC_SEND_RATE`, `DVC_SEND_CHAT_INTERVAL`) parsed
//! into types, and pure functions over fixed times.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::i18n::TZ;

/// A span written `90s`, `5m`, `2h`, `3d` or `500ms`.
fn parse_span(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{s:?} needs a unit (ms, s, m, h or d)"))?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("{s:?} is not a number"))?;
    let secs = |k: u64| Duration::from_secs(n.saturating_mul(k));
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(secs(1)),
        "m" => Ok(secs(60)),
        "h" => Ok(secs(3_600)),
        "d" => Ok(secs(86_400)),
        _ => Err(format!("{s:?}: the unit is one of ms, s, m, h, d")),
    }
}

fn parse_clock(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// One item of `DVC_REMIND_BEFORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemindAt {
    /// This long before the deadline (`3d`, `1d`, `5s`).
    Before(Duration),
    /// At this local time (Asia/Ho_Chi_Minh) on the deadline's day (`08:00`).
    OnTheDay(NaiveTime),
}

/// `DVC_REMIND_BEFORE`: comma-separated spans before a deadline and clock times on its day;
/// the default `3d,1d,08:00` is 3 days and 1 day before and at 08:00 on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemindBefore(pub Vec<RemindAt>);

impl FromStr for RemindBefore {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let items = s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match parse_clock(p) {
                Some(t) => Ok(RemindAt::OnTheDay(t)),
                None => parse_span(p).map(RemindAt::Before),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(items))
    }
}

impl Default for RemindBefore {
    fn default() -> Self {
        DEFAULT_REMIND_BEFORE.parse().unwrap_or(Self(Vec::new()))
    }
}

pub const DEFAULT_REMIND_BEFORE: &str = "3d,1d,08:00";
pub const DEFAULT_QUIET_HOURS: &str = "21:00-07:00";
pub const DEFAULT_SEND_RATE: &str = "30/s";
pub const DEFAULT_SEND_CHAT_INTERVAL: &str = "1s";

/// `DVC_QUIET_HOURS`: a local window (`21:00-07:00`, may wrap past midnight) in which no
/// unasked message goes out; what falls in it waits for its end. Empty: no window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuietHours(pub Option<(NaiveTime, NaiveTime)>);

impl FromStr for QuietHours {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Self(None));
        }
        let bad = || format!("{s:?} is not a window like 21:00-07:00");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let (a, b) = (
            parse_clock(a).ok_or_else(bad)?,
            parse_clock(b).ok_or_else(bad)?,
        );
        Ok(Self((a != b).then_some((a, b))))
    }
}

impl QuietHours {
    /// `at`, or the end of the quiet window `at` falls in.
    pub fn defer(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let Some((start, end)) = self.0 else {
            return at;
        };
        let local = at.with_timezone(&TZ);
        let (day, time) = (local.date_naive(), local.time());
        let end_on = |d: NaiveDate| local_instant(d, end).max(at);
        if start < end {
            if time >= start && time < end {
                return end_on(day);
            }
        } else if time >= start {
            return end_on(day + Days::new(1));
        } else if time < end {
            return end_on(day);
        }
        at
    }

    /// Whether `at` is inside the window.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.defer(at) != at
    }
}

/// The instant of a local date and time in Asia/Ho_Chi_Minh (no DST there: always one).
pub fn local_instant(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    TZ.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(time)))
}

/// When the reminders of a deadline fire, seen at `now`: each item of `before` that is still
/// ahead and before the deadline, deferred out of quiet hours (if that would pass the deadline,
/// the last moment before the window starts instead); earliest first, no time twice.
pub fn reminder_times(
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    before: &RemindBefore,
    quiet: &QuietHours,
) -> Vec<DateTime<Utc>> {
    let day = deadline.with_timezone(&TZ).date_naive();
    let mut out: Vec<DateTime<Utc>> = before
        .0
        .iter()
        .filter_map(|item| {
            let at = match item {
                RemindAt::Before(span) => deadline - chrono::Duration::from_std(*span).ok()?,
                RemindAt::OnTheDay(time) => local_instant(day, *time),
            };
            if at <= now || at >= deadline {
                return None;
            }
            let deferred = quiet.defer(at);
            if deferred < deadline {
                return Some(deferred);
            }
            // Quiet until past the deadline: the evening before the window, if still ahead.
            let (start, _) = quiet.0?;
            let local = at.with_timezone(&TZ);
            let mut eve = local_instant(local.date_naive(), start);
            if eve > at {
                eve = local_instant(local.date_naive() - Days::new(1), start);
            }
            let eve = eve - chrono::Duration::minutes(1);
            (eve > now).then_some(eve)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// When an overdue dossier is told: 08:00 on the working morning after its due date (quiet
/// hours respected), never before `now`.
pub fn overdue_time(due: NaiveDate, now: DateTime<Utc>, quiet: &QuietHours) -> DateTime<Utc> {
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    quiet.defer(local_instant(due + Days::new(1), eight).max(now))
}

/// `DVC_SEND_RATE`: messages per second overall, written `30/s` (or `1800/m`, or `30`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendRate(pub f64);

impl FromStr for SendRate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (n, per) = s.split_once('/').unwrap_or((s, "s"));
        let n: f64 = n
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a rate like 30/s"))?;
        let per = match per.trim() {
            "s" => 1.0,
            "m" | "min" => 60.0,
            other => parse_span(other)?.as_secs_f64(),
        };
        let rate = n / per;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(format!("{s:?}: the rate must be above 0"));
        }
        Ok(Self(rate))
    }
}

impl fmt::Display for SendRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

/// `DVC_SEND_CHAT_INTERVAL`: the least time between two messages to one chat (`1s`, `500ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval(pub Duration);

impl FromStr for Interval {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_span(s).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local_instant(
            NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            NaiveTime::from_hms_opt(h, min, 0).unwrap(),
        )
    }

    #[test]
    fn settings_parse() {
        let r: RemindBefore = "3d,1d,08:00".parse().unwrap();
        assert_eq!(
            r.0,
            vec![
                RemindAt::Before(Duration::from_secs(3 * 86_400)),
                RemindAt::Before(Duration::from_secs(86_400)),
                RemindAt::OnTheDay(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
            ]
        );
        assert_eq!(RemindBefore::default(), r);
        assert_eq!(
            "5s, 2s".parse::<RemindBefore>().unwrap().0,
            vec![
                RemindAt::Before(Duration::from_secs(5)),
                RemindAt::Before(Duration::from_secs(2))
            ]
        );
        assert!("3x".parse::<RemindBefore>().is_err());
        assert!("3".parse::<RemindBefore>().is_err());
        assert_eq!("".parse::<QuietHours>().unwrap(), QuietHours(None));
        assert!("21:00".parse::<QuietHours>().is_err());
        assert_eq!("30/s".parse::<SendRate>().unwrap(), SendRate(30.0));
        assert_eq!("1800/m".parse::<SendRate>().unwrap(), SendRate(30.0));
        assert_eq!("20".parse::<SendRate>().unwrap(), SendRate(20.0));
        assert!("0/s".parse::<SendRate>().is_err());
        assert_eq!(
            "500ms".parse::<Interval>().unwrap(),
            Interval(Duration::from_millis(500))
        );
    }

    #[test]
    fn quiet_hours_on_both_sides_of_midnight() {
        let q: QuietHours = DEFAULT_QUIET_HOURS.parse().unwrap();
        // Evening, inside: to 07:00 the next morning.
        assert_eq!(q.defer(vn(2026, 11, 30, 22, 15)), vn(2026, 12, 1, 7, 0));
        assert_eq!(q.defer(vn(2026, 11, 30, 21, 0)), vn(2026, 12, 1, 7, 0));
        // After midnight, inside: to 07:00 the same day.
        assert_eq!(q.defer(vn(2026, 12, 1, 0, 30)), vn(2026, 12, 1, 7, 0));
        assert_eq!(q.defer(vn(2026, 12, 1, 6, 59)), vn(2026, 12, 1, 7, 0));
        // Outside: unchanged.
        for t in [
            vn(2026, 12, 1, 7, 0),
            vn(2026, 12, 1, 12, 0),
            vn(2026, 12, 1, 20, 59),
        ] {
            assert_eq!(q.defer(t), t);
            assert!(!q.contains(t));
        }
        // A window that does not wrap.
        let lunch: QuietHours = "11:30-13:30".parse().unwrap();
        assert_eq!(lunch.defer(vn(2026, 12, 1, 12, 0)), vn(2026, 12, 1, 13, 30));
        assert_eq!(lunch.defer(vn(2026, 12, 1, 14, 0)), vn(2026, 12, 1, 14, 0));
        let none = QuietHours(None);
        assert_eq!(none.defer(vn(2026, 12, 1, 23, 0)), vn(2026, 12, 1, 23, 0));
    }

    #[test]
    fn default_reminders_of_a_deadline() {
        let before = RemindBefore::default();
        let quiet: QuietHours = DEFAULT_QUIET_HOURS.parse().unwrap();
        // Deadline Friday 04/12 at 17:00, seen on Monday morning.
        let deadline = vn(2026, 12, 4, 17, 0);
        let times = reminder_times(deadline, vn(2026, 11, 30, 9, 0), &before, &quiet);
        assert_eq!(
            times,
            vec![
                vn(2026, 12, 1, 17, 0),
                vn(2026, 12, 3, 17, 0),
                vn(2026, 12, 4, 8, 0)
            ]
        );
        // Seen on Thursday evening: only the morning one is still ahead.
        let times = reminder_times(deadline, vn(2026, 12, 3, 18, 0), &before, &quiet);
        assert_eq!(times, vec![vn(2026, 12, 4, 8, 0)]);
    }

    #[test]
    fn reminders_falling_in_quiet_hours_wait_for_the_morning() {
        let before = RemindBefore::default();
        let quiet: QuietHours = DEFAULT_QUIET_HOURS.parse().unwrap();
        // Deadline at 23:30: 1 day before is 23:30 the day before (quiet) → 07:00 on the day.
        let deadline = vn(2026, 12, 4, 23, 30);
        let times = reminder_times(deadline, vn(2026, 11, 30, 9, 0), &before, &quiet);
        assert_eq!(
            times,
            vec![
                vn(2026, 12, 2, 7, 0),
                vn(2026, 12, 4, 7, 0),
                vn(2026, 12, 4, 8, 0)
            ]
        );
        // Deadline at 06:00: 1 day before (06:00 the day before) is quiet → 07:00 that day;
        // 08:00 on the day is after the deadline and dropped.
        let deadline = vn(2026, 12, 4, 6, 0);
        let times = reminder_times(deadline, vn(2026, 11, 30, 9, 0), &before, &quiet);
        assert_eq!(times, vec![vn(2026, 12, 1, 7, 0), vn(2026, 12, 3, 7, 0)]);
        // A reminder whose deferral would pass the deadline goes the evening before instead.
        let short: RemindBefore = "2h".parse().unwrap();
        let deadline = vn(2026, 12, 4, 1, 0);
        let times = reminder_times(deadline, vn(2026, 12, 3, 12, 0), &short, &quiet);
        assert_eq!(times, vec![vn(2026, 12, 3, 20, 59)]);
    }

    #[test]
    fn seconds_scale_reminders() {
        let before: RemindBefore = "5s,2s".parse().unwrap();
        let now = vn(2026, 12, 1, 10, 0);
        let deadline = now + chrono::Duration::seconds(8);
        let times = reminder_times(deadline, now, &before, &QuietHours(None));
        assert_eq!(
            times,
            vec![
                now + chrono::Duration::seconds(3),
                now + chrono::Duration::seconds(6)
            ]
        );
        // A deadline already close: only what is still ahead.
        let deadline = now + chrono::Duration::seconds(4);
        assert_eq!(
            reminder_times(deadline, now, &before, &QuietHours(None)),
            vec![now + chrono::Duration::seconds(2)]
        );
    }

    #[test]
    fn overdue_is_told_the_morning_after() {
        let quiet: QuietHours = DEFAULT_QUIET_HOURS.parse().unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(
            overdue_time(due, vn(2026, 11, 30, 9, 0), &quiet),
            vn(2026, 12, 5, 8, 0)
        );
        // Learnt late at night, after the due date: the next morning.
        assert_eq!(
            overdue_time(due, vn(2026, 12, 6, 23, 0), &quiet),
            vn(2026, 12, 7, 7, 0)
        );
    }
}
