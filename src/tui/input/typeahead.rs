//! Keys typed while the terminal was being asked about graphics, replayed.
//!
//! Start-up detection reads those bytes before crossterm's reader exists (see
//! `emulator::probe`), so they are turned into the events crossterm would have made: text,
//! Enter, Tab, Backspace, Ctrl+letter, Esc, arrows and the like, and bracketed pastes. Any
//! other escape sequence is dropped rather than typed as garbage.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

const ESC: u8 = 0x1b;

/// The events `bytes` stand for, in order.
pub fn events(bytes: &[u8]) -> Vec<Event> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let (event, used) = match rest[0] {
            ESC => escape(rest),
            b'\r' | b'\n' => (Some(key(KeyCode::Enter, KeyModifiers::NONE)), 1),
            b'\t' => (Some(key(KeyCode::Tab, KeyModifiers::NONE)), 1),
            0x7f | 0x08 => (Some(key(KeyCode::Backspace, KeyModifiers::NONE)), 1),
            byte @ 0x01..=0x1a => (
                Some(key(
                    KeyCode::Char((b'a' + byte - 1) as char),
                    KeyModifiers::CONTROL,
                )),
                1,
            ),
            0x00..=0x1f => (None, 1),
            _ => text(rest),
        };
        out.extend(event);
        at += used.max(1);
    }
    out
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// One UTF-8 character; a broken sequence is skipped a byte at a time.
fn text(bytes: &[u8]) -> (Option<Event>, usize) {
    let length = match bytes[0] {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    };
    match bytes
        .get(..length)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.chars().next())
    {
        Some(c) => (Some(key(KeyCode::Char(c), KeyModifiers::NONE)), length),
        None => (None, 1),
    }
}

fn escape(bytes: &[u8]) -> (Option<Event>, usize) {
    match bytes.get(1) {
        None => (Some(key(KeyCode::Esc, KeyModifiers::NONE)), 1),
        Some(b'[') => csi(bytes),
        // SS3: arrows in application mode, and F1–F4 (xterm sends F1 as ESC O P).
        Some(b'O') => match bytes.get(2) {
            Some(&last) => (
                arrow(last)
                    .or_else(|| function_key(last))
                    .map(|c| key(c, KeyModifiers::NONE)),
                3,
            ),
            None => (None, 2),
        },
        Some(&ESC) => (Some(key(KeyCode::Esc, KeyModifiers::NONE)), 1),
        Some(_) => {
            let (event, used) = text(&bytes[1..]);
            let event = event.map(|e| match e {
                Event::Key(k) => key(k.code, KeyModifiers::ALT),
                other => other,
            });
            (event, 1 + used)
        }
    }
}

fn arrow(last: u8) -> Option<KeyCode> {
    Some(match last {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        _ => return None,
    })
}

/// F1–F4 by the final byte of their SS3 (or CSI) sequence.
fn function_key(last: u8) -> Option<KeyCode> {
    Some(match last {
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => return None,
    })
}

fn csi(bytes: &[u8]) -> (Option<Event>, usize) {
    let Some(offset) = bytes[2..].iter().position(|b| (0x40..=0x7e).contains(b)) else {
        return (None, bytes.len());
    };
    let end = 2 + offset + 1;
    let params = &bytes[2..2 + offset];
    let last = bytes[2 + offset];
    if params == b"200" && last == b'~' {
        let body = &bytes[end..];
        return match memchr::memmem::find(body, b"\x1b[201~") {
            Some(close) => (
                Some(Event::Paste(
                    String::from_utf8_lossy(&body[..close]).into_owned(),
                )),
                end + close + 6,
            ),
            None => (
                Some(Event::Paste(String::from_utf8_lossy(body).into_owned())),
                bytes.len(),
            ),
        };
    }
    let code = match (params, last) {
        (b"", b'Z') => Some(KeyCode::BackTab),
        (b"", _) => arrow(last).or_else(|| function_key(last)),
        (b"3", b'~') => Some(KeyCode::Delete),
        (b"5", b'~') => Some(KeyCode::PageUp),
        (b"6", b'~') => Some(KeyCode::PageDown),
        (b"1" | b"7", b'~') => Some(KeyCode::Home),
        (b"4" | b"8", b'~') => Some(KeyCode::End),
        // F1–F12 as xterm, VTE and the Linux console number them.
        (b"11", b'~') => Some(KeyCode::F(1)),
        (b"12", b'~') => Some(KeyCode::F(2)),
        (b"13", b'~') => Some(KeyCode::F(3)),
        (b"14", b'~') => Some(KeyCode::F(4)),
        (b"15", b'~') => Some(KeyCode::F(5)),
        (b"17", b'~') => Some(KeyCode::F(6)),
        (b"18", b'~') => Some(KeyCode::F(7)),
        (b"19", b'~') => Some(KeyCode::F(8)),
        (b"20", b'~') => Some(KeyCode::F(9)),
        (b"21", b'~') => Some(KeyCode::F(10)),
        (b"23", b'~') => Some(KeyCode::F(11)),
        (b"24", b'~') => Some(KeyCode::F(12)),
        _ => None,
    };
    (code.map(|c| key(c, KeyModifiers::NONE)), end)
}

