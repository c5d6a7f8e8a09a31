//! Admin screens: stores, devices, exports, site. Shown to admins only.

use egui::{Id, RichText, TextEdit};
use packbell_shared::link::LinkRequest;
use packbell_shared::protocol::{MAX_AGEING_MINUTES, Role};

use super::{AMBER, GREEN, Intent, RED, Screen, View};
use crate::i18n::{Lang, Tr, time};
use crate::model::{Feedback, RoleLock};

const ROLES: [Role; 3] = [Role::Office, Role::Warehouse, Role::Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminTab {
    #[default]
    Stores,
    Devices,
    Exports,
    Site,
    /// The Today dashboard.
    Today,
}

pub fn admin_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>, tab: AdminTab) {
    let t = screen.t;
    ui.horizontal(|ui| {
        for (choice, label) in [
            (AdminTab::Today, screen.lang.today_tr().tab),
            (AdminTab::Stores, t.admin_stores),
            (AdminTab::Devices, t.admin_devices),
            (AdminTab::Exports, t.admin_exports),
            (AdminTab::Site, t.admin_site),
        ] {
            if ui
                .selectable_label(tab == choice, RichText::new(label).size(17.0))
                .clicked()
            {
                screen.view = View::Admin(choice);
            }
        }
    });
    ui.separator();
    if let Some(feedback) = &screen.model.admin_feedback {
        let colour = match feedback {
            Feedback::OperationDone(_) => GREEN,
            _ => RED,
        };
        ui.label(
            RichText::new(screen.lang.feedback(feedback))
                .color(colour)
                .strong(),
        );
        ui.add_space(4.0);
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match tab {
            AdminTab::Stores => stores_ui(ui, screen),
            AdminTab::Devices => devices_ui(ui, screen),
            AdminTab::Exports => super::exports::exports_ui(ui, screen),
            AdminTab::Site => site_ui(ui, screen),
            AdminTab::Today => super::today::today_ui(ui, screen),
        });
}

fn stores_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    ui.horizontal(|ui| {
        let label = ui.label(t.new_store_name);
        let response = ui
            .add(
                TextEdit::singleline(&mut screen.model.admin.new_store)
                    .id(Id::unique("office-new-store"))
                    .desired_width(240.0),
            )
            .labelled_by(label.id);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(t.add_store).clicked() || enter)
            && let Some((command, operation)) = screen.model.add_store()
        {
            screen.intents.push(Intent::Submit(command, operation));
        }
    });
    if let Some(error) = &screen.model.admin.new_store_error {
        ui.colored_label(RED, lang.name_error(error));
    }
    ui.add_space(8.0);

    let stores: Vec<_> = screen.model.site.stores.values().cloned().collect();
    if stores.is_empty() {
        ui.label(RichText::new(t.no_stores).weak());
        return;
    }
    egui::Grid::new("office-stores")
        .striped(true)
        .num_columns(3)
        .spacing([24.0, 6.0])
        .show(ui, |ui| {
            for store in stores {
                let busy = screen.model.store_busy(store.store_id);
                let renaming = screen
                    .model
                    .admin
                    .renaming
                    .as_ref()
                    .is_some_and(|(id, _)| *id == store.store_id);
                if renaming {
                    let mut save = false;
                    if let Some((_, name)) = screen.model.admin.renaming.as_mut() {
                        let response = ui.add(
                            TextEdit::singleline(name)
                                .id(Id::unique(("office-rename", store.store_id)))
                                .desired_width(220.0),
                        );
                        let response = response.on_hover_text(t.rename);
                        save |=
                            response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    }
                    ui.label("");
                    ui.horizontal(|ui| {
                        save |= ui.button(t.save).clicked();
                        if ui.button(t.cancel).clicked() {
                            screen.model.admin.renaming = None;
                        }
                    });
                    if save && let Some((command, operation)) = screen.model.rename_store() {
                        screen.intents.push(Intent::Submit(command, operation));
                    }
                } else {
                    let name = RichText::new(&store.name).strong();
                    ui.label(if store.active {
                        name
                    } else {
                        name.weak().strikethrough()
                    });
                    if store.active {
                        ui.label(RichText::new(t.active).color(GREEN));
                    } else {
                        ui.label(RichText::new(t.inactive).weak());
                    }
                    ui.horizontal(|ui| {
                        if busy {
                            ui.label(RichText::new(t.working).italics().weak());
                        } else if store.active {
                            if ui.button(t.rename).clicked() {
                                screen.model.start_rename(store.store_id);
                            }
                            if screen.model.admin.confirm_deactivate == Some(store.store_id) {
                                if ui
                                    .button(RichText::new(format!("{} ✔", t.deactivate)).color(RED))
                                    .clicked()
                                {
                                    let (command, operation) =
                                        screen.model.deactivate_store(store.store_id);
                                    screen.intents.push(Intent::Submit(command, operation));
                                    screen.model.admin.confirm_deactivate = None;
                                }
                                if ui.button(t.cancel).clicked() {
                                    screen.model.admin.confirm_deactivate = None;
                                }
                            } else if ui.button(t.deactivate).clicked() {
                                screen.model.admin.confirm_deactivate = Some(store.store_id);
                            }
                        }
                    });
                }
                ui.end_row();
            }
        });
    if let Some(error) = &screen.model.admin.rename_error {
        ui.colored_label(RED, lang.name_error(error));
    }
}

