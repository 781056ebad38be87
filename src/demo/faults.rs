//! Faults the demo model can be told to produce: one per request, in order, or every time
//! for one take of a request (see [`TakeFault`]).
//!
//! Tests queue them through [`super::DemoOptions`]; a person trying the studio can set
//! `BANANA_DEMO_FAULTS=503,503,ok` to watch the retries happen, or
//! `BANANA_DEMO_TAKE_FAULTS=500@2` to see the second of four variations fail.

use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer normally (a placeholder in a queue).
    None,
    /// 429 RESOURCE_EXHAUSTED with `RetryInfo.retryDelay`.
    RateLimited { retry_delay: Duration },
    /// 500 INTERNAL.
    Internal,
    /// 503 UNAVAILABLE, "The model is overloaded".
    Overloaded,
    /// 504 DEADLINE_EXCEEDED.
    DeadlineExceeded,
    /// 400 API_KEY_INVALID.
    BadKey,
    /// `promptFeedback.blockReason: PROHIBITED_CONTENT`, no candidates.
    PromptBlocked,
    /// `finishReason: IMAGE_SAFETY` with a finishMessage, no image.
    ImageSafety,
    /// `finishReason: NO_IMAGE`, `content: {}`.
    NoImage,
    /// STOP with text only, no image.
    TextOnly,
    /// The connection drops after the thought parts.
    CutAfterThoughts,
    /// The reply stalls for this long after the thought parts.
    Stall(Duration),
    /// 200 with a body that is not JSON.
    NotJson,
    /// 200 with JSON of the wrong shape.
    WrongShape,
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (name, arg) = text.split_once(':').unwrap_or((text, ""));
        let seconds = |default: f64| -> Result<Duration, String> {
            if arg.is_empty() {
                return Ok(Duration::from_secs_f64(default));
            }
            arg.trim_end_matches('s')
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| format!("bad duration {arg:?} in demo fault {text:?}"))
        };
        Ok(match name {
            "ok" | "none" => Fault::None,
            "429" => Fault::RateLimited {
                retry_delay: seconds(1.0)?,
            },
            "500" => Fault::Internal,
            "503" => Fault::Overloaded,
            "504" => Fault::DeadlineExceeded,
            "bad-key" => Fault::BadKey,
            "blocked" => Fault::PromptBlocked,
            "image-safety" => Fault::ImageSafety,
            "no-image" => Fault::NoImage,
            "text-only" => Fault::TextOnly,
            "cut" => Fault::CutAfterThoughts,
            "stall" => Fault::Stall(seconds(30.0)?),
            "not-json" => Fault::NotJson,
            "wrong-shape" => Fault::WrongShape,
            _ => {
                return Err(format!(
                    "unknown demo fault {text:?}; known: ok 429[:secs] 500 503 504 bad-key blocked image-safety no-image text-only cut stall[:secs] not-json wrong-shape"
                ));
            }
        })
    }
}

/// Parses a comma-separated list such as `503,503,ok`.
pub fn parse_list(text: &str) -> Result<Vec<Fault>, String> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// A fault for every answer that is the `take`-th to the same request (from 1). Variations
/// of one request (differing only in their seed) are its takes in the order their seeds
/// arrived, and a retry keeps its seed: so `500@2` makes one of four variations get 500
/// every time.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeFault {
    pub take: u32,
    pub fault: Fault,
}

/// Parses a comma-separated list such as `500@2,cut@3`.
pub fn parse_take_list(text: &str) -> Result<Vec<TakeFault>, String> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|item| {
            let (fault, take) = item.trim().rsplit_once('@').ok_or_else(|| {
                format!("demo take fault {item:?} needs a take: FAULT@N, e.g. 500@2")
            })?;
            let take = take
                .parse::<u32>()
                .ok()
                .filter(|t| *t >= 1)
                .ok_or_else(|| {
                    format!("bad take {take:?} in demo take fault {item:?}: takes count from 1")
                })?;
            Ok(TakeFault {
                take,
                fault: fault.parse()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_with_arguments() {
        assert_eq!(
            parse_list("429:0.5s, 503,ok,stall:2").unwrap(),
            vec![
                Fault::RateLimited {
                    retry_delay: Duration::from_millis(500)
                },
                Fault::Overloaded,
                Fault::None,
                Fault::Stall(Duration::from_secs(2)),
            ]
        );
        assert!(parse_list("teapot").unwrap_err().contains("known:"));
    }

    #[test]
    fn take_faults_name_a_take_from_one() {
        assert_eq!(
            parse_take_list("500@2, cut@3").unwrap(),
            vec![
                TakeFault {
                    take: 2,
                    fault: Fault::Internal
                },
                TakeFault {
                    take: 3,
                    fault: Fault::CutAfterThoughts
                },
            ]
        );
        assert!(parse_take_list("500").unwrap_err().contains("FAULT@N"));
        assert!(parse_take_list("500@0").unwrap_err().contains("from 1"));
        assert!(parse_take_list("teapot@1").unwrap_err().contains("known:"));
    }
}
