//! A CSV table as written by this program, read back (with the `csv` crate) so that charts
//! and the report can be redrawn from the files alone. Every row must have the header's
//! fields; problems name the file, line and column.

use std::io;
use std::path::{Path, PathBuf};

use crate::scenario::{Origin, Problem, Problems};

/// Rows of strings under a header, with the file and line each came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// 1-based line of each row.
    lines: Vec<usize>,
}

/// An I/O error of kind `InvalidData` carrying input problems (found in files a user can
/// edit: the command exits with 1).
pub(crate) fn input_error(problems: Vec<Problem>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Problems(problems))
}

impl Table {
    /// Parse CSV text read from `path`.
    ///
    /// # Errors
    /// A problem (file, line, column) for a row whose number of fields is not the header's,
    /// or text that is not CSV.
    pub(crate) fn parse_from(path: &Path, text: &str) -> Result<Self, Problems> {
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(text.as_bytes());
        let mut table =
            Self { path: path.to_path_buf(), header: Vec::new(), rows: Vec::new(), lines: Vec::new() };
        let mut problems = Vec::new();
        for (i, record) in reader.records().enumerate() {
            match record {
                Ok(r) if i == 0 => table.header = r.iter().map(str::to_string).collect(),
                Ok(r) => {
                    table.lines.push(r.position().map_or(0, |p| p.line() as usize));
                    table.rows.push(r.iter().map(str::to_string).collect());
                }
                Err(e) => {
                    let (line, message) = match e.kind() {
                        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => (
                            pos.as_ref().map_or(0, |p| p.line() as usize),
                            format!("has {len} fields, but the header has {expected_len}"),
                        ),
                        _ => (e.position().map_or(0, |p| p.line() as usize), format!("is not CSV: {e}")),
                    };
                    let origin = Origin { file: path.to_path_buf(), position: Some((line, 1)) };
                    problems.push(Problem::new(origin, "", message));
                    if problems.len() >= 20 {
                        break;
                    }
                }
            }
        }
        if table.header.is_empty() && problems.is_empty() {
            problems.push(Problem::new(Origin::file(path), "", "is empty: it has no header"));
        }
        if problems.is_empty() { Ok(table) } else { Err(Problems(problems)) }
    }

    /// Parse CSV text.
    ///
    /// # Errors
    /// A problem (line, column) for a row whose number of fields is not the header's, or
    /// text that is not CSV.
    pub fn parse(text: &str) -> Result<Self, Problems> {
        Self::parse_from(Path::new("(text)"), text)
    }

    /// Read `path`.
    ///
    /// # Errors
    /// When the file cannot be read; input problems (as [`Table::parse`], naming the file,
    /// carried as [`Problems`] inside an error of kind `InvalidData`) when it is not a table.
    pub fn read(path: &Path) -> io::Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", path.display())))?;
        let text = String::from_utf8_lossy(&bytes);
        Self::parse_from(path, &text).map_err(|p| input_error(p.0))
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header's column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The 1-based line of row `i` in the file.
    pub fn line(&self, i: usize) -> usize {
        self.lines.get(i).copied().unwrap_or(0)
    }

    /// Where cell `column` of row `i` was written: file, line and column (in characters).
    pub(crate) fn origin(&self, i: usize, column: usize) -> Origin {
        let before: usize =
            self.rows.get(i).map_or(0, |r| r.iter().take(column).map(|c| c.chars().count() + 1).sum());
        Origin { file: self.path.clone(), position: Some((self.line(i), before + 1)) }
    }

    /// Index of column `name`.
    ///
    /// # Errors
    /// When the column is missing (an input problem naming the file).
    pub fn column(&self, name: &str) -> io::Result<usize> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            let origin = Origin { file: self.path.clone(), position: Some((1, 1)) };
            input_error(vec![Problem::new(origin, "", format!("column {name} is missing"))])
        })
    }

    /// Cell `column` of `row` as a number (NaN when empty or not a number).
    pub fn number(&self, row: &[String], column: usize) -> f64 {
        row.get(column).and_then(|c| c.parse().ok()).unwrap_or(f64::NAN)
    }

    /// Distinct values of column `column`, in order of first appearance.
    pub(crate) fn distinct(&self, column: usize) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for row in &self.rows {
            if let Some(v) = row.get(column)
                && !seen.contains(v)
            {
                seen.push(v.clone());
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_read_back_what_was_written() {
        let t = Table::parse("scenario,season,p0\na,0,0.25\na,1,\nb,0,0.5\n").unwrap();
        let p0 = t.column("p0").unwrap();
        assert_eq!(t.number(&t.rows()[0], p0), 0.25);
        assert!(t.number(&t.rows()[1], p0).is_nan());
        assert_eq!(t.distinct(0), vec!["a", "b"]);
        assert!(t.column("p9").is_err());
        assert_eq!(t.origin(2, 2).position, Some((4, 5)));
    }

    #[test]
    fn a_row_of_the_wrong_length_names_its_line() {
        let e = Table::parse_from(Path::new("x.csv"), "a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.0[0].to_string(), "x.csv:3:1: has 1 fields, but the header has 2");
    }
}
