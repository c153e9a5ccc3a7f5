use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::shipped;

/// Every chart of the report: its figure id, its file stem and the title of each of its panels.
const FIGURES: [(&str, &str, &[&str]); 8] = [
    ("fig-p0", "p0_trajectories", &["Poverty headcount P0"]),
    ("fig-depth", "p1_p2_trajectories", &["Poverty gap P1", "Poverty severity P2"]),
    ("fig-difference", "p0_difference", &["Programme effect on P0, each programme in its own world"]),
    (
        "fig-participants",
        "participants_by_year",
        &["Consumption per person of participants, by years since they first took part"],
    ),
    ("fig-groups", "effects_by_group", &["Programme effect on P0, by group"]),
    ("fig-uptake", "uptake", &["Improved practice", "Cooperative members", "Active enterprises"]),
    ("fig-distribution", "consumption_distribution", &["Consumption per person, season 5"]),
    ("fig-cost", "cost_per_ppya", &["Cost per poverty-person-year averted"]),
];

/// A scenario that differs from dw4fs only in the targeting, capacity and last season of one
/// intervention.
const POOREST_LONGER: &str = r#"
name = "dw4fs_poorest_longer"
description = "DW4FS, production training for the poorest first, twice the capacity, one season longer"

[[intervention]]
id = "dw4fs_production"
end_season = 4
targeting = "poorest_first"
capacity_per_season = 1400
"#;

/// Run a small comparison into `dir/results/compare` and return that directory.
fn compare_into(dir: &Path) -> std::path::PathBuf {
    let (base, dw4fs, coop) = (shipped("kupang_baseline"), shipped("dw4fs"), shipped("cooperative_only"));
    let longer = dir.join("dw4fs_poorest_longer.toml");
    let text = format!("base = {:?}\n{POOREST_LONGER}", dw4fs.to_str().unwrap());
    fs::write(&longer, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(["compare", base.to_str().unwrap(), dw4fs.to_str().unwrap(), coop.to_str().unwrap()])
        .arg(&longer)
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
    for (_, stem, titles) in FIGURES {
        assert!(fs::read(compare.join(format!("{stem}.png"))).unwrap().starts_with(b"\x89PNG"), "{stem}.png");
        let svg = fs::read_to_string(compare.join(format!("{stem}.svg"))).unwrap();
        for title in titles {
            assert!(svg.contains(title), "{stem}.svg lacks its panel {title:?}");
        }
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
    assert!(
        dom.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#),
        "the page declares its viewport for phones"
    );
    for (id, _, titles) in FIGURES {
        let at = dom
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} is missing from the rendered page"));
        let figure = &dom[at..dom[at..].find("</figure>").map_or(dom.len(), |e| at + e)];
        assert!(figure.contains("<svg"), "{id} has no chart");
        for title in titles {
            assert!(figure.contains(title), "{id} lacks its panel {title:?}");
        }
    }
    let table = |id: &str| {
        let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("the {id} table is rendered"));
        &dom[at..at + dom[at..].find("</table>").unwrap()]
    };
    for id in [
        "answer",
        "participants",
        "for-whom",
        "dynamics",
        "scenarios",
        "headline",
        "cost-effectiveness",
        "provenance",
        "files",
    ] {
        let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("the {id} table is rendered"));
        assert!(
            dom[..at].ends_with("<div class=\"table-scroll\"><table "),
            "{id} is not in a scrolling container"
        );
    }
    let row = |table: &str, name: &str| {
        let at = table.find(&format!("<td>{name}</td>")).unwrap_or_else(|| panic!("no row {name}"));
        table[at..at + table[at..].find("</tr>").unwrap()].to_string()
    };
    let answer = table("answer");
    assert!(answer.contains("dw4fs") && answer.contains("Rp") && answer.contains("&nbsp;%"), "{answer}");
    let participants = table("participants");
    assert!(participants.contains("dw4fs") && participants.contains("year 5"), "{participants}");
    let headline = table("headline");
    assert!(headline.contains("dw4fs") && headline.contains("cooperative_only"), "{headline}");
    // Each row's end of programme is its own: adding a longer programme does not move dw4fs's.
    assert!(row(headline, "dw4fs").contains("season 3"), "{headline}");
    assert!(row(headline, "dw4fs_poorest_longer").contains("season 4"), "{headline}");
    // Scenarios that differ only in targeting and capacity do not read the same.
    let scenarios = table("scenarios");
    let (dw4fs, longer) = (row(scenarios, "dw4fs"), row(scenarios, "dw4fs_poorest_longer"));
    assert!(dw4fs.contains("groups of 25 in random villages, 925 invitations a season"), "{dw4fs}");
    assert!(dw4fs.contains("for the participants of dw4fs_cooperative"), "{dw4fs}");
    assert!(longer.contains("poorest first, 1,400 invitations a season"), "{longer}");
    // Numbers for people: thousands separators, percentages, percentage points, no "-0".
    let dom = dom.replace("&nbsp;", "\u{a0}");
    assert!(dom.contains("3,000") && dom.contains("\u{a0}%") && dom.contains("\u{a0}pp"));
    let text: String = dom.split('<').map(|p| p.split_once('>').map_or(p, |(_, t)| t)).collect();
    for bad in ["NaN", "inf", "Rp\u{a0}0 "] {
        assert!(!text.contains(bad), "the page text contains {bad:?}");
    }
    assert_eq!(negative_zero(&text), None, "the page writes a negative zero");
}

/// The first number written with a sign that rounds to zero (`-0`, `−0.00`), if any.
fn negative_zero(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let after_word = i > 0 && chars[i - 1].is_alphanumeric();
        if (*c == '-' || *c == '−') && !after_word {
            let number: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == '.' || **c == ',')
                .collect();
            if number.starts_with(|c: char| c.is_ascii_digit()) && number.chars().all(|c| "0.,".contains(c)) {
                return Some(chars[i..(i + 1 + number.len()).min(chars.len())].iter().collect());
            }
        }
    }
    None
}
