//! The order entry form: what was typed, which store it resolves to, what is wrong.

use chrono::{DateTime, Utc};
use packbell_shared::protocol::{Command, MAX_NOTE_CHARS, OrderStatus, Priority, Store, StoreId};
use packbell_shared::validate::{self, TextProblem};

use super::{Model, Submission, SubmissionState};
use crate::text::{fold, match_rank, same};

/// How many store suggestions the picker lists under the field.
pub const MAX_SUGGESTIONS: usize = 6;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntryForm {
    pub number: String,
    /// What is typed in the store field.
    pub store_query: String,
    /// The store chosen from the suggestions; cleared when the text is edited.
    pub store_pick: Option<StoreId>,
    /// Which suggestion the arrows point at; Enter and Tab take it.
    pub highlight: usize,
    pub note: String,
    pub rush: bool,
    /// Errors of the last send attempt, kept up to date while the worker fixes them.
    pub errors: FormErrors,
    /// A send was attempted since the last successful one: errors are shown.
    pub tried: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormErrors {
    pub number: Option<FieldError>,
    pub store: Option<FieldError>,
    pub note: Option<FieldError>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.number.is_none() && self.store.is_none() && self.note.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    NumberEmpty,
    NumberTooLong {
        len: usize,
        max: usize,
    },
    /// An invisible, line-breaking, direction-changing or control character, which
    /// would make the number look different from what is stored.
    NumberHiddenCharacter {
        character: char,
    },
    NumberEmoji {
        character: char,
    },
    StoreEmpty,
    StoreUnknown {
        typed: String,
    },
    StoreInactive {
        name: String,
    },
    NoteTooLong {
        len: usize,
        max: usize,
    },
}

/// The same order number is already waiting for the same store.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub order_number: String,
    pub store: String,
    pub entered_at: DateTime<Utc>,
    /// Still in this PC's outbox rather than on the server.
    pub queued: bool,
}

/// An order that passed validation, ready for the link.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyOrder {
    pub order_number: String,
    pub store_id: StoreId,
    pub note: String,
    pub priority: Priority,
}

impl ReadyOrder {
    pub fn command(&self) -> Command {
        Command::CreateOrder {
            order_number: self.order_number.clone(),
            store_id: self.store_id,
            note: self.note.clone(),
            priority: self.priority,
            lines: Vec::new(),
        }
    }
}

