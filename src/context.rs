//! What every command and the studio share: where sessions and the config live, and the
//! connection to a provider (or the demo model), resolved from the global arguments.
//!
//! `cli` (the headless commands) and `tui` (the studio) both build on this module; neither
//! needs the other's internals.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::config::{
    CallPrice, Config, ConfigError, DEFAULT_CONCURRENT_REQUESTS, Environment, GOOGLE_REQUEST_LIMIT,
};
use crate::conversation::settings::{ImageSize, ThinkingLevel, TurnSettings};
use crate::demo::{DEMO_KEY, DemoOptions, DemoServer};
use crate::gemini::wire::ListedModel;
use crate::gemini::{ApiError, ApiKey, GeminiClient, Transport};
use crate::models::Catalog;
use crate::models::listing::{self, Listing};
use crate::store::Store;

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options (every command)")]
pub struct GlobalArgs {
    /// Where sessions are kept [default: $BANANA_STUDIO_HOME, else ~/.local/share/banana-studio]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file [default: $XDG_CONFIG_HOME/banana-studio/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Provider: google, openai-next, or one defined in the config
    #[arg(long, global = true, value_name = "NAME")]
    pub provider: Option<String>,
    /// Override the provider's base URL
    #[arg(long, global = true, value_name = "URL", env = "BANANA_BASE_URL")]
    pub base_url: Option<String>,
    /// Use the built-in offline demo model (no key needed)
    #[arg(long, global = true)]
    pub demo: bool,
    /// How turns reach the provider: generate-content (the whole history each turn; what
    /// relays speak) or interactions (Google keeps the history; each turn uploads only its
    /// prompt) [default: the provider's `transport` in the config, else generate-content]
    #[arg(long, global = true, value_name = "NAME", env = "BANANA_TRANSPORT", value_parser = parse_transport)]
    pub transport: Option<Transport>,
}

fn parse_transport(name: &str) -> Result<Transport, String> {
    name.parse()
}

/// A problem worth a clear sentence and a non-zero exit, never a panic.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: i32,
}

impl Failure {
    /// Bad input: arguments, config, files.
    pub fn input(message: impl ToString) -> Self {
        Self {
            message: message.to_string(),
            code: 2,
        }
    }
}

/// The pieces every command needs, resolved from arguments, environment and config.
pub struct Context {
    pub env: Environment,
    pub config: Config,
    pub store: Store,
    /// The built-in model catalog with the config's `[[models]]` over it.
    pub catalog: Catalog,
}

impl Context {
    pub fn load(global: &GlobalArgs) -> Result<Self, Failure> {
        let env = Environment::discover(global.data_dir.as_deref(), global.config.as_deref());
        let config = env.load_config().map_err(Failure::input)?;
        let catalog = config
            .catalog()
            .map_err(|e| Failure::input(format!("{e} (in {})", env.config_path.display())))?;
        let store = Store::new(&env.data_dir);
        Ok(Self {
            env,
            config,
            store,
            catalog,
        })
    }

    /// Settings for a new thread: the config's defaults; the model is the config's, else the
    /// provider's in the config, else the catalog's default for the provider.
    pub fn default_settings(&self, connection: &Connection) -> Result<TurnSettings, Failure> {
        let in_config = |what: &str, error: &dyn std::fmt::Display| {
            Failure::input(format!(
                "{error} ({what} in {})",
                self.env.config_path.display()
            ))
        };
        let image_size = match &self.config.image_size {
            Some(size) => Some(
                size.parse::<ImageSize>()
                    .map_err(|e| in_config("image_size", &e))?,
            ),
            None => None,
        };
        let thinking_level = match &self.config.thinking_level {
            Some(level) => Some(
                level
                    .parse::<ThinkingLevel>()
                    .map_err(|e| in_config("thinking_level", &e))?,
            ),
            None => None,
        };
        let model = self
            .config
            .model
            .clone()
            .or_else(|| connection.default_model.clone())
            .unwrap_or_else(|| {
                self.catalog
                    .default_model(&connection.provider_name)
                    .to_string()
            });
        Ok(TurnSettings {
            model,
            aspect_ratio: self.config.aspect_ratio.clone(),
            image_size,
            thinking_level,
            google_search: self.config.google_search.unwrap_or(false),
            ..TurnSettings::default()
        })
    }

    /// Connects to the provider, or starts the demo model. The demo server lives as long as
    /// the returned handle.
    pub async fn connect(&self, global: &GlobalArgs) -> Result<Connection, Failure> {
        self.try_connect(global).await.map_err(|error| match error {
            ConnectError::MissingKey(message) => Failure::input(message),
            ConnectError::Other(failure) => failure,
        })
    }

