//! The "Today" dashboard (admin): orders entered and packed per hour, the wait per
//! store (median and p90) today against the last days, and the oldest order still
//! waiting.
//!
//! Today's figures are read from the site state the link keeps live, so they move
//! with every event. The reference days are the server's speed-of-service summary
//! (the `summary` export, the same figures as the CSV report), asked for over the
//! link and held in memory; the median and p90 here are taken the same way as there
//! (median of the middle one or two, p90 by nearest rank), so the two compare.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use packbell_shared::link::LinkRequest;
use packbell_shared::protocol::{ErrorCode, ExportDelimiter, ExportKind, OrderStatus, StoreId};
use packbell_shared::state::SiteState;
use packbell_shared::zone::Zone;

/// Days before today the reference covers.
pub const REFERENCE_DAYS: u64 = 7;

/// The reference summary's text held at most (one row per store: thousands of
/// stores); a larger one is dropped and the dashboard shows today alone.
pub const MAX_REFERENCE_BYTES: usize = 256 * 1024;

/// The dashboard's export ids have the top bit set, so they never meet those of the
/// Exports screen, which count up from 1.
const REFERENCE_ID_BASE: u32 = 0x8000_0000;

/// Median and p90 of some waits, in seconds; `None` without packed orders.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WaitFigures {
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

impl WaitFigures {
    /// From waits in any order, as the server's summary takes them.
    pub fn of(mut waits_secs: Vec<f64>) -> WaitFigures {
        waits_secs.sort_by(f64::total_cmp);
        let n = waits_secs.len();
        if n == 0 {
            return WaitFigures::default();
        }
        let low = waits_secs[n.div_ceil(2) - 1];
        let high = waits_secs[n / 2];
        WaitFigures {
            median_secs: Some((low + high) / 2.0),
            p90_secs: Some(waits_secs[(9 * n).div_ceil(10) - 1]),
        }
    }
}

/// One store's line of the wait chart.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreWaits {
    pub store: String,
    pub orders_today: u32,
    pub today: WaitFigures,
    /// The reference days' figures, once loaded (`None` also for a store without
    /// orders then).
    pub reference: Option<WaitFigures>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OldestPending {
    pub order_number: String,
    pub store: String,
    pub created_at: DateTime<Utc>,
}

/// Everything the dashboard draws.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayFigures {
    /// By local hour of the day (0–23) in the window's zone.
    pub entered: [u32; 24],
    pub packed: [u32; 24],
    pub pending: u32,
    pub stores: Vec<StoreWaits>,
    pub oldest_pending: Option<OldestPending>,
}

impl TodayFigures {
    pub fn entered_total(&self) -> u32 {
        self.entered.iter().sum()
    }

    pub fn packed_total(&self) -> u32 {
        self.packed.iter().sum()
    }
}

/// The reference days' summary, as far as it came.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Reference {
    #[default]
    NotAsked,
    Loading {
        export_id: u32,
        day: NaiveDate,
        text: String,
    },
    /// Per store name, for the days before `day`.
    Loaded {
        day: NaiveDate,
        stores: BTreeMap<String, WaitFigures>,
    },
    /// Refused, lost with the connection, or too large; asked again with Refresh.
    Unavailable { day: NaiveDate },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dashboard {
    pub reference: Reference,
    asked: u32,
    requests: Vec<LinkRequest>,
}

impl Dashboard {
    /// Whether the reference for `today` is still to be asked for (never asked, or
    /// held for another day).
    pub fn wants_reference(&self, today: NaiveDate) -> bool {
        match &self.reference {
            Reference::NotAsked => true,
            Reference::Loading { day, .. }
            | Reference::Loaded { day, .. }
            | Reference::Unavailable { day } => *day != today,
        }
    }

    /// Asks for the summary of the [`REFERENCE_DAYS`] before `today`.
    pub fn ask_reference(&mut self, today: NaiveDate) {
        let (Some(from), Some(to)) = (
            today.checked_sub_days(Days::new(REFERENCE_DAYS)),
            today.pred_opt(),
        ) else {
            return;
        };
        if let Reference::Loading { export_id, .. } = self.reference {
            self.requests.push(LinkRequest::ExportCancel { export_id });
        }
        self.asked = self.asked.wrapping_add(1) % REFERENCE_ID_BASE;
        let export_id = REFERENCE_ID_BASE | self.asked;
        self.requests.push(LinkRequest::ExportStart {
            export_id,
            kind: ExportKind::Summary,
            from: from.format(super::exports::DATE_FORMAT).to_string(),
            to: to.format(super::exports::DATE_FORMAT).to_string(),
            stores: Vec::new(),
            delimiter: ExportDelimiter::Comma,
        });
        self.reference = Reference::Loading {
            export_id,
            day: today,
            text: String::new(),
        };
    }

    /// Whether export `export_id` is the dashboard's (and not the Exports screen's).
    pub fn owns(export_id: u32) -> bool {
        export_id & REFERENCE_ID_BASE != 0
    }

