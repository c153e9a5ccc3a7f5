//! # livelihoods
//!
//! An agent-based simulator of rural livelihood interventions, built around the ILO
//! programme *Decent Work for Food Security and Sustainable Rural Development* (DW4FS) in
//! Kupang District, Nusa Tenggara Timur, Indonesia.
//!
//! Households with farm, enterprise and savings state are stepped through wet and dry
//! seasons; four intervention modules (production training, cooperative organisation,
//! entrepreneurship, financial management) change their behaviour; community and
//! government readiness decide how much of that change takes hold. Scenarios are TOML
//! files, run in parallel with many replications. `MODEL.md` describes the model in the
//! ODD protocol, with every parameter's default, unit and source.
//!
//! ## Module map
//!
//! | module | owns |
//! |---|---|
//! | [`params`] | every model parameter: default, unit, range |
//! | [`reference`](mod@reference) | the analyst's key reference, generated from the declarations |
//! | [`scenario`] | TOML files: inheritance, validation, overrides |
//! | [`model`] | households, villages, environment; one household's season |
//! | [`interventions`] | the four modules: targeting, capacity, take-up, cost |
//! | [`engine`] | the season schedule, written once |
//! | [`cpu`] | the instruction sets a run computes with, a value of its options |
//! | [`metrics`] | FGT, consumption, Gini, reach: integer reductions |
//! | [`summary`] | mean, band and confidence interval across replications |
//! | [`uncertainty`] | uncertain parameters: distributions, designs of draws, sensitivity indices |
//! | [`sweep`] | one scenario over a design of its uncertain parameters, resumable |
//! | [`scaleout`] | sweeps in shards, merged; Slurm array scripts |
//! | [`calibration`] | history matching to observed targets, in waves |
//! | [`trial`] | every programme against its own world: twins, trial estimators, for whom, dynamics |
//! | [`columnar`] | results as Parquet |
//! | [`compare`] | programme and world effects, cost-effectiveness |
//! | [`runner`] | scenarios × replications in parallel, memory guard |
//! | [`simulation`] | one replication to embed: a world that steps season by season |
//! | [`output`] | CSV and manifest files, written atomically |
//! | `plot` | charts (bundled font, SVG and PNG) |
//! | [`report`] | the comparison's data files, charts and HTML report; a sweep's page |
//! | [`rng`] | the only source of randomness (keyed Philox4x32-10) |
//!
//! ## Determinism contract
//!
//! Given the same scenario file, the same `livelihoods` version (with its `Cargo.lock`) and
//! the same platform, `seasons.csv` and `summary.csv` are byte-identical whatever the thread
//! count. Every random draw is keyed by (seed, replication, season, purpose, entity), so two
//! scenarios with the same seed share weather, prices and household shocks (common random
//! numbers), and every sum over households is an integer. Every code path a run can be
//! given ([`cpu::Cpu`]: AVX-512, AVX2, portable) computes the same numbers, so results do
//! not depend on it either.

pub mod calibration;
pub mod columnar;
pub mod compare;
pub mod cpu;
pub mod engine;
pub mod interventions;
pub mod metrics;
pub mod model;
pub mod output;
pub mod params;
pub(crate) mod plot;
pub mod reference;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scaleout;
pub mod scenario;
pub mod simulation;
pub mod summary;
pub mod sweep;
pub mod trial;
pub mod uncertainty;
