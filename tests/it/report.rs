use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::shipped;

const FIGURES: [&str; 6] =
    ["fig-p0", "fig-depth", "fig-difference", "fig-uptake", "fig-distribution", "fig-cost"];

/// Run a small comparison into `dir/results/compare` and return that directory.
fn compare_into(dir: &Path) -> std::path::PathBuf {
    let (base, dw4fs, coop) = (shipped("kupang_baseline"), shipped("dw4fs"), shipped("cooperative_only"));
    let out = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["compare", base.to_str().unwrap(), dw4fs.to_str().unwrap(), coop.to_str().unwrap()])
        .args([
            "--households",
            "3000",
            "--seasons",
            "6",
            "--replications",
            "3",
            "--out",
            "results",
            "--quiet",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    dir.join("results/compare")
}

#[test]
fn plot_redraws_charts_and_report_from_the_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let compare = compare_into(dir.path());
    let before = fs::read(compare.join("p0_difference.svg")).unwrap();
    for e in fs::read_dir(&compare).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "svg" || x == "png" || x == "html") {
            fs::remove_file(path).unwrap();
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_livelihoods")).arg("plot").arg(&compare).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fs::read(compare.join("p0_difference.svg")).unwrap(), before);
    for stem in [
        "p0_trajectories",
        "p1_p2_trajectories",
        "p0_difference",
        "uptake",
        "consumption_distribution",
        "cost_per_ppya",
    ] {
        assert!(fs::read(compare.join(format!("{stem}.png"))).unwrap().starts_with(b"\x89PNG"), "{stem}.png");
    }
    let html = fs::read_to_string(compare.join("report.html")).unwrap();
    for remote in ["src=\"http", "href=\"http", "<script", "<link"] {
        assert!(!html.contains(remote), "the report must be self-contained, found {remote}");
    }
    let missing =
        Command::new(env!("CARGO_BIN_EXE_livelihoods")).args(["plot", "no_such_dir"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
}

#[test]
fn the_report_renders_in_a_real_browser_with_every_chart_and_the_headline_table() {
    let Some(browser) = browser() else {
        assert!(std::env::var_os("CI").is_none(), "CI must install Debian's chromium to test the report");
        eprintln!("skipping: no chromium on this machine (CI installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let compare = compare_into(dir.path());
    let profile = dir.path().join("chromium-profile");
    let url = format!("file://{}", compare.join("report.html").canonicalize().unwrap().display());
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<body"), "the browser rendered nothing: {}", String::from_utf8_lossy(&out.stderr));
    for id in FIGURES {
        let at = dom
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} is missing from the rendered page"));
        let figure = &dom[at..dom[at..].find("</figure>").map_or(dom.len(), |e| at + e)];
        assert!(figure.contains("<svg"), "{id} has no chart");
    }
    let headline = dom.find("id=\"headline\"").expect("the headline table is rendered");
    let table = &dom[headline..headline + dom[headline..].find("</table>").unwrap()];
    assert!(table.contains("dw4fs") && table.contains("cooperative_only"), "{table}");
}
