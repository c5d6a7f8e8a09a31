//! The app: owns the shared model, the link with its alert pump, and the UI state, and
//! carries out the UI's intents.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use packbell_client_core::lock;
use packbell_client_core::port::LinkPort;
use packbell_client_core::pump::Owner;
use packbell_client_core::waker::Waker;
use packbell_shared::link::{LinkError, LinkEvent, LinkRequest};
use packbell_shared::protocol::{Command, OrderId};
use packbell_shared::zone::Zone;

use crate::alert::{AlertPump, Executor, HintSink, PumpRequest, PumpRequests};
use crate::model::{Hint, Model};
use crate::settings::{self, Settings, Theme};
use crate::ui::{self, Intent, UiState};

/// Where "now" comes from; tests and screenshots pin it.
pub type Clock = Box<dyn Fn() -> DateTime<Utc> + Send>;

pub struct WarehouseApp {
    model: Arc<Mutex<Model>>,
    /// The link and the alert pump; dropping it stops the link, then the pump.
    owner: Owner,
    /// To the alert pump ("Test" sound).
    pump: PumpRequests,
    /// Given the egui context on the first frame; the pump wakes the window with it.
    waker: Waker,
    /// Settings are written here when they change; `None` keeps them in memory.
    data_dir: Option<PathBuf>,
    saved: Settings,
    ui: UiState,
    clock: Clock,
    /// Fonts and style are installed on the first frame (they need the context).
    styled_theme: Option<Theme>,
}

/// A shared model and a sink that files hints into it.
pub fn new_model(settings: Settings) -> (Arc<Mutex<Model>>, HintSink) {
    let model = Arc::new(Mutex::new(Model::new(settings)));
    let sink_model = Arc::clone(&model);
    let hints: HintSink = Arc::new(move |hint: Hint| {
        lock(&sink_model).push_hint(hint);
    });
    (model, hints)
}

fn not_sent(err: LinkError) -> Hint {
    Hint::NotSent {
        busy: matches!(err, LinkError::Busy),
    }
}

impl WarehouseApp {
    /// Starts the alert pump on `events` and returns the app around it.
    /// `waker` gets the egui context on the first frame (or from a test harness).
    pub fn start(
        model: Arc<Mutex<Model>>,
        link: Box<dyn LinkPort>,
        events: Receiver<LinkEvent>,
        executor: Executor,
        waker: Waker,
        data_dir: Option<PathBuf>,
    ) -> std::io::Result<WarehouseApp> {
        let (alert_pump, pump) = AlertPump::new(Arc::clone(&model), executor);
        let alert_pump = alert_pump.with_receipts(link.requester());
        let owner = Owner::start("packbell-alerts", link, events, alert_pump, waker.clone())?;
        let saved = lock(&model).settings.clone();
        Ok(WarehouseApp {
            model,
            owner,
            pump,
            waker,
            data_dir,
            saved,
            ui: UiState::default(),
            clock: Box::new(Utc::now),
            styled_theme: None,
        })
    }

    /// Pins the clock (screenshots, tests).
    pub fn with_clock(mut self, clock: Clock) -> WarehouseApp {
        self.clock = clock;
        self
    }

    /// Shows times and "today" in `zone` instead of the machine's (screenshots, tests).
    pub fn with_zone(mut self, zone: Zone) -> WarehouseApp {
        self.ui.zone = zone;
        self
    }

    pub fn model(&self) -> Arc<Mutex<Model>> {
        Arc::clone(&self.model)
    }

