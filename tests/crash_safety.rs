//! Kill -9 at random moments while turns are generated and saved: the session must always load
//! and hold every turn that completed before the kill, with every image it references intact.

use std::process::{Command, Stdio};
use std::time::Duration;

use banana_studio::conversation::{PartContent, TurnBody};
use banana_studio::store::Store;

#[test]
fn killing_the_process_at_random_moments_never_corrupts_the_session() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::new(home.path());
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut completed = 0;
    let mut killed = 0;
    for round in 0..24 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_banana-studio"))
            .args(["--data-dir"])
            .arg(home.path())
            .args(["--demo", "send", "--session", "crash"])
            .arg(format!("edit number {round}"))
            .env("BANANA_DEMO_CHUNK_DELAY_MS", "0")
            .env_remove("BANANA_DEMO_FAULTS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread kills over the whole life of a turn: start-up, generation, the save itself.
        std::thread::sleep(Duration::from_millis(rng.u64(0..400)));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(
                    status.success(),
                    "round {round} failed on its own: {status}"
                );
                completed += 1;
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                killed += 1;
            }
        }

        if !store.session_dir("crash").join("session.json").exists() {
            assert_eq!(completed, 0, "a completed turn's session must exist");
            continue;
        }
        let session = store
            .open("crash")
            .unwrap_or_else(|e| panic!("round {round}: the session does not load: {e}"));
        let replies = session
            .conversation
            .turns()
            .iter()
            .filter(|t| matches!(t.body, TurnBody::Model(_)))
            .count();
        assert!(
            replies >= completed,
            "round {round}: {completed} turns completed but only {replies} were kept"
        );
        for part in session.conversation.parts() {
            if let PartContent::Image(blob) = &part.content {
                blob.bytes().unwrap_or_else(|e| {
                    panic!("round {round}: a referenced image is missing or damaged: {e}")
                });
            }
        }
        session.conversation.check().unwrap();
    }
    // The schedule must have exercised both outcomes, or the test proves nothing.
    assert!(
        completed > 0 && killed > 0,
        "completed {completed}, killed {killed}"
    );
}
