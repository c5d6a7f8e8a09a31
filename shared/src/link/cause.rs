//! Why the link is offline, as a kind a window can explain to people.
//!
//! [`LinkStatus::Reconnecting`](super::LinkStatus::Reconnecting) carries a reason in
//! words for the log; the texts the link itself writes for the cases a window
//! explains differently are the constants here, so [`offline_cause`] recognises
//! exactly them.

/// Discovery found no packbell server at all.
pub const NO_SERVER_ANSWERED: &str = "no server answered on the network";
/// Discovery found servers, but not the one this PC is paired with.
pub const ONLY_OTHER_SERVERS: &str =
    "only other packbell servers answered on the network, not the one this PC is paired with";
/// Discovery found our server, but its address cannot be connected to.
pub const OTHER_CARD: &str =
    "the server answered on another network card, at an address this PC cannot connect to";
/// Part of [`ConnectError::NotPairedServer`](crate::transport::ConnectError)'s text:
/// the address answered with another certificate.
const NOT_PAIRED_SERVER: &str = "not the server this PC was paired with";

/// What a window tells people about being offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineCause {
    /// No server answered discovery: it is off, or not on this network.
    NoServerFound,
    /// A server answered, but not ours (another shop's, or ours reinstalled).
    OtherServer,
    /// Anything else: the server did not answer, the connection dropped.
    Unreachable,
}

/// The kind of a `Reconnecting` reason.
pub fn offline_cause(reason: &str) -> OfflineCause {
    if reason.starts_with(NO_SERVER_ANSWERED) {
        OfflineCause::NoServerFound
    } else if reason.starts_with(ONLY_OTHER_SERVERS) || reason.contains(NOT_PAIRED_SERVER) {
        OfflineCause::OtherServer
    } else {
        OfflineCause::Unreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ConnectError;

    #[test]
    fn the_links_own_reasons_are_recognised() {
        assert_eq!(
            offline_cause(NO_SERVER_ANSWERED),
            OfflineCause::NoServerFound
        );
        assert_eq!(offline_cause(ONLY_OTHER_SERVERS), OfflineCause::OtherServer);
        let impostor = ConnectError::NotPairedServer {
            seen: "ab:cd".into(),
        };
        assert_eq!(
            offline_cause(&impostor.to_string()),
            OfflineCause::OtherServer
        );
        let refused = ConnectError::Unreachable {
            addr: "10.0.0.2:47801".into(),
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        };
        assert_eq!(
            offline_cause(&refused.to_string()),
            OfflineCause::Unreachable
        );
    }
}
