//! A JSON body with its long strings lifted out, so that serde parses only the small rest.
//!
//! A 4K reply is one JSON document of ~12 MB, of which ~11 MB is a single base64 string.
//! serde_json checks every byte of a string for quotes, escapes and control characters at about
//! 7 GB/s; `memchr` finds the closing quote of an escape-free string several times faster. So
//! we find the strings first, copy everything *except* the long escape-free ones into a small
//! skeleton (each becomes `""`), let serde parse the skeleton, and then point the borrowed
//! strings that serde handed out back into the original body. The long strings are checked by
//! whoever consumes them: base64 decoding rejects every byte outside its alphabet, and
//! [`Skeleton::body_str`] checks UTF-8 and control characters.
//!
//! The scan follows the JSON grammar only as far as strings go: outside a string every `"`
//! opens one, inside one `\` escapes the next byte. On a body that is not JSON the skeleton is
//! not JSON either, and the caller parses the original body to report the error where it is.

use std::ops::Range;

use memchr::{memchr, memchr2};

/// Strings at least this long are lifted out. Below it, serde's own scan is as fast as ours
/// plus the bookkeeping.
const LIFT_AT: usize = 16 * 1024;

#[derive(Debug)]
pub struct Skeleton<'b> {
    body: &'b [u8],
    text: Vec<u8>,
    /// Runs of copied bytes as (skeleton offset, body offset), in order; each run ends where
    /// the next begins.
    runs: Vec<(usize, usize)>,
    /// The lifted strings: where their emptied content sits in the skeleton, and their content
    /// in the body.
    lifted: Vec<(usize, Range<usize>)>,
}

impl<'b> Skeleton<'b> {
    /// The skeleton of `body`, or `None` when it has no string worth lifting (or an unclosed
    /// string, which serde will report).
    pub fn of(body: &'b [u8]) -> Option<Self> {
        let lifted_spans = long_plain_strings(body)?;
        if lifted_spans.is_empty() {
            return None;
        }
        let lifted_len: usize = lifted_spans.iter().map(|span| span.len()).sum();
        let mut skeleton = Skeleton {
            body,
            text: Vec::with_capacity(body.len() - lifted_len),
            runs: Vec::with_capacity(lifted_spans.len() + 1),
            lifted: Vec::with_capacity(lifted_spans.len()),
        };
        let mut copied_to = 0;
        for span in lifted_spans {
            skeleton.copy_run(copied_to..span.start);
            skeleton.lifted.push((skeleton.text.len(), span.clone()));
            copied_to = span.end;
        }
        skeleton.copy_run(copied_to..body.len());
        Some(skeleton)
    }

    fn copy_run(&mut self, span: Range<usize>) {
        self.runs.push((self.text.len(), span.start));
        self.text.extend_from_slice(&self.body[span]);
    }

    /// The JSON to hand to serde.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// How many strings were lifted out.
    pub fn lifted_count(&self) -> usize {
        self.lifted.len()
    }

