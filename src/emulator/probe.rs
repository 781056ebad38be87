//! Asks the terminal what it is, without losing a key typed meanwhile.
//!
//! One batch of queries goes out (XTVERSION, the kitty graphics query plain and deflated, the
//! cell size, OSC 10 and 11 for the colours, DA1 last: every terminal answers DA1, and in order, so its reply means
//! the others are in). Then stdin is polled — never a blocking read, never a helper thread —
//! until that reply or one overall deadline. Every byte read is either part of a reply or
//! something the user typed: the replies go to [`Capabilities`], the typed bytes are handed
//! back to be replayed as key events, in order.

use std::time::{Duration, Instant};

use super::caps::{Reply, Rgb};
use super::tmux;

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// The queries, DA1 last. Inside tmux, those meant for the outer terminal are wrapped in
/// tmux's passthrough (its ESC doubled), and DA1 is wrapped too so the sentinel is the outer
/// terminal's.
pub fn queries(tmux: bool, colours: bool) -> Vec<u8> {
    // XTSMGRAPHICS asks the largest sixel picture (xterm's default is 1000×1000 px).
    let outer: [&[u8]; 4] = [
        b"\x1b[>0q",
        b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\",
        b"\x1b[16t",
        b"\x1b[?2;1;0S",
    ];
    let mut out = Vec::new();
    for query in outer {
        push_query(&mut out, query, tmux);
    }
    if colours {
        // BEL-terminated: urxvt mis-terminates replies to ST queries (colorsaurus). Passed
        // through tmux too: tmux answers for itself with its own idea of the colours.
        push_query(&mut out, b"\x1b]10;?\x07", tmux);
        push_query(&mut out, b"\x1b]11;?\x07", tmux);
    }
    push_query(&mut out, b"\x1b[c", tmux);
    out
}

fn push_query(out: &mut Vec<u8>, query: &[u8], tmux: bool) {
    if !tmux {
        out.extend_from_slice(query);
        return;
    }
    out.extend_from_slice(tmux::PASSTHROUGH_START.as_bytes());
    for &byte in query {
        if byte == ESC {
            out.push(ESC);
        }
        out.push(byte);
    }
    out.extend_from_slice(tmux::PASSTHROUGH_END.as_bytes());
}

/// What a stretch of input held.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub replies: Vec<Reply>,
    /// Everything that was not a reply: keys typed meanwhile, as the terminal sent them.
    pub typed: Vec<u8>,
    /// The DA1 reply arrived.
    pub done: bool,
}

enum Token {
    Reply(Reply),
    /// Bytes that are not a reply (a key, an arrow's CSI).
    Typed(usize),
    /// A reply we do not use: dropped.
    Ignored,
    /// Needs more bytes.
    Incomplete,
}

/// Splits input into replies and typed bytes. `finished` says no more input will come: an
/// unfinished reply at the end is then dropped, an unfinished key kept.
pub fn split(input: &[u8], finished: bool) -> (Split, usize) {
    let mut out = Split::default();
    let mut at = 0;
    while at < input.len() {
        let (token, length) = next_token(&input[at..]);
        match token {
            Token::Reply(reply) => {
                if matches!(reply, Reply::DeviceAttributes(_)) {
                    out.done = true;
                }
                out.replies.push(reply);
            }
            Token::Typed(n) => out.typed.extend_from_slice(&input[at..at + n]),
            Token::Ignored => {}
            Token::Incomplete => {
                if finished {
                    let rest = &input[at..];
                    let reply_like = rest.len() >= 2 && matches!(rest[1], b'P' | b'_' | b']');
                    if !reply_like {
                        out.typed.extend_from_slice(rest);
                    }
                    at = input.len();
                }
                break;
            }
        }
        at += length;
        if out.done {
            break;
        }
    }
    (out, at)
}

