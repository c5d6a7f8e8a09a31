//! What one look for the server found, and the likely cause when it did not find ours.
//! Pure: [`crate::link::locate`] fills a [`Look`]; [`diagnose`] reads it; the Connection
//! screens of both clients and `packbell-probe` show the result.

use std::net::SocketAddr;

use serde::Serialize;

/// How an address came to be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A reply to a UDP broadcast probe.
    Broadcast,
    /// A DNS-SD (`_packbell._tcp`) answer over multicast DNS.
    Mdns,
    /// An address given with `--server` or in the settings.
    Configured,
    /// The address this PC last reached its server at.
    LastGood,
}

/// A network (interface) the probe went out on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbedCard {
    pub interface: String,
    /// This PC's address on it, with its prefix: `192.168.1.20/24`.
    pub local: String,
    pub target: SocketAddr,
}

/// A packbell server that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub site: String,
    /// Where its WebSocket listens.
    pub address: SocketAddr,
    /// Its certificate fingerprint: the server's identity, whatever its address.
    pub fingerprint: String,
    pub via: Via,
    /// Whether a TCP connection to `address` worked: `None` when not tried.
    pub reachable: Option<bool>,
    /// The interface of this PC whose network `address` is on; `None` when on none
    /// (the server is behind a router, or answered from a card this PC has no leg on).
    pub on_card: Option<String>,
}

/// An address that was asked directly (configured, last good) and did not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Silent {
    pub address: String,
    pub via: Via,
    pub error: String,
}

/// The server this PC is paired with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paired {
    pub fingerprint: String,
    /// Its site as last seen, when known.
    pub site: Option<String>,
}

/// Everything one look for the server saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Look {
    pub probed: Vec<ProbedCard>,
    /// Every server that answered, one entry per fingerprint and address (the first way
    /// it was found wins, in the order broadcast, mDNS, configured, last good).
    pub answers: Vec<Answer>,
    pub silent: Vec<Silent>,
    pub paired: Option<Paired>,
    /// Whether the look used mDNS (off in tests and where it is not allowed).
    pub mdns: bool,
}

/// One look and its verdict, as the link reports it to the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionReport {
    pub look: Look,
    pub cause: Cause,
    /// Server addresses people gave, in the order tried.
    pub configured: Vec<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The likely cause, with what to do, in the order a shop owner would check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Cause {
    /// Our server (or, not yet paired, the only one) answered and can be reached.
    Found { address: SocketAddr, via: Via },
    /// Not paired and several servers answered: the person picks one.
    ChooseServer { count: usize },
    /// Nothing answered on any network: is the server on? Is this PC's network marked
    /// Public (Windows drops the replies then)? Give the server's address in the settings.
    NoReply,
    /// Our server answered, but from an address this PC cannot connect to: it answered
    /// on another of its network cards (a VirtualBox/Docker bridge, the other subnet).
    OtherCard {
        address: SocketAddr,
        on_card: Option<String>,
    },
    /// Other servers answered, not the one this PC is paired with.
    OtherServers {
        paired_with: String,
        found: Vec<String>,
    },
}

impl Cause {
    /// The short machine name of the cause, as `packbell-probe` prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Cause::Found { .. } => "found",
            Cause::ChooseServer { .. } => "choose_server",
            Cause::NoReply => "no_reply",
            Cause::OtherCard { .. } => "other_card",
            Cause::OtherServers { .. } => "other_servers",
        }
    }
}

/// The answer `look` gives: ours when paired, the only one otherwise.
pub fn diagnose(look: &Look) -> Cause {
    let candidates: Vec<&Answer> = match &look.paired {
        Some(paired) => look
            .answers
            .iter()
            .filter(|answer| answer.fingerprint == paired.fingerprint)
            .collect(),
        None => look.answers.iter().collect(),
    };
    if let Some(paired) = &look.paired
        && candidates.is_empty()
    {
        if look.answers.is_empty() {
            return Cause::NoReply;
        }
        return Cause::OtherServers {
            paired_with: describe_paired(paired),
            found: look.answers.iter().map(describe_answer).collect(),
        };
    }
    if look.paired.is_none() && distinct_servers(&candidates) > 1 {
        return Cause::ChooseServer {
            count: distinct_servers(&candidates),
        };
    }
    if let Some(answer) = candidates
        .iter()
        .find(|answer| answer.reachable != Some(false))
    {
        return Cause::Found {
            address: answer.address,
            via: answer.via,
        };
    }
    match candidates.first() {
        Some(answer) => Cause::OtherCard {
            address: answer.address,
            on_card: answer.on_card.clone(),
        },
        None => Cause::NoReply,
    }
}

