//! Readable on any background: every built-in theme keeps text at WCAG's 4.5:1 against every
//! background it is drawn on — the pane background, the selection bar (selected rows keep their
//! text colours), the status bars and their badges.
//!
//! A theme whose background is "reset" draws on the terminal's own; the dark theme is chosen
//! only for dark terminals, so it is checked against black and two common dark schemes.

use banana_studio::emulator::caps::Rgb;
use banana_studio::tui::theme::{BUILT_IN, Theme};
use ratatui::style::Color;

const MINIMUM: f64 = 4.5;

/// Dark terminal backgrounds a "reset" background may be: black, VS Code's, One Dark's.
const DARK_TERMINALS: [Rgb; 3] = [Rgb(0, 0, 0), Rgb(0x1e, 0x1e, 0x1e), Rgb(0x28, 0x2c, 0x34)];

/// A colour as xterm's default palette draws it.
fn rgb(color: Color) -> Option<Rgb> {
    const ANSI: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let index = match color {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => return Some(Rgb(r, g, b)),
        Color::Indexed(i) => i,
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    Some(match index {
        0..=15 => {
            let (r, g, b) = ANSI[index as usize];
            Rgb(r, g, b)
        }
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = index - 16;
            Rgb(level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            Rgb(v, v, v)
        }
    })
}

/// A named colour of a theme.
type Named = (&'static str, Color);

/// Each background a text colour meets, with the text colours drawn on it.
fn pairs(theme: &Theme) -> Vec<(&'static str, Color, Vec<Named>)> {
    let text = vec![
        ("fg", theme.fg),
        ("muted", theme.muted),
        ("accent", theme.accent),
        ("user", theme.user),
        ("model", theme.model),
        ("thought", theme.thought),
        ("error", theme.error),
        ("warning", theme.warning),
        ("success", theme.success),
        ("link", theme.link),
        ("key", theme.key),
    ];
    let mut on_selection = text.clone();
    on_selection.push(("selection_fg", theme.selection_fg));
    vec![
        ("bg", theme.bg, text),
        ("selection_bg", theme.selection_bg, on_selection),
        (
            "status_bg",
            theme.status_bg,
            vec![
                ("status_fg", theme.status_fg),
                ("accent", theme.accent),
                ("muted", theme.muted),
                ("error", theme.error),
            ],
        ),
        (
            "warning (badge)",
            theme.warning,
            vec![("status_bg", theme.status_bg)],
        ),
        (
            "error (badge)",
            theme.error,
            vec![("status_bg", theme.status_bg)],
        ),
    ]
}

#[test]
fn every_built_in_theme_keeps_text_at_4_5_to_1() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, _) in BUILT_IN {
        let theme = Theme::built_in(name).expect("a built-in theme");
        for (bg_name, bg, texts) in pairs(&theme) {
            let backgrounds = match rgb(bg) {
                Some(bg) => vec![bg],
                None => DARK_TERMINALS.to_vec(),
            };
            for background in backgrounds {
                for (fg_name, fg) in &texts {
                    let foreground = rgb(*fg).expect("text colours are set");
                    let ratio = foreground.contrast(background);
                    checked += 1;
                    if ratio < MINIMUM {
                        failures.push(format!(
                            "{name}: {fg_name} {foreground:?} on {bg_name} {background:?} is {ratio:.2}:1"
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} pairs checked");
    assert!(
        failures.is_empty(),
        "below {MINIMUM}:1:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_check_catches_the_dark_theme_on_a_white_terminal() {
    // What the issue saw: the dark theme's text on xterm's white background.
    let dark = Theme::built_in("dark").unwrap();
    let text = rgb(dark.fg).unwrap();
    assert!(text.contrast(Rgb(255, 255, 255)) < 1.5);
}
