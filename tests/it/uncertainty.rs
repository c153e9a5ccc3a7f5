//! Parameter uncertainty: declarations checked like any input, `--set` and `--seed`, and
//! draws that reduce to the plain comparison when nothing is uncertain.

use std::fs;

use livelihoods::compare::{cost_effectiveness, pairings};
use livelihoods::scenario::{self, Overrides};
use livelihoods::uncertainty::{Distribution, Uncertain, draws};

use crate::common::{compare_on, load, shipped};

/// Load `text` written to a file beside the shipped scenarios' base.
fn load_text(dir: &std::path::Path, text: &str) -> Result<scenario::Scenario, String> {
    fs::copy(shipped("kupang_baseline"), dir.join("kupang_baseline.toml")).unwrap();
    let path = dir.join("s.toml");
    fs::write(&path, text).unwrap();
    scenario::load(&path).map_err(|e| e.to_string())
}

#[test]
fn a_bad_distribution_is_an_input_error_naming_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let base = "base = \"kupang_baseline.toml\"\n[uncertainty]\n";
    let cases = [
        (
            "\"cooperative.price_premium_share\" = { dist = \"uniform\", low = 0.2, high = 0.1 }",
            "must not be above",
        ),
        (
            "\"cooperative.price_premium_share\" = { dist = \"uniform\", low = 0.0, high = 7.0 }",
            "leaves the parameter's range",
        ),
        (
            "\"cooperative.price_premium_share\" = { dist = \"uniferm\", low = 0.0, high = 0.1 }",
            "did you mean `uniform`",
        ),
        (
            "\"cooperative.price_premium_shar\" = { dist = \"uniform\", low = 0.0, high = 0.1 }",
            "did you mean `cooperative.price_premium_share`",
        ),
        (
            "\"cooperative.price_premium_share\" = { dist = \"uniform\", low = 0.0, hihg = 0.1 }",
            "hihg: unknown key",
        ),
    ];
    for (line, expected) in cases {
        let err = load_text(dir.path(), &format!("{base}{line}\n")).unwrap_err();
        assert!(
            err.contains("uncertainty.\"cooperative.price_premium_sha") && err.contains(expected),
            "{line}: {err}"
        );
        assert!(err.contains("s.toml:"), "the file and line are named: {err}");
    }
    let inherited = load_text(dir.path(), "base = \"kupang_baseline.toml\"\n").unwrap();
    assert!(
        inherited.uncertain.iter().any(|u| u.key == "cooperative.price_premium_share"),
        "inherited through base"
    );
}

#[test]
fn set_and_seed_change_the_scenario_and_are_checked_like_a_file() {
    let mut s = scenario::load(&shipped("dw4fs")).unwrap();
    let o = Overrides {
        set: vec!["cooperative.price_premium_share=0.2".into()],
        seed: Some(9),
        ..Overrides::default()
    };
    s.apply(&o).unwrap();
    assert_eq!(s.params.cooperative.price_premium_share, 0.2);
    assert_eq!(s.seed, 9);
    assert!(s.overrides.contains(&("cooperative.price_premium_share".into(), "0.2".into())));
    let bad = Overrides {
        set: vec!["farm.base_yield_t_ha=99".into(), "farm.no_such=1".into()],
        ..Overrides::default()
    };
    let err = scenario::load(&shipped("dw4fs")).unwrap().apply(&bad).unwrap_err().to_string();
    assert!(
        err.contains("farm.base_yield_t_ha: must be in") && err.contains("farm.no_such is not a parameter"),
        "{err}"
    );
}

