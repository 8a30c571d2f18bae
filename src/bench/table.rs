//! The report as one Markdown table.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Report, Subject, load, measure};

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
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
        "each citizen sends {} inputs, the next as soon as the previous is answered\n",
        load::INPUTS
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
            (Subject::DvcSqlite | Subject::DvcPostgres, Some(b)) => format!(
                "{:.2}, {:.2}, {:.2}",
                run.per_second() / b.per_second().max(1e-9),
                run.bot_cpu.as_secs_f64()
                    / run.updates.max(1) as f64
                    / (b.bot_cpu.as_secs_f64() / b.updates.max(1) as f64).max(1e-12),
                run.peak_rss as f64 / (b.peak_rss as f64).max(1.0)
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
    // The notifier and the sender (event → chat latency, achieved send rate ÷ limit) get their
    // rows here once they exist; until then the table says so instead of leaving them out.
    let _ = writeln!(
        out,
        "\nnotifier/sender (event → chat latency, send rate ÷ limit): not measured by this version"
    );
    out
}
