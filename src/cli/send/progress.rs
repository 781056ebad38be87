//! The progress of a generation on the terminal.

use crate::conversation::PartContent;
use crate::conversation::thoughts::SummaryStream;
use crate::gemini::Transfer;
use crate::terminal_text::sanitize_line;
use crate::turn::Progress;

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
            Progress::Transfer(Transfer::Sending { attempt, of, bytes }) => {
                self.attempts = Some((attempt, of));
                let size = crate::conversation::request::human_bytes(bytes as u64);
                crate::errln!("sending {size} (attempt {attempt}/{of})…");
            }
            Progress::Transfer(Transfer::Retrying {
                attempt,
                of,
                delay,
                reason,
                ..
            }) => {
                crate::errln!(
                    "attempt {attempt}/{of} failed: {reason}\nretrying in {:.1}s…",
                    delay.as_secs_f64()
                );
            }
            Progress::Transfer(Transfer::Receiving) => crate::errln!("the model is working…"),
            Progress::Fallback { notice, .. } => crate::errln!("{}", sanitize_line(&notice)),
            Progress::Transfer(Transfer::Received { .. }) => {}
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
            Progress::Transfer(Transfer::Sending { attempt, of, bytes }) => {
                self.attempts = Some((attempt, of));
                format!(
                    "sending {} (attempt {attempt}/{of})…",
                    crate::conversation::request::human_bytes(bytes as u64)
                )
            }
            Progress::Transfer(Transfer::Retrying {
                attempt,
                of,
                delay,
                reason,
                ..
            }) => format!(
                "attempt {attempt}/{of} failed: {}; retrying in {:.1}s…",
                sanitize_line(&reason),
                delay.as_secs_f64()
            ),
            Progress::Transfer(Transfer::Receiving) => "the model is working…".into(),
            Progress::Fallback { notice, .. } => sanitize_line(&notice).into_owned(),
            Progress::Parts(parts)
                if parts.iter().any(|p| p.as_image().is_some() && !p.thought) =>
            {
                "the image arrived".into()
            }
            Progress::Transfer(Transfer::Received { .. }) | Progress::Parts(_) => return,
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
