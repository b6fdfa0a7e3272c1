"""What the native and the OpenAI-compatible routes share: request bodies decoded through the declared
contract (:mod:`labs.server.schema`) with Ollama's error messages, an inference :class:`Session` that
holds the model until its response is closed, and cancellation when a client hangs up."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import datetime as dt
import functools
import os
import threading
import time
from collections import deque
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

from starlette.requests import Request
from starlette.responses import StreamingResponse

from labs.server.batching import EngineError, Generation, GrammarTooSlow
from labs.server.config import parse_keep_alive
from labs.server.gotemplate import RenderCancelled, render_template
from labs.server.runner import (GrammarTooLarge, Piece, Runner, RunnerFailed, Sampling, Stats, canonical_format,
                                grammar_for)
from labs.server.schema import LOAD_OPTIONS, Body, BodyTooLarge, RequestError, parse, parse_options
from labs.server.scheduler import QueueFull, Scheduler
from labs.server.store import ModelStore, StoredModel, StoreError


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def now_utc() -> str:
    """Inference timestamps: RFC3339 in UTC with a ``Z``."""
    return dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")


B = TypeVar("B", bound=Body)
T = TypeVar("T")


# The largest request body any route reads (Ollama has none): room for a chat with several photos as base64
# (a 5 MB photo is ~7 MB of base64). With schema.MAX_BUILT_VALUES it bounds one parse's memory (30 MB of
# `[[],[],…]` took 2.9 GB built, issue 10 attack r6 F2).
MAX_BODY_BYTES = 32 * 2**20
# A body longer than this is parsed in a thread of its own, a few at a time server-wide (PARSE_SLOTS), so the
# event loop (every other route, every stream in progress) never waits for it; shorter ones parse in microseconds.
PARSE_INLINE_BYTES = 256 * 2**10


async def read(request: Request, model: type[B], *, limit: int = MAX_BODY_BYTES) -> B:
    """The request body decoded into its declared contract (:mod:`labs.server.schema`), else 400; a body
    over ``limit`` bytes (default :data:`MAX_BODY_BYTES`) is 413 before it is all read (Ollama has no limit).
    A long body is parsed off the event loop (:data:`PARSE_INLINE_BYTES`)."""
    too_long = ApiError(413, f"the request body is larger than {limit // 2**20} MiB, the most this route accepts")
    declared = request.headers.get("content-length") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise too_long
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_long
        parts.append(chunk)
    raw = b"".join(parts)
    del parts
    try:
        if len(raw) <= PARSE_INLINE_BYTES:
            return parse(model, raw)
        lane = PARSE if len(raw) > PARSE_SHORT_BYTES else PARSE_SHORT  # a short body never waits behind long ones
        return await in_own_thread(lambda cancel: parse(model, raw, interruptible=True), "parse", slots=lane)
    except RequestError as exc:
        raise ApiError(413 if isinstance(exc, BodyTooLarge) else 400, str(exc)) from None


def _trained_context(model: StoredModel) -> int:
    info = model.config.get("model_info") or {}
    arch = info.get("general.architecture", "")
    return int(info.get(f"{arch}.context_length") or 0)


def sampling_from(model: StoredModel | None, options: dict) -> tuple[Sampling, dict]:
    """The model's own parameters, then the request's ``options`` → (sampling, load-time options).

    As Ollama: unknown keys are ignored, ``num_ctx`` is raised to 4 and cut to the model's trained
    context; ``num_thread`` is kept between 0 (one per core) and the number of cores."""
    try:
        merged = {**parse_options((model.config.get("parameters") if model else None) or {}), **parse_options(options)}
    except RequestError as exc:
        raise ApiError(400, str(exc)) from None
    sampling = Sampling(**{k: v for k, v in merged.items() if k not in LOAD_OPTIONS})
    load = {}
    if "num_ctx" in merged:
        trained = _trained_context(model) if model else 0
        load["num_ctx"] = max(4, min(merged["num_ctx"], trained) if trained else merged["num_ctx"])
    if "num_thread" in merged:
        load["num_thread"] = max(0, min(merged["num_thread"], os.cpu_count() or 1))
    return sampling, load


def keep_alive_from(value: Any) -> float | None:
    """``keep_alive`` → seconds (``None``: not given); a JSON type Ollama's ``Duration.UnmarshalJSON`` refuses is
    its 400 ``Unsupported type: 'bool'`` (the Go type of the value as ``any``)."""
    if value is None:
        return None
    if isinstance(value, (bool, list, dict)):
        go = "bool" if isinstance(value, bool) else "[]interface {}" if isinstance(value, list) else "map[string]interface {}"
        raise ApiError(400, f"Unsupported type: '{go}'")
    try:
        return parse_keep_alive(value)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def format_from(value: Any) -> str | None:
    try:
        return canonical_format(value)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def find_model(store: ModelStore, name: str, message: str = "model '{name}' not found") -> StoredModel:
    try:
        return store.get(name)
    except StoreError:
        raise ApiError(404, message.format(name=name)) from None


class WorkSlots:
    """At most ``n`` pieces of work at once, server-wide (any thread, any event loop); the rest wait their
    turn, first come first served. :meth:`acquire` is awaited; :meth:`release` may be called from any thread."""

    def __init__(self, n: int):
        self._free, self._lock, self._waiting = n, threading.Lock(), deque()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            turn: asyncio.Future = loop.create_future()
            self._waiting.append((loop, turn))
        try:
            await turn
        except asyncio.CancelledError:
            with self._lock:
                if (loop, turn) in self._waiting:
                    self._waiting.remove((loop, turn))
                    raise
            if turn.done() and not turn.cancelled():  # handed over just before the cancellation came: give it back
                self.release()
            raise  # else it is on its way: _hand_over finds the future cancelled and gives it back

    def acquire_blocking(self, cancel: threading.Event) -> bool:
        """:meth:`acquire` for a worker thread: waits for a turn (in the same queue); ``False`` (no slot taken)
        if ``cancel`` is set first."""
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return True
            turn = threading.Event()
            self._waiting.append((None, turn))
        while not turn.wait(0.05):
            if cancel.is_set():
                with self._lock:
                    if (None, turn) in self._waiting:
                        self._waiting.remove((None, turn))
                        return False
                self.release()  # handed over meanwhile: give it on
                return False
        return True

    def release(self) -> None:
        with self._lock:
            while self._waiting:
                loop, turn = self._waiting.popleft()
                if loop is None:  # a worker thread waiting in acquire_blocking
                    turn.set()
                    return
                try:
                    loop.call_soon_threadsafe(self._hand_over, turn)
                    return
                except RuntimeError:  # that waiter's event loop is closed
                    continue
            self._free += 1

    def _hand_over(self, turn: asyncio.Future) -> None:
        if turn.done():  # its waiter was cancelled meanwhile: the next one gets the slot
            self.release()
        else:
            turn.set_result(None)


# Costly renders at once, server-wide. Each is CPU work under the GIL (more at once finish no sooner) and one
# render may hold ~2x its byte budget (MAX_RENDER_BYTES + 4x its input: the strings it built, then its output
# joined), so this bounds their memory together: 60 concurrent renders of a 150-byte request took 4.25 GB before
# (issue 10 attack r5 F2). A render takes a slot only once it stops being cheap (gotemplate.CHEAP_STEPS/BYTES):
# a plain request's render, and tokenisations (TOKENIZE), never wait behind costly renders (issue 10 r6 F1).
PREPARE_SLOTS = 4
PREPARE = WorkSlots(PREPARE_SLOTS)
# Tokenisations at once, server-wide: each is bounded (a prompt that cannot fit num_ctx is refused from its size
# before it is tokenised), so its queue moves in a fraction of a second per request.
TOKENIZE_SLOTS = 4
TOKENIZE = WorkSlots(TOKENIZE_SLOTS)
# Long bodies parsed at once, server-wide: each holds its text (1-4x its bytes) and at most schema.MAX_BUILT_VALUES
# values built (~50 MB) while it is parsed: a 30 MB body of junk in a declared field peaked at ~155 MB (was ~1.5 GB).
PARSE_SLOTS = 2
PARSE = WorkSlots(PARSE_SLOTS)
# Bodies up to this size parse in a lane of their own (PARSE_SHORT, as many slots): parsing takes time in
# proportion to the size (~1 s a MB here), so one queue let 31 MB bodies of junk hold a 300 KB request (a chat with
# one photo) for 185 s instead of 5.7 s (issue 10 attack r7 F4); now it waits only behind bodies about its own size.
# Its slots add at most ~2 x (4x 2 MiB of text + the built values' bound) of memory.
PARSE_SHORT_BYTES = 2 * 2**20
PARSE_SHORT = WorkSlots(PARSE_SLOTS)

_RUNNING: set[threading.Event] = set()  # the cancel events of work under way in threads of its own


async def in_own_thread(fn: Callable[[threading.Event], T], name: str = "work", *,
                        slots: WorkSlots | None = None, hold: bool = False) -> T:
    """Run ``fn(cancel)`` in a daemon thread of its own, not a shared pool: slow or stalled work (a heavy
    template, an upload whose client went quiet) then delays only the request it belongs to.
    If the awaiting task is cancelled (the client hung up, the server stops), ``cancel`` is set for ``fn``
    to notice; nothing waits for it unless ``hold`` (``fn`` uses a model the caller must not give back
    before it ends), and a daemon thread never delays the exit. With ``slots``, the thread starts once
    one is free and gives it back when ``fn`` has really ended (not when a cancelled caller stops waiting)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future = loop.create_future()
    cancel = threading.Event()
    if slots is not None:
        await slots.acquire()

    def settle(ok: bool, value: Any) -> None:
        if not done.done():
            done.set_result(value) if ok else done.set_exception(value)

    def target() -> None:
        try:
            result, ok = fn(cancel), True
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            # without this thread's frames: they hold what fn built (a render's big strings), and this frame
            # holding the exception would make a cycle that keeps them until a garbage collection
            result, ok = exc.with_traceback(None), False
        try:
            loop.call_soon_threadsafe(settle, ok, result)
        except RuntimeError:  # the event loop is closed: the server has stopped
            pass
        finally:
            del result
            if slots is not None:
                slots.release()
            if slots is PARSE:  # a long body's parse freed up to ~50 MB of values in this thread's arena
                give_back_freed_memory()

    _RUNNING.add(cancel)
    try:
        try:
            threading.Thread(target=target, name=name, daemon=True).start()
        except BaseException:
            if slots is not None:
                slots.release()
            raise
        if not hold:
            return await done
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            cancel.set()
            while not done.done():  # even if cancelled again: fn still uses what the caller holds
                try:
                    await asyncio.shield(done)
                except asyncio.CancelledError:
                    continue
                except BaseException:  # noqa: BLE001 - the caller is cancelled; only fn's end matters
                    break
            raise
    finally:
        cancel.set()  # a no-op once fn has returned; else it stops at its next check
        _RUNNING.discard(cancel)


