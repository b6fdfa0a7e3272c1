"""SIGTERM during a long ``/api/embed`` stops the server as promptly as during a generate (issue 10,
attack round 3, F1: the embedding went on inside llama.cpp and the process ran ~80 s more at a full
core). Bounds come from measurements in the test: one input's embedding time and the exit time of a
server stopped while it generates."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import httpx
import pytest

from labs import DEFAULT_MODEL

pytestmark = pytest.mark.embedded
INPUT = "word " * 300  # one input: a single llama_decode of ~300 tokens
INPUTS = 20  # the embedding under way at SIGTERM: about INPUTS x one input's time


def _embed(http: httpx.Client, n: int) -> httpx.Response:
    return http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": [INPUT] * n, "options": {"num_ctx": 2048}})


def test_sigterm_during_a_long_embed_exits_as_promptly_as_during_a_generate(start_server):
    generating, embedding = start_server("--keep-alive", "-1"), start_server("--keep-alive", "-1")

    with httpx.Client(base_url=generating.url, timeout=None) as http:
        assert http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "stream": False,
                                                "options": {"num_predict": 2}}).status_code == 200
        with http.stream("POST", "/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Write a very long essay.",
                                                        "options": {"temperature": 0, "num_predict": 4000}}) as r:
            next(line for line in r.iter_lines() if line.strip())  # generating
            generating.proc.send_signal(signal.SIGTERM)
            generate_exit = _wait(generating.proc, None)

    with httpx.Client(base_url=embedding.url, timeout=None) as http:
        assert _embed(http, 1).status_code == 200  # loads the model and its embedder
        started = time.monotonic()
        assert _embed(http, 1).status_code == 200
        one = time.monotonic() - started  # one input: one llama_decode, the unit an abort used to wait for
        thread = threading.Thread(target=lambda: _swallow(lambda: _embed(http, INPUTS)), daemon=True)
        thread.start()
        time.sleep(one / 2)  # the embedding is under way
        embedding.proc.send_signal(signal.SIGTERM)
        # before the fix the whole batch ran on (~INPUTS x one); now the decode under way is aborted
        embed_exit = _wait(embedding.proc, generate_exit + one)
    assert embed_exit < generate_exit + one, (
        f"exit {embed_exit:.1f} s after SIGTERM during an embed; {generate_exit:.1f} s during a generate; "
        f"one input takes {one:.1f} s")


def _swallow(call) -> None:
    try:
        call()
    except httpx.HTTPError:  # the server went away mid-request: expected here
        pass


def _wait(proc, limit: float | None) -> float:
    """Seconds until ``proc`` exits; past ``limit`` it is killed (and the time says so)."""
    started = time.monotonic()
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return time.monotonic() - started
