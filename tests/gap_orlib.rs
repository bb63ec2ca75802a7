//! A proof on public benchmarks: the OR-Library generalized assignment
//! problems gap1-gap12, written as terra policies, solved through the whole
//! pipeline in both senses. Every optimum in KNOWN.txt is asserted, and
//! every plan is re-checked here from the raw instance data.

use std::collections::HashMap;
use std::path::PathBuf;
use terra::commands::solve::{load, solve_loaded};
use terra::generate::gap::{agent_key, job_key, parse_known, parse_orlib, write_policy, GapInstance};
use terra::solve::SolveOptions;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/gap-orlib")
}

/// (file, problem, maximize) -> optimum
fn known() -> HashMap<(String, usize, bool), f64> {
    let text = std::fs::read_to_string(data_dir().join("KNOWN.txt")).expect("KNOWN.txt is present");
    parse_known(&text).expect("KNOWN.txt parses").into_iter().map(|k| ((k.file, k.problem, k.maximize), k.optimum)).collect()
}

/// Cost and feasibility of a plan, from the instance itself.
fn recompute(inst: &GapInstance, plan_csv: &str) -> f64 {
    let agent_of: HashMap<String, usize> = (0..inst.agents).map(|i| (agent_key(i, inst.agents), i)).collect();
    let job_of: HashMap<String, usize> = (0..inst.jobs).map(|j| (job_key(j, inst.jobs), j)).collect();
    let mut used = vec![0.0; inst.agents];
    let mut total = 0.0;
    let mut seen = vec![false; inst.jobs];
    for line in plan_csv.lines().skip(1) {
        let (job, agent) = line.split_once(',').unwrap();
        let (j, i) = (job_of[job], agent_of[agent]);
        assert!(!seen[j], "job {job} twice");
        seen[j] = true;
        used[i] += inst.resource[i][j];
        total += inst.cost[i][j];
    }
    assert!(seen.iter().all(|s| *s), "every job is assigned");
    for i in 0..inst.agents {
        assert!(used[i] <= inst.capacity[i] + 1e-9, "agent {i} over capacity: {} > {}", used[i], inst.capacity[i]);
    }
    total
}

#[test]
fn gap1_to_gap12_reach_every_known_optimum_in_both_senses() {
    let known = known();
    let mut checked = 0;
    for file in (1..=12).map(|n| format!("gap{n}")) {
        let file = file.as_str();
        let text = std::fs::read_to_string(data_dir().join(format!("{file}.txt"))).unwrap();
        let instances = parse_orlib(&text).unwrap();
        for (k, inst) in instances.iter().enumerate() {
            for maximize in [true, false] {
                let dir = tempfile::tempdir().unwrap();
                write_policy(inst, maximize, &format!("{file}-{}", k + 1), dir.path()).unwrap();
                let loaded = load(&dir.path().join("policy.terra")).unwrap_or_else(|(_, d)| panic!("{d:?}"));
                let params = loaded.policy.params.iter().map(|p| p.value.clone()).collect();
                let options = SolveOptions { mip_gap: 0.0, ..Default::default() };
                let solved = solve_loaded(&loaded, params, &loaded.data, &options, None, &mut Default::default(), terra::commands::solve::LimitMode::Wait)
                    .unwrap_or_else(|_| panic!("{file}:{} did not solve", k + 1));
                let plan = terra::commands::solve::plan_csv(&loaded.policy, &loaded.data, &solved.assignment);
                let cost = recompute(inst, &plan);
                let expected = known[&(file.to_string(), k + 1, maximize)];
                assert_eq!(cost, expected, "{file}:{} {}", k + 1, if maximize { "max" } else { "min" });
                assert_eq!(solved.evaluation.terms[0], expected, "eval's objective term");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 120);
}