    pub fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Draws one frame into `ui` and carries out what the user asked.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.waker.install(|| {
            let ctx = ui.ctx().clone();
            move || ctx.request_repaint()
        });
        let now = (self.clock)();
        let model = Arc::clone(&self.model);
        let mut model = lock(&model);
        if self.styled_theme != Some(model.settings.theme) {
            if self.styled_theme.is_none() {
                ui::install_fonts(ui.ctx());
            }
            ui::apply_style(ui.ctx(), model.settings.theme);
            self.styled_theme = Some(model.settings.theme);
        }
        let intents = ui::root_ui(ui, &mut model, &mut self.ui, now);
        for intent in intents {
            self.apply(&mut model, intent, now);
        }
        if model.settings != self.saved {
            self.saved = model.settings.clone();
            if let Some(dir) = &self.data_dir
                && let Err(err) = settings::save(dir, &self.saved)
            {
                tracing::warn!("cannot save settings in {}: {err}", dir.display());
            }
        }
    }

    fn apply(&mut self, model: &mut Model, intent: Intent, now: DateTime<Utc>) {
        match intent {
            Intent::Pack(order_id) => match self.owner.submit(Command::PackOrder { order_id }) {
                Ok(key) => {
                    tracing::info!(order_id, "packed");
                    model.mark_packed(order_id, key, now);
                }
                Err(err) => model.push_hint(not_sent(err)),
            },
            Intent::Undo => {
                if let Some(last) = model.undo_target(now).cloned() {
                    match self.owner.submit(Command::RecallOrder {
                        order_id: last.order_id,
                        reason: String::new(),
                    }) {
                        Ok(key) => {
                            tracing::info!(order_id = last.order_id, "recalled");
                            model.mark_recalled(last.order_id, key);
                        }
                        Err(err) => model.push_hint(not_sent(err)),
                    }
                }
            }
            Intent::Recall(order_id) => {
                match self.owner.submit(Command::RecallOrder {
                    order_id,
                    reason: String::new(),
                }) {
                    Ok(key) => {
                        tracing::info!(order_id, "recalled from the recently packed drawer");
                        model.mark_recalled(order_id, key);
                    }
                    Err(err) => model.push_hint(not_sent(err)),
                }
            }
            Intent::Acknowledge(order_id) => self.acknowledge(model, order_id),
            Intent::AcknowledgeAll => {
                for order_id in model.ringing_rush() {
                    self.acknowledge(model, order_id);
                }
            }
            Intent::ToggleStore(store_id) => {
                model.toggle_store(store_id);
                tracing::info!(stores = ?model.settings.store_filter, "store tabs changed");
            }
            Intent::AllStores => {
                model.set_store_filter(Default::default());
                tracing::info!("store tabs show all stores");
            }
            Intent::Select(order_id) => model.select(Some(order_id)),
            Intent::Pair(code) => {
                if let Err(err) = self.owner.request(LinkRequest::Pair { code }) {
                    model.push_hint(not_sent(err));
                }
            }
            Intent::ChooseServer(server_id) => {
                if let Err(err) = self.owner.request(LinkRequest::ChooseServer { server_id }) {
                    model.push_hint(not_sent(err));
                }
            }
            Intent::TestSound(sound) => self.pump.send(PumpRequest::TestSound(sound)),
            Intent::DismissHint(index) => model.dismiss_hint(index),
            Intent::SetServers(servers) => {
                if let Err(err) = self.owner.request(LinkRequest::SetServers(servers)) {
                    model.push_hint(not_sent(err));
                }
            }
            Intent::SendCount(command) => match self.owner.submit(command) {
                Ok(key) => tracing::info!(%key, "stock count sent"),
                Err(err) => model.push_hint(not_sent(err)),
            },
            Intent::AcknowledgeStockAlert(alert_id) => {
                let command = crate::model::stock_alerts::StockBanner::acknowledge(alert_id, "");
                match self.owner.submit(command) {
                    Ok(_) => tracing::info!(alert_id, "acknowledged stock alert"),
                    Err(err) => model.push_hint(not_sent(err)),
                }
            }
        }
    }
}

impl WarehouseApp {
    /// "Got it": stops the repeats here at once and tells every PC through the log.
    /// A refusal (another PC was first) changes nothing here.
    fn acknowledge(&mut self, model: &mut Model, order_id: OrderId) {
        model.acknowledge(order_id);
        match self.owner.submit(Command::AcknowledgeRush { order_id }) {
            Ok(_) => tracing::info!(order_id, "acknowledged rush"),
            Err(err) => model.push_hint(not_sent(err)),
        }
    }
}

impl eframe::App for WarehouseApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
