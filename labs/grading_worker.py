"""The worker process of ``labs grade``: one submission, one kernel, one result file.

Started by :func:`labs.grading.grade_submission` as ``python -m labs.grading --worker job.json`` in a
private folder, with ``PYTHONPATH`` pointing at the grader's own copy of ``labs``. It runs every cell
with a per-cell timeout (a cell that runs too long is interrupted and the run goes on) under a
per-notebook timeout (a watchdog kills the kernel), then runs the grader's cells
(:mod:`labs.grading_kernel`) and writes what they published, with the cell errors, to ``result``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
import time
from pathlib import Path

PRELUDE = """\
import sys as _labs_sys, importlib as _labs_il
_labs_sys.path[:] = [{package!r}] + [p for p in _labs_sys.path if p not in ("", ".") and not p.startswith({work!r})]
_labs_before = {{k: m for k, m in list(_labs_sys.modules.items()) if k == "labs" or k.startswith("labs.")}}
for _labs_k in _labs_before:
    del _labs_sys.modules[_labs_k]
_labs_il.invalidate_caches()
import labs.grading_kernel as _labs_grader
_labs_grader.begin({nonce!r}, {package!r}, {hidden!r}, _labs_before)
del _labs_before
"""


def _errors(cell, index: int, seconds: float, timeout: float) -> list[str]:
    out = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "KeyboardInterrupt" and seconds >= timeout * 0.9:
                out.append(f"cell {index} timed out after {timeout:g} s and was interrupted")
            else:
                out.append(f"cell {index} raised {output.get('ename')}: {str(output.get('evalue'))[:200]}")
    return out


def work(job_file: Path) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    job = json.loads(job_file.read_text())
    result: dict = {"state": "graded", "cells": [], "payloads": []}
    work_dir = str(Path(job["notebook"]).parent)
    nonce = secrets.token_hex(16)
    fired = threading.Event()
    client = None

    def write() -> None:
        Path(job["result"]).write_text(json.dumps(result))

    try:
        nb = nbformat.read(job["notebook"], as_version=4)
    except Exception as exc:
        result.update(state="crashed", detail=f"cannot read the notebook: {exc}")
        write()
        return 0
    client = NotebookClient(nb, timeout=int(max(1, job["cell_timeout"])), interrupt_on_timeout=True, allow_errors=True,
                            kernel_name="python3", resources={"metadata": {"path": work_dir}})
    env = {**os.environ}

    def kill() -> None:
        fired.set()
        try:
            pid = client.km.provisioner.process.pid
            os.killpg(pid, signal.SIGKILL)
        except Exception:
            pass

    watchdog = threading.Timer(job["notebook_timeout"], kill)
    try:
        with client.setup_kernel(env=env):
            Path(job["pidfile"]).write_text(str(client.km.provisioner.process.pid))
            watchdog.start()
            for index, cell in enumerate(list(nb.cells)):
                if cell.cell_type != "code":
                    continue
                started = time.monotonic()
                client.execute_cell(cell, index)
                result["cells"] += _errors(cell, index + 1, time.monotonic() - started, job["cell_timeout"])
            sources = [PRELUDE.format(package=job["package"], work=work_dir, nonce=nonce, hidden=job["hidden"])]
            sources += [f"_labs_grader.grade({exercise_id!r})" for exercise_id in job["exercises"]]
            for source in sources:
                cell = nbformat.v4.new_code_cell(source)
                nb.cells.append(cell)
                started = time.monotonic()
                client.execute_cell(cell, len(nb.cells) - 1)
                for output in cell.get("outputs", []):
                    data = output.get("data", {}).get("application/vnd.labs.grade+json")
                    if isinstance(data, dict) and data.get("nonce") == nonce:
                        result["payloads"].append(data)
                for error in _errors(cell, len(nb.cells), time.monotonic() - started, job["cell_timeout"]):
                    result["cells"].append("the grading of " + source.split("(", 1)[-1].rstrip(")") + ": " + error.split(" ", 2)[-1]
                                           if source.startswith("_labs_grader.grade") else "the grader's setup: " + error)
    except DeadKernelError:
        result["state"] = "timeout" if fired.is_set() else "crashed"
        result["detail"] = (f"the notebook ran past {job['notebook_timeout']:g} s and its kernel was stopped"
                            if fired.is_set() else "the kernel died (the notebook exited or crashed its process)")
    except Exception as exc:  # nbclient itself failed (e.g. the kernel did not start)
        result["state"] = "timeout" if fired.is_set() else "crashed"
        result["detail"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        watchdog.cancel()
    write()
    return 0