fn next_token(input: &[u8]) -> (Token, usize) {
    if input[0] != ESC {
        return (Token::Typed(1), 1);
    }
    let Some(&kind) = input.get(1) else {
        return (Token::Incomplete, 0);
    };
    match kind {
        b'P' | b'_' | b']' => {
            let Some((body_end, end)) = string_end(&input[2..]) else {
                return (Token::Incomplete, 0);
            };
            let body = &input[2..2 + body_end];
            let length = 2 + end;
            let reply = match kind {
                b'P' => body
                    .strip_prefix(b">|")
                    .map(|v| Reply::Version(String::from_utf8_lossy(v).trim().to_string())),
                b'_' => body
                    .strip_prefix(b"G")
                    .map(|rest| Reply::KittyGraphics(memchr::memmem::find(rest, b";OK").is_some())),
                _ => colour_reply(body),
            };
            match reply {
                Some(reply) => (Token::Reply(reply), length),
                None => (Token::Ignored, length),
            }
        }
        b'[' => {
            let Some(offset) = input[2..].iter().position(|b| (0x40..=0x7e).contains(b)) else {
                return (Token::Incomplete, 0);
            };
            let length = 2 + offset + 1;
            let params = &input[2..2 + offset];
            let last = input[2 + offset];
            match (params.first(), last) {
                (Some(b'?'), b'c') => (
                    Token::Reply(Reply::DeviceAttributes(numbers(&params[1..]))),
                    length,
                ),
                (Some(b'?'), b'S') => match numbers(&params[1..]).as_slice() {
                    [2, 0, width, height] => {
                        (Token::Reply(Reply::SixelMax(*width, *height)), length)
                    }
                    _ => (Token::Ignored, length),
                },
                (_, b't') => match numbers(params).as_slice() {
                    [6, height, width] => (Token::Reply(Reply::CellSize(*width, *height)), length),
                    _ => (Token::Ignored, length),
                },
                _ => (Token::Typed(length), length),
            }
        }
        // A lone Esc, or Alt with a key.
        _ => (Token::Typed(2), 2),
    }
}

/// Where a DCS/APC/OSC string ends: (end of its body, end of its terminator), relative to
/// `input`. Ended by ST (`ESC \`) or BEL.
fn string_end(input: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            BEL => return Some((i, i + 1)),
            ESC => {
                return match input.get(i + 1) {
                    Some(b'\\') => Some((i, i + 2)),
                    Some(_) => Some((i, i + 1)),
                    None => None,
                };
            }
            _ => i += 1,
        }
    }
    None
}

fn numbers(params: &[u8]) -> Vec<u16> {
    params
        .split(|&b| b == b';')
        .filter_map(|p| std::str::from_utf8(p).ok()?.parse().ok())
        .collect()
}

/// `10;rgb:RRRR/GGGG/BBBB` (foreground) or `11;…` (background); 1 to 4 hex digits a channel.
fn colour_reply(body: &[u8]) -> Option<Reply> {
    let text = std::str::from_utf8(body).ok()?;
    let (which, value) = text.split_once(';')?;
    let channels: Vec<u8> = value
        .strip_prefix("rgb:")?
        .split('/')
        .map(|hex| {
            let digits = hex.len().clamp(1, 4) as u32;
            let v = u32::from_str_radix(hex.get(..digits as usize)?, 16).ok()?;
            let max = (1u32 << (4 * digits)) - 1;
            Some(((v * 255 + max / 2) / max) as u8)
        })
        .collect::<Option<_>>()?;
    let [r, g, b] = channels[..] else {
        return None;
    };
    match which {
        "10" => Some(Reply::Foreground(Rgb(r, g, b))),
        "11" => Some(Reply::Background(Rgb(r, g, b))),
        _ => None,
    }
}

/// Anything that can be polled and read like a terminal's input; stdin in the studio, a pty
/// in tests.
pub trait Input {
    /// Waits up to `timeout` for bytes; `Ok(0)` when none came, an error when input ended.
    fn read_within(&mut self, buffer: &mut [u8], timeout: Duration) -> std::io::Result<usize>;
}

/// Reads replies until DA1's or the deadline. Returns every reply and every typed byte.
pub fn collect(input: &mut dyn Input, deadline: Duration) -> Split {
    let start = Instant::now();
    let mut pending = Vec::new();
    let mut result = Split::default();
    let mut buffer = [0u8; 4096];
    loop {
        let left = deadline.saturating_sub(start.elapsed());
        let (read, closed) = if left.is_zero() {
            (0, false)
        } else {
            match input.read_within(&mut buffer, left) {
                Ok(read) => (read, false),
                Err(_) => (0, true),
            }
        };
        let finished = closed || (read == 0 && start.elapsed() >= deadline);
        pending.extend_from_slice(&buffer[..read]);
        let (part, used) = split(&pending, finished);
        result.replies.extend(part.replies);
        result.typed.extend(part.typed);
        pending.drain(..used);
        if part.done {
            // Whatever followed the last reply was typed.
            result.typed.append(&mut pending);
            result.done = true;
            return result;
        }
        if finished {
            return result;
        }
    }
}

/// The studio's stdin, polled.
#[cfg(unix)]
pub struct Stdin;

