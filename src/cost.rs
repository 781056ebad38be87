//! What a turn and a session cost. Google prices image output per image by size, and input,
//! text and thinking per token: both come from the model catalog. A relay that bills per call
//! (the seed's 按次计费) sets its own price and currency on the provider instead.

use crate::config::CallPrice;
use crate::conversation::{Conversation, ModelTurn, TurnBody, TurnId, TurnSettings};
use crate::models::Catalog;

/// How the provider in use charges.
#[derive(Debug, Clone, Copy)]
pub struct Pricing<'a> {
    pub catalog: &'a Catalog,
    pub provider: &'a str,
    /// Set for a provider that bills per call instead of by Google's list prices.
    pub per_call: Option<&'a CallPrice>,
}

impl Pricing<'_> {
    pub fn currency(&self) -> &str {
        self.per_call.map_or("USD", |p| p.currency.as_str())
    }

    /// The price of one reply to a prompt with `settings`, or `None` if the model has no price.
    pub fn reply(&self, settings: &TurnSettings, reply: &ModelTurn) -> Option<f64> {
        let images = reply.images().count() as f64;
        if let Some(call) = self.per_call {
            return Some(call.per_call + call.per_image * images);
        }
        let price = self
            .catalog
            .find(self.provider, &settings.model)?
            .price
            .as_ref()?;
        let usage = reply.usage.as_ref().cloned().unwrap_or_default();
        let image_tokens = usage.image_output_tokens();
        // Thinking is billed as text output; image tokens are billed per image below.
        let text_out = usage
            .candidates_token_count
            .saturating_sub(image_tokens)
            .saturating_add(usage.thoughts_token_count);
        let tokens = (usage.prompt_token_count as f64 * price.input_per_million
            + text_out as f64 * price.output_per_million)
            / 1_000_000.0;
        Some(tokens + images * price.image(settings.image_size)?)
    }

    /// The price of one image at the settings' size, before sending (`None` if unknown).
    pub fn per_image(&self, settings: &TurnSettings) -> Option<f64> {
        if let Some(call) = self.per_call {
            return Some(call.per_call + call.per_image);
        }
        self.catalog
            .find(self.provider, &settings.model)?
            .price
            .as_ref()?
            .image(settings.image_size)
    }
}

/// What a session has used so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionCost {
    pub tokens: u64,
    pub amount: f64,
    pub currency: String,
    /// Replies from models without a price: their tokens are counted, not priced.
    pub unpriced_turns: usize,
}

/// The settings a reply was asked for with: its prompt's.
pub fn settings_of_reply(
    conversation: &Conversation,
    reply_parent: Option<TurnId>,
) -> Option<&TurnSettings> {
    match &conversation.get(reply_parent?)?.body {
        TurnBody::User(user) => Some(&user.settings),
        TurnBody::Model(_) => None,
    }
}

/// Sums every reply in the session (all branches: every one was paid for).
pub fn session_cost(conversation: &Conversation, pricing: &Pricing<'_>) -> SessionCost {
    let mut cost = SessionCost {
        currency: pricing.currency().to_string(),
        ..SessionCost::default()
    };
    for turn in conversation.turns() {
        let TurnBody::Model(reply) = &turn.body else {
            continue;
        };
        cost.tokens += reply.usage.as_ref().map_or(0, |u| u.total_token_count);
        let price = settings_of_reply(conversation, turn.parent)
            .and_then(|settings| pricing.reply(settings, reply));
        match price {
            Some(amount) => cost.amount += amount,
            None => cost.unpriced_turns += 1,
        }
    }
    cost
}

/// `$0.42`, or `1.20 CNY` in another currency.
pub fn money(amount: f64, currency: &str) -> String {
    money_to(amount, currency, 2)
}

/// A price per image or call, to the tenth of a cent: `$0.045`.
pub fn unit_price(amount: f64, currency: &str) -> String {
    money_to(amount, currency, 3)
}

