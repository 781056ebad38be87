//! The command line: arguments, and the headless commands (`send`, `sessions`, `models`,
//! `demo-server`); with no command it opens the studio. The wiring they share with the studio
//! (config, store, catalog, provider connection) is in [`crate::context`].

mod balance;
mod demo_server;
mod export;
mod models;
mod send;
mod sessions;

use clap::{Parser, Subcommand};

use crate::context::{Failure, GlobalArgs};
use crate::tui::StudioArgs;
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
        /// Every model the provider lists, not only those that look like image models
        #[arg(long)]
        all: bool,
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

/// Steps of nice for the runtime's threads in the studio: a third of the UI thread's share of
/// a busy core each (the preview threads are lower still).
const RUNTIME_NICENESS: i32 = 5;

/// Runs a headless command, or the studio when no command is given.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.worker_threads(2).enable_all();
    if cli.command.is_none() {
        // The studio's event loop runs on this thread; the runtime's threads (streaming,
        // parsing, saving) give way to it when the cores are busy.
        runtime.on_thread_start(|| crate::priority::lower_this_thread(RUNTIME_NICENESS));
    }
    let runtime = runtime
        .build()
        .map_err(|e| Failure::input(format!("Cannot start the async runtime: {e}")))?;
    match cli.command {
        Some(Command::Send(args)) => runtime.block_on(send::run(&cli.global, *args)),
        Some(Command::Export(args)) => export::run(&cli.global, *args),
        Some(Command::Sessions { json }) => sessions::run(&cli.global, json),
        Some(Command::Models { json, all }) => {
            runtime.block_on(models::run(&cli.global, json, all))
        }
        Some(Command::Balance { json }) => runtime.block_on(balance::run(&cli.global, json)),
        Some(Command::DemoServer { port }) => runtime.block_on(demo_server::run(port)),
        None => runtime.block_on(crate::tui::run(&cli.global, &cli.studio)),
    }
}
