//! Where things live and who we talk to: the config file, the data directory, providers and
//! the API key.
//!
//! The key comes from the environment, the config file (only if nobody else can read it), or
//! the stdout of `api_key_cmd`. There is deliberately no command-line flag for it: arguments
//! show up in `ps`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::gemini::{ApiKey, ClientOptions, RetryPolicy, Transport};
use crate::models::{Catalog, CatalogError, ModelEntry};

/// How many variations one batch sends (`send --n`, `/vary`, `variations` in the config).
pub const MIN_VARIATIONS: u8 = 2;
pub const MAX_VARIATIONS: u8 = 8;

/// Google's inline request limit since January 2026 (base64 included).
pub const GOOGLE_REQUEST_LIMIT: u64 = 100 * 1000 * 1000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Provider used when `--provider` is not given.
    pub provider: Option<String>,
    /// Default model for new turns.
    pub model: Option<String>,
    pub aspect_ratio: Option<String>,
    pub image_size: Option<String>,
    /// minimal, low, medium or high, as the model takes.
    pub thinking_level: Option<String>,
    /// How many variations `/vary` and its key send (2 to 8).
    pub variations: Option<u8>,
    /// Ask before sending a batch of variations that costs more than this (in the
    /// provider's currency).
    pub confirm_batch_over: Option<f64>,
    pub google_search: Option<bool>,
    pub theme: Option<String>,
    pub image_protocol: Option<String>,
    /// The studio's layout: "image-first" (default) or "focus" (F8 switches and saves it).
    pub layout: Option<String>,
    pub connect_timeout_secs: Option<u64>,
    pub idle_timeout_secs: Option<u64>,
    /// The largest reply read, in MB (default 256): past it a call fails and nothing is kept.
    pub max_reply_mb: Option<u64>,
    pub retry: Option<RetryConfig>,
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Key bindings for the studio: action name → key, e.g. `send = "ctrl-s"`.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Models added to the built-in catalog, or facts of built-in ones changed (matched by
    /// id): `[[models]]` tables shaped like those of `data/models.toml`.
    #[serde(default)]
    pub models: Vec<ModelEntry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    pub max_attempts: Option<u32>,
    pub max_total_secs: Option<u64>,
    pub base_delay_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub base_url: Option<String>,
    /// Environment variables to read the key from, first set wins.
    pub key_env: Option<Vec<String>>,
    pub api_key: Option<String>,
    /// A command whose stdout is the key (e.g. `pass show gemini`).
    pub api_key_cmd: Option<String>,
    /// Largest request body this provider accepts, in bytes.
    pub max_request_bytes: Option<u64>,
    /// Generations sent to this provider at the same time; more wait their turn.
    pub concurrent_requests: Option<usize>,
    /// Default model for this provider (else the catalog's choice for it).
    pub model: Option<String>,
    /// A relay that bills per call: the price of one call…
    pub price_per_call: Option<f64>,
    /// …plus this per image returned…
    pub price_per_image: Option<f64>,
    /// …in this currency (default USD).
    pub currency: Option<String>,
    /// Ask the relay's OpenAI-style billing endpoints for the remaining balance.
    pub balance: Option<bool>,
    /// `generate-content` (the default: the whole history each turn) or `interactions` (the
    /// server keeps the history; Google only, relays answer 404 and get the default).
    pub transport: Option<String>,
}

/// What a relay that bills per call charges.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPrice {
    pub per_call: f64,
    pub per_image: f64,
    pub currency: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("The config file {} has an error: {message}Fix it, or move it away to start from defaults.", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("Cannot read the config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Unknown provider {name:?}. Known: {known}. Define it under [providers.{name}] in {}.", config_path.display())]
    UnknownProvider {
        name: String,
        known: String,
        config_path: PathBuf,
    },
    #[error("No API key for provider {provider}. Set {vars}, or `api_key_cmd` under [providers.{provider}] in {}; or try the offline demo with --demo.", config_path.display())]
    MissingKey {
        provider: String,
        vars: String,
        config_path: PathBuf,
    },
    #[error("The config file {} holds an API key but others can read it (mode {mode:o}). Run `chmod 600 {}`, or use an environment variable or api_key_cmd instead.", path.display(), path.display())]
    KeyFileReadable { path: PathBuf, mode: u32 },
    #[error("api_key_cmd for provider {provider} failed: {detail}")]
    KeyCommand { provider: String, detail: String },
    #[error("Invalid base URL {url:?}: it must start with http:// or https://.")]
    BadBaseUrl { url: String },
    #[error("In [providers.{provider}] of {}: {message}.", config_path.display())]
    BadTransport {
        provider: String,
        message: String,
        config_path: PathBuf,
    },
}

