"""Load a model on first use, hand it to one request at a time, unload it after ``keep_alive``.

Like Ollama's scheduler: a bounded queue (``max_queue`` waiting requests, then 503 at once), at most
``max_loaded_models`` runners (the idle one used longest ago is evicted first), and a per-model
idle timer that starts when the model's last request ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Iterator, TypeVar

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
    expires_at: dt.datetime = FOREVER
    timer: asyncio.TimerHandle | None = None
    busy: bool = False
    last_used: float = 0.0


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
        self._gate = asyncio.Semaphore(1)  # one inference at a time: a CPU has no spare slots
        # Every llama.cpp call on ONE thread: OpenMP keeps a thread team per calling thread, and the
        # idle team of a second calling thread spin-waits against the busy one (decode ran ~4x slower).
        self._llama = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")
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
        """Wait for the model's turn, load it if needed; yields (runner, load duration in ns)."""
        try:
            await self._gate.acquire()
        finally:
            ticket.release()
        try:
            entry, load_ns = await self._ensure_loaded(model, num_ctx or self.config.context_length, num_thread or 0)
            entry.busy = True
            try:
                yield entry.runner, load_ns
            finally:
                entry.busy, entry.last_used = False, time.monotonic()
                if entry.runner.broken:  # llama.cpp failed inside it: the next request gets a fresh one
                    log.warning("llama.cpp failed in %s: reloading it", entry.model.name)
                    self.unload(entry.model.name)
                else:
                    self._arm(entry, self.config.keep_alive if keep_alive is None else keep_alive)
        finally:
            self._gate.release()

    async def _ensure_loaded(self, model: StoredModel, num_ctx: int, num_thread: int) -> tuple[Loaded, int]:
        entry = self.loaded.get(model.name)
        if entry and entry.model.digest == model.digest and entry.num_ctx == num_ctx and entry.num_thread == num_thread:
            self._disarm(entry)
            return entry, 0
        if entry:  # a load-time option changed: reload, as Ollama does
            self.unload(model.name)
        while len(self.loaded) >= self.config.max_loaded_models:
            idle = [e for e in self.loaded.values() if not e.busy]
            if not idle:
                break
            self.unload(min(idle, key=lambda e: e.last_used).model.name)
        runner = await self.run(lambda: Runner(model.gguf, num_ctx=num_ctx, num_thread=num_thread))
        entry = Loaded(model, runner, num_ctx, num_thread)
        self.loaded[model.name] = entry
        return entry, runner.load_ns

    def _arm(self, entry: Loaded, keep_alive: float) -> None:
        self._disarm(entry)
        if keep_alive == 0:
            self.unload(entry.model.name)
        elif keep_alive < 0:
            entry.expires_at = FOREVER
        else:
            entry.expires_at = dt.datetime.now().astimezone() + dt.timedelta(seconds=keep_alive)
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
        entry = self.loaded.pop(name, None)
        if entry is None:
            return False
        self._disarm(entry)
        entry.runner.close()
        return True

    async def unload_when_idle(self, name: str) -> None:
        """``keep_alive: 0`` on a load-only request: wait for the model's turn, then unload it."""
        async with self._gate:
            self.unload(name)

    async def run(self, fn: Callable[[], T], *, io: bool = False) -> T:
        """Run blocking work off the event loop: on the llama.cpp thread, or (``io``) the I/O pool."""
        return await asyncio.get_running_loop().run_in_executor(self._io if io else self._llama, fn)

    async def stream(self, make: Callable[[threading.Event], Iterator[T]], *, io: bool = False) -> AsyncIterator[T]:
        """Iterate a blocking generator on the llama.cpp thread (or the I/O pool). If the consumer
        goes away (client disconnect), the generator is told to stop and is waited for, so the slot
        is free after."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        cancel, end = threading.Event(), object()

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
            while not future.done():  # even if cancelled again: the thread still holds the model
                try:
                    await asyncio.shield(future)
                except asyncio.CancelledError:
                    continue

    def close(self) -> None:
        for name in list(self.loaded):
            self.unload(name)
        for pool in (self._llama, self._io):
            pool.shutdown(wait=False, cancel_futures=True)
