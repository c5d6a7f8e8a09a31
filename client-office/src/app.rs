//! The office app: owns the shared model, the link and the ui settings, draws the
//! screens and turns their intents into link calls. Used by eframe and by tests.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use packbell_client_core::lock;
use packbell_client_core::port::LinkPort;
use packbell_client_core::pump::Owner;
use packbell_client_core::waker::Waker;
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_shared::zone::Zone;

use crate::alarm::{AlarmSlot, AlarmSound};
use crate::i18n::Lang;
use crate::link::ModelPump;
use crate::model::{Model, SendStep};
use crate::settings::{ThemeChoice, UiSettings};
use crate::ui::{self, AdminTab, Intent, Screen, View};

pub struct OfficeApp {
    /// Shared with the pump thread, which applies link events to it.
    model: Arc<Mutex<Model>>,
    /// The link and the pump that drains its events into `model`.
    owner: Owner,
    /// Given the egui context on the first frame; the pump wakes the window with it.
    waker: Waker,
    /// Where the ui settings live; `None` keeps nothing on disk.
    data_dir: Option<PathBuf>,
    settings: UiSettings,
    /// Used when no language was chosen.
    system_lang: Lang,
    view: View,
    /// The view drawn last frame: a screen that needs fresh data from the server asks
    /// for it when it opens.
    shown_view: Option<View>,
    /// The theme last given to egui, so it is set only when it changes.
    applied_theme: Option<ThemeChoice>,
    /// Focus goes to the order number on the first frame.
    first_frame: bool,
    /// Fixed clock for tests and screenshots; `None` is the real one.
    clock: Option<DateTime<Utc>>,
    /// The zone times and "today" are shown in; tests pin one.
    zone: Zone,
    /// Input held back for the next frame, see [`hold_after_field_change`].
    held_input: Vec<egui::Event>,
    /// The no-warehouse alarm's sound, played by the pump; empty until set.
    alarm: AlarmSlot,
}

impl OfficeApp {
    /// Builds the app around a started link and its event receiver. With a data dir,
    /// the ui settings are loaded from it; the orders still waiting for an ack come
    /// from the link's outbox report.
    pub fn new(
        link: Box<dyn LinkPort>,
        events: Receiver<LinkEvent>,
        data_dir: Option<PathBuf>,
        system_lang: Lang,
    ) -> std::io::Result<OfficeApp> {
        let settings = data_dir
            .as_deref()
            .map(UiSettings::load)
            .unwrap_or_default();
        if let Some(dir) = &data_dir {
            forget_old_unacked_file(dir);
        }
        let mut restored = Model::restored(settings.last_role);
        restored.receipts.alarm_after =
            chrono::Duration::seconds(i64::from(settings.receipt_alarm_secs));
        restored.exports.folder = crate::export_folder::default_folder();
        let model = Arc::new(Mutex::new(restored));
        let waker = Waker::default();
        let alarm = AlarmSlot::default();
        let pump = ModelPump::new(model.clone(), alarm.clone());
        // Receipts and the warehouse count feed the Warehouse column and the alarm.
        if let Err(error) = link.request(LinkRequest::WatchReceipts) {
            tracing::warn!("cannot ask for warehouse receipts: {error}");
        }
        let owner = Owner::start("packbell-office-pump", link, events, pump, waker.clone())?;
        Ok(OfficeApp {
            model,
            owner,
            waker,
            data_dir,
            settings,
            system_lang,
            view: View::default(),
            shown_view: None,
            applied_theme: None,
            first_frame: true,
            clock: None,
            zone: Zone::Local,
            held_input: Vec::new(),
            alarm,
        })
    }

    /// Gives the no-warehouse alarm its sound (the window's is rodio; tests have none).
    pub fn set_alarm_sound(&self, sound: Box<dyn AlarmSound>) {
        if let Ok(mut slot) = self.alarm.lock() {
            *slot = Some(sound);
        }
    }

