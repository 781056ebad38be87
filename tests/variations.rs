//! `send --n N` through the real binary against the demo model: N variations at once under
//! one prompt, one JSON object with a candidate per variation, and faults that touch only
//! their own variation.

use banana_studio::demo::{DemoOptions, Fault, TakeFault};
use serde_json::Value;

mod common;
use common::harness::{Harness, assert_success, snapshot, stderr, stdout_json};

async fn harness_with(take_faults: Vec<TakeFault>) -> Harness {
    Harness::start_with(DemoOptions {
        take_faults,
        ..DemoOptions::default()
    })
    .await
}

fn candidates(json: &Value) -> Vec<Value> {
    json["candidates"].as_array().cloned().unwrap_or_default()
}

/// The replies stored under the batch's prompt, from the session document on disk.
fn replies_on_disk(harness: &Harness, name: &str, prompt: &Value) -> Vec<u64> {
    let document = harness.session_document(name);
    document["conversation"]["turns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| &t["parent"] == prompt && t["role"] == "model")
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_variations_arrive_as_four_siblings_with_four_pictures() {
    let harness = harness_with(Vec::new()).await;
    let output = harness
        .send(&["--session", "v", "--n", "4", "an infographic about tea"])
        .await;
    assert_success(&output);
    let json = stdout_json(&output);
    assert_eq!(json["session"], "v");
    assert!(
        json["session_dir"]
            .as_str()
            .unwrap()
            .ends_with("sessions/v")
    );
    let candidates = candidates(&json);
    assert_eq!(candidates.len(), 4, "{json}");
    let mut pictures: Vec<&str> = candidates
        .iter()
        .map(|c| {
            assert_eq!(c["finish_reason"], "STOP", "{c}");
            assert!(c["usage"].is_object());
            c["images"][0]["sha256"].as_str().unwrap()
        })
        .collect();
    pictures.sort();
    pictures.dedup();
    assert_eq!(pictures.len(), 4, "four different pictures");
    let mut turns: Vec<u64> = candidates
        .iter()
        .map(|c| c["turn"].as_u64().unwrap())
        .collect();
    turns.sort();
    assert_eq!(replies_on_disk(&harness, "v", &json["prompt_turn"]), turns);
    for candidate in &candidates {
        let path = candidate["images"][0]["path"].as_str().unwrap();
        assert!(std::path::Path::new(path).exists(), "{path}");
    }
    // Versions in candidate order, whatever order the replies came in (turns are by arrival).
    let versions: Vec<&str> = candidates
        .iter()
        .map(|c| c["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["v1", "v2", "v3", "v4"], "{json}");
    let document = harness.session_document("v");
    let stored: Vec<u64> = document["conversation"]["turns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["variation"]["number"].as_u64())
        .collect();
    assert_eq!(stored.len(), 4, "each reply keeps its place and seed");
    // Four requests with the same history and settings, told apart only by their seed.
    let requests = harness.requests();
    assert_eq!(requests.len(), 4);
    let mut seeds = Vec::new();
    let bodies: Vec<Value> = requests
        .iter()
        .map(|r| {
            let mut body = r.json();
            seeds.push(body["generationConfig"]["seed"].as_i64().unwrap());
            body["generationConfig"]
                .as_object_mut()
                .unwrap()
                .remove("seed");
            body
        })
        .collect();
    assert!(bodies.iter().all(|b| b == &bodies[0]));
    seeds.sort();
    seeds.dedup();
    assert_eq!(seeds.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_variation_failing_every_time_leaves_the_other_three() {
    let harness = harness_with(vec![TakeFault {
        take: 2,
        fault: Fault::Internal,
    }])
    .await;
    let output = harness
        .send(&["--session", "f", "--n", "4", "an infographic about tea"])
        .await;
    assert_success(&output);
    let json = stdout_json(&output);
    let candidates = candidates(&json);
    assert_eq!(candidates.len(), 4);
    let failed: Vec<&Value> = candidates
        .iter()
        .filter(|c| c["error"].is_object())
        .collect();
    assert_eq!(failed.len(), 1, "{json}");
    assert_eq!(failed[0]["error"]["status"], 500);
    let message = failed[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Gave up after 4 of 4 attempts"),
        "{message}"
    );
    assert_eq!(
        replies_on_disk(&harness, "f", &json["prompt_turn"]).len(),
        3
    );
    // The failing variation was retried as configured; the others were sent once.
    assert_eq!(harness.requests().len(), 3 + 4);
    assert!(stderr(&output).contains("attempt 1/4 failed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_variation_cut_mid_stream_leaves_the_other_three() {
    let harness = harness_with(vec![TakeFault {
        take: 3,
        fault: Fault::CutAfterThoughts,
    }])
    .await;
    let output = harness
        .send(&["--session", "c", "--n", "4", "an infographic about tea"])
        .await;
    assert_success(&output);
    let json = stdout_json(&output);
    let candidates = candidates(&json);
    let failed: Vec<&Value> = candidates
        .iter()
        .filter(|c| c["error"].is_object())
        .collect();
    assert_eq!(failed.len(), 1, "{json}");
    assert_eq!(failed[0]["error"]["kind"], "stream_broken");
    let ids = replies_on_disk(&harness, "c", &json["prompt_turn"]);
    assert_eq!(ids.len(), 3, "no half turn of the cut variation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variation_failing_changes_nothing_and_exits_1() {
    let harness = harness_with(Vec::new()).await;
    assert_success(&harness.send(&["--session", "a", "first"]).await);
    let before = snapshot(&harness.session_dir("a"));
    harness.demo.push_faults(vec![Fault::BadKey; 2]);
    let output = harness
        .send(&["--session", "a", "--n", "2", "second"])
        .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json = stdout_json(&output);
    assert!(
        candidates(&json)
            .iter()
            .all(|c| c["error"]["kind"] == "bad_key"),
        "{json}"
    );
    assert!(stderr(&output).contains("The session is unchanged"));
    assert_eq!(snapshot(&harness.session_dir("a")), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_must_be_between_2_and_8() {
    let harness = harness_with(Vec::new()).await;
    for n in ["1", "9", "many"] {
        let output = harness.send(&["--n", n, "x"]).await;
        assert_eq!(output.status.code(), Some(2), "--n {n}");
        assert!(stderr(&output).contains("--n"), "{}", stderr(&output));
    }
    assert!(harness.requests().is_empty());
}
