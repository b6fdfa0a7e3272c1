"""Assemble the embedded server: routes, Ollama's error shapes, Ollama's Origin/CORS and Host rules."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

from labs.host import is_loopback
from labs.server import native, openai_routes
from labs.server.config import ServerConfig
from labs.server.core import ApiError, cancel_threads, glibc
from labs.server.origins import BrowserGuard, allowed_origins
from labs.server.scheduler import Scheduler
from labs.server.store import ModelStore, StoreError

log = logging.getLogger("labs.server")


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": exc.message}, status_code=exc.status)


async def _http_error(request: Request, exc: HTTPException):
    if exc.status_code == 404:
        return PlainTextResponse("404 page not found", 404)
    if exc.status_code == 405:
        return PlainTextResponse("405 method not allowed", 405)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request failed: %s %s", request.method, request.url.path)
    return JSONResponse({"error": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)


class AnswerWhenCancelled:
    """ASGI middleware: a request the server itself cancels (SIGTERM, once the second of grace is over)
    is answered 503 with Ollama's error shape, not uvicorn's plain-text 500 and a traceback."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except asyncio.CancelledError:
            log.info("%s %s: cancelled, the server is shutting down", scope["method"], scope["path"])
            if not started:
                await JSONResponse({"error": "the server is shutting down"}, status_code=503)(scope, receive, send)


def pull_on_start(store: ModelStore, names: list[str]) -> None:
    for name in names:
        for event in native.pull_events(store, name):
            if event.get("status") == "success":
                log.info("model %s is ready", name)


SHUTDOWN_GRACE_S = 1.0  # after the HTTP grace: the unloading may take this long before the process ends anyway


def _exit_after(seconds: float) -> None:
    """End the process ``seconds`` from now whatever is still running: one llama.cpp call (a grammar sampling
    step, a decode) cannot be interrupted and kept a stopped server alive for minutes (issue 10 attack r8 F1)."""
    def watchdog() -> None:
        time.sleep(seconds)
        log.warning("shutdown: work on the llama.cpp thread did not end within %.1f s; exiting now", seconds)
        logging.shutdown()
        os._exit(0)

    threading.Thread(target=watchdog, name="shutdown-watchdog", daemon=True).start()


def create_app(config: ServerConfig | None = None, *, bind_host: str = "127.0.0.1",
               pull: tuple[str, ...] = (), exit_after_shutdown: float | None = None) -> Starlette:
    """The server's ASGI app. ``exit_after_shutdown`` (seconds; :func:`serve` only, never in a process that
    hosts other things): once shutdown starts, the process ends after that long even if a llama.cpp call runs."""
    config = config or ServerConfig.from_env()
    store = ModelStore(config.models_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.scheduler = Scheduler(store, config)
        if pull:
            try:
                await app.state.scheduler.run(lambda: pull_on_start(store, list(pull)), io=True)
            except StoreError as exc:
                log.error("could not install %s: %s", ", ".join(pull), exc)
        yield
        if exit_after_shutdown is not None:
            _exit_after(exit_after_shutdown)
        cancel_threads()  # template renderings and uploads under way stop at their next check
        app.state.scheduler.close()

    app = Starlette(routes=native.routes + openai_routes.routes, lifespan=lifespan,
                    exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _unexpected})
    app.state.store, app.state.config = store, config
    app.add_middleware(BrowserGuard, origins=allowed_origins({"OLLAMA_ORIGINS": ",".join(config.origins)}),
                       check_host=config.origins_check and is_loopback(bind_host))
    app.add_middleware(AnswerWhenCancelled)
    return app


# glibc's malloc: blocks from this size up are mapped and unmapped on their own, so a costly render's big strings go back
# to the system when freed (issue 10 attack r5 F2 / r6 F1: 40 threads' arenas kept ~100 MB). It must stay above
# llama.cpp's grammar candidate vectors (n_vocab x 32 B: 1.5 MB for SmolLM2's 49 152 tokens; vocabularies up to ~65k
# fit), which the sampler allocates per parse stack per token: at 256 KiB they were mapped, zero-filled and unmapped
# ~400 times a token (25 553 mmap/munmap pairs for 60 tokens of a 300-value enum), making grammar work 5-10x slower
# inside the server than in a bench (issue 10 attack r12 F2).
MMAP_THRESHOLD = 2 * 2**20
# Setting the threshold fixes glibc's trim threshold too (128 KiB): each free of those vectors would shrink the llama
# thread's arena and the next token fault its pages in again; freed memory is given back by malloc_trim instead
# (labs.server.core.give_back_freed_memory, after a costly render or a long body's parse).
TRIM_THRESHOLD = 64 * 2**20


def _tune_malloc() -> None:
    """glibc only (:data:`MMAP_THRESHOLD`, :data:`TRIM_THRESHOLD`); another C library keeps its own policy."""
    libc = glibc()
    if libc is not None:
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, TRIM_THRESHOLD)  # M_TRIM_THRESHOLD


def serve(host: str, port: int, config: ServerConfig, *, pull: tuple[str, ...] = (), log_level: str = "info") -> None:
    import uvicorn

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _tune_malloc()
    app = create_app(config, bind_host=host, pull=pull, exit_after_shutdown=SHUTDOWN_GRACE_S)
    # Ollama exits at once on SIGINT/SIGTERM, open streams or not; uvicorn would wait for every stream to end
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug",
                timeout_graceful_shutdown=1)


__all__ = ["create_app", "serve"]
