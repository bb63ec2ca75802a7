//! Parsing the CSV file of one entity into columns. Text is interned into a
//! file-local interner; references stay as text until every entity is
//! loaded.

use super::cells::{self, line_span, scan_record, NumberError, RawRecord};
use super::intern::{Interner, Sym};
use super::report::Reporter;
use super::Column;
use crate::check::schema::{EntityId, EntitySchema, FieldType, Schema};
use crate::check::suggest;
use crate::diagnostics::messages::data::{self as msg, Place};
use crate::diagnostics::FileId;
use crate::syntax::ast::Span;
use std::cell::OnceCell;
use std::collections::HashMap;

/// A data file as read, with where the policy names it.
pub(crate) struct Source<'a> {
    pub file: FileId,
    pub path: &'a str,
    pub text: &'a str,
    pub policy: FileId,
    pub from: Span,
}

/// The header of a CSV file.
pub(crate) struct Header {
    pub names: Vec<String>,
    pub start: usize,
}

impl Header {
    fn line(&self, text: &str) -> Span {
        line_span(text, self.start)
    }
}

/// One record, with the positions of its cells computed on demand.
pub(crate) struct Row<'a> {
    text: &'a str,
    start: usize,
    raw: OnceCell<RawRecord>,
}

impl<'a> Row<'a> {
    pub fn new(text: &'a str, start: usize) -> Row<'a> {
        Row { text, start, raw: OnceCell::new() }
    }
    fn raw(&self) -> &RawRecord {
        self.raw.get_or_init(|| scan_record(self.text, self.start))
    }
    pub fn cell(&self, i: usize) -> Span {
        self.raw().cell(i, self.text, self.start)
    }
    pub fn line(&self) -> Span {
        line_span(self.text, self.start)
    }
    pub fn unclosed_quote(&self) -> bool {
        self.raw().unclosed_quote
    }
}

/// The cell `i` of a record, trimmed; empty when the record is shorter.
pub(crate) fn cell(record: &csv::StringRecord, i: usize) -> &str {
    record.get(i).map_or("", str::trim)
}

/// Whether a record holds nothing but spaces: a blank line.
pub(crate) fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Reads the next record into `record`; false at the end. With flexible
/// records and UTF-8 text the reader does not fail; anything else is
/// reported as a malformed row and ends the file.
pub(crate) fn next_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    src: &Source<'_>,
    columns: usize,
    rep: &mut Reporter,
) -> bool {
    match reader.read_record(record) {
        Ok(more) => more,
        Err(error) => {
            let at = error.position().map_or(src.text.len(), |p| usize::try_from(p.byte()).unwrap_or(0));
            let row = Row::new(src.text, at);
            rep.report(msg::MALFORMED_ROW, || msg::malformed_row(src.file, row.line(), columns, 0, row.unclosed_quote()));
            false
        }
    }
}

pub(crate) fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes())
}

/// Reads the header, reporting an empty file. `expected` lists the columns
/// the policy reads, for the help line.
pub(crate) fn read_header(
    reader: &mut csv::Reader<&[u8]>,
    src: &Source<'_>,
    expected: &[&str],
    rep: &mut Reporter,
) -> Option<Header> {
    let header = reader.headers().ok()?;
    if is_blank(header) {
        let end = src.text.len();
        rep.report(msg::EMPTY_FILE, || {
            msg::empty_file(src.file, Span::new(end, end), src.path, expected, src.policy, src.from)
        });
        return None;
    }
    let start = header.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
    Some(Header { names: header.iter().map(|c| c.trim().to_string()).collect(), start })
}

