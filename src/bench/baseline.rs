//! The baseline the benchmark compares dvc-bot with: teloxide with `InMemStorage` and handlers
//! that send the same texts and keyboards for the benchmark's flows (menu and catalogue), with
//! the catalogue read from the portal once at start — the framework's ceiling, no database.
//! Also the trivial echo bot that shows what the load generator and the sandbox can carry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use teloxide::dispatching::dialogue::{Dialogue, InMemStorage};
use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
    ParseMode, ReplyMarkup,
};

use crate::bot::callback::Callback;
use crate::bot::flows::procedures::card_text;
use crate::bot::render::{render, render_plain};
use crate::bot::reply::Text;
use crate::i18n::{I18n, Locale};
use crate::portal::client::{Portal, PortalError};
use crate::portal::model::{FieldCount, Procedure, ProcedureSummary};

type Error = Box<dyn std::error::Error + Send + Sync>;
type BaselineDialogue = Dialogue<BaselineState, InMemStorage<BaselineState>>;

/// Buttons per page and longest label: as dvc-bot's catalogue.
const PAGE_SIZE: usize = 6;
const LABEL_MAX: usize = 48;

/// Where a chat is, in memory only.
#[derive(Debug, Clone, Default)]
pub enum BaselineState {
    #[default]
    Start,
    ChooseLanguage,
    Idle,
    Procedures,
}

/// The catalogue as the portal served it at start.
pub struct Catalogue {
    fields: Vec<FieldCount>,
    by_field: Vec<Vec<ProcedureSummary>>,
    cards: HashMap<String, Procedure>,
}

impl Catalogue {
    /// Reads every field, its procedures and their cards from the portal.
    pub async fn load(portal: &dyn Portal) -> Result<Self, PortalError> {
        let fields = portal.fields().await?;
        let mut by_field = Vec::with_capacity(fields.len());
        let mut cards = HashMap::new();
        for field in fields.iter() {
            let list = portal.procedures(None, Some(&field.field)).await?;
            for p in list.iter() {
                cards.insert(p.code.clone(), portal.procedure(&p.code).await?);
            }
            by_field.push(list.to_vec());
        }
        Ok(Self {
            fields: fields.to_vec(),
            by_field,
            cards,
        })
    }
}

/// What the baseline's handlers share.
pub struct Baseline {
    i18n: I18n,
    catalogue: Catalogue,
    /// The language each user chose.
    locales: Mutex<HashMap<i64, Locale>>,
}

impl Baseline {
    pub fn new(i18n: I18n, catalogue: Catalogue) -> Arc<Self> {
        Arc::new(Self {
            i18n,
            catalogue,
            locales: Mutex::new(HashMap::new()),
        })
    }

    fn locale(&self, user: i64) -> Option<Locale> {
        self.locales.lock().ok()?.get(&user).copied()
    }

    fn text(&self, locale: Locale, text: &Text) -> String {
        render(&self.i18n, locale, text)
    }

    fn label(&self, locale: Locale, id: &str) -> String {
        render_plain(&self.i18n, locale, &Text::msg(id))
    }

    fn main_menu(&self, locale: Locale) -> ReplyMarkup {
        let b = |id: &str| KeyboardButton::new(self.label(locale, id));
        ReplyMarkup::Keyboard(
            KeyboardMarkup::new(vec![
                vec![b("menu-services"), b("menu-my-dossiers")],
                vec![b("menu-lookup"), b("menu-account")],
                vec![b("menu-help")],
            ])
            .resize_keyboard(),
        )
    }

    fn is_menu(&self, text: &str, id: &str) -> bool {
        Locale::ALL
            .into_iter()
            .any(|l| self.i18n.text(l, id, None) == text)
    }

    fn button(&self, label: String, callback: Callback) -> InlineKeyboardButton {
        InlineKeyboardButton::callback(label, callback.to_string())
    }

