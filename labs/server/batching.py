"""Continuous batching on llama.cpp's C API: up to ``n_parallel`` requests decode together, one
``llama_decode`` per step (what Ollama's runner does with ``OLLAMA_NUM_PARALLEL``; lesson 4).

Each request holds a *slot*: a llama.cpp sequence with its own ``num_ctx`` KV cells (the context
holds ``n_parallel × num_ctx`` cells, as Ollama sizes it), its own sampler chain (repeat/frequency/
presence penalties, grammar, top_k, top_p, min_p, temperature, seed: built like llama-cpp-python's
``Llama`` builds it, so a request samples as it does in :mod:`labs.server.runner`), stop strings and
``num_predict``. A request that arrives joins at the next step; one that finishes or is cancelled
frees its slot and its KV cells before the next step.

Prompt cache: a free slot keeps the cells of its last prompt's whole ``num_batch`` chunks, and a
request admitted into it skips the chunks it shares (what :class:`labs.server.runner.Runner` reuses,
for the same reason: those cells are exactly what evaluating them again would give).

Reproducibility: a seeded request's tokens do not depend on what else is in the batch. Measured on CPU
(llama.cpp as vendored by llama-cpp-python 0.3.36, SmolLM2-135M Q4_1, 1 and 2 threads, flash
attention on/off/auto, weight repacking on/off; ``bench/batching.py --invariance`` prints it): with
ONE KV buffer shared by all sequences (``kv_unified``, llama.cpp's classic layout) a sequence's
logits change with its neighbours (from the first token when prompts share a decode; from about the
fifth without flash attention, where attention sums over every sequence's cells); with a KV
*stream per sequence* they were bit-identical in every mix tried (1 to 8 sequences, joining early or
late, any row order, a prompt split in any chunks). So each slot gets a stream of its own
(``kv_unified = false``), every prompt is evaluated in ``llama_decode`` calls of its own in
``num_batch`` chunks, and a step's batch holds one row per generating slot.
That leaves the matrix products: their rounding depends on how many rows a call has, and on
~400-token prompts it flipped near-ties (issue 15 attack). So a request with a ``seed`` decodes
in a ``llama_decode`` of its own each step (the calls it would make alone); unseeded requests,
greedy ones included (Ollama promises nothing for them either), share one call per step.

Threads: every llama.cpp call runs on ONE :class:`LlamaThread` (OpenMP keeps a thread team per
calling thread and an idle team spin-waits against a busy one; see :mod:`labs.server.scheduler`).
The thread is also a :class:`concurrent.futures.Executor`, so other llama.cpp work (loading,
tokenising, embeddings) runs on it between decode steps.
"""

from __future__ import annotations

import asyncio
import codecs
import ctypes
import logging
import os
import queue
import re
import threading
import time
from collections import deque
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Callable, Iterator

import llama_cpp

from labs.server.runner import GrammarTooLarge, Piece, Sampling, Stats, _split_at_stop, default_threads, grammar_for

log = logging.getLogger(__name__)

PENALTY_LAST_N = 64  # llama-cpp-python's ``last_n_tokens_size`` default, so penalties match the runner
PIECE_BYTES = 256  # longest token piece we read back (SmolLM2's longest is far shorter)

GRAMMAR_STEP_RATIO = 64
"""The most a format's grammar may cost per token (its apply over the vocabulary and its accept, timed apart from the
rest of the sampler chain: :func:`sample_timed`), as a multiple of the model's decode step (the fastest ``llama_decode``
of the engine's last :data:`STEP_WINDOW`), before the request is ended (:class:`GrammarTooSlow`; issue 10 attack r11 F1).

Why a runtime guard: a grammar's parse stacks can build up with the text generated (``^[abc]*a([abc](c?){8}){1000}$``
starts one more live stack at each ``a``), so its per-token work grows from milliseconds to tens of seconds, in one
uncancellable C call per token on the thread every model shares; no static measure (:data:`labs.server.runner
.MAX_STACK_COST`) sees that, as the width depends on the text. The cost grows gradually, so ending the request at its
first over-budget tokens bounds the stall it puts on every other request to about this budget per token.

How it was chosen (``bench/grammar_runtime.py`` prints the figures; shared 2-core box at load 2-26, smollm2:135m,
49 152-token vocabulary, a decode step 13.5-16 ms at best): ordinary formats at output lengths of 1-400 tokens cost
"json" ≤ 0.65 decode steps a token, a pydantic model ≤ 0.69, 40 / 100 optional properties ≤ 0.83 / 1.17, e-mail and
date patterns ≤ 0.35, an array of a 300-value enum ~1.1 and up to 4.2 on the token that opens a value; the widest
fan-outs :data:`labs.server.runner.MAX_GRAMMAR_ALTERNATIVES` admits cost most on the 4 tokens of a value's shared
prefix: a 300-value enum 4.6 / 1.7 / 1.5 / 1.8, a 500-value enum 7.7 / 4.6 / 4.5 / 4.5, 255 anyOf consts 2.2 / 1.6 / 1.3;
live, the model spells an enum's shared prefix in more tokens (``"``, ``v``, ``alu``, ``e``, ``_``: 300 values ~7 steps
on each of 6 tokens), and at load 10+ one token's CPU time read up to 4x its quiet figure (a virtual machine's stolen
time counts as the thread's).
The attack's ``^[abc]*a([abc](c?){8}){1000}$`` costs 2.4-6.5 steps by 25 tokens (56 characters), 6.6-14 by 50, 24-35
by 100, 58-68 by 200 and on; ``^[ab]*a([ab](c?){10}){300}$`` 8-9 / 19-21 / 40-43 / 55-59.
Inside the running server the same grammar work cost ~5-10x more than in the bench until issue 10 r12 found why: the
server fixed glibc's mmap threshold at 256 KiB, so llama.cpp mapped, zero-filled and unmapped its 1.5 MB candidate
vectors ~400 times a token (now :data:`labs.server.app.MMAP_THRESHOLD`). The ratio was set from those slow
figures: 64 (with the 0.5 s floor) ends the attack once one of its tokens costs ~0.5-1 s (live, unguarded, it reached
7 s a token and kept growing: 13 s by 600 characters); at 128 a chat-templated attack on the
busy box (load 8) ran past 600 s; at 32 an ordinary 300-value enum was ended inside the server."""
GRAMMAR_FLOOR_NS = 500_000_000
"""Grammar work per token always allowed (500 ms), whatever the decode step: on a fast accelerator a decode step is a
few milliseconds while the grammar runs on the CPU, so the ratio alone would end ordinary formats there. The widest
fan-out the static limits admit (a 500-value enum) costs ~105 ms on its widest token in the bench on the 2-core dev
box; ordinary formats 3-17 ms in the bench. Since the server asks the grammar about the sampled token first
(:func:`sample_timed`), most tokens cost it microseconds."""
GRAMMAR_MEAN_RATIO = 4
"""The most a format's grammar may cost over a whole request, as a mean per generated token: this many decode steps
(the same fastest step as :data:`GRAMMAR_STEP_RATIO`) or :data:`GRAMMAR_MEAN_FLOOR_NS`, whichever is more, once past
:data:`GRAMMAR_ALLOWANCE_NS` (issue 10 attack r12 F1: the per-token guard alone let a grammar whose cost stays just
under it, ``^[abc]*a([abc](c?){8}){30}d{500}$``, hold a slot and slow every other request's steps for 6+ minutes).
Measured inside the server (its debug log prints each format's mean; 2-core dev box, load ~1, 120-token outputs at
temperature 0 and 0.8): "json" 0.08-0.46 steps a token, a pydantic model 0.16-0.19, e-mail pattern 0.04-0.05, 100
optional properties 0.70-0.89, an array of a 300-value enum 0.53-0.65, of a 500-value enum 0.66-1.41; the attack's
``{1000}`` pattern 3.6 on average over 2,000 tokens and growing."""
GRAMMAR_MEAN_FLOOR_NS = 25_000_000
"""Grammar work per generated token always allowed on average (25 ms), whatever the decode step: on a fast
accelerator a step takes a few milliseconds while the grammar runs on the CPU (a 500-value enum ~10-17 ms a token
here)."""


