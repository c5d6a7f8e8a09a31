//! Search and scan: the search box's filter, and what a scanned order number does.
//!
//! A barcode scanner is a keyboard that types the number and Enter; the UI collects
//! the characters and hands the number to [`Model::scan`], which decides here.

use packbell_shared::protocol::{Order, OrderId, OrderStatus};

use super::Model;

/// Longest search or scanned text kept; more is cut (no order number is this long).
pub const MAX_SEARCH_CHARS: usize = 64;

/// What a scanned number did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    /// The order is pending and now selected, at this row of the list.
    Selected { order_id: OrderId, row: usize },
    /// The order is pending and is to be packed now ("scan packs", or scanned again
    /// while selected).
    Pack { order_id: OrderId },
    /// The order cannot be packed; the UI says why, large.
    Refused(ScanRefusal),
}

/// Why a scanned number was refused. Each carries the number as scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRefusal {
    Unknown(String),
    Packed(String),
    Cancelled(String),
}

/// The search box's text, lowercased for matching.
#[derive(Debug, Default)]
pub(super) struct Search {
    query: String,
    folded: String,
}

impl Search {
    pub(super) fn matches(&self, order: &Order) -> bool {
        self.folded.is_empty() || order.order_number.to_lowercase().contains(&self.folded)
    }
}

/// `text` trimmed and cut to [`MAX_SEARCH_CHARS`].
fn clean(text: &str) -> String {
    text.trim().chars().take(MAX_SEARCH_CHARS).collect()
}

impl Model {
    /// Filters the list to orders whose number contains `query` (any case).
    pub fn set_search(&mut self, query: &str) {
        let query = clean(query);
        if query != self.search.query {
            self.search.folded = query.to_lowercase();
            self.search.query = query;
            self.touch();
        }
    }

    pub fn search_query(&self) -> &str {
        &self.search.query
    }

    /// A number was scanned (or typed) and Enter pressed with the list focused.
    /// A pending order is selected, and brought into the list if the search or the
    /// store tabs hid it; scanned again while selected, or with "scan packs", it is to
    /// be packed. Anything else is refused with the reason, and clears the selection so
    /// that a following Enter packs nothing.
    pub fn scan(&mut self, number: &str) -> ScanOutcome {
        let outcome = self.scan_outcome(number);
        if matches!(outcome, ScanOutcome::Refused(_)) {
            self.selected = None;
        }
        outcome
    }

    fn scan_outcome(&mut self, number: &str) -> ScanOutcome {
        let number = clean(number);
        let Some(order) = self
            .site
            .orders
            .values()
            .filter(|o| o.order_number == number)
            .max_by_key(|o| {
                (
                    self.effective_status(o) == OrderStatus::Pending,
                    o.created_at,
                )
            })
        else {
            return ScanOutcome::Refused(ScanRefusal::Unknown(number));
        };
        let order_id = order.order_id;
        match self.effective_status(order) {
            OrderStatus::Pending => {}
            OrderStatus::Packed => return ScanOutcome::Refused(ScanRefusal::Packed(number)),
            OrderStatus::Cancelled => return ScanOutcome::Refused(ScanRefusal::Cancelled(number)),
        }
        if self.settings.scan_packs || self.selected() == Some(order_id) {
            return ScanOutcome::Pack { order_id };
        }
        if !self.visible().contains(&order_id) {
            self.set_search("");
        }
        if !self.visible().contains(&order_id) {
            self.set_store_filter(Default::default());
        }
        self.selected = Some(order_id);
        let row = self
            .visible()
            .iter()
            .position(|id| *id == order_id)
            .unwrap_or_default();
        ScanOutcome::Selected { order_id, row }
    }
}
