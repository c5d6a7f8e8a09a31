//! The thread that owns the link's SQLite connection.
//!
//! The link's async code never touches SQLite itself: it hands closures to this thread
//! over a bounded channel, in order, and awaits the answer when it needs one (outbox
//! inserts, credentials) or does not (checkpoints, deleting acknowledged commands).

use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use super::store::{LinkStore, StoreError};

/// Jobs waiting for the thread. When full, the link waits for room (backpressure on
/// the link, never on the GUI).
const STORE_QUEUE: usize = 64;

type Job = Box<dyn FnOnce(&mut LinkStore) + Send>;

pub struct StoreWorker {
    /// Closed by `finish`; the thread then runs what is queued and exits.
    jobs: mpsc::Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl StoreWorker {
    pub fn start(mut store: LinkStore) -> std::io::Result<StoreWorker> {
        let (jobs, mut queue) = mpsc::channel::<Job>(STORE_QUEUE);
        let thread = std::thread::Builder::new()
            .name("packbell-link-store".into())
            .spawn(move || {
                while let Some(job) = queue.blocking_recv() {
                    job(&mut store);
                }
            })?;
        Ok(StoreWorker {
            jobs,
            thread: Some(thread),
        })
    }

    /// Runs `job` on the store thread and returns its result.
    pub async fn call<R, F>(&self, job: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut LinkStore) -> Result<R, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            // The caller may have stopped waiting; nothing to do then.
            let _ = reply.send(job(store));
        });
        self.jobs.send(job).await.map_err(|_| StoreError::Stopped)?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }

    /// Queues `job` without waiting for it; a failure is logged (as `what`) there.
    /// Jobs run in the order they were queued, before any later `call`.
    pub async fn run<F>(&self, what: &'static str, job: F)
    where
        F: FnOnce(&mut LinkStore) -> Result<(), StoreError> + Send + 'static,
    {
        let job: Job = Box::new(move |store| {
            if let Err(error) = job(store) {
                tracing::error!(%error, "{what} failed");
            }
        });
        if self.jobs.send(job).await.is_err() {
            tracing::error!("{what} skipped: the store thread has stopped");
        }
    }

    /// Lets the thread finish the queued jobs and waits for it. Blocking: call it
    /// outside the runtime.
    pub fn finish(mut self) {
        let thread = self.thread.take();
        drop(self);
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::error!("the link store thread panicked");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_and_answer() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let worker = StoreWorker::start(LinkStore::open_in_memory().unwrap()).unwrap();
        let server = runtime.block_on(async {
            worker
                .run("remember server", |store| store.set_last_server("a:1"))
                .await;
            worker.call(|store| store.last_server()).await
        });
        assert_eq!(server.unwrap().as_deref(), Some("a:1"));
        worker.finish();
    }
}
