//! Everything before sending, shared by the one-turn and the variations paths: the session
//! opened, the provider asked, the settings resolved and checked, the prompt added and its
//! request built.

use super::args::SendArgs;
use super::outcome::SendFailure;
use crate::context::{Connection, Context, GlobalArgs};
use crate::conversation::Region;
use crate::conversation::attachment::load_attachment;
use crate::conversation::settings::{ImageSize, ThinkingLevel, is_model_name};
use crate::conversation::{Blob, TurnBody, TurnId, TurnSettings};
use crate::gemini::Mode;
use crate::models::Catalog;
use crate::models::listing::Listing;
use crate::region::{self, RegionInputError};
use crate::store::Session;
use crate::terminal_text::sanitize_line;
use crate::turn::{self, NewTurn, Prepared, RegionInput};

/// Everything up to sending: the session open, the prompt added to its conversation and the
/// request built.
pub(super) struct Ready {
    pub context: Context,
    pub session: Session,
    pub connection: Connection,
    pub prepared: Prepared,
    pub previous_leaf: Option<TurnId>,
    pub settings: TurnSettings,
    /// The catalog, with what the provider's model list added.
    pub catalog: Catalog,
    pub mode: Mode,
}

pub(super) async fn ready(global: &GlobalArgs, args: &SendArgs) -> Result<Ready, SendFailure> {
    let context = Context::load(global)?;
    let name = match &args.session {
        Some(name) => name.clone(),
        None => context.store.fresh_name(),
    };
    let mut session = context
        .store
        .open_or_create(&name)
        .map_err(|e| SendFailure::input("session", e))?;

    let mut parent = resolve_parent(&session, args.from.as_deref())?;
    // A region is checked and outlined before anything is sent: an edit of the picture it
    // was drawn on, so that reply is the parent.
    let region = match &args.region {
        Some(text) => {
            let input = region_input(&session, parent, text, !args.no_keep_outside)?;
            parent = Some(input.edit.on);
            Some(input)
        }
        None => None,
    };
    let connection = context.connect(global).await?;
    let provider = connection.provider_name.as_str();
    let defaults = context.default_settings(&connection)?;
    let mut settings = turn::inherited_settings(&session.conversation, parent, &defaults);
    let mut catalog = context.catalog.clone();
    let wanted = args.model.as_deref().unwrap_or(&settings.model);
    let listing = provider_listing(&context, &connection, &mut catalog, wanted).await;
    // A model the user names now is theirs: refused below if the provider does not list it,
    // never swapped. One inherited from the session or the config moves on the provider's word.
    if args.model.is_none()
        && let Some(old) = settings.move_off_unserved(&catalog, provider, listing.as_ref())
    {
        crate::errln!(
            "{provider} no longer lists {old}; this session continues on {} with its history.",
            settings.model
        );
    }
    apply_overrides(&mut settings, args)?;
    settings
        .validate(&catalog, provider, listing.as_ref())
        .map_err(|e| SendFailure::input("settings", e))?;
    let attachments = args
        .attach
        .iter()
        .map(|path| load_attachment(path))
        .collect::<Result<Vec<Blob>, _>>()
        .map_err(|e| SendFailure::input("attachment", e))?;

    let previous_leaf = session.conversation.active_leaf();
    let prepared = turn::prepare(
        &mut session.conversation,
        NewTurn {
            parent,
            prompt: args.prompt.clone(),
            attachments,
            settings: settings.clone(),
            created_at: crate::store::now_rfc3339(),
            region,
        },
        &connection.target(&catalog, listing.as_ref()),
    )
    .map_err(|e| SendFailure::input("request", e))?;
    let mode = if args.no_stream {
        Mode::Unary
    } else {
        Mode::Streaming
    };
    Ok(Ready {
        context,
        session,
        connection,
        prepared,
        previous_leaf,
        settings,
        catalog,
        mode,
    })
}

/// `--region`'s rectangle on the picture an edit after `parent` changes, outlined.
fn region_input(
    session: &Session,
    parent: Option<TurnId>,
    text: &str,
    keep_outside: bool,
) -> Result<RegionInput, SendFailure> {
    let fail = |e: &dyn std::fmt::Display| SendFailure::input("region", e);
    let region = Region::parse(text).map_err(|e| fail(&e))?;
    let (on, image, picture) = region::edited_picture(&session.conversation, parent)
        .ok_or_else(|| fail(&RegionInputError::NoPicture))?;
    region::region_input(&picture, on, image, region, keep_outside).map_err(|e| fail(&e))
}