fn distinct_servers(answers: &[&Answer]) -> usize {
    let mut fingerprints: Vec<&str> = answers.iter().map(|a| a.fingerprint.as_str()).collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    fingerprints.len()
}

/// "site (ab12:cd34:…)" of the paired server, or just its short fingerprint.
pub fn describe_paired(paired: &Paired) -> String {
    let short = crate::tls::short_fingerprint(&paired.fingerprint);
    match &paired.site {
        Some(site) => format!("{site} ({short})"),
        None => short,
    }
}

/// "site at address (short fingerprint)".
pub fn describe_answer(answer: &Answer) -> String {
    format!(
        "{} at {} ({})",
        answer.site,
        answer.address,
        crate::tls::short_fingerprint(&answer.fingerprint)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;

    const OURS: &str = "aaaa1111bbbb2222cccc3333dddd4444";
    const THEIRS: &str = "eeee5555ffff6666aaaa7777bbbb8888";

    fn answer(fingerprint: &str, address: &str, reachable: Option<bool>) -> Answer {
        Answer {
            site: "shop".into(),
            address: address.parse().unwrap(),
            fingerprint: fingerprint.into(),
            via: Via::Broadcast,
            reachable,
            on_card: Some("eth0".into()),
        }
    }

    fn paired() -> Option<Paired> {
        Some(Paired {
            fingerprint: OURS.into(),
            site: Some("shop".into()),
        })
    }

    #[test]
    fn nothing_answering_is_no_reply_paired_or_not() {
        assert_eq!(diagnose(&Look::default()), Cause::NoReply);
        let look = Look {
            paired: paired(),
            ..Look::default()
        };
        assert_eq!(diagnose(&look), Cause::NoReply);
    }

    #[test]
    fn our_server_among_others_is_found() {
        let look = Look {
            answers: vec![
                answer(THEIRS, "10.0.0.9:47801", Some(true)),
                answer(OURS, "10.0.0.5:47801", Some(true)),
            ],
            paired: paired(),
            ..Look::default()
        };
        assert_eq!(
            diagnose(&look),
            Cause::Found {
                address: "10.0.0.5:47801".parse().unwrap(),
                via: Via::Broadcast
            }
        );
    }

    #[test]
    fn only_other_servers_names_ours_and_theirs() {
        let look = Look {
            answers: vec![answer(THEIRS, "10.0.0.9:47801", Some(true))],
            paired: paired(),
            ..Look::default()
        };
        let Cause::OtherServers { paired_with, found } = diagnose(&look) else {
            panic!("expected other servers");
        };
        assert_eq!(paired_with, "shop (aaaa:1111:bbbb:2222)");
        assert_eq!(found, vec!["shop at 10.0.0.9:47801 (eeee:5555:ffff:6666)"]);
    }

    #[test]
    fn ours_answering_where_it_cannot_be_reached_is_the_other_card() {
        let mut unreachable = answer(OURS, "172.17.0.1:47801", Some(false));
        unreachable.on_card = None;
        let look = Look {
            answers: vec![unreachable],
            paired: paired(),
            ..Look::default()
        };
        assert_eq!(
            diagnose(&look),
            Cause::OtherCard {
                address: "172.17.0.1:47801".parse().unwrap(),
                on_card: None
            }
        );
    }

    #[test]
    fn a_reachable_answer_wins_over_an_unreachable_one_of_the_same_server() {
        let mut configured = answer(OURS, "10.1.0.5:47801", Some(true));
        configured.via = Via::Configured;
        let look = Look {
            answers: vec![answer(OURS, "172.17.0.1:47801", Some(false)), configured],
            paired: paired(),
            ..Look::default()
        };
        assert_eq!(
            diagnose(&look),
            Cause::Found {
                address: "10.1.0.5:47801".parse().unwrap(),
                via: Via::Configured
            }
        );
    }

    #[test]
    fn unpaired_picks_the_only_server_or_asks() {
        let one = Look {
            answers: vec![answer(THEIRS, "10.0.0.9:47801", None)],
            ..Look::default()
        };
        assert_eq!(diagnose(&one).name(), "found");
        let two = Look {
            answers: vec![
                answer(THEIRS, "10.0.0.9:47801", None),
                answer(OURS, "10.0.0.5:47801", None),
            ],
            ..Look::default()
        };
        assert_eq!(diagnose(&two), Cause::ChooseServer { count: 2 });
    }
}
