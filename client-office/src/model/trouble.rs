//! Trouble as the office shows it: the banner across the top while the link is down
//! (since when, what waits, what to check), the one message line (latest wins,
//! success fades, errors stay until dismissed), and the link's notices sorted into
//! kinds people can be told about. Pure: the caller passes the time.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use packbell_shared::link::cause::{OfflineCause, offline_cause};
use packbell_shared::link::{LinkStatus, OutboxReport};
use packbell_shared::protocol::{Command, ErrorCode};

use super::{Feedback, Model};

/// A success or information message leaves the message line this long after it
/// appeared; errors stay until dismissed or replaced by a newer message.
pub const MESSAGE_FADES_AFTER: Duration = Duration::seconds(6);

/// What the banner across the top of the window says is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Trouble {
    /// The link is retrying; `cause` says what to check.
    Offline {
        since: DateTime<Utc>,
        cause: OfflineCause,
        waiting: Waiting,
        /// The link's own words, for Details and the log.
        detail: String,
    },
    /// The server refused this PC for good (revoked, or another protocol version).
    Refused { detail: String },
}

/// What the link's outbox still holds for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting {
    pub orders: usize,
    /// Cancels and admin changes.
    pub other: usize,
}

/// The link's outbox as it reports it ([`OutboxReport`]): key → is it a new order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutboxView {
    waiting: BTreeMap<String, bool>,
}

impl OutboxView {
    pub fn apply(&mut self, report: &OutboxReport) {
        match report {
            OutboxReport::Waiting(items) | OutboxReport::Queued(items) => {
                for item in items {
                    let order = matches!(item.command, Command::CreateOrder { .. });
                    self.waiting.insert(item.key.clone(), order);
                }
            }
            OutboxReport::Sent(_) => {}
            OutboxReport::Answered(keys) => {
                for key in keys {
                    self.waiting.remove(key);
                }
            }
        }
    }

    pub fn waiting(&self) -> Waiting {
        let orders = self.waiting.values().filter(|order| **order).count();
        Waiting {
            orders,
            other: self.waiting.len() - orders,
        }
    }
}

/// A problem the link reported outside any command (from [`LinkEvent::Notice`]
/// (packbell_shared::link::LinkEvent::Notice)), sorted by what people can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A request that needs the server was made while offline.
    NotConnected,
    /// This PC's saved link data could not be read (queued orders may be missing).
    SavedDataUnreadable,
    /// The pairing holds for this run only.
    PairingNotSaved,
    /// The window's own settings file could not be written.
    SettingsNotSaved,
    /// The server answered with an error that belongs to no command of ours.
    Server(ErrorCode),
    /// Anything else the link said.
    Other,
}

impl NoticeKind {
    /// Sorts a notice by the link's wording (see `shared/src/link/logic`).
    pub fn of(text: &str) -> NoticeKind {
        if text.contains("not connected to the server") {
            NoticeKind::NotConnected
        } else if text.contains("cannot read this computer's saved data") {
            NoticeKind::SavedDataUnreadable
        } else if text.contains("could not save its pairing") {
            NoticeKind::PairingNotSaved
        } else {
            NoticeKind::Other
        }
    }
}

/// When the message now in [`Model::feedback`] first appeared, so that it can fade.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageClock {
    seen: Option<Feedback>,
    since: Option<DateTime<Utc>>,
}

impl Feedback {
    /// Errors stay until dismissed; the rest fades.
    pub fn is_error(&self) -> bool {
        match self {
            Feedback::Confirmed { .. } | Feedback::Queued { .. } | Feedback::OperationDone(_) => {
                false
            }
            Feedback::OrderRefused { .. }
            | Feedback::OperationRefused(..)
            | Feedback::NotSent(_)
            | Feedback::Notice(..)
            | Feedback::UndoRefused(..) => true,
        }
    }

    /// The technical cause, for the Details toggle and the log; never the main text.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Feedback::OrderRefused { message, .. }
            | Feedback::OperationRefused(_, _, message)
            | Feedback::NotSent(message)
            | Feedback::Notice(_, message) => Some(message.as_str()),
            Feedback::Confirmed { .. }
            | Feedback::Queued { .. }
            | Feedback::OperationDone(_)
            | Feedback::UndoRefused(..) => None,
        }
    }
}

impl Model {
    /// What the banner shows, if anything is wrong with the link.
    pub fn trouble(&self) -> Option<Trouble> {
        match &self.link {
            LinkStatus::Reconnecting { since, reason, .. } => Some(Trouble::Offline {
                since: *since,
                cause: offline_cause(reason),
                waiting: self.outbox.waiting(),
                detail: reason.clone(),
            }),
            LinkStatus::Refused { reason } => Some(Trouble::Refused {
                detail: reason.clone(),
            }),
            LinkStatus::Connecting | LinkStatus::NeedsPairing { .. } => None,
            LinkStatus::Connected { .. } => None,
        }
    }

