//! Which terminal graphics protocol to draw with: the user's choice and the start-up detection.

use std::fmt;
use std::io::IsTerminal;
use std::str::FromStr;
use std::time::Duration;

use ratatui_image::FontSize;
use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::{Picker, ProtocolType};

/// What `--image-protocol` and the config key `image_protocol` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageProtocol {
    /// Ask the terminal; halfblocks if it does not answer.
    #[default]
    Auto,
    Kitty,
    Sixel,
    Iterm2,
    Halfblocks,
}

const CHOICES: &str = "auto, kitty, sixel, iterm2 or halfblocks";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown image protocol \"{given}\": use {CHOICES}")]
pub struct UnknownProtocol {
    pub given: String,
}

impl FromStr for ImageProtocol {
    type Err = UnknownProtocol;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "kitty" => Ok(Self::Kitty),
            "sixel" => Ok(Self::Sixel),
            "iterm2" => Ok(Self::Iterm2),
            "halfblocks" => Ok(Self::Halfblocks),
            _ => Err(UnknownProtocol {
                given: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for ImageProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Kitty => "kitty",
            Self::Sixel => "sixel",
            Self::Iterm2 => "iterm2",
            Self::Halfblocks => "halfblocks",
        })
    }
}

impl ImageProtocol {
    /// The flag wins over the config; neither means auto. The error names where the bad value
    /// came from, so the user knows what to fix.
    pub fn from_settings(flag: Option<&str>, config: Option<&str>) -> Result<Self, String> {
        match (flag, config) {
            (Some(flag), _) => flag.parse().map_err(|e| format!("--image-protocol: {e}")),
            (None, Some(config)) => config
                .parse()
                .map_err(|e| format!("image_protocol in the config file: {e}")),
            (None, None) => Ok(Self::Auto),
        }
    }

    fn forced(self) -> Option<ProtocolType> {
        match self {
            Self::Auto => None,
            Self::Kitty => Some(ProtocolType::Kitty),
            Self::Sixel => Some(ProtocolType::Sixel),
            Self::Iterm2 => Some(ProtocolType::Iterm2),
            Self::Halfblocks => Some(ProtocolType::Halfblocks),
        }
    }
}

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

/// Finds out what the terminal can draw and its font's pixel size.
///
/// Writes a query to stdout and reads the answer from stdin, so it must run before anything
/// else reads terminal events, best after entering the alternate screen and raw mode. Without a terminal (pipes, CI) it asks nothing and falls back to
/// halfblocks, as it does when the terminal does not answer.
pub(crate) fn detect(choice: ImageProtocol) -> Picker {
    if choice == ImageProtocol::Halfblocks {
        return Picker::halfblocks();
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let queried = if interactive {
        // When the terminal never answers, ratatui-image's reader thread outlives the timeout:
        // it swallows the next key, then restores the terminal mode it saw when the query
        // began. Query in raw mode, the mode the studio runs in, so that restore is harmless.
        let was_raw = crossterm::terminal::is_raw_mode_enabled().unwrap_or(false);
        if !was_raw {
            let _ = crossterm::terminal::enable_raw_mode();
        }
        let picker = Picker::from_query_stdio_with_options(QueryStdioOptions {
            timeout: QUERY_TIMEOUT,
            ..QueryStdioOptions::default()
        })
        .ok();
        if !was_raw {
            let _ = crossterm::terminal::disable_raw_mode();
        }
        picker
    } else {
        None
    };
    let mut picker = queried.unwrap_or_else(|| match choice.forced() {
        // A forced protocol still needs the font size; the kernel may know the window's
        // pixel size even when the terminal did not answer.
        Some(_) => with_font_size(font_size_from_kernel().unwrap_or(FontSize::new(10, 20))),
        None => Picker::halfblocks(),
    });
    if let Some(forced) = choice.forced() {
        picker.set_protocol_type(forced);
    }
    picker
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
    fn every_choice_parses_whatever_the_case() {
        assert_eq!("auto".parse(), Ok(ImageProtocol::Auto));
        assert_eq!("Kitty".parse(), Ok(ImageProtocol::Kitty));
        assert_eq!(" sixel ".parse(), Ok(ImageProtocol::Sixel));
        assert_eq!("ITERM2".parse(), Ok(ImageProtocol::Iterm2));
        assert_eq!("halfblocks".parse(), Ok(ImageProtocol::Halfblocks));
        for choice in [
            ImageProtocol::Auto,
            ImageProtocol::Kitty,
            ImageProtocol::Sixel,
            ImageProtocol::Iterm2,
            ImageProtocol::Halfblocks,
        ] {
            assert_eq!(choice.to_string().parse(), Ok(choice));
        }
    }

    #[test]
    fn an_unknown_protocol_is_a_clear_error() {
        let error = "ascii".parse::<ImageProtocol>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown image protocol \"ascii\": use auto, kitty, sixel, iterm2 or halfblocks"
        );
        assert!("".parse::<ImageProtocol>().is_err());
    }

    #[test]
    fn the_flag_overrides_the_config() {
        assert_eq!(
            ImageProtocol::from_settings(Some("sixel"), Some("kitty")),
            Ok(ImageProtocol::Sixel)
        );
        assert_eq!(
            ImageProtocol::from_settings(None, Some("kitty")),
            Ok(ImageProtocol::Kitty)
        );
        assert_eq!(
            ImageProtocol::from_settings(None, None),
            Ok(ImageProtocol::Auto)
        );
        let error = ImageProtocol::from_settings(None, Some("png")).unwrap_err();
        assert!(error.starts_with("image_protocol in the config file: unknown image protocol"));
        let error = ImageProtocol::from_settings(Some("png"), Some("kitty")).unwrap_err();
        assert!(error.starts_with("--image-protocol: "));
    }

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
