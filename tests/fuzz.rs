//! Mutation fuzzing of the scenario loader (parse, inheritance, validation, overrides),
//! on the stable toolchain.
//!
//! The corpus, `fuzz/corpus/loader/`, is seeded from the shipped scenarios and the test
//! fixtures; its files can name each other as `base`. Each input is a corpus file changed
//! by a list of [`Mutation`]s that [`arbitrary`] builds from random bytes (lines deleted,
//! duplicated or inserted, values replaced by values of any type and size, bytes flipped,
//! the file cut short, `base` pointed at another file or itself), loaded from memory with
//! [`livelihoods::scenario::load_with`]. The loader must answer every input — a scenario or
//! problems — without panicking and quickly (no hang; its work grows with the input only).
//!
//! * `cargo test --release --test fuzz` replays the corpus (and any saved crash) in a
//!   moment;
//! * `LIVELIHOODS_FUZZ_SECONDS=60 cargo test --release --test fuzz -- --ignored` fuzzes for
//!   a minute (what `.ci/run` does); a longer run takes a larger budget, and
//!   `LIVELIHOODS_FUZZ_SEED` starts elsewhere. An input that panics is written to
//!   `fuzz/crashes/` and the test fails naming it; add it to the corpus once fixed.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use livelihoods::scenario::{self, InMemory, Overrides};

/// A value written in place of another.
#[derive(Arbitrary, Debug)]
enum Value {
    Integer(i64),
    Huge(u128),
    Float(f64),
    Text(String),
    Boolean(bool),
    Counts(Vec<u32>),
    InlineTable(u8, i32),
    Special(u8),
}

impl Value {
    fn toml(&self) -> String {
        match self {
            Value::Integer(i) => i.to_string(),
            Value::Huge(i) => i.to_string(),
            Value::Float(x) => format!("{x:?}"),
            Value::Text(s) => format!("{:?}", s.chars().take(300).collect::<String>()),
            Value::Boolean(b) => b.to_string(),
            Value::Counts(v) => format!("{:?}", &v[..v.len().min(64)]),
            Value::InlineTable(k, v) => format!("{{ {} = {v} }}", key(*k)),
            Value::Special(k) => [
                "nan",
                "inf",
                "-inf",
                "-0.0",
                "1e309",
                "\"\"",
                "[]",
                "{}",
                "0x7fffffffffffffff",
                "1979-05-27",
            ][usize::from(*k) % 10]
                .into(),
        }
    }
}

/// Keys and section names of the model, to be mutated into.
const KEYS: [&str; 24] = [
    "name",
    "seed",
    "replications",
    "seasons",
    "base",
    "description",
    "households",
    "villages",
    "reference_households",
    "members_mean",
    "members_max",
    "wet_months",
    "dry_months",
    "spin_up_seasons",
    "id",
    "kind",
    "start_season",
    "end_season",
    "targeting",
    "capacity_per_season",
    "coverage_share_per_season",
    "readiness",
    "el_nino_probability",
    "intervention",
];
const SECTIONS: [&str; 6] = ["population", "calendar", "climate", "government", "readiness", "finance"];

fn key(k: u8) -> &'static str {
    KEYS[usize::from(k) % KEYS.len()]
}

/// A change to a scenario file.
#[derive(Arbitrary, Debug)]
enum Mutation {
    DeleteLine(u16),
    DuplicateLine(u16),
    ReplaceValue(u16, Value),
    InsertKey(u16, u8, Value),
    InsertSection(u16, u8),
    InsertIntervention(u16, u8),
    FlipByte(u32, u8),
    Truncate(u32),
    Base(u8),
    Raw(u16, String),
}

fn apply(text: &str, mutations: &[Mutation], names: &[String]) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = |i: u16, n: usize| usize::from(i) % n.max(1);
    let mut bytes = None;
    for m in mutations {
        match m {
            Mutation::DeleteLine(i) if !lines.is_empty() => {
                let i = at(*i, lines.len());
                lines.remove(i);
            }
            Mutation::DuplicateLine(i) if !lines.is_empty() => {
                let i = at(*i, lines.len());
                lines.insert(i, lines[i].clone());
            }
            Mutation::ReplaceValue(i, v) if !lines.is_empty() => {
                let i = at(*i, lines.len());
                if let Some((k, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{k}= {}", v.toml());
                }
            }
            Mutation::InsertKey(i, k, v) => {
                lines.insert(at(*i, lines.len() + 1), format!("{} = {}", key(*k), v.toml()))
            }
            Mutation::InsertSection(i, s) => lines
                .insert(at(*i, lines.len() + 1), format!("[{}]", SECTIONS[usize::from(*s) % SECTIONS.len()])),
            Mutation::InsertIntervention(i, k) => {
                let kinds =
                    ["production_training", "cooperative", "entrepreneurship", "financial_management", "x"];
                let block = format!(
                    "[[intervention]]\nid = \"f{k}\"\nkind = \"{}\"\nstart_season = {}\nend_season = {}",
                    kinds[usize::from(*k) % kinds.len()],
                    k % 7,
                    k % 11
                );
                lines.insert(at(*i, lines.len() + 1), block);
            }
            Mutation::Base(b) => {
                let name = &names[usize::from(*b) % names.len()];
                lines.insert(0, format!("base = {name:?}"));
            }
            Mutation::Raw(i, s) => lines.insert(at(*i, lines.len() + 1), s.chars().take(200).collect()),
            Mutation::FlipByte(..) | Mutation::Truncate(_) => {
                let b = bytes.get_or_insert_with(|| (lines.join("\n") + "\n").into_bytes());
                match m {
                    Mutation::FlipByte(i, x) if !b.is_empty() => {
                        let i = *i as usize % b.len();
                        b[i] ^= x | 1;
                    }
                    Mutation::Truncate(n) => b.truncate(*n as usize % (b.len() + 1)),
                    _ => {}
                }
                continue;
            }
            _ => {}
        }
        bytes = None;
    }
    bytes.unwrap_or_else(|| (lines.join("\n") + "\n").into_bytes())
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/loader")
}

