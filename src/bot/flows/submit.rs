//! "Nộp hồ sơ" (seed III), its start: the login check (coming back here after it), a new or
//! resumed draft, then the form field by field with validation by type. The papers follow in
//! `papers.rs`, the delivery, review, save and send in `review.rs`. Drafts live in the dialogue
//! state until the portal has accepted them; saving and sending carry idempotency keys derived
//! from the draft, so a double tap, a retry or a restart makes one dossier with one code.

use chrono::NaiveDate;
use rand::Rng;

use crate::db::now_unix;
use crate::domain::fold;
use crate::i18n::Locale;
use crate::portal::client::PortalError;
use crate::portal::model::{FieldKind, FormField, Paper};

use super::super::callback::{AccountAction, Callback};
use super::super::reply::{Effect, Keyboard, Outcome, Reply, Text};
use super::super::state::{Draft, State, Step};
use super::papers::start_papers;
use super::review::{ask_delivery, portal_down, review, shown_value};
use super::{Ctx, Input, main_menu};

/// The longest text answer to a form field.
const TEXT_MAX: usize = 500;

pub(super) type Out = Outcome<State>;

pub(super) fn to(state: State, step: Step) -> Out {
    Outcome::new(State { step, ..state })
}

pub(super) fn find(state: &State, key: &str) -> Option<usize> {
    state.drafts.iter().position(|d| d.key == key)
}

pub(super) fn new_key() -> String {
    format!("{:08x}", rand::thread_rng().r#gen::<u32>())
}

pub(super) fn login_buttons() -> Keyboard {
    Keyboard::Inline(vec![vec![
        (
            Text::msg("button-login"),
            Callback::Account(AccountAction::Login),
        ),
        (
            Text::msg("button-register"),
            Callback::Account(AccountAction::Register),
        ),
    ]])
}

pub(super) fn procedure_name(draft: &Draft, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &draft.procedure.summary.name_vi,
        Locale::En => &draft.procedure.summary.name_en,
    }
}

pub(super) fn field_label(field: &FormField, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &field.label_vi,
        Locale::En => &field.label_en,
    }
}

