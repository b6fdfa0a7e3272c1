"""How much memory a model needs, and which hardware holds it (lesson 4: sizing a deployment).

memory = weights + KV cache + runtime overhead, where

* weights  = parameters × bits per weight of the quantization ÷ 8;
* KV cache = per layer, cached tokens × kv_heads × (key_length + value_length) × bytes per element, where a
  layer with sliding-window attention caches at most its window (:mod:`labs.kvcache`, the one formula),
  times the parallel slots (Ollama gives every one of its ``OLLAMA_NUM_PARALLEL`` slots the full context);
* overhead = CUDA context and compute buffers: a fixed budget (``DEFAULT_OVERHEAD_GIB``, an
  assumption the learner can change; llama.cpp logs its real compute-buffer size on load).

The architecture numbers come from the model itself — GGUF metadata read with the ``gguf``
package (:func:`architecture_from_gguf`) or ``/api/show``'s ``model_info``
(:func:`architecture_from_model_info`) — or from the sourced table in ``labs/data/architectures.csv``.

>>> est = estimate_memory("Llama-3.1-8B", "Q4_K_M", context=8192)
>>> round(est.weights_gib, 2), round(est.kv_gib, 2)
(4.57, 1.0)

Gemma 3 attends to a 1,024-token window on 5 of every 6 layers, so its KV cache grows slowly:

>>> round(estimate_memory("Gemma-3-4B", "Q4_K_M", context=32_768).kv_gib, 2)
0.74
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from .catalogue import pick
from .hardware import Hardware, data_rows, hardware_catalogue
from .hardware import label as hardware_label
from .hardware import card as _hardware
from .inputs import fraction, number, whole
from .kvcache import KV_CACHE_BYTES, KVLayout, kv_cache_bytes

__all__ = ["GIB", "DEFAULT_OVERHEAD_GIB", "KV_CACHE_BYTES", "USABLE_FRACTION", "DEFAULT_EFFICIENCY", "quantizations",
           "bits_per_weight", "Architecture", "reference_architectures", "architecture_from_model_info", "GGUFModel",
           "architecture_from_gguf", "MemoryEstimate", "estimate_memory", "Hardware", "hardware_catalogue",
           "usable_gib", "gpus_that_fit", "decode_tokens_per_s", "MODULE_HARDWARE_TABLE", "check_module_table",
           "MODULE_RAM_COLUMN", "RAM_COLUMN_QUANTS", "check_module_ram_column", "quick_fit", "round_up",
           "vllm_budget_gib", "published_gguf_sizes", "reference_speeds", "reference_speed", "hardware_label"]

GIB = 1024**3
"""Every memory figure of the workbook is in GiB (2³⁰ bytes). Memory is *made* in binary sizes, so a card
or a machine sold as "24 GB" or "128 GB" holds 24 or 128 GiB (an RTX 4090 reports 24,564 MiB): the
``memory_gb`` of ``hardware.csv`` and the module's "RAM" figures are compared as GiB. File sizes and
bandwidth are decimal (GB = 10⁹ bytes, GB/s)."""
DEFAULT_OVERHEAD_GIB = 0.5
USABLE_FRACTION = {"gpu": 0.92, "cpu": 0.75, "unified": 0.75}
"""Share of the memory a model may use — the one rule for every lesson (assumptions): a GPU keeps some
for the driver and CUDA context; a CPU box shares its RAM with the OS and everything else running;
macOS lets the GPU wire only part of unified memory. A machine sold with 128 GB of RAM gives a model
96 GiB."""
#: llama.cpp reaches 60–78% of the memory-bandwidth limit on GPUs (figures.md).
DEFAULT_EFFICIENCY = 0.7


@lru_cache(maxsize=None)
def quantizations() -> dict[str, float]:
    """Bits per weight by quantization name (``labs/data/quantizations.csv``, sourced).

    >>> quantizations()["Q4_K_M"], quantizations()["Q8_0"]
    (4.89, 8.5)
    """
    return {r["name"]: float(r["bits_per_weight"]) for r in data_rows("quantizations.csv")}


def bits_per_weight(quant: str) -> float:
    """Bits per weight of a quantization; a clear ``ValueError`` for an unknown name.

    >>> bits_per_weight("q4_k_m")
    4.89
    >>> bits_per_weight("Q3_XYZ")
    Traceback (most recent call last):
    ...
    ValueError: unknown quantization 'Q3_XYZ': use one of Q2_K, Q3_K_M, Q4_0, Q4_1, Q4_K_M, Q5_K_M, Q6_K, Q8_0, GPTQ-INT4, FP8, F16, BF16, F32
    """
    return pick("quantization", quantizations(), quant, fold_case=True)


@dataclass(frozen=True)
class Architecture:
    """The numbers sizing needs. ``active_params`` is set for mixture-of-experts models.

    ``head_dim`` is the key length (``<arch>.attention.key_length``), ``value_dim`` the value length
    when it differs. ``sliding_window`` (tokens) and ``swa_period`` describe sliding-window attention
    (layer ``i`` windowed when ``i % period < period - 1``); ``layout`` keeps a GGUF's own per-layer
    shape when it was read from one.
    """

    name: str
    params: float
    layers: int
    kv_heads: int
    head_dim: int
    context_max: int
    active_params: float | None = None
    value_dim: int | None = None
    source: str = ""
    sliding_window: int = 0
    swa_period: int = 0
    layout: KVLayout | None = field(default=None, repr=False)
    source_uk: str = field(default="", repr=False)

    def source_text(self, lang: str | None = None) -> str:
        """``source`` as a reader of ``lang`` (else ``LAB_LANG``) reads it: ``source_uk`` (the data file's
        Ukrainian version, ``architectures.csv``'s ``source_uk`` column) in Ukrainian where there is one."""
        from labs.i18n import language

        return self.source_uk if language(lang) == "uk" and self.source_uk else self.source

    @property
    def is_moe(self) -> bool:
        return self.active_params is not None and self.active_params < self.params

    @property
    def params_per_token(self) -> float:
        """Parameters read for each generated token: all of them, or the active ones of an MoE."""
        return self.active_params if self.is_moe else self.params

    def kv_layout(self) -> KVLayout:
        """The per-layer K/V shape :func:`labs.kvcache.kv_cache_bytes` works on."""
        if self.layout is not None:
            return self.layout
        return KVLayout.uniform(layers=self.layers, kv_heads=self.kv_heads, key_length=self.head_dim,
                                value_length=self.value_dim, sliding_window=self.sliding_window,
                                swa_period=self.swa_period)

    def kv_bytes(self, context: int, parallel: int = 1, kv_cache: str = "f16") -> int:
        """Bytes of the KV cache for ``parallel`` slots of ``context`` tokens (window applied)."""
        return kv_cache_bytes(self.kv_layout(), context, parallel=parallel, cache_type=kv_cache)

    def kv_bytes_per_token(self, kv_cache: str = "f16") -> float:
        """K and V bytes one token occupies across all layers, before any window applies.

        >>> reference_architectures()["Llama-3.1-8B"].kv_bytes_per_token() / 1024
        128.0
        """
        return self.kv_layout().bytes_per_token(kv_cache)


@lru_cache(maxsize=None)
def reference_architectures() -> dict[str, Architecture]:
    """The lesson's reference models (``labs/data/architectures.csv``: from each model's config.json)."""
    from labs.i18n import t

    out = {}
    for r in data_rows("architectures.csv"):
        active = float(r["active_params_b"]) * 1e9 if r["active_params_b"] else None
        out[r["name"]] = Architecture(
            r["name"], float(r["params_b"]) * 1e9, int(r["layers"]), int(r["kv_heads"]),
            int(r["head_dim"]), int(r["context_max"]), active, None, t("sizing.source.read", "en", source=r["source"],
                                                                       as_of=r["as_of"]),
            int(r["sliding_window"] or 0), int(r["swa_period"] or 0),
            source_uk=t("sizing.source.read", "uk", source=r["source_uk"], as_of=r["as_of"]) if r.get("source_uk") else "")
    return out


def architecture_from_model_info(info: Mapping, name: str | None = None) -> Architecture:
    """An :class:`Architecture` from GGUF metadata keys, as ``/api/show`` returns them in ``model_info``
    (``general.architecture``, ``<arch>.block_count``, ``<arch>.attention.head_count_kv`` ...)."""
    try:
        arch = info["general.architecture"]
        int(info[f"{arch}.block_count"])
        info[f"{arch}.attention.head_count"]
        params = float(info["general.parameter_count"])
    except KeyError as exc:
        raise ValueError(f"model_info lacks {exc.args[0]!r}: pass /api/show's model_info or GGUF metadata") from None
    layout = KVLayout.from_metadata(info)
    return Architecture(
        name or str(info.get("general.name") or arch), params, layout.layers, max(layout.kv_heads),
        layout.key_length, int(info.get(f"{arch}.context_length", 0)), None, layout.value_length, "GGUF metadata",
        layout.sliding_window, 0, layout)


def architecture_keys(info: Mapping) -> dict:
    """The scalar ``<arch>.*`` entries of ``model_info`` (``/api/show``) or GGUF metadata, for whatever
    architecture ``general.architecture`` names (``llama``, ``qwen3``, ``gemma3`` …): the numbers
    :func:`architecture_from_model_info` reads, shown in lesson 4 section 1. Lists (per-layer values) are left out.

    >>> architecture_keys({"general.architecture": "qwen3", "qwen3.block_count": 36, "llama.block_count": 1,
    ...                    "qwen3.attention.head_count_kv": [8, 8]})
    {'qwen3.block_count': 36}
    """
    try:
        prefix = f"{info['general.architecture']}."
    except KeyError:
        raise ValueError("model_info lacks 'general.architecture': pass /api/show's model_info or GGUF metadata") from None
    return {k: v for k, v in info.items() if k.startswith(prefix) and not isinstance(v, (list, tuple))}


@dataclass(frozen=True)
class GGUFModel:
    """What a GGUF file says about itself: architecture, exact tensor bytes, file size."""

    architecture: Architecture
    weight_bytes: int
    file_bytes: int
    tensor_types: dict[str, int]

    @property
    def effective_bits_per_weight(self) -> float:
        return self.weight_bytes * 8 / self.architecture.params


def architecture_from_gguf(path: str | Path) -> GGUFModel:
    """Read a local GGUF file's metadata and tensor table with ``gguf.GGUFReader``.

    The parameter count is summed over the tensors; for a mixture-of-experts file the active
    count is the non-expert tensors plus ``expert_used_count / expert_count`` of the expert ones.
    """
    import gguf  # imported here: reading a file is the only thing that needs it

    reader = gguf.GGUFReader(str(path))
    info = {k: f.contents() for k, f in reader.fields.items()
            if not k.startswith(("GGUF.", "tokenizer.ggml."))}
    params = sum(int(t.n_elements) for t in reader.tensors)
    info["general.parameter_count"] = params
    arch = architecture_from_model_info(info)
    prefix = info["general.architecture"]
    n_exp, n_used = info.get(f"{prefix}.expert_count"), info.get(f"{prefix}.expert_used_count")
    if n_exp and n_used:
        expert = sum(int(t.n_elements) for t in reader.tensors if "_exps" in t.name)
        arch = dataclasses.replace(arch, active_params=params - expert + expert * n_used / n_exp)
    types: dict[str, int] = {}
    for t in reader.tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    return GGUFModel(arch, sum(int(t.n_bytes) for t in reader.tensors), Path(path).stat().st_size, types)


@dataclass(frozen=True)
class MemoryEstimate:
    model: str
    quant: str
    context: int
    parallel: int
    kv_cache: str
    weights_gib: float
    kv_gib: float
    overhead_gib: float

    @property
    def total_gib(self) -> float:
        return self.weights_gib + self.kv_gib + self.overhead_gib

    def as_dict(self) -> dict:
        return {**asdict(self), "total_gib": self.total_gib}

    def __str__(self) -> str:  # in the learner's language (LAB_LANG), from labs/data/messages.yaml
        from labs.i18n import t

        return t("sizing.estimate", model=self.model, quant=self.quant, context=self.context, parallel=self.parallel,
                 weights=self.weights_gib, kv=self.kv_gib, overhead=self.overhead_gib, total=self.total_gib)


def _architecture(model: str | Architecture) -> Architecture:
    if isinstance(model, Architecture):
        return model
    return pick("model", reference_architectures(), model)


def estimate_memory(model: str | Architecture, quant: str = "Q4_K_M", context: int = 8192,
                    parallel: int = 1, kv_cache: str = "f16",
                    overhead_gib: float = DEFAULT_OVERHEAD_GIB, weight_bytes: float | None = None) -> MemoryEstimate:
    """Memory for serving ``model`` at ``quant`` with ``parallel`` slots of ``context`` tokens each.

    ``weight_bytes`` overrides params × bits (use a GGUF file's exact tensor bytes).

    >>> estimate_memory("Qwen3-8B", context=-1)
    Traceback (most recent call last):
    ...
    ValueError: context must be a whole number of 1 or more; got -1.
    """
    arch = _architecture(model)
    context = whole("context", context)
    parallel = whole("parallel", parallel)
    bits = bits_per_weight(quant)
    if arch.context_max and context > arch.context_max:
        from labs.i18n import t

        raise ValueError(t("sizing.error.context_max", context=context, model=arch.name, most=arch.context_max))
    overhead_gib = number("overhead_gib", overhead_gib, "GiB", allow_zero=True)
    weights = weight_bytes if weight_bytes is not None else arch.params * bits / 8
    kv = arch.kv_bytes(context, parallel, kv_cache)
    return MemoryEstimate(arch.name, quant.upper(), context, parallel, kv_cache,
                          weights / GIB, kv / GIB, overhead_gib)


def usable_gib(hardware: str | Hardware, count: int = 1) -> float:
    """Memory a model may use on ``count`` of this hardware (see ``USABLE_FRACTION``).

    >>> usable_gib("RTX 4090 24 GB"), usable_gib("A100 80 GB", 4)
    (22.08, 294.4)
    """
    hw = _hardware(hardware)
    return round(count * hw.memory_gb * USABLE_FRACTION[hw.kind], 2)


def gpus_that_fit(need_gib: float, counts: Iterable[int] = (1, 2, 4, 8)) -> list[dict]:
    """For every catalogue entry, the fewest cards (from ``counts``) whose usable memory holds ``need_gib``.

    Several GPUs split the model with tensor/pipeline parallelism; ``count`` is None when even the
    largest count is too small. Sorted: fitting entries first, fewest cards, least memory.

    >>> [r["hardware"] for r in gpus_that_fit(20) if r["count"] == 1][:2]
    ['L4 24 GB', 'RTX 3090 24 GB']
    """
    if hasattr(need_gib, "total_gib"):  # the estimate itself, the natural slip after lesson 4's hint
        from labs.i18n import t

        raise ValueError(t("sizing.error.take_total_gib", type=type(need_gib).__name__))
    need_gib = number("need_gib", need_gib, "GiB")
    rows = []
    for hw in hardware_catalogue().values():
        multi = counts if hw.kind == "gpu" else (1,)
        count = next((n for n in sorted(multi) if usable_gib(hw, n) >= need_gib), None)
        rows.append({"hardware": hw.name, "kind": hw.kind, "count": count,
                     "memory_gb": None if count is None else count * hw.memory_gb,
                     "headroom_gib": None if count is None else round(usable_gib(hw, count) - need_gib, 2)})
    return sorted(rows, key=lambda r: (r["count"] is None, r["count"] or 0, r["memory_gb"] or 0, r["hardware"]))


def decode_tokens_per_s(model: str | Architecture, quant: str, hardware: str | Hardware, count: int = 1,
                        context_filled: int = 0, efficiency: float = DEFAULT_EFFICIENCY,
                        multi_gpu_efficiency: float = 0.8) -> float:
    """Upper-bound-times-efficiency decode speed of ONE stream: bandwidth ÷ bytes read per token.

    Bytes per token = active weights (an MoE reads only its active experts) + the KV cache filled so
    far. ``count`` GPUs in tensor parallel each read their shard, at ``multi_gpu_efficiency``
    (an assumption: all-reduce traffic between cards).

    >>> round(decode_tokens_per_s("Llama-3.1-8B", "Q4_K_M", "RTX 3080 10 GB", efficiency=1.0))
    155
    """
    arch, hw = _architecture(model), _hardware(hardware)
    count = whole("count", count)
    kv_read = arch.kv_bytes(context_filled) if context_filled else 0
    bytes_per_token = arch.params_per_token * bits_per_weight(quant) / 8 + kv_read
    scale = count * (multi_gpu_efficiency if count > 1 else 1.0)
    return efficiency * scale * hw.bandwidth_gbs * 1e9 / bytes_per_token



def serving_decode_tokens_per_s(model: str | Architecture, quant: str, hardware: str | Hardware, count: int = 1,
                                context: int = 8192, efficiency: float = DEFAULT_EFFICIENCY) -> float:
    """The one decode speed lesson 4 quotes for a card serving ``context``-token slots (tokens/s, one stream):
    :func:`decode_tokens_per_s` with the KV cache half full (``context // 2`` tokens read per step besides
    the weights), the midpoint of a conversation that grows to the full context. The sizing table
    (``labs.widgets_sizing.fit_report``) and the tier table and capacity (``labs.tiers``) both read it, so a
    card has one speed in the lesson.

    >>> round(serving_decode_tokens_per_s("Qwen3-8B", "Q4_K_M", "RTX 4090 24 GB"))
    126
    """
    return decode_tokens_per_s(model, quant, hardware, count=count, context_filled=whole("context", context) // 2,
                               efficiency=efficiency)


#: The module's "Рекомендації по hardware" table (section 29.4), as written.
MODULE_HARDWARE_TABLE = [
    {"task": "Прототипування (prototyping)", "hardware": "CPU DDR5-5600 dual channel (8 GB)", "count": 1,
     "ram_gb": 8, "model": "Llama-3.2-3B"},
    {"task": "Невеликий production (small production)", "hardware": "RTX 4090 24 GB", "count": 1,
     "ram_gb": 32, "model": "Qwen3-8B"},
    {"task": "Середній production (medium production)", "hardware": "A100 80 GB", "count": 1,
     "ram_gb": 128, "model": "Llama-4-Scout-17B-16E"},
    {"task": "Enterprise", "hardware": "A100 80 GB", "count": 4, "ram_gb": 512, "model": "Qwen3-235B-A22B"},
]

_MODULE_TASKS = {"Llama-3.2-3B": "prototype", "Qwen3-8B": "small", "Llama-4-Scout-17B-16E": "medium",
                 "Qwen3-235B-A22B": "enterprise"}  # the catalogue's key for each row's task, in the learner's language


def check_module_table(context: int = 8192, parallel: int = 1,
                       quants: Iterable[str] = ("F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0")) -> list[dict]:
    """Re-derive the module's hardware table: for each row, the best quantization that fits its
    hardware at ``context`` × ``parallel``, the Q4_K_M need, and a note where the table is optimistic
    (``task`` and ``note`` in ``LAB_LANG``: the module's Ukrainian task name, with its English in the English
    edition)."""
    from labs.i18n import t

    rows = []
    for row in MODULE_HARDWARE_TABLE:
        arch, hw = _architecture(row["model"]), _hardware(row["hardware"])
        usable = usable_gib(hw, row["count"])
        q4 = estimate_memory(arch, "Q4_K_M", context, parallel)
        best = next((q for q in quants if estimate_memory(arch, q, context, parallel).total_gib <= usable), None)
        if best is None:
            note = t("sizing.module.note.none", smallest=list(quants)[-1])
        elif best == "Q4_K_M" and q4.total_gib > 0.85 * usable:
            note = t("sizing.module.note.tight")
        else:
            note = t("sizing.module.note.fits" if best in ("Q4_K_M", "Q4_0") else "sizing.module.note.fits_higher", quant=best)
        if arch.is_moe:
            note += t("sizing.module.note.moe", params=arch.params / 1e9, active=arch.active_params / 1e9)
        if hw.kind == "gpu" and row["ram_gb"] < q4.weights_gib:
            note += t("sizing.module.note.ram")
        rows.append({**row, "task": t(f"sizing.module.task.{_MODULE_TASKS[row['model']]}"),
                     "usable_gib": round(usable, 1), "q4_k_m_total_gib": round(q4.total_gib, 1),
                     "best_quant_that_fits": best, "note": note})
    return rows


#: The module's "RAM потрібно" column (section 29.2, comparison of open-source models): the RAM of
#: the machine, as sold (a binary size: see :data:`GIB`).
MODULE_RAM_COLUMN = {"Llama-3.2-3B": 4, "Qwen3-8B": 6, "DeepSeek-R1-Distill-Qwen-7B": 6,
                     "Llama-4-Scout-17B-16E": 64, "Qwen3-235B-A22B": 128}
RAM_COLUMN_QUANTS = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0", "Q3_K_M", "Q2_K")


def check_module_ram_column(context: int = 4096, quants: Iterable[str] = RAM_COLUMN_QUANTS) -> list[dict]:
    """The module's "RAM needed" figure read as a CPU machine with that much RAM: the share a model may
    use (``USABLE_FRACTION["cpu"]``, the same rule as every CPU box of the workbook), our Q4_K_M total
    at ``context``, and the largest quantization that fits.

    >>> {r["model"]: r["best_quant_that_fits"] for r in check_module_ram_column()}["Qwen3-235B-A22B"]
    'Q2_K'
    """
    from labs.i18n import t

    rows = []
    for model, module_gb in MODULE_RAM_COLUMN.items():
        usable = module_gb * USABLE_FRACTION["cpu"]
        q4km = estimate_memory(model, "Q4_K_M", context).total_gib
        best = next((q for q in quants if estimate_memory(model, q, context).total_gib <= usable), None)
        verdict = (t("sizing.module.verdict.agrees") if q4km <= usable else
                   t("sizing.module.verdict.optimistic", quant=best) if best else
                   t("sizing.module.verdict.too_small", quant=list(quants)[-1]))
        rows.append({"model": model, "module_ram_gb": module_gb, "usable_gib": round(usable, 1),
                     "q4_k_m_gib": round(q4km, 1), "best_quant_that_fits": best, "verdict": verdict})
    return rows


def quick_fit(model: str | Architecture, quant: str = "Q4_K_M", context: int = 8192, parallel: int = 1,
              kv_cache: str = "f16") -> tuple[MemoryEstimate, list[dict]]:
    """The widget's one call: the estimate and the hardware that holds it."""
    est = estimate_memory(model, quant, context, parallel, kv_cache)
    return est, gpus_that_fit(est.total_gib)


def vllm_budget_gib(hardware: str | Hardware, count: int, gpu_memory_utilization: float) -> float:
    """GiB vLLM may use on ``count`` cards: its ``--gpu-memory-utilization`` is a share of each card's
    whole memory and *is* its reserve, so ``USABLE_FRACTION`` is not taken off as well (lesson 4).

    >>> vllm_budget_gib("A100 80 GB", 4, 0.90)
    288.0
    """
    hw = _hardware(hardware)
    return whole("count", count) * hw.memory_gb * fraction("gpu_memory_utilization", gpu_memory_utilization)


def published_gguf_sizes() -> list[dict]:
    """Published GGUF file sizes (``labs/data/gguf_sizes.csv``: model, quant, file_gib, source, as_of),
    for checking the weights formula (lesson 4)."""
    return [{**r, "file_gib": float(r["file_gib"])} for r in data_rows("gguf_sizes.csv")]


def reference_speeds():
    """Published speed figures (``labs/data/reference_speeds.csv``) as a pandas table (lessons 1, 2, 4)."""
    import pandas as pd

    return pd.DataFrame(data_rows("reference_speeds.csv")).astype({"value": float})


def reference_speed(model: str, hardware: str, engine: str, metric: str) -> float:
    """One published figure, e.g. ``reference_speed("Llama-3.1-8B", "RTX 3080 10 GB", "llama.cpp", "decode")``.

    >>> reference_speed("Llama-3.1-8B", "RTX 3080 10 GB", "llama.cpp", "decode")
    112.0
    """
    rows = [r for r in data_rows("reference_speeds.csv")
            if (r["model"], r["hardware"], r["engine"], r["metric"]) == (model, hardware, engine, metric)]
    if len(rows) != 1:
        from labs.i18n import t

        raise ValueError(t("sizing.error.no_reference", model=model, hardware=hardware, engine=engine, metric=metric))
    return float(rows[0]["value"])


def round_up(x: float) -> int:
    """Whole machines or cards: never round down.

    >>> round_up(2.01), round_up(2.0)
    (3, 2)
    """
    return math.ceil(x - 1e-9)
