"""The recording proxy between real clients and a real model server."""

from __future__ import annotations

import time

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.client import LocalLLM, ollama_client, openai_client
from labs.errors import StatusError
from labs.host import free_port
from labs.proxy import RecordingProxy

OPTS = {"temperature": 0, "seed": 42, "num_predict": 6}


def test_records_the_openai_clients_request_and_reply(server_url):
    with RecordingProxy(server_url) as proxy:
        reply = openai_client(proxy.host).chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=6, temperature=0)
    (ex,) = proxy.exchanges
    assert (ex.method, ex.path, ex.status) == ("POST", "/v1/chat/completions", 200)
    assert ex.headers["user-agent"].startswith("OpenAI/")
    assert ex.json["messages"] == [{"role": "user", "content": "hi"}]
    assert ex.text == reply.choices[0].message.content and not ex.streamed


def test_streams_through_and_times_the_first_token(server_url):
    with RecordingProxy(server_url, first_token_delay=0.3) as proxy:
        m = LocalLLM(proxy.host).measure("Count to five.", options=OPTS)
    (ex,) = proxy.exchanges
    assert ex.streamed and ex.chunks == m.chunks > 1 and m.chunks <= m.eval_count  # a chunk may hold several tokens
    assert ex.text == m.text
    assert ex.first_token_at - ex.received_at >= 0.3  # the delay is in the server-side figure
    assert m.ttft_s >= 0.3  # and the client saw it too


def test_the_ollama_client_works_through_it(server_url):
    with RecordingProxy(server_url) as proxy:
        out = ollama_client(proxy.host).generate(model=DEFAULT_MODEL, prompt="hi", options=OPTS)
    assert proxy.exchanges[-1].path == "/api/generate" and proxy.exchanges[-1].text == out.response


def test_errors_pass_through_unchanged(server_url):
    with RecordingProxy(server_url) as proxy:
        with pytest.raises(StatusError) as info:
            LocalLLM(proxy.host).generate("hi", model="absent:1b")
    assert info.value.status == 404 and proxy.exchanges[0].status == 404


def test_a_dead_upstream_is_a_502_with_a_message():
    with RecordingProxy(f"127.0.0.1:{free_port()}") as proxy:
        response = httpx.get(f"{proxy.url}/api/tags")
    assert response.status_code == 502 and "upstream" in response.json()["error"]


def test_a_client_leaving_early_does_not_break_the_proxy(server_url):
    with RecordingProxy(server_url) as proxy:
        for chunk in LocalLLM(proxy.host).stream_generate("Count to twenty.", options={**OPTS, "num_predict": 24}):
            if chunk.get("response"):
                break
        deadline = time.monotonic() + 10
        while proxy.exchanges[0].finished_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert LocalLLM(proxy.host).generate("hi", options=OPTS)["done"]  # still serving
    assert proxy.exchanges[0].finished_at is not None


def test_as_ollama_host_restores_the_variable(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:1")
    with RecordingProxy() as proxy:
        with proxy.as_ollama_host():
            assert LocalLLM().url == proxy.url
        assert LocalLLM().url == "http://127.0.0.1:1"
