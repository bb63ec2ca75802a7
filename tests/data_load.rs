//! Loading CSV data against a schema: values, and the diagnostics for every
//! kind of data problem, as rendered for people.

use std::path::Path;
use terra::check::schema::{EntitySchema, FieldSchema, FieldType, Schema, TableSchema, Unit};
use terra::data::{self, Column, Dataset};
use terra::diagnostics::render::{self, HumanStyle};
use terra::diagnostics::{Diagnostic, FileId, SourceFile, Sources};
use terra::syntax::ast::Span;

const POLICY: &str = r#"entity rep from "reps.csv" {
  key id: text
  name: text
  segments: set<text>
  capacity: hours
  home: geo
}
entity account from "accounts.csv" {
  key id: text
  revenue: money
  growth: percent
  strategic: bool
  owner: rep?
}
table drive(account, rep): hours from "drive.csv"
"#;

const REPS: &str = "\
id,name,segments,capacity,home_lat,home_lon,notes
R1,Ada Lovelace,enterprise; public sector,1600,51.5074,-0.1278,ignored
R2, Grace Hopper ,;smb;;enterprise;smb,1_400.5,40.7128,-74.0060,
\"R3\",\"Hopper, Jr.\",\" smb \",0,-33.8688,151.2093,
";

const ACCOUNTS: &str = "\
id,revenue,growth,strategic,owner
A1,120000,15%,yes,R1
A2,-2500.75,0.15,FALSE,R3
A3,0,2.5 %,1,
";

const DRIVE: &str = "\
account,rep,drive
A1,R1,0.5
A1,R2,2
A2,R3,1.25
A2,R1,
";

/// The span of the first occurrence of `needle` in the policy.
fn span_of(needle: &str) -> Span {
    let start = POLICY.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the policy"));
    Span::new(start, start + needle.len())
}

fn field(name: &str, ty: FieldType, optional: bool, decl: &str) -> FieldSchema {
    FieldSchema { name: name.into(), ty, optional, is_key: name == "id", column: name.into(), span: span_of(decl) }
}

/// The schema the checker would derive from `POLICY`.
fn schema() -> Schema {
    let rep = EntitySchema {
        name: "rep".into(),
        file: "reps.csv".into(),
        file_span: span_of("\"reps.csv\""),
        fields: vec![
            field("id", FieldType::Text, false, "key id: text"),
            field("name", FieldType::Text, false, "name: text"),
            field("segments", FieldType::TextSet, false, "segments: set<text>"),
            field("capacity", FieldType::Number(Unit::Hours), false, "capacity: hours"),
            field("home", FieldType::Geo, false, "home: geo"),
        ],
        key: 0,
        span: span_of("entity rep"),
    };
    let account = EntitySchema {
        name: "account".into(),
        file: "accounts.csv".into(),
        file_span: span_of("\"accounts.csv\""),
        fields: vec![
            FieldSchema { span: span_of("key id: text\n  revenue"), ..field("id", FieldType::Text, false, "key id") },
            field("revenue", FieldType::Number(Unit::Money), false, "revenue: money"),
            field("growth", FieldType::Percent, false, "growth: percent"),
            field("strategic", FieldType::Bool, false, "strategic: bool"),
            field("owner", FieldType::Ref(0), true, "owner: rep?"),
        ],
        key: 0,
        span: span_of("entity account"),
    };
    let drive = TableSchema {
        name: "drive".into(),
        keys: vec![1, 0],
        ty: FieldType::Number(Unit::Hours),
        file: "drive.csv".into(),
        file_span: span_of("\"drive.csv\""),
        span: span_of("table drive"),
    };
    Schema { entities: vec![rep, account], tables: vec![drive] }
}

struct Loaded {
    dataset: Option<Dataset>,
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
}

impl Loaded {
    /// Every diagnostic rendered as plain text.
    fn render(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| render::human(d, &self.sources, HumanStyle::plain(100)))
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn codes(&self) -> Vec<&'static str> {
        self.diagnostics.iter().map(|d| d.code).collect()
    }
}

fn load_in(dir: &Path, schema: &Schema) -> Loaded {
    let mut sources = Sources::new();
    let policy = sources.add(SourceFile::new("policy.terra", POLICY));
    assert_eq!(policy, FileId(0));
    let (dataset, diagnostics) = data::load(schema, dir, policy, &mut sources);
    Loaded { dataset, diagnostics, sources }
}

