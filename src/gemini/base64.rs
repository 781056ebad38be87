//! Decoding the base64 of `inlineData.data`: SIMD, and on two threads when the text is long.

use std::mem::MaybeUninit;

use base64_simd::{Out, STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Text at least this long is decoded in two halves at once: a 4K image's 11 MB takes about a
/// millisecond on one core, a thread costs tens of microseconds.
const SPLIT_AT: usize = 1 << 20;

/// Standard base64 as Google sends it; unpadded and URL-safe forms are accepted too. `None`
/// if `text` is none of them.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() >= SPLIT_AT
        && let Some(bytes) = decode_in_halves(text)
    {
        return Some(bytes);
    }
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode_to_vec(text).ok())
}

/// Standard base64 decoded on this thread and one more. The first half is a whole number of
/// 4-character groups without padding, so it decodes to exactly ¾ of its length on its own.
fn decode_in_halves(text: &[u8]) -> Option<Vec<u8>> {
    let (first, second) = text.split_at(text.len() / 2 / 4 * 4);
    let first_len = first.len() / 4 * 3;
    let second_len = STANDARD.decoded_length(second).ok()?;
    let total = first_len + second_len;
    let mut bytes = Vec::<u8>::with_capacity(total);
    let (first_out, rest) = bytes.spare_capacity_mut().split_at_mut(first_len);
    let second_out = &mut rest[..second_len];
    let (first_ok, second_ok) = std::thread::scope(|scope| {
        let second_half = scope.spawn(|| decode_exactly(second, second_out));
        let first_ok = decode_exactly(first, first_out);
        // A panic in base64-simd would be a bug there; treat it as undecodable text.
        (first_ok, second_half.join().unwrap_or(false))
    });
    if !(first_ok && second_ok) {
        return None;
    }
    // SAFETY: `decode_exactly` returned true for both halves, so every one of the `total`
    // bytes (`first_len` then `second_len`, back to back) was written.
    unsafe { bytes.set_len(total) };
    Some(bytes)
}

/// Decodes `text` into `out`, true if that wrote all of `out`. (Padding inside the first half
/// would decode to fewer bytes than its length promises.)
fn decode_exactly(text: &[u8], out: &mut [MaybeUninit<u8>]) -> bool {
    let expected = out.len();
    STANDARD
        .decode(text, Out::from_uninit_slice(out))
        .is_ok_and(|written| written.len() == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(len: usize) -> Vec<u8> {
        let mut rng = fastrand::Rng::with_seed(7);
        (0..len).map(|_| rng.u8(..)).collect()
    }

    #[test]
    fn every_form_google_or_a_relay_may_send_decodes() {
        let bytes = noise(1000);
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            let text = engine.encode_to_string(&bytes);
            assert_eq!(decode(text.as_bytes()).as_deref(), Some(&bytes[..]));
        }
    }

    #[test]
    fn long_text_decodes_in_halves_to_the_same_bytes() {
        // Every remainder, so the padding lands in the second half in each of its forms.
        for len in SPLIT_AT..SPLIT_AT + 3 {
            let bytes = noise(len);
            let text = STANDARD.encode_to_string(&bytes);
            assert_eq!(
                decode_in_halves(text.as_bytes()).as_deref(),
                Some(&bytes[..])
            );
            assert_eq!(decode(text.as_bytes()).as_deref(), Some(&bytes[..]));
        }
    }

    #[test]
    fn long_unpadded_or_url_safe_text_still_decodes() {
        let bytes = noise(SPLIT_AT + 1);
        for engine in [STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            let text = engine.encode_to_string(&bytes);
            assert_eq!(decode(text.as_bytes()).as_deref(), Some(&bytes[..]));
        }
    }

    #[test]
    fn bad_bytes_in_either_half_are_refused() {
        let text = STANDARD.encode_to_string(noise(SPLIT_AT));
        for at in [10, text.len() - 10] {
            let mut broken = text.clone().into_bytes();
            broken[at] = b'"';
            assert_eq!(decode(&broken), None);
            // Padding in the middle is not base64 either.
            broken[at] = b'=';
            assert_eq!(decode(&broken), None);
        }
    }
}
