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
    /// Write a self-contained HTML report of a plan: map, balance charts, moves, objective, rules.
    #[command(after_help = "Example:\n  terra report out/starter                    # writes out/starter/report.html\n  terra report out/starter --html starter.html\n  terra report --compare out/base out/loose   # writes out/loose/compare.html\n\nReads plan.json and plan.csv, and the policy and data that plan.json names \
                  (relative to the folder `terra solve` ran in). The page works offline.")]
    Report {
        /// A folder written by `terra solve --out`.
        #[arg(required_unless_present = "compare", conflicts_with = "compare")]
        plan: Option<PathBuf>,
        /// Draw two plan folders side by side, their differences highlighted.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        compare: Option<Vec<PathBuf>>,
        /// Where to write the page [default: PLAN/report.html, or B/compare.html].
        #[arg(long)]
        html: Option<PathBuf>,
        /// The policy to read, instead of the path recorded in plan.json.
        #[arg(long)]
        policy: Option<PathBuf>,
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
    /// Generalized assignment benchmarks: OR-Library optima and overhead against HiGHS alone, and generated type D instances against the LP bound.
    #[command(after_help = "Example:\n  terra bench gap --orlib data/gap-orlib --type-d-seeds 0      # known optima, overhead ratio\n  terra bench gap --type-d-seeds 2 --type-d-time-limit 60       # type D up to 80 x 1600")]
    Gap {
        /// Folder with the OR-Library files gap1.txt … gap12.txt and KNOWN.txt.
        #[arg(long)]
        orlib: Option<PathBuf>,
        /// Timed runs per OR-Library instance; the fastest counts.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Generated type D instances per size (seeds 1..=N); 0 skips them.
        #[arg(long, default_value_t = 1)]
        type_d_seeds: u64,
        /// Time limit of each type D solve, in seconds.
        #[arg(long, default_value_t = 60.0)]
        type_d_time_limit: f64,
        /// Solver threads (0: the solver's default).
        #[arg(long, default_value_t = 0)]
        threads: usize,
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
        Command::Bench { what: BenchWhat::Gap { orlib, runs, type_d_seeds, type_d_time_limit, threads } } => {
            let args = commands::bench_gap::GapBenchArgs { orlib: orlib.as_deref(), runs, type_d_seeds, type_d_time_limit, threads };
            commands::bench_gap::run(&args)
        }
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
        Command::Report { plan, compare, html, policy, format } => {
            let plans = compare.unwrap_or_default().into_iter().chain(plan).collect();
            commands::report::run(&commands::report::ReportArgs { plans, html, policy, format: format.into() })
        }
        Command::ExplainCode { code, list } => commands::explain_code(code.as_deref(), list),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
