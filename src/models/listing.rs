//! The provider's own word on which image models it serves (ListModels), joined with the
//! catalog's facts, cached for a day per provider, and the "way forward" for a model it no
//! longer serves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, ModelSpec};
use crate::gemini::wire::ListedModel;

/// How long a provider's list is trusted before it is asked again.
pub const CACHE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// An image model the provider serves, with what the catalog knows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageModel {
    /// The id as the provider lists it (may be a relay's alias).
    pub id: String,
    pub display_name: String,
    pub spec: ModelSpec,
}

/// The provider's own word on what it serves: its ListModels answer. It is the authority: an
/// id it lists is sent whatever the catalog says, and one it does not list is refused before
/// sending (its list is cached for a day; `banana-studio models` asks again).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Every id it serves through `generateContent`, image model or not.
    served: BTreeSet<String>,
    /// The image models among them, with what the catalog knows of each.
    pub image_models: Vec<ImageModel>,
}

impl Listing {
    pub fn new(listed: &[ListedModel], catalog: &Catalog, provider: &str) -> Self {
        Self {
            served: listed
                .iter()
                .filter(|m| generates_content(m))
                .map(|m| m.id().to_string())
                .collect(),
            image_models: image_models(listed, catalog, provider),
        }
    }

    /// Whether the provider listed `id` as a model it serves through `generateContent`.
    pub fn serves(&self, id: &str) -> bool {
        self.served.contains(id)
    }

    /// The image models' ids, for messages.
    pub fn image_ids(&self) -> Vec<String> {
        self.image_models.iter().map(|m| m.id.clone()).collect()
    }
}

fn generates_content(model: &ListedModel) -> bool {
    model
        .supported_generation_methods
        .iter()
        .any(|method| method == "generateContent")
}

/// Keeps the models that make images through `generateContent`. ListModels says nothing of
/// output modalities, so an image model is told by the catalog's ids and aliases, then by its id
/// or display name ("image", "banana": Nano Banana). Embeddings, Imagen (`predict`), Veo and the
/// text-only Gemini models are left out.
pub fn image_models(listed: &[ListedModel], catalog: &Catalog, provider: &str) -> Vec<ImageModel> {
    let models = listed
        .iter()
        .filter(|m| generates_content(m))
        .filter(|m| catalog.find(provider, m.id()).is_some() || looks_like_image_model(m));
    described(models, catalog, provider)
}

/// Every model the provider lists, whatever it makes (`models --all`).
pub fn all_models(listed: &[ListedModel], catalog: &Catalog, provider: &str) -> Vec<ImageModel> {
    described(listed.iter(), catalog, provider)
}

fn described<'l>(
    listed: impl Iterator<Item = &'l ListedModel>,
    catalog: &Catalog,
    provider: &str,
) -> Vec<ImageModel> {
    let mut models: Vec<ImageModel> = listed
        .map(|m| {
            let spec = catalog.find_or_unknown(provider, m.id());
            ImageModel {
                id: m.id().to_string(),
                display_name: if m.display_name.is_empty() {
                    spec.name.clone()
                } else {
                    m.display_name.clone()
                },
                spec,
            }
        })
        .collect();
    models.dedup_by(|a, b| a.id == b.id);
    models
}

fn looks_like_image_model(model: &ListedModel) -> bool {
    let says_image = |text: &str| {
        let text = text.to_ascii_lowercase();
        text.contains("image") || text.contains("banana")
    };
    says_image(model.id()) || says_image(&model.display_name)
}

/// The served image models when the provider can't be asked: the catalog's own view.
pub fn catalog_models(catalog: &Catalog, provider: &str) -> Vec<ImageModel> {
    catalog
        .served_ids(provider)
        .into_iter()
        .map(|id| {
            let spec = catalog.find_or_unknown(provider, &id);
            ImageModel {
                display_name: spec.name.clone(),
                id,
                spec,
            }
        })
        .collect()
}

