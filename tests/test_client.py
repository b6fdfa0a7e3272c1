"""labs.client against real local HTTP servers: exact request JSON, and actionable errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from labs import DEFAULT_MODEL
from labs.client import LocalLLM, ModelUnavailable, openai_client
from labs.errors import ModelNotFound, RequestTimeout, ServerBusy, ServerNotRunning, StatusError
from labs.host import free_port


class Recorder:
    """A tiny HTTP server that records each request and answers with a scripted reply."""

    def __init__(self, status: int = 200, body: object = None, delay: float = 0.0):
        self.requests: list[tuple[str, str, object]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                recorder.requests.append((self.command, self.path, json.loads(raw) if raw else None))
                time.sleep(delay)
                payload = json.dumps(body if body is not None else {"ok": True}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    servers = []

    def make(**kw) -> Recorder:
        servers.append(Recorder(**kw))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_generate_sends_exactly_this_json(recorder):
    rec = recorder(body={"response": "x", "done": True})
    with LocalLLM(rec.url, model="m:1") as llm:
        llm.generate("hello", options={"temperature": 0, "seed": 1}, keep_alive="1m")
    assert rec.requests == [("POST", "/api/generate", {"model": "m:1", "prompt": "hello", "stream": False,
                                                       "options": {"temperature": 0, "seed": 1}, "keep_alive": "1m"})]


def test_chat_and_pull_requests(recorder):
    rec = recorder(body={"status": "success", "message": {"role": "assistant", "content": ""}, "done": True})
    with LocalLLM(rec.url) as llm:
        llm.chat([{"role": "user", "content": "hi"}], model="other:2")
    assert rec.requests[0][2] == {"model": "other:2", "messages": [{"role": "user", "content": "hi"}], "stream": False}


def test_openai_client_targets_v1_of_the_same_host(recorder):
    rec = recorder(body={"object": "list", "data": []})
    openai_client(rec.url).models.list()
    assert rec.requests == [("GET", "/v1/models", None)]


def test_server_down_says_how_to_start_it():
    url = f"127.0.0.1:{free_port()}"
    with pytest.raises(ServerNotRunning) as info:
        LocalLLM(url).models()
    message = str(info.value)
    assert "ollama serve" in message and "make lab" in message and url in message
    assert info.value.__cause__ is None and info.value.__suppress_context__  # raised `from None`
    assert isinstance(info.value, ConnectionError)


def test_missing_model_says_how_to_pull_it(recorder):
    rec = recorder(status=404, body={"error": "model 'llama3.2' not found"})
    with pytest.raises(ModelNotFound) as info:
        LocalLLM(rec.url).generate("hi", model="llama3.2")
    assert "ollama pull llama3.2" in str(info.value) and info.value.status == 404


def test_ensure_model_says_what_the_server_ships_and_what_to_run(llm, is_embedded):
    """LABS_MODEL naming a model this server lacks: not the bare "pull model manifest: file does not exist"."""
    with pytest.raises(ModelUnavailable) as err:
        llm.ensure_model("labs-no-such-model:1b")
    text = str(err.value)
    assert isinstance(err.value, ModelNotFound) and err.value.model == "labs-no-such-model:1b"
    assert "ollama pull labs-no-such-model:1b" in text
    if is_embedded:
        assert "smollm2:135m" in text and "labs create" in text and "OLLAMA_HOST=127.0.0.1:11434" in text


def test_status_errors_carry_status_and_body(recorder):
    rec = recorder(status=400, body={"error": "bad thing"})
    with pytest.raises(StatusError) as info:
        LocalLLM(rec.url).generate("hi")
    assert (info.value.status, info.value.body) == (400, {"error": "bad thing"})
    busy = recorder(status=503, body={"error": "server busy"})
    with pytest.raises(ServerBusy):
        LocalLLM(busy.url).generate("hi")


def test_read_timeout_is_a_clear_timeout(recorder):
    rec = recorder(delay=1.0)
    with pytest.raises(RequestTimeout) as info:
        LocalLLM(rec.url, timeout=0.2).generate("hi")
    assert "num_predict" in str(info.value) and isinstance(info.value, TimeoutError)


def test_measure_against_the_live_server(llm):
    m = llm.measure("Count to ten.", options={"temperature": 0, "num_predict": 16})
    assert 0 < m.ttft_s < m.total_s
    assert m.eval_count == 16 and m.done_reason == "length"
    assert m.server_tokens_per_s > 0 and m.client_tokens_per_s > 0
    assert m.client_tokens_per_s * m.stream_s == pytest.approx(m.eval_count - 1)  # tokens, not chunks


class _Chunked(BaseHTTPRequestHandler):
    """Streams an answer of 32 tokens in 30 chunks (two chunks carry two tokens each), as llama.cpp
    does when a Cyrillic character spans two tokens."""

    protocol_version = "HTTP/1.0"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for _ in range(30):
            time.sleep(0.01)
            self.wfile.write(json.dumps({"response": "при", "done": False}).encode() + b"\n")
            self.wfile.flush()
        final = {"response": "", "done": True, "eval_count": 32, "eval_duration": 300_000_000}
        self.wfile.write(json.dumps(final).encode() + b"\n")

    def log_message(self, *args):
        pass


def test_client_tokens_per_second_counts_tokens_not_chunks():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Chunked)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        m = LocalLLM(f"127.0.0.1:{server.server_address[1]}").measure("Привіт")
    finally:
        server.shutdown()
        server.server_close()
    assert (m.chunks, m.eval_count) == (30, 32)
    assert m.client_tokens_per_s == pytest.approx(31 / m.stream_s)  # was 29 / stream_s: chunks counted


class _Thinking(BaseHTTPRequestHandler):
    """A thinking model: 100 tokens of reasoning in ``thinking``, then 20 answer tokens in ``response``;
    the server's eval_count (120) counts both, as Ollama's does."""

    protocol_version = "HTTP/1.0"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for i in range(120):
            time.sleep(0.01)
            part = {"thinking": "x"} if i < 100 else {"response": "y"}
            self.wfile.write(json.dumps({**part, "done": False}).encode() + b"\n")
            self.wfile.flush()
        final = {"response": "", "done": True, "eval_count": 120, "eval_duration": 1_200_000_000}
        self.wfile.write(json.dumps(final).encode() + b"\n")

    def log_message(self, *args):
        pass


def test_client_tokens_per_second_counts_the_thinking_time_too():
    """Issue 13 finding 6: eval_count includes thinking tokens, but the clock ran over the answer chunks
    only: 119 tokens over 20 chunks' time read 303 tokens/s against the server's 50."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Thinking)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        m = LocalLLM(f"127.0.0.1:{server.server_address[1]}").measure("Why?", think=True)
    finally:
        server.shutdown()
        server.server_close()
    assert (m.chunks, m.eval_count, m.text, len(m.thinking)) == (120, 120, "y" * 20, 100)
    assert m.client_tokens_per_s == pytest.approx(119 / m.stream_s)
    # the span covers the reasoning: most of it passes before the first answer token
    assert m.answer_ttft_s - m.ttft_s > 0.5 * m.stream_s
    assert m.ttft_s < m.answer_ttft_s <= m.total_s


