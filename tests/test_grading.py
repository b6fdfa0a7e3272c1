"""``labs grade`` on real sandboxed kernels: honest, broken and hostile submissions, and the real 05 notebook.

One module-scoped run grades every fixture of tests/fixtures/submissions (plus the files the test
writes: not-notebooks, a symbolic link, a file that matches no exercise, two files from one student)
with ``--jobs 2``, and a copy of the full submission right after each hostile one.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from labs.grading import Mark, bwrap_problem, find_reference, grade, read_notebook, review, submissions_in
from labs.grading.agent import to_data
from labs.grading.intake import Refusal
from labs.grading.remote import from_data
from labs.grading.report import write_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SUBMISSIONS = FIXTURES / "submissions"
REFERENCE = FIXTURES / "reference"



def _timeouts() -> dict[str, float]:
    """Time limits derived from this machine: how long the full fixture takes to grade here, with room to spare
    (a loaded 2-core CI box starts kernels many times slower than a laptop)."""
    if NO_SANDBOX is not None:
        return dict(cell_timeout=10, notebook_timeout=40)
    started = time.perf_counter()
    grade([SUBMISSIONS / "95_mini-full.ipynb"], solutions=REFERENCE, cell_timeout=600, notebook_timeout=600)
    once = time.perf_counter() - started
    return dict(cell_timeout=round(max(10.0, 2 * once)), notebook_timeout=round(max(40.0, 5 * once)))
NO_SANDBOX = bwrap_problem()
needs_sandbox = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox here: {NO_SANDBOX} "
                                   "(CI installs bubblewrap from scripts/apt-packages.txt)")


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_submissions", FIXTURES / "make_submissions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _fixture_module()


def _daemons() -> list[int]:
    """Processes on this machine (outside any sandbox) whose command line carries the daemon's mark."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if MAKE.DAEMON_MARK.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def fast() -> dict[str, float]:
    return _timeouts()


