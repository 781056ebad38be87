//! `banana-studio send`: one turn, headless.
//!
//! On failure the session is left exactly as it was before the call: the prompt is not kept
//! (it is still in the caller's command line). A reply that arrives but holds no image
//! (blocked, filtered, text only) is kept, so it can be edited or rerun, and exits with 3.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use crate::config::{MAX_VARIATIONS, MIN_VARIATIONS};
use crate::context::{Connection, Context, Failure, GlobalArgs};
use crate::conversation::PartContent;
use crate::conversation::attachment::load_attachment;
use crate::conversation::explain::explain;
use crate::conversation::settings::{ImageSize, ThinkingLevel, is_model_name};
use crate::conversation::thoughts::SummaryStream;
use crate::conversation::{Blob, ModelTurn, TurnBody, TurnId, TurnSettings};
use crate::cost::Pricing;
use crate::emulator::ImageProtocol;
use crate::gemini::{ApiError, Mode};
use crate::models::Catalog;
use crate::models::listing::{self, Listing};
use crate::preview;
use crate::store::Session;
use crate::terminal_text::sanitize_line;
use crate::turn::{self, NewTurn, Prepared, Progress};

#[derive(Debug, Args)]
pub struct SendArgs {
    /// What to draw, or what to change
    #[arg(value_name = "PROMPT")]
    pub prompt: String,
    /// Session to add the turn to (created if missing) [default: a new session]
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// Continue after this reply (a turn number) instead of the latest: starts a branch
    #[arg(long, value_name = "TURN")]
    pub from: Option<u32>,
    /// Attach an image (PNG, JPEG, WebP, HEIC/HEIF); repeat for more, up to the model's limit
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Model, e.g. gemini-3-pro-image, gemini-3.1-flash-image (`banana-studio models` lists them)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Aspect ratio, e.g. 1:1, 16:9, 9:16 (3.1 Flash also 1:4 4:1 1:8 8:1)
    #[arg(long, value_name = "RATIO")]
    pub aspect: Option<String>,
    /// Image size: 1K, 2K or 4K (3.1 Flash also 512)
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// How hard the model thinks: minimal, low, medium or high, as the model takes
    #[arg(long, value_name = "LEVEL")]
    pub thinking: Option<String>,
    /// Ground the image in Google Search results
    #[arg(long, overrides_with = "no_search")]
    pub search: bool,
    /// Turn Google Search grounding off (it is inherited from the previous turn)
    #[arg(long)]
    pub no_search: bool,
    /// Ground in Google image search too (models that offer it; implies --search)
    #[arg(long, overrides_with = "no_image_search")]
    pub image_search: bool,
    /// Turn image search off (it is inherited from the previous turn)
    #[arg(long)]
    pub no_image_search: bool,
    /// Ask for the image only, no text
    #[arg(long)]
    pub image_only: bool,
    /// System instruction for this turn
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Wait for the whole reply instead of streaming it
    #[arg(long)]
    pub no_stream: bool,
    /// Also copy the final image(s) into this folder
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print one JSON object on stdout instead of text
    #[arg(long)]
    pub json: bool,
    /// Show the final image(s) in the terminal afterwards (kitty, iTerm2, or coloured blocks)
    #[arg(long, conflicts_with = "json")]
    pub preview: bool,
    /// Rows the preview may take (default: a third of the terminal, so the reply stays in view)
    #[arg(long, value_name = "N", requires = "preview", value_parser = clap::value_parser!(u16).range(1..))]
    pub preview_rows: Option<u16>,
    /// Send the prompt this many times at once (2 to 8): variations, each a reply of its own
    /// under the one prompt. Prints one JSON object with a `candidates` array.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(i64::from(MIN_VARIATIONS)..=i64::from(MAX_VARIATIONS)), conflicts_with = "preview")]
    pub n: Option<u8>,
}

