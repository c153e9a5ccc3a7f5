//! A scenario file as a tree of values that remember where they were written, and the
//! `base = "…"` inheritance that merges a file over the file it builds on.
//!
//! Tables merge key by key; `[[intervention]]` tables merge by `id` (a table whose id the
//! base already has overrides the base's keys; a new id is appended). Every value keeps the
//! file, line and column it came from, so a problem found after merging still points at
//! the line the analyst wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::problems::{Origin, Problem};

/// A value with the place it was written.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The value.
    pub node: Node,
    /// Where its key (or, for array elements, the element) was written.
    pub origin: Origin,
}

/// A TOML value whose tables and arrays hold [`Entry`]s.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A table.
    Table(BTreeMap<String, Entry>),
    /// An array.
    Array(Vec<Entry>),
    /// A string, number, boolean or date.
    Scalar(toml::Value),
    /// A whole number outside the 64-bit range, as written.
    BigInteger(String),
}

impl Node {
    /// The TOML type name, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Node::Table(_) => "table",
            Node::Array(_) => "array",
            Node::Scalar(v) => v.type_str(),
            Node::BigInteger(_) => "integer",
        }
    }
}

/// A loaded scenario document: the merged top-level table and the files it came from.
#[derive(Clone, Debug)]
pub(crate) struct Document {
    /// Top-level keys after inheritance.
    pub root: BTreeMap<String, Entry>,
    /// The file itself, then its bases, nearest first, with their contents.
    pub files: Vec<(PathBuf, String)>,
}

/// Most files a chain of `base` files may have (the file itself included).
pub(crate) const MAX_BASE_DEPTH: usize = 32;

/// Where scenario files are read from: the file system ([`Disk`]) or files held in memory
/// ([`InMemory`]).
pub trait Files {
    /// The bytes of `path`.
    ///
    /// # Errors
    /// When the file cannot be read.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;

    /// A name that is the same for every path of the same file (to find cycles).
    fn canonical(&self, path: &Path) -> PathBuf;
}

/// Scenario files on disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Scenario files held in memory, by path: a program that embeds the simulator states its
/// scenarios without writing files. A `base = "…"` is looked up beside the file that names
/// it, as on disk (`a/b.toml` with `base = "../c.toml"` reads `c.toml`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InMemory {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl InMemory {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) the file `path` with `content`.
    pub fn insert(&mut self, path: impl AsRef<Path>, content: impl Into<Vec<u8>>) -> &mut Self {
        self.files.insert(normalise(path.as_ref()), content.into());
        self
    }
}

impl Files for InMemory {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.files.get(&normalise(path)).cloned().ok_or_else(|| std::io::ErrorKind::NotFound.into())
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        normalise(path)
    }
}

/// `path` with `.` and `name/..` taken out, without asking the file system.
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Load `path` and everything it builds on.
pub fn load(path: &Path, source: &dyn Files) -> Result<Document, Vec<Problem>> {
    let mut stack = Vec::new();
    load_inner(path, None, &mut stack, source)
}

fn load_inner(
    path: &Path,
    via: Option<&Origin>,
    stack: &mut Vec<PathBuf>,
    source: &dyn Files,
) -> Result<Document, Vec<Problem>> {
    let at = |message: String| {
        let (origin, key) = match via {
            Some(o) => (o.clone(), "base"),
            None => (Origin::file(path), ""),
        };
        vec![Problem::new(origin, key, message)]
    };
    if stack.len() >= MAX_BASE_DEPTH {
        return Err(at(format!(
            "the chain of base files is deeper than {MAX_BASE_DEPTH} files (at {})",
            path.display()
        )));
    }
    let bytes = source.read(path).map_err(|e| at(format!("cannot read {}: {e}", path.display())))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let before = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let origin = Origin::at(path, &before, valid);
            let message = format!("is not UTF-8 text: byte 0x{:02x} is not valid there", e.as_bytes()[valid]);
            return Err(vec![Problem::new(origin, "", message)]);
        }
    };
    let canonical = source.canonical(path);
    if stack.contains(&canonical) {
        let chain: Vec<String> = stack.iter().chain([&canonical]).map(|p| p.display().to_string()).collect();
        let origin = via.cloned().unwrap_or_else(|| Origin::file(path));
        return Err(vec![Problem::new(
            origin,
            "base",
            format!("base files form a cycle: {}", chain.join(" -> ")),
        )]);
    }
    let mut root = parse(path, &text)?;
    let mut files = vec![(path.to_path_buf(), text)];
    let Some(base) = root.remove("base") else {
        return Ok(Document { root, files });
    };
    let Node::Scalar(toml::Value::String(base_name)) = &base.node else {
        return Err(vec![Problem::new(
            base.origin,
            "base",
            format!("must be a file name (a string), got a {}", base.node.type_name()),
        )]);
    };
    let base_path = path.parent().unwrap_or(Path::new(".")).join(base_name);
    stack.push(canonical);
    let parent = load_inner(&base_path, Some(&base.origin), stack, source)?;
    stack.pop();
    let mut merged = parent.root;
    merge_tables(&mut merged, root);
    files.extend(parent.files);
    Ok(Document { root: merged, files })
}