    /// "Showing the last known state" only when there is one: a first run has none.
    pub fn shows_last_known_state(&self) -> bool {
        self.stale && self.site.seq > 0
    }

    /// Notes when the current message first appeared; true when it is new (the
    /// caller logs its detail once).
    pub fn track_message(&mut self, now: DateTime<Utc>) -> bool {
        if self.message_clock.seen == self.feedback {
            return false;
        }
        self.message_clock.seen = self.feedback.clone();
        self.message_clock.since = Some(now);
        self.feedback.is_some()
    }

    /// The message line: the latest message, unless it was a success that has faded.
    pub fn message(&self, now: DateTime<Utc>) -> Option<&Feedback> {
        let feedback = self.feedback.as_ref()?;
        match self.message_fades_in(now) {
            Some(left) if left <= Duration::zero() => None,
            _ => Some(feedback),
        }
    }

    /// How long until the shown message fades (`None` for errors, which stay).
    pub fn message_fades_in(&self, now: DateTime<Utc>) -> Option<Duration> {
        let feedback = self.feedback.as_ref()?;
        if feedback.is_error() {
            return None;
        }
        let since = match (&self.message_clock.seen, self.message_clock.since) {
            (Some(seen), Some(since)) if seen == feedback => since,
            // Not tracked yet: it appeared just now.
            _ => now,
        };
        Some(since + MESSAGE_FADES_AFTER - now)
    }

    /// The worker closed the message.
    pub fn dismiss_message(&mut self) {
        self.feedback = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use packbell_shared::link::{LinkEvent, OutboxItem};
    use packbell_shared::protocol::Priority;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_440_000 + seconds, 0).expect("a valid instant")
    }

    fn item(key: &str, order: bool) -> OutboxItem {
        let command = if order {
            Command::CreateOrder {
                order_number: key.into(),
                store_id: 1,
                note: String::new(),
                priority: Priority::Normal,
                lines: Vec::new(),
            }
        } else {
            Command::CancelOrder {
                order_id: 1,
                reason: "r".into(),
            }
        };
        OutboxItem {
            key: key.into(),
            command,
            queued_at: None,
        }
    }

    #[test]
    fn the_banner_counts_what_the_outbox_report_says_is_waiting() {
        let mut m = Model::default();
        m.apply_link_event(
            LinkEvent::Outbox(OutboxReport::Waiting(vec![item("a", true)])),
            at(0),
        );
        m.apply_link_event(
            LinkEvent::Outbox(OutboxReport::Queued(vec![
                item("b", true),
                item("c", false),
            ])),
            at(1),
        );
        m.apply_link_event(
            LinkEvent::Status(LinkStatus::Reconnecting {
                since: at(2),
                attempt: 1,
                reason: "cannot reach x".into(),
            }),
            at(2),
        );
        let waiting = Waiting {
            orders: 2,
            other: 1,
        };
        assert_eq!(
            m.trouble(),
            Some(Trouble::Offline {
                since: at(2),
                cause: OfflineCause::Unreachable,
                waiting,
                detail: "cannot reach x".into(),
            })
        );
        m.apply_link_event(
            LinkEvent::Outbox(OutboxReport::Answered(vec!["a".into(), "c".into()])),
            at(3),
        );
        assert_eq!(
            m.outbox.waiting(),
            Waiting {
                orders: 1,
                other: 0
            }
        );
    }

    #[test]
    fn success_fades_and_errors_stay() {
        let mut m = Model {
            feedback: Some(Feedback::OperationDone(super::super::Operation::AddStore {
                name: "Oeste".into(),
            })),
            ..Model::default()
        };
        assert!(m.track_message(at(0)));
        assert!(!m.track_message(at(1)));
        assert!(m.message(at(5)).is_some());
        assert!(m.message(at(6)).is_none());

        m.feedback = Some(Feedback::NotSent("the link has stopped".into()));
        assert!(m.track_message(at(7)));
        assert!(m.message(at(600)).is_some());
        m.dismiss_message();
        assert!(m.message(at(601)).is_none());
    }

    #[test]
    fn notices_are_sorted_by_the_links_wording() {
        assert_eq!(
            NoticeKind::of("not connected to the server; try again once connected"),
            NoticeKind::NotConnected
        );
        assert_eq!(
            NoticeKind::of("cannot read this computer's saved data: disk I/O error"),
            NoticeKind::SavedDataUnreadable
        );
        assert_eq!(
            NoticeKind::of("this computer could not save its pairing (x); it will need"),
            NoticeKind::PairingNotSaved
        );
        assert_eq!(NoticeKind::of("something"), NoticeKind::Other);
    }
}
