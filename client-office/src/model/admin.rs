//! Admin screens: stores, devices, exports. Only shown to admins; the server checks
//! every command again.

use packbell_shared::protocol::{Ageing, Command, DeviceId, MAX_STORE_NAME_CHARS, Role, StoreId};

use super::{Model, Operation};
use crate::text::same;

#[derive(Debug, Clone, PartialEq)]
pub struct AdminForms {
    /// Name typed for a new store.
    pub new_store: String,
    pub new_store_error: Option<NameError>,
    /// The store being renamed and the name typed for it.
    pub renaming: Option<(StoreId, String)>,
    pub rename_error: Option<NameError>,
    /// Deactivating a store or revoking a device cannot be undone: asked twice.
    pub confirm_deactivate: Option<StoreId>,
    pub confirm_revoke: Option<DeviceId>,
    /// A role picked for a device, waiting for the admin to confirm it.
    pub role_change: Option<RoleChange>,
    /// Role for the next pairing code.
    pub code_role: Role,
    /// Ageing thresholds being edited in the Site tab; `None` until the tab opens
    /// (then filled from the site's, or the usual 5/10/20).
    pub ageing: Option<Ageing>,
}

impl Default for AdminForms {
    fn default() -> Self {
        AdminForms {
            new_store: String::new(),
            new_store_error: None,
            renaming: None,
            rename_error: None,
            confirm_deactivate: None,
            confirm_revoke: None,
            role_change: None,
            code_role: Role::Office,
            ageing: None,
        }
    }
}

/// A new role picked for a device in the Devices screen, not sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleChange {
    pub device_id: DeviceId,
    pub role: Role,
    /// For this PC only: the admin confirmed once and was warned; the next
    /// confirmation sends it.
    pub warned: bool,
}

/// How freely a device's role may be changed from this PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleLock {
    /// Another device: pick, then confirm.
    Free,
    /// This PC, and another admin device exists: pick, confirm, then confirm again
    /// after a warning (it loses the admin screens as soon as it reconnects).
    ThisPc,
    /// This PC is the only admin device left: not changeable here, or nobody could
    /// administer the site any more.
    LastAdmin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NameError {
    Empty,
    TooLong { len: usize, max: usize },
    Taken { name: String },
}

impl Model {
    fn check_store_name(&self, name: &str, except: Option<StoreId>) -> Result<String, NameError> {
        let name = name.trim();
        let len = name.chars().count();
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if len > MAX_STORE_NAME_CHARS {
            return Err(NameError::TooLong {
                len,
                max: MAX_STORE_NAME_CHARS,
            });
        }
        if let Some(other) = self
            .site
            .stores
            .values()
            .find(|s| Some(s.store_id) != except && same(&s.name, name))
        {
            return Err(NameError::Taken {
                name: other.name.clone(),
            });
        }
        Ok(name.to_owned())
    }

    /// The command for the store typed in "new store", or the error shown beside it.
    pub fn add_store(&mut self) -> Option<(Command, Operation)> {
        match self.check_store_name(&self.admin.new_store, None) {
            Ok(name) => {
                self.admin.new_store.clear();
                self.admin.new_store_error = None;
                Some((
                    Command::AddStore { name: name.clone() },
                    Operation::AddStore { name },
                ))
            }
            Err(error) => {
                self.admin.new_store_error = Some(error);
                None
            }
        }
    }

    pub fn start_rename(&mut self, store_id: StoreId) {
        let name = self.store_name(store_id);
        self.admin.renaming = Some((store_id, name));
        self.admin.rename_error = None;
    }

    pub fn rename_store(&mut self) -> Option<(Command, Operation)> {
        let (store_id, typed) = self.admin.renaming.clone()?;
        match self.check_store_name(&typed, Some(store_id)) {
            Ok(name) => {
                self.admin.renaming = None;
                self.admin.rename_error = None;
                Some((
                    Command::RenameStore {
                        store_id,
                        name: name.clone(),
                    },
                    Operation::RenameStore { store_id, name },
                ))
            }
            Err(error) => {
                self.admin.rename_error = Some(error);
                None
            }
        }
    }

    pub fn deactivate_store(&self, store_id: StoreId) -> (Command, Operation) {
        (
            Command::DeactivateStore { store_id },
            Operation::DeactivateStore {
                store_id,
                name: self.store_name(store_id),
            },
        )
    }