/// The built-in providers.
pub fn preset(name: &str) -> Option<ProviderConfig> {
    let (base_url, vars): (&str, &[&str]) = match name {
        "google" => (
            "https://generativelanguage.googleapis.com",
            &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        ),
        "openai-next" => ("https://drwa.openai-next.com", &["OPENAI_NEXT_API_KEY"]),
        _ => return None,
    };
    Some(ProviderConfig {
        base_url: Some(base_url.to_string()),
        key_env: Some(vars.iter().map(|v| v.to_string()).collect()),
        max_request_bytes: Some(GOOGLE_REQUEST_LIMIT),
        ..ProviderConfig::default()
    })
}

/// Generations in flight per provider unless its config says otherwise.
pub const DEFAULT_CONCURRENT_REQUESTS: usize = 4;

/// A provider ready to use.
#[derive(Debug, Clone)]
pub struct Provider {
    pub name: String,
    pub base_url: String,
    pub key: ApiKey,
    pub max_request_bytes: u64,
    pub concurrent_requests: usize,
    /// The provider's default model from the config, if it names one.
    pub model: Option<String>,
    /// Set when the provider bills per call instead of by Google's prices.
    pub per_call: Option<CallPrice>,
    /// Set (to the currency its amounts are in) when the remaining balance can be asked for.
    pub balance_currency: Option<String>,
    /// The transport the config names for this provider.
    pub transport: Transport,
}

/// Everything the program reads from its surroundings, gathered once at start-up.
#[derive(Debug, Clone)]
pub struct Environment {
    pub config_path: PathBuf,
    pub data_dir: PathBuf,
}

impl Environment {
    /// `--data-dir`, else `$BANANA_STUDIO_HOME`, else the XDG data dir (on macOS too).
    pub fn discover(data_dir: Option<&Path>, config_path: Option<&Path>) -> Self {
        let xdg = etcetera::base_strategy::Xdg::new().ok();
        use etcetera::BaseStrategy;
        let data_dir = data_dir
            .map(Path::to_path_buf)
            .or_else(|| non_empty_env("BANANA_STUDIO_HOME").map(PathBuf::from))
            .or_else(|| xdg.as_ref().map(|x| x.data_dir().join("banana-studio")))
            .unwrap_or_else(|| PathBuf::from(".banana-studio"));
        // Absolute from here on: paths printed or written in JSON must not depend on where
        // the reader stands.
        let data_dir = std::path::absolute(&data_dir).unwrap_or(data_dir);
        let config_path = config_path
            .map(Path::to_path_buf)
            .or_else(|| {
                xdg.as_ref()
                    .map(|x| x.config_dir().join("banana-studio").join("config.toml"))
            })
            .unwrap_or_else(|| PathBuf::from("banana-studio.toml"));
        Self {
            config_path,
            data_dir,
        }
    }

    /// Reads the config file; a missing file means defaults.
    pub fn load_config(&self) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(&self.config_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: self.config_path.clone(),
                    source,
                });
            }
        };
        parse_config(&text).map_err(|message| ConfigError::Syntax {
            path: self.config_path.clone(),
            message,
        })
    }
}

/// Sets `key = "value"` at the top of the config file, keeping everything else in it as the
/// user wrote it (comments, order, other keys), and creating the file if there is none. The
/// file is replaced atomically and keeps its permissions (a file with a key stays private).
pub fn set_top_level(path: &Path, key: &str, value: &str) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut document: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{} has an error: {e}", path.display()))?;
    document[key] = toml_edit::value(value);
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let mut temporary = tempfile::NamedTempFile::new_in(parent)
        .map_err(|e| format!("cannot write in {}: {e}", parent.display()))?;
    use std::io::Write;
    temporary
        .write_all(document.to_string().as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = temporary.as_file().set_permissions(metadata.permissions());
    }
    temporary
        .persist(path)
        .map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
    Ok(())
}

/// Parses config text; the error names line and column, or the number out of range.
pub fn parse_config(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
    config
        .check_ranges()
        .map_err(|problem| format!("{problem}\n"))?;
    Ok(config)
}

