//! Pairing codes: making them, and the three steps of checking one guess. Runs only on
//! the writer thread (or the `pairing-code` command, through [`new_pairing_code`]).
//!
//! **A guess is checked only after its failure is stored.** [`hold_for_guess`] counts
//! the attempt as a failure and marks the code as being checked, and the caller
//! commits that before it compares the guess. Only then does [`enrol_held`] (right
//! guess) or [`release_wrong_guess`] (wrong one) run in a second transaction. A disk
//! that is full before the check refuses the attempt unchecked; one that fills up
//! after it leaves the code spent. Either way nothing can be guessed for free, and a
//! right guess whose enrolment is not stored gets the wrong guess's answer.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, params};

use packbell_shared::protocol::{DeviceId, ErrorCode, Event, EventBody, Role};

use super::apply::{ApplyError, hash_token, insert_event, new_token, one_row, require_room, run};
use super::status::prove_headroom;
use super::{DbError, time_from_text, time_to_text};
use crate::config::MAX_DEVICES;
use crate::validate::{self, Refusal};

/// Distinct public slots (the first two digits of a code): at most this many codes
/// are open at once. When all are taken, a new code is refused with a message saying
/// when the oldest expires (codes printed at start-up are skipped instead).
pub const PAIRING_SLOTS: usize = 100;

/// Failed attempts after which a pairing code is void.
pub const MAX_PAIRING_FAILURES: u32 = 5;
/// Voided codes per role and hour that are replaced automatically; past this someone
/// is guessing, and new codes come only when the operator asks for one.
pub const MAX_AUTO_REPLACEMENTS_PER_HOUR: u32 = 3;

/// The answer to a pairing code that is not open (never made, used, expired, voided or
/// spent): the same whatever the reason, and given before any guess is checked.
pub const NO_OPEN_CODE: &str = "no open pairing code matches: it may be mistyped, used or \
                                expired; ask for a new one";

/// Where a code came from; codes printed at start-up are replaced by the next start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Startup,
    Operator,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Startup => "startup",
            Origin::Operator => "operator",
        }
    }
}

/// Codes are typed by people: keep only the digits ("1234-5678", "1234 5678").
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

fn display(digits: &str) -> String {
    format!("{}-{}", &digits[..4], &digits[4..])
}

