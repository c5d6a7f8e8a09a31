//! Stock import: the `import stock` command of the real binary (a good file applied;
//! one bad row changes nothing, names its line and fails), and the watched folder
//! (a file picked up exactly once; a file still being written not read early).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod stock_support;

use std::path::Path;

use packbell_server::db;
use packbell_shared::protocol::EventBody;
use stock_support::StockSite;

const GOOD: &str = "sku,name,store,quantity,unit,min,max,pack_size,lot,expiry\n\
                    MILK,Milk,Centro,4,l,5,40,6,L1,2099-03-01\n\
                    MILK,Milk,Centro,3,l,5,40,6,L2,2099-03-09\n\
                    SALT,Salt,,10,kg,2,20,,,\n";

fn import_cli(data_dir: &Path, file: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["import", "stock"])
        .arg(file)
        .output()
        .expect("the binary runs")
}

fn items(data_dir: &Path) -> Vec<packbell_shared::protocol::StockItem> {
    db::stock::items(&db::open(data_dir).unwrap()).unwrap()
}

/// A data dir with the store "Centro".
fn data_dir_with_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open(dir.path()).unwrap();
    let add = packbell_shared::protocol::Command::AddStore {
        name: "Centro".into(),
    };
    db::apply::command(&conn, 0, "store", &add, chrono::Utc::now()).unwrap();
    dir
}

#[test]
fn the_command_applies_a_good_file_and_the_example_in_the_docs() {
    let dir = data_dir_with_store();
    let file = dir.path().join("stock.csv");
    std::fs::write(&file, GOOD).unwrap();
    let output = import_cli(dir.path(), &file);
    assert!(output.status.success(), "{output:?}");
    let items = items(dir.path());
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].sku, "MILK");
    assert_eq!(items[0].quantity, 7);
    assert_eq!(items[0].lots.len(), 2);
    assert_eq!(items[0].store_id, Some(1));
    assert_eq!(items[1].store_id, None, "empty store is site-wide");

    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/stock-import-example.csv"
    );
    let output = import_cli(dir.path(), Path::new(example));
    assert!(output.status.success(), "{output:?}");
    assert_eq!(self::items(dir.path()).len(), 5);
}

#[test]
fn one_bad_row_changes_nothing_names_its_line_and_fails() {
    let dir = data_dir_with_store();
    let file = dir.path().join("stock.csv");
    std::fs::write(&file, GOOD).unwrap();
    assert!(import_cli(dir.path(), &file).status.success());
    let before = items(dir.path());

    let bad = "\u{feff}sku;name;store;quantity;unit;min;max\n\
               MILK;Milk;Centro;40;l;5;40\n\
               SALT;Salt;;many;kg;2;20\n\
               RICE;Rice;;1;kg;1;9\n";
    std::fs::write(&file, bad).unwrap();
    let output = import_cli(dir.path(), &file);
    assert!(!output.status.success(), "a bad file fails the command");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("line 3"), "{said}");
    assert!(said.contains("quantity"), "{said}");
    assert_eq!(items(dir.path()), before, "nothing changed");

    // A store that does not exist is found after parsing, and named by line too.
    let unknown = "sku,name,store,quantity,unit,min,max\nRICE,Rice,Norte,1,kg,1,9\n";
    std::fs::write(&file, unknown).unwrap();
    let output = import_cli(dir.path(), &file);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("line 2") && said.contains("Norte"), "{said}");
    assert_eq!(items(dir.path()), before);
}

fn upserts(events: &[EventBody]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, EventBody::ItemUpserted(_)))
        .count()
}

#[tokio::test]
async fn the_watched_folder_imports_a_file_exactly_once() {
    let mut site = StockSite::start(true).await;
    let folder = site.import_folder.clone().unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("stock.csv"), GOOD).unwrap();
    std::fs::write(folder.join(".hidden.csv"), GOOD).unwrap();

    assert!(
        site.server.poll_import_folder().await.is_empty(),
        "first sight"
    );
    let finished = site.server.poll_import_folder().await;
    assert_eq!(finished.len(), 1, "{finished:?}");
    assert_eq!(finished[0].outcome, Ok(2));
    assert!(folder.join("done/stock.csv").exists());
    for _ in 0..3 {
        assert!(site.server.poll_import_folder().await.is_empty());
    }
    assert_eq!(upserts(&site.stock_events().await), 2, "two items, once");
    assert!(folder.join(".hidden.csv").exists(), "never read");

    // A bad file goes to failed/ with its report, and changes nothing.
    std::fs::write(
        folder.join("bad.csv"),
        "sku,name,store,quantity,unit,min,max\nX,Y,,1,kg,9,1\n",
    )
    .unwrap();
    site.server.poll_import_folder().await;
    let finished = site.server.poll_import_folder().await;
    assert!(finished[0].outcome.is_err());
    let report = std::fs::read_to_string(folder.join("failed/bad.csv.error.txt")).unwrap();
    assert!(report.contains("line 2"), "{report}");
    assert_eq!(upserts(&site.stock_events().await), 2);
    site.server.shutdown().await;
}

#[tokio::test]
async fn a_file_still_being_written_is_not_read_early() {
    use std::io::Write;
    let mut site = StockSite::start(true).await;
    let folder = site.import_folder.clone().unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("growing.csv");
    let (first_half, second_half) = GOOD.split_at(GOOD.find("MILK,Milk,Centro,3").unwrap());
    std::fs::write(&path, first_half).unwrap();
    assert!(site.server.poll_import_folder().await.is_empty());
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(second_half.as_bytes()).unwrap();
    drop(file);
    assert!(
        site.server.poll_import_folder().await.is_empty(),
        "it grew since the last poll"
    );
    let finished = site.server.poll_import_folder().await;
    assert_eq!(finished.len(), 1);
    assert_eq!(
        finished[0].outcome,
        Ok(2),
        "the whole file, not its first half"
    );
    let snapshot = site.snapshot().await;
    assert_eq!(snapshot.items[0].quantity, 7, "both lots of MILK");
    site.server.shutdown().await;
}
