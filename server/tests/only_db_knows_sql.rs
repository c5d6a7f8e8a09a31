//! **Only `db` knows SQL and the database's files.** No string literal outside
//! `server/src/db/` holds SQL, and no code there names the database file.

use std::path::{Path, PathBuf};

/// Words that start (or make) an SQL statement, as this code base writes them.
const SQL_WORDS: &[&str] = &[
    "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "PRAGMA ", "CREATE ", "ALTER ", "DROP ", "VACUUM",
    "BEGIN ",
];
/// What knowing the database's file layout looks like.
const FILE_LAYOUT: &[&str] = &["-wal", "-shm", ".sqlite3"];
/// Functions of `db` that only `db` should need.
const LAYOUT_CODE: &[&str] = &["db_path(", "DB_FILE"];

/// Code without comments, and the contents of its string literals.
fn split_source(source: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = source.chars().collect();
    let mut code = String::new();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if rest.starts_with(&['r', '#']) || rest.starts_with(&['r', '"']) {
            let hashes = rest[1..].iter().take_while(|&&c| c == '#').count();
            let start = i + 2 + hashes;
            let mut end = start;
            while end < chars.len()
                && !(chars[end] == '"'
                    && chars[end + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == '#')
                        .count()
                        == hashes)
            {
                end += 1;
            }
            literals.push(chars[start..end.min(chars.len())].iter().collect());
            i = end + 1 + hashes;
        } else if chars[i] == '"' {
            let mut literal = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                    // A line continuation joins lines with the next line's indent dropped.
                    if chars.get(i) == Some(&'\n') {
                        while chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                            i += 1;
                        }
                        i += 1;
                        continue;
                    }
                }
                if let Some(&c) = chars.get(i) {
                    literal.push(c);
                }
                i += 1;
            }
            literals.push(literal);
            i += 1;
        } else if chars[i] == '\'' {
            // A char literal ('x', '\n', '"'); otherwise a lifetime.
            if chars.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                code.push('\'');
                i += 1;
            }
        } else {
            code.push(chars[i]);
            i += 1;
        }
    }
    (code, literals)
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// What in `source` shows knowledge of SQL or of the database files.
fn findings(source: &str) -> Vec<String> {
    let (code, literals) = split_source(source);
    let mut found = Vec::new();
    for literal in &literals {
        for word in SQL_WORDS.iter().chain(FILE_LAYOUT) {
            if literal.contains(word) {
                found.push(format!("{word:?} in the literal {literal:?}"));
            }
        }
    }
    for name in LAYOUT_CODE {
        if code.contains(name) {
            found.push(format!("uses {name}"));
        }
    }
    found
}

#[test]
fn no_sql_or_database_file_outside_db() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let db = src.join("db");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "the sources were found: {files:?}");
    let mut offences = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&db)) {
        let source = std::fs::read_to_string(file).expect("readable source");
        for finding in findings(&source) {
            offences.push(format!("{}: {finding}", file.display()));
        }
    }
    assert!(
        offences.is_empty(),
        "move these behind a db function:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_finds_sql_and_file_names_but_not_comments_or_prose() {
    let caught = r##"
        let n = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0));
        let raw = r#"UPDATE orders SET x = 1"#;
        let long = "PRAGMA \
                    journal_mode";
        for suffix in ["", "-wal"] {}
        let p = crate::db::db_path(dir);
    "##;
    let found = findings(caught);
    assert_eq!(found.len(), 5, "{found:#?}");

    let innocent = r#"
        // SELECT * FROM events: a comment is no code
        /* DELETE FROM orders */
        let quote = '"'; let lifetime: &'static str = "select the store";
        println!("Select the store first");
    "#;
    assert_eq!(findings(innocent), Vec::<String>::new());
}
