//! A Server-Sent Events decoder for `streamGenerateContent?alt=sse`.
//!
//! Bytes go in as the network delivers them; whole events come out. There is no line-length
//! limit (one image event is tens of MB) and every byte is scanned once: the decoder remembers
//! where it stopped looking for a line end, so a 30 MB line fed in 16 KB reads costs linear time.

/// What one complete event carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// The `data:` lines of one event, joined by `\n`.
    Data(Vec<u8>),
    /// `data: [DONE]`, which some relays send last.
    Done,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: Vec<u8>,
    /// Start of the line being read.
    line_start: usize,
    /// Where to resume looking for `\n`.
    scan_from: usize,
    /// Data of the event being read, if it has a `data:` line yet.
    data: Option<Vec<u8>>,
    /// Whether any `data:` line was seen: if not, the body was not an event stream at all.
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
            let end = self.scan_from + offset;
            let mut line_end = end;
            if line_end > self.line_start && self.buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            let (start, stop) = (self.line_start, line_end);
            self.line_start = end + 1;
            self.scan_from = end + 1;
            if let Some(event) = self.take_line(start, stop) {
                events.push(event);
            }
        }
        self.scan_from = self.buf.len();
        // Drop consumed lines; what remains is at most one partial line. Until an event has been
        // seen everything is kept: the body may be a plain JSON error instead of an event stream.
        if self.saw_data && self.line_start > 0 {
            self.buf.drain(..self.line_start);
            self.scan_from -= self.line_start;
            self.line_start = 0;
        }
        events
    }

    /// Ends the stream: returns an event left without its closing blank line (a server that
    /// closes right after the last `data:` line), and the bytes that were not part of an event:
    /// the whole body when it held no event at all.
    pub fn finish(mut self) -> (Option<SseEvent>, Vec<u8>) {
        if self.line_start < self.buf.len() {
            let (start, stop) = (self.line_start, self.buf.len());
            let stop = if self.buf[stop - 1] == b'\r' {
                stop - 1
            } else {
                stop
            };
            if self.buf[start..stop].starts_with(b"data:") {
                self.take_line(start, stop);
                self.line_start = self.buf.len();
            }
        }
        let rest = if self.saw_data {
            self.buf.split_off(self.line_start)
        } else {
            std::mem::take(&mut self.buf)
        };
        (self.data.take().map(Self::classify), rest)
    }

    /// Whether any `data:` line has been seen.
    pub fn saw_data(&self) -> bool {
        self.saw_data
    }

    fn take_line(&mut self, start: usize, stop: usize) -> Option<SseEvent> {
        let line = &self.buf[start..stop];
        if line.is_empty() {
            return self.data.take().map(Self::classify);
        }
        if let Some(value) = line.strip_prefix(b"data:") {
            let value = value.strip_prefix(b" ").unwrap_or(value);
            self.saw_data = true;
            match &mut self.data {
                Some(data) => {
                    data.push(b'\n');
                    data.extend_from_slice(value);
                }
                None => self.data = Some(value.to_vec()),
            }
        }
        // `event:`, `id:`, `retry:` and `:` comments carry nothing this protocol uses.
        None
    }

    fn classify(data: Vec<u8>) -> SseEvent {
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
            SseEvent::Data(b"{\"a\":1}".to_vec()),
            SseEvent::Data(b"{\"b\":2}".to_vec()),
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
            vec![SseEvent::Data(b"one\ntwo".to_vec()), SseEvent::Done]
        );
    }

    #[test]
    fn event_without_closing_blank_line_is_returned_by_finish() {
        let mut decoder = SseDecoder::new();
        assert!(decoder.push(b"data: {\"x\":1}").is_empty());
        let (last, rest) = decoder.finish();
        assert_eq!(last, Some(SseEvent::Data(b"{\"x\":1}".to_vec())));
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
        assert_eq!(events, vec![SseEvent::Data(payload)]);
    }
}
