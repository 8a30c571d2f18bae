//! "Nộp hồ sơ" (seed III): login check, the form field by field, the papers one by one with a
//! checklist that updates itself, delivery of the result, the review card, "Lưu nháp" (save at
//! the portal) and "Gửi hồ sơ" (send). Drafts live in the dialogue state until the portal has
//! accepted them; saving and sending carry idempotency keys derived from the draft, so a double
//! tap, a retry or a restart makes one dossier with one code.

use chrono::NaiveDate;
use rand::Rng;

use crate::db::now_unix;
use crate::domain::{Address, fold};
use crate::i18n::{Locale, format_date};
use crate::portal::client::{PortalError, Upload};
use crate::portal::model::{
    CreateDraft, Delivery, Dossier, FieldKind, FormField, Paper, UpdateDraft,
};

use super::super::callback::{AccountAction, Callback};
use super::super::reply::{Effect, Keyboard, Outcome, Reply, Text};
use super::super::state::{Draft, State, Step};
use super::papers::start_papers;
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
    let intro =
        Reply::new(Text::msg("submit-intro").arg("procedure", procedure_name(&draft, ctx.locale)))
            .with(Keyboard::Remove);
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
async fn refresh_procedure(draft: &mut Draft, ctx: &Ctx<'_>) {
    let code = draft.procedure.summary.code.clone();
    match ctx.services.portal.procedure(&code).await {
        Ok(procedure) => draft.procedure = procedure,
        Err(error) => tracing::info!(%error, "going on with the draft's copy of the procedure"),
    }
}

