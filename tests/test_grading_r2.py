"""Round 2 of the hostile submissions against ``labs grade`` (issue 12; /work/attacks/issue12-r2/FINDINGS.md).

Each test keeps an input that broke the grader before the fix: the agent's own ``raised`` reply taken for
tampering (G0), a regex that was quadratic or exponential on one cell (G1), cleanup that raised on a deep tree
(G7), the gate reading a body while holding the run's turn on the model server (G4), keeping every body it saw
(G5), reading JSON keys as Python does where Ollama reads them as Go does (G8), and a ``quiz.q3`` answer made of
a constant and a token of an unrelated generation (G6). Writable places in the sandbox (G2/G3) and its memory
(G9) are graded by the ``filler``/``deep_tree`` fixtures in tests/test_grading.py's run and the check here.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from labs.grading import Mark, bwrap_problem, grade
from labs.grading import evidence
from labs.grading import gate as gate_module
from labs.grading.agent import _handle, call_reply, get_reply
from labs.grading.gate import Gate, duplicate_key
from labs.grading.grader import _assemble, remove_tree, review, review_capped
from labs.grading.protocol import REPLY_FIELDS, Kind, is_reply, reply
from labs.grading.results import WorkerResult
from labs.grading.worker import ONLY_CHECKS
from labs.localhttp import BackgroundHTTPServer
from labs.proxy import Exchange

ROOT = Path(__file__).resolve().parent.parent
needs_sandbox = pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")


# --- G0: every reply the agent can send is one the worker accepts (one definition, protocol.reply)

def test_every_reply_kind_the_agent_sends_is_accepted():
    def fine(x):
        return {"x": x}

    def raises(x):
        raise ValueError("not done yet")

    def interrupted(x):  # what the cell time limit does to a call: KeyboardInterrupt in the kernel
        raise KeyboardInterrupt

    def times_out(x):
        raise TimeoutError("the server did not answer")

    handles = {fn.__name__: _handle(fn)["handle"] for fn in (fine, raises, interrupted, times_out)}
    replies = {name: call_reply(handle, [1], {}, {}) for name, handle in handles.items()}
    replies |= {"missing": get_reply("nope", {}), "function": get_reply("f", {"f": fine}),
                "data": get_reply("v", {"v": (1, 2)})}
    assert {r["kind"] for r in replies.values()} == set(REPLY_FIELDS) == {k.value for k in Kind}
    for name, got in replies.items():
        assert is_reply(json.loads(json.dumps(got))), (name, got)  # as it crosses the kernel's display channel
    assert replies["raises"]["type"] == "ValueError" and replies["raises"]["interrupted"] is False
    assert replies["interrupted"]["interrupted"] is True and replies["times_out"]["type"] == "TimeoutError"
    assert replies["fine"] == {"kind": "data", "value": {"x": 1}}
    forged = {**replies["fine"], "points": 99}
    assert not is_reply(forged) and not is_reply({"kind": ["data"]}) and not is_reply([1])
    with pytest.raises(ValueError, match="fields"):
        reply(Kind.RAISED, type="X", message="no interrupted field")


# --- G1: the static review and the worker's check-cell pattern are linear; the review has a time cap

def _fastest(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("cell", ["\n", "labs.quiz.", " check(", "exercises.x "])
def test_the_static_review_is_linear_in_a_cells_length(cell):
    """The time grows with the text's length, not its square (the `^\\s*` pattern did: 1,000,000 newlines for hours)."""
    def nb(n):
        return {"cells": [{"cell_type": "code", "source": cell * n}]}

    small, big = nb(2_000), nb(200_000)  # 100x: about 100x the time when linear, 10,000x when quadratic
    ratio = _fastest(lambda: review(big, None)) / max(_fastest(lambda: review(small, None), 7), 1e-6)
    assert ratio < 1000, f"{cell!r}: 100x the text took {ratio:.0f}x the time"


