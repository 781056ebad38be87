//! One turn from prompt to reply, shared by the headless `send` and the studio:
//! [`prepare`] adds the prompt to the conversation and builds the request (pure),
//! [`generate`] sends it and gathers the reply (IO, reports progress as it goes),
//! [`commit`] adds the reply, or [`abandon`] takes the prompt back out after a failure so the
//! conversation is exactly as it was.

use crate::conversation::region::{self, RegionEdit};
use crate::conversation::request::{BodyForm, PreparedRequest, RequestTarget, human_bytes};
use crate::conversation::{
    Blob, Conversation, ModelTurn, Part, ReplyBuilder, RequestError, TurnBody, TurnId,
    TurnSettings, UserTurn, build_request,
};
use crate::gemini::{ApiError, ClientEvent, GeminiClient, Mode, Transfer, Transport};

/// A prompt to send.
#[derive(Debug, Clone)]
pub struct NewTurn {
    /// The model turn to continue from; `None` starts a new conversation root.
    pub parent: Option<TurnId>,
    pub prompt: String,
    pub attachments: Vec<Blob>,
    pub settings: TurnSettings,
    /// When it was sent (RFC 3339): given by the caller, so the studio's `update` reads no
    /// clock.
    pub created_at: String,
    /// The region of the parent's picture to edit, and the outlined copy that shows it.
    pub region: Option<RegionInput>,
}

/// A region edit as sent: where, and the copy of the edited picture with the region outlined
/// (made by [`crate::region::annotate`]).
#[derive(Debug, Clone)]
pub struct RegionInput {
    pub edit: RegionEdit,
    pub annotated: Blob,
    /// The edited picture's size in pixels.
    pub size: (u32, u32),
}

