//! Scenario files: loading, inheritance, validation, and command-line overrides.
//!
//! A scenario is read in two stages. `document` parses the TOML into a tree whose every
//! value remembers its file, line and column, and merges `base = "…"` files. This module
//! then checks the tree against the parameter definitions ([`crate::params`]) and the
//! intervention table ([`crate::interventions`]), collecting *every* problem — unknown keys
//! (with a suggestion), wrong types, values out of range, unknown kinds, duplicate ids —
//! before anything runs.

mod document;
mod problems;
mod uncertain;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use document::Disk;
pub use document::Files;
pub use document::InMemory;
pub(crate) use document::parse as parse_toml;
pub(crate) use document::{Document, Entry, Node};
pub use problems::{Origin, Problem, Problems};
pub(crate) use problems::{did_you_mean, suggest};

use crate::interventions::{Intervention, Kind, Targeting};
use crate::model::household::MAX_INTERVENTIONS;
use crate::params::Params;

/// The default seed.
const DEFAULT_SEED: i64 = 20_240_301;
/// The default number of replications.
const DEFAULT_REPLICATIONS: i64 = 20;
/// The default number of observed seasons.
const DEFAULT_SEASONS: i64 = 20;

/// The top-level keys that hold a value, declared once: key, type, default, valid values,
/// meaning (the loader reads them by these names; the reference prints this table).
pub(crate) const TOP_LEVEL: [(&str, &str, &str, &str, &str); 6] = [
    ("name", "string", "file name", "letters, digits, _ - .", "Scenario name; results go to <out>/<name>/."),
    ("description", "string", "\"\"", "", "What the scenario represents."),
    (
        "base",
        "string",
        "—",
        "a file path",
        "File this one builds on, relative to this file; only differences need stating.",
    ),
    (
        "seed",
        "integer",
        "20240301",
        "≥ 0",
        "Seed of every random draw; same seed = same weather, prices and shocks.",
    ),
    ("replications", "integer", "20", "≥ 1", "Independent replications."),
    ("seasons", "integer", "20", "≥ 1", "Observed seasons, two per year (wet, dry)."),
];

/// True if `key` is a top-level key that is not a parameter section: a value of
/// [`TOP_LEVEL`], the interventions or the uncertainty table.
fn is_top_key(key: &str) -> bool {
    TOP_LEVEL.iter().any(|k| k.0 == key) || key == "intervention" || key == uncertain::KEY
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name; also the output directory.
    pub name: String,
    /// What the scenario represents.
    pub description: String,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// SHA-256 of the file and of each base file it builds on, nearest first.
    pub file_hashes: Vec<(PathBuf, String)>,
    /// Seed of every random draw.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// Seasons simulated (two per year).
    pub seasons: u32,
    /// Model parameters.
    pub params: Params,
    /// Interventions in file order.
    pub interventions: Vec<Intervention>,
    /// Parameters declared uncertain (`[uncertainty]`), in key order.
    pub uncertain: Vec<crate::uncertainty::Uncertain>,
    /// Observed season whose consumption distribution is kept for charts (default: the last).
    pub distribution_season: Option<u32>,
    /// Command-line overrides applied, as `key = value` text.
    pub overrides: Vec<(String, String)>,
}

/// Command-line overrides of a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// Replications.
    pub replications: Option<u32>,
    /// Households (villages and intervention capacities scale along: see
    /// [`crate::params::Population::scale`]).
    pub households: Option<u64>,
    /// Seasons.
    pub seasons: Option<u32>,
    /// Seed of every random draw.
    pub seed: Option<u64>,
    /// Parameters set from the command line (`--set section.key=value`), in order.
    pub set: Vec<String>,
}

