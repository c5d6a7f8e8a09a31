//! The alert service: turns the model's decisions into sound, notifications and an
//! attention request, on its own thread, whether or not the window is drawn.
//!
//! **Ringing never waits for a frame.** eframe does not call `ui()` for a minimised
//! window, so the pump thread (the owner layer's, with [`AlertPump`] as its work)
//! drains the link's events, applies them to the model, ticks rush re-alerts and
//! executes what the model decided. The UI only draws.
//!
//! Each output sits behind a small trait ([`SoundOutput`], [`Notifier`],
//! [`Attention`]) so tests can record calls. A failing output is logged once, shown
//! once as a [`Hint`], and never stops the others.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use packbell_client_core::lock;
use packbell_client_core::port::Requester;
use packbell_client_core::pump::PumpTarget;
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus};
use packbell_shared::protocol::{NotRungWhy, OrderId, Priority};

use crate::i18n::Language;
use crate::model::stock_alerts::StockNotice;
use crate::model::{AlertAction, Hint, Model};
use crate::settings::SoundId;

/// How often the pump wakes with no events, for rush re-alerts and timers.
pub const TICK: Duration = Duration::from_millis(500);
/// Notification jobs waiting for the notification thread; more are dropped (logged).
pub const NOTIFY_QUEUE: usize = 64;
/// Notifications remembered for withdrawal; the oldest is forgotten beyond this.
pub const MAX_TRACKED_NOTIFICATIONS: usize = 256;
/// The AppUserModelID the Windows installer puts on the warehouse's shortcuts
/// (`AUMID_WAREHOUSE` in installer/windows/packbell.nsi). Toasts must carry the same id
/// or Windows shows them as another program's (or drops them).
pub const WINDOWS_APP_ID: &str = "packbell.warehouse";

/// Called with a hint the UI should show; pushes it into the model.
pub type HintSink = Arc<dyn Fn(Hint) + Send + Sync>;

/// Plays a chime. Must not block for long (the real one hands it to a mixer).
pub trait SoundOutput: Send {
    fn play(&mut self, sound: SoundId, volume: f32) -> Result<(), String>;
}

/// A desktop notification, addressed by order when it may need withdrawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub order_id: Option<OrderId>,
    pub title: String,
    pub body: String,
    pub urgent: bool,
}

/// Shows and withdraws desktop notifications. Fire and forget: implementations report
/// their own failures (the real one through a [`HintSink`]).
pub trait Notifier: Send {
    fn show(&mut self, note: Note);
    fn withdraw(&mut self, order_id: OrderId);
}

/// Asks the window manager to flash the taskbar entry / raise attention.
pub trait Attention: Send {
    fn request(&mut self, urgent: bool);
}

/// What the executor needs from the settings, copied out under the model lock.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPrefs {
    pub normal_sound: SoundId,
    pub rush_sound: SoundId,
    pub volume: f32,
    pub muted: bool,
    pub language: Language,
}

impl AlertPrefs {
    pub fn from_model(model: &Model) -> AlertPrefs {
        let settings = &model.settings;
        AlertPrefs {
            normal_sound: settings.normal_sound,
            rush_sound: settings.rush_sound,
            volume: settings.volume,
            muted: settings.muted,
            language: settings.language.unwrap_or_else(Language::system),
        }
    }
}

/// Carries out [`AlertAction`]s on the three outputs.
pub struct Executor {
    sound: Box<dyn SoundOutput>,
    notifier: Box<dyn Notifier>,
    attention: Box<dyn Attention>,
    hints: HintSink,
    /// Set after the first sound failure: logged and shown once only.
    sound_failed: bool,
    /// How the last ring (a `Ring` or a `Summary`) went, for the office's receipts:
    /// `Err` says why no sound played. Taken by [`Executor::take_ring_outcome`].
    ring_outcome: Option<Result<(), NotRungWhy>>,
}

