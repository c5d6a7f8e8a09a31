//! Data directories hold tokens and keys: when we create one, only its owner may
//! read it.

use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if missing; a directory created here gets mode
/// 0700 on Unix. An existing directory is left as its owner set it.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_new_directory_is_owner_only() {
        let base = tempfile::tempdir().expect("temp dir");
        let dir = base.path().join("a").join("b");
        super::create_private_dir(&dir).expect("created");
        assert!(dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