def grammar_mean_budget_ns(step_ns: int) -> int:
    """The grammar work a request may spend per generated token on average (ns): :data:`GRAMMAR_MEAN_RATIO` decode
    steps of ``step_ns``, at least :data:`GRAMMAR_MEAN_FLOOR_NS`."""
    return max(GRAMMAR_MEAN_RATIO * step_ns, GRAMMAR_MEAN_FLOOR_NS)


GRAMMAR_ALLOWANCE_NS = 2_000_000_000
"""Grammar work a request may always spend in all (2 s of the llama thread's CPU time), whatever its mean: a large
enum's first values or a schema's wide start cost most on a few tokens."""
GRAMMAR_REQUEST_MAX_NS = 30_000_000_000
"""The most grammar work one request may spend in all (30 s of the llama thread's CPU time), however long its output:
each token's grammar work delays the step of every request in the engine, so this bounds what one request can add to
everyone else's waits. An ordinary format reaches it only past ~1,500 tokens of a 500-value enum's array."""
GRAMMAR_STRIKES = 3
"""Tokens over budget among the last :data:`GRAMMAR_WINDOW` that end a request: one token slowed by a busy machine, or
the one wide token that opens each value of a large enum, does not end a normal one (needing them all in a row let
the attack's noisy, growing costs run ~2x longer on a busy machine)."""
GRAMMAR_WINDOW = 4
STEP_WINDOW = 64
"""The decode step a grammar is measured against is the fastest of the engine's last this many: on a busy machine a
step of the 135M model took 30 ms to 6 s (llama.cpp's threads wait for a core), and one slow step would have let the
attack's grammar work grow with it (r11: 140 tokens, 1 s a token, before it was ended)."""


class EngineError(RuntimeError):
    """llama.cpp refused a step (``llama_decode`` returned non-zero); the requests in it end with this."""


class GrammarTooSlow(ValueError):
    """A format's grammar cost more than its budget (:data:`GRAMMAR_STEP_RATIO` decode steps, at least
    :data:`GRAMMAR_FLOOR_NS`) on :data:`GRAMMAR_STRIKES` of the last :data:`GRAMMAR_WINDOW` tokens; the request ends
    with this (a 400)."""

    def __init__(self, tokens: int, grammar_ns: int, step_ns: int, total_ns: int | None = None):
        if total_ns is None:
            cost = (f"llama.cpp's grammar work for one token took {grammar_ns / 1e6:.0f} ms, over {GRAMMAR_STEP_RATIO}x "
                    f"the model's {step_ns / 1e6:.0f} ms decode step, on {GRAMMAR_STRIKES} of the last "
                    f"{GRAMMAR_WINDOW} tokens")
        elif total_ns >= GRAMMAR_REQUEST_MAX_NS:
            cost = (f"llama.cpp's grammar work took {total_ns / 1e9:.1f} s in all, over the "
                    f"{GRAMMAR_REQUEST_MAX_NS / 1e9:.0f} s one request may spend")
        else:
            cost = (f"llama.cpp's grammar work took {total_ns / 1e9:.1f} s in all, over "
                    f"{grammar_mean_budget_ns(step_ns) / 1e6:.0f} ms a token on "
                    f"average ({GRAMMAR_MEAN_RATIO}x the model's {step_ns / 1e6:.0f} ms decode step)")
        super().__init__(
            f"invalid format: the format's grammar became too costly after {tokens} generated tokens ({cost}, on the "
            "thread every request shares): simplify the schema — a pattern whose repeated or optional parts overlap "
            "what comes before them (e.g. [abc]*a([abc](c?){8}){1000}: no optional part inside a long repetition, no "
            "star that can also match the start of what follows), a very long enum (split it or use a plain string "
            "and check the value afterwards), or a wide anyOf")
        self.tokens, self.grammar_ns, self.step_ns, self.total_ns = tokens, grammar_ns, step_ns, total_ns