impl Executor {
    pub fn new(
        sound: Box<dyn SoundOutput>,
        notifier: Box<dyn Notifier>,
        attention: Box<dyn Attention>,
        hints: HintSink,
    ) -> Executor {
        Executor {
            sound,
            notifier,
            attention,
            hints,
            sound_failed: false,
            ring_outcome: None,
        }
    }

    /// How the rings since the last call went (`None`: nothing rang).
    pub fn take_ring_outcome(&mut self) -> Option<Result<(), NotRungWhy>> {
        self.ring_outcome.take()
    }

    pub fn execute(&mut self, actions: Vec<AlertAction>, prefs: &AlertPrefs) {
        let text = prefs.language.strings();
        for action in actions {
            match action {
                AlertAction::Ring(alert) => {
                    let rush = alert.priority == Priority::Rush;
                    tracing::info!(
                        order = %alert.order_number,
                        store = %alert.store,
                        rush,
                        "rang order {}",
                        alert.order_number
                    );
                    self.ring_outcome = Some(self.sound_for(
                        if rush {
                            prefs.rush_sound
                        } else {
                            prefs.normal_sound
                        },
                        prefs,
                    ));
                    let title = if rush {
                        prefs
                            .language
                            .notify_rush(&alert.order_number, &alert.store)
                    } else {
                        prefs
                            .language
                            .notify_order(&alert.order_number, &alert.store)
                    };
                    let body = if alert.note.is_empty() {
                        text.notify_ready.to_owned()
                    } else {
                        alert.note.clone()
                    };
                    self.notifier.show(Note {
                        order_id: Some(alert.order_id),
                        title,
                        body,
                        urgent: rush,
                    });
                    self.attention.request(rush);
                }
                AlertAction::Repeat { order_numbers } => {
                    tracing::info!("re-alerted rush orders {}", order_numbers.join(", "));
                    self.play(prefs.rush_sound, prefs);
                    self.attention.request(true);
                }
                AlertAction::Summary {
                    count,
                    rush,
                    order_numbers,
                    live,
                } => {
                    tracing::info!(
                        "rang a summary of {count} orders ({rush} rush, live: {live}): {}",
                        order_numbers.join(", ")
                    );
                    self.ring_outcome = Some(self.sound_for(
                        if rush > 0 {
                            prefs.rush_sound
                        } else {
                            prefs.normal_sound
                        },
                        prefs,
                    ));
                    let title = match (live, rush > 0) {
                        (false, true) => prefs.language.notify_summary_rush(count, rush),
                        (false, false) => prefs.language.notify_summary(count),
                        (true, true) => prefs.language.notify_burst_rush(count, rush),
                        (true, false) => prefs.language.notify_burst(count),
                    };
                    let mut body = order_numbers.join(", ");
                    if count > order_numbers.len() {
                        body.push_str(", …");
                    }
                    self.notifier.show(Note {
                        order_id: None,
                        title,
                        body,
                        urgent: rush > 0,
                    });
                    self.attention.request(rush > 0);
                }
                AlertAction::Overdue { order_numbers } => {
                    tracing::info!("overdue orders {}", order_numbers.join(", "));
                    self.play(prefs.normal_sound, prefs);
                    self.attention.request(false);
                }
                AlertAction::Withdraw { order_id } => {
                    tracing::debug!(order_id, "withdrawing notification");
                    self.notifier.withdraw(order_id);
                }
                AlertAction::Cancelled {
                    order_id,
                    order_number,
                    store,
                } => {
                    tracing::info!(order = %order_number, "order {order_number} cancelled");
                    self.play(SoundId::Cancelled, prefs);
                    self.notifier.show(Note {
                        order_id: Some(order_id),
                        title: prefs.language.notify_cancelled(&order_number, &store),
                        body: text.cancelled_banner.to_owned(),
                        urgent: true,
                    });
                    self.attention.request(true);
                }
                AlertAction::StockCritical { sku, level } => {
                    tracing::info!(%sku, level, "critical stock alert for {sku}");
                    self.play(SoundId::StockCritical, prefs);
                    self.notifier.show(Note {
                        order_id: None,
                        title: prefs.language.notify_stock_critical(&sku, level),
                        body: text.sound_stock_critical.to_owned(),
                        urgent: true,
                    });
                    self.attention.request(true);
                }
            }
        }
    }