@pytest.fixture(scope="module")
def report(tmp_path_factory, fast):
    """One `labs grade` run over every fixture, as an instructor would type it."""
    out = tmp_path_factory.mktemp("report")
    submissions = tmp_path_factory.mktemp("graded") / "submissions"
    shutil.copytree(SUBMISSIONS, submissions)
    full = (SUBMISSIONS / "95_mini-full.ipynb").read_text()
    for name in MAKE.HOSTILE:
        (submissions / f"95_mini-{name}_after.ipynb").write_text(full)
    for name, text in MAKE.BROKEN.items():
        (submissions / f"95_mini-{name}.ipynb").write_text(text)
    (submissions / "95_mini-not_utf8.ipynb").write_bytes(b'{"cells": ["\xff\xfe"]}')
    (submissions / "95_mini-link.ipynb").symlink_to(ROOT / "grading" / "hidden" / "quiz.py")
    (submissions / "bob.ipynb").write_text(full)  # matches no exercise notebook
    (submissions / "alice-95_mini.ipynb").write_text(full)
    (submissions / "alice-95_mini-v2.ipynb").write_text(full)
    (submissions / os.fsdecode(b"\xff\xfe-95_mini.ipynb")).write_text(full)  # a name from a cp1251 zip: not UTF-8
    (submissions / "upper-95_mini.IPYNB").write_text(full)
    (submissions / "dirsub-95_mini.ipynb").mkdir()  # a folder named like a notebook
    for folder, names in (("carol", ("95_mini.ipynb", "95_mini-v2.ipynb")), ("Dan", ("dan-95_mini.ipynb", "DAN-95_mini.ipynb"))):
        (submissions / folder).mkdir()
        for name in names:
            (submissions / folder / name).write_text(full)
    before = {p.name: p.read_bytes() for p in submissions.iterdir() if p.is_file() and not p.is_symlink()}
    run = subprocess.run(
        [sys.executable, "-m", "labs.cli", "grade", str(submissions), "--solutions", str(REFERENCE), "--out", str(out),
         "--cell-timeout", str(fast["cell_timeout"]), "--notebook-timeout", str(fast["notebook_timeout"]), "--jobs", "2"],
        capture_output=True, text=True, cwd=ROOT)
    daemons = _daemons()
    for pid in daemons:  # never leave one behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert run.returncode == 0, run.stderr
    time.sleep(1)  # anything left alive would write again now
    rows = {Path(r["submission"]).name: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    after = {p.name: p.read_bytes() for p in submissions.iterdir() if p.is_file() and not p.is_symlink()}
    return dict(out=out, rows=rows, stdout=run.stdout, daemons=daemons, before=before, after=after)


def test_fixtures_are_up_to_date(tmp_path):
    MAKE.main(tmp_path)
    for folder in ("reference", "submissions"):
        made = sorted(p.name for p in (tmp_path / folder).iterdir())
        assert made == sorted(p.name for p in (FIXTURES / folder).iterdir()), f"{folder}: run make_submissions.py"
        for name in made:
            assert (FIXTURES / folder / name).read_text() == (tmp_path / folder / name).read_text(), \
                f"{folder}/{name} is stale: run python tests/fixtures/make_submissions.py"


@needs_sandbox
@pytest.mark.parametrize("name", sorted(MAKE.EXPECTED))
def test_each_submission_gets_the_expected_mark_and_points(report, name):
    row = report["rows"][f"95_mini-{name}.ipynb"]
    mark, score, flag = MAKE.EXPECTED[name]
    assert (row["mark"], int(row["score"]), int(row["max_score"])) == (mark, score, MAKE.MAX), row
    assert flag in row["flags"], row["flags"]


@needs_sandbox
@pytest.mark.parametrize("name", MAKE.HOSTILE)
def test_a_correct_submission_graded_after_each_hostile_one_gets_full_marks(report, name):
    row = report["rows"][f"95_mini-{name}_after.ipynb"]
    assert (row["mark"], int(row["score"])) == ("OK", MAKE.MAX), row


@needs_sandbox
def test_forged_results_never_earn_points(report):
    """Wrapping the display function, hooking every cell, planting a .pyc: the checks run in the worker."""
    rows = report["rows"]
    for name in ("forge_display", "forge_hook", "forge_pyc", "monkeypatch"):
        assert all(rows[f"95_mini-{name}.ipynb"][q] == "0" for q in ("quiz.q1", "quiz.q4", "quiz.q5")), name


@needs_sandbox
def test_nothing_leaves_the_sandbox(report):
    """Hidden tests unseen, other submissions, the report, labs and site-packages unchanged, no process left."""
    rows, out = report["rows"], report["out"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "nothing to read" in summary  # the snooping notebook found no hidden test file to copy into its answer
    assert "hidden_test(" not in summary and "numbers_agree_with_each_other(ns" not in summary
    assert report["before"] == report["after"]  # no submission was rewritten
    assert len(rows) == len(list(csv.DictReader((out / "gradebook.csv").open()))) and "vandalised" not in \
        (out / "gradebook.csv").read_text()
    import site

    assert not (Path(site.getsitepackages()[0]) / "sitecustomize.py").exists()
    assert not (Path(sys.prefix) / "labs-was-here").exists()
    assert report["daemons"] == [], "a process started by a submission outlived its grading"
    assert rows["95_mini-killer.ipynb"]["mark"] == "CRASHED"  # it could only kill its own sandbox


@needs_sandbox
def test_the_sandbox_has_its_own_network_and_no_host_secrets(report):
    """The `network` fixture looked for other processes' TCP listeners (other kernels' IOPub, the grader, the model
    server), called a management route and read /etc/shadow and /root: it found nothing and its DELETE got 403."""
    row = report["rows"]["95_mini-network.ipynb"]
    assert "sandbox held" in row["flags"] and "ESCAPED" not in row["flags"], row["flags"]
    assert "the gate refused 1 request(s)" in row["flags"]


@needs_sandbox
def test_limits_stop_a_hog_and_keep_the_rest(report):
    rows = report["rows"]
    assert "MemoryError" in rows["95_mini-memory_hog.ipynb"]["flags"]
    assert "Resource temporarily unavailable" in rows["95_mini-fork_bomb.ipynb"]["flags"]
    assert "process limit reached: the sandbox was held to 512" in rows["95_mini-fork_bomb.ipynb"]["flags"]
    assert "MB of the notebook's output was dropped" in rows["95_mini-print_flood.ipynb"]["flags"]
    assert "MB of the notebook's output was dropped" in rows["95_mini-reply_flood.ipynb"]["flags"]
    assert "MB of the notebook's output was dropped" in rows["95_mini-comm_flood.ipynb"]["flags"]


@needs_sandbox
def test_every_file_gets_a_row(report):
    rows = report["rows"]
    assert rows["95_mini-link.ipynb"]["mark"] == "REFUSED" and "symbolic link" in rows["95_mini-link.ipynb"]["flags"]
    assert (rows["bob.ipynb"]["mark"], rows["bob.ipynb"]["max_score"]) == ("REFUSED", "0")
    assert "matches no exercise notebook" in rows["bob.ipynb"]["flags"]
    assert rows["95_mini-not_utf8.ipynb"]["mark"] == "UNREADABLE" and "UTF-8" in rows["95_mini-not_utf8.ipynb"]["flags"]
    for name, student in (("alice-95_mini.ipynb", "alice"), ("alice-95_mini-v2.ipynb", "alice"), ("95_mini.ipynb", "carol"),
                          ("95_mini-v2.ipynb", "carol"), ("dan-95_mini.ipynb", "dan"), ("DAN-95_mini.ipynb", "dan")):
        assert f"duplicate: 2 files from student '{student}'" in rows[name]["flags"], rows[name]["flags"]
        assert int(rows[name]["score"]) == MAKE.MAX
    assert "duplicate" not in rows["95_mini-full.ipynb"]["flags"]
    assert (rows["upper-95_mini.IPYNB"]["mark"], int(rows["upper-95_mini.IPYNB"]["score"])) == ("OK", MAKE.MAX)
    folder = rows["dirsub-95_mini.ipynb"]
    assert folder["mark"] == "REFUSED" and "a folder named like a notebook" in folder["flags"], folder
    odd = rows["\\xff\\xfe-95_mini.ipynb"]  # the undecodable bytes shown as escapes; the report was written
    assert (odd["mark"], int(odd["score"])) == ("OK", MAKE.MAX), odd
    assert "\\\\xff\\\\xfe-95\\_mini.ipynb" in (report["out"] / "summary.md").read_text(encoding="utf-8")


@needs_sandbox
def test_report_caps_and_escapes_what_a_submission_wrote(report):
    out = report["out"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "<script>" not in summary and "](http://example.com)" not in summary
    assert "http://" not in summary.split("## Feedback per submission")[1]  # no autolink from what a notebook wrote
    assert max(len(line) for line in summary.splitlines()) < 4000
    assert "| submission | notebook | mark | score | % |" in summary and "![Score distribution](scores.png)" in summary
    assert "| quiz.q5 | 3 |" in summary  # per-exercise table: 2 public + 1 hidden point
    assert "hidden numbers\\_agree\\_with\\_each\\_other: passed" in summary
    assert "- **TIMEOUT** —" in summary and "- **REFUSED** —" in summary
    from matplotlib.image import imread

    assert imread(out / "scores.png").shape[:2] == (400, 700)
    assert len(report["stdout"].strip().splitlines()) == len(report["rows"]) + 3


@needs_sandbox
def test_a_killed_worker_says_what_happened(tmp_path, monkeypatch, fast):
    """A worker killed from outside (as the OOM killer would) is WORKER DIED with the signal, not TIMEOUT."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    results = []
    thread = threading.Thread(target=lambda: results.extend(grade([SUBMISSIONS / "95_mini-stubborn.ipynb"],
                                                                  solutions=REFERENCE, **fast)))
    thread.start()
    killed = False
    # look for the worker as long as grading runs, not for a fixed time: on a loaded machine the sandboxed worker may
    # start later than any deadline set here, and the stubborn notebook would then end by its own timeout
    while thread.is_alive():
        for proc in Path("/proc").iterdir():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"labs.grading.worker" in cmd and any(str(tmp_path).encode() in part for part in cmd):
                time.sleep(3)
                os.kill(int(proc.name), signal.SIGKILL)
                killed = True
                break
        if killed:
            break
        time.sleep(0.05)
    thread.join()
    assert killed, f"no grading worker was seen in /proc while grading ran: {results}"
    (g,) = results
    assert g.mark == Mark.WORKER_DIED and any("killed by SIGKILL" in f for f in g.flags), g.flags


@needs_sandbox
def test_a_cell_that_runs_out_of_time_on_a_stalled_server_is_flagged_for_regrading(tmp_path, monkeypatch):
    """A model server that accepts a generation and never answers (a saturated one, at its limit): the cell that
    waits for it is flagged "server slow: re-grade"; a cell that spins on its own is an ordinary timeout."""
    from http.server import BaseHTTPRequestHandler

    from labs.grading.protocol import SERVER_SLOW
    from labs.localhttp import BackgroundHTTPServer

    release = threading.Event()

    class Stalled(BackgroundHTTPServer):
        def handler_class(self):
            class Handler(BaseHTTPRequestHandler):
                def log_message(self, *args):
                    pass

                def do_GET(self):  # tags and version answer: the server is up, without the lessons' model
                    body = b'{"models": [], "version": "0.0.0"}'
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def do_POST(self):
                    release.wait(120)
            return Handler

    with Stalled() as server:
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{server.port}")
        waits = _first_reply_notebook(tmp_path, "waits", 'import httpx, os\n\nhttpx.post(f"http://{os.environ[\'OLLAMA_HOST\']}'
                                      '/api/generate", json={"model": "m", "prompt": "hi"}, timeout=None)\nreply = None')
        spins = _first_reply_notebook(tmp_path, "spins", "while True:\n    pass")
        try:
            waited, spun = grade([waits, spins], solutions=ROOT / "solutions", cell_timeout=5, notebook_timeout=120)
        finally:
            release.set()
    assert any(f.startswith(SERVER_SLOW) for f in waited.flags), waited.flags
    assert not any(SERVER_SLOW in f for f in spun.flags) and any("timed out" in f for f in spun.flags), spun.flags


def test_without_bubblewrap_the_grader_refuses_unless_told(tmp_path):
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # no /usr/bin: no bwrap
    args = [sys.executable, "-m", "labs.cli", "grade", str(SUBMISSIONS / "95_mini-full.ipynb"), "--solutions",
            str(REFERENCE), "--out", str(tmp_path), "--cell-timeout", "10", "--notebook-timeout", "40"]
    refused = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert refused.returncode == 2 and "apt-get install bubblewrap" in refused.stderr and "--no-sandbox" in refused.stderr
    assert not (tmp_path / "gradebook.csv").exists()
    trusted = subprocess.run(args + ["--no-sandbox"], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert trusted.returncode == 0, trusted.stderr
    (row,) = csv.DictReader((tmp_path / "gradebook.csv").open())
    assert (row["mark"], row["score"]) == ("OK", str(MAKE.MAX)) and "WITHOUT a sandbox" in row["flags"]


def test_reading_notebooks(tmp_path):
    def refusal(text: str | bytes) -> str:
        path = tmp_path / "x.ipynb"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(Refusal) as caught:
            read_notebook(path)
        return f"{caught.value.mark.value}: {caught.value.reason}"

    assert refusal(MAKE.BROKEN["cells_not_objects"]) == "UNREADABLE: cell 1 is a int, not a cell (an object)"
    assert refusal(MAKE.BROKEN["source_number"]).endswith("cell 1's source is a int, not text")
    assert refusal("[1, 2]").startswith("UNREADABLE: the file is JSON (a list)")
    assert refusal(b"\xff").startswith("UNREADABLE: the file is not UTF-8")
    assert refusal('{"cells": [{"cell_type": "python", "source": ""}]}').startswith("UNREADABLE: cell 1 has cell_type")
    assert refusal(MAKE.BROKEN["deep"]) == "UNREADABLE: the file's JSON is nested too deeply to be a notebook"


def test_whatever_fails_on_one_file_becomes_its_row(tmp_path):
    """Even the grader failing (here: a broken reference notebook) gives that file a row instead of ending the run."""
    from labs.grading import grade_submission

    (tmp_path / "95_mini.ipynb").write_text("{")
    row = grade_submission(SUBMISSIONS / "95_mini-full.ipynb", solutions=tmp_path, hidden=tmp_path, maxima={})
    assert row.mark == Mark.GRADER_ERROR and "the grader failed on this file: JSONDecodeError" in row.flags[0], row
    v3 = read_notebook(SUBMISSIONS / "95_mini-v3.ipynb")
    full = read_notebook(SUBMISSIONS / "95_mini-full.ipynb")
    assert [c["source"] for c in v3["cells"] if c["cell_type"] == "code"] == \
        [c["source"] for c in full["cells"] if c["cell_type"] == "code"]


def test_names_and_text_a_submission_controls_are_safe_in_every_report_format():
    from labs.grading.intake import safe_text, student_of
    from labs.grading.report import _cell, _csv

    assert safe_text(os.fsdecode(b"\xc0\xff-x")) == "\\xc0\\xff-x" and safe_text("\ud800") == "\\ud800"
    assert [_csv(v) for v in ("\uff1d1+2", " =1", "=1", "alice")] == ["'\uff1d1+2", "'=1", "'=1", "alice"]
    cell = _cell("see http://evil.example, www.evil.example or me@evil.example")
    assert "http://" not in cell and "www." not in cell and "@" not in cell and "evil.example" in cell
    reference = Path("95_mini.ipynb")
    assert student_of(Path("x/Bob/BOB-95_mini.ipynb"), reference)[1] == student_of(Path("x/Bob/bob-95_mini.ipynb"), reference)[1]
    assert student_of(Path("x/alice/95_mini-v2.ipynb"), reference)[1] == "alice"


def test_option_letters_typed_on_a_ukrainian_layout_count():
    """Cyrillic а/с/е look like a/c/e: they count as those letters; any other letter gets a clear problem."""
    from labs.quiz import bank

    assert bank.evaluate("q1", "when", "а, с, е, g").correct  # Cyrillic а, с, е
    assert bank.evaluate("q1", "when", "\uff41\uff43\uff45\uff47").correct  # full-width ａｃｅｇ
    assert "б" in bank.evaluate("q1", "when", "б, c").problem


def test_the_gate_opens_only_inference_and_read_routes():
    from labs.grading.gate import refusal

    for method, path in (("GET", "/api/tags"), ("POST", "/api/generate"), ("POST", "/api/chat?x=1"), ("GET", "/api/version"),
                         ("POST", "/api/show"), ("POST", "/v1/chat/completions"), ("GET", "/v1/models/smollm2:135m")):
        assert refusal(method, path) == "", (method, path)
    for method, path in (("POST", "/api/pull"), ("POST", "/api/create"), ("DELETE", "/api/delete"), ("POST", "/api/copy"),
                         ("POST", "/api/push"), ("POST", "/api/blobs/sha256:00"), ("HEAD", "/api/blobs/sha256:00"),
                         ("GET", "/api/generate"), ("POST", "/admin")):
        assert "not open to graded notebooks" in refusal(method, path), (method, path)


def test_the_gate_lets_one_request_through_at_a_time_and_records_streamed_text(tmp_path, server_url):
    """Through the Unix socket: concurrent requests of one submission reach the server one after another; a streamed
    reply's text is assembled in the record (what the q3 and lesson-0 evidence compare with)."""
    from concurrent.futures import ThreadPoolExecutor
    from http.server import BaseHTTPRequestHandler

    from labs.grading.gate import Gate
    from labs.localhttp import BackgroundHTTPServer

    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    class Counting(BackgroundHTTPServer):  # records how many requests it serves at once
        def handler_class(self):
            class Handler(BaseHTTPRequestHandler):
                def log_message(self, *args):
                    pass

                def do_POST(self):
                    self.rfile.read(int(self.headers.get("content-length") or 0))
                    with lock:
                        state["now"] += 1
                        state["most"] = max(state["most"], state["now"])
                    time.sleep(0.2)
                    with lock:
                        state["now"] -= 1
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
            return Handler

    def sandbox_client(**kwargs) -> httpx.Client:  # what the in-sandbox forwarder does: HTTP over the Unix socket
        return httpx.Client(transport=httpx.HTTPTransport(uds=str(tmp_path / "gate.sock")), base_url="http://sandbox",
                            **kwargs)

    with Counting() as upstream:
        gate = Gate(str(tmp_path / "gate.sock"), f"127.0.0.1:{upstream.port}").start()
        try:
            def get(_):
                with sandbox_client() as client:
                    return client.post("/api/generate", json={"model": "m", "prompt": "hi"}).status_code  # takes a turn
            with ThreadPoolExecutor(4) as pool:
                assert list(pool.map(get, range(4))) == [200] * 4
            assert state["most"] == 1
            gate.upstream = server_url
            with sandbox_client(timeout=300) as client:
                lines = [json.loads(line) for line in client.post("/api/generate", json={
                    "model": "smollm2:135m", "prompt": "Hi", "stream": True,
                    "options": {"temperature": 0, "seed": 1, "num_predict": 4}}).text.splitlines() if line.strip()]
                assert client.request("DELETE", "/api/delete", json={"model": "smollm2:135m"}).status_code == 403
                assert client.post("/api/pull", json={"model": "not-on-this-server:1b"}).status_code == 403
                assert client.post("/api/pull", json={"model": "smollm2:135m", "stream": False}).status_code == 200
        finally:
            gate.stop()
    streamed = [e for e in gate.exchanges if e.path == "/api/generate" and e.streamed]
    assert len(streamed) == 1 and streamed[0].text == "".join(x.get("response", "") for x in lines) != ""
    assert gate.refused == 2


def test_answers_cross_as_plain_data():
    """What a notebook hands over is rebuilt from JSON: subclasses lose their methods, labs dataclasses are rebuilt."""
    from labs.router.pii import Finding

    class Always(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    class Reply(dict):
        def get(self, key, default=None):
            return "forged"

    got = from_data(json.loads(json.dumps(to_data({"a": Always("z"), "r": Reply(done=True), "t": (1, 2.5),
                                                   "f": [Finding("ip", 0, 7, "1.2.3.4")], "nan": float("nan")}))))
    assert type(got["a"]) is str and got["a"] != "anything" and got["a"] == "z"
    assert type(got["r"]) is dict and got["r"].get("done") is True
    assert got["t"] == (1, 2.5) and got["f"] == [Finding("ip", 0, 7, "1.2.3.4")] and got["nan"] != got["nan"]
    assert repr(from_data(to_data(object()))).startswith("<object that is not data")


def test_static_review_and_matching(tmp_path):
    reference = json.loads((REFERENCE / "95_mini.ipynb").read_text())
    deleted = json.loads((SUBMISSIONS / "95_mini-deleted_check.ipynb").read_text())
    assert review(deleted, reference) == (["check cell deleted: quiz.q4"], [])
    edited = json.loads(json.dumps(reference))
    edited["cells"][3]["source"] = 'print("✅ passed")  # check("quiz.q1")'
    cells, suspicious = review(edited, reference)
    assert cells == ["check cell edited: quiz.q1"] and suspicious == []
    assert find_reference(Path("alice-95_mini.ipynb"), REFERENCE) == REFERENCE / "95_mini.ipynb"
    assert find_reference(Path("bob.ipynb"), REFERENCE) is None
    with pytest.raises(ValueError, match="does not exist"):
        submissions_in([tmp_path / "missing.ipynb"])
    with pytest.raises(ValueError, match="more than 0 seconds"):
        grade([], solutions=REFERENCE, cell_timeout=0)


def _first_reply_notebook(folder: Path, name: str, answer: str) -> Path:
    """A lesson-0 submission reduced to its one exercise: ``answer`` builds ``reply``, then the reference check cell."""
    reference = json.loads((ROOT / "solutions" / "00_start_here.ipynb").read_text())
    check_cell = next(c for c in reference["cells"] if 'check("start.first_reply")' in "".join(c["source"]))
    nb = {**reference, "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                  "source": answer}, check_cell]}
    path = folder / f"{name}-00_start_here.ipynb"
    path.write_text(json.dumps(nb))
    return path


MANAGE = """\
import hashlib, os, httpx
host = os.environ["OLLAMA_HOST"]
with httpx.Client(timeout=60) as c:  # every management route a student could try: all must be refused
    digest = "sha256:" + hashlib.sha256(b"x" * 1000).hexdigest()
    got = [c.post(f"http://{host}/api/blobs/{digest}", content=b"x" * 1000).status_code,
           c.post(f"http://{host}/api/create", json={"model": "student-was-here", "from": "smollm2:135m"}).status_code,
           c.request("DELETE", f"http://{host}/api/delete", json={"model": "smollm2:135m"}).status_code,
           c.post(f"http://{host}/api/copy", json={"source": "smollm2:135m", "destination": "mine"}).status_code]
assert got == [403] * 4, got
"""
HONEST_REPLY = ('from labs.client import LocalLLM\n\nreply = LocalLLM().generate("What is llama.cpp?", '
                'options={"temperature": 0, "num_predict": 20})')
FORGED_REPLY = """\
import datetime
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
reply = {"model": "smollm2:135m", "created_at": now, "response": "I typed this myself.", "done": True,
         "eval_count": 7, "eval_duration": 1000, "total_duration": 2000}"""
CONSTANT_ASK = """\
import httpx, os

def ask_local(prompt: str) -> str:  # streams a real call, returns a fixed sentence instead of the model's text
    with httpx.Client(timeout=120) as c:
        c.post(f"http://{os.environ['OLLAMA_HOST']}/api/generate", json={"model": "smollm2:135m", "prompt": prompt,
               "stream": True, "options": {"num_predict": 1}}).read()
    return "Privacy: the data never leaves the machine."
"""


@needs_sandbox
def test_real_check_yourself_notebook(server_url, monkeypatch, tmp_path):
    """The shortest real notebook against the live model: the solution gets full marks, the learner version zero;
    answers are compared with what the gate recorded (a hand-built reply, a constant `ask_local` lose those
    points), and management routes stay closed (the model is still there afterwards)."""
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    honest = _first_reply_notebook(tmp_path, "honest", MANAGE + HONEST_REPLY)
    forged = _first_reply_notebook(tmp_path, "forged", FORGED_REPLY)
    constant = json.loads((ROOT / "solutions" / "05_check_yourself.ipynb").read_text())
    cell = next(c for c in constant["cells"] if "def ask_local" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).split("def ask_local")[0] + CONSTANT_ASK
    (tmp_path / "constant-05_check_yourself.ipynb").write_text(json.dumps(constant))
    solution, learner, real, fake, const = grade(
        [ROOT / "solutions" / "05_check_yourself.ipynb", ROOT / "notebooks" / "05_check_yourself.ipynb", honest, forged,
         tmp_path / "constant-05_check_yourself.ipynb"], solutions=ROOT / "solutions", cell_timeout=60,
        notebook_timeout=240, jobs=2)
    assert (real.mark, real.score, real.max_score) == (Mark.OK, 3, 3), real
    assert any("the gate refused 4 request(s)" in f for f in real.flags), real.flags
    assert fake.score == 1 and "not a reply the model server sent" in fake.exercises[0].feedback(), fake
    q3 = next(e for e in const.exercises if e.id == "quiz.q3")
    assert [h.status.value for h in q3.hidden] == ["failed"], q3.feedback()
    from labs.client import LocalLLM

    with LocalLLM(server_url) as llm:
        names = {m["name"] for m in llm.models()}
    assert "smollm2:135m" in names and not any(n.startswith("student-was-here") for n in names), names
    assert solution.mark == Mark.OK and solution.score == solution.max_score == 10, solution
    hidden = [h for e in solution.exercises for h in e.hidden]
    assert len(hidden) == 3 and all(h.status.value == "passed" for h in hidden)
    assert learner.mark == Mark.OK and learner.score == 0 and learner.max_score == 10, learner
    assert {e.public.status.value for e in learner.exercises} == {"not answered"}
    paths = write_report([solution, learner], tmp_path)
    assert [p.name for p in paths] == ["gradebook.csv", "summary.md", "scores.png"]
