#!/usr/bin/env python3
"""Checks the shape of src/: no import circle anywhere, no source file over 800 lines, and the
layers below the studio in their order.

- No circle between files (a child module and its parent included), and none between the
  folders and files that sit side by side in any folder, at every level (e.g. `tui/state` ↔
  `tui/view`, or `cli` ↔ `tui`).
- No file over 800 lines, except those compiled for tests only.
- The layers: `preview` imports only `emulator` and `blob` of the four below, `conversation`
  only `blob`; `emulator` and `blob` none of them.

Reads every `use` of this crate's modules (`crate::…`, `super::…`, `self::…` or a child
module's name; use trees expanded) and every such path written inline, leaving out comments
and anything under `#[cfg(test)]` (a test module inline or in its own file). Each path goes to
the file of the longest module it names, following `pub use` re-exports to where the item is
defined.

Usage: python3 scripts/check-imports.py [--verbose] [--root SRC]   (exit 1 when a rule is
broken; tests/architecture.rs runs it)
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src"
MAX_LINES = 800
# What each of the layers below the studio may import of the others.
LAYERS = {
    "preview": {"emulator", "blob"},
    "conversation": {"blob"},
    "emulator": set(),
    "blob": set(),
}


def module_of(path: Path, root: Path) -> tuple:
    """src/preview/kitty.rs → ("preview", "kitty"); src/preview/mod.rs → ("preview",)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
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


def circles(graph: dict) -> list:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, successors = work[-1]
            advanced = False
            for w in successors:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
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
    return out


def shortest_cycle(graph: dict, component: list) -> list:
    """A shortest circle through the component's first node, as the path that closes it."""
    members, start = set(component), component[0]
    came_from, queue = {}, [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in members:
                continue
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start] + path[::-1][1:] + [start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return component


def name(module: tuple) -> str:
    return "/".join(module) or "crate"


def main() -> int:
    verbose = "--verbose" in sys.argv
    root = ROOT
    if "--root" in sys.argv:
        root = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
    # main.rs is the binary: a crate of its own, which sees this one as `banana_studio`.
    files = {module_of(p, root): p for p in sorted(root.rglob("*.rs")) if p != root / "main.rs"}
    test_only = set()
    codes = {}
    line_counts = {}
    for module, path in files.items():
        text = path.read_text()
        line_counts[module] = text.count("\n")
        code, tests = drop_test_items(strip_comments(text))
        codes[module] = code
        for child in tests:
            test_only.add(module + (child,))

    def is_test_only(module):
        return any(module[: len(t)] == t for t in test_only)

    # `pub use` re-exports, so a path through a parent's re-export goes to where the item is.
    reexports = {}
    for module, code in codes.items():
        for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", code):
            for path in expand_use(m.group(1)):
                full = absolute(path, module, files)
                if full:
                    reexports.setdefault(module, {})[path.split("::")[-1]] = full

    # Exported macros are named from the crate's root but live where they are written.
    for module, code in codes.items():
        for m in re.finditer(r"#\[macro_export\]\s*macro_rules!\s*(\w+)", code):
            reexports.setdefault((), {})[m.group(1)] = module + (m.group(1),)

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
        if is_test_only(module):
            continue
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", code):
            paths += expand_use(m.group(1))
        code_without_uses = re.sub(r"\buse\s+[^;]+;", "", code)
        paths += re.findall(r"(?<!::)\b\w+(?:::\w+)+", code_without_uses)
        targets = set()
        for path in paths:
            full = resolve(absolute(path, module, files))
            if full != module and full in files and not is_test_only(full):
                targets.add(full)
        edges[module] = targets

    failures = []
    # Between files.
    for component in circles(edges):
        cycle = " → ".join(map(name, shortest_cycle(edges, component)))
        failures.append(f"circle between files: {cycle} ({len(component)} files in all)")
    # Between what sits side by side in each folder, at every level.
    folders = {m[:depth] for m in files for depth in range(len(m))}
    for folder in sorted(folders):
        depth = len(folder)
        graph = {}
        for source, targets in edges.items():
            if len(source) <= depth or source[:depth] != folder:
                continue
            for target in targets:
                if len(target) > depth and target[:depth] == folder and target[depth] != source[depth]:
                    graph.setdefault(folder + (source[depth],), set()).add(folder + (target[depth],))
        for component in circles(graph):
            cycle = " → ".join(map(name, shortest_cycle(graph, component)))
            failures.append(f"circle inside {name(folder)}/: {cycle}")
    # The layers below the studio.
    for source, targets in edges.items():
        for target in targets:
            a, b = source[0] if source else "", target[0] if target else ""
            if a in LAYERS and b in LAYERS and a != b and b not in LAYERS[a]:
                failures.append(f"{name(source)} imports {name(target)} (a layer above it)")
    # Length.
    for module, count in sorted(line_counts.items()):
        if count > MAX_LINES and not is_test_only(module):
            failures.append(
                f"{files[module].relative_to(root)} has {count} lines (at most {MAX_LINES}): split it"
            )
    if verbose:
        for top in sorted({m[0] for m in edges if m}):
            used = sorted({t[0] for m, ts in edges.items() if m and m[0] == top for t in ts if t and t[0] != top})
            print(f"{top} → {', '.join(used) or 'nothing'}")
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(
            f"ok: {len(edges)} files, no import circle between files or folders, "
            f"none over {MAX_LINES} lines, the layers in order"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
