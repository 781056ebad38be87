//! The conversation as a tree of turns.
//!
//! A user turn's children are model replies (several when a turn was rerun); a model turn's
//! children are the next user prompts (several when the conversation branched there). Prompts
//! with no parent start the conversation; several of them are sibling branches too. Nothing is
//! ever overwritten: rerunning or editing adds a sibling. The *active path* — from a root to
//! the active leaf — is what gets sent and shown.

use serde::{Deserialize, Serialize};

use super::part::Part;
use super::settings::TurnSettings;
use crate::gemini::wire::{GroundingMetadata, PromptFeedback, SafetyRating, UsageMetadata};

pub use super::id::TurnId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Turn {
    pub id: TurnId,
    #[serde(default)]
    pub parent: Option<TurnId>,
    /// RFC 3339, UTC.
    pub created_at: String,
    #[serde(flatten)]
    pub body: TurnBody,
}

// Turns live in one Vec and most are replies: boxing the larger variant would only add an
// indirection to every reply to save a few hundred bytes per prompt.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "camelCase")]
pub enum TurnBody {
    User(UserTurn),
    Model(ModelTurn),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTurn {
    /// The prompt text first, then the attached images (for a region edit, the outlined
    /// copy first).
    pub parts: Vec<Part>,
    pub settings: TurnSettings,
    /// The part of a version's picture this prompt edits, when the user marked one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<super::region::RegionEdit>,
}

impl UserTurn {
    /// What the user typed: for a region edit, without the instruction sent after it.
    pub fn prompt(&self) -> String {
        let texts = self.parts.iter().filter_map(Part::as_text);
        let typed = if self.region.is_some() { 1 } else { usize::MAX };
        texts.take(typed).collect::<Vec<_>>().join("\n")
    }
}

/// The model's reply, every part exactly as received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelTurn {
    pub parts: Vec<Part>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_feedback: Option<PromptFeedback>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_ratings: Vec<SafetyRating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grounding: Option<GroundingMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    /// Size of the request body that produced this reply.
    #[serde(default)]
    pub request_bytes: u64,
    /// Set when the reply is one of several variations of its prompt sent at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variation: Option<Variation>,
    /// For a region edit that keeps the rest of the picture: each final image as shown (the
    /// model's picture inside the region over the edited version outside it), in the order of
    /// [`ModelTurn::images`]. The parts keep the model's own pictures, sent back byte for byte.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composites: Vec<super::Blob>,
    /// The id the server gave the interaction that carried this reply (Interactions API): the
    /// next prompt after it names it, and sends only itself. `None` for a reply carried by
    /// `generateContent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_id: Option<String>,
    /// Which endpoint carried the reply.
    #[serde(default, skip_serializing_if = "crate::gemini::Transport::is_default")]
    pub transport: crate::gemini::Transport,
}

/// A reply's place in a batch of variations: candidate `number` of `of` (from 1), asked for
/// with `seed`. A batch's seeds are consecutive, so `seed - number` names the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variation {
    pub number: u8,
    pub of: u8,
    pub seed: i32,
}

impl Variation {
    /// The same for every candidate of one batch (seeds are 31-bit and may wrap to 0).
    fn batch(self) -> u32 {
        (self.seed as u32).wrapping_sub(u32::from(self.number)) & 0x7fff_ffff
    }
}

