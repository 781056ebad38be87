//! What an export tells: the exchanges (a prompt and its reply) of a saved session, along the
//! active path or as the whole tree of branches, with every image version numbered once.

use std::collections::{HashMap, HashSet};

use crate::conversation::{Blob, Conversation, ModelTurn, Turn, TurnBody, TurnId, UserTurn};
use crate::gemini::wire::Source;
use crate::store::SavedSession;

use super::outcome::MAX_BRANCH_DEPTH;

/// Which turns to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathChoice {
    /// Root to the active leaf: what the studio shows and sends.
    Active,
    /// Every branch, the road not taken too.
    All,
}

pub struct Story<'s> {
    pub session: &'s SavedSession,
    /// The first prompt's first line, else the session's name.
    pub title: String,
    /// Every model the story's prompts asked, in order of first use.
    pub models: Vec<String>,
    pub thread: Thread<'s>,
}

/// Exchanges one after the other, then (with [`PathChoice::All`]) the branches that fork
/// after the last of them.
#[derive(Default)]
pub struct Thread<'s> {
    pub exchanges: Vec<Exchange<'s>>,
    pub branches: Vec<Branch<'s>>,
}

pub struct Branch<'s> {
    /// The branch holds the active leaf.
    pub active: bool,
    pub thread: Thread<'s>,
}

/// A prompt and the reply shown with it (none when the prompt got no answer).
pub struct Exchange<'s> {
    pub prompt: &'s Turn,
    pub user: &'s UserTurn,
    pub reply: Option<Reply<'s>>,
}

pub struct Reply<'s> {
    pub turn: &'s Turn,
    pub model: &'s ModelTurn,
    /// The number of this reply's first image among all of the session's versions.
    pub first_version: usize,
}

/// One image the model made, numbered in the order the session received them.
pub struct Version<'s> {
    pub number: usize,
    pub blob: &'s Blob,
    /// The reply's turn id.
    pub turn: TurnId,
    pub prompt: &'s UserTurn,
}

impl<'s> Story<'s> {
    /// The story of `session`; fails only when its branches nest deeper than
    /// [`MAX_BRANCH_DEPTH`] (returned).
    pub fn new(session: &'s SavedSession, choice: PathChoice) -> Result<Self, usize> {
        let conversation = &session.conversation;
        let active: HashSet<TurnId> = conversation.active_path().iter().map(|t| t.id).collect();
        let numbers = first_versions(conversation);
        let thread = build_thread(conversation, &active, &numbers, choice)?;
        let (mut models, mut title) = (Vec::new(), None);
        thread.walk(&mut |exchange| {
            if !models.contains(&exchange.user.settings.model) {
                models.push(exchange.user.settings.model.clone());
            }
            if title.is_none() {
                let prompt = exchange.user.prompt();
                title = prompt
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_string);
            }
        });
        // The first prompt's first line (the first branch's, when the story starts with
        // several), else the session's name.
        let title = title.unwrap_or_else(|| session.name.clone());
        Ok(Self {
            session,
            title,
            models,
            thread,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.thread.exchanges.is_empty() && self.thread.branches.is_empty()
    }

    /// The model's images in reading order: the thread, then each branch depth first.
    pub fn versions(&self) -> Vec<Version<'s>> {
        let mut versions = Vec::new();
        self.thread.walk(&mut |exchange| {
            if let Some(reply) = &exchange.reply {
                versions.extend(reply.versions().map(|(number, blob)| Version {
                    number,
                    blob,
                    turn: reply.turn.id,
                    prompt: exchange.user,
                }));
            }
        });
        versions
    }
}

