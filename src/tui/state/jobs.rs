//! The generations in flight: a set of jobs keyed by id, each with its own prompt, branch,
//! phase and partial reply. Pure state: the driver owns the tasks, `update` decides.
//!
//! At most `limit` jobs talk to the provider at once (its `concurrent_requests`); the rest
//! wait as `Queued` and start when a slot frees, in the order they were asked for. A 429 with
//! a retry delay holds back queued jobs until it has passed (the client holds back the
//! running ones).

use std::collections::BTreeMap;
use std::time::Instant;

use crate::conversation::Variation;
use crate::conversation::request::PreparedRequest;
use crate::conversation::{ModelTurn, TurnId};
use crate::gemini::Mode;
use crate::gemini::Transfer;
use crate::tui::state::compose::{Draft, EditTarget};
use crate::tui::state::event::{Effect, JobId};
use crate::turn::{Prepared, Progress};
use crate::variations::in_flight_limit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Send,
    Edit,
    Rerun,
    /// One of several variations of one prompt sent at once (`/vary`).
    Variation(Variation),
}

impl JobKind {
    pub fn label(self) -> String {
        match self {
            JobKind::Send => "prompt".into(),
            JobKind::Edit => "edit".into(),
            JobKind::Rerun => "rerun".into(),
            JobKind::Variation(v) => format!("variation {}/{}", v.number, v.of),
        }
    }
}

/// What the jobs list shows for a job: the client's [`Transfer`] as the studio keeps it, with
/// what only the studio knows (queued behind the provider's limit, a retry's deadline as an
/// instant, whether parts have arrived yet).
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Waiting for a free slot (the provider's concurrency limit) or for a back-off to pass.
    Queued,
    Starting,
    Sending {
        attempt: u32,
        of: u32,
        bytes: usize,
    },
    Retrying {
        attempt: u32,
        of: u32,
        until: Instant,
        reason: String,
    },
    /// Accepted; the model is working and nothing has arrived yet.
    Waiting,
    Receiving,
}

/// One generation.
#[derive(Debug)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    pub prepared: Prepared,
    /// The active leaf before this job's prompt was added, to go back to if it fails while
    /// the user still looks at it.
    pub previous_leaf: Option<TurnId>,
    /// The prompt to give back if the job fails or is cancelled.
    pub restore: Option<Draft>,
    pub restore_edit: Option<EditTarget>,
    /// What has arrived so far.
    pub partial: ModelTurn,
    pub phase: Phase,
    /// When its first report came (the driver stamps events; `update` has no clock).
    pub started: Option<Instant>,
    pub received_bytes: u64,
    /// The request, held while queued.
    request: Option<(PreparedRequest, Mode)>,
}

/// What a new job needs.
pub struct NewJob {
    pub kind: JobKind,
    pub prepared: Prepared,
    pub request: PreparedRequest,
    pub previous_leaf: Option<TurnId>,
    pub restore: Option<Draft>,
    pub restore_edit: Option<EditTarget>,
}

#[derive(Debug)]
pub struct Jobs {
    jobs: BTreeMap<JobId, Job>,
    next: JobId,
    /// Jobs talking to the provider at once.
    pub limit: usize,
    /// The provider said to wait until then (429 with RetryInfo).
    pub backoff_until: Option<Instant>,
}