/// `name = value` is out of `low..=high`: the message names the key and what it takes.
fn in_range<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: Option<T>,
    low: T,
    high: T,
    unit: &str,
) -> Result<(), String> {
    match value {
        Some(value) if !(low <= value && value <= high) => Err(format!(
            "{name} = {value} is out of range: it takes {low} to {high}{unit}."
        )),
        _ => Ok(()),
    }
}

impl Config {
    /// Every number in the config within what makes sense, so a typo is refused at load
    /// (exit 2, naming the key) instead of a panic or a client that fails every request.
    fn check_ranges(&self) -> Result<(), String> {
        in_range(
            "variations",
            self.variations,
            MIN_VARIATIONS,
            MAX_VARIATIONS,
            "",
        )?;
        in_range(
            "confirm_batch_over",
            self.confirm_batch_over,
            0.0,
            1e6,
            " (in the provider's currency)",
        )?;
        in_range(
            "connect_timeout_secs",
            self.connect_timeout_secs,
            1,
            600,
            " seconds",
        )?;
        in_range(
            "idle_timeout_secs",
            self.idle_timeout_secs,
            1,
            86_400,
            " seconds",
        )?;
        in_range("max_reply_mb", self.max_reply_mb, 1, 4096, " MB")?;
        if let Some(retry) = &self.retry {
            in_range("retry.max_attempts", retry.max_attempts, 1, 20, "")?;
            in_range(
                "retry.max_total_secs",
                retry.max_total_secs,
                1,
                86_400,
                " seconds",
            )?;
            in_range(
                "retry.base_delay_ms",
                retry.base_delay_ms,
                0,
                600_000,
                " milliseconds",
            )?;
        }
        for (name, provider) in &self.providers {
            let key = |field: &str| format!("providers.{name}.{field}");
            in_range(
                &key("max_request_bytes"),
                provider.max_request_bytes,
                1_000,
                1_000_000_000,
                " bytes",
            )?;
            in_range(
                &key("concurrent_requests"),
                provider.concurrent_requests,
                1,
                64,
                "",
            )?;
            in_range(
                &key("price_per_call"),
                provider.price_per_call,
                0.0,
                1e6,
                "",
            )?;
            in_range(
                &key("price_per_image"),
                provider.price_per_image,
                0.0,
                1e6,
                "",
            )?;
        }
        for model in &self.models {
            let key = |field: &str| format!("[[models]] {}: {field}", model.id);
            if let Some(limits) = &model.reference_images {
                in_range(
                    &key("reference_images.total"),
                    Some(limits.total),
                    0,
                    100,
                    "",
                )?;
                in_range(
                    &key("reference_images.objects"),
                    Some(limits.objects),
                    0,
                    100,
                    "",
                )?;
                in_range(
                    &key("reference_images.people"),
                    Some(limits.people),
                    0,
                    100,
                    "",
                )?;
            }
            if let Some(price) = &model.price {
                for (size, value) in &price.per_image {
                    in_range(
                        &key(&format!("price.per_image.{size}")),
                        Some(*value),
                        0.0,
                        1e3,
                        "",
                    )?;
                }
                for (size, value) in &price.image_tokens {
                    in_range(
                        &key(&format!("price.image_tokens.{size}")),
                        Some(*value),
                        0,
                        1_000_000,
                        "",
                    )?;
                }
                in_range(
                    &key("price.input_per_million"),
                    Some(price.input_per_million),
                    0.0,
                    1e4,
                    "",
                )?;
                in_range(
                    &key("price.output_per_million"),
                    Some(price.output_per_million),
                    0.0,
                    1e4,
                    "",
                )?;
            }
        }
        Ok(())
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn provider_names(&self) -> Vec<String> {
        let mut names: Vec<String> = ["google", "openai-next"].map(String::from).to_vec();
        names.extend(
            self.providers
                .keys()
                .filter(|k| preset(k).is_none())
                .cloned(),
        );
        names
    }

    /// The named provider (or the configured default, or `google`) with its key.
    /// `base_url` overrides the provider's URL (`--base-url` / `BANANA_BASE_URL`).
    pub fn provider(
        &self,
        env: &Environment,
        name: Option<&str>,
        base_url: Option<&str>,
    ) -> Result<Provider, ConfigError> {
        let name = name
            .or(self.provider.as_deref())
            .unwrap_or("google")
            .to_string();
        let preset = preset(&name);
        let configured = self.providers.get(&name);
        if preset.is_none() && configured.is_none() {
            return Err(ConfigError::UnknownProvider {
                known: self.provider_names().join(", "),
                name,
                config_path: env.config_path.clone(),
            });
        }
        let preset = preset.unwrap_or_default();
        let configured = configured.cloned().unwrap_or_default();
        let transport = match configured.transport.as_deref() {
            Some(transport) => {
                transport
                    .parse::<Transport>()
                    .map_err(|message| ConfigError::BadTransport {
                        provider: name.clone(),
                        message,
                        config_path: env.config_path.clone(),
                    })?
            }
            None => Transport::default(),
        };
        let base_url = base_url
            .map(str::to_string)
            .or_else(|| non_empty_env("BANANA_BASE_URL"))
            .or(configured.base_url)
            .or(preset.base_url)
            .unwrap_or_default();
        check_base_url(&base_url)?;
        let vars = configured.key_env.or(preset.key_env).unwrap_or_default();
        let key = if let Some(key) = vars.iter().find_map(|v| non_empty_env(v)) {
            key
        } else if let Some(key) = configured.api_key.filter(|k| !k.trim().is_empty()) {
            check_private(&env.config_path)?;
            key
        } else if let Some(command) = configured.api_key_cmd {
            run_key_command(&name, &command)?
        } else {
            return Err(ConfigError::MissingKey {
                vars: if vars.is_empty() {
                    "api_key_cmd".to_string()
                } else {
                    vars.join(" or ")
                },
                provider: name,
                config_path: env.config_path.clone(),
            });
        };
        Ok(Provider {
            name,
            base_url: base_url.trim_end_matches('/').to_string(),
            key: ApiKey::new(key),
            max_request_bytes: configured
                .max_request_bytes
                .or(preset.max_request_bytes)
                .unwrap_or(GOOGLE_REQUEST_LIMIT),
            // At least one, or nothing would ever be sent.
            concurrent_requests: configured
                .concurrent_requests
                .unwrap_or(DEFAULT_CONCURRENT_REQUESTS)
                .max(1),
            model: configured.model.clone(),
            per_call: (configured.price_per_call.is_some() || configured.price_per_image.is_some())
                .then(|| CallPrice {
                    per_call: configured.price_per_call.unwrap_or(0.0),
                    per_image: configured.price_per_image.unwrap_or(0.0),
                    currency: configured.currency.clone().unwrap_or_else(|| "USD".into()),
                }),
            balance_currency: configured
                .balance
                .unwrap_or(false)
                .then(|| configured.currency.clone().unwrap_or_else(|| "USD".into())),
            transport,
        })
    }

    /// The built-in model catalog with this config's `[[models]]` merged over it.
    pub fn catalog(&self) -> Result<Catalog, CatalogError> {
        Catalog::with_overrides(&self.models)
    }

    pub fn client_options(&self) -> ClientOptions {
        let defaults = ClientOptions::default();
        let retry = self.retry.clone().unwrap_or_default();
        let default_retry = RetryPolicy::default();
        ClientOptions {
            connect_timeout: self
                .connect_timeout_secs
                .map(Duration::from_secs)
                .unwrap_or(defaults.connect_timeout),
            idle_timeout: self
                .idle_timeout_secs
                .map(Duration::from_secs)
                .unwrap_or(defaults.idle_timeout),
            max_reply_bytes: self
                .max_reply_mb
                .map_or(defaults.max_reply_bytes, |mb| mb.saturating_mul(1_000_000)),
            retry: RetryPolicy {
                max_attempts: retry.max_attempts.unwrap_or(default_retry.max_attempts),
                max_total: retry
                    .max_total_secs
                    .map(Duration::from_secs)
                    .unwrap_or(default_retry.max_total),
                base_delay: retry
                    .base_delay_ms
                    .map(Duration::from_millis)
                    .unwrap_or(default_retry.base_delay),
                max_delay: default_retry.max_delay,
            },
        }
    }
}

pub fn check_base_url(url: &str) -> Result<(), ConfigError> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ConfigError::BadBaseUrl {
            url: url.to_string(),
        })
    }
}

