"""What the lesson benchmarks share: they measure the server at OLLAMA_HOST, so one must answer there."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from labs.client import LocalLLM
from labs.host import free_port
from labs.launcher import stop, wait_for_server


def require_server(script: str) -> str:
    """The server's URL, or exit with the one command that runs ``script`` with a server."""
    with LocalLLM() as llm:
        if llm.is_up():
            return llm.url
    name = Path(script).name
    sys.exit(f"bench: no model server answers at {llm.url}. Run it with one: "
             f".venv/bin/labs with-server -- .venv/bin/python bench/{name}")


@contextlib.contextmanager
def own_server(*extra: str, env: dict[str, str] | None = None):
    """A fresh embedded server (``labs serve``) on a free port with an empty model store of its own and the
    model kept loaded (``--keep-alive -1``), so a benchmark never shares one with a learner; yields its URL
    and stops it (and removes the store) on exit. ``extra`` are more ``labs serve`` flags, ``env`` more
    environment (e.g. ``OLLAMA_NUM_PARALLEL``)."""
    models = Path(tempfile.mkdtemp(prefix="bench-models-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "labs.cli", "serve", "--port", str(port), "--models-dir", str(models),
                               "--keep-alive", "-1", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **(env or {})})
    try:
        wait_for_server(server, url)
        yield url
    finally:
        stop(server)
        shutil.rmtree(models, ignore_errors=True)
