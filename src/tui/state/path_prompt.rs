//! The path prompt's state: a path typed with Tab completion, for attaching or saving.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::conversation::Blob;
use crate::tui::state::event::Effect;

/// The most completions listed.
const MAX_COMPLETIONS: usize = 200;

#[derive(Debug, Clone)]
pub enum PathPurpose {
    Attach,
    SaveImage(Blob),
}

#[derive(Debug)]
pub struct PathPrompt {
    pub purpose: PathPurpose,
    pub text: String,
    /// Entries of the folder being completed that match, as (name, is folder).
    pub completions: Vec<(String, bool)>,
    pub highlighted: Option<usize>,
    pub message: Option<String>,
}

pub enum Outcome {
    Pending(Vec<Effect>),
    Cancelled,
    Submitted(PathPurpose, PathBuf),
}

impl PathPrompt {
    pub fn new(purpose: PathPurpose, text: String) -> Self {
        Self {
            purpose,
            text,
            completions: Vec::new(),
            highlighted: None,
            message: None,
        }
    }

    /// The folder part (up to and including the last `/`) and the name being typed.
    fn split(&self) -> (&str, &str) {
        match self.text.rfind('/') {
            Some(i) => (&self.text[..=i], &self.text[i + 1..]),
            None => ("", &self.text),
        }
    }

    fn edited(&mut self) {
        self.completions.clear();
        self.highlighted = None;
        self.message = None;
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(line) = text.lines().next() {
            self.text.push_str(line.trim_end_matches('\r'));
            self.edited();
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Outcome::Cancelled,
            KeyCode::Char('c') if ctrl => return Outcome::Cancelled,
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.edited();
            }
            KeyCode::Char('w') if ctrl => {
                let trimmed = self.text.trim_end_matches('/');
                let cut = trimmed.rfind('/').map(|i| i + 1).unwrap_or(0);
                self.text.truncate(cut);
                self.edited();
            }
            KeyCode::Char(c) if !ctrl => {
                self.text.push(c);
                self.edited();
            }
            KeyCode::Backspace => {
                self.text.pop();
                self.edited();
            }
            KeyCode::Tab | KeyCode::Down if !self.completions.is_empty() => {
                self.highlighted = Some(match self.highlighted {
                    Some(i) => (i + 1) % self.completions.len(),
                    None => 0,
                });
            }
            KeyCode::BackTab | KeyCode::Up if !self.completions.is_empty() => {
                let last = self.completions.len() - 1;
                self.highlighted = Some(match self.highlighted {
                    Some(0) | None => last,
                    Some(i) => i - 1,
                });
            }
            KeyCode::Tab => {
                self.message = None;
                return Outcome::Pending(vec![Effect::Complete(self.text.clone())]);
            }
            KeyCode::Enter => {
                if let Some((name, folder)) = self
                    .highlighted
                    .and_then(|i| self.completions.get(i))
                    .cloned()
                {
                    let (dir, _) = self.split();
                    self.text = format!("{dir}{name}{}", if folder { "/" } else { "" });
                    self.edited();
                    if folder {
                        // Into the folder: list it straight away.
                        return Outcome::Pending(vec![Effect::Complete(self.text.clone())]);
                    }
                }
                if self.text.trim().is_empty() {
                    self.message = Some("Type a path (Tab completes).".into());
                } else {
                    return Outcome::Submitted(
                        self.purpose.clone(),
                        PathBuf::from(self.text.trim()),
                    );
                }
            }
            _ => {}
        }
        Outcome::Pending(Vec::new())
    }

    /// The driver listed the folder of `for_text`.
    pub fn completed(&mut self, for_text: &str, entries: Vec<(String, bool)>) {
        if for_text != self.text {
            // The text changed while the folder was read.
            return;
        }
        let (dir, prefix) = self.split();
        let (dir, prefix) = (dir.to_string(), prefix.to_string());
        let mut matching: Vec<(String, bool)> = entries
            .into_iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .filter(|(name, _)| prefix.starts_with('.') || !name.starts_with('.'))
            .collect();
        matching.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        matching.truncate(MAX_COMPLETIONS);
        self.highlighted = None;
        match matching.len() {
            0 => {
                self.completions.clear();
                self.message = Some(format!(
                    "Nothing in {} starts with {prefix:?}.",
                    if dir.is_empty() { "." } else { &dir }
                ));
            }
            1 => {
                let (name, folder) = &matching[0];
                self.text = format!("{dir}{name}{}", if *folder { "/" } else { "" });
                self.completions.clear();
                self.message = None;
            }
            _ => {
                let common = common_prefix(matching.iter().map(|(n, _)| n.as_str()));
                if common.len() > prefix.len() {
                    self.text = format!("{dir}{common}");
                }
                self.completions = matching;
                self.message = None;
            }
        }
    }
}

fn common_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut common = first.to_string();
    for name in names {
        let shared = common
            .char_indices()
            .zip(name.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map(|((i, c), _)| i + c.len_utf8())
            .unwrap_or(0);
        common.truncate(shared);
    }
    common
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(text: &str) -> PathPrompt {
        PathPrompt::new(PathPurpose::Attach, text.into())
    }

    fn entries(names: &[(&str, bool)]) -> Vec<(String, bool)> {
        names.iter().map(|(n, d)| (n.to_string(), *d)).collect()
    }

    #[test]
    fn a_single_match_completes_and_folders_get_a_slash() {
        let mut p = prompt("~/Pic");
        p.completed("~/Pic", entries(&[("Pictures", true), ("Music", true)]));
        assert_eq!(p.text, "~/Pictures/");
        let mut p = prompt("ban");
        p.completed("ban", entries(&[("banana.png", false)]));
        assert_eq!(p.text, "banana.png");
    }

    #[test]
    fn several_matches_complete_the_common_prefix_and_are_listed() {
        let mut p = prompt("img/ph");
        p.completed(
            "img/ph",
            entries(&[
                ("photo-1.png", false),
                ("photo-2.png", false),
                (".hidden", false),
            ]),
        );
        assert_eq!(p.text, "img/photo-");
        assert_eq!(p.completions.len(), 2);
        // Tab highlights, Enter takes the highlighted file and submits it.
        assert!(matches!(
            p.key(KeyEvent::from(KeyCode::Tab)),
            Outcome::Pending(_)
        ));
        match p.key(KeyEvent::from(KeyCode::Enter)) {
            Outcome::Submitted(_, path) => assert_eq!(path, PathBuf::from("img/photo-1.png")),
            _ => panic!("expected a submission"),
        }
    }

    #[test]
    fn stale_listings_are_ignored_and_misses_explained() {
        let mut p = prompt("a");
        p.key(KeyEvent::from(KeyCode::Char('b')));
        p.completed("a", entries(&[("abc", false)]));
        assert_eq!(p.text, "ab", "the listing was for older text");
        p.completed("ab", entries(&[("zzz", false)]));
        assert!(
            p.message
                .as_deref()
                .unwrap_or_default()
                .contains("Nothing in .")
        );
        assert!(matches!(p.key(KeyEvent::from(KeyCode::Tab)), Outcome::Pending(e) if e.len() == 1));
    }

    #[test]
    fn editing_keys() {
        let mut p = prompt("/a/b/c");
        p.key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(p.text, "/a/b/");
        p.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(p.text, "");
        assert!(matches!(
            p.key(KeyEvent::from(KeyCode::Enter)),
            Outcome::Pending(_)
        ));
        assert!(p.message.is_some());
        assert!(matches!(
            p.key(KeyEvent::from(KeyCode::Esc)),
            Outcome::Cancelled
        ));
    }
}