    /// Plays a chime now (the settings' "Test" button goes through here too).
    pub fn play(&mut self, sound: SoundId, prefs: &AlertPrefs) {
        // Whether it played matters only for an order's receipt.
        let _ = self.sound_for(sound, prefs);
    }

    /// Plays a chime; `Err` says why nothing was heard.
    fn sound_for(&mut self, sound: SoundId, prefs: &AlertPrefs) -> Result<(), NotRungWhy> {
        if prefs.muted || prefs.volume <= 0.0 {
            return Err(NotRungWhy::SoundOff);
        }
        match self.sound.play(sound, prefs.volume) {
            Ok(()) => Ok(()),
            Err(err) => {
                if !self.sound_failed {
                    self.sound_failed = true;
                    tracing::warn!("cannot play sound: {err}");
                    (self.hints)(Hint::NoSound(err));
                }
                Err(NotRungWhy::NoAudio)
            }
        }
    }
}

// --------------------------------------------------------------------------------
// The pump target

/// Requests to the pump thread besides link events.
#[derive(Debug, Clone, PartialEq)]
pub enum PumpRequest {
    /// Play this chime now with the current volume (settings' "Test").
    TestSound(SoundId),
}

/// Requests waiting for the pump; more are dropped (logged): a "Test" click can be
/// repeated.
pub const REQUEST_QUEUE: usize = 8;

/// The window's way to ask the pump for something; never waits.
#[derive(Debug, Clone)]
pub struct PumpRequests(SyncSender<PumpRequest>);

impl PumpRequests {
    pub fn send(&self, request: PumpRequest) {
        if let Err(TrySendError::Full(_)) = self.0.try_send(request) {
            tracing::debug!("pump busy; request dropped");
        }
    }
}

/// What the warehouse's pump does: applies link events to the model, ticks rush
/// re-alerts every [`TICK`], and executes what the model decided.
pub struct AlertPump {
    model: Arc<Mutex<Model>>,
    executor: Executor,
    requests: Receiver<PumpRequest>,
    next_tick: Instant,
    /// Where receipts for the office go (the link); `None` keeps them unsent.
    receipts: Option<Requester>,
}

impl AlertPump {
    /// The pump's work for `model`, and the sender of requests to it.
    pub fn new(model: Arc<Mutex<Model>>, executor: Executor) -> (AlertPump, PumpRequests) {
        let (sender, requests) = std::sync::mpsc::sync_channel(REQUEST_QUEUE);
        let pump = AlertPump {
            model,
            executor,
            requests,
            next_tick: Instant::now(),
            receipts: None,
        };
        (pump, PumpRequests(sender))
    }

    /// Sends the model's receipts (applied, rang, not rung) to the office through
    /// `requester`, from the pump thread: like ringing, they never wait for a frame.
    pub fn with_receipts(mut self, requester: Requester) -> AlertPump {
        self.receipts = Some(requester);
        self
    }

    /// Records how the rings of this turn went and sends the receipts waiting.
    fn send_receipts(&mut self) {
        let outcome = self.executor.take_ring_outcome();
        let notes = {
            let mut model = lock(&self.model);
            if let Some(outcome) = outcome {
                model.ring_outcome(outcome);
            }
            model.take_receipts()
        };
        if notes.is_empty() {
            return;
        }
        let Some(send) = &self.receipts else {
            return;
        };
        // A busy link drops them: the office shows "waiting" and its alarm speaks up.
        if let Err(err) = send(LinkRequest::Receipts(notes)) {
            tracing::debug!("receipts not sent: {err}");
        }
    }
}

