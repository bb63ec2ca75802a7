//! Loading the data a policy declares: one CSV file per entity and per table,
//! read against the checked [`Schema`] into typed columns.
//!
//! # CSV conventions
//!
//! - **Encoding.** Files are UTF-8 text; a UTF-8 byte order mark at the start
//!   is ignored. Cells are separated by `,`; a cell may be quoted with `"`
//!   (then it may hold `,` and line breaks, and `""` stands for one quote).
//!   Lines may end in `\n` or `\r\n`. Blank lines, and rows whose cells
//!   are all empty (`,,,,`), are skipped.
//! - **Header.** The first line names the columns. Each field reads the
//!   column named like the field, or the column given after its type
//!   (`name: text from "Rep Name"`). Other columns are ignored. Every row
//!   must have as many cells as the header.
//! - **Trimming.** Header names and cells are trimmed of surrounding spaces.
//! - **Empty cells.** An empty cell is `none` for an optional field (`T?`)
//!   and an error for a required one.
//! - **`key`.** The key field is read as text: every row needs one, and keys
//!   are unique within the file.
//! - **`text`.** Any text.
//! - **`number`, `money`, `hours`, `km`, `count`.** A plain decimal number:
//!   an optional leading `-`, digits, and an optional `.` followed by
//!   digits. `_` may separate digits (`1_234.5`). Thousands separators `,`,
//!   currency symbols, a leading `+` and exponents (`1e6`) are rejected.
//! - **`percent`.** `15%` or the fraction `0.15`; both load as 0.15. A plain
//!   number is a fraction, so `15` means 1500%.
//! - **`bool`.** `true`/`false`, `yes`/`no` or `1`/`0`, in any case.
//! - **`geo`.** A field `home` reads two columns, `home_lat` and `home_lon`
//!   (with a mapped column `from "site"`: `site_lat` and `site_lon`), in
//!   degrees: latitude in -90..90, longitude in -180..180. Both cells are
//!   filled, or both empty (`none`).
//! - **`set<text>`.** One cell holding the values separated by `;`
//!   (`enterprise; public sector`). Values are trimmed and empty parts
//!   ignored. An empty cell is the empty set for an optional field
//!   (`set<text>?`) and an error for a required one.
//! - **References.** A field whose type is an entity (`owner: rep?`) holds the
//!   key of a row of that entity.
//! - **Tables.** `table drive(account, rep): hours from "drive.csv"` reads
//!   one column per key, named after the key's entity (`account`, `rep`), and
//!   a value column named after the table (`drive`). When an entity is a key
//!   more than once, its columns are numbered: `table distance(account,
//!   account)` reads `account_1` and `account_2`. Each combination of keys
//!   appears at most once; combinations that are missing, and rows whose
//!   value cell is empty, have no value. Values are read like fields of the
//!   table's type (`bool` values load as 1 and 0).
//!
//! # Determinism
//!
//! Files are read and parsed in parallel, but each file's text is interned
//! into a local interner and the local interners are merged in schema order,
//! so symbol numbers, columns and the order of diagnostics depend only on
//! the schema and the files' contents.
//!
//! # Diagnostics
//!
//! Every problem is reported, located at the offending cell, header or row
//! of the CSV file. Per file and kind of problem, the first 20 are reported
//! and the rest summarised in one "and N more" diagnostic.

pub mod filter;
pub mod literals;
mod cells;
mod entity;
mod intern;
mod report;
mod table;

pub use intern::{Interner, Sym};
pub use report::CAP as MAX_REPORTED_PER_KIND;

use crate::check::schema::{EntityId, FieldType, Schema, TableId};
use crate::check::suggest;
use crate::diagnostics::messages::data as msg;
use crate::diagnostics::{has_errors, Diagnostic, FileId, SourceFile, Sources};
use crate::syntax::ast::Span;
use entity::{close_key, ParsedEntity, Row, Source};
use rayon::prelude::*;
use report::Reporter;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Everything a policy's data files hold, typed by its schema.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Indexed by `EntityId` (the order of `schema.entities`).
    pub entities: Vec<EntityTable>,
    /// Indexed by `TableId` (the order of `schema.tables`).
    pub tables: Vec<PairTable>,
    pub texts: Interner,
    /// Every data file read: the entities' files, then the tables', in schema
    /// order.
    pub files: Vec<DataFile>,
}

