//! Wording of data-loading problems (D05xx): files named by the policy's
//! `from "..."` clauses, and the CSV cells in them.

use crate::check::schema::{FieldType, Schema, Unit};
use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::Span;

pub const FILE_UNREADABLE: &str = "D0501";
pub const NOT_UTF8: &str = "D0502";
pub const EMPTY_FILE: &str = "D0503";
pub const MALFORMED_ROW: &str = "D0504";
pub const MISSING_COLUMN: &str = "D0505";
pub const DUPLICATE_COLUMN: &str = "D0506";
pub const EMPTY_KEY: &str = "D0507";
pub const DUPLICATE_KEY: &str = "D0508";
pub const EMPTY_REQUIRED: &str = "D0509";
pub const NOT_A_NUMBER: &str = "D0510";
pub const NOT_A_BOOL: &str = "D0511";
pub const COORDINATE_RANGE: &str = "D0512";
pub const HALF_COORDINATE: &str = "D0513";
pub const UNKNOWN_REFERENCE: &str = "D0514";
pub const TABLE_UNKNOWN_KEY: &str = "D0515";
pub const DUPLICATE_PAIR: &str = "D0516";
pub const TABLE_TOO_LARGE: &str = "D0517";
pub const UNSEEN_TEXT: &str = "D0518";


/// Where a cell belongs: a field of an entity, or the value of a table.
#[derive(Clone, Copy, Debug)]
pub enum Place<'a> {
    Field { entity: &'a str, field: &'a str, column: &'a str },
    Table { table: &'a str, column: &'a str },
}

impl Place<'_> {
    fn describe(&self) -> String {
        match self {
            Place::Field { entity, field, column } if field == column => format!("`{entity}.{field}`"),
            Place::Field { entity, field, column } => format!("`{entity}.{field}` (column `{column}`)"),
            Place::Table { table, .. } => format!("table `{table}`"),
        }
    }
}

/// How a type is written in a policy, for help lines.
pub fn type_word(ty: FieldType, schema: &Schema) -> String {
    match ty {
        FieldType::Text => "text".into(),
        FieldType::Number(Unit::Dimensionless) => "number".into(),
        FieldType::Number(Unit::Count) => "count".into(),
        FieldType::Number(Unit::Money) => "money".into(),
        FieldType::Number(Unit::Hours) => "hours".into(),
        FieldType::Number(Unit::Km) => "km".into(),
        FieldType::Percent => "percent".into(),
        FieldType::Bool => "bool".into(),
        FieldType::Geo => "geo".into(),
        FieldType::TextSet => "set<text>".into(),
        FieldType::Ref(e) => schema.entities.get(e).map_or_else(|| "a reference".into(), |e| e.name.clone()),
    }
}

fn list(items: &[&str], limit: usize) -> String {
    let shown: Vec<String> = items.iter().take(limit).map(|c| format!("`{c}`")).collect();
    let mut text = shown.join(", ");
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}

// ---------------------------------------------------------------------------
// Files

pub fn file_not_found(policy: FileId, from: Span, path: &str, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(
        FILE_UNREADABLE,
        format!("data file `{path}` not found"),
        Label::new(policy, from, "no such file"),
    );
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`? Paths are relative to the folder of the policy file")),
        None => d.with_help("paths in `from \"...\"` are relative to the folder of the policy file"),
    }
}

pub fn file_is_directory(policy: FileId, from: Span, path: &str) -> Diagnostic {
    Diagnostic::error(
        FILE_UNREADABLE,
        format!("data file `{path}` is a folder, not a file"),
        Label::new(policy, from, "this is a folder"),
    )
    .with_help("name a CSV file inside the folder, e.g. `from \"data/reps.csv\"`")
}

pub fn file_unreadable(policy: FileId, from: Span, path: &str, error: &str) -> Diagnostic {
    Diagnostic::error(
        FILE_UNREADABLE,
        format!("cannot read data file `{path}`: {error}"),
        Label::new(policy, from, "cannot read this file"),
    )
    .with_help("check that the file exists and that you may read it")
}

