//! Answering a supplement request ("Bổ sung hồ sơ"): the request as a checklist of the missing
//! papers with the officer's reason and the deadline, each paper received as in the submit flow
//! (same checks), the checklist edited in place, and "Gửi bổ sung" sending them all to the
//! portal, which moves the dossier back to where it was.

use crate::domain::DossierCode;
use crate::i18n::{Locale, format_datetime};
use crate::portal::client::{UPLOAD_DEADLINE, Upload};
use crate::portal::model::{DossierStatus, EventData, Paper, Procedure};

use super::shared::{
    Failure, Out, call_within, failed, own_dossier, paper_label, procedure_of, show_card,
    status_id, token, used,
};
use crate::bot::activity::Activity;
use crate::bot::callback::{Callback, DossierAction};
use crate::bot::context::Ctx;
use crate::bot::flows::paper_check::{self, megabytes, type_names};
use crate::bot::input::Input;
use crate::bot::reply::{Arg, Effect, Keyboard, Reply, Text};
use crate::bot::state::{PaperFile, State, Step};

/// The checklist: reason, deadline, each paper asked for (✅ received, ⬜ not yet), and
/// "Gửi bổ sung" once all are there.
fn checklist(
    code: &DossierCode,
    pending: &EventData,
    procedure: Option<&Procedure>,
    received: &[PaperFile],
    locale: Locale,
) -> Reply {
    let lines: Vec<String> = pending
        .missing_papers
        .iter()
        .map(|c| {
            let mark = if received.iter().any(|p| &p.paper_code == c) {
                "✅"
            } else {
                "⬜"
            };
            format!("{mark} {}", paper_label(c, procedure, locale))
        })
        .collect();
    let text = Text::msg("supplement-checklist")
        .arg("code", code.as_str())
        .arg(
            "reason",
            pending.reason.clone().unwrap_or_else(|| "—".into()),
        )
        .arg(
            "deadline",
            pending
                .deadline
                .map(format_datetime)
                .unwrap_or_else(|| "—".into()),
        )
        .arg("papers", lines.join("\n"));
    let complete = pending
        .missing_papers
        .iter()
        .all(|c| received.iter().any(|p| &p.paper_code == c));
    let keyboard = if complete {
        Keyboard::Inline(vec![vec![(
            Text::msg("button-send-supplement"),
            Callback::Dossier(DossierAction::SendSupplement, code.clone()),
        )]])
    } else {
        Keyboard::None
    };
    Reply::new(text).with(keyboard)
}

fn name(paper: &Paper, locale: Locale) -> &str {
    match locale {
        Locale::Vi => &paper.name_vi,
        Locale::En => &paper.name_en,
    }
}

/// The first paper asked for and not yet received.
fn next_wanted<'p>(
    pending: &EventData,
    received: &[PaperFile],
    procedure: &'p Procedure,
) -> Option<&'p Paper> {
    pending
        .missing_papers
        .iter()
        .find(|c| !received.iter().any(|p| &p.paper_code == *c))
        .and_then(|c| procedure.papers.iter().find(|p| &p.code == c))
}

/// Asks for the next paper, or says all are there.
fn ask_next(
    out: Out,
    pending: &EventData,
    received: &[PaperFile],
    procedure: &Procedure,
    locale: Locale,
) -> Out {
    match next_wanted(pending, received, procedure) {
        Some(paper) => out.send(Reply::new(
            Text::msg("supplement-ask-paper")
                .arg("paper", name(paper, locale))
                .arg("types", type_names(paper))
                .arg("max_mb", megabytes(paper.max_bytes)),
        )),
        None => out.send(Reply::msg("supplement-ready")),
    }
}

/// The request still waiting on dossier `code` and the procedure's papers; the card instead
/// (with a word) when no supplement is pending any more.
async fn request(
    state: State,
    code: &DossierCode,
    ctx: &Ctx<'_>,
) -> Result<(State, EventData, Procedure), Out> {
    let dossier = match own_dossier(code, ctx).await {
        Ok((_, d)) => d,
        Err(failure) => return Err(failed(state, failure, ctx).await),
    };
    let pending = dossier.pending.clone().unwrap_or_default();
    if dossier.status != DossierStatus::SupplementRequired || pending.missing_papers.is_empty() {
        let mut out = show_card(state, &dossier, code, ctx).await;
        out.effects.insert(
            0,
            Effect::Send(Reply::new(
                Text::msg("supplement-not-pending").arg("code", code.as_str()),
            )),
        );
        return Err(out);
    }
    match procedure_of(&dossier, ctx).await {
        Some(procedure) => Ok((state, pending, procedure)),
        None => Err(failed(state, Failure::Slow, ctx).await),
    }
}

/// "Bổ sung hồ sơ": the checklist of the request, then the first paper asked for.
pub async fn open(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let (state, pending, procedure) = match request(state, code, ctx).await {
        Ok(found) => found,
        Err(out) => return out,
    };
    let list = checklist(code, &pending, Some(&procedure), &[], ctx.locale);
    let out = Out::new(State {
        step: Step::Supplement {
            code: code.as_str().to_owned(),
            papers: Vec::new(),
        },
        ..state
    })
    .effect(Effect::SendChecklist(list));
    used(ask_next(out, &pending, &[], &procedure, ctx.locale))
}