impl PumpTarget for AlertPump {
    fn wait_limit(&mut self) -> Option<Duration> {
        Some(self.next_tick.saturating_duration_since(Instant::now()))
    }

    fn turn(&mut self, events: Vec<LinkEvent>) -> bool {
        for PumpRequest::TestSound(sound) in self.requests.try_iter() {
            let prefs = AlertPrefs::from_model(&lock(&self.model));
            self.executor.play(sound, &prefs);
        }
        let got_events = !events.is_empty();
        let mut actions = Vec::new();
        let prefs;
        {
            let mut model = lock(&self.model);
            let now = Utc::now();
            for event in events {
                log_event(&event);
                actions.extend(model.handle(event, now));
            }
            if Instant::now() >= self.next_tick {
                actions.extend(model.tick(now));
                self.next_tick = Instant::now() + TICK;
            }
            actions.extend(stock_actions(model.take_stock_notices()));
            prefs = AlertPrefs::from_model(&model);
        }
        let had_news = got_events || !actions.is_empty();
        self.executor.execute(actions, &prefs);
        self.send_receipts();
        had_news
    }
}

/// Only critical stock alerts make themselves heard; the others wait in the banner.
fn stock_actions(notices: Vec<StockNotice>) -> impl Iterator<Item = AlertAction> {
    notices
        .into_iter()
        .filter(|notice| notice.chime)
        .map(|notice| AlertAction::StockCritical {
            sku: notice.sku,
            level: notice.level,
        })
}

/// Connection changes go to the log (scripts and support read it).
fn log_event(event: &LinkEvent) {
    match event {
        LinkEvent::Status(LinkStatus::Connected {
            site, device_id, ..
        }) => {
            tracing::info!(device_id, "connected to site {site}");
        }
        LinkEvent::Status(LinkStatus::Reconnecting {
            attempt, reason, ..
        }) => tracing::info!(attempt, "offline: {reason}"),
        LinkEvent::Status(LinkStatus::NeedsPairing { reason }) => {
            tracing::info!(
                "needs a pairing code ({})",
                reason.as_deref().unwrap_or("first run")
            );
        }
        LinkEvent::Status(LinkStatus::Refused { reason }) => {
            tracing::warn!("refused by the server: {reason}");
        }
        LinkEvent::CaughtUp { seq } => tracing::debug!(seq, "caught up"),
        _ => {}
    }
}

// --------------------------------------------------------------------------------
// Real outputs

/// The chimes, embedded in the binary.
pub fn sound_bytes(sound: SoundId) -> &'static [u8] {
    match sound {
        SoundId::Chime => include_bytes!("../../assets/sounds/chime.wav"),
        SoundId::Bell => include_bytes!("../../assets/sounds/bell.wav"),
        SoundId::Urgent => include_bytes!("../../assets/sounds/urgent.wav"),
        SoundId::Cancelled => include_bytes!("../../assets/sounds/cancelled.wav"),
        SoundId::StockCritical => include_bytes!("../../assets/sounds/stock_critical.wav"),
    }
}

/// A chime started this soon after another is skipped (unless it is more urgent), so
/// a burst of orders gives one clear chime instead of a clipped pile-up.
pub const MIN_CHIME_GAP: Duration = Duration::from_millis(1200);

/// rodio output. The device is opened once, at construction, on a thread that keeps
/// it open for the life of this value (the stream type is not `Send` everywhere).
pub struct RodioSound {
    mixer: Result<rodio::mixer::Mixer, String>,
    /// Dropping this closes the device thread.
    _keep_open: Option<SyncSender<()>>,
    /// When the last chime started, and whether it was the urgent one.
    last: Option<(Instant, bool)>,
}