pub fn not_utf8(file: FileId, at: Span, path: &str, policy: FileId, from: Span) -> Diagnostic {
    Diagnostic::error(
        NOT_UTF8,
        format!("data file `{path}` is not UTF-8 text"),
        Label::new(file, at, "the first byte that is not UTF-8"),
    )
    .with_label(policy, from, "read here")
    .with_help("save the file as UTF-8 (in a spreadsheet program: \"CSV UTF-8\")")
}

pub fn empty_file(
    file: FileId,
    at: Span,
    path: &str,
    expected_header: &[&str],
    policy: FileId,
    from: Span,
) -> Diagnostic {
    Diagnostic::error(EMPTY_FILE, format!("data file `{path}` is empty"), Label::new(file, at, "expected a header row here"))
        .with_label(policy, from, "read here")
        .with_help(format!(
            "the first line must name the columns, e.g. `{}`, followed by one line per row",
            expected_header.join(",")
        ))
}

/// A row whose number of cells differs from the header's.
pub fn malformed_row(file: FileId, row: Span, expected: usize, found: usize, unclosed_quote: bool) -> Diagnostic {
    let d = Diagnostic::error(
        MALFORMED_ROW,
        format!("this row has {found} cell{}, the header has {expected}", if found == 1 { "" } else { "s" }),
        Label::new(file, row, format!("{found} cell{}", if found == 1 { "" } else { "s" })),
    );
    if unclosed_quote {
        d.with_help("a quote `\"` opened in this row is never closed; a quote inside a quoted cell is written twice: \"6\"\" pipe\"")
    } else {
        d.with_help(
            "a cell that contains a comma must be quoted, e.g. \"Smith, Jane\"; every row needs one cell per column",
        )
    }
}

// ---------------------------------------------------------------------------
// Header

