"""Talk to the local model server — real Ollama or the embedded one — and measure it.

Lesson 2 teaches the three ways in: raw REST (:class:`LocalLLM`, on httpx), the official ``ollama``
client (:func:`ollama_client`) and the ``openai`` client pointed at ``<host>/v1`` (:func:`openai_client`).
Every helper turns transport failures into one actionable message (see :mod:`labs.errors`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import httpx

from labs.errors import ModelNotFound, RequestTimeout, ServerBusy, ServerNotRunning, StatusError
from labs.host import base_url, parse_host
from labs.i18n import t

CONNECT_TIMEOUT = 2.0  # a local server answers at once or not at all


class ModelUnavailable(ModelNotFound):
    """:meth:`LocalLLM.ensure_model` could not pull the model; the message says what the server has and what
    to run instead (:func:`labs.settings.missing_model_help`, in ``LAB_LANG``)."""

    def __init__(self, model: str, url: str, status: int, body: object, message: str):
        self.model = model
        StatusError.__init__(self, status, body, message)


def _timeout(read: float | None) -> httpx.Timeout:
    return httpx.Timeout(connect=CONNECT_TIMEOUT, read=read, write=30.0, pool=10.0)


@dataclass
class Measurement:
    """One timed generation (lesson 2, "Streaming and metrics").

    ``server_tokens_per_s`` comes from the server's own counters (``eval_count / eval_duration``);
    ``client_tokens_per_s`` from this machine's clock: the tokens generated after the first streamed
    chunk (the server's ``eval_count`` − 1) over ``stream_s``, the seconds from the first chunk to the
    last. Tokens, not chunks: a chunk can carry several tokens (llama.cpp holds back the bytes of a
    multi-byte character until it is whole, so a Ukrainian answer of 32 tokens may arrive in 30 chunks).
    A thinking model streams its reasoning in ``thinking`` before the answer in ``response``; the
    server's ``eval_count`` counts both, so the clock runs from the first chunk of either: ``ttft_s`` is
    the time to the first generated token (thinking included), ``answer_ttft_s`` to the first answer text.
    """

    text: str
    ttft_s: float
    total_s: float
    eval_count: int
    prompt_eval_count: int
    load_s: float
    prompt_eval_s: float
    eval_s: float
    server_tokens_per_s: float
    client_tokens_per_s: float
    done_reason: str
    stream_s: float = 0.0
    chunks: int = 0
    thinking: str = ""
    answer_ttft_s: float = 0.0


MODEL_OPTIONS = frozenset({"temperature", "top_k", "top_p", "min_p", "seed", "num_predict", "stop", "num_ctx",
                           "repeat_penalty", "presence_penalty", "frequency_penalty", "num_thread", "num_batch"})


def _payload(base: dict, fields: dict) -> dict:
    """The request body; a model option given at the top level would be ignored by the server, so refuse it."""
    misplaced = sorted(MODEL_OPTIONS & fields.keys())
    if misplaced:
        example = ", ".join(f"{k!r}: {fields[k]!r}" for k in misplaced)
        raise TypeError(f"{', '.join(misplaced)} must go inside options: options={{{example}}}")
    return {**base, **fields}


class LocalLLM:
    """A small client for the native API (``/api/...``) of the server at ``OLLAMA_HOST``.

    The host is read once, when the client is made: after changing ``OLLAMA_HOST``, make a new one.
    """

    def __init__(self, host: str | None = None, model: str | None = None, timeout: float | None = 120.0):
        from labs.settings import lesson_model

        self.url = parse_host(host) if host is not None else base_url()
        self.model = model or lesson_model()  # LABS_MODEL switches every lesson, this client's default too
        self.timeout = timeout
        self._http = httpx.Client(base_url=self.url, timeout=_timeout(timeout))

    def __repr__(self) -> str:
        return f"LocalLLM(url={self.url!r}, model={self.model!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "LocalLLM":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transport ----------------------------------------------------------------------
    def _raise_for(self, response: httpx.Response, model: str | None) -> None:
        if response.status_code < 400:
            return
        try:
            body = response.json()
        except ValueError:
            body = response.text
        text = body.get("error", "") if isinstance(body, dict) else str(body)
        if response.status_code == 404 and model and "not found" in text:
            raise ModelNotFound(model, self.url, 404, body, embedded=self._embedded_or_false())
        if response.status_code == 503:
            raise ServerBusy(503, body, f"The server at {self.url} is busy (its queue is full): try again shortly.")
        raise StatusError(response.status_code, body)

    def request(self, method: str, path: str, payload: dict | None = None, *, model: str | None = None) -> Any:
        """One JSON request; returns the decoded body (``None`` when empty)."""
        try:
            response = self._http.request(method, path, json=payload)
        except httpx.ConnectError:
            raise ServerNotRunning(self.url) from None
        except httpx.TimeoutException:
            raise RequestTimeout(self.url, self.timeout) from None
        self._raise_for(response, model)
        return response.json() if response.content.strip().startswith((b"{", b"[")) else None

    def stream(self, path: str, payload: dict, *, model: str | None = None) -> Iterator[dict]:
        """POST and yield each NDJSON object as it arrives; an ``error`` line raises StatusError."""
        try:
            with self._http.stream("POST", path, json={**payload, "stream": True}) as response:
                if response.status_code >= 400:
                    response.read()
                    self._raise_for(response, model)
                for raw in response.iter_lines():
                    if raw.strip():
                        chunk = json.loads(raw)
                        if "error" in chunk:  # the stream had started (HTTP 200), then failed
                            raise StatusError(response.status_code, chunk, t("errors.server_said", error=chunk["error"]))
                        yield chunk
        except httpx.ConnectError:
            raise ServerNotRunning(self.url) from None
        except httpx.TimeoutException:
            raise RequestTimeout(self.url, self.timeout) from None

    # --- the server and its models ------------------------------------------------------
    def is_up(self) -> bool:
        """Whether an Ollama-compatible server answers here: ``GET /api/version`` gives a version.

        Anything else on the port (a web server, a notebook) does not count, so the launcher does not
        mistake it for a model server.
        """
        try:
            response = self._http.get("/api/version", timeout=_timeout(5.0))
            return response.status_code == 200 and isinstance(response.json().get("version"), str)
        except (httpx.HTTPError, ValueError, AttributeError):
            return False

    def wait_until_up(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not self.is_up():
            if time.monotonic() > deadline:
                raise ServerNotRunning(self.url)
            time.sleep(0.2)

    def version(self) -> dict:
        return self.request("GET", "/api/version")

    def is_embedded(self) -> bool:
        """True for this course's embedded server, False for real Ollama."""
        return self.version().get("server") == "labs-embedded"

    def _embedded_or_false(self) -> bool:
        """:meth:`is_embedded` for an error message: a server that cannot say counts as not embedded."""
        try:
            return self.is_embedded()
        except (StatusError, ServerNotRunning, RequestTimeout, AttributeError, ValueError):
            return False

    def models(self) -> list[dict]:
        return self.request("GET", "/api/tags")["models"]

    def has_model(self, model: str | None = None) -> bool:
        name = model or self.model
        wanted = {name, f"{name}:latest"}
        return any(m["name"] in wanted or m["model"] in wanted for m in self.models())

    def show(self, model: str | None = None) -> dict:
        name = model or self.model
        return self.request("POST", "/api/show", {"model": name}, model=name)

    def ps(self) -> list[dict]:
        return self.request("GET", "/api/ps")["models"]

    def pull(self, model: str | None = None, progress: Callable[[dict], None] | None = None) -> dict:
        """Pull a model, calling ``progress`` with every streamed status; returns the last one. A failed pull raises
        the server's own :class:`StatusError` (Ollama's words); :meth:`pull_or_explain` says what to do instead.
        On the embedded server, which can pull only the models it ships, a failed pull always explains: it raises
        :class:`ModelUnavailable` (a ``StatusError``) in ``LAB_LANG``."""
        name = model or self.model
        last: dict = {}
        try:
            for last in self.stream("/api/pull", {"model": name}):
                if progress:
                    progress(last)
        except StatusError as exc:
            if isinstance(exc, ModelUnavailable) or not self._embedded_or_false():
                raise
            raise self._unavailable(name, exc, embedded=True) from None
        return last

    def ensure_model(self, model: str | None = None) -> None:
        """Pull ``model`` (default ``self.model``) unless the server has it.

        Raises :class:`ModelUnavailable` when the pull fails, with what to do instead: the embedded server
        ships only ``smollm2:135m`` (and any GGUF added with ``labs create``), so there the message names
        the real-Ollama route (``ollama pull <model>``) rather than the server's bare "pull model manifest:
        file does not exist" (lesson 0, "Which model?")."""
        name = model or self.model
        if not self.has_model(name):
            self.pull_or_explain(name)

    def pull_or_explain(self, model: str | None = None, progress: Callable[[dict], None] | None = None) -> dict:
        """:meth:`pull`, but a failed pull raises :class:`ModelUnavailable` saying what this server can serve
        and what to run instead (:func:`labs.settings.missing_model_help`), the server's own words in brackets."""
        name = model or self.model
        try:
            return self.pull(name, progress)
        except ModelUnavailable:
            raise
        except StatusError as exc:
            raise self._unavailable(name, exc, embedded=self.is_embedded()) from None

    def _unavailable(self, name: str, exc: StatusError, *, embedded: bool) -> "ModelUnavailable":
        from labs.settings import missing_model_help

        help_text = missing_model_help(name, embedded=embedded)
        return ModelUnavailable(name, self.url, exc.status, exc.body, f"{help_text} ({exc})")

    # --- inference ----------------------------------------------------------------------
    def generate(self, prompt: str, *, model: str | None = None, **fields: Any) -> dict:
        name = model or self.model
        return self.request("POST", "/api/generate", _payload({"model": name, "prompt": prompt, "stream": False}, fields), model=name)

    def chat(self, messages: list[dict], *, model: str | None = None, **fields: Any) -> dict:
        name = model or self.model
        return self.request("POST", "/api/chat", _payload({"model": name, "messages": messages, "stream": False}, fields), model=name)

    def stream_generate(self, prompt: str, *, model: str | None = None, **fields: Any) -> Iterator[dict]:
        name = model or self.model
        return self.stream("/api/generate", _payload({"model": name, "prompt": prompt}, fields), model=name)

    def stream_chat(self, messages: list[dict], *, model: str | None = None, **fields: Any) -> Iterator[dict]:
        name = model or self.model
        return self.stream("/api/chat", _payload({"model": name, "messages": messages}, fields), model=name)

    def embed(self, texts: str | list[str], *, model: str | None = None) -> list[list[float]]:
        name = model or self.model
        return self.request("POST", "/api/embed", {"model": name, "input": texts}, model=name)["embeddings"]

    def measure(self, prompt: str, *, model: str | None = None, options: dict | None = None,
                on_token: Callable[[str], None] | None = None, **fields: Any) -> Measurement:
        """Stream one generation and time it: time to first token and tokens/s, two ways."""
        started = time.perf_counter()
        first = last = answer_first = None
        pieces: list[str] = []
        thought: list[str] = []
        final: dict = {}
        chunks = 0
        for chunk in self.stream_generate(prompt, model=model, options=options or {}, **fields):
            now = time.perf_counter()
            text, thinking = chunk.get("response") or "", chunk.get("thinking") or ""
            if text or thinking:  # a generated token, answer or reasoning: eval_count counts both
                first = first if first is not None else now
                last = now
                chunks += 1
            if thinking:
                thought.append(thinking)
            if text:
                answer_first = answer_first if answer_first is not None else now
                pieces.append(text)
                if on_token:
                    on_token(text)
            if chunk.get("done"):
                final = chunk
        ended = time.perf_counter()
        count = int(final.get("eval_count", 0))
        eval_ns = int(final.get("eval_duration", 0))
        span = (last - first) if first is not None and last is not None else 0.0
        return Measurement(
            text="".join(pieces), ttft_s=(first or ended) - started, total_s=ended - started,
            eval_count=count, prompt_eval_count=int(final.get("prompt_eval_count", 0)),
            load_s=final.get("load_duration", 0) / 1e9, prompt_eval_s=final.get("prompt_eval_duration", 0) / 1e9,
            eval_s=eval_ns / 1e9,
            server_tokens_per_s=count / eval_ns * 1e9 if eval_ns else 0.0,
            client_tokens_per_s=(count - 1) / span if span > 0 and count > 1 else 0.0,
            done_reason=final.get("done_reason", ""), stream_s=span, chunks=chunks,
            thinking="".join(thought), answer_ttft_s=(answer_first or ended) - started,
        )


def openai_client(host: str | None = None, *, timeout: float = 120.0, max_retries: int = 0):
    """An ``openai.OpenAI`` client for the local server's ``/v1`` (the key is required by the
    library and ignored by the server). Lesson 2: the one-line provider switch.
    ``OLLAMA_HOST`` is read when the client is made."""
    import openai

    url = parse_host(host) if host is not None else base_url()
    return openai.OpenAI(base_url=f"{url}/v1", api_key="ollama", max_retries=max_retries,
                         timeout=openai.Timeout(timeout, connect=CONNECT_TIMEOUT))


def ollama_client(host: str | None = None, *, timeout: float = 120.0):
    """The official ``ollama.Client`` for the same server (``OLLAMA_HOST`` read when it is made)."""
    import ollama

    return ollama.Client(host=parse_host(host) if host is not None else base_url(), timeout=_timeout(timeout))
