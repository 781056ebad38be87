#!/usr/bin/env python3
"""Checks the layers below the studio: no import circle between `preview`, `emulator`, `blob`
and `conversation`, between the modules or between any of their files (a child module and
its parent included).

Reads every `use` of this crate's modules (`crate::…`, `super::…`, `self::…` or a child
module's name; use trees expanded) and every such path written inline, in src/, leaving out
comments and anything under `#[cfg(test)]` (a test module inline or in its own file). Each
path goes to the file of the longest module it names, following `pub use` re-exports to where
the item is defined. Also checks the intended direction: the layers below import nothing above
them (`preview` → `emulator`, `blob`; `conversation` → `blob`; `emulator` and `blob` import
none of the four).

Usage: python3 scripts/check-layers.py [--verbose]   (exit 1 when a rule is broken)
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src"
WATCHED = ("preview", "emulator", "blob", "conversation")
# What each watched module may import of the others.
ALLOWED = {
    "preview": {"emulator", "blob"},
    "conversation": {"blob"},
    "emulator": set(),
    "blob": set(),
}


def module_of(path: Path) -> tuple:
    """src/preview/kitty.rs → ("preview", "kitty"); src/preview/mod.rs → ("preview",)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def strip_comments(text: str) -> str:
    """Drops // and /* */ comments and the insides of string and char literals."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            depth = 0
            while i < n:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                    if depth == 0:
                        break
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"\w", text[i - 1 : i]):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            out.append('""')
            i = n if end < 0 else end + 1 + len(hashes)
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:])
            out.append("' '")
            i += m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_test_items(code: str) -> tuple:
    """Removes every item under #[cfg(test)]; returns the code left and the names of the
    `mod name;` declarations it removed (whole files compiled for tests only)."""
    test_files = []
    while True:
        m = re.search(r"#\[cfg\(test\)\]", code)
        if not m:
            return code, test_files
        i = m.end()
        # The item runs to its first `;` at depth 0 or the end of its first `{…}` block.
        depth = 0
        while i < len(code):
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            elif code[i] == ";" and depth == 0:
                item = code[m.end() : i]
                declared = re.search(r"\bmod\s+(\w+)\s*$", item)
                if declared:
                    test_files.append(declared.group(1))
                i += 1
                break
            i += 1
        code = code[: m.start()] + code[i:]


def expand_use(tree: str) -> list:
    """`a::{b, c::{d, e}}` → ["a::b", "a::c::d", "a::c::e"]."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+\w+", "", tree))
    m = re.match(r"^(.*?)\{(.*)\}$", tree)
    if not m:
        return [tree]
    prefix, inner = m.group(1), m.group(2)
    items, depth, start = [], 0, 0
    for i, c in enumerate(inner):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(inner[start:i])
            start = i + 1
    items.append(inner[start:])
    out = []
    for item in filter(None, items):
        for path in expand_use(item):
            out.append((prefix + path) if path != "self" else prefix.rstrip(":"))
    return out


def absolute(path: str, here: tuple, files: dict) -> tuple:
    """A path written in module `here` (from `crate::`, `super::`, `self::` or a child module
    of `here`), as a tuple from the root; () for other crates' paths."""
    parts = [p for p in path.split("::") if p]
    if not parts:
        return ()
    if parts[0] == "crate":
        return tuple(parts[1:])
    if parts[0] not in ("super", "self"):
        return here + tuple(parts) if here + (parts[0],) in files else ()
    base = list(here)
    while parts and parts[0] in ("super", "self"):
        if parts.pop(0) == "super":
            if not base:
                return ()
            base.pop()
    return tuple(base + parts)


def main() -> int:
    verbose = "--verbose" in sys.argv
    files = {module_of(p): p for p in ROOT.rglob("*.rs")}
    test_only = set()
    codes = {}
    for module, path in files.items():
        code, tests = drop_test_items(strip_comments(path.read_text()))
        codes[module] = code
        for name in tests:
            test_only.add(module + (name,))
    # `pub use` re-exports, so a path through a parent's re-export goes to where the item is.
    reexports = {}
    for module, code in codes.items():
        for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", code):
            for path in expand_use(m.group(1)):
                full = absolute(path, module, files)
                if full:
                    name = path.split("::")[-1]
                    reexports.setdefault(module, {})[name] = full

    def resolve(full):
        for _ in range(10):
            prefix = full
            while prefix and prefix not in files:
                prefix = prefix[:-1]
            rest = full[len(prefix) :]
            target = reexports.get(prefix, {}).get(rest[0]) if rest else None
            if target is None or target == full:
                return prefix
            full = target + rest[1:]
        return prefix

    edges = {}
    for module, code in codes.items():
        if any(module[: len(t)] == t for t in test_only):
            continue
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", code):
            paths += expand_use(m.group(1))
        code_without_uses = re.sub(r"\buse\s+[^;]+;", "", code)
        paths += re.findall(r"(?<!::)\b\w+(?:::\w+)+", code_without_uses)
        targets = set()
        for path in paths:
            full = resolve(absolute(path, module, files))
            if full and full != module:
                targets.add(full)
        edges[module] = targets

    def top(module):
        return module[0] if module else "crate"

    failures = []
    # Between the modules: what each may import.
    folder_edges = {}
    for source, targets in edges.items():
        for target in targets:
            a, b = top(source), top(target)
            if a in WATCHED and b in WATCHED and a != b:
                folder_edges.setdefault(a, set()).add(b)
                if b not in ALLOWED[a]:
                    failures.append(f"{'/'.join(source)} imports {'/'.join(target)}")
    # Circles: strongly connected components, between folders and between files.
    def circles(graph):
        index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

        def visit(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in graph.get(v, ()):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    out.append(sorted(component))

        sys.setrecursionlimit(10000)
        for v in list(graph):
            if v not in index:
                visit(v)
        return out

    for component in circles(folder_edges):
        failures.append("circle between modules: " + " ↔ ".join(component))
    watched_files = {
        m: {t for t in ts if top(t) in WATCHED} for m, ts in edges.items() if top(m) in WATCHED
    }
    for component in circles(watched_files):
        failures.append("circle between files: " + " ↔ ".join("/".join(m) for m in component))
    if verbose:
        for a in WATCHED:
            print(f"{a} → {', '.join(sorted(folder_edges.get(a, ()))) or 'nothing of the four'}")
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("ok: no circle between preview, emulator, blob and conversation")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
