//! Variations: one prepared request sent N times at once, each copy with its own
//! `generationConfig.seed` so the model is asked for N different samples. The replies become N
//! sibling branches under the one prompt.
//!
//! Shared by `send --n N` (tasks behind a semaphore) and the studio's `/vary N` (jobs in its
//! pure queue): each runs the requests its own way, but both take them from a [`Batch`], hold
//! to the provider's [`in_flight_limit`] and tell a failed candidate by [`CandidateFailure`].
//! Nothing here does IO but [`Seeds::at_random`], so the studio's `update` stays pure.

use std::fmt;

use crate::conversation::Variation;
use crate::conversation::request::PreparedRequest;
use crate::gemini::ApiError;

/// The seeds are non-negative int32s (the API's `generationConfig.seed` is an INT32): kept to
/// the low 31 bits, so after the largest one comes 0 rather than a negative number.
const SEED_BITS: u32 = i32::MAX as u32;

/// Where the next batch's seeds start. A batch takes consecutive seeds and the next batch
/// starts after them, so no two candidates of one studio run share a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeds {
    next: u32,
}

impl Seeds {
    /// A random start: another run, or another `send --n`, asks for new samples.
    pub fn at_random() -> Self {
        Self::starting_at(fastrand::u32(..))
    }

    /// A fixed start (tests, and the studio until it is given a random one).
    pub fn starting_at(first: u32) -> Self {
        Self {
            next: first & SEED_BITS,
        }
    }

    /// The seeds of the next `count` candidates; the batch after starts past them.
    pub fn next_batch(&mut self, count: u8) -> Batch {
        let batch = Batch {
            first_seed: self.next,
            count,
        };
        self.next = batch.seed_bits(count);
        batch
    }
}

/// The seeds of one batch: the first seed, then the next integers, in candidate order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    first_seed: u32,
    count: u8,
}

impl Batch {
    pub fn count(&self) -> u8 {
        self.count
    }

    /// The seed of the candidate at `index` (from 0).
    pub fn seed(&self, index: u8) -> i32 {
        // Masked to 31 bits, so the conversion cannot fail.
        i32::try_from(self.seed_bits(index)).unwrap_or_default()
    }

    fn seed_bits(&self, index: u8) -> u32 {
        self.first_seed.wrapping_add(u32::from(index)) & SEED_BITS
    }

    /// The batch's requests, in candidate order: `request` with each candidate's seed.
    pub fn requests(&self, request: &PreparedRequest) -> Vec<CandidateRequest> {
        (0..self.count)
            .map(|index| CandidateRequest {
                variation: Variation {
                    number: index + 1,
                    of: self.count,
                    seed: self.seed(index),
                },
                request: request.with_seed(self.seed(index)),
            })
            .collect()
    }
}

/// One candidate of a batch: its place and seed (kept with its reply) and its request.
#[derive(Debug, Clone)]
pub struct CandidateRequest {
    pub variation: Variation,
    pub request: PreparedRequest,
}

impl CandidateRequest {
    /// "2/4": how the candidate is named wherever it is reported.
    pub fn position(&self) -> String {
        format!("{}/{}", self.variation.number, self.variation.of)
    }
}

/// How many requests talk to the provider at once: its `concurrent_requests`, and at least
/// one, or nothing would ever be sent. The CLI's semaphore and the studio's job queue both
/// hold to it; more candidates than that wait for a free slot.
pub fn in_flight_limit(concurrent_requests: usize) -> usize {
    concurrent_requests.max(1)
}

/// Why a candidate has no reply. The other candidates of its batch go on regardless; the CLI
/// prints it as `{"error": {"kind", "status", "message"}}`, the studio shows its message.
#[derive(Debug)]
pub enum CandidateFailure {
    /// The provider's answer (after the retries), and what the caller adds to it: attempts
    /// given up on, or the way forward.
    Api { error: ApiError, note: String },
    /// The reply could not be added under its prompt, or its task ended early: never expected.
    Internal(String),
    /// Cancelled before its reply came.
    Cancelled,
}

impl CandidateFailure {
    /// A short, stable name for scripts: the error's kind, `internal` or `cancelled`.
    pub fn kind(&self) -> &'static str {
        match self {
            CandidateFailure::Api { error, .. } => error.kind(),
            CandidateFailure::Internal(_) => "internal",
            CandidateFailure::Cancelled => "cancelled",
        }
    }

    /// The HTTP status behind it, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            CandidateFailure::Api { error, .. } => error.status(),
            CandidateFailure::Internal(_) | CandidateFailure::Cancelled => None,
        }
    }
}

