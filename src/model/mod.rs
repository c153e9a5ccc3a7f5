//! The model: households, villages, the environment and one season's update.
//!
//! `model` knows the economics and nothing about files or threads beyond splitting the
//! household phase into fixed blocks.

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
