//! The relay's balance against a local fake of the OpenAI-style billing endpoints, started and
//! stopped by the test; and a provider without them.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use serde_json::json;

mod common;
use common::harness::{Harness, KEY, assert_success, stderr, stdout_json};

fn json_body(value: serde_json::Value) -> ([(header::HeaderName, &'static str); 1], String) {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
}

/// Serves the two billing endpoints on 127.0.0.1, answering only the right Bearer key.
async fn fake_relay() -> (String, tokio::sync::oneshot::Sender<()>) {
    let authorised = |headers: &HeaderMap| {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {KEY}"))
    };
    let app = Router::new()
        .route(
            "/v1/dashboard/billing/subscription",
            get(move |headers: HeaderMap| async move {
                if authorised(&headers) {
                    Ok(json_body(
                        json!({"hard_limit_usd": 100.0, "soft_limit_usd": 90.0}),
                    ))
                } else {
                    Err(StatusCode::UNAUTHORIZED)
                }
            }),
        )
        .route(
            "/v1/dashboard/billing/usage",
            get(move |headers: HeaderMap| async move {
                if authorised(&headers) {
                    Ok(json_body(json!({"object": "list", "total_usage": 1234.0})))
                } else {
                    Err(StatusCode::UNAUTHORIZED)
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    (url, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_balance_is_the_limit_less_the_usage_in_the_relays_currency() {
    let harness = Harness::start(Vec::new()).await;
    let (relay, stop) = fake_relay().await;
    std::fs::write(
        harness.config_path(),
        "[providers.relay]\nkey_env = [\"GEMINI_API_KEY\"]\nbalance = true\ncurrency = \"CNY\"\n",
    )
    .unwrap();
    let output = harness
        .run_at(&relay, "balance", &["--provider", "relay", "--json"])
        .await;
    assert_success(&output);
    let balance = stdout_json(&output);
    assert_eq!(balance["limit"], 100.0);
    assert_eq!(balance["used"], 12.34);
    assert_eq!(balance["remaining"], 87.66);
    assert_eq!(balance["currency"], "CNY");

    let output = harness
        .run_at(&relay, "balance", &["--provider", "relay"])
        .await;
    assert_success(&output);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "relay: 87.66 CNY left of 100.00 CNY (12.34 CNY used)"
    );
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_without_the_endpoints_or_the_setting_says_so() {
    let harness = Harness::start(Vec::new()).await;
    // Not configured for it: the fix is named.
    let output = harness.run("balance", &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("balance = true"),
        "{}",
        stderr(&output)
    );

    // Configured, but the server (the demo, like Google) has no billing endpoints.
    std::fs::write(
        harness.config_path(),
        "[providers.relay]\nkey_env = [\"GEMINI_API_KEY\"]\nbalance = true\n",
    )
    .unwrap();
    let output = harness.run("balance", &["--provider", "relay"]).await;
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("has no balance endpoint"), "{message}");
    assert!(!message.contains(KEY), "the key never shows");
}
