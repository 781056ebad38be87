//! Text from outside the program (a server's reply, a session file, the config) made safe to
//! print to a terminal: the one sanitiser for `send`, `models`, `sessions`, `export`, error
//! messages and the studio's panes.
//!
//! A control character in such text is not data to a terminal but a command: `ESC ] 52` writes
//! the clipboard, `ESC ] 0` sets the title, `CSI 2J` clears the screen. Every C0 control but
//! newline and tab, DEL and every C1 control is shown as a visible stand-in instead, so the
//! reader sees that something odd was sent and the terminal obeys none of it.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// `text` with its control characters made visible: C0 as the Unicode control pictures
/// (`ESC` → `␛`), DEL as `␡`, C1 (U+0080–U+009F) as `�`. Newlines and tabs stay; so does every
/// printable character. Borrowed when there was nothing to replace (the common case).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(visible).collect())
}

/// Like [`sanitize`], for text that must stay on one line (a title, a model name, a URI):
/// newlines and tabs are shown as stand-ins too.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if matches!(c, '\n' | '\t') { ' ' } else { c })
            .map(visible)
            .collect(),
    )
}

fn is_unsafe(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t')
}

fn visible(c: char) -> char {
    match c {
        '\n' | '\t' => c,
        // U+2400 CONTROL PICTURES: ␀ … ␟ for C0.
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        _ => c,
    }
}

/// Whether `uri` is one a person may be handed (copied to the clipboard, shown as a link):
/// http or https, with no control character or white space in it.
pub fn is_web_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return false;
    };
    (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
        && !rest.is_empty()
        && !uri.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Set once a write to stdout found its reader gone (`send … | head -1`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout, sanitised. A reader that went away is remembered
/// ([`stdout_closed`]), never a panic: the caller goes on and saves what it was given.
pub fn out(text: &str) {
    write_to(&mut io::stdout().lock(), text, &STDOUT_CLOSED);
}

/// Writes `text` to stderr, sanitised; a closed stderr is ignored like a closed stdout.
pub fn err(text: &str) {
    write_to(&mut io::stderr().lock(), text, &STDERR_CLOSED);
}

/// Whether stdout's reader went away: the program then ends quietly with 141, as a Unix tool
/// killed by SIGPIPE would, once its work is saved.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

fn write_to(writer: &mut impl Write, text: &str, closed: &AtomicBool) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let written = writer
        .write_all(sanitize(text).as_bytes())
        .and_then(|()| writer.flush());
    if let Err(error) = written
        && error.kind() == io::ErrorKind::BrokenPipe
    {
        closed.store(true, Ordering::Relaxed);
    }
}

/// Serialised JSON on stdout, with a newline. serde_json escapes C0 controls inside strings but
/// not DEL or C1, which some terminals obey: those are escaped too (`\u009b`), still valid JSON
/// (outside strings JSON has only ASCII punctuation).
pub fn out_json(json: &str) {
    let mut safe = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}') {
            safe.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            safe.push(c);
        }
    }
    safe.push('\n');
    out(&safe);
}

/// `println!` through [`out`]: sanitised, and quiet when stdout is closed.
#[macro_export]
macro_rules! outln {
    () => { $crate::terminal_text::out("\n") };
    ($($arg:tt)*) => { $crate::terminal_text::out(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` through [`err`]: sanitised, and quiet when stderr is closed.
#[macro_export]
macro_rules! errln {
    () => { $crate::terminal_text::err("\n") };
    ($($arg:tt)*) => { $crate::terminal_text::err(&format!("{}\n", format_args!($($arg)*))) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        let osc52 = "before\u{1b}]52;c;aGVsbG8=\u{7}after";
        assert_eq!(sanitize(osc52), "before␛]52;c;aGVsbG8=␇after");
        assert_eq!(sanitize("\u{1b}[2J\u{9b}2J\u{7f}"), "␛[2J\u{fffd}2J␡");
        assert_eq!(sanitize("line one\r\nline\ttwo"), "line one␍\nline\ttwo");
        assert_eq!(sanitize_line("a\nb\tc\u{1b}"), "a b c␛");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("Nano Banana · 4K ✓"), Cow::Borrowed(_)));
        assert!(matches!(
            sanitize_line("gemini-3-pro-image"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn only_plain_web_uris_are_handed_on() {
        assert!(is_web_uri("https://example.com/a?b=c"));
        assert!(is_web_uri("HTTP://example.com"));
        assert!(!is_web_uri("javascript:alert(1)"));
        assert!(!is_web_uri("file:///etc/passwd"));
        assert!(!is_web_uri("https://example.com/\u{1b}]52;c;x\u{7}"));
        assert!(!is_web_uri("https://exa mple.com"));
        assert!(!is_web_uri("https://"));
    }

    #[test]
    fn a_closed_reader_is_remembered_not_a_panic() {
        struct Gone;
        impl Write for Gone {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let closed = AtomicBool::new(false);
        write_to(&mut Gone, "text", &closed);
        assert!(closed.load(Ordering::Relaxed));
        let mut kept = Vec::new();
        write_to(&mut kept, "after", &closed);
        assert!(
            kept.is_empty(),
            "nothing more is written once the reader is gone"
        );
    }

    proptest! {
        #[test]
        fn no_control_character_survives(text in any::<String>()) {
            let safe = sanitize(&text);
            prop_assert!(!safe.chars().any(is_unsafe), "{safe:?}");
            let line = sanitize_line(&text);
            prop_assert!(!line.chars().any(char::is_control), "{line:?}");
        }

        #[test]
        fn printable_text_passes_unchanged(text in "[^\\p{Cc}]*") {
            prop_assert_eq!(sanitize(&text).into_owned(), text.clone());
            prop_assert_eq!(sanitize_line(&text).into_owned(), text.clone());
        }

        #[test]
        fn newlines_and_tabs_stay(text in "[a-z\\n\\t]*") {
            prop_assert_eq!(sanitize(&text).into_owned(), text.clone());
        }
    }
}
