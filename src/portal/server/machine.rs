//! The dossier status machine of DESIGN.md, enforced here and only here: the transition table,
//! and `apply`, which moves a dossier and appends its event in one transaction.

use chrono::{Datelike, NaiveDate, Utc, Weekday};
use sqlx::Row;

use super::error::{ApiError, ApiResult};
use crate::db::{Db, now_unix};
use crate::portal::model::{DossierStatus as S, EventData, OfficerActionKind as O};

/// What moves a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The citizen sends a draft.
    Submit,
    /// The citizen withdraws before acceptance.
    Withdraw,
    /// The citizen sends the papers a supplement request asked for.
    AnswerSupplement,
    Officer(O),
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::AnswerSupplement => "answer a supplement request for",
            Self::Officer(o) => match o {
                O::Accept => "accept",
                O::RequestSupplement => "request a supplement for",
                O::RequestFinancialObligation => "request a financial obligation for",
                O::RequestFee => "request a fee for",
                O::ConfirmPayment => "confirm a payment for",
                O::Pause => "pause",
                O::Resume => "resume",
                O::Complete => "complete",
                O::ReturnResult => "return the result of",
                O::Reject => "reject",
            },
        }
    }
}

/// An allowed move: the new status, the status a side state returns to, the event kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub to: S,
    pub return_to: Option<S>,
    pub kind: &'static str,
}

/// Statuses that wait on something and go back where they came from.
fn is_side(s: S) -> bool {
    matches!(
        s,
        S::SupplementRequired | S::FinancialObligation | S::FeePayment | S::Paused
    )
}

/// The transition table. `return_to` is where the current side state (if any) came from.
pub fn next(from: S, return_to: Option<S>, action: Action) -> Result<Move, String> {
    let go = |to, kind| {
        Ok(Move {
            to,
            return_to: None,
            kind,
        })
    };
    let side = |to, kind| {
        Ok(Move {
            to,
            return_to: Some(from),
            kind,
        })
    };
    let back = |kind| match return_to {
        Some(to) => Ok(Move {
            to,
            return_to: None,
            kind,
        }),
        None => Err(format!("the dossier is {from} with nowhere to return to")),
    };
    let active = matches!(from, S::New | S::Processing);
    match (from, action) {
        (S::Draft, Action::Submit) => go(S::New, "submitted"),
        (S::New, Action::Withdraw) => go(S::Withdrawn, "withdrawn"),
        (s, Action::Withdraw) if is_side(s) && return_to == Some(S::New) => {
            go(S::Withdrawn, "withdrawn")
        }
        (S::New, Action::Officer(O::Accept)) => go(S::Processing, "accepted"),
        (_, Action::Officer(O::RequestSupplement)) if active => {
            side(S::SupplementRequired, "supplement_requested")
        }
        (S::Processing, Action::Officer(O::RequestFinancialObligation)) => {
            side(S::FinancialObligation, "financial_obligation_requested")
        }
        (_, Action::Officer(O::RequestFee)) if active => side(S::FeePayment, "fee_requested"),
        (_, Action::Officer(O::Pause)) if active => side(S::Paused, "paused"),
        (S::SupplementRequired, Action::AnswerSupplement) => back("supplement_answered"),
        (S::FinancialObligation | S::FeePayment, Action::Officer(O::ConfirmPayment)) => {
            back("payment_confirmed")
        }
        (S::Paused, Action::Officer(O::Resume)) => back("resumed"),
        (S::Processing, Action::Officer(O::Complete)) => go(S::Completed, "completed"),
        (S::Completed, Action::Officer(O::ReturnResult)) => {
            go(S::ResultReturned, "result_returned")
        }
        (s, Action::Officer(O::Reject)) if active || is_side(s) => go(S::Rejected, "rejected"),
        _ => Err(format!(
            "cannot {} a dossier whose status is {} ({})",
            action.name(),
            from,
            from.label_vi()
        )),
    }
}

