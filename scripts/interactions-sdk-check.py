#!/usr/bin/env python3
"""Checks that Google's official Python SDK (google-genai) reads the demo server's Interactions
API exactly: not only without an exception, but without the SDK's lenient fallbacks.

The SDK never fails on a body it does not fully understand: an unknown type tag becomes an
`Unknown*` object, a value outside an enum an `UnrecognizedStr`, a field it does not have an
extra, and a known variant that fails validation is built unvalidated. So every event and body is
also walked for those, and validated again strictly against the SDK's own types.

What it runs, against a demo server it starts itself (`demo-server --port 0`, stopped with
SIGTERM at the end):
  - turn 1, streamed, with thinking summaries and a text + 16:9 image response format: an
    interaction.created with an id, thought steps with summaries, a thought signature, text and
    a JPEG image, an interaction.completed with status completed and usage;
  - turn 2, streamed, continuing turn 1 by previous_interaction_id: its text names the edit;
  - a streamed turn grounded in web and image search: search call and result steps, and url
    citations on the answer's text;
  - a non-streamed create: an Interaction with an id and a model_output step holding an image;
  - a store=false interaction named as a parent: an error with status 404 naming its id;
  - an unknown top-level field (sent through the SDK's extra_body): a 400 naming the field.

Run from anywhere:
  /tmp/genai/bin/python scripts/interactions-sdk-check.py [path/to/banana-studio]
(or any python with google-genai installed). The binary defaults to target/debug/banana-studio
in the repository. Prints one "ok: ..." or "FAIL: ..." line per check; exits 1 if any fails.
"""
import base64
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from google import genai
from google.genai.interactions import Interaction, InteractionSSEEvent
from pydantic import BaseModel, TypeAdapter, ValidationError

REPO = Path(__file__).resolve().parent.parent
MODEL = "gemini-3-pro-image"
JPEG_MAGIC = b"\xff\xd8\xff"
TURN_CONFIG = dict(
    generation_config={"thinking_level": "high", "thinking_summaries": "auto"},
    response_format=[
        {"type": "text"},
        {"type": "image", "aspect_ratio": "16:9", "image_size": "1K"},
    ],
)

failures = 0


def check(name, ok, detail=""):
    global failures
    if ok:
        print(f"ok: {name}")
    else:
        failures += 1
        print(f"FAIL: {name}" + (f": {detail}" if detail else ""))
    return ok


def short(value, limit=160):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


# What the SDK did not fully understand.