impl Model {
    /// Active stores matching what is typed, best first (exact, prefix, word prefix,
    /// substring; then by name), at most [`MAX_SUGGESTIONS`].
    pub fn store_suggestions(&self) -> Vec<&Store> {
        let query = fold(&self.form.store_query);
        if query.is_empty() {
            return Vec::new();
        }
        let mut matches: Vec<(u8, String, &Store)> = self
            .site
            .stores
            .values()
            .filter(|s| s.active)
            .filter_map(|s| {
                let name = fold(&s.name);
                match_rank(&name, &query).map(|rank| (rank, name, s))
            })
            .collect();
        matches.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        matches
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, _, s)| s)
            .collect()
    }

    /// Whether the suggestion list should be shown: something typed, not yet picked.
    pub fn store_picker_open(&self) -> bool {
        self.form.store_pick.is_none() && !fold(&self.form.store_query).is_empty()
    }

    /// The store the form would send to: the picked one, or the highlighted suggestion.
    pub fn resolved_store(&self) -> Option<StoreId> {
        if let Some(id) = self.form.store_pick {
            return Some(id);
        }
        let suggestions = self.store_suggestions();
        let index = self.form.highlight.min(suggestions.len().saturating_sub(1));
        suggestions.get(index).map(|s| s.store_id)
    }

    pub fn set_number(&mut self, number: String) {
        self.form.number = number;
        self.revalidate();
    }

    pub fn set_store_query(&mut self, query: String) {
        if query != self.form.store_query {
            self.form.store_query = query;
            self.form.store_pick = None;
            self.form.highlight = 0;
        }
        self.revalidate();
    }

    pub fn set_note(&mut self, note: String) {
        self.form.note = note;
        self.revalidate();
    }

    pub fn toggle_rush(&mut self) {
        self.form.rush = !self.form.rush;
    }

    /// Moves the suggestion highlight by `delta`, staying within the list.
    pub fn move_highlight(&mut self, delta: i32) {
        let len = self.store_suggestions().len();
        if len == 0 {
            self.form.highlight = 0;
            return;
        }
        let current = self.form.highlight.min(len - 1) as i64;
        let next = (current + i64::from(delta)).clamp(0, len as i64 - 1);
        self.form.highlight = usize::try_from(next).unwrap_or(0);
    }

    /// Takes the highlighted suggestion: the field shows its full name.
    pub fn pick_highlighted(&mut self) {
        if self.form.store_pick.is_some() {
            return;
        }
        if let Some(id) = self.resolved_store() {
            self.pick_store(id);
        }
    }

    pub fn pick_store(&mut self, store_id: StoreId) {
        if let Some(store) = self.site.stores.get(&store_id) {
            self.form.store_query = store.name.clone();
            self.form.store_pick = Some(store_id);
            self.form.highlight = 0;
            self.revalidate();
        }
    }

    /// Everything wrong with the form as it stands.
    pub fn validate(&self) -> FormErrors {
        // The server runs the same check on what it receives.
        let number_error = validate::order_number(self.form.number.trim())
            .err()
            .map(|problem| match problem {
                TextProblem::Empty => FieldError::NumberEmpty,
                TextProblem::TooLong { chars, max } => {
                    FieldError::NumberTooLong { len: chars, max }
                }
                TextProblem::Control(character) | TextProblem::Invisible(character) => {
                    FieldError::NumberHiddenCharacter { character }
                }
                TextProblem::Emoji(character) => FieldError::NumberEmoji { character },
            });
        let typed = self.form.store_query.trim();
        let store_error = match self.resolved_store() {
            Some(id) => match self.site.stores.get(&id) {
                Some(store) if !store.active => Some(FieldError::StoreInactive {
                    name: store.name.clone(),
                }),
                Some(_) => None,
                None => Some(FieldError::StoreUnknown {
                    typed: typed.to_owned(),
                }),
            },
            None if typed.is_empty() => Some(FieldError::StoreEmpty),
            None => Some(FieldError::StoreUnknown {
                typed: typed.to_owned(),
            }),
        };
        let note_len = self.form.note.trim().chars().count();
        let note_error = (note_len > MAX_NOTE_CHARS).then_some(FieldError::NoteTooLong {
            len: note_len,
            max: MAX_NOTE_CHARS,
        });
        FormErrors {
            number: number_error,
            store: store_error,
            note: note_error,
        }
    }

    /// Errors to show now: all of them after a send attempt; before it, only a note
    /// that is already too long (the worker sees it while typing).
    fn revalidate(&mut self) {
        let errors = self.validate();
        self.form.errors = if self.form.tried {
            errors
        } else {
            FormErrors {
                note: errors.note,
                ..FormErrors::default()
            }
        };
    }

    /// A warning (never a block) when the same number is already waiting for the same
    /// store, on the server or in this PC's outbox.
    pub fn duplicate_warning(&self) -> Option<Duplicate> {
        let number = self.form.number.trim();
        if number.is_empty() {
            return None;
        }
        let store_id = self.resolved_store()?;
        let store = self.store_name(store_id);
        if let Some(order) = self.site.orders.values().find(|o| {
            o.status == OrderStatus::Pending
                && o.store_id == store_id
                && same(&o.order_number, number)
        }) {
            return Some(Duplicate {
                order_number: order.order_number.clone(),
                store,
                entered_at: order.created_at,
                queued: false,
            });
        }
        self.submissions
            .values()
            .filter(|s| {
                s.is_unacked()
                    || s.order_id()
                        .is_some_and(|id| !self.site.orders.contains_key(&id))
            })
            .find(|s| s.store_id == store_id && same(&s.order_number, number))
            .map(|s| Duplicate {
                order_number: s.order_number.clone(),
                store,
                entered_at: s.submitted_at,
                queued: s.is_unacked(),
            })
    }

    /// Validates the form for sending. On success the form is left as it is until
    /// [`Model::order_sent`]; on failure the errors are shown in place.
    pub fn ready_order(&mut self) -> Option<ReadyOrder> {
        self.form.tried = true;
        let errors = self.validate();
        let store_id = self.resolved_store();
        self.form.errors = errors.clone();
        if !errors.is_empty() {
            return None;
        }
        if let Some(id) = store_id {
            self.pick_store(id);
        }
        Some(ReadyOrder {
            order_number: self.form.number.trim().to_owned(),
            store_id: store_id?,
            note: self.form.note.trim().to_owned(),
            priority: if self.form.rush {
                Priority::Rush
            } else {
                Priority::Normal
            },
        })
    }

    /// The link took the order under `key`: remember it and clear the form for the
    /// next one (the store stays: orders often come in runs for one store).
    pub fn order_sent(&mut self, order: ReadyOrder, key: String, now: DateTime<Utc>) {
        self.submissions.insert(
            key.clone(),
            Submission {
                key,
                order_number: order.order_number,
                store_id: order.store_id,
                note: order.note,
                priority: order.priority,
                submitted_at: now,
                state: SubmissionState::Handed,
            },
        );
        self.form.number.clear();
        self.form.note.clear();
        self.form.rush = false;
        self.form.tried = false;
        self.form.errors = FormErrors::default();
        self.feedback = None;
    }
}
