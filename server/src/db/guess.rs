//! Checking one pairing guess on the writer thread, in the order [`super::pairing`]
//! describes: count it durably, compare, then store the outcome. Guesses on one code
//! are checked one at a time (the writer is one thread), so parallel guesses cannot
//! get past the failure limit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use packbell_shared::pairing::confirmation_matches;
use packbell_shared::protocol::ErrorCode;

use super::pairing::{self, HeldCode, MAX_PAIRING_FAILURES, NO_OPEN_CODE, Replacement};
use super::writer::{EnrolResult, Writer};
use crate::validate::{self, Refusal};

/// What pairing is told when the disk is full; said before any guess is compared.
pub const PAIRING_STORAGE_FULL: &str =
    "the server's disk is full: pairing is refused until space is freed on the server PC";

/// Codes whose wrong guesses are remembered in memory. Only codes with a wrong guess
/// are kept, and expired ones are dropped first; when still full, the code that
/// expires first is forgotten (its failures are stored in the database too).
const MAX_TALLIED_CODES: usize = 1024;

/// One guess: the code it is for, and the client's MAC beside the one a right guess
/// gives.
#[derive(Debug, Clone)]
pub struct PairingAttempt {
    /// The code's digits (the server's own copy, found by slot).
    pub code: String,
    pub device_name: String,
    pub expected_mac: [u8; 32],
    /// Hex, as received.
    pub received_mac: String,
    /// Validity of a replacement code, when this guess voids the code.
    pub ttl: chrono::Duration,
}

#[derive(Debug)]
pub enum PairingVerdict {
    Enrolled(EnrolResult),
    /// A wrong guess, or a right one whose enrolment could not be stored: the client
    /// gets the same answer for both. `replacement` when the code was voided.
    Failed {
        replacement: Option<Replacement>,
    },
}

/// Wrong guesses per code seen by this process: a failure whose database row could not
/// be written still counts.
#[derive(Default)]
pub struct GuessTally {
    wrong: HashMap<String, (u32, DateTime<Utc>)>,
}

impl GuessTally {
    fn wrong(&self, digits: &str) -> u32 {
        self.wrong.get(digits).map_or(0, |(count, _)| *count)
    }

    fn record(&mut self, held: &HeldCode, now: DateTime<Utc>) {
        if !self.wrong.contains_key(&held.digits) && self.wrong.len() >= MAX_TALLIED_CODES {
            self.wrong.retain(|_, (_, expires_at)| *expires_at > now);
            if self.wrong.len() >= MAX_TALLIED_CODES
                && let Some(first) = self
                    .wrong
                    .iter()
                    .min_by_key(|(_, (_, expires_at))| *expires_at)
                    .map(|(digits, _)| digits.clone())
            {
                self.wrong.remove(&first);
            }
        }
        let entry = self
            .wrong
            .entry(held.digits.clone())
            .or_insert((0, held.expires_at));
        entry.0 += 1;
    }
}

