//! "Hồ sơ của tôi" (`/mydossiers`): the citizen's dossiers counted per status group, as the
//! portal's "Theo dõi hồ sơ" tabs (then drafts, withdrawn, rejected), each group a paged list
//! whose entries open the dossier's card.

use crate::i18n::format_date;
use crate::portal::model::{Dossier, DossierStatus};

use super::shared::{GROUPS, Out, call, code_of, failed, status_id, token};
use crate::bot::callback::{Callback, DossierAction};
use crate::bot::context::Ctx;
use crate::bot::reply::{Arg, Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::{State, Step};

/// Dossiers on one page of a group.
pub const PAGE_SIZE: usize = 5;
/// Longest procedure name on a button, in characters.
const BUTTON_NAME_CHARS: usize = 32;

async fn mine(ctx: &Ctx<'_>) -> Result<Vec<Dossier>, super::shared::Failure> {
    let token = token(ctx)?;
    call(ctx.services.portal.my_dossiers(&token, None)).await
}

/// The groups with their counts, as buttons; `edit`: in place of the pressed message.
pub async fn groups(state: State, edit: bool, ctx: &Ctx<'_>) -> Out {
    let state = State {
        step: Step::Idle,
        ..state
    };
    let dossiers = match mine(ctx).await {
        Ok(d) => d,
        Err(failure) => return failed(state, failure, ctx).await,
    };
    let count = |status: DossierStatus| dossiers.iter().filter(|d| d.status == status).count();
    let button = |i: usize, status: DossierStatus| {
        (
            Text::msg("mydossiers-group-button")
                .arg("status", Arg::msg(status_id(status)))
                .arg("count", count(status) as i64),
            Callback::MyGroup {
                group: i as u32,
                page: 0,
            },
        )
    };
    let drafts = count(DossierStatus::Draft) + state.drafts.len();
    let mut buttons: Vec<(Text, Callback)> = GROUPS[..8]
        .iter()
        .enumerate()
        .map(|(i, s)| button(i, *s))
        .collect();
    buttons.push((
        Text::msg("button-drafts").arg("count", drafts as i64),
        Callback::Drafts,
    ));
    buttons.extend(
        GROUPS
            .iter()
            .enumerate()
            .skip(8)
            .map(|(i, s)| button(i, *s)),
    );
    let rows: Vec<Vec<(Text, Callback)>> = buttons.chunks(2).map(<[_]>::to_vec).collect();
    let total = dossiers.len() - count(DossierStatus::Draft);
    let reply = Reply::new(Text::msg("mydossiers-groups").arg("count", total as i64))
        .with(Keyboard::Inline(rows));
    let effect = if edit {
        Effect::EditOrigin(reply)
    } else {
        Effect::Send(reply)
    };
    Outcome::new(state).effect(effect)
}

/// Page `page` of group number `group`, edited in place of the pressed message.
pub async fn group(state: State, group: u32, page: u32, ctx: &Ctx<'_>) -> Out {
    let state = State {
        step: Step::Idle,
        ..state
    };
    let Some(status) = GROUPS.get(group as usize).copied() else {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let dossiers: Vec<Dossier> = match mine(ctx).await {
        Ok(d) => d.into_iter().filter(|d| d.status == status).collect(),
        Err(failure) => return failed(state, failure, ctx).await,
    };
    let pages = dossiers.len().div_ceil(PAGE_SIZE).max(1);
    let page = (page as usize).min(pages - 1);
    let shown = dossiers.iter().skip(page * PAGE_SIZE).take(PAGE_SIZE);
    let mut rows: Vec<Vec<(Text, Callback)>> = Vec::new();
    let mut lines = Vec::new();
    for d in shown {
        let Some(code) = code_of(d) else { continue };
        let due = d.due_date.map(format_date).unwrap_or_else(|| "—".into());
        lines.push(format!(
            "• {} — {} ({due})",
            code.as_str(),
            d.procedure_name
        ));
        let name: String = d.procedure_name.chars().take(BUTTON_NAME_CHARS).collect();
        rows.push(vec![(
            Text::literal(format!("{} · {name}", code.as_str())),
            Callback::Dossier(DossierAction::Open, code),
        )]);
    }
    let mut nav = Vec::new();
    if page > 0 {
        nav.push((
            Text::msg("button-previous"),
            Callback::MyGroup {
                group,
                page: page as u32 - 1,
            },
        ));
    }
    if page + 1 < pages {
        nav.push((
            Text::msg("button-next"),
            Callback::MyGroup {
                group,
                page: page as u32 + 1,
            },
        ));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows.push(vec![(
        Text::msg("button-my-dossiers"),
        Callback::MyDossiers,
    )]);
    let mut text = Text::msg("mydossiers-group-title")
        .arg("status", Arg::msg(status_id(status)))
        .arg("count", dossiers.len() as i64)
        .arg("page", (page + 1) as i64)
        .arg("pages", pages as i64);
    if !lines.is_empty() {
        text = text.then_literal(lines.join("\n"));
    }
    Outcome::new(state).effect(Effect::EditOrigin(
        Reply::new(text).with(Keyboard::Inline(rows)),
    ))
}
