"""Round 3 of the outside attack on ``labs grade`` (/work/attacks/issue12-r3): each class it found, kept as a test.

N1 a forged quiz q3 (the model forced to print a constant by a ``format`` enum, the prompt in an unused field);
N2 a ``"stream": false`` request held the run's turn on the server past its limit, and a neighbour lost points;
N3 one thread per sandbox connection in the worker, without a bound; N4 one 1 GB ``print`` took the worker to
2.9 GB; N6 body keys read case-sensitively where Ollama reads them as Go does.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from labs.grading import Limits, Mark, bwrap_problem, grade
from labs.grading import evidence
from labs.grading.gate import MAX_CONNECTIONS, Gate
from labs.grading.speed import MAX_TURN, MIN_TURN, TURN_TOKENS, ServerSpeed, turn_seconds
from labs.localhttp import BackgroundHTTPServer
from labs.proxy import Exchange

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "fixtures" / "reference"
SUBMISSIONS = ROOT / "tests" / "fixtures" / "submissions"
needs_sandbox = pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")
PROMPT = "Name one reason to run a language model locally."
ANSWER = "Privacy: the data never leaves your machine."


# --- N1, N6: what counts as the model's answer to the prompt

def _exchange(path: str, body: dict, text: str) -> Exchange:
    e = Exchange("POST", path, {}, json.dumps(body).encode(), 0.0, status=200, content_type="application/json")
    reply = ({"choices": [{"message": {"role": "assistant", "content": text}}]} if path.startswith("/v1")
             else {"message": {"role": "assistant", "content": text}, "done": True} if path == "/api/chat"
             else {"response": text, "done": True})
    e.response = json.dumps(reply).encode()
    return e


HONEST = {
    "openai chat": ("/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": PROMPT}],
                                             "temperature": 0, "seed": 42, "max_tokens": 24}),
    "ollama-python generate": ("/api/generate", {"model": "m", "prompt": PROMPT, "suffix": "", "system": None,
                                                 "template": None, "context": None, "stream": False, "raw": None,
                                                 "format": None, "images": None, "options": {"temperature": 0}}),
    "prompt with spaces around": ("/api/chat", {"model": "m", "messages": [{"role": "user", "content": f" {PROMPT}\n"}]}),
    "content parts": ("/v1/chat/completions", {"model": "m", "messages": [
        {"role": "user", "content": [{"type": "text", "text": PROMPT}]}]}),
}
FORGED = {
    "format enum (the attack)": ("/api/generate", {"model": "m", "prompt": "Say it.", "note": PROMPT,
                                                   "format": {"enum": [ANSWER]}}, "prompt alone"),
    "format enum with the prompt": ("/api/generate", {"model": "m", "prompt": PROMPT, "format": {"enum": [ANSWER]}},
                                    "`format`"),
    "capitalised Format": ("/api/generate", {"model": "m", "prompt": PROMPT, "Format": {"enum": [ANSWER]}},
                           "`format`"),
    "raw template": ("/api/generate", {"model": "m", "prompt": PROMPT, "raw": True}, "`raw`"),
    "template": ("/api/generate", {"model": "m", "prompt": PROMPT, "template": ANSWER}, "`template`"),
    "openai response_format": ("/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": PROMPT}],
                                                        "response_format": {"type": "json_schema"}},
                               "`response_format`"),
    "echo": ("/v1/completions", {"model": "m", "prompt": PROMPT, "echo": True}, "`echo`"),
    "prompt only in the system message": ("/api/chat", {"model": "m", "messages": [
        {"role": "system", "content": PROMPT}, {"role": "user", "content": "Say: " + ANSWER}]}, "prompt alone"),
    "assistant prefill": ("/api/chat", {"model": "m", "messages": [
        {"role": "user", "content": PROMPT}, {"role": "assistant", "content": ANSWER}]}, "prompt alone"),
    "stops in upper case (N6)": ("/api/generate", {"model": "m", "prompt": PROMPT,
                                                   "OPTIONS": {"STOP": list("abcdefgh")}}, "stop strings"),
    "long s in stop (Go folds it)": ("/api/generate", {"model": "m", "prompt": PROMPT,
                                                       "options": {"ſtop": list("abcdefgh")}}, "stop strings"),
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_an_honest_request_is_evidence(name, monkeypatch):
    path, body = HONEST[name]
    monkeypatch.setattr(evidence, "_RECORDED", [_exchange(path, body, ANSWER)])
    assert evidence.answer_problem(PROMPT, ANSWER) == ""


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_request_that_decides_the_answer_is_not_evidence(name, monkeypatch):
    path, body, why = FORGED[name]
    monkeypatch.setattr(evidence, "_RECORDED", [_exchange(path, body, ANSWER)])
    assert why in evidence.answer_problem(PROMPT, ANSWER)


# --- N2, N3: the gate bounds every request's hold on the server, and its own threads

class _Upstream(BackgroundHTTPServer):
    """A stand-in model server that answers ``{"slow": true}`` only after 1000 s, sending nothing before."""

    def handler_class(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                body = b'{"version": "0.0.0"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                deadline = time.monotonic() + (1000 if data.get("slow") else float(data.get("seconds", 0)))
                while time.monotonic() < deadline:  # "stream": false: nothing until the generation is done
                    time.sleep(0.05)
                    try:
                        self.connection.setblocking(False)
                        if self.connection.recv(1) == b"":
                            return  # the client left: a real server stops generating
                    except BlockingIOError:
                        pass
                    finally:
                        self.connection.setblocking(True)
                body = json.dumps({"response": "ok", "done": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        return Handler


@pytest.fixture
def upstream():
    with _Upstream() as server:
        yield f"127.0.0.1:{server.port}"


def _client(path: Path, **kwargs) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(uds=str(path)), base_url="http://sandbox", **kwargs)


def test_a_reply_that_sends_nothing_until_done_is_cut_at_the_turn(tmp_path, upstream):
    """N2: `"stream": false` sends no byte until the generation ends, so the cut on arriving chunks never fired; the
    neighbour waited 143 s. Now the hog gets 504 at its turn's end and the neighbour is served."""
    turns = tmp_path / "server.lock"
    turns.touch()
    hog = Gate(str(tmp_path / "hog.sock"), upstream, str(turns), turn_seconds=1.0).start()
    other = Gate(str(tmp_path / "other.sock"), upstream, str(turns)).start()
    try:
        results = {}

        def long():
            with _client(tmp_path / "hog.sock", timeout=300) as client:
                started = time.perf_counter()
                results["reply"] = client.post("/api/generate", json={"slow": True, "stream": False})
                results["held"] = time.perf_counter() - started

        thread = threading.Thread(target=long)
        thread.start()
        time.sleep(0.3)
        started = time.perf_counter()
        with _client(tmp_path / "other.sock", timeout=300) as client:
            assert client.post("/api/generate", json={"prompt": "hi"}).status_code == 200
        waited = time.perf_counter() - started
        thread.join(120)
        assert not thread.is_alive()
        assert results["reply"].status_code == 504 and "ask for fewer tokens" in results["reply"].json()["error"]
        assert results["held"] < 30 * hog.turn_seconds and waited < 30 * hog.turn_seconds, (results, waited)
        assert other.waits
    finally:
        hog.stop()
        other.stop()


