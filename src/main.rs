//! The terra command line: argument parsing only; the work is in
//! `terra::commands`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use terra::commands;
use terra::diagnostics::render::Format;

#[derive(Parser)]
#[command(
    name = "terra",
    version,
    about = "Territory planning as policy as code",
    long_about = "terra reads a territory policy (*.terra) and its CSV data, checks it, \
                  solves it with HiGHS and writes a plan that every rule was re-checked against.",
    after_help = "Exit codes: 0 fine; 1 a rule or expectation is violated, or the policy is \
                  infeasible; 2 a syntax, type, data or usage error; 3 (diff) the two sides differ.\n\n\
                  Example:\n  terra check examples/starter/policy.terra\n  terra solve examples/starter/policy.terra --out out/starter"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
    Github,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Parse and type-check a policy, and validate its data files.
    #[command(after_help = "Example:\n  terra check examples/starter/policy.terra\n  terra check policy.terra --format github   # annotations in GitHub Actions")]
    Check {
        /// The policy file.
        #[arg(default_value = "policy.terra")]
        policy: PathBuf,
        /// Skip loading the CSV files named by the policy.
        #[arg(long)]
        no_data: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Rewrite policies in the canonical layout, keeping comments.
    #[command(after_help = "Example:\n  terra fmt examples/starter/policy.terra\n  terra fmt --check examples/**/*.terra   # lists unformatted files, exits 1")]
    Fmt {
        /// Only list the files that are not formatted; exit 1 if any.
        #[arg(long)]
        check: bool,
        /// Policy files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Solve a policy and write plan.csv and plan.json.
    #[command(after_help = "Example:\n  terra solve examples/starter/policy.terra --out out/starter\n  terra solve policy.terra --scenario loose_balance --time-limit 60 --gap 0.5%")]
    Solve {
        policy: PathBuf,
        /// Where to write plan.csv and plan.json.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Solve a scenario of the policy instead of the policy itself.
        #[arg(long)]
        scenario: Option<String>,
        #[command(flatten)]
        solver: SolverArgs,
        /// Show the solver's own log.
        #[arg(long)]
        verbose: bool,
        /// Also write the linear model in MPS format, for debugging.
        #[arg(long)]
        write_mps: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Check an existing assignment against every hard rule of a policy.
    #[command(after_help = "Example:\n  terra verify examples/starter/policy.terra out/starter/plan.csv\n\nExits 0 when every rule holds, 1 when one is broken.")]
    Verify {
        policy: PathBuf,
        plan: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Measure the pipeline: parse+check timings, or a full solve by stage.
    #[command(after_help = "Example:\n  terra bench check examples/na-fy27/policy.terra --runs 50\n  terra bench solve examples/starter/policy.terra --time-limit 60")]
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Write generated example data: the na-fy27 territory, or a GAP instance as a policy.
    #[command(after_help = "Example:\n  terra generate na-fy27 --out examples/na-fy27\n  terra generate na-fy27 --out out/half --scale 0.5 --seed 27\n  terra generate gap ../data/gap1.txt --problem 1 --sense max --out out/gap1-1")]
    Generate {
        #[command(subcommand)]
        what: GenerateWhat,
    },
    /// Explain a plan: why a row has its target, a target's KPIs and moves, or what a rule costs.
    #[command(
        group(clap::ArgGroup::new("subject").required(true).args(["account", "rep", "rule"])),
        after_help = "PLAN is a directory written by `terra solve` (plan.csv and plan.json, which names the policy and \
                      its data), or a plan CSV with --policy. The JSON layout is described in docs/explain.md.\n\n\
                      Example:\n  terra explain out/starter --account A07\n  terra explain out/starter --rep R02 --format json\n  \
                      terra explain out/starter --rule balanced_books --time-limit 30"
    )]
    Explain {
        /// A directory written by `terra solve`, or a plan CSV with --policy.
        plan: PathBuf,
        /// The policy, when PLAN is a plan CSV without a plan.json beside it.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Why this row has its target, and what every other target would cost.
        #[arg(long, value_name = "ID")]
        account: Option<String>,
        /// A target's KPIs against their limits, its gains and losses, and its binding rules.
        #[arg(long, value_name = "ID")]
        rep: Option<String>,
        /// Whether a rule binds, its slack per instance, and its price (it re-solves without it).
        #[arg(long, value_name = "NAME")]
        rule: Option<String>,
        /// List every alternative and instance instead of the top few.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        solver: SolverArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Explain a diagnostic code, with an example.
    #[command(after_help = "Example:\n  terra explain-code T0302\n  terra explain-code --list")]
    ExplainCode {
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
    },
}

#[derive(Subcommand)]
enum GenerateWhat {
    /// The North America FY27 territory: 150 reps, 8,000 customers, 25,000 prospects at scale 1.
    NaFy27 {
        #[arg(long)]
        out: PathBuf,
        /// Size relative to the full example (reps and accounts alike).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 27)]
        seed: u64,
    },
    /// One problem of an OR-Library GAP file, as a policy with its CSVs.
    Gap {
        file: PathBuf,
        /// 1-based problem number in the file.
        #[arg(long, default_value_t = 1)]
        problem: usize,
        #[arg(long, value_parser = ["max", "min"], default_value = "max")]
        sense: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Parse and check a policy repeatedly; print min, median and mean.
    Check {
        policy: PathBuf,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Run the whole pipeline once; print each stage's time, the model size and peak memory.
    Solve {
        policy: PathBuf,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Explain one account of a plan; print the time of each step.
    #[command(after_help = "Example:\n  terra bench explain out/na-fy27 --account A00017\n  terra bench explain owners.csv --policy examples/na-fy27/policy.terra --account A00017")]
    Explain {
        /// A directory written by `terra solve`, or a plan CSV with --policy.
        plan: PathBuf,
        /// The policy, when PLAN is a plan CSV without a plan.json beside it.
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long, value_name = "ID")]
        account: String,
        /// How many times to explain it (after one load).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

/// How the solver runs; shared by `solve` and `bench solve`.
#[derive(clap::Args)]
struct SolverArgs {
    /// Wall-clock limit in seconds, enforced by terra.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Relative gap at which to stop, e.g. 0.01 or 1%.
    #[arg(long, default_value = "0.01%", value_parser = parse_fraction)]
    gap: f64,
    /// Solver threads (0: the solver's default).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Solver random seed.
    #[arg(long, default_value_t = 0)]
    seed: i32,
    /// Deterministic work limit: branch-and-bound nodes.
    #[arg(long)]
    node_limit: Option<u64>,
}

impl SolverArgs {
    fn options(&self, verbose: bool) -> terra::solve::SolveOptions {
        terra::solve::SolveOptions {
            time_limit: self.time_limit,
            mip_gap: self.gap,
            threads: self.threads,
            seed: self.seed,
            node_limit: self.node_limit,
            verbose,
            progress: !verbose,
            ..Default::default()
        }
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let (number, factor) = match s.strip_suffix('%') {
        Some(n) => (n, 0.01),
        None => (s, 1.0),
    };
    number.trim().parse::<f64>().map(|v| v * factor).map_err(|_| format!("`{s}` is not a number or a percent"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { policy, no_data, format } => commands::check::run(&policy, !no_data, format.into()),
        Command::Fmt { check, files } => commands::fmt::run(&files, check),
        Command::Solve { policy, out, scenario, solver, verbose, write_mps, format } => {
            let options = solver.options(verbose);
            let args = commands::solve::SolveArgs { policy, out, scenario, options, format: format.into(), write_mps };
            commands::solve::run(&args)
        }
        Command::Verify { policy, plan, format } => commands::verify::run(&policy, &plan, format.into()),
        Command::Bench { what: BenchWhat::Check { policy, runs } } => commands::bench::check(&policy, runs),
        Command::Bench { what: BenchWhat::Solve { policy, solver } } => commands::bench::solve(&policy, &solver.options(false)),
        Command::Explain { plan, policy, account, rep, rule, all, solver, format } => {
            use commands::explain::Subject;
            // clap requires exactly one of the three.
            let subject = account.map(Subject::Account).or(rep.map(Subject::Rep)).or(rule.map(Subject::Rule));
            match subject {
                Some(subject) => {
                    let args = commands::explain::ExplainArgs { plan, policy, subject, all, format: format.into(), options: solver.options(false) };
                    commands::explain::run(&args)
                }
                None => commands::exit::ERROR,
            }
        }
        Command::Bench { what: BenchWhat::Explain { plan, policy, account, runs } } => commands::explain::bench(&plan, policy.as_deref(), &account, runs),
        Command::Generate { what: GenerateWhat::NaFy27 { out, scale, seed } } => {
            match terra::generate::write_na_fy27(&out, scale, seed) {
                Ok(_) => {
                    terra::outln!("wrote {}", out.display());
                    0
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", out.display());
                    2
                }
            }
        }
        Command::Generate { what: GenerateWhat::Gap { file, problem, sense, out } } => commands::generate_gap(&file, problem, sense == "max", &out),
        Command::ExplainCode { code, list } => commands::explain_code(code.as_deref(), list),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