impl fmt::Display for CandidateFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CandidateFailure::Api { error, note } => write!(f, "{error}{note}"),
            CandidateFailure::Internal(message) => f.write_str(message),
            CandidateFailure::Cancelled => f.write_str("cancelled"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::request::test_target::to;
    use crate::conversation::{Conversation, Part, TurnSettings, UserTurn, build_request};
    use serde_json::Value;

    fn seeds_of(batch: Batch) -> Vec<i32> {
        (0..batch.count()).map(|i| batch.seed(i)).collect()
    }

    #[test]
    fn a_batch_takes_consecutive_seeds_from_its_first() {
        let batch = Seeds::starting_at(1000).next_batch(4);
        assert_eq!(batch.count(), 4);
        assert_eq!(seeds_of(batch), [1000, 1001, 1002, 1003]);
    }

    #[test]
    fn the_next_batch_starts_after_the_last_so_no_seed_repeats() {
        let mut seeds = Seeds::starting_at(7);
        let first = seeds_of(seeds.next_batch(3));
        let second = seeds_of(seeds.next_batch(2));
        assert_eq!(first, [7, 8, 9]);
        assert_eq!(second, [10, 11]);
    }

    #[test]
    fn seeds_stay_non_negative_int32s_and_wrap_to_zero() {
        let mut seeds = Seeds::starting_at(i32::MAX as u32 - 1);
        assert_eq!(seeds_of(seeds.next_batch(3)), [i32::MAX - 1, i32::MAX, 0]);
        assert_eq!(seeds_of(seeds.next_batch(1)), [1]);
        // A start past the int32 range is brought into it.
        assert_eq!(
            seeds_of(Seeds::starting_at(u32::MAX).next_batch(2)),
            [i32::MAX, 0]
        );
        for _ in 0..100 {
            let batch = Seeds::at_random().next_batch(8);
            assert!(seeds_of(batch).iter().all(|seed| *seed >= 0), "{batch:?}");
        }
    }

    fn prepared_request() -> PreparedRequest {
        let mut conversation = Conversation::new();
        let user = UserTurn {
            parts: vec![Part::text("an infographic about tea")],
            settings: TurnSettings::default(),
            region: None,
        };
        let prompt = conversation.add_user(None, user, String::new()).unwrap();
        build_request(&conversation, prompt, &to(u64::MAX)).unwrap()
    }

    #[test]
    fn the_requests_are_the_one_request_numbered_in_order_each_with_its_seed() {
        let request = prepared_request();
        let original: Value = serde_json::from_slice(&request.body).unwrap();
        let candidates = Seeds::starting_at(41).next_batch(3).requests(&request);
        assert_eq!(candidates.len(), 3);
        for (index, candidate) in candidates.iter().enumerate() {
            assert_eq!(usize::from(candidate.variation.number), index + 1);
            assert_eq!(candidate.variation.of, 3);
            assert_eq!(candidate.position(), format!("{}/3", index + 1));
            assert_eq!(candidate.request.model, request.model);
            let mut body: Value = serde_json::from_slice(&candidate.request.body).unwrap();
            assert_eq!(body["generationConfig"]["seed"], 41 + index as i64);
            body["generationConfig"]
                .as_object_mut()
                .unwrap()
                .remove("seed");
            assert_eq!(body, original, "only the seed differs");
        }
    }

    #[test]
    fn at_least_one_request_is_in_flight() {
        assert_eq!(in_flight_limit(0), 1);
        assert_eq!(in_flight_limit(1), 1);
        assert_eq!(in_flight_limit(4), 4);
    }

    #[test]
    fn a_failed_candidate_is_told_by_kind_status_and_message() {
        let api = CandidateFailure::Api {
            error: ApiError::Server {
                status: 500,
                status_text: "INTERNAL".into(),
                message: "An internal error has occurred.".into(),
            },
            note: " Gave up after 4 of 4 attempts.".into(),
        };
        assert_eq!(api.kind(), "server");
        assert_eq!(api.status(), Some(500));
        let message = api.to_string();
        assert!(message.contains("500"), "{message}");
        assert!(
            message.ends_with(" Gave up after 4 of 4 attempts."),
            "{message}"
        );

        let internal = CandidateFailure::Internal("the prompt is gone".into());
        assert_eq!((internal.kind(), internal.status()), ("internal", None));
        assert_eq!(internal.to_string(), "the prompt is gone");
        let cancelled = CandidateFailure::Cancelled;
        assert_eq!(
            (cancelled.kind(), cancelled.to_string().as_str()),
            ("cancelled", "cancelled")
        );
    }
}
