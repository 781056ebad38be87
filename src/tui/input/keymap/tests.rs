//! The keymap: default keys parse and never clash, overrides apply, lookups by scope.

use super::*;
use crossterm::event::KeyModifiers;

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
    assert_eq!(
        keymap.lookup_in_view(&plain('+')),
        Some(Action::View(ViewAction::ZoomIn))
    );
    assert_eq!(
        keymap.lookup_in_view(&plain('h')),
        Some(Action::View(ViewAction::PanLeft))
    );
    assert_eq!(
        keymap.lookup_in_view(&key(KeyCode::Up, KeyModifiers::NONE)),
        Some(Action::View(ViewAction::PanUp))
    );
    assert_eq!(
        keymap.lookup_in_view(&key(KeyCode::Esc, KeyModifiers::NONE)),
        Some(Action::View(ViewAction::CloseView))
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
