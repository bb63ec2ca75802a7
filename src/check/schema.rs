//! The data schemas that a checked policy declares: entities with typed
//! fields, and per-pair tables. `data` loads CSV files against them.

use crate::syntax::ast::Span;
use serde::Serialize;

pub type EntityId = usize;
pub type FieldId = usize;
pub type TableId = usize;

/// The unit of a number. Percent literals and `percent` fields are
/// dimensionless fractions (15% is 0.15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Unit {
    Dimensionless,
    Count,
    Money,
    Hours,
    Km,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Dimensionless => "a plain number",
            Unit::Count => "count",
            Unit::Money => "money",
            Unit::Hours => "hours",
            Unit::Km => "km",
        }
    }
}

/// The type of a field as declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FieldType {
    Text,
    /// `number`, `money`, `hours`, `km`, `count`: stored as f64 in that unit.
    Number(Unit),
    /// Stored as a fraction: the CSV cell "15%" or "0.15" both load as 0.15.
    Percent,
    Bool,
    /// From the columns `<column>_lat` and `<column>_lon`, in degrees.
    Geo,
    /// From one cell, values separated by `;`.
    TextSet,
    /// The key of another entity.
    Ref(EntityId),
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldSchema {
    pub name: String,
    pub ty: FieldType,
    pub optional: bool,
    pub is_key: bool,
    /// The CSV column (for `geo`, the stem of `<column>_lat`/`<column>_lon`).
    pub column: String,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntitySchema {
    pub name: String,
    /// As written in the policy, relative to the policy's folder.
    pub file: String,
    pub file_span: Span,
    pub fields: Vec<FieldSchema>,
    /// Index of the `key` field.
    pub key: FieldId,
    pub span: Span,
}

impl EntitySchema {
    pub fn field(&self, name: &str) -> Option<FieldId> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// `table drive(account, rep): hours from "drive.csv"`. The CSV has one
/// column per key, named after the key's entity, and a value column named
/// after the table.
#[derive(Clone, Debug, Serialize)]
pub struct TableSchema {
    pub name: String,
    pub keys: Vec<EntityId>,
    pub ty: FieldType,
    pub file: String,
    pub file_span: Span,
    pub span: Span,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Schema {
    pub entities: Vec<EntitySchema>,
    pub tables: Vec<TableSchema>,
}

impl Schema {
    pub fn entity(&self, name: &str) -> Option<EntityId> {
        self.entities.iter().position(|e| e.name == name)
    }
}
