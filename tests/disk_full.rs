//! A real ENOSPC and a real read-only data directory: `send` runs inside a user + mount
//! namespace whose data directory is a tiny tmpfs. When the reply arrives but cannot be saved,
//! nothing may be lost: the images go to `--out` (or a temp folder), the error names the
//! cause, the exit code is 1, the session on disk is the last good one, and once space is
//! freed (or the folder writable again) the next send saves normally.
//!
//! Without `unshare` (or without user namespaces) the test says so loudly and returns.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::harness::{Harness, output_of, skip_loudly};

fn namespaces_available() -> bool {
    Command::new("unshare")
        .args(["-r", "-m", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The steps, in one namespace (its tmpfs disappears with it). `$@` is the binary's argv up to
/// `send --session s --json`; each step's stdout, stderr and exit code land in `$OUT_DIR`.
const SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size=1536K tmpfs "$DATA" || exit 90
step() { name=$1; shift; "$BIN" "$@" >"$OUT_DIR/$name.out" 2>"$OUT_DIR/$name.err"; echo $? >"$OUT_DIR/$name.code"; }
snap() { rm -rf "$OUT_DIR/$1"; cp -a "$DATA/sessions" "$OUT_DIR/$1"; }
step first "$@" "a first picture"
snap before
# Fill the disk to the last byte.
dd if=/dev/zero of="$DATA/filler" bs=4k 2>/dev/null
step full_out "$@" --out "$OUT_DIR/rescued" "second"
step full_tmp "$@" "second"
step full_vary "$@" --n 2 --out "$OUT_DIR/rescued_vary" "second"
snap after_full
rm -f "$DATA/filler"
step freed "$@" "second"
mount -o remount,ro "$DATA" || exit 91
snap before_ro
step read_only "$@" "third"
snap after_ro
mount -o remount,rw "$DATA" || exit 92
step writable "$@" "third"
snap last
"#;

fn tree(dir: &Path) -> Vec<(PathBuf, usize, u64)> {
    common::harness::snapshot(dir)
        .into_iter()
        .map(|(p, n, h)| (p.strip_prefix(dir).unwrap().to_path_buf(), n, h))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_or_read_only_disk_loses_nothing_and_the_next_save_works() {
    if !namespaces_available() {
        skip_loudly(
            "`unshare -r -m` is not available (no util-linux or no user namespaces)",
            "the disk-full test (tests/disk_full.rs)",
        );
        return;
    }
    let harness = Harness::start(Vec::new()).await;
    let out_dir = harness.home.path().join("steps");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::create_dir_all(harness.data_dir()).unwrap();
    let mut cmd = Command::new("unshare");
    cmd.args(["-r", "-m", "sh", "-c", SCRIPT, "sh"])
        .args(harness.argv(
            harness.demo.base_url(),
            "send",
            &["--session", "s", "--json"],
        ))
        .env("BIN", env!("CARGO_BIN_EXE_banana-studio"))
        .env("DATA", harness.data_dir())
        .env("OUT_DIR", &out_dir);
    harness.set_env(&mut cmd);
    let output = output_of(cmd).await;
    assert!(
        output.status.success(),
        "the namespace script failed ({:?}): {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    let step = |name: &str| -> (String, Value, String) {
        let code = read(&out_dir.join(format!("{name}.code")))
            .trim()
            .to_string();
        let json = serde_json::from_str(&read(&out_dir.join(format!("{name}.out"))))
            .unwrap_or(Value::Null);
        (code, json, read(&out_dir.join(format!("{name}.err"))))
    };
    let (code, _, err) = step("first");
    assert_eq!(code, "0", "the first turn fits: {err}");
    let before = tree(&out_dir.join("before"));

    for (name, rescue_dir) in [
        ("full_out", Some(out_dir.join("rescued"))),
        ("full_tmp", None),
    ] {
        let (code, json, err) = step(name);
        assert_eq!(code, "1", "{name}: {err}");
        assert_eq!(json["error"]["kind"], "storage", "{name}: {json}");
        assert!(err.contains("(the disk is full)"), "{name}: {err}");
        assert!(err.contains("could not be saved"), "{name}: {err}");
        let rescued: Vec<PathBuf> = json["error"]["rescued"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(rescued.len(), 1, "{name}: the image is rescued: {json}");
        let image = std::fs::read(&rescued[0]).unwrap();
        assert!(
            image::load_from_memory(&image).is_ok(),
            "{name}: a whole image"
        );
        assert!(
            err.contains(&rescued[0].display().to_string()),
            "{name}: says where: {err}"
        );
        match &rescue_dir {
            Some(dir) => assert!(rescued[0].starts_with(dir), "{name}: into --out"),
            None => assert!(
                rescued[0].starts_with(harness.home.path().join("tmp")),
                "{name}: into the temp dir: {rescued:?}"
            ),
        }
    }
    // Two variations whose saves both meet the full disk: each reply's image is rescued.
    let (code, json, err) = step("full_vary");
    assert_eq!(code, "1", "full_vary: {err}");
    let candidates = json["candidates"].as_array().cloned().unwrap_or_default();
    assert_eq!(candidates.len(), 2, "{json}");
    for candidate in &candidates {
        assert_eq!(candidate["error"]["kind"], "storage", "{candidate}");
        let rescued = candidate["error"]["rescued"][0]
            .as_str()
            .unwrap_or_default();
        assert!(rescued.starts_with(&out_dir.join("rescued_vary").display().to_string()));
        assert!(image::load_from_memory(&std::fs::read(rescued).unwrap()).is_ok());
    }
    assert_eq!(
        tree(&out_dir.join("after_full")),
        before,
        "the last good session is intact"
    );

    let (code, _, err) = step("freed");
    assert_eq!(code, "0", "after freeing space the next send saves: {err}");

    // A read-only data directory: the session cannot even be locked, so send refuses before
    // anything is sent (no reply is paid for and lost), exit 2, naming the cause.
    let before_ro = tree(&out_dir.join("before_ro"));
    let (code, _, err) = step("read_only");
    assert_eq!(code, "2", "{err}");
    assert!(
        err.contains("Read-only file system"),
        "names the cause: {err}"
    );
    assert!(
        err.contains(&harness.data_dir().display().to_string()),
        "names the folder: {err}"
    );
    assert_eq!(tree(&out_dir.join("after_ro")), before_ro);

    let (code, _, err) = step("writable");
    assert_eq!(code, "0", "{err}");
    // first, the two rescued, the two rescued variations, freed, writable: the read-only
    // attempt sent nothing.
    assert_eq!(harness.requests().len(), 7);
    let last: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("last/s/session.json")).unwrap())
            .unwrap();
    assert_eq!(
        last["conversation"]["turns"].as_array().map(Vec::len),
        Some(6),
        "first, second and third exchanges"
    );
}