    /// The shared model, for tests and for the screenshot tool.
    pub fn model(&self) -> Arc<Mutex<Model>> {
        self.model.clone()
    }

    pub fn lang(&self) -> Lang {
        self.settings.lang.unwrap_or(self.system_lang)
    }

    pub fn view(&self) -> View {
        self.view
    }

    pub fn set_view(&mut self, view: View) {
        self.view = view;
    }

    /// Freezes the clock (for repeatable screenshots).
    pub fn set_clock(&mut self, now: DateTime<Utc>) {
        self.clock = Some(now);
    }

    /// Saves exports in `folder` instead of the user's documents (tests, scripts).
    pub fn set_export_folder(&self, folder: PathBuf) {
        lock(&self.model).exports.folder = Some(folder);
    }

    /// Shows times and "today" in `zone` instead of the machine's (tests, screenshots).
    pub fn set_zone(&mut self, zone: Zone) {
        self.zone = zone;
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }

    /// Where "today" starts for this window: midnight in its zone.
    pub fn day_start(&self) -> DateTime<Utc> {
        self.zone.day_start(self.now())
    }

    /// Stops the link (queued commands reach its durable outbox first) and waits for
    /// the pump to finish. Safe to call twice.
    pub fn shutdown(&mut self) {
        self.owner.shutdown();
    }