/// Writes the files (the valid ones, with `changes` replacing or adding
/// files) into a fresh folder and loads them.
fn load_with(changes: &[(&str, &[u8])], schema: &Schema) -> Loaded {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut files: Vec<(&str, &[u8])> =
        vec![("reps.csv", REPS.as_bytes()), ("accounts.csv", ACCOUNTS.as_bytes()), ("drive.csv", DRIVE.as_bytes())];
    for &(name, text) in changes {
        files.retain(|(n, _)| *n != name);
        files.push((name, text));
    }
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write a data file");
    }
    load_in(dir.path(), schema)
}

fn load(changes: &[(&str, &str)]) -> Loaded {
    let changes: Vec<(&str, &[u8])> = changes.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    load_with(&changes, &schema())
}

fn text_of(dataset: &Dataset, column: &Column, row: usize) -> Option<String> {
    match column {
        Column::Text(v) => v[row].map(|s| dataset.texts.resolve(s).to_string()),
        other => panic!("not a text column: {other:?}"),
    }
}

#[test]
fn loads_a_valid_dataset() {
    let loaded = load(&[]);
    assert_eq!(loaded.render(), "");
    let ds = loaded.dataset.expect("a dataset");

    let rep = &ds.entities[0];
    assert_eq!(rep.keys, ["R1", "R2", "R3"]);
    assert_eq!(rep.lines, [2, 3, 4]);
    assert_eq!(rep.row("R2"), Some(1));
    assert_eq!(text_of(&ds, &rep.columns[0], 2).as_deref(), Some("R3"));
    assert_eq!(text_of(&ds, &rep.columns[1], 1).as_deref(), Some("Grace Hopper"));
    assert_eq!(text_of(&ds, &rep.columns[1], 2).as_deref(), Some("Hopper, Jr."));
    let Column::TextSet(segments) = &rep.columns[2] else { panic!("segments") };
    let names = |set: &Vec<terra::data::Sym>| {
        let mut v: Vec<&str> = set.iter().map(|s| ds.texts.resolve(*s)).collect();
        v.sort();
        v
    };
    assert_eq!(names(&segments[0]), ["enterprise", "public sector"]);
    assert_eq!(names(&segments[1]), ["enterprise", "smb"]);
    assert_eq!(names(&segments[2]), ["smb"]);
    assert!(segments[1].windows(2).all(|w| w[0] < w[1]), "sorted and deduplicated");
    assert_eq!(rep.columns[3], Column::Number(vec![Some(1600.0), Some(1400.5), Some(0.0)]));
    assert_eq!(
        rep.columns[4],
        Column::Geo(vec![Some((51.5074, -0.1278)), Some((40.7128, -74.006)), Some((-33.8688, 151.2093))])
    );

    let account = &ds.entities[1];
    assert_eq!(account.keys, ["A1", "A2", "A3"]);
    assert_eq!(account.columns[1], Column::Number(vec![Some(120000.0), Some(-2500.75), Some(0.0)]));
    assert_eq!(account.columns[2], Column::Number(vec![Some(0.15), Some(0.15), Some(0.025)]));
    assert_eq!(account.columns[3], Column::Bool(vec![Some(true), Some(false), Some(true)]));
    // References resolve to row indices of `rep`.
    assert_eq!(account.columns[4], Column::Ref(vec![Some(0), Some(2), None]));

    let drive = &ds.tables[0];
    assert_eq!(drive.dims, [3, 3]);
    assert_eq!(drive.get(&[0, 0]), Some(0.5));
    assert_eq!(drive.get(&[0, 1]), Some(2.0));
    assert_eq!(drive.get(&[1, 2]), Some(1.25));
    assert_eq!(drive.get(&[1, 0]), None, "an empty value cell is no value");
    assert_eq!(drive.get(&[1, 1]), None, "a missing pair is no value");
    assert_eq!(drive.get(&[3, 0]), None, "out of range");
    assert_eq!(drive.get(&[0]), None, "wrong arity");

    let paths: Vec<&str> = ds.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["reps.csv", "accounts.csv", "drive.csv"]);
    assert!(ds.files.iter().all(|f| f.sha256.len() == 64 && f.sha256.bytes().all(|b| b.is_ascii_hexdigit())));
    assert_eq!(
        ds.files[2].sha256,
        // sha256 of DRIVE
        sha256_hex(DRIVE.as_bytes())
    );
    assert_eq!(loaded.sources.get(ds.files[0].file).text, REPS);
}