fn devices_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    let zone = screen.zone;
    ui.horizontal(|ui| {
        if ui.button(t.refresh).clicked() {
            screen
                .intents
                .push(Intent::Request(LinkRequest::ListDevices));
        }
        match &screen.model.devices {
            Some((_, at)) => ui.label(RichText::new(lang.listed_at(screen.zone, *at)).weak()),
            None => ui.label(RichText::new(t.devices_hint).weak()),
        };
    });
    ui.add_space(6.0);

    struct Line {
        id: u64,
        name: String,
        role: Role,
        last_seen: String,
        connected: Option<bool>,
        revoked: bool,
    }
    let lines: Vec<Line> = match &screen.model.devices {
        Some((devices, _)) => devices
            .iter()
            .map(|d| Line {
                id: d.device_id,
                name: d.name.clone(),
                role: d.role,
                last_seen: d.last_seen.map_or(t.never.to_owned(), |at| time(zone, at)),
                connected: Some(d.connected),
                revoked: d.revoked,
            })
            .collect(),
        None => screen
            .model
            .site
            .devices
            .values()
            .map(|d| Line {
                id: d.device_id,
                name: d.name.clone(),
                role: d.role,
                last_seen: "—".into(),
                connected: None,
                revoked: d.revoked,
            })
            .collect(),
    };
    let me = screen.model.site_info.device_id;
    egui::Grid::new("office-devices")
        .striped(true)
        .num_columns(5)
        .spacing([24.0, 6.0])
        .show(ui, |ui| {
            for heading in [t.col_name, t.col_role, t.col_last_seen, t.col_connected, ""] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for line in lines {
                let this_pc = Some(line.id) == me;
                let busy = screen.model.device_busy(line.id);
                ui.horizontal(|ui| {
                    let name = RichText::new(&line.name).strong();
                    ui.label(if line.revoked {
                        name.strikethrough().weak()
                    } else {
                        name
                    });
                    if this_pc {
                        ui.label(RichText::new(t.this_pc_mark).weak());
                    }
                });
                if line.revoked || busy {
                    ui.label(lang.role(line.role));
                } else {
                    role_picker_ui(ui, screen, line.id, line.role, &line.name);
                }
                ui.label(&line.last_seen);
                match line.connected {
                    Some(true) => ui.label(RichText::new(format!("✔ {}", t.yes)).color(GREEN)),
                    Some(false) => ui.label(RichText::new(t.no).weak()),
                    None => ui.label("—"),
                };
                ui.horizontal(|ui| {
                    let admin = &mut screen.model.admin;
                    let change = admin.role_change.filter(|c| c.device_id == line.id);
                    if line.revoked {
                        ui.label(RichText::new(t.revoked).weak());
                    } else if busy {
                        ui.label(RichText::new(t.working).italics().weak());
                    } else if let Some(change) = change {
                        let text = if change.warned {
                            t.confirm_this_pc.to_owned()
                        } else {
                            lang.change_role_to(change.role)
                        };
                        if ui.button(RichText::new(text).color(AMBER)).clicked()
                            && let Some((command, operation)) = screen.model.confirm_role_change()
                        {
                            screen.intents.push(Intent::Submit(command, operation));
                        }
                        if ui.button(t.cancel).clicked() {
                            screen.model.cancel_role_change();
                        }
                    } else if !this_pc {
                        if admin.confirm_revoke == Some(line.id) {
                            if ui
                                .button(RichText::new(format!("{} ✔", t.revoke)).color(RED))
                                .clicked()
                            {
                                let (command, operation) = screen.model.revoke_device(line.id);
                                screen.intents.push(Intent::Submit(command, operation));
                                screen.model.admin.confirm_revoke = None;
                            }
                            if ui.button(t.cancel).clicked() {
                                screen.model.admin.confirm_revoke = None;
                            }
                        } else if ui.button(t.revoke).clicked() {
                            admin.confirm_revoke = Some(line.id);
                            admin.role_change = None;
                        }
                    }
                });
                ui.end_row();
            }
        });
    if let Some(change) = screen.model.admin.role_change
        && change.warned
    {
        ui.add_space(6.0);
        ui.label(
            RichText::new(lang.this_pc_warning(change.role))
                .color(AMBER)
                .strong(),
        );
    }
    ui.add_space(6.0);
    ui.label(RichText::new(t.roles_hint).small().weak());
    ui.add_space(12.0);
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(t.new_code_for);
        let role = &mut screen.model.admin.code_role;
        egui::ComboBox::from_id_salt("office-code-role")
            .selected_text(lang.role(*role))
            .show_ui(ui, |ui| {
                for choice in [Role::Office, Role::Warehouse, Role::Admin] {
                    ui.selectable_value(role, choice, lang.role(choice));
                }
            })
            .response
            .on_hover_text(t.col_role);
        if ui.button(t.create_code).clicked() {
            let role = screen.model.admin.code_role;
            screen
                .intents
                .push(Intent::Request(LinkRequest::NewPairingCode { role }));
        }
    });
    if let Some(code) = &screen.model.issued_code {
        ui.label(
            RichText::new(lang.issued_code(screen.zone, &code.code, code.role, code.expires_at))
                .monospace()
                .size(18.0)
                .color(AMBER),
        );
    }
}

