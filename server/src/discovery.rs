//! UDP discovery responder (being written).
