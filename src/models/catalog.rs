//! The model catalog: what each Gemini image model accepts and costs, read from
//! `data/models.toml` (embedded) and extended or overridden by the user's config.
//!
//! Everything the studio knows about models lives here as data; code asks the catalog instead
//! of matching on model names.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::options::{ImageSize, ThinkingLevel};

const BUILTIN: &str = include_str!("../../data/models.toml");

/// Where a model stands on Google's own API. Advice only: a relay may serve a retired id for
/// months, and the provider's ListModels answer or its 404 is what counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelStatus {
    Preview,
    Ga,
    Legacy,
    Retired,
}

impl ModelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Preview => "preview",
            ModelStatus::Ga => "GA",
            ModelStatus::Legacy => "legacy",
            ModelStatus::Retired => "retired",
        }
    }
}

/// How many images a request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceLimits {
    pub total: usize,
    /// Of which kept with high fidelity: objects, and people for character consistency.
    #[serde(default)]
    pub objects: usize,
    #[serde(default)]
    pub people: usize,
}

/// Google's prices for one model, in USD.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    /// Per output image, by size ("1K" for models without sizes).
    #[serde(default)]
    pub per_image: BTreeMap<ImageSize, f64>,
    /// Output tokens of one image, by size.
    #[serde(default)]
    pub image_tokens: BTreeMap<ImageSize, u64>,
    /// Input (text and images), per million tokens.
    #[serde(default)]
    pub input_per_million: f64,
    /// Text and thinking output, per million tokens.
    #[serde(default)]
    pub output_per_million: f64,
    /// The prices come from third-party lists, not from Google.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
}

impl ModelPrice {
    /// The price of one image at `size` (the model's default, 1K, when none was asked for).
    pub fn image(&self, size: Option<ImageSize>) -> Option<f64> {
        self.per_image.get(&size.unwrap_or(ImageSize::K1)).copied()
    }
}

/// One model, with everything the studio checks before sending.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub id: String,
    pub name: String,
    pub status: ModelStatus,
    pub replacement: Option<String>,
    /// Provider name → other ids that provider serves this model under.
    pub aliases: BTreeMap<String, Vec<String>>,
    pub aspect_ratios: Vec<String>,
    pub sizes: Vec<ImageSize>,
    pub thinking_config: bool,
    pub thinking_levels: Vec<ThinkingLevel>,
    pub reference_images: ReferenceLimits,
    pub google_search: bool,
    pub image_search: bool,
    pub price: Option<ModelPrice>,
    /// False for a model the provider lists but the catalog has no entry for: its options are
    /// not checked, only passed on.
    pub known: bool,
}

impl ModelSpec {
    /// The settings a model the catalog does not know is assumed to take: every option any
    /// Gemini image model takes, so nothing the provider accepts is refused here. Gemini 2
    /// models take neither sizes nor a thinking config.
    fn unknown(id: &str) -> Self {
        let older = id.starts_with("gemini-2") || id.starts_with("gemini-1");
        Self {
            id: id.to_string(),
            name: id.to_string(),
            status: ModelStatus::Ga,
            replacement: None,
            aliases: BTreeMap::new(),
            aspect_ratios: ALL_ASPECT_RATIOS.iter().map(|r| r.to_string()).collect(),
            sizes: if older {
                Vec::new()
            } else {
                ImageSize::ALL.to_vec()
            },
            thinking_config: !older,
            thinking_levels: if older {
                Vec::new()
            } else {
                ThinkingLevel::ALL.to_vec()
            },
            reference_images: ReferenceLimits {
                total: 14,
                objects: 0,
                people: 0,
            },
            google_search: true,
            image_search: false,
            price: None,
            known: false,
        }
    }

    pub fn takes_image_size(&self) -> bool {
        !self.sizes.is_empty()
    }

    /// The canonical spelling of `ratio` if this model takes it.
    pub fn aspect_ratio(&self, ratio: &str) -> Option<&str> {
        let wanted = ratio.trim();
        self.aspect_ratios
            .iter()
            .map(String::as_str)
            .find(|r| *r == wanted)
    }

    /// `1:1 2:3 …`, for messages.
    pub fn aspect_ratio_list(&self) -> String {
        self.aspect_ratios.join(" ")
    }

