"""Issue 10, attack round 8 (F5): an unload request (``keep_alive: 0`` with nothing to generate, what ``ollama stop``
sends) is answered at once, and the model goes when its last request ends, as Ollama's ``expireRunner``
(``server/routes.go``). Before, the answer waited for the running generation to end (``kaconc.py``: 12.4 s).
Only the order of events is compared, never an absolute time."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from labs import DEFAULT_MODEL

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def server(linked_server):
    server = linked_server("r8unload")
    yield server
    server.stop()


def _loaded(url: str) -> list[str]:
    return [m["name"] for m in httpx.get(f"{url}/api/ps").json()["models"]]


@pytest.mark.parametrize("path", ["/api/generate", "/api/chat"])
def test_unload_is_answered_before_the_running_generation_ends(server, path):
    events: dict[str, float] = {}
    started = threading.Event()

    def long_stream() -> None:
        # a raw count the model keeps continuing: long enough (400 tokens) that a fast machine is still generating
        # when the unload arrives (60 tokens of "Count from one to one hundred" ended first on a 2-core box under load)
        body = {"model": DEFAULT_MODEL, "prompt": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,", "raw": True, "stream": True,
                "options": {"temperature": 0, "num_predict": 400}}
        with httpx.stream("POST", f"{server.url}/api/generate", json=body, timeout=600) as r:
            for _ in r.iter_lines():
                started.set()
        events["stream_end"] = time.perf_counter()

    worker = threading.Thread(target=long_stream)
    worker.start()
    assert started.wait(600)
    body = {"model": DEFAULT_MODEL, "keep_alive": 0}
    if path == "/api/chat":
        body["messages"] = []
    r = httpx.post(f"{server.url}{path}", json=body, timeout=600)
    events["unload_answered"] = time.perf_counter()
    assert r.status_code == 200 and r.json()["done_reason"] == "unload"
    loaded = _loaded(server.url)
    if "stream_end" not in events:
        assert DEFAULT_MODEL in loaded  # still generating: it stays until that ends
    worker.join()
    assert events["unload_answered"] < events["stream_end"]
    for _ in range(100):  # the last request has ended: the model goes (on the event loop, just after)
        if not _loaded(server.url):
            break
        time.sleep(0.05)
    assert _loaded(server.url) == []


def test_unloading_a_model_that_is_not_loaded_does_not_load_it(server):
    httpx.post(f"{server.url}/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": 0}, timeout=600)
    assert _loaded(server.url) == []
    r = httpx.post(f"{server.url}/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": 0}, timeout=600)
    assert r.json()["done_reason"] == "unload" and r.json()["response"] == ""
    assert _loaded(server.url) == []
    # an idle loaded model goes at once
    assert httpx.post(f"{server.url}/api/generate", json={"model": DEFAULT_MODEL}, timeout=600).json()["done_reason"] == "load"
    assert _loaded(server.url) == [DEFAULT_MODEL]
    httpx.post(f"{server.url}/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": 0}, timeout=600)
    assert _loaded(server.url) == []
