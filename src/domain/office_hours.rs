//! When officers answer questions (`DVC_OFFICE_HOURS`, Asia/Ho_Chi_Minh): weekdays and time
//! windows such as `Mon-Fri 07:30-11:30,13:30-17:00`, several groups joined by `;`. A pure
//! function says when the next window opens, so a question asked at night is told when to
//! expect its answer.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use thiserror::Error;

/// The province's office hours unless configured.
pub const DEFAULT_OFFICE_HOURS: &str = "Mon-Fri 07:30-11:30,13:30-17:00";

#[derive(Debug, Error, PartialEq, Eq)]
#[error("office hours {0:?} are not like \"Mon-Fri 07:30-11:30,13:30-17:00\"")]
pub struct OfficeHoursError(String);

/// Weekly opening windows in local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    /// (day, opens, closes), sorted by opening time.
    windows: Vec<(Weekday, NaiveTime, NaiveTime)>,
    text: String,
}

fn weekday(s: &str) -> Option<Weekday> {
    s.trim().parse::<Weekday>().ok()
}

impl OfficeHours {
    pub fn parse(text: &str) -> Result<Self, OfficeHoursError> {
        let bad = || OfficeHoursError(text.to_owned());
        let mut windows = Vec::new();
        for group in text.split(';').map(str::trim).filter(|g| !g.is_empty()) {
            let (days, ranges) = group.split_once(char::is_whitespace).ok_or_else(bad)?;
            let mut day_list = Vec::new();
            for part in days.split(',') {
                match part.split_once('-') {
                    Some((a, b)) => {
                        let (mut d, end) =
                            (weekday(a).ok_or_else(bad)?, weekday(b).ok_or_else(bad)?);
                        day_list.push(d);
                        while d != end {
                            d = d.succ();
                            day_list.push(d);
                        }
                    }
                    None => day_list.push(weekday(part).ok_or_else(bad)?),
                }
            }
            for range in ranges.split(',').map(str::trim) {
                let (a, b) = range.split_once('-').ok_or_else(bad)?;
                let time =
                    |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
                let (opens, closes) = (time(a)?, time(b)?);
                if opens >= closes {
                    return Err(bad());
                }
                windows.extend(day_list.iter().map(|d| (*d, opens, closes)));
            }
        }
        if windows.is_empty() {
            return Err(bad());
        }
        windows.sort_by_key(|(_, opens, _)| *opens);
        Ok(Self {
            windows,
            text: text.trim().to_owned(),
        })
    }

    /// `None` while an office window is open at `at`; otherwise when the next one opens.
    pub fn next_open(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let tz = crate::i18n::TZ;
        let local = at.with_timezone(&tz);
        for ahead in 0..=7 {
            let date = local.date_naive() + Duration::days(ahead);
            for (day, opens, closes) in &self.windows {
                if *day != date.weekday() {
                    continue;
                }
                if ahead == 0 && local.time() >= *opens && local.time() < *closes {
                    return None;
                }
                let start = date.and_time(*opens);
                if start > local.naive_local() {
                    return tz
                        .from_local_datetime(&start)
                        .single()
                        .map(|t| t.with_timezone(&Utc));
                }
            }
        }
        None
    }
}

impl Default for OfficeHours {
    fn default() -> Self {
        Self::parse(DEFAULT_OFFICE_HOURS).expect("the default office hours parse")
    }
}

impl FromStr for OfficeHours {
    type Err = OfficeHoursError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for OfficeHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant given in Vietnam's local time.
    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        crate::i18n::TZ
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn when_the_answer_can_be_expected() {
        let hours = OfficeHours::default();
        // 2026-12-01 is a Tuesday.
        let cases = [
            (vn(2026, 12, 1, 9, 0), None),
            (vn(2026, 12, 1, 7, 30), None),
            (vn(2026, 12, 1, 6, 0), Some(vn(2026, 12, 1, 7, 30))),
            (vn(2026, 12, 1, 11, 30), Some(vn(2026, 12, 1, 13, 30))),
            (vn(2026, 12, 1, 12, 15), Some(vn(2026, 12, 1, 13, 30))),
            (vn(2026, 12, 1, 17, 0), Some(vn(2026, 12, 2, 7, 30))),
            (vn(2026, 12, 1, 23, 59), Some(vn(2026, 12, 2, 7, 30))),
            // Friday evening, Saturday, Sunday: Monday morning.
            (vn(2026, 12, 4, 18, 0), Some(vn(2026, 12, 7, 7, 30))),
            (vn(2026, 12, 5, 10, 0), Some(vn(2026, 12, 7, 7, 30))),
            (vn(2026, 12, 6, 23, 0), Some(vn(2026, 12, 7, 7, 30))),
        ];
        for (at, expected) in cases {
            assert_eq!(hours.next_open(at), expected, "{at}");
        }
    }

    #[test]
    fn other_schedules_and_mistakes() {
        let sat = OfficeHours::parse("Mon,Wed 08:00-12:00; Sat 08:00-11:00").unwrap();
        // Tuesday afternoon → Wednesday 08:00; Wednesday 13:00 → Saturday 08:00.
        assert_eq!(
            sat.next_open(vn(2026, 12, 1, 15, 0)),
            Some(vn(2026, 12, 2, 8, 0))
        );
        assert_eq!(
            sat.next_open(vn(2026, 12, 2, 13, 0)),
            Some(vn(2026, 12, 5, 8, 0))
        );
        assert_eq!(sat.next_open(vn(2026, 12, 5, 9, 0)), None);
        // A range over the week's end.
        let weekend = OfficeHours::parse("Sat-Sun 09:00-10:00").unwrap();
        assert_eq!(
            weekend.next_open(vn(2026, 12, 7, 9, 0)),
            Some(vn(2026, 12, 12, 9, 0))
        );
        for bad in [
            "",
            "Mon-Fri",
            "Mon-Fri 17:00-07:30",
            "Xyz 07:00-08:00",
            "Mon 7-8",
        ] {
            assert!(OfficeHours::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(OfficeHours::default().to_string(), DEFAULT_OFFICE_HOURS);
    }
}