    pub fn size_list(&self) -> String {
        join(&self.sizes)
    }

    pub fn thinking_level_list(&self) -> String {
        join(&self.thinking_levels)
    }

    /// Whether Google has shut this id down on its own API (where it answers 404). Relays may
    /// still serve it: this explains a 404, it never refuses a request.
    pub fn is_retired(&self) -> bool {
        self.status == ModelStatus::Retired
    }

    /// One line of what it takes: `1K 2K 4K · 10 ratios · thinking low/high · search`.
    pub fn options_summary(&self) -> String {
        if !self.known {
            return "unknown capabilities".to_string();
        }
        let mut parts = Vec::new();
        parts.push(if self.sizes.is_empty() {
            "fixed size".to_string()
        } else {
            self.size_list()
        });
        parts.push(format!("{} ratios", self.aspect_ratios.len()));
        if self.thinking_config && !self.thinking_levels.is_empty() {
            parts.push(format!(
                "thinking {}",
                self.thinking_levels
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join("/")
            ));
        }
        match (self.google_search, self.image_search) {
            (true, true) => parts.push("search + image search".into()),
            (true, false) => parts.push("search".into()),
            _ => {}
        }
        parts.push(format!("≤{} refs", self.reference_images.total));
        parts.join(" · ")
    }

    /// `$0.134–0.24/image`, or `—` without a price.
    pub fn price_summary(&self) -> String {
        let Some(price) = &self.price else {
            return "—".to_string();
        };
        let low = price
            .per_image
            .values()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let high = price.per_image.values().copied().fold(0.0, f64::max);
        let unverified = if price.unverified {
            " (unverified)"
        } else {
            ""
        };
        if !low.is_finite() {
            "—".to_string()
        } else if (high - low).abs() < 1e-9 {
            format!("${low:.3}/image{unverified}")
        } else {
            format!("${low:.3}–{high:.3}/image{unverified}")
        }
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every aspect ratio any Gemini image model takes.
const ALL_ASPECT_RATIOS: &[&str] = &[
    "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8",
    "8:1",
];

/// A `[[models]]` table as written: every field but the id may be left out, so a config entry
/// can change one fact of a built-in model.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub id: String,
    pub name: Option<String>,
    pub status: Option<ModelStatus>,
    pub replacement: Option<String>,
    pub aliases: Option<BTreeMap<String, Vec<String>>>,
    pub aspect_ratios: Option<Vec<String>>,
    pub sizes: Option<Vec<ImageSize>>,
    pub thinking_config: Option<bool>,
    pub thinking_levels: Option<Vec<ThinkingLevel>>,
    pub reference_images: Option<ReferenceLimits>,
    pub google_search: Option<bool>,
    pub image_search: Option<bool>,
    pub price: Option<ModelPrice>,
}

impl ModelEntry {
    /// `self` with the options and prices it leaves out taken from `model` (a preview id takes
    /// them from the model that replaced it). Its own id, name, status, replacement and aliases
    /// are never inherited.
    fn options_from(self, model: &ModelEntry) -> ModelEntry {
        let (id, name, status) = (self.id.clone(), self.name.clone(), self.status);
        let (replacement, aliases) = (self.replacement.clone(), self.aliases.clone());
        ModelEntry {
            id,
            name,
            status,
            replacement,
            aliases,
            ..model.clone().merged(self)
        }
    }

    /// `self` with the fields `over` sets replaced.
    fn merged(self, over: ModelEntry) -> ModelEntry {
        ModelEntry {
            id: self.id,
            name: over.name.or(self.name),
            status: over.status.or(self.status),
            replacement: over.replacement.or(self.replacement),
            aliases: over.aliases.or(self.aliases),
            aspect_ratios: over.aspect_ratios.or(self.aspect_ratios),
            sizes: over.sizes.or(self.sizes),
            thinking_config: over.thinking_config.or(self.thinking_config),
            thinking_levels: over.thinking_levels.or(self.thinking_levels),
            reference_images: over.reference_images.or(self.reference_images),
            google_search: over.google_search.or(self.google_search),
            image_search: over.image_search.or(self.image_search),
            price: over.price.or(self.price),
        }
    }

