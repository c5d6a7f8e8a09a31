//! Admin screens: stores, devices, exports. Only shown to admins; the server checks
//! every command again.

use std::collections::BTreeSet;

use packbell_shared::protocol::{Command, DeviceId, MAX_STORE_NAME_CHARS, Role, StoreId};

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
    /// Role for the next pairing code.
    pub code_role: Role,
    /// Export range and stores (the export itself comes with CSV reports).
    /// Dates as typed (YYYY-MM-DD).
    pub export_from: String,
    pub export_to: String,
    pub export_stores: BTreeSet<StoreId>,
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
            code_role: Role::Office,
            export_from: String::new(),
            export_to: String::new(),
            export_stores: BTreeSet::new(),
        }
    }
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

    /// An operation of this kind on this store or device is waiting for the server.
    pub fn store_busy(&self, store_id: StoreId) -> bool {
        self.operations.values().any(|op| match op {
            Operation::RenameStore { store_id: id, .. }
            | Operation::DeactivateStore { store_id: id, .. } => *id == store_id,
            _ => false,
        })
    }

    pub fn device_busy(&self, device_id: DeviceId) -> bool {
        self.operations.values().any(
            |op| matches!(op, Operation::RevokeDevice { device_id: id, .. } if *id == device_id),
        )
    }
}
