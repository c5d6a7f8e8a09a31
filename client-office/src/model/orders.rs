//! Today's orders: the rows of the live list, searched and filtered.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{ErrorCode, OrderId, OrderStatus, Priority, StoreId};
use serde::{Deserialize, Serialize};

use super::{Model, Operation, SubmissionState};
use crate::text::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RowStatus {
    /// In this PC's outbox; the server does not have it yet.
    Queued,
    Pending,
    Packed,
    Cancelled,
    /// The server refused it (e.g. the store was deactivated meanwhile).
    Refused,
}

impl RowStatus {
    pub const ALL: [RowStatus; 5] = [
        RowStatus::Queued,
        RowStatus::Pending,
        RowStatus::Packed,
        RowStatus::Cancelled,
        RowStatus::Refused,
    ];
}

/// Search and filters over the list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListFilter {
    /// Part of an order number, any case.
    pub search: String,
    pub store: Option<StoreId>,
    pub status: Option<RowStatus>,
}

/// One line of the list, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    pub order_id: Option<OrderId>,
    pub key: Option<String>,
    pub order_number: String,
    pub store_id: StoreId,
    pub store: String,
    pub note: String,
    pub rush: bool,
    pub status: RowStatus,
    /// When the order was entered (server time once committed).
    pub entered_at: DateTime<Utc>,
    /// When and by whom it was packed or cancelled.
    pub status_at: Option<DateTime<Utc>>,
    pub status_by: Option<String>,
    /// From entry to packed.
    pub packed_after: Option<Duration>,
    pub cancel_reason: String,
    /// Why the server refused it (the ui says it in words).
    pub refusal: Option<ErrorCode>,
    /// A cancel for it is waiting for the server.
    pub cancelling: bool,
    /// A reopen or an edit for it is waiting for the server.
    pub undoing: bool,
    /// Entered on this PC.
    pub mine: bool,
}

impl OrderRow {
    pub fn can_cancel(&self) -> bool {
        self.status == RowStatus::Pending && self.order_id.is_some() && !self.cancelling
    }

    pub fn can_edit(&self) -> bool {
        self.can_cancel() && !self.undoing
    }

    pub fn can_reopen(&self) -> bool {
        self.status == RowStatus::Packed && self.order_id.is_some() && !self.undoing
    }
}

impl Model {
    /// Today's orders (entered since `day_start`), plus anything still pending or
    /// queued from before; newest first.
    pub fn today_rows(&self, day_start: DateTime<Utc>) -> Vec<OrderRow> {
        let cancelling: BTreeSet<OrderId> = self
            .operations
            .values()
            .filter_map(|op| match op {
                Operation::Cancel { order_id, .. } => Some(*order_id),
                _ => None,
            })
            .collect();
        let undoing: BTreeSet<OrderId> = self.undoing().collect();
        let my_orders: BTreeSet<OrderId> = self
            .submissions
            .values()
            .filter_map(|s| s.order_id())
            .collect();
        let mut rows: Vec<OrderRow> = self
            .site
            .orders
            .values()
            .filter(|o| o.created_at >= day_start || o.status == OrderStatus::Pending)
            .map(|o| {
                let status = match o.status {
                    OrderStatus::Pending => RowStatus::Pending,
                    OrderStatus::Packed => RowStatus::Packed,
                    OrderStatus::Cancelled => RowStatus::Cancelled,
                };
                let done = status != RowStatus::Pending;
                OrderRow {
                    order_id: Some(o.order_id),
                    key: None,
                    order_number: o.order_number.clone(),
                    store_id: o.store_id,
                    store: self.store_name(o.store_id),
                    note: o.note.clone(),
                    rush: o.priority == Priority::Rush,
                    status,
                    entered_at: o.created_at,
                    status_at: o.status_at.filter(|_| done),
                    status_by: o.status_by.filter(|_| done).map(|d| self.device_label(d)),
                    packed_after: match (status, o.status_at) {
                        (RowStatus::Packed, Some(at)) => Some(at - o.created_at),
                        _ => None,
                    },
                    cancel_reason: o.cancel_reason.clone(),
                    refusal: None,
                    cancelling: cancelling.contains(&o.order_id),
                    undoing: undoing.contains(&o.order_id),
                    mine: my_orders.contains(&o.order_id),
                }
            })
            .collect();
        for submission in self.submissions.values() {
            let (status, refusal) = match &submission.state {
                SubmissionState::Handed | SubmissionState::Queued => (RowStatus::Queued, None),
                // Committed, but the event has not reached us yet.
                SubmissionState::Acked { order_id } => match order_id {
                    Some(id) if self.site.orders.contains_key(id) => continue,
                    _ => (RowStatus::Pending, None),
                },
                SubmissionState::Refused { code, .. } => (RowStatus::Refused, Some(*code)),
            };
            rows.push(OrderRow {
                order_id: submission.order_id(),
                key: Some(submission.key.clone()),
                order_number: submission.order_number.clone(),
                store_id: submission.store_id,
                store: self.store_name(submission.store_id),
                note: submission.note.clone(),
                rush: submission.priority == Priority::Rush,
                status,
                entered_at: submission.submitted_at,
                status_at: None,
                status_by: None,
                packed_after: None,
                cancel_reason: String::new(),
                refusal,
                cancelling: false,
                undoing: false,
                mine: true,
            });
        }
        rows.sort_by(|a, b| {
            b.entered_at
                .cmp(&a.entered_at)
                .then_with(|| b.order_id.cmp(&a.order_id))
        });
        rows
    }

    /// [`Model::today_rows`] with the search and filters applied.
    pub fn visible_rows(&self, day_start: DateTime<Utc>) -> Vec<OrderRow> {
        let search = fold(&self.filter.search);
        self.today_rows(day_start)
            .into_iter()
            .filter(|row| search.is_empty() || fold(&row.order_number).contains(&search))
            .filter(|row| self.filter.store.is_none_or(|id| row.store_id == id))
            .filter(|row| self.filter.status.is_none_or(|s| row.status == s))
            .collect()
    }

    /// How many of today's orders are in each status.
    pub fn status_counts(&self, day_start: DateTime<Utc>) -> Vec<(RowStatus, usize)> {
        let rows = self.today_rows(day_start);
        RowStatus::ALL
            .into_iter()
            .map(|status| (status, rows.iter().filter(|r| r.status == status).count()))
            .collect()
    }
}
