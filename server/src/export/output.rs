//! Where an export goes: a file that appears whole or not at all, or stdout.

use std::io::Write;
use std::path::Path;

use super::ExportError;

/// Runs `write` into a temporary file next to `path` and renames it over `path` once
/// complete; on any error the temporary file is removed and `path` is untouched.
pub fn write_whole_file<T>(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    let failed = |source: std::io::Error| ExportError::Output {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".packbell-export-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(failed)?;
    let result = write(temp.as_file_mut())?;
    temp.as_file_mut().flush().map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    temp.persist(path).map_err(|e| failed(e.error))?;
    Ok(result)
}
