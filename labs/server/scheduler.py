"""Load a model on first use, serve up to ``num_parallel`` of its requests at once, unload it after ``keep_alive``.

Like Ollama's scheduler: a bounded queue (``max_queue`` waiting requests, then 503 at once), never more than
``max_loaded_models`` runners in memory (the idle one used longest ago is evicted first; when every one is busy,
the one used longest ago takes no new requests and is unloaded when its last ends, and the request that needs
the room waits for that, as Ollama's ``processPending`` and ``findRunnerToUnload`` do), ``num_parallel``
(``OLLAMA_NUM_PARALLEL``) requests per loaded model decoding together in its batching engine
(:mod:`labs.server.batching`), and a per-model idle timer that starts when its last request ends.
A request that needs other load-time options (``num_ctx``, ``num_thread``) waits until the model
is idle and reloads it, as Ollama does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Iterator, TypeVar

from labs.server.batching import LlamaThread
from labs.server.config import ServerConfig
from labs.server.runner import Runner
from labs.server.store import ModelStore, StoredModel

T = TypeVar("T")
log = logging.getLogger("labs.server")
FOREVER = dt.datetime(2318, 1, 1, tzinfo=dt.timezone.utc)  # what Ollama shows for keep_alive < 0


class QueueFull(Exception):
    """More requests are waiting than ``max_queue`` allows."""


@dataclass
class Loaded:
    model: StoredModel
    runner: Runner
    num_ctx: int
    num_thread: int
    expires_at: dt.datetime | None = None  # set when it goes idle; None until then (see :meth:`expiry`)
    timer: asyncio.TimerHandle | None = None
    active: int = 0  # requests holding one of its slots
    keep_alive: float = 300.0  # armed when the last request ends: the latest request's keep_alive, as Ollama
    last_used: float = 0.0
    retired: bool = False  # unloaded while requests still held it: closed when the last one ends
    draining: bool = False  # evicted to make room while busy: takes no new request, unloaded when the last ends

    @property
    def busy(self) -> bool:
        return self.active > 0

    def expiry(self) -> dt.datetime:
        """When it unloads, as ``/api/ps`` shows it: the time set when it last went idle (kept while a later
        request runs), or, loaded and busy since, now + its keep_alive (Ollama's ``loadedModels``, which
        estimates a zero ``expiresAt`` from the session duration). Never :data:`FOREVER` unless keep_alive < 0."""
        if self.expires_at is not None:
            return self.expires_at
        return _expiry(self.keep_alive)


def _expiry(keep_alive: float) -> dt.datetime:
    """now + ``keep_alive`` seconds in local time; :data:`FOREVER` for a negative one or one past what a date
    can show (Ollama turns a negative keep_alive into the longest duration: year 2318)."""
    now = dt.datetime.now().astimezone()
    if keep_alive < 0 or keep_alive >= (FOREVER - now).total_seconds():
        return FOREVER
    return now + dt.timedelta(seconds=keep_alive)


class Ticket:
    """A place in the queue; releasing it twice is harmless (responses release it however they end)."""

    def __init__(self, scheduler: "Scheduler"):
        self._scheduler, self.waiting = scheduler, True

    def release(self) -> None:
        if self.waiting:
            self.waiting = False
            self._scheduler.waiting -= 1


class Scheduler:
    def __init__(self, store: ModelStore, config: ServerConfig):
        self.store, self.config = store, config
        self.loaded: dict[str, Loaded] = {}
        self.waiting = 0
        self._loading = asyncio.Lock()  # one load/unload decision at a time
        self._wake = asyncio.Event()  # set (and replaced) whenever a slot frees or a model unloads
        self._cancels: set[threading.Event] = set()  # of work running on the llama.cpp thread: set on close
        self._lines: dict[str, deque] = {}  # per model: the requests waiting for a slot, first come first
        self._loads: deque = deque()  # requests waiting for room to load their model, first come first
        self._pending_loads = 0  # loads under way (their runners count against max_loaded_models)
        self._retiring: dict[int, Loaded] = {}  # unloaded entries whose runners requests still hold (in memory)
        # Every llama.cpp call on ONE thread: OpenMP keeps a thread team per calling thread, and the
        # idle team of a second calling thread spin-waits against the busy one (decode ran ~4x slower).
        # The batching engines step on the same thread, between other llama.cpp work.
        self._llama = LlamaThread("llama")
        self._io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="io")  # pulls: file copies and hashing

    def admit(self) -> Ticket:
        """Take a place in the queue or raise :class:`QueueFull` straight away."""
        if self.waiting >= self.config.max_queue:
            raise QueueFull("server busy, please try again.  maximum pending requests exceeded")
        self.waiting += 1
        return Ticket(self)

    @asynccontextmanager
    async def use(self, ticket: Ticket, model: StoredModel, *, keep_alive: float | None,
                  num_ctx: int | None = None, num_thread: int | None = None) -> AsyncIterator[tuple[Runner, int]]:
        """Wait for a free slot of the model, load it if needed; yields (runner, load duration in ns).
        The slot is free again when the block ends (however it ends)."""
        keep_alive = self.config.keep_alive if keep_alive is None else keep_alive
        try:
            entry, load_ns = await self._acquire(model, num_ctx or self.config.context_length, num_thread or 0,
                                                 keep_alive)
        finally:
            ticket.release()
        entry.keep_alive = keep_alive
        try:
            yield entry.runner, load_ns
        finally:
            self._release(entry)

    async def _acquire(self, model: StoredModel, num_ctx: int, num_thread: int,
                       keep_alive: float) -> tuple[Loaded, int]:
        """A slot of ``model``, first come first served: a request that has to wait (every slot busy, or
        a reload for other load-time options) joins the model's line, and newcomers queue behind it, so
        one that needs a reload is not passed forever by requests that fit (Ollama's ``processPending``
        also takes pending requests one at a time). The running ones drain, it reloads, the line goes on."""
        me = object()
        line = self._lines.setdefault(model.name, deque())  # kept while the server runs: one per model name
        try:
            while True:
                async with self._loading:
                    if not line or line[0] is me:
                        got = await self._try(model, num_ctx, num_thread, keep_alive, me)
                        if got is not None:
                            return got
                    if me not in line:
                        line.append(me)
                    wake = self._wake  # every slot busy, or busy with other options: wait for one to end
                await wake.wait()
        finally:
            if me in self._loads:  # served, or the client hung up while waiting for room: out of the queue
                self._loads.remove(me)
                self._notify()
            if me in line:
                line.remove(me)
                self._notify()  # the next in line tries now

    async def _try(self, model: StoredModel, num_ctx: int, num_thread: int, keep_alive: float,
                   me: object) -> tuple[Loaded, int] | None:
        """Take a slot (loading or reloading the model if it is idle) or say None: it must wait."""
        entry = self.loaded.get(model.name)
        fits = entry is not None and (entry.model.digest, entry.num_ctx, entry.num_thread) == \
            (model.digest, num_ctx, num_thread)
        if fits and not entry.draining and entry.active < self.config.num_parallel:
            self._disarm(entry)
            entry.active += 1
            return entry, 0
        if entry is not None and not fits and not entry.busy:  # a load-time option changed: reload
            self.unload(model.name)
            entry = None
        if entry is None:
            if not self._room(me):
                return None
            entry = await self._load(model, num_ctx, num_thread, keep_alive)
            entry.active = 1
            return entry, entry.runner.load_ns
        return None

    @property
    def in_memory(self) -> int:
        """Runners in memory or being loaded: what ``max_loaded_models`` bounds (an unloaded model whose
        requests still run keeps its memory until they end, so it still counts)."""
        return len(self.loaded) + len(self._retiring) + self._pending_loads

    def _room(self, me: object) -> bool:
        """Whether ``me`` may load a model now. Loads take turns, first come first (``_loads``). At the limit,
        the idle model used longest ago is unloaded; if every one is busy, the one used longest ago is drained
        (no new requests; unloaded when its last ends; Ollama sets its session duration to 0) and ``me`` waits
        for that, never loading past the limit (Ollama ``server/sched.go`` ``processPending``)."""
        if self._loads and self._loads[0] is not me:
            if me not in self._loads:
                self._loads.append(me)
            return False
        limit = self.config.max_loaded_models or ServerConfig.max_loaded_models  # 0: Ollama's default on CPU
        while self.in_memory >= limit:
            idle = [e for e in self.loaded.values() if not e.busy]
            if not idle:
                break
            self.unload(min(idle, key=lambda e: e.last_used).model.name)
        if self.in_memory < limit:
            for entry in self.loaded.values():  # room was made another way: a drained model may serve again
                entry.draining = False
            return True
        if not any(e.draining for e in self.loaded.values()) and self.loaded:
            victim = min(self.loaded.values(), key=lambda e: e.last_used)
            victim.draining = True
            self._disarm(victim)
            log.info("%d models loaded (OLLAMA_MAX_LOADED_MODELS): %s is unloaded when its requests end",
                     len(self.loaded), victim.model.name)
        if me not in self._loads:
            self._loads.append(me)
        return False

    async def _load(self, model: StoredModel, num_ctx: int, num_thread: int, keep_alive: float) -> Loaded:
        self._pending_loads += 1
        loading = asyncio.ensure_future(self.run(lambda: Runner(
            model.gguf, num_ctx=num_ctx, num_thread=num_thread, n_parallel=self.config.num_parallel,
            thread=self._llama)))
        try:
            runner = await asyncio.shield(loading)
        except asyncio.CancelledError:  # the request went away; the load goes on: keep the model, idle
            loading.add_done_callback(lambda f: self._adopt(model, f, num_ctx, num_thread))
            raise
        except Exception as exc:  # llama.cpp refused the file (a metadata type it does not take, a damaged file)
            self._pending_loads -= 1
            self._notify()
            log.warning("llama.cpp could not load %s (%s): %r", model.name, model.gguf, exc)
            from labs.server.core import ApiError  # here: core imports this module

            raise ApiError(500, f"llama runner process has terminated: error loading model: llama.cpp could not load "
                                f"the GGUF of {model.name} (a metadata value of a type it does not accept, or a "
                                f"damaged file)") from None
        except BaseException:
            self._pending_loads -= 1
            self._notify()
            raise
        self._pending_loads -= 1
        entry = Loaded(model, runner, num_ctx, num_thread, keep_alive=keep_alive, last_used=time.monotonic())
        self.loaded[model.name] = entry
        return entry

    def _adopt(self, model: StoredModel, loading: asyncio.Future, num_ctx: int, num_thread: int) -> None:
        self._pending_loads -= 1
        self._notify()
        if loading.cancelled() or loading.exception() is not None:
            return
        runner = loading.result()
        if model.name in self.loaded:
            self._llama.submit(runner.close)
            return
        entry = self.loaded[model.name] = Loaded(model, runner, num_ctx, num_thread, keep_alive=self.config.keep_alive)
        entry.last_used = time.monotonic()
        self._arm(entry, entry.keep_alive)
        self._notify()

    def _release(self, entry: Loaded) -> None:
        entry.active = max(0, entry.active - 1)
        entry.last_used = time.monotonic()
        if entry.runner is None:  # closed already (server shutdown)
            return
        if entry.runner.broken and not entry.retired:  # llama.cpp failed inside it: the next request gets a fresh one
            log.warning("llama.cpp failed in %s: reloading it", entry.model.name)
            self._retire(entry)
        elif entry.retired or (entry.draining and not entry.busy):
            self._retire(entry)
        elif not entry.busy:
            self._arm(entry, entry.keep_alive)
        self._notify()

    def _notify(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    def _arm(self, entry: Loaded, keep_alive: float) -> None:
        self._disarm(entry)
        if keep_alive == 0:
            self.unload(entry.model.name)
            return
        entry.expires_at = _expiry(keep_alive)
        if entry.expires_at != FOREVER:  # else negative, or past what a date can show: loaded until unloaded
            entry.timer = asyncio.get_running_loop().call_later(keep_alive, self._expire, entry)

    @staticmethod
    def _disarm(entry: Loaded) -> None:
        if entry.timer is not None:
            entry.timer.cancel()
            entry.timer = None

    def _expire(self, entry: Loaded) -> None:
        if self.loaded.get(entry.model.name) is entry and not entry.busy:
            self.unload(entry.model.name)

    def unload(self, name: str) -> bool:
        """Forget the model now; its memory is freed (on the llama.cpp thread) once no request holds it."""
        entry = self.loaded.get(name)
        if entry is None:
            return False
        self._retire(entry)
        return True

    def _retire(self, entry: Loaded) -> None:
        if self.loaded.get(entry.model.name) is entry:
            del self.loaded[entry.model.name]
        self._disarm(entry)
        if entry.busy:
            entry.retired = True
            self._retiring[id(entry)] = entry
        elif entry.runner is not None:
            self._retiring.pop(id(entry), None)
            runner, entry.runner = entry.runner, None
            self._llama.submit(runner.close)  # after whatever llama.cpp work is queued before it
        self._notify()

    def expire(self, name: str) -> None:
        """``keep_alive: 0`` with nothing to generate (what ``ollama stop`` sends), answered at once as Ollama's
        ``expireRunner``: an idle model is unloaded now, a busy one when its last request ends (unless a later
        request sets another keep_alive), and a model that is not loaded is not loaded for it."""
        entry = self.loaded.get(name)
        if entry is None:
            return
        if entry.busy:
            entry.keep_alive = 0
        else:
            self.unload(name)

    async def unload_when_idle(self, name: str) -> None:
        """Unload a model once no request holds it (``keep_alive: 0`` on a load-only request, delete)."""
        while True:
            entry = self.loaded.get(name)
            if entry is None:
                return
            if not entry.busy:
                self.unload(name)
                return
            wake = self._wake
            await wake.wait()

    async def run(self, fn: Callable[[], T], *, io: bool = False) -> T:
        """Run blocking work off the event loop: on the llama.cpp thread, or (``io``) the I/O pool."""
        return await asyncio.get_running_loop().run_in_executor(self._io if io else self._llama, fn)

    async def run_cancellable(self, make: Callable[[threading.Event], T]) -> T:
        """Run ``make(cancel)`` on the llama.cpp thread; if the awaiting task is cancelled (the client hung
        up), ``cancel`` is set and the work is waited for before the cancellation goes on, so the slot
        is never given back while llama.cpp still uses the model."""
        cancel = threading.Event()
        self._cancels.add(cancel)
        future = asyncio.get_running_loop().run_in_executor(self._llama, lambda: make(cancel))
        future.add_done_callback(lambda _: self._cancels.discard(cancel))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancel.set()
            while not future.done():
                try:
                    await asyncio.shield(future)
                except asyncio.CancelledError:
                    continue
                except Exception:  # noqa: BLE001 - the client is gone; only the slot matters now
                    break
            raise

    async def stream(self, make: Callable[[threading.Event], Iterator[T]], *, io: bool = False) -> AsyncIterator[T]:
        """Iterate a blocking generator on the llama.cpp thread (or the I/O pool). If the consumer
        goes away (client disconnect), the generator is told to stop and is waited for, so the slot
        is free after."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        cancel, end = threading.Event(), object()
        self._cancels.add(cancel)

        def work() -> None:
            try:
                for item in make(cancel):
                    loop.call_soon_threadsafe(queue.put_nowait, (True, item))
            except BaseException as exc:  # handed to the consumer below
                loop.call_soon_threadsafe(queue.put_nowait, (False, exc))
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, (True, end))

        future = loop.run_in_executor(self._io if io else self._llama, work)
        try:
            while True:
                ok, item = await queue.get()
                if not ok:
                    raise item
                if item is end:
                    return
                yield item
        finally:
            cancel.set()
            self._cancels.discard(cancel)
            while not future.done():  # even if cancelled again: the thread still holds the model
                try:
                    await asyncio.shield(future)
                except asyncio.CancelledError:
                    continue

    def close(self) -> None:
        """Unload every model (requests still running end as cancelled) and stop the threads.
        Work under way on the llama.cpp thread is told to stop first, so the thread ends promptly."""
        for cancel in list(self._cancels):
            cancel.set()
        for entry in list(self.loaded.values()):
            entry.active = 0
            self._retire(entry)
        self._io.shutdown(wait=False, cancel_futures=True)
        self._llama.shutdown(wait=True)  # the queued closes run first