/// A reference SHA-256 computed independently of the loader, through the
/// same `sha2` crate the loader uses.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn optional_fields_and_mapped_columns() {
    let mut schema = schema();
    schema.entities[0].fields[2].optional = true; // segments: set<text>?
    schema.entities[0].fields[4].optional = true; // home: geo?
    schema.entities[0].fields[1].column = "Full Name".into(); // name: text from "Full Name"
    schema.entities[0].fields[4].column = "base".into(); // home: geo from "base"
    let reps = "id,Full Name,segments,capacity,base_lat,base_lon\nR1,Ada,,10,,\nR2,Bo,a,20,1,2\nR3,Cy,b;a,30,-90,180\n";
    let loaded = load_with(&[("reps.csv", reps.as_bytes())], &schema);
    assert_eq!(loaded.render(), "");
    let ds = loaded.dataset.expect("a dataset");
    let rep = &ds.entities[0];
    assert_eq!(text_of(&ds, &rep.columns[1], 0).as_deref(), Some("Ada"));
    assert_eq!(
        rep.columns[2],
        Column::TextSet(vec![vec![], vec![ds.texts.get("a").expect("a")], {
            let mut v = vec![ds.texts.get("a").expect("a"), ds.texts.get("b").expect("b")];
            v.sort();
            v
        }])
    );
    assert_eq!(rep.columns[4], Column::Geo(vec![None, Some((1.0, 2.0)), Some((-90.0, 180.0))]));
}

#[test]
fn byte_order_mark_crlf_and_trailing_empty_rows() {
    let reps =
        "\u{feff}id,name,segments,capacity,home_lat,home_lon\r\nR1,Ada,x,1,0,0\r\nR2,Bo,y,2,0,0\r\nR3,Cy,z,3,0,0\r\n,,,,,\r\n , ,,,,\r\n";
    let loaded = load(&[("reps.csv", reps)]);
    assert_eq!(loaded.render(), "");
    let ds = loaded.dataset.expect("a dataset");
    assert_eq!(ds.entities[0].keys, ["R1", "R2", "R3"]);
    assert_eq!(ds.files[0].sha256, sha256_hex(reps.as_bytes()));
}

#[test]
fn loading_is_deterministic() {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (name, text) in [("reps.csv", REPS), ("accounts.csv", ACCOUNTS), ("drive.csv", DRIVE)] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let schema = schema();
    let a = load_in(dir.path(), &schema).dataset.expect("first load");
    for _ in 0..5 {
        let b = load_in(dir.path(), &schema).dataset.expect("second load");
        let texts_a: Vec<(u32, String)> = a.texts.iter().map(|(s, t)| (s.0, t.to_string())).collect();
        let texts_b: Vec<(u32, String)> = b.texts.iter().map(|(s, t)| (s.0, t.to_string())).collect();
        assert_eq!(texts_a, texts_b);
        for (ea, eb) in a.entities.iter().zip(&b.entities) {
            assert_eq!(ea.keys, eb.keys);
            assert_eq!(ea.columns, eb.columns);
            assert_eq!(ea.lines, eb.lines);
        }
        let bits = |d: &Dataset| -> Vec<u64> { d.tables[0].values.iter().map(|v| v.to_bits()).collect() };
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(a.files, b.files);
    }
    // Symbols are numbered in schema order: the first text of the first file
    // comes first.
    assert_eq!(a.texts.resolve(terra::data::Sym(0)), "R1");
}

#[test]
fn diagnostics_are_deterministic() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,x,y,z,R9\nA1,,,,\n,1,1,1,R1\n";
    let first = load(&[("accounts.csv", accounts)]).render();
    for _ in 0..5 {
        assert_eq!(load(&[("accounts.csv", accounts)]).render(), first);
    }
}

// ---------------------------------------------------------------------------
// One snapshot per kind of problem.

#[test]
fn file_not_found() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("rep.csv"), REPS).expect("write");
    std::fs::write(dir.path().join("accounts.csv"), ACCOUNTS).expect("write");
    std::fs::write(dir.path().join("drive.csv"), DRIVE).expect("write");
    let loaded = load_in(dir.path(), &schema());
    assert!(loaded.dataset.is_none());
    assert_eq!(loaded.codes(), ["D0501"], "no cascade into references or tables");
    insta::assert_snapshot!("file_not_found", loaded.render());
}

