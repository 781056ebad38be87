//! Which of Google's two endpoints carries a turn: `generateContent` (the whole history in
//! every request; what every relay speaks) or the Interactions API (the server keeps the
//! history; a turn names the previous interaction and sends only its new input).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    #[default]
    GenerateContent,
    Interactions,
}

impl Transport {
    pub const NAMES: [&'static str; 2] = ["generate-content", "interactions"];

    /// For serde's `skip_serializing_if`: sessions written before there was a choice read as
    /// the default.
    pub fn is_default(&self) -> bool {
        *self == Transport::GenerateContent
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Transport::GenerateContent => "generate-content",
            Transport::Interactions => "interactions",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Transport {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim() {
            "generate-content" => Ok(Transport::GenerateContent),
            "interactions" => Ok(Transport::Interactions),
            other => Err(format!(
                "unknown transport {:?}: use \"generate-content\" (the default, whole history each turn) or \"interactions\" (the server keeps the history)",
                crate::terminal_text::sanitize_line(other)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_name_both_values() {
        for name in Transport::NAMES {
            assert_eq!(name.parse::<Transport>().unwrap().as_str(), name);
        }
        let error = "interaction".parse::<Transport>().unwrap_err();
        assert!(error.contains("generate-content") && error.contains("\"interactions\""));
    }
}
