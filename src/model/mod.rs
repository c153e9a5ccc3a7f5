//! The model: households, villages, the environment and one season's update.
//!
//! `model` knows the economics and nothing about files or threads beyond splitting the
//! household phase into fixed blocks.
//!
//! ## Where a rule lives
//!
//! | rule | one household | a batch of 64 in lanes (AVX-512 path) |
//! |---|---|---|
//! | skill decay, adoption, cooperative, enterprise | `household::{decay_skills, decide_*}` | `lanes::passes` (`rates`, `decide`) |
//! | taking part in a module | `household::take_part` | (one-by-one: the lanes hand such households to `household::step`) |
//! | production, income by source, expected income, herd | `household::{produce, expected_income, change_herd}` | `lanes::passes` (`farm`, `income`, `expect`, `herd`) |
//! | the budget: loans, distress sales, restocking | `budget::consume` | `budget::Lanes` |
//! | metric terms | `metrics::Accumulator::add` | `metrics::Terms` |
//! | random words | `draws::Word`, by name in both | |
//!
//! The arithmetic that both columns share is written once and called by both
//! (`household::{practice_multiplier, price_factor, input_cost_idr, usual_wages_idr,
//! usual_profit_idr, expected_income}`); the decisions and the budget are still written
//! twice, in two idioms, and property tests (`lanes`, `household`) hold the two to the same
//! bits. Until households are stored as columns, a change of a rule is made in both places.
//!
//! ## How to add
//!
//! - **A state variable**: a field of [`household::Household`] (the row is 64 bytes and
//!   `lanes::rows` moves it into columns by its byte offsets: a new field means a larger
//!   row and new offsets there), its column in `lanes::Columns` and `load_rows` /
//!   `store_rows`, then the rule that uses it in both columns of the table above.
//! - **A random draw**: a `draws::Word` on a free word, used by name.
//! - **An intervention kind**: a `crate::interventions::Kind` variant with its key, module
//!   bit ([`household::module`]) and what it confers (`crate::interventions::raise_levels`,
//!   [`season::ProgrammeLevels`]), then its effect in `household::take_part`.
//! - **A metric**: its name in `crate::metrics::NAMES` (the CSV column), its term in
//!   `Accumulator::add` and in `Terms`, and its value in `Accumulator::finish`.
//!
//! Which instruction sets compute the season is the run's [`crate::cpu::Cpu`], never a
//! concern of the economics here.

pub mod budget;
pub mod draws;
pub mod environment;
#[cfg(test)]
pub(crate) mod fixture;
pub mod household;
pub(crate) mod lanes;
pub mod population;
pub mod season;
pub mod village;