def test_a_long_reply_is_not_cut_while_nobody_waits(tmp_path, upstream):
    """The turn limit protects a waiting submission; alone, a reply may run to the cell limit (the regrade's Ukrainian
    lesson 0 lost a cell to a cut at a loaded machine's 20 s when nobody was waiting)."""
    turns = tmp_path / "server.lock"
    turns.touch()
    gate = Gate(str(tmp_path / "g.sock"), upstream, str(turns), turn_seconds=0.5, hold_seconds=60).start()
    try:
        with _client(tmp_path / "g.sock", timeout=60) as client:
            reply = client.post("/api/generate", json={"seconds": 2.0, "stream": False})
        assert reply.status_code == 200 and gate.cuts == 0, reply.text
    finally:
        gate.stop()


def test_a_request_that_runs_no_model_takes_no_turn(tmp_path, upstream):
    """The regrade's Ukrainian lesson 2 lost its mark: `is_up()` (GET /api/version, 5 s) waited behind the other
    submission's generation. Version, tags, ps, show and the root answer at once, whoever holds the server."""
    turns = tmp_path / "server.lock"
    turns.touch()
    hog = Gate(str(tmp_path / "hog.sock"), upstream, str(turns), turn_seconds=600.0).start()
    other = Gate(str(tmp_path / "other.sock"), upstream, str(turns)).start()
    def hold():
        with _client(tmp_path / "hog.sock", timeout=5) as client, contextlib.suppress(httpx.TimeoutException):
            client.post("/api/generate", json={"slow": True, "stream": False})

    thread = threading.Thread(target=hold, daemon=True)
    try:
        thread.start()
        time.sleep(0.5)  # the hog holds the run's turn for its 1000 s generation
        started = time.perf_counter()
        with _client(tmp_path / "other.sock", timeout=30) as client:
            assert client.get("/api/version").status_code == 200
            with pytest.raises(httpx.ReadTimeout):  # a generation still takes turns
                client.post("/api/generate", json={"prompt": "hi"}, timeout=1.0)
        assert time.perf_counter() - started < 20 and other.waiting_since is not None
    finally:
        hog.stop()
        other.stop()