    fn pager(
        &self,
        locale: Locale,
        page: u32,
        total: usize,
        to: impl Fn(u32) -> Callback,
    ) -> Vec<InlineKeyboardButton> {
        let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
        let mut row = Vec::new();
        if page > 0 {
            row.push(self.button(self.label(locale, "button-previous"), to(page - 1)));
        }
        if page + 1 < pages {
            row.push(self.button(self.label(locale, "button-next"), to(page + 1)));
        }
        row
    }

    fn fields_page(&self, locale: Locale, page: u32) -> (String, InlineKeyboardMarkup) {
        let fields = &self.catalogue.fields;
        let mut rows: Vec<Vec<InlineKeyboardButton>> = page_of(fields, page)
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let index = page * PAGE_SIZE as u32 + i as u32;
                vec![self.button(
                    cut(&format!("{} ({})", f.field, f.count)),
                    Callback::Field { index, page: 0 },
                )]
            })
            .collect();
        let nav = self.pager(locale, page, fields.len(), Callback::FieldsPage);
        if !nav.is_empty() {
            rows.push(nav);
        }
        (
            self.text(locale, &Text::msg("procedures-fields")),
            InlineKeyboardMarkup::new(rows),
        )
    }

    fn field_page(
        &self,
        locale: Locale,
        index: u32,
        page: u32,
    ) -> Option<(String, InlineKeyboardMarkup)> {
        let field = self.catalogue.fields.get(index as usize)?;
        let list = self.catalogue.by_field.get(index as usize)?;
        let mut rows: Vec<Vec<InlineKeyboardButton>> = page_of(list, page)
            .iter()
            .map(|p| {
                let name = match locale {
                    Locale::Vi => &p.name_vi,
                    Locale::En => &p.name_en,
                };
                vec![self.button(cut(name), Callback::Procedure(p.code.clone()))]
            })
            .collect();
        let nav = self.pager(locale, page, list.len(), |p| Callback::Field {
            index,
            page: p,
        });
        if !nav.is_empty() {
            rows.push(nav);
        }
        rows.push(vec![self.button(
            self.label(locale, "button-fields"),
            Callback::FieldsPage(0),
        )]);
        let text = Text::msg("procedures-in-field").arg("field", field.field.as_str());
        Some((self.text(locale, &text), InlineKeyboardMarkup::new(rows)))
    }

    fn card(&self, locale: Locale, code: &str) -> Option<(String, InlineKeyboardMarkup)> {
        let procedure = self.catalogue.cards.get(code)?;
        let rows = vec![
            vec![self.button(
                self.label(locale, "button-submit"),
                Callback::Submit(code.to_owned()),
            )],
            vec![self.button(self.label(locale, "button-fields"), Callback::FieldsPage(0))],
        ];
        Some((
            self.text(locale, &card_text(procedure, locale)),
            InlineKeyboardMarkup::new(rows),
        ))
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= LABEL_MAX {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(LABEL_MAX - 1).collect::<String>())
    }
}

fn page_of<T>(items: &[T], page: u32) -> &[T] {
    let start = (page as usize).saturating_mul(PAGE_SIZE).min(items.len());
    &items[start..(start + PAGE_SIZE).min(items.len())]
}

