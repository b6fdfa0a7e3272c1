"""Bad input gets Ollama's status and an ``{"error": ...}`` body, and the server keeps serving."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import psutil
import pytest

from labs import DEFAULT_MODEL

pytestmark = pytest.mark.embedded
TINY = {"temperature": 0, "num_predict": 2}


@pytest.fixture(scope="module")
def http(server_url):
    with httpx.Client(base_url=server_url, timeout=60) as client:
        yield client


BAD_REQUESTS = [
    # (method, path, raw body, status, error contains)
    ("POST", "/api/generate", b"{not json", 400, "invalid"),
    ("POST", "/api/generate", b"", 400, "missing request body"),
    ("POST", "/api/generate", b"[1, 2]", 400, "cannot unmarshal"),
    ("POST", "/api/generate", json.dumps({"model": DEFAULT_MODEL, "prompt": 5}).encode(), 400, "prompt"),
    ("POST", "/api/generate", json.dumps({"model": DEFAULT_MODEL, "prompt": "x", "options": {"temperature": "hot"}}).encode(), 400, "temperature"),
    ("POST", "/api/generate", json.dumps({"model": DEFAULT_MODEL, "prompt": "x", "keep_alive": "300"}).encode(), 400, "missing unit"),
    ("POST", "/api/generate", json.dumps({"model": DEFAULT_MODEL, "prompt": "x", "format": "yaml"}).encode(), 400, "format"),
    ("POST", "/api/generate", json.dumps({"model": DEFAULT_MODEL, "prompt": "x", "raw": True, "system": "s"}).encode(), 400, "raw mode"),
    ("POST", "/api/generate", json.dumps({"prompt": "x"}).encode(), 404, "not found"),
    ("POST", "/api/generate", json.dumps({"model": "nope:1b", "prompt": "x"}).encode(), 404, "not found"),
    ("POST", "/api/chat", json.dumps({"messages": []}).encode(), 400, "model is required"),
    ("POST", "/api/chat", json.dumps({"model": DEFAULT_MODEL, "messages": [{"role": "wizard", "content": "x"}]}).encode(), 400, "role"),
    ("POST", "/api/chat", json.dumps({"model": DEFAULT_MODEL, "messages": "hello"}).encode(), 400, "messages"),
    ("POST", "/api/embed", json.dumps({"model": "nope:1b", "input": "x"}).encode(), 404, "try pulling it first"),
    ("POST", "/api/embed", json.dumps({"model": DEFAULT_MODEL, "input": 7}).encode(), 400, "input"),
    ("POST", "/api/show", json.dumps({}).encode(), 400, "model is required"),
    ("POST", "/api/show", json.dumps({"model": "nope:1b"}).encode(), 404, "not found"),
    ("DELETE", "/api/delete", json.dumps({}).encode(), 400, "model is required"),
    ("DELETE", "/api/delete", json.dumps({"model": "nope:1b"}).encode(), 404, "not found"),
    ("POST", "/api/copy", json.dumps({"source": "nope:1b", "destination": "x:y"}).encode(), 404, "not found"),
    ("POST", "/api/pull", json.dumps({"model": "a b", "stream": False}).encode(), 400, "invalid model name"),
    ("POST", "/api/pull", json.dumps({"model": "nope:1b", "stream": False}).encode(), 500, "file does not exist"),
]


@pytest.mark.parametrize("method,path,body,status,needle", BAD_REQUESTS, ids=[f"{r[1]}-{i}" for i, r in enumerate(BAD_REQUESTS)])
def test_bad_input_gets_status_and_error_body(http, method, path, body, status, needle):
    r = http.request(method, path, content=body)
    assert r.status_code == status
    assert needle in r.json()["error"]
    assert http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "ok", "stream": False,
                                            "options": TINY}).status_code == 200


def test_openai_errors_have_openai_shape(http):
    r = http.post("/v1/chat/completions", json={"model": "nope:1b", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"message", "type", "param", "code"} and r.json()["error"]["type"] == "not_found_error"


def test_unknown_route_and_wrong_method(http):
    r = http.get("/api/nothing-here")
    assert (r.status_code, r.text) == (404, "404 page not found")
    assert http.get("/api/generate").status_code == 405
    assert http.head("/").status_code == 200 and http.get("/").text == "Ollama is running"


def test_pull_of_unknown_model_streams_an_error_line(http):
    lines = [json.loads(l) for l in http.post("/api/pull", json={"model": "nope:1b"}).text.splitlines()]
    assert lines[0] == {"status": "pulling manifest"}
    assert lines[-1] == {"error": "pull model manifest: file does not exist"}


def test_prompt_longer_than_the_context(http):
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "word " * 400, "stream": False,
                                         "options": {"num_ctx": 128, "num_predict": 1}})
    assert r.status_code == 400 and "context length" in r.json()["error"]


def test_non_local_host_header_is_refused(http):
    assert http.get("/api/tags", headers={"Host": "evil.example:11434"}).status_code == 403
    assert http.get("/api/tags", headers={"Host": "localhost:11434"}).status_code == 200


def test_load_and_unload_with_keep_alive(http):
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "stream": False})
    assert r.json()["done_reason"] == "load"
    assert DEFAULT_MODEL in [m["name"] for m in http.get("/api/ps").json()["models"]]
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": 0, "stream": False})
    assert r.json()["done_reason"] == "unload"
    assert http.get("/api/ps").json()["models"] == []
    http.post("/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": -1, "stream": False})
    assert http.get("/api/ps").json()["models"][0]["expires_at"].startswith("2318")
    http.post("/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": "5m", "stream": False})


def test_keep_alive_timer_unloads_an_idle_model(start_server):
    server = start_server("--keep-alive", "1s")
    with server.client() as llm:
        llm.generate("hi", options=TINY)
        assert llm.ps()
        deadline = time.monotonic() + 15
        while llm.ps() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert llm.ps() == []


def test_memory_reported_and_resident_under_500_mb(start_server):
    server = start_server()
    with server.client() as llm:
        llm.generate("hi", options=TINY)
        reported = llm.ps()[0]["size"]
    rss = psutil.Process(server.proc.pid).memory_info().rss
    assert reported > 50_000_000
    assert rss < 500 * 2**20, f"resident {rss / 2**20:.0f} MiB"


async def _stream_one(client: httpx.AsyncClient, num_predict: int) -> int:
    async with client.stream("POST", "/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Tell a story.",
                                                           "options": {"num_predict": num_predict, "temperature": 0}}) as r:
        async for _ in r.aiter_lines():
            pass
        return r.status_code


def test_more_clients_than_queue_slots_get_503_and_nothing_hangs(start_server):
    server = start_server("--max-queue", "2")

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=600) as client:
            return await asyncio.wait_for(asyncio.gather(*[_stream_one(client, 24) for _ in range(8)]), 600)  # hang guard

    statuses = asyncio.run(burst())
    assert statuses.count(503) >= 1 and statuses.count(200) >= 2, statuses
    assert set(statuses) <= {200, 503}
    with server.client() as llm:
        assert llm.generate("still there?", options=TINY)["done"]
    assert server.proc.poll() is None


def test_a_client_that_hangs_up_frees_its_slot(start_server):
    server = start_server("--max-queue", "1")
    with httpx.Client(base_url=server.url, timeout=60) as http:
        with http.stream("POST", "/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Write a long essay.",
                                                         "options": {"num_predict": 4000, "temperature": 0}}) as r:
            lines = r.iter_lines()
            next(lines), next(lines)  # the generation is running; now hang up
        started = time.monotonic()
        r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "stream": False, "options": TINY})
        assert r.status_code == 200
        # 4000 tokens take a minute on a small CPU; a freed slot answers in a few seconds
        assert time.monotonic() - started < 20