impl Scenario {
    /// Apply command-line overrides.
    ///
    /// # Errors
    /// When an override leaves the scenario invalid (for example fewer households than villages).
    pub fn apply(&mut self, o: &Overrides) -> Result<(), Problems> {
        let mut problems = Vec::new();
        let at = Origin::command_line();
        if let Some(r) = o.replications {
            if r == 0 {
                problems.push(Problem::new(at.clone(), "--replications", "must be at least 1"));
            }
            self.replications = r;
            self.overrides.push(("replications".into(), r.to_string()));
        }
        if let Some(s) = o.seasons {
            if s == 0 || s >= 1 << 20 {
                problems.push(Problem::new(
                    at.clone(),
                    "--seasons",
                    format!("must be in 1..={}, got {s}", (1 << 20) - 1),
                ));
            }
            self.seasons = s;
            self.overrides.push(("seasons".into(), s.to_string()));
        }
        if let Some(h) = o.households {
            self.params.population.households = h;
            self.overrides.push(("households".into(), h.to_string()));
            if h == 0 {
                problems.push(Problem::new(at.clone(), "--households", "must be at least 1, got 0"));
            } else if let Some(message) = self.params.population.size_problem() {
                problems.push(Problem::new(at.clone(), "--households", message));
            } else {
                problems.extend(self.village_lists_problems());
            }
        }
        if let Some(seed) = o.seed {
            self.seed = seed;
            self.overrides.push(("seed".into(), seed.to_string()));
        }
        for assignment in &o.set {
            if let Err(message) = self.set(assignment) {
                problems.push(Problem::new(at.clone(), "--set", message));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(Problems(problems)) }
    }

    /// Set a parameter from `section.key=value`, checked like a value in a file.
    fn set(&mut self, assignment: &str) -> Result<(), String> {
        let Some((key, value)) = assignment.split_once('=') else {
            return Err(format!("\"{assignment}\" must be section.key=value"));
        };
        let (key, value) = (key.trim(), value.trim());
        crate::uncertainty::declared(key)?;
        let Ok(number) = value.parse::<f64>() else {
            return Err(format!("{key}: \"{value}\" is not a number"));
        };
        self.params = crate::uncertainty::set(&self.params, key, number)?;
        self.overrides.push((key.to_string(), value.to_string()));
        Ok(())
    }

    /// Every listed village of a `targeting = "villages"` intervention that the run, at its
    /// size, does not have.
    fn village_lists_problems(&self) -> Vec<Problem> {
        let mut range = Vec::new();
        let villages = self.params.population.simulated_villages();
        for iv in &self.interventions {
            iv.check_villages(&format!("intervention[{}]", iv.id), villages, &mut range);
        }
        range.into_iter().map(|p| Problem::new(Origin::file(&self.path), &p.path, p.message)).collect()
    }

    /// Observed household-seasons: households × seasons × replications.
    pub fn household_seasons(&self) -> u64 {
        self.params.population.households * u64::from(self.seasons) * u64::from(self.replications)
    }

    /// Seasons simulated per replication: the observed ones after the spin-up.
    pub fn simulated_seasons(&self) -> u32 {
        self.seasons + self.params.calendar.spin_up_seasons
    }

    /// Simulated household-seasons, spin-up included.
    pub fn simulated_household_seasons(&self) -> u64 {
        self.params.population.households * u64::from(self.simulated_seasons()) * u64::from(self.replications)
    }
}

/// Load and validate every file, reporting the problems of all of them at once.
///
/// # Errors
/// Every problem found in any file, and duplicate scenario names.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, Problems> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match load(path) {
            Ok(s) => scenarios.push(s),
            Err(Problems(p)) => problems.extend(p),
        }
    }
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for s in &scenarios {
        if let Some(first) = seen.insert(&s.name, &s.path) {
            problems.push(Problem::new(
                Origin::file(&s.path),
                "name",
                format!("\"{}\" is also the name of {}: outputs would collide", s.name, first.display()),
            ));
        }
    }
    if problems.is_empty() { Ok(scenarios) } else { Err(Problems(problems)) }
}

/// Load and validate one scenario file.
///
/// # Errors
/// Every problem found in the file and its bases.
pub fn load(path: &Path) -> Result<Scenario, Problems> {
    load_with(path, &Disk)
}

/// Load and validate the scenario `path` of `source` (files on disk, [`Disk`], or held in
/// memory, [`InMemory`]), with everything it builds on.
///
/// # Errors
/// Every problem found in the file and its bases.
pub fn load_with(path: &Path, source: &dyn Files) -> Result<Scenario, Problems> {
    let doc = document::load(path, source).map_err(Problems)?;
    validate(path, &doc)
}

/// Load and validate a scenario from its text alone, as if read from `path` (which names it
/// in messages and gives the default name). A `base` it names is looked for in memory and
/// so is not found: use [`load_with`] and [`InMemory`] for inheritance.
///
/// # Errors
/// Every problem found in the text.
pub fn from_str(path: impl AsRef<Path>, text: &str) -> Result<Scenario, Problems> {
    let path = path.as_ref();
    let mut files = InMemory::new();
    files.insert(path, text);
    load_with(path, &files)
}

