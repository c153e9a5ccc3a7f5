//! `report.html`: one self-contained page (no network; charts as inline SVG) with the
//! question, the scenarios and how they differ from the baseline, the headline effects, the
//! charts, the cost-effectiveness table and the provenance.
//!
//! The page's structure is the template `report.html.j2` beside this file (rendered with
//! minijinja); this module fills a [`Page`] with text that is already formatted for people
//! ([`super::format`]). The page is a list of [`SectionView`]s, and a section a list of
//! [`Block`]s: paragraphs, tables ([`TableView`] of [`Cell`]s) and charts ([`FigureView`]).
//! The same template shows a sweep's page (`super::sweep`).
//!
//! To add a section: build it in `page` (with [`SectionView::paragraph`],
//! [`SectionView::table`], [`SectionView::figure`]) and put it where it belongs in the list
//! of sections. A chart is drawn into the comparison's folder by `charts::draw_all` and
//! inlined from its SVG file.

use std::io;
use std::path::Path;

use serde::Serialize;

use super::charts::{Data, Figure};
use super::format::{self, DASH};

/// The template of the page.
const TEMPLATE: &str = include_str!("report.html.j2");

/// One line of a cell: an optional key shown as code, then text.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Line {
    /// Shown as `<code>`, followed by `: ` when there is text.
    pub(crate) key: Option<String>,
    /// Plain text (escaped).
    pub(crate) text: String,
}

/// A table cell: lines of text (one `<br>` between them) and an optional note in small type
/// below them, for example why a number is missing.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Cell {
    /// The lines.
    pub(crate) lines: Vec<Line>,
    /// Shown below the lines in small type.
    pub(crate) note: Option<String>,
    /// A row header (`<th scope="row">`).
    pub(crate) header: bool,
}

impl Cell {
    /// A cell of one line of text.
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self { lines: vec![Line { key: None, text: text.into() }], ..Self::default() }
    }

    /// A row header.
    pub(crate) fn header(text: impl Into<String>) -> Self {
        Self { header: true, ..Self::text(text) }
    }

    /// A cell of several lines.
    pub(crate) fn lines(lines: Vec<Line>) -> Self {
        Self { lines, ..Self::default() }
    }

    /// The same cell with a note below it.
    pub(crate) fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A column: its heading and whether it holds numbers (right-aligned).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Column {
    /// Heading.
    pub(crate) label: String,
    /// Right-aligned.
    pub(crate) numeric: bool,
}

/// A table as the page shows it, in a container that scrolls sideways on a narrow screen.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TableView {
    /// HTML id (tests look tables up by it).
    pub(crate) id: String,
    /// The columns.
    pub(crate) columns: Vec<Column>,
    /// Rows of cells, one per column.
    pub(crate) rows: Vec<Vec<Cell>>,
    /// Paragraphs below the table.
    pub(crate) notes: Vec<String>,
    /// On a narrow screen, show each row as a block of its cells (for tables of text)
    /// instead of scrolling sideways (for tables of numbers).
    pub(crate) stack: bool,
}

impl TableView {
    /// An empty table with `columns` as (heading, numeric).
    pub(crate) fn new(id: &str, columns: &[(&str, bool)]) -> Self {
        Self {
            id: id.into(),
            columns: columns.iter().map(|(l, n)| Column { label: (*l).into(), numeric: *n }).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
            stack: false,
        }
    }
}

/// A chart on the page: its SVG inline, and a caption.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FigureView {
    /// HTML id.
    pub(crate) id: String,
    /// The SVG document, without its XML declaration (inserted unescaped).
    pub(crate) svg: String,
    /// Caption.
    pub(crate) caption: String,
}

/// One block of a section: a paragraph, a table or a chart, in the order given.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Block {
    /// A paragraph of plain text.
    Paragraph {
        /// The text (escaped).
        text: String,
    },
    /// A table.
    Table(TableView),
    /// A chart.
    Figure(FigureView),
}

