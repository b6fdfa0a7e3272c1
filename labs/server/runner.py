"""One loaded model: a llama.cpp context doing real inference (what an Ollama "runner" is).

With ``n_parallel`` (the server's ``OLLAMA_NUM_PARALLEL``) the runner's :attr:`Runner.engine`
(:class:`labs.server.batching.BatchEngine`, borrowing these weights) generates for up to that many
requests at once; the runner itself then only tokenises and embeds (prompts are rendered with Go templates, never the GGUF's Jinja:
:mod:`labs.server.chat_templates`).

Not thread-safe: every call on one thread (the scheduler's llama.cpp thread).
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import llama_cpp
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


@dataclass
class Piece:
    """A piece of generated text and, when asked for, its token's log probabilities (Ollama's shape)."""

    text: str
    logprobs: dict | None = None


class RunnerFailed(RuntimeError):
    """llama.cpp failed inside this runner; the scheduler reloads it before the next request."""


class InputTooLong(ValueError):
    """An input is over the context and the request asked not to truncate it."""


class EmbeddingCancelled(Exception):
    """An embedding request stopped between inputs because its client went away."""


def _split_at_stop(text: str, stops: list[str]) -> tuple[str, str, bool]:
    """(what can be sent, what to hold back, stop string found) for generated ``text``.

    >>> _split_at_stop("Hello<|im", ["<|im_end|>"]), _split_at_stop("Hi<|im_end|>x", ["<|im_end|>"])
    (('Hello', '<|im', False), ('Hi', '', True))
    """
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    if cut >= 0:
        return text[:cut], "", True
    hold = max((n for s in stops for n in range(min(len(s) - 1, len(text)), 0, -1) if text.endswith(s[:n])), default=0)
    return text[: len(text) - hold], text[len(text) - hold:], False


# The most alternatives (GBNF rules plus their "|" choices) a format's grammar may have: the widest fan-out one rule may
# open at once, and a bound on the grammar the measure walks. llama.cpp checks every vocabulary token against every
# parse stack, in one C call per token on the thread all models share, and a rule of N alternatives makes up to N stacks
# at once (a 2000-value enum took ~10 s a token under load: issue 10 attack r8 F1). labs.server.grammar.stack_cost now
# measures fan-outs that build on each other (MAX_STACK_COST), so this limit was raised from 128, which refused ordinary
# schemas that Ollama serves (42 optional properties, an enum of 130 values: r11 F2). At 512 the widest single fan-out,
# a 500-value enum, costs ~105 ms on the token that opens a value and ~60 ms on the next 3 (~8 and ~4.5 decode steps of
# smollm2; an enum of 1000 values ~120-200 ms, 2000 ~0.8 s; bench/grammar_runtime.py, 2-core box), well under the
# runtime guard's budget (labs.server.batching.GRAMMAR_STEP_RATIO). "json" has 18 alternatives, a pydantic model ~50, 100
# optional properties 304, an enum of 300 values 301, 255 anyOf consts 511.
MAX_GRAMMAR_ALTERNATIVES = 512


class GrammarTooLarge(ValueError):
    """A format whose grammar is over :data:`MAX_GRAMMAR_ALTERNATIVES` (a 400)."""


def grammar_alternatives(gbnf: str) -> int:
    """How many alternatives a GBNF grammar has: one per rule, plus one per ``|`` outside literals and
    character classes (an upper bound on the parse stacks one of its positions can fan out to).

    >>> grammar_alternatives('root ::= "a|b" | [|] | x  # a | comment')
    3
    """
    from labs.server.grammar import structure

    return sum(ch == "|" or ch == ":" and gbnf.startswith("::=", i) for i, ch in structure(gbnf))


# The most parse-stack work one vocabulary token may cost in a format's grammar (labs.server.grammar.stack_cost).
# Alternatives alone miss grammars with few of them whose stacks fan out: a 20-character pattern of nested optional
# repetitions stalled the thread every model shares for minutes a token (issue 10 attack r9 F1).
# bench/grammar_cost.py --stacks-only times a token against it (shared 2-core box): ordinary schemas measure 25-1719
# ("json" 199, 40 optional properties 678, 100 of them 1719) and cost ~0.2-1.3 normal tokens of grammar work; the
# fan-outs under 5000 cost < 1; ((a{0,6}){0,6}){0,6} measures over 10^7 and costs ~0.9 s a token, the attack's nests
# never finish one. The measure grows faster than the time, so this limit errs on the side of refusing.
MAX_STACK_COST = 5000


class GrammarTooCostly(GrammarTooLarge):
    """A format whose grammar's parse stacks fan out past :data:`MAX_STACK_COST` (a 400)."""


