//! A Server-Sent Events decoder for `streamGenerateContent?alt=sse`.
//!
//! Chunks go in as the network delivers them; whole events come out. There is no line-length
//! limit (one image event is tens of MB). A line that spans many chunks is kept as those chunks
//! (no copy) until its end arrives, then joined once into a buffer of exactly its size: a
//! growing buffer would copy a 30 MB line about twice over and page-fault each new block.
//! Past [`LONG_LINE`] a line is copied out of its chunks as they arrive instead (see
//! [`SseDecoder::keep`]), so the chunks are not held.

use bytes::{Bytes, BytesMut};

/// A line longer than this is gathered in a buffer of its own rather than as its chunks.
const LONG_LINE: usize = 1 << 20;
/// That buffer's first size. Only address space until written, so generous: a 4K reply's
/// image is 10-35 MB of base64 and must never outgrow it (growing copied 16 MB of a 30 MB line
/// once more, and made a 30 MB event cost 3.9 times a 12 MB one).
const LONG_LINE_START: usize = 64 << 20;
/// The most that buffer reserves beyond what it needs right now.
const MAX_AHEAD: usize = 256 << 20;

/// What one complete event carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// The `data:` lines of one event, joined by `\n`. A one-line event (every event of this
    /// API) is the received line itself, not a further copy.
    Data(Bytes),
    /// `data: [DONE]`, which some relays send last.
    Done,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    /// The line being read, as the pieces of the chunks it arrived in.
    line: Vec<Bytes>,
    /// Bytes in `line`.
    line_len: usize,
    /// The line being read once it is longer than [`LONG_LINE`] (`line` is empty then).
    long_line: BytesMut,
    /// Data of the event being read, if it has a `data:` line yet.
    data: Option<Bytes>,
    /// Until the first `data:` line, every line is kept: the body may be a plain JSON error.
    preamble: Vec<u8>,
    saw_data: bool,
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk; returns the events it completed.
    pub fn push(&mut self, mut chunk: Bytes) -> Vec<SseEvent> {
        let mut events = Vec::new();
        while let Some(end) = memchr::memchr(b'\n', &chunk) {
            let line = self.join_line(chunk.split_to(end + 1));
            if let Some(event) = self.take_line(line) {
                events.push(event);
            }
        }
        if !chunk.is_empty() {
            self.keep(chunk);
        }
        events
    }

    /// Adds a piece of the line being read.
    ///
    /// A received chunk is a slice of one of the HTTP client's read buffers and keeps it
    /// alive; joining the chunks then needs the line's size once more, and the chunks freed
    /// after the join stay resident under mimalloc while the image is decoded. Measured on
    /// `send` of a 35 MB reply: from the start of the line to its decoded image, RSS rose by
    /// about 90 MB with the line kept as chunks, and by 60-75 MB with it copied out as it
    /// arrives (the floor is the line plus the image, 61 MB). So a long line goes into a buffer
    /// of [`LONG_LINE_START`] that grows 8-fold if it must: capacity never written costs
    /// address space, not memory, and the outgrown buffers add up to at most a seventh of the
    /// last one. Each byte is still copied about once.
    fn keep(&mut self, piece: Bytes) {
        if self.long_line.is_empty() && self.line_len + piece.len() <= LONG_LINE {
            self.line_len += piece.len();
            self.line.push(piece);
            return;
        }
        let needed = self.line_len + self.long_line.len() + piece.len();
        if needed > self.long_line.capacity() {
            let target = if self.long_line.capacity() == 0 {
                needed.max(LONG_LINE_START)
            } else {
                needed.saturating_add(needed.saturating_mul(7).min(MAX_AHEAD))
            };
            self.long_line.reserve(target - self.long_line.len());
        }
        for earlier in self.line.drain(..) {
            self.long_line.extend_from_slice(&earlier);
        }
        self.line_len = 0;
        self.long_line.extend_from_slice(&piece);
    }

    /// The line read so far followed by `last`, as one buffer.
    fn join_line(&mut self, last: Bytes) -> Bytes {
        if !self.long_line.is_empty() {
            self.long_line.extend_from_slice(&last);
            // Taken whole, not split: what remains of the allocation must not keep it alive
            // once the caller drops the line.
            return std::mem::take(&mut self.long_line).freeze();
        }
        if self.line.is_empty() {
            return last;
        }
        let mut joined = BytesMut::with_capacity(self.line_len + last.len());
        for piece in self.line.drain(..) {
            joined.extend_from_slice(&piece);
        }
        self.line_len = 0;
        joined.extend_from_slice(&last);
        joined.freeze()
    }

    /// Ends the stream: returns an event left without its closing blank line (a server that
    /// closes right after the last `data:` line), and the bytes that were not part of an event:
    /// the whole body when it held no event at all.
    pub fn finish(mut self) -> (Option<SseEvent>, Vec<u8>) {
        let line = self.join_line(Bytes::new());
        let mut rest = std::mem::take(&mut self.preamble);
        if line.starts_with(b"data:") {
            self.take_line(line);
        } else {
            rest.extend_from_slice(&line);
        }
        (self.data.take().map(Self::classify), rest)
    }

    /// Whether any `data:` line has been seen.
    pub fn saw_data(&self) -> bool {
        self.saw_data
    }

    fn take_line(&mut self, line: Bytes) -> Option<SseEvent> {
        let mut stop = line.len();
        if line.ends_with(b"\n") {
            stop -= 1;
        }
        if stop > 0 && line[stop - 1] == b'\r' {
            stop -= 1;
        }
        if stop == 0 {
            return self.data.take().map(Self::classify);
        }
        if !line.starts_with(b"data:") {
            // `event:`, `id:`, `retry:` and `:` comments carry nothing this protocol uses.
            if !self.saw_data {
                self.preamble.extend_from_slice(&line);
            }
            return None;
        }
        let start = if line.get(5) == Some(&b' ') { 6 } else { 5 };
        let value = line.slice(start.min(stop)..stop);
        self.saw_data = true;
        self.data = Some(match self.data.take() {
            None => value,
            Some(previous) => {
                let mut joined = BytesMut::with_capacity(previous.len() + 1 + value.len());
                joined.extend_from_slice(&previous);
                joined.extend_from_slice(b"\n");
                joined.extend_from_slice(&value);
                joined.freeze()
            }
        });
        None
    }

    fn classify(data: Bytes) -> SseEvent {
        if data.trim_ascii() == b"[DONE]" {
            SseEvent::Done
        } else {
            SseEvent::Data(data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(body: &[u8], chunk: usize) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut events = Vec::new();
        let body = Bytes::copy_from_slice(body);
        for start in (0..body.len()).step_by(chunk.max(1)) {
            events.extend(decoder.push(body.slice(start..body.len().min(start + chunk))));
        }
        let (last, _) = decoder.finish();
        events.extend(last);
        events
    }

    #[test]
    fn lf_and_crlf_framing_give_the_same_events() {
        let lf = b"data: {\"a\":1}\n\ndata: {\"b\":2}\n\n";
        let crlf = b"data: {\"a\":1}\r\n\r\ndata: {\"b\":2}\r\n\r\n";
        let expected = vec![
            SseEvent::Data(Bytes::from_static(b"{\"a\":1}")),
            SseEvent::Data(Bytes::from_static(b"{\"b\":2}")),
        ];
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(decode_in_chunks(lf, chunk), expected, "lf, chunk {chunk}");
            assert_eq!(
                decode_in_chunks(crlf, chunk),
                expected,
                "crlf, chunk {chunk}"
            );
        }
    }

    #[test]
    fn done_marker_comments_and_multiline_data() {
        let body = b": keep-alive\nevent: message\ndata: one\ndata: two\n\ndata: [DONE]\n\n";
        assert_eq!(
            decode_in_chunks(body, 4),
            vec![
                SseEvent::Data(Bytes::from_static(b"one\ntwo")),
                SseEvent::Done
            ]
        );
    }

    #[test]
    fn event_without_closing_blank_line_is_returned_by_finish() {
        let mut decoder = SseDecoder::new();
        assert!(
            decoder
                .push(Bytes::from_static(b"data: {\"x\":1}"))
                .is_empty()
        );
        let (last, rest) = decoder.finish();
        assert_eq!(last, Some(SseEvent::Data(Bytes::from_static(b"{\"x\":1}"))));
        assert!(rest.is_empty());
    }

    #[test]
    fn plain_json_body_is_left_over_and_flagged() {
        let body = b"{\n  \"error\": {\"code\": 400}\n}\n";
        let mut decoder = SseDecoder::new();
        assert!(decoder.push(Bytes::from_static(body)).is_empty());
        assert!(!decoder.saw_data());
        let (last, rest) = decoder.finish();
        assert_eq!(last, None);
        assert_eq!(
            rest,
            body.to_vec(),
            "the whole body is kept for the error reader"
        );
    }

    #[test]
    fn a_long_line_in_uneven_reads_decodes_whole_and_is_not_kept() {
        let payload: Vec<u8> = (0..5 * LONG_LINE / 2)
            .map(|i| b'A' + (i % 26) as u8)
            .collect();
        let mut body = b"data: {\"a\":1}\n\ndata: ".to_vec();
        body.extend_from_slice(&payload);
        body.extend_from_slice(b"\r\n\r\ndata: {\"b\":2}\n\n");
        let expected = vec![
            SseEvent::Data(Bytes::from_static(b"{\"a\":1}")),
            SseEvent::Data(Bytes::from(payload)),
            SseEvent::Data(Bytes::from_static(b"{\"b\":2}")),
        ];
        for chunk in [7919, 64 * 1024, LONG_LINE, body.len()] {
            assert_eq!(decode_in_chunks(&body, chunk), expected, "chunk {chunk}");
        }
        let mut decoder = SseDecoder::new();
        let body = Bytes::from(body);
        for start in (0..body.len()).step_by(7919) {
            decoder.push(body.slice(start..body.len().min(start + 7919)));
        }
        assert_eq!(
            decoder.long_line.capacity(),
            0,
            "the long line's buffer is let go"
        );
    }

    #[test]
    fn a_huge_line_in_small_reads_decodes_whole() {
        let payload = vec![b'A'; 3 * 1024 * 1024];
        let mut body = b"data: ".to_vec();
        body.extend_from_slice(&payload);
        body.extend_from_slice(b"\r\n\r\n");
        let events = decode_in_chunks(&body, 16 * 1024);
        assert_eq!(events, vec![SseEvent::Data(Bytes::from(payload))]);
    }
}
