//! The registry of diagnostic codes and their long explanations, as printed
//! by `terra explain-code`. Each stage's message file owns its own table.

use super::messages;

/// One documented diagnostic code.
pub struct CodeInfo {
    pub code: &'static str,
    /// A short title, e.g. "unknown name".
    pub title: &'static str,
    /// The long explanation, with an example of the problem and its fix.
    pub explanation: &'static str,
}

/// Every documented code, in code order.
pub fn all() -> Vec<&'static CodeInfo> {
    let mut codes: Vec<&'static CodeInfo> = messages::syntax::CODES
        .iter()
        .chain(messages::check::CODES)
        .chain(messages::data::CODES)
        .chain(messages::run::CODES)
        .chain(messages::report::CODES)
        .chain(messages::review::CODES)
        .chain(messages::explain::CODES)
        .collect();
    codes.sort_by_key(|c| c.code);
    codes
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    all().into_iter().find(|c| c.code.eq_ignore_ascii_case(code))
}
