"""The only way out of a submission's sandbox: a gate to the model server, in the worker, outside the sandbox.

The sandbox has its own network namespace (``bwrap --unshare-net``: loopback only), so a notebook
reaches no other kernel, no grader and no model server directly. Its ``OLLAMA_HOST`` names
``127.0.0.1:<port>`` inside the sandbox, where :mod:`labs.grading.forward` listens and passes each
connection to a Unix socket bind-mounted from the worker's private folder. :class:`Gate` serves that
socket and

* forwards only the routes a lesson uses to read and run models (:data:`ALLOWED`), and ``/api/pull`` of a
  model the server already has (lesson 2 shows a pull's progress); management (pulling a new model, create,
  delete, copy, push, blobs) and anything else gets 403 with a JSON ``error``;
* lets one request of the submission through at a time (the others wait): a notebook that starts many
  generations from threads queues behind itself, not in front of the other submissions;
* with ``turns`` (a file the grader shares between the gates of one run, locked with ``flock``), takes
  turns on the model server with the other submissions' gates, and records how long each request waited
  for them (:attr:`Gate.waits`): the worker does not charge that time to the notebook, so a submission
  that holds the server (long generations from threads) cannot make another one run out of time;
* refuses request bodies over :data:`MAX_BODY` (413) and requests beyond :data:`MAX_EXCHANGES` (429);
* records every exchange (a :class:`labs.proxy.Exchange`, streamed NDJSON/SSE text assembled): the
  evidence that the checks compare a notebook's answers with (:mod:`labs.grading.evidence`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler

import httpx

from labs.gojson import fold_key
from labs.grading.speed import BOUNDED_TOKENS, MAX_TURN, bounded
from labs.proxy import Exchange, RecordingProxy, _Handler

ALLOWED: dict[str, tuple[str, ...]] = {
    "GET": ("/", "/api/version", "/api/tags", "/api/ps", "/v1/models"),
    "HEAD": ("/",),
    "POST": ("/api/show", "/api/generate", "/api/chat", "/api/embed", "/api/embeddings", "/v1/chat/completions",
             "/v1/completions", "/v1/embeddings"),
}
"""Method → the paths (query strings ignored) a submission may call: Ollama's inference and read routes and
their OpenAI-compatible ``/v1`` equivalents; ``GET /v1/models/<name>`` too."""
NO_TURN = frozenset({("GET", "/"), ("HEAD", "/"), ("GET", "/api/version"), ("GET", "/api/tags"), ("GET", "/api/ps"),
                     ("GET", "/v1/models"), ("POST", "/api/show")})
"""Requests that run no model and answer at once: they take no turn on the model server (a lesson's ``is_up()``
waited behind another submission's generation and gave up)."""
MAX_BODY = 8 * 1024 * 1024
"""Bytes of one request body (a prompt with a few images fits; a model blob does not)."""
MAX_NO_TURN_BODY = 64 * 1024
"""Bytes of one body of a :data:`NO_TURN` request (``/api/show`` sends a model name): it takes no turn, so a larger
one would make the model server parse megabytes for the sandbox outside anything that shares the CPU fairly."""
MAX_EXCHANGES = 2000
"""Requests one submission may make (a lesson makes dozens): the record stays bounded; later ones get 429."""


def refusal(method: str, path: str) -> str:
    """Why the gate refuses ``method path`` (empty when it is allowed)."""
    route = path.split("?", 1)[0].rstrip("/") or "/"
    if route in ALLOWED.get(method, ()) or (method == "GET" and route.startswith("/v1/models/")):
        return ""
    return (f"{method} {route} is not open to graded notebooks: the grader's gate lets through only reading and "
            "running models (version, tags, show, ps, generate, chat, embed and their /v1 equivalents)")


BODY_SECONDS = 30.0
"""Seconds a client has to send a request's whole body. The body is read and checked before the request takes a
turn on the model server, so a client that sends its headers and then stalls holds nothing but its own thread."""
IO_SECONDS = 30.0
"""Seconds one read or write on a sandbox connection may stall (a client that stops reading its reply)."""
BODY_READERS = 4
"""Request bodies of one submission read at once (each up to :data:`MAX_BODY` in the worker's memory)."""
MAX_RECORDED = 64 * 1024 * 1024
"""Bytes of request and response bodies the gate keeps for the evidence of one submission; beyond it a body is
kept as its first :data:`KEPT_WHEN_FULL` bytes and the row is flagged (``Gate.dropped_bytes``)."""
KEPT_WHEN_FULL = 4096
GIVEN_UP_WAIT = 1.0
"""Seconds a request must have waited for other submissions before its client's hang-up counts against them: a client
that gives up sooner (lesson 2 shows a 0.05 s timeout on purpose) would have given up with the server to itself."""
MAX_CONNECTIONS = 64
"""Connections from the sandbox served at once (one thread each, in the worker, outside the sandbox's process limit:
a lesson opens at most a few dozen, idle keep-alive ones included);
more are closed at once. The gate serves one request of the submission at a time anyway."""



def _first_value(body: bytes, hook=None) -> tuple[object, bool]:
    """(the first JSON value of ``body`` as Ollama reads it, whether data follows it): gin's ``Decoder.Decode`` reads
    one value and ignores the rest, and Go reads bytes that are not UTF-8 as U+FFFD. Raises ``ValueError`` when the
    body does not start with a JSON value."""
    text = body.decode("utf-8", errors="replace")
    start = len(text) - len(text.lstrip(" \t\n\r"))  # Go's four whitespace characters
    try:
        value, end = json.JSONDecoder(object_pairs_hook=hook).raw_decode(text, start)
    except RecursionError as exc:
        raise ValueError("nested too deep") from exc
    return value, bool(text[end:].strip(" \t\n\r"))


def trailing_data(body: bytes) -> bool:
    """Does data follow the body's JSON value? Ollama ignores it, so the gate would check one value and the server read
    another reading; a graded notebook has no reason to send it (refused)."""
    try:
        return _first_value(body)[1]
    except ValueError:
        return False


def duplicate_key(body: bytes) -> str:
    """Why a body is refused when it has a key twice: Ollama (Go's ``encoding/json``) matches keys case-insensitively
    and the last one wins, Python's ``json`` the exact key, so the gate, the evidence and the server would read it
    differently. Returns the first key of the body's JSON value (read as :func:`_first_value`) that appears twice in
    one object when compared as Go compares them (:func:`labs.gojson.fold_key`), at any depth; "" when there is none
    or the body is not JSON."""
    found: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        seen: set[str] = set()
        for key, _ in items:
            folded = fold_key(key)
            if folded in seen and not found:
                found.append(key)
            seen.add(folded)
        return dict(items)

    try:
        _first_value(body, pairs)
    except ValueError:
        return ""
    return found[0] if found else ""


def _pull_of_a_present_model(gate: "Gate", body: bytes) -> bool:
    """Is this ``/api/pull`` body for a model the upstream server lists already (nothing new is stored)? Read as
    Ollama reads it: keys case-insensitively (a body with two spellings of a key was refused before this)."""
    import httpx

    try:
        data = {fold_key(str(k)).lower(): v for k, v in json.loads(body).items()}
        name = str(data.get("model") or data.get("name") or "")
        tags = httpx.get(gate.upstream + "/api/tags", timeout=30).json().get("models", [])
    except Exception:
        return False
    wanted = {name, f"{name}:latest"}
    return bool(name) and any(m.get("name") in wanted or m.get("model") in wanted for m in tags if isinstance(m, dict))


class _HangUpWatch:
    """Notes how long after the start a client hung up, polling while its request waits for another submission's
    turn: a client that gives up within :data:`GIVEN_UP_WAIT` (lesson 2 shows a 0.05 s timeout on purpose) would
    have given up with the server to itself, so it is no sign that others slowed the notebook."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection, self.started, self.gone_after = connection, time.perf_counter(), None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(0.05):
            if _client_gone(self.connection):
                self.gone_after = time.perf_counter() - self.started
                return

    def stop(self) -> float | None:
        """Seconds from the start to the hang-up (None: still there)."""
        self._stop.set()
        self._thread.join(1)
        return self.gone_after

    def counts_against_others(self) -> bool:
        """Did the client hang up after waiting long enough that others' turns, not its own timeout, made it give up?"""
        return self.gone_after is not None and self.gone_after >= GIVEN_UP_WAIT


def _client_gone(connection: socket.socket) -> bool:
    """Has the sandbox's client closed its side of ``connection`` (its own timeout ran out)? A lesson's client sends
    its request and then only reads, so end-of-file before its reply means it gave up waiting."""
    import select

    try:
        poll = select.poll()  # not recv(MSG_DONTWAIT): on a socket with a timeout Python waits that long first
        poll.register(connection, select.POLLIN)
        if not poll.poll(0):
            return False  # nothing to read: still there, waiting for its reply
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):  # closed meanwhile
        return True


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address):  # a thread per connection, at most MAX_CONNECTIONS
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Replay:
    """A request body already read, handed to :meth:`_Handler._forward` as if unread."""

    def __init__(self, body: bytes, rest):
        import io

        self._body, self._rest = io.BytesIO(body), rest

    def read(self, n: int = -1) -> bytes:
        return self._body.read(n)

    def __getattr__(self, name):
        return getattr(self._rest, name)