    fn into_spec(self) -> ModelSpec {
        ModelSpec {
            name: self.name.unwrap_or_else(|| self.id.clone()),
            status: self.status.unwrap_or(ModelStatus::Ga),
            replacement: self.replacement,
            aliases: self.aliases.unwrap_or_default(),
            aspect_ratios: self.aspect_ratios.unwrap_or_default(),
            sizes: self.sizes.unwrap_or_default(),
            thinking_config: self.thinking_config.unwrap_or(false),
            thinking_levels: self.thinking_levels.unwrap_or_default(),
            reference_images: self.reference_images.unwrap_or(ReferenceLimits {
                total: 14,
                objects: 0,
                people: 0,
            }),
            google_search: self.google_search.unwrap_or(false),
            image_search: self.image_search.unwrap_or(false),
            price: self.price,
            known: true,
            id: self.id,
        }
    }
}

/// `entry` with the options it leaves out taken from its replacement, followed along the
/// chain (at most eight steps: a loop in a user's config ends there).
fn with_inherited_options(entry: &ModelEntry, entries: &[ModelEntry]) -> ModelEntry {
    let mut inherited = entry.clone();
    let mut next = entry.replacement.as_deref();
    for _ in 0..8 {
        let Some(replacement) = next.and_then(|id| entries.iter().find(|e| e.id == id)) else {
            break;
        };
        inherited = inherited.options_from(replacement);
        next = replacement.replacement.as_deref();
    }
    inherited
}

/// What the catalog says about a provider.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderModels {
    pub default_model: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    providers: BTreeMap<String, ProviderModels>,
    #[serde(default)]
    models: Vec<ModelEntry>,
}

/// The models the studio knows.
#[derive(Debug, Clone)]
pub struct Catalog {
    models: Vec<ModelSpec>,
    providers: BTreeMap<String, ProviderModels>,
}

/// The model used where a provider names none.
pub const FALLBACK_MODEL: &str = "gemini-3-pro-image";

impl Catalog {
    /// The embedded catalog.
    pub fn builtin() -> Self {
        Self::with_overrides(&[]).unwrap_or_else(|_| Self {
            models: Vec::new(),
            providers: BTreeMap::new(),
        })
    }

    /// The embedded catalog with the config's `[[models]]` entries merged over it (by id; a
    /// new id adds a model). Fails only if an override names an unknown replacement.
    pub fn with_overrides(overrides: &[ModelEntry]) -> Result<Self, CatalogError> {
        let file: CatalogFile =
            toml::from_str(BUILTIN).map_err(|e| CatalogError::Builtin(e.to_string()))?;
        let mut entries = file.models;
        for entry in overrides {
            match entries.iter_mut().find(|e| e.id == entry.id) {
                Some(existing) => *existing = existing.clone().merged(entry.clone()),
                None => entries.push(entry.clone()),
            }
        }
        for entry in &entries {
            if let Some(replacement) = &entry.replacement
                && !entries.iter().any(|e| &e.id == replacement)
            {
                return Err(CatalogError::UnknownReplacement {
                    model: entry.id.clone(),
                    replacement: replacement.clone(),
                });
            }
        }
        let models: Vec<ModelSpec> = entries
            .iter()
            .map(|entry| with_inherited_options(entry, &entries).into_spec())
            .collect();
        Ok(Self {
            models,
            providers: file.providers,
        })
    }

    /// The model `id` as `provider` serves it: an alias that provider keeps first (a relay may
    /// still serve a preview id Google retired), then the catalog's own ids.
    pub fn find(&self, provider: &str, id: &str) -> Option<&ModelSpec> {
        self.models
            .iter()
            .find(|m| {
                m.aliases
                    .get(provider)
                    .is_some_and(|ids| ids.iter().any(|a| a == id))
            })
            .or_else(|| self.models.iter().find(|m| m.id == id))
    }

    /// Like [`Catalog::find`], but a model the catalog lacks gets permissive "unknown
    /// capabilities" (for a model the provider lists that is newer than this catalog).
    pub fn find_or_unknown(&self, provider: &str, id: &str) -> ModelSpec {
        self.find(provider, id)
            .cloned()
            .unwrap_or_else(|| ModelSpec::unknown(id))
    }

