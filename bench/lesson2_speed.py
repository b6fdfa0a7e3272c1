"""Lesson 2 figures on this machine: cold vs warm TTFT, decode tokens/s (server and client clocks),
copy bandwidth and the fraction of the bandwidth ceiling reached.

Usage: .venv/bin/labs with-server -- .venv/bin/python bench/lesson2_speed.py [model] [runs]
"""

from __future__ import annotations

import statistics
import sys

from labs import DEFAULT_MODEL
from labs.bandwidth import copy_bandwidth, speed_vs_limit
from labs.client import LocalLLM

from _server import require_server  # bench/ is the script's folder

OPTS = {"temperature": 0, "seed": 42, "num_predict": 32}
PROMPT = "Count from one to twenty."


def main() -> None:
    require_server(__file__)
    model = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MODEL
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    llm = LocalLLM(model=model)
    llm.ensure_model()
    kind = "embedded" if llm.is_embedded() else "Ollama"
    llm.generate("", keep_alive=0)
    cold = llm.measure(PROMPT, options=OPTS)
    warm = [llm.measure(PROMPT, options=OPTS) for _ in range(runs)]
    server = statistics.median(m.server_tokens_per_s for m in warm)
    client = statistics.median(m.client_tokens_per_s for m in warm)
    bandwidth = max(copy_bandwidth() for _ in range(3))
    limit = speed_vs_limit(llm, bandwidth=bandwidth, measured_tps=server)
    print(f"server: {kind} at {llm.url}, model {model}, {runs} warm runs of {OPTS['num_predict']} tokens")
    print(f"cold: load {cold.load_s:.3f} s, TTFT {cold.ttft_s:.3f} s")
    print(f"warm: TTFT median {statistics.median(m.ttft_s for m in warm):.3f} s")
    print(f"decode: {server:.1f} tokens/s (server counters), {client:.1f} tokens/s (client clock), median")
    print(f"copy bandwidth: {bandwidth / 1e9:.1f} GB/s; ceiling {limit['ceiling_tps']:.0f} tokens/s "
          f"for {limit['bytes_per_token_gb'] * 1e3:.1f} MB/token; reached {limit['fraction']:.1%}")


if __name__ == "__main__":
    main()