/// Longest scenario name: it names a folder, with room for the version suffix within the
/// file system's 255 bytes.
pub(crate) const MAX_NAME_CHARS: usize = 100;

/// Names a scenario may not have: the folders the program writes itself.
pub(crate) const RESERVED_NAMES: [&str; 2] = ["compare", "sweeps"];

/// Why `name` cannot name a scenario (and its output folder), if it cannot.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let suffix = crate::trial::COUNTERFACTUAL_SUFFIX;
    if name.is_empty() {
        Some("is empty; a scenario needs a name (it names the output folder)".into())
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!(
            "is {} characters long; at most {MAX_NAME_CHARS} are allowed (it names the output folder)",
            name.chars().count()
        ))
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) || name.starts_with('.') {
        Some(format!(
            "\"{name}\" must use only letters, digits, '_', '-' and '.', and not start with '.' \
             (it names the output directory)"
        ))
    } else if RESERVED_NAMES.contains(&name) {
        Some(format!("\"{name}\" is reserved: the comparison's results are written to the folder {name}/"))
    } else if name.ends_with(suffix) {
        Some(format!(
            "\"{name}\" ends in \"{suffix}\", which is reserved for the worlds without a programme \
             that compare writes"
        ))
    } else {
        None
    }
}

impl Scenario {
    /// A scenario from the text of a scenario file, validated as a file is (its name, if
    /// it states none, is `scenario`). A `base` it names is not found: use [`load_with`]
    /// and [`InMemory`] for inheritance.
    ///
    /// # Errors
    /// Every problem found in the text.
    pub fn from_toml_str(text: &str) -> Result<Self, Problems> {
        from_str("scenario.toml", text)
    }

    /// Things that are valid but probably not meant: an intervention that never acts in
    /// the observed seasons. One line each, naming the file and key.
    pub fn warnings(&self) -> Vec<String> {
        let last = self.seasons.saturating_sub(1);
        self.interventions
            .iter()
            .filter(|iv| iv.start_season > last)
            .map(|iv| {
                format!(
                    "{}: intervention[{}].start_season: is {}, after the last observed season ({last}): \
                     it never acts",
                    self.path.display(),
                    iv.id,
                    iv.start_season
                )
            })
            .collect()
    }
}

fn validate(path: &Path, doc: &Document) -> Result<Scenario, Problems> {
    let mut v = Validator { path, problems: Vec::new() };
    for (key, entry) in &doc.root {
        if !is_top_key(key) && !Params::SECTIONS.contains(&key.as_str()) {
            let tables = ["intervention", uncertain::KEY];
            let known = TOP_LEVEL.iter().map(|k| k.0).chain(tables).chain(Params::SECTIONS.iter().copied());
            v.unknown(entry, key, suggest(key, known));
        }
    }
    let stated = v.string(doc, "name");
    let name = stated.clone().unwrap_or_else(|| default_name(path));
    if let Some(mut message) = name_problem(&name) {
        let origin = doc.root.get("name").map_or(Origin::file(path), |e| e.origin.clone());
        if stated.is_none() && !doc.root.contains_key("name") {
            message =
                format!("{message}; the file states no name, so it is taken from the file name: set `name`");
        }
        v.problems.push(Problem::new(origin, "name", message));
    }
    let description = v.string(doc, "description").unwrap_or_default();
    let seed = v.integer(doc, "seed", 0, i64::MAX).unwrap_or(DEFAULT_SEED) as u64;
    let replications =
        v.integer(doc, "replications", 1, i64::from(u32::MAX)).unwrap_or(DEFAULT_REPLICATIONS) as u32;
    let seasons = v.integer(doc, "seasons", 1, (1 << 20) - 1).unwrap_or(DEFAULT_SEASONS) as u32;
    let params = v.params(doc);
    let interventions = v.interventions(doc, params.population.simulated_villages());
    let (uncertain, problems) = uncertain::parse(doc);
    v.problems.extend(problems);
    if !v.problems.is_empty() {
        v.problems
            .sort_by(|a, b| (&a.origin.file, a.origin.position).cmp(&(&b.origin.file, b.origin.position)));
        return Err(Problems(v.problems));
    }
    let file_hashes = doc.files.iter().map(|(p, text)| (p.clone(), sha256_hex(text.as_bytes()))).collect();
    Ok(Scenario {
        name,
        description,
        path: path.to_path_buf(),
        file_hashes,
        seed,
        replications,
        seasons,
        params,
        interventions,
        uncertain,
        distribution_season: None,
        overrides: Vec::new(),
    })
}

