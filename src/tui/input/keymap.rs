//! Actions and the keys that trigger them: one table holds every action with its default
//! keys, help group and description, so the `?` help is generated from the same data the
//! studio dispatches on and cannot drift. `[keys]` in the config file overrides any of them:
//! `send = "ctrl-s"` or `rerun = "alt-r, F9"`.
//!
//! Where a key works follows from the key itself: plain letters and symbols act only while the
//! focus is outside the prompt editor (so typing is never hijacked), keys with Ctrl or Alt and
//! function keys act everywhere, and the prompt's own keys (send, new line) act in the editor.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Send,
    Newline,
    ExternalEditor,
    Attach,
    Detach,
    Cancel,
    Jobs,
    Tree,
    Vary,
    Rerun,
    EditPrompt,
    SelectPrevTurn,
    SelectNextTurn,
    PrevBranch,
    NextBranch,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    PrevImage,
    NextImage,
    FullScreen,
    ToggleLayout,
    ZoomIn,
    ZoomOut,
    ZoomActual,
    ZoomFit,
    PanLeft,
    PanRight,
    PanUp,
    PanDown,
    CloseView,
    Compare,
    Difference,
    MarkCompare,
    SaveImage,
    Copy,
    CopyExportPath,
    OpenViewer,
    FreshThread,
    PickModel,
    UseReplacement,
    CycleAspect,
    CycleSize,
    ToggleSearch,
    SystemInstruction,
    SessionPicker,
    Help,
    Quit,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Prompt,
    Generation,
    Turns,
    Panes,
    Images,
    FullView,
    Settings,
    Sessions,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Prompt => "Prompt",
            Group::Generation => "Generation",
            Group::Turns => "Turns and branches",
            Group::Panes => "Panes and scrolling",
            Group::Images => "Images and sources",
            Group::FullView => "Full view (f): zoom and pan, [ ] step versions",
            Group::Settings => "Settings for the next prompt",
            Group::Sessions => "Sessions",
        }
    }
}

pub struct ActionInfo {
    pub action: Action,
    /// The name used in the config file's `[keys]` table.
    pub name: &'static str,
    pub group: Group,
    pub description: &'static str,
    pub defaults: &'static [&'static str],
}