fn resolve_parent(session: &Session, from: Option<&str>) -> Result<Option<TurnId>, SendFailure> {
    let conversation = &session.conversation;
    let Some(from) = from.map(str::trim) else {
        return Ok(match conversation.active_leaf() {
            Some(leaf) => match conversation.get(leaf).map(|t| &t.body) {
                Some(TurnBody::Model(_)) => Some(leaf),
                // A prompt without a reply cannot be continued: start from its parent.
                _ => conversation.get(leaf).and_then(|t| t.parent),
            },
            None => None,
        });
    };
    // A version, as the studio, exports and --json name pictures: the reply that made it.
    if let Some(number) = from.strip_prefix(['v', 'V']) {
        let version: usize = number.parse().map_err(|_| {
            SendFailure::input(
                "turn",
                format!("--from {from:?}: a version is v and a number (v7), a turn a number (6)."),
            )
        })?;
        return conversation
            .version_numbers()
            .into_iter()
            .find(|(_, versions)| versions.contains(&version))
            .map(|(turn, _)| Some(turn))
            .ok_or_else(|| {
                SendFailure::input(
                    "turn",
                    format!(
                        "Session {} has no version v{version} (`banana-studio export` or --json show the versions).",
                        session.name
                    ),
                )
            });
    }
    let Ok(number) = from.parse::<u32>() else {
        return Err(SendFailure::input(
            "turn",
            format!("--from {from:?}: give a version (v7) or a turn number (6)."),
        ));
    };
    let id = TurnId(number);
    match conversation.get(id).map(|t| &t.body) {
        Some(TurnBody::Model(_)) => Ok(Some(id)),
        Some(TurnBody::User(_)) => Err(SendFailure::input(
            "turn",
            format!(
                "Turn {number} is a prompt; --from takes the number of a reply or a version such as v7 (`banana-studio sessions` and --json show them)."
            ),
        )),
        None => Err(SendFailure::input(
            "turn",
            format!("Session {} has no turn {number}.", session.name),
        )),
    }
}

/// What the provider said it serves: its list as cached within the day, else, for a model the
/// catalog lacks, its answer now. Image models it lists that the catalog lacks are learnt with
/// unknown capabilities. `None` when it has not been asked (a model the catalog knows is not
/// worth a request) or could not answer: then nothing is refused before sending, and the
/// provider's 404, if any, decides.
async fn provider_listing(
    context: &Context,
    connection: &Connection,
    catalog: &mut Catalog,
    model: &str,
) -> Option<Listing> {
    let provider = connection.provider_name.as_str();
    let data_dir = &context.env.data_dir;
    let listed = match connection.cached_models(data_dir) {
        Some(listed) => listed,
        // A known model is not worth a request; an impossible name is refused below.
        None if catalog.find(provider, model).is_some() || !is_model_name(model) => return None,
        None => match connection.list_models(data_dir, false).await {
            Ok(listed) => listed,
            Err(error) => {
                crate::errln!(
                    "{} is not in the model catalog and {} could not be asked which models it serves ({}): sending it as it is.",
                    sanitize_line(model),
                    sanitize_line(provider),
                    sanitize_line(&error.to_string())
                );
                return None;
            }
        },
    };
    let listing = Listing::new(&listed, catalog, provider);
    catalog.learn(provider, listing.image_ids());
    Some(listing)
}

fn apply_overrides(settings: &mut TurnSettings, args: &SendArgs) -> Result<(), SendFailure> {
    if let Some(model) = &args.model {
        settings.model = model.clone();
    }
    if let Some(aspect) = &args.aspect {
        settings.aspect_ratio = Some(aspect.clone());
    }
    if let Some(size) = &args.size {
        settings.image_size = Some(
            size.parse::<ImageSize>()
                .map_err(|e| SendFailure::input("settings", e))?,
        );
    }
    if args.search {
        settings.google_search = true;
    }
    if args.no_search {
        settings.google_search = false;
        settings.image_search = false;
    }
    if args.image_search {
        settings.image_search = true;
        settings.google_search = true;
    }
    if args.no_image_search {
        settings.image_search = false;
    }
    if let Some(level) = &args.thinking {
        settings.thinking_level = Some(
            level
                .parse::<ThinkingLevel>()
                .map_err(|e| SendFailure::input("settings", e))?,
        );
    }
    if args.image_only {
        settings.image_only = true;
    }
    if let Some(system) = &args.system {
        settings.system_instruction = Some(system.clone());
    }
    Ok(())
}
