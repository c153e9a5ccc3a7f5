//! Programme and world effects with confidence intervals, persons lifted out of poverty,
//! and cost-effectiveness.
//!
//! Pairing is replication by replication: replication r of every scenario uses the same seed
//! stream, so it shares weather, prices, household traits and shocks with replication r of
//! every other (common random numbers). A scenario's **programme effect** is the scenario
//! minus its own counterfactual — the same world without its interventions
//! ([`crate::trial`]); its **world effect** is that counterfactual minus the baseline (a
//! changed readiness or climate). Scenarios can only be paired when they share seed,
//! replications, seasons, households and calendar; [`check_pairing`] refuses anything else.

use std::fmt::Write as _;

use crate::metrics::{self, Lines, SeasonMetrics};
use crate::output::number;
use crate::params::SeasonKind;
use crate::runner::ScenarioResult;
use crate::scenario::{Origin, Problem, Problems, Scenario};
use crate::summary::Stat;
use crate::trial::{self, TrialSums};

/// Metrics whose effects are reported.
pub(crate) const COMPARED: [&str; 4] = ["p0", "p1", "p2", "mean_consumption_pc_idr"];

/// Rupiah per US dollar used for costs in dollars unless told otherwise (official rate 2021).
pub const DEFAULT_IDR_PER_USD: f64 = 14_308.0;

/// Discount rate a year for benefit/cost unless told otherwise: the Asian Development Bank's
/// rate for social-sector and poverty-targeted projects (ADB 2017, *Guidelines for the
/// Economic Analysis of Projects*: 9 % in general, 6 % for these).
pub const DEFAULT_DISCOUNT_RATE: f64 = 0.06;

/// The index of the baseline among `scenarios`, if every scenario can be paired with it.
///
/// # Errors
/// An empty list, an unknown baseline name, or scenarios that differ in seed, replications,
/// seasons, households, base year or spin-up.
pub fn check_pairing(scenarios: &[Scenario], baseline: &str) -> Result<usize, Problems> {
    let command_line = Origin::command_line();
    if scenarios.is_empty() {
        return Err(Problems(vec![Problem::new(command_line, "compare", "no scenarios to compare")]));
    }
    let Some(b) = scenarios.iter().position(|s| s.name == baseline) else {
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        let message = format!("\"{baseline}\" is not among the scenarios ({})", names.join(", "));
        return Err(Problems(vec![Problem::new(command_line, "--baseline", message)]));
    };
    let base = &scenarios[b];
    let facts = |s: &Scenario| -> [(&'static str, u64); 6] {
        [
            ("seed", s.seed),
            ("replications", u64::from(s.replications)),
            ("seasons", u64::from(s.seasons)),
            ("population.households", s.params.population.households),
            ("calendar.base_year", u64::from(s.params.calendar.base_year)),
            ("calendar.spin_up_seasons", u64::from(s.params.calendar.spin_up_seasons)),
        ]
    };
    let mut problems = Vec::new();
    for s in scenarios {
        for ((key, value), (_, wanted)) in facts(s).into_iter().zip(facts(base)) {
            if value != wanted {
                let message = format!(
                    "is {value} but the baseline \"{}\" has {wanted}: scenarios must share it to be paired \
                     replication by replication",
                    base.name
                );
                problems.push(Problem::new(Origin::file(&s.path), key, message));
            }
        }
    }
    if problems.is_empty() { Ok(b) } else { Err(Problems(problems)) }
}

fn column(runs: &[Vec<SeasonMetrics>], season: usize, k: usize) -> Vec<f64> {
    runs.iter().map(|r| r[season].values[k]).collect()
}

/// A scenario with the worlds it is measured against.
#[derive(Clone, Copy, Debug)]
pub struct Pairing<'a> {
    /// The scenario as run.
    pub scenario: &'a ScenarioResult,
    /// Its own world without the programme (the scenario itself when it has none).
    pub counterfactual: &'a ScenarioResult,
    /// The comparison's baseline.
    pub baseline: &'a ScenarioResult,
    /// The virtual trial's sums per replication (programmes only).
    pub sums: Option<&'a [TrialSums]>,
}