pub async fn run(global: &GlobalArgs, args: SendArgs) -> Result<(), Failure> {
    // Several replies at once are only told apart in JSON.
    let json_mode = args.json || args.n.is_some();
    let result = match args.n {
        Some(n) => super::variations::send(global, args, n).await,
        None => send(global, args).await,
    };
    match result {
        Ok(outcome) => {
            if json_mode {
                crate::terminal_text::out_json(&outcome.json.to_string());
            }
            show_preview(&outcome.preview, outcome.protocol, outcome.preview_rows);
            if let Some(note) = &outcome.note {
                crate::errln!("{note}");
            }
            match outcome.code {
                0 => Ok(()),
                code => Err(Failure {
                    message: String::new(),
                    code,
                }),
            }
        }
        Err(failure) => {
            if json_mode {
                crate::terminal_text::out_json(&failure.json.to_string());
            }
            Err(Failure {
                message: failure.message,
                code: failure.code,
            })
        }
    }
}

pub(super) struct Outcome {
    pub json: Value,
    pub note: Option<String>,
    /// 0 with an image, 3 for replies without one, 1 when every variation failed.
    pub code: i32,
    /// The images to show, when `--preview` asked for them.
    pub preview: Vec<Blob>,
    pub preview_rows: Option<u16>,
    pub protocol: ImageProtocol,
}

pub(super) struct SendFailure {
    message: String,
    code: i32,
    pub json: Value,
}

impl SendFailure {
    fn new(kind: &str, status: Option<u16>, message: String, code: i32) -> Self {
        Self {
            json: json!({"error": {"kind": kind, "status": status, "message": message}}),
            message,
            code,
        }
    }

    /// Appends `note` to the message, on stderr and in `--json` alike.
    fn with_note(mut self, note: &str) -> Self {
        self.message.push_str(note);
        self.json["error"]["message"] = json!(self.message);
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    fn input(kind: &str, message: impl ToString) -> Self {
        Self::new(kind, None, message.to_string(), 2)
    }
}

impl From<Failure> for SendFailure {
    fn from(failure: Failure) -> Self {
        Self::new("input", None, failure.message, failure.code)
    }
}

impl From<ApiError> for SendFailure {
    fn from(error: ApiError) -> Self {
        Self::new(error.kind(), error.status(), error.to_string(), 1)
    }
}

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