class Candidates:
    """What ``llama_sampler_sample`` builds in C for every token: one ``llama_token_data`` per vocabulary token
    (id, logit, p), here kept between tokens so a sampler chain can be applied one sampler at a time and the
    grammar's part timed (:func:`sample_timed`)."""

    def __init__(self, n_vocab: int):
        import numpy as np

        self.n_vocab = n_vocab
        self.data = (llama_cpp.llama_token_data * n_vocab)()
        self.view = np.ctypeslib.as_array(self.data)  # fields id, logit, p
        self.ids = np.arange(n_vocab, dtype=np.int32)
        self.one = (llama_cpp.llama_token_data * 1)()  # one candidate: asking the grammar about the sampled token

    def fill(self, ctx, row: int) -> llama_cpp.llama_token_data_array:
        import numpy as np

        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, row), shape=(self.n_vocab,))
        self.view["id"] = self.ids
        self.view["logit"] = logits
        self.view["p"] = 0.0
        return llama_cpp.llama_token_data_array(self.data, self.n_vocab, -1, False)

    def allowed(self, grammar, token: int) -> bool:
        """Whether ``grammar`` (a llama.cpp grammar sampler) allows ``token`` next: its apply on a one-token array sets
        a refused token's logit to -inf. The grammar's state is not changed (that is ``llama_sampler_accept``)."""
        self.one[0].id, self.one[0].logit, self.one[0].p = token, 0.0, 0.0
        llama_cpp.llama_sampler_apply(grammar, ctypes.byref(llama_cpp.llama_token_data_array(self.one, 1, -1, False)))
        return self.one[0].logit != float("-inf")


def sample_timed(chain, at: int, ctx, row: int, cand: Candidates) -> tuple[int, int]:
    """The next token of ``row`` under the chain's grammar (the sampler at index ``at``), sampled as Ollama's sampler
    does it (``sample/samplers.go``): the chain without the grammar picks a token, the grammar is asked about that one
    token only, and only if it refuses is the grammar applied over the whole vocabulary and the token picked again.
    Returns ``(token, the grammar's apply + accept time in ns of this thread's CPU time)``.

    Why: one grammar apply over the 49 152-token vocabulary costs milliseconds to seconds (a 300-value enum ~0.2 s a
    token on the 2-core dev box, issue 10 attack r12 F2), asking about one token costs microseconds, and a model that
    follows its format proposes an allowed token most of the time. At temperature 0 the token is the same as the full
    apply's (the best allowed one); with a seed, the same request samples the same tokens every time. With sampling
    and no truncation the distribution is the grammar-constrained one (an allowed t is kept at once with p(t), or after
    a refusal with (1 - Z) p(t) / Z, Z the allowed tokens' mass: p(t) / Z in all); with ``top_k``/``top_p``/``min_p``
    cutting candidates, allowed tokens among the model's own top ones weigh more than a grammar-first chain would
    give them: Ollama's sampler behaves the same, and it is what clients of Ollama get.
    CPU time, not wall time: on a busy machine the thread waits for a core (a 60 ms apply took 0.9 s of wall time at
    load 13, and ended an ordinary enum)."""
    samplers = [llama_cpp.llama_sampler_chain_get(chain, k) for k in range(llama_cpp.llama_sampler_chain_n(chain))]
    grammar = samplers[at]
    rest = samplers[:at] + samplers[at + 1:]
    token = _apply_all(rest, cand.fill(ctx, row))
    started = time.thread_time_ns()
    allowed = cand.allowed(grammar, token)
    grammar_ns = time.thread_time_ns() - started
    if not allowed:  # refused: the grammar over the whole vocabulary, then the chain again
        cur = cand.fill(ctx, row)
        for k, smpl in enumerate(samplers):
            started = time.thread_time_ns()
            llama_cpp.llama_sampler_apply(smpl, ctypes.byref(cur))
            if k == at:
                grammar_ns += time.thread_time_ns() - started
        token = _selected(cur)
    for k, smpl in enumerate(samplers):
        started = time.thread_time_ns()
        llama_cpp.llama_sampler_accept(smpl, token)
        if k == at:
            grammar_ns += time.thread_time_ns() - started
    return token, grammar_ns


def _apply_all(samplers: list, cur: llama_cpp.llama_token_data_array) -> int:
    for smpl in samplers:
        llama_cpp.llama_sampler_apply(smpl, ctypes.byref(cur))
    return _selected(cur)


def _selected(cur: llama_cpp.llama_token_data_array) -> int:
    if not 0 <= cur.selected < cur.size:
        raise EngineError("the sampler chain selected no token")
    return cur.data[cur.selected].id


# --- the one llama.cpp thread --------------------------------------------------------------

