//! Parsing the CSV file of a table: one column per key, a value column, and
//! a dense array of values over the rows of the key entities.

use super::cells;
use super::entity::{cell as cell_of, close_key, find_column, is_blank, next_record, read_header, reader, Row, Source};
use super::report::{Reporter, CAP};
use super::{EntityTable, PairTable};
use crate::check::schema::{FieldType, Schema, TableId};
use crate::diagnostics::messages::data::{self as msg, Place};
use crate::syntax::ast::Span;
use std::collections::HashMap;

/// Tables larger than this many cells (2 GiB of values) are refused.
const MAX_CELLS: usize = 1 << 28;

/// What a table needs to know of a key entity.
pub(crate) struct KeyEntity<'a> {
    pub table: &'a EntityTable,
    /// Whether its rows can be found by key.
    pub available: bool,
    pub path: &'a str,
}

/// The CSV column of each key: the entity's name, or `<entity>_1`,
/// `<entity>_2`, ... when the same entity is a key more than once.
pub(crate) fn key_columns(schema: &Schema, id: TableId) -> Vec<String> {
    let table = &schema.tables[id];
    let name = |e: usize| schema.entities.get(e).map_or("", |e| e.name.as_str());
    let mut seen: HashMap<usize, usize> = HashMap::new();
    table
        .keys
        .iter()
        .map(|&e| {
            let repeated = table.keys.iter().filter(|&&k| k == e).count() > 1;
            let n = seen.entry(e).or_insert(0);
            *n += 1;
            if repeated {
                format!("{}_{}", name(e), n)
            } else {
                name(e).to_string()
            }
        })
        .collect()
}

pub(crate) struct ParsedTable {
    pub table: PairTable,
    pub reporter: Reporter,
}

/// A table row whose keys were all found.
struct Found {
    cell: usize,
    start: usize,
    keys: Vec<u32>,
}

pub(crate) fn parse(schema: &Schema, id: TableId, src: &Source<'_>, entities: &[KeyEntity<'_>]) -> ParsedTable {
    let table = &schema.tables[id];
    let mut rep = Reporter::new(src.file, src.path);
    let key_entities: Vec<&KeyEntity<'_>> = table.keys.iter().filter_map(|&e| entities.get(e)).collect();
    let dims: Vec<usize> = key_entities.iter().map(|e| e.table.keys.len()).collect();
    let mut result = PairTable { dims: dims.clone(), values: Vec::new() };

    let key_names = key_columns(schema, id);
    let mut expected: Vec<&str> = key_names.iter().map(String::as_str).collect();
    expected.push(&table.name);
    let mut csv = reader(src.text);
    let Some(header) = read_header(&mut csv, src, &expected, &mut rep) else {
        return ParsedTable { table: result, reporter: rep };
    };
    let mut key_cols = Vec::new();
    for name in &key_names {
        let place = Place::Table { table: &table.name, column: name };
        key_cols.push(find_column(&header, name, place, "", table.span, src, &mut rep));
    }
    let place = Place::Table { table: &table.name, column: &table.name };
    let value_col = find_column(&header, &table.name, place, "", table.span, src, &mut rep);
    let (Some(key_cols), Some(value_col)) = (key_cols.into_iter().collect::<Option<Vec<usize>>>(), value_col) else {
        return ParsedTable { table: result, reporter: rep };
    };

    let mut resolvable = key_entities.len() == table.keys.len() && key_entities.iter().all(|e| e.available);
    let cells = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).filter(|&n| n <= MAX_CELLS);
    if resolvable && cells.is_none() {
        let sizes: Vec<(&str, usize)> = table
            .keys
            .iter()
            .zip(&dims)
            .map(|(&e, &d)| (schema.entities.get(e).map_or("", |e| e.name.as_str()), d))
            .collect();
        rep.report(msg::TABLE_TOO_LARGE, || msg::table_too_large(src.policy, src.from, &table.name, &sizes));
        resolvable = false;
    }
    let cells = if resolvable { cells.unwrap_or(0) } else { 0 };
    let mut values = vec![f64::NAN; cells];
    let mut seen = vec![0u64; cells.div_ceil(64)];
    // The first duplicates, to report once their first occurrences are known.
    let mut duplicates: Vec<Found> = Vec::new();
    let mut duplicate_count = 0usize;

    let mut record = csv::StringRecord::new();
    while next_record(&mut csv, &mut record, src, header.names.len(), &mut rep) {
        let start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        if is_blank(&record) {
            continue;
        }
        let row = Row::new(src.text, start);
        if record.len() != header.names.len() {
            rep.report(msg::MALFORMED_ROW, || {
                msg::malformed_row(src.file, row.line(), header.names.len(), record.len(), row.unclosed_quote())
            });
            continue;
        }

        let mut keys = Vec::with_capacity(key_cols.len());
        for (k, &c) in key_cols.iter().enumerate() {
            let cell = cell_of(&record, c);
            let entity_name = schema.entities.get(table.keys[k]).map_or("", |e| e.name.as_str());
            if cell.is_empty() {
                rep.report(msg::EMPTY_KEY, || {
                    msg::table_empty_key(src.file, row.cell(c), &table.name, entity_name, &key_names[k])
                });
                continue;
            }
            if !resolvable {
                continue;
            }
            let entity = key_entities[k];
            match entity.table.index.get(cell) {
                Some(&r) => keys.push(r),
                None => rep.report(msg::TABLE_UNKNOWN_KEY, || {
                    let suggestion = close_key(cell, &entity.table.keys);
                    msg::table_unknown_key(
                        src.file,
                        row.cell(c),
                        cell,
                        &table.name,
                        entity_name,
                        entity.path,
                        suggestion,
                    )
                }),
            }
        }

        let cell = cell_of(&record, value_col);
        let value = if cell.is_empty() {
            None
        } else {
            read_value(&mut rep, src, &row, value_col, cell, table.ty, &table.name)
        };

        if keys.len() != key_cols.len() {
            continue;
        }
        let index = keys.iter().zip(&dims).fold(0usize, |i, (&k, &d)| i * d + k as usize);
        let Some(word) = seen.get_mut(index / 64) else { continue };
        let bit = 1u64 << (index % 64);
        if *word & bit != 0 {
            duplicate_count += 1;
            if duplicates.len() <= CAP {
                duplicates.push(Found { cell: index, start, keys });
            }
            continue;
        }
        *word |= bit;
        if let (Some(slot), Some(v)) = (values.get_mut(index), value) {
            *slot = v;
        }
    }

    if !duplicates.is_empty() {
        report_duplicates(schema, id, src, &key_cols, key_entities.as_slice(), &duplicates, &mut rep);
        rep.count_more(msg::DUPLICATE_PAIR, duplicate_count - duplicates.len());
    }
    if resolvable {
        result.values = values;
    }
    ParsedTable { table: result, reporter: rep }
}

