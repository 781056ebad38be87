#!/usr/bin/env bash
# Whole-program measurements of banana-studio, run by hand (not in CI); results go in
# BENCHMARKS.md. Needs tmux; installs /usr/bin/time (package `time`) if it is missing.
#
#   bash scripts/bench-e2e.sh
#
# (a) `send` of a 4K image end to end: wall time and peak RSS, against a 1K baseline. The demo
#     model runs as a separate `banana-studio demo-server` process, so /usr/bin/time measures
#     the client alone (with `--demo` the demo's painting and encoding would be counted too);
# (b) start-up: the studio in tmux until its first drawn frame (BANANA_STUDIO_LOOP_STATS);
# (c) responsiveness: the longest busy stretch of the studio's event loop while a full-size 4K
#     reply streams in, its preview is prepared, and keys are typed;
# (d) four jobs at once: `/vary 4` of a 4K prompt, four ~35 MB replies streaming together while
#     keys are typed: the loop's longest busy stretch and the studio's peak RSS.
#
# PARTS=abcd by default; e.g. PARTS=d runs only (d) (the demo servers always start). RUNS=20
# runs (d) 20 times instead of 3, then prints a histogram of every busy stretch of the loop over
# all runs, with its 50th, 99th and 99.9th percentiles.
set -euo pipefail
PARTS="${PARTS:-abcd}"

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --bin banana-studio -j1 >&2
BIN="$CARGO_TARGET_DIR/release/banana-studio"

if [ ! -x /usr/bin/time ]; then
    sudo apt-get install -y time >&2 || apt-get install -y time >&2
fi

WORK="$(mktemp -d)"
# A session name of this run's own, so two runs at once do not drive each other's studio.
SESSION="bench-e2e-$$"
DEMO_PIDS=()
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    for pid in "${DEMO_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
export BANANA_STUDIO_HOME="$WORK/home"
export XDG_CONFIG_HOME="$WORK/config"
export BANANA_DEMO_FULL_SIZE=1
export BANANA_DEMO_CHUNK_DELAY_MS=0

# Starts a demo server with BANANA_DEMO_GRAIN=$2; its announced line (BANANA_BASE_URL=...
# GEMINI_API_KEY=demo-key) goes to $WORK/$1.addr, its request log to $WORK/$1.log.
start_demo() {
    local name="$1" grain="$2"
    BANANA_DEMO_GRAIN="$grain" "$BIN" demo-server --port 0 >"$WORK/$name.addr" 2>"$WORK/$name.log" &
    DEMO_PIDS+=("$!")
    for _ in $(seq 1 200); do
        [ -s "$WORK/$name.addr" ] && return 0
        sleep 0.05
    done
    echo "demo-server $name did not start:" >&2
    cat "$WORK/$name.log" >&2
    return 1
}

# Prints "wall_s max_rss_kb image_bytes body_bytes" for one `send` to demo server $1. The body
# size is the server's own count of the response it sent (its last logged request).
send() {
    local demo="$1" size="$2" name="$3"
    local -a address
    read -r -a address <"$WORK/$demo.addr"
    /usr/bin/time -v -o "$WORK/$name.time" \
        env "${address[@]}" \
        "$BIN" send --size "$size" --aspect 16:9 --session "$name" --out "$WORK/$name" \
        "an infographic about bananas" >/dev/null 2>"$WORK/$name.err" || {
        echo "send $name failed:" >&2
        cat "$WORK/$name.err" "$WORK/$name.time" >&2
        return 1
    }
    local wall rss image body
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$name.time" |
        awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")"
    image="$(find "$WORK/$name" -type f -printf '%s\n' | sort -n | tail -1)"
    body="$(awk '/ -> 200, [0-9]+ body bytes/ { b = $(NF - 2) } END { print b }' "$WORK/$demo.log")"
    echo "$wall $rss $image $body"
}