def schema_gbnf(fmt: str) -> str:
    """A JSON schema (as a JSON string) → GBNF, through llama-cpp-python's converter, with every ``pattern``'s
    escapes spelled as llama.cpp's parser takes them (:func:`labs.server.grammar.with_llama_patterns`) and a root
    ``$ref`` replaced by its target (:func:`labs.server.grammar.root_ref_resolved`)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    from labs.server.grammar import root_ref_resolved, with_llama_patterns

    return json_schema_to_gbnf(json.dumps(with_llama_patterns(root_ref_resolved(json.loads(fmt)))))


def _llama_parses(gbnf: str) -> bool:
    """Whether llama.cpp's own grammar parser takes ``gbnf`` (it needs no vocabulary for that; on any thread)."""
    sampler = llama_cpp.llama_sampler_init_grammar(None, gbnf.encode(), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(sampler)
    return True


_REFUSED: dict[str, ValueError] = {}  # recent formats refused, so a repeated one is not measured again (~0.01-1.5 s)


def grammar_for(fmt: str) -> llama_cpp.LlamaGrammar:
    """:func:`_grammar_for`, remembering the last 64 formats it refused as well as the 64 it built."""
    refused = _REFUSED.get(fmt)
    if refused is not None:
        raise type(refused)(str(refused))
    try:
        return _grammar_for(fmt)
    except ValueError as exc:
        try:  # several request threads may be here at once
            while len(_REFUSED) >= 64:
                _REFUSED.pop(next(iter(_REFUSED)), None)
        except (RuntimeError, StopIteration):
            pass
        _REFUSED[fmt] = exc.with_traceback(None)
        raise


@lru_cache(maxsize=64)
def _grammar_for(fmt: str) -> llama_cpp.LlamaGrammar:
    """``format: "json"`` or a JSON schema (as a canonical JSON string) → a llama.cpp grammar.

    Raises :class:`GrammarTooLarge` when the grammar has more than :data:`MAX_GRAMMAR_ALTERNATIVES` alternatives,
    :class:`GrammarTooCostly` when its parse stacks cost more than :data:`MAX_STACK_COST` a token, and
    ``ValueError`` for a grammar llama.cpp's parser refuses. Slow (up to ~0.3 s for a large schema): call it off
    the llama.cpp thread first; the answer is cached."""
    if fmt == '"json"':
        return llama_cpp.LlamaGrammar.from_string(JSON_GBNF, verbose=False)
    from labs.server.grammar import LLAMA_MAX_NESTING, GrammarError, nesting, parse_gbnf, stack_cost

    gbnf = schema_gbnf(fmt)
    alternatives = grammar_alternatives(gbnf)
    if alternatives > MAX_GRAMMAR_ALTERNATIVES:
        raise GrammarTooLarge(
            f"invalid format: the JSON schema makes a grammar of {alternatives} alternatives, more than the "
            f"{MAX_GRAMMAR_ALTERNATIVES} this server allows (each one is checked for every token on the thread all "
            "models share): use fewer enum values, anyOf branches or properties")
    depth = nesting(gbnf)
    if depth > LLAMA_MAX_NESTING:
        raise GrammarError("invalid format: llama.cpp cannot take the grammar this JSON schema makes (a repetition "
                           f"nests {depth} groups deep, llama.cpp takes {LLAMA_MAX_NESTING}: maxLength, maxItems or a "
                           "pattern's {n,m} over about 1000): lower it")
    if not _llama_parses(gbnf):  # llama.cpp's own parser decides (logging the grammar)
        raise GrammarError("invalid format: llama.cpp's grammar parser refuses the grammar this JSON schema makes "
                           "(an escape or a character class in a pattern it cannot read, e.g. \\uZZZZ): check the "
                           "schema's patterns")
    try:
        parse_gbnf(gbnf)  # the same rules in Python, for stack_cost
    except (GrammarError, RecursionError) as exc:
        raise GrammarError(f"invalid format: this server cannot measure the grammar this JSON schema makes ({exc}): "
                           "simplify the pattern or lower maxLength / maxItems") from None
    cost = stack_cost(gbnf, MAX_STACK_COST)
    if cost > MAX_STACK_COST:
        raise GrammarTooCostly(
            f"invalid format: the JSON schema's grammar would cost llama.cpp more than {MAX_STACK_COST} parse-stack "
            "steps for each token (nested or overlapping optional repetitions such as (a{0,9}){0,9} or (a?){40}, or "
            "many anyOf branches that match the same text, anywhere in the pattern), or costs too much to measure, "
            "which would stall every model on this server: "
            "simplify the pattern or the anyOf")
    return llama_cpp.LlamaGrammar.from_string(gbnf, verbose=False)


class NoJinjaLlama(llama_cpp.Llama):
    """``llama_cpp.Llama`` that never sees the GGUF's Jinja chat templates: its constructor compiles every
    ``tokenizer.chat_template*`` in the metadata (llama-cpp-python's chat handlers), so a template that does not
    compile stopped the model from loading at all (issue 10 attack r8 F3), and a large one cost its compile time at
    every load. The server renders Go templates instead (:mod:`labs.server.chat_templates`), from the store's copy
    of the Jinja, so they are left out of :attr:`metadata` here."""

    @property
    def metadata(self) -> dict[str, str]:
        return self._metadata

    @metadata.setter
    def metadata(self, value: dict[str, str]) -> None:
        self._metadata = {k: v for k, v in value.items() if not k.startswith("tokenizer.chat_template")}


def default_threads() -> int:
    """Ollama uses one thread per core; so do we (llama-cpp-python alone would take half)."""
    return max(1, os.cpu_count() or 1)


class Runner:
    """A model loaded for ``num_ctx``-token requests on ``num_thread`` threads (0: one per core).

    ``n_parallel`` (≥ 1) adds a batching engine with that many slots of ``num_ctx`` cells on
    ``thread`` (a :class:`labs.server.batching.LlamaThread`); the runner's own llama.cpp context is
    then only a tokenizer's (:data:`labs.kvcache.KV_PAD` cells) and :meth:`generate` is refused.
    Raises ``ValueError`` when llama.cpp cannot load the file or make the context.
    """

    def __init__(self, gguf: Path, *, num_ctx: int, num_thread: int = 0, num_batch: int = 512,
                 n_parallel: int = 0, thread=None):
        from labs.kvcache import KV_PAD

        started = time.perf_counter_ns()
        self.gguf, self.num_ctx = Path(gguf), num_ctx
        self.num_thread = num_thread or default_threads()
        self.num_batch = num_batch
        self.llm = NoJinjaLlama(model_path=str(gguf), n_ctx=KV_PAD if n_parallel else num_ctx,
                                   n_threads=self.num_thread, n_threads_batch=self.num_thread,
                                   n_batch=num_batch, verbose=False)
        self.engine = None
        if n_parallel:
            from labs.server.batching import BatchEngine

            try:
                self.engine = BatchEngine(gguf, n_parallel=n_parallel, num_ctx=num_ctx, num_thread=self.num_thread,
                                          num_batch=num_batch, thread=thread, model=self.llm.model)
            except BaseException:
                self.llm.close()
                raise
        self._embedder: llama_cpp.Llama | None = None
        self._stable = 0  # cached prompt tokens evaluated in whole num_batch chunks from position 0
        self.broken = False  # llama.cpp failed: unload and load again before the next request
        self.piece_bytes = piece_bytes(str(self.gguf), self.llm.model)  # see fewest_tokens
        self.load_ns = time.perf_counter_ns() - started

    # --- prompts (rendered before the slot with a Go template: labs.server.chat_templates) ----------
    def tokenize(self, text: str) -> list[int]:
        """Safe on any thread while the runner is held (llama.cpp's tokenizer only reads the vocabulary)."""
        add_bos = self.llm.metadata.get("tokenizer.ggml.add_bos_token", "true") != "false"
        return self.llm.tokenize(text.encode(), add_bos=add_bos, special=True)

    def fewest_tokens(self, data: bytes) -> int:
        """A lower bound on the tokens ``data`` (UTF-8) makes, in O(1): each token covers at most
        :func:`piece_bytes` bytes of the text; 0 for a vocabulary where that does not hold (WPM, UGM:
        one unknown-word token may cover a whole word). Lets a prompt that cannot fit the context be
        refused before it is tokenised (a 16 MiB prompt took ~20 s to tokenise; issue 10 attack r5 F3)."""
        return -(-len(data) // self.piece_bytes) if self.piece_bytes else 0

    # --- inference ----------------------------------------------------------------------
    def check_tokens(self, tokens: list[int]) -> None:
        """Refuse what llama.cpp cannot take (ValueError): no tokens, ids outside the vocabulary,
        or a prompt that leaves no room in the context for one generated token."""
        if not tokens:
            raise ValueError("the prompt has no tokens to evaluate")
        vocab = self.llm.n_vocab()
        bad = next((t for t in tokens if not 0 <= t < vocab), None)
        if bad is not None:
            raise ValueError(f"token id {bad} is outside the vocabulary (0..{vocab - 1}): context must come from this model")
        if len(tokens) >= self.num_ctx:
            raise ValueError(f"the input length ({len(tokens)} tokens) exceeds the context length "
                             f"({self.num_ctx} tokens): shorten the prompt or raise options.num_ctx")

    def _reusable(self, tokens: list[int]) -> int:
        """How much of the cached prompt to keep so that the prompt is evaluated in exactly the
        batches a fresh context would use: whole ``num_batch`` chunks only, never the last token's
        (reusing more changes the numerics of the last logits, and a seeded answer with them)."""
        cached = self.llm.input_ids[: min(self.llm.n_tokens, self._stable)]
        same = 0
        for a, b in zip(cached, tokens):
            if a != b:
                break
            same += 1
        return min(same, len(tokens) - 1) // self.num_batch * self.num_batch

    def generate(self, tokens: list[int], sampling: Sampling, *, fmt: str | None = None,
                 cancel: threading.Event | None = None, stats: Stats, top_logprobs: int | None = None) -> Iterator[Piece]:
        """Yield text pieces as llama.cpp produces them; fill ``stats`` at the end.

        ``top_logprobs`` (None: none) adds each token's log probability and that many alternatives.
        Raises :class:`RunnerFailed` if llama.cpp fails (the runner is then marked ``broken``)."""
        if self.engine is not None:
            raise RuntimeError("this runner batches: submit to runner.engine")
        self.check_tokens(tokens)
        llm, ctx = self.llm, self.llm.ctx
        llama_cpp.llama_perf_context_reset(ctx)
        reuse = self._reusable(tokens)
        llm.n_tokens = reuse
        self._stable = 0  # until this prompt is evaluated
        seed = sampling.seed & 0xFFFFFFFF if sampling.seed >= 0 else int.from_bytes(os.urandom(4), "little")
        llm.set_seed(seed)
        room = self.num_ctx - len(tokens)  # no context shift: generation stops when the context is full
        limit = min(sampling.num_predict, room) if sampling.num_predict > 0 else room
        stops = [s for s in sampling.stop if s]
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        held, count, reason = "", 0, "stop"
        tokens_out: list[int] = []
        steps = llm.generate(tokens[reuse:], reset=False, top_k=sampling.top_k, top_p=sampling.top_p,
                             min_p=sampling.min_p, temp=sampling.temperature, repeat_penalty=sampling.repeat_penalty,
                             frequency_penalty=sampling.frequency_penalty, presence_penalty=sampling.presence_penalty,
                             grammar=grammar_for(fmt) if fmt else None)
        try:
            for token in steps:
                if count == 0:
                    self._stable = len(tokens) // self.num_batch * self.num_batch
                if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                    break
                count += 1
                tokens_out.append(token)
                probs = self._logprobs(token, top_logprobs) if top_logprobs is not None else None
                held += decoder.decode(llm.detokenize([token]))
                text, held, hit = _split_at_stop(held, stops)
                if text or probs:
                    yield Piece(text, probs)
                if hit:
                    break
                if count >= limit:
                    reason = "length"
                    break
                if cancel is not None and cancel.is_set():
                    break
            # text held back for a stop string that never came; bytes of a character the cut split are dropped,
            # as Ollama's runner trims them (flushing them with errors="replace" sent U+FFFD)
            decoder.reset()
            rest = held
            if rest:
                yield Piece(rest, None)
        except RuntimeError as exc:  # llama_decode failed: this context can no longer be trusted
            self.broken = True
            raise RunnerFailed(f"llama.cpp failed: {exc}") from None
        finally:
            steps.close()
            perf = llama_cpp.llama_perf_context(ctx)
            stats.prompt_eval_count = len(tokens)
            stats.prompt_eval_ns = int(perf.t_p_eval_ms * 1e6)
            stats.eval_count = count
            stats.eval_ns = int(perf.t_eval_ms * 1e6)
            stats.done_reason = reason
            stats.context = [*tokens, *tokens_out]

    def _logprobs(self, token: int, top: int) -> dict:
        """The sampled token's log probability under the model's raw distribution, and the ``top`` best."""
        import numpy as np

        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.llm.ctx, -1), shape=(self.llm.n_vocab(),))
        shifted = logits - logits.max()
        logp = shifted - np.log(np.exp(shifted).sum())

        def entry(t: int) -> dict:
            raw = self.llm.detokenize([int(t)])
            return {"token": raw.decode(errors="replace"), "logprob": float(logp[t]), "bytes": list(raw)}

        out = entry(token)
        if top > 0:
            best = np.argpartition(-logp, top)[:top]
            out["top_logprobs"] = [entry(int(t)) for t in best[np.argsort(-logp[best])]]
        return out

    def embed(self, texts: list[str], *, truncate: bool = True,
              cancel: threading.Event | None = None) -> tuple[list[list[float]], int]:
        """Mean-pooled embeddings (not normalised) and the number of tokens really embedded.

        Each input is cut to the embedding context (``truncate``) or refused (ValueError, and
        :class:`InputTooLong` when it is over the context); an input with no tokens is refused.
        ``cancel`` (set when the client hangs up or the server stops) aborts the decode under way (llama.cpp's
        abort callback, checked between graph nodes): raises :class:`EmbeddingCancelled`, so an abandoned
        batch does not keep the llama.cpp thread (issue 10: SIGTERM waited ~80 s for a long embed)."""
        return self.embed_tokens(self.embed_inputs(texts, truncate=truncate), cancel=cancel)

    def _embed_size(self) -> int:
        return min(self.num_ctx, 2048)  # a smaller batch keeps the embedder's compute buffer small

    def embed_inputs(self, texts: list[str], *, truncate: bool = True) -> list[list[int]]:
        """Each input's tokens for :meth:`embed_tokens`, cut to the embedding context (``truncate``) or refused
        (:class:`InputTooLong`; one that cannot fit is refused before it is tokenised); an input with no tokens
        is a ValueError. Safe on any thread while the runner is held (only the vocabulary is read), so a long
        input does not hold the llama.cpp thread."""
        limit = self._embed_size()  # one sequence per decode: its batch must hold every token
        batches = []
        for i, text in enumerate(texts):
            data = text.encode()
            least = self.fewest_tokens(data)
            if least > limit and not truncate:
                raise InputTooLong(f"the input length exceeds the context length (input {i}: at least {least} tokens, "
                                   f"context {limit}): shorten it or send truncate: true")
            ids = self.llm.tokenize(data, add_bos=True, special=False)
            if len(ids) > limit:
                if not truncate:
                    raise InputTooLong(f"the input length exceeds the context length (input {i}: {len(ids)} tokens, "
                                       f"context {limit}): shorten it or send truncate: true")
                ids = ids[:limit]
            if not ids:
                raise ValueError(f"input {i} has no tokens to embed: send non-empty text")
            batches.append(ids)
        return batches

    def embed_tokens(self, batches: list[list[int]], *,
                     cancel: threading.Event | None = None) -> tuple[list[list[float]], int]:
        """:meth:`embed` for inputs :meth:`embed_inputs` tokenised (on the llama.cpp thread)."""
        if self._embedder is None:
            size = self._embed_size()
            self._embedder = NoJinjaLlama(model_path=str(self.gguf), embedding=True, n_ctx=size,
                                             n_threads=self.num_thread, n_batch=size, n_ubatch=size,
                                             pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN, verbose=False)
        emb = self._embedder
        vectors = []
        # llama.cpp asks this between the nodes of its compute graph: a set ``cancel`` (client gone, server
        # stopping) aborts the decode under way, which a whole input of 2048 tokens would otherwise finish
        stop = llama_cpp.ggml_abort_callback(lambda _data: cancel is not None and cancel.is_set())
        llama_cpp.llama_set_abort_callback(emb._ctx.ctx, stop, None)
        try:
            for ids in batches:
                if cancel is not None and cancel.is_set():
                    raise EmbeddingCancelled("the client went away")
                emb._batch.reset()
                emb._batch.add_sequence(ids, 0, True)
                emb._ctx.kv_cache_clear()
                emb._ctx.decode(emb._batch)
                vectors.append(list(llama_cpp.llama_get_embeddings_seq(emb._ctx.ctx, 0)[: emb.n_embd()]))
        except RuntimeError as exc:
            if cancel is not None and cancel.is_set():  # aborted by the callback (llama_decode returned 2)
                raise EmbeddingCancelled("the client went away") from None
            self.broken = True
            raise RunnerFailed(f"llama.cpp failed: {exc}") from None
        finally:
            llama_cpp.llama_set_abort_callback(emb._ctx.ctx, llama_cpp.ggml_abort_callback(0), None)
            emb._batch.reset()
        return vectors, sum(len(ids) for ids in batches)

    # --- memory -------------------------------------------------------------------------
    def memory_bytes(self) -> int:
        """Bytes held (what ``/api/ps`` reports as ``size``): the weights once, plus the KV cache of the
        runner's own context and, when it batches, of every slot (``n_parallel × num_ctx`` cells), each
        by the workbook's one KV formula (:func:`labs.kvcache.kv_cache_bytes`) with its context's
        micro-batch and SWA setting. Compute buffers and a lazily loaded embedder are not counted."""
        from labs.kvcache import KVLayout, kv_cache_bytes

        params = self.llm.context_params
        kv = kv_cache_bytes(KVLayout.from_metadata(self.llm.metadata), int(llama_cpp.llama_n_ctx(self.llm.ctx)),
                            n_ubatch=int(params.n_ubatch), swa_full=bool(params.swa_full))
        if self.engine is not None:
            kv += self.engine.kv_bytes()
        return int(llama_cpp.llama_model_size(self.llm.model)) + kv

    def close(self) -> None:
        if self.engine is not None:  # before the weights it borrows
            self.engine.close()
            self.engine = None
        for llm in (self.llm, self._embedder):
            if llm is not None:
                llm.close()
        self._embedder = None


_PIECE_BYTES: dict[str, int] = {}


def piece_bytes(gguf: str, model) -> int:
    """The most bytes one token's text covers in ``gguf``'s vocabulary (``model``: its loaded llama_model),
    special tokens included, and at least 4 (an unknown character of SPM covers up to 4); 0 where a token
    may cover more than its text (WPM and UGM vocabularies). Computed once per file (~50k tokens, ~0.1 s)."""
    if gguf in _PIECE_BYTES:
        return _PIECE_BYTES[gguf]
    vocab = llama_cpp.llama_model_get_vocab(model)
    most = 0
    if llama_cpp.llama_vocab_type(vocab) in (llama_cpp.LLAMA_VOCAB_TYPE_SPM, llama_cpp.LLAMA_VOCAB_TYPE_BPE):
        buf = ctypes.create_string_buffer(256)
        most = 4
        for token in range(llama_cpp.llama_vocab_n_tokens(vocab)):
            n = llama_cpp.llama_token_to_piece(vocab, token, buf, len(buf), 0, True)
            most = max(most, abs(n))  # negative: the size it needs, past the buffer
    _PIECE_BYTES[gguf] = most
    return most


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
