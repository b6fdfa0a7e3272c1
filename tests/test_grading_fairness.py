"""``labs grade --jobs 2``: one submission that holds the model server cannot make another one run out of time.

The model server here is a real local HTTP server that, like the embedded one, serves one request at a time,
takes a set time per request (a long one for the hog's prompt, a short one for the honest submission's) and stops
when its client hangs up.
(It stands in for a model only so that the lengths are exact; the gate, sandbox and kernels are the real ones.)
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from labs.grading import Mark, bwrap_problem, grade
from labs.localhttp import BackgroundHTTPServer

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "fixtures" / "reference"
FULL = ROOT / "tests" / "fixtures" / "submissions" / "95_mini-full.ipynb"
HOG_SECONDS = 10.0  # one hog request holds the server this long
OWN_SECONDS = 0.5  # the honest request's own time on the server
CELL_TIMEOUT = 5  # more than the honest cell's own time, less than a hog request plus it

HOG = """\
import os, threading, time, httpx
def hog():
    end = time.time() + 60
    while time.time() < end:
        try:
            httpx.post(f"http://{os.environ['OLLAMA_HOST']}/api/generate", json={"model": "m", "prompt": "hog"}, timeout=None)
        except Exception:
            pass
for _ in range(6):
    threading.Thread(target=hog, daemon=True).start()"""
KEEP_HOGGING = "import time\ntime.sleep(2)"
HONEST = """\
import os, time, httpx
time.sleep(2)  # six of these cells: whichever kernel starts first, some land behind a hog request
reply = httpx.post(f"http://{os.environ['OLLAMA_HOST']}/api/generate", json={"model": "m", "prompt": "hi"},
                   timeout=None).json()"""


def _code(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}


def _with_cells(name: str, folder: Path, sources: list[str]) -> Path:
    nb = json.loads(FULL.read_text())
    nb["cells"][2:2] = [_code(s) for s in sources]  # after the import cell, before the exercises
    path = folder / f"95_mini-{name}.ipynb"
    path.write_text(json.dumps(nb))
    return path


class OneAtATime(BackgroundHTTPServer):
    """Serves one request at a time (the others queue), taking :data:`HOG_SECONDS` for the prompt "hog"."""

    served: list[tuple[str, float, float, bool]]  # (prompt, start, end, finished: False when the client left)

    def handler_class(self):
        lock, owner = threading.Lock(), self
        owner.served = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._send(b'{"models": [], "version": "0.0.0"}')

            def _generate(self, seconds: float) -> bool:
                """Take ``seconds``; False as soon as the client hangs up."""
                end = time.monotonic() + seconds
                self.connection.setblocking(False)
                try:
                    while time.monotonic() < end:
                        time.sleep(0.05)
                        try:
                            if self.connection.recv(1) == b"":
                                return False
                        except BlockingIOError:
                            pass
                        except OSError:
                            return False
                finally:
                    self.connection.setblocking(True)
                return True

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                prompt = str(body.get("prompt", ""))
                with lock:
                    started = time.monotonic()
                    done = self._generate(HOG_SECONDS if prompt == "hog" else OWN_SECONDS)
                    owner.served.append((prompt, started, time.monotonic(), done))
                    if not done:
                        return  # the client left (the gate cut the request): like a real server, stop generating
                self._send(json.dumps({"model": "m", "response": "ok", "done": True}).encode())
        return Handler


@pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")
def test_a_submission_that_holds_the_server_does_not_time_out_another(tmp_path, monkeypatch):
    hog = _with_cells("hog", tmp_path, [HOG] + [KEEP_HOGGING] * 30)
    honest = _with_cells("honest", tmp_path, [HONEST] * 6)
    with OneAtATime() as server:
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{server.port}")
        rows = {Path(g.submission).stem: g for g in grade([hog, honest], solutions=REFERENCE, jobs=2,
                                                           cell_timeout=CELL_TIMEOUT, notebook_timeout=300)}
    mine = [s for s in server.served if s[0] == "hi"]
    hogs = [s for s in server.served if s[0] == "hog"]
    assert mine and hogs, (server.served, {k: (g.mark, g.flags) for k, g in rows.items()})
    # a hog request (10 s) is cut at its turn's end (the cell limit, 5 s): the server stops and the turn passes on
    assert not any(done for *_, done in hogs) and all(end - start < HOG_SECONDS for _, start, end, _ in hogs), hogs
    honest_row = rows["95_mini-honest"]
    # its request queued behind the hog's (the gate measured the wait) and was not charged to its cell
    assert honest_row.mark == Mark.OK, honest_row.flags
    assert honest_row.score == honest_row.max_score
    assert any("other submissions' requests held the model server" in f for f in honest_row.flags), honest_row.flags
    assert not any("timed out" in f or "server slow" in f for f in honest_row.flags), honest_row.flags
