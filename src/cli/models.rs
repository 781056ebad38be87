//! `banana-studio models`: the models the provider lists (ListModels), with the catalog's facts.
//! The provider's list is the authority; the catalog only adds what it knows of each model.

use serde_json::json;

use crate::context::{Context, Failure, GlobalArgs};
use crate::models::listing::{self, ImageModel};
use crate::terminal_text::sanitize_line;

pub async fn run(global: &GlobalArgs, json: bool, all: bool) -> Result<(), Failure> {
    let context = Context::load(global)?;
    let connection = context.connect(global).await?;
    let provider = connection.provider_name.as_str();
    // Asked afresh (and cached): this is how a user tells the studio a model was added.
    let listed = connection
        .list_models(&context.env.data_dir, false)
        .await
        .map_err(|e| Failure {
            message: format!(
                "Could not ask {provider} which models it serves: {e} The catalog's image models are: {}.",
                context.catalog.served_ids(provider).join(", ")
            ),
            code: 1,
        })?;
    let models = if all {
        listing::all_models(&listed, &context.catalog, provider)
    } else {
        listing::image_models(&listed, &context.catalog, provider)
    };
    let pricing = connection.pricing(&context.catalog);
    if json {
        let entries: Vec<_> = models.iter().map(|m| entry_json(m, provider)).collect();
        let text = serde_json::to_string_pretty(&entries)
            .map_err(|e| Failure::input(format!("Cannot write JSON: {e}")))?;
        crate::terminal_text::out_json(&text);
        return Ok(());
    }
    if models.is_empty() {
        crate::outln!(
            "{} lists no image models (`banana-studio models --all` shows everything it lists).",
            sanitize_line(provider)
        );
        return Ok(());
    }
    crate::outln!(
        "{:<32} {:<26} {:<8} {:<32} OPTIONS",
        "MODEL",
        "NAME",
        "CATALOG",
        "PRICE"
    );
    for model in &models {
        let price = match &pricing.per_call {
            Some(call) => format!(
                "{} /call",
                crate::cost::unit_price(call.per_call + call.per_image, &call.currency)
            ),
            None => model.spec.price_summary(),
        };
        crate::outln!(
            "{:<32} {:<26} {:<8} {:<32} {}",
            sanitize_line(&model.id),
            sanitize_line(&model.display_name),
            catalog_status(model),
            price,
            model.spec.options_summary()
        );
    }
    if models.iter().any(|m| m.spec.known && m.spec.is_retired()) {
        crate::outln!(
            "\n\"retired\" means retired on Google's own API; {} lists it, so it is served here.",
            sanitize_line(provider)
        );
    }
    Ok(())
}

/// The catalog's word on a model the provider lists: its status on Google's API, or `?` for a
/// model the catalog does not know.
fn catalog_status(model: &ImageModel) -> &'static str {
    if model.spec.known {
        model.spec.status.as_str()
    } else {
        "?"
    }
}

fn entry_json(model: &ImageModel, provider: &str) -> serde_json::Value {
    let spec = &model.spec;
    if !spec.known {
        return json!({"id": model.id, "name": model.display_name, "provider": provider,
                      "known": false, "capabilities": "unknown capabilities"});
    }
    json!({
        "id": model.id,
        "name": model.display_name,
        "provider": provider,
        "known": true,
        "catalog_id": spec.id,
        "status": spec.status,
        "replacement": spec.replacement,
        "aspect_ratios": spec.aspect_ratios,
        "sizes": spec.sizes,
        "thinking_config": spec.thinking_config,
        "thinking_levels": spec.thinking_levels,
        "reference_images": spec.reference_images,
        "google_search": spec.google_search,
        "image_search": spec.image_search,
        "price": spec.price,
    })
}