    pub fn on_piece(&mut self, export_id: u32, data: &str, done: bool) {
        let Reference::Loading {
            export_id: loading,
            day,
            text,
        } = &mut self.reference
        else {
            return;
        };
        if *loading != export_id {
            return;
        }
        let day = *day;
        if text.len() + data.len() > MAX_REFERENCE_BYTES {
            tracing::warn!("the reference summary is too large to hold; showing today alone");
            self.requests.push(LinkRequest::ExportCancel { export_id });
            self.reference = Reference::Unavailable { day };
            return;
        }
        text.push_str(data);
        if !done {
            self.requests.push(LinkRequest::ExportNext { export_id });
            return;
        }
        self.reference = match parse_summary(text) {
            Some(stores) => Reference::Loaded { day, stores },
            None => Reference::Unavailable { day },
        };
    }

    pub fn on_refused(&mut self, export_id: u32, code: ErrorCode) {
        if let Reference::Loading {
            export_id: loading,
            day,
            ..
        } = self.reference
            && loading == export_id
        {
            tracing::info!(%code, "the reference summary was refused");
            self.reference = Reference::Unavailable { day };
        }
    }

    pub fn on_disconnected(&mut self) {
        if let Reference::Loading { day, .. } = self.reference {
            self.reference = Reference::Unavailable { day };
        }
    }

    /// Requests for the link, oldest first.
    pub fn take_requests(&mut self) -> Vec<LinkRequest> {
        std::mem::take(&mut self.requests)
    }

    fn reference_of(&self, store: &str) -> Option<WaitFigures> {
        match &self.reference {
            Reference::Loaded { stores, .. } => {
                Some(stores.get(store).copied().unwrap_or_default())
            }
            _ => None,
        }
    }
}

/// Store name → median and p90 from the summary report's text (comma separated, with
/// the byte order mark); `None` when it is not that report.
fn parse_summary(text: &str) -> Option<BTreeMap<String, WaitFigures>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().ok()?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (store, median, p90) = (
        column("store")?,
        column("wait_median_seconds")?,
        column("wait_p90_seconds")?,
    );
    let seconds = |field: Option<&str>| field.and_then(|f| f.parse::<f64>().ok());
    let mut stores = BTreeMap::new();
    for record in reader.records() {
        let record = record.ok()?;
        let name = record.get(store)?.to_owned();
        stores.insert(
            name,
            WaitFigures {
                median_secs: seconds(record.get(median)),
                p90_secs: seconds(record.get(p90)),
            },
        );
    }
    Some(stores)
}

/// Today's figures from the live site state: orders created since `day_start`, those
/// packed since then, and the oldest order still pending (of any day).
pub fn today_figures(
    site: &SiteState,
    dashboard: &Dashboard,
    day_start: DateTime<Utc>,
    zone: Zone,
) -> TodayFigures {
    let hour_of = |at: DateTime<Utc>| -> Option<usize> {
        let hour = zone.format(at, "%H").parse::<usize>().ok()?;
        (at >= day_start && hour < 24).then_some(hour)
    };
    let mut entered = [0; 24];
    let mut packed = [0; 24];
    let mut pending = 0;
    let mut waits: BTreeMap<StoreId, (u32, Vec<f64>)> = BTreeMap::new();
    let mut oldest: Option<&packbell_shared::protocol::Order> = None;
    for order in site.orders.values() {
        if order.status == OrderStatus::Pending {
            pending += 1;
            if oldest.is_none_or(|o| order.created_at < o.created_at) {
                oldest = Some(order);
            }
        }
        if order.status == OrderStatus::Packed
            && let Some(hour) = order.status_at.and_then(hour_of)
        {
            packed[hour] += 1;
        }
        let Some(hour) = hour_of(order.created_at) else {
            continue;
        };
        entered[hour] += 1;
        let store = waits.entry(order.store_id).or_default();
        store.0 += 1;
        if order.status == OrderStatus::Packed
            && let Some(at) = order.status_at
        {
            store
                .1
                .push((at - order.created_at).num_milliseconds() as f64 / 1000.0);
        }
    }
    let name = |store_id: StoreId| {
        site.store_name(store_id)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("#{store_id}"))
    };
    let stores = waits
        .into_iter()
        .map(|(store_id, (orders, waits))| {
            let store = name(store_id);
            StoreWaits {
                reference: dashboard.reference_of(&store),
                store,
                orders_today: orders,
                today: WaitFigures::of(waits),
            }
        })
        .collect();
    TodayFigures {
        entered,
        packed,
        pending,
        stores,
        oldest_pending: oldest.map(|order| OldestPending {
            order_number: order.order_number.clone(),
            store: name(order.store_id),
            created_at: order.created_at,
        }),
    }
}

#[cfg(test)]
#[path = "today_tests.rs"]
mod tests;