/// Every action, in help order.
pub const ACTIONS: &[ActionInfo] = &[
    info(
        Action::Send,
        "send",
        Group::Prompt,
        "Send the prompt (or run a /command)",
        &["enter"],
    ),
    info(
        Action::Newline,
        "newline",
        Group::Prompt,
        "New line in the prompt",
        &["alt-enter", "ctrl-j"],
    ),
    info(
        Action::ExternalEditor,
        "editor",
        Group::Prompt,
        "Edit the prompt in $VISUAL / $EDITOR",
        &["ctrl-g"],
    ),
    info(
        Action::Attach,
        "attach",
        Group::Prompt,
        "Attach an image file (path prompt, Tab completes)",
        &["alt-a", "a"],
    ),
    info(
        Action::Detach,
        "detach",
        Group::Prompt,
        "Detach the last attachment",
        &["alt-x", "x"],
    ),
    info(
        Action::Cancel,
        "cancel",
        Group::Generation,
        "Cancel the running generation (nothing half-done is kept); close a dialog; stop editing",
        &["esc"],
    ),
    info(
        Action::Jobs,
        "jobs",
        Group::Generation,
        "List the generations in flight (branch, phase, time); cancel any of them",
        &["alt-j", "J"],
    ),
    info(
        Action::Tree,
        "tree",
        Group::Turns,
        "The whole session as a tree (branches, image versions, jobs); Enter makes a node's path active",
        &["alt-t", "T"],
    ),
    info(
        Action::Vary,
        "vary",
        Group::Turns,
        "Send the selected prompt several times at once and compare the replies in a grid",
        &["alt-v", "V"],
    ),
    info(
        Action::Rerun,
        "rerun",
        Group::Turns,
        "Rerun the selected turn (adds a sibling reply)",
        &["alt-r", "r"],
    ),
    info(
        Action::EditPrompt,
        "edit",
        Group::Turns,
        "Edit the selected prompt (sending starts a new branch)",
        &["alt-e", "e"],
    ),
    info(
        Action::SelectPrevTurn,
        "select-prev-turn",
        Group::Turns,
        "Select the previous turn",
        &["alt-up"],
    ),
    info(
        Action::SelectNextTurn,
        "select-next-turn",
        Group::Turns,
        "Select the next turn",
        &["alt-down"],
    ),
    info(
        Action::PrevBranch,
        "prev-branch",
        Group::Turns,
        "Switch the selected turn to its previous branch",
        &["alt-left", "left", "h"],
    ),
    info(
        Action::NextBranch,
        "next-branch",
        Group::Turns,
        "Switch the selected turn to its next branch",
        &["alt-right", "right", "l"],
    ),
    info(
        Action::FocusNext,
        "focus-next",
        Group::Panes,
        "Focus the next pane",
        &["tab"],
    ),
    info(
        Action::FocusPrev,
        "focus-prev",
        Group::Panes,
        "Focus the previous pane",
        &["backtab"],
    ),
    info(
        Action::Up,
        "up",
        Group::Panes,
        "Up: previous turn / source, or scroll",
        &["up", "k"],
    ),
    info(
        Action::Down,
        "down",
        Group::Panes,
        "Down: next turn / source, or scroll",
        &["down", "j"],
    ),
    info(
        Action::PageUp,
        "page-up",
        Group::Panes,
        "Scroll the focused pane up a page",
        &["pageup"],
    ),
    info(
        Action::PageDown,
        "page-down",
        Group::Panes,
        "Scroll the focused pane down a page",
        &["pagedown"],
    ),
    info(
        Action::Top,
        "top",
        Group::Panes,
        "Go to the first turn / top",
        &["home", "g"],
    ),
    info(
        Action::Bottom,
        "bottom",
        Group::Panes,
        "Go to the last turn / bottom",
        &["end", "G"],
    ),
    info(
        Action::PrevImage,
        "prev-image",
        Group::Images,
        "Previous image of the conversation",
        &["[", "alt-,"],
    ),
    info(
        Action::NextImage,
        "next-image",
        Group::Images,
        "Next image of the conversation",
        &["]", "alt-."],
    ),
    info(
        Action::FullScreen,
        "full-screen",
        Group::Images,
        "Full view of the selected image: zoom, pan, step versions",
        &["f"],
    ),
    info(
        Action::ToggleLayout,
        "toggle-layout",
        Group::Panes,
        "Image-first or focus layout (the picture larger, thinking and sources as tabs; saved)",
        &["f8"],
    ),
    info(
        Action::ZoomIn,
        "zoom-in",
        Group::FullView,
        "Zoom in",
        &["+", "="],
    ),
    info(
        Action::ZoomOut,
        "zoom-out",
        Group::FullView,
        "Zoom out (down to fit)",
        &["-"],
    ),
    info(
        Action::ZoomActual,
        "zoom-1-1",
        Group::FullView,
        "One image pixel per screen pixel",
        &["1"],
    ),
    info(
        Action::ZoomFit,
        "zoom-fit",
        Group::FullView,
        "Fit the whole image",
        &["0"],
    ),
    info(
        Action::PanLeft,
        "pan-left",
        Group::FullView,
        "Pan left",
        &["left", "h"],
    ),
    info(
        Action::PanRight,
        "pan-right",
        Group::FullView,
        "Pan right",
        &["right", "l"],
    ),
    info(
        Action::PanUp,
        "pan-up",
        Group::FullView,
        "Pan up",
        &["up", "k"],
    ),
    info(
        Action::PanDown,
        "pan-down",
        Group::FullView,
        "Pan down",
        &["down", "j"],
    ),
    info(
        Action::CloseView,
        "close-view",
        Group::FullView,
        "Back to the studio",
        &["esc", "q"],
    ),
    info(
        Action::Compare,
        "compare",
        Group::FullView,
        "Side by side with the previous version (or the marked one), zoomed together",
        &["c"],
    ),
    info(
        Action::Difference,
        "difference",
        Group::FullView,
        "Highlight what changed from that version, over a dimmed copy of this one",
        &["d"],
    ),
    info(
        Action::MarkCompare,
        "mark",
        Group::FullView,
        "Mark this version as the one to compare with (again: unmark)",
        &["m"],
    ),
    info(
        Action::SaveImage,
        "save-image",
        Group::Images,
        "Save the selected image to a path",
        &["ctrl-s", "w"],
    ),
    info(
        Action::Copy,
        "copy",
        Group::Images,
        "Copy the selected source's URI (Sources pane) or image path (OSC 52)",
        &["alt-y", "y"],
    ),
    info(
        Action::CopyExportPath,
        "copy-export",
        Group::Images,
        "Copy the path of the last /export (OSC 52)",
        &["ctrl-y", "Y"],
    ),
    info(
        Action::OpenViewer,
        "open-viewer",
        Group::Images,
        "Open the selected image in the desktop viewer",
        &["alt-o", "o"],
    ),
    info(
        Action::FreshThread,
        "fresh",
        Group::Images,
        "Start a new session from the selected image (/fresh)",
        &["n"],
    ),
    info(
        Action::PickModel,
        "pick-model",
        Group::Settings,
        "Choose the model (its price per image and options)",
        &["f2"],
    ),
    info(
        Action::UseReplacement,
        "use-replacement",
        Group::Settings,
        "After a retired model's 404: switch to its replacement and resend",
        &["f7"],
    ),
    info(
        Action::CycleAspect,
        "cycle-aspect",
        Group::Settings,
        "Next aspect ratio (auto first)",
        &["f3"],
    ),
    info(
        Action::CycleSize,
        "cycle-size",
        Group::Settings,
        "Next image size the model takes (auto first)",
        &["f4"],
    ),
    info(
        Action::ToggleSearch,
        "toggle-search",
        Group::Settings,
        "Google Search grounding on/off",
        &["f5", "s"],
    ),
    info(
        Action::SystemInstruction,
        "system",
        Group::Settings,
        "Set the system instruction (fills in /system)",
        &["f6"],
    ),
    info(
        Action::SessionPicker,
        "sessions",
        Group::Sessions,
        "Open another session (picker)",
        &["ctrl-o"],
    ),
    info(
        Action::Help,
        "help",
        Group::Sessions,
        "Show every key and command",
        &["f1", "?"],
    ),
    info(
        Action::Quit,
        "quit",
        Group::Sessions,
        "Quit (the session is saved)",
        &["ctrl-q", "ctrl-c"],
    ),
];