/// A device's role as a drop-down; picking another one asks to confirm (the
/// actions column shows the button). This PC's role is locked while it is the only
/// admin device.
fn role_picker_ui(
    ui: &mut egui::Ui,
    screen: &mut Screen<'_>,
    device_id: u64,
    current: Role,
    name: &str,
) {
    let (t, lang) = (screen.t, screen.lang);
    let lock = screen.model.role_lock(device_id);
    let shown = screen
        .model
        .admin
        .role_change
        .filter(|c| c.device_id == device_id)
        .map_or(current, |c| c.role);
    let mut picked = shown;
    let response = ui
        .add_enabled_ui(lock != RoleLock::LastAdmin, |ui| {
            egui::ComboBox::from_id_salt(("office-device-role", device_id))
                .selected_text(lang.role(shown))
                .show_ui(ui, |ui| {
                    for choice in ROLES {
                        ui.selectable_value(&mut picked, choice, lang.role(choice));
                    }
                })
                .response
        })
        .inner
        .accessible_name(lang.role_of(name));
    if lock == RoleLock::LastAdmin {
        response.on_disabled_hover_text(t.only_admin);
    }
    if picked != shown {
        screen.model.pick_role(device_id, picked);
    }
}

fn site_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    // What an admin changes comes first; what the server reports follows.
    ageing_ui(ui, screen);
    ui.add_space(12.0);
    ui.horizontal(|ui| {
        if ui.button(t.refresh).clicked() {
            screen
                .intents
                .push(Intent::Request(LinkRequest::SiteStatus));
        }
        match &screen.model.site_status {
            Some((_, at)) => ui.label(RichText::new(lang.reported_at(screen.zone, *at)).weak()),
            None => ui.label(RichText::new(t.site_status_none).weak()),
        };
    });
    ui.add_space(6.0);
    section_ui(ui, t.site_server, "office-site-server", |row| {
        server_rows(screen, row);
    });
    ui.add_space(12.0);
    section_ui(ui, t.site_local, "office-site-local", |row| {
        local_rows(screen, row);
    });
}

