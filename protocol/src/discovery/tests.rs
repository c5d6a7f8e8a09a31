//! Unit and property tests of the packet format.

use proptest::prelude::*;

use super::*;

fn reply() -> Reply {
    Reply {
        protocol: 1,
        ws_port: 47801,
        site: "main".to_owned(),
        server_id: "srv-1".to_owned(),
    }
}

fn probe_for(site: &str) -> [u8; PROBE_LEN] {
    Probe {
        protocol: 1,
        site: Some(site.to_owned()),
    }
    .encode()
    .unwrap()
}

#[test]
fn probe_matches_the_documented_example() {
    let bytes = probe_for("main");
    let head = [
        0x50, 0x4B, 0x42, 0x4C, 0x01, 0x00, 0x01, 0x04, 0x6D, 0x61, 0x69, 0x6E,
    ];
    assert_eq!(&bytes[..head.len()], &head);
    assert!(bytes[head.len()..].iter().all(|&byte| byte == 0));
}

#[test]
fn reply_matches_the_documented_example() {
    let expected = [
        0x50, 0x4B, 0x42, 0x4C, 0x02, 0x00, 0x01, 0xBA, 0xB9, 0x04, 0x6D, 0x61, 0x69, 0x6E, 0x05,
        0x73, 0x72, 0x76, 0x2D, 0x31,
    ];
    assert_eq!(reply().encode().unwrap(), expected);
    assert_eq!(Reply::decode(&expected).unwrap(), reply());
}

#[test]
fn probe_round_trips_with_and_without_site() {
    for probe in [Probe::new(None), Probe::new(Some("Zürich depot"))] {
        assert_eq!(Probe::decode(&probe.encode().unwrap()).unwrap(), probe);
    }
}

#[test]
fn empty_site_means_any_site() {
    let empty = Probe {
        protocol: 1,
        site: Some(String::new()),
    };
    assert_eq!(Probe::decode(&empty.encode().unwrap()).unwrap().site, None);
    assert_eq!(Probe::new(Some("")).site, None);
}

#[test]
fn longest_reply_is_no_larger_than_a_probe() {
    let longest = Reply {
        site: "s".repeat(MAX_SITE_BYTES),
        server_id: "i".repeat(MAX_SERVER_ID_BYTES),
        ..reply()
    };
    let bytes = longest.encode().unwrap();
    assert_eq!(bytes.len(), MAX_REPLY_LEN);
    assert!(bytes.len() <= PROBE_LEN);
}

#[test]
fn encode_refuses_what_cannot_be_sent() {
    let long_site = Probe {
        protocol: 1,
        site: Some("s".repeat(MAX_SITE_BYTES + 1)),
    };
    assert_eq!(long_site.encode(), Err(FieldError::SiteLength { len: 65 }));
    let cases = [
        (
            Reply {
                ws_port: 0,
                ..reply()
            },
            FieldError::ZeroWsPort,
        ),
        (
            Reply {
                site: String::new(),
                ..reply()
            },
            FieldError::SiteLength { len: 0 },
        ),
        (
            Reply {
                server_id: String::new(),
                ..reply()
            },
            FieldError::ServerIdLength { len: 0 },
        ),
        (
            Reply {
                server_id: "x".repeat(65),
                ..reply()
            },
            FieldError::ServerIdLength { len: 65 },
        ),
        (
            Reply {
                server_id: "tab\there".to_owned(),
                ..reply()
            },
            FieldError::ServerIdNotPrintable,
        ),
        (
            Reply {
                server_id: "é".to_owned(),
                ..reply()
            },
            FieldError::ServerIdNotPrintable,
        ),
    ];
    for (reply, error) in cases {
        assert_eq!(reply.encode(), Err(error), "{reply:?}");
    }
}

#[test]
fn malformed_probes_are_rejected() {
    let good = probe_for("main");
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.to_vec();
        edit(&mut bytes);
        Probe::decode(&bytes)
    };
    assert_eq!(
        with(&|b| b.truncate(255)),
        Err(DecodeError::ProbeLength { len: 255 })
    );
    assert_eq!(
        with(&|b| b.push(0)),
        Err(DecodeError::ProbeLength { len: 257 })
    );
    assert_eq!(with(&|b| b[0] = b'X'), Err(DecodeError::BadMagic));
    assert_eq!(
        with(&|b| b[4] = KIND_REPLY),
        Err(DecodeError::WrongKind {
            expected: 1,
            found: 2
        })
    );
    assert_eq!(
        with(&|b| b[7] = 65),
        Err(DecodeError::Field(FieldError::SiteLength { len: 65 }))
    );
    assert_eq!(
        with(&|b| b[8] = 0xFF),
        Err(DecodeError::Field(FieldError::SiteNotUtf8))
    );
    assert_eq!(
        with(&|b| b[255] = 1),
        Err(DecodeError::NonZeroPadding { offset: 255 })
    );
    assert_eq!(
        with(&|b| b[12] = 1),
        Err(DecodeError::NonZeroPadding { offset: 12 })
    );
}