const fn info(
    action: Action,
    name: &'static str,
    group: Group,
    description: &'static str,
    defaults: &'static [&'static str],
) -> ActionInfo {
    ActionInfo {
        action,
        name,
        group,
        description,
        defaults,
    }
}

/// A key with its modifiers, as written in the config (`ctrl-s`, `alt-enter`, `f5`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyChord {
    pub const fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        Self { code, modifiers }
    }

    /// The chord of a key event, normalised: Shift is part of the character (`G`, `?`) and of
    /// BackTab, not a separate modifier.
    pub fn from_event(event: &KeyEvent) -> Self {
        let mut modifiers =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match event.code {
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                // Ctrl+letter arrives lowercase from most terminals; make it so from all.
                if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }

    /// Parses `ctrl-s`, `Alt+Enter`, `F5`, `shift-tab`, `?`, `pgup`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty key".into());
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, flag) = if lower.starts_with("ctrl-") || lower.starts_with("ctrl+") {
                (5, KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") || lower.starts_with("alt+") {
                (4, KeyModifiers::ALT)
            } else if lower.starts_with("shift-") || lower.starts_with("shift+") {
                (6, KeyModifiers::SHIFT)
            } else {
                break;
            };
            if rest.len() == prefix {
                break;
            }
            modifiers |= flag;
            rest = &rest[prefix..];
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" | "pgdown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                match f[1..].parse::<u8>() {
                    Ok(n @ 1..=24) => KeyCode::F(n),
                    _ => return Err(format!("{text:?}: function keys go from F1 to F24")),
                }
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        let shifted = modifiers.contains(KeyModifiers::SHIFT);
                        modifiers.remove(KeyModifiers::SHIFT);
                        if modifiers.contains(KeyModifiers::CONTROL) {
                            KeyCode::Char(c.to_ascii_lowercase())
                        } else if shifted {
                            KeyCode::Char(c.to_ascii_uppercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => {
                        return Err(format!(
                            "{text:?} is not a key: use e.g. ctrl-s, alt-enter, f5, pageup, tab, ?"
                        ));
                    }
                }
            }
        };
        Ok(Self { code, modifiers })
    }

    /// Whether this chord types something (and so must not act while typing a prompt).
    fn is_plain_character(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// Where a chord bound to `action` applies.
fn scope_of(action: Action, chord: &KeyChord) -> Scope {
    match action {
        Action::ZoomIn
        | Action::ZoomOut
        | Action::ZoomActual
        | Action::ZoomFit
        | Action::PanLeft
        | Action::PanRight
        | Action::PanUp
        | Action::PanDown
        | Action::CloseView
        | Action::Compare
        | Action::Difference
        | Action::MarkCompare => Scope::View,
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

    /// The first key of an action as text, for hints ("Esc", "Ctrl-O").
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action)
            .first()
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
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn every_default_key_parses_and_no_two_actions_share_a_key_where_both_apply() {
        for info in ACTIONS {
            for text in info.defaults {
                KeyChord::parse(text).unwrap_or_else(|e| panic!("{}: {e}", info.name));
            }
        }
        let keymap = Keymap::default();
        for (i, a) in keymap.bindings.iter().enumerate() {
            for b in &keymap.bindings[i + 1..] {
                assert!(
                    !(a.chord == b.chord && scopes_overlap(a.scope, b.scope)),
                    "{} is bound to both {:?} and {:?}",
                    a.chord,
                    a.action,
                    b.action
                );
            }
        }
        let names: std::collections::HashSet<_> = ACTIONS.iter().map(|i| i.name).collect();
        assert_eq!(names.len(), ACTIONS.len(), "config names are unique");
    }

    #[test]
    fn letters_act_only_outside_the_editor_and_ctrl_keys_everywhere() {
        let keymap = Keymap::default();
        let r = key(KeyCode::Char('r'), KeyModifiers::NONE);
        assert_eq!(keymap.lookup(&r, false), Some(Action::Rerun));
        assert_eq!(
            keymap.lookup(&r, true),
            None,
            "typing r in a prompt types r"
        );
        let quit = key(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(keymap.lookup(&quit, true), Some(Action::Quit));
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(keymap.lookup(&enter, true), Some(Action::Send));
        assert_eq!(keymap.lookup(&enter, false), None);
        let shifted_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(keymap.lookup(&shifted_g, false), Some(Action::Bottom));
        let backtab = key(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(keymap.lookup(&backtab, true), Some(Action::FocusPrev));
    }

    #[test]
    fn overrides_replace_defaults_and_report_mistakes() {
        let overrides = BTreeMap::from([
            ("send".to_string(), "ctrl-s, f9".to_string()),
            ("snd".to_string(), "x".to_string()),
            ("quit".to_string(), "ctrl-banana".to_string()),
        ]);
        let (keymap, problems) = Keymap::with_overrides(&overrides);
        let ctrl_s = key(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(keymap.lookup(&ctrl_s, true), Some(Action::Send));
        assert_eq!(
            keymap.lookup(&ctrl_s, false),
            None,
            "the override took ctrl-s from save-image (sending acts in the editor only)"
        );
        assert_eq!(
            keymap.lookup(&key(KeyCode::Char('w'), KeyModifiers::NONE), false),
            Some(Action::SaveImage),
            "save-image keeps its other key"
        );
        assert_eq!(
            keymap.lookup(&key(KeyCode::Enter, KeyModifiers::NONE), true),
            None
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("ctrl-banana") || problems[1].contains("ctrl-banana"));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("snd") && p.contains("send"))
        );
        assert_eq!(
            keymap.lookup(&key(KeyCode::Char('q'), KeyModifiers::CONTROL), true),
            Some(Action::Quit),
            "a bad override leaves the default"
        );
    }

    #[test]
    fn the_full_view_has_its_own_keys_and_keeps_the_studios_elsewhere() {
        let keymap = Keymap::default();
        let plain = |c| key(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(keymap.lookup_in_view(&plain('+')), Some(Action::ZoomIn));
        assert_eq!(keymap.lookup_in_view(&plain('h')), Some(Action::PanLeft));
        assert_eq!(
            keymap.lookup_in_view(&key(KeyCode::Up, KeyModifiers::NONE)),
            Some(Action::PanUp)
        );
        assert_eq!(
            keymap.lookup_in_view(&key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::CloseView)
        );
        assert_eq!(keymap.lookup_in_view(&plain(']')), Some(Action::NextImage));
        assert_eq!(
            keymap.lookup_in_view(&key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        // Outside the view the same keys keep their studio meaning.
        assert_eq!(
            keymap.lookup(&key(KeyCode::Up, KeyModifiers::NONE), false),
            Some(Action::Up)
        );
        assert_eq!(keymap.lookup(&plain('h'), true), None);
    }

    #[test]
    fn chords_print_the_way_the_help_shows_them() {
        assert_eq!(KeyChord::parse("ctrl-s").unwrap().to_string(), "Ctrl-S");
        assert_eq!(
            KeyChord::parse("Alt+Enter").unwrap().to_string(),
            "Alt-Enter"
        );
        assert_eq!(
            KeyChord::parse("shift-tab").unwrap().to_string(),
            "Shift-Tab"
        );
        assert_eq!(KeyChord::parse("F5").unwrap().to_string(), "F5");
        assert_eq!(KeyChord::parse("?").unwrap().to_string(), "?");
        assert!(KeyChord::parse("f99").is_err());
    }
}