start_demo plain 0
start_demo grain 1
if [[ $PARTS == *a* ]]; then
echo "== (a) send against a separate demo-server, end to end (3 runs: best wall, median RSS)"
# 4KG: the 4K reply with BANANA_DEMO_GRAIN=1, a ~35 MB response.
for size in 1K 4K 4KG; do
    best="" rss_runs=""
    for run in 1 2 3; do
        if [ "$size" = 4KG ]; then
            result="$(send grain 4K "send-$size-$run")"
        else
            result="$(send plain "$size" "send-$size-$run")"
        fi
        read -r wall rss image body <<<"$result"
        rss_runs="$rss_runs $rss"
        if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
            best="$result"
        fi
    done
    read -r wall _ image body <<<"$best"
    rss="$(tr ' ' '\n' <<<"$rss_runs" | grep . | sort -n | sed -n 2p)"
    echo "$size: wall ${wall}s, max RSS${rss_runs} KB (median $rss), image $image bytes, response body $body bytes"
    eval "WALL_$size=$wall RSS_$size=$rss IMAGE_$size=$image BODY_$size=$body"
done
# The response size is the body the server sent (SSE framing, the thought image, text and
# signatures included); the image alone as base64 would be 4/3 of the saved file.
for big in 4K 4KG; do
    eval "rss=\$RSS_$big image=\$IMAGE_$big body=\$BODY_$big"
    awk -v name="$big" -v r4="$rss" -v r1="$RSS_1K" -v img="$image" -v body="$body" 'BEGIN {
        above = (r4 - r1) * 1024;
        printf "%s: RSS above the 1K baseline %.1f MB; response body %.1f MB (image %.1f MB, as base64 %.1f MB); ratio %.2f (target <= 3)\n",
            name, above / 1e6, body / 1e6, img / 1e6, img * 4 / 3 / 1e6, above / body }'
done
fi

# Starts the studio in a detached tmux session of 200x60 and waits for its loop stats. With
# DEMO=name it talks to that separate demo server (its address in the environment), otherwise
# it runs the demo model in its own process (--demo).
studio() {
    local stats="$1"
    shift
    rm -f "$stats"
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    if [ -n "${DEMO:-}" ]; then
        model="$(cat "$WORK/$DEMO.addr")"
        model="env $model $BIN"
    else
        model="$BIN --demo"
    fi
    # TIMED=file: the studio's peak RSS and times go to that file.
    if [ -n "${TIMED:-}" ]; then
        model="/usr/bin/time -v -o $TIMED $model"
    fi
    # The launch time is taken inside the pane, just before exec, so tmux's own start-up
    # is not counted.
    tmux new-session -d -s "$SESSION" -x 200 -y 60 \
        "date +%s%N > $WORK/launched; BANANA_STUDIO_HOME=$BANANA_STUDIO_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME BANANA_DEMO_FULL_SIZE=1 BANANA_DEMO_CHUNK_DELAY_MS=0 BANANA_DEMO_GRAIN=${GRAIN:-0} BANANA_STUDIO_LOOP_STATS=$stats exec $model $*"
}

wait_for() {
    for _ in $(seq 1 600); do
        [ -s "$1" ] && return 0
        sleep 0.05
    done
    echo "timed out waiting for $1" >&2
    return 1
}

# When the terminal does not answer every start-up query (tmux), ratatui-image's query thread
# swallows the first keys typed; a space and a backspace go first, and Ctrl-Q is repeated.
settle_input() {
    tmux send-keys -t "$SESSION" -l " "
    sleep 0.3
    tmux send-keys -t "$SESSION" BSpace
    sleep 0.2
}

# Sends "/size 4K", then a prompt.
send_4k_prompt() {
    settle_input
    tmux send-keys -t "$SESSION" -l "/size 4K"
    tmux send-keys -t "$SESSION" Enter
    sleep 0.3
    tmux send-keys -t "$SESSION" -l "an infographic about bananas"
    tmux send-keys -t "$SESSION" Enter
}

# Types 40 keys, 50 ms apart.
type_keys() {
    for _ in $(seq 1 40); do
        tmux send-keys -t "$SESSION" -l "x"
        sleep 0.05
    done
}

quit_studio() {
    for _ in $(seq 1 50); do
        tmux send-keys -t "$SESSION" C-q
        sleep 0.2
        [ -s "$1" ] && return 0
    done
    wait_for "$1"
}