impl Writer {
    /// Checks one guess. Refusals (`auth_failed` for a code that is not open,
    /// `storage_full`, `invalid_field`) come before the guess is compared; after
    /// that, right and wrong get different answers only once the outcome is stored.
    pub(super) fn check_pairing(
        &mut self,
        attempt: PairingAttempt,
    ) -> Result<PairingVerdict, Refusal> {
        validate::device_name(&attempt.device_name)?;
        let now = Utc::now();
        let digits = pairing::normalise_code(&attempt.code);
        if self.guesses.wrong(&digits) >= MAX_PAIRING_FAILURES {
            return Err(Refusal::new(ErrorCode::AuthFailed, NO_OPEN_CODE));
        }
        let held = self
            .transaction(|tx| pairing::hold_for_guess(tx, &digits, now))
            .map_err(|e| self.refusal(e, PAIRING_STORAGE_FULL))?;
        self.health.mark_writable();

        if confirmation_matches(&attempt.expected_mac, &attempt.received_mac) {
            match self.transaction(|tx| pairing::enrol_held(tx, &held, &attempt.device_name, now)) {
                Ok(enrolment) => {
                    self.fanout.publish(enrolment.event);
                    return Ok(PairingVerdict::Enrolled(EnrolResult {
                        device_id: enrolment.device_id,
                        token: enrolment.token,
                        role: enrolment.role,
                    }));
                }
                Err(e) => {
                    // Logged, not answered: the client gets the wrong guess's answer.
                    let refusal = self.refusal(e, PAIRING_STORAGE_FULL);
                    tracing::error!(
                        "a pairing with a right code could not be stored ({refusal}); that code \
                         is spent: make a new one"
                    );
                    self.guesses.record(&held, now);
                    return Ok(PairingVerdict::Failed { replacement: None });
                }
            }
        }
        self.guesses.record(&held, now);
        match self.transaction(|tx| pairing::release_wrong_guess(tx, &held, now, attempt.ttl)) {
            Ok(replacement) => Ok(PairingVerdict::Failed { replacement }),
            Err(e) => {
                let refusal = self.refusal(e, PAIRING_STORAGE_FULL);
                tracing::warn!(
                    "a wrong pairing guess was counted, but the code could not be opened again \
                     ({refusal}); it stays spent"
                );
                Ok(PairingVerdict::Failed { replacement: None })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use packbell_shared::protocol::Role;

    use super::*;
    use crate::db::pairing::new_pairing_code;
    use crate::db::writer::StorageHealth;

    const RIGHT_MAC: [u8; 32] = [7; 32];

    fn writer(dir: &std::path::Path) -> Writer {
        Writer {
            conn: crate::db::open(dir).expect("db"),
            fanout: crate::fanout::Fanout::default(),
            health: StorageHealth::default(),
            data_dir: dir.to_owned(),
            guesses: GuessTally::default(),
            receipts_pruned_at: None,
            stock: crate::stock::StockRules::default(),
        }
    }

    fn attempt(code: &str, mac: [u8; 32]) -> PairingAttempt {
        PairingAttempt {
            code: code.to_owned(),
            device_name: "Till 1".to_owned(),
            expected_mac: RIGHT_MAC,
            received_mac: hex::encode(mac),
            ttl: chrono::Duration::minutes(10),
        }
    }

    fn new_code(writer: &Writer) -> String {
        let now = Utc::now();
        new_pairing_code(
            &writer.conn,
            Role::Admin,
            now,
            now + chrono::Duration::minutes(10),
        )
        .expect("code")
    }

    #[test]
    fn a_right_guess_whose_enrolment_is_not_stored_is_answered_like_a_wrong_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = writer(dir.path());
        let wrong_code = new_code(&writer);
        let wrong = writer.check_pairing(attempt(&wrong_code, [8; 32]));

        // The enrolment fails after the guess was checked (as when the disk fills up
        // just then).
        writer
            .conn
            .execute_batch(
                "CREATE TRIGGER no_room BEFORE INSERT ON devices
                 BEGIN SELECT RAISE(ABORT, 'no room'); END;",
            )
            .expect("trigger");
        let right_code = new_code(&writer);
        let right = writer.check_pairing(attempt(&right_code, RIGHT_MAC));
        assert_eq!(
            format!("{right:?}"),
            format!("{wrong:?}"),
            "the same answer"
        );
        assert!(matches!(
            right,
            Ok(PairingVerdict::Failed { replacement: None })
        ));

        // That code is spent; the wrong guess's code is still open.
        writer
            .conn
            .execute_batch("DROP TRIGGER no_room")
            .expect("drop");
        match writer.check_pairing(attempt(&right_code, RIGHT_MAC)) {
            Err(refusal) => assert_eq!(refusal.message, NO_OPEN_CODE),
            Ok(verdict) => panic!("a spent code paired: {verdict:?}"),
        }
        assert!(matches!(
            writer.check_pairing(attempt(&wrong_code, RIGHT_MAC)),
            Ok(PairingVerdict::Enrolled(_))
        ));
    }

    #[test]
    fn wrong_guesses_are_remembered_in_memory_as_well() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = writer(dir.path());
        let code = new_code(&writer);
        for _ in 0..MAX_PAIRING_FAILURES {
            assert!(matches!(
                writer.check_pairing(attempt(&code, [8; 32])),
                Ok(PairingVerdict::Failed { .. })
            ));
        }
        // Even if the stored count were lost, memory refuses the code unchecked.
        writer
            .conn
            .execute("UPDATE pairing_codes SET failures = 0, used = 0", [])
            .expect("reset");
        match writer.check_pairing(attempt(&code, RIGHT_MAC)) {
            Err(refusal) => assert_eq!(refusal.message, NO_OPEN_CODE),
            Ok(verdict) => panic!("checked a sixth guess: {verdict:?}"),
        }
    }
}