/// A section of the page: `<section id>`, a heading and its blocks.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SectionView {
    /// HTML id of the `<section>`.
    pub(crate) id: String,
    /// The `<h2>` heading.
    pub(crate) title: String,
    /// Paragraphs, tables and charts, in order.
    pub(crate) blocks: Vec<Block>,
}

impl SectionView {
    /// An empty section.
    pub(crate) fn new(id: &str, title: &str) -> Self {
        Self { id: id.into(), title: title.into(), blocks: Vec::new() }
    }

    /// Add a paragraph.
    pub(crate) fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph { text: text.into() });
        self
    }

    /// Add a table.
    pub(crate) fn table(mut self, table: TableView) -> Self {
        self.blocks.push(Block::Table(table));
        self
    }

    /// Add `table` if there is one.
    pub(crate) fn tables(self, table: Option<TableView>) -> Self {
        match table {
            Some(t) => self.table(t),
            None => self,
        }
    }

    /// Add a chart.
    pub(crate) fn figure(mut self, figure: FigureView) -> Self {
        self.blocks.push(Block::Figure(figure));
        self
    }
}

/// Everything the template shows, formatted: the question, the paragraphs under it, and
/// the sections in the order the page shows them.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Page {
    /// `<title>`.
    pub(crate) title: String,
    /// The question the page answers (`<h1>`).
    pub(crate) question: String,
    /// Paragraphs under the question.
    pub(crate) intro: Vec<String>,
    /// The sections, top to bottom.
    pub(crate) sections: Vec<SectionView>,
}

/// Render `page` with the template.
///
/// # Errors
/// A template error (a bug: the template is part of the program).
pub(crate) fn render(page: &Page) -> io::Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE).map_err(io::Error::other)?;
    let template = env.get_template("report.html").map_err(io::Error::other)?;
    template.render(minijinja::value::Serde(page)).map_err(io::Error::other)
}

/// The report page.
///
/// # Errors
/// Missing columns or chart files.
pub fn report(data: &Data, figures: &[Figure], dir: &Path) -> io::Result<String> {
    render(&page(data, figures, dir)?)
}

