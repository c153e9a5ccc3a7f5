//! Problems found in scenario files, each pointing at a file, a key path and a line.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where something was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file.
    pub file: PathBuf,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
}

impl Origin {
    /// A whole file.
    pub fn file(path: &Path) -> Self {
        Self { file: path.to_path_buf(), position: None }
    }

    /// An option given on the command line rather than in a file.
    pub fn command_line() -> Self {
        Self { file: PathBuf::from("command line"), position: None }
    }

    /// An environment variable.
    pub fn environment() -> Self {
        Self { file: PathBuf::from("environment"), position: None }
    }

    /// The byte `offset` of `text`, the content of `path`.
    pub fn at(path: &Path, text: &str, offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self { file: path.to_path_buf(), position: Some((line, column)) }
    }
}

/// One problem with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it was written (for a missing key: the file, or the table that lacks it).
    pub origin: Origin,
    /// Dotted key path, e.g. `farm.base_yield_t_ha` or `intervention[dw4fs_coop].end_season`.
    pub key: String,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem at `origin` with `key`.
    pub fn new(origin: Origin, key: &str, message: impl Into<String>) -> Self {
        Self { origin, key: key.to_string(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin.file.display())?;
        if let Some((line, column)) = self.origin.position {
            write!(f, ":{line}:{column}")?;
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.key, self.message)
        }
    }
}

/// Every problem found in one or more scenario files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} problem{} in the input:", if n == 1 { "" } else { "s" })?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// The known key closest to `key`, if any is close enough to be a likely misspelling.
pub(crate) fn suggest<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

/// ` (did you mean `…`?)` for the known key closest to `key`, or nothing.
pub(crate) fn did_you_mean<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    suggest(key, known).map_or(String::new(), |s| format!(" (did you mean `{s}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_count_lines_and_columns_from_one() {
        let o = Origin::at(Path::new("x.toml"), "a = 1\nbb = 2\n", 6);
        assert_eq!(o.position, Some((2, 1)));
        let o = Origin::at(Path::new("x.toml"), "a = 1\nbb = 2\n", 11);
        assert_eq!(o.position, Some((2, 6)));
    }

    #[test]
    fn misspellings_find_their_key() {
        assert_eq!(suggest("housholds", ["households", "villages"]), Some("households"));
        assert_eq!(suggest("zzzzzz", ["households", "villages"]), None);
    }
}
