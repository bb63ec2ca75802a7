//! Reviewing and gating policies: `terra diff` (what a change does to the
//! plan), `terra solve --all` (every scenario side by side), `terra test`
//! (expectations and rule coverage), and `terra.toml`, the project file.
//! Every command's JSON output carries `format_version`; docs/ci.md
//! documents each layout.

pub mod diff;
pub mod formats;
pub mod plan;
pub mod policy_test;
pub mod project;
pub mod revision;
pub mod rules;
pub mod scenarios;
pub mod text;

/// The version of the review commands' JSON layouts; bumped on any
/// incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// Pretty JSON with a final line break.
pub fn json_text(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// `terra solve`, with the policy, data folder, output folder and solver
/// options filled in from terra.toml where the command line leaves them.
pub struct SolveCommand {
    pub policy: Option<std::path::PathBuf>,
    pub out: Option<std::path::PathBuf>,
    pub scenario: Option<String>,
    pub all: bool,
    pub solver: project::SolverSettings,
    pub verbose: bool,
    pub write_mps: Option<std::path::PathBuf>,
    pub format: crate::diagnostics::render::Format,
}

pub fn solve(cmd: SolveCommand) -> i32 {
    if cmd.all {
        return scenarios::run(cmd.policy, cmd.out, &cmd.solver, cmd.verbose, cmd.format);
    }
    let resolved = match project::resolve("solve", cmd.policy, cmd.out, None) {
        Ok(r) => r,
        Err((sources, d)) => {
            crate::commands::emit(&d, &sources, cmd.format);
            return crate::commands::exit::ERROR;
        }
    };
    let args = crate::commands::solve::SolveArgs {
        options: resolved.solver(&cmd.solver).options(cmd.verbose),
        policy: resolved.policy,
        out: resolved.out,
        scenario: cmd.scenario,
        format: cmd.format,
        write_mps: cmd.write_mps,
        data_dir: resolved.data_dir,
    };
    crate::commands::solve::run(&args)
}