#[test]
fn draws_of_fixed_values_give_exactly_the_plain_comparison() {
    let mut scenarios = vec![load("kupang_baseline", 3_000, 6, 3), load("dw4fs", 3_000, 6, 3)];
    let premium = scenarios[0].params.cooperative.price_premium_share;
    let fixed = Uncertain {
        key: "cooperative.price_premium_share".into(),
        distribution: Distribution::Uniform { low: premium, high: premium },
        source: "test".into(),
    };
    for s in &mut scenarios {
        s.uncertain = vec![fixed.clone()];
    }
    let plain = compare_on(2, scenarios.clone(), 0);
    let rows = cost_effectiveness(&pairings(&plain), 14_308.0, 0.06);
    let central = draws::metrics_of(&plain, &rows);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let uncertain = draws::declared(&scenarios).unwrap();
    let points = draws::points(draws::Design::LatinHypercube, 3, 1, 1);
    let logs = tempfile::tempdir().unwrap();
    let log = |name: &str| logs.path().join(name);
    let drawn = pool
        .install(|| {
            draws::run(
                &scenarios,
                0,
                draws::DrawSet::at(uncertain, &points),
                None,
                2,
                (14_308.0, 0.06),
                &log("a"),
                &|| {},
            )
        })
        .unwrap();
    for d in &drawn.metrics {
        for (got, want) in d.iter().zip(&central) {
            for (g, w) in got.iter().zip(want) {
                assert!(
                    g.to_bits() == w.0.to_bits(),
                    "a fixed draw equals the plain comparison: {g} vs {}",
                    w.0
                );
            }
        }
    }
    // Different values do change the answer, and the design is the same at any thread count.
    let mut wide = scenarios.clone();
    let uniform = Uncertain { distribution: Distribution::Uniform { low: 0.0, high: 0.24 }, ..fixed };
    for s in &mut wide {
        s.uncertain = vec![uniform.clone()];
    }
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let points = draws::points(draws::Design::LatinHypercube, 4, 1, 1);
    let a = one
        .install(|| {
            draws::run(
                &wide,
                0,
                draws::DrawSet::at(vec![uniform.clone()], &points),
                None,
                1,
                (14_308.0, 0.06),
                &log("b"),
                &|| {},
            )
        })
        .unwrap();
    let b = pool
        .install(|| {
            draws::run(
                &wide,
                0,
                draws::DrawSet::at(vec![uniform.clone()], &points),
                None,
                2,
                (14_308.0, 0.06),
                &log("c"),
                &|| {},
            )
        })
        .unwrap();
    assert_eq!(a.values, b.values);
    assert_eq!(format!("{:?}", a.metrics), format!("{:?}", b.metrics));
    let averted: Vec<f64> = a.metrics.iter().map(|d| d[1][0]).collect();
    assert!(averted.iter().any(|x| (x - averted[0]).abs() > 1e-9), "{averted:?}");
}