/// A paper sent while answering the request of dossier `code`.
pub async fn receive_paper(
    state: State,
    code: String,
    mut papers: Vec<PaperFile>,
    input: Input,
    ctx: &Ctx<'_>,
) -> Out {
    let here = |papers: Vec<PaperFile>| Step::Supplement {
        code: code.clone(),
        papers,
    };
    if let Input::Callback(_) = input {
        return crate::bot::flows::common::stale_button(here(papers))
            .map(|step| State { step, ..state });
    }
    let Ok(parsed) = DossierCode::parse(&code) else {
        return failed(state, Failure::NotYours, ctx).await;
    };
    let (state, pending, procedure) = match request(state, &parsed, ctx).await {
        Ok(found) => found,
        Err(out) => return out,
    };
    let stay = |state: State, papers: Vec<PaperFile>, reply: Reply| {
        Out::new(State {
            step: here(papers),
            ..state
        })
        .send(reply)
    };
    let Some(paper) = next_wanted(&pending, &papers, &procedure).cloned() else {
        return stay(state, papers, Reply::msg("supplement-ready"));
    };
    let Some(sent) = paper_check::sent(&input, &paper) else {
        return ask_next(
            stay(state, papers.clone(), Reply::msg("hint-supplement")),
            &pending,
            &papers,
            &procedure,
            ctx.locale,
        );
    };
    let label = name(&paper, ctx.locale).to_owned();
    let (bytes, kind) = match paper_check::fetch(&paper, &sent, &label, ctx).await {
        Ok(checked) => checked,
        Err(refusal) => return stay(state, papers, refusal),
    };
    papers.push(PaperFile {
        paper_code: paper.code.clone(),
        file_id: sent.file_id,
        file_name: sent.file_name,
        mime: kind.mime().to_owned(),
        size: bytes.len() as u32,
        portal_document: None,
    });
    let list = checklist(&parsed, &pending, Some(&procedure), &papers, ctx.locale);
    let out = Out::new(State {
        step: here(papers.clone()),
        ..state
    })
    .effect(Effect::EditChecklist(list))
    .send(Reply::new(
        Text::msg("paper-received").arg("paper", label.as_str()),
    ));
    ask_next(out, &pending, &papers, &procedure, ctx.locale)
}

/// "Gửi bổ sung": every paper asked for goes to the portal in one answer.
pub async fn send(state: State, code: &DossierCode, ctx: &Ctx<'_>) -> Out {
    let papers = match &state.step {
        Step::Supplement { code: c, papers } if c == code.as_str() => papers.clone(),
        // Pressed from an older checklist: start the answer again.
        _ => return open(state, code, ctx).await,
    };
    let (state, pending, _) = match request(state, code, ctx).await {
        Ok(found) => found,
        Err(out) => return out,
    };
    if pending
        .missing_papers
        .iter()
        .any(|c| !papers.iter().any(|p| &p.paper_code == c))
    {
        return Out::new(state).effect(Effect::Toast(Text::msg("supplement-incomplete")));
    }
    let token = match token(ctx) {
        Ok(t) => t,
        Err(failure) => return failed(state, failure, ctx).await,
    };
    let mut uploads = Vec::new();
    for p in papers
        .iter()
        .filter(|p| pending.missing_papers.contains(&p.paper_code))
    {
        match ctx.services.files.download(&p.file_id).await {
            Ok(bytes) => uploads.push(Upload {
                paper_code: p.paper_code.clone(),
                file_name: p.file_name.clone(),
                mime: p.mime.clone(),
                bytes,
            }),
            Err(error) => {
                tracing::warn!(%error, "supplement paper download failed");
                return Out::new(state).send(Reply::msg("paper-download-failed"));
            }
        }
    }
    let dossier_ref = code.clone().into();
    let answer = ctx
        .services
        .portal
        .answer_supplement(&token, &dossier_ref, uploads);
    match call_within(Activity::Typing, UPLOAD_DEADLINE, answer).await {
        Ok(dossier) => {
            let idle = State {
                step: Step::Idle,
                ..state
            };
            let mut out = show_card(idle, &dossier, code, ctx).await;
            out.effects.insert(
                0,
                Effect::Send(Reply::new(
                    Text::msg("supplement-sent")
                        .arg("code", code.as_str())
                        .arg("status", Arg::msg(status_id(dossier.status))),
                )),
            );
            used(out)
        }
        Err(Failure::Refused(error)) => {
            tracing::info!(%error, "supplement refused");
            Out::new(state).send(Reply::msg("supplement-refused"))
        }
        Err(failure) => {
            // The papers stay in the chat's state: "Gửi bổ sung" again once the portal answers.
            let mut out = failed(state.clone(), failure, ctx).await;
            out.next = state;
            out
        }
    }
}
