//! Fills a fresh data dir for `scripts/spreadsheet-check.sh`: stores and orders whose
//! texts a spreadsheet would run as formulas or mangle (accents), some packed after
//! known waits, one cancelled, all on one local day, through `db` as the server does.
//!
//! Usage: seed_spreadsheet_check DATA_DIR YYYY-MM-DD

use anyhow::Context as _;
use chrono::{Duration, Local, NaiveTime, TimeZone, Utc};

use packbell_server::{db, export};
use packbell_shared::protocol::{Command, Priority};

/// Order numbers and notes a careless or hostile office could type.
const HOSTILE: &[(&str, &str)] = &[
    ("=1+2", "=HYPERLINK(\"http://example.invalid\")"),
    ("+x", "+34 600 000 000"),
    ("-5", "-sin prisa"),
    ("@SUM(A1)", "@SUM(A1:A9)"),
    ("-x", "-x"),
    ("a;=1+2", "Ñandú, café y más"),
    ("\"=HYPERLINK(\"\"x\"\")\"", "\"quoted\""),
    ("80001", "Entregar en el almacén de Peñalolén"),
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data_dir, day] = args.as_slice() else {
        anyhow::bail!("usage: seed_spreadsheet_check DATA_DIR YYYY-MM-DD");
    };
    let day = export::range::parse_date(day).map_err(anyhow::Error::msg)?;
    let nine = Local
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(9, 0, 0).context("09:00")?))
        .earliest()
        .context("09:00 exists on that day")?
        .with_timezone(&Utc);
    let conn = db::open(std::path::Path::new(data_dir))?;
    let mut key = 0;
    let mut run = |command: Command, at| {
        key += 1;
        db::apply::command(&conn, 0, &format!("seed-{key}"), &command, at)
            .map_err(|e| anyhow::anyhow!("seeding failed: {e:?}"))
    };
    let mut stores = Vec::new();
    for name in ["Ñandú", "=Café"] {
        let added = run(Command::AddStore { name: name.into() }, nine)?;
        stores.push(added.store_id.context("a store id")?);
    }
    for (i, (number, note)) in HOSTILE.iter().enumerate() {
        let created = nine + Duration::minutes(i as i64 * 7);
        let order_id = run(
            Command::CreateOrder {
                order_number: (*number).into(),
                store_id: stores[i % stores.len()],
                note: (*note).into(),
                priority: if i % 3 == 0 {
                    Priority::Rush
                } else {
                    Priority::Normal
                },
                lines: Vec::new(),
            },
            created,
        )?
        .order_id
        .context("an order id")?;
        match i % 4 {
            3 => {
                run(
                    Command::CancelOrder {
                        order_id,
                        reason: "-sin stock".into(),
                    },
                    created + Duration::seconds(40),
                )?;
            }
            2 => {}
            _ => {
                run(
                    Command::PackOrder { order_id },
                    created + Duration::milliseconds(30_500 * (i as i64 + 1)),
                )?;
            }
        }
    }
    eprintln!("seeded {} orders on {day}", HOSTILE.len());
    Ok(())
}
