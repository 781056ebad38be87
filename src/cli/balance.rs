//! `banana-studio balance`: what is left on a relay's account.

use serde_json::json;

use crate::context::{Context, Failure, GlobalArgs};
use crate::cost::money;

pub async fn run(global: &GlobalArgs, json: bool) -> Result<(), Failure> {
    let context = Context::load(global)?;
    let connection = context.connect(global).await?;
    let provider = &connection.provider_name;
    let Some(result) = connection.balance().await else {
        return Err(Failure::input(format!(
            "Provider {provider} is not set up for balance queries: add `balance = true` (and `currency = \"CNY\"` if it bills in yuan) under [providers.{provider}] in {}.",
            context.env.config_path.display()
        )));
    };
    let balance = result.map_err(|e| Failure {
        message: format!("{e}."),
        code: 1,
    })?;
    if json {
        crate::terminal_text::out_json(
            &json!({
                "provider": provider,
                "remaining": balance.remaining(),
                "limit": balance.limit,
                "used": balance.used,
                "currency": balance.currency,
            })
            .to_string(),
        );
    } else {
        crate::outln!(
            "{provider}: {} left of {} ({} used)",
            money(balance.remaining(), &balance.currency),
            money(balance.limit, &balance.currency),
            money(balance.used, &balance.currency)
        );
    }
    Ok(())
}
