//! A dataset without some rows of one entity (scenario `without`):
//! references to a removed row become `none`, and tables lose its entries.

use super::{Column, Dataset, PairTable};
use crate::check::schema::{EntityId, FieldType, Schema};

fn keep_rows<T: Clone>(values: &[T], keep: &[bool]) -> Vec<T> {
    values.iter().zip(keep).filter(|(_, k)| **k).map(|(v, _)| v.clone()).collect()
}

/// `keep[row]` says which rows of `entity` stay.
pub fn without_rows(schema: &Schema, data: &Dataset, entity: EntityId, keep: &[bool]) -> Dataset {
    let mut out = data.clone();
    let mut new_index: Vec<Option<u32>> = Vec::with_capacity(keep.len());
    let mut next = 0u32;
    for &k in keep {
        new_index.push(k.then(|| {
            next += 1;
            next - 1
        }));
    }
    let table = &mut out.entities[entity];
    table.keys = keep_rows(&table.keys, keep);
    table.lines = keep_rows(&table.lines, keep);
    table.index = table.keys.iter().enumerate().map(|(i, k)| (k.clone(), i as u32)).collect();
    for column in &mut table.columns {
        *column = match column {
            Column::Text(v) => Column::Text(keep_rows(v, keep)),
            Column::Number(v) => Column::Number(keep_rows(v, keep)),
            Column::Bool(v) => Column::Bool(keep_rows(v, keep)),
            Column::Geo(v) => Column::Geo(keep_rows(v, keep)),
            Column::TextSet(v) => Column::TextSet(keep_rows(v, keep)),
            Column::Ref(v) => Column::Ref(keep_rows(v, keep)),
        };
    }
    // References into the entity, from every entity (itself included).
    for (e, es) in schema.entities.iter().enumerate() {
        for (f, field) in es.fields.iter().enumerate() {
            if field.ty != FieldType::Ref(entity) {
                continue;
            }
            if let Column::Ref(values) = &mut out.entities[e].columns[f] {
                for v in values.iter_mut() {
                    *v = v.and_then(|r| new_index.get(r as usize).copied().flatten());
                }
            }
        }
    }
    for (t, ts) in schema.tables.iter().enumerate() {
        if !ts.keys.contains(&entity) {
            continue;
        }
        let old = &data.tables[t];
        let dims: Vec<usize> = ts.keys.iter().map(|&k| out.entities[k].len()).collect();
        let mut values = vec![f64::NAN; dims.iter().product()];
        for (i, value) in old.values.iter().enumerate() {
            // Decompose the old row-major index, map each key, recompose.
            let mut rest = i;
            let mut old_keys = vec![0usize; old.dims.len()];
            for d in (0..old.dims.len()).rev() {
                old_keys[d] = rest % old.dims[d];
                rest /= old.dims[d];
            }
            let mut index = 0usize;
            let mut kept = true;
            for (d, &k) in ts.keys.iter().enumerate() {
                let row = if k == entity { new_index[old_keys[d]].map(|r| r as usize) } else { Some(old_keys[d]) };
                match row {
                    Some(r) => index = index * dims[d] + r,
                    None => kept = false,
                }
            }
            if kept {
                values[index] = *value;
            }
        }
        out.tables[t] = PairTable { dims, values };
    }
    out
}
