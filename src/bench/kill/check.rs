//! What the kill test checks once the journeys are over, and the table it prints.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use super::citizen::{CitizenReport, Journey, PASSWORD, Phase};
use super::procs::BotSpec;
use super::words::Event;
use super::{KillArgs, World};
use crate::portal::client::{HttpPortal, Portal};
use crate::portal::model::{DossierStatus, LoginRequest};
use crate::sandbox::client::{Citizen, TranscriptMessage};

/// The kill test's figures.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    pub seed: u64,
    pub engine: &'static str,
    pub citizens: usize,
    pub kills: usize,
    pub journeys: HashMap<&'static str, (usize, usize)>,
    pub journeys_done: usize,
    pub stalls: usize,
    pub resends: u32,
    pub accounts: usize,
    pub dossiers: usize,
    pub duplicate_dossiers: usize,
    pub drafts_left: usize,
    pub papers: usize,
    pub duplicate_papers: usize,
    pub messages_expected: usize,
    pub messages_once: usize,
    pub repeats: usize,
    pub duplicates: usize,
    pub lost: usize,
    pub panics: usize,
    pub elapsed: Duration,
    /// Each violation in a sentence.
    pub problems: Vec<String>,
    /// Notes that are not violations.
    pub extra: Vec<String>,
}

impl Figures {
    /// Everything that makes the kill test fail.
    pub fn violations(&self) -> Vec<String> {
        let mut v = self.problems.clone();
        if self.panics > 0 {
            v.push(format!("{} panics in the bot's stderr", self.panics));
        }
        if self.repeats > self.kills {
            v.push(format!(
                "{} repeated status messages for {} kills (at most one in flight per kill)",
                self.repeats, self.kills
            ));
        }
        v
    }

    /// The figures as a Markdown table.
    pub fn table(&self) -> String {
        let mut journeys: Vec<_> = self.journeys.iter().collect();
        journeys.sort();
        let journeys = journeys
            .iter()
            .map(|(k, (done, all))| format!("{k} {done}/{all}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = [
            ("bot database", self.engine.to_owned()),
            ("seed", self.seed.to_string()),
            ("citizens", self.citizens.to_string()),
            (
                "SIGKILLs (each followed by a restart)",
                self.kills.to_string(),
            ),
            (
                "journeys finished",
                format!("{} of {} ({journeys})", self.journeys_done, self.citizens),
            ),
            (
                "inputs sent again after no answer",
                self.resends.to_string(),
            ),
            (
                "chats stalled (no answer after 5 sends)",
                self.stalls.to_string(),
            ),
            ("accounts at the portal", self.accounts.to_string()),
            ("dossiers sent", self.dossiers.to_string()),
            ("duplicate dossiers", self.duplicate_dossiers.to_string()),
            ("drafts left at the portal", self.drafts_left.to_string()),
            ("papers stored", self.papers.to_string()),
            ("duplicate papers", self.duplicate_papers.to_string()),
            (
                "status messages expected (event × chat)",
                self.messages_expected.to_string(),
            ),
            (
                "status messages delivered once",
                self.messages_once.to_string(),
            ),
            (
                "repeats of the one in flight at a kill",
                self.repeats.to_string(),
            ),
            ("duplicates beyond that", self.duplicates.to_string()),
            ("status messages lost (must be 0)", self.lost.to_string()),
            ("panics in the bot's stderr", self.panics.to_string()),
            ("violations", self.violations().len().to_string()),
            ("wall time", format!("{:.0} s", self.elapsed.as_secs_f64())),
        ];
        let mut out = String::from("| kill test | |\n|---|---:|\n");
        for (k, v) in rows {
            out.push_str(&format!("| {k} | {v} |\n"));
        }
        for note in &self.extra {
            out.push_str(&format!("\nnote: {note}"));
        }
        out
    }
}

/// Panics written to the bot's stderr over all its starts.
pub fn panics(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|s| s.matches("panicked at").count())
        .unwrap_or(0)
}

/// The status messages a citizen's chat should have.
fn expected_events(r: &CitizenReport) -> Vec<Event> {
    match (&r.code, r.supplement_sent) {
        (None, _) => vec![],
        (Some(_), false) => vec![Event::Accepted, Event::Supplement],
        (Some(_), true) => vec![Event::Accepted, Event::Supplement, Event::Completed],
    }
}

