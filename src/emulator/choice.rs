//! The user's choice of graphics protocol: `--image-protocol`, or the config's `image_protocol`.

use std::fmt;
use std::str::FromStr;

use ratatui_image::picker::ProtocolType;

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

    pub(crate) fn forced(self) -> Option<ProtocolType> {
        match self {
            Self::Auto => None,
            Self::Kitty => Some(ProtocolType::Kitty),
            Self::Sixel => Some(ProtocolType::Sixel),
            Self::Iterm2 => Some(ProtocolType::Iterm2),
            Self::Halfblocks => Some(ProtocolType::Halfblocks),
        }
    }
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
}