class LlamaThread(Executor):
    """One OS thread for all llama.cpp work: submitted callables first, then one decode step of
    every engine that has work, in a loop; it sleeps when there is nothing to do."""

    def __init__(self, name: str = "llama"):
        self._tasks: deque[tuple[Future, Callable, tuple, dict]] = deque()
        self._engines: list[BatchEngine] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the llama.cpp thread is shut down")
            self._tasks.append((future, fn, args, kwargs))
            self._cond.notify()
        return future

    def call(self, fn: Callable, *args, **kwargs):
        """Run ``fn`` on this thread and wait for it (runs inline when already on it)."""
        if threading.get_ident() == self._thread.ident:
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify()

    def attach(self, engine: "BatchEngine") -> None:
        with self._cond:
            self._engines.append(engine)

    def detach(self, engine: "BatchEngine") -> None:
        with self._cond:
            if engine in self._engines:
                self._engines.remove(engine)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._cond:
            self._closed = True
            if cancel_futures:
                while self._tasks:
                    self._tasks.popleft()[0].cancel()
            self._cond.notify()
        if wait and threading.get_ident() != self._thread.ident:
            self._thread.join()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._tasks and not any(e.has_work() for e in self._engines):
                    self._cond.wait()
                if self._closed and not self._tasks:
                    return
                tasks = list(self._tasks)
                self._tasks.clear()
                engines = [e for e in self._engines if e.has_work()]
            for future, fn, args, kwargs in tasks:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn(*args, **kwargs))
                    except BaseException as exc:  # handed to whoever waits on the future
                        future.set_exception(exc)
            for engine in engines:
                engine.step()


# --- one request ---------------------------------------------------------------------------

_DONE = object()


class Generation:
    """One request in the engine: its output pieces (a blocking or an async iterator), its
    :class:`~labs.server.runner.Stats` once done, and :meth:`cancel`. Thread-safe."""

    def __init__(self, tokens: list[int], sampling: Sampling, fmt: str | None = None,
                 loop: asyncio.AbstractEventLoop | None = None, top_logprobs: int | None = None):
        self.tokens, self.sampling, self.fmt, self.top_logprobs = list(tokens), sampling, fmt, top_logprobs
        self.stats = Stats()
        self.slot: int | None = None  # which slot served it (for tests and logs)
        self.token_ns: list[int] = []  # perf_counter_ns() when each token was sampled (for benches)
        # with a format: (grammar work, decode step) in ns for each token sampled (GRAMMAR_STEP_RATIO; benches, tests)
        self.grammar_ns: list[tuple[int, int]] = []
        self.error: BaseException | None = None
        self._out: queue.SimpleQueue = queue.SimpleQueue()
        self._loop = loop
        self._ready = asyncio.Event() if loop else None
        self._cancel = threading.Event()
        self._engine: BatchEngine | None = None
        self.done = threading.Event()

    # engine side (the llama.cpp thread)
    def _emit(self, item) -> None:
        self._out.put(item)
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._ready.set)
            except RuntimeError:  # the event loop is closed: nobody is listening any more
                pass

    def _finish(self, error: BaseException | None = None) -> None:
        self.error = error
        self.done.set()
        self._emit(_DONE)

    # consumer side
    def cancel(self) -> None:
        """Stop generating; the slot and its KV cells are freed before the engine's next step."""
        self._cancel.set()
        if self._engine is not None:
            self._engine.thread.wake()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def pieces(self, timeout: float | None = None) -> Iterator[Piece]:
        """:class:`~labs.server.runner.Piece` objects as they are produced (blocking); raises the
        engine's error at the end."""
        while True:
            item = self._out.get(timeout=timeout)
            if item is _DONE:
                if self.error is not None:
                    raise self.error
                return
            yield item

    def text(self, timeout: float | None = None) -> str:
        return "".join(piece.text for piece in self.pieces(timeout))

    async def apieces(self) -> AsyncIterator[Piece]:
        """The same for asyncio (the generation must have been made with ``loop=``)."""
        assert self._ready is not None, "Generation(..., loop=asyncio.get_running_loop()) for apieces()"
        while True:
            try:
                item = self._out.get_nowait()
            except queue.Empty:
                self._ready.clear()
                if self._out.empty():
                    await self._ready.wait()
                continue
            if item is _DONE:
                if self.error is not None:
                    raise self.error
                return
            yield item


# --- the engine ----------------------------------------------------------------------------

@dataclass
class _Slot:
    """A busy slot: a sequence id, its request, its sampler chain and where it is."""

    seq: int
    gen: Generation
    chain: ctypes.c_void_p
    todo: list[int]  # tokens still to evaluate (the prompt's rest, or the last sampled token)
    pos: int = 0  # tokens in this sequence's KV cells
    predicted: int = 0
    decoder: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
    held: str = ""  # text that may be the start of a stop string
    generated: list[int] = field(default_factory=list)
    grammar_at: int | None = None  # the grammar's index in ``chain`` (None: no format)
    over: deque = field(default_factory=lambda: deque(maxlen=GRAMMAR_WINDOW))  # last tokens' grammar over budget?
    grammar_total_ns: int = 0  # the grammar's work over the whole request (GRAMMAR_MEAN_RATIO)


@contextmanager
def captured_llama_log(lines: list[str]) -> Iterator[None]:
    """Collect llama.cpp's log lines (its own account of the buffers it allocates) instead of
    printing them; llama-cpp-python's callback is put back after."""

    @llama_cpp.llama_log_callback
    def capture(level, text, user_data):
        lines.append(text.decode(errors="replace"))

    llama_cpp.llama_log_set(capture, None)
    try:
        yield
    finally:
        from llama_cpp import _logger

        if _logger.logger.level == logging.NOTSET:  # nobody chose: quiet, as Llama(verbose=False) makes it
            _logger.set_verbose(False)
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


_BUFFER_LINE = re.compile(r"(\S+)\s+(model|KV|compute|output|RS)\s+buffer size\s*=\s*([\d.]+)\s*MiB")


