"""The figures issue 13 names, computed and measured with the workbook's one formula each.

* KV cache: Qwen3-0.6B's shape at 4,096 tokens (formula, llama.cpp's own allocation on a toy GGUF, the
  server's /api/ps formula), and a Gemma-3-style sliding-window shape;
* cost: gpt-4o-mini with the right and a per-1K price; gpt-5-mini with and without reasoning tokens;
* a load test whose slowest requests are cut off by its time limit (censored percentiles);
* a Ukrainian answer: streamed chunks against generated tokens, and the client's tokens/s;
* the review (attacks/issue13/FINDINGS.md): KV padding and per-slot streams against llama.cpp, gemma3n's shared
  layers, per-1K prices caught by the rule, lesson 4's tiers with their capacity (no break-even), the module's
  RAM column under the one usable-memory rule, keep_alive as Ollama reads it.

Usage: .venv/bin/labs with-server -- .venv/bin/python bench/issue13_numbers.py
"""

from __future__ import annotations

import llama_cpp

from labs import costs, durations, sizing, tiers
from labs.client import LocalLLM
from labs.kvcache import KVLayout, kv_cache_bytes, llama_cpp_allocation
from labs.loadtest import load_test
from labs.server.runner import Runner
from labs.sizing import architecture_from_gguf
from labs.toygguf import GEMMA3_TOY, QWEN3_0_6B, toy_gguf

from _server import require_server  # bench/ is the script's folder

MIB = 2**20


def kv() -> None:
    for shape in (QWEN3_0_6B, GEMMA3_TOY):
        path = toy_gguf(shape)
        layout: KVLayout = architecture_from_gguf(path).architecture.kv_layout()
        for swa_full in (False, True):
            allocated = sum(a["mib"] for a in llama_cpp_allocation(path, 4096, swa_full=swa_full))
            formula = kv_cache_bytes(layout, 4096, n_ubatch=512, swa_full=swa_full) / MIB
            print(f"KV {shape.arch:6} 4,096 tokens, swa_full={swa_full!s:5}: llama.cpp {allocated:7.2f} MiB, "
                  f"formula {formula:7.2f} MiB, attention's need {kv_cache_bytes(layout, 4096) / MIB:7.2f} MiB")
    runner = Runner(toy_gguf(QWEN3_0_6B), num_ctx=4096, num_thread=1)
    try:
        ps_kv = (runner.memory_bytes() - int(llama_cpp.llama_model_size(runner.llm.model))) / MIB
    finally:
        runner.close()
    print(f"KV the server's /api/ps counts for the Qwen3-0.6B shape at 4,096 tokens: {ps_kv:.0f} MiB")


def cost() -> None:
    workload = dict(requests_per_day=10_000, input_tokens=500, output_tokens=200)
    print(f"gpt-4o-mini, 10,000 requests/day of 500 + 200 tokens: "
          f"${costs.api_cost('gpt-4o-mini', **workload).monthly_usd:,.2f}/month")
    try:
        costs.api_price("gpt-4o-mini").override(input_usd_per_mtok=0.00015, output_usd_per_mtok=0.0006)
    except ValueError as exc:
        print(f"a per-1K price in the per-1M field: refused: {exc}")
    visible = costs.api_cost("gpt-5-mini", **workload).monthly_usd
    thinking = costs.api_cost("gpt-5-mini", **workload, reasoning_tokens=1_024).monthly_usd
    print(f"gpt-5-mini: ${visible:,.2f}/month visible output only, ${thinking:,.2f} with 1,024 reasoning tokens")


def review() -> None:
    for shape, context, parallel in ((QWEN3_0_6B, 300, 1), (GEMMA3_TOY, 1024, 4)):
        path = toy_gguf(shape)
        layout = architecture_from_gguf(path).architecture.kv_layout()
        allocated = sum(a["mib"] for a in llama_cpp_allocation(path, context, parallel=parallel))
        print(f"KV {shape.arch} {context} tokens × {parallel} slots: llama.cpp {allocated:.2f} MiB, formula "
              f"{kv_cache_bytes(layout, context, parallel=parallel, n_ubatch=512) / MIB:.2f} MiB, attention's need "
              f"{kv_cache_bytes(layout, context, parallel=parallel) / MIB:.2f} MiB")
    e2b = KVLayout.from_metadata({"general.architecture": "gemma3n", "gemma3n.block_count": 30,
                                  "gemma3n.attention.head_count_kv": 2, "gemma3n.attention.key_length": 256,
                                  "gemma3n.attention.sliding_window": 512})
    print(f"gemma3n E2B shape at 32K: {kv_cache_bytes(e2b, 32_768) / MIB:.0f} MiB ({e2b.cached_layers} of 30 layers cache)")
    for model, per_1k in (("Claude Sonnet 4.5", 0.015), ("gpt-4o", 0.01)):
        try:
            costs.api_price(model).override(output_usd_per_mtok=per_1k)
            print(f"{model} output {per_1k} (per 1K): ACCEPTED")
        except ValueError as exc:
            print(f"{model} output {per_1k} (per 1K): refused ({str(exc)[:80]}...)")
    api = costs.api_cost("gpt-4o-mini", requests_per_day=20_000, input_tokens=500, output_tokens=300)
    for tier in tiers.MODULE_TIERS:
        if tier.rent_offer:
            _, cap = tiers.machine_capacity(tier, 300)
            be = tiers.tier_break_even(tier, api, output_tokens=300)
            print(f"tier {tier.name}: one machine {cap:,.0f} requests/day; break-even "
                  f"{'none' if be.requests_per_day is None else f'{be.requests_per_day:,.0f}'}")
    for row in sizing.check_module_ram_column():
        print(f"module RAM {row['module_ram_gb']} GB for {row['model']}: {row['usable_gib']} GiB usable, "
              f"Q4_K_M {row['q4_k_m_gib']} GiB → {row['verdict']}")
    for value in ("1.5", "-0.5", "0.0", "24h", "300"):
        print(f"OLLAMA_KEEP_ALIVE={value!r}: Ollama keeps a model {durations.ollama_env_keep_alive(value):g} s")


def load(url: str) -> None:
    prompts = ["Name a colour.", "Write a long story about a dragon, with many chapters."]
    result = load_test(url, concurrency=4, requests=12, time_limit_s=3.5, num_predict=64, prompts=prompts)
    s = result.summary()
    mark = {True: "≥ ", False: ""}
    print(f"load test, 4 × 12 requests, 3.5 s limit: {s['completed_ok']} completed, {s['cut_off']} cut off, "
          f"{s['not_started']} never started")
    print(f"  TTFT p95 {mark[s['ttft_p95_is_lower_bound']]}{s['ttft_p95_s']:.2f} s, "
          f"latency p95 {mark[s['latency_p95_is_lower_bound']]}{s['latency_p95_s']:.2f} s "
          "(cut-off requests count as at least their wait; the machine may be shared)")


def tokens(url: str) -> None:
    llm = LocalLLM(url)
    m = llm.measure("Розкажи коротко про Київ українською мовою.", options={"temperature": 0, "seed": 1,
                                                                            "num_predict": 32})
    print(f"Ukrainian answer: {m.eval_count} tokens in {m.chunks} chunks; client clock {m.client_tokens_per_s:.1f} "
          f"tokens/s (server {m.server_tokens_per_s:.1f}); counting chunks would have said "
          f"{(m.chunks - 1) / m.stream_s:.1f}")


def main() -> None:
    url = require_server(__file__)
    kv()
    cost()
    review()
    load(url)
    tokens(url)


if __name__ == "__main__":
    main()