/// The pairings of every scenario the user gave, in order.
pub fn pairings(outcome: &trial::Outcome) -> Vec<Pairing<'_>> {
    let plan = &outcome.plan;
    (0..plan.given)
        .map(|w| {
            let cf = plan.counterfactual[w];
            Pairing {
                scenario: &outcome.results[w],
                counterfactual: &outcome.results[cf.unwrap_or(w)],
                baseline: &outcome.results[plan.baseline],
                sums: cf.map(|_| outcome.sums[w].as_slice()),
            }
        })
        .collect()
}

/// `a − b` replication by replication.
fn paired(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// `effects.csv`: per scenario × season, each compared metric's mean and 95 % CI; the
/// programme effect (scenario minus its own counterfactual, paired by replication) with 95 %
/// CI; the world effect (counterfactual minus baseline) with 95 % CI; the persons lifted
/// out of poverty by the programme.
pub fn effects_csv(pairings: &[Pairing]) -> String {
    let mut s = String::from("scenario,counterfactual,season,year,season_kind");
    for m in COMPARED {
        let _ = write!(
            s,
            ",{m}_mean,{m}_ci_lo,{m}_ci_hi,{m}_diff_mean,{m}_diff_ci_lo,{m}_diff_ci_hi,\
             {m}_world_mean,{m}_world_ci_lo,{m}_world_ci_hi"
        );
    }
    s.push_str(",persons_lifted_mean,persons_lifted_ci_lo,persons_lifted_ci_hi\n");
    let p0 = metrics::index("p0").expect("p0 is a metric");
    let persons = metrics::index("persons").expect("persons is a metric");
    for p in pairings {
        let (runs, cf, base) = (&p.scenario.runs, &p.counterfactual.runs, &p.baseline.runs);
        for (season, m) in runs[0].iter().enumerate() {
            let name = &p.scenario.scenario.name;
            let _ = write!(
                s,
                "{name},{},{},{},{}",
                p.counterfactual.scenario.name, m.season, m.year, m.season_kind
            );
            for metric in COMPARED {
                let k = metrics::index(metric).expect("compared metrics are metrics");
                let values = column(runs, season, k);
                let world = column(cf, season, k);
                let v = Stat::of(&values);
                let d = Stat::of(&paired(&values, &world));
                let w = Stat::of(&paired(&world, &column(base, season, k)));
                for x in [v.mean, v.ci_lo, v.ci_hi, d.mean, d.ci_lo, d.ci_hi, w.mean, w.ci_lo, w.ci_hi] {
                    s.push(',');
                    s.push_str(&number(x));
                }
            }
            let lifted: Vec<f64> = runs
                .iter()
                .zip(cf)
                .map(|(r, c)| (c[season].values[p0] - r[season].values[p0]) * r[season].values[persons])
                .collect();
            let l = Stat::of(&lifted);
            let _ = writeln!(s, ",{},{},{}", number(l.mean), number(l.ci_lo), number(l.ci_hi));
        }
    }
    s
}

/// Cost-effectiveness of one scenario's programme, measured in its own world.
#[derive(Clone, Debug, PartialEq)]
pub struct CostEffectiveness {
    /// Scenario name.
    pub scenario: String,
    /// The world it is measured against.
    pub counterfactual: String,
    /// Programme cost over the run, rupiah (mean across replications).
    pub cost_idr: f64,
    /// The same in US dollars.
    pub cost_usd: f64,
    /// Poverty-person-years averted by the programme over the run (against its own world,
    /// paired by replication).
    pub person_years_averted: Stat,
    /// Poverty-person-years averted by the world itself against the baseline (negative:
    /// the world adds poverty); 0 where the world is the baseline's.
    pub world_person_years_averted: Stat,
    /// Rupiah per poverty-person-year averted: cost over the mean, and over the ends of its
    /// confidence interval (NaN where the interval reaches zero or below).
    pub cost_per_person_year_idr: [f64; 3],
    /// Poverty gap closed over the run, rupiah (P1 × line × persons × months).
    pub gap_closed_idr: Stat,
    /// Rupiah spent per rupiah of poverty gap closed (NaN where none is closed).
    pub cost_per_gap_idr: f64,
    /// Persons lifted out of poverty for at least two years (lasting exits in the
    /// programme world minus in its counterfactual).
    pub lasting_exits: Stat,
    /// Rupiah per person lifted out of poverty for at least two years.
    pub cost_per_lasting_exit_idr: f64,
    /// Discounted consumption gain over discounted cost.
    pub benefit_cost: Stat,
    /// Households that took part in at least one module (mean across replications).
    pub participants: f64,
    /// Enrolments: a household in two interventions counts twice.
    pub enrolments: f64,
    /// Rupiah per participating household.
    pub cost_per_participant_idr: f64,
    /// Rupiah per enrolment.
    pub cost_per_enrolment_idr: f64,
}

/// Years of a season of kind `m.season_kind` under `params`.
fn years_of(m: &SeasonMetrics, params: &crate::params::Params) -> f64 {
    let kind = if m.season_kind == "wet" { SeasonKind::Wet } else { SeasonKind::Dry };
    params.months(kind) / 12.0
}

/// Poverty-person-years of `a` below those of `b`, per replication.
fn person_years_below(
    a: &[Vec<SeasonMetrics>],
    b: &[Vec<SeasonMetrics>],
    params: &crate::params::Params,
) -> Vec<f64> {
    let index = |name| metrics::index(name).expect("a metric");
    let (p0, persons) = (index("p0"), index("persons"));
    a.iter()
        .zip(b)
        .map(|(run, base)| {
            run.iter()
                .zip(base)
                .map(|(m, bm)| (bm.values[p0] - m.values[p0]) * m.values[persons] * years_of(m, params))
                .sum()
        })
        .collect()
}

/// Cost-effectiveness of every pairing; benefits and costs discounted at `discount_rate`
/// a year from the first observed season.
pub fn cost_effectiveness(
    pairings: &[Pairing],
    idr_per_usd: f64,
    discount_rate: f64,
) -> Vec<CostEffectiveness> {
    pairings.iter().map(|p| cost_effectiveness_of(p, idr_per_usd, discount_rate)).collect()
}

/// Cost-effectiveness of one pairing.
pub fn cost_effectiveness_of(p: &Pairing, idr_per_usd: f64, discount_rate: f64) -> CostEffectiveness {
    let index = |name| metrics::index(name).expect("a metric");
    let (p1, persons, cost, ever, consumption) = (
        index("p1"),
        index("persons"),
        index("programme_cost_idr"),
        index("ever_participants"),
        index("mean_consumption_pc_idr"),
    );
    let params = &p.scenario.scenario.params;
    let (runs, cf) = (&p.scenario.runs, &p.counterfactual.runs);
    let averted = person_years_below(runs, cf, params);
    let world = person_years_below(cf, &p.baseline.runs, params);
    let mean_last = |k: usize| {
        runs.iter().map(|run| run.last().map_or(0.0, |m| m.values[k])).sum::<f64>() / runs.len() as f64
    };
    let cost_idr = mean_last(cost);
    let participants = mean_last(ever);
    let months = |m: &SeasonMetrics| years_of(m, params) * 12.0;
    let gap: Vec<f64> = runs
        .iter()
        .zip(cf)
        .map(|(run, c)| {
            run.iter()
                .zip(c)
                .map(|(m, cm)| {
                    // P1 is a share of the season's line, which moves with the year's price.
                    let line = Lines::of_observed(params, m).poverty_idr;
                    (cm.values[p1] - m.values[p1]) * line * m.values[persons] * months(m)
                })
                .sum()
        })
        .collect();
    let discount = |m: &SeasonMetrics| (1.0 + discount_rate).powf(-f64::from(m.season / 2));
    let benefit_cost: Vec<f64> = runs
        .iter()
        .zip(cf)
        .map(|(run, c)| {
            let mut spent_before = 0.0;
            let (mut benefit, mut spent) = (0.0, 0.0);
            for (m, cm) in run.iter().zip(c) {
                let gain = (m.values[consumption] - cm.values[consumption]) * m.values[persons] * months(m);
                benefit += gain * discount(m);
                spent += (m.values[cost] - spent_before) * discount(m);
                spent_before = m.values[cost];
            }
            if spent > 0.0 { benefit / spent } else { f64::NAN }
        })
        .collect();
    let lasting = p.sums.map_or_else(|| vec![0.0; runs.len()], trial::tables::lasting_exits_averted);
    let enrolments =
        p.sums.map_or(0.0, |s| s.iter().map(|x| x.enrolments).sum::<f64>() / s.len().max(1) as f64);
    let ppya = Stat::of(&averted);
    let per = |x: f64| if x > 0.0 && cost_idr > 0.0 { cost_idr / x } else { f64::NAN };
    let (gap, lasting) = (Stat::of(&gap), Stat::of(&lasting));
    CostEffectiveness {
        scenario: p.scenario.scenario.name.clone(),
        counterfactual: p.counterfactual.scenario.name.clone(),
        cost_idr,
        cost_usd: cost_idr / idr_per_usd,
        cost_per_person_year_idr: [per(ppya.mean), per(ppya.ci_hi), per(ppya.ci_lo)],
        person_years_averted: ppya,
        world_person_years_averted: Stat::of(&world),
        cost_per_gap_idr: per(gap.mean),
        gap_closed_idr: gap,
        cost_per_lasting_exit_idr: per(lasting.mean),
        lasting_exits: lasting,
        benefit_cost: Stat::of(&benefit_cost),
        participants,
        enrolments,
        cost_per_participant_idr: per(participants),
        cost_per_enrolment_idr: per(enrolments),
    }
}

/// `cost_effectiveness.csv`: one row per scenario.
pub(crate) fn cost_effectiveness_csv(
    rows: &[CostEffectiveness],
    idr_per_usd: f64,
    discount_rate: f64,
) -> String {
    let mut s = String::from(
        "scenario,counterfactual,programme_cost_idr,programme_cost_usd,idr_per_usd,\
         poverty_person_years_averted_mean,poverty_person_years_averted_ci_lo,poverty_person_years_averted_ci_hi,\
         cost_per_ppya_idr,cost_per_ppya_idr_lo,cost_per_ppya_idr_hi,\
         world_person_years_averted_mean,world_person_years_averted_ci_lo,world_person_years_averted_ci_hi,\
         poverty_gap_closed_idr_mean,poverty_gap_closed_idr_ci_lo,poverty_gap_closed_idr_ci_hi,cost_per_gap_idr,\
         lasting_exits_mean,lasting_exits_ci_lo,lasting_exits_ci_hi,cost_per_lasting_exit_idr,\
         discount_rate,benefit_cost_mean,benefit_cost_ci_lo,benefit_cost_ci_hi,\
         participants,cost_per_participant_idr,enrolments,cost_per_enrolment_idr\n",
    );
    for r in rows {
        let (p, w, g, l, b) = (
            &r.person_years_averted,
            &r.world_person_years_averted,
            &r.gap_closed_idr,
            &r.lasting_exits,
            &r.benefit_cost,
        );
        let [mid, lo, hi] = r.cost_per_person_year_idr;
        let cells = [
            r.cost_idr,
            r.cost_usd,
            idr_per_usd,
            p.mean,
            p.ci_lo,
            p.ci_hi,
            mid,
            lo,
            hi,
            w.mean,
            w.ci_lo,
            w.ci_hi,
            g.mean,
            g.ci_lo,
            g.ci_hi,
            r.cost_per_gap_idr,
            l.mean,
            l.ci_lo,
            l.ci_hi,
            r.cost_per_lasting_exit_idr,
            discount_rate,
            b.mean,
            b.ci_lo,
            b.ci_hi,
            r.participants,
            r.cost_per_participant_idr,
            r.enrolments,
            r.cost_per_enrolment_idr,
        ];
        s.push_str(&r.scenario);
        s.push(',');
        s.push_str(&r.counterfactual);
        for x in cells {
            s.push(',');
            s.push_str(&number(x));
        }
        s.push('\n');
    }
    s
}
