//! What a notification says, as data: a Fluent message id, its arguments and its buttons
//! (labels by message id, callback data), stored in the outbox as JSON and rendered in the
//! chat's language when it is sent. `for_owner` and `for_follower` say what each event tells.

use serde::{Deserialize, Serialize};

use crate::bot::callback::{Callback, DossierAction};
use crate::bot::reply::{Arg, Keyboard, Text};
use crate::domain::DossierCode;
use crate::i18n::{format_date, format_datetime, format_money};
use crate::portal::model::{Delivery, Event};

/// A button: its label's message id and the callback data it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    pub data: String,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    #[serde(default)]
    pub args: Vec<(String, Arg)>,
    /// One button per row.
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// Attach the result document of this dossier (fetched with the chat's own session when
    /// sent); without a session the text goes with a button to get it instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_of: Option<String>,
}

impl Notice {
    fn new(id: &str, code: &DossierCode) -> Self {
        Self {
            id: id.to_owned(),
            args: vec![("code".into(), Arg::Str(code.as_str().to_owned()))],
            buttons: Vec::new(),
            result_of: None,
        }
    }
    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.args.push((name.to_owned(), value.into()));
        self
    }
    pub fn button(mut self, action: DossierAction, code: &DossierCode) -> Self {
        self.buttons.push(Button {
            label: label_of(action).to_owned(),
            data: Callback::Dossier(action, code.clone()).to_string(),
        });
        self
    }
    /// The text and keyboard, as the adapter renders them.
    pub fn text(&self) -> Text {
        let mut text = Text::msg(&self.id);
        for (name, value) in &self.args {
            text = text.arg(name, value.clone());
        }
        text
    }
    pub fn keyboard(&self) -> Keyboard {
        if self.buttons.is_empty() {
            return Keyboard::None;
        }
        Keyboard::Inline(
            self.buttons
                .iter()
                .map(|b| vec![(Text::msg(&b.label), Callback::parse(&b.data))])
                .collect(),
        )
    }
}

/// The label of a dossier button.
pub fn label_of(action: DossierAction) -> &'static str {
    match action {
        DossierAction::Open => "notify-button-open",
        DossierAction::Supplement => "notify-button-supplement",
        DossierAction::Fees => "notify-button-fees",
        DossierAction::Result => "notify-button-result",
        DossierAction::Ask => "notify-button-ask",
        DossierAction::Rate => "notify-button-rate",
    }
}

/// What the notifier learnt about the dossier besides the event (from the portal).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub due_date: Option<chrono::NaiveDate>,
    /// Names of the missing papers (Vietnamese, English), in the order asked.
    pub paper_names: Vec<(String, String)>,
    /// How the owner chose to receive the result, if known.
    pub delivery: Option<Delivery>,
}

const DASH: &str = "—";

fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map(format_date).unwrap_or_else(|| DASH.into())
}

/// The owner's message for an event, or None for events the citizen caused (submitted,
/// withdrawn, supplement answered) and kinds this bot does not know.
pub fn for_owner(event: &Event, code: &DossierCode, facts: &Facts) -> Option<Notice> {
    use DossierAction as A;
    let data = &event.data;
    let reason = || data.reason.clone().unwrap_or_else(|| DASH.into());
    let deadline = || {
        data.deadline
            .map(format_datetime)
            .unwrap_or_else(|| DASH.into())
    };
    let notice = match event.kind.as_str() {
        "accepted" => Notice::new("notify-accepted", code)
            .arg("due", date_or_dash(facts.due_date))
            .button(A::Open, code),
        "supplement_requested" => {
            let names = |en: bool| {
                let list: Vec<&str> = if facts.paper_names.is_empty() {
                    data.missing_papers.iter().map(String::as_str).collect()
                } else {
                    facts
                        .paper_names
                        .iter()
                        .map(|(vi, e)| if en { e.as_str() } else { vi.as_str() })
                        .collect()
                };
                if list.is_empty() {
                    DASH.to_owned()
                } else {
                    list.join(", ")
                }
            };
            // Both languages' names: the chat's language is known only when sent.
            Notice::new("notify-supplement", code)
                .arg("reason", reason())
                .arg("papers", names(false))
                .arg("papers_en", names(true))
                .arg("deadline", deadline())
                .button(A::Supplement, code)
        }
        "financial_obligation_requested" | "fee_requested" => {
            let what = if event.kind == "fee_requested" {
                "fee"
            } else {
                "obligation"
            };
            Notice::new("notify-fee", code)
                .arg("what", what)
                .arg("reason", reason())
                .arg(
                    "amount",
                    data.amount.map(format_money).unwrap_or_else(|| DASH.into()),
                )
                .arg("deadline", deadline())
                .arg(
                    "reference",
                    data.payment_ref.clone().unwrap_or_else(|| DASH.into()),
                )
                .button(A::Fees, code)
        }
        "payment_confirmed" | "resumed" => Notice::new("notify-resumed", code)
            .arg(
                "what",
                if event.kind == "resumed" {
                    "resumed"
                } else {
                    "paid"
                },
            )
            .arg("due", date_or_dash(facts.due_date))
            .button(A::Open, code),
        "paused" => Notice::new("notify-paused", code)
            .arg("reason", reason())
            .button(A::Open, code)
            .button(A::Ask, code),
        "rejected" => Notice::new("notify-rejected", code)
            .arg("reason", reason())
            .button(A::Open, code)
            .button(A::Ask, code),
        "completed" => Notice::new("notify-completed", code).arg(
            "delivery",
            match facts.delivery {
                Some(Delivery::Post { .. }) => "post",
                _ => "online",
            },
        ),
        "result_returned" => match facts.delivery {
            Some(Delivery::Post { .. }) => {
                Notice::new("notify-result-post", code).button(A::Rate, code)
            }
            _ => {
                let mut n = Notice::new("notify-result-online", code).button(A::Rate, code);
                n.result_of = Some(code.as_str().to_owned());
                n
            }
        },
        "question_answered" => Notice::new("notify-answer", code).arg("answer", reason()),
        _ => return None,
    };
    Some(notice)
}