    /// The provider's default model: the catalog's choice for it, else the fallback.
    pub fn default_model(&self, provider: &str) -> &str {
        self.providers
            .get(provider)
            .and_then(|p| p.default_model.as_deref())
            .unwrap_or(FALLBACK_MODEL)
    }

    /// The ids `provider` serves, as far as the catalog knows (its advice where the provider
    /// has not been asked): its aliases and every model Google has not retired.
    pub fn served_ids(&self, provider: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for model in self.models.iter().filter(|m| !m.is_retired()) {
            ids.push(model.id.clone());
            if let Some(aliases) = model.aliases.get(provider) {
                ids.extend(aliases.iter().cloned());
            }
        }
        ids
    }

    /// Where a retired (or legacy) model should move to: its replacement, followed along the
    /// chain to a model Google has not retired.
    pub fn replacement_for(&self, provider: &str, id: &str) -> Option<&ModelSpec> {
        let mut current = self.find(provider, id)?;
        for _ in 0..8 {
            let next = self.find(provider, current.replacement.as_deref()?)?;
            if !next.is_retired() {
                return Some(next);
            }
            current = next;
        }
        None
    }

    /// Adds the image models a provider lists that the catalog lacks, with unknown
    /// capabilities, so a model can be used the day it appears.
    pub fn learn(&mut self, provider: &str, ids: impl IntoIterator<Item = String>) {
        for id in ids {
            if self.find(provider, &id).is_none() {
                self.models.push(ModelSpec::unknown(&id));
            }
        }
    }

