//! The remaining balance on a relay (the seed's "余额查询"). Relays of the OpenAI Next kind
//! answer the OpenAI-style billing endpoints with `Authorization: Bearer KEY`:
//! `GET /v1/dashboard/billing/subscription` → `hard_limit_usd`, and
//! `GET /v1/dashboard/billing/usage` → `total_usage` in hundredths. Some state the amounts in
//! CNY despite the field names, so the provider's configured currency labels them.

use std::time::Duration;

use serde::Deserialize;

use crate::gemini::ApiKey;

#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    pub limit: f64,
    pub used: f64,
    pub currency: String,
}

impl Balance {
    pub fn remaining(&self) -> f64 {
        self.limit - self.used
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BalanceError {
    #[error("The relay at {base_url} answered {status} for {path}: it has no balance endpoint")]
    NoEndpoint {
        base_url: String,
        path: &'static str,
        status: u16,
    },
    #[error("Could not ask {base_url} for the balance: {detail}")]
    Unreachable { base_url: String, detail: String },
    #[error("The answer of {base_url} to {path} is not a balance: {detail}")]
    NotABalance {
        base_url: String,
        path: &'static str,
        detail: String,
    },
}

#[derive(Deserialize)]
struct Subscription {
    hard_limit_usd: f64,
}

#[derive(Deserialize)]
struct Usage {
    /// Hundredths of the currency.
    total_usage: f64,
}

const SUBSCRIPTION: &str = "/v1/dashboard/billing/subscription";
const USAGE: &str = "/v1/dashboard/billing/usage";

/// Asks the relay at `base_url` for its balance.
pub async fn fetch(base_url: &str, key: &ApiKey, currency: &str) -> Result<Balance, BalanceError> {
    crate::gemini::client::install_crypto_provider();
    // No redirects: the key goes to the configured origin only (a 3xx is "no endpoint").
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| BalanceError::Unreachable {
            base_url: crate::gemini::client::without_password(base_url),
            detail: key.redact(&e.to_string()),
        })?;
    let subscription: Subscription = get(&http, base_url, SUBSCRIPTION, key).await?;
    let usage: Usage = get(&http, base_url, USAGE, key).await?;
    Ok(Balance {
        limit: subscription.hard_limit_usd,
        used: usage.total_usage / 100.0,
        currency: currency.to_string(),
    })
}

async fn get<T: for<'de> Deserialize<'de>>(
    http: &reqwest::Client,
    base_url: &str,
    path: &'static str,
    key: &ApiKey,
) -> Result<T, BalanceError> {
    let response = http
        .get(format!("{base_url}{path}"))
        .bearer_auth(key.expose())
        .send()
        .await
        .map_err(|e| BalanceError::Unreachable {
            base_url: crate::gemini::client::without_password(base_url),
            detail: key.redact(&e.to_string()),
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(BalanceError::NoEndpoint {
            base_url: crate::gemini::client::without_password(base_url),
            path,
            status: status.as_u16(),
        });
    }
    // A balance is a few bytes: a larger answer is not one.
    let body = read_limited(response, 1 << 20)
        .await
        .map_err(|e| BalanceError::Unreachable {
            base_url: crate::gemini::client::without_password(base_url),
            detail: key.redact(&e.to_string()),
        })?;
    serde_json::from_slice(&body).map_err(|e| BalanceError::NotABalance {
        base_url: crate::gemini::client::without_password(base_url),
        path,
        detail: key.redact(&e.to_string()),
    })
}

/// The body, or an error past `limit` bytes.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk[..chunk.len().min(limit.saturating_sub(body.len()))]);
        if body.len() >= limit {
            break;
        }
    }
    Ok(body)
}
