//! The demo model answers concurrent requests: the same request sent four times at once gets
//! four variations at once (differing only in their seed) gets four different pictures
//! (takes 1 to 4), and one take can be told to fail every time, retries included.

use std::time::Duration;

use banana_studio::conversation::{Conversation, RequestTarget, TurnSettings};
use banana_studio::demo::{DEMO_KEY, DemoOptions, DemoServer, Fault, TakeFault};
use banana_studio::gemini::{
    ApiError, ApiKey, ClientOptions, GeminiClient, Mode, RetryPolicy, Transfer,
};
use banana_studio::models::Catalog;
use banana_studio::turn::{self, NewTurn};

fn client(demo: &DemoServer, attempts: u32) -> GeminiClient {
    let options = ClientOptions {
        retry: RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    };
    GeminiClient::new(demo.base_url(), ApiKey::new(DEMO_KEY), options).unwrap()
}

/// Sends one prompt `n` times at once; each result is the final image's SHA-256, or the error.
async fn four_at_once(demo: &DemoServer, attempts: u32, n: usize) -> Vec<Result<String, ApiError>> {
    let mut conversation = Conversation::new();
    let prepared = turn::prepare(
        &mut conversation,
        NewTurn {
            parent: None,
            prompt: "Infographic about tea".into(),
            attachments: Vec::new(),
            settings: TurnSettings::default(),
            created_at: "2026-12-07T00:00:00Z".into(),
            region: None,
        },
        &RequestTarget {
            catalog: &Catalog::builtin(),
            provider: "google",
            size_limit: u64::MAX,
            listing: None,
            transport: banana_studio::gemini::Transport::GenerateContent,
        },
    )
    .unwrap();
    let client = client(demo, attempts);
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            // Variations differ only in their seed; any seeds will do.
            let client = client.clone();
            let request = prepared.request.with_seed(1000 + i as i32 * 7);
            tokio::spawn(async move {
                let reply = turn::generate(&client, &request, Mode::Streaming, &mut |_| {}).await?;
                Ok(reply
                    .images()
                    .next()
                    .map(|b| b.sha256().to_string())
                    .unwrap_or_default())
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_requests_at_once_get_four_different_pictures() {
    let demo = DemoServer::start(DemoOptions::default()).await.unwrap();
    let results = four_at_once(&demo, 1, 4).await;
    let mut pictures: Vec<String> = results.into_iter().map(Result::unwrap).collect();
    assert!(pictures.iter().all(|p| !p.is_empty()));
    pictures.sort();
    pictures.dedup();
    assert_eq!(pictures.len(), 4, "four takes, four pictures");
    // A variation with a new seed is a fifth take: yet another picture.
    let fifth = four_at_once(&demo, 1, 5).await.remove(4).unwrap();
    assert!(!pictures.contains(&fifth));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_take_fails_every_time_and_the_others_arrive() {
    let demo = DemoServer::start(DemoOptions {
        take_faults: vec![TakeFault {
            take: 2,
            fault: Fault::Internal,
        }],
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let results = four_at_once(&demo, 3, 4).await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    assert_eq!(failed[0].status(), Some(500));
    let mut pictures: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    pictures.sort();
    pictures.dedup();
    assert_eq!(pictures.len(), 3);
    // Four first attempts and the failing take's two retries, which met the same fault.
    assert_eq!(demo.requests().len(), 4 + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_one_call_holds_back_every_call_to_the_provider() {
    let demo = DemoServer::start(DemoOptions {
        faults: vec![Fault::RateLimited {
            retry_delay: Duration::from_millis(600),
        }],
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let mut conversation = Conversation::new();
    let prepared = turn::prepare(
        &mut conversation,
        NewTurn {
            parent: None,
            prompt: "a chart".into(),
            attachments: Vec::new(),
            settings: TurnSettings::default(),
            created_at: "2026-12-07T00:00:00Z".into(),
            region: None,
        },
        &RequestTarget {
            catalog: &Catalog::builtin(),
            provider: "google",
            size_limit: u64::MAX,
            listing: None,
            transport: banana_studio::gemini::Transport::GenerateContent,
        },
    )
    .unwrap();
    let client = client(&demo, 3);
    let (told_to_wait, waited) = tokio::sync::oneshot::channel();
    let first = {
        let (client, request) = (client.clone(), prepared.request.with_seed(1));
        tokio::spawn(async move {
            let mut told = Some(told_to_wait);
            turn::generate(&client, &request, Mode::Streaming, &mut |p| {
                if let turn::Progress::Transfer(Transfer::Retrying { .. }) = p
                    && let Some(told) = told.take()
                {
                    let _ = told.send(());
                }
            })
            .await
        })
    };
    waited.await.unwrap();
    // A second job starts after the first was told to wait 0.6 s: it waits too.
    let started = std::time::Instant::now();
    let second = turn::generate(
        &client,
        &prepared.request.with_seed(2),
        Mode::Streaming,
        &mut |_| {},
    )
    .await;
    assert!(second.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "the second call went out after {:?}",
        started.elapsed()
    );
    assert!(first.await.unwrap().is_ok());
    assert_eq!(demo.requests().len(), 3);
}
