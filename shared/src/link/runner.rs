//! The link thread's main loop: start-up from the local store, the reconnect loop
//! (server address, backoff, pairing), waiting between attempts, and the orderly stop.
//! Decisions are [`LinkLogic`]'s; this file only sequences them with I/O.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::discovery::FoundServer;

use super::api::{LinkConfig, LinkEvent, LinkRequest, LinkStatus};
use super::backoff::Backoff;
use super::cause;
use super::diagnosis::{Answer, Cause, ConnectionReport, diagnose};
use super::effects::{Effects, Offline, Wake, sleep_until, stopped};
use super::locate::{LookPlan, look};
use super::logic::{Action, LinkLogic, SessionEnd};
use super::session;
use super::target::{Pick, Targets, address_list};
use super::worker::StoreWorker;

/// After a version mismatch, the server is asked again this often (it may have been
/// upgraded), without any other status change.
const REFUSED_RETRY: Duration = Duration::from_secs(60);

/// Everything the link thread owns.
pub(super) struct Link {
    config: LinkConfig,
    logic: LinkLogic,
    effects: Effects,
}

/// Why [`Link::wait`] returned.
enum Woken {
    Elapsed,
    Paired,
    Stop,
}

/// The servers a look found that can be connected to, once each, in the order found;
/// a direct answer (which carries no site) takes the site of a broadcast one.
fn candidates(answers: &[Answer]) -> Vec<FoundServer> {
    let mut found: Vec<FoundServer> = Vec::new();
    for answer in answers
        .iter()
        .filter(|answer| answer.reachable != Some(false))
    {
        if found
            .iter()
            .any(|server| server.server_id == answer.fingerprint)
        {
            continue;
        }
        let site = answers
            .iter()
            .find(|other| other.fingerprint == answer.fingerprint && !other.site.is_empty())
            .map_or_else(String::new, |other| other.site.clone());
        found.push(FoundServer {
            ws_addr: answer.address,
            site,
            server_id: answer.fingerprint.clone(),
            protocol: crate::discovery::WIRE_PROTOCOL_VERSION,
        });
    }
    found
}

/// The body of the link thread.
pub(super) fn run_thread(runtime: tokio::runtime::Runtime, link: Link) {
    let store = runtime.block_on(link.run());
    store.finish();
    drop(runtime);
    tracing::debug!("link thread finished");
}

impl Link {
    pub(super) fn new(
        config: LinkConfig,
        store: StoreWorker,
        events: std::sync::mpsc::SyncSender<LinkEvent>,
        wake: Wake,
        requests: mpsc::Receiver<LinkRequest>,
        stop: watch::Receiver<bool>,
    ) -> Link {
        Link {
            logic: LinkLogic::new(&config),
            config,
            effects: Effects::new(store, events, wake, requests, stop),
        }
    }

    /// Carries out actions decided while not connected.
    async fn perform(&mut self, actions: Vec<Action>) {
        // Offline sends nothing, so this cannot fail.
        let _ = self
            .effects
            .perform(&mut self.logic, actions, &mut Offline)
            .await;
    }

    async fn set_status(&mut self, status: LinkStatus) {
        let mut actions = Vec::new();
        self.logic.set_status(status, &mut actions);
        self.perform(actions).await;
    }

    fn stopping(&self) -> bool {
        self.logic.stopping() || self.effects.stop_requested()
    }

    /// Waits for `delay` (forever with `None`) while serving requests.
    async fn wait(&mut self, delay: Option<Duration>) -> Woken {
        let deadline = delay.map(|delay| Instant::now() + delay);
        loop {
            self.effects.flush_wake();
            tokio::select! {
                () = stopped(&mut self.effects.stop) => return Woken::Stop,
                request = self.effects.requests.recv() => {
                    let batch = self.effects.batch(request);
                    let mut actions = Vec::new();
                    let paired = self.logic.on_requests(batch, false, &mut actions);
                    self.perform(actions).await;
                    if self.logic.stopping() {
                        return Woken::Stop;
                    }
                    if paired {
                        return Woken::Paired;
                    }
                }
                () = sleep_until(deadline) => return Woken::Elapsed,
            }
        }
    }

    /// Loads what the store holds and tells the owner; returns the last good server.
    async fn start(&mut self) -> Option<String> {
        let loaded = self.effects.load().await;
        let mut actions = Vec::new();
        let last_server = self.logic.on_loaded(loaded, &mut actions);
        self.perform(actions).await;
        last_server
    }

