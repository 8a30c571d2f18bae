//! The form of the dossier, field by field: each answer parsed by the field's type (text, date,
//! number, choice), kept, skipped or refused with its reason; then on to what comes next.

use chrono::NaiveDate;

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::input::Input;
use crate::bot::reply::{Effect, Reply, Text};
use crate::bot::state::{State, Step};
use crate::db::now_unix;
use crate::domain::fold;
use crate::portal::model::{FieldKind, FormField};

use super::ask::ask_field;
use super::draft::{Out, field_label, find, gone, shown_value, to};
use super::next::{After, go_on};

/// The longest text answer to a form field.
const TEXT_MAX: usize = 500;

/// An answer to a form field.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Set(String),
    /// An optional field skipped: no value.
    Clear,
    /// The value given before stays.
    Keep,
}

/// Why an input does not answer the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// A button of another question, or an option that no longer exists.
    Stale,
    /// "Skip" on a required field.
    Required,
    /// Not an answer at all (a sticker, a document): the question is asked again.
    Unexpected,
    /// Not a valid value of this kind.
    Invalid(FieldKind),
}

impl Refused {
    /// The message that explains a wrong value.
    fn message_id(kind: FieldKind) -> &'static str {
        match kind {
            FieldKind::Text => "invalid-field-text",
            FieldKind::Date => "invalid-field-date",
            FieldKind::Number => "invalid-field-number",
            FieldKind::Choice => "invalid-field-choice",
        }
    }
}

/// Parses an answer to form field number `index`. Buttons of another question are stale.
fn parse_value(field: &FormField, index: usize, input: &Input) -> Result<Answer, Refused> {
    let this = |n: &u32| *n as usize == index;
    let invalid = Refused::Invalid(field.kind);
    match (field.kind, input) {
        (_, Input::Callback(Callback::SkipField(n))) if this(n) && !field.required => {
            Ok(Answer::Clear)
        }
        (_, Input::Callback(Callback::SkipField(n))) if this(n) => Err(Refused::Required),
        (_, Input::Callback(Callback::KeepField(n))) if this(n) => Ok(Answer::Keep),
        (FieldKind::Choice, Input::Callback(Callback::Choice { field: f, n })) if this(f) => field
            .options
            .get(*n as usize)
            .cloned()
            .map(Answer::Set)
            .ok_or(Refused::Stale),
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
            .ok_or(invalid),
        (FieldKind::Text, Input::Text(t)) => {
            let t = t.trim();
            if t.is_empty()
                || t.chars().count() > TEXT_MAX
                || t.chars().any(|c| c.is_control() && c != '\n')
            {
                Err(invalid)
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
                .ok_or(invalid)
        }
        (FieldKind::Number, Input::Text(t)) => whole_number(t).map(Answer::Set).ok_or(invalid),
        (_, Input::Callback(_)) => Err(Refused::Stale),
        _ => Err(Refused::Unexpected),
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
        return go_on(state, &key, After::Field(index), ctx);
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
                Answer::Keep => {
                    // "Giữ nguyên" on a value offered from the account takes it.
                    if let Some(offered) = draft.prefilled.get(&field.key).cloned() {
                        draft.values.entry(field.key.clone()).or_insert(offered);
                    }
                }
            }
            draft.prefilled.remove(&field.key);
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
            let mut out = go_on(state, &key, After::Field(index), ctx);
            if let Some(echo) = echo {
                out.effects.insert(0, Effect::Send(Reply::new(echo)));
            }
            out
        }
        Err(Refused::Stale) => {
            to(state, Step::Fill { key, index }).effect(Effect::Toast(Text::msg("stale-button")))
        }
        Err(Refused::Required) => to(state, Step::Fill { key, index })
            .effect(Effect::Toast(Text::msg("submit-field-required"))),
        Err(Refused::Unexpected) => ask_field(state, &key, index, true, ctx),
        Err(Refused::Invalid(kind)) => {
            to(state, Step::Fill { key, index }).send(Reply::msg(Refused::message_id(kind)))
        }
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
            prefill: None,
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
            Err(Refused::Invalid(FieldKind::Date))
        );
        let number = field(FieldKind::Number, true);
        assert_eq!(parse_value(&number, 0, &text("1.500")), set("1500"));
        assert_eq!(parse_value(&number, 0, &text("1 500 000")), set("1500000"));
        assert_eq!(parse_value(&number, 0, &text("007")), set("7"));
        // A decimal comma is not a thousands separator: refused, never read as 1205.
        assert_eq!(
            parse_value(&number, 0, &text("120,5")),
            Err(Refused::Invalid(FieldKind::Number))
        );
        assert_eq!(
            parse_value(&number, 0, &text("1,5")),
            Err(Refused::Invalid(FieldKind::Number))
        );
        assert_eq!(
            parse_value(&number, 0, &text("12a")),
            Err(Refused::Invalid(FieldKind::Number))
        );
        let choice = field(FieldKind::Choice, true);
        let pick = |f: u32, n: u32| Input::Callback(Callback::Choice { field: f, n });
        assert_eq!(parse_value(&choice, 2, &pick(2, 1)), set("Nữ"));
        assert_eq!(parse_value(&choice, 2, &text("nu")), set("Nữ"));
        assert_eq!(parse_value(&choice, 2, &pick(2, 9)), Err(Refused::Stale));
        // A button of an earlier question does not answer this one.
        assert_eq!(parse_value(&choice, 2, &pick(1, 1)), Err(Refused::Stale));
        assert_eq!(
            parse_value(&choice, 2, &text("khác")),
            Err(Refused::Invalid(FieldKind::Choice))
        );
        let text_field = field(FieldKind::Text, true);
        assert_eq!(
            parse_value(&text_field, 0, &text("  Bản Mòng ")),
            set("Bản Mòng")
        );
        assert_eq!(
            parse_value(&text_field, 0, &text(&"x".repeat(501))),
            Err(Refused::Invalid(FieldKind::Text))
        );
        let skip = |n: u32| Input::Callback(Callback::SkipField(n));
        assert_eq!(
            parse_value(&text_field, 0, &skip(0)),
            Err(Refused::Required)
        );
        let optional = field(FieldKind::Text, false);
        assert_eq!(parse_value(&optional, 3, &skip(3)), Ok(Answer::Clear));
        assert_eq!(parse_value(&optional, 3, &skip(2)), Err(Refused::Stale));
        assert_eq!(
            parse_value(&optional, 3, &Input::Callback(Callback::KeepField(3))),
            Ok(Answer::Keep)
        );
        assert_eq!(
            parse_value(&text_field, 0, &Input::Other),
            Err(Refused::Unexpected)
        );
    }
}
