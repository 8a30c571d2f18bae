//! The report as one Markdown table.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Report, Subject, load, measure, notify};

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// `a ÷ b` to two decimals, or "—" when the baseline measured nothing to divide by.
fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && b.is_finite() {
        format!("{:.2}", a / b)
    } else {
        "—".to_owned()
    }
}

/// The report as one Markdown table, ready for the README.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let load = |l: Option<f64>| l.map(|l| format!("{l:.2}")).unwrap_or("?".into());
    let _ = writeln!(
        out,
        "machine: {}; load average (1 min) before {}, after {}",
        report.machine,
        load(report.load_before),
        load(report.load_after)
    );
    let _ = writeln!(
        out,
        "each citizen sends {} inputs, the next as soon as the previous is answered; \
         dialogues stored before each dvc-bot run: {}\n",
        load::INPUTS,
        report.stored_dialogues
    );
    let _ = writeln!(
        out,
        "| citizens | bot | updates | errors | updates/s | p50 ms | p95 ms | p99 ms | bot CPU ms/update | DB server CPU ms/update | peak RSS MB | harness CPU ms/update | ÷ baseline: updates/s, CPU, RSS |"
    );
    let _ = writeln!(
        out,
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for run in &report.runs {
        let baseline = report
            .runs
            .iter()
            .find(|r| r.subject == Subject::Baseline && r.citizens == run.citizens);
        let ratio = match (run.subject, baseline) {
            (
                Subject::DvcSqlite | Subject::DvcPostgres | Subject::DvcPostgresAsyncCommit,
                Some(b),
            ) => format!(
                "{}, {}, {}",
                ratio(run.per_second(), b.per_second()),
                ratio(run.per_update(run.bot_cpu), b.per_update(b.bot_cpu)),
                ratio(run.peak_rss as f64, b.peak_rss as f64)
            ),
            (Subject::Baseline, _) => "1".to_owned(),
            _ => "—".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {} | {} | {} | {:.3} | {} | {:.1} | {:.3} | {} |",
            run.citizens,
            run.subject.name(),
            run.updates,
            run.errors.len(),
            run.per_second(),
            ms(measure::quantile(&run.latencies, 0.50)),
            ms(measure::quantile(&run.latencies, 0.95)),
            ms(measure::quantile(&run.latencies, 0.99)),
            run.per_update(run.bot_cpu),
            run.db_cpu
                .map(|d| format!("{:.3}", run.per_update(d)))
                .unwrap_or_else(|| "—".to_owned()),
            run.peak_rss as f64 / 1024.0 / 1024.0,
            run.per_update(run.harness_cpu),
            ratio
        );
    }
    match &report.notify {
        Some(n) => {
            let _ = writeln!(
                out,
                "\n| notifier and sender | samples | event → chat p50 ms | p95 ms | p99 ms | messages queued | sent | achieved /s | ÷ limit ({limit}/s) | 429s |",
                limit = notify::LIMIT
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            let _ = writeln!(
                out,
                "| SQLite | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} |",
                n.latencies.len(),
                ms(measure::quantile(&n.latencies, 0.50)),
                ms(measure::quantile(&n.latencies, 0.95)),
                ms(measure::quantile(&n.latencies, 0.99)),
                n.messages,
                n.sent,
                n.rate(),
                ratio(n.rate(), notify::LIMIT),
                n.too_many_requests
            );
        }
        None => {
            let _ = writeln!(out, "\nnotifier and sender: not measured in this run");
        }
    }
    out
}