/// A key in a file others can read is refused, with the fix.
fn check_private(path: &Path) -> Result<(), ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path) {
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(ConfigError::KeyFileReadable {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
    }
    let _ = path;
    Ok(())
}

fn run_key_command(provider: &str, command: &str) -> Result<String, ConfigError> {
    let failed = |detail: String| ConfigError::KeyCommand {
        provider: provider.to_string(),
        detail,
    };
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| failed(format!("could not start it ({e})")))?;
    if !output.status.success() {
        // Its stderr is not shown: a failing secret helper may print the secret.
        return Err(failed(format!("it exited with {}", output.status)));
    }
    let key = String::from_utf8(output.stdout)
        .map_err(|_| failed("its output is not text".into()))?
        .trim()
        .to_string();
    if key.is_empty() {
        return Err(failed("it printed nothing".into()));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_in(dir: &Path) -> Environment {
        Environment {
            config_path: dir.join("config.toml"),
            data_dir: dir.join("data"),
        }
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let error = parse_config("provider = \"google\"\nmodel = = 3\n").unwrap_err();
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("column"), "{error}");
    }

    #[test]
    fn a_malformed_catalog_override_names_line_and_column() {
        let error = parse_config("[[models]]\nid = \"gemini-3-pro-image\"\nsizes = [\"3K\"]\n")
            .unwrap_err();
        assert!(error.contains("line 3"), "{error}");
        assert!(error.contains("3K"), "{error}");
        let config =
            parse_config("[[models]]\nid = \"gemini-3-pro-image\"\nsizes = [\"1K\"]\n").unwrap();
        let catalog = config.catalog().unwrap();
        assert_eq!(
            catalog
                .find("google", "gemini-3-pro-image")
                .unwrap()
                .sizes
                .len(),
            1
        );
    }

    #[test]
    fn a_setting_is_saved_without_touching_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let text = "# my settings\ntheme = \"light\" # I like it light\n\n[keys]\nrerun = \"f9\"\n";
        std::fs::write(&path, text).unwrap();
        set_top_level(&path, "layout", "image-first").unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(saved.contains("# my settings"), "{saved}");
        assert!(
            saved.contains("theme = \"light\" # I like it light"),
            "{saved}"
        );
        let config = parse_config(&saved).unwrap();
        assert_eq!(config.layout.as_deref(), Some("image-first"));
        assert_eq!(config.keys.get("rerun").map(String::as_str), Some("f9"));
        set_top_level(&path, "layout", "focus").unwrap();
        let config = parse_config(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(config.layout.as_deref(), Some("focus"));
        // No file yet: one is made.
        let fresh = dir.path().join("new").join("config.toml");
        set_top_level(&fresh, "layout", "image-first").unwrap();
        assert!(
            std::fs::read_to_string(&fresh)
                .unwrap()
                .contains("layout = \"image-first\"")
        );
    }

    #[test]
    fn unknown_keys_are_errors_not_silently_ignored() {
        assert!(parse_config("modle = \"x\"").is_err());
    }

    #[test]
    fn key_from_config_requires_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let text = "[providers.mine]\nbase_url = \"http://127.0.0.1:1\"\napi_key = \"k-123456\"\n";
        std::fs::write(&env.config_path, text).unwrap();
        let config = parse_config(text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&env.config_path, std::fs::Permissions::from_mode(0o644))
                .unwrap();
            let error = config.provider(&env, Some("mine"), None).unwrap_err();
            assert!(error.to_string().contains("chmod 600"), "{error}");
            assert!(!error.to_string().contains("k-123456"));
            std::fs::set_permissions(&env.config_path, std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        let provider = config.provider(&env, Some("mine"), None).unwrap();
        assert_eq!(provider.key.expose(), "k-123456");
        assert_eq!(provider.base_url, "http://127.0.0.1:1");
    }

    #[test]
    fn key_command_output_is_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let config = parse_config(
            "[providers.cmd]\nbase_url = \"https://x.example\"\napi_key_cmd = \"echo '  from-cmd-key '\"\n",
        )
        .unwrap();
        let provider = config.provider(&env, Some("cmd"), None).unwrap();
        assert_eq!(provider.key.expose(), "from-cmd-key");
    }

    #[test]
    fn missing_key_names_the_variables_and_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let config = parse_config("[providers.x]\nbase_url = \"https://x.example\"\nkey_env = [\"BANANA_TEST_UNSET_VAR\"]\n").unwrap();
        let error = config
            .provider(&env, Some("x"), None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("BANANA_TEST_UNSET_VAR"), "{error}");
        assert!(error.contains("--demo"), "{error}");
    }

    #[test]
    fn unknown_provider_and_bad_url_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let config = Config::default();
        let error = config.provider(&env, Some("nope"), None).unwrap_err();
        assert!(error.to_string().contains("google, openai-next"), "{error}");
        assert!(matches!(
            check_base_url("ftp://x"),
            Err(ConfigError::BadBaseUrl { .. })
        ));
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
    }
}
