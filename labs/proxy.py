"""A recording proxy: a real local HTTP server that forwards to the model server and writes down
every exchange (lesson 2: "what does the ``openai`` client actually send?", and the exercise checks).

Point a client at :attr:`RecordingProxy.host` (or use :meth:`RecordingProxy.as_ollama_host`, which
sets ``OLLAMA_HOST`` for the duration) and every request is forwarded, byte for byte and streamed as
it arrives, to the upstream server; :attr:`RecordingProxy.exchanges` then holds the method, path,
headers, body, status, the generated text and the times the request came in, the first token went
out and the response ended. The checks use it to see that a learner's function really talked to the
local server; ``first_token_delay`` adds a known latency a correct time-to-first-token must include.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Iterator

import httpx

from labs.host import base_url, parse_host
from labs.localhttp import BackgroundHTTPServer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate", "content-length", "host", "accept-encoding"}


def token_text(obj: object) -> str:
    """The generated text in one response object or stream chunk, whatever the API.

    >>> token_text({"response": "Hi"}), token_text({"message": {"role": "assistant", "content": "Hi"}})
    ('Hi', 'Hi')
    >>> token_text({"choices": [{"delta": {"content": "Hi"}}]}), token_text({"choices": [{"text": "Hi"}]})
    ('Hi', 'Hi')
    >>> token_text({"choices": [{"message": {"content": "Hi"}}]}), token_text({"done": True}), token_text([1])
    ('Hi', '', '')
    """
    if not isinstance(obj, dict):
        return ""
    if isinstance(obj.get("response"), str):
        return obj["response"]
    if isinstance(obj.get("message"), dict):
        return obj["message"].get("content") or ""
    choices = obj.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        first = choices[0]
        for key in ("delta", "message"):
            if isinstance(first.get(key), dict):
                return first[key].get("content") or ""
        return first.get("text") or ""
    return ""


def _line_object(line: str) -> object:
    """An NDJSON line or an SSE ``data:`` line as an object (``None`` for anything else)."""
    line = line.strip()
    if line.startswith("data:"):
        line = line[5:].strip()
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


@dataclass
class Exchange:
    """One request through the proxy and what came back. Times are ``time.perf_counter()`` values."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    status: int = 0
    content_type: str = ""
    response: bytes = b""
    chunks: int = 0  # stream lines that carried generated text
    first_token_at: float | None = None
    finished_at: float | None = None
    client_left: bool = False
    pieces: list[str] = field(default_factory=list)

    @property
    def json(self) -> object:
        """The request body, decoded (``None`` when it is not JSON)."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def streamed(self) -> bool:
        return self.content_type.startswith(("application/x-ndjson", "text/event-stream"))

    @property
    def text(self) -> str:
        """The generated text the server sent back (joined stream pieces, or the one object's)."""
        if self.streamed:
            return "".join(self.pieces)
        try:
            return token_text(json.loads(self.response))
        except (ValueError, UnicodeDecodeError):
            return ""

    def summary(self) -> dict:
        """What a lesson shows: method, path, client, body fields, status, timing."""
        body = self.json
        return {"method": self.method, "path": self.path, "user-agent": self.headers.get("user-agent", ""),
                "fields": sorted(body) if isinstance(body, dict) else None, "status": self.status,
                "streamed": self.streamed, "text_chunks": self.chunks,
                "ttft_s": None if self.first_token_at is None else round(self.first_token_at - self.received_at, 4)}


class RecordingProxy(BackgroundHTTPServer):
    """``with RecordingProxy() as proxy:`` — a forwarding, recording HTTP server on a free local port.

    ``upstream`` defaults to ``OLLAMA_HOST`` as it is when the proxy is created. ``first_token_delay``
    (seconds) holds back the first chunk that carries text, and ``after_first_delay`` the rest."""

    def __init__(self, upstream: str | None = None, *, first_token_delay: float = 0.0,
                 after_first_delay: float = 0.0, timeout: float = 300.0):
        super().__init__()
        self.upstream = parse_host(upstream) if upstream is not None else base_url()
        self.first_token_delay, self.after_first_delay = first_token_delay, after_first_delay
        self.exchanges: list[Exchange] = []
        self._timeout = timeout
        self._lock = threading.Lock()

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        return Handler

    @property
    def host(self) -> str:
        """The proxy as an ``OLLAMA_HOST`` value."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @contextlib.contextmanager
    def as_ollama_host(self) -> Iterator["RecordingProxy"]:
        """Set ``OLLAMA_HOST`` to the proxy inside the block; restore it after."""
        before = os.environ.get("OLLAMA_HOST")
        os.environ["OLLAMA_HOST"] = self.host
        try:
            yield self
        finally:
            if before is None:
                os.environ.pop("OLLAMA_HOST", None)
            else:
                os.environ["OLLAMA_HOST"] = before

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def find(self, needle: str) -> list[Exchange]:
        """Exchanges whose request body contains ``needle``."""
        raw = needle.encode()
        return [e for e in self.exchanges if raw in e.body or needle in json.dumps(e.json or "", ensure_ascii=False)]


class _Handler(BaseHTTPRequestHandler):
    owner: RecordingProxy
    protocol_version = "HTTP/1.0"  # no chunked encoding: the body ends when the connection closes

    def log_message(self, format: str, *args) -> None:  # quiet: the exchanges are the log
        pass

    def _forward(self) -> None:
        proxy = self.owner
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        exchange = Exchange(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                            time.perf_counter())
        proxy.record(exchange)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        timeout = httpx.Timeout(connect=2.0, read=self._read_timeout(), write=30.0, pool=10.0)
        try:
            with httpx.Client(timeout=timeout) as client, client.stream(
                    self.command, proxy.upstream + self.path, content=body, headers=headers,
                    extensions=self._extensions()) as upstream:
                exchange.status = upstream.status_code
                exchange.content_type = upstream.headers.get("content-type", "")
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in _HOP_BY_HOP and key.lower() not in ("date", "server"):
                        self.send_header(key, value)
                self.end_headers()
                self._relay(upstream, exchange)
        except httpx.HTTPError as exc:
            exchange.status, why = self._upstream_failed(exc)
            message = json.dumps({"error": why}).encode()
            with contextlib.suppress(OSError):
                self.send_response(exchange.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(message)
        finally:
            exchange.finished_at = time.perf_counter()

    def _extensions(self) -> dict:
        """httpx request extensions for the upstream call (a subclass may trace the connection)."""
        return {}

    def _read_timeout(self) -> float:
        """Seconds one read from the upstream may wait (the reply's headers included)."""
        return self.owner._timeout

    def _upstream_failed(self, exc: httpx.HTTPError) -> tuple[int, str]:
        """(status, message) the client gets when the upstream failed with ``exc``."""
        return 502, f"recording proxy: the upstream {self.owner.upstream} failed: {exc}"

    def _relay(self, upstream: httpx.Response, exchange: Exchange) -> None:
        proxy, pending = self.owner, ""
        for raw in upstream.iter_raw():
            exchange.response += raw
            if exchange.streamed:
                pending += raw.decode("utf-8", errors="replace")
                *lines, pending = pending.split("\n")
                texts = [token_text(_line_object(ln)) for ln in lines]
                if any(texts):
                    if exchange.first_token_at is None:
                        time.sleep(proxy.first_token_delay)
                    elif proxy.after_first_delay and exchange.chunks == 1:
                        time.sleep(proxy.after_first_delay)
                for text in texts:
                    if text:
                        exchange.chunks += 1
                        exchange.pieces.append(text)
            try:
                self.wfile.write(raw)
                self.wfile.flush()
            except OSError:  # the client hung up (e.g. it stopped at the first token)
                exchange.client_left = True
                return
            if exchange.streamed and exchange.chunks and exchange.first_token_at is None:
                exchange.first_token_at = time.perf_counter()
        if exchange.first_token_at is None and exchange.text:
            exchange.first_token_at = time.perf_counter()

    do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = _forward
