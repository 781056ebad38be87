//! Tokens and the estimated cost of a session, from the usage the API reports on each reply
//! and a price table (USD per million tokens) that the config's `[prices."MODEL"]` overrides.

use std::collections::BTreeMap;

use crate::config::PriceConfig;
use crate::conversation::{Conversation, TurnBody};

/// Prices per million tokens.
#[derive(Debug, Clone)]
pub struct PriceTable {
    prices: BTreeMap<String, PriceConfig>,
}

impl Default for PriceTable {
    /// Google's list prices: 3 Pro Image $2 in, $12 text out, $120 image out; 2.5 Flash Image
    /// $0.30 in, $2.50 text out, $30 image out.
    fn default() -> Self {
        let mut prices = BTreeMap::new();
        prices.insert(
            "gemini-3-pro-image-preview".to_string(),
            PriceConfig {
                input_per_million: 2.0,
                output_text_per_million: 12.0,
                output_image_per_million: 120.0,
            },
        );
        prices.insert(
            "gemini-2.5-flash-image".to_string(),
            PriceConfig {
                input_per_million: 0.30,
                output_text_per_million: 2.50,
                output_image_per_million: 30.0,
            },
        );
        Self { prices }
    }
}

impl PriceTable {
    pub fn with_overrides(overrides: &BTreeMap<String, PriceConfig>) -> Self {
        let mut table = Self::default();
        for (model, price) in overrides {
            table.prices.insert(model.clone(), *price);
        }
        table
    }

    pub fn get(&self, model: &str) -> Option<&PriceConfig> {
        self.prices.get(model)
    }
}

/// What a session has used so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SessionCost {
    pub tokens: u64,
    pub usd: f64,
    /// Replies from models without a price: their tokens are counted, not priced.
    pub unpriced_turns: usize,
}

/// Sums the usage of every reply in the session (all branches: every one was paid for).
pub fn session_cost(conversation: &Conversation, prices: &PriceTable) -> SessionCost {
    let mut cost = SessionCost::default();
    for turn in conversation.turns() {
        let TurnBody::Model(reply) = &turn.body else {
            continue;
        };
        let Some(usage) = &reply.usage else {
            continue;
        };
        cost.tokens += usage.total_token_count;
        // The model is the one the prompt asked for.
        let model = turn
            .parent
            .and_then(|p| conversation.get(p))
            .and_then(|p| match &p.body {
                TurnBody::User(user) => Some(user.settings.model.as_str()),
                TurnBody::Model(_) => None,
            })
            .unwrap_or_default();
        match prices.get(model) {
            Some(price) => {
                let image_out = usage.image_output_tokens();
                // Thinking is billed as text output.
                let text_out = usage
                    .candidates_token_count
                    .saturating_sub(image_out)
                    .saturating_add(usage.thoughts_token_count);
                cost.usd += (usage.prompt_token_count as f64 * price.input_per_million
                    + text_out as f64 * price.output_text_per_million
                    + image_out as f64 * price.output_image_per_million)
                    / 1_000_000.0;
            }
            None => cost.unpriced_turns += 1,
        }
    }
    cost
}

/// `12.3k tok ≈ $0.42` (a `+` marks replies that could not be priced).
pub fn describe(cost: &SessionCost) -> String {
    let tokens = if cost.tokens >= 1_000_000 {
        format!("{:.1}M", cost.tokens as f64 / 1_000_000.0)
    } else if cost.tokens >= 1000 {
        format!("{:.1}k", cost.tokens as f64 / 1000.0)
    } else {
        cost.tokens.to_string()
    };
    let plus = if cost.unpriced_turns > 0 { "+" } else { "" };
    format!("{tokens} tok ≈ ${:.2}{plus}", cost.usd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{ModelTurn, Part, TurnSettings, UserTurn};
    use crate::gemini::wire::{ModalityTokenCount, UsageMetadata};

    fn session(model: &str) -> Conversation {
        let mut c = Conversation::new();
        let settings = TurnSettings {
            model: model.into(),
            ..TurnSettings::default()
        };
        let u = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("x")],
                    settings,
                },
                "t".into(),
            )
            .unwrap();
        let usage = UsageMetadata {
            prompt_token_count: 1000,
            candidates_token_count: 1120 + 100,
            thoughts_token_count: 200,
            total_token_count: 2420,
            candidates_tokens_details: vec![ModalityTokenCount {
                modality: Some("IMAGE".into()),
                token_count: 1120,
            }],
            ..UsageMetadata::default()
        };
        c.add_model(
            u,
            ModelTurn {
                usage: Some(usage),
                ..ModelTurn::default()
            },
            "t".into(),
        )
        .unwrap();
        c
    }

    #[test]
    fn pro_image_is_priced_by_input_text_and_image_tokens() {
        let cost = session_cost(
            &session("gemini-3-pro-image-preview"),
            &PriceTable::default(),
        );
        // 1000 in × $2 + 300 text out × $12 + 1120 image out × $120, per million.
        let expected = (1000.0 * 2.0 + 300.0 * 12.0 + 1120.0 * 120.0) / 1e6;
        assert!((cost.usd - expected).abs() < 1e-9, "{}", cost.usd);
        assert_eq!(cost.tokens, 2420);
        assert_eq!(describe(&cost), "2.4k tok ≈ $0.14");
    }

    #[test]
    fn the_config_overrides_prices_and_unknown_models_are_flagged() {
        let overrides = BTreeMap::from([(
            "gemini-3-pro-image-preview".to_string(),
            PriceConfig {
                input_per_million: 0.0,
                output_text_per_million: 0.0,
                output_image_per_million: 1_000_000.0,
            },
        )]);
        let table = PriceTable::with_overrides(&overrides);
        let cost = session_cost(&session("gemini-3-pro-image-preview"), &table);
        assert!((cost.usd - 1120.0).abs() < 1e-9);
        let unknown = session_cost(&session("gemini-9-image"), &table);
        assert_eq!(unknown.unpriced_turns, 1);
        assert!(describe(&unknown).ends_with('+'));
    }
}
