//! Property tests of the domain parsers (CCCD, phone, dossier code, money, birth date): every
//! valid value generated is accepted and reads back the same, near misses are refused for the
//! right reason, and no string whatever makes a parser panic.

use chrono::{Datelike, NaiveDate};
use dvc_bot::domain::{
    BirthDate, CitizenId, DossierCode, Email, FullName, Money, OrganisationName, Phone, TaxCode,
};
use dvc_bot::i18n::{format_date, format_money};
use proptest::prelude::*;

/// Few enough cases to keep the suite fast, enough to find a boundary.
const CASES: u32 = 256;

/// Province and city codes that open a CCCD (Circular 07/2016/TT-BCA), written out here as
/// the specification the parser is checked against.
const PROVINCES: &[u16] = &[
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// The day the birth-date properties are checked on, unless they pick their own.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

fn code<T>(r: Result<T, dvc_bot::domain::Invalid>) -> Result<T, &'static str> {
    r.map_err(|e| e.code())
}

/// A valid CCCD: a province code and 9 digits.
fn cccd() -> impl Strategy<Value = String> {
    (proptest::sample::select(PROVINCES), "[0-9]{9}")
        .prop_map(|(province, rest)| format!("{province:03}{rest}"))
}

/// A valid phone number in its national form: 0, a mobile or landline prefix, 8 digits.
fn national_phone() -> impl Strategy<Value = String> {
    "0[235789][0-9]{8}"
}

/// `digits` with a separator (space, dot or dash) inserted at some positions.
fn spaced(digits: String) -> impl Strategy<Value = String> {
    let n = digits.len();
    proptest::collection::vec(proptest::sample::select(vec!["", " ", ".", "-"]), n).prop_map(
        move |seps| {
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 {
                    out.push_str(seps[i]);
                }
                out.push(c);
            }
            out
        },
    )
}

/// Any date of the 21st century a dossier code can carry.
fn dossier_date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    (0i64..36_524).prop_map(move |d| first + chrono::Days::new(d as u64))
}

/// A valid dossier code: a unit code of 2–4 dotted groups, the date received, a sequence.
fn dossier_code() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec("[A-Z0-9]{1,4}", 2..=4),
        dossier_date(),
        "[0-9]{4,6}",
    )
        .prop_map(|(unit, date, seq)| format!("{}-{}-{seq}", unit.join("."), date.format("%y%m%d")))
}