/// A follower's message: the new status only — no reason, no amounts, no buttons.
pub fn for_follower(event: &Event, code: &DossierCode) -> Option<Notice> {
    if matches!(event.kind.as_str(), "question_answered") {
        return None;
    }
    Some(Notice::new("notify-follow", code).arg(
        "status",
        Arg::msg(format!("status-{}", event.status.as_str())),
    ))
}

/// A reminder's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    Supplement,
    Fee,
    Overdue,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Supplement => "supplement",
            ReminderKind::Fee => "fee",
            ReminderKind::Overdue => "overdue",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "supplement" => Some(ReminderKind::Supplement),
            "fee" => Some(ReminderKind::Fee),
            "overdue" => Some(ReminderKind::Overdue),
            _ => None,
        }
    }
}

/// A reminder's message; `args` were stored when it was scheduled.
pub fn reminder(kind: ReminderKind, code: &DossierCode, args: Vec<(String, Arg)>) -> Notice {
    let (id, action) = match kind {
        ReminderKind::Supplement => ("notify-remind-supplement", DossierAction::Supplement),
        ReminderKind::Fee => ("notify-remind-fee", DossierAction::Fees),
        ReminderKind::Overdue => ("notify-overdue", DossierAction::Ask),
    };
    let mut n = Notice::new(id, code).button(action, code);
    n.args.extend(args);
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::{DossierStatus, EventData};

    fn event(kind: &str, status: DossierStatus) -> Event {
        Event {
            id: 7,
            code: Some("000.00.25.H50-261125-0001".into()),
            dossier_id: 1,
            owner: 3,
            kind: kind.into(),
            status,
            at: chrono::Utc::now(),
            data: EventData {
                reason: Some("Thiếu bản sao".into()),
                amount: Some(150_000),
                payment_ref: Some("KB-1".into()),
                ..EventData::default()
            },
        }
    }

    #[test]
    fn each_event_has_its_button() {
        let code = DossierCode::parse("000.00.25.H50-261125-0001").unwrap();
        let facts = Facts::default();
        let cases = [
            ("accepted", vec!["ho"]),
            ("supplement_requested", vec!["bs"]),
            ("fee_requested", vec!["fe"]),
            ("financial_obligation_requested", vec!["fe"]),
            ("payment_confirmed", vec!["ho"]),
            ("resumed", vec!["ho"]),
            ("paused", vec!["ho", "hq"]),
            ("rejected", vec!["ho", "hq"]),
            ("completed", vec![]),
            ("result_returned", vec!["dg"]),
        ];
        for (kind, want) in cases {
            let n = for_owner(&event(kind, DossierStatus::Processing), &code, &facts).unwrap();
            let got: Vec<_> = n
                .buttons
                .iter()
                .map(|b| b.data.split(':').next().unwrap().to_owned())
                .collect();
            assert_eq!(got, want, "{kind}");
            assert!(n.buttons.iter().all(|b| b.data.ends_with(code.as_str())));
            let json = serde_json::to_string(&n).unwrap();
            assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), n);
        }
        for kind in ["submitted", "withdrawn", "supplement_answered"] {
            assert!(for_owner(&event(kind, DossierStatus::New), &code, &facts).is_none());
        }
        let online = for_owner(
            &event("result_returned", DossierStatus::ResultReturned),
            &code,
            &facts,
        )
        .unwrap();
        assert_eq!(online.result_of.as_deref(), Some(code.as_str()));
    }

    #[test]
    fn followers_get_no_personal_data_and_no_buttons() {
        let code = DossierCode::parse("000.00.25.H50-261125-0001").unwrap();
        let n = for_follower(&event("fee_requested", DossierStatus::FeePayment), &code).unwrap();
        assert!(n.buttons.is_empty());
        let json = serde_json::to_string(&n).unwrap();
        assert!(!json.contains("Thiếu") && !json.contains("150") && !json.contains("KB-1"));
    }
}
