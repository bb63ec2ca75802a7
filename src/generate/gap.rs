//! The generalized assignment problem (GAP) as a terra policy: agents with a
//! capacity, jobs that each go to exactly one agent, a per-pair resource use
//! and a per-pair cost or profit. The OR-Library instances have proven
//! optima, which makes them a benchmark for the whole pipeline.
//!
//! This module reads OR-Library files, generates Martello–Toth type D
//! instances, and writes an instance as a policy folder.

use super::rng::Rng;
use super::{fmt_num, write_file};
use std::fmt::Write as _;
use std::path::Path;

/// One GAP instance. Matrices are indexed `[agent][job]`.
#[derive(Clone, Debug, PartialEq)]
pub struct GapInstance {
    pub agents: usize,
    pub jobs: usize,
    /// Cost (when minimising) or profit (when maximising) of giving a job to
    /// an agent.
    pub cost: Vec<Vec<f64>>,
    /// Capacity the job uses when given to the agent.
    pub resource: Vec<Vec<f64>>,
    pub capacity: Vec<f64>,
}

/// Parses an OR-Library GAP file: the number of problems P, then for each
/// problem `m n`, the m×n cost matrix, the m×n resource matrix and the m
/// capacities. Numbers are separated by any white space; line breaks carry
/// no meaning.
pub fn parse_orlib(text: &str) -> Result<Vec<GapInstance>, String> {
    let mut tokens = Tokens {
        iter: text.split_whitespace(),
        read: 0,
    };
    let problems = tokens.count("the number of problems")?;
    let mut out = Vec::with_capacity(problems.min(1024));
    for p in 1..=problems {
        let agents = tokens.count(&format!("problem {p}: the number of agents"))?;
        let jobs = tokens.count(&format!("problem {p}: the number of jobs"))?;
        if agents == 0 || jobs == 0 {
            return Err(format!(
                "problem {p}: {agents} agents and {jobs} jobs; both must be positive"
            ));
        }
        let cost = tokens.matrix(agents, jobs, &format!("problem {p}: cost"))?;
        let resource = tokens.matrix(agents, jobs, &format!("problem {p}: resource"))?;
        let mut capacity = Vec::with_capacity(agents);
        for i in 1..=agents {
            capacity.push(tokens.number(&format!("problem {p}: capacity of agent {i}"))?);
        }
        out.push(GapInstance {
            agents,
            jobs,
            cost,
            resource,
            capacity,
        });
    }
    if let Some(extra) = tokens.iter.next() {
        return Err(format!(
            "unexpected data after the last of {problems} problems: `{extra}` (number {})",
            tokens.read + 1
        ));
    }
    Ok(out)
}

struct Tokens<'a> {
    iter: std::str::SplitWhitespace<'a>,
    read: usize,
}

impl Tokens<'_> {
    fn number(&mut self, what: &str) -> Result<f64, String> {
        let tok = self
            .iter
            .next()
            .ok_or_else(|| format!("the file ends where {what} was expected"))?;
        self.read += 1;
        let v: f64 = tok
            .parse()
            .map_err(|_| format!("{what}: `{tok}` (number {}) is not a number", self.read))?;
        if !v.is_finite() {
            return Err(format!("{what}: `{tok}` (number {}) is not finite", self.read));
        }
        Ok(v)
    }

    fn count(&mut self, what: &str) -> Result<usize, String> {
        let v = self.number(what)?;
        if v < 0.0 || v.fract() != 0.0 || v > 1e9 {
            return Err(format!("{what}: expected a whole number, found {v}"));
        }
        Ok(v as usize)
    }

    fn matrix(&mut self, rows: usize, cols: usize, what: &str) -> Result<Vec<Vec<f64>>, String> {
        let mut m = Vec::with_capacity(rows);
        for i in 1..=rows {
            let mut row = Vec::with_capacity(cols);
            for j in 1..=cols {
                row.push(self.number(&format!("{what} of agent {i}, job {j}"))?);
            }
            m.push(row);
        }
        Ok(m)
    }
}

/// Key of agent `i` (0-based): `A01`, `A02`, ... zero-padded to at least two
/// digits so that sorting the keys as text keeps their numeric order.
pub fn agent_key(i: usize, agents: usize) -> String {
    format!("A{:0w$}", i + 1, w = digits(agents).max(2))
}

