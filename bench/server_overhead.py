"""What the embedded server costs on top of llama.cpp: decode tokens/s and time to first token,
(a) through the server's HTTP NDJSON streaming and (b) with llama.cpp driven directly in-process.

Same model file, same thread count, same prompts (sent raw, so both paths evaluate identical
tokens), greedy decoding, in alternating blocks so background load hits both alike. Prints the ratio.
Target (issue 2): server decode >= 0.9 x direct, and TTFT overhead < 20 ms.

    .venv/bin/python bench/server_overhead.py [--blocks 6] [--runs 5] [--tokens 128]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import httpx
import llama_cpp

from labs import DEFAULT_MODEL
from labs.server.runner import default_threads
from labs.server.store import catalogue_file

from _server import own_server

PROMPTS = ["Write a long story about a lighthouse keeper number {i}.",
           "Explain, step by step and at length, how bread rises (version {i})."]


def chat_text(prompt: str) -> str:
    return f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"


def direct(llm: llama_cpp.Llama, text: str, tokens: int) -> tuple[float, float, int]:
    """(ttft s, decode tokens/s by the clock, pieces) with llama.cpp in this process."""
    started = time.perf_counter()
    stamps = []
    for chunk in llm.create_completion(text, max_tokens=tokens, temperature=0, stream=True, seed=1):
        if chunk["choices"][0]["text"]:
            stamps.append(time.perf_counter())
    return stamps[0] - started, (len(stamps) - 1) / (stamps[-1] - stamps[0]), len(stamps)


def served(http: httpx.Client, text: str, tokens: int) -> tuple[float, float, int]:
    """The same through the server's /api/generate stream (raw: no template applied again)."""
    body = {"model": DEFAULT_MODEL, "prompt": text, "raw": True,
            "options": {"temperature": 0, "num_predict": tokens, "seed": 1, "stop": []}}
    started = time.perf_counter()
    stamps = []
    with http.stream("POST", "/api/generate", json=body) as response:
        for line in response.iter_lines():
            if '"response":""' not in line.replace(" ", "") and '"done":false' in line.replace(" ", ""):
                stamps.append(time.perf_counter())
    return stamps[0] - started, (len(stamps) - 1) / (stamps[-1] - stamps[0]), len(stamps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per block")
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()

    gguf, _ = catalogue_file(DEFAULT_MODEL)
    threads = default_threads()
    with own_server() as url:
        llm = llama_cpp.Llama(model_path=str(gguf), n_ctx=4096, n_threads=threads, n_threads_batch=threads,
                              n_batch=512, verbose=False)
        rows = {"direct": [], "server": []}
        with httpx.Client(base_url=url, timeout=300) as http:
            served(http, chat_text("warm up"), 8)
            direct(llm, chat_text("warm up"), 8)
            # Blocks A B B A ...: each path gets the same prompts, and background load hits both
            # alike; a block's runs are back to back so one process's llama.cpp threads are not
            # still spinning while the other process's first token is timed.
            for block in range(args.blocks):
                order = ("direct", "server") if block % 2 == 0 else ("server", "direct")
                for path in order:
                    for i in range(args.runs):
                        text = chat_text(PROMPTS[i % 2].format(i=f"{block}-{i}"))
                        rows[path].append(direct(llm, text, args.tokens) if path == "direct" else served(http, text, args.tokens))

    med = {p: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs)) for p, rs in rows.items()}
    pieces = {p: statistics.median(r[2] for r in rs) for p, rs in rows.items()}
    print(f"model {DEFAULT_MODEL} ({gguf.name}), {threads} threads, {args.blocks} blocks x {args.runs} runs x {args.tokens} tokens, medians")
    print(f"{'path':8} {'TTFT ms':>9} {'decode tok/s':>13} {'pieces':>7}")
    for p in ("direct", "server"):
        print(f"{p:8} {med[p][0] * 1000:9.1f} {med[p][1]:13.1f} {pieces[p]:7.0f}")
    ratio = med["server"][1] / med["direct"][1]
    added = (med["server"][0] - med["direct"][0]) * 1000
    print(f"server/direct decode ratio: {ratio:.3f} (target >= 0.9)")
    print(f"TTFT added by the server: {added:+.1f} ms (target < 20 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