#[test]
fn malformed_replies_are_rejected() {
    let good = reply().encode().unwrap();
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.clone();
        edit(&mut bytes);
        Reply::decode(&bytes)
    };
    assert_eq!(with(&|b| b.truncate(19)), Err(DecodeError::Truncated));
    assert_eq!(with(&|b| b.truncate(3)), Err(DecodeError::Truncated));
    assert_eq!(
        with(&|b| b.push(0)),
        Err(DecodeError::TrailingBytes { extra: 1 })
    );
    assert_eq!(with(&|b| b[3] = b'X'), Err(DecodeError::BadMagic));
    assert_eq!(
        with(&|b| b[4] = KIND_PROBE),
        Err(DecodeError::WrongKind {
            expected: 2,
            found: 1
        })
    );
    assert_eq!(
        with(&|b| b[7..9].copy_from_slice(&[0, 0])),
        Err(DecodeError::Field(FieldError::ZeroWsPort))
    );
    assert_eq!(
        with(&|b| b[9] = 0),
        Err(DecodeError::Field(FieldError::SiteLength { len: 0 }))
    );
    assert_eq!(
        with(&|b| b[9] = 65),
        Err(DecodeError::Field(FieldError::SiteLength { len: 65 }))
    );
    assert_eq!(
        with(&|b| b[10] = 0xC3),
        Err(DecodeError::Field(FieldError::SiteNotUtf8))
    );
    assert_eq!(
        with(&|b| b[14] = 0),
        Err(DecodeError::Field(FieldError::ServerIdLength { len: 0 }))
    );
    assert_eq!(
        with(&|b| b[15] = 0x7F),
        Err(DecodeError::Field(FieldError::ServerIdNotPrintable))
    );
    assert_eq!(
        Reply::decode(&probe_for("main")),
        Err(DecodeError::WrongKind {
            expected: 2,
            found: 1
        })
    );
}

fn any_site(min_chars: usize) -> impl Strategy<Value = String> {
    // Up to 16 chars of up to 4 bytes each: at most 64 bytes.
    proptest::string::string_regex(&format!("\\PC{{{min_chars},16}}")).unwrap()
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Probe::decode(&bytes);
        let _ = Reply::decode(&bytes);
    }

    #[test]
    fn decoding_bytes_with_a_valid_header_never_panics(
        kind in prop_oneof![Just(KIND_PROBE), Just(KIND_REPLY), any::<u8>()],
        rest in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = MAGIC.to_vec();
        bytes.push(kind);
        bytes.extend(rest);
        let _ = Reply::decode(&bytes);
        bytes.resize(PROBE_LEN, 0);
        let _ = Probe::decode(&bytes);
    }

    #[test]
    fn one_byte_off_a_valid_packet_is_rejected_or_re_encodes_identically(
        site in any_site(1),
        server_id in "[ -~]{1,64}",
        index in any::<prop::sample::Index>(),
        value in any::<u8>(),
    ) {
        // One encoding per value: whatever decode accepts is exactly what encode makes.
        let probe = Probe { protocol: 1, site: Some(site.clone()) }.encode().unwrap();
        let reply = Reply { site, server_id, ..reply() }.encode().unwrap();
        for packet in [probe.to_vec(), reply] {
            let mut bytes = packet;
            let at = index.index(bytes.len());
            bytes[at] = value;
            if let Ok(probe) = Probe::decode(&bytes) {
                prop_assert_eq!(probe.encode().unwrap().to_vec(), bytes.clone());
            }
            if let Ok(reply) = Reply::decode(&bytes) {
                prop_assert_eq!(reply.encode().unwrap(), bytes);
            }
        }
    }

    #[test]
    fn probe_round_trips(protocol in any::<u16>(), site in proptest::option::of(any_site(1))) {
        let probe = Probe { protocol, site };
        prop_assert_eq!(Probe::decode(&probe.encode().unwrap()).unwrap(), probe);
    }

    #[test]
    fn reply_round_trips(
        protocol in any::<u16>(),
        ws_port in 1..=u16::MAX,
        site in any_site(1),
        server_id in "[ -~]{1,64}",
    ) {
        let reply = Reply { protocol, ws_port, site, server_id };
        let bytes = reply.encode().unwrap();
        prop_assert!(bytes.len() <= PROBE_LEN);
        prop_assert_eq!(Reply::decode(&bytes).unwrap(), reply);
    }
}
