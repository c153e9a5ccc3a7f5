//! The full model against its ceiling: household-seasons per second of the DW4FS
//! scenario as shipped (set-up included) and of the model's own household passes with
//! nothing around them (no programme, village update or metrics), their ratio and the bytes of state per
//! household, at 10^4, 10^5 and 10^6 households on 1 thread and on every core.
//!
//! Run with `cargo bench --bench kernel`; `livelihoods bench` prints the same table with
//! options for sizes, threads and work.

use std::path::Path;

use livelihoods::cpu::Cpu;
use livelihoods::scenario;

/// The throughput measurements of `livelihoods bench`, shared with the program.
#[allow(dead_code)]
#[path = "../src/cli/bench.rs"]
mod bench;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: then one quick row.
    let quick = !std::env::args().any(|a| a == "--bench");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dw4fs.toml");
    let base = scenario::load(&path).expect("the shipped scenario is valid");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (sizes, threads, work, repeats): (&[u64], Vec<usize>, u64, u32) = if quick {
        (&[2_000], vec![1], 100_000, 1)
    } else {
        (&[10_000, 100_000, 1_000_000], if cores > 1 { vec![1, cores] } else { vec![1] }, 26_000_000, 2)
    };
    let cpu = Cpu::best();
    println!("path {cpu}");
    let sized: Vec<_> = sizes.iter().map(|&h| bench::sized(&base, h, work).expect("valid size")).collect();
    bench::table(&sized, &threads, repeats, cpu, |line| println!("{line}"));
}