impl ModelTurn {
    /// The answer's text (thoughts excluded), deltas joined.
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .filter(|p| !p.thought)
            .filter_map(Part::as_text)
            .collect()
    }

    /// Thought summaries, one entry each: consecutive thought text joined, then cut at each
    /// summary's bold heading (see [`super::thoughts`]).
    pub fn thoughts(&self) -> Vec<String> {
        self.thought_runs()
            .iter()
            .flat_map(|run| super::thoughts::split_summaries(run))
            .collect()
    }

    /// Runs of consecutive thought text, deltas joined.
    fn thought_runs(&self) -> Vec<String> {
        let mut thoughts: Vec<String> = Vec::new();
        let mut previous_was_thought_text = false;
        for part in &self.parts {
            match (part.thought, part.as_text()) {
                (true, Some(text)) => {
                    match thoughts.last_mut() {
                        Some(last) if previous_was_thought_text => last.push_str(text),
                        _ => thoughts.push(text.to_string()),
                    }
                    previous_was_thought_text = true;
                }
                _ => previous_was_thought_text = false,
            }
        }
        thoughts
    }

    /// The model's final images, in order.
    pub fn images(&self) -> impl Iterator<Item = &super::Blob> {
        self.parts
            .iter()
            .filter(|p| !p.thought)
            .filter_map(Part::as_image)
    }

    /// Each image part with the picture shown for it: a final image's composite when the
    /// reply has them (a region edit that kept the rest), else its own.
    pub fn image_parts_shown(&self) -> impl Iterator<Item = (&Part, &super::Blob)> {
        let mut composites = self.composites.iter();
        self.parts.iter().filter_map(move |part| {
            let own = part.as_image()?;
            let shown = match part.thought {
                true => own,
                false => composites.next().unwrap_or(own),
            };
            Some((part, shown))
        })
    }

    /// The final images as the studio shows, saves, compares and exports them.
    pub fn shown_images(&self) -> impl Iterator<Item = &super::Blob> {
        self.image_parts_shown()
            .filter(|(part, _)| !part.thought)
            .map(|(_, blob)| blob)
    }

    /// Whether a final image decodes as a picture: a part that claims to be an image but is
    /// HTML, a script or noise does not count.
    pub fn has_picture(&self) -> bool {
        self.images().any(|blob| blob.dimensions().is_some())
    }

    /// The interim "thought" images.
    pub fn thought_images(&self) -> impl Iterator<Item = &super::Blob> {
        self.parts
            .iter()
            .filter(|p| p.thought)
            .filter_map(Part::as_image)
    }

    /// Whether the reply carries anything that can be sent back as history. A blocked prompt or
    /// an empty reply cannot: an empty model content is rejected by the API.
    pub fn has_content(&self) -> bool {
        self.parts.iter().any(|p| !p.thought)
    }

    pub fn block_reason(&self) -> Option<&str> {
        self.prompt_feedback.as_ref()?.block_reason.as_deref()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    turns: Vec<Turn>,
    #[serde(default)]
    active_leaf: Option<TurnId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("There is no turn {0} in this session.")]
    NoSuchTurn(TurnId),
    #[error(
        "Turn {0} is a prompt, not a reply: continue after a model turn (or rerun this prompt)."
    )]
    NotAReply(TurnId),
    #[error("Turn {0} is a reply, not a prompt.")]
    NotAPrompt(TurnId),
    #[error("The session document is inconsistent: {0}")]
    Inconsistent(String),
}

