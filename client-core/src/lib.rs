//! packbell-client-core: the owner layer both windows (office and warehouse) stand on.
//!
//! - [`port`]: [`LinkPort`](port::LinkPort), what a window needs from the client link,
//!   and the real link behind it.
//! - `fake` (the `testing` feature): a link for tests that records what was sent and
//!   lets the test feed events.
//! - [`pump`]: the thread that drains the link's events into the window's model
//!   (blocking receive), and [`Owner`](pump::Owner), which stops link and pump in order.
//! - [`waker`]: how the pump asks the window for a new frame.
//! - [`start`]: logging, the owner-only data dir and the link's configuration.
//! - [`store`]: small settings files, written atomically and synced.
//! - [`locale`]: the system's language. (Time zones are `packbell_shared::zone`.)
//! - [`connection_words`]: the Connection screen's words, the same in both windows.
//! - [`lock`]: locking a model shared with the pump.
//! - [`window`]: opening the window with wgpu or, failing that, glow (`--renderer`).
//!
//! **It knows nothing of egui's widgets** (the window hands the waker a callback).
//! **The UI thread never blocks on it**: link calls only queue, and the pump holds the
//! model's lock for one bounded batch at a time.
#![forbid(unsafe_code)]

pub mod connection_words;
#[cfg(any(test, feature = "testing"))]
pub mod fake;
pub mod locale;
pub mod port;
pub mod pump;
pub mod start;
pub mod store;
pub mod waker;
pub mod window;

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a model shared between the UI and the pump. A panic elsewhere while holding
/// it leaves plain data behind, still usable, so the poison is ignored.
pub fn lock<T>(shared: &Mutex<T>) -> MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_model_can_still_be_locked() {
        let shared = std::sync::Arc::new(Mutex::new(1));
        let holder = std::sync::Arc::clone(&shared);
        let panicked = std::thread::spawn(move || {
            let _guard = holder.lock();
            panic!("poison it");
        })
        .join();
        assert!(panicked.is_err());
        assert!(shared.is_poisoned());
        *lock(&shared) += 1;
        assert_eq!(*lock(&shared), 2);
    }
}
