"""What the native and the OpenAI-compatible routes share: request parsing with Ollama's error
messages, and an inference :class:`Session` that holds the model until its response is closed."""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, fields
from typing import Any, AsyncIterator

from starlette.requests import Request
from starlette.responses import StreamingResponse

from labs.server.config import parse_keep_alive
from labs.server.runner import Runner, Sampling, Stats, canonical_format
from labs.server.scheduler import QueueFull, Scheduler
from labs.server.store import ModelStore, StoredModel, StoreError


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def now_utc() -> str:
    """Inference timestamps: RFC3339 in UTC with a ``Z``."""
    return dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")


async def read_json(request: Request) -> dict:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "missing request body")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"invalid character in request body: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"json: cannot unmarshal {type(body).__name__} into Go value of type api.Request")
    return body


_JSON_TYPES = {str: "string", bool: "bool", int: "number", float: "number", list: "array", dict: "object"}


def typed(body: dict, name: str, kind: type | tuple, default: Any = None) -> Any:
    """``body[name]`` if it has the right JSON type, else 400 (Go's decoder would refuse it too)."""
    value = body.get(name, default)
    if value is None:
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        want = "/".join(_JSON_TYPES.get(k, k.__name__) for k in kinds)
        raise ApiError(400, f"json: cannot unmarshal {_JSON_TYPES.get(type(value), type(value).__name__)} "
                            f"into Go struct field .{name} of type {want}")
    return value


_SAMPLING = {f.name: f for f in fields(Sampling)}


def sampling_from(options: dict, defaults: dict | None = None) -> tuple[Sampling, dict]:
    """The model's own parameters, then the request's ``options`` → (sampling, load-time options).
    Unknown keys are ignored, as in Ollama."""
    sampling = Sampling()
    for key, value in {**(defaults or {}), **options}.items():
        if key in _SAMPLING and value is not None:
            if key == "stop":
                value = [value] if isinstance(value, str) else value
                if not (isinstance(value, list) and all(isinstance(s, str) for s in value)):
                    raise ApiError(400, "option \"stop\" must be a string or an array of strings")
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ApiError(400, f"option {key!r} must be a number, got {json.dumps(value)}")
            setattr(sampling, key, type(getattr(Sampling(), key))(value) if key != "stop" else value)
    load = {k: int(options[k]) for k in ("num_ctx", "num_thread") if isinstance(options.get(k), (int, float))}
    if load.get("num_ctx", 1) <= 0:
        raise ApiError(400, "option \"num_ctx\" must be positive")
    return sampling, load


def keep_alive_from(body: dict) -> float | None:
    if body.get("keep_alive") is None:
        return None
    try:
        return parse_keep_alive(body["keep_alive"])
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def format_from(body: dict) -> str | None:
    try:
        return canonical_format(body.get("format"))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def find_model(store: ModelStore, name: str, message: str = "model '{name}' not found") -> StoredModel:
    try:
        return store.get(name)
    except StoreError:
        raise ApiError(404, message.format(name=name)) from None


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


class Session:
    """One request's hold on a loaded model; :meth:`close` gives the model back (idempotent)."""

    def __init__(self, scheduler: Scheduler, job: Job):
        self.scheduler, self.job = scheduler, job
        self.started_ns = time.perf_counter_ns()
        self.stats = Stats()
        self.text: list[str] = []
        self._stack = AsyncExitStack()
        self.runner: Runner | None = None
        self.load_ns = 0
        self.tokens: list[int] = []

    async def open(self) -> "Session":
        try:
            ticket = self.scheduler.admit()
        except QueueFull as exc:
            raise ApiError(503, str(exc)) from None
        try:
            self.runner, self.load_ns = await self._stack.enter_async_context(self.scheduler.use(
                ticket, self.job.model, keep_alive=self.job.keep_alive,
                num_ctx=self.job.load.get("num_ctx"), num_thread=self.job.load.get("num_thread")))
            self.tokens = await self.scheduler.run(self._prompt_tokens)
        except BaseException:
            ticket.release()
            await self.close()
            raise
        return self

    def _prompt_tokens(self) -> list[int]:
        job, runner = self.job, self.runner
        if job.raw:
            text = job.prompt
        else:
            messages = list(job.messages or [])
            if job.messages is None:
                messages = ([{"role": "system", "content": job.system}] if job.system else []) + \
                           [{"role": "user", "content": job.prompt}]
            elif job.system and not any(m.get("role") == "system" for m in messages):
                messages.insert(0, {"role": "system", "content": job.system})
            text = runner.chat_prompt(messages)
        tokens = list(job.context) + runner.tokenize(text)
        if len(tokens) >= runner.num_ctx:
            raise ApiError(400, f"the input length ({len(tokens)} tokens) exceeds the context length "
                                f"({runner.num_ctx} tokens): shorten the prompt or raise options.num_ctx")
        return tokens

    async def pieces(self) -> AsyncIterator[str]:
        def make(cancel):
            return self.runner.generate(self.tokens, self.job.sampling, fmt=self.job.fmt, cancel=cancel, stats=self.stats)

        async for piece in self.scheduler.stream(make):
            self.text.append(piece)
            yield piece

    def metrics(self) -> dict:
        s = self.stats
        return {"total_duration": time.perf_counter_ns() - self.started_ns, "load_duration": self.load_ns,
                "prompt_eval_count": s.prompt_eval_count, "prompt_eval_duration": s.prompt_eval_ns,
                "eval_count": s.eval_count, "eval_duration": s.eval_ns}

    async def close(self) -> None:
        await self._stack.aclose()


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
