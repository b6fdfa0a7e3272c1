"""The KV cache: how many bytes a model's keys and values take for a context (lessons 2 and 4).

The one formula of the workbook; :mod:`labs.sizing` (memory estimates), :mod:`labs.bandwidth`
(bytes read per token) and the embedded server's ``/api/ps`` (:meth:`labs.server.runner.Runner.memory_bytes`)
all call :func:`kv_cache_bytes`.

Per layer ``l``: ``cells_l × kv_heads_l × (key_length + value_length) × bytes per element``, summed over
the layers, where ``cells_l`` is the context (× parallel slots) for a layer that attends to everything,
and at most the window for a layer with **sliding-window attention** (Gemma 2/3, gpt-oss, Cohere 2;
Llama 4's chunked attention likewise). So

    KV = global layers × context + windowed layers × min(window, context)   (per token-row of K and V)

The head size is ``<arch>.attention.key_length`` (and ``value_length``), not ``embedding_length ÷
heads``: Qwen3-0.6B has 1024 ÷ 16 = 64 but ``key_length`` 128 (448 MiB at 4,096 tokens, not 224).

GGUF keys read, as llama.cpp reads them (``src/llama-arch.cpp``, ``src/models/<arch>.cpp``):
``<arch>.block_count``, ``<arch>.attention.head_count_kv`` (a number or one per layer),
``<arch>.attention.key_length`` / ``value_length``, ``<arch>.attention.sliding_window`` and
``<arch>.attention.sliding_window_pattern`` (one bool per layer, or a period ``n``: layer ``i`` is
windowed when ``i % n < n - 1``; without the key, llama.cpp's default period for the architecture,
:data:`SWA_PATTERN_DEFAULT`).

Layers that **share** another layer's cache hold none of their own: gemma3n's layers from 20 on
(``n_layer_kv_from_start = 20``, written into llama.cpp's loader) and gemma4's last
``<arch>.attention.shared_kv_layers`` (:data:`SHARED_KV_FROM`, :func:`shared_kv_from`).

**Two figures.** Without ``n_ubatch`` :func:`kv_cache_bytes` gives the attention's own **need**:
``min(window, context)`` per windowed layer, no padding. With ``n_ubatch`` it gives what llama.cpp
(the version installed here, checked in ``tests/test_kvcache.py``) **allocates**:

* the context is padded up to a multiple of 256 cells (``pad256``): a 300-token context takes 512 cells;
* with ``kv_unified=False`` (llama.cpp's default, and every server here) each of the ``parallel`` slots
  gets its own stream of ``pad256(context)`` cells, and its windowed layers
  ``pad256(min(pad256(context), window + n_ubatch))`` cells (room for one micro-batch past the window);
* with ``kv_unified=True`` one stream of ``pad256(context × parallel)`` cells, windowed layers
  ``pad256(min(that, window × parallel + n_ubatch))``;
* ``swa_full`` (llama-cpp-python's default) gives the windowed layers the full size.

What neither figure counts: Gemma 4's separate head size for windowed layers, MLA caches
(DeepSeek 2/3: K only), recurrent state (Mamba, Qwen3-Next), and llama.cpp's compute buffers
(the overhead in :mod:`labs.sizing`).

>>> qwen3 = KVLayout.uniform(layers=28, kv_heads=8, key_length=128)   # Qwen3-0.6B
>>> kv_cache_bytes(qwen3, 4096) / 2**20
448.0
>>> gemma = KVLayout.uniform(layers=34, kv_heads=4, key_length=256, sliding_window=1024, swa_period=6)
>>> gemma.global_layers, gemma.windowed_layers                      # Gemma-3-4B: 5 global, 29 windowed
(5, 29)
>>> round(kv_cache_bytes(gemma, 32_768) / 2**30, 3), round(kv_cache_bytes(gemma, 32_768, swa_full=True) / 2**30, 3)
(0.738, 4.25)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping

from .catalogue import pick
from .inputs import whole

KV_CACHE_BYTES = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}
"""Bytes per cached K or V element: f16, and llama.cpp's quantized caches (a block of 32 values plus
one f16 scale: 34 bytes for q8_0, 18 for q4_0). Ollama: ``OLLAMA_KV_CACHE_TYPE``."""

SWA_PATTERN_DEFAULT = {"gemma2": 2, "gemma3": 6, "gemma3n": 5, "gpt-oss": 2, "cohere2": 4, "llama4": 4,
                       "exaone4": 4, "olmo2": 4}
"""llama.cpp's period of the sliding-window layer pattern when the GGUF has no
``sliding_window_pattern`` key (``load_swa_pattern(ml, n)`` in ``src/models/<arch>.cpp``)."""

LLAMA4_CHUNK = 8192
"""Llama 4 attends in chunks of 8,192 tokens on 3 of every 4 layers (llama.cpp ``models/llama4.cpp``)."""

KV_PAD = 256
"""llama.cpp pads the context, and the windowed cache, to a multiple of 256 cells."""
SWA_PAD = KV_PAD

SHARED_KV_FROM = {"gemma3n": 20}
"""Architectures whose later layers reuse an earlier layer's cache: the first layer without its own
(llama.cpp hard-codes 20 for gemma3n; gemma4 reads ``attention.shared_kv_layers``, see :func:`shared_kv_from`)."""


def pad256(cells: int) -> int:
    """``cells`` rounded up to llama.cpp's multiple of 256 (:data:`KV_PAD`).

    >>> pad256(300), pad256(4096)
    (512, 4096)
    """
    return math.ceil(cells / KV_PAD) * KV_PAD


def shared_kv_from(meta: Mapping, arch: str, layers: int) -> int:
    """The first layer that keeps no cache of its own (``layers`` when every layer keeps one)."""
    shared = meta.get(f"{arch}.attention.shared_kv_layers")
    if shared not in (None, ""):
        return max(0, layers - int(float(shared)))
    return min(layers, SHARED_KV_FROM.get(arch, layers))


def kv_element_bytes(cache_type: str) -> float:
    """Bytes per K or V element for ``f16``, ``q8_0`` or ``q4_0``; ValueError listing them otherwise."""
    return pick("KV cache type", KV_CACHE_BYTES, cache_type)


@dataclass(frozen=True)
class KVLayout:
    """The K/V shape of a model, one entry per layer.

    ``kv_heads`` and ``windowed`` hold one value per layer; ``sliding_window`` is the window in tokens
    (0: every layer attends to the whole context). A layer with 0 KV heads keeps no cache of its own
    (it reuses an earlier layer's: gemma3n, gemma4).
    """

    kv_heads: tuple[int, ...]
    key_length: int
    value_length: int
    sliding_window: int = 0
    windowed: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if not self.kv_heads:
            raise ValueError("a KV layout needs at least one layer")
        if self.windowed and len(self.windowed) != len(self.kv_heads):
            raise ValueError(f"windowed has {len(self.windowed)} entries for {len(self.kv_heads)} layers")
        if any(self.windowed) and self.sliding_window <= 0:
            raise ValueError("windowed layers need sliding_window > 0 (tokens)")

    @classmethod
    def uniform(cls, *, layers: int, kv_heads: int, key_length: int, value_length: int | None = None,
                sliding_window: int = 0, swa_period: int = 0, dense_first: bool = False) -> "KVLayout":
        """Every layer alike; with ``sliding_window`` and ``swa_period`` ``n``, layer ``i`` is windowed
        when ``i % n < n - 1`` (or ``i % n != 0`` with ``dense_first``), llama.cpp's rule."""
        whole("layers", layers)
        return cls((int(kv_heads),) * layers, int(key_length), int(value_length or key_length),
                   int(sliding_window), swa_pattern(layers, swa_period, dense_first) if sliding_window else ())

    @classmethod
    def from_metadata(cls, meta: Mapping) -> "KVLayout":
        """From GGUF metadata keys (a ``GGUFReader``'s fields, ``llama_cpp.Llama.metadata`` with string
        values, or ``/api/show``'s ``model_info``). Missing ``key_length``: ``embedding_length ÷ heads``."""
        arch = meta.get("general.architecture")
        if not arch:
            raise ValueError("model_info lacks general.architecture: pass GGUF metadata or /api/show's model_info")
        layers = int(meta.get(f"{arch}.block_count", 0) or 0)
        if layers < 1:
            raise ValueError(f"model_info lacks {arch}.block_count: pass GGUF metadata or /api/show's model_info")
        heads = _per_layer(meta.get(f"{arch}.attention.head_count", 1), layers)
        kv = meta.get(f"{arch}.attention.head_count_kv")
        kv_heads = heads if kv in (None, "") else _per_layer(kv, layers)
        key = int(meta.get(f"{arch}.attention.key_length") or 0) or \
            int(meta.get(f"{arch}.embedding_length", 0)) // max(max(heads), 1)
        value = int(meta.get(f"{arch}.attention.value_length") or 0) or key
        first_shared = shared_kv_from(meta, arch, layers)
        kv_heads = tuple(h if i < first_shared else 0 for i, h in enumerate(kv_heads))
        window = meta.get(f"{arch}.attention.sliding_window")
        window = int(window) if window not in (None, "") else (LLAMA4_CHUNK if arch == "llama4" else 0)
        if window <= 0 or (arch not in SWA_PATTERN_DEFAULT and f"{arch}.attention.sliding_window_pattern" not in meta):
            return cls(kv_heads, key, value)  # llama.cpp ignores the key for these architectures (e.g. llama)
        pattern = meta.get(f"{arch}.attention.sliding_window_pattern", SWA_PATTERN_DEFAULT.get(arch, 0))
        if isinstance(pattern, str):  # llama_cpp.Llama.metadata gives strings; arrays are not kept there
            pattern = int(pattern) if pattern.strip().isdigit() else SWA_PATTERN_DEFAULT.get(arch, 0)
        windowed = (tuple(bool(x) for x in pattern) if isinstance(pattern, (list, tuple))
                    else swa_pattern(layers, int(pattern)))
        return cls(kv_heads, key, value, window, windowed)

    @property
    def layers(self) -> int:
        return len(self.kv_heads)

    @property
    def cached_layers(self) -> int:
        """Layers that keep a cache of their own."""
        return sum(1 for h in self.kv_heads if h > 0)

    @property
    def windowed_layers(self) -> int:
        return sum(1 for i, w in enumerate(self.windowed) if w and self.kv_heads[i] > 0)

    @property
    def global_layers(self) -> int:
        return self.cached_layers - self.windowed_layers

    def layer_row_bytes(self, layer: int, cache_type: str = "f16") -> float:
        """K and V bytes one cached token takes in one layer."""
        return self.kv_heads[layer] * (self.key_length + self.value_length) * kv_element_bytes(cache_type)

    def bytes_per_token(self, cache_type: str = "f16") -> float:
        """K and V bytes one token takes across all layers (no window applied: a full-context figure)."""
        return sum(self.layer_row_bytes(i, cache_type) for i in range(self.layers))

    def cells(self, layer: int, context: int, *, parallel: int = 1, n_ubatch: int | None = None,
              swa_full: bool = False, kv_unified: bool = False) -> int:
        """Cached tokens in one layer for ``parallel`` slots of ``context`` tokens each: the attention's
        need without ``n_ubatch``, llama.cpp's allocation with it (module docstring)."""
        if self.kv_heads[layer] == 0:
            return 0
        windowed = bool(self.windowed) and self.windowed[layer]
        if n_ubatch is None:
            return parallel * (min(self.sliding_window, context) if windowed and not swa_full else context)
        ubatch = min(n_ubatch, context * parallel)  # llama.cpp: n_ubatch ≤ n_batch ≤ n_ctx
        if kv_unified:
            size = pad256(context * parallel)
            swa = pad256(min(size, self.sliding_window * parallel + ubatch))
        else:
            seq = pad256(context)
            size = parallel * seq
            swa = parallel * pad256(min(seq, self.sliding_window + ubatch))
        return swa if windowed and not swa_full else size


def swa_pattern(layers: int, period: int, dense_first: bool = False) -> tuple[bool, ...]:
    """Which layers use the window, by llama.cpp's ``set_swa_pattern``: period 0 = every layer.

    >>> swa_pattern(6, 6), swa_pattern(4, 2)
    ((True, True, True, True, True, False), (True, False, True, False))
    """
    if period <= 0:
        return (True,) * layers
    if dense_first:
        return tuple(i % period != 0 for i in range(layers))
    return tuple(i % period < period - 1 for i in range(layers))


def _per_layer(value: object, layers: int) -> tuple[int, ...]:
    """A GGUF number-or-array field as one int per layer (``"[8, 8]"`` strings from llama-cpp-python too)."""
    if isinstance(value, str) and value.startswith("["):
        value = [int(x) for x in re.findall(r"\d+", value)]
    if isinstance(value, (list, tuple)):
        if len(value) != layers:
            raise ValueError(f"a per-layer field has {len(value)} entries for {layers} layers")
        return tuple(int(v) for v in value)
    return (int(value),) * layers


def kv_cache_bytes(layout: KVLayout, context: int, *, parallel: int = 1, cache_type: str = "f16",
                   n_ubatch: int | None = None, swa_full: bool = False, kv_unified: bool = False) -> int:
    """Bytes of the KV cache for ``parallel`` slots of ``context`` tokens (lessons 2 and 4).

    Sum over layers of cells × kv_heads × (key_length + value_length) × bytes per element. Without
    ``n_ubatch``: the attention's need (a windowed layer keeps ``min(window, context)`` cells per slot).
    With ``n_ubatch`` (llama.cpp's micro-batch, 512 by default), ``swa_full`` and ``kv_unified``: what
    llama.cpp allocates, padding to 256 cells and one stream per slot included (module docstring).

    >>> kv_cache_bytes(KVLayout.uniform(layers=30, kv_heads=3, key_length=64), 1)   # SmolLM2-135M per token
    23040
    >>> qwen3 = KVLayout.uniform(layers=28, kv_heads=8, key_length=128)
    >>> kv_cache_bytes(qwen3, 300) / 2**20, kv_cache_bytes(qwen3, 300, n_ubatch=512) / 2**20   # need, allocated
    (32.8125, 56.0)
    """
    context, parallel = whole("context", context), whole("parallel", parallel)
    if n_ubatch is not None:
        n_ubatch = whole("n_ubatch", n_ubatch)
    total = sum(layout.cells(i, context, parallel=parallel, n_ubatch=n_ubatch, swa_full=swa_full,
                             kv_unified=kv_unified) * layout.layer_row_bytes(i, cache_type)
                for i in range(layout.layers))
    return int(round(total))


def describe(layout: KVLayout, context: int, *, parallel: int = 1, cache_type: str = "f16") -> str:
    """One line for a lesson: global × context + windowed × min(window, context), in MiB, in ``LAB_LANG``.

    >>> print(describe(KVLayout.uniform(layers=34, kv_heads=4, key_length=256, sliding_window=1024, swa_period=6), 32_768))
    5 global layers × 32,768 tokens + 29 windowed layers × 1,024 tokens = 756.0 MiB (f16, 1 slot)
    """
    from labs.i18n import t

    total = kv_cache_bytes(layout, context, parallel=parallel, cache_type=cache_type) / 2**20
    shared = layout.layers - layout.cached_layers
    tail = t("kvcache.describe.shared", shared=shared) if shared else ""
    if not layout.windowed_layers:
        return t("kvcache.describe.uniform", layers=layout.cached_layers, context=context, mib=total,
                 cache_type=cache_type, slots=parallel, tail=tail)
    return t("kvcache.describe.windowed", global_layers=layout.global_layers, context=context,
             windowed=layout.windowed_layers, window=min(layout.sliding_window, context), mib=total,
             cache_type=cache_type, slots=parallel, tail=tail)


_KV_LINE = re.compile(r"llama_kv_cache: size = +([\d.]+) MiB \( *(\d+) cells, +(\d+) layers, +(\d+)/(\d+) seqs")


def llama_cpp_allocation(gguf: str, context: int, *, parallel: int = 1, swa_full: bool = False, n_ubatch: int = 512,
                         kv_unified: bool = False) -> list[dict]:
    """What llama.cpp itself allocates for a model's KV cache, for ``parallel`` slots of ``context``
    tokens: one ``{"mib", "cells", "layers", "streams"}`` per cache (two for a sliding-window model:
    the global and the windowed layers; ``cells`` per stream, ``mib`` for all of them), read from the
    ``llama_kv_cache: size = ...`` lines llama.cpp logs when it makes a context. Loads the model
    (lesson 4 uses it to check :func:`kv_cache_bytes`; keep the model small)."""
    import llama_cpp

    from labs.server.batching import captured_llama_log  # the one capture of llama.cpp's log lines

    context, parallel = whole("context", context), whole("parallel", parallel)
    lines: list[str] = []
    with captured_llama_log(lines):
        model = llama_cpp.llama_model_load_from_file(str(gguf).encode(), llama_cpp.llama_model_default_params())
        if not model:
            raise ValueError(f"llama.cpp could not load {gguf}")
        params = llama_cpp.llama_context_default_params()
        params.n_ctx, params.n_seq_max = context * parallel, parallel
        params.n_batch = params.n_ubatch = n_ubatch
        params.swa_full, params.kv_unified, params.n_threads, params.n_threads_batch = swa_full, kv_unified, 1, 1
        ctx = llama_cpp.llama_init_from_model(model, params)
        if ctx:
            llama_cpp.llama_free(ctx)
        llama_cpp.llama_model_free(model)
    found = [{"mib": float(m[0]), "cells": int(m[1]), "layers": int(m[2]), "streams": int(m[4])}
             for m in _KV_LINE.findall("".join(lines))]
    if not found:
        raise RuntimeError("llama.cpp logged no KV cache size; its log format may have changed")
    return found
