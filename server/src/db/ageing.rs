//! The site's ageing thresholds, kept in `meta` as JSON: one small value that every
//! snapshot carries.

use rusqlite::Connection;

use packbell_shared::protocol::Ageing;

use super::DbError;

const KEY: &str = "ageing";

/// The thresholds an admin set; `None` until then.
pub fn load(conn: &Connection) -> Result<Option<Ageing>, DbError> {
    super::meta_get(conn, KEY)?
        .map(|json| {
            serde_json::from_str(&json)
                .map_err(|e| DbError::Corrupt(format!("bad ageing thresholds {json:?}: {e}")))
        })
        .transpose()
}

pub fn store(conn: &Connection, ageing: &Ageing) -> Result<(), DbError> {
    let json = serde_json::to_string(ageing)
        .map_err(|e| DbError::Corrupt(format!("ageing thresholds do not serialise: {e}")))?;
    super::meta_set(conn, KEY, &json)
}
