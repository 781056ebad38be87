//! The pickers' state: the model picker (F2, `/model`) and the session picker.

use crate::models::listing::ImageModel;
use crate::store::SessionSummary;

#[derive(Debug, Default)]
pub struct ModelPicker {
    pub models: Vec<ImageModel>,
    pub selected: usize,
    pub(crate) current: String,
}

impl ModelPicker {
    /// Starts on the model in use.
    pub fn new(models: Vec<ImageModel>, current: &str) -> Self {
        let selected = models.iter().position(|m| m.id == current).unwrap_or(0);
        Self {
            models,
            selected,
            current: current.to_string(),
        }
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        if self.selected + 1 < self.models.len() {
            self.selected += 1;
        }
    }

    pub fn chosen(&self) -> Option<&str> {
        self.models.get(self.selected).map(|m| m.id.as_str())
    }
}

#[derive(Debug, Default)]
pub struct SessionPicker {
    pub loading: bool,
    pub sessions: Vec<SessionSummary>,
    pub selected: usize,
    pub error: Option<String>,
    pub(crate) current: String,
}

impl SessionPicker {
    pub fn loading() -> Self {
        Self {
            loading: true,
            ..Self::default()
        }
    }

    pub fn listed(&mut self, result: Result<Vec<SessionSummary>, String>, current: &str) {
        self.loading = false;
        self.current = current.to_string();
        match result {
            Ok(sessions) => {
                // Start on the newest session that is not the open one.
                self.selected = sessions.iter().position(|s| s.name != current).unwrap_or(0);
                self.sessions = sessions;
            }
            Err(error) => self.error = Some(error),
        }
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        if self.selected + 1 < self.sessions.len() {
            self.selected += 1;
        }
    }

    /// The session to open; a damaged one cannot be.
    pub fn chosen(&self) -> Option<&str> {
        self.sessions
            .get(self.selected)
            .filter(|s| s.error.is_none())
            .map(|s| s.name.as_str())
    }
}