impl Dataset {
    pub fn entity(&self, id: EntityId) -> &EntityTable {
        &self.entities[id]
    }
    pub fn table(&self, id: TableId) -> &PairTable {
        &self.tables[id]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFile {
    /// As written in the policy.
    pub path: String,
    /// SHA-256 of the file's bytes, in lower-case hex.
    pub sha256: String,
    pub file: FileId,
}

/// The rows of one entity, column by column.
#[derive(Clone, Debug, Default)]
pub struct EntityTable {
    /// The key of each row, in file order.
    pub keys: Vec<String>,
    /// Key -> row.
    pub index: HashMap<String, u32>,
    /// Indexed by `FieldId` (the order of the schema's fields); the key field
    /// is a `Text` column.
    pub columns: Vec<Column>,
    /// The 1-based line in the CSV file where each row starts.
    pub lines: Vec<u32>,
}

impl EntityTable {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// The row with this key.
    pub fn row(&self, key: &str) -> Option<u32> {
        self.index.get(key).copied()
    }
}

/// One field's values, one per row; `None` where the cell was empty.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Text(Vec<Option<Sym>>),
    /// number, money, hours, km, count; and percent, as a fraction.
    Number(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// (latitude, longitude) in degrees.
    Geo(Vec<Option<(f64, f64)>>),
    /// Sorted by symbol, without duplicates.
    TextSet(Vec<Vec<Sym>>),
    /// Row index in the referenced entity.
    Ref(Vec<Option<u32>>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Text(v) => v.len(),
            Column::Number(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Geo(v) => v.len(),
            Column::TextSet(v) => v.len(),
            Column::Ref(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The values of a table, dense over every combination of its keys' rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairTable {
    /// The number of rows of each key entity.
    pub dims: Vec<usize>,
    /// Row-major over the key entities; NaN where no value was given.
    pub values: Vec<f64>,
}

impl PairTable {
    /// The value for one row of each key entity, if one was given.
    pub fn get(&self, keys: &[u32]) -> Option<f64> {
        if keys.len() != self.dims.len() {
            return None;
        }
        let mut index = 0usize;
        for (&k, &d) in keys.iter().zip(&self.dims) {
            if k as usize >= d {
                return None;
            }
            index = index.checked_mul(d)?.checked_add(k as usize)?;
        }
        self.values.get(index).copied().filter(|v| !v.is_nan())
    }
}

enum ReadOutcome {
    Text { text: String, sha256: String, bad_utf8_at: Option<usize> },
    NotFound,
    IsDirectory,
    Failed(String),
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

fn read_file(path: &Path) -> ReadOutcome {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ReadOutcome::NotFound,
        Err(e) => return ReadOutcome::Failed(e.to_string()),
        Ok(m) if m.is_dir() => return ReadOutcome::IsDirectory,
        Ok(_) => {}
    }
    let mut bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ReadOutcome::NotFound,
        Err(e) => return ReadOutcome::Failed(e.to_string()),
    };
    let sha256 = hex(&Sha256::digest(&bytes));
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => ReadOutcome::Text { text, sha256, bad_utf8_at: None },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            ReadOutcome::Text { text, sha256, bad_utf8_at: Some(at) }
        }
    }
}

/// A file next to the one written, with a close name.
fn suggest_file(base_dir: &Path, written: &str) -> Option<String> {
    let written_path = Path::new(written);
    let name = written_path.file_name()?.to_str()?;
    let folder = base_dir.join(written_path).parent()?.to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let best = suggest::closest(name, names.iter().map(String::as_str))?;
    Some(written_path.with_file_name(best).to_string_lossy().into_owned())
}

/// How a data file is shown to the user: next to the policy file as the
/// user named it.
fn display_path(policy_path: &str, written: &str) -> String {
    match Path::new(policy_path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(written).to_string_lossy().into_owned(),
        _ => written.to_string(),
    }
}

fn remap(column: &mut Column, map: &[Sym]) {
    let get = |s: Sym| map.get(s.0 as usize).copied().unwrap_or(s);
    match column {
        Column::Text(v) => v.iter_mut().flatten().for_each(|s| *s = get(*s)),
        Column::TextSet(v) => {
            for set in v {
                set.iter_mut().for_each(|s| *s = get(*s));
                set.sort_unstable();
            }
        }
        _ => {}
    }
}

/// What is kept of a parsed entity to locate cells after merging.
struct Located {
    file: FileId,
    path: String,
    starts: Vec<usize>,
    field_columns: Vec<[Option<usize>; 2]>,
}

/// The resolved reference columns of an entity (by field), and the
/// diagnostics for keys that do not exist.
type Resolved = (Vec<(usize, Column)>, Vec<Diagnostic>);

/// Resolves the reference fields of entity `id`.
fn resolve_references(
    schema: &Schema,
    id: EntityId,
    entities: &[EntityTable],
    available: &[bool],
    texts: &Interner,
    located: Option<&Located>,
    sources: &Sources,
) -> Resolved {
    let entity = &schema.entities[id];
    let table = &entities[id];
    let Some(located) = located else { return (Vec::new(), Vec::new()) };
    let text = sources.get(located.file).text.as_str();
    let mut rep = Reporter::new(located.file, &located.path);
    let mut resolved = Vec::new();
    for (f, field) in entity.fields.iter().enumerate() {
        let FieldType::Ref(target_id) = field.ty else { continue };
        if field.is_key {
            continue;
        }
        let Some(Column::Text(written)) = table.columns.get(f) else { continue };
        let target = entities.get(target_id).filter(|_| available.get(target_id).copied().unwrap_or(false));
        let column = located.field_columns.get(f).and_then(|c| c[0]).unwrap_or(0);
        let mut rows = Vec::with_capacity(written.len());
        for (row, sym) in written.iter().enumerate() {
            let (Some(sym), Some(target)) = (sym, target) else {
                rows.push(None);
                continue;
            };
            let key = texts.resolve(*sym);
            let found = target.index.get(key).copied();
            if found.is_none() {
                let start = located.starts.get(row).copied().unwrap_or(0);
                rep.report(msg::UNKNOWN_REFERENCE, || {
                    let target_schema = &schema.entities[target_id];
                    let place = msg::Place::Field { entity: &entity.name, field: &field.name, column: &field.column };
                    msg::unknown_reference(
                        located.file,
                        Row::new(text, start).cell(column),
                        key,
                        place,
                        &target_schema.name,
                        &target_schema.file,
                        close_key(key, &target.keys),
                    )
                });
            }
            rows.push(found);
        }
        resolved.push((f, Column::Ref(rows)));
    }
    (resolved, rep.finish())
}

/// Reads every data file the schema names, relative to `base_dir` (the
/// policy's folder), adding each file's text to `sources`. The dataset is
/// returned only when there were no errors.
pub fn load(
    schema: &Schema,
    base_dir: &Path,
    policy_file: FileId,
    sources: &mut Sources,
) -> (Option<Dataset>, Vec<Diagnostic>) {
    let n_entities = schema.entities.len();
    let wanted: Vec<(&str, Span)> = schema
        .entities
        .iter()
        .map(|e| (e.file.as_str(), e.file_span))
        .chain(schema.tables.iter().map(|t| (t.file.as_str(), t.file_span)))
        .collect();

    // Read every file in parallel.
    let outcomes: Vec<ReadOutcome> = wanted.par_iter().map(|(path, _)| read_file(&base_dir.join(path))).collect();

    // Register them in schema order.
    let policy_path = sources.get(policy_file).path.clone();
    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); wanted.len()];
    let mut file_ids: Vec<Option<FileId>> = vec![None; wanted.len()];
    let mut files = Vec::new();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let (path, from) = wanted[i];
        match outcome {
            ReadOutcome::Text { text, sha256, bad_utf8_at } => {
                let id = sources.add(SourceFile::new(display_path(&policy_path, path), text));
                files.push(DataFile { path: path.to_string(), sha256, file: id });
                match bad_utf8_at {
                    None => file_ids[i] = Some(id),
                    Some(at) => {
                        let shown = sources.get(id).path.clone();
                        per_file[i].push(msg::not_utf8(
                            id,
                            Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                            &shown,
                            policy_file,
                            from,
                        ));
                    }
                }
            }
            ReadOutcome::NotFound => {
                per_file[i].push(msg::file_not_found(policy_file, from, path, suggest_file(base_dir, path).as_deref()))
            }
            ReadOutcome::IsDirectory => per_file[i].push(msg::file_is_directory(policy_file, from, path)),
            ReadOutcome::Failed(error) => per_file[i].push(msg::file_unreadable(policy_file, from, path, &error)),
        }
    }
    let sources: &Sources = sources;
    let source = |i: usize| -> Option<Source<'_>> {
        let id = file_ids[i]?;
        let file = sources.get(id);
        Some(Source { file: id, path: &file.path, text: &file.text, policy: policy_file, from: wanted[i].1 })
    };

    // Parse the entities in parallel.
    let parsed: Vec<Option<ParsedEntity>> =
        (0..n_entities).into_par_iter().map(|i| source(i).map(|src| entity::parse(schema, i, &src))).collect();

    // Merge their text in schema order.
    let mut texts = Interner::new();
    let mut entities = Vec::with_capacity(n_entities);
    let mut available = Vec::with_capacity(n_entities);
    let mut located: Vec<Option<Located>> = Vec::with_capacity(n_entities);
    for (i, p) in parsed.into_iter().enumerate() {
        let Some(mut p) = p else {
            let columns = schema.entities[i].fields.iter().map(|_| Column::Text(Vec::new())).collect();
            entities.push(EntityTable { columns, ..EntityTable::default() });
            available.push(false);
            located.push(None);
            continue;
        };
        let map: Vec<Sym> = p.local.iter().map(|(_, s)| texts.intern(s)).collect();
        for column in &mut p.columns {
            remap(column, &map);
        }
        per_file[i].extend(p.reporter.finish());
        let file = file_ids[i].unwrap_or(policy_file);
        located.push(Some(Located {
            file,
            path: sources.get(file).path.clone(),
            starts: p.starts,
            field_columns: p.field_columns,
        }));
        available.push(p.available);
        entities.push(EntityTable { keys: p.keys, index: p.index, columns: p.columns, lines: p.lines });
    }

    // Resolve references, now that every entity is loaded.
    let references: Vec<Resolved> = (0..n_entities)
        .into_par_iter()
        .map(|i| resolve_references(schema, i, &entities, &available, &texts, located[i].as_ref(), sources))
        .collect();
    for (i, (columns, diagnostics)) in references.into_iter().enumerate() {
        for (f, column) in columns {
            entities[i].columns[f] = column;
        }
        per_file[i].extend(diagnostics);
    }

    // Tables.
    let key_entities: Vec<table::KeyEntity<'_>> = (0..n_entities)
        .map(|i| table::KeyEntity { table: &entities[i], available: available[i], path: &schema.entities[i].file })
        .collect();
    let parsed_tables: Vec<Option<table::ParsedTable>> = (0..schema.tables.len())
        .into_par_iter()
        .map(|t| source(n_entities + t).map(|src| table::parse(schema, t, &src, &key_entities)))
        .collect();
    let mut tables = Vec::with_capacity(schema.tables.len());
    for (t, parsed) in parsed_tables.into_iter().enumerate() {
        match parsed {
            Some(p) => {
                tables.push(p.table);
                per_file[n_entities + t].extend(p.reporter.finish());
            }
            None => tables.push(PairTable::default()),
        }
    }
    drop(key_entities);

    let diagnostics: Vec<Diagnostic> = per_file.into_iter().flatten().collect();
    if has_errors(&diagnostics) {
        return (None, diagnostics);
    }
    (Some(Dataset { entities, tables, texts, files }), diagnostics)
}
