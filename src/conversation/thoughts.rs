//! Thought summaries. The API sends a summary as one part or as fragments of several, and
//! sometimes two summaries in one part ("… caption area.**Choosing a palette** …"); each summary
//! starts with its bold heading. These functions cut the joined thought text into summaries,
//! for the JSON, the exports, the studio's thinking pane and `send`'s stderr alike.

/// Byte offsets (past 0) where a new summary starts: a bold run (`**…**`) at the start of the
/// text or right after a finished sentence. Bold words inside a sentence ("the **red** bar")
/// start nothing.
pub fn summary_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for (i, piece) in text.split("**").enumerate() {
        // Odd pieces are bold text; the "**" before one sits at `offset - 2`.
        if i % 2 == 1 {
            let at = offset - 2;
            let before = text[..at].trim_end();
            let after_sentence = before.ends_with(['.', '!', '?', ':']);
            if at > 0 && after_sentence && !piece.trim().is_empty() {
                starts.push(at);
            }
        }
        offset += piece.len() + 2;
    }
    starts
}

/// `text` cut into summaries at their headings, each trimmed; empty ones dropped.
pub fn split_summaries(text: &str) -> Vec<String> {
    let mut cuts = summary_starts(text);
    cuts.push(text.len());
    let mut from = 0;
    cuts.into_iter()
        .filter_map(|to| {
            let summary = text[from..to].trim();
            from = to;
            (!summary.is_empty()).then(|| summary.to_string())
        })
        .collect()
}

/// A summary's bold heading and the text after it: `("Planning the composition", "A title…")`,
/// or no heading when the summary does not open with one.
pub fn heading(summary: &str) -> (Option<&str>, &str) {
    let trimmed = summary.trim_start();
    if let Some(rest) = trimmed.strip_prefix("**")
        && let Some(end) = rest.find("**")
        && !rest[..end].trim().is_empty()
        && !rest[..end].contains('\n')
    {
        return (Some(rest[..end].trim()), rest[end + 2..].trim());
    }
    (None, summary.trim())
}

/// Thought text as it streams, printed with a blank line between summaries even when a new
/// heading arrives in the middle of a fragment, or split across two.
#[derive(Debug, Default)]
pub struct SummaryStream {
    text: String,
    /// How much of `text` has been handed out.
    shown: usize,
}

impl SummaryStream {
    /// Adds a fragment; returns what can be shown now. Asterisks at the end are held back
    /// until the next fragment tells whether they open a heading.
    pub fn push(&mut self, fragment: &str) -> String {
        self.text.push_str(fragment);
        let held = self.text.len() - self.text.trim_end_matches('*').len();
        self.take_until(self.text.len() - held)
    }

    /// The rest, when the thoughts are over.
    pub fn finish(&mut self) -> String {
        let out = self.take_until(self.text.len());
        self.text.clear();
        self.shown = 0;
        out
    }

    fn take_until(&mut self, end: usize) -> String {
        let mut out = String::new();
        for start in summary_starts(&self.text) {
            if start < self.shown || start >= end {
                continue;
            }
            out.push_str(&self.text[self.shown..start]);
            let before = &self.text[..start];
            out.push_str(if before.ends_with("\n\n") {
                ""
            } else if before.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            });
            self.shown = start;
        }
        if end > self.shown {
            out.push_str(&self.text[self.shown..end]);
            self.shown = end;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "**Planning the composition**\n\nA title on top and a caption area.**Choosing a palette**\n\nGreen for the leaves, and the **red** sun.";

    #[test]
    fn two_summaries_in_one_part_are_two() {
        assert_eq!(
            split_summaries(TWO),
            [
                "**Planning the composition**\n\nA title on top and a caption area.",
                "**Choosing a palette**\n\nGreen for the leaves, and the **red** sun."
            ]
        );
        assert_eq!(split_summaries("plain thinking"), ["plain thinking"]);
        assert!(split_summaries("  \n").is_empty());
    }

    #[test]
    fn a_summary_opens_with_its_heading() {
        assert_eq!(
            heading("**Choosing a palette**\n\nGreen for the leaves."),
            (Some("Choosing a palette"), "Green for the leaves.")
        );
        assert_eq!(
            heading("plain **bold** text"),
            (None, "plain **bold** text")
        );
        assert_eq!(heading("****"), (None, "****"));
    }

    #[test]
    fn streamed_in_any_fragments_the_summaries_are_apart() {
        let whole = {
            let mut stream = SummaryStream::default();
            let mut out = stream.push(TWO);
            out.push_str(&stream.finish());
            out
        };
        assert!(
            whole.contains("caption area.\n\n**Choosing a palette**"),
            "{whole:?}"
        );
        // Every cut, including one between the two asterisks of the heading, prints the same.
        for cut in 1..TWO.len() {
            if !TWO.is_char_boundary(cut) {
                continue;
            }
            let mut stream = SummaryStream::default();
            let mut out = stream.push(&TWO[..cut]);
            out.push_str(&stream.push(&TWO[cut..]));
            out.push_str(&stream.finish());
            assert_eq!(out, whole, "cut at {cut}");
        }
    }
}
