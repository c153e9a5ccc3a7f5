//! The model: households, villages, the environment and one season's update.
//!
//! `model` knows the economics and nothing about files or threads beyond splitting the
//! household phase into fixed blocks.
//!
//! ## Where a rule lives
//!
//! Households are stored as columns, in chunks of 64 (`households::Chunk`); every rule of
//! a household's season is written once, as a pass over a chunk (`lanes::passes`), and
//! every household goes through the same passes, whether or not it takes part in a module
//! this season (a mask, not a second implementation).
//!
//! | rule | where |
//! |---|---|
//! | skill decay, taking part in a module | `lanes::passes` (`decay`, `take_part`) |
//! | adoption, cooperative, enterprise exit and start | `lanes::passes` (`rates`, `decide`) |
//! | production, income by source, expected income, herd | `lanes::passes` (`farm`, `income`, `expect`, `herd`), with the arithmetic in `household` (`practice_multiplier`, `price_factor`, `input_cost_idr`, `usual_wages_idr`, `usual_profit_idr`, `expected_income`) |
//! | the budget: loans, distress sales, restocking | `budget::Lanes` |
//! | metric terms | `crate::metrics::Terms` |
//! | random words | `draws::Word`, by name |
//!
//! ## How to add
//!
//! - **A state variable**: a column of `households::Chunk` (with its place in
//!   [`household::Household`], the one-household view, and in `Chunk::get` / `Chunk::set`),
//!   then the rule that uses it, in its pass.
//! - **A random draw**: a `draws::Word` on a free word, used by name.
//! - **An intervention kind**: a `crate::interventions::Kind` variant with its key, module
//!   bit ([`household::module`]) and what it confers (`crate::interventions::raise_levels`,
//!   [`season::ProgrammeLevels`]), then its effect in the `take_part` pass.
//! - **A metric**: its entry in `crate::metrics::METRICS` (the CSV column, unit and
//!   meaning), its term in `Terms`, and its value in `Accumulator::finish`.
//!
//! Which instruction sets compute the season is the run's [`crate::cpu::Cpu`], never a
//! concern of the economics here.

pub mod budget;
pub mod draws;
pub mod environment;
#[cfg(test)]
pub(crate) mod fixture;
pub mod household;
pub mod households;
pub(crate) mod lanes;
pub mod population;
pub mod season;
pub mod village;
