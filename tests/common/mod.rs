//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The `*.terra` files directly in `dir`, sorted by name.
pub fn terra_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "terra"))
        .collect();
    files.sort();
    files
}