impl RodioSound {
    pub fn open() -> RodioSound {
        let (mixer_tx, mixer_rx) = std::sync::mpsc::sync_channel(1);
        let (keep_tx, keep_rx) = std::sync::mpsc::sync_channel::<()>(0);
        let spawned = std::thread::Builder::new()
            .name("packbell-audio".into())
            .spawn(
                move || match rodio::DeviceSinkBuilder::open_default_sink() {
                    Ok(mut sink) => {
                        sink.log_on_drop(false);
                        let _ = mixer_tx.send(Ok(sink.mixer().clone()));
                        // Blocks until the owner drops its sender.
                        let _ = keep_rx.recv();
                    }
                    Err(err) => {
                        let _ = mixer_tx.send(Err(err.to_string()));
                    }
                },
            );
        let mixer = match spawned {
            Ok(_) => mixer_rx
                .recv_timeout(Duration::from_secs(10))
                .map_err(|_| "audio device did not open in time".to_owned())
                .and_then(|r| r),
            Err(err) => Err(err.to_string()),
        };
        match &mixer {
            Ok(_) => tracing::info!("audio output open"),
            Err(err) => tracing::warn!("no audio output: {err}"),
        }
        RodioSound {
            mixer,
            _keep_open: Some(keep_tx),
            last: None,
        }
    }

    /// Why there is no sound, if there is none.
    pub fn error(&self) -> Option<&str> {
        self.mixer.as_ref().err().map(String::as_str)
    }
}

impl SoundOutput for RodioSound {
    fn play(&mut self, sound: SoundId, volume: f32) -> Result<(), String> {
        use rodio::Source as _;
        let mixer = self.mixer.as_ref().map_err(Clone::clone)?;
        let urgent = matches!(
            sound,
            SoundId::Urgent | SoundId::Cancelled | SoundId::StockCritical
        );
        if let Some((at, last_urgent)) = self.last
            && at.elapsed() < MIN_CHIME_GAP
            && (last_urgent || !urgent)
        {
            tracing::debug!("chime skipped: another is still playing");
            return Ok(());
        }
        self.last = Some((Instant::now(), urgent));
        let decoder = rodio::Decoder::new(std::io::Cursor::new(sound_bytes(sound)))
            .map_err(|err| err.to_string())?;
        mixer.add(decoder.amplify(volume.clamp(0.0, 1.0)));
        Ok(())
    }
}

enum NotifyJob {
    Show(Note),
    Withdraw(OrderId),
}

/// notify-rust output on its own thread, so a slow D-Bus never delays a sound.
pub struct DesktopNotifier {
    jobs: SyncSender<NotifyJob>,
}

impl DesktopNotifier {
    pub fn spawn(app_name: String, hints: HintSink) -> std::io::Result<DesktopNotifier> {
        let (jobs, rx) = std::sync::mpsc::sync_channel(NOTIFY_QUEUE);
        std::thread::Builder::new()
            .name("packbell-notify".into())
            .spawn(move || notify_thread(&app_name, &rx, &hints))?;
        Ok(DesktopNotifier { jobs })
    }

    fn send(&self, job: NotifyJob) {
        if let Err(TrySendError::Full(_)) = self.jobs.try_send(job) {
            tracing::warn!("notification queue full; one notification dropped");
        }
    }
}

impl Notifier for DesktopNotifier {
    fn show(&mut self, note: Note) {
        self.send(NotifyJob::Show(note));
    }

    fn withdraw(&mut self, order_id: OrderId) {
        self.send(NotifyJob::Withdraw(order_id));
    }
}

