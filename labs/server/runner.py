"""One loaded model: a llama.cpp context doing real inference (what an Ollama "runner" is).

Not thread-safe: the scheduler gives a runner to one request at a time.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import llama_cpp
from llama_cpp.llama_chat_format import Jinja2ChatFormatter
from llama_cpp.llama_grammar import JSON_GBNF


@dataclass
class Sampling:
    """Ollama's sampling options with Ollama's defaults (ollama-api.md §8)."""

    temperature: float = 0.8
    top_k: int = 40
    top_p: float = 0.9
    min_p: float = 0.0
    repeat_penalty: float = 1.0
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    seed: int = -1
    num_predict: int = -1
    stop: list[str] = field(default_factory=list)


@dataclass
class Stats:
    """The counters Ollama reports, from llama.cpp's own performance counters."""

    prompt_eval_count: int = 0
    prompt_eval_ns: int = 0
    eval_count: int = 0
    eval_ns: int = 0
    done_reason: str = "stop"
    context: list[int] = field(default_factory=list)


@lru_cache(maxsize=64)
def grammar_for(fmt: str) -> llama_cpp.LlamaGrammar:
    """``format: "json"`` or a JSON schema (as a canonical JSON string) → a llama.cpp grammar."""
    if fmt == '"json"':
        return llama_cpp.LlamaGrammar.from_string(JSON_GBNF, verbose=False)
    return llama_cpp.LlamaGrammar.from_json_schema(fmt, verbose=False)


def default_threads() -> int:
    """Ollama uses one thread per core; so do we (llama-cpp-python alone would take half)."""
    return max(1, os.cpu_count() or 1)


class Runner:
    def __init__(self, gguf: Path, *, num_ctx: int, num_thread: int = 0, num_batch: int = 512):
        started = time.perf_counter_ns()
        self.gguf, self.num_ctx = Path(gguf), num_ctx
        self.num_thread = num_thread or default_threads()
        self.num_batch = num_batch
        self.llm = llama_cpp.Llama(model_path=str(gguf), n_ctx=num_ctx, n_threads=self.num_thread,
                                   n_threads_batch=self.num_thread, n_batch=num_batch, verbose=False)
        self._embedder: llama_cpp.Llama | None = None
        eos = self.llm.detokenize([self.llm.token_eos()], special=True).decode(errors="ignore")
        bos = self.llm.detokenize([self.llm.token_bos()], special=True).decode(errors="ignore")
        template = self.llm.metadata.get("tokenizer.chat_template") or "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"
        self._chat = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
        self.load_ns = time.perf_counter_ns() - started

    # --- prompts ------------------------------------------------------------------------
    def chat_prompt(self, messages: list[dict]) -> str:
        """Render messages with the model's own chat template (from its GGUF)."""
        return self._chat(messages=[{"role": m["role"], "content": m.get("content") or ""} for m in messages]).prompt

    def tokenize(self, text: str) -> list[int]:
        add_bos = self.llm.metadata.get("tokenizer.ggml.add_bos_token", "true") != "false"
        return self.llm.tokenize(text.encode(), add_bos=add_bos, special=True)

    # --- inference ----------------------------------------------------------------------
    def generate(self, tokens: list[int], sampling: Sampling, *, fmt: str | None = None,
                 cancel: threading.Event | None = None, stats: Stats) -> Iterator[str]:
        """Yield text pieces as llama.cpp produces them; fill ``stats`` at the end."""
        ctx = self.llm.ctx
        llama_cpp.llama_perf_context_reset(ctx)
        seed = sampling.seed if sampling.seed >= 0 else int.from_bytes(os.urandom(4), "little")
        pieces = self.llm.create_completion(
            tokens, max_tokens=sampling.num_predict, temperature=sampling.temperature,
            top_k=sampling.top_k, top_p=sampling.top_p, min_p=sampling.min_p,
            repeat_penalty=sampling.repeat_penalty, presence_penalty=sampling.presence_penalty,
            frequency_penalty=sampling.frequency_penalty, seed=seed, stop=sampling.stop or [],
            grammar=grammar_for(fmt) if fmt else None, stream=True,
        )
        reason = "stop"
        try:
            for chunk in pieces:
                choice = chunk["choices"][0]
                if choice.get("finish_reason"):
                    reason = choice["finish_reason"]
                if choice["text"]:
                    yield choice["text"]
                if cancel is not None and cancel.is_set():
                    break
        finally:
            pieces.close()
            perf = llama_cpp.llama_perf_context(ctx)
            stats.prompt_eval_count = len(tokens)
            stats.prompt_eval_ns = int(perf.t_p_eval_ms * 1e6)
            # Generated tokens = what entered the context after the prompt, plus the last sampled
            # token when it was cut off by num_predict (never evaluated). Not perf.n_eval: llama.cpp
            # counts re-evaluating one cached prompt token as an "eval" too.
            stats.eval_count = max(self.llm.n_tokens - len(tokens), 0) + (1 if reason == "length" else 0)
            stats.eval_ns = int(perf.t_eval_ms * 1e6)
            stats.done_reason = "length" if reason == "length" else "stop"
            stats.context = [int(t) for t in self.llm.input_ids[: self.llm.n_tokens]]

    def embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        """Mean-pooled embeddings (not normalised) and the number of input tokens."""
        if self._embedder is None:
            size = min(self.num_ctx, 2048)  # a smaller batch keeps the embedder's compute buffer small
            self._embedder = llama_cpp.Llama(model_path=str(self.gguf), embedding=True, n_ctx=size,
                                             n_threads=self.num_thread, n_batch=size, n_ubatch=size,
                                             pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN, verbose=False)
        count = sum(len(self._embedder.tokenize(t.encode(), add_bos=False)) for t in texts)
        return self._embedder.embed(texts, normalize=False), count

    # --- memory -------------------------------------------------------------------------
    def memory_bytes(self) -> int:
        """Weights as loaded plus the KV cache llama.cpp allocated for ``num_ctx``: the workbook's one
        KV formula (:func:`labs.kvcache.kv_cache_bytes`), with this context's micro-batch and SWA setting."""
        from labs.kvcache import KVLayout, kv_cache_bytes

        params = self.llm.context_params
        kv = kv_cache_bytes(KVLayout.from_metadata(self.llm.metadata), int(llama_cpp.llama_n_ctx(self.llm.ctx)),
                            n_ubatch=int(params.n_ubatch), swa_full=bool(params.swa_full))
        return int(llama_cpp.llama_model_size(self.llm.model)) + kv

    def close(self) -> None:
        for llm in (self.llm, self._embedder):
            if llm is not None:
                llm.close()
        self._embedder = None


def canonical_format(fmt: object) -> str | None:
    """Request ``format`` → a hashable key for :func:`grammar_for` (``None`` when absent).

    >>> canonical_format("json"), canonical_format(""), canonical_format({"type": "object"})
    ('"json"', None, '{"type": "object"}')
    """
    if fmt in (None, ""):
        return None
    if fmt == "json":
        return '"json"'
    if isinstance(fmt, dict):
        return json.dumps(fmt, sort_keys=True)
    raise ValueError(f"invalid format: {fmt!r} (use \"json\" or a JSON schema object)")