/// What to tell a user whose model is not served: the served image models (from the
/// provider's list when there is one, else the catalog) and the catalog's replacement.
pub fn way_forward(
    catalog: &Catalog,
    provider: &str,
    model: &str,
    listed: Option<&Listing>,
) -> WayForward {
    let served: Vec<String> = match listed {
        Some(listed) => listed.image_ids(),
        None => catalog.served_ids(provider),
    };
    let replacement = catalog
        .replacement_for(provider, model)
        .map(|m| m.id.clone())
        .filter(|id| listed.is_none_or(|listed| listed.serves(id)));
    WayForward {
        served,
        from_provider: listed.is_some(),
        replacement,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WayForward {
    pub served: Vec<String>,
    /// Whether `served` is the provider's own list (else the catalog's).
    pub from_provider: bool,
    pub replacement: Option<String>,
}

impl WayForward {
    /// `The provider serves these image models: …. Its replacement is X: use --model X.`
    pub fn describe(&self, provider: &str) -> String {
        let source = if self.from_provider {
            format!("{provider} serves these image models")
        } else {
            "the catalog lists these image models".to_string()
        };
        let mut text = format!("{}: {}.", capitalise(&source), self.served.join(", "));
        if let Some(replacement) = &self.replacement {
            text.push_str(&format!(" Its replacement is {replacement}."));
        }
        text
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A provider's list as cached on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedListing {
    /// Seconds since the Unix epoch.
    pub fetched_at: u64,
    pub models: Vec<ListedModel>,
}

impl CachedListing {
    pub fn new(models: Vec<ListedModel>, now: SystemTime) -> Self {
        Self {
            fetched_at: unix_seconds(now),
            models,
        }
    }

    pub fn is_fresh(&self, now: SystemTime) -> bool {
        unix_seconds(now).saturating_sub(self.fetched_at) < CACHE_TTL.as_secs()
    }
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `<data dir>/cache/models-<provider>-<origin hash>.json`: one list per provider and base URL,
/// so `google` pointed at a relay with `BANANA_BASE_URL` never reuses Google's own list.
pub fn cache_path(data_dir: &Path, provider: &str, base_url: &str) -> PathBuf {
    use sha2::{Digest, Sha256};
    let safe: String = provider
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let origin = Sha256::digest(base_url.trim_end_matches('/').as_bytes());
    let short: String = origin[..4].iter().map(|b| format!("{b:02x}")).collect();
    data_dir
        .join("cache")
        .join(format!("models-{safe}-{short}.json"))
}

/// The cached list, if there is a readable one. A broken cache is treated as none.
pub fn read_cache(path: &Path) -> Option<CachedListing> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

pub fn write_cache(path: &Path, listing: &CachedListing) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_vec(listing).map_err(std::io::Error::other)?;
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str, methods: &[&str]) -> ListedModel {
        ListedModel {
            name: format!("models/{name}"),
            display_name: String::new(),
            supported_generation_methods: methods.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn only_image_models_that_generate_content_are_kept() {
        let catalog = Catalog::builtin();
        let all = [
            listed("gemini-3-pro-image", &["generateContent", "countTokens"]),
            listed("gemini-3.1-flash-image", &["generateContent"]),
            listed("gemini-4-flash-image", &["generateContent"]),
            listed("gemini-3-pro", &["generateContent"]),
            listed("text-embedding-004", &["embedContent"]),
            listed("gemini-embedding-001", &["embedContent"]),
            listed("imagen-4.0-generate-001", &["predict"]),
            listed("veo-3.0-generate-001", &["predictLongRunning"]),
        ];
        let models = image_models(&all, &catalog, "google");
        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "gemini-3-pro-image",
                "gemini-3.1-flash-image",
                "gemini-4-flash-image"
            ]
        );
        assert!(models[0].spec.known);
        assert!(!models[2].spec.known, "a model newer than the catalog");
    }

    #[test]
    fn the_way_forward_names_served_models_and_the_replacement() {
        let catalog = Catalog::builtin();
        let way = way_forward(&catalog, "google", "gemini-3-pro-image-preview", None);
        assert_eq!(way.replacement.as_deref(), Some("gemini-3-pro-image"));
        assert!(
            !way.served
                .contains(&"gemini-3-pro-image-preview".to_string())
        );
        let text = way.describe("google");
        assert!(
            text.contains("Its replacement is gemini-3-pro-image."),
            "{text}"
        );
        assert!(text.contains("gemini-3.1-flash-image"), "{text}");

        let listing = Listing::new(
            &[listed("gemini-3.1-flash-image", &["generateContent"])],
            &catalog,
            "google",
        );
        let way = way_forward(
            &catalog,
            "google",
            "gemini-3-pro-image-preview",
            Some(&listing),
        );
        assert_eq!(way.replacement, None, "not served by the provider");
        assert!(way.describe("google").starts_with("Google serves"));
    }

    #[test]
    fn the_cache_lasts_a_day_and_survives_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = cache_path(dir.path(), "open/ai next", "https://relay.example");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("models-open_ai_next-"), "{name}");
        assert_eq!(
            path,
            cache_path(dir.path(), "open/ai next", "https://relay.example/"),
            "a trailing slash is the same origin"
        );
        assert_ne!(
            path,
            cache_path(dir.path(), "open/ai next", "http://127.0.0.1:8080"),
            "another base URL has a list of its own"
        );
        let now = SystemTime::now();
        let listing = CachedListing::new(
            vec![listed("gemini-3-pro-image", &["generateContent"])],
            now,
        );
        write_cache(&path, &listing).unwrap();
        let read = read_cache(&path).unwrap();
        assert_eq!(read.models.len(), 1);
        assert!(read.is_fresh(now + Duration::from_secs(3600)));
        assert!(!read.is_fresh(now + CACHE_TTL + Duration::from_secs(1)));
        std::fs::write(&path, b"{broken").unwrap();
        assert!(read_cache(&path).is_none());
    }
}