impl Jobs {
    pub fn new(limit: usize) -> Self {
        Self {
            jobs: BTreeMap::new(),
            next: 1,
            limit: in_flight_limit(limit),
            backoff_until: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values()
    }

    pub fn get(&self, id: JobId) -> Option<&Job> {
        self.jobs.get(&id)
    }

    pub fn ids(&self) -> Vec<JobId> {
        self.jobs.keys().copied().collect()
    }

    /// The jobs answering `prompt`, oldest first.
    pub fn on_prompt(&self, prompt: TurnId) -> impl Iterator<Item = &Job> {
        self.jobs
            .values()
            .filter(move |j| j.prepared.prompt_turn == prompt)
    }

    pub fn queued(&self) -> usize {
        self.jobs
            .values()
            .filter(|j| j.phase == Phase::Queued)
            .count()
    }

    /// Registers a job (queued) and starts whatever may start now.
    pub fn add(&mut self, new: NewJob, mode: Mode, now: Option<Instant>) -> (JobId, Vec<Effect>) {
        let id = self.next;
        self.next += 1;
        self.jobs.insert(
            id,
            Job {
                id,
                kind: new.kind,
                prepared: new.prepared,
                previous_leaf: new.previous_leaf,
                restore: new.restore,
                restore_edit: new.restore_edit,
                partial: ModelTurn::default(),
                phase: Phase::Queued,
                // Stamped by its first report: `now` may be the last tick, long ago.
                started: None,
                received_bytes: 0,
                request: Some((new.request, mode)),
            },
        );
        (id, self.start_ready(now))
    }

    /// Starts queued jobs, oldest first, while there is a free slot and no back-off.
    pub fn start_ready(&mut self, now: Option<Instant>) -> Vec<Effect> {
        if let (Some(until), Some(now)) = (self.backoff_until, now) {
            if now < until {
                return Vec::new();
            }
            self.backoff_until = None;
        }
        let mut running = self.jobs.len() - self.queued();
        let mut effects = Vec::new();
        for job in self.jobs.values_mut() {
            if running >= self.limit {
                break;
            }
            if job.phase != Phase::Queued {
                continue;
            }
            if let Some((request, mode)) = job.request.take() {
                job.phase = Phase::Starting;
                running += 1;
                effects.push(Effect::Generate {
                    job: job.id,
                    request,
                    mode,
                });
            }
        }
        effects
    }

    /// Takes a job out (done, failed or cancelled).
    pub fn remove(&mut self, id: JobId) -> Option<Job> {
        self.jobs.remove(&id)
    }

    /// Gives `from`'s prompt-to-restore to the job `to` answering the same prompt, so the
    /// last of a batch to end puts the prompt back.
    pub fn hand_over_restore(&mut self, from: &mut Job, to: JobId) {
        if let Some(next) = self.jobs.get_mut(&to) {
            if next.restore.is_none() {
                next.restore = from.restore.take();
            }
            if next.restore_edit.is_none() {
                next.restore_edit = from.restore_edit.take();
            }
        }
    }

    /// Folds a progress report into its job; false for a job that is gone (late report).
    pub fn progress(&mut self, id: JobId, progress: Progress, at: Instant) -> bool {
        let Some(job) = self.jobs.get_mut(&id) else {
            return false;
        };
        job.started.get_or_insert(at);
        match progress {
            Progress::Transfer(Transfer::Sending { attempt, of, bytes }) => {
                job.phase = Phase::Sending { attempt, of, bytes }
            }
            Progress::Transfer(Transfer::Retrying {
                attempt,
                of,
                delay,
                reason,
                rate_limited,
            }) => {
                // The client never waits past retry.max_total_secs; the server chose `delay`.
                let until = at.checked_add(delay).unwrap_or(at);
                if rate_limited {
                    self.backoff_until = Some(self.backoff_until.map_or(until, |u| u.max(until)));
                }
                job.phase = Phase::Retrying {
                    attempt: attempt + 1,
                    of,
                    until,
                    reason,
                }
            }
            Progress::Transfer(Transfer::Receiving) => job.phase = Phase::Waiting,
            Progress::Transfer(Transfer::Received { bytes }) => job.received_bytes = bytes,
            Progress::Parts(parts) => {
                job.phase = Phase::Receiving;
                job.partial.parts.extend(parts);
            }
            // The turn goes again another way (the app shows why): what came of the refused
            // attempt is not part of the reply.
            Progress::Fallback { .. } => {
                job.partial.parts.clear();
                job.received_bytes = 0;
            }
        }
        true
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::conversation::Conversation;
    use crate::turn::{self, NewTurn};
    use std::time::Duration;

    fn new_job(conversation: &mut Conversation) -> NewJob {
        let prepared = turn::prepare(
            conversation,
            NewTurn {
                parent: None,
                prompt: "x".into(),
                attachments: Vec::new(),
                settings: Default::default(),
                created_at: String::new(),
                region: None,
            },
            &crate::conversation::request::test_target::to(u64::MAX),
        )
        .unwrap();
        NewJob {
            kind: JobKind::Send,
            request: prepared.request.clone(),
            prepared,
            previous_leaf: None,
            restore: None,
            restore_edit: None,
        }
    }

    /// The jobs that `effects` start.
    pub(crate) fn started(effects: &[Effect]) -> Vec<JobId> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Generate { job, .. } => Some(*job),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn jobs_over_the_limit_wait_and_start_in_order_as_slots_free() {
        let mut conversation = Conversation::new();
        let mut jobs = Jobs::new(2);
        let t0 = Instant::now();
        let mut ids = Vec::new();
        for _ in 0..4 {
            let (id, effects) = jobs.add(new_job(&mut conversation), Mode::Streaming, Some(t0));
            ids.push((id, started(&effects)));
        }
        assert_eq!(ids[0].1, vec![ids[0].0]);
        assert_eq!(ids[1].1, vec![ids[1].0]);
        assert!(ids[2].1.is_empty() && ids[3].1.is_empty());
        assert_eq!(jobs.queued(), 2);
        jobs.remove(ids[1].0);
        assert_eq!(started(&jobs.start_ready(Some(t0))), vec![ids[2].0]);
        assert_eq!(jobs.queued(), 1);
    }

    #[test]
    fn a_rate_limit_holds_queued_jobs_until_its_delay_has_passed() {
        let mut conversation = Conversation::new();
        let mut jobs = Jobs::new(1);
        let t0 = Instant::now();
        let (first, _) = jobs.add(new_job(&mut conversation), Mode::Streaming, Some(t0));
        let (second, effects) = jobs.add(new_job(&mut conversation), Mode::Streaming, Some(t0));
        assert!(started(&effects).is_empty());
        jobs.progress(
            first,
            Progress::Transfer(Transfer::Retrying {
                attempt: 1,
                of: 4,
                delay: Duration::from_secs(5),
                reason: "429".into(),
                rate_limited: true,
            }),
            t0,
        );
        jobs.remove(first);
        assert!(started(&jobs.start_ready(Some(t0 + Duration::from_secs(4)))).is_empty());
        assert_eq!(
            started(&jobs.start_ready(Some(t0 + Duration::from_secs(5)))),
            vec![second]
        );
        assert_eq!(jobs.backoff_until, None);
    }

    #[test]
    fn late_reports_of_a_removed_job_are_ignored() {
        let mut conversation = Conversation::new();
        let mut jobs = Jobs::new(4);
        let (id, _) = jobs.add(new_job(&mut conversation), Mode::Streaming, None);
        jobs.remove(id);
        assert!(!jobs.progress(id, Progress::Transfer(Transfer::Receiving), Instant::now()));
    }
}
