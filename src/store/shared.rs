//! The open session shared by everything that adds to it at the same time (the studio's
//! jobs, `send --n`'s variations): the one holder of the session's lock, through which every
//! change and save is serialised. A change is applied to the conversation and saved under the
//! same mutex, so two jobs finishing in the same millisecond both land: the second save writes
//! a document that already holds the first one's turn.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Session, StoreError};
use crate::conversation::Conversation;

#[derive(Debug, Clone)]
pub struct SharedSession {
    session: Arc<Mutex<Session>>,
}

impl SharedSession {
    pub fn new(session: Session) -> Self {
        Self {
            session: Arc::new(Mutex::new(session)),
        }
    }

    /// The session, waiting for whoever is changing or saving it. A panic in another holder
    /// does not poison it for good: the document on disk is only ever replaced whole.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies `change` to the conversation and saves it, both under the lock; blocking (run
    /// it off the async workers). On a failed save the change stays in memory, and the next
    /// save writes it.
    pub fn change_and_save<R>(
        &self,
        change: impl FnOnce(&mut Conversation) -> R,
    ) -> (R, Result<(), StoreError>) {
        let mut session = self.lock();
        let result = change(&mut session.conversation);
        let saved = session.save();
        (result, saved)
    }

    /// Saves `conversation` as the session's content (the studio, whose state owns the
    /// conversation, saves snapshots of it).
    pub fn replace_and_save(&self, conversation: Conversation) -> Result<(), StoreError> {
        self.change_and_save(|current| *current = conversation).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Blob, ModelTurn, Part, TurnBody, TurnSettings, UserTurn};
    use crate::store::{Store, now_rfc3339};

    #[test]
    fn eight_jobs_finishing_at_once_all_land() {
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let mut session = store.create("race").unwrap();
        let prompt = session
            .conversation
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("four of these")],
                    settings: TurnSettings::default(),
                    region: None,
                },
                now_rfc3339(),
            )
            .unwrap();
        let shared = SharedSession::new(session);
        let start = Arc::new(std::sync::Barrier::new(8));
        let jobs: Vec<_> = (0..8u8)
            .map(|n| {
                let (shared, start) = (shared.clone(), start.clone());
                std::thread::spawn(move || {
                    let image = Blob::from_bytes("image/png", bytes::Bytes::from(vec![n; 64]));
                    let reply = ModelTurn {
                        parts: vec![Part::image(image)],
                        finish_reason: Some("STOP".into()),
                        ..ModelTurn::default()
                    };
                    start.wait();
                    let (added, saved) = shared.change_and_save(|conversation| {
                        conversation.add_model(prompt, reply, now_rfc3339())
                    });
                    saved.unwrap();
                    added.unwrap()
                })
            })
            .collect();
        let mut replies: Vec<_> = jobs.into_iter().map(|j| j.join().unwrap()).collect();
        replies.sort();
        replies.dedup();
        assert_eq!(replies.len(), 8);
        drop(shared);

        let reopened = store.open("race").unwrap();
        let conversation = &reopened.conversation;
        let children: Vec<_> = conversation.children(Some(prompt)).collect();
        assert_eq!(children.len(), 8, "every job's reply is on disk");
        let mut firsts: Vec<u8> = children
            .iter()
            .map(|turn| match &turn.body {
                TurnBody::Model(model) => model.images().next().unwrap().bytes().unwrap()[0],
                TurnBody::User(_) => panic!("a prompt under a prompt"),
            })
            .collect();
        firsts.sort();
        assert_eq!(
            firsts,
            (0..8).collect::<Vec<u8>>(),
            "each with its own image"
        );
    }
}
