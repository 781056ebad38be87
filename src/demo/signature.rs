//! The demo model's thought signatures: opaque to the client, checkable by the server.
//!
//! A signature is a keyed hash of the part it sits on, so the demo can do what the real API
//! does — refuse a history in which a signature is missing, moved to another part, or sent
//! with altered text or image bytes.

use sha2::{Digest, Sha256};

const KEY: &[u8] = b"banana-studio demo model signature v1";
pub use crate::conversation::request::SIGNATURE_BYPASS as VALIDATOR_BYPASS;
/// Real signatures are hundreds of bytes to hundreds of KB; this size keeps the demo honest
/// about carrying them without bloating tests.
const SIGNATURE_BYTES: usize = 192;

/// What a signature is bound to.
pub enum Signed<'a> {
    Text(&'a str),
    /// The decoded image bytes.
    Image(&'a [u8]),
}

pub fn sign(content: Signed<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(KEY);
    match content {
        Signed::Text(text) => {
            hasher.update(b"text\0");
            hasher.update(text.as_bytes());
        }
        Signed::Image(bytes) => {
            hasher.update(b"image\0");
            hasher.update(bytes);
        }
    }
    let seed = hasher.finalize();
    // Stretch the digest into an opaque blob of realistic size.
    let mut blob = Vec::with_capacity(SIGNATURE_BYTES);
    let mut block = seed.to_vec();
    while blob.len() < SIGNATURE_BYTES {
        block = Sha256::digest(&block).to_vec();
        blob.extend_from_slice(&block);
    }
    blob.truncate(SIGNATURE_BYTES);
    blob[..seed.len()].copy_from_slice(&seed);
    base64_simd::STANDARD.encode_to_string(&blob)
}

pub fn verify(signature: &str, content: Signed<'_>) -> bool {
    signature == VALIDATOR_BYPASS || signature == sign(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_to_the_content() {
        let signature = sign(Signed::Text("Here is the infographic."));
        assert!(verify(&signature, Signed::Text("Here is the infographic.")));
        assert!(!verify(
            &signature,
            Signed::Text("Here is the infographic!")
        ));
        assert!(!verify(
            &signature,
            Signed::Image(b"Here is the infographic.")
        ));
        assert_eq!(signature.len(), 256);
    }
}
