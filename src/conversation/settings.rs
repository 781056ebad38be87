//! Per-turn generation settings, checked against the model catalog before anything is sent.
//! What each model accepts is data (`data/models.toml`, see `crate::models`), not code.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::models::catalog::FALLBACK_MODEL;
use crate::models::listing::Listing;
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
        "{provider} does not serve {model}: its model list names {served}.{} If it has added the model since, `banana-studio models` asks it again.",
        replacement_hint(replacement.as_deref())
    )]
    NotServed {
        model: String,
        provider: String,
        served: String,
        replacement: Option<String>,
    },
    #[error("{model} does not take the aspect ratio {ratio:?}: it takes {accepted}.{STALE_HINT}")]
    AspectRatio {
        ratio: String,
        model: String,
        accepted: String,
    },
    #[error(
        "{model} does not take an image size (its size is fixed): drop the size, or pick a model that takes one, such as gemini-3-pro-image."
    )]
    SizeNotSupported { model: String },
    #[error("{model} does not take the image size {size}: it takes {accepted}.{STALE_HINT}")]
    ImageSize {
        size: ImageSize,
        model: String,
        accepted: String,
    },
    #[error(
        "{model} takes no thinking settings (the API answers \"Thinking is not enabled\"): drop the thinking level, or pick a Gemini 3 image model."
    )]
    ThinkingNotSupported { model: String },
    #[error("{model} does not take the thinking level {level}: it takes {accepted}.{STALE_HINT}")]
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

/// Whether `name` can be a model id: letters, digits, '.', '-' and '_' (it goes into a URL).
pub fn is_model_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The catalog's facts can be older than the model: say how to correct them.
const STALE_HINT: &str = " (From the bundled model catalog: if the model takes it now, correct its entry with [[models]] in the config.)";

fn replacement_hint(replacement: Option<&str>) -> String {
    match replacement {
        Some(id) => format!(" Use {id} instead (--model {id}, or /model {id} in the studio)."),
        None => " Pick another model (`banana-studio models` lists them).".to_string(),
    }
}

