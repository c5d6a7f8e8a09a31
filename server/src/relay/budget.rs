//! Rate budgets shared by all sockets of one device, and by all unauthenticated
//! sockets of one source address, so opening more sockets buys no more throughput.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use packbell_shared::protocol::DeviceId;

use super::rate::TokenBucket;
use crate::config::Limits;

/// Buckets kept per kind of key. When reached, buckets that have refilled completely
/// are forgotten; if none has, keys without a bucket share one overflow bucket (so
/// many addresses cannot grow the map, and gain nothing by being many).
const MAX_TRACKED: usize = 4096;

pub struct Budgets {
    devices: Buckets<DeviceId>,
    sources: Buckets<IpAddr>,
}

impl Budgets {
    pub fn new(limits: &Limits) -> Self {
        Budgets {
            devices: Buckets::new(limits.commands_per_second, limits.command_burst),
            sources: Buckets::new(limits.attempts_per_second, limits.attempt_burst),
        }
    }

    /// Charges `cost` to the device's budget; false (and nothing charged) when it
    /// has not that much left.
    pub fn charge_device(&self, device_id: DeviceId, cost: f64) -> bool {
        self.devices.charge(device_id, cost, Instant::now())
    }

    /// Charges an unauthenticated message to its source address.
    pub fn charge_source(&self, source: IpAddr, cost: f64) -> bool {
        self.sources.charge(source, cost, Instant::now())
    }
}

struct Buckets<K> {
    per_second: f64,
    burst: f64,
    state: Mutex<BucketMap<K>>,
}

struct BucketMap<K> {
    by_key: HashMap<K, TokenBucket>,
    overflow: Option<TokenBucket>,
}

impl<K: Eq + Hash> Buckets<K> {
    fn new(per_second: f64, burst: f64) -> Self {
        Buckets {
            per_second,
            burst,
            state: Mutex::new(BucketMap {
                by_key: HashMap::new(),
                overflow: None,
            }),
        }
    }

    fn charge(&self, key: K, cost: f64, now: Instant) -> bool {
        // A panic while holding the lock cannot leave a bucket half updated in a way
        // that matters, so a poisoned lock is used as it is.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        if !state.by_key.contains_key(&key) && state.by_key.len() >= MAX_TRACKED {
            state.by_key.retain(|_, bucket| !bucket.is_full(now));
        }
        let bucket = if state.by_key.len() < MAX_TRACKED || state.by_key.contains_key(&key) {
            state
                .by_key
                .entry(key)
                .or_insert_with(|| TokenBucket::new(self.per_second, self.burst, now))
        } else {
            state
                .overflow
                .get_or_insert_with(|| TokenBucket::new(self.per_second, self.burst, now))
        };
        bucket.take_n(cost, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_nothing_and_each_key_shares_its_bucket() {
        let buckets = Buckets::new(0.0, 3.0);
        let now = Instant::now();
        assert_eq!((0..5).filter(|_| buckets.charge(1, 1.0, now)).count(), 3);
        assert!(
            buckets.charge(2, 1.0, now),
            "another key has its own bucket"
        );
    }

    #[test]
    fn many_keys_do_not_grow_the_map_past_its_bound() {
        let buckets = Buckets::new(0.0, 1.0);
        let now = Instant::now();
        for key in 0..MAX_TRACKED {
            assert!(buckets.charge(key, 1.0, now));
        }
        assert!(buckets.charge(MAX_TRACKED, 1.0, now), "overflow bucket");
        assert!(
            !buckets.charge(MAX_TRACKED + 1, 1.0, now),
            "the overflow bucket is shared"
        );
        let state = buckets.state.lock().expect("not poisoned");
        assert_eq!(state.by_key.len(), MAX_TRACKED);
    }
}