/// Key of job `j` (0-based): `J001`, `J002`, ... (at least three digits).
pub fn job_key(j: usize, jobs: usize) -> String {
    format!("J{:0w$}", j + 1, w = digits(jobs).max(3))
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// The policy text for a GAP instance. With `maximize`, `cost.csv` holds
/// profits and the objective maximises their sum; otherwise it minimises.
pub fn policy_text(inst: &GapInstance, maximize: bool, name: &str) -> String {
    let name = name.replace(['"', '\\', '\n'], "_");
    let (sense, term) = if maximize {
        ("maximize", "profit")
    } else {
        ("minimize", "total_cost")
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// Generalized assignment problem {name}: {} agents, {} jobs.",
        inst.agents, inst.jobs
    );
    let _ = writeln!(
        s,
        "// Every job goes to exactly one agent; an agent's jobs may not use more\n\
         // resource than its capacity. cost.csv holds the {} of each pair.",
        if maximize { "profit" } else { "cost" }
    );
    let _ = write!(
        s,
        r#"policy "{name}"

entity agent from "agents.csv" {{
  key id: text
  capacity: number
}}

entity job from "jobs.csv" {{
  key id: text
}}

table cost(job, agent): number from "cost.csv"
table resource(job, agent): number from "resource.csv"

assign job to agent {{
  exactly one
}}

rule capacity:
  for g in agent: sum(resource(j, g) for j in g.jobs) <= g.capacity

objective {{
  {sense} {term} weight 1: sum(cost(j, j.agent) for j in job)
}}
"#
    );
    s
}

/// Writes `policy.terra`, `agents.csv`, `jobs.csv`, `cost.csv` and
/// `resource.csv` for the instance into `out_dir` (created if missing).
/// Table rows are sorted by job, then agent.
pub fn write_policy(inst: &GapInstance, maximize: bool, name: &str, out_dir: &Path) -> std::io::Result<()> {
    check_shape(inst).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    std::fs::create_dir_all(out_dir)?;
    write_file(
        &out_dir.join("policy.terra"),
        policy_text(inst, maximize, name).as_bytes(),
    )?;

    let mut agents = String::from("id,capacity\n");
    for i in 0..inst.agents {
        let _ = writeln!(agents, "{},{}", agent_key(i, inst.agents), fmt_num(inst.capacity[i]));
    }
    write_file(&out_dir.join("agents.csv"), agents.as_bytes())?;

    let mut jobs = String::from("id\n");
    for j in 0..inst.jobs {
        let _ = writeln!(jobs, "{}", job_key(j, inst.jobs));
    }
    write_file(&out_dir.join("jobs.csv"), jobs.as_bytes())?;

    for (file, column, matrix) in [
        ("cost.csv", "cost", &inst.cost),
        ("resource.csv", "resource", &inst.resource),
    ] {
        let mut t = format!("job,agent,{column}\n");
        for j in 0..inst.jobs {
            let jk = job_key(j, inst.jobs);
            for (i, row) in matrix.iter().enumerate() {
                let _ = writeln!(t, "{jk},{},{}", agent_key(i, inst.agents), fmt_num(row[j]));
            }
        }
        write_file(&out_dir.join(file), t.as_bytes())?;
    }
    Ok(())
}

fn check_shape(inst: &GapInstance) -> Result<(), String> {
    let ok = |m: &Vec<Vec<f64>>| m.len() == inst.agents && m.iter().all(|r| r.len() == inst.jobs);
    if !ok(&inst.cost) || !ok(&inst.resource) || inst.capacity.len() != inst.agents {
        return Err(format!(
            "GAP instance shape does not match {} agents × {} jobs",
            inst.agents, inst.jobs
        ));
    }
    Ok(())
}

/// A Martello–Toth type D instance (a minimisation benchmark, the hardest of
/// the classic types): a_ij uniform in [1, 100], c_ij = 111 − a_ij + e_ij with
/// e_ij uniform in [−10, 10], and b_i = 0.8 Σ_j a_ij / m. Draw order: all
/// a_ij row by row, then all e_ij row by row.
pub fn generate_type_d(m: usize, n: usize, seed: u64) -> GapInstance {
    let mut rng = Rng::derive(seed, "gap-type-d");
    let resource: Vec<Vec<f64>> = (0..m)
        .map(|_| (0..n).map(|_| rng.int_inclusive(1, 100) as f64).collect())
        .collect();
    let cost: Vec<Vec<f64>> = resource
        .iter()
        .map(|row| {
            row.iter()
                .map(|a| 111.0 - a + rng.int_inclusive(-10, 10) as f64)
                .collect()
        })
        .collect();
    // 0.8 Σa / m written as 4 Σa / (5 m): exact whenever the result is a
    // whole number.
    let capacity = resource
        .iter()
        .map(|row| 4.0 * row.iter().sum::<f64>() / (5.0 * m as f64))
        .collect();
    GapInstance {
        agents: m,
        jobs: n,
        cost,
        resource,
        capacity,
    }
}

/// One line of an OR-Library `KNOWN.txt`: `gapN:P m n sense optimum ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct KnownOptimum {
    /// The file's stem, e.g. "gap1".
    pub file: String,
    /// 1-based problem number in the file.
    pub problem: usize,
    pub maximize: bool,
    pub optimum: f64,
}

/// Parses `KNOWN.txt`; `#` lines are comments.
pub fn parse_known(text: &str) -> Result<Vec<KnownOptimum>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("line {}: expected `gapN:P m n sense optimum`", n + 1);
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (file, problem) = fields.first().and_then(|f| f.split_once(':')).ok_or_else(bad)?;
        let problem = problem.parse().map_err(|_| bad())?;
        let maximize = match fields.get(3) {
            Some(&"max") => true,
            Some(&"min") => false,
            _ => return Err(bad()),
        };
        let optimum = fields.get(4).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        out.push(KnownOptimum { file: file.to_string(), problem, maximize, optimum });
    }
    Ok(out)
}

/// The instance as a MIP written directly, without terra's language:
/// x[j][i] binary (job-major, as a modeller would write an assignment),
/// each job once, each agent within capacity. The yardstick for terra's
/// overhead.
pub fn direct_model(inst: &GapInstance, maximize: bool) -> crate::solve::LinearModel {
    let mut model = crate::solve::LinearModel { maximize, ..Default::default() };
    let column = |i: usize, j: usize| j * inst.agents + i;
    for j in 0..inst.jobs {
        for i in 0..inst.agents {
            model.add_col(inst.cost[i][j], 0.0, 1.0, true);
        }
    }
    for j in 0..inst.jobs {
        let entries: Vec<(usize, f64)> = (0..inst.agents).map(|i| (column(i, j), 1.0)).collect();
        model.add_row(1.0, 1.0, &entries);
    }
    for i in 0..inst.agents {
        let entries: Vec<(usize, f64)> = (0..inst.jobs).map(|j| (column(i, j), inst.resource[i][j])).collect();
        model.add_row(f64::NEG_INFINITY, inst.capacity[i], &entries);
    }
    model
}