/// Parse one file into entries with origins.
pub fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, Entry>, Vec<Problem>> {
    let table = DeTable::parse(text).map_err(|e| {
        let origin = match e.span() {
            Some(span) => Origin::at(path, text, span.start),
            None => Origin::file(path),
        };
        vec![Problem::new(origin, "", format!("TOML syntax error: {}", e.message().trim()))]
    })?;
    Ok(convert_table(path, text, table.get_ref()))
}

fn convert_table(path: &Path, text: &str, table: &DeTable<'_>) -> BTreeMap<String, Entry> {
    table
        .iter()
        .map(|(k, v)| {
            let origin = Origin::at(path, text, k.span().start);
            (k.get_ref().to_string(), Entry { node: convert(path, text, v.get_ref()), origin })
        })
        .collect()
}

fn convert(path: &Path, text: &str, value: &DeValue<'_>) -> Node {
    match value {
        DeValue::String(s) => Node::Scalar(toml::Value::String(s.to_string())),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Node::Scalar(toml::Value::Integer(n)),
            Err(_) => Node::BigInteger(i.as_str().replace('_', "")),
        },
        DeValue::Float(f) => Node::Scalar(toml::Value::Float(parse_float(f.as_str()))),
        DeValue::Boolean(b) => Node::Scalar(toml::Value::Boolean(*b)),
        DeValue::Datetime(d) => Node::Scalar(toml::Value::Datetime(*d)),
        DeValue::Array(a) => Node::Array(
            a.iter()
                .map(|e| Entry {
                    node: convert(path, text, e.get_ref()),
                    origin: Origin::at(path, text, e.span().start),
                })
                .collect(),
        ),
        DeValue::Table(t) => Node::Table(convert_table(path, text, t)),
    }
}

fn parse_float(s: &str) -> f64 {
    match s.trim_start_matches('+') {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "-nan" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

/// Merge `child` over `base`.
fn merge_tables(base: &mut BTreeMap<String, Entry>, child: BTreeMap<String, Entry>) {
    for (key, entry) in child {
        match (base.get_mut(&key), entry.node) {
            // A parameter's distribution is replaced whole, never mixed with the inherited one.
            (Some(Entry { node: Node::Table(b), .. }), Node::Table(c)) if key == "uncertainty" => b.extend(c),
            (Some(Entry { node: Node::Table(b), .. }), Node::Table(c)) => merge_tables(b, c),
            (Some(Entry { node: Node::Array(b), .. }), Node::Array(c)) if key == "intervention" => {
                merge_interventions(b, c)
            }
            (_, node) => {
                base.insert(key, Entry { node, origin: entry.origin });
            }
        }
    }
}

fn intervention_id(entry: &Entry) -> Option<&str> {
    match &entry.node {
        Node::Table(t) => match t.get("id").map(|e| &e.node) {
            Some(Node::Scalar(toml::Value::String(s))) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn merge_interventions(base: &mut Vec<Entry>, child: Vec<Entry>) {
    for entry in child {
        let id = intervention_id(&entry).map(str::to_string);
        let existing = id.and_then(|id| base.iter().position(|b| intervention_id(b) == Some(&id)));
        match (existing, entry.node) {
            (Some(i), Node::Table(c)) => {
                if let Node::Table(b) = &mut base[i].node {
                    merge_tables(b, c);
                }
            }
            (_, node) => base.push(Entry { node, origin: entry.origin }),
        }
    }
}