/// The index of column `wanted` in the header, reporting it missing or
/// duplicated.
pub(crate) fn find_column(
    header: &Header,
    wanted: &str,
    place: Place<'_>,
    ty_word: &str,
    decl: Span,
    src: &Source<'_>,
    rep: &mut Reporter,
) -> Option<usize> {
    let mut found = header.names.iter().enumerate().filter(|(_, n)| *n == wanted).map(|(i, _)| i);
    let Some(first) = found.next() else {
        rep.report(msg::MISSING_COLUMN, || {
            let available: Vec<&str> = header.names.iter().map(String::as_str).filter(|n| !n.is_empty()).collect();
            let suggestion = suggest::closest(wanted, available.iter().copied());
            msg::missing_column(
                src.file,
                header.line(src.text),
                src.path,
                wanted,
                place,
                ty_word,
                &available,
                suggestion,
                src.policy,
                decl,
            )
        });
        return None;
    };
    if let Some(second) = found.next() {
        let row = Row::new(src.text, header.start);
        rep.report(msg::DUPLICATE_COLUMN, || {
            msg::duplicate_column(src.file, row.cell(second), row.cell(first), wanted)
        });
    }
    Some(first)
}

/// Suggests a key close to `written` among `keys`.
pub(crate) fn close_key<'k>(written: &str, keys: impl IntoIterator<Item = &'k String>) -> Option<&'k str> {
    // Edits allowed are at most 3 characters, of at most 4 bytes each.
    suggest::closest(written, keys.into_iter().filter(|k| k.len().abs_diff(written.len()) <= 12).map(String::as_str))
}

/// An entity's file parsed, before its text is merged into the dataset's
/// interner and its references are resolved.
pub(crate) struct ParsedEntity {
    pub local: Interner,
    pub keys: Vec<String>,
    pub index: HashMap<String, u32>,
    /// Reference fields hold `Column::Text` of the written keys until resolved.
    pub columns: Vec<Column>,
    pub lines: Vec<u32>,
    /// Byte offset of each row's record in the file.
    pub starts: Vec<usize>,
    /// The CSV column of each field (for `geo`: latitude, longitude).
    pub field_columns: Vec<[Option<usize>; 2]>,
    /// Whether rows can be found by key (the file and its key column were read).
    pub available: bool,
    pub reporter: Reporter,
}

fn empty_column(ty: FieldType, is_key: bool) -> Column {
    if is_key {
        return Column::Text(Vec::new());
    }
    match ty {
        FieldType::Text | FieldType::Ref(_) => Column::Text(Vec::new()),
        FieldType::Number(_) | FieldType::Percent => Column::Number(Vec::new()),
        FieldType::Bool => Column::Bool(Vec::new()),
        FieldType::Geo => Column::Geo(Vec::new()),
        FieldType::TextSet => Column::TextSet(Vec::new()),
    }
}

fn push_none(column: &mut Column) {
    match column {
        Column::Text(v) => v.push(None),
        Column::Number(v) => v.push(None),
        Column::Bool(v) => v.push(None),
        Column::Geo(v) => v.push(None),
        Column::TextSet(v) => v.push(Vec::new()),
        Column::Ref(v) => v.push(None),
    }
}

/// The columns an entity reads, for the help line of an empty file.
fn expected_columns(entity: &EntitySchema) -> Vec<String> {
    let mut names = Vec::new();
    for field in &entity.fields {
        if field.ty == FieldType::Geo && !field.is_key {
            names.push(format!("{}_lat", field.column));
            names.push(format!("{}_lon", field.column));
        } else {
            names.push(field.column.clone());
        }
    }
    names
}

fn place<'a>(entity: &'a EntitySchema, field: usize, column: &'a str) -> Place<'a> {
    Place::Field { entity: &entity.name, field: &entity.fields[field].name, column }
}

