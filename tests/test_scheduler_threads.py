"""Every llama.cpp computation runs on one thread: OpenMP keeps a thread team per calling thread, and a
second team's idle workers spin against the busy one (measured: decode fell to a quarter). Tokenising reads the
vocabulary only (no compute graph, no OpenMP), so it runs on its own threads, off the llama thread (issue 10 r5: a
16 MiB prompt tokenised there held every other request). The server runs in this process here so the test can see
which threads call the real runner."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn

from labs import DEFAULT_MODEL
from labs.host import free_port
from labs.server.app import create_app
from labs.server.config import ServerConfig
from labs.server.runner import Runner

pytestmark = pytest.mark.embedded


def test_all_llama_work_happens_on_one_thread(tmp_path, seeded_store, monkeypatch):
    callers: set[str] = set()
    tokenizers: set[str] = set()
    for name in ("__init__", "tokenize", "generate", "embed"):
        real = getattr(Runner, name)

        def spy(self, *args, _real=real, _seen=tokenizers if name == "tokenize" else callers, **kwargs):
            _seen.add(threading.current_thread().name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Runner, name, spy)

    port = free_port()
    app = create_app(ServerConfig(models_dir=seeded_store, keep_alive=-1))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        tiny = {"temperature": 0, "num_predict": 2}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for _ in range(3):
                assert http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "options": tiny}).status_code == 200
                assert http.post("/api/chat", json={"model": DEFAULT_MODEL, "stream": False, "options": tiny,
                                                    "messages": [{"role": "user", "content": "hi"}]}).status_code == 200
                assert http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": "hi"}).status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
    assert len(callers) == 1 and next(iter(callers)).startswith("llama"), callers
    assert tokenizers and not any(name.startswith("llama") for name in tokenizers), tokenizers