pub(super) async fn check(
    world: &World,
    spec: &BotSpec,
    reports: &[CitizenReport],
    kills: usize,
    seed: u64,
    args: &KillArgs,
    deadline: Duration,
) -> anyhow::Result<Figures> {
    let mut f = Figures {
        seed,
        engine: if spec.database_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        citizens: args.citizens,
        kills,
        ..Figures::default()
    };
    for r in reports {
        let entry = f.journeys.entry(r.journey.name()).or_default();
        entry.1 += 1;
        if r.phase == Phase::Done {
            entry.0 += 1;
            f.journeys_done += 1;
        }
        f.resends += r.resends;
        f.stalls += r.stalls.len();
        for s in &r.stalls {
            f.problems.push(format!("citizen {}: stalled: {s}", r.user));
        }
        for p in &r.problems {
            f.problems
                .push(format!("citizen {} ({}): {p}", r.user, r.journey.name()));
        }
        for u in &r.unknown {
            f.extra
                .push(format!("citizen {}: unrecognised bot text {u:?}", r.user));
        }
    }
    f.extra.truncate(10);
    for e in world
        .officer_errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        f.problems.push(format!("officer action refused: {e}"));
    }

    // Status messages: wait until each expected one is there (or the deadline), then count.
    let until = Instant::now() + deadline;
    for r in reports {
        let Some(code) = &r.code else { continue };
        let events = expected_events(r);
        let who = Citizen::new(r.user);
        let messages: Vec<TranscriptMessage> = loop {
            let t = world.client.transcript(who.clone(), 0, 0).await?;
            let bot: Vec<TranscriptMessage> = t.bot_messages().cloned().collect();
            let all_there = events
                .iter()
                .all(|e| bot.iter().any(|m| world.words.is_event(&m.text, *e, code)));
            if all_there || Instant::now() > until {
                break bot;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        for e in events {
            f.messages_expected += 1;
            let n = messages
                .iter()
                .filter(|m| world.words.is_event(&m.text, e, code))
                .count();
            match n {
                0 => {
                    f.lost += 1;
                    f.problems
                        .push(format!("citizen {}: no {e:?} message for {code}", r.user));
                }
                1 => f.messages_once += 1,
                2 => f.repeats += 1,
                n => {
                    f.duplicates += 1;
                    f.problems
                        .push(format!("citizen {}: {n} {e:?} messages for {code}", r.user));
                }
            }
        }
    }

    // The portal: each account once, each dossier once, each paper once.
    let portal = HttpPortal::new(&world_portal_url(world))?;
    for r in reports.iter().filter(|r| r.journey != Journey::Idle) {
        let session = portal
            .login(&LoginRequest {
                login: r.cccd.clone(),
                password: PASSWORD.into(),
            })
            .await;
        let session = match session {
            Ok(s) => s,
            Err(e) => {
                if r.registered {
                    f.problems.push(format!(
                        "citizen {}: registered but cannot log in: {e}",
                        r.user
                    ));
                }
                continue;
            }
        };
        f.accounts += 1;
        let dossiers = portal.my_dossiers(&session.token, None).await?;
        let sent: Vec<_> = dossiers
            .iter()
            .filter(|d| d.status != DossierStatus::Draft)
            .collect();
        f.drafts_left += dossiers.len() - sent.len();
        f.dossiers += sent.len();
        let expected = usize::from(r.code.is_some());
        if sent.len() > expected.max(1) || (sent.len() > expected && r.phase == Phase::Done) {
            f.duplicate_dossiers += sent.len() - expected;
            f.problems.push(format!(
                "citizen {}: {} dossiers sent, {} expected",
                r.user,
                sent.len(),
                expected
            ));
        }
        if let Some(code) = &r.code
            && !sent
                .iter()
                .any(|d| d.code.as_deref() == Some(code.as_str()))
        {
            f.problems.push(format!(
                "citizen {}: dossier {code} is not at the portal",
                r.user
            ));
        }
        for d in sent {
            let full = portal
                .my_dossier(&session.token, &crate::portal::client::DossierRef::Id(d.id))
                .await?;
            let mut seen: HashMap<(String, String), usize> = HashMap::new();
            for doc in &full.documents {
                *seen
                    .entry((doc.paper_code.clone(), doc.sha256.clone()))
                    .or_default() += 1;
            }
            f.papers += full.documents.len();
            for ((paper, _), n) in seen {
                if n > 1 {
                    f.duplicate_papers += n - 1;
                    f.problems.push(format!(
                        "citizen {}: paper {paper} stored {n} times in {:?}",
                        r.user, d.code
                    ));
                }
            }
        }
    }
    Ok(f)
}

fn world_portal_url(world: &World) -> String {
    world.portal_url.clone()
}
