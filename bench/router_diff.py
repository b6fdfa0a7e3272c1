"""Does this tree's router decide exactly as a git revision's does? A differential check for speed work (lesson 3,
issue 11's "< 1 ms": a faster detector must find the same things).

The prompts: every string constant of the router's tests (their source's literals, their modules' globals and
``parametrize`` values), the labelled prompts (``labs/data/routing_prompts.jsonl``), bench/router_bench.py's 2 KB
prompts, :mod:`labs.router.synthetic`'s glued identifiers and harmless numbers for ``--seeds`` seeds, random joins of
those (several findings in one prompt), and optionally ``--corpus`` (a JSON list of prompts, e.g. every text
detect_pii saw during a test run). For each: detect_pii's findings (kind, span, text, priority), the complexity
heuristic and route()'s decision, from both versions in one process (the revision's ``labs`` loaded as ``labs_base``,
as bench/router_ab.py does). It prints the differences and exits 1 if there is one.

    .venv/bin/python bench/router_diff.py [--base main] [--seeds 3000] [--corpus /tmp/corpus.json]

(``--corpus`` from a test run with bench/router_corpus.py as a pytest plugin: 34,767 texts for the router tests.)
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from router_ab import PROMPTS, load_base, two_kb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TESTS = ("pii", "router", "health", "normal", "town", "table", "synth", "audit", "id_num", "literal", "prepass",
         "complex", "special", "speed", "trigger", "decide")


def _strings(obj, out: set, depth: int = 0) -> None:
    if isinstance(obj, str):
        out.add(obj)
    elif depth < 4 and isinstance(obj, (list, tuple, set, frozenset)):
        for x in obj:
            _strings(x, out, depth + 1)
    elif depth < 4 and isinstance(obj, dict):
        for k, v in obj.items():
            _strings(k, out, depth + 1)
            _strings(v, out, depth + 1)


def harvest_tests() -> set[str]:
    """String constants of the router's test modules: literals in their source, their globals, parametrize values."""
    out: set[str] = set()
    sys.path.insert(0, str(ROOT / "tests"))
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if not any(k in path.name for k in TESTS):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
        try:
            mod = importlib.import_module(path.stem)
        except Exception as exc:  # a module that needs what this machine lacks: its literals are still read
            print(f"  (not imported: {path.name}: {type(exc).__name__})", file=sys.stderr)
            continue
        for value in vars(mod).values():
            _strings(value, out)
            for mark in getattr(value, "pytestmark", ()):
                if mark.name == "parametrize":
                    _strings(list(mark.args[1:]), out)
    return out


def synthetic(new, seeds: int) -> list[str]:
    syn = sys.modules[new.__name__ + ".synthetic"]
    out = []
    for seed in range(seeds):
        rng = random.Random(seed)
        for kind in syn.KINDS:
            out.append(syn.glued_prompt(kind, rng)[0])
        out += [syn.harmless_prompt(rng, lang) for lang in syn.LANGS]
    return out


def joins(pool: list[str], n: int, seed: int = 7) -> list[str]:
    """``n`` prompts of 2 to 5 pool strings each, joined by a gap, a line break or a sentence end."""
    rng = random.Random(seed)
    return [rng.choice([" ", "\n", ". ", "\n\n", "; "]).join(rng.sample(pool, rng.randint(2, 5))) for _ in range(n)]


def record(mod, route, prompt: str):
    """What ``mod`` makes of ``prompt``: findings, complexity and the decision (an exception's type if it raises)."""
    try:
        found = [(f.kind, f.start, f.end, f.text, f.priority) for f in mod.detect_pii(prompt)]
    except Exception as exc:
        found = repr(type(exc).__name__)
    try:
        c = sys.modules[mod.__name__ + ".complexity"].heuristic(prompt)
        cx = (c.label, c.score, c.cues)
        d = route(prompt)
        dec = (d.target, d.reasons, d.fallback, d.personal, [(f.kind, f.start, f.end) for f in d.findings])
    except Exception as exc:
        cx = dec = repr(type(exc).__name__)
    return found, cx, dec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main")
    parser.add_argument("--seeds", type=int, default=3000)
    parser.add_argument("--joins", type=int, default=4000)
    parser.add_argument("--corpus", help="a JSON list of more prompts")
    args = parser.parse_args()
    from labs.host import free_port
    from labs import router as new

    with tempfile.TemporaryDirectory() as tmp:
        old = load_base(args.base, Path(tmp))
        routes = {}
        for mod in (old, new):
            r = mod.Router(f"127.0.0.1:{free_port()}", mod.CloudLLM(base_url="http://127.0.0.1:9/v1", _api_key="x"))
            routes[mod.__name__] = r.route
        tests = harvest_tests()
        rows = [json.loads(line) for line in (ROOT / "labs/data/routing_prompts.jsonl").read_text().splitlines()
                if line.strip()]
        pool = sorted(tests | {r["text"] for r in rows})
        extra = json.loads(Path(args.corpus).read_text()) if args.corpus else []
        prompts = pool + [two_kb(p) for p in PROMPTS.values()] + synthetic(new, args.seeds) + \
            joins(pool, args.joins) + extra
        prompts = list(dict.fromkeys(prompts))
        print(f"{len(prompts)} prompts ({len(tests)} from the tests, {len(extra)} from --corpus); base = {args.base}")
        t0 = time.perf_counter()
        diffs = 0
        for p in prompts:
            a = record(old, routes[old.__name__], p)
            b = record(new, routes[new.__name__], p)
            if a != b:
                diffs += 1
                if diffs <= 10:
                    print(f"DIFF {p[:300]!r}\n  base: {a}\n  new:  {b}")
        print(f"{diffs} differences in {len(prompts)} prompts ({time.perf_counter() - t0:.0f} s)")
        sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
