//! Which terminal graphics protocol to draw with: the user's choice and the start-up detection.

use std::io::IsTerminal;
use std::time::Duration;

use ratatui_image::FontSize;
use ratatui_image::picker::{Picker, ProtocolType};

use super::caps::{Capabilities, Choice, Env, choose};
use super::choice::ImageProtocol;
use super::probe;

/// Short name for the status bar.
pub(crate) fn label(protocol: ProtocolType) -> &'static str {
    match protocol {
        ProtocolType::Kitty => "kitty",
        ProtocolType::Sixel => "sixel",
        ProtocolType::Iterm2 => "iTerm2",
        ProtocolType::Halfblocks => "halfblocks",
    }
}

/// Long enough for a terminal over SSH, short enough not to be noticed when one never answers.
const QUERY_TIMEOUT: Duration = Duration::from_millis(1000);

/// What start-up detection found.
pub struct Detection {
    pub picker: Picker,
    /// The largest picture to send, in pixels, when the terminal has a limit (sixel in xterm).
    pub max_px: Option<(u32, u32)>,
    pub choice: Choice,
    pub caps: Capabilities,
    /// Keys typed while the terminal was being asked, as it sent them: replay them, in order.
    pub typed: Vec<u8>,
    /// Queries were sent.
    pub asked: bool,
}

/// Finds out what the terminal is and can draw, and its font's pixel size.
///
/// Writes the queries to stdout and polls stdin for the replies, so it must run before anything
/// else reads terminal input, in raw mode. Keys typed meanwhile come back in
/// [`Detection::typed`]. Without a terminal (pipes, CI) it asks nothing.
pub(crate) fn detect(user: ImageProtocol) -> Detection {
    let env = Env::from_process();
    let tmux_info = if env.tmux {
        // Before anything (ratatui-image included) switches passthrough on, so exit can put
        // the old value back.
        super::tmux::enable_passthrough();
        super::tmux::info()
    } else {
        None
    };
    let in_tmux = tmux_info.is_some();
    let mut caps = Capabilities::from_env(&env, tmux_info);
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    // colorsaurus's list: these answer colour queries wrongly or never.
    let term = env.term.as_deref().unwrap_or("");
    let dumb = term == "dumb";
    let colours = !dumb && !term.starts_with("screen") && !term.starts_with("Eterm");
    let mut typed = Vec::new();
    let asked = interactive && !dumb;
    if asked {
        let split = query(&probe::queries(in_tmux, colours));
        for reply in split.replies {
            caps.apply(reply);
        }
        typed = split.typed;
    }
    if caps.cell_px.is_none() {
        caps.cell_px = font_size_from_kernel().map(|f| (f.width, f.height));
    }
    let choice = choose(&caps, user);
    let (width, height) = caps.cell_px.unwrap_or((10, 20));
    let mut picker = with_font_size(FontSize::new(width.max(1), height.max(1)));
    picker.set_protocol_type(choice.protocol);
    let max_px = caps
        .sixel_max
        .filter(|_| choice.protocol == ProtocolType::Sixel);
    Detection {
        picker,
        max_px,
        choice,
        caps,
        typed,
        asked,
    }
}

#[cfg(unix)]
fn query(queries: &[u8]) -> probe::Split {
    use std::io::Write;
    let was_raw = crossterm::terminal::is_raw_mode_enabled().unwrap_or(false);
    if !was_raw {
        let _ = crossterm::terminal::enable_raw_mode();
    }
    let mut stdout = std::io::stdout();
    let split = if stdout
        .write_all(queries)
        .and_then(|()| stdout.flush())
        .is_ok()
    {
        probe::collect(&mut probe::Stdin, QUERY_TIMEOUT)
    } else {
        probe::Split::default()
    };
    if !was_raw {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    split
}

#[cfg(not(unix))]
fn query(_queries: &[u8]) -> probe::Split {
    probe::Split::default()
}

/// A halfblocks picker with a given font size, asking the terminal nothing.
pub(crate) fn halfblocks_with_font(font_size: (u16, u16)) -> Picker {
    let mut picker = with_font_size(FontSize::new(font_size.0.max(1), font_size.1.max(1)));
    picker.set_protocol_type(ProtocolType::Halfblocks);
    picker
}

pub(crate) fn with_font_size(font_size: FontSize) -> Picker {
    // Deprecated upstream in favour of the query, but it is the only way to build a picker
    // for a known font size without touching the terminal (tests, a failed query).
    #[allow(deprecated)]
    Picker::from_fontsize(font_size)
}

/// Cell size in pixels from the window size the kernel knows (TIOCGWINSZ), if it knows it.
pub(crate) fn font_size_from_kernel() -> Option<FontSize> {
    let size = crossterm::terminal::window_size().ok()?;
    if size.columns == 0 || size.rows == 0 || size.width == 0 || size.height == 0 {
        return None;
    }
    Some(FontSize::new(
        (size.width / size.columns).max(1),
        (size.height / size.rows).max(1),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_picker_is_halfblocks_with_the_given_font() {
        let picker = halfblocks_with_font((8, 16));
        assert_eq!(picker.protocol_type(), ProtocolType::Halfblocks);
        assert_eq!(
            (picker.font_size().width, picker.font_size().height),
            (8, 16)
        );
        assert_eq!(label(picker.protocol_type()), "halfblocks");
    }
}