/// The first two distinct ids of `ids` whose `hash` is the same (whose random draws would
/// be the same), if any.
fn shared_stream<'a>(
    ids: impl Iterator<Item = &'a str>,
    hash: impl Fn(&str) -> u64,
) -> Option<(&'a str, &'a str)> {
    let mut first_of: BTreeMap<u64, &str> = BTreeMap::new();
    for id in ids {
        match first_of.get(&hash(id)) {
            Some(&other) if other != id => return Some((id, other)),
            Some(_) => {}
            None => {
                first_of.insert(hash(id), id);
            }
        }
    }
    None
}

fn default_name(path: &Path) -> String {
    path.file_stem().map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// SHA-256 of `bytes`, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The expected type of a key, taken from its default value; a whole number with its range.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expected {
    Count(i64, i64),
    Number,
    Text,
    Counts(i64),
    /// A list of numbers (a parameter's schedule).
    Numbers,
}

/// Any non-negative whole number that fits.
const ANY_COUNT: Expected = Expected::Count(0, i64::MAX);

impl Expected {
    /// The type of a key whose default is `default` and whose declared range, if any, is
    /// `range`.
    fn of(default: &toml::Value, range: Option<(f64, f64)>) -> Self {
        match default {
            toml::Value::Integer(_) => {
                range.map_or(ANY_COUNT, |(min, max)| Self::Count(min.max(0.0) as i64, max as i64))
            }
            toml::Value::String(_) => Self::Text,
            toml::Value::Array(_) => Self::Numbers,
            _ => Self::Number,
        }
    }

    /// The value converted to the expected type, or why it cannot be.
    fn accept(self, node: &Node) -> Result<toml::Value, String> {
        let got = node.type_name();
        match (self, node) {
            (Self::Count(_, _), Node::Scalar(toml::Value::Integer(i))) if *i < 0 => {
                Err(format!("must be a non-negative whole number, got {i}"))
            }
            (Self::Count(min, max), Node::Scalar(toml::Value::Integer(i))) if (min..=max).contains(i) => {
                Ok(toml::Value::Integer(*i))
            }
            (Self::Count(min, max), Node::Scalar(toml::Value::Integer(i))) => {
                Err(format!("must be in {min}..={max}, got {i}"))
            }
            (Self::Count(min, max), Node::BigInteger(text)) => {
                Err(format!("must be in {min}..={max}, got {text} (out of range)"))
            }
            (Self::Count(_, _), _) => Err(format!("must be a whole number, got a {got}")),
            (Self::Number, Node::Scalar(toml::Value::Integer(i))) => Ok(toml::Value::Float(*i as f64)),
            (Self::Number, Node::BigInteger(text)) => {
                Ok(toml::Value::Float(text.parse().unwrap_or(f64::NAN)))
            }
            (Self::Number, Node::Scalar(toml::Value::Float(x))) if x.is_finite() => {
                Ok(toml::Value::Float(*x))
            }
            (Self::Number, Node::Scalar(toml::Value::Float(x))) => {
                Err(format!("must be a finite number, got {x}"))
            }
            (Self::Number, _) => Err(format!("must be a number, got a {got}")),
            (Self::Text, Node::Scalar(toml::Value::String(s))) => Ok(toml::Value::String(s.clone())),
            (Self::Text, _) => Err(format!("must be a string, got a {got}")),
            (Self::Counts(max), Node::Array(items)) => items
                .iter()
                .map(|e| Self::Count(0, max).accept(&e.node))
                .collect::<Result<Vec<_>, _>>()
                .map(toml::Value::Array)
                .map_err(|e| format!("must be a list of whole numbers: an element {e}")),
            (Self::Counts(_), _) => Err(format!("must be a list of whole numbers, got a {got}")),
            (Self::Numbers, Node::Array(items)) => items
                .iter()
                .map(|e| Self::Number.accept(&e.node))
                .collect::<Result<Vec<_>, _>>()
                .map(toml::Value::Array)
                .map_err(|e| format!("must be a list of numbers: an element {e}")),
            (Self::Numbers, _) => Err(format!("must be a list of numbers, got a {got}")),
        }
    }
}

