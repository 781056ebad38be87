//! The session tree's rows and selection: built in one pass over the turns, drawn by
//! `view::tree`.

use std::collections::{HashMap, HashSet};

use crate::conversation::{Conversation, TurnBody, TurnId};
use crate::tui::state::jobs::Jobs;

/// The view's state: the selected row.
#[derive(Debug, Default)]
pub struct TreeView {
    pub selected: usize,
}

impl TreeView {
    /// Opens on the active leaf.
    pub fn at_active(rows: &[TreeRow], active: Option<TurnId>) -> Self {
        Self {
            selected: rows
                .iter()
                .position(|r| Some(r.turn) == active)
                .unwrap_or(0),
        }
    }

    pub fn step(&mut self, by: isize, len: usize) {
        self.selected = self
            .selected
            .saturating_add_signed(by)
            .min(len.saturating_sub(1));
    }
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeRow {
    pub turn: TurnId,
    /// Branch glyphs before the node, e.g. `│ ├─ `.
    pub prefix: String,
    pub prompt: bool,
    /// The first line of a prompt, or of a reply's text.
    pub text: String,
    /// Version numbers (in the order the images were made) of the reply's final images.
    pub versions: Vec<usize>,
    pub on_active_path: bool,
    /// Jobs answering this prompt now.
    pub jobs: usize,
}

/// Every turn as a row, depth first, oldest branch first.
pub fn rows(conversation: &Conversation, jobs: &Jobs) -> Vec<TreeRow> {
    let turns = conversation.turns();
    let mut children: HashMap<Option<TurnId>, Vec<TurnId>> = HashMap::with_capacity(turns.len());
    for turn in turns {
        children.entry(turn.parent).or_default().push(turn.id);
    }
    let active: HashSet<TurnId> = conversation.active_path().iter().map(|t| t.id).collect();
    let mut versions = conversation.version_numbers();
    let mut jobs_on: HashMap<TurnId, usize> = HashMap::new();
    for job in jobs.iter() {
        *jobs_on.entry(job.prepared.prompt_turn).or_default() += 1;
    }

    let mut rows = Vec::with_capacity(turns.len());
    // (turn, the indent of its branch, its own glyph).
    let mut stack: Vec<(TurnId, String, &str)> = Vec::new();
    push_children(&mut stack, children.get(&None), "");
    while let Some((id, indent, glyph)) = stack.pop() {
        let Some(turn) = conversation.get(id) else {
            continue;
        };
        let (prompt, text) = match &turn.body {
            TurnBody::User(user) => (true, user.prompt()),
            TurnBody::Model(reply) => (false, reply.text()),
        };
        rows.push(TreeRow {
            turn: id,
            prefix: format!("{indent}{glyph}"),
            prompt,
            text: text.lines().next().unwrap_or_default().to_string(),
            versions: versions.remove(&id).unwrap_or_default(),
            on_active_path: active.contains(&id),
            jobs: jobs_on.get(&id).copied().unwrap_or(0),
        });
        // Children of a fork are drawn one level in; a single child stays in line.
        let below = match glyph {
            "├─ " => format!("{indent}│  "),
            "└─ " => format!("{indent}   "),
            _ => indent,
        };
        push_children(&mut stack, children.get(&Some(id)), &below);
    }
    rows
}

/// Pushes `ids` so the oldest is popped first; a fork's children get branch glyphs.
fn push_children(stack: &mut Vec<(TurnId, String, &str)>, ids: Option<&Vec<TurnId>>, indent: &str) {
    let Some(ids) = ids else {
        return;
    };
    let fork = ids.len() > 1;
    for (i, id) in ids.iter().enumerate().rev() {
        let glyph = match (fork, i + 1 == ids.len()) {
            (false, _) => "",
            (true, false) => "├─ ",
            (true, true) => "└─ ",
        };
        stack.push((*id, indent.to_string(), glyph));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::conversation::{ModelTurn, Part, TurnSettings, UserTurn};

    pub(crate) fn prompt(text: &str) -> UserTurn {
        UserTurn {
            parts: vec![Part::text(text)],
            settings: TurnSettings::default(),
            region: None,
        }
    }

    pub(crate) fn reply(text: &str, images: usize) -> ModelTurn {
        let mut parts = vec![Part::text(text)];
        for i in 0..images {
            parts.push(Part::image(crate::conversation::Blob::from_bytes(
                "image/png",
                bytes::Bytes::from(vec![i as u8; 4]),
            )));
        }
        ModelTurn {
            parts,
            finish_reason: Some("STOP".into()),
            ..ModelTurn::default()
        }
    }

    #[test]
    fn forks_are_indented_chains_are_not_and_versions_count_images() {
        let mut c = Conversation::new();
        let u1 = c.add_user(None, prompt("tea"), String::new()).unwrap();
        let m1 = c.add_model(u1, reply("one", 1), String::new()).unwrap();
        let m2 = c.add_model(u1, reply("two", 1), String::new()).unwrap();
        let u2 = c.add_user(Some(m1), prompt("blue"), String::new()).unwrap();
        let m3 = c.add_model(u2, reply("three", 1), String::new()).unwrap();
        c.activate(m3).unwrap();
        let rows = rows(&c, &Jobs::new(4));
        let summary: Vec<(TurnId, &str, Vec<usize>, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.turn,
                    r.prefix.as_str(),
                    r.versions.clone(),
                    r.on_active_path,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (u1, "", vec![], true),
                (m1, "├─ ", vec![1], true),
                (u2, "│  ", vec![], true),
                (m3, "│  ", vec![3], true),
                (m2, "└─ ", vec![2], false),
            ]
        );
    }

    #[test]
    fn a_long_chain_stays_flat() {
        let mut c = Conversation::new();
        let mut parent = None;
        for i in 0..250 {
            let u = c
                .add_user(parent, prompt(&format!("edit {i}")), String::new())
                .unwrap();
            parent = Some(c.add_model(u, reply("ok", 1), String::new()).unwrap());
        }
        let rows = rows(&c, &Jobs::new(4));
        assert_eq!(rows.len(), 500);
        assert!(rows.iter().all(|r| r.prefix.is_empty()));
        assert_eq!(rows.last().unwrap().versions, vec![250]);
    }
}
