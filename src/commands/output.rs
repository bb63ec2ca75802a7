//! Writing outputs safely: to a temporary file beside the target, then
//! renamed, so that no reader ever sees a half-written file.

use std::io::Write;
use std::path::Path;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = super::policy_dir(path);
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Rounds to 9 significant digits, so that plans diff cleanly and do not
/// show the last bits of floating-point noise.
pub fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() { 0.0 } else { x };
    }
    let digits = 9 - x.abs().log10().ceil() as i32;
    let factor = 10f64.powi(digits.clamp(-300, 300));
    let r = (x * factor).round() / factor;
    if r == 0.0 { 0.0 } else { r }
}
