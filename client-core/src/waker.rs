//! How background threads ask the window for a new frame.
//!
//! The window's context only exists once the first frame (or a test harness) runs, so
//! the waker starts empty and is given its callback then. Waking before that does
//! nothing: the first frame draws whatever the model holds.

use std::sync::{Arc, OnceLock};

type Wake = Box<dyn Fn() + Send + Sync>;

/// Clones share one callback slot; the first callback given stays.
#[derive(Clone, Default)]
pub struct Waker(Arc<OnceLock<Wake>>);

impl Waker {
    /// Installs the callback (egui: `move || ctx.request_repaint()`) unless one is
    /// already there; `make` runs only when it is needed, so calling this every frame
    /// costs a load.
    pub fn install<F>(&self, make: impl FnOnce() -> F)
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.0.get_or_init(|| Box::new(make()));
    }

    pub fn is_installed(&self) -> bool {
        self.0.get().is_some()
    }

    /// Asks for a frame; does nothing until a callback is installed.
    pub fn wake(&self) {
        if let Some(wake) = self.0.get() {
            wake();
        }
    }
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waker")
            .field("installed", &self.is_installed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn wakes_through_the_first_callback_only_once_installed() {
        let waker = Waker::default();
        let woken = Arc::new(AtomicUsize::new(0));
        waker.wake();
        let clone = waker.clone();
        let counter = Arc::clone(&woken);
        clone.install(move || {
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        waker.install(|| || panic!("a second callback must not replace the first"));
        waker.wake();
        clone.wake();
        assert_eq!(woken.load(Ordering::SeqCst), 2);
    }
}