@functools.cache
def glibc() -> ctypes.CDLL | None:
    """The process's C library when it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def give_back_freed_memory() -> None:
    """glibc only: return the memory a costly render or a long body's parse freed to the system (``malloc_trim``)
    instead of its thread's arena keeping it (issue 10 attack r6 F1: 40 threads' arenas kept ~100 MB). Blocks of
    :data:`labs.server.app.MMAP_THRESHOLD` and up go back on their own; the trim threshold is set high so llama.cpp's
    grammar vectors are not given back and faulted in again every token (issue 10 attack r12 F2), which leaves the
    smaller blocks to this. Other C libraries: nothing."""
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)


def cancel_threads() -> None:
    """At shutdown: tell every :func:`in_own_thread` work under way to stop."""
    for cancel in list(_RUNNING):
        cancel.set()


@dataclass
class Job:
    model: StoredModel
    prompt: str = ""  # used as-is when raw, else wrapped in the chat template
    messages: list[dict] | None = None
    system: str | None = None
    raw: bool = False
    context: list[int] = field(default_factory=list)
    sampling: Sampling = field(default_factory=Sampling)
    fmt: str | None = None
    keep_alive: float | None = None
    load: dict = field(default_factory=dict)
    # the Go template prompts are rendered with: the request's, the model's from /api/create, or the one matched to
    # its GGUF's Jinja (labs.server.chat_templates); "" only for a job with no prompt (load, unload, embed)
    template: str = ""
    suffix: str = ""  # fill-in-the-middle text after the gap (generate, a template that uses .Suffix)
    top_logprobs: int | None = None  # None: no logprobs


class Session:
    """One request's hold on a slot of a loaded model; :meth:`close` gives the slot back (idempotent).

    :meth:`open` waits for the slot, tokenises the prompt and hands it to the model's batching engine
    (:mod:`labs.server.batching`), where it decodes beside the other requests; :meth:`pieces` streams
    what it generates; closing early (client gone, error) cancels it and frees the slot at once."""

    def __init__(self, scheduler: Scheduler, job: Job):
        self.scheduler, self.job = scheduler, job
        self.started_ns = time.perf_counter_ns()
        self.stats = Stats()
        self.text: list[str] = []
        self.logprobs: list[dict] = []
        self._stack = AsyncExitStack()
        self.runner: Runner | None = None
        self.load_ns = 0
        self.tokens: list[int] = []
        self.generation: Generation | None = None
        self.rendered: str | None = None  # the prompt a Go template made, before the slot was taken

    async def open(self) -> "Session":
        try:
            ticket = self.scheduler.admit()
        except QueueFull as exc:
            raise ApiError(503, str(exc)) from None
        try:
            if self.job.template and not self.job.raw and (self.job.prompt or self.job.messages or self.job.context):
                # rendered before the slot and off the llama.cpp thread and the event loop: a heavy template
                # delays only its own request, and stops when the client hangs up or the server stops
                self.rendered = await in_own_thread(self._render, "template")
            if self.job.fmt is not None and (self.job.prompt or self.job.messages):
                # the grammar is built (then cached) and checked before the slot, off the llama.cpp thread
                await in_own_thread(lambda cancel: self._grammar(), "grammar", slots=TOKENIZE)
            self.runner, self.load_ns = await self._stack.enter_async_context(self.scheduler.use(
                ticket, self.job.model, keep_alive=self.job.keep_alive,
                num_ctx=self.job.load.get("num_ctx"), num_thread=self.job.load.get("num_thread")))
            if self.job.prompt or self.job.messages or self.job.context:  # not for load-only or embeddings
                # tokenised off the llama.cpp thread (only the vocabulary is read, which the slot keeps loaded),
                # so a long prompt does not stall the other requests' decoding (issue 10 attack r5 F3)
                tokens = await in_own_thread(lambda cancel: self._prompt_tokens(), "tokenize", slots=TOKENIZE,
                                             hold=True)
                loop = asyncio.get_running_loop()
                self.tokens, self.generation = await self.scheduler.run(lambda: self._submit(tokens, loop))
                self.stats = self.generation.stats
        except BaseException:
            ticket.release()
            await self.close()
            raise
        return self

    def _submit(self, tokens: list[int], loop: asyncio.AbstractEventLoop) -> tuple[list[int], Generation]:
        """The prompt's tokens, handed to the engine (on the llama.cpp thread: it joins at the next step)."""
        job = self.job
        try:
            gen = self.runner.engine.submit(tokens, job.sampling, job.fmt, loop=loop, top_logprobs=job.top_logprobs)
        except ValueError as exc:  # a schema llama.cpp's grammar cannot take
            raise ApiError(400, str(exc)) from None
        return tokens, gen

    def _grammar(self) -> None:
        """The job's format as a llama.cpp grammar (cached for the engine); a 400 when it cannot be one or is
        over :data:`labs.server.runner.MAX_GRAMMAR_ALTERNATIVES` (issue 10 attack r8 F1) or
        :data:`labs.server.runner.MAX_STACK_COST` (r9 F1), or llama.cpp's parser would refuse it (r9 F3)."""
        from labs.server.grammar import GrammarError

        try:
            grammar_for(self.job.fmt)
        except (GrammarTooLarge, GrammarError) as exc:  # over a cost limit, or a grammar llama.cpp cannot take (r9)
            raise ApiError(400, str(exc)) from None
        except Exception as exc:  # the converter asserts, raises KeyError, ... on a schema it cannot take
            raise ApiError(400, f"invalid format: the JSON schema cannot be turned into a grammar ({exc})") from None

    def _messages(self) -> list[dict]:
        job = self.job
        messages = list(job.messages or [])
        if job.messages is None:
            messages = ([{"role": "system", "content": job.system}] if job.system else []) + \
                       [{"role": "user", "content": job.prompt}]
        elif job.system and not any(m.get("role") == "system" for m in messages):
            messages.insert(0, {"role": "system", "content": job.system})
        return messages

    def _render(self, cancel: threading.Event) -> str:
        """The job's Go template rendered (a 400 if it fails); stops once ``cancel`` is set."""
        job = self.job
        gated = []

        def gate() -> None:  # the render stopped being cheap: it waits for one of the few shared slots
            if not PREPARE.acquire_blocking(cancel):
                raise RenderCancelled("the rendering was cancelled")
            gated.append(True)

        try:
            return render_template(job.template, messages=self._messages(), prompt=job.prompt if job.messages is None
                                   else "", suffix=job.suffix, cancel=cancel, gate=gate)
        except RenderCancelled:
            error = ApiError(499, "the request was cancelled")
        except ValueError as exc:
            error = ApiError(400, str(exc))
        finally:
            if gated:  # a costly render's big strings are freed by now: back to the system before the next render
                give_back_freed_memory()
                PREPARE.release()
        raise error  # outside the handler: no __context__ holding the failed render's frames and strings

    def _prompt_tokens(self) -> list[int]:
        job, runner = self.job, self.runner
        if job.raw:
            text = job.prompt
        elif self.rendered is not None:  # rendered with the job's Go template before the slot was taken
            text = self.rendered
        else:  # no template at all: the prompt as it is (a GGUF's Jinja is never run)
            text = job.prompt
        # a prompt that cannot fit is refused before the tokeniser spends seconds on it (no context shift: 400)
        least = len(job.context) + runner.fewest_tokens(text.encode())
        if least >= runner.num_ctx:
            raise ApiError(400, f"the input length (at least {least} tokens) exceeds the context length "
                                f"({runner.num_ctx} tokens): shorten the prompt or raise options.num_ctx")
        tokens = list(job.context) + runner.tokenize(text)
        try:
            runner.check_tokens(tokens)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        return tokens

    async def pieces(self) -> AsyncIterator[Piece]:
        """The generated pieces as the engine produces them; ended early, the generation is cancelled."""
        try:
            async for piece in self.generation.apieces():
                self.text.append(piece.text)
                if piece.logprobs:
                    self.logprobs.append(piece.logprobs)
                yield piece
        except (EngineError, RunnerFailed) as exc:  # llama.cpp refused a step: reload before the next request
            self.runner.broken = True
            raise ApiError(500, f"llama.cpp failed: {exc}") from None
        except GrammarTooSlow as exc:  # the format's grammar work outgrew its budget (issue 10 attack r11 F1)
            raise ApiError(400, str(exc)) from None
        finally:
            self.generation.cancel()  # a no-op once it is done

    async def run_to_end(self) -> "Session":
        """A whole non-streamed request: open, generate every piece, give the slot back; returns self
        (its ``text``, ``logprobs``, ``stats``)."""
        await self.open()
        try:
            async for _ in self.pieces():
                pass
        finally:
            await self.close()
        return self

    def metrics(self) -> dict:
        s = self.stats
        return {"total_duration": time.perf_counter_ns() - self.started_ns, "load_duration": self.load_ns,
                "prompt_eval_count": s.prompt_eval_count, "prompt_eval_duration": s.prompt_eval_ns,
                "eval_count": s.eval_count, "eval_duration": s.eval_ns}

    async def close(self) -> None:
        if self.generation is not None:
            self.generation.cancel()  # the client went away before the end: free the slot now
        await self._stack.aclose()


async def until_disconnect(request: Request, work: Awaitable[T]) -> T | None:
    """Run ``work`` (a whole non-streamed request: queue, load, generate) but cancel it when the
    client hangs up, so the model is free for the next request at once; ``None`` then (the caller
    answers 499, the status Ollama logs for a cancelled request).
    The body must have been read already: this listens for ``http.disconnect`` on the same channel."""
    task = asyncio.ensure_future(work)
    listener = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, listener}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        listener.cancel()
    if not task.done():
        task.cancel()
        try:
            await task  # the cancelled generation is waited for: its thread still holds the model
        except (asyncio.CancelledError, Exception):
            pass
        return None
    return task.result()


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


class SessionStream(StreamingResponse):
    """A streamed response that gives the model back however the stream ends (done, error, or
    the client hanging up, even before the first byte)."""

    def __init__(self, content, session: Session, media_type: str):
        super().__init__(content, media_type=media_type)
        self.session = session

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.session.close()