if [[ $PARTS == *b* ]]; then
echo "== (b) start-up to the first drawn frame (5 runs)"
for run in 1 2 3 4 5; do
    studio "$WORK/start.stats" --session "start-$run"
    sleep 2.5
    quit_studio "$WORK/start.stats"
    awk -F= -v launched="$(cat "$WORK/launched")" '/first_frame_unix_ms/ {
        printf "run: first frame %.1f ms after launch\n", $2 - launched / 1e6 }' "$WORK/start.stats"
done
fi

# BANANA_DEMO_GRAIN=1: the demo's picture under heavy noise, so the 4K JPEG reply is ~26 MB
# (35 MB of base64). Three runs against the separate grain demo-server (the studio's process
# holds only the studio, as with Google), three with the demo model in-process (--demo).
stream_run() {
    local label="$1" run="$2"
    GRAIN=1 studio "$WORK/stream.stats" --session "stream-$label-$run"
    sleep 2.5
    send_4k_prompt
    # Type while the reply streams and the preview is prepared.
    type_keys
    sleep 3
    quit_studio "$WORK/stream.stats"
    local image
    image="$(find "$BANANA_STUDIO_HOME" -path "*stream-$label-$run*" -name '*.jpg' -printf '%s\n' | sort -n | tail -1)"
    echo "$label run $run: $(grep max_busy_ms "$WORK/stream.stats"), streamed image ${image:-MISSING} bytes"
}
if [[ $PARTS == *c* ]]; then
echo "== (c) event loop while a 4K reply streams in and its preview is prepared"
for run in 1 2 3; do DEMO=grain stream_run demo-server "$run"; done
for run in 1 2 3; do stream_run in-process "$run"; done
fi

# (d) A first 4K reply, then /vary 4 of its prompt: four grain replies (~35 MB each) stream at
# once from the separate demo-server while 40 keys are typed. The batch's price would ask for
# confirmation: the config raises the threshold.
jobs_run() {
    local run="$1"
    mkdir -p "$XDG_CONFIG_HOME/banana-studio"
    echo "confirm_batch_over = 1000.0" >"$XDG_CONFIG_HOME/banana-studio/config.toml"
    DEMO=grain GRAIN=1 TIMED="$WORK/jobs.time" studio "$WORK/jobs.stats" --session "jobs-$run"
    sleep 2.5
    send_4k_prompt
    sleep 6
    tmux send-keys -t "$SESSION" -l "/vary 4"
    tmux send-keys -t "$SESSION" Enter
    type_keys
    sleep 10
    tmux send-keys -t "$SESSION" Escape
    quit_studio "$WORK/jobs.stats"
    sleep 0.5
    local images rss
    images="$(find "$BANANA_STUDIO_HOME" -path "*jobs-$run*" -name '*.jpg' -size +10M | wc -l)"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/jobs.time")"
    echo "jobs run $run: $(grep max_busy_ms "$WORK/jobs.stats"), peak RSS ${rss} KB, 4K images saved: $images (1 + 4 expected), load $(cut -d' ' -f1-3 /proc/loadavg)"
    grep '^busy_us=' "$WORK/jobs.stats" | cut -d= -f2 | tr ',' '\n' >>"$WORK/busy.all"
    rm -f "$XDG_CONFIG_HOME/banana-studio/config.toml"
}
if [[ $PARTS == *d* ]]; then
    RUNS="${RUNS:-3}"
    echo "== (d) four 4K replies streaming at once (/vary 4), $RUNS runs"
    : >"$WORK/busy.all"
    for run in $(seq 1 "$RUNS"); do jobs_run "$run"; done
    python3 - "$WORK/busy.all" <<'PY'
import sys
busy = sorted(int(line) / 1000 for line in open(sys.argv[1]) if line.strip())
if busy:
    at = lambda q: busy[min(len(busy) - 1, int(q * len(busy)))]
    print(f"loop busy stretches over all runs: {len(busy)}; p50 {at(0.5):.2f} ms, p99 {at(0.99):.2f} ms, p99.9 {at(0.999):.2f} ms, max {busy[-1]:.2f} ms")
    edges = [1, 2, 4, 8, 16, 20, 32, 64, float("inf")]
    low = 0
    for edge in edges:
        count = sum(1 for b in busy if low <= b < edge)
        print(f"  {low:>4g}–{edge:<4g} ms: {count}")
        low = edge
PY
fi
