//! Dates as officers type them: `dd/mm/yyyy` (the console's text fields), a deadline being the
//! end of that day in Vietnam.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Why a typed deadline was refused, as the console says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineError {
    /// Not a date written day/month/year.
    Format(String),
    /// A day before today.
    Past(NaiveDate),
}

impl DeadlineError {
    /// The sentence the console shows.
    pub fn sentence(&self) -> String {
        match self {
            Self::Format(text) => {
                format!("Hạn “{text}” không đúng dạng ngày/tháng/năm: hãy nhập ví dụ 25/12/2026.")
            }
            Self::Past(day) => format!(
                "Hạn {} đã qua: hãy nhập một ngày từ hôm nay trở đi.",
                day.format("%d/%m/%Y")
            ),
        }
    }
}

/// A day typed `dd/mm/yyyy` (also `d/m/yyyy`, with `-` or `.` between; and the ISO
/// `yyyy-mm-dd` a browser's date field sends).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let &[d, m, y] = parts.as_slice() else {
        return None;
    };
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !(all_digits(d) && all_digits(m) && all_digits(y)) || y.len() != 4 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The end of a deadline day in Vietnam.
pub fn end_of_day_vn(day: NaiveDate) -> Option<DateTime<Utc>> {
    let t = day.and_hms_opt(23, 59, 59)?;
    chrono_tz::Asia::Ho_Chi_Minh
        .from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A typed deadline: a valid day, today (in Vietnam) or later, as the end of that day.
pub fn parse_deadline(text: &str, today: NaiveDate) -> Result<DateTime<Utc>, DeadlineError> {
    let day = parse_day(text).ok_or_else(|| DeadlineError::Format(text.trim().to_owned()))?;
    if day < today {
        return Err(DeadlineError::Past(day));
    }
    end_of_day_vn(day).ok_or_else(|| DeadlineError::Format(text.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn days_as_vietnamese_write_them() {
        assert_eq!(parse_day("01/03/2030"), Some(d(2030, 3, 1)));
        assert_eq!(parse_day(" 1/3/2030 "), Some(d(2030, 3, 1)));
        assert_eq!(parse_day("25-12-2026"), Some(d(2026, 12, 25)));
        assert_eq!(parse_day("2030-03-01"), Some(d(2030, 3, 1)));
        for bad in [
            "",
            "31/02/2030",
            "03/01/30",
            "12/25/2026",
            "1/3",
            "a/b/cccc",
            "001/3/2030",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadlines_are_today_or_later() {
        let today = d(2026, 12, 1);
        let end = parse_deadline("01/12/2026", today).unwrap();
        assert_eq!(end.to_rfc3339(), "2026-12-01T16:59:59+00:00");
        assert_eq!(
            parse_deadline("30/11/2026", today),
            Err(DeadlineError::Past(d(2026, 11, 30)))
        );
        let e = parse_deadline("11/30/2026", today).unwrap_err();
        assert!(e.sentence().contains("25/12/2026"), "{}", e.sentence());
    }
}
