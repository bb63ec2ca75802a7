//! Wording of name, type, unit and linearity errors (N02xx, T03xx, L04xx).

use crate::diagnostics::codes::CodeInfo;

pub const CODES: &[CodeInfo] = &[];