impl TurnSettings {
    /// Checks the settings before sending. The model id is refused only on the provider's own
    /// word (`listing`, its ListModels answer, when it has been asked): the catalog's "retired"
    /// marks never block it. What a model the catalog knows takes (sizes, ratios, thinking) is
    /// checked here, so a mistake is explained at once rather than answered by a 400; a model
    /// the catalog lacks is passed on with the settings unchecked. Returns the model's facts.
    pub fn validate<'c>(
        &self,
        catalog: &'c Catalog,
        provider: &str,
        listing: Option<&Listing>,
    ) -> Result<Cow<'c, ModelSpec>, SettingsError> {
        let name = self.model.as_str();
        if !is_model_name(name) {
            return Err(SettingsError::ModelName(name.to_string()));
        }
        if let Some(listing) = listing
            && !listing.serves(name)
        {
            return Err(SettingsError::NotServed {
                model: name.to_string(),
                provider: provider.to_string(),
                served: listing.image_ids().join(", "),
                replacement: catalog
                    .replacement_for(provider, name)
                    .map(|m| m.id.clone())
                    .filter(|id| listing.serves(id)),
            });
        }
        let spec = match catalog.find(provider, name) {
            Some(spec) => Cow::Borrowed(spec),
            None => Cow::Owned(catalog.find_or_unknown(provider, name)),
        };
        self.check_against(&spec)?;
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

    /// Moves settings saved on a model the provider no longer serves to the catalog's
    /// replacement, so an old session continues. Only on the provider's word: its list lacks
    /// the model and names the replacement. Returns the old model when it moved.
    pub fn move_off_unserved(
        &mut self,
        catalog: &Catalog,
        provider: &str,
        listing: Option<&Listing>,
    ) -> Option<String> {
        let listing = listing?;
        if listing.serves(&self.model) {
            return None;
        }
        let replacement = catalog
            .replacement_for(provider, &self.model)
            .filter(|m| listing.serves(&m.id))?;
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
    use crate::gemini::wire::ListedModel;

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
        assert!(settings.validate(&catalog, "google", None).is_ok());
        settings.model = "gemini-3-pro-image".into();
        let error = settings.validate(&catalog, "google", None).unwrap_err();
        assert!(error.to_string().contains("1K 2K 4K"), "{error}");
        settings.model = "gemini-2.5-flash-image".into();
        assert!(matches!(
            settings.validate(&catalog, "google", None),
            Err(SettingsError::SizeNotSupported { .. })
        ));
    }

    #[test]
    fn aspect_ratios_depend_on_the_model() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3.1-flash-image");
        settings.aspect_ratio = Some("1:8".into());
        assert!(settings.validate(&catalog, "google", None).is_ok());
        settings.model = "gemini-3-pro-image".into();
        let error = settings.validate(&catalog, "google", None).unwrap_err();
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
        assert!(settings.validate(&catalog, "google", None).is_ok());
        settings.thinking_level = Some(ThinkingLevel::Minimal);
        let error = settings.validate(&catalog, "google", None).unwrap_err();
        assert!(error.to_string().contains("low high"), "{error}");
        settings.model = "gemini-2.5-flash-image".into();
        assert!(matches!(
            settings.validate(&catalog, "google", None),
            Err(SettingsError::ThinkingNotSupported { .. })
        ));
    }

    #[test]
    fn image_search_only_where_offered() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3.1-flash-image");
        settings.image_search = true;
        assert!(settings.validate(&catalog, "google", None).is_ok());
        settings.model = "gemini-3-pro-image".into();
        assert!(matches!(
            settings.validate(&catalog, "google", None),
            Err(SettingsError::ImageSearchNotOffered { .. })
        ));
    }

    fn listing(ids: &[&str]) -> Listing {
        let listed: Vec<ListedModel> = ids
            .iter()
            .map(|id| ListedModel {
                name: format!("models/{id}"),
                display_name: String::new(),
                supported_generation_methods: vec!["generateContent".into()],
            })
            .collect();
        Listing::new(&listed, &Catalog::builtin(), "google")
    }

    #[test]
    fn the_catalog_never_refuses_a_model_the_provider_was_not_asked_about() {
        let catalog = Catalog::builtin();
        for provider in ["google", "openai-next", "my-relay"] {
            let spec = with("gemini-3-pro-image-preview")
                .validate(&catalog, provider, None)
                .unwrap();
            assert_eq!(spec.sizes.len(), 3, "the preview id takes Pro's options");
        }
        let unknown = with("gemini-9-image")
            .validate(&catalog, "google", None)
            .unwrap();
        assert!(!unknown.known, "passed on with its settings unchecked");
        let mut known = with("gemini-3-pro-image-preview");
        known.image_size = Some(ImageSize::Px512);
        let error = known.validate(&catalog, "my-relay", None).unwrap_err();
        assert!(
            error.to_string().contains("[[models]]"),
            "a known model's rules are still checked, and say how to correct them: {error}"
        );
    }

    #[test]
    fn the_providers_list_decides() {
        let catalog = Catalog::builtin();
        let relay = listing(&["gemini-3-pro-image-preview", "nb-pro"]);
        assert!(
            with("gemini-3-pro-image-preview")
                .validate(&catalog, "my-relay", Some(&relay))
                .is_ok()
        );
        assert!(
            with("nb-pro")
                .validate(&catalog, "my-relay", Some(&relay))
                .is_ok()
        );
        let google = listing(&["gemini-3-pro-image", "gemini-3.1-flash-image"]);
        let error = with("gemini-3-pro-image-preview")
            .validate(&catalog, "google", Some(&google))
            .unwrap_err();
        assert!(matches!(error, SettingsError::NotServed { .. }));
        assert!(
            error.to_string().contains("Use gemini-3-pro-image instead"),
            "{error}"
        );
    }

    #[test]
    fn a_session_moves_off_a_model_only_when_the_provider_no_longer_lists_it() {
        let catalog = Catalog::builtin();
        let mut settings = with("gemini-3-pro-image-preview");
        assert_eq!(settings.move_off_unserved(&catalog, "google", None), None);
        let relay = listing(&["gemini-3-pro-image-preview", "gemini-3-pro-image"]);
        assert_eq!(
            settings.move_off_unserved(&catalog, "my-relay", Some(&relay)),
            None
        );
        let google = listing(&["gemini-3-pro-image"]);
        assert_eq!(
            settings
                .move_off_unserved(&catalog, "my-relay", Some(&google))
                .as_deref(),
            Some("gemini-3-pro-image-preview"),
            "whatever the provider's name"
        );
        assert_eq!(settings.model, "gemini-3-pro-image");
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
            with("../x:generateContent?key=").validate(&Catalog::builtin(), "google", None),
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
