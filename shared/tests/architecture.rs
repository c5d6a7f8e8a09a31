//! ARCHITECTURE.md's code map names real files: every path in backticks in its
//! "Code map" section must exist in the repository (a `*` in the last part must match
//! at least one file). A module that moves or goes away fails here, naming the path,
//! until the map follows.

use std::path::{Path, PathBuf};

/// The section checked, up to the next `## ` heading.
const SECTION: &str = "## Code map";
/// Fewer paths than this means the section or the extraction broke, not the code.
const MIN_PATHS: usize = 40;
/// Endings that make a backticked word a file name even without a `/`.
const FILE_ENDINGS: [&str; 7] = [".rs", ".md", ".sh", ".py", ".toml", ".wav", ".txt"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the shared crate sits in the repository root")
        .to_owned()
}

/// The text of the `## Code map` section of `doc`, if it has one.
fn code_map(doc: &str) -> Option<&str> {
    let start = doc.find(SECTION)? + SECTION.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Every backticked word in `text` that names a path: it has a `/` or a file ending,
/// and no spaces or call parentheses (`apply(event)` is code, not a path).
fn named_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| !word.contains(char::is_whitespace) && !word.contains('('))
        .filter(|word| {
            word.contains('/') || FILE_ENDINGS.iter().any(|ending| word.ends_with(ending))
        })
        .map(str::to_owned)
        .collect()
}

/// Whether `path` exists under `root`; a `*` in its last part matches any text.
fn exists(root: &Path, path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let Some((prefix, suffix)) = name.split_once('*') else {
        return root.join(path).exists();
    };
    std::fs::read_dir(root.join(dir)).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            file.len() >= prefix.len() + suffix.len()
                && file.starts_with(prefix)
                && file.ends_with(suffix)
        })
    })
}

/// The named paths of `doc`'s code map that do not exist under `root`.
fn missing_paths(doc: &str, root: &Path) -> Result<(usize, Vec<String>), String> {
    let map = code_map(doc).ok_or_else(|| format!("no {SECTION:?} section"))?;
    let paths = named_paths(map);
    let missing = paths
        .iter()
        .filter(|path| !exists(root, path))
        .cloned()
        .collect();
    Ok((paths.len(), missing))
}

#[test]
fn every_path_in_the_code_map_exists() {
    let root = repo_root();
    let doc =
        std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable");
    let (checked, missing) = missing_paths(&doc, &root).expect("the code map");
    assert!(
        checked >= MIN_PATHS,
        "only {checked} paths found in the code map; expected at least {MIN_PATHS}"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map names paths that do not exist in the repository \
         (update the map): {}",
        missing.join(", ")
    );
}

#[test]
fn a_missing_path_is_reported_by_name() {
    let root = repo_root();
    let doc = "# A\n\n`nowhere/else.rs` is outside the map.\n\n\
               ## Code map\n\n- `shared/src/state.rs`: here. `SiteState`, `apply(event)`.\n\
               - `shared/src/gone.rs` and `shared/src/link/`: one is missing.\n\
               - `README.md`, `server/`, `scripts/e2e-*.sh`, `scripts/none-*.sh`.\n\n\
               ## Invariants\n\n`also/not/checked.rs`\n";
    let (checked, missing) = missing_paths(doc, &root).expect("the code map");
    assert_eq!(checked, 7);
    assert_eq!(missing, ["shared/src/gone.rs", "scripts/none-*.sh"]);
    assert!(missing_paths("# no map here", &root).is_err());
}