impl<'s> Thread<'s> {
    /// Calls `visit` on every exchange in reading order.
    pub fn walk(&self, visit: &mut impl FnMut(&Exchange<'s>)) {
        for exchange in &self.exchanges {
            visit(exchange);
        }
        for branch in &self.branches {
            branch.thread.walk(visit);
        }
    }
}

/// How an exported image is told apart: its file name (without extension) beside the
/// export, the sentence that names it (alt text, problems) and its caption.
pub struct Label {
    pub name: String,
    pub what: String,
    pub caption: Option<String>,
}

impl<'s> Exchange<'s> {
    /// The images attached to the prompt, labelled.
    /// A region edit's first image is the edited version with the region outlined: labelled
    /// so, with where the region is.
    pub fn attachments(&self) -> impl Iterator<Item = (&'s Blob, Label)> + use<'s> {
        let turn = self.prompt.id;
        let region = self.user.region;
        let images = self.user.parts.iter().filter_map(|p| p.as_image());
        images.zip(1..).map(move |(blob, number)| {
            let label = match region {
                Some(edit) if number == 1 => Label {
                    name: format!("turn{turn}-region"),
                    what: format!(
                        "The edited picture with the region of turn {turn} outlined in {}",
                        edit.outline.name()
                    ),
                    caption: Some(format!("region {}", edit.region)),
                },
                _ => Label {
                    name: format!("turn{turn}-attachment{number}"),
                    what: format!("Attachment {number} of turn {turn}"),
                    caption: None,
                },
            };
            (blob, label)
        })
    }
}

impl<'s> Reply<'s> {
    /// The final images, labelled with their version number and pixel size.
    pub fn labelled_versions(&self) -> impl Iterator<Item = (&'s Blob, Label)> + use<'s> {
        let turn = self.turn.id;
        self.versions().map(move |(number, blob)| {
            let size = blob
                .dimensions()
                .map(|(w, h)| format!(" · {w} × {h} px"))
                .unwrap_or_default();
            let label = Label {
                name: format!("v{number:02}-turn{turn}"),
                what: format!("Version {number} (turn {turn})"),
                caption: Some(format!("v{number}{size}")),
            };
            (blob, label)
        })
    }

    /// The final images with their version numbers.
    pub fn versions(&self) -> impl Iterator<Item = (usize, &'s Blob)> + use<'s> {
        let first = self.first_version;
        self.model
            .shown_images()
            .enumerate()
            .map(move |(i, blob)| (first + i, blob))
    }

    /// Cited sources with a web link, numbered from 1 in the order the model gave them.
    pub fn sources(&self) -> Vec<&'s Source> {
        self.model
            .grounding
            .as_ref()
            .map(|g| g.sources().collect())
            .unwrap_or_default()
    }
}

/// What a source is called: its title, else its address.
pub fn source_title(source: &Source) -> &str {
    source
        .title
        .as_deref()
        .or(source.uri.as_deref())
        .unwrap_or("untitled")
}

/// The link of a source, if it is a web address: anything else (`javascript:`, `data:`) from a
/// tampered document must never become a link.
pub fn web_link(source: &Source) -> Option<&str> {
    let uri = source.uri.as_deref()?.trim();
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(uri)
}

/// The settings a prompt was sent with, in words.
pub fn settings_words(user: &UserTurn) -> Vec<String> {
    let settings = &user.settings;
    let mut words = vec![settings.model.clone()];
    words.extend(settings.aspect_ratio.clone());
    words.extend(settings.image_size.map(|size| size.to_string()));
    if settings.google_search {
        words.push("Google Search".into());
    }
    if settings.image_only {
        words.push("image only".into());
    }
    words
}

/// "2026-11-30 10:03 UTC" from an RFC 3339 stamp; the stamp as it is if it does not parse.
pub fn human_date(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|t| {
            t.to_offset(time::UtcOffset::UTC)
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute] UTC"
                ))
                .ok()
        })
        .unwrap_or_else(|| rfc3339.to_string())
}

/// A thread being built: its exchanges, and the threads its branches start (indices into the
/// builder's arena, always greater than its own), with whether each holds the active leaf.
#[derive(Default)]
struct PendingThread<'s> {
    exchanges: Vec<Exchange<'s>>,
    branches: Vec<(bool, usize)>,
    depth: usize,
}

/// The story's threads, built without recursion: a chain of 50,000 turns is one flat thread,
/// and only forks nest. Fails when forks nest deeper than [`MAX_BRANCH_DEPTH`].
fn build_thread<'s>(
    conversation: &'s Conversation,
    active: &HashSet<TurnId>,
    numbers: &HashMap<TurnId, usize>,
    choice: PathChoice,
) -> Result<Thread<'s>, usize> {
    // Each turn's children, found once: asking the conversation for them at every step would
    // make a long chain quadratic.
    let children = conversation.children_index();
    let mut arena: Vec<PendingThread<'s>> = vec![PendingThread::default()];
    // (thread, the reply whose followers continue it; None for the conversation's start)
    let mut work: Vec<(usize, Option<TurnId>)> = vec![(0, None)];
    while let Some((index, mut after)) = work.pop() {
        loop {
            let mut next = exchanges_after(&children, after, active, numbers, choice);
            if next.len() == 1 {
                let (exchange, _, follow) = next.remove(0);
                arena[index].exchanges.push(exchange);
                match follow {
                    Some(reply) => after = Some(reply),
                    None => break,
                }
                continue;
            }
            let depth = arena[index].depth + 1;
            if !next.is_empty() && depth > MAX_BRANCH_DEPTH {
                return Err(depth);
            }
            for (exchange, is_active, follow) in next {
                let child = arena.len();
                arena.push(PendingThread {
                    exchanges: vec![exchange],
                    branches: Vec::new(),
                    depth,
                });
                arena[index].branches.push((is_active, child));
                if let Some(reply) = follow {
                    work.push((child, Some(reply)));
                }
            }
            break;
        }
    }
    // Children come after their parents in the arena: built from the end, each thread's
    // branches are complete when it is.
    let mut built: Vec<Option<Thread<'s>>> = Vec::with_capacity(arena.len());
    built.resize_with(arena.len(), || None);
    while let Some(pending) = arena.pop() {
        let branches = pending
            .branches
            .into_iter()
            .map(|(active, child)| Branch {
                active,
                thread: built[child].take().unwrap_or_default(),
            })
            .collect();
        built[arena.len()] = Some(Thread {
            exchanges: pending.exchanges,
            branches,
        });
    }
    Ok(built.first_mut().and_then(Option::take).unwrap_or_default())
}

