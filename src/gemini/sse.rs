//! A Server-Sent Events decoder for `streamGenerateContent?alt=sse`.
//!
//! Bytes go in as the network delivers them; whole events come out. There is no line-length
//! limit (one image event is tens of MB) and every byte is scanned once: the decoder remembers
//! where it stopped looking for a line end, so a 30 MB line fed in 16 KB reads costs linear time.

use bytes::{Bytes, BytesMut};

/// What one complete event carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// The `data:` lines of one event, joined by `\n`. A one-line event (every event of this
    /// API) is a slice of the receive buffer, not a copy.
    Data(Bytes),
    /// `data: [DONE]`, which some relays send last.
    Done,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    /// Bytes of the line being read; complete lines are split off the front.
    buf: BytesMut,
    /// Where to resume looking for `\n` in `buf`.
    scan_from: usize,
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

    /// Feeds bytes; returns the events they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(offset) = memchr::memchr(b'\n', &self.buf[self.scan_from..]) {
            let line = self.buf.split_to(self.scan_from + offset + 1).freeze();
            self.scan_from = 0;
            if let Some(event) = self.take_line(line) {
                events.push(event);
            }
        }
        self.scan_from = self.buf.len();
        events
    }

    /// Ends the stream: returns an event left without its closing blank line (a server that
    /// closes right after the last `data:` line), and the bytes that were not part of an event:
    /// the whole body when it held no event at all.
    pub fn finish(mut self) -> (Option<SseEvent>, Vec<u8>) {
        if self.buf.starts_with(b"data:") {
            let line = std::mem::take(&mut self.buf).freeze();
            self.take_line(line);
        }
        let mut rest = std::mem::take(&mut self.preamble);
        rest.extend_from_slice(&self.buf);
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
        for piece in body.chunks(chunk.max(1)) {
            events.extend(decoder.push(piece));
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
        assert!(decoder.push(b"data: {\"x\":1}").is_empty());
        let (last, rest) = decoder.finish();
        assert_eq!(last, Some(SseEvent::Data(Bytes::from_static(b"{\"x\":1}"))));
        assert!(rest.is_empty());
    }

    #[test]
    fn plain_json_body_is_left_over_and_flagged() {
        let body = b"{\n  \"error\": {\"code\": 400}\n}\n";
        let mut decoder = SseDecoder::new();
        assert!(decoder.push(body).is_empty());
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
    fn a_huge_line_in_small_reads_decodes_whole() {
        let payload = vec![b'A'; 3 * 1024 * 1024];
        let mut body = b"data: ".to_vec();
        body.extend_from_slice(&payload);
        body.extend_from_slice(b"\r\n\r\n");
        let events = decode_in_chunks(&body, 16 * 1024);
        assert_eq!(events, vec![SseEvent::Data(Bytes::from(payload))]);
    }
}