/// The date `days` working days (Monday–Friday) after `start`. Public holidays are not known
/// to the reference portal and count as working days.
pub fn add_working_days(start: NaiveDate, days: u32) -> NaiveDate {
    let mut date = start;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// Working days (Monday–Friday) after `from` up to and including `to`; 0 if `to <= from`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut date = from;
    while date < to {
        date = date.succ_opt().unwrap_or(to);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

/// The date in Vietnam of a Unix time.
fn date_vn(secs: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

/// Today in Vietnam (Asia/Ho_Chi_Minh), the date that dossier codes and due dates use.
pub fn today_vn() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

/// `<agency code>-YYMMDD-NNNN` (Circular 01/2018/TT-VPCP Art. 19).
pub fn dossier_code(agency: &str, day: NaiveDate, seq: i64) -> String {
    format!("{agency}-{}-{seq:04}", day.format("%y%m%d"))
}

/// What a transition writes beside the status.
#[derive(Debug, Default)]
pub struct Effects {
    pub data: EventData,
    /// Submit: the Idempotency-Key and the procedure's processing time.
    pub submit_key: Option<String>,
    pub processing_days: u32,
    /// Complete: the stored result (sha256, file name, mime).
    pub result: Option<(String, String, String)>,
    /// The officer who made the action, recorded with the event (never on the feed).
    pub officer: Option<String>,
}

/// Signalled after every committed event, so the feed's long polls answer at once. One for the
/// process: a portal woken by another portal's event only looks again.
pub static EVENT_WRITTEN: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// How `apply` ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// The dossier moved; the event's id.
    Moved(i64),
    /// A retried submit with the same Idempotency-Key: nothing changed.
    AlreadyDone,
}

/// Moves dossier `id` by `action` and appends the event, in one transaction. The first
/// statement takes the event counter's row lock, so transitions are serialised and event ids
/// commit in increasing order on both engines.
pub async fn apply(
    db: &Db,
    id: i64,
    owner: Option<i64>,
    action: Action,
    effects: Effects,
) -> ApiResult<Applied> {
    let mut tx = db.pool.begin().await?;
    let event_id: i64 =
        sqlx::query("UPDATE counters SET value = value + 1 WHERE name = 'event' RETURNING value")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;
    let row = sqlx::query(
        "SELECT status, return_status, owner_id, code, agency_code, submit_key \
         FROM dossiers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found("dossier"))?;
    let owner_id: i64 = row.try_get("owner_id")?;
    if owner.is_some_and(|o| o != owner_id) {
        return Err(ApiError::not_found("dossier"));
    }
    let status = parse_status(&row.try_get::<String, _>("status")?)?;
    let return_to = row
        .try_get::<Option<String>, _>("return_status")?
        .map(|s| parse_status(&s))
        .transpose()?;
    let mut code: Option<String> = row.try_get("code")?;
    let submit_key: Option<String> = row.try_get("submit_key")?;
    if action == Action::Submit
        && status != S::Draft
        && submit_key.is_some()
        && submit_key == effects.submit_key
    {
        return Ok(Applied::AlreadyDone);
    }
    let step = next(status, return_to, action).map_err(ApiError::conflict)?;
    let now = now_unix();
    let pending = if is_side(step.to) {
        Some(serde_json::to_string(&effects.data).map_err(|e| ApiError::Internal(e.to_string()))?)
    } else {
        None
    };
    if is_side(status) && return_to == Some(step.to) {
        stop_the_clock(&mut tx, id).await?;
    }
    sqlx::query("UPDATE dossiers SET status = $1, return_status = $2, pending = $3 WHERE id = $4")
        .bind(step.to.as_str())
        .bind(step.return_to.map(|s| s.as_str()))
        .bind(pending)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if action == Action::Submit {
        let agency: String = row.try_get("agency_code")?;
        let day = today_vn();
        let seq: i64 = sqlx::query(
            "INSERT INTO day_sequences (agency_code, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = day_sequences.last + 1 \
             RETURNING last",
        )
        .bind(&agency)
        .bind(day.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("last")?;
        let new_code = dossier_code(&agency, day, seq);
        let due = add_working_days(day, effects.processing_days);
        sqlx::query(
            "UPDATE dossiers SET code = $1, submitted_at = $2, due_date = $3, submit_key = $4 \
             WHERE id = $5",
        )
        .bind(&new_code)
        .bind(now)
        .bind(due.to_string())
        .bind(effects.submit_key.as_deref())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        code = Some(new_code);
    }
    if let Some((sha, name, mime)) = &effects.result {
        sqlx::query(
            "UPDATE dossiers SET result_sha256 = $1, result_name = $2, result_mime = $3 \
             WHERE id = $4",
        )
        .bind(sha)
        .bind(name)
        .bind(mime)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    let data =
        serde_json::to_string(&effects.data).map_err(|e| ApiError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO events (id, dossier_id, code, owner_id, kind, status, at, data, officer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event_id)
    .bind(id)
    .bind(code)
    .bind(owner_id)
    .bind(step.kind)
    .bind(step.to.as_str())
    .bind(now)
    .bind(data)
    .bind(effects.officer.as_deref())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    EVENT_WRITTEN.notify_waiters();
    Ok(Applied::Moved(event_id))
}

/// Days spent waiting in a side state (for papers, a payment, a pause) do not count against
/// the processing time: on leaving it, the due date moves by the working days it lasted.
async fn stop_the_clock(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> ApiResult<()> {
    let row = sqlx::query(
        "SELECT e.at AS since, d.due_date AS due FROM events e JOIN dossiers d \
         ON d.id = e.dossier_id WHERE e.dossier_id = $1 ORDER BY e.id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let since: i64 = row.try_get("since")?;
    let due: Option<NaiveDate> = row
        .try_get::<Option<String>, _>("due")?
        .and_then(|d| d.parse().ok());
    let waited = working_days_between(date_vn(since), today_vn());
    if let (Some(due), true) = (due, waited > 0) {
        sqlx::query("UPDATE dossiers SET due_date = $1 WHERE id = $2")
            .bind(add_working_days(due, waited).to_string())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub fn parse_status(s: &str) -> ApiResult<S> {
    S::parse(s).ok_or_else(|| ApiError::Internal(format!("unknown status {s:?} in the database")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_ACTIONS: [Action; 13] = [
        Action::Submit,
        Action::Withdraw,
        Action::AnswerSupplement,
        Action::Officer(O::Accept),
        Action::Officer(O::RequestSupplement),
        Action::Officer(O::RequestFinancialObligation),
        Action::Officer(O::RequestFee),
        Action::Officer(O::ConfirmPayment),
        Action::Officer(O::Pause),
        Action::Officer(O::Resume),
        Action::Officer(O::Complete),
        Action::Officer(O::ReturnResult),
        Action::Officer(O::Reject),
    ];

    #[test]
    fn main_line() {
        let mut s = S::Draft;
        for (a, want) in [
            (Action::Submit, S::New),
            (Action::Officer(O::Accept), S::Processing),
            (Action::Officer(O::Complete), S::Completed),
            (Action::Officer(O::ReturnResult), S::ResultReturned),
        ] {
            s = next(s, None, a).unwrap().to;
            assert_eq!(s, want);
        }
    }

    #[test]
    fn side_states_return_where_they_came_from() {
        let m = next(S::Processing, None, Action::Officer(O::RequestFee)).unwrap();
        assert_eq!((m.to, m.return_to), (S::FeePayment, Some(S::Processing)));
        let back = next(m.to, m.return_to, Action::Officer(O::ConfirmPayment)).unwrap();
        assert_eq!(back.to, S::Processing);
        let m = next(S::New, None, Action::Officer(O::RequestSupplement)).unwrap();
        assert_eq!(
            next(m.to, m.return_to, Action::AnswerSupplement)
                .unwrap()
                .to,
            S::New
        );
        assert_eq!(
            next(m.to, m.return_to, Action::Withdraw).unwrap().to,
            S::Withdrawn
        );
        let m = next(S::Processing, None, Action::Officer(O::Pause)).unwrap();
        assert!(next(m.to, m.return_to, Action::Withdraw).is_err());
    }

    #[test]
    fn ends_allow_nothing() {
        for end in [S::Rejected, S::Withdrawn, S::ResultReturned] {
            for a in ALL_ACTIONS {
                assert!(next(end, None, a).is_err(), "{end} {a:?}");
            }
        }
        let msg = next(S::Draft, None, Action::Officer(O::Accept)).unwrap_err();
        assert!(msg.contains("draft"), "{msg}");
    }

    #[test]
    fn working_days_skip_weekends() {
        let fri = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            add_working_days(fri, 1),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        let wed = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(add_working_days(wed, 0), wed);
        assert_eq!(
            add_working_days(wed, 3),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            add_working_days(wed, 10),
            NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()
        );
    }

    #[test]
    fn working_days_between_dates() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        assert_eq!(working_days_between(d(25), d(25)), 0);
        assert_eq!(working_days_between(d(27), d(30)), 1, "Friday to Monday");
        assert_eq!(working_days_between(d(28), d(29)), 0, "a weekend");
        for start in 1..=20 {
            assert_eq!(working_days_between(d(start), d(start + 7)), 5);
        }
        assert_eq!(working_days_between(d(30), d(25)), 0);
    }

    #[test]
    fn code_format() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let code = dossier_code("000.00.25.H50", day, 1);
        assert_eq!(code, "000.00.25.H50-261125-0001");
        assert!(crate::domain::DossierCode::parse(&code).is_ok());
    }
}