    /// Looks for servers every way allowed (broadcast, the given and last good addresses,
    /// DNS-SD), reports what it saw, and picks one; `Ok(None)` when none answered.
    async fn discover(&mut self, targets: &Targets) -> Result<Option<String>, String> {
        let plan = LookPlan {
            discovery_targets: self.config.discovery_targets.clone(),
            configured: targets.configured().to_vec(),
            last_good: targets.remembered().map(str::to_owned),
            site: self.config.site.clone(),
            paired: self.logic.paired_server(),
            insecure_plaintext: self.config.insecure_plaintext,
            // Multicast leaves on every card: only where the probe targets are the
            // production default (tests give loopback targets).
            mdns: self.config.discovery_targets.is_empty(),
        };
        let seen = tokio::select! {
            () = stopped(&mut self.effects.stop) => return Ok(None),
            seen = look(&plan) => seen,
        };
        let cause = diagnose(&seen);
        let found = candidates(&seen.answers);
        let report = ConnectionReport {
            look: seen,
            cause: cause.clone(),
            configured: plan.configured,
            at: Utc::now(),
        };
        let mut actions = vec![super::logic::Action::Emit(LinkEvent::Connection(Box::new(
            report,
        )))];
        if let Cause::OtherCard { address, .. } = &cause {
            self.perform(actions).await;
            return Err(format!("{} ({address})", cause::OTHER_CARD));
        }
        let chosen = self.logic.choose_server(found, &mut actions);
        self.perform(actions).await;
        chosen
    }

    /// The reconnect loop. Returns the store thread for the caller to finish.
    pub(super) async fn run(mut self) -> StoreWorker {
        let last_server = self.start().await;
        let kept = self.effects.load_servers().await;
        self.logic.set_servers(kept.clone());
        let given = address_list(self.config.server.as_deref().unwrap_or_default());
        let mut targets = Targets::new(given, last_server);
        targets.set_configured(kept);
        let mut backoff = Backoff::default();
        let mut offline_since: Option<DateTime<Utc>> = None;
        let mut pairing_reason: Option<String> = None;
        while !self.stopping() {
            if let Some(kept) = self.logic.take_servers_changed() {
                targets.set_configured(kept);
            }
            if self.logic.needs_pairing() {
                self.set_status(LinkStatus::NeedsPairing {
                    reason: pairing_reason.take(),
                })
                .await;
                match self.wait(None).await {
                    Woken::Stop => break,
                    Woken::Paired | Woken::Elapsed => {
                        self.set_status(LinkStatus::Connecting).await;
                        continue;
                    }
                }
            }
            let address = match targets.pick() {
                Pick::Connect(address) => Ok(address),
                Pick::Discover => match self.discover(&targets).await {
                    Ok(Some(address)) => {
                        targets.discovered(address.clone());
                        Ok(address)
                    }
                    Ok(None) => Err(cause::NO_SERVER_ANSWERED.to_owned()),
                    Err(reason) => Err(reason),
                },
            };
            let (reason, retry_now) = match address {
                Err(reason) => (reason, false),
                Ok(address) => {
                    match session::run(&mut self.logic, &mut self.effects, &address).await {
                        SessionEnd::Stopped => break,
                        SessionEnd::Lost {
                            reason,
                            authenticated,
                            retry_now,
                        } => {
                            if authenticated {
                                targets.succeeded(&address);
                                backoff.reset();
                                offline_since = None;
                            } else {
                                targets.failed();
                            }
                            (reason, retry_now)
                        }
                        SessionEnd::NeedsPairing { reason } => {
                            self.logic.forget_pairing_code();
                            pairing_reason = reason;
                            continue;
                        }
                        SessionEnd::Refused { reason, retry } => {
                            self.set_status(LinkStatus::Refused { reason }).await;
                            match self.wait(retry.then_some(REFUSED_RETRY)).await {
                                Woken::Stop => break,
                                Woken::Paired => {
                                    self.set_status(LinkStatus::Connecting).await;
                                    continue;
                                }
                                Woken::Elapsed => continue,
                            }
                        }
                    }
                }
            };
            if self.stopping() {
                break;
            }
            let since = *offline_since.get_or_insert_with(Utc::now);
            let delay = backoff.next_delay();
            let delay = if retry_now { Duration::ZERO } else { delay };
            tracing::info!(%reason, attempt = backoff.attempt(), ?delay, "server not reachable; retrying");
            self.set_status(LinkStatus::Reconnecting {
                since,
                attempt: backoff.attempt(),
                reason,
            })
            .await;
            if let Woken::Stop = self.wait(Some(delay)).await {
                break;
            }
        }
        self.finish().await
    }

    /// Drains requests already queued (submits reach the outbox), saves, and hands
    /// back the store thread.
    async fn finish(mut self) -> StoreWorker {
        self.logic.stop();
        while let Ok(request) = self.effects.requests.try_recv() {
            let batch = self.effects.batch(Some(request));
            let mut actions = Vec::new();
            self.logic.on_requests(batch, false, &mut actions);
            self.perform(actions).await;
        }
        let mut actions = Vec::new();
        self.logic.finish(&mut actions);
        self.perform(actions).await;
        self.effects.flush_wake();
        self.effects.finish().await
    }
}