/// Drops a terminal's reply that arrives after detection gave up waiting (over a slow link):
/// crossterm would read `ESC ] 11;rgb:… BEL` as Alt-], text and Ctrl-G (which opens the
/// editor). Armed only when the terminal did not finish answering; an OSC, APC or DCS opener
/// swallows the keys up to its BEL or ST.
#[derive(Debug, Default)]
pub struct LateReplies {
    inside: bool,
}

impl LateReplies {
    /// Whether `key` is part of a late reply and must not reach the studio.
    pub fn swallow(&mut self, key: &KeyEvent) -> bool {
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if self.inside {
            let ends = matches!(key.code, KeyCode::Char('g'))
                && key.modifiers.contains(KeyModifiers::CONTROL)
                || (alt && key.code == KeyCode::Char('\\'));
            if ends {
                self.inside = false;
            }
            return true;
        }
        if alt && matches!(key.code, KeyCode::Char(']' | '_' | 'P')) {
            self.inside = true;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn char_key(c: char) -> Event {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn function_keys_typed_during_detection_are_kept() {
        let events = events(b"\x1bOP\x1b[12~\x1bOS\x1b[15~\x1b[19~\x1b[24~");
        let codes: Vec<KeyCode> = events
            .iter()
            .filter_map(|e| match e {
                Event::Key(k) => Some(k.code),
                _ => None,
            })
            .collect();
        assert_eq!(
            codes,
            [1, 2, 4, 5, 8, 12].map(KeyCode::F),
            "F1 (as xterm sends it), F2, F4, F5, F8 and F12"
        );
    }

    #[test]
    fn typed_text_and_editing_keys_come_back_as_crossterm_would_make_them() {
        let events = events("a é\x7f\r\x11\t".as_bytes());
        assert_eq!(
            events,
            vec![
                char_key('a'),
                char_key(' '),
                char_key('é'),
                key(KeyCode::Backspace, KeyModifiers::NONE),
                key(KeyCode::Enter, KeyModifiers::NONE),
                key(KeyCode::Char('q'), KeyModifiers::CONTROL),
                key(KeyCode::Tab, KeyModifiers::NONE),
            ]
        );
    }

    #[test]
    fn arrows_esc_alt_and_pastes_are_recognised_and_unknown_sequences_dropped() {
        let events = events(b"\x1b[A\x1bOB\x1b[5~\x1bx\x1b[200~two\nlines\x1b[201~\x1b[99zq\x1b");
        assert_eq!(
            events,
            vec![
                key(KeyCode::Up, KeyModifiers::NONE),
                key(KeyCode::Down, KeyModifiers::NONE),
                key(KeyCode::PageUp, KeyModifiers::NONE),
                key(KeyCode::Char('x'), KeyModifiers::ALT),
                Event::Paste("two\nlines".into()),
                char_key('q'),
                key(KeyCode::Esc, KeyModifiers::NONE),
            ]
        );
    }

    #[test]
    fn late_colour_and_kitty_replies_never_reach_the_studio_as_keys() {
        let mut late = LateReplies::default();
        let replies =
            events(b"\x1b]11;rgb:ffff/ffff/ffff\x07\x1b_Gi=31;OK\x1b\\\x1bP>|XTerm(379)\x1b\\");
        assert!(replies.len() > 20);
        for event in &replies {
            let Event::Key(key) = event else {
                panic!("{event:?}");
            };
            assert!(late.swallow(key), "{key:?} leaked");
        }
        // Typing goes on as normal afterwards.
        assert!(!late.swallow(&KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)));
        assert!(!late.swallow(&KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn broken_utf8_is_skipped_not_a_panic() {
        assert_eq!(events(&[0xc3, b'a', 0xff]), vec![char_key('a')]);
    }
}
