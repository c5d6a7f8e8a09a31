//! The stock alert banner's state: the site's open stock alerts as snapshots and
//! events tell them, the ones this PC's station shows, and what each new alert or
//! escalation should announce. Pure: the window draws [`StockBanner::visible`] and the
//! alert service plays what [`StockBanner::take_notices`] returns.

use std::collections::{BTreeMap, BTreeSet};

use packbell_shared::protocol::{
    AlertAck, AlertId, Command, Event, EventBody, Severity, StockAlert, StoreId,
};

/// Notices kept while nobody takes them; older ones are dropped first (the banner
/// still shows every open alert).
pub const MAX_WAITING_NOTICES: usize = 32;

/// Something to announce: a new alert, or one that reached a higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockNotice {
    pub alert_id: AlertId,
    pub sku: String,
    pub severity: Severity,
    pub level: u8,
    /// Critical alerts chime with their own sound (never an order's chime).
    pub chime: bool,
}

#[derive(Debug, Default)]
pub struct StockBanner {
    open: BTreeMap<AlertId, StockAlert>,
    notices: Vec<StockNotice>,
}

impl StockBanner {
    /// The open alerts of a (re)loaded snapshot; a load announces nothing.
    pub fn reset(&mut self, alerts: &[StockAlert]) {
        self.open = alerts.iter().map(|a| (a.alert_id, a.clone())).collect();
        self.notices.clear();
    }

    /// Follows one event. Replayed events (catch-up) update the banner silently.
    pub fn apply(&mut self, event: &Event, replayed: bool) {
        let notice = match &event.body {
            EventBody::AlertRaised {
                alert_id,
                alert_kind,
                severity,
                sku,
                lot,
                store_id,
                ..
            } => {
                self.open.insert(
                    *alert_id,
                    StockAlert {
                        alert_id: *alert_id,
                        alert_kind: *alert_kind,
                        severity: *severity,
                        sku: sku.clone(),
                        lot: lot.clone(),
                        store_id: *store_id,
                        level: 1,
                        raised_at: event.at,
                        acknowledged: None,
                    },
                );
                self.notice_for(*alert_id)
            }
            EventBody::AlertEscalated { alert_id, level } => {
                match self.open.get_mut(alert_id) {
                    Some(alert) => alert.level = *level,
                    None => return,
                }
                self.notice_for(*alert_id)
            }
            EventBody::AlertAcknowledged { alert_id, comment } => {
                if let Some(alert) = self.open.get_mut(alert_id) {
                    alert.acknowledged = Some(AlertAck {
                        by: event.device,
                        at: event.at,
                        comment: comment.clone(),
                    });
                }
                None
            }
            EventBody::AlertResolved { alert_id } => {
                self.open.remove(alert_id);
                self.notices.retain(|n| n.alert_id != *alert_id);
                None
            }
            _ => None,
        };
        if let Some(notice) = notice.filter(|_| !replayed) {
            if self.notices.len() == MAX_WAITING_NOTICES {
                self.notices.remove(0);
            }
            self.notices.push(notice);
        }
    }

    fn notice_for(&self, alert_id: AlertId) -> Option<StockNotice> {
        let alert = self.open.get(&alert_id)?;
        Some(StockNotice {
            alert_id,
            sku: alert.sku.clone(),
            severity: alert.severity,
            level: alert.level,
            chime: alert.severity == Severity::Critical,
        })
    }

    /// The open alerts for a station (every store when it is empty; site-wide alerts
    /// everywhere): critical first, then the highest level, then the oldest.
    pub fn visible(&self, station: &BTreeSet<StoreId>) -> Vec<&StockAlert> {
        let mut shown: Vec<&StockAlert> = self
            .open
            .values()
            .filter(|alert| {
                station.is_empty() || alert.store_id.is_none_or(|store| station.contains(&store))
            })
            .collect();
        shown.sort_by_key(|alert| {
            (
                std::cmp::Reverse(alert.severity),
                std::cmp::Reverse(alert.level),
                alert.raised_at,
                alert.alert_id,
            )
        });
        shown
    }

    /// The announcements of this station's alerts since the last call.
    pub fn take_notices(&mut self, station: &BTreeSet<StoreId>) -> Vec<StockNotice> {
        let open = &self.open;
        std::mem::take(&mut self.notices)
            .into_iter()
            .filter(|notice| {
                open.get(&notice.alert_id).is_some_and(|alert| {
                    station.is_empty()
                        || alert.store_id.is_none_or(|store| station.contains(&store))
                })
            })
            .collect()
    }