impl Conversation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    pub fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }

    pub fn get(&self, id: TurnId) -> Option<&Turn> {
        // Ids are dense and ordered, so the id is (almost always) the index + 1.
        let guess = (id.0 as usize).checked_sub(1)?;
        match self.turns.get(guess) {
            Some(turn) if turn.id == id => Some(turn),
            _ => self.turns.iter().find(|t| t.id == id),
        }
    }

    pub fn active_leaf(&self) -> Option<TurnId> {
        self.active_leaf
    }

    pub fn next_id(&self) -> TurnId {
        TurnId(self.turns.iter().map(|t| t.id.0).max().unwrap_or(0) + 1)
    }

    /// Turns from a root to `leaf`, root first.
    pub fn path_to(&self, leaf: TurnId) -> Vec<&Turn> {
        let mut path = Vec::new();
        let mut cursor = self.get(leaf);
        while let Some(turn) = cursor {
            path.push(turn);
            // Bounded: a cycle in a hand-edited document must not loop forever.
            if path.len() > self.turns.len() {
                break;
            }
            cursor = turn.parent.and_then(|p| self.get(p));
        }
        path.reverse();
        path
    }

    /// The active path, root first.
    pub fn active_path(&self) -> Vec<&Turn> {
        self.active_leaf
            .map(|leaf| self.path_to(leaf))
            .unwrap_or_default()
    }

    pub fn children(&self, id: Option<TurnId>) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(move |t| t.parent == id)
    }

    /// The version number of every reply's final images, counted over the whole session in
    /// the order the replies came (v1, v2…), whichever branch they are on — except that the
    /// candidates of one batch of variations are numbered together, in candidate order, where
    /// the first of them came (so candidate 1 is the lowest whatever order they finished in).
    pub fn version_numbers(&self) -> std::collections::HashMap<TurnId, Vec<usize>> {
        let mut batch_starts: std::collections::HashMap<(Option<TurnId>, u32), usize> =
            std::collections::HashMap::new();
        let mut replies: Vec<((usize, u8), &Turn, &ModelTurn)> = Vec::new();
        for (arrival, turn) in self.turns.iter().enumerate() {
            if let TurnBody::Model(reply) = &turn.body {
                let place = match reply.variation {
                    Some(variation) => {
                        let start = *batch_starts
                            .entry((turn.parent, variation.batch()))
                            .or_insert(arrival);
                        (start, variation.number)
                    }
                    None => (arrival, 0),
                };
                replies.push((place, turn, reply));
            }
        }
        replies.sort_by_key(|(place, _, _)| *place);
        let mut numbers = std::collections::HashMap::new();
        let mut version = 0;
        for (_, turn, reply) in replies {
            let versions = reply
                .images()
                .map(|_| {
                    version += 1;
                    version
                })
                .collect();
            numbers.insert(turn.id, versions);
        }
        numbers
    }

    /// The one name of a reply's picture ("v7"): its last final image's version.
    pub fn version_name(&self, reply: TurnId) -> Option<String> {
        let version = *self.version_numbers().get(&reply)?.last()?;
        Some(format!("v{version}"))
    }

    /// The turn and its siblings (same parent), oldest first.
    /// Every turn's children, in one pass: for whoever needs them for many turns (a view of
    /// a 50,000-turn path, an export), where [`Conversation::children`] at each would be
    /// quadratic.
    pub fn children_index(&self) -> std::collections::HashMap<Option<TurnId>, Vec<&Turn>> {
        let mut index: std::collections::HashMap<Option<TurnId>, Vec<&Turn>> =
            std::collections::HashMap::new();
        for turn in &self.turns {
            index.entry(turn.parent).or_default().push(turn);
        }
        index
    }

    pub fn siblings(&self, id: TurnId) -> Vec<TurnId> {
        match self.get(id) {
            Some(turn) => self.children(turn.parent).map(|t| t.id).collect(),
            None => Vec::new(),
        }
    }

    /// Adds a prompt after `parent` (a model turn, or `None` for a new root). It becomes the
    /// active leaf.
    pub fn add_user(
        &mut self,
        parent: Option<TurnId>,
        turn: UserTurn,
        created_at: String,
    ) -> Result<TurnId, TreeError> {
        if let Some(parent) = parent {
            match self.get(parent).map(|t| &t.body) {
                None => return Err(TreeError::NoSuchTurn(parent)),
                Some(TurnBody::User(_)) => return Err(TreeError::NotAReply(parent)),
                Some(TurnBody::Model(_)) => {}
            }
        }
        Ok(self.push(parent, TurnBody::User(turn), created_at))
    }

    /// Adds a reply to the prompt `parent`. It becomes the active leaf.
    pub fn add_model(
        &mut self,
        parent: TurnId,
        turn: ModelTurn,
        created_at: String,
    ) -> Result<TurnId, TreeError> {
        match self.get(parent).map(|t| &t.body) {
            None => Err(TreeError::NoSuchTurn(parent)),
            Some(TurnBody::Model(_)) => Err(TreeError::NotAPrompt(parent)),
            Some(TurnBody::User(_)) => {
                Ok(self.push(Some(parent), TurnBody::Model(turn), created_at))
            }
        }
    }

    fn push(&mut self, parent: Option<TurnId>, body: TurnBody, created_at: String) -> TurnId {
        let id = self.next_id();
        self.turns.push(Turn {
            id,
            parent,
            created_at,
            body,
        });
        self.active_leaf = Some(id);
        id
    }

    /// Removes `id` if it has no children: undoes a prompt whose generation failed, so a
    /// failed call leaves the session as it was. Other turns may have been added since (other
    /// jobs running at the same time); they keep their ids.
    pub fn remove_leaf(&mut self, id: TurnId) -> bool {
        let Some(index) = self.turns.iter().rposition(|t| t.id == id) else {
            return false;
        };
        if self.children(Some(id)).next().is_some() {
            return false;
        }
        let parent = self.turns.remove(index).parent;
        if self.active_leaf == Some(id) {
            self.active_leaf = parent.map(|p| self.newest_leaf_under(p));
        }
        true
    }

    /// Makes `id` part of the active path: the active leaf becomes the newest leaf below it.
    pub fn activate(&mut self, id: TurnId) -> Result<(), TreeError> {
        if self.get(id).is_none() {
            return Err(TreeError::NoSuchTurn(id));
        }
        self.active_leaf = Some(self.newest_leaf_under(id));
        Ok(())
    }

    /// The most recently added leaf in the subtree of `id`.
    pub fn newest_leaf_under(&self, id: TurnId) -> TurnId {
        let mut leaf = id;
        // Walk down, always into the newest child: that is where the person last worked.
        for _ in 0..self.turns.len() {
            match self.children(Some(leaf)).map(|t| t.id).max() {
                Some(child) => leaf = child,
                None => break,
            }
        }
        leaf
    }

    /// Checks what a document read from disk may have got wrong: unique ids, parents that
    /// exist and come earlier, roles that alternate, an active leaf that exists.
    pub fn check(&self) -> Result<(), TreeError> {
        let mut seen = std::collections::HashSet::new();
        for turn in &self.turns {
            if !seen.insert(turn.id) {
                return Err(TreeError::Inconsistent(format!(
                    "turn {} appears twice",
                    turn.id
                )));
            }
            let parent_body = match turn.parent {
                None => None,
                Some(parent) if parent >= turn.id || !seen.contains(&parent) => {
                    return Err(TreeError::Inconsistent(format!(
                        "turn {} names parent {parent}, which does not come before it",
                        turn.id
                    )));
                }
                Some(parent) => self.get(parent).map(|p| &p.body),
            };
            let alternates = matches!(
                (parent_body, &turn.body),
                (None | Some(TurnBody::Model(_)), TurnBody::User(_))
                    | (Some(TurnBody::User(_)), TurnBody::Model(_))
            );
            if !alternates {
                return Err(TreeError::Inconsistent(format!(
                    "turn {} does not alternate between prompt and reply",
                    turn.id
                )));
            }
        }
        if let Some(leaf) = self.active_leaf
            && self.get(leaf).is_none()
        {
            return Err(TreeError::Inconsistent(format!(
                "the active turn {leaf} does not exist"
            )));
        }
        Ok(())
    }

    /// Every part of every turn, for the store to walk blobs.
    pub fn parts(&self) -> impl Iterator<Item = &Part> {
        self.turns.iter().flat_map(|t| match &t.body {
            TurnBody::User(u) => u.parts.iter(),
            TurnBody::Model(m) => m.parts.iter(),
        })
    }

    /// Sets the composites of the reply `turn` (see [`ModelTurn::composites`]).
    pub fn set_composites(
        &mut self,
        turn: TurnId,
        composites: Vec<super::Blob>,
    ) -> Result<(), TreeError> {
        match self
            .turns
            .iter_mut()
            .find(|t| t.id == turn)
            .map(|t| &mut t.body)
        {
            Some(TurnBody::Model(reply)) => {
                reply.composites = composites;
                Ok(())
            }
            Some(TurnBody::User(_)) => Err(TreeError::NotAReply(turn)),
            None => Err(TreeError::NoSuchTurn(turn)),
        }
    }

    /// Every image the session holds: those of the parts, and the composites of region
    /// edits.
    pub fn blobs(&self) -> impl Iterator<Item = &super::Blob> {
        let composites = self.turns.iter().flat_map(|t| match &t.body {
            TurnBody::Model(m) => m.composites.iter(),
            TurnBody::User(_) => [].iter(),
        });
        self.parts().filter_map(Part::as_image).chain(composites)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plain text prompt with default settings (other modules' tests use it too).
    pub(crate) fn prompt(text: &str) -> UserTurn {
        UserTurn {
            parts: vec![Part::text(text)],
            settings: TurnSettings::default(),
            region: None,
        }
    }

    fn reply(text: &str) -> ModelTurn {
        ModelTurn {
            parts: vec![Part::text(text)],
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        }
    }

    fn now() -> String {
        "2026-01-01T00:00:00Z".into()
    }

    fn picture(variation: Option<Variation>) -> ModelTurn {
        let blob = crate::blob::Blob::from_bytes("image/png", bytes::Bytes::from_static(b"png"));
        ModelTurn {
            parts: vec![Part::image(blob)],
            finish_reason: Some("STOP".into()),
            variation,
            ..ModelTurn::default()
        }
    }

    #[test]
    fn a_batchs_candidates_are_numbered_in_candidate_order_whatever_order_they_came_in() {
        let mut c = Conversation::new();
        let first = c.add_user(None, prompt("tea"), now()).unwrap();
        let v1 = c.add_model(first, picture(None), now()).unwrap();
        let vary = c.add_user(Some(v1), prompt("bigger"), now()).unwrap();
        let candidate = |number, seed| {
            Some(Variation {
                number,
                of: 3,
                seed,
            })
        };
        // Candidates 3, then 1 (an unrelated reply on another branch between them), then 2;
        // this batch's seeds start at i32::MAX - 1, so they wrap to 0 and the batch holds.
        let c3 = c.add_model(vary, picture(candidate(3, 0)), now()).unwrap();
        let other = c.add_user(Some(v1), prompt("other"), now()).unwrap();
        let unrelated = c.add_model(other, picture(None), now()).unwrap();
        let c1 = c
            .add_model(vary, picture(candidate(1, i32::MAX - 1)), now())
            .unwrap();
        let c2 = c
            .add_model(vary, picture(candidate(2, i32::MAX)), now())
            .unwrap();
        // A second batch on the same prompt, one candidate so far: after the first batch.
        let again = c
            .add_model(vary, picture(candidate(1, 500)), now())
            .unwrap();
        let numbers = c.version_numbers();
        let version = |turn| numbers[&turn][0];
        assert_eq!(version(v1), 1);
        assert_eq!(
            [version(c1), version(c2), version(c3)],
            [2, 3, 4],
            "in candidate order, where the batch's first reply came"
        );
        assert_eq!(version(unrelated), 5);
        assert_eq!(version(again), 6);
        // Kept in the session: a reload numbers them the same.
        let json = serde_json::to_string(&c).unwrap();
        let back: Conversation = serde_json::from_str(&json).unwrap();
        assert_eq!(back.version_numbers(), numbers);
    }

    #[test]
    fn branching_keeps_both_branches_and_sends_only_the_active_one() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("infographic"), now()).unwrap();
        let m1 = c.add_model(u1, reply("v1"), now()).unwrap();
        let u2 = c.add_user(Some(m1), prompt("bigger title"), now()).unwrap();
        let m2 = c.add_model(u2, reply("v2"), now()).unwrap();
        // Branch from m1 again.
        let u3 = c.add_user(Some(m1), prompt("blue palette"), now()).unwrap();
        let m3 = c.add_model(u3, reply("v3"), now()).unwrap();
        let ids: Vec<_> = c.active_path().iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![u1, m1, u3, m3]);
        assert_eq!(c.siblings(u3), vec![u2, u3]);
        c.activate(u2).unwrap();
        let ids: Vec<_> = c.active_path().iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![u1, m1, u2, m2]);
        assert!(c.check().is_ok());
    }

    #[test]
    fn rerun_adds_a_sibling_reply() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("x"), now()).unwrap();
        let first = c.add_model(u1, reply("a"), now()).unwrap();
        let second = c.add_model(u1, reply("b"), now()).unwrap();
        assert_eq!(c.siblings(first), vec![first, second]);
        assert_eq!(c.active_leaf(), Some(second));
    }

    #[test]
    fn roles_must_alternate() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("x"), now()).unwrap();
        assert_eq!(
            c.add_user(Some(u1), prompt("y"), now()),
            Err(TreeError::NotAReply(u1))
        );
        assert_eq!(
            c.add_model(TurnId(9), reply("y"), now()),
            Err(TreeError::NoSuchTurn(TurnId(9)))
        );
    }

    #[test]
    fn removing_a_failed_prompt_restores_the_previous_leaf() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("x"), now()).unwrap();
        let m1 = c.add_model(u1, reply("a"), now()).unwrap();
        let u2 = c.add_user(Some(m1), prompt("y"), now()).unwrap();
        assert!(c.remove_leaf(u2));
        assert_eq!(c.active_leaf(), Some(m1));
        assert_eq!(c.turns().len(), 2);
        assert!(!c.remove_leaf(u1), "a turn with children stays");
    }

    #[test]
    fn a_failed_prompt_is_removed_even_when_others_were_added_since() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("x"), now()).unwrap();
        let m1 = c.add_model(u1, reply("a"), now()).unwrap();
        let failing = c.add_user(Some(m1), prompt("y"), now()).unwrap();
        let other = c.add_user(Some(m1), prompt("z"), now()).unwrap();
        let answered = c.add_model(other, reply("b"), now()).unwrap();
        assert!(c.remove_leaf(failing));
        assert_eq!(c.turns().len(), 4);
        assert_eq!(c.get(answered).map(|t| t.parent), Some(Some(other)));
        assert_eq!(c.active_leaf(), Some(answered));
        assert!(c.check().is_ok());
    }

    #[test]
    fn check_rejects_cycles_and_dangling_parents() {
        let json = r#"{"turns":[{"id":1,"parent":2,"createdAt":"x","role":"user","parts":[],"settings":{"model":"m"}},
                               {"id":2,"parent":1,"createdAt":"x","role":"model","parts":[]}],"activeLeaf":2}"#;
        let c: Conversation = serde_json::from_str(json).unwrap();
        assert!(matches!(c.check(), Err(TreeError::Inconsistent(_))));
        assert_eq!(
            c.path_to(TurnId(2)).len(),
            3,
            "a cycle is walked a bounded number of times"
        );
    }
}