class BatchEngine:
    """A model and a llama.cpp context with ``n_parallel`` slots of ``num_ctx`` KV cells each.

    ``submit(tokens, sampling, fmt)`` → :class:`Generation`; it waits in the engine's own queue if
    every slot is busy (the server keeps that queue empty: it hands over only as many requests as
    there are slots). Construct, use and :meth:`close` from any thread: llama.cpp work is done on
    ``thread`` (a shared :class:`LlamaThread`, or one of its own).

    ``model``: a ``llama_model`` already loaded from ``gguf`` (a runner's), borrowed so the weights are
    in memory once; the engine then does not free it (free it after :meth:`close`).

    Raises ``ValueError`` (bad file, bad grammar, prompt over ``num_ctx``) and :class:`EngineError`.
    """

    def __init__(self, gguf: Path | str, *, n_parallel: int = 1, num_ctx: int = 4096, num_thread: int = 0,
                 num_batch: int = 512, thread: LlamaThread | None = None, model: ctypes.c_void_p | None = None):
        if n_parallel < 1 or n_parallel > llama_cpp.llama_max_parallel_sequences():
            raise ValueError(f"n_parallel must be 1..{llama_cpp.llama_max_parallel_sequences()}, got {n_parallel}")
        if num_ctx < 1:
            raise ValueError(f"num_ctx must be positive, got {num_ctx}")
        self.gguf, self.n_parallel, self.num_ctx = Path(gguf), n_parallel, num_ctx
        self.num_thread = num_thread or default_threads()
        self.num_batch = num_batch
        self._own_thread = thread is None
        self.thread = thread or LlamaThread()
        self._waiting: deque[Generation] = deque()
        self._slots: list[_Slot | None] = [None] * n_parallel
        self._cached: list[list[int]] = [[] for _ in range(n_parallel)]  # a free slot's reusable prompt cells
        self._borrowed = model
        self._lock = threading.Lock()  # guards _waiting (the consumer side adds, the thread takes)
        self.buffers: dict[str, int] = {}  # what llama.cpp reported allocating, bytes by kind
        self.steps = 0  # batched decode steps run (one llama_decode each)
        self.rows = 0  # tokens decoded in them: rows / steps is the mean batch size
        self.moves = 0  # sequences moved down to close a gap (see _compact)
        self.reused = 0  # prompt tokens not evaluated again: a free slot's cache had them
        self.closed = False
        started = time.perf_counter_ns()
        self.thread.call(self._load)
        self.load_ns = time.perf_counter_ns() - started
        self.thread.attach(self)

    # --- life cycle (on the llama.cpp thread) ---------------------------------------------
    def _load(self) -> None:
        lines: list[str] = []
        with captured_llama_log(lines):
            mparams = llama_cpp.llama_model_default_params()
            self.model = self._borrowed or llama_cpp.llama_model_load_from_file(str(self.gguf).encode(), mparams)
            if not self.model:
                raise ValueError(f"llama.cpp could not load {self.gguf}")
            cparams = llama_cpp.llama_context_default_params()
            cparams.n_ctx = self.n_parallel * self.num_ctx
            cparams.n_seq_max = self.n_parallel
            cparams.n_batch = cparams.n_ubatch = max(self.num_batch, self.n_parallel)
            cparams.n_threads = cparams.n_threads_batch = self.num_thread
            cparams.kv_unified = False  # a KV stream per slot: num_ctx cells each, attention per sequence
            cparams.no_perf = True
            self.ctx = llama_cpp.llama_init_from_model(self.model, cparams)
            if not self.ctx:
                if not self._borrowed:
                    llama_cpp.llama_model_free(self.model)
                raise ValueError(f"llama.cpp could not create a context of {self.n_parallel} x {self.num_ctx} cells")
        for text in lines:
            for found in _BUFFER_LINE.finditer(text):
                kind = found.group(2)
                self.buffers[kind] = self.buffers.get(kind, 0) + int(float(found.group(3)) * 2**20)
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.ctx_per_slot = llama_cpp.llama_n_ctx_seq(self.ctx)
        self.n_ubatch, self.swa_full = int(cparams.n_ubatch), bool(cparams.swa_full)  # for the KV formula
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.batch = llama_cpp.llama_batch_init(max(self.num_batch, self.n_parallel), 0, 1)
        self._piece = ctypes.create_string_buffer(PIECE_BYTES)
        self._candidates: Candidates | None = None  # made at the first format request
        self._steps_ns: deque[int] = deque(maxlen=STEP_WINDOW)  # the last decode steps' times (GRAMMAR_STEP_RATIO)
        self._fastest_step_ns: int | None = None  # the fastest decode step since the model loaded (GRAMMAR_MEAN_RATIO)

    def close(self) -> None:
        """End every request (as cancelled), free the context and the model. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self.thread.detach(self)
        self.thread.call(self._free)
        if self._own_thread:
            self.thread.shutdown()

    def _free(self) -> None:
        with self._lock:
            waiting, self._waiting = list(self._waiting), deque()
        for gen in waiting:
            gen.stats.done_reason = "cancel"
            gen._finish()
        for i, slot in enumerate(self._slots):
            if slot is not None:
                self._release(i, "cancel")
        with captured_llama_log([]):
            llama_cpp.llama_batch_free(self.batch)
            llama_cpp.llama_free(self.ctx)
            if not self._borrowed:
                llama_cpp.llama_model_free(self.model)

    # --- requests ----------------------------------------------------------------------------
    def submit(self, tokens: list[int], sampling: Sampling, fmt: str | None = None,
               loop: asyncio.AbstractEventLoop | None = None, top_logprobs: int | None = None) -> Generation:
        """Queue a request; it starts at the next step with a free slot. ``loop``: for
        :meth:`Generation.apieces`; ``top_logprobs`` (None: none): log probabilities with each piece."""
        if self.closed:
            raise RuntimeError("the engine is closed")
        if not tokens:
            raise ValueError("a request needs at least one prompt token")
        if len(tokens) >= self.num_ctx:
            raise ValueError(f"the input length ({len(tokens)} tokens) exceeds the context length ({self.num_ctx} tokens)")
        if fmt is not None:
            try:  # a bad schema fails here, in the caller's thread (the converter asserts, raises KeyError, ...)
                grammar_for(fmt)
            except GrammarTooLarge:
                raise
            except Exception as exc:
                raise ValueError(f"invalid format: the JSON schema cannot be turned into a grammar ({exc})") from None
        bad = next((t for t in tokens if not 0 <= t < self.n_vocab), None)
        if bad is not None:
            raise ValueError(f"token id {bad} is outside the vocabulary (0..{self.n_vocab - 1})")
        gen = Generation(tokens, sampling, fmt, loop, top_logprobs)
        gen._engine = self
        with self._lock:
            self._waiting.append(gen)
        self.thread.wake()
        return gen

    def generate(self, tokens: list[int], sampling: Sampling, fmt: str | None = None) -> Generation:
        """:meth:`submit` and wait until it is done (its text is in ``gen.text()``)."""
        gen = self.submit(tokens, sampling, fmt)
        gen.done.wait()
        return gen

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        """Text → token ids with the model's own tokenizer (BOS added as the model asks)."""
        def run() -> list[int]:
            data = text.encode()
            add_bos = llama_cpp.llama_vocab_get_add_bos(self.vocab)
            room = len(data) + 8
            buf = (llama_cpp.llama_token * room)()
            n = llama_cpp.llama_tokenize(self.vocab, data, len(data), buf, room, add_bos, special)
            return list(buf[:n])
        return self.thread.call(run)

    @property
    def busy_slots(self) -> int:
        return sum(s is not None for s in self._slots)

    def has_work(self) -> bool:
        return not self.closed and (bool(self._waiting) or any(s is not None for s in self._slots))

    def kv_bytes(self) -> int:
        """The KV cache of all slots (``n_parallel`` streams of ``num_ctx`` cells) by the workbook's one
        formula, :func:`labs.kvcache.kv_cache_bytes`, with this context's micro-batch and SWA setting."""
        from labs.kvcache import KVLayout, kv_cache_bytes

        return kv_cache_bytes(KVLayout.from_metadata(self.metadata), self.num_ctx, parallel=self.n_parallel,
                              n_ubatch=self.n_ubatch, swa_full=self.swa_full)

    def memory_bytes(self) -> int:
        """What this engine holds: the weights as loaded plus the KV cache (``n_parallel × num_ctx``
        cells), compute and output buffers, as llama.cpp reported allocating them at load."""
        reported = sum(v for k, v in self.buffers.items() if k != "model")
        return int(llama_cpp.llama_model_size(self.model)) + (reported or self._kv_estimate())

    def _kv_estimate(self) -> int:
        """The workbook's KV formula (:func:`labs.kvcache.kv_cache_bytes`) for every cell, if llama.cpp said nothing."""
        from labs.kvcache import KVLayout, kv_cache_bytes

        return kv_cache_bytes(KVLayout.from_metadata(self.metadata), int(llama_cpp.llama_n_ctx(self.ctx)))

    @property
    def metadata(self) -> dict[str, str]:
        """The GGUF's metadata as strings (what ``llama_cpp.Llama.metadata`` gives)."""
        out, buf = {}, ctypes.create_string_buffer(1 << 16)
        for i in range(llama_cpp.llama_model_meta_count(self.model)):
            llama_cpp.llama_model_meta_key_by_index(self.model, i, buf, len(buf))
            key = buf.value.decode(errors="replace")
            llama_cpp.llama_model_meta_val_str_by_index(self.model, i, buf, len(buf))
            out[key] = buf.value.decode(errors="replace")
        return out

    # --- one step (on the llama.cpp thread) ------------------------------------------------
    def step(self) -> None:
        """One engine step: free cancelled slots, close gaps, admit waiting requests, evaluate one
        prompt chunk per new request, then decode one token for every unseeded generating slot in
        ONE ``llama_decode``, and for each seeded one in a ``llama_decode`` of its own."""
        for i, slot in enumerate(self._slots):
            if slot is not None and slot.gen.cancelled:
                self._release(i, "cancel")
        self._compact()
        self._admit()
        for i, slot in enumerate(self._slots):
            if slot is not None and slot.predicted == 0 and slot.todo:
                self._prefill(i, slot)
        rows = [(i, s) for i, s in enumerate(self._slots) if s is not None and s.predicted > 0 and s.todo]
        shared = [(i, s) for i, s in rows if s.gen.sampling.seed < 0]
        if shared:
            self._decode(shared)
        for row in rows:  # a seeded request decodes in a call of its own: its tokens never depend on the batch
            if row[1].gen.sampling.seed >= 0:
                self._decode([row])

    def _compact(self) -> None:
        """Keep the busy slots at sequence ids 0..k-1. With a KV stream per sequence llama.cpp puts
        only consecutive sequence ids in one micro-batch (``split_equal``), so a gap would split a
        step into several forward passes. The highest busy sequence moves into the lowest gap
        (``llama_memory_seq_cp`` copies its stream's cells exactly; measured: same logits after)."""
        while True:
            free = [i for i, s in enumerate(self._slots) if s is None]
            busy = [i for i, s in enumerate(self._slots) if s is not None]
            if not free or not busy or free[0] > busy[-1]:
                return
            low, high = free[0], busy[-1]
            llama_cpp.llama_memory_seq_rm(self.memory, low, -1, -1)  # it may hold a cached prompt
            llama_cpp.llama_memory_seq_cp(self.memory, high, low, -1, -1)
            llama_cpp.llama_memory_seq_rm(self.memory, high, -1, -1)
            self._cached[low], self._cached[high] = [], []
            slot = self._slots[high]
            self._slots[low], self._slots[high] = slot, None
            slot.seq = slot.gen.slot = low
            self.moves += 1

    def _admit(self) -> None:
        for i in range(self.n_parallel):
            if self._slots[i] is not None:
                continue
            with self._lock:
                gen = self._waiting.popleft() if self._waiting else None
            while gen is not None and gen.cancelled:
                gen.stats.done_reason = "cancel"
                gen._finish()
                with self._lock:
                    gen = self._waiting.popleft() if self._waiting else None
            if gen is None:
                return
            try:
                chain, grammar_at = self._sampler(gen.sampling, gen.fmt)
            except ValueError as exc:
                gen._finish(exc)
                continue
            reuse = self._reusable(i, gen.tokens)
            self.reused += reuse
            llama_cpp.llama_memory_seq_rm(self.memory, i, reuse, -1)
            self._cached[i] = []
            gen.slot = i
            gen.stats.prompt_eval_count = len(gen.tokens)
            self._slots[i] = _Slot(i, gen, chain, list(gen.tokens[reuse:]), pos=reuse, grammar_at=grammar_at)

    def _reusable(self, i: int, tokens: list[int]) -> int:
        """How many of slot ``i``'s cached prompt cells ``tokens`` can keep: the shared prefix in whole
        ``num_batch`` chunks, never the last token's (its logits must come from a decode of this request)."""
        same = 0
        for a, b in zip(self._cached[i], tokens):
            if a != b:
                break
            same += 1
        return min(same, len(tokens) - 1) // self.num_batch * self.num_batch

    def _sampler(self, s: Sampling, fmt: str | None) -> tuple[ctypes.c_void_p, int | None]:
        """The sampler chain llama-cpp-python's ``Llama`` builds for the same options (penalties,
        grammar, then greedy at temperature 0, else top_k → typical → top_p → min_p → temp → dist),
        and the grammar's index in it (None without a format)."""
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        add = lambda smpl: llama_cpp.llama_sampler_chain_add(chain, smpl)  # noqa: E731 - the chain owns it
        add(llama_cpp.llama_sampler_init_penalties(self.n_vocab, PENALTY_LAST_N, s.repeat_penalty,
                                                   s.frequency_penalty, s.presence_penalty))
        grammar_at = None
        if fmt is not None:
            grammar_at = llama_cpp.llama_sampler_chain_n(chain)
            grammar = grammar_for(fmt)
            smpl = llama_cpp.llama_sampler_init_grammar(self.vocab, grammar._grammar.encode(), grammar._root.encode())
            if not smpl:
                llama_cpp.llama_sampler_free(chain)
                raise ValueError(f"llama.cpp could not parse the grammar for format {fmt}")
            add(smpl)
        seed = s.seed if s.seed >= 0 else int.from_bytes(os.urandom(4), "little")
        if s.temperature < 0:
            add(llama_cpp.llama_sampler_init_dist(seed))
        elif s.temperature == 0:
            add(llama_cpp.llama_sampler_init_greedy())
        else:
            add(llama_cpp.llama_sampler_init_top_k(s.top_k))
            add(llama_cpp.llama_sampler_init_typical(1.0, 1))
            add(llama_cpp.llama_sampler_init_top_p(s.top_p, 1))
            add(llama_cpp.llama_sampler_init_min_p(s.min_p, 1))
            add(llama_cpp.llama_sampler_init_temp(s.temperature))
            add(llama_cpp.llama_sampler_init_dist(seed & 0xFFFFFFFF))
        return chain, grammar_at

    def _fill(self, rows: list[tuple[int, int, int]]) -> None:
        """rows: (token, position, sequence) with logits wanted for each row of a decode step."""
        b = self.batch
        b.n_tokens = len(rows)
        for j, (token, pos, seq) in enumerate(rows):
            b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = token, pos, 1, 1
            b.seq_id[j][0] = seq

    def _prefill(self, i: int, slot: _Slot) -> None:
        """Evaluate the next ``num_batch`` prompt tokens in a ``llama_decode`` of their own: the
        same calls, in the same chunks, whatever else is running, so the KV cells come out the
        same; one chunk per step, so a long prompt does not stall the others' decoding."""
        started = time.perf_counter_ns()
        b = self.batch
        chunk, slot.todo = slot.todo[: self.num_batch], slot.todo[self.num_batch:]
        b.n_tokens = len(chunk)
        for j, token in enumerate(chunk):
            b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = token, slot.pos + j, 1, 0
            b.seq_id[j][0] = slot.seq
        b.logits[len(chunk) - 1] = 0 if slot.todo else 1
        rc = llama_cpp.llama_decode(self.ctx, b)
        step_ns = time.perf_counter_ns() - started
        slot.gen.stats.prompt_eval_ns += step_ns
        step_ns = min(self._steps_ns, default=step_ns)  # a prompt chunk: the model's decode step once there is one
        if rc != 0:
            self._release(i, "stop", EngineError(f"llama_decode returned {rc} on the prompt"))
            return
        slot.pos += len(chunk)
        if not slot.todo:
            self._sample(i, slot, len(chunk) - 1, step_ns)

    def _decode(self, rows: list[tuple[int, _Slot]]) -> None:
        started = time.perf_counter_ns()
        self._fill([(s.todo[0], s.pos, s.seq) for _, s in rows])
        rc = llama_cpp.llama_decode(self.ctx, self.batch)
        self._steps_ns.append(time.perf_counter_ns() - started)
        self._fastest_step_ns = min(self._steps_ns[-1], self._fastest_step_ns or self._steps_ns[-1])
        step_ns = min(self._steps_ns)  # the model's decode step: a busy machine's slow steps do not stretch the budget
        self.steps += 1
        self.rows += len(rows)
        if rc != 0:
            for i, _ in rows:
                self._release(i, "stop", EngineError(f"llama_decode returned {rc}"))
            return
        for j, (i, slot) in enumerate(rows):
            slot.pos += 1
            slot.todo = []
            slot.gen.stats.eval_ns += time.perf_counter_ns() - started  # the shared step, as Ollama counts it
            self._sample(i, slot, j, step_ns)

    def _sample(self, i: int, slot: _Slot, row: int, step_ns: int) -> None:
        """Sample slot ``i``'s next token from ``row`` of the last decode (``step_ns``: the model's decode step, the
        fastest of the last :data:`STEP_WINDOW`). With
        a format, the grammar's work is timed against the decode step (:data:`GRAMMAR_STEP_RATIO`): over it on
        :data:`GRAMMAR_STRIKES` of the last :data:`GRAMMAR_WINDOW` tokens, the request ends with :class:`GrammarTooSlow`."""
        gen = slot.gen
        if slot.grammar_at is None:
            token = llama_cpp.llama_sampler_sample(slot.chain, self.ctx, row)
        else:
            if self._candidates is None:
                self._candidates = Candidates(self.n_vocab)
            try:
                token, grammar_ns = sample_timed(slot.chain, slot.grammar_at, self.ctx, row, self._candidates)
            except EngineError as exc:
                self._release(i, "stop", exc)
                return
            gen.grammar_ns.append((grammar_ns, step_ns))
            slot.over.append(grammar_ns > max(GRAMMAR_STEP_RATIO * step_ns, GRAMMAR_FLOOR_NS))
            if sum(slot.over) >= GRAMMAR_STRIKES:
                self._release(i, "stop", GrammarTooSlow(slot.predicted, grammar_ns, step_ns))
                return
            slot.grammar_total_ns += grammar_ns
            # the fastest step since the model loaded: load on the machine (wall time) cannot stretch this budget, the
            # grammar's work being counted in CPU time (issue 10 attack r13 F2: a slow minute let 2.4 s a token pass)
            fastest = self._fastest_step_ns or step_ns  # None only before the first decode step
            mean_budget = grammar_mean_budget_ns(fastest) * (slot.predicted + 1)
            if slot.grammar_total_ns > min(max(mean_budget, GRAMMAR_ALLOWANCE_NS), GRAMMAR_REQUEST_MAX_NS):
                self._release(i, "stop", GrammarTooSlow(slot.predicted, grammar_ns, fastest, slot.grammar_total_ns))
                return
        if llama_cpp.llama_vocab_is_eog(self.vocab, token):
            self._release(i, "stop")
            return
        slot.predicted += 1
        slot.generated.append(token)
        gen.token_ns.append(time.perf_counter_ns())
        probs = self._logprobs(row, token, gen.top_logprobs) if gen.top_logprobs is not None else None
        slot.held += slot.decoder.decode(self._token_bytes(token))
        text, slot.held, hit = _split_at_stop(slot.held, [s for s in gen.sampling.stop if s])
        if text or probs:
            gen._emit(Piece(text, probs))
        if hit:
            self._release(i, "stop")
            return
        limit = gen.sampling.num_predict
        if (limit > 0 and slot.predicted >= limit) or slot.pos + 1 >= self.num_ctx:
            self._release(i, "length")
            return
        slot.todo = [token]

    def _token_bytes(self, token: int) -> bytes:
        n = llama_cpp.llama_token_to_piece(self.vocab, token, self._piece, PIECE_BYTES, 0, False)
        return self._piece.raw[: max(n, 0)]

    def _logprobs(self, row: int, token: int, top: int) -> dict:
        """The sampled token's log probability under the model's raw distribution and the ``top``
        best (Ollama's shape, as :meth:`labs.server.runner.Runner` gives them)."""
        import numpy as np

        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.ctx, row), shape=(self.n_vocab,))
        shifted = logits - logits.max()
        logp = shifted - np.log(np.exp(shifted).sum())

        def entry(t: int) -> dict:
            raw = self._token_bytes(int(t))
            return {"token": raw.decode(errors="replace"), "logprob": float(logp[t]), "bytes": list(raw)}

        out = entry(token)
        if top > 0:
            best = np.argpartition(-logp, top)[:top]
            out["top_logprobs"] = [entry(int(t)) for t in best[np.argsort(-logp[best])]]
        return out

    def _release(self, i: int, reason: str, error: BaseException | None = None) -> None:
        """End slot ``i``'s request and free its KV cells at once."""
        slot = self._slots[i]
        self._slots[i] = None
        gen = slot.gen
        # keep the prompt's whole chunks for the next request in this slot (nothing after a failure)
        stable = 0 if error is not None else min(len(gen.tokens), slot.pos) // self.num_batch * self.num_batch
        llama_cpp.llama_memory_seq_rm(self.memory, i, stable, -1)
        self._cached[i] = list(gen.tokens[:stable])
        llama_cpp.llama_sampler_free(slot.chain)
        if reason != "cancel" and error is None:
            slot.decoder.reset()  # half a character cut by the end: dropped, as Ollama trims it (not U+FFFD)
            rest = slot.held  # held for a stop string that never came
            if rest:
                gen._emit(Piece(rest))
        gen.stats.done_reason = reason
        gen.stats.eval_count = slot.predicted
        if gen.grammar_ns:  # what the format cost (GRAMMAR_MEAN_RATIO): the server's log at debug level
            log.debug("format: grammar work %.1f ms over %d tokens, %.2f decode steps a token on average",
                      slot.grammar_total_ns / 1e6, slot.predicted,
                      slot.grammar_total_ns / max(1, slot.predicted) / (self._fastest_step_ns or 1))
        gen.stats.context = list(gen.tokens) + slot.generated
        gen._finish(error)