def not_understood(obj, path):
    """Unknown variants, values outside the SDK's enums and fields the SDK does not have,
    anywhere in a parsed object, as readable lines."""
    found = []
    if isinstance(obj, BaseModel):
        name = type(obj).__name__
        if name.startswith("Unknown") or getattr(obj, "is_unknown", False) is True:
            return [f"{path} is {name} (raw {short(getattr(obj, 'raw', None))})"]
        for extra in obj.model_extra or {}:
            found.append(f"{path}.{extra} is not a field of {name}")
        for field in type(obj).model_fields:
            # Through __dict__: reading a deprecated field would warn.
            found += not_understood(obj.__dict__.get(field), f"{path}.{field}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            found += not_understood(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            found += not_understood(item, f"{path}.{key}")
    elif type(obj).__name__ in ("UnrecognizedStr", "UnrecognizedInt"):
        found.append(f"{path} = {obj!r} is not one of the SDK's values")
    return found


def strict_errors(obj, adapter, path):
    """The SDK parses leniently (a variant that fails validation is built unvalidated); this
    validates the parsed object again without that fallback."""
    try:
        adapter.validate_python(obj.model_dump(by_alias=True, mode="json", warnings=False))
        return []
    except ValidationError as e:
        return [
            f"{path}.{'.'.join(map(str, err['loc']))}: {err['msg']} (got {short(err.get('input'), 80)})"
            for err in e.errors()
        ]


EVENT = TypeAdapter(InteractionSSEEvent)
INTERACTION = TypeAdapter(Interaction)


def jpeg_bytes(data):
    try:
        raw = base64.b64decode(data or "", validate=True)
    except ValueError:
        return None
    return raw if raw.startswith(JPEG_MAGIC) else None


# One streamed turn.


def streamed_turn(client, label, **kwargs):
    """Runs a streamed create, checks its events, and returns (interaction id, answer text)."""
    stream = client.interactions.create(model=MODEL, stream=True, **TURN_CONFIG, **kwargs)
    events = list(stream)
    kinds = [type(e).__name__ for e in events]

    problems = []
    for i, event in enumerate(events):
        problems += not_understood(event, f"event[{i}]")
        problems += strict_errors(event, EVENT, f"event[{i}]")
    check(
        f"{label}: all {len(events)} events are known SDK types, validated strictly",
        events and not problems,
        "; ".join(problems[:6]) or "no events",
    )

    created = [e for e in events if type(e).__name__ == "InteractionCreatedEvent"]
    first_id = created[0].interaction.id if created else None
    check(
        f"{label}: interaction.created first, with id {first_id}",
        created and events[0] is created[0] and first_id,
        f"event kinds {kinds[:3]}...",
    )

    # Steps by index: what each started as, and its deltas.
    steps, deltas, order_problems = {}, {}, []
    for event in events:
        kind = type(event).__name__
        if kind == "StepStart":
            if event.index in steps:
                order_problems.append(f"step {event.index} started twice")
            steps[event.index] = type(event.step).__name__
        elif kind in ("StepDelta", "StepStop") and event.index not in steps:
            order_problems.append(f"{kind} for step {event.index}, which never started")
        if kind == "StepDelta":
            deltas.setdefault(event.index, []).append(event.delta)
    if sorted(steps) != list(range(len(steps))):
        order_problems.append(f"step indexes {sorted(steps)}")
    check(f"{label}: {len(steps)} steps, indexes 0.. pair up", not order_problems, "; ".join(order_problems))

    def deltas_of(step_kind, delta_kind):
        return [
            d
            for index, kind in steps.items()
            if kind == step_kind
            for d in deltas.get(index, [])
            if type(d).__name__ == delta_kind
        ]

    summaries = [
        d.content.text
        for d in deltas_of("ThoughtStep", "ThoughtSummaryDelta")
        if type(d.content).__name__ == "TextContent" and d.content.text
    ]
    check(
        f"{label}: thought steps with {len(summaries)} text summaries",
        summaries,
        f"steps {steps}",
    )
    signatures = [d.signature for d in deltas_of("ThoughtStep", "ThoughtSignatureDelta") if d.signature]
    check(f"{label}: {len(signatures)} thought_signature deltas on thought steps", signatures, f"steps {steps}")

    texts = [d.text for d in deltas_of("ModelOutputStep", "TextDelta") if d.text]
    check(f"{label}: model_output text {short(' '.join(texts), 100)}", texts, f"steps {steps}")

    images = deltas_of("ModelOutputStep", "ImageDelta")
    jpegs = [jpeg_bytes(d.data) for d in images]
    check(
        f"{label}: model_output image, "
        + ", ".join(f"{len(j)} bytes of JPEG" if j else "not JPEG" for j in jpegs),
        images and all(jpegs) and all(d.mime_type == "image/jpeg" for d in images),
        ", ".join(f"mime_type {d.mime_type!r}, data {short(d.data, 40)}" for d in images) or f"steps {steps}",
    )

    completed = [e for e in events if type(e).__name__ == "InteractionCompletedEvent"]
    done = completed[0].interaction if completed else None
    usage = done.usage if done else None
    check(
        f"{label}: interaction.completed last, status {done and done.status}, "
        f"usage total_tokens {usage and usage.total_tokens}",
        done
        and events[-1] is completed[0]
        and done.status == "completed"
        and done.id == first_id
        and usage is not None
        and (usage.total_tokens or 0) > 0,
        f"completed {short(done)}; last event {kinds[-1] if kinds else None}",
    )
    return first_id, " ".join(texts)


def expect_error(label, status, must_name, call):
    """Checks that `call` raises the SDK's error with this status, naming `must_name`."""
    try:
        result = call()
    except Exception as e:  # the SDK's error classes are private; judged by status and text
        code = getattr(e, "status_code", None)
        text = f"{e} {getattr(e, 'body', '')}"
        # The SDK first reads an error body as its own error type ({"error": {"code": str,
        # "message": str}}); a body that does not fit still raises by status, so this is a note.
        note, cause = "", e.__cause__
        while cause is not None and not isinstance(cause, ValidationError):
            cause = cause.__cause__
        if cause is not None:
            why = "; ".join(
                f"{'.'.join(map(str, err['loc'][1:]))}: {err['msg']} (got {err.get('input')!r})"
                for err in cause.errors()
            )
            note = f" (note: the body does not fit the SDK's error type: {why})"
        return check(
            f"{label}: {type(e).__name__} status {code} naming {must_name}{note}",
            code == status and must_name in text,
            short(text, 300),
        )
    return check(label, False, f"no error; got {short(result)}")


def start_server(binary):
    env = {k: v for k, v in os.environ.items() if k != "BANANA_DEMO_INTERACTION_TTL_SECS"}
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        [str(binary), "demo-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
        text=True,
    )
    ready, _, _ = select.select([server.stdout], [], [], 30)
    line = server.stdout.readline() if ready else ""
    # BANANA_BASE_URL=http://127.0.0.1:PORT GEMINI_API_KEY=demo-key
    fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
    return server, log, fields.get("BANANA_BASE_URL"), line


def stop_server(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_checks(base_url):
    client = genai.Client(api_key="demo-key", http_options={"base_url": base_url})

    first, _ = streamed_turn(client, "turn 1", input="an infographic about bananas")
    if first:
        second, text = streamed_turn(
            client, "turn 2", input="bigger title", previous_interaction_id=first
        )
        check(f"turn 2: a new id {second}", second and second != first, f"turn 1 was {first}")
        check("turn 2: the text names the edit", "bigger title" in text, short(text))

    # Grounded in web and image search: search call and result steps, and the answer's
    # url_citation annotations, must be SDK types too.
    stream = client.interactions.create(
        model="gemini-3.1-flash-image", input="rainfall in Lisbon", stream=True, **TURN_CONFIG,
        tools=[{"type": "google_search", "search_types": ["web_search", "image_search"]}],
    )
    events = list(stream)
    problems = []
    for i, event in enumerate(events):
        problems += not_understood(event, f"event[{i}]") + strict_errors(event, EVENT, f"event[{i}]")
    steps = [type(e.step).__name__ for e in events if type(e).__name__ == "StepStart"]
    citations = [a for e in events if type(e).__name__ == "StepDelta"
                 and type(e.delta).__name__ == "TextAnnotationDelta" for a in (e.delta.annotations or [])]
    check(f"search: all {len(events)} events are known SDK types, validated strictly",
          events and not problems, "; ".join(problems[:6]))
    check(f"search: {steps.count('GoogleSearchCallStep')} search calls and "
          f"{steps.count('GoogleSearchResultStep')} results",
          steps.count("GoogleSearchCallStep") == 2 and steps.count("GoogleSearchResultStep") == 2, short(steps))
    check(f"search: {len(citations)} url citations", citations and all(
        type(a).__name__ == "URLCitation" and a.url for a in citations), short(citations))

    unary = client.interactions.create(model=MODEL, input="an infographic about bananas", **TURN_CONFIG)
    problems = not_understood(unary, "interaction") + strict_errors(unary, INTERACTION, "interaction")
    check("non-streamed: an Interaction the SDK understands, validated strictly",
          isinstance(unary, Interaction) and not problems,
          f"{type(unary).__name__}: " + "; ".join(problems[:6]))
    steps = unary.steps or []
    outputs = [s for s in steps if type(s).__name__ == "ModelOutputStep"]
    images = [c for s in outputs for c in s.content or [] if type(c).__name__ == "ImageContent"]
    jpegs = [jpeg_bytes(c.data) for c in images]
    check(
        f"non-streamed: id {unary.id}, status {unary.status}, steps "
        f"{[type(s).__name__ for s in steps]}, image "
        + ", ".join(f"{len(j)} bytes of JPEG" if j else "not JPEG" for j in jpegs),
        unary.id and unary.status == "completed" and images and all(jpegs),
        f"steps {short(steps, 300)}",
    )

    unstored = client.interactions.create(model=MODEL, input="an infographic about bananas", store=False)
    check(f"store=false: answered, id {unstored.id}", unstored.id and unstored.status == "completed", short(unstored))
    if unstored.id:
        expect_error(
            "store=false as parent",
            404,
            unstored.id,
            lambda: client.interactions.create(
                model=MODEL, input="bigger title", previous_interaction_id=unstored.id
            ),
        )

    expect_error(
        "unknown top-level field (extra_body)",
        400,
        "banana_no_such_field",
        lambda: client.interactions.create(
            model=MODEL, input="an infographic about bananas",
            extra_body={"banana_no_such_field": True},
        ),
    )


def main():
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "target/debug/banana-studio"
    try:
        server, log, base_url, line = start_server(binary)
    except OSError as e:
        check(f"demo server from {binary}", False, str(e))
        sys.exit(1)
    try:
        if check(f"demo server at {base_url}", base_url, f"first stdout line {line!r}"):
            try:
                run_checks(base_url)
            except Exception as e:
                check("the checks ran to the end", False, f"{type(e).__name__}: {short(str(e), 400)}")
    finally:
        stop_server(server)
        if failures:
            log.seek(0)
            sys.stderr.write("demo server's log:\n" + log.read()[-3000:])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
