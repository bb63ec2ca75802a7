//! Collects the diagnostics of one file, capping each kind so that a broken
//! file of thousands of rows reports a readable number of problems.

use crate::diagnostics::messages::data as msg;
use crate::diagnostics::{Diagnostic, FileId};
use crate::syntax::ast::Span;

/// How many problems of one kind are reported per file before the rest are
/// summarised as "and N more".
pub const CAP: usize = 20;

struct Kind {
    code: &'static str,
    count: usize,
    next: Span,
}

pub(crate) struct Reporter {
    file: FileId,
    path: String,
    kinds: Vec<Kind>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Reporter {
    pub fn new(file: FileId, path: &str) -> Reporter {
        Reporter { file, path: path.to_string(), kinds: Vec::new(), diagnostics: Vec::new() }
    }

    /// Records one problem. `make` builds its diagnostic and is called only
    /// while the kind is under the cap (and once more, for the position of
    /// the first problem not shown).
    pub fn report(&mut self, code: &'static str, make: impl FnOnce() -> Diagnostic) {
        let index = match self.kinds.iter().position(|k| k.code == code) {
            Some(i) => i,
            None => {
                self.kinds.push(Kind { code, count: 0, next: Span::default() });
                self.kinds.len() - 1
            }
        };
        let kind = &mut self.kinds[index];
        kind.count += 1;
        if kind.count <= CAP {
            self.diagnostics.push(make());
        } else if kind.count == CAP + 1 {
            kind.next = make().primary.span;
        }
    }

    /// Counts `n` further problems of a kind without building them.
    pub fn count_more(&mut self, code: &'static str, n: usize) {
        if let Some(kind) = self.kinds.iter_mut().find(|k| k.code == code) {
            kind.count += n;
        }
    }

    /// The diagnostics, with one "and N more" per kind over the cap.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        for kind in &self.kinds {
            if kind.count > CAP {
                self.diagnostics.push(msg::more(kind.code, self.file, kind.next, &self.path, kind.count - CAP));
            }
        }
        self.diagnostics
    }
}