#[test]
fn file_is_a_directory() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join("reps.csv")).expect("mkdir");
    std::fs::write(dir.path().join("accounts.csv"), ACCOUNTS).expect("write");
    std::fs::write(dir.path().join("drive.csv"), DRIVE).expect("write");
    let loaded = load_in(dir.path(), &schema());
    assert!(loaded.dataset.is_none());
    assert_eq!(loaded.codes(), ["D0501"], "no cascade into references or tables");
    insta::assert_snapshot!("file_is_a_directory", loaded.render());
}

#[test]
fn file_not_utf8() {
    let mut reps = REPS.replace("Ada Lovelace", "Ad\u{e9}le").into_bytes();
    // Latin-1 é instead of UTF-8.
    let at = reps.windows(2).position(|w| w == [0xC3, 0xA9]).expect("é");
    reps.splice(at..at + 2, [0xE9]);
    let loaded = load_with(&[("reps.csv", &reps)], &schema());
    assert!(loaded.dataset.is_none());
    assert_eq!(loaded.codes(), ["D0502"]);
    insta::assert_snapshot!("file_not_utf8", loaded.render());
}

#[test]
fn empty_file() {
    let loaded = load(&[("accounts.csv", "")]);
    assert!(loaded.dataset.is_none());
    assert_eq!(loaded.codes(), ["D0503"]);
    insta::assert_snapshot!("empty_file", loaded.render());
    // Blank lines only are empty too.
    assert_eq!(load(&[("accounts.csv", "\n  \n")]).codes(), ["D0503"]);
}

#[test]
fn malformed_row() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,120000,15%,yes,R1\nA2,Smith, Jane,1,yes,R2\nA3,5,1%,no\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0504", "D0504"]);
    insta::assert_snapshot!("malformed_row", loaded.render());
}

#[test]
fn malformed_row_unclosed_quote() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,120000,15%,yes,R1\nA2,\"12,5%,yes,R2\nA3,5,1%,no,R3\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    insta::assert_snapshot!("malformed_row_unclosed_quote", loaded.render());
}

#[test]
fn missing_column() {
    let accounts = "id,Revenue,growth,strategic,owner\nA1,120000,15%,yes,R1\nA2,5,1%,no,R2\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0505"]);
    insta::assert_snapshot!("missing_column", loaded.render());
}

#[test]
fn missing_geo_column() {
    let reps = "id,name,segments,capacity,home\nR1,Ada,x,1,\"51.5,-0.12\"\nR2,Bo,y,2,\"1,1\"\nR3,Cy,z,3,\"0,0\"\n";
    let loaded = load(&[("reps.csv", reps)]);
    assert_eq!(loaded.codes(), ["D0505", "D0505"]);
    insta::assert_snapshot!("missing_geo_column", loaded.render());
}

#[test]
fn missing_table_column() {
    let drive = "account,reps,drive\nA1,R1,0.5\n";
    let loaded = load(&[("drive.csv", drive)]);
    assert_eq!(loaded.codes(), ["D0505"]);
    insta::assert_snapshot!("missing_table_column", loaded.render());
}

#[test]
fn duplicate_column() {
    let accounts = "id,revenue,growth,strategic,owner,revenue\nA1,120000,15%,yes,R1,5\nA2,5,1%,no,R2,6\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0506"]);
    insta::assert_snapshot!("duplicate_column", loaded.render());
}

#[test]
fn empty_key() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,120000,15%,yes,R1\nA2,5,1%,no,R2\n  ,5,1%,no,R2\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0507"]);
    insta::assert_snapshot!("empty_key", loaded.render());
}

#[test]
fn duplicate_key() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,120000,15%,yes,R1\nA2,5,1%,no,R2\n\"A1\",7,1%,no,R2\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0508"]);
    insta::assert_snapshot!("duplicate_key", loaded.render());
}

#[test]
fn empty_required_cell() {
    let reps = "id,name,segments,capacity,home_lat,home_lon\nR1,,a,,1,1\nR2,Bo,,2,1,1\nR3,Cy,c,3,,\n";
    let missing = load(&[("reps.csv", reps)]);
    // R2's empty `segments` cell is the empty set, not a missing value.
    assert_eq!(missing.codes(), ["D0509", "D0509", "D0509"]);
    insta::assert_snapshot!("empty_required_cell", missing.render());
}

#[test]
fn not_a_number() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,\"$1,200\",15%,yes,R1\nA2,1e6,1%,no,R2\nA3,12.5%,1,no,\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0510", "D0510", "D0510"]);
    insta::assert_snapshot!("not_a_number", loaded.render());
}