    pub fn revoke_device(&self, device_id: DeviceId) -> (Command, Operation) {
        (
            Command::RevokeDevice { device_id },
            Operation::RevokeDevice {
                device_id,
                name: self.device_label(device_id),
            },
        )
    }

    /// A device's role as last known: the live site state (kept current by events),
    /// else the last device list.
    pub fn device_role(&self, device_id: DeviceId) -> Option<Role> {
        self.site
            .devices
            .get(&device_id)
            .map(|d| d.role)
            .or_else(|| {
                self.devices
                    .as_ref()
                    .and_then(|(list, _)| list.iter().find(|d| d.device_id == device_id))
                    .map(|d| d.role)
            })
    }

    /// Whether `device_id`'s role can be changed from here, and how carefully.
    pub fn role_lock(&self, device_id: DeviceId) -> RoleLock {
        if self.site_info.device_id != Some(device_id) {
            return RoleLock::Free;
        }
        let other_admin = self
            .site
            .devices
            .values()
            .any(|d| d.device_id != device_id && !d.revoked && d.role == Role::Admin);
        if other_admin {
            RoleLock::ThisPc
        } else {
            RoleLock::LastAdmin
        }
    }

    /// The admin picked `role` for a device: ask to confirm (nothing is sent yet);
    /// a revoke waiting for confirmation is dropped. Picking its current role again,
    /// or a locked device, clears the question.
    pub fn pick_role(&mut self, device_id: DeviceId, role: Role) {
        self.admin.confirm_revoke = None;
        let unchanged = self.device_role(device_id) == Some(role);
        self.admin.role_change = (!unchanged && self.role_lock(device_id) != RoleLock::LastAdmin)
            .then_some(RoleChange {
                device_id,
                role,
                warned: false,
            });
    }

    pub fn cancel_role_change(&mut self) {
        self.admin.role_change = None;
    }

    /// The admin confirmed the picked role: the command to send. For this PC the
    /// first confirmation only shows the warning; the second one sends.
    pub fn confirm_role_change(&mut self) -> Option<(Command, Operation)> {
        let change = self.admin.role_change?;
        match self.role_lock(change.device_id) {
            RoleLock::LastAdmin => {
                self.admin.role_change = None;
                return None;
            }
            RoleLock::ThisPc if !change.warned => {
                self.admin.role_change = Some(RoleChange {
                    warned: true,
                    ..change
                });
                return None;
            }
            RoleLock::ThisPc | RoleLock::Free => {}
        }
        self.admin.role_change = None;
        let RoleChange {
            device_id, role, ..
        } = change;
        Some((
            Command::ChangeRole { device_id, role },
            Operation::ChangeRole {
                device_id,
                name: self.device_label(device_id),
                role,
            },
        ))
    }

    /// An operation of this kind on this store or device is waiting for the server.
    pub fn store_busy(&self, store_id: StoreId) -> bool {
        self.operations.values().any(|op| match op {
            Operation::RenameStore { store_id: id, .. }
            | Operation::DeactivateStore { store_id: id, .. } => *id == store_id,
            _ => false,
        })
    }

    pub fn device_busy(&self, device_id: DeviceId) -> bool {
        self.operations.values().any(|op| {
            matches!(op, Operation::RevokeDevice { device_id: id, .. }
                | Operation::ChangeRole { device_id: id, .. } if *id == device_id)
        })
    }
}

/// The thresholds a site has before an admin sets any (the warehouse's own defaults).
pub const DEFAULT_AGEING: Ageing = Ageing {
    amber_minutes: 5,
    red_minutes: 10,
    overdue_minutes: 20,
};

impl Model {
    /// The thresholds shown in the Site tab: as edited, else the site's, else the defaults.
    pub fn ageing_form(&mut self) -> &mut Ageing {
        let site = self.site.ageing;
        self.admin
            .ageing
            .get_or_insert(site.unwrap_or(DEFAULT_AGEING))
    }

    /// The command and operation that save the edited thresholds, when they are valid.
    pub fn ageing_to_save(&self) -> Option<(Command, Operation)> {
        let ageing = self.admin.ageing.filter(Ageing::is_valid)?;
        Some((Command::SetAgeing(ageing), Operation::SetAgeing(ageing)))
    }
}
