//! `report.html`: one self-contained page (no network; charts as inline SVG) with the
//! question, the scenarios and how they differ from the baseline, the headline effects, the
//! charts, the cost-effectiveness table and the provenance.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::charts::{Data, Figure};
use super::table::Table;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn fmt(x: f64, digits: usize) -> String {
    if x.is_finite() { format!("{x:.digits$}") } else { "–".into() }
}

/// The report page.
///
/// # Errors
/// Missing columns or chart files.
pub fn report(data: &Data, figures: &[Figure], dir: &Path) -> io::Result<String> {
    let info = data.info;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>livelihoods: scenarios against {b}</title>\
         <style>body{{font-family:'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.4}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}}\
         th{{background:#eee}}figure{{margin:2em 0}}figure svg{{max-width:100%;height:auto}}td.n{{text-align:right}}</style></head><body>\n\
         <h1>What would these programmes do to poverty in Kupang District?</h1>\n\
         <p>Each scenario was run with {r} replications of {hh} households over {s} seasons, with the same seed as the baseline \
         <b>{b}</b>: replication by replication they share weather, prices and household shocks (common random numbers), so the \
         differences below come from policy, not noise. Intervals are 95 % confidence intervals of the mean across replications.</p>\n",
        b = escape(&info.baseline),
        r = info.replications,
        hh = info.households,
        s = info.seasons
    );
    scenarios_table(&mut h, data);
    headline_table(&mut h, data)?;
    h.push_str("<h2>Charts</h2>\n");
    for f in figures {
        let svg = std::fs::read_to_string(dir.join(format!("{}.svg", f.stem)))?;
        let svg = svg.trim_start_matches(|c| c != '<').to_string();
        let svg = if svg.starts_with("<?xml") {
            svg.split_once("?>").map_or(svg.clone(), |(_, r)| r.to_string())
        } else {
            svg
        };
        let _ = writeln!(
            h,
            "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>",
            f.id,
            svg.trim(),
            escape(&f.caption)
        );
    }
    cost_table(&mut h, data)?;
    provenance(&mut h, data);
    h.push_str("</body></html>\n");
    Ok(h)
}

fn scenarios_table(h: &mut String, data: &Data) {
    h.push_str("<h2>Scenarios</h2>\n<table id=\"scenarios\"><tr><th>scenario</th><th>description</th><th>differs from the baseline in</th></tr>\n");
    for s in &data.info.scenario {
        let diffs: Vec<String> = s
            .differences
            .iter()
            .map(|d| {
                format!("<code>{}</code>: {} → {}", escape(&d.key), escape(&d.baseline), escape(&d.value))
            })
            .collect();
        let diffs = if diffs.is_empty() { "(the baseline)".to_string() } else { diffs.join("<br>") };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{diffs}</td></tr>",
            escape(&s.name),
            escape(&s.description)
        );
    }
    h.push_str("</table>\n");
}

fn headline_table(h: &mut String, data: &Data) -> io::Result<()> {
    let t: &Table = &data.effects;
    let (scenario, season) = (t.column("scenario")?, t.column("season")?);
    let (d, lo, hi) = (t.column("p0_diff_mean")?, t.column("p0_diff_ci_lo")?, t.column("p0_diff_ci_hi")?);
    let (lifted, p0) = (t.column("persons_lifted_mean")?, t.column("p0_mean")?);
    let end_programme = f64::from(data.info.programme_end_season);
    let end_run = f64::from(data.info.seasons.saturating_sub(1));
    let _ = write!(
        h,
        "<h2>Headline effects</h2>\n<table id=\"headline\"><tr><th>scenario</th><th>P0 at end of programme (season {})</th>\
         <th>change in P0 [95 % CI]</th><th>persons lifted</th><th>P0 at end of run (season {})</th><th>change in P0 [95 % CI]</th>\
         <th>persons lifted</th></tr>\n",
        data.info.programme_end_season, end_run
    );
    for s in data.info.scenario.iter().filter(|s| s.name != data.info.baseline) {
        let _ = write!(h, "<tr><td>{}</td>", escape(&s.name));
        for at in [end_programme, end_run] {
            let row = t.rows().iter().find(|r| r[scenario] == s.name && t.number(r, season) == at);
            if let Some(r) = row {
                let _ = write!(
                    h,
                    "<td class=\"n\">{}</td><td class=\"n\">{} [{}, {}]</td><td class=\"n\">{}</td>",
                    fmt(t.number(r, p0), 4),
                    fmt(t.number(r, d), 4),
                    fmt(t.number(r, lo), 4),
                    fmt(t.number(r, hi), 4),
                    fmt(t.number(r, lifted), 0)
                );
            } else {
                h.push_str("<td>–</td><td>–</td><td>–</td>");
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    Ok(())
}

fn cost_table(h: &mut String, data: &Data) -> io::Result<()> {
    let t = &data.cost;
    let names = [
        "scenario",
        "programme_cost_idr",
        "programme_cost_usd",
        "poverty_person_years_averted_mean",
        "poverty_person_years_averted_ci_lo",
        "poverty_person_years_averted_ci_hi",
        "cost_per_ppya_idr",
        "participants",
        "cost_per_participant_idr",
    ];
    let mut c = Vec::new();
    for n in names {
        c.push(t.column(n)?);
    }
    let _ = write!(
        h,
        "<h2>Cost-effectiveness</h2>\n<p>Costs at Rp {} per US dollar. A poverty-person-year averted is one person kept above the \
         line for a year, summed over the run and paired by replication.</p>\n<table id=\"cost-effectiveness\"><tr><th>scenario</th>\
         <th>cost, million Rp</th><th>cost, USD</th><th>poverty-person-years averted [95 % CI]</th><th>Rp per person-year averted</th>\
         <th>participants</th><th>Rp per participant</th></tr>\n",
        data.info.idr_per_usd
    );
    for r in t.rows().iter().filter(|r| r[c[0]] != data.info.baseline) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} [{}, {}]</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&r[c[0]]),
            fmt(t.number(r, c[1]) / 1e6, 1),
            fmt(t.number(r, c[2]), 0),
            fmt(t.number(r, c[3]), 0),
            fmt(t.number(r, c[4]), 0),
            fmt(t.number(r, c[5]), 0),
            fmt(t.number(r, c[6]), 0),
            fmt(t.number(r, c[7]), 0),
            fmt(t.number(r, c[8]), 0)
        );
    }
    h.push_str("</table>\n");
    Ok(())
}

fn provenance(h: &mut String, data: &Data) {
    let i = data.info;
    let _ = write!(
        h,
        "<h2>Provenance</h2>\n<table id=\"provenance\"><tr><th>livelihoods</th><td>{}</td></tr><tr><th>generator</th><td>{}</td></tr>\
         <tr><th>seed</th><td>{}</td></tr><tr><th>replications</th><td>{}</td></tr><tr><th>threads</th><td>{}</td></tr>\
         <tr><th>started</th><td>{}</td></tr></table>\n<table><tr><th>scenario</th><th>file</th><th>SHA-256</th></tr>\n",
        escape(&i.crate_version),
        escape(&i.rng),
        i.seed,
        i.replications,
        i.threads,
        escape(&i.started_utc)
    );
    for s in &i.scenario {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&s.name),
            escape(&s.file),
            s.sha256
        );
    }
    h.push_str("</table>\n");
}