/// The baseline's update tree, teloxide's `purchase.rs` shape.
pub fn schema() -> UpdateHandler<Error> {
    dptree::entry()
        .enter_dialogue::<Update, InMemStorage<BaselineState>, BaselineState>()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

/// The dependencies `schema` needs.
pub fn dependencies(baseline: Arc<Baseline>) -> DependencyMap {
    dptree::deps![baseline, InMemStorage::<BaselineState>::new()]
}

async fn on_message(
    bot: Bot,
    dialogue: BaselineDialogue,
    state: BaselineState,
    app: Arc<Baseline>,
    msg: Message,
) -> Result<(), Error> {
    let (Some(from), Some(text)) = (msg.from.as_ref(), msg.text()) else {
        return Ok(());
    };
    let user = from.id.0 as i64;
    let chosen = app.locale(user);
    let locale = chosen.unwrap_or(Locale::Vi);
    let chat = msg.chat.id;
    let html = |text: String| bot.send_message(chat, text).parse_mode(ParseMode::Html);
    if text == "/start" {
        let greeting = Text::msg("greeting").arg("name", from.first_name.as_str());
        if chosen.is_some() {
            dialogue.update(BaselineState::Idle).await?;
            html(app.text(locale, &greeting.then("menu-intro")))
                .reply_markup(app.main_menu(locale))
                .await?;
        } else {
            dialogue.update(BaselineState::ChooseLanguage).await?;
            html(app.text(locale, &greeting)).await?;
            let languages = InlineKeyboardMarkup::new(vec![vec![
                app.button(
                    app.label(locale, "language-vi"),
                    Callback::Language(Locale::Vi),
                ),
                app.button(
                    app.label(locale, "language-en"),
                    Callback::Language(Locale::En),
                ),
            ]]);
            html(app.text(locale, &Text::msg("language-ask")))
                .reply_markup(languages)
                .await?;
        }
    } else if app.is_menu(text, "menu-help") {
        dialogue.update(BaselineState::Idle).await?;
        // The same text as dvc-bot's: every command with its description.
        let commands: Vec<String> = crate::bot::command::Command::all()
            .iter()
            .map(|c| {
                let description = app.i18n.text(locale, &c.description_id(), None);
                format!("/{} — {description}", c.name())
            })
            .collect();
        html(app.text(
            locale,
            &Text::msg("help").arg("commands", commands.join("\n")),
        ))
        .reply_markup(app.main_menu(locale))
        .await?;
    } else if app.is_menu(text, "menu-services") {
        dialogue.update(BaselineState::Procedures).await?;
        html(app.text(locale, &Text::msg("procedures-search-hint"))).await?;
        let (text, keyboard) = app.fields_page(locale, 0);
        html(text).reply_markup(keyboard).await?;
    } else {
        let hint = match state {
            BaselineState::ChooseLanguage => "hint-language",
            BaselineState::Procedures => "hint-procedures",
            BaselineState::Start | BaselineState::Idle => "hint-idle",
        };
        html(app.text(locale, &Text::msg(hint))).await?;
    }
    Ok(())
}

async fn on_callback(
    bot: Bot,
    dialogue: BaselineDialogue,
    app: Arc<Baseline>,
    query: CallbackQuery,
) -> Result<(), Error> {
    let Some(message) = query.message.as_ref() else {
        bot.answer_callback_query(query.id.clone()).await?;
        return Ok(());
    };
    let (chat, origin) = (message.chat().id, message.id());
    let user = query.from.id.0 as i64;
    let mut locale = app.locale(user).unwrap_or(Locale::Vi);
    let mut toast = None;
    let edit = match Callback::parse(query.data.as_deref().unwrap_or("")) {
        Callback::Language(chosen) => {
            if let Ok(mut map) = app.locales.lock() {
                map.insert(user, chosen);
            }
            locale = chosen;
            dialogue.update(BaselineState::Idle).await?;
            let text = Text::msg("language-set").then("menu-intro");
            bot.send_message(chat, app.text(locale, &text))
                .parse_mode(ParseMode::Html)
                .reply_markup(app.main_menu(locale))
                .await?;
            toast = Some(app.label(locale, "language-set"));
            None
        }
        Callback::FieldsPage(page) => Some(app.fields_page(locale, page)),
        Callback::Field { index, page } => app.field_page(locale, index, page),
        Callback::Procedure(code) => app.card(locale, &code),
        _ => None,
    };
    if let Some((text, keyboard)) = edit {
        dialogue.update(BaselineState::Procedures).await?;
        bot.edit_message_text(chat, origin, text)
            .parse_mode(ParseMode::Html)
            .reply_markup(keyboard)
            .await?;
    }
    let mut answer = bot.answer_callback_query(query.id.clone());
    if let Some(text) = toast {
        answer = answer.text(text);
    }
    answer.await?;
    Ok(())
}

/// The echo bot: every text comes back as it was, nothing stored.
pub fn echo_schema() -> UpdateHandler<Error> {
    Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        if let Some(text) = msg.text() {
            bot.send_message(msg.chat.id, text).await?;
        }
        Ok(())
    })
}