fn page(data: &Data, figures: &[Figure], dir: &Path) -> io::Result<Page> {
    let info = data.info;
    let intro = vec![format!(
        "Each scenario was run with {} replications of {} households over {} seasons, with the same seed as the \
         baseline {}: replication by replication they share weather, prices and household shocks (common random \
         numbers). Every programme is measured against its own world: the same scenario without its interventions, \
         so a programme is never credited with a change in readiness or climate that its scenario also makes; that \
         change is reported beside it as the world's own effect. Intervals are 95 % confidence intervals of the \
         mean across replications: they show the model's randomness (weather, shocks), not the uncertainty of its \
         parameters.",
        format::thousands(f64::from(info.replications)),
        format::thousands(info.households as f64),
        info.seasons,
        info.baseline
    )];
    let answers = data.files();
    let figure = |id: &str| -> io::Result<Option<FigureView>> {
        figures
            .iter()
            .find(|f| f.id == id)
            .map(|f| {
                Ok(FigureView {
                    id: f.id.into(),
                    svg: inline_svg(&dir.join(format!("{}.svg", f.stem)))?,
                    caption: f.caption.clone(),
                })
            })
            .transpose()
    };
    let mut participants = SectionView::new("section-participants", "Effects on participants")
        .paragraph(
            "The programme reaches a few percent of households, so district figures move little. Common random numbers \
             give every household an exact twin in the world without the programme: the difference between the two is \
             the programme's effect on that household.",
        )
        .table(super::answers::participants(&answers)?);
    if let Some(f) = figure("fig-participants")? {
        participants = participants.figure(f);
    }
    if let Some(evidence) = super::answers::evidence(&answers)? {
        participants = participants
            .paragraph("The modules as trials: each module alone against what the evidence gives its effect.")
            .table(evidence);
    }
    let mut for_whom =
        SectionView::new("section-for-whom", "For whom").table(super::answers::for_whom(&answers)?);
    if let Some(f) = figure("fig-groups")? {
        for_whom = for_whom.figure(f);
    }
    let mut charts = SectionView::new("section-charts", "Charts");
    for f in figures
        .iter()
        .filter(|f| !["fig-participants", "fig-groups", "fig-tornado", "fig-scatter"].contains(&f.id))
    {
        charts = charts.figure(FigureView {
            id: f.id.into(),
            svg: inline_svg(&dir.join(format!("{}.svg", f.stem)))?,
            caption: f.caption.clone(),
        });
    }
    let (table, headline_intro) = headline(data)?;
    let mut headline =
        SectionView::new("section-headline", "Poverty when each programme ends, and at the end of the run");
    for p in headline_intro {
        headline = headline.paragraph(p);
    }
    let answer = SectionView::new("section-answer", "The answer: each programme in its own world")
        .table(super::answers::answer(&answers)?);
    let how_sure = match &data.uncertainty {
        Some(u) => Some(how_sure(u, &figure)?),
        None => None,
    };
    let cost = SectionView::new("section-cost", "Cost-effectiveness")
        .paragraph(format!(
            "Costs at Rp {} per US dollar. A poverty-person-year averted is one person kept above the poverty \
             line for a year, summed over the run and paired by replication with the programme's own world; \
             costs and person-years are not discounted. Benefit/cost discounts consumption gains and costs at \
             {} a year.",
            format::thousands(info.idr_per_usd),
            format::percent(info.discount_rate, 0)
        ))
        .table(cost(data)?);
    let dynamics =
        SectionView::new("section-dynamics", "Poverty dynamics").table(super::answers::dynamics(&answers)?);
    let sections = [
        Some(answer),
        how_sure,
        Some(participants),
        Some(for_whom),
        Some(cost),
        Some(dynamics),
        Some(headline.table(table)),
        Some(charts),
        Some(SectionView::new("section-scenarios", "Scenarios").table(scenarios(data))),
        Some(SectionView::new("section-provenance", "Provenance").table(provenance(data)).table(files(data))),
    ];
    Ok(Page {
        title: format!("livelihoods: scenarios against {}", info.baseline),
        question: "What would these programmes do to poverty in Kupang District?".into(),
        intro,
        sections: sections.into_iter().flatten().collect(),
    })
}

/// How sure are we: both intervals of every programme, the parameters drawn, what each
/// programme's answer rests on (chart and tables), its answer against those parameters.
fn how_sure(
    (table, parameters, sensitivity, sobol): &super::charts::Uncertainty,
    figure: &dyn Fn(&str) -> io::Result<Option<FigureView>>,
) -> io::Result<SectionView> {
    let [effects, drawn] = super::answers::how_sure(table, parameters)?;
    let rests_on = super::answers::rests_on(sensitivity)?;
    let draws = table.column("draws").ok().and_then(|c| table.rows().first().map(|r| table.number(r, c)));
    let mut section = SectionView::new("section-how-sure", "How sure are we")
        .table(effects)
        .paragraph(format!(
            "The {} parameter draws cover these parameters, each over its distribution:",
            format::thousands(draws.unwrap_or(f64::NAN))
        ))
        .table(drawn);
    for id in ["fig-tornado", "fig-scatter"] {
        if let Some(f) = figure(id)? {
            section = section.figure(f);
        }
    }
    Ok(section.table(rests_on).tables(sobol.as_ref().map(super::answers::sobol).transpose()?))
}

/// The SVG of a chart file, without the XML declaration.
pub(crate) fn inline_svg(path: &Path) -> io::Result<String> {
    let svg = std::fs::read_to_string(path)
        .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", path.display())))?;
    let svg = svg.trim_start_matches(|c| c != '<');
    let svg = if svg.starts_with("<?xml") { svg.split_once("?>").map_or(svg, |(_, r)| r) } else { svg };
    Ok(svg.trim().to_string())
}