/// `wanted` is missing from the header; `place` is what reads it, declared
/// at `decl` in the policy. `ty_word` is the field's type as written.
#[allow(clippy::too_many_arguments)]
pub fn missing_column(
    file: FileId,
    header: Span,
    path: &str,
    wanted: &str,
    place: Place<'_>,
    ty_word: &str,
    available: &[&str],
    suggestion: Option<&str>,
    policy: FileId,
    decl: Span,
) -> Diagnostic {
    let mut help = Vec::new();
    if let Some(s) = suggestion {
        help.push(format!("did you mean `{s}`?"));
    }
    // Sentences after the first start with a capital.
    fn push(help: &mut Vec<String>, sentence: String) {
        help.push(if help.is_empty() { sentence } else { capitalise(&sentence) });
    }
    let needed_by = match place {
        Place::Field { column, .. } if column != wanted => {
            push(&mut help, format!("a `geo` field reads two columns, `{column}_lat` and `{column}_lon`."));
            format!("{} reads it", place.describe())
        }
        Place::Field { field, .. } => {
            if let Some(s) = suggestion {
                push(
                    &mut help,
                    format!("rename the column, or map the field to it: `{field}: {ty_word} from \"{s}\"`."),
                );
            }
            format!("{} reads it", place.describe())
        }
        Place::Table { table, .. } if table == wanted => {
            push(&mut help, format!("the value column of a table is named after the table, `{table}`."));
            format!("table `{table}` reads its values from it")
        }
        Place::Table { table, .. } => {
            push(&mut help, "a table has one key column per key, named after the key's entity.".to_string());
            format!("table `{table}` reads a key from it")
        }
    };
    if available.is_empty() {
        push(&mut help, "the header names no columns".to_string());
    } else {
        push(&mut help, format!("the columns of `{path}` are {}", list(available, 12)));
    }
    Diagnostic::error(
        MISSING_COLUMN,
        format!("`{path}` has no column `{wanted}`"),
        Label::new(file, header, format!("no column `{wanted}` in this header")),
    )
    .with_label(policy, decl, needed_by)
    .with_help(help.join(" "))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn duplicate_column(file: FileId, at: Span, first: Span, column: &str) -> Diagnostic {
    Diagnostic::error(
        DUPLICATE_COLUMN,
        format!("column `{column}` appears twice in the header"),
        Label::new(file, at, "second column with this name"),
    )
    .with_label(file, first, "first column with this name")
    .with_help("rename or remove one of the columns, so that it is clear which one to read")
}

// ---------------------------------------------------------------------------
// Rows of entities

pub fn empty_key(file: FileId, at: Span, entity: &str, column: &str) -> Diagnostic {
    Diagnostic::error(EMPTY_KEY, format!("this `{entity}` has no key"), Label::new(file, at, format!("empty `{column}`")))
        .with_help(format!(
            "every row of `{entity}` needs a unique key in column `{column}`; fill it in or delete the row"
        ))
}

pub fn table_empty_key(file: FileId, at: Span, table: &str, entity: &str, column: &str) -> Diagnostic {
    Diagnostic::error(
        EMPTY_KEY,
        format!("this row of table `{table}` names no `{entity}`"),
        Label::new(file, at, format!("empty `{column}`")),
    )
    .with_help(format!(
        "every row of table `{table}` needs a `{entity}` key in column `{column}`; fill it in or delete the row"
    ))
}

pub fn duplicate_key(file: FileId, at: Span, first: Span, first_line: u32, entity: &str, key: &str) -> Diagnostic {
    Diagnostic::error(
        DUPLICATE_KEY,
        format!("duplicate `{entity}` key `{key}`"),
        Label::new(file, at, "used again here"),
    )
    .with_label(file, first, "first used here")
    .with_help(format!(
        "keys identify rows, so each must be unique; merge this row with the one on line {first_line}, or give it another key"
    ))
}

pub fn empty_required(file: FileId, at: Span, place: Place<'_>, ty_word: &str) -> Diagnostic {
    let (field, column) = match place {
        Place::Field { field, column, .. } => (field, column),
        Place::Table { table, column } => (table, column),
    };
    Diagnostic::error(
        EMPTY_REQUIRED,
        format!("{} is empty, but the field is required", place.describe()),
        Label::new(file, at, format!("empty `{column}`")),
    )
    .with_help(format!(
        "fill in the cell, or declare the field optional with `?` (`{field}: {ty_word}?`) so that an empty cell means `none`"
    ))
}

fn number_example(percent: bool) -> &'static str {
    if percent {
        "`15%` or `0.15`"
    } else {
        "`1234.5`, `-20` or `1_234.5`"
    }
}

pub fn not_a_number(file: FileId, at: Span, cell: &str, place: Place<'_>, percent: bool) -> Diagnostic {
    let fix = if cell.contains(',') {
        "write numbers without `,`: use `.` as the decimal point and `_` (or nothing) between thousands".to_string()
    } else if cell.starts_with(['$', '€', '£', '¥']) || cell.ends_with(['$', '€', '£', '¥']) {
        "leave out the currency symbol; the unit comes from the field's type".to_string()
    } else if cell.ends_with('%') {
        "only `percent` fields accept `%`; write the plain number".to_string()
    } else if cell.contains(['e', 'E']) && cell.chars().any(|c| c.is_ascii_digit()) {
        "write the number in full, without an exponent".to_string()
    } else if cell.starts_with('+') {
        "leave out the `+`".to_string()
    } else {
        "write a plain decimal number".to_string()
    };
    Diagnostic::error(
        NOT_A_NUMBER,
        format!("`{cell}` is not a number"),
        Label::new(file, at, format!("{} expects a number here", place.describe())),
    )
    .with_help(format!("{fix}, e.g. {}", number_example(percent)))
}

pub fn number_too_large(file: FileId, at: Span, cell: &str, place: Place<'_>) -> Diagnostic {
    let shown: String = if cell.chars().count() > 24 {
        format!("{}…", cell.chars().take(24).collect::<String>())
    } else {
        cell.to_string()
    };
    Diagnostic::error(
        NOT_A_NUMBER,
        format!("`{shown}` is too large to be a number"),
        Label::new(file, at, format!("{} expects a number here", place.describe())),
    )
    .with_help("numbers must be finite; check the cell for a spreadsheet error or a pasted identifier")
}

