//! Per-turn generation settings, checked against the model catalog before anything is sent.
//! What each model accepts is data (`data/models.toml`, see `crate::models`), not code.

use serde::{Deserialize, Serialize};

use crate::models::catalog::FALLBACK_MODEL;
use crate::models::{Catalog, ModelSpec, OptionError};
pub use crate::models::{ImageSize, ThinkingLevel};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnSettings {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size: Option<ImageSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<ThinkingLevel>,
    #[serde(default)]
    pub google_search: bool,
    /// Google Search grounding with image search too (models that offer it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub image_search: bool,
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
            model: FALLBACK_MODEL.to_string(),
            aspect_ratio: None,
            image_size: None,
            thinking_level: None,
            google_search: false,
            image_search: false,
            image_only: false,
            system_instruction: None,
            include_thoughts: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Option(#[from] OptionError),
    #[error(
        "Invalid model name {0:?}: use a name like gemini-3-pro-image (letters, digits, '.', '-' and '_' only)."
    )]
    ModelName(String),
    #[error(
        "Unknown model {model:?}: the model catalog does not know it and {provider} could not be asked which models it serves. Pick one of: {served}. If {provider} does serve it, add it under [[models]] in the config."
    )]
    UnknownModel {
        model: String,
        provider: String,
        served: String,
    },
    #[error("{model} is retired and no longer served.{}", replacement_hint(replacement.as_deref()))]
    Retired {
        model: String,
        replacement: Option<String>,
    },
    #[error("{model} does not take the aspect ratio {ratio:?}: it takes {accepted}.")]
    AspectRatio {
        ratio: String,
        model: String,
        accepted: String,
    },
    #[error(
        "{model} does not take an image size (its size is fixed): drop the size, or pick a model that takes one, such as gemini-3-pro-image."
    )]
    SizeNotSupported { model: String },
    #[error("{model} does not take the image size {size}: it takes {accepted}.")]
    ImageSize {
        size: ImageSize,
        model: String,
        accepted: String,
    },
    #[error(
        "{model} takes no thinking settings (the API answers \"Thinking is not enabled\"): drop the thinking level, or pick a Gemini 3 image model."
    )]
    ThinkingNotSupported { model: String },
    #[error("{model} does not take the thinking level {level}: it takes {accepted}.")]
    ThinkingLevel {
        level: ThinkingLevel,
        model: String,
        accepted: String,
    },
    #[error(
        "{model} does not offer Google Search grounding: turn search off, or pick a model that offers it."
    )]
    SearchNotOffered { model: String },
    #[error(
        "{model} does not offer image search: turn it off, or pick a model that offers it (gemini-3.1-flash-image)."
    )]
    ImageSearchNotOffered { model: String },
    #[error(
        "{count} reference images is more than {model} takes ({limit} at most per request): detach {} of them.",
        count - limit
    )]
    TooManyImages {
        count: usize,
        limit: usize,
        model: String,
    },
    #[error("The system instruction is empty: give some text, or remove it.")]
    EmptySystemInstruction,
}

fn replacement_hint(replacement: Option<&str>) -> String {
    match replacement {
        Some(id) => format!(" Use {id} instead (--model {id}, or /model {id} in the studio)."),
        None => " Pick another model (`banana-studio models` lists them).".to_string(),
    }
}

