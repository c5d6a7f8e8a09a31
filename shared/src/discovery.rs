//! UDP discovery (being written).