pub(crate) fn parse(schema: &Schema, id: EntityId, src: &Source<'_>) -> ParsedEntity {
    let entity = &schema.entities[id];
    let mut parsed = ParsedEntity {
        local: Interner::new(),
        keys: Vec::new(),
        index: HashMap::new(),
        columns: entity.fields.iter().map(|f| empty_column(f.ty, f.is_key)).collect(),
        lines: Vec::new(),
        starts: Vec::new(),
        field_columns: vec![[None, None]; entity.fields.len()],
        available: false,
        reporter: Reporter::new(src.file, src.path),
    };
    let mut rep = Reporter::new(src.file, src.path);
    let mut reader = reader(src.text);
    let expected = expected_columns(entity);
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let Some(header) = read_header(&mut reader, src, &expected, &mut rep) else {
        parsed.reporter = rep;
        return parsed;
    };

    // Which CSV column each field reads.
    let mut geo_names = Vec::new();
    for (f, field) in entity.fields.iter().enumerate() {
        if field.ty == FieldType::Geo && !field.is_key {
            let lat = format!("{}_lat", field.column);
            let lon = format!("{}_lon", field.column);
            let p = place(entity, f, &field.column);
            let ty = msg::type_word(field.ty, schema);
            parsed.field_columns[f] = [
                find_column(&header, &lat, p, &ty, field.span, src, &mut rep),
                find_column(&header, &lon, p, &ty, field.span, src, &mut rep),
            ];
            geo_names.push((f, lat, lon));
        } else {
            let p = place(entity, f, &field.column);
            let ty = msg::type_word(field.ty, schema);
            parsed.field_columns[f] = [find_column(&header, &field.column, p, &ty, field.span, src, &mut rep), None];
        }
    }
    let geo_name = |f: usize| -> (&str, &str) {
        geo_names.iter().find(|(g, _, _)| *g == f).map_or(("", ""), |(_, lat, lon)| (lat.as_str(), lon.as_str()))
    };
    let key_column = parsed.field_columns.get(entity.key).and_then(|c| c[0]);
    parsed.available = key_column.is_some();

    let mut record = csv::StringRecord::new();
    while next_record(&mut reader, &mut record, src, header.names.len(), &mut rep) {
        let (line, start) = record
            .position()
            .map_or((0, 0), |p| (u32::try_from(p.line()).unwrap_or(u32::MAX), usize::try_from(p.byte()).unwrap_or(0)));
        if is_blank(&record) {
            // A blank line, or a row of empty cells as spreadsheets export
            // after the data: not a row.
            continue;
        }
        let row_index = u32::try_from(parsed.keys.len()).unwrap_or(u32::MAX);
        let row = Row::new(src.text, start);
        let well_formed = record.len() == header.names.len();
        if !well_formed {
            rep.report(msg::MALFORMED_ROW, || {
                msg::malformed_row(src.file, row.line(), header.names.len(), record.len(), row.unclosed_quote())
            });
        }

        // The key first, so that even a malformed row can be referred to.
        let key = key_column.map_or("", |c| cell(&record, c));
        if let Some(c) = key_column {
            let column = &entity.fields[entity.key].column;
            if key.is_empty() {
                if well_formed {
                    rep.report(msg::EMPTY_KEY, || msg::empty_key(src.file, row.cell(c), &entity.name, column));
                }
            } else if let Some(&first) = parsed.index.get(key) {
                let first = first as usize;
                let first_start = parsed.starts.get(first).copied().unwrap_or(0);
                let first_line = parsed.lines.get(first).copied().unwrap_or(0);
                rep.report(msg::DUPLICATE_KEY, || {
                    let first_span = Row::new(src.text, first_start).cell(c);
                    msg::duplicate_key(src.file, row.cell(c), first_span, first_line, &entity.name, key)
                });
            } else {
                parsed.index.insert(key.to_string(), row_index);
            }
        }
        parsed.keys.push(key.to_string());
        parsed.lines.push(line);
        parsed.starts.push(start);

        for (f, field) in entity.fields.iter().enumerate() {
            let column = &mut parsed.columns[f];
            let [c0, c1] = parsed.field_columns[f];
            let (Some(c0), true) = (c0, well_formed) else {
                push_none(column);
                continue;
            };
            let cell = self::cell(&record, c0);
            if f == entity.key {
                if let Column::Text(v) = column {
                    v.push((!cell.is_empty()).then(|| parsed.local.intern(cell)));
                }
                continue;
            }
            let p = place(entity, f, &field.column);
            let ty_word = || msg::type_word(field.ty, schema);
            // An empty set cell is the empty set, not a missing value.
            if cell.is_empty() && field.ty != FieldType::Geo {
                if !field.optional && field.ty != FieldType::TextSet {
                    rep.report(msg::EMPTY_REQUIRED, || msg::empty_required(src.file, row.cell(c0), p, &ty_word()));
                }
                push_none(column);
                continue;
            }
            match column {
                Column::Text(v) => v.push(Some(parsed.local.intern(cell))),
                Column::Number(v) => {
                    let percent = field.ty == FieldType::Percent;
                    let value = if percent { cells::parse_percent(cell) } else { cells::parse_number(cell) };
                    match value {
                        Ok(x) => v.push(Some(x)),
                        Err(e) => {
                            report_number(&mut rep, e, src.file, row.cell(c0), cell, p, percent);
                            v.push(None);
                        }
                    }
                }
                Column::Bool(v) => {
                    let value = cells::parse_bool(cell);
                    if value.is_none() {
                        rep.report(msg::NOT_A_BOOL, || msg::not_a_bool(src.file, row.cell(c0), cell, p));
                    }
                    v.push(value);
                }
                Column::TextSet(v) => {
                    let mut set: Vec<Sym> = cells::set_parts(cell).map(|s| parsed.local.intern(s)).collect();
                    set.sort_unstable();
                    set.dedup();
                    v.push(set);
                }
                Column::Geo(v) => {
                    let Some(c1) = c1 else {
                        v.push(None);
                        continue;
                    };
                    let (lat_name, lon_name) = geo_name(f);
                    let lon_cell = self::cell(&record, c1);
                    v.push(read_geo(
                        &mut rep,
                        src,
                        &row,
                        entity,
                        f,
                        [c0, c1],
                        [cell, lon_cell],
                        [lat_name, lon_name],
                        &ty_word,
                    ));
                }
                Column::Ref(v) => v.push(None),
            }
        }
    }
    parsed.reporter = rep;
    parsed
}

