"""Decode speed against the physical limit (lesson 2, "Speed against the physical limit").

Generating one token reads every weight once (an MoE: its active experts) plus the KV cache filled
so far, so ``tokens/s ≤ memory bandwidth ÷ bytes read per token``. This module measures the
bandwidth with a numpy copy (or takes a figure you enter), works out the ceiling for a model on
the server, and says what fraction of it the measured speed reaches (llama.cpp on GPUs typically
reaches 60–78 %, figures.md).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

from labs.client import LocalLLM
from labs.kvcache import KVLayout, kv_cache_bytes


def copy_bandwidth(megabytes: int = 256, repeats: int = 5, threads: int | None = None) -> float:
    """Memory bandwidth in bytes/s from copying a ``megabytes`` buffer (reads + writes counted),
    split over ``threads`` (default: one per core, as llama.cpp does); the best of ``repeats``.

    Use a buffer larger than the CPU's last-level cache, or the figure is the cache's speed."""
    import numpy as np

    if megabytes <= 0 or repeats <= 0:
        from labs.i18n import t

        raise ValueError(t("bandwidth.error.copy_args"))
    threads = max(1, threads or os.cpu_count() or 1)
    size = megabytes * 2**20
    src = np.ones(size, dtype=np.uint8)
    dst = np.zeros_like(src)  # touched now, so the timed copies do not pay for page faults
    bounds = [(i * size // threads, (i + 1) * size // threads) for i in range(threads)]

    def part(b: tuple[int, int]) -> None:
        np.copyto(dst[b[0]:b[1]], src[b[0]:b[1]])  # numpy lets go of the GIL for a plain copy

    best = 0.0
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(part, bounds))  # warm-up
        for _ in range(repeats):
            started = time.perf_counter()
            list(pool.map(part, bounds))
            best = max(best, 2 * size / (time.perf_counter() - started))
    return best


def kv_bytes_per_token(model_info: dict, cache_type: str = "f16") -> int:
    """K and V bytes one token of context takes across all layers, from ``/api/show``'s ``model_info``
    (the formula lives in :mod:`labs.kvcache`; a sliding window caps it further for long contexts).

    >>> info = {"general.architecture": "llama", "llama.block_count": 30, "llama.attention.head_count": 9,
    ...         "llama.attention.head_count_kv": 3, "llama.embedding_length": 576}
    >>> kv_bytes_per_token(info)  # SmolLM2-135M: 2 × 30 layers × 3 kv heads × 64 × 2 bytes
    23040
    >>> kv_bytes_per_token({})
    Traceback (most recent call last):
    ...
    ValueError: model_info lacks general.architecture: pass GGUF metadata or /api/show's model_info
    """
    return int(KVLayout.from_metadata(model_info).bytes_per_token(cache_type))


def decode_ceiling(bytes_per_token: float, bandwidth: float) -> float:
    """The most tokens/s memory can feed: ``bandwidth ÷ bytes read per token``.

    >>> round(decode_ceiling(4.92e9, 760e9))  # Llama-3.1-8B Q4_K_M on an RTX 3080 (figures.md)
    154
    """
    if bytes_per_token <= 0 or bandwidth <= 0:
        from labs.i18n import t

        raise ValueError(t("bandwidth.error.decode_args"))
    return bandwidth / bytes_per_token


def speed_vs_limit(llm: LocalLLM, model: str | None = None, *, bandwidth: float | None = None,
                   measured_tps: float | None = None, context_tokens: int = 64,
                   options: dict | None = None) -> dict:
    """Where the server's decode speed stands against the bandwidth ceiling on this machine.

    ``bandwidth`` (bytes/s) defaults to :func:`copy_bandwidth`; ``measured_tps`` to one measured
    generation. Bytes per token = the model file (every weight once) + the KV cache of
    ``context_tokens`` of context."""
    name = model or llm.model
    entry = next((m for m in llm.models() if m["name"] == name), None)
    if entry is None:
        llm.show(name)  # raises ModelNotFound with the pull command
        from labs.i18n import t

        raise ValueError(t("bandwidth.error.not_listed", name=name))
    info = llm.show(name).get("model_info") or {}
    if measured_tps is None:
        opts = {"temperature": 0, "seed": 42, "num_predict": 24, **(options or {})}
        measured_tps = llm.measure("Count from one to twenty.", model=name, options=opts).server_tokens_per_s
    bandwidth = bandwidth if bandwidth is not None else copy_bandwidth()
    try:
        kv = kv_cache_bytes(KVLayout.from_metadata(info), context_tokens)
    except ValueError:
        kv = 0
    per_token = entry["size"] + kv
    ceiling = decode_ceiling(per_token, bandwidth)
    return {"model": name, "weights_gb": entry["size"] / 1e9, "kv_read_gb": kv / 1e9,
            "bytes_per_token_gb": per_token / 1e9, "bandwidth_gbs": bandwidth / 1e9,
            "ceiling_tps": ceiling, "measured_tps": measured_tps, "fraction": measured_tps / ceiling}


def reference_ceilings(models: tuple[str, ...] = ("Llama-3.2-3B", "Qwen3-8B", "DeepSeek-R1-Distill-Qwen-7B",
                                                  "Llama-4-Scout-17B-16E", "Qwen3-235B-A22B"),
                       hardware: tuple[str, ...] = ("CPU DDR5-5600 dual channel (8 GB)", "RTX 4090 24 GB",
                                                    "A100 80 GB", "H100 SXM 80 GB"),
                       quant: str = "Q4_K_M"):
    """Ceilings (tokens/s at 100 % of bandwidth, empty context) for the module's models on ONE unit of
    reference hardware — a pandas table, models × hardware, from :mod:`labs.sizing`'s sourced data.
    Empty (NaN) where the model at ``quant`` with a 4096-token context does not fit in its memory.

    >>> table = reference_ceilings()
    >>> bool(table.loc["Llama-3.2-3B", "RTX 4090 24 GB"] > table.loc["Llama-3.2-3B", "CPU DDR5-5600 dual channel (8 GB)"])
    True
    >>> bool(table.loc["Qwen3-235B-A22B"].isna().all())  # ~144 GB of weights: no single card holds it
    True
    """
    import math

    import pandas as pd

    from labs.sizing import decode_tokens_per_s, estimate_memory, usable_gib

    def cell(model: str, hw: str) -> float:
        if estimate_memory(model, quant, context=4096).total_gib > usable_gib(hw):
            return math.nan
        return round(decode_tokens_per_s(model, quant, hw, efficiency=1.0), 1)

    return pd.DataFrame({hw: [cell(m, hw) for m in models] for hw in hardware}, index=list(models))