#[test]
fn compare_with_draws_writes_both_intervals_and_the_report_says_how_sure() {
    let dir = tempfile::tempdir().unwrap();
    let (base, dw4fs) = (shipped("kupang_baseline"), shipped("dw4fs"));
    let run = |extra: &[&str]| {
        let mut args = vec!["compare", base.to_str().unwrap(), dw4fs.to_str().unwrap()];
        args.extend([
            "--households",
            "2000",
            "--seasons",
            "4",
            "--replications",
            "2",
            "--out",
            "r",
            "--quiet",
        ]);
        args.extend(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["--draws", "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let compare = dir.path().join("r/compare");
    let table = fs::read_to_string(compare.join("uncertainty.csv")).unwrap();
    assert!(table.lines().any(|l| l.starts_with("dw4fs,poverty_person_years_averted,")), "{table}");
    let design = fs::read_to_string(compare.join("design.csv")).unwrap();
    assert_eq!(design.lines().count(), 1 + 4);
    assert!(design.starts_with("draw,adoption.disadoption_per_year,"), "{design}");
    let sensitivity = fs::read_to_string(compare.join("sensitivity.csv")).unwrap();
    assert!(sensitivity.contains("dw4fs,poverty_person_years_averted,cooperative.price_premium_share,"));
    let html = fs::read_to_string(compare.join("report.html")).unwrap();
    assert!(html.contains("How sure are we") && html.contains("id=\"how-sure\""));
    // What the answer rests on, drawn: a tornado of the six parameters, the top four scattered.
    for id in ["fig-tornado", "fig-scatter"] {
        assert!(html.contains(&format!("<figure id=\"{id}\">")), "{id}");
    }
    let tornado = fs::read_to_string(compare.join("sensitivity_tornado.svg")).unwrap();
    assert!(tornado.contains("cooperative.price_premium_share") && tornado.contains("Spearman"));
    let scatter = fs::read_to_string(compare.join("sensitivity_scatter.svg")).unwrap();
    assert_eq!(scatter.matches("<circle").count(), 4 * 4, "four draws in each of four plots");
    // The plain comparison has no such section; a seed changes the answer.
    let plain = run(&[]);
    assert_eq!(plain.status.code(), Some(0));
    assert!(!fs::read_to_string(compare.join("report.html")).unwrap().contains("How sure are we"));
    let other = fs::read_to_string(dir.path().join("r/dw4fs/seasons.csv")).unwrap();
    assert_eq!(run(&["--seed", "5"]).status.code(), Some(0));
    assert_ne!(other, fs::read_to_string(dir.path().join("r/dw4fs/seasons.csv")).unwrap());
    // A Saltelli design: 4 × (2 × 6 + 2) comparisons, Sobol' indices of every parameter and
    // of every pair.
    assert_eq!(run(&["--draws", "4", "--design", "sobol"]).status.code(), Some(0));
    assert_eq!(fs::read_to_string(compare.join("design.csv")).unwrap().lines().count(), 1 + 4 * 14);
    let sobol = fs::read_to_string(compare.join("sobol.csv")).unwrap();
    assert!(sobol.starts_with("scenario,metric,parameter,first_order,"), "{sobol}");
    assert!(sobol.contains("dw4fs,poverty_person_years_averted,cooperative.price_premium_share,"), "{sobol}");
    let pairs = fs::read_to_string(compare.join("sobol_second_order.csv")).unwrap();
    let of_dw4fs = pairs.lines().filter(|l| l.starts_with("dw4fs,poverty_person_years_averted,")).count();
    assert_eq!(of_dw4fs, 6 * 5 / 2, "every pair of six parameters");
    let tornado = fs::read_to_string(compare.join("sensitivity_tornado.svg")).unwrap();
    assert!(tornado.contains("Sobol"), "a Saltelli design ranks by the total index");
    let bad = run(&["--set", "farm.base_yield_t_ha=-1"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--set: farm.base_yield_t_ha: must be in"));
}

/// `livelihoods sweep` on the shipped dw4fs at a small size into `out`.
fn sweep(dir: &std::path::Path, out: &str, extra: &[&str]) -> std::process::Output {
    let dw4fs = shipped("dw4fs");
    let mut args = vec!["sweep", dw4fs.to_str().unwrap(), "--households", "2000", "--seasons", "4"];
    args.extend(["--replications", "2", "--out", out, "--quiet"]);
    args.extend(extra);
    std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn a_sweep_resumes_after_an_interruption_with_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let design = ["--design", "lhs", "--points", "12"];
    assert_eq!(sweep(dir.path(), "a", &design).status.code(), Some(0));
    let whole = dir.path().join("a/sweeps/dw4fs");
    let results = fs::read_to_string(whole.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 1 + 12);
    // An interrupted run: half its log kept, the last line torn, the results not written.
    assert_eq!(sweep(dir.path(), "b", &design).status.code(), Some(0));
    let cut = dir.path().join("b/sweeps/dw4fs");
    let log = fs::read_to_string(cut.join("results.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let kept = lines[..lines.len() / 2].join("\n") + "\n" + &lines[lines.len() / 2][..5];
    fs::write(cut.join("results.log"), kept).unwrap();
    fs::remove_file(cut.join("results.csv")).unwrap();
    assert_eq!(sweep(dir.path(), "b", &design).status.code(), Some(0));
    assert_eq!(fs::read_to_string(cut.join("results.csv")).unwrap(), results);
    let parquet = fs::read(whole.join("results.parquet")).unwrap();
    assert_eq!(fs::read(cut.join("results.parquet")).unwrap(), parquet, "resumed Parquet, same bytes");
    // A real kill at some point of a run, then the same command again.
    let dw4fs = shipped("dw4fs");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
        .args([
            "sweep",
            dw4fs.to_str().unwrap(),
            "--households",
            "2000",
            "--seasons",
            "4",
            "--replications",
            "2",
        ])
        .args(["--out", "c", "--quiet", "--design", "lhs", "--points", "12"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(sweep(dir.path(), "c", &design).status.code(), Some(0));
    assert_eq!(fs::read_to_string(dir.path().join("c/sweeps/dw4fs/results.csv")).unwrap(), results);
    // Another design into the same folder is refused, the folder left as it is.
    let other = sweep(dir.path(), "a", &["--design", "lhs", "--points", "5"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&other.stderr).contains("holds a sweep of another command"));
    assert_eq!(fs::read_to_string(whole.join("results.csv")).unwrap(), results);
}

#[test]
fn the_sweeps_parquet_file_reads_back_with_an_independent_reader() {
    let have = std::process::Command::new("python3").args(["-c", "import pyarrow"]).output();
    if !have.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pyarrow (.ci/run) to check the Parquet output"
        );
        eprintln!("skipping: no pyarrow on this machine (CI installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(sweep(dir.path(), "p", &["--design", "lhs", "--points", "6"]).status.code(), Some(0));
    let d = dir.path().join("p/sweeps/dw4fs");
    // pyarrow writes the table back as CSV in our number format; it must equal results.csv.
    let script = r#"
import sys, math, pyarrow.parquet as pq
path = sys.argv[1]
t = pq.read_table(path)
meta = pq.read_metadata(path).metadata[b"livelihoods.manifest"].decode()
assert meta == open(sys.argv[2]).read(), "manifest in the metadata"
cols = t.column_names
print(",".join(cols))
for row in zip(*[t.column(c).to_pylist() for c in cols]):
    print(",".join("" if v is None else (str(v) if isinstance(v, int) else repr(float(v))) for v in row))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(d.join("results.parquet"))
        .arg(d.join("sweep.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let from_parquet = String::from_utf8(out.stdout).unwrap();
    let csv = fs::read_to_string(d.join("results.csv")).unwrap();
    let cells = |t: &str| -> Vec<Vec<String>> {
        t.lines().map(|l| l.split(',').map(String::from).collect()).collect()
    };
    let (a, b) = (cells(&from_parquet), cells(&csv));
    assert_eq!(a.len(), b.len());
    assert_eq!(a[0], b[0], "the same columns");
    for (x, y) in a.iter().zip(&b).skip(1) {
        for (p, q) in x.iter().zip(y) {
            let same = p == q || p.parse::<f64>().ok() == q.parse::<f64>().ok();
            assert!(same, "{p} in Parquet, {q} in CSV");
        }
    }
}

#[test]
fn a_sweep_writes_salib_files_and_reads_a_salib_sample_back() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(sweep(dir.path(), "m", &["--design", "morris", "--points", "3"]).status.code(), Some(0));
    let m = dir.path().join("m/sweeps/dw4fs");
    let html = fs::read_to_string(m.join("report.html")).unwrap();
    assert!(html.contains("What does dw4fs") && html.contains("id=\"indices\""));
    assert!(html.contains("μ*") && html.contains("<figure id=\"fig-tornado\">"));
    let sensitivity = fs::read_to_string(m.join("morris.csv")).unwrap();
    assert!(sensitivity.starts_with("scenario,metric,parameter,mu,mu_star,sigma\n"), "{sensitivity}");
    let problem = fs::read_to_string(m.join("salib_problem.json")).unwrap();
    assert!(
        problem.starts_with("{\"num_vars\": 6, \"names\": [\"adoption.disadoption_per_year\""),
        "{problem}"
    );
    // The sample of one sweep, fed back as a sample file, gives the same results.
    let sample = m.join("salib_sample.txt");
    assert_eq!(fs::read_to_string(&sample).unwrap().lines().count(), 3 * 7);
    let out = sweep(dir.path(), "f", &["--design", sample.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = |d: &str| fs::read_to_string(dir.path().join(d).join("sweeps/dw4fs/results.csv")).unwrap();
    assert_eq!(csv("m"), csv("f"));
    fs::write(dir.path().join("bad.txt"), "0.1 0.2\n").unwrap();
    let bad = sweep(dir.path(), "g", &["--design", "bad.txt"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("bad.txt:1: 2 values, but the scenario declares 6")
    );
}

#[test]
fn a_sobol_sweep_has_2k_plus_2_points_per_base_row_and_a_sensitivity_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(dir.path(), "s", &["--design", "sobol", "--points", "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let d = dir.path().join("s/sweeps/dw4fs");
    let results = fs::read_to_string(d.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 1 + 4 * (2 * 6 + 2));
    let first = fs::read_to_string(d.join("sobol.csv")).unwrap();
    assert_eq!(first.lines().filter(|l| l.starts_with("dw4fs,poverty_person_years_averted,")).count(), 6);
    let second = fs::read_to_string(d.join("sobol_second_order.csv")).unwrap();
    assert!(second.starts_with("scenario,metric,parameter,other,second_order,lower,upper\n"), "{second}");
    assert_eq!(second.lines().filter(|l| l.starts_with("dw4fs,poverty_person_years_averted,")).count(), 15);
    let html = fs::read_to_string(d.join("report.html")).unwrap();
    for id in ["section-across", "section-rests-on", "fig-tornado", "indices", "second-order", "fig-scatter"]
    {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // The scatter plots show every point of the design, for the four strongest parameters.
    let scatter = fs::read_to_string(d.join("sensitivity_scatter.svg")).unwrap();
    assert_eq!(scatter.matches("<circle").count(), 4 * 4 * 14);
    // The parameter ranked first in the tornado has the largest total index.
    let t = livelihoods::report::Table::parse(&first).unwrap();
    let (metric, parameter, total) =
        (t.column("metric").unwrap(), t.column("parameter").unwrap(), t.column("total").unwrap());
    let strongest = t
        .rows()
        .iter()
        .filter(|r| r[metric] == "poverty_person_years_averted")
        .max_by(|a, b| t.number(a, total).total_cmp(&t.number(b, total)))
        .map(|r| r[parameter].clone())
        .unwrap();
    let indices = html.split("id=\"indices\"").nth(1).unwrap();
    let first_row = indices.split("<tbody>").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(first_row.contains(&strongest), "{strongest} first: {first_row}");
}

/// `livelihoods compare` of the shipped baseline and dw4fs at a small size with `extra`.
fn compare_small(dir: &std::path::Path, out: &str, extra: &[&str]) -> std::process::Command {
    let (base, dw4fs) = (shipped("kupang_baseline"), shipped("dw4fs"));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"));
    command
        .args(["compare", base.to_str().unwrap(), dw4fs.to_str().unwrap()])
        .args(["--households", "2000", "--seasons", "4", "--replications", "2", "--out", out, "--quiet"])
        .args(extra)
        .current_dir(dir);
    command
}

#[test]
fn compare_with_draws_resumes_after_a_kill_with_the_same_files_and_streams_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let draws = ["--draws", "10"];
    let whole = compare_small(dir.path(), "a", &draws).output().unwrap();
    assert_eq!(whole.status.code(), Some(0), "{}", String::from_utf8_lossy(&whole.stderr));
    let files = ["draws.csv", "uncertainty.csv", "sensitivity.csv", "design.csv", "draws.parquet"];
    let read = |out: &str| -> Vec<Vec<u8>> {
        files.iter().map(|f| fs::read(dir.path().join(out).join("compare").join(f)).unwrap()).collect()
    };
    let expected = read("a");
    assert!(!dir.path().join("a/.resume").read_dir().unwrap().any(|_| true), "the log goes once published");
    // Killed once some draws are logged, then the same command again.
    let mut child = compare_small(dir.path(), "b", &draws).spawn().unwrap();
    let resume = dir.path().join("b/.resume");
    let logged = |min: usize| {
        fs::read_dir(&resume)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| fs::read_to_string(e.path()).is_ok_and(|t| t.lines().count() >= min))
    };
    let clock = std::time::Instant::now();
    while !logged(2 * 4 * 2) && clock.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before it finished");
    assert!(logged(1) && !logged(10 * 4 * 2), "some draws logged, not all");
    let again = compare_small(dir.path(), "b", &draws).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    for (f, (got, want)) in files.iter().zip(read("b").iter().zip(&expected)) {
        assert!(got == want, "{f} after a resume differs from an uninterrupted run");
    }
    // The Parquet file reads back with an independent reader as draws.csv.
    let have = std::process::Command::new("python3").args(["-c", "import pyarrow"]).output();
    if !have.is_ok_and(|o| o.status.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI must install pyarrow (.ci/run)");
        return;
    }
    let script = r#"
import sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
assert b"livelihoods.manifest" in pq.read_metadata(sys.argv[1]).metadata
print(",".join(t.column_names))
for d, s, m, v in zip(*[t.column(c).to_pylist() for c in t.column_names]):
    print(f"{d},{s},{m},{'' if v is None else repr(v)}")
"#;
    let compare = dir.path().join("a/compare");
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(compare.join("draws.parquet"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = fs::read_to_string(compare.join("draws.csv")).unwrap();
    let from_parquet = String::from_utf8(out.stdout).unwrap();
    assert_eq!(from_parquet.lines().count(), csv.lines().count());
    for (p, c) in from_parquet.lines().zip(csv.lines()) {
        let (p, c): (Vec<&str>, Vec<&str>) = (p.split(',').collect(), c.split(',').collect());
        assert_eq!(p[..3], c[..3]);
        assert!(p[3] == c[3] || p[3].parse::<f64>().ok() == c[3].parse::<f64>().ok(), "{p:?} {c:?}");
    }
}

#[test]
fn a_comparisons_draws_in_shards_merge_to_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let draws = ["--draws", "5"];
    assert_eq!(compare_small(dir.path(), "one", &draws).status().unwrap().code(), Some(0));
    for k in ["1/2", "2/2"] {
        let out = format!("s{}", &k[..1]);
        let o = compare_small(dir.path(), &out, &[&draws[..], &["--shard", k]].concat()).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!dir.path().join(&out).join("compare").exists(), "a shard runs draws only");
    }
    let merge = |dirs: &[&str], out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_livelihoods"))
            .arg("merge")
            .args(dirs)
            .args(["--out", out, "--quiet"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let missing = merge(&["s1"], "m");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("shards missing: 2/2"));
    let merged = merge(&["s2", "s1"], "m");
    assert_eq!(merged.status.code(), Some(0), "{}", String::from_utf8_lossy(&merged.stderr));
    for f in ["draws.csv", "uncertainty.csv", "sensitivity.csv", "design.csv", "draws.parquet", "effects.csv"]
    {
        let read = |o: &str| fs::read(dir.path().join(o).join("compare").join(f)).unwrap();
        assert!(read("one") == read("m"), "{f}: merged shards differ from one run");
    }
}
