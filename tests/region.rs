//! Region edits through the real `banana-studio send`, against the demo model at full size:
//! the region reaches the model as an outlined copy with an instruction, the model (which, as
//! real models do, redraws the rest too) answers, and the version kept differs from the one
//! edited only inside the region, pixel for pixel.

use banana_studio::demo::DemoOptions;
use banana_studio::preview::{difference, prepare};
use image::RgbImage;
use serde_json::Value;

mod common;
use common::harness::{Harness, assert_success, stderr, stdout_json};

async fn full_size() -> Harness {
    Harness::full_size(DemoOptions::default(), "").await
}

fn picture(image: &Value) -> RgbImage {
    let path = image["path"].as_str().expect("a saved picture");
    let bytes = std::fs::read(path).expect("the picture is on disk");
    prepare::decode(&bytes).expect("decodes").to_rgb8()
}

/// Pixels differing between two pictures of one size: inside `(x, y, w, h)` and outside it.
fn changed(a: &RgbImage, b: &RgbImage, (x, y, w, h): (u32, u32, u32, u32)) -> (u64, u64) {
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut inside, mut outside) = (0, 0);
    for (px, py, pixel) in a.enumerate_pixels() {
        if pixel != b.get_pixel(px, py) {
            if (x..x + w).contains(&px) && (y..y + h).contains(&py) {
                inside += 1;
            } else {
                outside += 1;
            }
        }
    }
    (inside, outside)
}

#[tokio::test]
async fn a_region_edit_changes_only_the_inside_of_the_region() {
    let harness = full_size().await;
    let first = harness
        .send(&[
            "--session",
            "s",
            "--json",
            "--size",
            "4K",
            "an infographic about bananas",
        ])
        .await;
    assert_success(&first);
    let before = picture(&stdout_json(&first)["images"][0]);
    assert_eq!(before.dimensions(), (4096, 4096));

    let box_ = (1200, 700, 640, 180);
    let edit = harness
        .send(&[
            "--session",
            "s",
            "--json",
            "--region",
            "1200,700,640,180",
            "make this label red",
        ])
        .await;
    assert_success(&edit);
    let json = stdout_json(&edit);
    assert_eq!(json["region"]["x"], 1200);
    assert_eq!(json["region"]["height"], 180);
    assert_eq!(json["region"]["on"], "v1");
    assert_eq!(json["region"]["keep_outside"], true);

    // What the model was sent: the words, the instruction, the outlined copy.
    let requests = harness.requests();
    let request: Value = serde_json::from_slice(&requests.last().unwrap().body).unwrap();
    let last = request["contents"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let parts = last["parts"].as_array().unwrap();
    assert_eq!(parts[0]["text"], "make this label red");
    let instruction = parts[1]["text"].as_str().unwrap();
    assert!(
        instruction.contains("640×180 px at x=1200, y=700 of the 4096×4096 px image"),
        "{instruction}"
    );
    assert!(instruction.contains("Keep everything else in the image exactly the same"));
    assert!(
        parts[2]["inlineData"]["data"].is_string(),
        "the outlined copy"
    );

    let kept = picture(&json["images"][0]);
    let raw = picture(&json["raw_images"][0]);
    let (inside, outside) = changed(&before, &kept, box_);
    assert_eq!(
        outside, 0,
        "the kept version differs from v1 outside the region"
    );
    assert!(
        inside > 640 * 180 / 4,
        "the edit shows inside the region: {inside} px"
    );
    // The model itself redrew the rest: without keeping it, that would have shown.
    let (_, raw_outside) = changed(&before, &raw, box_);
    assert!(
        raw_outside > 100_000,
        "the demo drifts outside: {raw_outside} px"
    );

    // The studio's difference view measures the same: all of the change is in the box.
    let share = difference::difference(
        &image::DynamicImage::ImageRgb8(kept.clone()),
        &image::DynamicImage::ImageRgb8(before.clone()),
    )
    .unwrap()
    .changed;
    assert!(
        share > 0.0 && share <= (640.0 * 180.0) / (4096.0 * 4096.0),
        "{share}"
    );

    // The session keeps the region with the prompt, and the model's parts untouched.
    let document = harness.session_document("s");
    let turns = document["conversation"]["turns"].as_array().unwrap();
    assert_eq!(turns[2]["region"]["region"]["width"], 640);
    assert_eq!(turns[3]["composites"].as_array().unwrap().len(), 1);
    assert!(
        turns[3]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["content"]["image"]["mimeType"] == "image/jpeg")
    );

    // The next edit sends the history as it was: the strict demo accepts its signatures.
    let next = harness
        .send(&["--session", "s", "--json", "add a legend"])
        .await;
    assert_success(&next);
}

#[tokio::test]
async fn without_keeping_outside_the_models_picture_is_shown() {
    let harness = full_size().await;
    assert_success(
        &harness
            .send(&["--session", "s", "a chart of rainfall"])
            .await,
    );
    let edit = harness
        .send(&[
            "--session",
            "s",
            "--json",
            "--region",
            "100,100,200,100",
            "--no-keep-outside",
            "make it blue",
        ])
        .await;
    assert_success(&edit);
    let json = stdout_json(&edit);
    assert_eq!(json["region"]["keep_outside"], false);
    assert!(json["raw_images"].is_null());
    assert_eq!(json["images"][0]["mime_type"], "image/jpeg");
}

#[tokio::test]
async fn bad_regions_are_refused_before_anything_is_sent() {
    let harness = full_size().await;
    // No picture to edit yet.
    let none = harness
        .send(&["--session", "s", "--region", "0,0,10,10", "red"])
        .await;
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
    assert!(
        stderr(&none).contains("no picture on this path"),
        "{}",
        stderr(&none)
    );
    assert_success(&harness.send(&["--session", "s", "a chart"]).await);
    let sent = harness.requests().len();
    for (region, says) in [
        ("1000,0,100,10", "reaches outside the 1024×1024 px picture"),
        ("0,0,0,10", "has no area"),
        ("0,0,10", "X,Y,W,H"),
    ] {
        let output = harness
            .send(&["--session", "s", "--region", region, "red"])
            .await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{region}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(says),
            "{region}: {}",
            stderr(&output)
        );
    }
    let keep = harness
        .send(&["--session", "s", "--keep-outside", "red"])
        .await;
    assert_eq!(keep.status.code(), Some(2), "--keep-outside needs --region");
    assert_eq!(harness.requests().len(), sent, "nothing was sent");
    let turns = harness.session_document("s")["conversation"]["turns"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(turns, 2, "and nothing was kept");
}
