"""Lesson 1's measured figures, at more calls than the notebook makes: local TTFT and total latency
(p50/p95), the median decode speed, and what that speed means in requests per day for one machine.

Talks to the server at OLLAMA_HOST; prints the figures, asserts nothing.

    .venv/bin/labs with-server -- .venv/bin/python bench/lesson1_latency_capacity.py [--calls 20] [--tokens 32]
"""

from __future__ import annotations

import argparse

from labs import latency
from labs.client import LocalLLM
from labs.costs import capacity_requests_per_day

from _server import require_server  # bench/ is the script's folder


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--calls", type=int, default=20)
    args.add_argument("--tokens", type=int, default=32, help="num_predict per call")
    args.add_argument("--output-tokens", type=int, default=200, help="answer length for the capacity figure")
    opts = args.parse_args()
    require_server(__file__)

    with LocalLLM() as llm:
        llm.ensure_model()
        stats = latency.measure_local(llm, "In one sentence: what is a GPU?", calls=opts.calls, num_predict=opts.tokens)
    s = stats.summary()
    print(f"server {llm.url}, model {llm.model}: {stats.source}")
    print(f"TTFT   p50 {s['ttft_p50_ms']:7.1f} ms   p95 {s['ttft_p95_ms']:7.1f} ms")
    print(f"total  p50 {s['total_p50_ms']:7.1f} ms   p95 {s['total_p95_ms']:7.1f} ms")
    tps = s["tokens_per_s_p50"]
    per_day = capacity_requests_per_day(tps, opts.output_tokens)
    print(f"decode p50 {tps:.1f} tokens/s -> {per_day:,.0f} requests/day of {opts.output_tokens} output tokens "
          f"(one stream, busy all day); 100K/day would need {100_000 * opts.output_tokens / 86_400:.0f} tokens/s")


if __name__ == "__main__":
    main()
