//! The calibration budget: the baseline's two tuned labour parameters (wet and dry days) and
//! its access σ, base maize yield and land σ, history-matched to P0, P1, P2, the Gini and the
//! maize yield of `scenarios/targets/kupang.toml`, 4 waves of 200 points, each point 4
//! replications of 10,000 households over 20 seasons (villages and capacities scale with
//! the households, so the statistics are Kupang's). Prints the runs used, the time, the
//! non-implausible points per wave and the fit. Run with `cargo bench --bench calibrate`.

use std::path::Path;
use std::time::Instant;

use livelihoods::calibration::{self, Settings, targets};
use livelihoods::scenario::{self, Overrides};
use livelihoods::uncertainty::{Distribution, Uncertain};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = scenario::load(&root.join("scenarios/kupang_baseline.toml")).expect("the shipped baseline");
    s.apply(&Overrides { households: Some(10_000), replications: Some(4), ..Overrides::default() })
        .expect("a valid size");
    let goals = targets::load(&root.join("scenarios/targets/kupang.toml")).expect("the shipped targets");
    let free: Vec<Uncertain> = [
        ("labour.days_per_adult_month_wet", 15.0, 23.0),
        ("labour.days_per_adult_month_dry", 17.0, 25.0),
        ("labour.access_sigma", 0.3, 0.7),
        ("farm.base_yield_t_ha", 1.6, 2.6),
        ("population.land_sigma", 0.6, 1.1),
    ]
    .iter()
    .map(|&(key, low, high)| Uncertain {
        key: key.into(),
        distribution: Distribution::Uniform { low, high },
        source: "benchmark prior".into(),
    })
    .collect();
    let settings = Settings { waves: 4, points: 200, cutoff: 3.0, seed: s.seed };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(2);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let clock = Instant::now();
    let history = pool.install(|| calibration::calibrate(&s, &free, &goals, settings, &|| {}));
    let seconds = clock.elapsed().as_secs_f64();
    println!("threads: {threads}; {} model runs in {seconds:.1} s", history.runs(s.replications));
    for (w, wave) in history.waves.iter().enumerate() {
        let kept = wave.iter().filter(|e| e.largest() <= settings.cutoff).count();
        println!("wave {}: {kept} of {} non-implausible", w + 1, wave.len());
    }
    if let Some(best) = history.best() {
        for (t, ((m, _), i)) in goals.iter().zip(best.outputs.iter().zip(&best.implausibility)) {
            println!("{}: model {m:.4}, target {}, implausibility {i:.2}", t.name, t.value);
        }
    }
}