def test_a_turn_is_a_few_requests_worth_at_the_measured_speed():
    speed = ServerSpeed(url="http://x", model="m", tokens_per_s=5.0)
    assert turn_seconds(600.0, speed) == TURN_TOKENS / 5.0
    assert turn_seconds(600.0, ServerSpeed(url="http://x", model="m", tokens_per_s=1e6)) == MIN_TURN
    assert turn_seconds(10.0, speed) == 10.0 and turn_seconds(60.0, None) == MAX_TURN


def test_the_gate_serves_a_bounded_number_of_connections(tmp_path, upstream):
    """N3: 1500 idle connections made 1508 worker threads; now at most MAX_CONNECTIONS are served, the rest closed,
    and a request after them is served."""
    gate = Gate(str(tmp_path / "g.sock"), upstream).start()
    before = threading.active_count()
    stalls = []
    try:
        for _ in range(4 * MAX_CONNECTIONS):
            s = socket.socket(socket.AF_UNIX)
            s.connect(str(tmp_path / "g.sock"))
            stalls.append(s)
        time.sleep(1.0)
        assert threading.active_count() - before <= MAX_CONNECTIONS + 1
        for s in stalls:
            s.close()
        deadline = time.monotonic() + 60
        while True:  # the stalled handlers see their clients gone and free their slots
            try:
                with _client(tmp_path / "g.sock", timeout=30) as client:
                    assert client.post("/api/generate", json={"prompt": "hi"}).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        for s in stalls:
            s.close()
        gate.stop()


# --- N4: a message over the cap never enters the worker's memory