/// Creates a single-use pairing code for `role`, valid until `expires_at`, in a slot
/// no other open code holds. Refused (`invalid_state`) when all slots are taken.
pub fn new_pairing_code(
    conn: &Connection,
    role: Role,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, ApplyError> {
    insert_code(conn, role, now, expires_at, Origin::Operator)
}

fn insert_code(
    conn: &Connection,
    role: Role,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    origin: Origin,
) -> Result<String, ApplyError> {
    let now_text = time_to_text(now);
    let taken: HashSet<String> = conn
        .prepare_cached(
            "SELECT substr(code, 1, 2) FROM pairing_codes WHERE used = 0 AND expires_at > ?1",
        )?
        .query_map([&now_text], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let free: Vec<usize> = (0..PAIRING_SLOTS)
        .filter(|slot| !taken.contains(&format!("{slot:02}")))
        .collect();
    let mut rng = rand::rng();
    let Some(&slot) = free.get(rng.random_range(0..free.len().max(1))) else {
        let oldest: Option<String> = conn
            .query_row(
                "SELECT MIN(expires_at) FROM pairing_codes WHERE used = 0 AND expires_at > ?1",
                [&now_text],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let when = match oldest.as_deref().map(time_from_text).transpose()? {
            Some(at) => format!(" (the first expires at {} UTC)", at.format("%H:%M:%S")),
            None => String::new(),
        };
        return Err(Refusal::new(
            ErrorCode::InvalidState,
            format!(
                "all {PAIRING_SLOTS} pairing code slots are taken by open codes: pair devices \
                 with them, or wait until they expire{when}"
            ),
        )
        .into());
    };
    let rest: u32 = rng.random_range(0..1_000_000);
    let digits = format!("{slot:02}{rest:06}");
    run(
        conn,
        "INSERT OR REPLACE INTO pairing_codes (code, role, created_at, expires_at, origin)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            digits,
            role.as_str(),
            now_text,
            time_to_text(expires_at),
            origin.as_str()
        ],
    )?;
    Ok(display(&digits))
}

/// The codes to print at start-up, one per role in `roles`: they replace the codes the
/// previous start printed, so restarts never use up the slots. `None` for a role when
/// every slot is taken by codes asked for since; the server starts anyway.
pub fn startup_codes(
    conn: &Connection,
    roles: &[Role],
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Vec<(Role, Option<String>)>, ApplyError> {
    let now_text = time_to_text(now);
    run(
        conn,
        "UPDATE pairing_codes SET expires_at = ?1
         WHERE origin = 'startup' AND used = 0 AND expires_at > ?1",
        [&now_text],
    )?;
    let mut codes = Vec::with_capacity(roles.len());
    for &role in roles {
        let code = match insert_code(conn, role, now, expires_at, Origin::Startup) {
            Ok(code) => Some(code),
            Err(ApplyError::Refused(_)) => None,
            Err(e) => return Err(e),
        };
        codes.push((role, code));
    }
    Ok(codes)
}

/// An open code held for one guess: the attempt is already counted against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCode {
    pub digits: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// Failures including this attempt.
    pub failures: u32,
}

/// Step 1 (its transaction must commit before the guess is compared): checks that
/// `digits` names an open code, proves the disk has room for the outcome, then counts
/// this attempt as a failure and marks the code as being checked.
pub fn hold_for_guess(
    conn: &Connection,
    digits: &str,
    now: DateTime<Utc>,
) -> Result<HeldCode, ApplyError> {
    let row: Option<(String, String, bool, u32, bool)> = conn
        .query_row(
            "SELECT role, expires_at, used, failures, checking FROM pairing_codes WHERE code = ?1",
            [digits],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let no_open_code = || ApplyError::from(Refusal::new(ErrorCode::AuthFailed, NO_OPEN_CODE));
    let Some((role, expires_at, used, failures, checking)) = row else {
        return Err(no_open_code());
    };
    let expires_at = time_from_text(&expires_at)?;
    if used || checking || failures >= MAX_PAIRING_FAILURES || expires_at <= now {
        return Err(no_open_code());
    }
    let role = Role::parse(&role).ok_or_else(|| DbError::Corrupt(format!("role {role:?}")))?;
    // A full site refuses before the guess is counted or compared: the code stays valid.
    require_room(conn, "SELECT COUNT(*) FROM devices", MAX_DEVICES, "devices")?;
    prove_headroom(conn)?;
    run(
        conn,
        "UPDATE pairing_codes SET failures = failures + 1, checking = 1 WHERE code = ?1",
        [digits],
    )?;
    Ok(HeldCode {
        digits: digits.to_owned(),
        role,
        expires_at,
        failures: failures + 1,
    })
}

/// A newly enrolled device: its id, the token to hand over once, and the event.
#[derive(Debug)]
pub struct Enrolment {
    pub device_id: DeviceId,
    pub token: String,
    pub role: Role,
    pub event: Event,
}

/// Step 2 after a right guess: spends the code (taking back the failure counted in
/// step 1) and creates the device and its token.
pub fn enrol_held(
    conn: &Connection,
    held: &HeldCode,
    device_name: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, ApplyError> {
    validate::device_name(device_name)?;
    run(
        conn,
        "UPDATE pairing_codes SET used = 1, checking = 0, failures = failures - 1 WHERE code = ?1",
        [&held.digits],
    )?;
    let token = new_token();
    let name = device_name.trim().to_owned();
    run(
        conn,
        "INSERT INTO devices (name, role, token_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            name,
            held.role.as_str(),
            hash_token(&token),
            time_to_text(now)
        ],
    )?;
    let device_id = conn.last_insert_rowid() as DeviceId;
    let event = insert_event(
        conn,
        0,
        now,
        EventBody::DeviceEnrolled {
            device_id,
            name,
            role: held.role,
        },
    )?;
    Ok(Enrolment {
        device_id,
        token,
        role: held.role,
        event,
    })
}

/// What happened to a code voided after too many failed attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// A new code for the same role, to show on the console.
    Code(String),
    /// Too many codes were voided lately: none is made until the operator asks.
    Withheld,
    /// Every slot is taken by an open code: none could be made.
    NoFreeSlot,
}

/// Step 2 after a wrong guess: the failure stays counted and the code is open again,
/// unless that was the last allowed failure. Then the code is void and, unless codes
/// are being voided too often, a replacement for the same role is made.
pub fn release_wrong_guess(
    conn: &Connection,
    held: &HeldCode,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> Result<Option<Replacement>, ApplyError> {
    run(
        conn,
        "UPDATE pairing_codes SET checking = 0 WHERE code = ?1",
        [&held.digits],
    )?;
    if held.failures < MAX_PAIRING_FAILURES {
        return Ok(None);
    }
    run(
        conn,
        "UPDATE pairing_codes SET used = 1 WHERE code = ?1",
        [&held.digits],
    )?;
    let voided_lately: u32 = one_row(
        conn,
        "SELECT COUNT(*) FROM pairing_codes
         WHERE role = ?1 AND failures >= ?2 AND created_at > ?3",
        params![
            held.role.as_str(),
            MAX_PAIRING_FAILURES,
            time_to_text(now - chrono::Duration::hours(1))
        ],
        |r| r.get(0),
    )?;
    if voided_lately > MAX_AUTO_REPLACEMENTS_PER_HOUR {
        return Ok(Some(Replacement::Withheld));
    }
    match new_pairing_code(conn, held.role, now, now + ttl) {
        Ok(code) => Ok(Some(Replacement::Code(code))),
        Err(ApplyError::Refused(_)) => Ok(Some(Replacement::NoFreeSlot)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_count(conn: &Connection) -> usize {
        conn.query_row(
            "SELECT COUNT(*) FROM pairing_codes WHERE used = 0 AND expires_at > ?1",
            [time_to_text(Utc::now())],
            |r| r.get(0),
        )
        .expect("count")
    }

    #[test]
    fn the_code_after_the_last_free_slot_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        let now = Utc::now();
        let later = now + chrono::Duration::minutes(10);
        let mut slots = HashSet::new();
        for _ in 0..PAIRING_SLOTS {
            let code = new_pairing_code(&conn, Role::Office, now, later).expect("a code");
            slots.insert(code[..2].to_owned());
        }
        assert_eq!(slots.len(), PAIRING_SLOTS, "every code has its own slot");
        match new_pairing_code(&conn, Role::Office, now, later) {
            Err(ApplyError::Refused(refusal)) => {
                assert_eq!(refusal.code, ErrorCode::InvalidState);
                assert!(refusal.message.contains("all 100"), "{}", refusal.message);
                assert!(
                    refusal.message.contains("expires at"),
                    "{}",
                    refusal.message
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(open_count(&conn), PAIRING_SLOTS, "no open code was voided");
    }

    #[test]
    fn startup_codes_replace_the_previous_starts_and_never_fail_a_start() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        let now = Utc::now();
        let later = now + chrono::Duration::minutes(10);
        let roles = [Role::Office, Role::Warehouse, Role::Admin];
        let asked = new_pairing_code(&conn, Role::Office, now, later).expect("asked for");
        for _ in 0..(PAIRING_SLOTS * 2) {
            let codes = startup_codes(&conn, &roles, now, later).expect("a start");
            assert!(codes.iter().all(|(_, code)| code.is_some()), "{codes:?}");
        }
        assert_eq!(
            open_count(&conn),
            4,
            "three from the last start, one asked for"
        );
        let digits = normalise_code(&asked);
        assert!(
            hold_for_guess(&conn, &digits, now).is_ok(),
            "a code asked for survives restarts"
        );

        // Every slot taken by codes asked for: the start prints none, and does not fail.
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        for _ in 0..PAIRING_SLOTS {
            new_pairing_code(&conn, Role::Warehouse, now, later).expect("a code");
        }
        let startup = startup_codes(&conn, &roles, now, later).expect("a start");
        assert_eq!(startup.len(), 3);
        assert!(
            startup.iter().all(|(_, code)| code.is_none()),
            "{startup:?}"
        );
    }

    #[test]
    fn a_held_code_is_not_open_until_its_guess_is_settled() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        let now = Utc::now();
        let code = new_pairing_code(&conn, Role::Admin, now, now + chrono::Duration::minutes(10))
            .expect("code");
        let digits = normalise_code(&code);
        let held = hold_for_guess(&conn, &digits, now).expect("held");
        assert_eq!(held.failures, 1, "counted before the guess is looked at");
        assert!(
            matches!(
                hold_for_guess(&conn, &digits, now),
                Err(ApplyError::Refused(_))
            ),
            "a code being checked is not open (a lost outcome leaves it spent)"
        );
        release_wrong_guess(&conn, &held, now, chrono::Duration::minutes(10)).expect("wrong");
        let held = hold_for_guess(&conn, &digits, now).expect("open again");
        assert_eq!(held.failures, 2);
        enrol_held(&conn, &held, "Till 1", now).expect("right");
        let failures: u32 = conn
            .query_row(
                "SELECT failures FROM pairing_codes WHERE code = ?1",
                [&digits],
                |r| r.get(0),
            )
            .expect("row");
        assert_eq!(failures, 1, "the right guess is not a failure");
        assert!(matches!(
            hold_for_guess(&conn, &digits, now),
            Err(ApplyError::Refused(_))
        ));
    }

    #[test]
    fn a_full_site_refuses_pairing_before_the_guess_and_the_code_stays_valid() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        conn.execute(
            "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers
             WHERE n < ?1) INSERT INTO devices (name, role, token_hash, enrolled_at, revoked)
             SELECT 'Device ' || n, 'office', 'hash', '2025-01-01T00:00:00.000000Z', n % 2
             FROM numbers",
            [MAX_DEVICES],
        )
        .expect("devices up to the cap, half of them revoked");
        let now = Utc::now();
        let code = new_pairing_code(
            &conn,
            Role::Office,
            now,
            now + chrono::Duration::minutes(10),
        )
        .expect("a code");
        let digits = normalise_code(&code);
        match hold_for_guess(&conn, &digits, now) {
            Err(ApplyError::Refused(refusal)) => {
                assert_eq!(refusal.code, ErrorCode::LimitReached);
                assert!(refusal.message.contains("devices"), "{refusal}");
            }
            other => panic!("expected limit_reached, got {other:?}"),
        }
        let failures: u32 = conn
            .query_row(
                "SELECT failures FROM pairing_codes WHERE code = ?1 AND used = 0",
                [&digits],
                |r| r.get(0),
            )
            .expect("the code is still open");
        assert_eq!(failures, 0, "the refused attempt was not counted");
    }
}