pub fn not_a_bool(file: FileId, at: Span, cell: &str, place: Place<'_>) -> Diagnostic {
    Diagnostic::error(
        NOT_A_BOOL,
        format!("`{cell}` is not a yes/no value"),
        Label::new(file, at, format!("{} is a bool", place.describe())),
    )
    .with_help("write `true`/`false`, `yes`/`no` or `1`/`0` (any case)")
}

pub fn coordinate_out_of_range(
    file: FileId,
    at: Span,
    latitude: bool,
    value: f64,
    column: &str,
    maybe_swapped: Option<(&str, &str)>,
) -> Diagnostic {
    let (what, limit) = if latitude { ("latitude", 90) } else { ("longitude", 180) };
    let d = Diagnostic::error(
        COORDINATE_RANGE,
        format!("{what} {value} is out of range"),
        Label::new(file, at, format!("`{column}` must lie between -{limit} and {limit}")),
    );
    match maybe_swapped {
        Some((lat, lon)) => d.with_help(format!(
            "the values look swapped: `{lat}` holds the latitude (north-south) and `{lon}` the longitude (east-west)"
        )),
        None => d.with_help(format!("{what}s are degrees between -{limit} and {limit}")),
    }
}

pub fn half_coordinate(file: FileId, at: Span, empty_column: &str, filled_column: &str, field: &str) -> Diagnostic {
    Diagnostic::error(
        HALF_COORDINATE,
        format!("`{empty_column}` is empty but `{filled_column}` is not"),
        Label::new(file, at, format!("empty `{empty_column}`")),
    )
    .with_help(format!(
        "a location `{field}` needs both `{filled_column}` and `{empty_column}`; fill in both, or leave both empty if `{field}` is optional"
    ))
}

pub fn unknown_reference(
    file: FileId,
    at: Span,
    key: &str,
    place: Place<'_>,
    target: &str,
    target_path: &str,
    suggestion: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(
        UNKNOWN_REFERENCE,
        format!("no `{target}` has the key `{key}`"),
        Label::new(file, at, format!("{} refers to a `{target}` by key", place.describe())),
    );
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`? The keys of `{target}` come from `{target_path}`")),
        None => d.with_help(format!(
            "the keys of `{target}` come from `{target_path}`; add the row there, or correct this cell"
        )),
    }
}

// ---------------------------------------------------------------------------
// Tables

pub fn table_unknown_key(
    file: FileId,
    at: Span,
    key: &str,
    table: &str,
    entity: &str,
    entity_path: &str,
    suggestion: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(
        TABLE_UNKNOWN_KEY,
        format!("table `{table}` names `{entity}` `{key}`, which does not exist"),
        Label::new(file, at, format!("no `{entity}` has this key")),
    );
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`? The keys of `{entity}` come from `{entity_path}`")),
        None => d.with_help(format!(
            "the keys of `{entity}` come from `{entity_path}`; remove the row, or add the `{entity}` there"
        )),
    }
}

pub fn duplicate_pair(file: FileId, at: Span, first: Span, first_line: u32, table: &str, keys: &[&str]) -> Diagnostic {
    let pair: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    Diagnostic::error(
        DUPLICATE_PAIR,
        format!("table `{table}` gives ({}) twice", pair.join(", ")),
        Label::new(file, at, "given again here"),
    )
    .with_label(file, first, "first given here")
    .with_help(format!("each combination of keys may appear once; keep one of this row and line {first_line}"))
}

pub fn table_too_large(policy: FileId, from: Span, table: &str, dims: &[(&str, usize)]) -> Diagnostic {
    let sizes: Vec<String> = dims.iter().map(|(e, n)| format!("{n} {e}")).collect();
    Diagnostic::error(
        TABLE_TOO_LARGE,
        format!("table `{table}` is too large to hold"),
        Label::new(policy, from, "loaded here"),
    )
    .with_help(format!(
        "a table holds one value per combination of keys ({}); split it, or declare fewer keys",
        sizes.join(" × ")
    ))
}

// ---------------------------------------------------------------------------