struct Validator<'a> {
    path: &'a Path,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn unknown(&mut self, entry: &Entry, key: &str, suggestion: Option<&str>) {
        let hint = suggestion.map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        self.problems.push(Problem::new(entry.origin.clone(), key, format!("unknown key{hint}")));
    }

    fn string(&mut self, doc: &Document, key: &str) -> Option<String> {
        let entry = doc.root.get(key)?;
        match Expected::Text.accept(&entry.node) {
            Ok(toml::Value::String(s)) => Some(s),
            Ok(_) => None,
            Err(e) => {
                self.problems.push(Problem::new(entry.origin.clone(), key, e));
                None
            }
        }
    }

    fn integer(&mut self, doc: &Document, key: &str, min: i64, max: i64) -> Option<i64> {
        let entry = doc.root.get(key)?;
        match &entry.node {
            Node::Scalar(toml::Value::Integer(i)) if (min..=max).contains(i) => Some(*i),
            Node::Scalar(toml::Value::Integer(i)) => {
                self.problems.push(Problem::new(
                    entry.origin.clone(),
                    key,
                    format!("must be in {min}..={max}, got {i}"),
                ));
                None
            }
            Node::BigInteger(text) => {
                let message = format!("must be in {min}..={max}, got {text} (out of range)");
                self.problems.push(Problem::new(entry.origin.clone(), key, message));
                None
            }
            other => {
                let message = format!("must be a whole number, got a {}", other.type_name());
                self.problems.push(Problem::new(entry.origin.clone(), key, message));
                None
            }
        }
    }

    /// Check every parameter section and build [`Params`] from the well-typed keys.
    fn params(&mut self, doc: &Document) -> Params {
        let defaults = toml::Value::try_from(Params::default()).expect("parameters serialise to TOML");
        let toml::Value::Table(defaults) = defaults else { unreachable!("Params is a struct") };
        let mut clean = toml::Table::new();
        for section in Params::SECTIONS {
            let Some(entry) = doc.root.get(section) else { continue };
            let Node::Table(table) = &entry.node else {
                let message = format!("must be a table ([{section}]), got a {}", entry.node.type_name());
                self.problems.push(Problem::new(entry.origin.clone(), section, message));
                continue;
            };
            let Some(toml::Value::Table(known)) = defaults.get(section) else { continue };
            let docs =
                Params::reference().into_iter().find(|(s, _, _)| *s == section).map_or(&[][..], |d| d.2);
            let range = |key: &str| docs.iter().find(|d| d.key == key).map(|d| (d.min, d.max));
            let known: BTreeMap<String, Expected> =
                known.iter().map(|(k, v)| (k.clone(), Expected::of(v, range(k)))).collect();
            clean.insert(section.into(), toml::Value::Table(self.clean_table(section, table, &known)));
        }
        let params = match Params::deserialize(toml::Value::Table(clean)) {
            Ok(p) => p,
            Err(e) => {
                self.problems.push(Problem::new(Origin::file(self.path), "", e.to_string()));
                Params::default()
            }
        };
        for problem in params.check() {
            let origin = lookup(&doc.root, &problem.path).unwrap_or_else(|| Origin::file(self.path));
            self.problems.push(Problem::new(origin, &problem.path, problem.message));
        }
        params
    }

    /// Keep the keys of `table` that are known and well typed; report the others.
    fn clean_table(
        &mut self,
        prefix: &str,
        table: &BTreeMap<String, Entry>,
        known: &BTreeMap<String, Expected>,
    ) -> toml::Table {
        let mut clean = toml::Table::new();
        for (key, entry) in table {
            let path = format!("{prefix}.{key}");
            match known.get(key) {
                None => self.unknown(entry, &path, suggest(key, known.keys().map(String::as_str))),
                Some(t) => match t.accept(&entry.node) {
                    Ok(value) => {
                        clean.insert(key.clone(), value);
                    }
                    Err(e) => self.problems.push(Problem::new(entry.origin.clone(), &path, e)),
                },
            }
        }
        clean
    }

    /// Check every `[[intervention]]` table.
    fn interventions(&mut self, doc: &Document, villages: u64) -> Vec<Intervention> {
        let Some(entry) = doc.root.get("intervention") else { return Vec::new() };
        let Node::Array(items) = &entry.node else {
            let message =
                format!("must be an array of tables ([[intervention]]), got a {}", entry.node.type_name());
            self.problems.push(Problem::new(entry.origin.clone(), "intervention", message));
            return Vec::new();
        };
        let mut out: Vec<Intervention> = Vec::new();
        let mut first_of: BTreeMap<String, Origin> = BTreeMap::new();
        if let Some(extra) = items.get(MAX_INTERVENTIONS) {
            let message = format!(
                "is intervention number {} of {}, but a scenario holds at most {MAX_INTERVENTIONS}",
                MAX_INTERVENTIONS + 1,
                items.len()
            );
            self.problems.push(Problem::new(extra.origin.clone(), "intervention", message));
        }
        for (i, item) in items.iter().enumerate() {
            let Node::Table(table) = &item.node else {
                self.problems.push(Problem::new(
                    item.origin.clone(),
                    &format!("intervention[{i}]"),
                    "must be a table",
                ));
                continue;
            };
            let label = match table.get("id").map(|e| &e.node) {
                Some(Node::Scalar(toml::Value::String(id))) => format!("intervention[{id}]"),
                _ => format!("intervention[#{}]", i + 1),
            };
            if let Some(mut iv) = self.intervention(&label, item, table, villages) {
                let at_id = table.get("id").map_or(&item.origin, |e| &e.origin);
                if let Some(followed) = iv.follows.clone() {
                    iv.follows_index = out.iter().position(|earlier| earlier.id == followed);
                    if iv.follows_index.is_none() {
                        let earlier: Vec<&str> = out.iter().map(|e| e.id.as_str()).collect();
                        let listed = if earlier.is_empty() {
                            "none comes before it".to_string()
                        } else {
                            format!("the earlier ones are {}", earlier.join(", "))
                        };
                        let origin = table.get("follows").map_or(item.origin.clone(), |e| e.origin.clone());
                        let message =
                            format!("is \"{followed}\", which is no earlier intervention's id ({listed})");
                        self.problems.push(Problem::new(origin, &format!("{label}.follows"), message));
                    }
                }
                if let Some(first) = first_of.get(&iv.id) {
                    let at = first.position.map_or(String::new(), |(l, _)| format!(" (first at line {l})"));
                    let message =
                        format!("duplicate id \"{}\"{at}: every intervention needs its own id", iv.id);
                    self.problems.push(Problem::new(at_id.clone(), &format!("{label}.id"), message));
                } else {
                    first_of.insert(iv.id.clone(), at_id.clone());
                }
                out.push(iv);
            }
        }
        if let Some((id, other)) = shared_stream(out.iter().map(|iv| iv.id.as_str()), crate::rng::id_hash) {
            let message = format!(
                "\"{id}\" and \"{other}\" hash to the same 64-bit key, so their lotteries and take-up \
                 would draw the same numbers: rename one"
            );
            self.problems.push(Problem::new(
                Origin::file(self.path),
                &format!("intervention[{id}].id"),
                message,
            ));
        }
        out
    }

    fn intervention(
        &mut self,
        label: &str,
        item: &Entry,
        table: &BTreeMap<String, Entry>,
        villages: u64,
    ) -> Option<Intervention> {
        let mut blocking = false;
        let kind = match table.get("kind").map(|e| (&e.node, &e.origin)) {
            Some((Node::Scalar(toml::Value::String(name)), origin)) => {
                let kind = Kind::from_name(name);
                if kind.is_none() {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                    let hint = suggest(name, names.iter().copied())
                        .map_or(String::new(), |s| format!(" (did you mean \"{s}\"?)"));
                    let message = format!(
                        "unknown intervention kind \"{name}\"{hint}; expected one of {}",
                        names.join(", ")
                    );
                    self.problems.push(Problem::new(origin.clone(), &format!("{label}.kind"), message));
                }
                kind
            }
            Some((other, origin)) => {
                let message = format!("must be a string, got a {}", other.type_name());
                self.problems.push(Problem::new(origin.clone(), &format!("{label}.kind"), message));
                None
            }
            _ => None,
        };
        let known = intervention_keys(kind);
        let clean = self.clean_table(label, table, &known);
        for required in ["id", "kind", "start_season", "end_season"] {
            if !table.contains_key(required) {
                blocking = true;
                self.problems.push(Problem::new(
                    item.origin.clone(),
                    &format!("{label}.{required}"),
                    "is missing",
                ));
            }
        }
        if let Some(toml::Value::String(l)) = clean.get("location")
            && !crate::interventions::Location::NAMES.contains(&l.as_str())
        {
            let origin = table["location"].origin.clone();
            let names = crate::interventions::Location::NAMES.join(", ");
            let message = format!("unknown location \"{l}\"; expected one of {names}");
            self.problems.push(Problem::new(origin, &format!("{label}.location"), message));
            blocking = true;
        }
        if let Some(toml::Value::String(t)) = clean.get("targeting")
            && !Targeting::NAMES.contains(&t.as_str())
        {
            let origin = table["targeting"].origin.clone();
            let message =
                format!("unknown targeting \"{t}\"; expected one of {}", Targeting::NAMES.join(", "));
            self.problems.push(Problem::new(origin, &format!("{label}.targeting"), message));
            blocking = true;
        }
        let required_typed =
            ["id", "kind", "start_season", "end_season"].iter().all(|k| clean.contains_key(*k));
        if blocking || kind.is_none() || !required_typed {
            return None;
        }
        let mut iv = match Intervention::deserialize(toml::Value::Table(clean)) {
            Ok(iv) => iv,
            Err(e) => {
                self.problems.push(Problem::new(item.origin.clone(), label, e.to_string()));
                return None;
            }
        };
        iv.fill_defaults();
        let mut range = Vec::new();
        iv.check(label, villages, &mut range);
        for p in range {
            let key = p.path.rsplit('.').next().unwrap_or_default();
            let origin = table.get(key).map_or(item.origin.clone(), |e| e.origin.clone());
            self.problems.push(Problem::new(origin, &p.path, p.message));
        }
        Some(iv)
    }
}