fn notify_thread(app_name: &str, jobs: &Receiver<NotifyJob>, hints: &HintSink) {
    let mut shown = HashMap::new();
    let mut order = VecDeque::new();
    let mut failed = false;
    for job in jobs {
        match job {
            NotifyJob::Show(note) => {
                let mut notification = notify_rust::Notification::new();
                notification
                    .appname(app_name)
                    .summary(&note.title)
                    .body(&note.body);
                #[cfg(windows)]
                notification.app_id(WINDOWS_APP_ID);
                #[cfg(all(unix, not(target_os = "macos")))]
                notification.urgency(if note.urgent {
                    notify_rust::Urgency::Critical
                } else {
                    notify_rust::Urgency::Normal
                });
                match notification.show() {
                    Ok(handle) => {
                        failed = false;
                        if let Some(order_id) = note.order_id {
                            shown.insert(order_id, handle);
                            order.push_back(order_id);
                            while order.len() > MAX_TRACKED_NOTIFICATIONS {
                                if let Some(old) = order.pop_front() {
                                    shown.remove(&old);
                                }
                            }
                        }
                    }
                    Err(err) => {
                        if !failed {
                            failed = true;
                            tracing::warn!("cannot show notification: {err}");
                            hints(Hint::NoNotifications(err.to_string()));
                        }
                    }
                }
            }
            NotifyJob::Withdraw(order_id) => {
                order.retain(|id| *id != order_id);
                if let Some(handle) = shown.remove(&order_id) {
                    close_notification(handle);
                }
            }
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn close_notification(handle: notify_rust::NotificationHandle) {
    handle.close();
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn close_notification<H>(_handle: H) {
    // Toasts and macOS notifications are left to the platform's own expiry.
}

/// The window's egui context, once the first frame has given it.
pub type ContextSlot = Arc<OnceLock<egui::Context>>;

/// Attention through the egui viewport command (taskbar flash / urgency hint).
pub struct ViewportAttention {
    ctx: ContextSlot,
}

impl ViewportAttention {
    pub fn new(ctx: ContextSlot) -> ViewportAttention {
        ViewportAttention { ctx }
    }
}

impl Attention for ViewportAttention {
    fn request(&mut self, urgent: bool) {
        if let Some(ctx) = self.ctx.get() {
            let kind = if urgent {
                egui::UserAttentionType::Critical
            } else {
                egui::UserAttentionType::Informational
            };
            ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(kind));
            ctx.request_repaint();
        }
    }
}

// --------------------------------------------------------------------------------
// Recording outputs, for tests (the `testing` feature)

/// One call made to a recording output.
#[cfg(any(test, feature = "testing"))]
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Sound { sound: SoundId, volume: f32 },
    Show(Note),
    Withdraw(OrderId),
    Attention { urgent: bool },
}

/// Records every call; clones share the same log.
#[cfg(any(test, feature = "testing"))]
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
    /// When set, `play` fails with this message (to test failure hints).
    pub fail_sound: Option<String>,
}

#[cfg(any(test, feature = "testing"))]
impl Recorder {
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.calls).clone()
    }

    pub fn clear(&self) {
        lock(&self.calls).clear();
    }

    fn push(&self, call: Call) {
        lock(&self.calls).push(call);
    }

    /// An executor whose three outputs all record here.
    pub fn executor(&self, hints: HintSink) -> Executor {
        Executor::new(
            Box::new(self.clone()),
            Box::new(self.clone()),
            Box::new(self.clone()),
            hints,
        )
    }
}

#[cfg(any(test, feature = "testing"))]
impl SoundOutput for Recorder {
    fn play(&mut self, sound: SoundId, volume: f32) -> Result<(), String> {
        if let Some(err) = &self.fail_sound {
            return Err(err.clone());
        }
        self.push(Call::Sound { sound, volume });
        Ok(())
    }
}

#[cfg(any(test, feature = "testing"))]
impl Notifier for Recorder {
    fn show(&mut self, note: Note) {
        self.push(Call::Show(note));
    }

    fn withdraw(&mut self, order_id: OrderId) {
        self.push(Call::Withdraw(order_id));
    }
}

#[cfg(any(test, feature = "testing"))]
impl Attention for Recorder {
    fn request(&mut self, urgent: bool) {
        self.push(Call::Attention { urgent });
    }
}
