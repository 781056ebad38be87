//! The API key: never printed, and scrubbed from anything a server sends back.

use std::fmt;

/// The secret. Its `Debug` never prints it; [`ApiKey::redact`] scrubs it from foreign text.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the key in `text`.
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "[redacted key]")
    }

    /// A reply with every occurrence of the key overwritten by asterisks, before anything
    /// parses it: a server that echoes the request's headers in its text must not get the key
    /// into the session, the screen or an export. Borrowed (no copy) when the key is absent.
    pub fn scrub<'d>(&self, data: &'d [u8]) -> std::borrow::Cow<'d, [u8]> {
        if self.0.len() < 4 {
            return std::borrow::Cow::Borrowed(data);
        }
        let finder = memchr::memmem::Finder::new(self.0.as_bytes());
        let found: Vec<usize> = finder.find_iter(data).collect();
        if found.is_empty() {
            return std::borrow::Cow::Borrowed(data);
        }
        let mut owned = data.to_vec();
        for at in found {
            owned[at..at + self.0.len()].fill(b'*');
        }
        std::borrow::Cow::Owned(owned)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_redact_never_show_the_key() {
        let key = ApiKey::new("AIzaSyTESTKEY123");
        assert!(!format!("{key:?}").contains("TESTKEY"));
        assert_eq!(
            key.redact("bad key AIzaSyTESTKEY123!"),
            "bad key [redacted key]!"
        );
    }
}