/// A cell of a number and, below it, its interval.
fn two_lines(value: String, interval: String) -> Cell {
    Cell::lines(vec![Line { key: None, text: value }, Line { key: None, text: interval }])
}

fn scenarios(data: &Data) -> TableView {
    let mut t = TableView::new(
        "scenarios",
        &[("scenario", false), ("description", false), ("differs from the baseline in", false)],
    );
    t.stack = true;
    for s in &data.info.scenario {
        let diffs = if s.name == data.info.baseline {
            Cell::text("(the baseline)")
        } else if s.differences.is_empty() {
            Cell::text("nothing")
        } else {
            Cell::lines(
                s.differences
                    .iter()
                    .map(|d| {
                        let text = match (d.baseline.as_str(), d.value.as_str()) {
                            ("none", added) => format!("added: {added}"),
                            (removed, "none") => format!("removed: {removed}"),
                            (from, to) => format!("{from} → {to}"),
                        };
                        Line { key: Some(d.key.clone()), text }
                    })
                    .collect(),
            )
        };
        t.rows.push(vec![Cell::text(&s.name), Cell::text(&s.description), diffs]);
    }
    t
}

/// The headline table: P0 when each scenario's own programme ends, and at the end of the run.
fn headline(data: &Data) -> io::Result<(TableView, Vec<String>)> {
    let info = data.info;
    let t = &data.effects;
    let (scenario, season) = (t.column("scenario")?, t.column("season")?);
    let (d, lo, hi) = (t.column("p0_diff_mean")?, t.column("p0_diff_ci_lo")?, t.column("p0_diff_ci_hi")?);
    let (lifted, p0) = (t.column("persons_lifted_mean")?, t.column("p0_mean")?);
    let end_run = info.seasons.saturating_sub(1);
    let row_at = |name: &str, at: u32| {
        t.rows().iter().find(|r| r[scenario] == name && t.number(r, season) == f64::from(at))
    };
    let mut table = TableView::new(
        "headline",
        &[
            ("scenario", false),
            ("programme ends", true),
            ("P0 then", true),
            ("change in P0 [95 % CI]", true),
            ("persons lifted out of poverty", true),
            (&format!("P0 at end of run (season {end_run})"), true),
            ("change in P0 [95 % CI]", true),
            ("persons lifted out of poverty", true),
        ],
    );
    let effect = |r: &Vec<String>| {
        vec![
            Cell::text(format::percent(t.number(r, p0), 1)),
            two_lines(
                format::points(t.number(r, d), 2),
                format::interval(
                    &format::signed(t.number(r, lo) * 100.0, 2),
                    &format::signed(t.number(r, hi) * 100.0, 2),
                ),
            ),
            Cell::text(format::signed(t.number(r, lifted), 0)),
        ]
    };
    for s in info.scenario.iter().filter(|s| s.name != info.baseline) {
        let mut row = vec![Cell::text(&s.name)];
        match s.programme_end_season.map(|end| (end, row_at(&s.name, end))) {
            Some((end, Some(r))) => {
                row.push(Cell::text(format!("season {end}")));
                row.extend(effect(r));
            }
            Some((end, None)) => {
                row.push(Cell::text(format!("season {end}")));
                row.extend((0..3).map(|_| Cell::text(DASH).note("not in the data")));
            }
            None => {
                row.push(Cell::text("no programme"));
                row.extend((0..3).map(|_| Cell::text(DASH)));
            }
        }
        match row_at(&s.name, end_run) {
            Some(r) => row.extend(effect(r)),
            None => row.extend((0..3).map(|_| Cell::text(DASH).note("not in the data"))),
        }
        table.rows.push(row);
    }
    table.notes.push(
        "Change in P0: the scenario's share of persons below the poverty line minus that of its own world without \
         the programme, in percentage points (pp), paired by replication; below zero is less poverty. Persons \
         lifted: the poor of that world minus the scenario's poor. A scenario without a programme has no change \
         by construction; its world's own difference from the baseline is in the first table."
            .into(),
    );
    let mut intro = Vec::new();
    if let Some(r) = row_at(&info.baseline, end_run) {
        intro.push(format!(
            "In the baseline {}, P0 is {} at the end of the run (season {end_run}). Each scenario's programme ends in \
             its own last season of delivery, so the “programme ends” columns can refer to different seasons.",
            info.baseline,
            format::percent(t.number(r, p0), 1)
        ));
    }
    Ok((table, intro))
}

