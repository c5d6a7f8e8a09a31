//! Where exports are saved: a `packbell-exports` folder in the user's Documents
//! (Downloads, or the home folder, when there is none), and showing it in the
//! system's file manager.
//!
//! A folder rather than a save dialog: the native dialogs need a desktop portal or
//! GTK on Linux, which the shop PCs and the test display do not have; the file name
//! is typed on the Exports screen instead.

use std::path::{Path, PathBuf};

/// The folder's name inside Documents.
pub const FOLDER_NAME: &str = "packbell-exports";

/// `~/Documents/packbell-exports` or its nearest equivalent; `None` without a home.
pub fn default_folder() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    let base = dirs
        .document_dir()
        .or(dirs.download_dir())
        .unwrap_or(dirs.home_dir());
    Some(base.join(FOLDER_NAME))
}

/// Opens `folder` in the file manager (created first, so that there is something to
/// open before the first export). Never waits for the file manager.
pub fn open(folder: &Path) {
    if let Err(error) = std::fs::create_dir_all(folder) {
        tracing::warn!(%error, folder = %folder.display(), "cannot create the exports folder");
        return;
    }
    let opener = if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener).arg(folder).spawn() {
        // Reaped by a thread of its own so that it leaves no zombie behind.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(error) => tracing::warn!(%error, opener, "cannot open the exports folder"),
    }
}