/// Keys an intervention of `kind` accepts, with their types (every key when the kind is
/// unknown, so that only genuinely unknown keys are reported).
fn intervention_keys(kind: Option<Kind>) -> BTreeMap<String, Expected> {
    use crate::interventions::{KEYS, KeyType};
    let seasons = ["start_season", "end_season"];
    KEYS.iter()
        .filter(|k| kind.is_none_or(|kind| k.accepted_by(kind)))
        .map(|k| {
            let t = match k.ty {
                KeyType::Text => Expected::Text,
                KeyType::Integer if seasons.contains(&k.key) => Expected::Count(0, i64::from(u32::MAX)),
                KeyType::Integer => ANY_COUNT,
                KeyType::Integers => Expected::Counts(i64::from(u32::MAX)),
                KeyType::Number => Expected::Number,
            };
            (k.key.to_string(), t)
        })
        .collect()
}

/// The origin of the value at dotted `path` (sections only).
fn lookup(root: &BTreeMap<String, Entry>, path: &str) -> Option<Origin> {
    let mut parts = path.split('.');
    let mut entry = root.get(parts.next()?)?;
    for part in parts {
        let Node::Table(t) = &entry.node else { return None };
        entry = t.get(part)?;
    }
    Some(entry.origin.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_hash_alike_are_found_and_24_ids_hash_apart() {
        let by_length = |id: &str| id.len() as u64;
        assert_eq!(shared_stream(["a", "bb", "c"].into_iter(), by_length), Some(("c", "a")));
        // A repeated id is a duplicate (reported as such), not two streams alike.
        assert_eq!(shared_stream(["a", "a", "bb"].into_iter(), by_length), None);
        let ids: Vec<String> = (1..=24).map(|i| format!("p{i}")).collect();
        assert_eq!(shared_stream(ids.iter().map(String::as_str), crate::rng::id_hash), None);
    }

    #[test]
    fn the_top_level_table_states_the_loaders_defaults() {
        let stated = |key: &str| TOP_LEVEL.iter().find(|k| k.0 == key).unwrap().2.to_string();
        assert_eq!(stated("seed"), DEFAULT_SEED.to_string());
        assert_eq!(stated("replications"), DEFAULT_REPLICATIONS.to_string());
        assert_eq!(stated("seasons"), DEFAULT_SEASONS.to_string());
        let s = from_str("x.toml", "name = \"x\"\n").unwrap();
        assert_eq!((s.seed, s.replications, s.seasons), (20_240_301, 20, 20));
        assert!(is_top_key("intervention") && is_top_key("uncertainty") && !is_top_key("farm"));
    }
}