fn read_value(
    rep: &mut Reporter,
    src: &Source<'_>,
    row: &Row<'_>,
    col: usize,
    cell: &str,
    ty: FieldType,
    table: &str,
) -> Option<f64> {
    let place = Place::Table { table, column: table };
    match ty {
        FieldType::Bool => match cells::parse_bool(cell) {
            Some(b) => Some(if b { 1.0 } else { 0.0 }),
            None => {
                rep.report(msg::NOT_A_BOOL, || msg::not_a_bool(src.file, row.cell(col), cell, place));
                None
            }
        },
        _ => {
            let percent = ty == FieldType::Percent;
            let value = if percent { cells::parse_percent(cell) } else { cells::parse_number(cell) };
            match value {
                Ok(v) => Some(v),
                Err(e) => {
                    rep.report(msg::NOT_A_NUMBER, || match e {
                        cells::NumberError::Malformed => {
                            msg::not_a_number(src.file, row.cell(col), cell, place, percent)
                        }
                        cells::NumberError::TooLarge => msg::number_too_large(src.file, row.cell(col), cell, place),
                    });
                    None
                }
            }
        }
    }
}

/// Reports duplicate pairs, finding their first occurrences with a second
/// pass over the file (only done when there are duplicates).
fn report_duplicates(
    schema: &Schema,
    id: TableId,
    src: &Source<'_>,
    key_cols: &[usize],
    entities: &[&KeyEntity<'_>],
    duplicates: &[Found],
    rep: &mut Reporter,
) {
    let table = &schema.tables[id];
    let dims: Vec<usize> = entities.iter().map(|e| e.table.keys.len()).collect();
    let mut first: HashMap<usize, (usize, u32)> = duplicates.iter().map(|d| (d.cell, (usize::MAX, 0))).collect();
    let mut remaining = first.len();
    let mut csv = reader(src.text);
    let mut record = csv::StringRecord::new();
    while remaining > 0 {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        let index = key_cols.iter().zip(entities).zip(&dims).try_fold(0usize, |i, ((&c, e), &d)| {
            let r = e.table.index.get(record.get(c)?.trim())?;
            Some(i * d + *r as usize)
        });
        let Some(slot) = index.and_then(|i| first.get_mut(&i)) else { continue };
        if slot.0 == usize::MAX {
            if let Some(p) = record.position() {
                *slot = (usize::try_from(p.byte()).unwrap_or(0), u32::try_from(p.line()).unwrap_or(u32::MAX));
            }
            remaining -= 1;
        }
    }
    let (Some(&lo), Some(&hi)) = (key_cols.iter().min(), key_cols.iter().max()) else { return };
    let keys_span = |row: &Row<'_>| -> Span { row.cell(lo).to(row.cell(hi)) };
    for d in duplicates {
        let (first_start, first_line) = first.get(&d.cell).copied().unwrap_or((0, 0));
        rep.report(msg::DUPLICATE_PAIR, || {
            let row = Row::new(src.text, d.start);
            let first_row = Row::new(src.text, first_start);
            let names: Vec<&str> = d
                .keys
                .iter()
                .zip(entities)
                .map(|(&k, e)| e.table.keys.get(k as usize).map_or("", String::as_str))
                .collect();
            msg::duplicate_pair(src.file, keys_span(&row), keys_span(&first_row), first_line, &table.name, &names)
        });
    }
}