    let parent = resolve_parent(&session, args.from)?;
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

async fn send(global: &GlobalArgs, args: SendArgs) -> Result<Outcome, SendFailure> {
    let Ready {
        context,
        mut session,
        connection,
        prepared,
        previous_leaf,
        settings,
        catalog,
        mode,
    } = ready(global, &args).await?;
    let mut printer = ProgressPrinter::new(args.json, None);
    let result = turn::generate(&connection.client, &prepared.request, mode, &mut |p| {
        printer.show(p)
    })
    .await;
    printer.finish();
    let reply = match result {
        Ok(reply) => reply,
        Err(error) => {
            turn::abandon(&mut session.conversation, &prepared, previous_leaf);
            let mut note = printer.gave_up();
            note.push_str(
                &way_forward(
                    &error,
                    &settings,
                    &catalog,
                    &connection,
                    &context.env.data_dir,
                )
                .await,
            );
            note.push_str(" The session is unchanged (nothing of this prompt was kept).");
            return Err(SendFailure::from(error).with_note(&note));
        }
    };
    let reply_id = turn::commit(&mut session.conversation, &prepared, reply)
        .map_err(|e| SendFailure::input("session", e))?;
    let saved = session.save();

    let Some(TurnBody::Model(model_turn)) = session.conversation.get(reply_id).map(|t| &t.body)
    else {
        return Err(SendFailure::input("session", "the reply was not stored"));
    };
    if let Err(error) = saved {
        // The reply was paid for and cannot be asked for again identically: never drop it.
        return Err(rescue(
            model_turn,
            &error,
            args.out.as_deref(),
            &session.name,
            reply_id,
        ));
    }
    if let Some(dir) = &args.out {
        copy_images(model_turn, dir, &session.name, reply_id)
            .map_err(|e| SendFailure::new("output", None, e, 1))?;
    }
    let has_image = model_turn.has_picture();
    let preview: Vec<Blob> = if args.preview {
        model_turn.images().cloned().collect()
    } else {
        Vec::new()
    };
    let protocol = if preview.is_empty() {
        ImageProtocol::Auto
    } else {
        preview_protocol(context.config.image_protocol.as_deref())
    };
    Ok(Outcome {
        json: reply_json(
            &session,
            reply_id,
            model_turn,
            &settings,
            &connection.pricing(&catalog),
        ),
        note: explain(model_turn),
        code: if has_image { 0 } else { 3 },
        preview,
        preview_rows: args.preview_rows,
        protocol,
    })
}

fn resolve_parent(session: &Session, from: Option<u32>) -> Result<Option<TurnId>, SendFailure> {
    let conversation = &session.conversation;
    let Some(from) = from else {
        return Ok(match conversation.active_leaf() {
            Some(leaf) => match conversation.get(leaf).map(|t| &t.body) {
                Some(TurnBody::Model(_)) => Some(leaf),
                // A prompt without a reply cannot be continued: start from its parent.
                _ => conversation.get(leaf).and_then(|t| t.parent),
            },
            None => None,
        });
    };
    let id = TurnId(from);
    match conversation.get(id).map(|t| &t.body) {
        Some(TurnBody::Model(_)) => Ok(Some(id)),
        Some(TurnBody::User(_)) => Err(SendFailure::input(
            "turn",
            format!(
                "Turn {from} is a prompt; --from takes the number of a reply (`banana-studio sessions` and --json show turn numbers)."
            ),
        )),
        None => Err(SendFailure::input(
            "turn",
            format!("Session {} has no turn {from}.", session.name),
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

/// More to say about a failed generation: for an unknown model, the served ones and the
/// replacement; for refused signatures after a model change, the way to a fresh thread.
async fn way_forward(
    error: &ApiError,
    settings: &TurnSettings,
    catalog: &Catalog,
    connection: &Connection,
    data_dir: &Path,
) -> String {
    let provider = connection.provider_name.as_str();
    match error {
        ApiError::UnknownModel { .. } => {
            // Asked afresh, and cached: the next send knows the model is gone.
            let listed: Option<Listing> = connection
                .list_models(data_dir, false)
                .await
                .ok()
                .map(|listed| Listing::new(&listed, catalog, provider));
            let way = listing::way_forward(catalog, provider, &settings.model, listed.as_ref());
            match &way.replacement {
                Some(replacement) => format!(
                    " {} Send again with --model {replacement}.",
                    way.describe(provider)
                ),
                None => format!(" {}", way.describe(provider)),
            }
        }
        ApiError::BadRequest { message } if message.contains("signature") => format!(
            " {} did not accept the signatures of earlier turns (made by another model). Start a new thread from the latest image: /fresh in the studio, or a new --session with the image attached.",
            settings.model
        ),
        _ => String::new(),
    }
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

/// The config's `image_protocol`. The turn is saved already, so a bad value is a warning.
fn preview_protocol(config: Option<&str>) -> ImageProtocol {
    ImageProtocol::from_settings(None, config).unwrap_or_else(|e| {
        crate::errln!("{e}; using auto");
        ImageProtocol::Auto
    })
}

/// `--preview`: prints the images with viuer, only to a terminal.
fn show_preview(images: &[Blob], protocol: ImageProtocol, rows: Option<u16>) {
    if images.is_empty() {
        return;
    }
    if !std::io::stdout().is_terminal() {
        crate::errln!("--preview needs a terminal: stdout is not one, so the image is not shown");
        return;
    }
    for blob in images {
        if let Err(e) = preview::print_inline(blob, protocol, rows) {
            crate::errln!("{e}");
        }
    }
}

fn image_json(blob: &Blob) -> Value {
    json!({
        "path": blob.path().map(Path::to_path_buf),
        "mime_type": blob.mime_type(),
        "width": blob.dimensions().map(|d| d.0),
        "height": blob.dimensions().map(|d| d.1),
        "sha256": blob.sha256(),
    })
}

pub(super) fn reply_json(
    session: &Session,
    turn: TurnId,
    reply: &ModelTurn,
    settings: &TurnSettings,
    pricing: &Pricing<'_>,
) -> Value {
    let grounding = reply.grounding.as_ref();
    let cost = pricing.reply(settings, reply);
    let currency = pricing.currency();
    json!({
        "session": session.name,
        "session_dir": absolute(&session.dir),
        "turn": turn.0,
        "model": settings.model,
        "finish_reason": reply.finish_reason.clone().or_else(|| reply.block_reason().map(|r| format!("BLOCKED_{r}"))),
        "text": reply.text(),
        "thoughts": reply.thoughts(),
        "images": reply.images().map(image_json).collect::<Vec<_>>(),
        "thought_images": reply.thought_images().map(image_json).collect::<Vec<_>>(),
        "sources": grounding.map(|g| g.sources().map(|s| json!({"title": s.title, "uri": s.uri, "image_uri": s.image_uri})).collect::<Vec<_>>()).unwrap_or_default(),
        "search_queries": grounding.map(|g| g.web_search_queries.clone()).unwrap_or_default(),
        "image_search_queries": grounding.map(|g| g.image_search_queries.clone()).unwrap_or_default(),
        "usage": reply.usage,
        "cost_usd": cost.filter(|_| currency.eq_ignore_ascii_case("USD")),
        "cost": cost.map(|amount| json!({"amount": amount, "currency": currency})),
        "request_bytes": reply.request_bytes,
    })
}

pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The session could not be saved after the reply arrived: writes the reply's images to `--out`
/// (or a new private temp folder) and explains the cause and where they went. Exit code 1.
pub(super) fn rescue(
    reply: &ModelTurn,
    error: &crate::store::StoreError,
    out: Option<&Path>,
    session: &str,
    turn: TurnId,
) -> SendFailure {
    // The store's own hint ("save again after") is for the studio, which keeps the turn in
    // memory; here the process ends, so say what happened and where the images went.
    let cause = match error {
        crate::store::StoreError::Io {
            action,
            path,
            source,
        } => {
            let why = match source.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                    " (the disk is full)"
                }
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                    " (the folder is read-only or not writable)"
                }
                _ => "",
            };
            format!("could not {action} {}: {source}{why}", path.display())
        }
        other => other.to_string(),
    };
    let mut message = format!(
        "The reply arrived, but the session could not be saved: {cause}. The session on disk still ends at the previous turn; free some space or fix the folder, then send again."
    );
    let folder = match out {
        Some(dir) => Ok(dir.to_path_buf()),
        None => tempfile::Builder::new()
            .prefix("banana-studio-rescue-")
            .tempdir()
            .map(tempfile::TempDir::keep)
            .map_err(|e| format!("Cannot create a rescue folder in the temp dir: {e}")),
    };
    let written = folder.and_then(|dir| copy_images(reply, &dir, session, turn));
    let rescued = match written {
        Ok(paths) if paths.is_empty() => {
            message.push_str("\nThe reply had no image to rescue.");
            paths
        }
        Ok(paths) => {
            message.push_str("\nThe reply's image(s) were written to:");
            for path in &paths {
                message.push_str(&format!("\n  {}", path.display()));
            }
            paths
        }
        Err(e) => {
            message.push_str(&format!("\nRescuing the image(s) failed too: {e}"));
            Vec::new()
        }
    };
    let mut failure = SendFailure::new("storage", None, message, 1);
    failure.json["error"]["rescued"] =
        json!(rescued.iter().map(|p| absolute(p)).collect::<Vec<_>>());
    failure
}

/// Writes the reply's final images into `dir`; returns their paths.
fn copy_images(
    reply: &ModelTurn,
    dir: &Path,
    session: &str,
    turn: TurnId,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("Cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (index, blob) in reply.images().enumerate() {
        let extension = crate::blob::extension_for(blob.mime_type());
        let target = dir.join(format!("{session}-turn{turn}-{}.{extension}", index + 1));
        let bytes = blob
            .bytes()
            .map_err(|e| format!("Cannot read the image: {e}"))?;
        std::fs::write(&target, &bytes)
            .map_err(|e| format!("Cannot write {}: {e}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}

/// Prints progress and thinking to stderr, the answer's text to stdout as it streams. A
/// labelled printer (one of several variations at once) prints only its progress lines,
/// each starting with its label: interleaved thoughts could not be read. Everything goes
/// through the sanitiser: it is the server's text.
pub(super) struct ProgressPrinter {
    json: bool,
    label: Option<String>,
    /// The latest attempt announced, and how many are allowed.
    attempts: Option<(u32, u32)>,
    /// The thinking being streamed, with a blank line put between summaries.
    thinking: Option<SummaryStream>,
    wrote_text: bool,
}

impl ProgressPrinter {
    pub fn new(json: bool, label: Option<String>) -> Self {
        Self {
            json,
            label,
            attempts: None,
            thinking: None,
            wrote_text: false,
        }
    }

    /// " Gave up after 3 of 4 attempts." after retries (the last error alone reads like a
    /// single failure), else nothing.
    pub fn gave_up(&self) -> String {
        match self.attempts.filter(|(attempt, _)| *attempt > 1) {
            Some((attempt, of)) => format!(" Gave up after {attempt} of {of} attempts."),
            None => String::new(),
        }
    }

    pub fn show(&mut self, progress: Progress) {
        if let Some(label) = self.label.clone() {
            self.show_labelled(&label, progress);
            return;
        }
        match progress {
            Progress::Sending { attempt, of, bytes } => {
                self.attempts = Some((attempt, of));
                let size = crate::conversation::request::human_bytes(bytes as u64);
                crate::errln!("sending {size} (attempt {attempt}/{of})…");
            }
            Progress::Retrying {
                attempt,
                of,
                delay,
                reason,
                ..
            } => {
                crate::errln!(
                    "attempt {attempt}/{of} failed: {reason}\nretrying in {:.1}s…",
                    delay.as_secs_f64()
                );
            }
            Progress::Receiving => crate::errln!("the model is working…"),
            Progress::Received { .. } => {}
            Progress::Parts(parts) => {
                for part in parts {
                    match (part.thought, &part.content) {
                        (true, PartContent::Text(text)) => {
                            let thinking = self.thinking.get_or_insert_with(|| {
                                crate::errln!("\nthinking:");
                                SummaryStream::default()
                            });
                            crate::terminal_text::err(&thinking.push(text));
                        }
                        (_, PartContent::Image(blob)) => {
                            self.end_thinking();
                            let kind = if part.thought {
                                "thought image"
                            } else {
                                "image"
                            };
                            let size = blob
                                .dimensions()
                                .map(|(w, h)| format!("{w}×{h}"))
                                .unwrap_or_else(|| "unknown size".into());
                            crate::errln!(
                                "\n[{kind}: {}, {size}]",
                                sanitize_line(blob.mime_type())
                            );
                        }
                        (false, PartContent::Text(text)) if !self.json => {
                            self.end_thinking();
                            crate::terminal_text::out(text);
                            self.wrote_text |= !text.is_empty();
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// Prints what the thinking held back (asterisks that might have opened a heading).
    fn end_thinking(&mut self) {
        if let Some(mut thinking) = self.thinking.take() {
            crate::terminal_text::err(&thinking.finish());
        }
    }

    /// One line per step, starting with the label.
    fn show_labelled(&mut self, label: &str, progress: Progress) {
        let line = match progress {
            Progress::Sending { attempt, of, bytes } => {
                self.attempts = Some((attempt, of));
                format!(
                    "sending {} (attempt {attempt}/{of})…",
                    crate::conversation::request::human_bytes(bytes as u64)
                )
            }
            Progress::Retrying {
                attempt,
                of,
                delay,
                reason,
                ..
            } => format!(
                "attempt {attempt}/{of} failed: {}; retrying in {:.1}s…",
                sanitize_line(&reason),
                delay.as_secs_f64()
            ),
            Progress::Receiving => "the model is working…".into(),
            Progress::Parts(parts)
                if parts.iter().any(|p| p.as_image().is_some() && !p.thought) =>
            {
                "the image arrived".into()
            }
            Progress::Received { .. } | Progress::Parts(_) => return,
        };
        crate::errln!("{label} {line}");
    }

    pub fn finish(&mut self) {
        self.end_thinking();
        if self.wrote_text {
            crate::outln!();
        }
    }
}
