//! The vocabulary of model options: image sizes and thinking levels, spelled as the API wants.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `imageConfig.imageSize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ImageSize {
    /// Gemini 3.1 Flash's smallest, sent as `"512"` (not `"512px"`, not `"0.5K"`).
    #[serde(rename = "512")]
    Px512,
    #[serde(rename = "1K")]
    K1,
    #[serde(rename = "2K")]
    K2,
    #[serde(rename = "4K")]
    K4,
}

impl ImageSize {
    pub const ALL: [ImageSize; 4] = [
        ImageSize::Px512,
        ImageSize::K1,
        ImageSize::K2,
        ImageSize::K4,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImageSize::Px512 => "512",
            ImageSize::K1 => "1K",
            ImageSize::K2 => "2K",
            ImageSize::K4 => "4K",
        }
    }
}

impl fmt::Display for ImageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    #[error(
        "Unknown image size {0:?}: use 512, 1K, 2K or 4K (512 without \"px\"; there is no \"0.5K\" or \"3K\")."
    )]
    ImageSize(String),
    #[error("Unknown thinking level {0:?}: use minimal, low, medium or high.")]
    ThinkingLevel(String),
}

impl FromStr for ImageSize {
    type Err = OptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // A typed "4k" means 4K: it is sent the way the API wants it, with an uppercase K.
        match text.trim().to_ascii_uppercase().as_str() {
            "512" => Ok(ImageSize::Px512),
            "1K" => Ok(ImageSize::K1),
            "2K" => Ok(ImageSize::K2),
            "4K" => Ok(ImageSize::K4),
            _ => Err(OptionError::ImageSize(text.trim().to_string())),
        }
    }
}

/// `thinkingConfig.thinkingLevel`: how hard a Gemini 3 model thinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThinkingLevel {
    Minimal,
    Low,
    Medium,
    High,
}

impl ThinkingLevel {
    pub const ALL: [ThinkingLevel; 4] = [
        ThinkingLevel::Minimal,
        ThinkingLevel::Low,
        ThinkingLevel::Medium,
        ThinkingLevel::High,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ThinkingLevel::Minimal => "minimal",
            ThinkingLevel::Low => "low",
            ThinkingLevel::Medium => "medium",
            ThinkingLevel::High => "high",
        }
    }
}

impl fmt::Display for ThinkingLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ThinkingLevel {
    type Err = OptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "minimal" => Ok(ThinkingLevel::Minimal),
            "low" => Ok(ThinkingLevel::Low),
            "medium" => Ok(ThinkingLevel::Medium),
            "high" => Ok(ThinkingLevel::High),
            _ => Err(OptionError::ThinkingLevel(text.trim().to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_spelled_as_the_api_wants() {
        assert_eq!("512".parse::<ImageSize>(), Ok(ImageSize::Px512));
        assert_eq!(serde_json::to_string(&ImageSize::Px512).unwrap(), "\"512\"");
        for wrong in ["512px", "0.5K", "3K"] {
            let error = wrong.parse::<ImageSize>().unwrap_err().to_string();
            assert!(error.contains("use 512, 1K, 2K or 4K"), "{error}");
        }
        // Typed in lower case, sent as the API wants it.
        assert_eq!("4k".parse::<ImageSize>(), Ok(ImageSize::K4));
        assert_eq!(serde_json::to_string(&ImageSize::K4).unwrap(), "\"4K\"");
    }

    #[test]
    fn thinking_levels_parse_in_any_case() {
        assert_eq!("HIGH".parse::<ThinkingLevel>(), Ok(ThinkingLevel::High));
        assert_eq!(
            serde_json::to_string(&ThinkingLevel::Minimal).unwrap(),
            "\"minimal\""
        );
        assert!("extreme".parse::<ThinkingLevel>().is_err());
    }
}
