//! "Dịch vụ công" (`/procedures`): the catalogue by field (lĩnh vực) in paged inline keyboards
//! edited in place, search by typed words (the portal ignores diacritics and case), and a
//! procedure's card with "Nộp hồ sơ".

use crate::i18n::{Locale, format_money};
use crate::portal::model::{OnlineLevel, Procedure, ProcedureSummary};

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::menu::main_menu;
use crate::bot::reply::{Arg, Effect, Keyboard, Outcome, Reply, Text};
use crate::bot::state::{State, Step};

/// Buttons per page of a list.
const PAGE_SIZE: usize = 6;
/// Longest button label before it is cut (Telegram shows about this much on a phone).
const LABEL_MAX: usize = 48;
/// Shortest search.
const QUERY_MIN: usize = 2;

fn failed(state: State, error: &crate::portal::client::PortalError) -> Outcome<State> {
    tracing::warn!(%error, "catalogue unavailable");
    Outcome::new(State {
        step: Step::Idle,
        ..state
    })
    .send(Reply::msg("error-portal-unreachable").with(main_menu()))
}

/// A button label: cut with an ellipsis if long.
fn label(s: &str) -> Text {
    if s.chars().count() <= LABEL_MAX {
        Text::literal(s)
    } else {
        Text::literal(format!(
            "{}…",
            s.chars().take(LABEL_MAX - 1).collect::<String>()
        ))
    }
}

fn name(p: &ProcedureSummary, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &p.name_vi,
        Locale::En => &p.name_en,
    }
}

/// A field's (lĩnh vực) name in the chat's language, where the catalogue has it.
fn field_name(vi: &str, en: Option<&str>, locale: Locale) -> String {
    match (locale, en) {
        (Locale::En, Some(en)) => en.to_owned(),
        _ => vi.to_owned(),
    }
}

/// Previous / next buttons for page `page` of `total` items.
fn pager(page: u32, total: usize, to: impl Fn(u32) -> Callback) -> Vec<(Text, Callback)> {
    let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
    let mut row = Vec::new();
    if page > 0 {
        row.push((Text::msg("button-previous"), to(page - 1)));
    }
    if page.saturating_add(1) < pages {
        row.push((Text::msg("button-next"), to(page + 1)));
    }
    row
}

fn page_of<T>(items: &[T], page: u32) -> &[T] {
    let start = (page as usize).saturating_mul(PAGE_SIZE).min(items.len());
    &items[start..(start + PAGE_SIZE).min(items.len())]
}

/// `/procedures` or the menu button: the fields, as a new message.
pub async fn open(state: State, ctx: &Ctx<'_>) -> Outcome<State> {
    match fields_reply(0, ctx).await {
        Ok(reply) => Outcome::new(State {
            step: Step::Procedures { query: None },
            ..state
        })
        .send(Reply::msg("procedures-search-hint"))
        .send(reply),
        Err(error) => failed(state, &error),
    }
}

async fn fields_reply(
    page: u32,
    ctx: &Ctx<'_>,
) -> Result<Reply, crate::portal::client::PortalError> {
    let fields = ctx.services.portal.fields().await?;
    let mut rows: Vec<Vec<(Text, Callback)>> = page_of(&fields, page)
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let index = page
                .saturating_mul(PAGE_SIZE as u32)
                .saturating_add(i as u32);
            vec![(
                label(&format!(
                    "{} ({})",
                    field_name(&f.field, f.field_en.as_deref(), ctx.locale),
                    f.count
                )),
                Callback::Field { index, page: 0 },
            )]
        })
        .collect();
    let nav = pager(page, fields.len(), Callback::FieldsPage);
    if !nav.is_empty() {
        rows.push(nav);
    }
    Ok(Reply::new(Text::msg("procedures-fields")).with(Keyboard::Inline(rows)))
}

/// A page of the fields list, edited in place.
pub async fn fields_page(state: State, page: u32, ctx: &Ctx<'_>) -> Outcome<State> {
    match fields_reply(page, ctx).await {
        Ok(reply) => Outcome::new(State {
            step: Step::Procedures { query: None },
            ..state
        })
        .effect(Effect::EditOrigin(reply)),
        Err(error) => failed(state, &error),
    }
}

/// The procedures of one field, a page at a time, edited in place.
pub async fn field_page(state: State, index: u32, page: u32, ctx: &Ctx<'_>) -> Outcome<State> {
    let portal = &ctx.services.portal;
    let fields = match portal.fields().await {
        Ok(f) => f,
        Err(error) => return failed(state, &error),
    };
    let Some(field) = fields.get(index as usize) else {
        return Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")));
    };
    let list = match portal.procedures(None, Some(&field.field)).await {
        Ok(l) => l,
        Err(error) => return failed(state, &error),
    };
    let text = Text::msg("procedures-in-field").arg(
        "field",
        field_name(&field.field, field.field_en.as_deref(), ctx.locale),
    );
    let reply = list_reply(
        text,
        &list,
        page,
        |p| Callback::Field { index, page: p },
        ctx.locale,
    );
    Outcome::new(State {
        step: Step::Procedures { query: None },
        ..state
    })
    .effect(Effect::EditOrigin(reply))
}