/// Asks form field `index`, or goes on to the papers after the last one. A value already
/// given (going over the form again) is shown with a button to keep it.
fn ask_field(state: State, key: &str, index: usize, again: bool, ctx: &Ctx<'_>) -> Out {
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
        rows.extend(field.options.iter().enumerate().map(|(option, label)| {
            vec![(
                Text::literal(label.as_str()),
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
            .arg("value", shown_value(field, current));
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
            .find(|o| fold(o) == fold(t))
            .cloned()
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
            ask_field(state, &key, index + 1, false, ctx)
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

/// The portal's id of this draft, created there (once, by idempotency key) if needed.
pub(super) async fn ensure_created(
    draft: &mut Draft,
    token: &str,
    ctx: &Ctx<'_>,
) -> Result<i64, PortalError> {
    if let Some(id) = draft.portal_id {
        return Ok(id);
    }
    let request = CreateDraft {
        procedure_code: draft.procedure.summary.code.clone(),
        values: draft.values.clone(),
        delivery: draft.delivery.clone(),
    };
    let created = ctx
        .services
        .portal
        .create_draft(token, &request, Some(&draft.create_key()))
        .await?;
    draft.portal_id = Some(created.id);
    Ok(created.id)
}

/// Brings the portal's copy up to date: created, values and delivery, every paper uploaded.
async fn sync(draft: &mut Draft, token: &str, ctx: &Ctx<'_>) -> Result<i64, PortalError> {
    let fresh = draft.portal_id.is_none();
    let id = ensure_created(draft, token, ctx).await?;
    if !fresh {
        let update = UpdateDraft {
            values: draft.values.clone(),
            delivery: draft.delivery.clone(),
        };
        ctx.services
            .portal
            .update_draft(token, &id.to_string(), &update)
            .await?;
    }
    for n in 0..draft.papers.len() {
        if draft.papers[n].portal_document.is_some() {
            continue;
        }
        let bytes = ctx
            .services
            .files
            .download(&draft.papers[n].file_id)
            .await
            .map_err(PortalError::Unreachable)?;
        let file = draft.papers[n].clone();
        let upload = Upload {
            paper_code: file.paper_code,
            file_name: file.file_name,
            mime: file.mime,
            bytes,
        };
        let document = ctx
            .services
            .portal
            .upload(token, &id.to_string(), upload)
            .await?;
        draft.papers[n].portal_document = Some(document.id);
    }
    Ok(id)
}

pub(super) fn ask_delivery(state: State, key: &str) -> Out {
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

/// Online, or by post (then the address is asked).
pub async fn receive_delivery(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    match input {
        Input::Callback(Callback::Deliver {
            key: k,
            online: true,
        }) if k == key => {
            state.drafts[i].delivery = Some(Delivery::Online);
            review(state, &key, ctx)
        }
        Input::Callback(Callback::Deliver {
            key: k,
            online: false,
        }) if k == key => {
            to(state, Step::PostAddress { key }).send(Reply::msg("submit-ask-post-address"))
        }
        Input::Callback(_) => {
            to(state, Step::Delivery { key }).effect(Effect::Toast(Text::msg("stale-button")))
        }
        _ => ask_delivery(state, &key),
    }
}

/// The postal address for the result.
pub async fn receive_address(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let text = match input {
        Input::Text(text) => text,
        // The delivery buttons are still there: choosing again (online, say) is honoured.
        input @ Input::Callback(Callback::Deliver { .. }) => {
            return receive_delivery(state, key, input, ctx).await;
        }
        _ => {
            return to(state, Step::PostAddress { key })
                .send(Reply::msg("submit-ask-post-address"));
        }
    };
    let address = match Address::parse(&text) {
        Ok(a) => a,
        Err(invalid) => {
            return to(state, Step::PostAddress { key }).send(Reply::msg(&invalid.message_id()));
        }
    };
    state.drafts[i].delivery = Some(Delivery::Post {
        address: address.into(),
    });
    review(state, &key, ctx)
}

fn shown_value(field: &FormField, value: &str) -> String {
    match field.kind {
        FieldKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(format_date)
            .unwrap_or_else(|_| value.to_owned()),
        _ => value.to_owned(),
    }
}

/// The review card: everything at a glance, with "Lưu nháp" and "Gửi hồ sơ".
fn review(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    let draft = &state.drafts[i];
    let values: Vec<String> = draft
        .procedure
        .form
        .iter()
        .filter_map(|f| {
            draft
                .values
                .get(&f.key)
                .map(|v| format!("• {}: {}", field_label(f, ctx.locale), shown_value(f, v)))
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
    let text = Text::msg("submit-review")
        .arg("procedure", procedure_name(draft, ctx.locale))
        .arg(
            "values",
            if values.is_empty() {
                "—".into()
            } else {
                values.join("\n")
            },
        )
        .arg(
            "papers",
            if papers.is_empty() {
                "—".into()
            } else {
                papers.join("\n")
            },
        )
        .arg("delivery", delivery)
        .arg("address", address);
    let keyboard = Keyboard::Inline(vec![
        vec![(
            Text::msg("button-save-draft"),
            Callback::SaveDraft(key.to_owned()),
        )],
        vec![(
            Text::msg("button-send"),
            Callback::SendDraft(key.to_owned()),
        )],
        vec![
            (
                Text::msg("button-edit-draft"),
                Callback::EditDraft(key.to_owned()),
            ),
            (
                Text::msg("button-discard-draft"),
                Callback::DiscardDraft(key.to_owned()),
            ),
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

pub(super) fn portal_down(state: State, step: Step, error: &PortalError) -> Out {
    tracing::warn!(%error, "portal unavailable during submission");
    to(state, step).send(Reply::msg("submit-portal-down"))
}

/// The portal no longer accepts the session: log in again and come back to this procedure.
async fn session_expired(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    ctx.forget_session().await;
    state.resume = find(&state, key).map(|i| state.drafts[i].procedure.summary.code.clone());
    to(state, Step::Idle).send(Reply::msg("submit-session-expired").with(login_buttons()))
}

/// "Sửa": the form again from its first field, each value shown with a button to keep it.
pub async fn edit(state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    if find(&state, key).is_none() {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    }
    ask_field(state, key, 0, false, ctx)
}

/// "Xoá nháp": the draft leaves the chat. A copy saved at the portal stays there (the portal
/// keeps drafts until they are sent) and is listed under "Hồ sơ nháp".
pub fn discard(mut state: State, key: &str) -> Out {
    let Some(i) = find(&state, key) else {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let draft = state.drafts.remove(i);
    state.checklist_message = None;
    let saved = if draft.portal_id.is_some() {
        "yes"
    } else {
        "no"
    };
    to(state, Step::Idle)
        .send(Reply::new(Text::msg("draft-discarded").arg("saved", saved)).with(main_menu()))
}

/// "Lưu nháp": the draft is saved at the portal (Thêm mới) and stays here to go on with.
pub async fn save(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let Some(token) = ctx.session() else {
        return session_expired(state, key, ctx).await;
    };
    let step = Step::Review {
        key: key.to_owned(),
    };
    match sync(&mut state.drafts[i], &token, ctx).await {
        Ok(_) => to(state, step).send(Reply::msg("draft-saved")),
        Err(PortalError::Unauthorized) => session_expired(state, key, ctx).await,
        Err(error) => {
            tracing::warn!(%error, "draft kept in the chat only");
            to(state, step).send(Reply::msg("draft-kept-offline"))
        }
    }
}

/// "Gửi hồ sơ": saved, then submitted with the draft's idempotency key; the code comes back.
pub async fn send(mut state: State, key: &str, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, key) else {
        // Already sent (a double tap): its code again, nothing sent twice.
        if let Some((_, code)) = state.sent.iter().find(|(k, _)| k == key) {
            let text = Text::msg("submit-already-sent").arg("code", code.as_str());
            return Outcome::new(state).effect(Effect::Toast(text));
        }
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let Some(token) = ctx.session() else {
        return session_expired(state, key, ctx).await;
    };
    let here = Step::Review {
        key: key.to_owned(),
    };
    let saved = state.drafts[i].portal_id;
    let id = match sync(&mut state.drafts[i], &token, ctx).await {
        Ok(id) => id,
        // No longer a draft there: sent before and the answer lost (a restart, a timeout). The
        // submit below carries the same key, so the portal answers with that dossier.
        Err(PortalError::Conflict { .. }) if saved.is_some() => saved.unwrap_or_default(),
        Err(PortalError::Unauthorized) => return session_expired(state, key, ctx).await,
        Err(error @ PortalError::Invalid { .. }) => {
            refresh_procedure(&mut state.drafts[i], ctx).await;
            return missing(state, key, &error, ctx);
        }
        Err(error) => return portal_down(state, here, &error),
    };
    let submit_key = state.drafts[i].submit_key();
    match ctx
        .services
        .portal
        .submit(&token, &id.to_string(), &submit_key)
        .await
    {
        Ok(dossier) => submitted(state, key, &dossier),
        Err(PortalError::Unauthorized) => session_expired(state, key, ctx).await,
        Err(error @ PortalError::Invalid { .. }) => {
            refresh_procedure(&mut state.drafts[i], ctx).await;
            missing(state, key, &error, ctx)
        }
        Err(error) => portal_down(state, here, &error),
    }
}

fn submitted(mut state: State, key: &str, dossier: &Dossier) -> Out {
    state.drafts.retain(|d| d.key != key);
    state.checklist_message = None;
    let code = dossier
        .code
        .clone()
        .unwrap_or_else(|| dossier.id.to_string());
    state.remember_sent(key, &code);
    let due = dossier
        .due_date
        .map(format_date)
        .unwrap_or_else(|| "—".into());
    let text = Text::msg("submit-done")
        .arg("code", code.as_str())
        .arg("procedure", dossier.procedure_name.as_str())
        .arg("due", due);
    tracing::info!(dossier = %code, "dossier submitted");
    to(state, Step::Idle).send(Reply::new(text).with(main_menu()))
}

/// The portal refused the submission for missing items: name them and go to the first.
fn missing(state: State, key: &str, error: &PortalError, ctx: &Ctx<'_>) -> Out {
    let PortalError::Invalid {
        message, missing, ..
    } = error
    else {
        return review(state, key, ctx);
    };
    let Some(i) = find(&state, key) else {
        return gone(state);
    };
    // Named in the citizen's language from the procedure, the portal's wording as a fallback.
    let draft = &state.drafts[i];
    let names: Vec<String> = missing
        .iter()
        .map(|m| {
            let field = draft.procedure.form.iter().find(|f| f.key == m.code);
            let paper = draft.procedure.papers.iter().find(|p| p.code == m.code);
            let name = match (m.kind.as_str(), field, paper) {
                ("field", Some(f), _) => field_label(f, ctx.locale),
                ("paper", _, Some(p)) => paper_name(p, ctx.locale),
                _ => m.name.as_str(),
            };
            format!("• {name}")
        })
        .collect();
    let listed = if names.is_empty() {
        message.clone()
    } else {
        names.join("\n")
    };
    let notice = Reply::new(Text::msg("submit-missing").arg("items", listed));
    let draft = &state.drafts[i];
    let first_field = missing
        .iter()
        .filter(|m| m.kind == "field")
        .find_map(|m| draft.procedure.form.iter().position(|f| f.key == m.code));
    let mut out = match first_field {
        Some(index) => ask_field(state, key, index, false, ctx),
        None => {
            let mut state = state;
            // A required paper the portal lacks: ask it again.
            for m in missing.iter().filter(|m| m.kind == "paper") {
                state.drafts[i].papers.retain(|p| p.paper_code != m.code);
                state.drafts[i].skipped.retain(|c| c != &m.code);
            }
            start_papers(state, key, ctx)
        }
    };
    out.effects.insert(0, Effect::Send(notice));
    out
}

/// "Hồ sơ nháp": drafts in the chat, and those saved at the portal from elsewhere.
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
