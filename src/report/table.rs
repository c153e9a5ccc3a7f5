//! A CSV table as written by this program (no quoting: names and numbers only), read back so
//! that charts and the report can be redrawn from the files alone.

use std::io;
use std::path::Path;

/// Rows of strings under a header.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Parse CSV text.
    pub fn parse(text: &str) -> Self {
        let mut lines = text.lines().filter(|l| !l.is_empty());
        let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
        let header = lines.next().map(split).unwrap_or_default();
        Self { header, rows: lines.map(split).collect() }
    }

    /// Read `path`.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn read(path: &Path) -> io::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", path.display())))?;
        Ok(Self::parse(&text))
    }

    /// The rows.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// Index of column `name`.
    ///
    /// # Errors
    /// When the column is missing.
    pub fn column(&self, name: &str) -> io::Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("column {name} is missing")))
    }

    /// Cell `column` of `row` as a number (NaN when empty or not a number).
    pub fn number(&self, row: &[String], column: usize) -> f64 {
        row.get(column).and_then(|c| c.parse().ok()).unwrap_or(f64::NAN)
    }

    /// Distinct values of column `column`, in order of first appearance.
    pub fn distinct(&self, column: usize) -> Vec<String> {
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
        let t = Table::parse("scenario,season,p0\na,0,0.25\na,1,\nb,0,0.5\n");
        let p0 = t.column("p0").unwrap();
        assert_eq!(t.number(&t.rows()[0], p0), 0.25);
        assert!(t.number(&t.rows()[1], p0).is_nan());
        assert_eq!(t.distinct(0), vec!["a", "b"]);
        assert!(t.column("p9").is_err());
    }
}
