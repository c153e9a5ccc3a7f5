//! `tests/golden/dw4fs_small_seasons.csv` holds the seasons of a small DW4FS world. Any
//! change of model, generator or dependency that moves a value fails here; when the change
//! is intended, rerun with `UPDATE_GOLDEN=1` and commit the new file with the reason.

use std::path::Path;

use livelihoods::output::seasons_csv;

use crate::common::{load, run_on};

#[test]
fn a_small_world_matches_its_golden_file() {
    let results = run_on(2, &[load("dw4fs", 2_000, 8, 2)]);
    let actual = seasons_csv(&results[0]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/dw4fs_small_seasons.csv");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("golden file (create it with UPDATE_GOLDEN=1)");
    if let Some((i, (e, a))) = expected.lines().zip(actual.lines()).enumerate().find(|(_, (e, a))| e != a) {
        panic!("line {} differs from the golden file\nexpected: {e}\nactual:   {a}", i + 1);
    }
    assert_eq!(expected.lines().count(), actual.lines().count());
}
