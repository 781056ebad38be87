//! Actions and the keys that trigger them: one table holds every action with its default
//! keys, help group and description, so the `?` help is generated from the same data the
//! studio dispatches on and cannot drift. `[keys]` in the config file overrides any of them:
//! `send = "ctrl-s"` or `rerun = "alt-r, F9"`.
//!
//! Where a key works follows from the key itself: plain letters and symbols act only while the
//! focus is outside the prompt editor (so typing is never hijacked), keys with Ctrl or Alt and
//! function keys act everywhere, and the prompt's own keys (send, new line) act in the editor.

mod actions;
mod chord;

pub use actions::{ACTIONS, Action, ActionInfo, Group, ViewAction};
pub use chord::KeyChord;

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere, even while typing a prompt.
    Global,
    /// Only in the prompt editor.
    Input,
    /// Only while the focus is on a pane other than the prompt editor.
    Browse,
    /// Only in the full view.
    View,
}

/// Where a chord bound to `action` applies.
fn scope_of(action: Action, chord: &KeyChord) -> Scope {
    match action {
        Action::View(_) => Scope::View,
        Action::Send | Action::Newline => Scope::Input,
        Action::Up | Action::Down | Action::Top | Action::Bottom => Scope::Browse,
        _ if chord.is_plain_character() => Scope::Browse,
        // Arrows without modifiers move the cursor in the editor; elsewhere they navigate.
        _ if matches!(
            chord.code,
            KeyCode::Left | KeyCode::Right | KeyCode::Up | KeyCode::Down
        ) && chord.modifiers.is_empty() =>
        {
            Scope::Browse
        }
        _ => Scope::Global,
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub chord: KeyChord,
    pub scope: Scope,
    pub action: Action,
}

/// The active bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings = Vec::new();
        for info in ACTIONS {
            for key in info.defaults {
                // The defaults are checked by a test.
                if let Ok(chord) = KeyChord::parse(key) {
                    bindings.push(Binding {
                        chord,
                        scope: scope_of(info.action, &chord),
                        action: info.action,
                    });
                }
            }
        }
        Self { bindings }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` applied. Problems are returned as sentences to
    /// show, never fatal: a typo in a binding should not keep the studio from starting.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> (Self, Vec<String>) {
        let mut keymap = Self::default();
        let mut problems = Vec::new();
        for (name, keys) in overrides {
            let Some(info) = ACTIONS.iter().find(|i| i.name == name.as_str()) else {
                problems.push(format!(
                    "[keys] {name}: no such action. Actions: {}.",
                    ACTIONS
                        .iter()
                        .map(|i| i.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            let mut chords = Vec::new();
            for key in keys.split(',').filter(|k| !k.trim().is_empty()) {
                match KeyChord::parse(key) {
                    Ok(chord) => chords.push(chord),
                    Err(error) => problems.push(format!("[keys] {name}: {error}")),
                }
            }
            if chords.is_empty() {
                continue;
            }
            keymap.bindings.retain(|b| b.action != info.action);
            for chord in chords {
                let scope = scope_of(info.action, &chord);
                // The new binding takes the key from whatever had it where it applies.
                keymap
                    .bindings
                    .retain(|b| !(b.chord == chord && scopes_overlap(b.scope, scope)));
                keymap.bindings.insert(
                    0,
                    Binding {
                        chord,
                        scope,
                        action: info.action,
                    },
                );
            }
        }
        (keymap, problems)
    }

    /// The action for a key, given whether the prompt editor has the focus.
    pub fn lookup(&self, event: &KeyEvent, in_editor: bool) -> Option<Action> {
        let chord = KeyChord::from_event(event);
        self.bindings
            .iter()
            .filter(|b| b.chord == chord)
            .find(|b| match b.scope {
                Scope::Global => true,
                Scope::Input => in_editor,
                Scope::Browse => !in_editor,
                Scope::View => false,
            })
            .map(|b| b.action)
    }

    /// Whether any action, in any place, is bound to this key.
    pub fn binds(&self, event: &KeyEvent) -> bool {
        let chord = KeyChord::from_event(event);
        self.bindings.iter().any(|b| b.chord == chord)
    }

    /// The action for a key in the full view: its own keys first, then the studio's keys that
    /// act outside the editor (`[`, `]`, `f`, Ctrl-Q…).
    pub fn lookup_in_view(&self, event: &KeyEvent) -> Option<Action> {
        let chord = KeyChord::from_event(event);
        let matching = || self.bindings.iter().filter(move |b| b.chord == chord);
        matching()
            .find(|b| b.scope == Scope::View)
            .or_else(|| matching().find(|b| matches!(b.scope, Scope::Global | Scope::Browse)))
            .map(|b| b.action)
    }

    /// The keys bound to an action, for help and hints.
    pub fn keys_for(&self, action: Action) -> Vec<KeyChord> {
        let mut keys: Vec<KeyChord> = self
            .bindings
            .iter()
            .filter(|b| b.action == action)
            .map(|b| b.chord)
            .collect();
        // Defaults first, in their table order; overrides were inserted at the front.
        keys.dedup();
        keys
    }

    /// "[/] step · f full screen": each action's key (two joined by "/") and what it does,
    /// for the hint lines that say how to reach the picture's keys.
    pub fn hints(&self, items: &[(&[Action], &str)]) -> String {
        items
            .iter()
            .map(|(actions, what)| {
                let keys: Vec<String> = actions.iter().map(|a| self.hint(*a)).collect();
                format!("{} {what}", keys.join("/"))
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// A key of an action as text, for hints ("Esc", "Ctrl-O", "J"): the first without Alt,
    /// which some terminals type as a letter (stock xterm's Alt-j is "ê"), else the first.
    pub fn hint(&self, action: Action) -> String {
        let keys = self.keys_for(action);
        keys.iter()
            .find(|k| !k.modifiers.contains(crossterm::event::KeyModifiers::ALT))
            .or(keys.first())
            .map(ToString::to_string)
            .unwrap_or_else(|| "(unbound)".to_string())
    }
}

fn scopes_overlap(a: Scope, b: Scope) -> bool {
    // The full view's keys shadow the others while it is shown, and only then.
    if a == Scope::View || b == Scope::View {
        return a == b;
    }
    a == b || a == Scope::Global || b == Scope::Global
}

#[cfg(test)]
mod tests;