fn money_to(amount: f64, currency: &str, decimals: usize) -> String {
    if currency.eq_ignore_ascii_case("USD") {
        format!("${amount:.decimals$}")
    } else {
        format!("{amount:.decimals$} {currency}")
    }
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
    format!(
        "{tokens} tok ≈ {}{plus}",
        money(cost.amount, &cost.currency)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Blob, ImageSize, Part, UserTurn};
    use crate::gemini::wire::UsageMetadata;
    use bytes::Bytes;

    fn usage(prompt: u64, text_out: u64, thoughts: u64, image_tokens: u64) -> UsageMetadata {
        use crate::gemini::wire::ModalityTokenCount;
        UsageMetadata {
            prompt_token_count: prompt,
            candidates_token_count: text_out + image_tokens,
            thoughts_token_count: thoughts,
            total_token_count: prompt + text_out + image_tokens + thoughts,
            candidates_tokens_details: vec![ModalityTokenCount {
                modality: Some("IMAGE".into()),
                token_count: image_tokens,
            }],
            ..UsageMetadata::default()
        }
    }

    fn session(settings: TurnSettings, image_tokens: u64) -> Conversation {
        let mut c = Conversation::new();
        let u = c
            .add_user(
                None,
                UserTurn {
                    parts: vec![Part::text("x")],
                    settings,
                    region: None,
                },
                "t".into(),
            )
            .unwrap();
        let image = Blob::from_bytes("image/jpeg", Bytes::from_static(&[1, 2, 3]));
        c.add_model(
            u,
            ModelTurn {
                parts: vec![Part::image(image)],
                usage: Some(usage(1000, 100, 200, image_tokens)),
                ..ModelTurn::default()
            },
            "t".into(),
        )
        .unwrap();
        c
    }

    fn google(catalog: &Catalog) -> Pricing<'_> {
        Pricing {
            catalog,
            provider: "google",
            per_call: None,
        }
    }

    #[test]
    fn pro_is_priced_per_image_by_size_and_per_token_for_text() {
        let catalog = Catalog::builtin();
        let settings = TurnSettings {
            image_size: Some(ImageSize::K4),
            ..TurnSettings::default()
        };
        let cost = session_cost(&session(settings, 2000), &google(&catalog));
        // 1000 in × $2 + 300 text and thinking out × $12, per million; one 4K image $0.24.
        let expected = (1000.0 * 2.0 + 300.0 * 12.0) / 1e6 + 0.24;
        assert!((cost.amount - expected).abs() < 1e-9, "{}", cost.amount);
        assert_eq!(cost.tokens, 3300);
        assert_eq!(describe(&cost), "3.3k tok ≈ $0.25");
    }

    #[test]
    fn flash_512_costs_what_the_catalog_says() {
        let catalog = Catalog::builtin();
        let settings = TurnSettings {
            model: "gemini-3.1-flash-image".into(),
            image_size: Some(ImageSize::Px512),
            ..TurnSettings::default()
        };
        let pricing = google(&catalog);
        assert_eq!(pricing.per_image(&settings), Some(0.045));
        let cost = session_cost(&session(settings, 747), &pricing);
        let expected = (1000.0 * 0.5 + 300.0 * 3.0) / 1e6 + 0.045;
        assert!((cost.amount - expected).abs() < 1e-9, "{}", cost.amount);
    }

    #[test]
    fn a_relay_charges_per_call_in_its_currency() {
        let catalog = Catalog::builtin();
        let call = CallPrice {
            per_call: 0.5,
            per_image: 0.1,
            currency: "CNY".into(),
        };
        let pricing = Pricing {
            catalog: &catalog,
            provider: "openai-next",
            per_call: Some(&call),
        };
        let cost = session_cost(&session(TurnSettings::default(), 1120), &pricing);
        assert!((cost.amount - 0.6).abs() < 1e-9);
        assert_eq!(describe(&cost), "2.4k tok ≈ 0.60 CNY");
    }

    #[test]
    fn models_without_a_price_are_flagged() {
        let mut catalog = Catalog::builtin();
        catalog.learn("google", ["gemini-9-image".to_string()]);
        let settings = TurnSettings {
            model: "gemini-9-image".into(),
            ..TurnSettings::default()
        };
        let cost = session_cost(&session(settings, 1120), &google(&catalog));
        assert_eq!(cost.unpriced_turns, 1);
        assert!(describe(&cost).ends_with('+'));
    }
}
