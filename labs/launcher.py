"""Run a command (JupyterLab, the test suite) with a model server at ``OLLAMA_HOST``.

If real Ollama (or anything Ollama-compatible) already answers there, it is used as it is.
Otherwise the embedded server is started on that address, and stopped when the command exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from labs.client import LocalLLM
from labs.host import base_url, is_loopback, port_in_use
from labs.i18n import t


def start_embedded(url: str, log_path: str | None = None) -> subprocess.Popen:
    """Start ``labs serve`` for ``url`` and wait until it answers (the default model installed)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 11434
    if not is_loopback(host):
        raise SystemExit(t("launcher.not_local", url=url))
    if port_in_use(host, port):
        raise SystemExit(t("launcher.port_taken", port=port, host=host, next_port=port + 1))
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    server = subprocess.Popen([sys.executable, "-m", "labs.cli", "serve", "--host", host, "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    wait_for_server(server, url)
    return server


def wait_for_server(server: subprocess.Popen, url: str, seconds: float = 180.0) -> None:
    """Wait until ``server`` answers at ``url``; fail at once if the process exits instead."""
    deadline = time.monotonic() + seconds
    with LocalLLM(url) as llm:
        while not llm.is_up():
            if server.poll() is not None:
                raise RuntimeError(t("launcher.server_exited", code=server.returncode, url=url))
            if time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError(t("launcher.server_silent", url=url, seconds=seconds))
            time.sleep(0.1)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_with_server(command: list[str]) -> int:
    url = base_url()
    with LocalLLM(url) as llm:
        running = llm.is_up()
    server = None
    if running:
        print(t("launcher.using_server", url=url), flush=True)
    else:
        print(t("launcher.starting_embedded", url=url), flush=True)
        server = start_embedded(url, os.environ.get("LABS_SERVER_LOG"))
    env = {**os.environ, "OLLAMA_HOST": url}
    for sig in (signal.SIGTERM, signal.SIGHUP):  # a closed terminal or `kill` must not orphan the server
        signal.signal(sig, _exit_on_signal)
    child = subprocess.Popen(command, env=env)
    try:
        return child.wait()
    except (KeyboardInterrupt, SystemExit):
        child.terminate()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()
        raise
    finally:
        if server is not None:
            stop(server)


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)