def test_a_message_over_the_cap_is_dropped_unread_and_the_channel_comes_back(tmp_path):
    """ZeroMQ drops the connection at a frame over the cap (its size comes first), so the worker never holds the big
    message; it does not reconnect by itself, so the worker connects a new output socket, and what follows arrives."""
    import asyncio
    from types import SimpleNamespace

    import zmq

    from labs.grading.worker import _bounded_context, _reconnect_if_dropped

    async def exchange() -> tuple[list[bytes], list[bool]]:
        url = f"ipc://{tmp_path}/iopub"
        pub_ctx, sub_ctx = zmq.Context(), _bounded_context(1 << 20)
        pub = pub_ctx.socket(zmq.PUB)
        pub.bind(url)

        def connect_iopub():  # what jupyter_client's KernelClient.connect_iopub does
            sock = sub_ctx.socket(zmq.SUB)
            sock.setsockopt(zmq.SUBSCRIBE, b"")
            sock.connect(url)
            return sock

        kc = SimpleNamespace(iopub_channel=SimpleNamespace(socket=connect_iopub()), connect_iopub=connect_iopub)
        dropped = [_reconnect_if_dropped(kc)]  # arms the watch
        received: list[bytes] = []

        async def until_small() -> None:
            deadline = time.monotonic() + 20
            while b"small" not in received:
                assert time.monotonic() < deadline, "nothing arrived"
                pub.send(b"small")
                try:
                    received.append(await asyncio.wait_for(kc.iopub_channel.socket.recv(), 0.2))
                except asyncio.TimeoutError:
                    pass

        try:
            await until_small()
            dropped.append(_reconnect_if_dropped(kc))  # nothing dropped yet
            pub.send(b"x" * (8 << 20))
            await asyncio.sleep(0.5)
            dropped.append(_reconnect_if_dropped(kc))
            received.clear()
            await until_small()
        finally:
            kc.iopub_channel.socket.close(0)
            kc.iopub_channel.labs_events.close(0)
            pub.close(0)
            pub_ctx.term()
            sub_ctx.term()
        return received, dropped

    received, dropped = asyncio.run(exchange())
    assert dropped == [False, False, True]
    assert received and all(len(m) < (1 << 20) for m in received)


@needs_sandbox
def test_a_huge_print_leaves_the_run_and_the_marks_standing(tmp_path):
    """N4 end to end: one 64 MiB ``print`` (over the message cap, 8 × the output cap) is dropped; the exercises
    around it are graded."""
    nb = json.loads((SUBMISSIONS / "95_mini-full.ipynb").read_text(encoding="utf-8"))
    (answer,) = [c for c in nb["cells"] if "q1_choices" in "".join(c["source"])]
    answer["source"] = "print('x' * (64 << 20))\n" + "".join(answer["source"])
    path = tmp_path / "95_mini-bigprint.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    (g,) = grade([path], solutions=REFERENCE, cell_timeout=120, notebook_timeout=300, limits=Limits(output_kib=512))
    assert g.mark not in (Mark.CRASHED, Mark.TIMEOUT, Mark.WORKER_DIED, Mark.GRADER_ERROR), (g.mark, g.flags)
    assert g.score == g.max_score, (g.flags, [e.feedback() for e in g.exercises])
    assert any("dropped unread" in f for f in g.flags), g.flags
    assert any("MB of the notebook's output was dropped" in f for f in g.flags), g.flags  # CI: the 20 MB print flood


# --- N5: names that read as another student's

def test_names_that_look_alike_are_one_student_and_show_what_they_hide(tmp_path):
    from labs.grading.intake import safe_text, same_student

    names = ["mallory-95_mini.ipynb", "mallory\u200b-95_mini.ipynb", "MALLORY\u2060-95_mini-v2.ipynb",
             "mаllory-95_mini.ipynb"]  # plain; zero-width space; word joiner, upper case; a Cyrillic "а"
    paths = []
    for name in names:
        (tmp_path / name).write_text("{}")
        paths.append(tmp_path / name)
    flags = same_student(paths, REFERENCE)
    assert set(flags) == set(paths) and all("4 files" in f for f in flags.values()), flags
    assert safe_text("mallory\u200b") == "mallory\\u200b"
    assert safe_text("report\u202eblah.ipynb") == "report\\u202eblah.ipynb"  # a right-to-left override is shown
    assert safe_text("олена-01 ok.ipynb") == "олена-01 ok.ipynb"  # Cyrillic and spaces are as they are