def test_a_check_only_cell_pattern_is_linear():
    """`check('a')` then spaces, 30 times, then junk: the old pattern backtracked through every way to split the
    spaces (exponential); it must answer at once, whatever the count."""
    def cell(n):
        return ("check('quiz.q1')" + " " * 12) * n + "x"

    # 100x the text: about 100x the time when linear, 10,000x when quadratic (a loaded machine blurs a 10x step)
    ratio = _fastest(lambda: ONLY_CHECKS.fullmatch(cell(30_000)), 7) / max(
        _fastest(lambda: ONLY_CHECKS.fullmatch(cell(300)), 7), 1e-6)
    assert ratio < 1000 and not ONLY_CHECKS.fullmatch(cell(30))
    assert ONLY_CHECKS.fullmatch("check('quiz.q1')\n") and ONLY_CHECKS.fullmatch("check('a'); check('b')")


def test_the_review_runs_in_its_own_process_under_a_time_cap():
    nb = {"cells": [{"cell_type": "code", "source": " check = 1"}]}
    assert review_capped(nb, None) == review(nb, None) == ([], ["cell 1 rebinds check"])
    cells, suspicious = review_capped(nb, None, seconds=0.001)  # no process starts that fast: the cap's path
    assert cells == [] and suspicious == ["the static review ran past 0.001 s and was stopped (a pathological cell)"]


# --- G7: cleanup never raises and removes what the sandbox left

def test_cleanup_removes_a_deep_tree_and_folders_without_permissions(tmp_path):
    top = tmp_path / "work"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for _ in range(3000):  # shutil.rmtree (Python < 3.12) raised RecursionError here, even with ignore_errors
        os.mkdir("d", dir_fd=fd)
        fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    os.close(fd)
    (top / "locked").mkdir()
    (top / "locked" / "f").write_text("x")
    (top / "locked").chmod(0)
    assert remove_tree(top) == "" and not top.exists()
    assert remove_tree(tmp_path / "never-there") == ""


# --- the gate (G4, G5, G8): a real gate on a Unix socket in front of a real local HTTP server