class _Bounded:
    """An upstream reply whose body stops at ``deadline`` (``time.monotonic()``): a request holds the model server
    at most :attr:`Gate.hold_seconds` (the cell limit), however long a generation it asked for."""

    def __init__(self, upstream, deadline: float, exchange: Exchange, on_cut):
        self._upstream, self._deadline, self._exchange, self._on_cut = upstream, deadline, exchange, on_cut

    def iter_raw(self):
        for raw in self._upstream.iter_raw():
            yield raw
            if time.monotonic() > self._deadline:
                self._exchange.client_left = True  # cut: the reply is incomplete
                self._on_cut()
                return

    def __getattr__(self, name):
        return getattr(self._upstream, name)


class _GateHandler(_Handler):
    timeout = IO_SECONDS  # every read and write on the sandbox's connection (headers included)

    def _answer(self, status: int, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self, length: int) -> bytes | None:
        """The whole body within :data:`BODY_SECONDS` (``None`` when the client stalled or hung up)."""
        deadline = time.monotonic() + BODY_SECONDS
        parts, left = [], length
        try:
            while left > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.connection.settimeout(min(remaining, IO_SECONDS))
                chunk = self.rfile.read1(min(left, 1 << 16)) if hasattr(self.rfile, "read1") else self.rfile.read(
                    min(left, 1 << 16))
                if not chunk:
                    return None
                parts.append(chunk)
                left -= len(chunk)
        except OSError:
            return None
        finally:
            with contextlib.suppress(OSError):
                self.connection.settimeout(IO_SECONDS)
        return b"".join(parts)

    def _gate(self) -> None:
        gate: Gate = self.owner  # type: ignore[assignment]
        pull = self.command == "POST" and self.path.split("?", 1)[0].rstrip("/") == "/api/pull"
        why = "" if pull else refusal(self.command, self.path)  # a pull is let through below, when nothing new is stored
        status = 403
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        no_turn = (self.command, self.path.split("?", 1)[0].rstrip("/") or "/") in NO_TURN
        most = MAX_NO_TURN_BODY if no_turn else MAX_BODY
        if not why and not 0 <= length <= most:
            why, status = f"a request body of {length} bytes is not between 0 and the gate's {most} bytes", 413
        body = b""
        if not why and length:
            with gate.readers:  # read and check the whole body before taking any turn
                got = self._read_body(length)
            if got is None:
                why, status = f"the request body did not arrive within {BODY_SECONDS:g} s", 408
            else:
                body = got
        if not why and trailing_data(body):
            why, status = "the request body has data after its JSON value: send one JSON object", 400
        if not why and (key := duplicate_key(body)):  # Ollama reads it as Go: case-insensitive, last wins
            why, status = (f"the request body has the key {key!r} twice (the model server reads keys case-insensitively,"
                           " the last one wins): send each key once"), 400
        if not why and pull:
            if not _pull_of_a_present_model(gate, body):
                why = "pulling a model the server does not have is not open to graded notebooks"
        if not why and len(gate.exchanges) >= MAX_EXCHANGES:
            why, status = f"this submission already made {MAX_EXCHANGES} requests to the model server", 429
        if why:
            if status != 429:
                gate.record(Exchange(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, b"", 0.0,
                                     status=status))
            gate.refused += 1
            self.close_connection = True
            return self._answer(status, why)
        self.rfile = _Replay(body, self.rfile)  # _forward reads the body again, from memory
        if no_turn:
            self._deadline = time.monotonic() + gate.hold_seconds
            return self._forward()  # runs no model: it must not wait behind a generation (`is_up()` gives up at 5 s)
        with gate.turn:  # one request of this submission at a time
            gate.queued = self.connection
            self._watch = gate.queued_watch = watch = _HangUpWatch(self.connection)
            with gate.server_turn() as waited:
                gate.queued = gate.queued_watch = None
                watch.stop()
                self._waited = waited
                if waited and _client_gone(self.connection):  # gave up while others held the server
                    if watch.counts_against_others():
                        gate.count_given_up()
                    self.close_connection = True
                    return
                started = time.monotonic()
                self._deadline = started + gate.hold_seconds
                self._cut = threading.Event()
                done = threading.Event()
                # a bounded request gets the longest turn: its work is small, and on a loaded server an honest one must
                # not be cut by a neighbour that always waits; past it it is cut too (its prompt may still be long)
                turn = MAX_TURN if bounded(self.path.split("?", 1)[0].rstrip("/"), body) else gate.turn_seconds
                threading.Thread(target=self._watch_turn, args=(started + turn, done), daemon=True).start()
                try:
                    self._forward()
                finally:
                    done.set()

    def _watch_turn(self, turn_end: float, done: threading.Event) -> None:
        """Past :attr:`Gate.turn_seconds`, and only while another submission waits for the server, cut this request:
        close its connection to the server (which stops generating), streamed or not."""
        gate: Gate = self.owner  # type: ignore[assignment]
        while not done.wait(0.25):
            if time.monotonic() >= turn_end and gate.others_waiting():
                self._cut.set()
                gate.count_cut()
                sock = getattr(self, "_upstream_socket", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                return

    def _extensions(self) -> dict:
        def trace(event: str, info: dict) -> None:  # keep the upstream socket, for _watch_turn to close
            if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
                self._upstream_socket = info["return_value"].get_extra_info("socket")
        return {"trace": trace}

    def _read_timeout(self) -> float:
        # a reply that sends nothing until it is complete ("stream": false) is bounded by the cell limit too
        return max(0.1, min(self.owner._timeout, getattr(self, "_deadline", float("inf")) - time.monotonic()))

    def _upstream_failed(self, exc) -> tuple[int, str]:
        if self._was_cut() or time.monotonic() >= getattr(self, "_deadline", float("inf")):
            if not self._was_cut():  # the cell limit passed (a cut by _watch_turn is counted there)
                self.owner.count_cut()
            return 504, ("the reply held the model server longer than one request may under labs grade while other "
                         "submissions wait (cut, the server stops generating): ask for fewer tokens (a request for at "
                         f"most {BOUNDED_TOKENS} tokens with a short prompt gets {MAX_TURN:g} s)")
        return super()._upstream_failed(exc)

    def _relay(self, upstream, exchange: Exchange) -> None:
        watch = getattr(self, "_watch", None)
        if getattr(self, "_waited", 0.0) and _client_gone(self.connection) and (  # gave up after waiting
                watch is None or watch.gone_after is None or watch.counts_against_others()):
            self.owner.count_given_up()
        try:
            super()._relay(_Bounded(upstream, getattr(self, "_deadline", float("inf")), exchange, self.owner.count_cut),
                           exchange)
        except httpx.HTTPError:
            if not self._was_cut():
                raise
        finally:
            if self._was_cut():
                exchange.client_left = True  # cut mid-reply: it ends here, incomplete
            self.owner.finished(exchange)  # type: ignore[attr-defined]

    def _was_cut(self) -> bool:
        cut = getattr(self, "_cut", None)
        return cut is not None and cut.is_set()

    do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = do_PATCH = _gate

    def address_string(self) -> str:  # a Unix socket has no client address
        return "sandbox"


class Gate(RecordingProxy):
    """``Gate(path).start()``: a filtering, recording, one-at-a-time HTTP gate on the Unix socket ``path``
    (or, with ``path=None``, on a free 127.0.0.1 port, for ``--no-sandbox`` runs), forwarding to
    ``upstream`` (default ``OLLAMA_HOST``). ``exchanges`` holds every request, refused ones too."""

    thread_name = "grading-gate"

    def __init__(self, path: str | None, upstream: str | None = None, turns: str | None = None,
                 turn_seconds: float = 600.0, hold_seconds: float | None = None):
        super().__init__(upstream)
        self.turn_seconds = turn_seconds
        """Seconds one request may hold the run's turn while another submission waits for it (then it is cut)."""
        self.hold_seconds = max(turn_seconds, hold_seconds or turn_seconds)
        """Seconds one request may hold the server at all (the cell limit): its reply is cut there."""
        self.readers = threading.BoundedSemaphore(BODY_READERS)
        self.recorded = 0  # bytes of bodies kept in :attr:`exchanges`
        self.dropped_bytes = 0  # bytes of bodies not kept (over :data:`MAX_RECORDED`)
        self.path = path
        self.turn = threading.Lock()
        self.refused = 0
        self.cuts = 0  # replies cut at the end of their turn on the server
        self.given_up = 0
        """Requests whose client gave up (closed its connection) after waiting for other submissions' turns: the
        notebook's own timeout ran out because of the others, so its row is graded again alone."""
        self.turns = turns
        self.waiting_since: float | None = None  # set while one request waits for another submission's turn
        self.queued_watch: _HangUpWatch | None = None  # the waiting request's hang-up watch
        self.queued: socket.socket | None = None  # the connection of the request taking or waiting for that turn
        self.waits: list[tuple[float, float]] = []
        """(start, end) of each wait for another submission's turn on the server, ``time.perf_counter()`` s."""

    @contextlib.contextmanager
    def server_turn(self):
        """Hold the run's turn on the model server (``flock`` on :attr:`turns`; nothing without one), recording the
        wait when another submission's gate held it. Yields the seconds this request waited for it (0.0: none)."""
        if not self.turns:
            yield 0.0
            return
        waited = 0.0
        with open(self.turns, "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another submission's request is being served: wait, uncharged
                self.waiting_since = started = time.perf_counter()
                try:
                    with open(self.turns + ".waiting", "a+b") as waiting:
                        fcntl.flock(waiting, fcntl.LOCK_SH)  # tells the holder someone waits (others_waiting)
                        fcntl.flock(lock, fcntl.LOCK_EX)
                finally:
                    self.waits.append((started, time.perf_counter()))
                    self.waiting_since = None
                    waited = self.waits[-1][1] - started
            try:
                yield waited
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def others_waiting(self) -> bool:
        """True while another submission's gate waits for the run's turn on the model server."""
        if not self.turns:
            return False
        with open(self.turns + ".waiting", "a+b") as waiting:
            try:
                fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(waiting, fcntl.LOCK_UN)
            return False

    def count_cut(self) -> None:
        with self._lock:
            self.cuts += 1

    def count_given_up(self) -> None:
        with self._lock:
            self.given_up += 1

    def given_up_so_far(self) -> int:
        """:attr:`given_up`, and the request still waiting for its turn when its client has left already (a notebook
        can finish while its abandoned request still waits)."""
        queued = self.queued
        watch = self.queued_watch
        return self.given_up + (queued is not None and self.waiting_since is not None and watch is not None
                                and watch.counts_against_others())

    def record(self, exchange: Exchange) -> None:
        """Keep ``exchange`` with its request body while the submission is under :data:`MAX_RECORDED` (after it,
        the body's first :data:`KEPT_WHEN_FULL` bytes); responses are trimmed the same way when they end
        (:meth:`finished`)."""
        with self._lock:
            if self.recorded + len(exchange.body) > MAX_RECORDED:
                self.dropped_bytes += max(0, len(exchange.body) - KEPT_WHEN_FULL)
                exchange.body = exchange.body[:KEPT_WHEN_FULL]
            self.recorded += len(exchange.body)
            self.exchanges.append(exchange)

    def finished(self, exchange: Exchange) -> None:
        """Account for ``exchange``'s response once it has ended; trim it when the budget is spent."""
        with self._lock:
            if self.recorded + len(exchange.response) > MAX_RECORDED:
                self.dropped_bytes += max(0, len(exchange.response) - KEPT_WHEN_FULL)
                exchange.response = exchange.response[:KEPT_WHEN_FULL]
                exchange.pieces = exchange.pieces[:64]
            self.recorded += len(exchange.response)

    def waited(self, start: float, end: float) -> float:
        """Seconds between ``start`` and ``end`` (``perf_counter``) this gate spent waiting for other submissions,
        a wait still in progress included."""
        spans = list(self.waits) + ([(self.waiting_since, end)] if self.waiting_since is not None else [])
        return sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        gate = self

        class Handler(_GateHandler):
            owner = gate

        return Handler

    def start(self) -> "Gate":
        if self.path is None:
            return super().start()
        if self._server is None:
            if os.path.exists(self.path):
                os.unlink(self.path)
            self._server = _UnixHTTPServer(self.path, self.handler_class())  # type: ignore[assignment]
            os.chmod(self.path, 0o666)
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name=self.thread_name,
                                            daemon=True)
            self._thread.start()
        return self