/// Option `i` of a choice field in the chat's language, where the catalogue has it.
pub(super) fn option_label(field: &FormField, i: usize, locale: Locale) -> &str {
    let en = field.options_en.get(i).filter(|_| locale == Locale::En);
    en.or_else(|| field.options.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

pub(super) fn paper_name(paper: &Paper, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &paper.name_vi,
        Locale::En => &paper.name_en,
    }
}

/// The draft is gone (sent, or from an erased chat): back to the menu.
pub(super) fn gone(state: State) -> Out {
    to(state, Step::Idle).send(Reply::msg("submit-draft-gone").with(main_menu()))
}

/// `/submit CODE` or "Nộp hồ sơ": needs a login (then comes back here), resumes a draft of the
/// same procedure if there is one, else starts a new one.
pub async fn start(mut state: State, code: &str, token: Option<String>, ctx: &Ctx<'_>) -> Out {
    if token.or_else(|| ctx.session()).is_none() {
        state.resume = Some(code.to_owned());
        return to(state, Step::Idle)
            .send(Reply::msg("submit-login-required").with(login_buttons()));
    }
    if let Some(draft) = state
        .drafts
        .iter()
        .find(|d| d.procedure.summary.code == code)
    {
        let key = draft.key.clone();
        return resume(state, &key, ctx).await;
    }
    let procedure = match ctx.services.portal.procedure(code).await {
        Ok(p) => p,
        Err(PortalError::NotFound) => {
            return to(state, Step::Idle).send(Reply::new(
                Text::msg("submit-unknown-procedure").arg("code", code),
            ));
        }
        Err(error) => return portal_down(state, Step::Idle, &error),
    };
    let draft = Draft {
        key: new_key(),
        procedure,
        values: Default::default(),
        papers: Vec::new(),
        skipped: Vec::new(),
        delivery: None,
        portal_id: None,
        updated_at: now_unix(),
    };
    // The main menu stays under the form: a way out at any moment (the draft is kept).
    let intro =
        Reply::new(Text::msg("submit-intro").arg("procedure", procedure_name(&draft, ctx.locale)));
    let key = draft.key.clone();
    state.drafts.push(draft);
    let mut out = ask_field(state, &key, 0, false, ctx);
    out.effects.insert(0, Effect::Send(intro));
    out
}

/// Resumes draft `key` where it stands: a missing required field, the papers, the delivery, or
/// the review.
pub async fn resume(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    refresh_procedure(&mut state.drafts[i], ctx).await;
    let draft = &state.drafts[i];
    let intro = Reply::new(
        Text::msg("submit-resuming").arg("procedure", procedure_name(draft, ctx.locale)),
    );
    let missing_field = draft
        .procedure
        .form
        .iter()
        .position(|f| f.required && !draft.values.contains_key(&f.key));
    let mut out = match missing_field {
        Some(index) => ask_field(state, key, index, false, ctx),
        None if draft.next_paper().is_some() => start_papers(state, key, ctx),
        None if draft.delivery.is_none() => ask_delivery(state, key),
        None => review(state, key, ctx),
    };
    out.effects.insert(0, Effect::Send(intro));
    out
}

/// The procedure as the portal has it now (a field or paper may have been added since the
/// draft began); the draft's copy serves while the portal is unreachable.
pub(super) async fn refresh_procedure(draft: &mut Draft, ctx: &Ctx<'_>) {
    let code = draft.procedure.summary.code.clone();
    match ctx.services.portal.procedure(&code).await {
        Ok(procedure) => draft.procedure = procedure,
        Err(error) => tracing::info!(%error, "going on with the draft's copy of the procedure"),
    }
}

/// Asks form field `index`, or goes on to the papers after the last one. A value already
/// given (going over the form again) is shown with a button to keep it.
pub(super) fn ask_field(state: State, key: &str, index: usize, again: bool, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let draft = &state.drafts[i];
    let form = &draft.procedure.form;
    let Some(field) = form.get(index) else {
        // Past the last field: on to the papers and the delivery, unless both are done (going
        // over the form from the review): then straight back to the review, as `resume` does.
        return if draft.next_paper().is_none() && draft.delivery.is_some() {
            review(state, key, ctx)
        } else {
            start_papers(state, key, ctx)
        };
    };
    let kind = match field.kind {
        FieldKind::Text => "text",
        FieldKind::Date => "date",
        FieldKind::Number => "number",
        FieldKind::Choice => "choice",
    };
    let mut text = if again {
        Text::msg("hint-unexpected")
    } else {
        Text::default()
    };
    text = text
        .then("submit-ask-field")
        .arg("label", field_label(field, ctx.locale))
        .arg("n", (index + 1) as i64)
        .arg("total", form.len() as i64)
        .arg("kind", kind)
        .arg("required", if field.required { "yes" } else { "no" });
    let n = index as u32;
    let mut rows: Vec<Vec<(Text, Callback)>> = Vec::new();
    if field.kind == FieldKind::Choice {
        rows.extend(field.options.iter().enumerate().map(|(option, _)| {
            vec![(
                Text::literal(option_label(field, option, ctx.locale)),
                Callback::Choice {
                    field: n,
                    n: option as u32,
                },
            )]
        }));
    }
    if let Some(current) = draft.values.get(&field.key) {
        text = text
            .then("submit-current-value")
            .arg("value", shown_value(field, current, ctx.locale));
        rows.push(vec![(Text::msg("button-keep"), Callback::KeepField(n))]);
    }
    if !field.required {
        rows.push(vec![(Text::msg("button-skip"), Callback::SkipField(n))]);
    }
    let keyboard = if rows.is_empty() {
        Keyboard::None
    } else {
        Keyboard::Inline(rows)
    };
    let step = Step::Fill {
        key: key.to_owned(),
        index,
    };
    to(state, step).send(Reply::new(text).with(keyboard))
}

/// An answer to a form field.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Set(String),
    /// An optional field skipped: no value.
    Clear,
    /// The value given before stays.
    Keep,
}

