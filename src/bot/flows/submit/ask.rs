//! The questions of the flow, each rendered for a draft: a form field, the papers' checklist
//! and the next paper, the delivery, and the review card. Which one comes next is decided in
//! `next.rs` alone; these only say it.

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::reply::{Effect, Keyboard, Reply, Text};
use crate::bot::state::{Draft, State, Step};
use crate::i18n::Locale;
use crate::portal::model::{Delivery, FieldKind};

use super::draft::{
    Out, field_label, find, gone, option_label, paper_name, procedure_name, shown_value, to,
};

/// Asks form field `index`; with `again`, says first that the last answer was not expected.
/// A value already given (going over the form again) is shown with a button to keep it.
pub fn ask_field(state: State, key: &str, index: usize, again: bool, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let draft = &state.drafts[i];
    let form = &draft.procedure.form;
    let Some(field) = form.get(index) else {
        // The procedure lost that field since: the review shows what there is.
        return review(state, key, ctx);
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
    // An answer given before, or else the value from the citizen's own account.
    let current = match draft.values.get(&field.key) {
        Some(value) => Some(("submit-current-value", value)),
        None => draft
            .prefilled
            .get(&field.key)
            .map(|value| ("submit-prefilled-value", value)),
    };
    if let Some((message, current)) = current {
        text = text
            .then(message)
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

/// The papers of the draft, ✅ received, ➖ skipped, ⬜ still to send (`*` required).
pub fn checklist(draft: &Draft, locale: Locale) -> Reply {
    let lines: Vec<String> = draft
        .procedure
        .papers
        .iter()
        .map(|p| {
            let mark = if draft.has_paper(&p.code) {
                "✅"
            } else if draft.skipped.contains(&p.code) {
                "➖"
            } else {
                "⬜"
            };
            format!(
                "{mark} {}{}",
                paper_name(p, locale),
                if p.required { " *" } else { "" }
            )
        })
        .collect();
    Reply::new(Text::msg("submit-checklist").arg("papers", lines.join("\n")))
}

/// Asks for paper number `index` of the procedure ("skip" for an optional one).
pub fn ask_paper(state: State, key: &str, index: usize, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let Some(paper) = state.drafts[i].procedure.papers.get(index) else {
        return review(state, key, ctx);
    };
    let text = Text::msg("submit-ask-paper")
        .arg("paper", paper_name(paper, ctx.locale))
        .arg("types", type_names(paper))
        .arg("max_mb", megabytes(paper.max_bytes))
        .arg("required", if paper.required { "yes" } else { "no" });
    // With other optional papers still to come, one tap skips them all.
    let draft = &state.drafts[i];
    let optional_left = draft
        .procedure
        .papers
        .iter()
        .filter(|p| !p.required && !draft.has_paper(&p.code) && !draft.skipped.contains(&p.code))
        .count();
    let keyboard = if paper.required {
        Keyboard::None
    } else {
        let mut rows = vec![vec![(
            Text::msg("button-skip"),
            Callback::SkipPaper(index as u32),
        )]];
        if optional_left > 1 {
            rows.push(vec![(
                Text::msg("button-skip-optional").arg("count", optional_left as i64),
                Callback::SkipOptionalPapers,
            )]);
        }
        Keyboard::Inline(rows)
    };
    to(
        state,
        Step::Papers {
            key: key.to_owned(),
        },
    )
    .send(Reply::new(text).with(keyboard))
}

pub use crate::bot::flows::paper_check::{megabytes, type_names};

/// Online, or by post.
pub fn ask_delivery(state: State, key: &str) -> Out {
    to(
        state,
        Step::Delivery {
            key: key.to_owned(),
        },
    )
    .send(
        Reply::msg("submit-ask-delivery").with(Keyboard::Inline(vec![
            vec![(
                Text::msg("delivery-online"),
                Callback::Deliver {
                    key: key.to_owned(),
                    online: true,
                },
            )],
            vec![(
                Text::msg("delivery-post"),
                Callback::Deliver {
                    key: key.to_owned(),
                    online: false,
                },
            )],
        ])),
    )
}

/// The review card: everything at a glance, with "Lưu nháp" and "Gửi hồ sơ".
pub fn review(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let draft = &state.drafts[i];
    let values: Vec<String> = draft
        .procedure
        .form
        .iter()
        .filter_map(|f| {
            draft.values.get(&f.key).map(|v| {
                format!(
                    "• {}: {}",
                    field_label(f, ctx.locale),
                    shown_value(f, v, ctx.locale)
                )
            })
        })
        .collect();
    let papers: Vec<String> = draft
        .procedure
        .papers
        .iter()
        .filter_map(|p| {
            let got = draft.papers.iter().find(|f| f.paper_code == p.code)?;
            Some(format!(
                "✅ {} ({})",
                paper_name(p, ctx.locale),
                got.file_name
            ))
        })
        .collect();
    let (delivery, address) = match &draft.delivery {
        Some(Delivery::Post { address }) => ("post", address.clone()),
        _ => ("online", String::new()),
    };
    let or_dash = |lines: Vec<String>| {
        if lines.is_empty() {
            "—".to_owned()
        } else {
            lines.join("\n")
        }
    };
    let text = Text::msg("submit-review")
        .arg("procedure", procedure_name(draft, ctx.locale))
        .arg("values", or_dash(values))
        .arg("papers", or_dash(papers))
        .arg("delivery", delivery)
        .arg("address", address);
    let button = |id: &str, cb: fn(String) -> Callback| (Text::msg(id), cb(key.to_owned()));
    let keyboard = Keyboard::Inline(vec![
        vec![button("button-save-draft", Callback::SaveDraft)],
        vec![button("button-send", Callback::SendDraft)],
        vec![
            button("button-edit-draft", Callback::EditDraft),
            button("button-discard-draft", Callback::DiscardDraft),
        ],
    ]);
    to(
        state,
        Step::Review {
            key: key.to_owned(),
        },
    )
    .send(Reply::new(text).with(keyboard))
}

/// Sends the checklist before what `out` says (entering the papers).
pub fn with_checklist(mut out: Out, list: Reply) -> Out {
    out.effects.insert(0, Effect::SendChecklist(list));
    out
}

#[cfg(test)]
mod tests {
    use super::megabytes;

    #[test]
    fn megabytes_read_naturally() {
        assert_eq!(megabytes(5 * 1024 * 1024), "5");
        assert_eq!(megabytes(1536 * 1024), "1,5");
    }
}