/// A request built for a prompt that is in the conversation but has no reply yet.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub prompt_turn: TurnId,
    /// Whether [`prepare`] added the prompt (and [`abandon`] should remove it).
    pub added_prompt: bool,
    pub request: PreparedRequest,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("The prompt is empty: type what you want to see or change.")]
    EmptyPrompt,
    #[error(transparent)]
    Attachment(#[from] crate::conversation::attachment::AttachmentError),
    #[error(transparent)]
    Tree(#[from] crate::conversation::tree::TreeError),
    #[error(transparent)]
    Request(#[from] RequestError),
}

/// Adds the prompt after `turn.parent` and builds its request. On error the conversation is
/// unchanged.
pub fn prepare(
    conversation: &mut Conversation,
    turn: NewTurn,
    target: &RequestTarget<'_>,
) -> Result<Prepared, PrepareError> {
    // A region says where, not what: it needs words.
    if turn.prompt.trim().is_empty() && (turn.attachments.is_empty() || turn.region.is_some()) {
        return Err(PrepareError::EmptyPrompt);
    }
    let region_images = usize::from(turn.region.is_some());
    let checked = turn
        .settings
        .validate(target.catalog, target.provider, target.listing)
        .and_then(|_| {
            turn.settings.check_reference_images(
                target.catalog,
                target.provider,
                turn.attachments.len() + region_images,
            )
        });
    checked.map_err(|e| PrepareError::Request(e.into()))?;
    let mut parts = Vec::with_capacity(3 + turn.attachments.len());
    if !turn.prompt.trim().is_empty() {
        parts.push(Part::text(turn.prompt));
    }
    // The instruction and the outlined copy belong to this prompt alone: earlier turns, their
    // pictures and signatures are sent as they were.
    let region = turn.region.map(|input| {
        parts.push(Part::text(region::instruction(&input.edit, input.size)));
        parts.push(Part::image(input.annotated));
        input.edit
    });
    parts.extend(turn.attachments.into_iter().map(Part::image));
    let user = UserTurn {
        parts,
        settings: turn.settings,
        region,
    };
    let previous_leaf = conversation.active_leaf();
    let prompt_turn = conversation.add_user(turn.parent, user, turn.created_at)?;
    match build_request(conversation, prompt_turn, target) {
        Ok(request) => Ok(Prepared {
            prompt_turn,
            added_prompt: true,
            request,
        }),
        Err(error) => {
            conversation.remove_leaf(prompt_turn);
            if let Some(leaf) = previous_leaf {
                let _ = conversation.activate(leaf);
            }
            Err(error.into())
        }
    }
}

/// Builds the request to answer an existing prompt again (a rerun adds a sibling reply).
pub fn prepare_rerun(
    conversation: &Conversation,
    turn: TurnId,
    target: &RequestTarget<'_>,
) -> Result<Prepared, PrepareError> {
    // A reply is rerun by answering its prompt again.
    let prompt_turn = match conversation.get(turn).map(|t| (&t.body, t.parent)) {
        Some((TurnBody::User(_), _)) => turn,
        Some((TurnBody::Model(_), Some(parent))) => parent,
        _ => return Err(crate::conversation::tree::TreeError::NoSuchTurn(turn).into()),
    };
    Ok(Prepared {
        prompt_turn,
        added_prompt: false,
        request: build_request(conversation, prompt_turn, target)?,
    })
}

/// Progress of a generation, for the screen.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Where the call stands on the wire.
    Transfer(Transfer),
    /// Parts that just arrived (thoughts, thought images, text deltas, images).
    Parts(Vec<Part>),
    /// The turn is being sent another way (over `to`), and `notice` says why in one line.
    /// `to` generate-content: the provider does not serve the Interactions API, so no later
    /// turn of the run should try it either.
    Fallback { to: Transport, notice: String },
}

/// Sends the request and gathers the reply; `on_progress` sees everything as it happens.
///
/// Over the Interactions API a turn falls back rather than fail: when the server no longer
/// has the interaction the turn continues (expired, deleted, never stored), it is sent again
/// with its whole path; when the provider answers 404 to the endpoint itself, it goes over
/// `generateContent`, as does every later turn of the run. Each says why in a
/// [`Progress::Fallback`].
pub async fn generate(
    client: &GeminiClient,
    request: &PreparedRequest,
    mode: Mode,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ModelTurn, ApiError> {
    const REFUSED: &str = "This provider does not serve the Interactions API";
    const GONE: &str = "Previous interaction not found (expired or not kept)";
    let mut rewritten;
    let mut request = request;
    // What another turn of this run already learnt (and said): no second notice.
    if request.transport == Transport::Interactions {
        let known = if client.interactions_refused() {
            Some((BodyForm::GenerateContent, REFUSED.to_string()))
        } else {
            request
                .previous_interaction
                .as_deref()
                .filter(|id| client.forgot_interaction(id))
                .map(|_| {
                    (
                        BodyForm::Interactions { continued: false },
                        GONE.to_string(),
                    )
                })
        };
        if let Some((form, why)) = known {
            rewritten = rewrite(request, form, &why)?;
            request = &rewritten;
        }
    }
    loop {
        let error = match send(client, request, mode, on_progress).await {
            Err(error) if request.transport == Transport::Interactions => error,
            result => return result,
        };
        let (form, why, first) = match refusal(&error, request) {
            Some(Refusal::ParentGone(id)) => (
                BodyForm::Interactions { continued: false },
                GONE.to_string(),
                client.forget_interaction(&id),
            ),
            Some(Refusal::Endpoint) => (
                BodyForm::GenerateContent,
                format!("{REFUSED} ({})", error.status().unwrap_or(404)),
                client.refuse_interactions(),
            ),
            None => return Err(error),
        };
        rewritten = rewrite(request, form, &why)?;
        if first {
            let notice = match form {
                BodyForm::GenerateContent => format!("{why}: using generateContent for this run."),
                _ => format!(
                    "{why}: resending the whole history ({}).",
                    human_bytes(rewritten.body.len() as u64)
                ),
            };
            on_progress(Progress::Fallback {
                to: rewritten.transport,
                notice,
            });
        }
        request = &rewritten;
    }
}

async fn send(
    client: &GeminiClient,
    request: &PreparedRequest,
    mode: Mode,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ModelTurn, ApiError> {
    let mut builder = ReplyBuilder::new();
    let mut interaction_id = None;
    let mut on_event = |event: ClientEvent<'_>| -> Result<(), ApiError> {
        match event {
            ClientEvent::Transfer(transfer) => on_progress(Progress::Transfer(transfer)),
            ClientEvent::Response(response) => {
                let added = builder.absorb(*response)?;
                if added > 0 {
                    let parts = &builder.partial().parts;
                    on_progress(Progress::Parts(parts[parts.len() - added..].to_vec()));
                }
            }
            ClientEvent::InteractionId(id) => interaction_id = Some(id),
        }
        Ok(())
    };
    match request.transport {
        Transport::GenerateContent => {
            client
                .generate(&request.model, request.body.clone(), mode, &mut on_event)
                .await?
        }
        Transport::Interactions => client.interact(request.body.clone(), &mut on_event).await?,
    }
    let mut reply = builder.finish(request.body.len() as u64)?;
    reply.interaction_id = interaction_id;
    reply.transport = request.transport;
    Ok(reply)
}

/// Why the Interactions API refused a turn, when another way may succeed.
enum Refusal {
    /// The interaction the turn continues is gone (its id).
    ParentGone(String),
    /// The provider does not serve the endpoint at all.
    Endpoint,
}

/// A not-found for a turn that names an earlier interaction is taken as that interaction
/// being gone, whatever its words ("Requested entity was not found." names nothing): the
/// turn goes again with its whole path, and a not-found for that one is about the endpoint.
/// A 400 that names the interaction is about it too. A not-found that names the model is the
/// model's, and no other transport would help.
fn refusal(error: &ApiError, request: &PreparedRequest) -> Option<Refusal> {
    let status = error.status()?;
    let message = error.to_string();
    if matches!(status, 404) && message.contains(&request.model) {
        return None;
    }
    if let Some(previous) = &request.previous_interaction
        && (status == 404 || (status == 400 && message.contains(previous.as_str())))
    {
        return Some(Refusal::ParentGone(previous.clone()));
    }
    matches!(status, 404 | 405 | 501).then_some(Refusal::Endpoint)
}

fn rewrite(
    request: &PreparedRequest,
    form: BodyForm,
    why: &str,
) -> Result<PreparedRequest, ApiError> {
    request
        .rewritten(form)
        .map_err(|error| ApiError::ResendFailed {
            why: why.to_string(),
            detail: error.to_string(),
        })
}

/// Adds the reply, received at `created_at` (RFC 3339), under its prompt; it becomes the
/// active leaf.
pub fn commit(
    conversation: &mut Conversation,
    prepared: &Prepared,
    reply: ModelTurn,
    created_at: String,
) -> Result<TurnId, crate::conversation::tree::TreeError> {
    conversation.add_model(prepared.prompt_turn, reply, created_at)
}

/// Takes back a prompt whose generation failed or was cancelled.
pub fn abandon(
    conversation: &mut Conversation,
    prepared: &Prepared,
    previous_leaf: Option<TurnId>,
) {
    if prepared.added_prompt {
        conversation.remove_leaf(prepared.prompt_turn);
    }
    if let Some(leaf) = previous_leaf {
        let _ = conversation.activate(leaf);
    }
}

/// The settings a prompt after `parent` starts from: those of the last prompt on the path to
/// it, so an edit keeps the aspect ratio and size of the picture it edits; `defaults` for a
/// new thread.
pub fn inherited_settings(
    conversation: &Conversation,
    parent: Option<TurnId>,
    defaults: &TurnSettings,
) -> TurnSettings {
    let path = parent.map(|p| conversation.path_to(p)).unwrap_or_default();
    path.iter()
        .rev()
        .find_map(|t| match &t.body {
            TurnBody::User(user) => Some(user.settings.clone()),
            TurnBody::Model(_) => None,
        })
        .unwrap_or_else(|| defaults.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::request::test_target::to;
    use crate::gemini::Transport;

    fn new_turn(parent: Option<TurnId>, prompt: &str) -> NewTurn {
        NewTurn {
            parent,
            prompt: prompt.into(),
            attachments: Vec::new(),
            settings: TurnSettings::default(),
            created_at: "2026-12-07T00:00:00Z".into(),
            region: None,
        }
    }

    #[test]
    fn a_refused_request_leaves_the_conversation_unchanged() {
        let mut conversation = Conversation::new();
        let before = conversation.clone();
        let error = prepare(&mut conversation, new_turn(None, "hello"), &to(10)).unwrap_err();
        assert!(matches!(
            error,
            PrepareError::Request(RequestError::TooLarge { .. })
        ));
        assert_eq!(conversation, before);
    }

    #[test]
    fn empty_prompts_and_bad_settings_are_refused_before_anything_changes() {
        let mut conversation = Conversation::new();
        assert!(matches!(
            prepare(&mut conversation, new_turn(None, "  "), &to(u64::MAX)),
            Err(PrepareError::EmptyPrompt)
        ));
        let mut turn = new_turn(None, "x");
        turn.settings.aspect_ratio = Some("7:5".into());
        assert!(prepare(&mut conversation, turn, &to(u64::MAX)).is_err());
        assert!(conversation.is_empty());
    }

    #[test]
    fn abandon_restores_the_previous_leaf() {
        let mut conversation = Conversation::new();
        let first = prepare(&mut conversation, new_turn(None, "one"), &to(u64::MAX)).unwrap();
        let reply = ModelTurn {
            parts: vec![Part::text("ok")],
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        };
        let m1 = commit(&mut conversation, &first, reply, String::new()).unwrap();
        let second = prepare(&mut conversation, new_turn(Some(m1), "two"), &to(u64::MAX)).unwrap();
        abandon(&mut conversation, &second, Some(m1));
        assert_eq!(conversation.active_leaf(), Some(m1));
        assert_eq!(conversation.turns().len(), 2);
    }

    #[test]
    fn settings_are_inherited_along_the_path() {
        let mut conversation = Conversation::new();
        let mut turn = new_turn(None, "one");
        turn.settings.aspect_ratio = Some("16:9".into());
        prepare(&mut conversation, turn, &to(u64::MAX)).unwrap();
        let leaf = conversation.active_leaf();
        let inherited = inherited_settings(&conversation, leaf, &TurnSettings::default());
        assert_eq!(inherited.aspect_ratio.as_deref(), Some("16:9"));
    }

    /// A prompt over the Interactions API after a reply the server kept as `v1_kept`.
    fn continued_request() -> PreparedRequest {
        let mut conversation = Conversation::new();
        let first = prepare(&mut conversation, new_turn(None, "one"), &to(u64::MAX)).unwrap();
        let reply = ModelTurn {
            parts: vec![Part::text("ok")],
            finish_reason: Some("STOP".into()),
            interaction_id: Some("v1_kept".into()),
            ..ModelTurn::default()
        };
        let m1 = commit(&mut conversation, &first, reply, String::new()).unwrap();
        let target = RequestTarget {
            transport: Transport::Interactions,
            ..to(u64::MAX)
        };
        let second = prepare(&mut conversation, new_turn(Some(m1), "two"), &target).unwrap();
        assert_eq!(
            second.request.previous_interaction.as_deref(),
            Some("v1_kept")
        );
        second.request
    }

    #[test]
    fn a_not_found_is_the_parent_s_then_the_endpoint_s_and_never_the_model_s() {
        let continued = continued_request();
        let not_found = |message: &str| ApiError::UnknownModel {
            message: message.into(),
        };
        let kind = |error: &ApiError, request: &PreparedRequest| match refusal(error, request) {
            Some(Refusal::ParentGone(id)) => format!("parent {id}"),
            Some(Refusal::Endpoint) => "endpoint".into(),
            None => "none".into(),
        };
        // Google's generic words name nothing: the parent is tried first.
        assert_eq!(
            kind(&not_found("Requested entity was not found."), &continued),
            "parent v1_kept"
        );
        assert_eq!(
            kind(&not_found("404 page not found"), &continued),
            "parent v1_kept"
        );
        let model = format!("models/{} is not found", continued.model);
        assert_eq!(kind(&not_found(&model), &continued), "none");
        let bad = ApiError::BadRequest {
            message: "previous_interaction_id v1_kept is invalid".into(),
        };
        assert_eq!(kind(&bad, &continued), "parent v1_kept");
        // Sent whole, a not-found can only be the endpoint's.
        let whole = continued
            .rewritten(BodyForm::Interactions { continued: false })
            .unwrap();
        assert_eq!(kind(&not_found("404 page not found"), &whole), "endpoint");
        let quota = ApiError::Quota {
            message: "slow down".into(),
            retry_after: None,
        };
        assert_eq!(kind(&quota, &whole), "none");
    }
}
