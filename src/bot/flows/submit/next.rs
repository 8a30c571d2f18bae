//! The one place that says what a draft asks next: `next(draft, after)` from where the
//! conversation stands, and `go_on` that asks it. The form is gone through in order; then the
//! papers (their checklist first), the delivery, and the review card.

use crate::bot::context::Ctx;
use crate::bot::state::{Draft, State};

use super::ask::{ask_delivery, ask_field, ask_paper, checklist, review, with_checklist};
use super::draft::{Out, find, gone};

/// Where the conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// A new draft, or "Sửa thông tin": the form from its first field.
    Start,
    /// Coming back to a draft (resumed, refused by the portal): the first thing missing.
    Resume,
    /// Form field number `n` was answered, kept or skipped.
    Field(usize),
    /// A paper was received or skipped.
    Paper,
    /// The delivery was chosen.
    Delivery,
}

/// What the draft asks next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Form field number `n`.
    Field(usize),
    /// Paper number `index`; with `checklist`, the list of papers is sent first.
    Paper { index: usize, checklist: bool },
    /// The delivery; with `checklist`, the list of papers is sent first.
    Delivery { checklist: bool },
    /// The review card: save, send, edit, discard.
    Review,
}

/// What comes next for `draft`, after `after`.
pub fn next(draft: &Draft, after: After) -> Next {
    let form = &draft.procedure.form;
    let paper = draft.next_paper();
    let past_form = |from: usize| {
        if from < form.len() {
            return Next::Field(from);
        }
        // Past the last field: back to the review when the rest is done, else on through the
        // papers (their checklist first) and the delivery.
        match paper {
            None if draft.delivery.is_some() => Next::Review,
            Some(index) => Next::Paper {
                index,
                checklist: true,
            },
            None => Next::Delivery {
                checklist: !draft.procedure.papers.is_empty(),
            },
        }
    };
    match after {
        After::Start => past_form(0),
        After::Field(n) => past_form(n + 1),
        After::Resume => {
            let missing_field = form
                .iter()
                .position(|f| f.required && !draft.values.contains_key(&f.key));
            match (missing_field, paper) {
                (Some(n), _) => Next::Field(n),
                (None, Some(index)) => Next::Paper {
                    index,
                    checklist: true,
                },
                (None, None) if draft.delivery.is_none() => Next::Delivery { checklist: false },
                (None, None) => Next::Review,
            }
        }
        // The checklist is edited in place as papers arrive.
        After::Paper => match paper {
            Some(index) => Next::Paper {
                index,
                checklist: false,
            },
            None => Next::Delivery { checklist: false },
        },
        After::Delivery => Next::Review,
    }
}

/// Asks `next` of draft `key`.
pub fn ask(state: State, key: &str, next: Next, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let list = checklist(&state.drafts[i], ctx.locale);
    match next {
        Next::Field(n) => ask_field(state, key, n, false, ctx),
        Next::Paper { index, checklist } => {
            let out = ask_paper(state, key, index, ctx);
            if checklist {
                with_checklist(out, list)
            } else {
                out
            }
        }
        Next::Delivery { checklist } => {
            let out = ask_delivery(state, key);
            if checklist {
                with_checklist(out, list)
            } else {
                out
            }
        }
        Next::Review => review(state, key, ctx),
    }
}

/// Goes on with draft `key` after `after`: what comes next, asked.
pub fn go_on(state: State, key: &str, after: After, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let next = next(&state.drafts[i], after);
    ask(state, key, next, ctx)
}
