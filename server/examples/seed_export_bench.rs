//! Fills a fresh data dir for `scripts/bench-export.sh`: ORDERS packed orders (two
//! events each) on one local day, in one transaction through `db`.
//!
//! Usage: seed_export_bench DATA_DIR ORDERS YYYY-MM-DD

use anyhow::Context as _;
use chrono::{Local, NaiveTime, TimeZone, Utc};

use packbell_server::{db, export};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data_dir, orders, day] = args.as_slice() else {
        anyhow::bail!("usage: seed_export_bench DATA_DIR ORDERS YYYY-MM-DD");
    };
    let orders: u64 = orders.parse().context("ORDERS is a number")?;
    let day = export::range::parse_date(day).map_err(anyhow::Error::msg)?;
    let start = Local
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(6, 0, 0).context("06:00")?))
        .earliest()
        .context("06:00 exists on that day")?
        .with_timezone(&Utc);
    let mut conn = db::open(std::path::Path::new(data_dir))?;
    let begun = std::time::Instant::now();
    let events = db::export::seed_packed_orders(&mut conn, orders, start)?;
    eprintln!(
        "seeded {events} events in {:.1} s",
        begun.elapsed().as_secs_f64()
    );
    Ok(())
}
