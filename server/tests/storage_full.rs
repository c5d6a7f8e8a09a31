//! A full disk, simulated with SQLite's own size limit (`max_page_count` on the
//! writer's connection): writes fail with `SQLITE_FULL`, as on a real full disk.
//! Orders and pairings get `storage_full`, the console says the disk is full, and
//! once there is room again the same key commits exactly once.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rusqlite::Connection;
use tracing_subscriber::fmt::MakeWriter;

use packbell_server::Limits;
use packbell_shared::protocol::{ErrorCode, Role, ServerMessage};

use common::{Raw, create_order, enrol, pair, start_site};

/// Orders tried before the limited database must be full (each adds rows to three
/// tables, so a few pages' worth is plenty).
const MAX_ORDERS_TO_FILL: usize = 2000;

/// Everything the server logs in this test process.
#[derive(Clone, Default)]
struct Console(Arc<Mutex<Vec<u8>>>);

impl Console {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Console {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Console {
    type Writer = Console;
    fn make_writer(&'a self) -> Console {
        self.clone()
    }
}

fn console() -> Console {
    static CONSOLE: OnceLock<Console> = OnceLock::new();
    CONSOLE
        .get_or_init(|| {
            let console = Console::default();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(console.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            console
        })
        .clone()
}

fn server_db(data_dir: &Path) -> Connection {
    let conn = Connection::open(data_dir.join("packbell.sqlite3")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}

fn orders_numbered(data_dir: &Path, number: &str) -> u32 {
    server_db(data_dir)
        .query_row(
            "SELECT COUNT(*) FROM orders WHERE order_number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

fn code_failures(data_dir: &Path, code: &str) -> u32 {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    server_db(data_dir)
        .query_row(
            "SELECT failures FROM pairing_codes WHERE code = ?1",
            [digits],
            |r| r.get(0),
        )
        .unwrap()
}

fn assert_storage_full(answer: &ServerMessage) {
    match answer {
        ServerMessage::Error { code, message, .. } => {
            assert_eq!(*code, ErrorCode::StorageFull, "{message}");
            assert!(message.contains("disk is full"), "{message}");
        }
        other => panic!("expected storage_full, got {other:?}"),
    }
}

/// A code whose last digit is changed: same slot, wrong guess.
fn wrong(code: &str) -> String {
    let mut digits: Vec<u8> = code.bytes().filter(u8::is_ascii_digit).collect();
    digits[7] = b'0' + (digits[7] - b'0' + 1) % 10;
    String::from_utf8(digits).unwrap()
}

#[tokio::test]
async fn a_full_disk_refuses_orders_and_pairing_with_storage_full_until_space_returns() {
    let console = console();
    let site = start_site(Limits::default()).await;
    let data = site.dir.path();
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    // Made while there is room; pairing with it is tried while the disk is full.
    let code = site.server.new_pairing_code(Role::Warehouse).await.unwrap();

    site.server.limit_database_pages(0).await.unwrap();
    let mut refused = None;
    for i in 0..MAX_ORDERS_TO_FILL {
        let key = format!("fill-{i}");
        office
            .send(create_order(&key, &format!("F-{i}"), site.store))
            .await;
        match office
            .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
            .await
        {
            ServerMessage::Ack { .. } => {}
            answer => {
                assert_storage_full(&answer);
                let ServerMessage::Error { key: answered, .. } = answer else {
                    unreachable!()
                };
                assert_eq!(answered.as_deref(), Some(key.as_str()));
                refused = Some(i);
                break;
            }
        }
    }
    let refused = refused.expect("the limited database fills up");
    assert!(site.server.storage_full());
    assert!(
        console
            .text()
            .contains("the disk holding the database is full"),
        "the console says so: {}",
        console.text()
    );
    let number = format!("F-{refused}");
    assert_eq!(orders_numbered(data, &number), 0, "nothing was stored");

    // Pairing says so too, for a right and a wrong guess alike, and no guess counts.
    for guess in [code.clone(), wrong(&code)] {
        let mut raw = Raw::connect(site.server.ws_addr()).await;
        assert_storage_full(&pair(&mut raw, &guess, "packing 1").await);
    }
    assert_eq!(code_failures(data, &code), 0, "no guess was checked");

    // Room again: the same key commits, once; pairing works.
    site.server.limit_database_pages(100_000).await.unwrap();
    let key = format!("fill-{refused}");
    office.send(create_order(&key, &number, site.store)).await;
    match office
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { key: acked, .. } => assert_eq!(acked, key),
        other => panic!("expected the retry to commit, got {other:?}"),
    }
    office.send(create_order(&key, &number, site.store)).await;
    office
        .recv_until(|m| matches!(m, ServerMessage::Ack { .. }))
        .await;
    assert_eq!(orders_numbered(data, &number), 1, "committed exactly once");
    assert!(!site.server.storage_full());
    assert!(
        console.text().contains("can be written again"),
        "{}",
        console.text()
    );
    let mut raw = Raw::connect(site.server.ws_addr()).await;
    assert!(matches!(
        pair(&mut raw, &code, "packing 1").await,
        ServerMessage::Enrolled { .. }
    ));
}