    /// Like [`Context::connect`], telling a missing key apart: the studio opens without one
    /// and offers the demo.
    pub async fn try_connect(&self, global: &GlobalArgs) -> Result<Connection, ConnectError> {
        let options = self.config.client_options();
        if global.demo {
            let demo_options = DemoOptions::from_env().map_err(Failure::input)?;
            let server = DemoServer::start(demo_options)
                .await
                .map_err(|e| Failure::input(format!("Cannot start the demo model: {e}")))?;
            let client = GeminiClient::new(server.base_url(), ApiKey::new(DEMO_KEY), options)
                .map_err(Failure::input)?;
            return Ok(Connection {
                client,
                provider_name: "demo".into(),
                max_request_bytes: GOOGLE_REQUEST_LIMIT,
                concurrent_requests: DEFAULT_CONCURRENT_REQUESTS,
                default_model: None,
                per_call: None,
                balance_currency: None,
                transport: global.transport.unwrap_or_default(),
                _demo: Some(server),
            });
        }
        let provider = self
            .config
            .provider(
                &self.env,
                global.provider.as_deref(),
                global.base_url.as_deref(),
            )
            .map_err(|error| match error {
                error @ ConfigError::MissingKey { .. } => {
                    ConnectError::MissingKey(error.to_string())
                }
                error => ConnectError::Other(Failure::input(error)),
            })?;
        let client =
            GeminiClient::new(&provider.base_url, provider.key, options).map_err(Failure::input)?;
        Ok(Connection {
            client,
            provider_name: provider.name,
            max_request_bytes: provider.max_request_bytes,
            concurrent_requests: provider.concurrent_requests,
            default_model: provider.model,
            per_call: provider.per_call,
            balance_currency: provider.balance_currency,
            transport: global.transport.unwrap_or(provider.transport),
            _demo: None,
        })
    }
}

/// Why [`Context::try_connect`] failed.
#[derive(Debug)]
pub enum ConnectError {
    /// No key for the provider; the message names the variables to set.
    MissingKey(String),
    Other(Failure),
}

impl From<Failure> for ConnectError {
    fn from(failure: Failure) -> Self {
        ConnectError::Other(failure)
    }
}

pub struct Connection {
    pub client: GeminiClient,
    pub provider_name: String,
    pub max_request_bytes: u64,
    /// Generations in flight at once; the rest wait.
    pub concurrent_requests: usize,
    /// The provider's default model from the config.
    pub default_model: Option<String>,
    /// Set when the provider bills per call.
    pub per_call: Option<CallPrice>,
    /// Set (to its currency) when the provider answers the billing endpoints (`balance = true`).
    pub balance_currency: Option<String>,
    /// Which endpoint carries turns, as asked (`--transport`, else the config); a refusal
    /// during the run is `turn::generate`'s to act on.
    pub transport: Transport,
    _demo: Option<DemoServer>,
}

impl Connection {
    /// Where this connection's requests go, for [`crate::turn::prepare`].
    pub fn target<'a>(
        &'a self,
        catalog: &'a Catalog,
        listing: Option<&'a Listing>,
    ) -> crate::conversation::RequestTarget<'a> {
        crate::conversation::RequestTarget {
            catalog,
            provider: &self.provider_name,
            size_limit: self.max_request_bytes,
            listing,
            transport: self.transport,
        }
    }

    /// Where this provider's model list is cached; none for the demo, which starts on a new
    /// port each time and answers at once.
    pub fn listing_cache(&self, data_dir: &Path) -> Option<PathBuf> {
        self._demo
            .is_none()
            .then(|| listing::cache_path(data_dir, &self.provider_name, self.client.base_url()))
    }

    /// The provider's model list as cached within the last day, without asking it.
    pub fn cached_models(&self, data_dir: &Path) -> Option<Vec<ListedModel>> {
        cached_models(self.listing_cache(data_dir).as_deref())
    }

    /// The provider's model list: the day-old cache when `cached` allows and there is one,
    /// else ListModels (then cached).
    pub async fn list_models(
        &self,
        data_dir: &Path,
        cached: bool,
    ) -> Result<Vec<ListedModel>, ApiError> {
        list_models(&self.client, self.listing_cache(data_dir), cached).await
    }

    /// The remaining balance, where the provider is configured with `balance = true`.
    pub async fn balance(
        &self,
    ) -> Option<Result<crate::balance::Balance, crate::balance::BalanceError>> {
        let currency = self.balance_currency.as_deref()?;
        Some(crate::balance::fetch(self.client.base_url(), self.client.key(), currency).await)
    }

    /// How this connection's replies are charged.
    pub fn pricing<'a>(&'a self, catalog: &'a Catalog) -> crate::cost::Pricing<'a> {
        crate::cost::Pricing {
            catalog,
            provider: &self.provider_name,
            per_call: self.per_call.as_ref(),
        }
    }
}

fn cached_models(cache: Option<&Path>) -> Option<Vec<ListedModel>> {
    let cached = listing::read_cache(cache?)?;
    cached
        .is_fresh(std::time::SystemTime::now())
        .then_some(cached.models)
}

/// A provider's model list: from `cache` when `cached` allows and it is under a day old, else
/// ListModels, whose answer is then written to `cache` (a cache that cannot be written only
/// costs a request next time). Free of [`Connection`], so the studio can run it as a task.
pub async fn list_models(
    client: &GeminiClient,
    cache: Option<PathBuf>,
    cached: bool,
) -> Result<Vec<ListedModel>, ApiError> {
    if cached && let Some(models) = cached_models(cache.as_deref()) {
        return Ok(models);
    }
    let models = client.list_models().await?;
    if let Some(path) = cache {
        let fresh = listing::CachedListing::new(models.clone(), std::time::SystemTime::now());
        let _ = listing::write_cache(&path, &fresh);
    }
    Ok(models)
}