    /// The body bytes behind `borrowed`, a string serde borrowed from [`Self::text`], and
    /// whether it was a lifted one. `None` if `borrowed` does not point into the skeleton.
    pub fn body_bytes(&self, borrowed: &[u8]) -> Option<(&'b [u8], bool)> {
        let offset = (borrowed.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        if offset + borrowed.len() > self.text.len() {
            return None;
        }
        if borrowed.is_empty()
            && let Ok(index) = self.lifted.binary_search_by_key(&offset, |(at, _)| *at)
        {
            return Some((&self.body[self.lifted[index].1.clone()], true));
        }
        let run = self.runs.partition_point(|(start, _)| *start <= offset);
        let (skeleton_start, body_start) = *self.runs.get(run.checked_sub(1)?)?;
        let start = body_start + (offset - skeleton_start);
        Some((self.body.get(start..start + borrowed.len())?, false))
    }

    /// [`Self::body_bytes`] for text: a lifted string must be UTF-8 without control
    /// characters, as serde would have required.
    pub fn body_str(&self, borrowed: &str) -> Option<(&'b str, bool)> {
        let (bytes, lifted) = self.body_bytes(borrowed.as_bytes())?;
        if lifted && has_control_characters(bytes) {
            return None;
        }
        Some((std::str::from_utf8(bytes).ok()?, lifted))
    }
}

/// Whether any byte is below 0x20. Checked a block at a time without stopping early, which
/// the compiler turns into SIMD: a byte-by-byte `any` made two 600 KB signatures cost a third
/// as much as decoding the 11 MB image.
fn has_control_characters(bytes: &[u8]) -> bool {
    bytes
        .chunks(256)
        .any(|block| block.iter().fold(false, |seen, &b| seen | (b < 0x20)))
}

/// The content spans of the strings without escapes that are at least [`LIFT_AT`] long, or
/// `None` if a string never closes.
fn long_plain_strings(body: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(open) = memchr(b'"', &body[at..]) {
        let start = at + open + 1;
        let mut cursor = start;
        let mut escaped = false;
        let end = loop {
            let hit = cursor + memchr2(b'"', b'\\', body.get(cursor..)?)?;
            if body[hit] == b'"' {
                break hit;
            }
            escaped = true;
            // `\"`, `\\` and the rest: the escaped byte is never the string's end. (`\u`'s
            // four hex digits hold neither a quote nor a backslash.)
            cursor = hit + 2;
        };
        if !escaped && end - start >= LIFT_AT {
            spans.push(start..end);
        }
        at = end + 1;
    }
    Some(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(ch: char) -> String {
        ch.to_string().repeat(LIFT_AT)
    }

    #[test]
    fn short_strings_leave_nothing_to_lift() {
        assert!(Skeleton::of(br#"{"a":"b","c":[1,2,"\"x\\"]}"#).is_none());
    }

    #[test]
    fn long_strings_become_empty_and_map_back() {
        let body = format!(
            r#"{{"data":"{}","small":"hi","sig":"{}"}}"#,
            long('A'),
            long('B')
        );
        let skeleton = Skeleton::of(body.as_bytes()).unwrap();
        assert_eq!(skeleton.text(), br#"{"data":"","small":"hi","sig":""}"#);
        assert_eq!(skeleton.lifted_count(), 2);

        let parsed: std::collections::BTreeMap<&str, &str> =
            serde_json::from_slice(skeleton.text()).unwrap();
        let (data, lifted) = skeleton.body_str(parsed["data"]).unwrap();
        assert!(lifted);
        assert_eq!(data, long('A'));
        let (sig, lifted) = skeleton.body_str(parsed["sig"]).unwrap();
        assert!(lifted);
        assert_eq!(sig, long('B'));
        let (small, lifted) = skeleton.body_str(parsed["small"]).unwrap();
        assert!(!lifted);
        assert_eq!(small, "hi");
        // It is the body's own text, not a copy.
        assert_eq!(small.as_ptr(), body[body.find("hi").unwrap()..].as_ptr());
        // Keys and other borrowed strings map back too.
        let key = parsed.keys().find(|k| **k == "small").unwrap();
        assert_eq!(skeleton.body_str(key).unwrap(), ("small", false));
    }

    #[test]
    fn strings_with_escapes_stay_for_serde() {
        let escaped = format!(r#"{}\"{}"#, long('x'), long('y'));
        let body = format!(r#"["{escaped}","{}"]"#, long('z'));
        let skeleton = Skeleton::of(body.as_bytes()).unwrap();
        assert_eq!(skeleton.lifted_count(), 1);
        let parsed: (String, &str) = serde_json::from_slice(skeleton.text()).unwrap();
        assert_eq!(parsed.0, format!("{}\"{}", long('x'), long('y')));
        assert_eq!(skeleton.body_str(parsed.1).unwrap().0, long('z'));
    }

    #[test]
    fn an_escaped_backslash_before_a_quote_ends_the_string() {
        // `"\\"` is a one-backslash string; the quote after it opens the long one.
        let body = format!(r#"["\\","{}"]"#, long('q'));
        let skeleton = Skeleton::of(body.as_bytes()).unwrap();
        assert_eq!(skeleton.text(), br#"["\\",""]"#);
    }

    #[test]
    fn an_unclosed_string_is_left_to_serde() {
        let body = format!(r#"{{"data":"{}"#, long('A'));
        assert!(Skeleton::of(body.as_bytes()).is_none());
        assert!(Skeleton::of(br#"{"a":"\"#).is_none());
    }

    #[test]
    fn lifted_text_must_be_what_serde_would_accept() {
        let mut with_newline = long('A');
        with_newline.push('\n');
        let body = format!(r#"["{with_newline}"]"#);
        let skeleton = Skeleton::of(body.as_bytes()).unwrap();
        let parsed: Vec<&str> = serde_json::from_slice(skeleton.text()).unwrap();
        assert!(skeleton.body_bytes(parsed[0].as_bytes()).is_some());
        assert!(skeleton.body_str(parsed[0]).is_none());
    }

    #[test]
    fn foreign_strings_are_not_mapped() {
        let body = format!(r#"["{}"]"#, long('A'));
        let skeleton = Skeleton::of(body.as_bytes()).unwrap();
        assert!(skeleton.body_bytes(b"elsewhere").is_none());
    }
}
