//! The integration tests, linked into one binary.

/// Helpers shared by the tests: load, shrink and run scenarios in a pool of a given size.
mod common;

/// Calibration targets and the behaviour the model must show.
mod behaviour;
/// History matching to targets: recovery of known parameters, bad targets files.
mod calibrate;
/// The command-line program: exit codes, messages, output files.
mod cli;
/// Paired effects and cost-effectiveness against a baseline, on cases with known answers.
mod compare;
/// Identical bytes at every thread count and on both parallel strategies; common random numbers.
mod determinism;
/// Every module alone as a virtual trial against the literature range of its effect.
mod evidence;
/// A small world against stored results, to catch any unintended change of values.
mod golden;
/// The comparison's charts and report: redrawn from files, rendered in a real browser.
mod report;
/// Hostile inputs and environments, one test per row of the robustness issue.
mod robust;
/// A run of another size keeps the structure: villages and capacities scale with households.
mod scale;
/// Every shipped scenario validates and runs.
mod scenarios;
/// Sweeps in shards, merged, and run as Slurm array jobs on a real cluster.
mod slurm;
/// The virtual trial on cases with known answers.
mod trial;
/// Parameter uncertainty: declarations, --set, --seed, draws.
mod uncertainty;