fn report_number(
    rep: &mut Reporter,
    error: NumberError,
    file: FileId,
    at: Span,
    cell: &str,
    place: Place<'_>,
    percent: bool,
) {
    rep.report(msg::NOT_A_NUMBER, || match error {
        NumberError::Malformed => msg::not_a_number(file, at, cell, place, percent),
        NumberError::TooLarge => msg::number_too_large(file, at, cell, place),
    });
}

#[allow(clippy::too_many_arguments)]
fn read_geo(
    rep: &mut Reporter,
    src: &Source<'_>,
    row: &Row<'_>,
    entity: &EntitySchema,
    f: usize,
    columns: [usize; 2],
    cells: [&str; 2],
    names: [&str; 2],
    ty_word: &dyn Fn() -> String,
) -> Option<(f64, f64)> {
    let field = &entity.fields[f];
    match (cells[0].is_empty(), cells[1].is_empty()) {
        (true, true) => {
            if !field.optional {
                let p = place(entity, f, names[0]);
                rep.report(msg::EMPTY_REQUIRED, || msg::empty_required(src.file, row.cell(columns[0]), p, &ty_word()));
            }
            return None;
        }
        (true, false) | (false, true) => {
            let empty = usize::from(cells[1].is_empty());
            rep.report(msg::HALF_COORDINATE, || {
                msg::half_coordinate(src.file, row.cell(columns[empty]), names[empty], names[1 - empty], &field.name)
            });
            return None;
        }
        (false, false) => {}
    }
    let mut values = [0.0; 2];
    let mut ok = true;
    for i in 0..2 {
        match cells::parse_number(cells[i]) {
            Ok(x) => values[i] = x,
            Err(e) => {
                report_number(rep, e, src.file, row.cell(columns[i]), cells[i], place(entity, f, names[i]), false);
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let [lat, lon] = values;
    let swapped = (lat.abs() > 90.0 && lat.abs() <= 180.0 && lon.abs() <= 90.0).then_some((names[0], names[1]));
    if !(-90.0..=90.0).contains(&lat) {
        rep.report(msg::COORDINATE_RANGE, || {
            msg::coordinate_out_of_range(src.file, row.cell(columns[0]), true, lat, names[0], swapped)
        });
        ok = false;
    }
    if !(-180.0..=180.0).contains(&lon) {
        rep.report(msg::COORDINATE_RANGE, || {
            msg::coordinate_out_of_range(src.file, row.cell(columns[1]), false, lon, names[1], None)
        });
        ok = false;
    }
    ok.then_some((lat, lon))
}
