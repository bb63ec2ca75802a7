//! Wording of problems met while running a command (R06xx): files, solve,
//! verification.

use crate::diagnostics::codes::CodeInfo;

pub const CODES: &[CodeInfo] = &[];