/// The site's ageing thresholds: three numbers and one button for every warehouse PC.
fn ageing_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let a = screen.lang.ageing_tr();
    ui.label(RichText::new(a.heading).size(17.0).strong());
    ui.label(RichText::new(a.explain).weak());
    let form = screen.model.ageing_form();
    egui::Grid::new("office-site-ageing")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            for (label, value) in [
                (a.amber, &mut form.amber_minutes),
                (a.red, &mut form.red_minutes),
                (a.overdue, &mut form.overdue_minutes),
            ] {
                let label = ui.label(label);
                ui.add(egui::DragValue::new(value).range(1..=MAX_AGEING_MINUTES))
                    .labelled_by(label.id);
                ui.end_row();
            }
        });
    let valid = form.is_valid();
    if !valid {
        ui.label(RichText::new(a.invalid).color(super::RED));
    }
    if ui.add_enabled(valid, egui::Button::new(a.save)).clicked()
        && let Some((command, operation)) = screen.model.ageing_to_save()
    {
        screen.intents.push(Intent::Submit(command, operation));
    }
}

/// A heading and a two-column grid; `rows` calls `row(key, value)` for each line.
fn section_ui(
    ui: &mut egui::Ui,
    heading: &str,
    id: &str,
    rows: impl FnOnce(&mut dyn FnMut(&str, String)),
) {
    ui.label(RichText::new(heading).size(17.0).strong());
    ui.add_space(2.0);
    egui::Grid::new(id)
        .num_columns(2)
        .min_col_width(260.0)
        .spacing([24.0, 8.0])
        .striped(true)
        .show(ui, |ui| {
            rows(&mut |key: &str, value: String| {
                ui.label(RichText::new(key).strong());
                ui.label(value);
                ui.end_row();
            });
        });
}

/// What the server says about itself (the last `site_status` answer).
fn server_rows(screen: &Screen<'_>, row: &mut dyn FnMut(&str, String)) {
    let (t, lang, model, zone) = (screen.t, screen.lang, &*screen.model, screen.zone);
    let status = model.site_status.as_ref().map(|(status, _)| status);
    let value = |f: &dyn Fn(&packbell_shared::protocol::SiteStatus) -> String| {
        status.map_or_else(|| "—".to_owned(), f)
    };
    row(t.site_name, or_dash(&model.site_info.site));
    row(t.server_id, or_dash(&model.site_info.server_id));
    row(t.server_version, value(&|s| s.server_version.clone()));
    row(t.started_at, value(&|s| lang.date_time(zone, s.started_at)));
    row(t.uptime, value(&|s| lang.uptime(s.uptime_seconds)));
    row(
        t.connections,
        value(&|s| lang.connections(s.connected_office, s.connected_warehouse, s.connected_admin)),
    );
    row(t.connected_now, connected_devices(t, lang, model));
    row(t.database_size, value(&|s| lang.bytes(s.database_bytes)));
    row(t.head_seq, value(&|s| s.head_seq.to_string()));
}

/// What this PC knows: its connection, identity and local copy of the site.
fn local_rows(screen: &Screen<'_>, row: &mut dyn FnMut(&str, String)) {
    let (t, lang, model, zone) = (screen.t, screen.lang, &*screen.model, screen.zone);
    let connection = match model.connection() {
        crate::model::Connection::Connected { site } => lang.connected(&site),
        crate::model::Connection::Reconnecting { since, attempt, .. } => {
            lang.offline_short(zone, since, attempt)
        }
        crate::model::Connection::Refused { .. } => lang.refused().to_owned(),
        crate::model::Connection::NeedsPairing => t.not_paired.to_owned(),
        crate::model::Connection::Connecting => t.connecting.to_owned(),
    };
    let me = model
        .site_info
        .device_id
        .map(|id| format!("{} (#{id})", model.device_label(id)))
        .unwrap_or_else(|| "—".into());
    row(t.connection, connection);
    row(t.this_device, me);
    row(t.role, model.role.map_or("—", |r| lang.role(r)).to_owned());
    row(t.last_event, model.site.seq.to_string());
    row(
        t.stores_count,
        model
            .site
            .stores
            .values()
            .filter(|s| s.active)
            .count()
            .to_string(),
    );
    row(
        t.orders_today,
        model.today_rows(screen.day_start).len().to_string(),
    );
}

/// Devices connected by role, from the last device list.
fn connected_devices(t: &Tr, lang: Lang, model: &crate::model::Model) -> String {
    model.connected_by_role().map_or_else(
        || t.connected_now_hint.to_owned(),
        |counts| {
            counts
                .iter()
                .map(|(role, n)| format!("{} {n}", lang.role(*role)))
                .collect::<Vec<_>>()
                .join(" · ")
        },
    )
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".into()
    } else {
        text.to_owned()
    }
}