/// Parses an answer to form field number `index`. Buttons of another question are stale.
fn parse_value(field: &FormField, index: usize, input: &Input) -> Result<Answer, &'static str> {
    let this = |n: &u32| *n as usize == index;
    match (field.kind, input) {
        (_, Input::Callback(Callback::SkipField(n))) if this(n) && !field.required => {
            Ok(Answer::Clear)
        }
        (_, Input::Callback(Callback::SkipField(n))) if this(n) => Err("field-required"),
        (_, Input::Callback(Callback::KeepField(n))) if this(n) => Ok(Answer::Keep),
        (FieldKind::Choice, Input::Callback(Callback::Choice { field: f, n })) if this(f) => field
            .options
            .get(*n as usize)
            .cloned()
            .map(Answer::Set)
            .ok_or("stale"),
        (FieldKind::Choice, Input::Text(t)) => field
            .options
            .iter()
            .zip(
                field
                    .options_en
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .find(|(o, en)| fold(o) == fold(t) || en.is_some_and(|en| fold(en) == fold(t)))
            .map(|(o, _)| o.clone())
            .map(Answer::Set)
            .ok_or("invalid-field-choice"),
        (FieldKind::Text, Input::Text(t)) => {
            let t = t.trim();
            if t.is_empty()
                || t.chars().count() > TEXT_MAX
                || t.chars().any(|c| c.is_control() && c != '\n')
            {
                Err("invalid-field-text")
            } else {
                Ok(Answer::Set(t.to_owned()))
            }
        }
        (FieldKind::Date, Input::Text(t)) => {
            let normalized = t.trim().replace(['-', '.'], "/");
            NaiveDate::parse_from_str(&normalized, "%d/%m/%Y")
                .ok()
                .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)))
                .map(|d| Answer::Set(d.format("%Y-%m-%d").to_string()))
                .ok_or("invalid-field-date")
        }
        (FieldKind::Number, Input::Text(t)) => whole_number(t)
            .map(Answer::Set)
            .ok_or("invalid-field-number"),
        (_, Input::Callback(_)) => Err("stale"),
        _ => Err("unexpected"),
    }
}

/// A whole number as typed in Vietnam: digits, with `.`, `,` or spaces only between groups of
/// three ("1.500", "1 500"); "120,5" is refused rather than read as 1205.
fn whole_number(input: &str) -> Option<String> {
    let t = input.trim();
    let groups: Vec<&str> = t.split(['.', ',', ' ']).collect();
    let grouped = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    if !grouped
        || digits.is_empty()
        || digits.len() > 15
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed.to_owned()
    })
}

