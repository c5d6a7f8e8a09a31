//! The Today dashboard's figures: per hour, per store, the oldest pending order, and
//! the reference days' summary asked for and read.

use chrono::TimeZone;
use packbell_shared::protocol::{Order, Priority, Snapshot, Store};

use super::*;

fn t(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0)
        .single()
        .expect("a time")
}

fn order(
    id: u64,
    store_id: StoreId,
    created: DateTime<Utc>,
    packed_after_secs: Option<i64>,
) -> Order {
    Order {
        order_id: id,
        order_number: format!("A-{id}"),
        store_id,
        note: String::new(),
        priority: Priority::Normal,
        status: if packed_after_secs.is_some() {
            OrderStatus::Packed
        } else {
            OrderStatus::Pending
        },
        created_at: created,
        created_by: 1,
        status_at: packed_after_secs.map(|s| created + chrono::Duration::seconds(s)),
        status_by: None,
        cancel_reason: String::new(),
        acknowledged: false,
    }
}

fn site(orders: Vec<Order>) -> SiteState {
    let mut site = SiteState::default();
    site.load_snapshot(Snapshot {
        ageing: None,
        seq: 1,
        stores: vec![
            Store {
                store_id: 1,
                name: "Centro".into(),
                active: true,
            },
            Store {
                store_id: 2,
                name: "Norte".into(),
                active: true,
            },
        ],
        orders,
        devices: Vec::new(),
        items: Vec::new(),
        alerts: Vec::new(),
        more: false,
    });
    site
}

#[test]
fn median_and_p90_are_taken_as_the_summary_report_takes_them() {
    let of = |waits: &[f64]| WaitFigures::of(waits.to_vec());
    assert_eq!(of(&[9.0, 1.0, 2.0]).median_secs, Some(2.0));
    assert_eq!(of(&[1.0, 2.0, 3.0, 10.0]).median_secs, Some(2.5));
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(of(&ten).p90_secs, Some(9.0));
    assert_eq!(of(&[]), WaitFigures::default());
}

#[test]
fn today_counts_entries_and_packing_by_hour_and_waits_by_store() {
    let site = site(vec![
        // Yesterday, packed today at 08:10: packed counts, entered does not.
        order(
            1,
            1,
            t(0, 0) - chrono::Duration::hours(2),
            Some(8 * 3600 + 600 + 7200),
        ),
        order(2, 1, t(9, 0), Some(60)),
        order(3, 1, t(9, 30), Some(180)),
        order(4, 2, t(10, 5), None),
        order(5, 2, t(11, 0), None),
    ]);
    let figures = today_figures(&site, &Dashboard::default(), t(0, 0), Zone::utc());
    assert_eq!(figures.entered[9], 2);
    assert_eq!(figures.entered[10], 1);
    assert_eq!(figures.entered_total(), 4);
    assert_eq!((figures.packed[8], figures.packed[9]), (1, 2));
    assert_eq!(figures.pending, 2);
    let centro = &figures.stores[0];
    assert_eq!(centro.store, "Centro");
    assert_eq!(centro.today.median_secs, Some(120.0));
    assert_eq!(centro.today.p90_secs, Some(180.0));
    assert_eq!(centro.reference, None);
    let norte = &figures.stores[1];
    assert_eq!((norte.orders_today, norte.today.median_secs), (2, None));
    let oldest = figures.oldest_pending.expect("one is pending");
    assert_eq!(
        (oldest.order_number.as_str(), oldest.store.as_str()),
        ("A-4", "Norte")
    );
}

#[test]
fn hours_follow_the_windows_zone() {
    let site = site(vec![order(1, 1, t(9, 0), None)]);
    let madrid = Zone::hours_east(1).expect("a zone");
    let day_start = madrid.day_start(t(12, 0));
    let figures = today_figures(&site, &Dashboard::default(), day_start, madrid);
    assert_eq!(figures.entered[10], 1);
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 9).expect("a date")
}

#[test]
fn the_reference_is_the_summary_of_the_seven_days_before_today() {
    let mut dashboard = Dashboard::default();
    assert!(dashboard.wants_reference(today()));
    dashboard.ask_reference(today());
    assert!(!dashboard.wants_reference(today()));
    let requests = dashboard.take_requests();
    let [
        LinkRequest::ExportStart {
            export_id,
            kind: ExportKind::Summary,
            from,
            to,
            ..
        },
    ] = requests.as_slice()
    else {
        panic!("a summary export: {requests:?}");
    };
    assert!(Dashboard::owns(*export_id));
    assert!(!Dashboard::owns(1));
    assert_eq!((from.as_str(), to.as_str()), ("2026-03-02", "2026-03-08"));
    let id = *export_id;

    let header = "\u{feff}store,orders,packed,cancelled,pending,wait_mean_seconds,wait_median_seconds,wait_p90_seconds,wait_max_seconds\r\n";
    dashboard.on_piece(id, header, false);
    assert_eq!(
        dashboard.take_requests(),
        [LinkRequest::ExportNext { export_id: id }]
    );
    let rows = "Centro,40,38,1,1,95.0,80.5,200.0,400.0\r\nNorte,3,0,0,3,,,,\r\nAll stores,43,38,1,4,95.0,80.5,200.0,400.0\r\n";
    dashboard.on_piece(id, rows, true);
    assert!(dashboard.take_requests().is_empty());
    let centro = dashboard.reference_of("Centro").expect("loaded");
    assert_eq!(
        (centro.median_secs, centro.p90_secs),
        (Some(80.5), Some(200.0))
    );
    assert_eq!(
        dashboard.reference_of("Norte"),
        Some(WaitFigures::default())
    );
    assert!(dashboard.wants_reference(today().succ_opt().expect("a day")));
}

#[test]
fn a_refused_lost_or_oversized_reference_is_unavailable() {
    let mut dashboard = Dashboard::default();
    dashboard.ask_reference(today());
    let id = match dashboard.reference {
        Reference::Loading { export_id, .. } => export_id,
        _ => panic!("loading"),
    };
    dashboard.on_refused(id, ErrorCode::Internal);
    assert_eq!(dashboard.reference, Reference::Unavailable { day: today() });

    dashboard.ask_reference(today());
    dashboard.on_disconnected();
    assert_eq!(dashboard.reference, Reference::Unavailable { day: today() });

    dashboard.ask_reference(today());
    let id = match dashboard.reference {
        Reference::Loading { export_id, .. } => export_id,
        _ => panic!("loading"),
    };
    dashboard.take_requests();
    dashboard.on_piece(id, &"x".repeat(MAX_REFERENCE_BYTES + 1), false);
    assert_eq!(dashboard.reference, Reference::Unavailable { day: today() });
    assert_eq!(
        dashboard.take_requests(),
        [LinkRequest::ExportCancel { export_id: id }]
    );
}
