//! Per-turn generation settings and what each model accepts, checked before anything is sent.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub const DEFAULT_MODEL: &str = "gemini-3-pro-image-preview";

/// Models offered as presets; any other name is accepted as a free string.
pub const MODEL_PRESETS: &[&str] = &[
    "gemini-3-pro-image-preview",
    "gemini-3.1-flash-image-preview",
    "gemini-2.5-flash-image",
];

const ASPECT_RATIOS: &[&str] = &[
    "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9",
];
/// Only Gemini 3.1 Flash Image offers these.
const EXTRA_ASPECT_RATIOS: &[&str] = &["1:4", "4:1", "1:8", "8:1"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnSettings {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size: Option<ImageSize>,
    #[serde(default)]
    pub google_search: bool,
    /// `responseModalities: ["IMAGE"]` instead of text and image.
    #[serde(default)]
    pub image_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<String>,
    #[serde(default = "yes")]
    pub include_thoughts: bool,
}

fn yes() -> bool {
    true
}

impl Default for TurnSettings {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.to_string(),
            aspect_ratio: None,
            image_size: None,
            google_search: false,
            image_only: false,
            system_instruction: None,
            include_thoughts: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageSize {
    #[serde(rename = "1K")]
    K1,
    #[serde(rename = "2K")]
    K2,
    #[serde(rename = "4K")]
    K4,
}

impl ImageSize {
    pub fn as_str(self) -> &'static str {
        match self {
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

impl FromStr for ImageSize {
    type Err = SettingsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "1K" => Ok(ImageSize::K1),
            "2K" => Ok(ImageSize::K2),
            "4K" => Ok(ImageSize::K4),
            other => Err(SettingsError::ImageSize(other.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "Unknown image size {0:?}: use 1K, 2K or 4K (with an uppercase K; the API rejects \"2k\")."
    )]
    ImageSize(String),
    #[error("Unknown aspect ratio {ratio:?}: {model} accepts {accepted}.")]
    AspectRatio {
        ratio: String,
        model: String,
        accepted: String,
    },
    #[error(
        "{model} does not take an image size (it is fixed near 1024 px): drop the size, or pick a Gemini 3 image model such as gemini-3-pro-image-preview."
    )]
    SizeNotSupported { model: String },
    #[error(
        "Invalid model name {0:?}: use a name like gemini-3-pro-image-preview (letters, digits, '.', '-' and '_' only)."
    )]
    ModelName(String),
    #[error("The system instruction is empty: give some text, or remove it.")]
    EmptySystemInstruction,
}

/// What a model accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    pub takes_image_size: bool,
    pub extra_aspect_ratios: bool,
    /// Gemini 3 models always think; only they take `thinkingConfig`.
    pub thinks: bool,
    /// Output tokens of one image at 1K/2K and at 4K.
    pub image_tokens: (u64, u64),
}

impl ModelInfo {
    pub fn of(model: &str) -> Self {
        let gemini3 = model.starts_with("gemini-3");
        let image = model.contains("image");
        Self {
            takes_image_size: gemini3 && image,
            extra_aspect_ratios: model.starts_with("gemini-3.1-flash-image"),
            thinks: gemini3,
            image_tokens: if gemini3 { (1120, 2000) } else { (1290, 1290) },
        }
    }

    pub fn aspect_ratios(self) -> impl Iterator<Item = &'static str> {
        let extra: &[&str] = if self.extra_aspect_ratios {
            EXTRA_ASPECT_RATIOS
        } else {
            &[]
        };
        ASPECT_RATIOS.iter().chain(extra).copied()
    }
}

impl TurnSettings {
    /// Checks the settings against the model, so a mistake is explained here rather than
    /// answered by a 400 from the server.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let model = self.model.as_str();
        let valid_name = !model.is_empty()
            && model
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid_name {
            return Err(SettingsError::ModelName(model.to_string()));
        }
        let info = ModelInfo::of(model);
        if let Some(ratio) = &self.aspect_ratio {
            aspect_ratio_for(model, ratio)?;
        }
        if self.image_size.is_some() && !info.takes_image_size {
            return Err(SettingsError::SizeNotSupported {
                model: model.to_string(),
            });
        }
        if self
            .system_instruction
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            return Err(SettingsError::EmptySystemInstruction);
        }
        Ok(())
    }
}

/// The canonical spelling of `ratio` if `model` accepts it.
pub fn aspect_ratio_for(model: &str, ratio: &str) -> Result<&'static str, SettingsError> {
    let info = ModelInfo::of(model);
    let wanted = ratio.trim();
    info.aspect_ratios()
        .find(|r| *r == wanted)
        .ok_or_else(|| SettingsError::AspectRatio {
            ratio: wanted.to_string(),
            model: model.to_string(),
            accepted: info.aspect_ratios().collect::<Vec<_>>().join(" "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_size_is_refused_with_the_fix() {
        let error = "2k".parse::<ImageSize>().unwrap_err();
        assert!(error.to_string().contains("uppercase K"), "{error}");
        assert_eq!("4K".parse::<ImageSize>(), Ok(ImageSize::K4));
    }

    #[test]
    fn size_only_for_gemini_3_image_models() {
        let mut settings = TurnSettings {
            image_size: Some(ImageSize::K2),
            ..TurnSettings::default()
        };
        assert_eq!(settings.validate(), Ok(()));
        settings.model = "gemini-2.5-flash-image".into();
        assert!(matches!(
            settings.validate(),
            Err(SettingsError::SizeNotSupported { .. })
        ));
    }

    #[test]
    fn aspect_ratios_depend_on_the_model() {
        assert_eq!(aspect_ratio_for(DEFAULT_MODEL, "16:9"), Ok("16:9"));
        assert!(aspect_ratio_for(DEFAULT_MODEL, "1:4").is_err());
        assert_eq!(
            aspect_ratio_for("gemini-3.1-flash-image-preview", "1:4"),
            Ok("1:4")
        );
        let error = aspect_ratio_for(DEFAULT_MODEL, "7:5").unwrap_err();
        assert!(
            error.to_string().contains("16:9"),
            "lists what is accepted: {error}"
        );
    }

    #[test]
    fn model_names_cannot_inject_into_the_url() {
        let settings = TurnSettings {
            model: "../x:generateContent?key=".into(),
            ..TurnSettings::default()
        };
        assert!(matches!(
            settings.validate(),
            Err(SettingsError::ModelName(_))
        ));
    }
}