fn cost(data: &Data) -> io::Result<TableView> {
    let t = &data.cost;
    let col = |n: &str| t.column(n);
    let (scenario, idr, usd) = (col("scenario")?, col("programme_cost_idr")?, col("programme_cost_usd")?);
    let (ppya, ppya_lo, ppya_hi) = (
        col("poverty_person_years_averted_mean")?,
        col("poverty_person_years_averted_ci_lo")?,
        col("poverty_person_years_averted_ci_hi")?,
    );
    let (per, per_lo, per_hi) =
        (col("cost_per_ppya_idr")?, col("cost_per_ppya_idr_lo")?, col("cost_per_ppya_idr_hi")?);
    let (participants, per_participant) = (col("participants")?, col("cost_per_participant_idr")?);
    let (per_gap, lasting, per_lasting) =
        (col("cost_per_gap_idr")?, col("lasting_exits_mean")?, col("cost_per_lasting_exit_idr")?);
    let (bc, bc_lo, bc_hi) =
        (col("benefit_cost_mean")?, col("benefit_cost_ci_lo")?, col("benefit_cost_ci_hi")?);
    let (enrolments, per_enrolment) = (col("enrolments")?, col("cost_per_enrolment_idr")?);
    let mut table = TableView::new(
        "cost-effectiveness",
        &[
            ("scenario", false),
            ("programme cost", true),
            ("poverty-person-years averted [95 % CI]", true),
            ("cost per person-year averted [interval]", true),
            ("cost per rupiah of poverty gap closed", true),
            ("persons lifted ≥ 2 years", true),
            ("cost per person lifted ≥ 2 years", true),
            ("benefit / cost [95 % CI]", true),
            ("participants (households)", true),
            ("cost per participant", true),
            ("cost per enrolment", true),
        ],
    );
    for r in t.rows().iter().filter(|r| r[scenario] != data.info.baseline) {
        let n = |c| t.number(r, c);
        let no_programme = n(idr).is_nan() || n(idr) <= 0.0;
        let averted = two_lines(
            format::thousands(n(ppya)),
            format::interval(&format::thousands(n(ppya_lo)), &format::thousands(n(ppya_hi))),
        );
        let per_year = if no_programme {
            Cell::text(DASH).note("no programme, nothing to cost")
        } else if n(ppya).is_nan() || n(ppya) <= 0.0 {
            Cell::text(DASH).note("no poverty averted against the programme's own world: nothing to cost")
        } else {
            let hi = if n(per_hi).is_finite() { format::thousands(n(per_hi)) } else { "no upper end".into() };
            two_lines(format::rupiah(n(per)), format::interval(&format::thousands(n(per_lo)), &hi))
        };
        let programme_cost = if no_programme {
            Cell::text(DASH).note("no programme")
        } else {
            two_lines(format::rupiah_compact(n(idr)), format::usd(n(usd)))
        };
        let per_head = if n(participants) > 0.0 {
            Cell::text(format::rupiah(n(per_participant)))
        } else {
            Cell::text(DASH).note("no participants")
        };
        let money = |x: f64, why: &str| {
            if no_programme {
                Cell::text(DASH).note("no programme")
            } else if x.is_finite() {
                Cell::text(format::rupiah(x))
            } else {
                Cell::text(DASH).note(why)
            }
        };
        let ratio = if no_programme {
            Cell::text(DASH).note("no programme")
        } else {
            two_lines(
                format::decimal(n(bc), 2),
                format::interval(&format::decimal(n(bc_lo), 2), &format::decimal(n(bc_hi), 2)),
            )
        };
        table.rows.push(vec![
            Cell::text(&r[scenario]),
            programme_cost,
            averted,
            per_year,
            if no_programme || !n(per_gap).is_finite() {
                money(f64::NAN, "no gap closed")
            } else {
                Cell::text(format!("Rp{}{}", format::NBSP, format::decimal(n(per_gap), 2)))
            },
            Cell::text(if no_programme { DASH.into() } else { format::thousands(n(lasting)) }),
            money(n(per_lasting), "nobody lifted for two years"),
            ratio,
            Cell::text(format::thousands(n(participants))),
            per_head,
            if n(per_enrolment).is_finite() {
                two_lines(
                    format::rupiah(n(per_enrolment)),
                    format!("{} enrolments", format::thousands(n(enrolments))),
                )
            } else {
                money(f64::NAN, "no enrolments")
            },
        ]);
    }
    table.notes.push(
        "The interval of the cost per person-year averted is the cost divided by the upper and the lower end of the \
         confidence interval of person-years averted; it has no upper end when that lower end is zero or below."
            .into(),
    );
    Ok(table)
}