/// The exchanges that start after `parent` (a reply, or `None` for the roots): one per reply
/// of each prompt there (a rerun is a branch), or the prompt alone if it got none. Each comes
/// with whether it holds the active leaf and the reply its followers come after.
fn exchanges_after<'s>(
    children: &HashMap<Option<TurnId>, Vec<&'s Turn>>,
    parent: Option<TurnId>,
    active: &HashSet<TurnId>,
    numbers: &HashMap<TurnId, usize>,
    choice: PathChoice,
) -> Vec<(Exchange<'s>, bool, Option<TurnId>)> {
    let none = Vec::new();
    let mut exchanges = Vec::new();
    for &prompt in children.get(&parent).unwrap_or(&none) {
        let TurnBody::User(user) = &prompt.body else {
            continue;
        };
        let replies = children.get(&Some(prompt.id)).unwrap_or(&none);
        let keep = |id: TurnId| choice == PathChoice::All || active.contains(&id);
        if replies.is_empty() && keep(prompt.id) {
            let exchange = Exchange {
                prompt,
                user,
                reply: None,
            };
            exchanges.push((exchange, active.contains(&prompt.id), None));
        }
        for &turn in replies {
            let TurnBody::Model(model) = &turn.body else {
                continue;
            };
            if !keep(turn.id) {
                continue;
            }
            let exchange = Exchange {
                prompt,
                user,
                reply: Some(Reply {
                    turn,
                    model,
                    first_version: numbers.get(&turn.id).copied().unwrap_or(1),
                }),
            };
            exchanges.push((exchange, active.contains(&turn.id), Some(turn.id)));
        }
    }
    exchanges
}

/// Each reply's first version number, counting final images through the whole session in the
/// order they arrived, so a version keeps its number whichever path is exported.
/// The number of each reply's first image among the session's versions, as the studio
/// numbers them ([`Conversation::version_numbers`]).
fn first_versions(conversation: &Conversation) -> HashMap<TurnId, usize> {
    conversation
        .version_numbers()
        .into_iter()
        .filter_map(|(turn, numbers)| Some((turn, *numbers.first()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Part;
    use crate::conversation::tree::tests::prompt;

    fn reply(blob: &[u8]) -> ModelTurn {
        let image = Blob::from_bytes("image/png", bytes::Bytes::copy_from_slice(blob));
        ModelTurn {
            parts: vec![Part::image(image)],
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        }
    }

    fn saved(conversation: Conversation) -> SavedSession {
        SavedSession {
            name: "s".into(),
            dir: "/nowhere".into(),
            created_at: String::new(),
            updated_at: String::new(),
            conversation,
        }
    }

    fn prompts(thread: &Thread<'_>) -> Vec<(TurnId, Option<TurnId>)> {
        let mut seen = Vec::new();
        thread.walk(&mut |e| seen.push((e.prompt.id, e.reply.as_ref().map(|r| r.turn.id))));
        seen
    }

    /// A rerun (two replies to one prompt) is a fork too, and a prompt left without a reply
    /// still shows; versions keep their session-wide numbers on either path.
    #[test]
    fn reruns_fork_and_versions_keep_their_numbers() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("draw"), String::new()).unwrap();
        let m1 = c.add_model(u1, reply(b"a"), String::new()).unwrap();
        let m2 = c.add_model(u1, reply(b"b"), String::new()).unwrap();
        let u2 = c
            .add_user(Some(m2), prompt("unanswered"), String::new())
            .unwrap();
        c.activate(m1).unwrap();
        let session = saved(c);

        let all = Story::new(&session, PathChoice::All).unwrap();
        assert!(all.thread.exchanges.is_empty(), "the story forks at once");
        assert_eq!(all.thread.branches.len(), 2);
        assert!(all.thread.branches[0].active && !all.thread.branches[1].active);
        assert_eq!(
            prompts(&all.thread),
            [(u1, Some(m1)), (u1, Some(m2)), (u2, None)]
        );
        let numbers: Vec<usize> = all.versions().iter().map(|v| v.number).collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(all.title, "draw");

        let active = Story::new(&session, PathChoice::Active).unwrap();
        assert_eq!(prompts(&active.thread), [(u1, Some(m1))]);
        assert!(active.thread.branches.is_empty());
        let second = Story::new(&session, PathChoice::Active).unwrap();
        assert_eq!(second.versions()[0].number, 1);
    }

    #[test]
    fn only_web_addresses_become_links() {
        let source = |uri: &str| Source {
            uri: Some(uri.into()),
            ..Source::default()
        };
        assert_eq!(
            web_link(&source("HTTPS://a.example/x")),
            Some("HTTPS://a.example/x")
        );
        assert_eq!(web_link(&source("javascript:alert(1)")), None);
        assert_eq!(web_link(&source("data:text/html,<b>")), None);
        assert_eq!(
            source_title(&source("http://b.example")),
            "http://b.example"
        );
    }
}