impl TurnSettings {
    /// Checks the settings against what the model takes, so a mistake is explained here rather
    /// than answered by a 400 (or 404) from the server. Returns the model's facts.
    pub fn validate<'c>(
        &self,
        catalog: &'c Catalog,
        provider: &str,
    ) -> Result<&'c ModelSpec, SettingsError> {
        let name = self.model.as_str();
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid_name {
            return Err(SettingsError::ModelName(name.to_string()));
        }
        let spec = catalog
            .find(provider, name)
            .ok_or_else(|| SettingsError::UnknownModel {
                model: name.to_string(),
                provider: provider.to_string(),
                served: catalog.served_ids(provider).join(", "),
            })?;
        if !spec.is_served() {
            return Err(SettingsError::Retired {
                model: name.to_string(),
                replacement: catalog
                    .replacement_for(provider, name)
                    .map(|m| m.id.clone()),
            });
        }
        self.check_against(spec)?;
        Ok(spec)
    }

    fn check_against(&self, spec: &ModelSpec) -> Result<(), SettingsError> {
        let model = || self.model.clone();
        if !spec.known {
            // A model newer than the catalog: its options are passed on unchecked.
            return Ok(());
        }
        if let Some(ratio) = &self.aspect_ratio
            && spec.aspect_ratio(ratio).is_none()
        {
            return Err(SettingsError::AspectRatio {
                ratio: ratio.trim().to_string(),
                model: model(),
                accepted: spec.aspect_ratio_list(),
            });
        }
        if let Some(size) = self.image_size {
            if !spec.takes_image_size() {
                return Err(SettingsError::SizeNotSupported { model: model() });
            }
            if !spec.sizes.contains(&size) {
                return Err(SettingsError::ImageSize {
                    size,
                    model: model(),
                    accepted: spec.size_list(),
                });
            }
        }
        if let Some(level) = self.thinking_level {
            if !spec.thinking_config {
                return Err(SettingsError::ThinkingNotSupported { model: model() });
            }
            if !spec.thinking_levels.contains(&level) {
                return Err(SettingsError::ThinkingLevel {
                    level,
                    model: model(),
                    accepted: spec.thinking_level_list(),
                });
            }
        }
        if (self.google_search || self.image_search) && !spec.google_search {
            return Err(SettingsError::SearchNotOffered { model: model() });
        }
        if self.image_search && !spec.image_search {
            return Err(SettingsError::ImageSearchNotOffered { model: model() });
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

    /// Moves settings saved on a model the provider has retired to the catalog's replacement,
    /// so an old session continues. Returns the old model when it moved.
    pub fn move_off_retired(&mut self, catalog: &Catalog, provider: &str) -> Option<String> {
        let spec = catalog.find(provider, &self.model)?;
        if spec.is_served() {
            return None;
        }
        let replacement = catalog.replacement_for(provider, &self.model)?;
        Some(std::mem::replace(&mut self.model, replacement.id.clone()))
    }

    /// Checks that a prompt's reference images fit the model.
    pub fn check_reference_images(
        &self,
        catalog: &Catalog,
        provider: &str,
        count: usize,
    ) -> Result<(), SettingsError> {
        let limit = catalog
            .find(provider, &self.model)
            .map(|spec| spec.reference_images.total)
            .unwrap_or(usize::MAX);
        if count > limit {
            return Err(SettingsError::TooManyImages {
                count,
                limit,
                model: self.model.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(model: &str) -> TurnSettings {
        TurnSettings {
            model: model.into(),
            ..TurnSettings::default()
        }
    }

    #[test]
    fn sizes_depend_on_the_model() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3.1-flash-image");
        settings.image_size = Some(ImageSize::Px512);
        assert!(settings.validate(&catalog, "google").is_ok());
        settings.model = "gemini-3-pro-image".into();
        let error = settings.validate(&catalog, "google").unwrap_err();
        assert!(error.to_string().contains("1K 2K 4K"), "{error}");
        settings.model = "gemini-2.5-flash-image".into();
        assert!(matches!(
            settings.validate(&catalog, "google"),
            Err(SettingsError::SizeNotSupported { .. })
        ));
    }

    #[test]
    fn aspect_ratios_depend_on_the_model() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3.1-flash-image");
        settings.aspect_ratio = Some("1:8".into());
        assert!(settings.validate(&catalog, "google").is_ok());
        settings.model = "gemini-3-pro-image".into();
        let error = settings.validate(&catalog, "google").unwrap_err();
        assert!(
            error.to_string().contains("16:9"),
            "lists what is accepted: {error}"
        );
        assert!(!error.to_string().contains("1:8 "), "{error}");
    }

    #[test]
    fn thinking_levels_depend_on_the_model() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3-pro-image");
        settings.thinking_level = Some(ThinkingLevel::High);
        assert!(settings.validate(&catalog, "google").is_ok());
        settings.thinking_level = Some(ThinkingLevel::Minimal);
        let error = settings.validate(&catalog, "google").unwrap_err();
        assert!(error.to_string().contains("low high"), "{error}");
        settings.model = "gemini-2.5-flash-image".into();
        assert!(matches!(
            settings.validate(&catalog, "google"),
            Err(SettingsError::ThinkingNotSupported { .. })
        ));
    }

    #[test]
    fn image_search_only_where_offered() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3.1-flash-image");
        settings.image_search = true;
        assert!(settings.validate(&catalog, "google").is_ok());
        settings.model = "gemini-3-pro-image".into();
        assert!(matches!(
            settings.validate(&catalog, "google"),
            Err(SettingsError::ImageSearchNotOffered { .. })
        ));
    }

    #[test]
    fn retired_and_unknown_models_are_refused_with_the_way_forward() {
        let catalog = Catalog::builtin();
        let error = with("gemini-3-pro-image-preview")
            .validate(&catalog, "google")
            .unwrap_err();
        assert!(
            error.to_string().contains("Use gemini-3-pro-image instead"),
            "{error}"
        );
        assert!(
            with("gemini-3-pro-image-preview")
                .validate(&catalog, "openai-next")
                .is_ok(),
            "the relay keeps the preview id as an alias"
        );
        let error = with("gemini-9-image")
            .validate(&catalog, "google")
            .unwrap_err();
        assert!(matches!(error, SettingsError::UnknownModel { .. }));
        assert!(
            error.to_string().contains("gemini-3.1-flash-image"),
            "{error}"
        );
    }

    #[test]
    fn a_retired_model_moves_to_its_replacement() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3-pro-image-preview");
        assert_eq!(
            settings.move_off_retired(&catalog, "google").as_deref(),
            Some("gemini-3-pro-image-preview")
        );
        assert_eq!(settings.model, "gemini-3-pro-image");
        let mut relay = with("gemini-3-pro-image-preview");
        assert_eq!(relay.move_off_retired(&catalog, "openai-next"), None);
    }

    #[test]
    fn reference_images_are_limited_per_model() {
        let catalog = Catalog::builtin();
        let settings = with("gemini-2.5-flash-image");
        assert!(
            settings
                .check_reference_images(&catalog, "google", 3)
                .is_ok()
        );
        let error = settings
            .check_reference_images(&catalog, "google", 5)
            .unwrap_err();
        assert!(error.to_string().contains("detach 2"), "{error}");
    }

    #[test]
    fn model_names_cannot_inject_into_the_url() {
        assert!(matches!(
            with("../x:generateContent?key=").validate(&Catalog::builtin(), "google"),
            Err(SettingsError::ModelName(_))
        ));
    }

    #[test]
    fn settings_saved_before_thinking_levels_still_load() {
        let old = r#"{"model":"gemini-3-pro-image-preview","imageSize":"2K","googleSearch":true,"imageOnly":false,"includeThoughts":true}"#;
        let settings: TurnSettings = serde_json::from_str(old).unwrap();
        assert_eq!(settings.thinking_level, None);
        assert!(!settings.image_search);
    }
}
