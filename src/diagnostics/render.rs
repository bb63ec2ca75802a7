//! Renders diagnostics for people (miette's graphical report), for programs
//! (JSON with stable fields) and for GitHub Actions (workflow commands).

use super::{Diagnostic, Label, Severity, Sources};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::fmt;

/// The version of the JSON layout; bumped on any incompatible change.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
}

impl Format {
    /// Where a command prints its own JSON on stdout, side diagnostics
    /// (warnings) go to stderr in human form so the JSON stays one document.
    pub fn min_human(self) -> Format {
        match self {
            Format::Json => Format::Human,
            f => f,
        }
    }
}

/// Human rendering options: `color` off gives plain text (tests, `NO_COLOR`).
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

impl HumanStyle {
    /// Plain text at a fixed width, as the snapshot tests pin it.
    pub fn plain(width: usize) -> HumanStyle {
        HumanStyle { color: false, width }
    }
    /// Colour when stderr is a terminal and `NO_COLOR` is unset.
    pub fn for_terminal() -> HumanStyle {
        use std::io::IsTerminal;
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        HumanStyle { color, width: 100 }
    }
}

/// A source file seen through miette without copying its text.
struct NamedText<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_before: usize,
        context_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, context_before, context_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// One diagnostic (or its labels in one other file) as miette sees it.
struct View<'a> {
    code: &'a str,
    message: String,
    severity: miette::Severity,
    help: Option<&'a str>,
    source: NamedText<'a>,
    labels: Vec<LabeledSpan>,
    related: Vec<View<'a>>,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|v| v as &dyn miette::Diagnostic)))
        }
    }
}

fn clamp(label: &Label, text: &str) -> SourceSpan {
    let start = label.span.start.min(text.len());
    let end = label.span.end.clamp(start, text.len());
    (start, end - start).into()
}

fn view<'a>(diagnostic: &'a Diagnostic, sources: &'a Sources) -> View<'a> {
    let file = sources.get(diagnostic.primary.file);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(diagnostic.primary.message.clone()),
        clamp(&diagnostic.primary, &file.text),
    )];
    let mut related: Vec<View<'a>> = Vec::new();
    for label in &diagnostic.secondary {
        let other = sources.get(label.file);
        let span = LabeledSpan::new_with_span(Some(label.message.clone()), clamp(label, &other.text));
        if label.file == diagnostic.primary.file {
            labels.push(span);
        } else if let Some(existing) = related.iter_mut().find(|v| v.source.name == other.path) {
            existing.labels.push(span);
        } else {
            // Labels in another file: shown as a note about that file.
            related.push(View {
                code: "",
                message: format!("see {}", other.path),
                severity: miette::Severity::Advice,
                help: None,
                source: NamedText { name: &other.path, text: &other.text },
                labels: vec![span],
                related: Vec::new(),
            });
        }
    }
    View {
        code: diagnostic.code,
        message: diagnostic.message.clone(),
        severity: match diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: diagnostic.help.as_deref(),
        source: NamedText { name: &file.path, text: &file.text },
        labels,
        related,
    }
}

pub fn human(diagnostic: &Diagnostic, sources: &Sources, style: HumanStyle) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    let view = view(diagnostic, sources);
    if handler.render_report(&mut out, &view).is_err() {
        // Rendering only fails on a formatter error; fall back to one line.
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    out
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    primary: bool,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

fn json_label<'a>(label: &'a Label, sources: &'a Sources, primary: bool) -> JsonLabel<'a> {
    let file = sources.get(label.file);
    let (line, column) = file.line_col(label.span.start);
    let (end_line, end_column) = file.line_col(label.span.end);
    JsonLabel { file: &file.path, line, column, end_line, end_column, message: &label.message, primary }
}

/// The JSON document for a list of diagnostics: see docs/diagnostics.md.
pub fn json_value(diagnostics: &[Diagnostic], sources: &Sources) -> serde_json::Value {
    let list: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| {
            let primary = json_label(&d.primary, sources, true);
            let mut labels = vec![json_label(&d.primary, sources, true)];
            labels.extend(d.secondary.iter().map(|l| json_label(l, sources, false)));
            JsonDiagnostic {
                code: d.code,
                severity: d.severity,
                message: &d.message,
                file: primary.file,
                line: primary.line,
                column: primary.column,
                end_line: primary.end_line,
                end_column: primary.end_column,
                help: d.help.as_deref(),
                labels,
            }
        })
        .collect();
    serde_json::json!({
        "format_version": JSON_FORMAT_VERSION,
        "errors": diagnostics.iter().filter(|d| d.is_error()).count(),
        "warnings": diagnostics.iter().filter(|d| !d.is_error()).count(),
        "diagnostics": list,
    })
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub Actions workflow command per diagnostic.
pub fn github(diagnostic: &Diagnostic, sources: &Sources) -> String {
    let file = sources.get(diagnostic.primary.file);
    let (line, col) = file.line_col(diagnostic.primary.span.start);
    let (end_line, end_col) = file.line_col(diagnostic.primary.span.end);
    let kind = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = format!("{}: {}", diagnostic.primary.message, diagnostic.message);
    if diagnostic.primary.message.is_empty() {
        message = diagnostic.message.clone();
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    format!(
        "::{kind} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
        escape_property(&file.path),
        escape_property(&format!("terra {}", diagnostic.code)),
        escape_data(&message)
    )
}

/// Renders every diagnostic in the chosen format.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources, format: Format, style: HumanStyle) -> String {
    match format {
        Format::Human => diagnostics.iter().map(|d| human(d, sources, style)).collect::<Vec<_>>().join("\n"),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json_value(diagnostics, sources)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Github => diagnostics.iter().map(|d| github(d, sources)).collect(),
    }
}
