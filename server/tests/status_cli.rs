//! `packbell-server status`: what the data dir holds and whether it can be written.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

#[test]
fn status_reports_counts_and_a_writable_disk_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .args(["--data-dir", &dir.path().display().to_string(), "status"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "events:         0",
        "pending orders: 0",
        "devices:        0",
        "storage:        ok",
        "listens on:     127.0.0.1:47801",
        "discovery:      ",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    let conn = rusqlite::Connection::open(dir.path().join("packbell.sqlite3")).unwrap();
    let leftovers: u32 = conn
        .query_row("SELECT COUNT(*) FROM meta WHERE k = 'headroom'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(leftovers, 0, "the storage check leaves no row");
}
