//! The studio: the interactive terminal UI, in one direction —
//! terminal events → [`input`] (keys and `/commands` to actions) → [`state`] (`update`, pure:
//! the App and what it asks for as effects) → [`runtime`] (runs the effects, sends their
//! results back as events, draws) → [`view`] (functions of the state).
//! [`theme`] holds the colours.

pub mod input;
pub mod runtime;
pub mod state;
#[cfg(test)]
pub(crate) mod test_support;
pub mod theme;
pub mod view;

use clap::Args;

use crate::context::{ConnectError, Context, Failure, GlobalArgs};
use crate::emulator::ImageProtocol;

use input::keymap::Keymap;
use runtime::driver;
use state::app::{self, App};
use state::layout;
use theme::{DEFAULT_THEME, Theme, user_themes_dir};

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

/// Opens the studio on a session (a new one unless `--session` names one).
pub async fn run(global: &GlobalArgs, args: &StudioArgs) -> Result<(), Failure> {
    let context = Context::load(global)?;

    let user_themes = user_themes_dir(&context.env.config_path);
    let mut startup_problems = Vec::new();
    let theme_named = args.theme.is_some() || context.config.theme.is_some();
    let theme = match (&args.theme, &context.config.theme) {
        // A theme asked for on the command line must exist.
        (Some(name), _) => Theme::load(name, user_themes.as_deref()).map_err(Failure::input)?,
        (None, Some(name)) => Theme::load(name, user_themes.as_deref()).unwrap_or_else(|e| {
            startup_problems.push(format!(
                "{e} (theme in the config file; using {DEFAULT_THEME})"
            ));
            Theme::default_dark()
        }),
        (None, None) => Theme::default_dark(),
    };
    let image_protocol = ImageProtocol::from_settings(
        args.image_protocol.as_deref(),
        context.config.image_protocol.as_deref(),
    )
    .map_err(Failure::input)?;
    let (keymap, key_problems) = Keymap::with_overrides(&context.config.keys);
    startup_problems.extend(key_problems);

    let (connection, missing_key) = match context.try_connect(global).await {
        Ok(connection) => (Some(connection), None),
        Err(ConnectError::MissingKey(message)) => (None, Some(message)),
        Err(ConnectError::Other(failure)) => return Err(failure),
    };
    let defaults = match &connection {
        Some(connection) => context.default_settings(connection)?,
        None => crate::conversation::TurnSettings::default(),
    };

    let name = match &args.session {
        Some(name) => name.clone(),
        None => context.store.fresh_name(),
    };
    let session = context
        .store
        .open_or_create(&name)
        .map_err(Failure::input)?;

    let info = connection
        .as_ref()
        .map(|c| driver::connection_info(c, global.demo));
    let mut app = App::new(
        session.name.clone(),
        session.conversation.clone(),
        defaults,
        info,
        theme,
        keymap,
        context.catalog.clone(),
    );
    if let Some(message) = missing_key {
        app = app.with_missing_key(message);
    }
    // The prompt left unsent last time is back where it was typed.
    if let Some(draft) = session.read_draft() {
        app.set_input_text(&draft);
    }
    // In range: the config was checked at load.
    if let Some(count) = context.config.variations {
        app.batch.count = count;
    }
    if let Some(threshold) = context.config.confirm_batch_over {
        app.batch.confirm_over = threshold;
    }
    // Here, not in `update`, which stays pure: each studio run asks for new samples.
    app.batch.seeds = crate::variations::Seeds::at_random();
    if let Some(value) = context.config.layout.as_deref() {
        match layout::LayoutMode::from_config(value) {
            Ok(mode) => app.layout = mode,
            Err(problem) => startup_problems.push(problem),
        }
    }
    if !startup_problems.is_empty() {
        app.notice = Some(app::Notice {
            text: startup_problems.join(" "),
            error: true,
        });
    }
    driver::run(
        app,
        driver::DriverSetup {
            context,
            global: global.clone(),
            connection,
            session,
            user_themes,
            image_protocol,
            theme_named,
        },
    )
    .await
}