    /// Draws one frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.waker.install(|| {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        });
        let theme = self.settings.theme;
        if self.applied_theme != Some(theme) {
            ui::apply_theme(&ctx, theme);
            self.applied_theme = Some(theme);
        }
        apply_text_scale(&ctx, self.settings.text_scale);
        let now = self.now();
        let day_start = self.zone.day_start(now);
        let lang = self.lang();
        let model_arc = self.model.clone();
        let mut model = lock(&model_arc);
        if !model.is_admin() && matches!(self.view, View::Admin(_)) {
            self.view = View::Orders;
        }
        let mut screen = Screen {
            model: &mut model,
            lang,
            t: lang.tr(),
            now,
            day_start,
            zone: self.zone,
            intents: Vec::new(),
            view: self.view,
            theme,
            text_scale: self.settings.text_scale,
            focus_number: std::mem::take(&mut self.first_frame),
        };
        ui::app_ui(ui, &mut screen);
        let Screen { intents, view, .. } = screen;
        self.view = view;
        for intent in intents {
            self.handle(&ctx, &mut model, intent, now);
        }
        self.send_export_requests(&mut model);
        if self.shown_view != Some(self.view) {
            self.shown_view = Some(self.view);
            if let Some(request) = request_on_open(self.view) {
                self.handle(&ctx, &mut model, Intent::Request(request), now);
            }
        }
        if self.settings.last_role != model.role {
            self.settings.last_role = model.role;
            self.save_settings(&mut model);
        }
        self.follow_message(&ctx, &mut model, now);
    }

    /// Logs a new message's technical detail once, and draws again when a success
    /// message is due to fade.
    fn follow_message(&self, ctx: &egui::Context, model: &mut Model, now: DateTime<Utc>) {
        if model.track_message(now)
            && let Some(feedback) = &model.feedback
            && let Some(detail) = feedback.detail()
        {
            tracing::warn!(%detail, "shown to the worker: {:?}", feedback);
        }
        if let Some(left) = model.message_fades_in(now)
            && let Ok(left) = left.to_std()
        {
            ctx.request_repaint_after(left);
        }
    }

    fn handle(
        &mut self,
        ctx: &egui::Context,
        model: &mut Model,
        intent: Intent,
        now: DateTime<Utc>,
    ) {
        if !self.owner.is_running() {
            return;
        }
        let link = &self.owner;
        match intent {
            Intent::SendOrder => match model.prepare_send() {
                SendStep::Send(order) => match link.submit(order.command()) {
                    Ok(key) => {
                        model.order_sent(order, key, now);
                        ctx.memory_mut(|m| m.request_focus(ui::number_id()));
                    }
                    Err(error) => model.not_sent(false, error.to_string()),
                },
                // The duplicate dialog is open; its buttons decide.
                SendStep::Confirm => {}
                SendStep::Invalid => {
                    ctx.memory_mut(|m| m.request_focus(ui::first_error_field(model)));
                }
            },
            Intent::SendAnyway => {
                if let Some(order) = model.send_anyway() {
                    match link.submit(order.command()) {
                        Ok(key) => model.order_sent(order, key, now),
                        Err(error) => model.not_sent(false, error.to_string()),
                    }
                }
            }
            Intent::Submit(command, operation) => {
                let admin = operation.is_admin();
                match link.submit(command) {
                    Ok(key) => model.operation_sent(key, operation),
                    Err(error) => model.not_sent(admin, error.to_string()),
                }
            }
            Intent::Request(request) => {
                if let Err(error) = link.request(request) {
                    model.not_sent(false, error.to_string());
                }
            }
            Intent::SetLang(lang) => {
                self.settings.lang = Some(lang);
                self.save_settings(model);
            }
            Intent::SetTheme(theme) => {
                self.settings.theme = theme;
                self.save_settings(model);
            }
            Intent::OpenFolder(folder) => crate::export_folder::open(&folder),
            Intent::ImportStock(path) => {
                for (command, operation) in model.import_stock(read_import_file(&path)) {
                    match link.submit(command) {
                        Ok(key) => model.operation_sent(key, operation),
                        Err(error) => {
                            model.not_sent(false, error.to_string());
                            break;
                        }
                    }
                }
            }
            Intent::SetTextScale(scale) => {
                self.settings.text_scale = scale;
                apply_text_scale(ctx, scale);
                self.save_settings(model);
            }
        }
    }

    /// Sends what the Exports screen asked for: a start or cancel, or the next piece
    /// once the pump wrote the last one (it wakes the window for that). Asking from
    /// the window, one piece a frame, keeps its progress bar in step with the file;
    /// `logic` asks too, so a minimized window does not stall an export.
    fn send_export_requests(&self, model: &mut Model) {
        let mut requests = model.exports.take_requests();
        requests.extend(model.dashboard.take_requests());
        for request in requests {
            if let Err(error) = self.owner.request(request) {
                tracing::warn!(%error, "the link did not take an export request");
                model.exports.on_disconnected();
                model.dashboard.on_disconnected();
            }
        }
    }

    /// Saves the window settings; a failure is told in the message line.
    fn save_settings(&self, model: &mut Model) {
        if let Some(dir) = &self.data_dir
            && let Err(error) = self.settings.save(dir)
        {
            model.feedback = Some(crate::model::Feedback::Notice(
                crate::model::NoticeKind::SettingsNotSaved,
                error.to_string(),
            ));
        }
    }
}

