#!/usr/bin/env bash
# Ours vs the official Python SDK (google-genai) parsing the same 4K unary body.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q google-genai
python3 scripts/make-4k-body.py "$work/body.json"
cargo build -q --release --example decode_body
ours=$("$CARGO_TARGET_DIR"/release/examples/decode_body "$work/body.json" 15)
theirs=$("$work/venv/bin/python" scripts/parse-with-python-sdk.py "$work/body.json" 15)
sdk=$("$work/venv/bin/python" -c 'import google.genai; print(google.genai.__version__)')
echo "body: $(stat -c %s "$work/body.json") bytes"
echo "banana-studio: ${ours} ms (median of 15)"
echo "google-genai ${sdk}: ${theirs} ms (median of 15)"
python3 -c "print(f'ratio: ours is {${theirs}/${ours}:.1f}x faster')"
