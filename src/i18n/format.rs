//! Date, time and money formatting as Vietnamese readers expect: 05/01/2026, 14:30, 1.250.000 ₫.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The province's time zone.
pub const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// An amount in đồng with dots between thousands: `1.250.000 ₫`.
pub fn format_money(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 6);
    if amount < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out.push_str(" ₫");
    out
}

/// A calendar date as dd/mm/yyyy.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The date of an instant in Asia/Ho_Chi_Minh.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&TZ).date_naive()
}

/// The time of day of an instant in Asia/Ho_Chi_Minh, as HH:MM.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&TZ).format("%H:%M").to_string()
}

/// An instant in Asia/Ho_Chi_Minh as `HH:MM dd/mm/yyyy`.
pub fn format_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&TZ).format("%H:%M %d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn money() {
        assert_eq!(format_money(0), "0 ₫");
        assert_eq!(format_money(1_000), "1.000 ₫");
        assert_eq!(format_money(150_000), "150.000 ₫");
        assert_eq!(format_money(1_250_000), "1.250.000 ₫");
        assert_eq!(format_money(999), "999 ₫");
        assert_eq!(format_money(-5_000), "-5.000 ₫");
    }

    #[test]
    fn dates_and_times_in_vietnam() {
        assert_eq!(
            format_date(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
            "05/01/2026"
        );
        // 18:30 UTC on 4 January is 01:30 on 5 January in Hanoi (UTC+7).
        let at = Utc.with_ymd_and_hms(2026, 1, 4, 18, 30, 0).unwrap();
        assert_eq!(format_time(at), "01:30");
        assert_eq!(local_date(at), NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        assert_eq!(format_datetime(at), "01:30 05/01/2026");
    }
}