/// An answer to form field `index` of draft `key`.
pub async fn receive_value(
    mut state: State,
    key: String,
    index: usize,
    input: Input,
    ctx: &Ctx<'_>,
) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let Some(field) = state.drafts[i].procedure.form.get(index).cloned() else {
        return start_papers(state, &key, ctx);
    };
    match parse_value(&field, index, &input) {
        Ok(answer) => {
            let draft = &mut state.drafts[i];
            match answer {
                Answer::Set(v) => {
                    draft.values.insert(field.key.clone(), v);
                }
                Answer::Clear => {
                    draft.values.remove(&field.key);
                }
                Answer::Keep => {}
            }
            draft.updated_at = now_unix();
            let echo = match (&input, draft.values.get(&field.key)) {
                // A choice pressed is said back, so the chat shows what was chosen.
                (Input::Callback(Callback::Choice { .. }), Some(value)) => Some(
                    Text::msg("submit-choice-echo")
                        .arg("label", field_label(&field, ctx.locale))
                        .arg("value", shown_value(&field, value, ctx.locale)),
                ),
                _ => None,
            };
            let mut out = ask_field(state, &key, index + 1, false, ctx);
            if let Some(echo) = echo {
                out.effects.insert(0, Effect::Send(Reply::new(echo)));
            }
            out
        }
        Err("stale") => {
            to(state, Step::Fill { key, index }).effect(Effect::Toast(Text::msg("stale-button")))
        }
        Err("field-required") => to(state, Step::Fill { key, index })
            .effect(Effect::Toast(Text::msg("submit-field-required"))),
        Err("unexpected") => ask_field(state, &key, index, true, ctx),
        Err(reason) => to(state, Step::Fill { key, index }).send(Reply::msg(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind, required: bool) -> FormField {
        FormField {
            key: "k".into(),
            label_vi: "Nhãn".into(),
            label_en: "Label".into(),
            kind,
            required,
            options: vec!["Nam".into(), "Nữ".into()],
            options_en: vec!["Male".into(), "Female".into()],
        }
    }

    #[test]
    fn values_parse_by_kind() {
        let text = |s: &str| Input::Text(s.into());
        let set = |s: &str| Ok(Answer::Set(s.into()));
        let date = field(FieldKind::Date, true);
        assert_eq!(
            parse_value(&date, 0, &text("05/01/2026")),
            set("2026-01-05")
        );
        assert_eq!(parse_value(&date, 0, &text("5-1-2026")), set("2026-01-05"));
        assert_eq!(
            parse_value(&date, 0, &text("31/02/2026")),
            Err("invalid-field-date")
        );
        let number = field(FieldKind::Number, true);
        assert_eq!(parse_value(&number, 0, &text("1.500")), set("1500"));
        assert_eq!(parse_value(&number, 0, &text("1 500 000")), set("1500000"));
        assert_eq!(parse_value(&number, 0, &text("007")), set("7"));
        // A decimal comma is not a thousands separator: refused, never read as 1205.
        assert_eq!(
            parse_value(&number, 0, &text("120,5")),
            Err("invalid-field-number")
        );
        assert_eq!(
            parse_value(&number, 0, &text("1,5")),
            Err("invalid-field-number")
        );
        assert_eq!(
            parse_value(&number, 0, &text("12a")),
            Err("invalid-field-number")
        );
        let choice = field(FieldKind::Choice, true);
        let pick = |f: u32, n: u32| Input::Callback(Callback::Choice { field: f, n });
        assert_eq!(parse_value(&choice, 2, &pick(2, 1)), set("Nữ"));
        assert_eq!(parse_value(&choice, 2, &text("nu")), set("Nữ"));
        assert_eq!(parse_value(&choice, 2, &pick(2, 9)), Err("stale"));
        // A button of an earlier question does not answer this one.
        assert_eq!(parse_value(&choice, 2, &pick(1, 1)), Err("stale"));
        assert_eq!(
            parse_value(&choice, 2, &text("khác")),
            Err("invalid-field-choice")
        );
        let text_field = field(FieldKind::Text, true);
        assert_eq!(
            parse_value(&text_field, 0, &text("  Bản Mòng ")),
            set("Bản Mòng")
        );
        assert_eq!(
            parse_value(&text_field, 0, &text(&"x".repeat(501))),
            Err("invalid-field-text")
        );
        let skip = |n: u32| Input::Callback(Callback::SkipField(n));
        assert_eq!(parse_value(&text_field, 0, &skip(0)), Err("field-required"));
        let optional = field(FieldKind::Text, false);
        assert_eq!(parse_value(&optional, 3, &skip(3)), Ok(Answer::Clear));
        assert_eq!(parse_value(&optional, 3, &skip(2)), Err("stale"));
        assert_eq!(
            parse_value(&optional, 3, &Input::Callback(Callback::KeepField(3))),
            Ok(Answer::Keep)
        );
        assert_eq!(
            parse_value(&text_field, 0, &Input::Other),
            Err("unexpected")
        );
    }
}