fn list_reply(
    text: Text,
    list: &[ProcedureSummary],
    page: u32,
    to: impl Fn(u32) -> Callback,
    locale: Locale,
) -> Reply {
    let mut rows: Vec<Vec<(Text, Callback)>> = page_of(list, page)
        .iter()
        .map(|p| vec![(label(name(p, locale)), Callback::Procedure(p.code.clone()))])
        .collect();
    let nav = pager(page, list.len(), to);
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows.push(vec![(Text::msg("button-fields"), Callback::FieldsPage(0))]);
    Reply::new(text).with(Keyboard::Inline(rows))
}

/// Typed words: a search, answered as a new message.
pub async fn search(state: State, query: &str, ctx: &Ctx<'_>) -> Outcome<State> {
    let query = query.trim();
    if query.chars().count() < QUERY_MIN {
        return Outcome::new(State {
            step: Step::Procedures { query: None },
            ..state
        })
        .send(Reply::msg("procedures-query-short"));
    }
    let next = State {
        step: Step::Procedures {
            query: Some(query.to_owned()),
        },
        ..state
    };
    match search_reply(query, 0, ctx).await {
        Ok(reply) => Outcome::new(next).send(reply),
        Err(error) => failed(next, &error),
    }
}

/// Another page of the last search, edited in place.
pub async fn search_page(state: State, query: String, page: u32, ctx: &Ctx<'_>) -> Outcome<State> {
    let result = search_reply(&query, page, ctx).await;
    let next = State {
        step: Step::Procedures { query: Some(query) },
        ..state
    };
    match result {
        Ok(reply) => Outcome::new(next).effect(Effect::EditOrigin(reply)),
        Err(error) => failed(next, &error),
    }
}

async fn search_reply(
    query: &str,
    page: u32,
    ctx: &Ctx<'_>,
) -> Result<Reply, crate::portal::client::PortalError> {
    let list = ctx.services.portal.procedures(Some(query), None).await?;
    if list.is_empty() {
        return Ok(
            Reply::new(Text::msg("procedures-none").arg("query", query)).with(Keyboard::Inline(
                vec![vec![(Text::msg("button-fields"), Callback::FieldsPage(0))]],
            )),
        );
    }
    let text = Text::msg("procedures-found")
        .arg("query", query)
        .arg("count", list.len() as i64);
    Ok(list_reply(
        text,
        &list,
        page,
        Callback::SearchPage,
        ctx.locale,
    ))
}

/// A procedure's card, edited in place of the list.
pub async fn card(state: State, code: &str, ctx: &Ctx<'_>) -> Outcome<State> {
    match ctx.services.portal.procedure(code).await {
        Ok(procedure) => {
            // Opened from a search: its results stay one tap away.
            let from_search = matches!(state.step, Step::Procedures { query: Some(_) });
            let reply = card_reply(&procedure, from_search, ctx.locale);
            Outcome::new(state).effect(Effect::EditOrigin(reply))
        }
        Err(crate::portal::client::PortalError::NotFound) => {
            Outcome::new(state).effect(Effect::Toast(Text::msg("stale-button")))
        }
        Err(error) => failed(state, &error),
    }
}

/// The card's text: what the procedure is, costs, takes and needs.
pub fn card_text(p: &Procedure, locale: Locale) -> Text {
    let s = &p.summary;
    let papers: Vec<String> = p
        .papers
        .iter()
        .map(|paper| {
            let n = if locale == Locale::Vi {
                &paper.name_vi
            } else {
                &paper.name_en
            };
            format!("{} {}", if paper.required { "•*" } else { "•" }, n)
        })
        .collect();
    let fields: Vec<String> = p
        .form
        .iter()
        .map(|f| {
            let n = if locale == Locale::Vi {
                &f.label_vi
            } else {
                &f.label_en
            };
            format!("{} {n}", if f.required { "•*" } else { "•" })
        })
        .collect();
    let level = match s.online_level {
        OnlineLevel::Full => "level-full",
        OnlineLevel::Partial => "level-partial",
    };
    let fee = if s.fee == 0 {
        Arg::msg("fee-free")
    } else {
        Arg::Str(format_money(s.fee))
    };
    Text::msg("procedure-card")
        .arg("name", name(s, locale))
        .arg("code", s.code.as_str())
        .arg("field", field_name(&s.field, s.field_en.as_deref(), locale))
        .arg("agency", s.agency_name.as_str())
        .arg("level", Arg::msg(level))
        .arg("days", i64::from(s.processing_days))
        .arg("fee", fee)
        .arg("papers", papers.join("\n"))
        .arg("fields", fields.join("\n"))
}

fn card_reply(p: &Procedure, from_search: bool, locale: Locale) -> Reply {
    let mut rows = vec![vec![(
        Text::msg("button-submit"),
        Callback::Submit(p.summary.code.clone()),
    )]];
    if from_search {
        rows.push(vec![(
            Text::msg("button-back-results"),
            Callback::SearchPage(0),
        )]);
    }
    rows.push(vec![(Text::msg("button-fields"), Callback::FieldsPage(0))]);
    Reply::new(card_text(p, locale)).with(Keyboard::Inline(rows))
}