/// A birth date between 1900 and the day someone born on it turns 14, as of `today()`.
fn adult_birth_date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date");
    let last =
        NaiveDate::from_ymd_opt(today().year() - 14, today().month(), today().day()).expect("date");
    let span = (last - first).num_days();
    (0..=span).prop_map(move |d| first + chrono::Days::new(d as u64))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn no_parser_panics_on_any_string(s in "\\PC{0,40}", ascii in "[ -~]{0,40}") {
        for input in [s.as_str(), ascii.as_str()] {
            let _ = CitizenId::parse(input);
            let _ = Phone::parse(input);
            let _ = DossierCode::parse(input);
            let _ = Money::parse(input);
            let _ = BirthDate::parse(input, today());
            let _ = FullName::parse(input);
            let _ = OrganisationName::parse(input);
            let _ = TaxCode::parse(input);
            let _ = Email::parse(input);
        }
    }

    #[test]
    fn a_valid_cccd_is_accepted_and_reads_back(id in cccd(), spaced_id in cccd().prop_flat_map(spaced)) {
        let parsed = CitizenId::parse(&id).expect("a valid CCCD");
        prop_assert_eq!(parsed.as_str(), id.as_str());
        prop_assert_eq!(CitizenId::parse(parsed.as_str()).ok(), Some(parsed.clone()));
        prop_assert_eq!(parsed.last4(), &id[8..]);
        let json = serde_json::to_string(&parsed).expect("json");
        prop_assert_eq!(serde_json::from_str::<CitizenId>(&json).ok(), Some(parsed.clone()));
        // Its Debug (what a log line shows) never carries the full number.
        let debug = format!("{parsed:?}");
        prop_assert!(!debug.contains(&id[..8]) && debug.contains(parsed.last4()), "{}", debug);
        // Spaces inside are ignored (dots and dashes are not).
        let digits: String = spaced_id.chars().filter(char::is_ascii_digit).collect();
        let only_spaces = spaced_id.chars().all(|c| c.is_ascii_digit() || c == ' ');
        let read = code(CitizenId::parse(&spaced_id));
        if only_spaces {
            prop_assert_eq!(read.map(|c| c.as_str().to_owned()), Ok(digits));
        } else {
            prop_assert_eq!(read.err(), Some("cccd-format"));
        }
    }

    #[test]
    fn a_cccd_near_miss_is_refused(id in cccd(), at in 0usize..12, letter in "[a-zA-Z]", extra in "[0-9]") {
        // One digit short, one too many, or a letter in place of a digit: the format.
        prop_assert_eq!(code(CitizenId::parse(&id[..11])).err(), Some("cccd-format"));
        prop_assert_eq!(code(CitizenId::parse(&format!("{id}{extra}"))).err(), Some("cccd-format"));
        let mut lettered = id.clone();
        lettered.replace_range(at..at + 1, &letter);
        prop_assert_eq!(code(CitizenId::parse(&lettered)).err(), Some("cccd-format"));
    }

    #[test]
    fn a_phone_number_reads_the_same_in_every_spelling(
        national in national_phone(),
        spelling in 0usize..3,
        separators in national_phone().prop_flat_map(spaced),
    ) {
        let phone = Phone::parse(&national).expect("a valid number");
        prop_assert_eq!(phone.as_str(), national.as_str());
        prop_assert_eq!(Phone::parse(phone.as_str()).ok(), Some(phone.clone()));
        // +84…, 84… (Telegram's contact), 0…: one number.
        let written = match spelling {
            0 => format!("+84{}", &national[1..]),
            1 => format!("84{}", &national[1..]),
            _ => format!(" {national} "),
        };
        prop_assert_eq!(Phone::parse(&written).ok(), Some(phone));
        let digits: String = separators.chars().filter(char::is_ascii_digit).collect();
        prop_assert_eq!(
            Phone::parse(&separators).map(|p| p.as_str().to_owned()).ok(),
            Some(digits)
        );
    }

    #[test]
    fn a_phone_near_miss_is_refused(
        national in national_phone(),
        second in "[0146]",
        letter in "[a-z]",
        at in 1usize..10,
    ) {
        prop_assert!(Phone::parse(&national[..9]).is_err(), "one digit short");
        prop_assert!(Phone::parse(&format!("{national}1")).is_err(), "one digit too many");
        let mut prefix = national.clone();
        prefix.replace_range(1..2, &second);
        prop_assert!(Phone::parse(&prefix).is_err(), "no such prefix: {}", prefix);
        let mut lettered = national.clone();
        lettered.replace_range(at..at + 1, &letter);
        prop_assert!(Phone::parse(&lettered).is_err(), "{}", lettered);
        prop_assert_eq!(code(Phone::parse(&national[1..])).err(), Some("phone"));
    }

    #[test]
    fn a_valid_dossier_code_is_accepted_and_reads_back(raw in dossier_code()) {
        let parsed = DossierCode::parse(&raw).expect("a valid dossier code");
        prop_assert_eq!(parsed.as_str(), raw.as_str());
        prop_assert_eq!(parsed.to_string(), raw.clone());
        // Typed in lower case or with spaces around: the same code.
        let typed = format!("  {}\t", raw.to_ascii_lowercase());
        prop_assert_eq!(DossierCode::parse(&typed).ok(), Some(parsed.clone()));
        let json = serde_json::to_string(&parsed).expect("json");
        prop_assert_eq!(serde_json::from_str::<DossierCode>(&json).ok(), Some(parsed));
    }

    #[test]
    fn a_dossier_code_near_miss_is_refused(
        raw in dossier_code(),
        month in 13u32..100,
        short in "[0-9]{1,3}",
        long in "[0-9]{7,9}",
        procedure in "[0-9]\\.[0-9]{6}",
    ) {
        let (unit, rest) = raw.split_at(raw.find('-').expect("a dash"));
        let date = &rest[1..7];
        // A procedure code is never a dossier code.
        prop_assert!(DossierCode::parse(&procedure).is_err(), "{}", procedure);
        // A month that does not exist, a sequence too short or too long.
        let bad_month = format!("{unit}-{}{month:02}{}-0001", &date[..2], &date[4..]);
        prop_assert!(DossierCode::parse(&bad_month).is_err(), "{}", bad_month);
        for seq in [short, long] {
            let wrong = format!("{unit}-{date}-{seq}");
            prop_assert!(DossierCode::parse(&wrong).is_err(), "{}", wrong);
        }
        // A unit code without its dots, or a part missing.
        let undotted = raw.replacen('.', "", usize::MAX);
        prop_assert!(DossierCode::parse(&undotted).is_err(), "{}", undotted);
        prop_assert!(DossierCode::parse(&rest[1..]).is_err(), "no unit: {}", &rest[1..]);
        prop_assert_eq!(code(DossierCode::parse(unit)).err(), Some("dossier-code"));
    }

    #[test]
    fn an_amount_reads_back_from_every_spelling(amount in 0i64..=i64::MAX, spelling in 0usize..5) {
        let grouped = format_money(amount); // "1.250.000 ₫", as the bot shows it
        let written = match spelling {
            0 => amount.to_string(),
            1 => grouped.clone(),
            2 => grouped.trim_end_matches(" ₫").replace('.', ","),
            3 => format!("{amount} VND"),
            _ => format!("{amount}đ"),
        };
        prop_assert_eq!(Money::parse(&written), Ok(Money(amount)), "{}", written);
    }

    #[test]
    fn an_amount_near_miss_is_refused(amount in 1i64..=i64::MAX, letter in "[a-zA-Z]", at in 0usize..19) {
        prop_assert!(Money::parse(&format!("-{amount}")).is_err(), "negative");
        let mut digits = amount.to_string();
        let at = at.min(digits.len());
        digits.insert_str(at, &letter);
        prop_assert_eq!(code(Money::parse(&digits)).err(), Some("money"));
        // One more digit than an i64 holds: refused, not wrapped.
        let too_big = format!("{}0", i64::MAX);
        prop_assert!(Money::parse(&too_big).is_err(), "{}", too_big);
    }

    #[test]
    fn a_birth_date_reads_back_in_every_spelling(date in adult_birth_date(), spelling in 0usize..4) {
        let written = match spelling {
            0 => format_date(date), // "05/01/1990", as the bot shows it
            1 => date.format("%d-%m-%Y").to_string(),
            2 => date.format("%d.%m.%Y").to_string(),
            _ => format!("{}/{}/{}", date.day(), date.month(), date.year()),
        };
        prop_assert_eq!(BirthDate::parse(&written, today()).map(BirthDate::date), Ok(date), "{}", written);
    }

    #[test]
    fn a_birth_date_is_accepted_exactly_for_someone_14_or_older(
        born in (1850i32..2120, 1u32..=12, 1u32..=28),
        on in (1950i32..2100, 1u32..=12, 1u32..=28),
    ) {
        let born = NaiveDate::from_ymd_opt(born.0, born.1, born.2).expect("date");
        let today = NaiveDate::from_ymd_opt(on.0, on.1, on.2).expect("date");
        let read = code(BirthDate::parse(&format_date(born), today));
        let expected = if born.year() < 1900 || born >= today {
            Err("birth-date-past")
        } else if today.years_since(born).is_none_or(|age| age < 14) {
            Err("birth-date-age")
        } else {
            Ok(born)
        };
        prop_assert_eq!(read.map(BirthDate::date), expected);
    }

    #[test]
    fn a_day_that_does_not_exist_is_refused(year in 1900i32..2000, month in 1u32..=12, over in 1u32..4) {
        // The day after the month's last, or day zero, or month 13.
        let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
        let last = NaiveDate::from_ymd_opt(next.0, next.1, 1).expect("date").pred_opt().expect("date");
        let past_end = format!("{:02}/{month:02}/{year}", last.day() + over);
        prop_assert_eq!(code(BirthDate::parse(&past_end, today())).err(), Some("birth-date-format"));
        let zero = format!("00/{month:02}/{year}");
        prop_assert_eq!(code(BirthDate::parse(&zero, today())).err(), Some("birth-date-format"));
        let thirteenth = format!("01/13/{year}");
        prop_assert_eq!(code(BirthDate::parse(&thirteenth, today())).err(), Some("birth-date-format"));
    }
}

proptest! {
    // Each case tries all 1000 prefixes.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_cccd_is_accepted_exactly_for_the_province_codes(rest in "[0-9]{9}") {
        for prefix in 0u16..1000 {
            let read = code(CitizenId::parse(&format!("{prefix:03}{rest}")));
            if PROVINCES.contains(&prefix) {
                prop_assert!(read.is_ok(), "{:03}: {:?}", prefix, read);
            } else {
                prop_assert_eq!(read.err(), Some("cccd-province"), "{:03}", prefix);
            }
        }
    }
}

#[test]
fn the_age_limit_is_the_fourteenth_birthday() {
    // Born on this day 14 years ago: accepted; a day later: too young.
    let fourteen = NaiveDate::from_ymd_opt(2012, 11, 25).expect("date");
    assert_eq!(
        BirthDate::parse("25/11/2012", today()).map(BirthDate::date),
        Ok(fourteen)
    );
    assert_eq!(
        code(BirthDate::parse("26/11/2012", today())).err(),
        Some("birth-date-age")
    );
}