/// The corpus (and saved crashes), by file name.
fn corpus() -> BTreeMap<String, Vec<u8>> {
    let crashes = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/crashes");
    let mut files = BTreeMap::new();
    for dir in [corpus_dir(), crashes] {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        for e in entries {
            let path = e.unwrap().path();
            files.insert(
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
    assert!(files.len() >= 9, "the corpus is seeded from the shipped scenarios");
    files
}

/// Load `target` of `files` and use what comes back; panics are the caller's to catch.
fn exercise(files: &InMemory, target: &str, overrides: &Overrides) {
    match scenario::load_with(Path::new(target), files) {
        Ok(mut s) => {
            let _ = s.warnings();
            let _ = s.apply(overrides);
            let _ = s.params.check();
        }
        Err(problems) => {
            assert!(!problems.0.is_empty(), "an error has problems");
            let _ = problems.to_string();
        }
    }
}

/// One input: a random corpus file changed by mutations drawn from `data`, loaded.
fn fuzz_one(corpus: &BTreeMap<String, Vec<u8>>, data: &[u8]) -> Result<(), (String, Vec<u8>)> {
    let mut u = Unstructured::new(data);
    let names: Vec<String> = corpus.keys().cloned().collect();
    let target = &names[u.choose_index(names.len()).unwrap_or(0)];
    let mutations: Vec<Mutation> =
        (0..u.int_in_range(0..=8).unwrap_or(1)).map_while(|_| Mutation::arbitrary(&mut u).ok()).collect();
    let overrides = Overrides {
        replications: u.arbitrary().ok().flatten(),
        households: u.arbitrary().ok().flatten(),
        seasons: u.arbitrary().ok().flatten(),
        seed: u.arbitrary().ok().flatten(),
        set: u.arbitrary::<Vec<(u8, f64)>>().map_or_else(
            |_| Vec::new(),
            |v| {
                let keys = livelihoods::uncertainty::keys();
                v.into_iter().map(|(k, x)| format!("{}={x}", keys[usize::from(k) % keys.len()])).collect()
            },
        ),
    };
    let text = String::from_utf8_lossy(&corpus[target]).into_owned();
    let mutated = apply(&text, &mutations, &names);
    let mut files = InMemory::new();
    for (name, content) in corpus {
        files.insert(name, content.clone());
    }
    files.insert(target, mutated.clone());
    let clock = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&files, target, &overrides)));
    if let Err(panic) = outcome {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
        return Err((format!("panicked: {}", message.unwrap_or_default()), mutated));
    }
    if clock.elapsed() > Duration::from_secs(2) {
        return Err((format!("took {:?}", clock.elapsed()), mutated));
    }
    Ok(())
}

/// splitmix64: the fuzzer's own source of bytes.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fuzz_for(budget: Duration, seed: u64) -> u64 {
    let corpus = corpus();
    let mut state = seed;
    let clock = Instant::now();
    let mut inputs = 0;
    while clock.elapsed() < budget {
        let len = 16 + (next(&mut state) % 512) as usize;
        let data: Vec<u8> = (0..len.div_ceil(8)).flat_map(|_| next(&mut state).to_le_bytes()).collect();
        if let Err((why, input)) = fuzz_one(&corpus, &data) {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/crashes");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("crash-{seed}-{inputs}.toml"));
            std::fs::write(&path, &input).unwrap();
            panic!("input {inputs} (seed {seed}) {why}; saved as {}", path.display());
        }
        inputs += 1;
    }
    inputs
}

#[test]
fn the_corpus_loads_without_panicking() {
    let corpus = corpus();
    let mut files = InMemory::new();
    for (name, content) in &corpus {
        files.insert(name, content.clone());
    }
    for name in corpus.keys() {
        exercise(&files, name, &Overrides::default());
    }
    // And a few mutated inputs, so that the harness itself is tested on every run.
    assert!(fuzz_for(Duration::from_millis(300), 1) > 0);
}

#[test]
#[ignore = "fuzzing for LIVELIHOODS_FUZZ_SECONDS (default 60): run by .ci/run"]
fn the_loader_survives_mutated_scenarios() {
    let seconds = std::env::var("LIVELIHOODS_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60.0);
    let seed =
        std::env::var("LIVELIHOODS_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(7, |d| d.as_secs())
        });
    let inputs = fuzz_for(Duration::from_secs_f64(seconds), seed);
    println!("fuzzed the scenario loader with {inputs} inputs in {seconds} s (seed {seed})");
}