#[test]
fn number_too_large() {
    let accounts = format!("id,revenue,growth,strategic,owner\nA1,{},15%,yes,R1\nA2,5,1%,no,R2\n", "9".repeat(400));
    let loaded = load(&[("accounts.csv", &accounts)]);
    assert_eq!(loaded.codes(), ["D0510"]);
    insta::assert_snapshot!("number_too_large", loaded.render());
}

#[test]
fn bad_percent() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,1,15 pct,yes,R1\nA2,1,%,no,R2\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0510", "D0510"]);
    insta::assert_snapshot!("bad_percent", loaded.render());
}

#[test]
fn bad_bool() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,1,15%,maybe,R1\nA2,1,1%,Y,R2\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0511", "D0511"]);
    insta::assert_snapshot!("bad_bool", loaded.render());
}

#[test]
fn coordinate_out_of_range() {
    let reps =
        "id,name,segments,capacity,home_lat,home_lon\nR1,Ada,x,1,-122.42,37.77\nR2,Bo,y,2,45,200\nR3,Cy,z,3,0,0\n";
    let loaded = load(&[("reps.csv", reps)]);
    assert_eq!(loaded.codes(), ["D0512", "D0512"]);
    insta::assert_snapshot!("coordinate_out_of_range", loaded.render());
}

#[test]
fn incomplete_coordinate() {
    let reps = "id,name,segments,capacity,home_lat,home_lon\nR1,Ada,x,1,37.77,\nR2,Bo,y,2,1,1\nR3,Cy,z,3,0,0\n";
    let loaded = load(&[("reps.csv", reps)]);
    assert_eq!(loaded.codes(), ["D0513"]);
    insta::assert_snapshot!("incomplete_coordinate", loaded.render());
}

#[test]
fn unknown_reference() {
    let accounts = "id,revenue,growth,strategic,owner\nA1,1,15%,yes,R1\nA2,1,1%,no,R4\nA3,1,1%,no,X999\n";
    let loaded = load(&[("accounts.csv", accounts)]);
    assert_eq!(loaded.codes(), ["D0514", "D0514"]);
    insta::assert_snapshot!("unknown_reference", loaded.render());
}

#[test]
fn table_unknown_key() {
    let drive = "account,rep,drive\nA1,R1,0.5\nA9,R2,1\nA2,r2,1\n";
    let loaded = load(&[("drive.csv", drive)]);
    assert_eq!(loaded.codes(), ["D0515", "D0515"]);
    insta::assert_snapshot!("table_unknown_key", loaded.render());
}

#[test]
fn table_duplicate_pair() {
    let drive = "account,rep,drive\nA1,R1,0.5\nA1,R2,1\nA1, R1 ,0.75\n";
    let loaded = load(&[("drive.csv", drive)]);
    assert_eq!(loaded.codes(), ["D0516"]);
    insta::assert_snapshot!("table_duplicate_pair", loaded.render());
}

#[test]
fn table_bad_value_and_empty_key() {
    let drive = "account,rep,drive\nA1,R1,half an hour\nA2,,1\n";
    let loaded = load(&[("drive.csv", drive)]);
    assert_eq!(loaded.codes(), ["D0510", "D0507"]);
    insta::assert_snapshot!("table_bad_value_and_empty_key", loaded.render());
}

#[test]
fn table_too_large() {
    let mut schema = schema();
    schema.tables[0].name = "hops".into();
    schema.tables[0].keys = vec![0, 0, 0];
    let mut reps = String::from("id,name,segments,capacity,home_lat,home_lon\n");
    for i in 0..700 {
        reps.push_str(&format!("R{i},n,s,1,0,0\n"));
    }
    let hops = "rep_1,rep_2,rep_3,hops\nR1,R2,R3,1\n";
    let loaded = load_with(&[("reps.csv", reps.as_bytes()), ("drive.csv", hops.as_bytes())], &schema);
    assert_eq!(loaded.codes(), ["D0517"]);
    insta::assert_snapshot!("table_too_large", loaded.render());
}