    pub fn models(&self) -> impl Iterator<Item = &ModelSpec> {
        self.models.iter()
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Self::builtin()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    #[error("The built-in model catalog is broken: {0}")]
    Builtin(String),
    #[error(
        "The model catalog names {replacement:?} as the replacement of {model:?}, but has no model {replacement:?}: add it under [[models]] in the config, or fix the replacement."
    )]
    UnknownReplacement { model: String, replacement: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_parses_and_has_todays_models() {
        let file: CatalogFile = toml::from_str(BUILTIN).unwrap();
        assert!(file.models.len() >= 4);
        let catalog = Catalog::builtin();
        for id in [
            "gemini-3-pro-image",
            "gemini-3.1-flash-image",
            "gemini-3.1-flash-lite-image",
            "gemini-nano-banana-2.1",
        ] {
            let model = catalog.find("google", id).unwrap();
            assert!(!model.is_retired(), "{id}");
            assert!(model.price.is_some(), "{id} has prices");
        }
        assert_eq!(catalog.default_model("google"), "gemini-3-pro-image");
        assert_eq!(
            catalog.default_model("openai-next"),
            "gemini-3-pro-image-preview"
        );
    }

    #[test]
    fn preview_ids_are_retired_on_google_but_aliases_on_the_relay() {
        let catalog = Catalog::builtin();
        let google = catalog
            .find("google", "gemini-3-pro-image-preview")
            .unwrap();
        assert_eq!(google.status, ModelStatus::Retired);
        assert_eq!(
            catalog
                .replacement_for("google", "gemini-3-pro-image-preview")
                .map(|m| m.id.as_str()),
            Some("gemini-3-pro-image")
        );
        let relay = catalog
            .find("openai-next", "gemini-3-pro-image-preview")
            .unwrap();
        assert_eq!(relay.id, "gemini-3-pro-image");
        assert!(!relay.is_retired());
        assert!(
            !catalog
                .served_ids("google")
                .contains(&"gemini-3-pro-image-preview".to_string())
        );
        assert!(
            catalog
                .served_ids("openai-next")
                .contains(&"gemini-3-pro-image-preview".to_string())
        );
    }

    #[test]
    fn december_2026_nano_banana_21_is_in_and_25_flash_is_retired() {
        let catalog = Catalog::builtin();
        let nb21 = catalog.find("google", "gemini-nano-banana-2.1").unwrap();
        assert_eq!(nb21.sizes, [ImageSize::K1, ImageSize::K2, ImageSize::K4]);
        assert_eq!(nb21.aspect_ratios.len(), 14);
        assert_eq!(
            nb21.thinking_levels,
            [
                ThinkingLevel::Minimal,
                ThinkingLevel::Medium,
                ThinkingLevel::High
            ]
        );
        assert!(nb21.google_search);
        assert!(
            nb21.price_summary().ends_with("(unverified)"),
            "{}",
            nb21.price_summary()
        );
        let flash25 = catalog.find("google", "gemini-2.5-flash-image").unwrap();
        assert!(flash25.is_retired());
        assert_eq!(
            catalog
                .replacement_for("google", "gemini-2.5-flash-image")
                .map(|m| m.id.as_str()),
            Some("gemini-3.1-flash-image")
        );
    }

    #[test]
    fn a_preview_id_takes_its_replacements_options_and_prices() {
        let catalog = Catalog::builtin();
        let preview = catalog
            .find("google", "gemini-3-pro-image-preview")
            .unwrap();
        let pro = catalog.find("google", "gemini-3-pro-image").unwrap();
        assert!(preview.is_retired(), "its own status stays");
        assert_eq!(preview.name, "Nano Banana Pro (preview)");
        assert_eq!(preview.aspect_ratios, pro.aspect_ratios);
        assert_eq!(preview.sizes, pro.sizes);
        assert_eq!(preview.price, pro.price);
        assert_eq!(preview.options_summary(), pro.options_summary());
        // Along the chain: 2.5's preview takes 2.5's own options, not 3.1 Flash's.
        let old = catalog
            .find("google", "gemini-2.5-flash-image-preview")
            .unwrap();
        assert!(old.sizes.is_empty() && !old.thinking_config);
    }

    #[test]
    fn flash_takes_512_and_extreme_ratios_and_pro_does_not() {
        let catalog = Catalog::builtin();
        let flash = catalog.find("google", "gemini-3.1-flash-image").unwrap();
        let pro = catalog.find("google", "gemini-3-pro-image").unwrap();
        assert!(flash.sizes.contains(&ImageSize::Px512));
        assert!(!pro.sizes.contains(&ImageSize::Px512));
        assert_eq!(flash.aspect_ratio("1:8"), Some("1:8"));
        assert_eq!(pro.aspect_ratio("1:8"), None);
        assert!(flash.image_search && !pro.image_search);
        let legacy = catalog.find("google", "gemini-2.5-flash-image").unwrap();
        assert!(!legacy.thinking_config && legacy.sizes.is_empty());
    }

    #[test]
    fn overrides_change_one_field_and_add_models() {
        let overrides: CatalogFile = toml::from_str(
            r#"
            [[models]]
            id = "gemini-3-pro-image"
            price = { per_image = { "1K" = 1.0 } }

            [[models]]
            id = "my-relay-image"
            name = "Relay special"
            sizes = ["1K"]
            aspect_ratios = ["1:1"]
            "#,
        )
        .unwrap();
        let catalog = Catalog::with_overrides(&overrides.models).unwrap();
        let pro = catalog.find("google", "gemini-3-pro-image").unwrap();
        assert_eq!(pro.price.as_ref().unwrap().image(None), Some(1.0));
        assert_eq!(pro.sizes.len(), 3, "other fields kept");
        let added = catalog.find("any", "my-relay-image").unwrap();
        assert_eq!(added.name, "Relay special");
        assert!(added.known);
    }

    #[test]
    fn a_replacement_must_exist() {
        let entry = ModelEntry {
            id: "x-image".into(),
            replacement: Some("nowhere".into()),
            ..ModelEntry::default()
        };
        assert!(matches!(
            Catalog::with_overrides(&[entry]),
            Err(CatalogError::UnknownReplacement { .. })
        ));
    }

    #[test]
    fn unknown_models_get_permissive_capabilities() {
        let catalog = Catalog::builtin();
        let spec = catalog.find_or_unknown("google", "gemini-4-image");
        assert!(!spec.known);
        assert!(spec.takes_image_size() && spec.thinking_config);
        assert_eq!(spec.options_summary(), "unknown capabilities");
        let older = catalog.find_or_unknown("google", "gemini-2.7-image");
        assert!(!older.thinking_config);
    }

    #[test]
    fn summaries_read_well() {
        let catalog = Catalog::builtin();
        let pro = catalog.find("google", "gemini-3-pro-image").unwrap();
        assert_eq!(pro.price_summary(), "$0.134–0.240/image");
        assert!(pro.options_summary().contains("thinking low/high"));
    }
}