class _Upstream(BackgroundHTTPServer):
    """Answers every request 200 with a small JSON body; ``/api/generate`` with ``{"slow": true}`` streams a line
    every 0.1 s for as long as it is read (a generation with a huge num_predict)."""

    def handler_class(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                body = json.dumps({"models": [{"name": "smollm2:135m", "model": "smollm2:135m"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                if data.get("slow"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-ndjson")
                    self.end_headers()
                    try:
                        for _ in range(10_000):
                            self.wfile.write(b'{"response": "tok"}\n')
                            self.wfile.flush()
                            time.sleep(0.1)
                    except OSError:
                        return
                    return
                body = json.dumps({"status": "success", "response": "ok", "done": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        return Handler


def _client(path: Path, **kwargs) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(uds=str(path)), base_url="http://sandbox", **kwargs)


@pytest.fixture
def upstream():
    with _Upstream() as server:
        yield f"127.0.0.1:{server.port}"


def test_a_stalled_body_holds_no_turn_and_is_refused(tmp_path, upstream, monkeypatch):
    """Headers with Content-Length 8,000,000 and one byte of body, then nothing: another submission's gate (same
    run, same turns file) is served at once, and the stalled request gets 408 when its body deadline passes."""
    monkeypatch.setattr(gate_module, "BODY_SECONDS", 3.0)
    turns = tmp_path / "server.lock"
    turns.touch()
    hog = Gate(str(tmp_path / "hog.sock"), upstream, str(turns)).start()
    honest = Gate(str(tmp_path / "honest.sock"), upstream, str(turns)).start()
    try:
        stall = socket.socket(socket.AF_UNIX)
        stall.connect(str(tmp_path / "hog.sock"))
        stall.sendall(b"POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n{")
        time.sleep(0.5)  # the hog's handler is now reading its body
        started = time.perf_counter()
        with _client(tmp_path / "honest.sock", timeout=60) as client:
            assert client.post("/api/generate", json={"model": "m", "prompt": "hi"}).status_code == 200
        served_in = time.perf_counter() - started
        assert served_in < gate_module.BODY_SECONDS and honest.waits == [], (served_in, honest.waits)
        stall.settimeout(30)
        answer = b""
        while chunk := stall.recv(4096):
            answer += chunk
        assert answer.startswith(b"HTTP/1.0 408") and b"did not arrive within" in answer, answer[:200]
        assert hog.refused == 1
    finally:
        stall.close()
        hog.stop()
        honest.stop()


def test_a_turn_is_held_at_most_turn_seconds(tmp_path, upstream):
    """A generation that would stream for 1000 s is cut at the gate's turn limit, and the next request is served."""
    turns = tmp_path / "server.lock"
    turns.touch()
    hog = Gate(str(tmp_path / "hog.sock"), upstream, str(turns), turn_seconds=1.0).start()
    other = Gate(str(tmp_path / "other.sock"), upstream, str(turns)).start()
    try:
        results = {}

        def long():
            with _client(tmp_path / "hog.sock", timeout=120) as client:
                started = time.perf_counter()
                client.post("/api/generate", json={"slow": True}).read()
                results["held"] = time.perf_counter() - started

        thread = threading.Thread(target=long)
        thread.start()
        time.sleep(0.3)
        with _client(tmp_path / "other.sock", timeout=120) as client:
            assert client.post("/api/generate", json={"prompt": "hi"}).status_code == 200
        thread.join(60)
        assert not thread.is_alive() and results["held"] < 10 * hog.turn_seconds, results  # not the 1000 s it asked
        assert other.waits and hog.exchanges[0].client_left
    finally:
        hog.stop()
        other.stop()


def test_keys_are_read_as_the_model_server_reads_them(tmp_path, upstream):
    """Go's JSON matches keys case-insensitively, the last one winning: a body with `model` and `Model` was a pull of
    a present model to the gate and of any model to a real Ollama. Such bodies are refused."""
    assert duplicate_key(b'{"model": "a", "Model": "b"}') == "Model"
    assert duplicate_key(b'{"options": {"stop": [], "STOP": ["x"]}}') == "STOP"
    assert duplicate_key('{"ſtream": true, "stream": false}'.encode()) == "stream"  # long s folds to s, as in Go
    assert duplicate_key(b'{"model": "a", "prompt": "b"}') == "" and duplicate_key(b"not json") == ""
    assert duplicate_key('{"kind": 1, "\u212aIND": 2}'.encode()) == "\u212aIND"  # the Kelvin sign folds to K in Go
    assert duplicate_key('{"stra\u00dfe": 1, "strasse": 2}'.encode()) == ""  # ß is not ss in Go (str.casefold says so)
    gate = Gate(str(tmp_path / "g.sock"), upstream).start()
    try:
        with _client(tmp_path / "g.sock", timeout=60) as client:
            sneaky = b'{"model": "smollm2:135m", "Model": "attacker.example/x/huge:latest", "insecure": true}'
            refused = client.post("/api/pull", content=sneaky)
            assert refused.status_code == 400 and "twice" in refused.json()["error"], refused.text
            two_prompts = client.post("/api/generate", content=b'{"model": "m", "prompt": "asked", "Prompt": "other"}')
            assert two_prompts.status_code == 400
            assert client.post("/api/pull", json={"Model": "smollm2:135m"}).status_code == 200  # read as Go reads it
            assert client.post("/api/pull", json={"MODEL": "not-here:1b"}).status_code == 403
    finally:
        gate.stop()


def test_the_record_of_bodies_is_capped_and_the_row_says_so(tmp_path, upstream, monkeypatch):
    """260 bodies of 8 MB grew the worker to 2.2 GB; now the record keeps at most MAX_RECORDED bytes of bodies."""
    monkeypatch.setattr(gate_module, "MAX_RECORDED", 192 * 1024)
    gate = Gate(str(tmp_path / "g.sock"), upstream).start()
    # /api/show takes no turn, so its body is at most MAX_NO_TURN_BODY (64 KiB): 12 bodies just under it
    body = json.dumps({"model": "nope", "pad": "x" * (gate_module.MAX_NO_TURN_BODY - 64)}).encode()
    try:
        with _client(tmp_path / "g.sock", timeout=60) as client:
            for _ in range(12):
                assert client.post("/api/show", content=body).status_code == 200
    finally:
        gate.stop()
    kept = sum(len(e.body) + len(e.response) for e in gate.exchanges)
    assert kept <= gate_module.MAX_RECORDED + 12 * 2 * gate_module.KEPT_WHEN_FULL, kept
    assert gate.dropped_bytes >= 12 * len(body) - gate_module.MAX_RECORDED - 12 * gate_module.KEPT_WHEN_FULL
    row = _assemble(Path("x-95_mini.ipynb"), Path("95_mini.ipynb"), [], {}, [],
                    WorkerResult(gate_dropped_bytes=gate.dropped_bytes, memory_limit="memory cgroup"), "", 1.0)
    assert row.mark == Mark.OK and any("the gate kept only part" in f for f in row.flags), row.flags


# --- G6: quiz.q3's evidence is the reply to THAT prompt, and the answer is mostly its text

def _exchange(prompt: str, text: str, **body) -> Exchange:
    e = Exchange("POST", "/api/generate", {}, json.dumps({"model": "m", "prompt": prompt, **body}).encode(), 0.0,
                 status=200, content_type="application/json")
    e.response = json.dumps({"response": text, "done": True, "eval_count": 3}).encode()
    return e


def test_the_answer_must_be_the_servers_reply_to_the_prompt(monkeypatch):
    prompt = "Name one reason to run a language model locally."
    honest = "Privacy: the data never leaves your machine."
    every_char = [chr(c) for c in range(33, 127)]
    cases = {  # the round-2 forgeries, then the honest case
        "stops": ([_exchange(prompt, "", options={"stop": every_char}), _exchange("1.", "7", raw=True)],
                  "Running locally keeps 1 thing private: your data. 0123456789 7"),
        "blank": ([_exchange(prompt, "\n    ", options={"stop": every_char})], "anything at all"),
        "first_token": ([_exchange(prompt, "A", options={"num_predict": 1})], "A constant sentence about privacy."),
        "other_prompt": ([_exchange("unrelated", honest)], honest),
    }
    for name, (exchanges, returned) in cases.items():
        monkeypatch.setattr(evidence, "_RECORDED", exchanges)
        assert evidence.answer_problem(prompt, returned), name
    monkeypatch.setattr(evidence, "_RECORDED", [_exchange("warm up", "hi"), _exchange(prompt, honest)])
    assert evidence.answer_problem(prompt, honest) == "" and evidence.answer_problem(prompt, honest + "\n") == ""
    assert "stop strings" in (monkeypatch.setattr(evidence, "_RECORDED", [_exchange(prompt, honest, stop=every_char)])
                              or evidence.answer_problem(prompt, honest))


# --- end to end, on the live model server: G0 and G6 in the real 05 notebook

RAISES = '''
def ask_local(prompt: str) -> str:  # an honest, unfinished function
    raise ValueError("not done yet")
'''
STOPS_FORGE = '''
import httpx, os, string

def ask_local(prompt: str) -> str:  # round 2's q3 forgery: the prompt with every character a stop string, then
    host = f"http://{os.environ['OLLAMA_HOST']}"  # one token of an unrelated prompt inside a constant
    stops = [c for c in string.printable if not c.isspace()]
    with httpx.Client(timeout=120) as c:
        c.post(f"{host}/api/generate", json={"model": "smollm2:135m", "prompt": prompt, "stream": False,
                                              "options": {"stop": stops, "temperature": 0}})
        t = c.post(f"{host}/api/generate", json={"model": "smollm2:135m", "prompt": "1.", "raw": True, "stream": False,
                                                  "options": {"num_predict": 1, "temperature": 0}}).json()["response"]
    return "Running locally keeps 1 thing private: your data. 0123456789 " + t
'''


def _with_ask_local(folder: Path, name: str, code: str) -> Path:
    nb = json.loads((ROOT / "solutions" / "05_check_yourself.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "def ask_local" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).split("def ask_local")[0] + code
    path = folder / f"{name}-05_check_yourself.ipynb"
    path.write_text(json.dumps(nb))
    return path


@needs_sandbox
def test_a_raising_function_is_the_learners_error_and_a_forged_q3_earns_nothing(server_url, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    raises, forged = grade([_with_ask_local(tmp_path, "raises", RAISES), _with_ask_local(tmp_path, "forged", STOPS_FORGE)],
                           solutions=ROOT / "solutions", cell_timeout=120, notebook_timeout=400, jobs=2)
    q3 = next(e for e in raises.exercises if e.id == "quiz.q3")
    assert raises.mark != Mark.TAMPERED and not any("cannot have sent" in f for f in raises.flags), raises.flags
    assert "not done yet" in q3.feedback() and "rewrote" not in q3.feedback(), q3.feedback()
    assert raises.score == raises.max_score - q3.max_points, raises
    q3 = next(e for e in forged.exercises if e.id == "quiz.q3")
    assert q3.points == 0, q3.feedback()
    assert forged.score == forged.max_score - q3.max_points, forged