#[cfg(unix)]
impl Input for Stdin {
    fn read_within(&mut self, buffer: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let stdin = std::io::stdin();
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        let timeout = Timespec {
            tv_sec: timeout.as_secs() as _,
            tv_nsec: timeout.subsec_nanos() as _,
        };
        if poll(&mut fds, Some(&timeout))? == 0 {
            return Ok(0);
        }
        // Straight from the descriptor: std's buffered stdin would keep bytes crossterm
        // never sees.
        match rustix::io::read(&stdin, buffer)? {
            0 => Err(std::io::ErrorKind::UnexpectedEof.into()),
            read => Ok(read),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_told_apart_from_keys_typed_between_them() {
        let input = b"hi\x1b[?2;0;1000;1000S\x1bP>|kitty(0.26.5)\x1b\\ there\x1b_Gi=31;OK\x1b\\\x1b[A\x1b[6;20;10t\x1b]11;rgb:ffff/ffff/ffff\x07\r\x1b[?62;4;22c!";
        let (split, used) = split(input, false);
        assert_eq!(
            split.replies,
            vec![
                Reply::SixelMax(1000, 1000),
                Reply::Version("kitty(0.26.5)".into()),
                Reply::KittyGraphics(true),
                Reply::CellSize(10, 20),
                Reply::Background(Rgb(255, 255, 255)),
                Reply::DeviceAttributes(vec![62, 4, 22]),
            ]
        );
        assert_eq!(split.typed, b"hi there\x1b[A\r");
        assert!(split.done);
        // The "!" after DA1 is left for the caller.
        assert_eq!(used, input.len() - 1);
    }

    #[test]
    fn a_kitty_error_is_not_ok_and_short_colour_replies_scale() {
        let (split, _) = split(
            b"\x1b_Gi=31;EINVAL:bad\x1b\\\x1b]10;rgb:0/8/f\x1b\\\x1b]11;rgb:12/34/56\x07",
            false,
        );
        assert_eq!(
            split.replies,
            vec![
                Reply::KittyGraphics(false),
                Reply::Foreground(Rgb(0, 136, 255)),
                Reply::Background(Rgb(0x12, 0x34, 0x56)),
            ]
        );
        assert!(!split.done);
    }

    #[test]
    fn an_unfinished_reply_waits_for_more_or_is_dropped_at_the_end() {
        let (part, used) = split(b"ab\x1b]11;rgb:ff", false);
        assert_eq!(part.typed, b"ab");
        assert_eq!(used, 2);
        let (part, used) = split(b"ab\x1b]11;rgb:ff", true);
        assert_eq!(part.typed, b"ab");
        assert_eq!(used, 13);
        // An Esc pressed last is a key, not a reply.
        let (part, _) = split(b"x\x1b", true);
        assert_eq!(part.typed, b"x\x1b");
    }

    #[test]
    fn tmux_wraps_the_outer_queries_and_doubles_their_escapes() {
        let plain = queries(false, true);
        assert!(plain.ends_with(b"\x1b[c"));
        assert!(memchr::memmem::find(&plain, b"\x1b]11;?\x07").is_some());
        let wrapped = queries(true, true);
        assert!(wrapped.starts_with(b"\x1bPtmux;\x1b\x1b[>0q\x1b\\"));
        assert!(wrapped.ends_with(b"\x1bPtmux;\x1b\x1b[c\x1b\\"));
        assert!(memchr::memmem::find(&wrapped, b"\x1bPtmux;\x1b\x1b]11;?\x07\x1b\\").is_some());
        assert!(memchr::memmem::find(&queries(true, false), b"]11;").is_none());
    }

    /// Bytes arriving in chunks, with pauses; the clock is real but short.
    struct Script(Vec<(Duration, Vec<u8>)>);

    impl Input for Script {
        fn read_within(&mut self, buffer: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
            let Some((delay, _)) = self.0.first() else {
                std::thread::sleep(timeout);
                return Ok(0);
            };
            if *delay > timeout {
                std::thread::sleep(timeout);
                self.0[0].0 -= timeout;
                return Ok(0);
            }
            std::thread::sleep(*delay);
            let (_, bytes) = self.0.remove(0);
            buffer[..bytes.len()].copy_from_slice(&bytes);
            Ok(bytes.len())
        }
    }

    #[test]
    fn keys_typed_before_during_and_after_slow_replies_all_come_back_in_order() {
        let mut input = Script(vec![
            (Duration::ZERO, b"a".to_vec()),
            (Duration::from_millis(30), b"\x1bP>|XTerm(379)\x1b".to_vec()),
            (Duration::from_millis(10), b"\\b".to_vec()),
            (Duration::from_millis(30), b"c\x1b[?63;4c".to_vec()),
        ]);
        let split = collect(&mut input, Duration::from_secs(5));
        assert!(split.done);
        assert_eq!(split.typed, b"abc");
        assert_eq!(split.replies.len(), 2);
    }

    #[test]
    fn a_terminal_that_never_answers_keeps_every_key_and_stops_at_the_deadline() {
        let mut input = Script(vec![
            (Duration::from_millis(5), b"make it ".to_vec()),
            (Duration::from_millis(5), b"blue\r".to_vec()),
        ]);
        let started = Instant::now();
        let split = collect(&mut input, Duration::from_millis(200));
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(!split.done);
        assert!(split.replies.is_empty());
        assert_eq!(split.typed, b"make it blue\r");
    }
}
