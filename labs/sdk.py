"""Run the module's own TypeScript (AI SDK) examples from Python and read what they print (lessons 2 and 3).

Module 29 teaches integration through the AI SDK: ``generateText`` with ``createOllama`` from
``ollama-ai-provider`` (section 29.2) and the hybrid ``smartRoute`` / ``processSensitiveData`` pair
(section 29.3). Those examples live as runnable files in ``sdk/`` at the workbook's root, with the
exact package versions in ``sdk/package-lock.json`` (``npm ci`` there installs them; ``make test``
does it). Each example prints one JSON document on its last line of output; :func:`run_example`
runs one with Node against the server at ``OLLAMA_HOST`` and returns that document, decoded.

Without Node (18 or newer) or without ``sdk/node_modules``, :func:`unavailable` says what to install,
so a notebook cell can print it instead of failing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labs.errors import LabError
from labs.host import base_url, parse_host

if TYPE_CHECKING:
    from labs.router.cloud import RecordedRequest, StandInCloud

SDK_DIR = Path(__file__).resolve().parent.parent / "sdk"
NODE_MIN = (18, 19)  # `node --import tsx` needs 18.19+ (tsx's documented minimum for --import)


class NodeMissing(LabError):
    """No usable ``node`` (18.19 or newer) on PATH, or the example packages are not installed."""


class ExampleFailed(LabError):
    """A TypeScript example exited with an error; ``stderr`` holds the end of what it printed."""

    def __init__(self, script: str, returncode: int, stderr: str):
        self.script = script
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"sdk/{script} exited with status {returncode}:\n{stderr[-3000:]}")


def node_version(node: str | None = None) -> tuple[int, int, int] | None:
    """The ``(major, minor, patch)`` of ``node`` (found on PATH when not given), or None without one."""
    node = node or shutil.which("node")
    if not node:
        return None
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.match(r"v(\d+)\.(\d+)\.(\d+)", out.strip())
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def unavailable() -> str | None:
    """None when the examples can run here; otherwise one sentence saying what to install (in ``LAB_LANG``;
    catalogue keys ``sdk.*``)."""
    from labs.i18n import t

    version = node_version()
    if version is None:
        return t("sdk.no_node", need=f"{NODE_MIN[0]}.{NODE_MIN[1]}")
    if version[:2] < NODE_MIN:
        have = ".".join(map(str, version))
        return t("sdk.old_node", have=have, need=f"{NODE_MIN[0]}.{NODE_MIN[1]}")
    if not (SDK_DIR / "node_modules" / "tsx").is_dir():
        return t("sdk.no_packages", sdk_dir=SDK_DIR)
    return None


def run_example(script: str, *args: str, host: str | None = None, env: dict[str, str] | None = None,
                stdin: str | None = None, timeout: float = 120.0) -> Any:
    """Run ``sdk/<script>`` with Node and return the JSON document it printed last.

    ``host``: the model server (an ``OLLAMA_HOST`` value; default: ``OLLAMA_HOST`` itself), passed to
    the example as ``OLLAMA_HOST``. ``env``: more environment variables for it. ``stdin``: text written
    to its standard input (UTF-8; a prompt of any length or character goes here, not in ``args``,
    which the OS limits). ``timeout`` in seconds.
    Raises :class:`NodeMissing` (with the install command), :class:`ExampleFailed` (exit status and
    stderr), or ``TimeoutError``.
    """
    why = unavailable()
    if why:
        raise NodeMissing(why)
    if not (SDK_DIR / script).is_file():
        from labs.i18n import t

        raise ValueError(t("sdk.error.no_script", script=script, choices=", ".join(sorted(p.name for p in SDK_DIR.glob("*.ts")))))
    url = parse_host(host) if host is not None else base_url()
    child_env = {**os.environ, "OLLAMA_HOST": url, **(env or {})}
    try:
        proc = subprocess.run([shutil.which("node") or "node", "--import", "tsx", script, *args], cwd=SDK_DIR,
                              env=child_env, input=stdin if stdin is not None else "", capture_output=True,
                              text=True, encoding="utf-8", timeout=timeout)
    except subprocess.TimeoutExpired:
        from labs.i18n import t

        raise TimeoutError(t("sdk.error.timeout", script=script, timeout=timeout, url=url)) from None
    if proc.returncode != 0:
        raise ExampleFailed(script, proc.returncode, proc.stderr or proc.stdout)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        raise ExampleFailed(script, 0, f"expected one JSON line on stdout, got:\n{proc.stdout[-2000:]}") from None


@dataclass(frozen=True)
class SmartRouteRun:
    """One run of the module's ``smartRoute`` (or ``processSensitiveData``) in TypeScript.

    ``how``: "simple", "complex" or "sensitive"; ``model_id``: the AI SDK's ``response.modelId`` (the
    cloud's own word; on the local side the model the script asked for, as ``ollama-ai-provider`` 1.2
    reports none), so ``routed`` is the script's label and ``cloud_requests`` the evidence; ``cloud_requests``: what the stand-in cloud recorded during
    this run (empty for a real cloud, which shows nothing); ``leaked``: the prompt reached the stand-in.
    """

    prompt: str
    how: str
    model_id: str
    text: str
    completion_tokens: int
    cloud_requests: list["RecordedRequest"]

    @property
    def routed(self) -> str:
        from labs.settings import lesson_model  # the examples read LABS_MODEL (sdk/host.ts labsModel)

        return "local" if self.model_id == lesson_model() else "cloud"

    @property
    def leaked(self) -> bool:
        return any(self.prompt in r.text() for r in self.cloud_requests)


def smart_route(prompt: str, how: str, *, cloud: "StandInCloud | None" = None, host: str | None = None,
                timeout: float = 120.0) -> SmartRouteRun:
    """Run ``sdk/smart-route.ts``: the module's ``smartRoute(prompt, how)`` for ``how`` "simple" or
    "complex", or ``processSensitiveData(prompt)`` for "sensitive" (lesson 3).

    The cloud side (``openai('gpt-4o-mini')``) goes to ``cloud``, lesson 3's **stand-in** (a local
    recorder, not a model) when one is given: only the stand-in can show what it received. Without
    one it goes to the real API when ``OPENAI_API_KEY`` is in the environment (``OPENAI_BASE_URL``
    too, when set), and otherwise to a stand-in started for this call. The local side goes to
    ``host`` (default ``OLLAMA_HOST``). Raises as :func:`run_example` does.
    """
    from labs.router.cloud import STAND_IN_KEY, StandInCloud

    if how not in ("simple", "complex", "sensitive"):
        from labs.i18n import t

        raise ValueError(t("sdk.error.how", how=how))
    if cloud is None and os.environ.get("OPENAI_API_KEY"):
        out = run_example("smart-route.ts", how, host=host, stdin=prompt, timeout=timeout)
        return _route_run(prompt, how, out, [])
    own = cloud is None
    cloud = (cloud or StandInCloud()).start()
    try:
        before = len(cloud.requests)
        out = run_example("smart-route.ts", how, host=host, stdin=prompt, timeout=timeout,
                          env={"OPENAI_BASE_URL": cloud.base_url, "OPENAI_API_KEY": STAND_IN_KEY})
        return _route_run(prompt, how, out, cloud.requests[before:])
    finally:
        if own:
            cloud.stop()


def _route_run(prompt: str, how: str, out: dict, requests: list) -> SmartRouteRun:
    return SmartRouteRun(prompt=prompt, how=how, model_id=out["modelId"], text=out["text"],
                         completion_tokens=int(out["usage"]["completionTokens"] or 0), cloud_requests=requests)