def test_a_model_option_at_the_top_level_is_refused_not_ignored(recorder):
    rec = recorder()
    with pytest.raises(TypeError, match=r"options=\{'temperature': 0\}"):
        LocalLLM(rec.url).generate("hi", temperature=0)
    assert rec.requests == []


def test_an_error_line_mid_stream_is_reported_without_a_misleading_status(recorder):
    rec = recorder(body={"error": "pull model manifest: file does not exist"})
    with pytest.raises(StatusError) as info:
        LocalLLM(rec.url).pull("nope:1b")
    assert str(info.value) == "the server reported an error: pull model manifest: file does not exist"


def test_typescript_examples_read_labs_model_as_python_does():
    """One setting switches every lesson: sdk/host.ts labsModel() follows labs.settings.lesson_model, and no
    example names a model of its own (issue 17 F13: they hard-coded smollm2:135m)."""
    from labs import DEFAULT_MODEL
    from labs.sdk import SDK_DIR, unavailable
    from labs.settings import lesson_model

    for script in SDK_DIR.glob("*.ts"):
        code = "\n".join(line.split("//")[0] for line in script.read_text(encoding="utf-8").splitlines())
        assert "ollama('" not in code, f"{script.name}: use ollama(labsModel())"
    assert f"export const DEFAULT_MODEL = '{DEFAULT_MODEL}';" in (SDK_DIR / "host.ts").read_text(encoding="utf-8")
    why = unavailable()
    if why:
        pytest.skip(why)
    for value in (None, " llama3.2 ", "   ", "qwen3:8b"):
        env = {k: v for k, v in os.environ.items() if k != "LABS_MODEL"}
        if value is not None:
            env["LABS_MODEL"] = value
        proc = subprocess.run(["node", "--import", "tsx", "-e", "import('./host.ts').then(m => console.log(m.labsModel()))"],
                              cwd=SDK_DIR, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == lesson_model(env=env), (value, proc.stdout, proc.stderr)


def test_an_answer_cut_at_num_predict_never_ends_in_half_a_character(llm):
    """A token can be half of a Cyrillic letter's UTF-8 bytes; an answer cut there must drop the half (as Ollama's
    runner does: it trims pending bytes until the text is valid UTF-8), not send U+FFFD (issue 17 F19: lesson 0's
    "…евро�"). The client decodes the stream incrementally (httpx iter_lines), so the character comes from the server."""
    answers = [llm.generate("Say hello in Ukrainian.", options={"temperature": 0, "seed": 42, "num_predict": n})
               for n in range(1, 7)]
    assert all(a["done_reason"] == "length" for a in answers)
    assert not [a["response"] for a in answers if "\ufffd" in a["response"]]


def test_the_default_model_follows_labs_model(monkeypatch):
    """Issue 17 r4 N2: lesson 2's `LocalLLM(timeout=0.05)` asked for smollm2:135m under LABS_MODEL=llama3.2."""
    monkeypatch.setenv("LABS_MODEL", "llama3.2")
    assert LocalLLM("127.0.0.1:9").model == "llama3.2"
    monkeypatch.delenv("LABS_MODEL")
    assert LocalLLM("127.0.0.1:9").model == DEFAULT_MODEL


def test_labs_pull_of_a_model_the_embedded_server_lacks_says_what_to_do(server_url, is_embedded):
    """Issue 17 r4 N1: `labs pull llama3.2` printed only "pull model manifest: file does not exist", in English."""
    if not is_embedded:
        pytest.skip("real Ollama pulls it")
    run = subprocess.run([sys.executable, "-m", "labs.cli", "pull", "llama3.2:1b-not-shipped"], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "OLLAMA_HOST": server_url, "LAB_LANG": "uk"})
    assert run.returncode != 0
    assert "немає на вбудованому сервері" in run.stderr and "ollama pull llama3.2:1b-not-shipped" in run.stderr, run.stderr
