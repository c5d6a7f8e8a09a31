//! Small JSON files in the client's data dir (ui settings). Reading never fails the
//! window (a missing or broken file gives the defaults); writing goes through a
//! temporary file that is synced and renamed, then the directory is synced, so a
//! crash or power cut leaves the old file or the new one, never half of one.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `path` as JSON. A missing file gives the default silently; an unreadable or
/// broken one gives the default and a warning.
pub fn load_json<T: DeserializeOwned + Default>(path: &Path) -> T {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return T::default(),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "cannot read; using defaults");
            return T::default();
        }
    };
    serde_json::from_slice(&bytes).unwrap_or_else(|error| {
        tracing::warn!(path = %path.display(), %error, "unreadable; using defaults");
        T::default()
    })
}

/// Writes `value` to `path` as pretty JSON, atomically and durably (see the module).
/// Creates the directory when missing.
pub fn save_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    write_atomic(path, &bytes)
}

/// Replaces `path` with `bytes`: temporary file beside it, `fsync`, rename over the
/// old file, `fsync` of the directory (so the rename itself survives a power cut).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let written = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    sync_dir(dir)
}

/// Makes a rename in `dir` durable. Windows has no directory handles to sync (NTFS
/// journals the rename itself).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Prefs {
        volume: u8,
        name: String,
    }

    #[test]
    fn round_trips_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested").join("prefs.json");
        assert_eq!(load_json::<Prefs>(&path), Prefs::default());
        let first = Prefs {
            volume: 3,
            name: "Almacén".into(),
        };
        save_json(&path, &first).expect("saved");
        assert_eq!(load_json::<Prefs>(&path), first);
        let second = Prefs {
            volume: 9,
            name: String::new(),
        };
        save_json(&path, &second).expect("saved");
        assert_eq!(load_json::<Prefs>(&path), second);
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["prefs.json"]);
    }

    #[test]
    fn a_broken_file_gives_the_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("prefs.json");
        std::fs::write(&path, b"{ nope").expect("written");
        assert_eq!(load_json::<Prefs>(&path), Prefs::default());
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_cleans_up() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("prefs.json");
        let old = Prefs {
            volume: 1,
            name: "old".into(),
        };
        save_json(&path, &old).expect("saved");
        // A directory where the temporary file would go makes the write fail.
        std::fs::create_dir(dir.path().join("prefs.json.tmp")).expect("blocker");
        assert!(save_json(&path, &Prefs::default()).is_err());
        assert_eq!(load_json::<Prefs>(&path), old);
    }
}
