"""The `labs` command line: doctor and serve, as a learner runs them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from labs.host import free_port


def labs(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labs.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_doctor_with_nothing_running_says_what_to_run():
    result = labs("doctor", env={"OLLAMA_HOST": f"127.0.0.1:{free_port()}"})
    assert result.returncode == 1
    assert "no model server answers" in result.stdout
    assert "next: make lab" in result.stdout and "ollama serve" in result.stdout
    assert "llama-cpp-python" in result.stdout and "CPU threads" in result.stdout


def test_doctor_against_a_live_server(server_url):
    result = labs("doctor", env={"OLLAMA_HOST": server_url})
    assert "answers at" in result.stdout and "smollm2:135m" in result.stdout
    assert result.returncode == 0, result.stdout


@pytest.fixture
def not_a_model_server():
    """A plain web server holding a port, as another program on 11434 would."""
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_port_held_by_something_else_is_named_not_mistaken_for_a_model_server(not_a_model_server):
    host, port = not_a_model_server.rsplit(":", 1)
    doctor = labs("doctor", env={"OLLAMA_HOST": not_a_model_server})
    assert doctor.returncode == 1
    assert f"not an Ollama API holds {not_a_model_server}" in doctor.stdout
    assert f"OLLAMA_HOST={host}:{int(port) + 1} make lab" in doctor.stdout
    launched = labs("with-server", "--", sys.executable, "-c", "print('must not run')",
                    env={"OLLAMA_HOST": not_a_model_server})
    assert launched.returncode != 0 and "must not run" not in launched.stdout
    assert f"port {port} is taken by something that is not a model server" in launched.stderr


def test_doctor_reports_a_missing_model(start_server):
    server = start_server(seeded=False)
    result = labs("doctor", env={"OLLAMA_HOST": server.url})
    assert result.returncode == 1 and "ollama pull smollm2:135m" in result.stdout


def test_serve_binds_loopback_by_default(start_server):
    server = start_server()
    import psutil

    addresses = {c.laddr.ip for c in psutil.Process(server.proc.pid).net_connections() if c.status == "LISTEN"}
    assert addresses == {"127.0.0.1"}


def test_bad_keep_alive_on_the_command_line_is_one_clear_line():
    result = labs("serve", "--port", str(free_port()), "--keep-alive", "soon", "--no-pull")
    assert result.returncode == 1 and result.stderr.startswith("labs: time: invalid duration")


def test_with_server_starts_the_embedded_server_and_stops_it_on_sigterm(tmp_path, seeded_store):
    import shutil
    import signal
    import time

    from labs.client import LocalLLM

    models = tmp_path / "models"
    shutil.copytree(seeded_store, models, copy_function=os.link)
    url = f"http://127.0.0.1:{free_port()}"
    marker = tmp_path / "inside"
    child = ("import os, pathlib, time; from labs.client import LocalLLM; "
             f"pathlib.Path({str(marker)!r}).write_text(str(LocalLLM().is_up()) + os.environ['OLLAMA_HOST']); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-m", "labs.cli", "with-server", "--", sys.executable, "-c", child],
                            env={**os.environ, "OLLAMA_HOST": url, "LABS_MODELS": str(models)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marker.read_text() == f"True{url}"  # the command saw a live server at OLLAMA_HOST
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    assert "starting the embedded one" in proc.stdout.read().decode()
    with LocalLLM(url) as llm:
        assert not llm.is_up()  # stopped with the command, not orphaned


def test_lab_opens_the_notebooks_with_a_model_server_and_stops_both(tmp_path, seeded_store):
    """The README's first command: JupyterLab on notebooks/, the embedded server started for it and stopped with it."""
    import shutil
    import signal
    import time

    import httpx

    from labs.client import LocalLLM

    models = tmp_path / "models"
    shutil.copytree(seeded_store, models, copy_function=os.link)
    model_url, lab_port = f"http://127.0.0.1:{free_port()}", free_port()
    env = {**os.environ, "OLLAMA_HOST": model_url, "LABS_MODELS": str(models),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "labs.cli", "lab", "--no-browser", f"--port={lab_port}",
                             "--IdentityProvider.token=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        listing = None
        deadline = time.monotonic() + 120
        while listing is None and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
            try:
                response = httpx.get(f"http://127.0.0.1:{lab_port}/api/contents", timeout=2)
                listing = response.json() if response.status_code == 200 else None
            except httpx.HTTPError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer within 120 s"
        names = {item["name"] for item in listing["content"]}
        assert {"00_start_here.ipynb", "05_check_yourself.ipynb"} <= names  # the learner notebooks, wherever it was run from
        with LocalLLM(model_url) as llm:
            assert llm.is_up() and llm.is_embedded() and llm.has_model("smollm2:135m")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    with LocalLLM(model_url) as llm:
        assert not llm.is_up()  # the model server went with JupyterLab