/// Closes a run of same-kind problems after the first few were reported.
pub fn more(code: &'static str, file: FileId, at: Span, path: &str, count: usize) -> Diagnostic {
    Diagnostic::error(
        code,
        format!("… and {count} more problem{} like this in `{path}`", if count == 1 { "" } else { "s" }),
        Label::new(file, at, "the next one is here"),
    )
    .with_help(format!(
        "fix the ones above and run again to see the rest; `terra explain-code {code}` explains this problem"
    ))
}

/// A text literal in the policy that no cell of the field holds.
pub fn unseen_text(policy: FileId, at: Span, text: &str, entity: &str, field: &str, suggestion: Option<&str>, path: &str) -> Diagnostic {
    let d = Diagnostic::warning(
        UNSEEN_TEXT,
        format!("no `{entity}` has {field} \"{text}\" in {path}"),
        Label::new(policy, at, match suggestion {
            Some(s) => format!("never occurs; did you mean \"{s}\"?"),
            None => "never occurs in the data".to_string(),
        }),
    );
    match suggestion {
        Some(s) => d.with_help(format!("write \"{s}\", as the data spells it")),
        None => d.with_help(format!("check the spelling against the `{field}` column of {path}; as written, this condition never matches")),
    }
}

pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: UNSEEN_TEXT,
        title: "text never occurs in the data",
        explanation: "A rule compares a field with a text that no row of the data holds, which is almost always a typo:\n\n    rule r: for a in account where a.industry == \"Helthcare\": ...   // warning: the data says \"Healthcare\"\n\nAs written, the condition never matches, so the rule never applies. This is a warning, not an error: a value may legitimately be absent this quarter.",
    },
    CodeInfo {
        code: "D0501",
        title: "data file cannot be read",
        explanation: "A file named in `from \"...\"` does not exist, is a folder, or cannot be read.\n\nPaths are relative to the folder of the policy file:\n\n    policies/na.terra:   entity rep from \"reps.csv\" { ... }\n    reads                policies/reps.csv\n\n    entity rep from \"rep.csv\" { ... }     // error: the file is called reps.csv\n    entity rep from \"reps.csv\" { ... }    // fixed",
    },
    CodeInfo {
        code: "D0502",
        title: "data file is not UTF-8",
        explanation: "Data files must be UTF-8 text. Spreadsheet programs sometimes save CSV in an older encoding, where letters such as `é` become single bytes that are not UTF-8.\n\nSave the file again choosing \"CSV UTF-8\" (Excel) or \"Unicode (UTF-8)\" (LibreOffice). A UTF-8 byte order mark at the start is accepted.",
    },
    CodeInfo {
        code: "D0503",
        title: "data file is empty",
        explanation: "A data file has no header row. The first line of every data file names its columns; each following line is one row.\n\n    (empty file)                 // error\n\n    id,name,capacity             // fixed\n    R1,Ada,1600\n    R2,Grace,1400",
    },
    CodeInfo {
        code: "D0504",
        title: "malformed CSV row",
        explanation: "A row has a different number of cells than the header, usually because a cell contains an unquoted comma or a quote is not closed.\n\n    id,name,region\n    A1,Smith, Jane,West        // error: 4 cells\n    A1,\"Smith, Jane\",West      // fixed\n\nInside a quoted cell, write a quote twice: \"6\"\" pipe\".",
    },
    CodeInfo {
        code: "D0505",
        title: "missing column",
        explanation: "The header of a data file has no column for a declared field. A field reads the column with its own name, or the column named by `from \"...\"` after its type. A `geo` field `home` reads the two columns `home_lat` and `home_lon`. A table reads one column per key, named after the key's entity, and a value column named after the table.\n\n    entity rep from \"reps.csv\" { key id: text  capacity: hours }\n    reps.csv:  id,Capacity (h)                                       // error\n\n    entity rep from \"reps.csv\" { key id: text  capacity: hours from \"Capacity (h)\" }   // fixed",
    },
    CodeInfo {
        code: "D0506",
        title: "duplicate column",
        explanation: "Two columns of a header have the same name and a field reads that name, so it is unclear which one is meant.\n\n    id,region,name,region      // error\n    id,region,name,old_region  // fixed\n\nRename or remove one of them.",
    },
    CodeInfo {
        code: "D0507",
        title: "empty key",
        explanation: "A row has no key. Every row of an entity is identified by its `key` field, so the key cell cannot be empty (and rows of a table need a key in every key column).\n\n    id,name\n    ,Ada          // error\n    R1,Ada        // fixed",
    },
    CodeInfo {
        code: "D0508",
        title: "duplicate key",
        explanation: "Two rows of an entity have the same key. Keys identify rows (references and tables use them), so each must be unique.\n\n    id,name\n    R1,Ada\n    R1,Grace      // error\n\n    R2,Grace      // fixed: another key, or merge the two rows",
    },
    CodeInfo {
        code: "D0509",
        title: "empty cell in a required field",
        explanation: "A cell is empty, but the field is not optional. An empty cell means `none`, which only optional fields (`T?`) may hold.\n\n    entity account from \"accounts.csv\" { key id: text  owner: rep }\n    accounts.csv:  A1,          // error: no owner\n\n    entity account from \"accounts.csv\" { key id: text  owner: rep? }   // fixed, if an account may have no owner",
    },
    CodeInfo {
        code: "D0510",
        title: "not a number",
        explanation: "A cell of a numeric field (number, money, hours, km, count, percent) or of a table's value column is not a plain decimal number.\n\nAccepted: `1234.5`, `-20`, `1_234.5`; for percent also `15%` (both `15%` and `0.15` mean 0.15). Not accepted: thousands separators `1,234`, currency symbols `$1200`, exponents `1e6`.\n\n    id,revenue\n    A1,\"$1,200\"     // error\n    A1,1200          // fixed",
    },
    CodeInfo {
        code: "D0511",
        title: "not a yes/no value",
        explanation: "A cell of a `bool` field is not one of the accepted values: `true`/`false`, `yes`/`no`, `1`/`0`, in any case.\n\n    id,strategic\n    A1,maybe     // error\n    A1,no        // fixed",
    },
    CodeInfo {
        code: "D0512",
        title: "coordinate out of range",
        explanation: "A latitude is outside -90..90 or a longitude outside -180..180 degrees. Often the two columns are swapped.\n\n    id,home_lat,home_lon\n    R1,-122.42,37.77    // error: swapped\n    R1,37.77,-122.42    // fixed",
    },
    CodeInfo {
        code: "D0513",
        title: "incomplete coordinate",
        explanation: "Of the two columns of a `geo` field, one is filled and the other is empty. A location needs both; for an optional field, leave both empty.\n\n    id,home_lat,home_lon\n    R1,37.77,           // error\n    R1,37.77,-122.42    // fixed",
    },
    CodeInfo {
        code: "D0514",
        title: "unknown reference",
        explanation: "A reference field holds a key that no row of the referenced entity has.\n\n    entity account from \"accounts.csv\" { key id: text  owner: rep? }\n    accounts.csv:  A1,R999     // error: reps.csv has no R999\n\nCorrect the key, add the row to the referenced file, or leave the cell empty if the field is optional.",
    },
    CodeInfo {
        code: "D0515",
        title: "unknown key in a table",
        explanation: "A row of a table names a key that no row of the key's entity has.\n\n    table drive(account, rep): hours from \"drive.csv\"\n    drive.csv:  account,rep,drive\n                A1,R999,0.5      // error: no rep R999\n\nRemove the row, or correct the key.",
    },
    CodeInfo {
        code: "D0516",
        title: "duplicate pair in a table",
        explanation: "A table gives a value for the same combination of keys twice, so it is unclear which value holds.\n\n    account,rep,drive\n    A1,R1,0.5\n    A1,R1,0.75     // error\n\nKeep one of the rows. Combinations that are missing are allowed: they have no value.",
    },
    CodeInfo {
        code: "D0517",
        title: "table too large",
        explanation: "A table holds one value for every combination of keys of its entities, and that number is too large to hold in memory. Declare the table over fewer keys, or split the data.",
    },
];
