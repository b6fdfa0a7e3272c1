"""Seed reproducibility of the embedded server (issue 10, goal 100%) and its decode rate against
llama.cpp driven directly (keep >= 0.9).

Each of N prompts is sent with the same seed (temperature 0.8) in three request orders — forward,
reversed (its first request repeats the last one: the whole prompt is cached) and shuffled. A prompt is reproducible when all its answers are the same tokens. Then a few
alternating blocks of bench/server_overhead.py's measurement give the decode ratio.

    .venv/bin/python bench/seed_reproducibility.py [--prompts 50] [--tokens 16] [--decode-runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys

import httpx
import llama_cpp

from labs import DEFAULT_MODEL
from labs.server.runner import default_threads
from labs.server.store import catalogue_file

from _server import own_server
from server_overhead import PROMPTS as DECODE_PROMPTS, chat_text, direct, served

TOPICS = ["a colour", "an animal", "the sea", "a city", "bread", "rain", "a lighthouse", "music", "a tree", "the moon"]
FORMS = ["Name {t}.", "Write one sentence about {t}.", "Give three words about {t}.", "Describe {t} to a child.",
         "Write a haiku about {t}."]


def prompts(n: int) -> list[str]:
    out = ["Summarise this list: " + "apple, pear, plum, " * 90]  # over one 512-token batch
    out += [f.format(t=t) for f in FORMS for t in TOPICS]
    out += [f"{f.format(t=t)} (variant {i})" for i in range(n // len(out) + 1) for f in FORMS for t in TOPICS]
    return out[:n]


def answer(http: httpx.Client, prompt: str, tokens: int) -> tuple[int, ...]:
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": prompt, "stream": False,
                                         "options": {"seed": 42, "temperature": 0.8, "num_predict": tokens}})
    r.raise_for_status()
    body = r.json()
    return tuple(body["context"][body["prompt_eval_count"]:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--decode-runs", type=int, default=3, help="runs per path per block, 4 blocks")
    args = parser.parse_args()

    texts = prompts(args.prompts)
    shuffled = random.Random(7).sample(texts, len(texts))
    orders = {"forward": texts, "reversed": texts[::-1], "shuffled": shuffled}  # forward→reversed repeats one back to back
    with own_server() as url:
        with httpx.Client(base_url=url, timeout=600) as http:
            seen: dict[str, set] = {p: set() for p in texts}
            for order in orders.values():
                for prompt in order:
                    seen[prompt].add(answer(http, prompt, args.tokens))
            same = sum(len(s) == 1 for s in seen.values())
            print(f"seed reproducibility: {same}/{len(seen)} prompts gave identical tokens in all "
                  f"{sum(len(o) for o in orders.values())} requests ({', '.join(orders)}): {same / len(seen):.1%} (goal 100%)", flush=True)

            gguf, _ = catalogue_file(DEFAULT_MODEL)
            threads = default_threads()
            llm = llama_cpp.Llama(model_path=str(gguf), n_ctx=4096, n_threads=threads, n_threads_batch=threads,
                                  n_batch=512, verbose=False)
            rates: dict[str, list[float]] = {"direct": [], "server": []}
            served(http, chat_text("warm up"), 8)
            direct(llm, chat_text("warm up"), 8)
            for block in range(4):
                for path in (("direct", "server") if block % 2 == 0 else ("server", "direct")):
                    for i in range(args.decode_runs):
                        text = chat_text(DECODE_PROMPTS[i % 2].format(i=f"s{block}-{i}"))
                        run = direct(llm, text, 128) if path == "direct" else served(http, text, 128)
                        rates[path].append(run[1])
            d, s = statistics.median(rates["direct"]), statistics.median(rates["server"])
            print(f"decode tokens/s (median): direct {d:.1f}, server {s:.1f}; server/direct ratio {s / d:.3f} (keep >= 0.9)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