#[test]
fn many_problems_are_capped() {
    let mut accounts = String::from("id,revenue,growth,strategic,owner\n");
    for i in 0..(data::MAX_REPORTED_PER_KIND + 7) {
        accounts.push_str(&format!("A{i},n/a,15%,yes,R1\n"));
    }
    accounts.push_str("B1,1,1%,perhaps,R1\n");
    let loaded = load(&[("accounts.csv", &accounts)]);
    let codes = loaded.codes();
    assert_eq!(codes.len(), data::MAX_REPORTED_PER_KIND + 2);
    assert!(codes.iter().all(|c| *c == "D0510" || *c == "D0511"));
    let last = loaded.diagnostics.last().expect("a summary");
    assert_eq!(last.code, "D0510");
    assert!(last.message.contains("7 more"), "{}", last.message);
    // The first, the bool, and the summary.
    let picked: Vec<String> = [0, data::MAX_REPORTED_PER_KIND, data::MAX_REPORTED_PER_KIND + 1]
        .iter()
        .map(|&i| render::human(&loaded.diagnostics[i], &loaded.sources, HumanStyle::plain(100)))
        .collect();
    insta::assert_snapshot!("many_problems_are_capped", picked.join("\n"));
}

// ---------------------------------------------------------------------------
// Robustness and speed.

#[test]
fn never_panics_on_odd_input() {
    let odd: &[&[u8]] = &[
        b"",
        b"\"",
        b"\"\"\"",
        b",,,,\n,,,,\n",
        b"id\n\"unterminated\n",
        b"id,name\r\r\r\n\n\n",
        b"\xff\xfe\x00i\x00d",
        b"id,revenue,growth,strategic,owner\n\"A1\"x,\"\"\"\",\"15%\"\"\",yes,R1\n",
        b"id,revenue,growth,strategic,owner\nA1,-,-%,,\nA2,--1,1%%,yes,;\n",
        b"id,revenue,growth,strategic,owner\nA1,1,1,1,\"R1\nR2\"\n",
        "id,revenue,growth,strategic,owner\n\u{e9}\u{e9},\u{2212}1,\u{ff11},\u{2705},\u{1f600}\n".as_bytes(),
    ];
    for &bytes in odd {
        for file in ["reps.csv", "accounts.csv", "drive.csv"] {
            let loaded = load_with(&[(file, bytes)], &schema());
            // Rendering must not panic either, and spans must lie in the file.
            let _ = loaded.render();
            for d in &loaded.diagnostics {
                for label in std::iter::once(&d.primary).chain(&d.secondary) {
                    let text = &loaded.sources.get(label.file).text;
                    assert!(label.span.start <= label.span.end && label.span.end <= text.len(), "{d:?}");
                    assert!(text.is_char_boundary(label.span.start) && text.is_char_boundary(label.span.end));
                }
            }
        }
    }
}

#[test]
fn loads_33k_rows_quickly() {
    let mut reps = String::from("id,name,segments,capacity,home_lat,home_lon\n");
    for i in 0..300 {
        reps.push_str(&format!("R{i},Rep {i},enterprise;smb,1600,{}.5,-{}.25\n", i % 80, i % 170));
    }
    let mut schema = schema();
    // Twelve columns for accounts.
    for extra in ["region", "segment", "industry", "city", "tier", "source", "status"] {
        schema.entities[1].fields.push(FieldSchema {
            name: extra.into(),
            ty: FieldType::Text,
            optional: true,
            is_key: false,
            column: extra.into(),
            span: Span::default(),
        });
    }
    let mut accounts =
        String::from("id,revenue,growth,strategic,owner,region,segment,industry,city,tier,source,status\n");
    let mut drive = String::from("account,rep,drive\n");
    for i in 0..33_000 {
        accounts.push_str(&format!(
            "A{i},{}.25,{}%,{},R{},West {},Enterprise,Industry {},City {},T{},inbound,active\n",
            i * 17 % 100_000,
            i % 40,
            if i % 3 == 0 { "yes" } else { "no" },
            i % 300,
            i % 7,
            i % 50,
            i % 900,
            i % 4
        ));
        drive.push_str(&format!("A{i},R{},{}.5\n", i % 300, i % 9));
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    for (name, text) in [("reps.csv", &reps), ("accounts.csv", &accounts), ("drive.csv", &drive)] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let start = std::time::Instant::now();
    let loaded = load_in(dir.path(), &schema);
    let elapsed = start.elapsed();
    eprintln!("loaded 33,000 accounts with 12 columns and a 33,000-row table in {elapsed:?}");
    assert_eq!(loaded.render(), "");
    let ds = loaded.dataset.expect("a dataset");
    assert_eq!(ds.entities[1].len(), 33_000);
    assert_eq!(ds.tables[0].get(&[1, 1]), Some(1.5));
    // Generous, to hold in debug builds too; release loads this in tens of
    // milliseconds.
    assert!(elapsed.as_secs_f64() < 10.0, "took {elapsed:?}");
}
