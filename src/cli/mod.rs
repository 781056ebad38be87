//! The command line: arguments, and wiring config, provider, client and store together for
//! the headless commands and the studio.

mod balance;
mod demo_server;
mod export;
mod models;
mod send;
mod sessions;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{CallPrice, Config, ConfigError, Environment, GOOGLE_REQUEST_LIMIT};
use crate::conversation::settings::{ImageSize, ThinkingLevel, TurnSettings};
use crate::demo::{DEMO_KEY, DemoOptions, DemoServer};
use crate::gemini::{ApiKey, GeminiClient};
use crate::models::Catalog;
use crate::store::Store;

pub use export::ExportArgs;
pub use send::SendArgs;

#[derive(Debug, Parser)]
#[command(
    name = "banana-studio",
    version,
    about = "A terminal studio for iterative image generation and editing with Gemini image models",
    after_help = "API keys come from the environment (GEMINI_API_KEY or GOOGLE_API_KEY for google, \
OPENAI_NEXT_API_KEY for openai-next), from the config file, or from api_key_cmd. \
There is no --api-key flag: command lines show up in `ps`. Use --demo to try everything offline."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub studio: StudioArgs,
}

#[derive(Debug, Clone, Args)]
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
}

/// Options of the interactive studio (no subcommand).
#[derive(Debug, Clone, Args)]
pub struct StudioArgs {
    /// Session to open (created if missing) [default: a new one]
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// Colour theme: dark, light, high-contrast, or a file name in the user themes folder
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// How to draw images: auto, kitty, sixel, iterm2 or halfblocks
    #[arg(long, value_name = "PROTOCOL")]
    pub image_protocol: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add one turn to a session and print the reply (scripting, headless use)
    Send(Box<SendArgs>),
    /// Export a saved session to share it: a web page, Markdown, a contact sheet or an animation
    Export(Box<ExportArgs>),
    /// List sessions, newest first
    Sessions {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// The remaining balance on a relay configured with `balance = true`
    Balance {
        /// Print JSON instead of a sentence
        #[arg(long)]
        json: bool,
    },
    /// List the provider's image models (ListModels) with their options and prices
    Models {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Run the offline demo model as its own server, for scripts and measurements
    #[command(
        long_about = "Run the offline demo model as its own server, for scripts and \
measurements.

Listens on 127.0.0.1 and prints one line on stdout with what a client needs, e.g.
  BANANA_BASE_URL=http://127.0.0.1:41234 GEMINI_API_KEY=demo-key
(the demo's key is a public constant, not a secret), then serves until SIGTERM or SIGINT and \
exits 0. One line per request goes to stderr. Reads the same BANANA_DEMO_FAULTS, \
BANANA_DEMO_FULL_SIZE, BANANA_DEMO_CHUNK_DELAY_MS and BANANA_DEMO_GRAIN variables as --demo.

Unlike --demo, which runs the demo inside the client, this keeps the demo's painting and \
encoding out of the client's memory and CPU figures."
    )]
    DemoServer {
        /// Port on 127.0.0.1; 0 picks a free one
        #[arg(long, value_name = "N", default_value_t = 0)]
        port: u16,
    },
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

/// Runs a headless command, or the studio when no command is given.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("Cannot start the async runtime: {e}")))?;
    match cli.command {
        Some(Command::Send(args)) => runtime.block_on(send::run(&cli.global, *args)),
        Some(Command::Export(args)) => export::run(&cli.global, *args),
        Some(Command::Sessions { json }) => sessions::run(&cli.global, json),
        Some(Command::Models { json }) => runtime.block_on(models::run(&cli.global, json)),
        Some(Command::Balance { json }) => runtime.block_on(balance::run(&cli.global, json)),
        Some(Command::DemoServer { port }) => runtime.block_on(demo_server::run(port)),
        None => runtime.block_on(crate::tui::run(&cli.global, &cli.studio)),
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
                default_model: None,
                per_call: None,
                balance_currency: None,
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
            default_model: provider.model,
            per_call: provider.per_call,
            balance_currency: provider.balance_currency,
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
    /// The provider's default model from the config.
    pub default_model: Option<String>,
    /// Set when the provider bills per call.
    pub per_call: Option<CallPrice>,
    /// Set (to its currency) when the provider answers the billing endpoints (`balance = true`).
    pub balance_currency: Option<String>,
    _demo: Option<DemoServer>,
}

impl Connection {
    /// Where this connection's requests go, for [`crate::turn::prepare`].
    pub fn target<'a>(&'a self, catalog: &'a Catalog) -> crate::conversation::RequestTarget<'a> {
        crate::conversation::RequestTarget {
            catalog,
            provider: &self.provider_name,
            size_limit: self.max_request_bytes,
        }
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
