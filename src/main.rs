//! The terra command line: argument parsing only; the work is in
//! `terra::commands`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use terra::commands;
use terra::commands::review::{self, project, project::SolverSettings};
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

#[derive(Clone, Copy, ValueEnum)]
enum TestFormat {
    Human,
    Json,
    Junit,
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and type-check a policy, and validate its data files.
    #[command(after_help = "Example:\n  terra check examples/starter/policy.terra\n  terra check policy.terra --format github   # annotations in GitHub Actions")]
    Check {
        /// The policy file (default: the one terra.toml names, else policy.terra).
        policy: Option<PathBuf>,
        /// Skip loading the CSV files named by the policy.
        #[arg(long)]
        no_data: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Rewrite policies in the canonical layout, keeping comments.
    #[command(after_help = "Example:\n  terra fmt examples/starter/policy.terra\n  terra fmt --check examples/**/*.terra   # lists unformatted files, exits 1\n  terra fmt --check --format github        # the project's policy, as annotations")]
    Fmt {
        /// Only list the files that are not formatted; exit 1 if any.
        #[arg(long)]
        check: bool,
        /// Policy files (default: the one terra.toml names).
        files: Vec<PathBuf>,
        /// `json` lists each file's state; `github` annotates unformatted files.
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Solve a policy and write plan.csv and plan.json.
    #[command(after_help = "Example:\n  terra solve examples/starter/policy.terra --out out/starter\n  terra solve policy.terra --scenario loose_balance --time-limit 60 --gap 0.5%\n  terra solve policy.terra --all --out out/all   # every scenario, side by side\n  terra solve                                    # inside a folder with terra.toml")]
    Solve {
        /// The policy file (default: the one terra.toml names).
        policy: Option<PathBuf>,
        /// Where to write plan.csv and plan.json (default: terra.toml's `out`, else out).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Solve a scenario of the policy instead of the policy itself.
        #[arg(long, conflicts_with = "all")]
        scenario: Option<String>,
        /// Solve the policy and every scenario, each on its own; write each plan
        /// (scenarios under OUT/scenarios/NAME) and print them side by side.
        #[arg(long)]
        all: bool,
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
    #[command(after_help = "Example:\n  terra bench check examples/na-fy27/policy.terra --runs 50\n  terra bench solve examples/starter/policy.terra --time-limit 60\n  terra bench check examples/starter/policy.terra --format json")]
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
        /// `json` for the figures as data; `github` for a Markdown table.
        #[arg(long, value_enum, default_value = "human", global = true)]
        format: OutputFormat,
    },
    /// Write generated example data: the na-fy27 territory, or a GAP instance as a policy.
    #[command(after_help = "Example:\n  terra generate na-fy27 --out examples/na-fy27\n  terra generate na-fy27 --out out/half --scale 0.5 --seed 27\n  terra generate gap ../data/gap1.txt --problem 1 --sense max --out out/gap1-1\n  terra generate na-fy27 --out out/small --scale 0.05 --format json")]
    Generate {
        #[command(subcommand)]
        what: GenerateWhat,
        #[arg(long, value_enum, default_value = "human", global = true)]
        format: OutputFormat,
    },
    /// Compare two plans, or a policy at two git revisions: moves, KPIs, objective terms, rules.
    #[command(after_help = "OLD and NEW are two plan folders written by `terra solve --out`, or two git \
                  revisions of the policy named after `--` (or in terra.toml); `.` is the working tree. \
                  Each revision is solved once and cached by content hash in .terra/cache.\n\n\
                  Exit codes: 0 no difference; 3 the plans or rules differ; 1 a side has no plan \
                  (infeasible) or the new plan fails an expectation the old one kept (or a new one); 2 an error.\n\n\
                  Example:\n  terra diff out/before out/after\n  terra diff main HEAD --details -- policy.terra\n  \
                  terra diff origin/main . --format github -- policy.terra > comment.md\n\n\
                  Options go before `--`; what follows it is the policy.")]
    Diff {
        /// The old side: a plan folder or a git revision.
        old: String,
        /// The new side: a plan folder or a git revision.
        new: String,
        /// The policy file, for git revisions (default: the one terra.toml names).
        #[arg(last = true)]
        policy: Option<PathBuf>,
        /// Compare this scenario of the policy at both revisions.
        #[arg(long)]
        scenario: Option<String>,
        /// After the summary, list every rule change, move and KPI change.
        #[arg(long)]
        details: bool,
        /// Where solved plans are cached (default: .terra/cache in the project or beside the policy).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        #[command(flatten)]
        solver: SolverArgs,
        /// `github` prints Markdown for a pull-request comment.
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
    /// Solve the policy and each scenario, run every `expect` on each plan, report rule coverage.
    #[command(after_help = "Exits 1 when an expectation fails, a run has no plan, or coverage is below \
                  --min-coverage; 2 on an error in the policy or its data.\n\n\
                  Example:\n  terra test examples/starter/policy.terra\n  \
                  terra test policy.terra --format junit > terra-tests.xml\n  terra test --scenario growth --min-coverage 80%")]
    Test {
        /// The policy file (default: the one terra.toml names).
        policy: Option<PathBuf>,
        /// Test only the base policy and these scenarios (repeatable); default: every scenario.
        #[arg(long)]
        scenario: Vec<String>,
        /// Fail (exit 1) when fewer hard rules than this bind in some run, e.g. 80%.
        #[arg(long, value_parser = parse_fraction)]
        min_coverage: Option<f64>,
        #[command(flatten)]
        solver: SolverArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: TestFormat,
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
    #[command(after_help = "Example:\n  terra explain-code T0302\n  terra explain-code --list\n  terra explain-code R0635 --format json")]
    ExplainCode {
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
        /// `github` prints Markdown.
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
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
        /// Type D sizes as AGENTSxJOBS, comma-separated (default 10x100,20x200,40x400,80x1600).
        #[arg(long, value_delimiter = ',', value_parser = commands::bench_gap::parse_size)]
        type_d_sizes: Vec<(usize, usize)>,
        /// Solver threads (0: the solver's default).
        #[arg(long, default_value_t = 0)]
        threads: usize,
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
    /// Relative gap at which to stop, e.g. 0.01 or 1% [default: 0.01%].
    #[arg(long, value_parser = parse_fraction)]
    gap: Option<f64>,
    /// Solver threads (0: the solver's default) [default: 0].
    #[arg(long)]
    threads: Option<usize>,
    /// Solver random seed [default: 0].
    #[arg(long)]
    seed: Option<i32>,
    /// Deterministic work limit: branch-and-bound nodes.
    #[arg(long)]
    node_limit: Option<u64>,
}

impl SolverArgs {
    /// The options given on the command line; terra.toml fills the others.
    fn settings(&self) -> SolverSettings {
        SolverSettings { time_limit: self.time_limit, gap: self.gap, threads: self.threads, seed: self.seed, node_limit: self.node_limit }
    }
    fn options(&self, verbose: bool) -> terra::solve::SolveOptions {
        self.settings().options(verbose)
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    project::parse_fraction(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { policy, no_data, format } => match project::resolve("check", policy, None, Some("policy.terra")) {
            Ok(r) => commands::check::run(&r.policy, r.data_dir.as_deref(), !no_data, format.into()),
            Err((sources, d)) => {
                commands::emit(&d, &sources, format.into());
                commands::exit::ERROR
            }
        },
        Command::Fmt { check, files, format } => {
            let files = if files.is_empty() {
                match project::resolve("fmt", None, None, None) {
                    Ok(r) => vec![r.policy],
                    Err((sources, d)) => {
                        commands::emit(&d, &sources, format.into());
                        return ExitCode::from(commands::exit::ERROR as u8);
                    }
                }
            } else {
                files
            };
            commands::fmt::run(&files, check, format.into())
        }
        Command::Solve { policy, out, scenario, all, solver, verbose, write_mps, format } => review::solve(review::SolveCommand {
            policy,
            out,
            scenario,
            all,
            solver: solver.settings(),
            verbose,
            write_mps,
            format: format.into(),
        }),
        Command::Verify { policy, plan, format } => commands::verify::run(&policy, &plan, format.into()),
        Command::Bench { what: BenchWhat::Check { policy, runs }, format } => commands::bench::check(&policy, runs, format.into()),
        Command::Bench { what: BenchWhat::Solve { policy, solver }, format } => commands::bench::solve(&policy, &solver.options(false), format.into()),
        Command::Bench { what: BenchWhat::Gap { orlib, runs, type_d_seeds, type_d_time_limit, type_d_sizes, threads }, format } => {
            let type_d_sizes = if type_d_sizes.is_empty() { commands::bench_gap::TYPE_D_SIZES.to_vec() } else { type_d_sizes };
            let args = commands::bench_gap::GapBenchArgs { orlib: orlib.as_deref(), runs, type_d_seeds, type_d_time_limit, type_d_sizes, threads, format: format.into() };
            commands::bench_gap::run(&args)
        }
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
        Command::Bench { what: BenchWhat::Explain { plan, policy, account, runs }, format } => commands::explain::bench(&plan, policy.as_deref(), &account, runs, format.into()),
        Command::Generate { what: GenerateWhat::NaFy27 { out, scale, seed }, format } => {
            match terra::generate::write_na_fy27(&out, scale, seed) {
                Ok(_) => {
                    review::formats::wrote(&out, format.into());
                    0
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", out.display());
                    2
                }
            }
        }
        Command::Generate { what: GenerateWhat::Gap { file, problem, sense, out }, format } => commands::generate_gap(&file, problem, sense == "max", &out, format.into()),
        Command::Diff { old, new, policy, scenario, details, cache_dir, solver, format } => {
            review::diff::run(&review::diff::DiffArgs { old, new, policy, scenario, details, format: format.into(), solver: solver.settings(), cache_dir })
        }
        Command::Test { policy, scenario, min_coverage, solver, format } => {
            use review::policy_test::TestFormat as T;
            let format = match format {
                TestFormat::Human => T::Human,
                TestFormat::Json => T::Json,
                TestFormat::Junit => T::Junit,
                TestFormat::Github => T::Github,
            };
            review::policy_test::run(&review::policy_test::TestArgs { policy, scenarios: scenario, format, solver: solver.settings(), min_coverage })
        }
        Command::Report { plan, compare, html, policy, format } => {
            let plans = compare.unwrap_or_default().into_iter().chain(plan).collect();
            commands::report::run(&commands::report::ReportArgs { plans, html, policy, format: format.into() })
        }
        Command::ExplainCode { code, list, format } => review::formats::explain_code(code.as_deref(), list, format.into()),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