fn provenance(data: &Data) -> TableView {
    let i = data.info;
    let mut t = TableView::new("provenance", &[("run", false), ("", false)]);
    t.stack = true;
    let facts = [
        ("livelihoods", i.crate_version.clone()),
        ("generator", i.rng.clone()),
        (
            "random-number kernel (CPU path)",
            if i.rng_kernel.is_empty() { "not recorded".into() } else { i.rng_kernel.clone() },
        ),
        ("seed", i.seed.to_string()),
        ("replications", format::thousands(f64::from(i.replications))),
        ("households", format::thousands(i.households as f64)),
        ("observed seasons", i.seasons.to_string()),
        ("threads", i.threads.to_string()),
        ("rupiah per US dollar", format::thousands(i.idr_per_usd)),
        ("started (UTC)", i.started_utc.clone()),
    ];
    for (k, v) in facts {
        t.rows.push(vec![Cell::header(k), Cell::text(v)]);
    }
    t
}

fn files(data: &Data) -> TableView {
    let mut t = TableView::new("files", &[("scenario", false), ("file", false), ("SHA-256", false)]);
    t.stack = true;
    for s in &data.info.scenario {
        t.rows.push(vec![
            Cell::text(&s.name),
            Cell::text(&s.file),
            Cell::lines(vec![Line { key: Some(s.sha256.clone()), text: String::new() }]),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_escapes_text_and_keeps_the_svg() {
        let mut table = TableView::new("t", &[("a & b", false), ("n", true)]);
        table.rows.push(vec![Cell::text("<script>"), Cell::text("1,234").note("why")]);
        let section = |id: &str| SectionView::new(id, "S").paragraph("p & q").table(table.clone());
        let figure =
            FigureView { id: "fig".into(), svg: "<svg><text>A</text></svg>".into(), caption: "c".into() };
        let mut sections: Vec<SectionView> = ["f", "g", "h", "i", "a", "b", "d", "e"].map(section).into();
        sections.insert(6, SectionView::new("c", "Charts").figure(figure));
        let page = Page { title: "t".into(), question: "q?".into(), intro: vec!["x < y".into()], sections };
        let html = render(&page).unwrap();
        assert!(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("a &amp; b") && html.contains("x &lt; y"));
        assert!(html.contains("<div class=\"chart\"><svg><text>A</text></svg></div>"));
        assert!(html.contains("<td class=\"n\">1,234<small class=\"note\">why</small></td>"), "{html}");
        assert_eq!(html.matches("<div class=\"table-scroll\"><table").count(), 8);
        assert_eq!(html.matches("<section id=").count(), 9);
        assert!(
            html.contains("<section id=\"c\">\n<h2>Charts</h2>") && html.contains("<p>p &amp; q</p>"),
            "{html}"
        );
    }
}