impl Drop for OfficeApp {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl eframe::App for OfficeApp {
    /// Runs even while the window is minimized (when `ui` does not), so an export
    /// keeps asking for its next piece after the pump wrote the last one.
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let model = self.model.clone();
        self.send_export_requests(&mut lock(&model));
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        OfficeApp::ui(self, ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if hold_after_field_change(&mut self.held_input, &mut raw_input.events) {
            ctx.request_repaint();
        }
    }
}

/// Draws everything `scale` times larger (from the next frame), leaving egui's own
/// zoom keys off: the window's keys change the setting, which is saved.
fn apply_text_scale(ctx: &egui::Context, scale: f32) {
    if ctx.options(|o| o.zoom_with_keyboard) {
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
    }
    if (ctx.zoom_factor() - scale).abs() > f32::EPSILON {
        ctx.set_zoom_factor(scale);
    }
}

/// Earlier versions kept the unacknowledged orders in this file as well as in the
/// link's outbox; the outbox report replaces it, so a copy left behind is removed.
fn forget_old_unacked_file(data_dir: &std::path::Path) {
    const OLD_UNACKED_FILE: &str = "office-unacked.json";
    match std::fs::remove_file(data_dir.join(OLD_UNACKED_FILE)) {
        Ok(()) => {
            tracing::info!("removed {OLD_UNACKED_FILE}: the link's outbox reports those orders")
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!(%error, "cannot remove {OLD_UNACKED_FILE}"),
    }
}

/// A stock file's bytes, refused unread when larger than the import allows.
fn read_import_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let limit = crate::model::MAX_IMPORT_BYTES;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    // One byte past the limit is enough for the import to say the file is too big.
    Ok(bytes)
}

/// What a screen asks the server for when it opens (Refresh asks again).
fn request_on_open(view: View) -> Option<LinkRequest> {
    match view {
        View::Admin(AdminTab::Devices) => Some(LinkRequest::ListDevices),
        View::Admin(AdminTab::Site) => Some(LinkRequest::SiteStatus),
        View::Orders | View::Admin(AdminTab::Stores | AdminTab::Exports | AdminTab::Today) => None,
        View::Connection | View::Stock | View::Alerts => None,
    }
}

/// Fast typists and barcode scanners send "number, Tab, store" faster than frames
/// are drawn. egui moves focus at the end of a frame, so text after a Tab in the
/// same frame would land in the old field (and text after an Enter would be lost).
/// This keeps everything after the first Tab or Enter press for the next frame;
/// `held` carries it over. Returns true when something is held (draw again soon).
pub fn hold_after_field_change(held: &mut Vec<egui::Event>, events: &mut Vec<egui::Event>) -> bool {
    let mut all = std::mem::take(held);
    all.append(events);
    let cut = all.iter().position(|event| {
        matches!(
            event,
            egui::Event::Key {
                key: egui::Key::Tab | egui::Key::Enter,
                pressed: true,
                ..
            }
        )
    });
    if let Some(index) = cut {
        *held = all.split_off(index + 1);
    }
    *events = all;
    !held.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: egui::Key, pressed: bool) -> egui::Event {
        egui::Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        }
    }

    fn text(s: &str) -> egui::Event {
        egui::Event::Text(s.into())
    }

    #[test]
    fn the_old_unacked_file_is_not_read_but_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = dir.path().join("office-unacked.json");
        let entry = r#"[{"key":"k","order_number":"A-1","store_id":1,"note":"","priority":"normal","submitted_at":"2026-03-02T09:00:00Z","state":"Queued"}]"#;
        std::fs::write(&old, entry).expect("written");
        let (link, events) = packbell_client_core::fake::FakeLink::new();
        let app =
            OfficeApp::new(Box::new(link), events, Some(dir.path().into()), Lang::En).expect("app");
        assert!(!old.exists());
        assert!(lock(&app.model()).submissions.is_empty());
    }

    #[test]
    fn text_after_tab_or_enter_waits_for_the_next_frame() {
        let mut held = Vec::new();
        let mut frame = vec![
            text("A-1"),
            key(egui::Key::Tab, true),
            key(egui::Key::Tab, false),
            text("cen"),
            key(egui::Key::Enter, true),
            text("A-2"),
        ];
        assert!(hold_after_field_change(&mut held, &mut frame));
        assert_eq!(frame, [text("A-1"), key(egui::Key::Tab, true)]);

        let mut frame = vec![];
        assert!(hold_after_field_change(&mut held, &mut frame));
        assert_eq!(
            frame,
            [
                key(egui::Key::Tab, false),
                text("cen"),
                key(egui::Key::Enter, true)
            ]
        );

        let mut frame = vec![text("7")];
        assert!(!hold_after_field_change(&mut held, &mut frame));
        assert_eq!(frame, [text("A-2"), text("7")]);
    }
}
