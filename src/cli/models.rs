//! `banana-studio models`: the provider's image models (ListModels), with the catalog's facts.

use serde_json::json;

use crate::context::{Context, Failure, GlobalArgs};
use crate::models::listing::{self, ImageModel};

pub async fn run(global: &GlobalArgs, json: bool) -> Result<(), Failure> {
    let context = Context::load(global)?;
    let connection = context.connect(global).await?;
    let provider = connection.provider_name.as_str();
    let listed = connection.client.list_models().await.map_err(|e| Failure {
        message: format!(
            "Could not ask {provider} which models it serves: {e} The catalog's image models are: {}.",
            context.catalog.served_ids(provider).join(", ")
        ),
        code: 1,
    })?;
    let models = listing::image_models(&listed, &context.catalog, provider);
    // The list is fresh: keep it for the studio's model picker.
    let cache = listing::CachedListing::new(listed, std::time::SystemTime::now());
    if let Err(e) = listing::write_cache(
        &listing::cache_path(&context.env.data_dir, provider),
        &cache,
    ) {
        eprintln!("Could not cache the model list: {e}");
    }
    let pricing = connection.pricing(&context.catalog);
    if json {
        let entries: Vec<_> = models.iter().map(|m| entry_json(m, provider)).collect();
        let text = serde_json::to_string_pretty(&entries)
            .map_err(|e| Failure::input(format!("Cannot write JSON: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    if models.is_empty() {
        println!("{provider} lists no image models.");
        return Ok(());
    }
    println!(
        "{:<32} {:<26} {:<8} {:<22} OPTIONS",
        "MODEL", "NAME", "STATUS", "PRICE"
    );
    for model in &models {
        let price = match &pricing.per_call {
            Some(call) => format!(
                "{} /call",
                crate::cost::unit_price(call.per_call + call.per_image, &call.currency)
            ),
            None => model.spec.price_summary(),
        };
        println!(
            "{:<32} {:<26} {:<8} {:<22} {}",
            model.id,
            model.display_name,
            if model.spec.known {
                model.spec.status.as_str()
            } else {
                "?"
            },
            price,
            model.spec.options_summary()
        );
    }
    Ok(())
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