    /// The command of the banner's acknowledge button.
    pub fn acknowledge(alert_id: AlertId, comment: &str) -> Command {
        Command::AckAlert {
            alert_id,
            comment: comment.trim().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use packbell_shared::protocol::AlertKind;

    fn event(seq: u64, body: EventBody) -> Event {
        Event {
            seq,
            at: Utc::now(),
            device: 0,
            body,
        }
    }

    fn raised(alert_id: AlertId, kind: AlertKind, store_id: Option<StoreId>) -> Event {
        event(
            alert_id,
            EventBody::AlertRaised {
                alert_id,
                alert_kind: kind,
                severity: kind.severity(),
                sku: format!("SKU-{alert_id}"),
                lot: None,
                store_id,
                quantity: 1,
                expiry: None,
            },
        )
    }

    fn station(stores: &[StoreId]) -> BTreeSet<StoreId> {
        stores.iter().copied().collect()
    }

    #[test]
    fn a_station_sees_its_stores_and_site_wide_alerts_critical_first() {
        let mut banner = StockBanner::default();
        banner.apply(&raised(1, AlertKind::Over, Some(2)), false);
        banner.apply(&raised(2, AlertKind::Low, Some(3)), false);
        banner.apply(&raised(3, AlertKind::Expired, None), false);
        let ids = |alerts: Vec<&StockAlert>| alerts.iter().map(|a| a.alert_id).collect::<Vec<_>>();
        assert_eq!(ids(banner.visible(&station(&[2]))), vec![3, 1]);
        assert_eq!(ids(banner.visible(&station(&[]))), vec![2, 3, 1]);
    }

    #[test]
    fn critical_alerts_chime_at_each_level_and_replays_stay_silent() {
        let mut banner = StockBanner::default();
        banner.apply(&raised(1, AlertKind::Low, Some(2)), false);
        banner.apply(&raised(2, AlertKind::Over, Some(2)), false);
        banner.apply(&raised(3, AlertKind::Low, Some(2)), true);
        let notices = banner.take_notices(&station(&[2]));
        let chimes: Vec<(AlertId, bool)> = notices.iter().map(|n| (n.alert_id, n.chime)).collect();
        assert_eq!(chimes, vec![(1, true), (2, false)]);
        banner.apply(
            &event(
                9,
                EventBody::AlertEscalated {
                    alert_id: 1,
                    level: 2,
                },
            ),
            false,
        );
        let again = banner.take_notices(&station(&[2]));
        assert_eq!((again[0].level, again[0].chime), (2, true));
        assert!(banner.take_notices(&station(&[7])).is_empty());
    }

    #[test]
    fn the_model_shows_its_station_s_alerts_from_the_snapshot_and_announces_live_ones() {
        use crate::model::Model;
        use crate::settings::Settings;
        use packbell_shared::link::LinkEvent;
        use packbell_shared::protocol::Snapshot;

        let mut model = Model::new(Settings {
            station: station(&[2]),
            ..Settings::default()
        });
        let mut loaded = StockBanner::default();
        loaded.apply(&raised(1, AlertKind::Low, Some(2)), false);
        loaded.apply(&raised(2, AlertKind::Low, Some(5)), false);
        let alerts: Vec<StockAlert> = loaded.open.values().cloned().collect();
        let snapshot = Snapshot {
            seq: 10,
            alerts,
            ..Snapshot::default()
        };
        let now = Utc::now();
        model.handle(
            LinkEvent::Reset {
                snapshot,
                stale: false,
            },
            now,
        );
        let shown: Vec<AlertId> = model.stock_alerts().iter().map(|a| a.alert_id).collect();
        assert_eq!(shown, vec![1], "store 5 is another station's");
        assert!(model.take_stock_notices().is_empty(), "a load is not news");
        model.handle(LinkEvent::CaughtUp { seq: 10 }, now);
        model.handle(
            LinkEvent::Event {
                event: event(11, raised(3, AlertKind::Expired, Some(2)).body),
                replayed: false,
            },
            now,
        );
        let notices = model.take_stock_notices();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].chime, "expired is critical");
    }

    #[test]
    fn acknowledged_alerts_stay_until_resolved() {
        let mut banner = StockBanner::default();
        banner.apply(&raised(1, AlertKind::Low, None), false);
        banner.apply(
            &event(
                2,
                EventBody::AlertAcknowledged {
                    alert_id: 1,
                    comment: "ordered".into(),
                },
            ),
            false,
        );
        let shown = banner.visible(&station(&[]));
        assert_eq!(
            shown[0].acknowledged.as_ref().map(|a| a.comment.as_str()),
            Some("ordered")
        );
        banner.apply(&event(3, EventBody::AlertResolved { alert_id: 1 }), false);
        assert!(banner.visible(&station(&[])).is_empty());
        assert!(
            banner.take_notices(&station(&[])).is_empty(),
            "a resolved alert is not news"
        );
        assert_eq!(
            StockBanner::acknowledge(1, " seen "),
            Command::AckAlert {
                alert_id: 1,
                comment: "seen".into()
            }
        );
    }
}
