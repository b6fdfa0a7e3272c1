"""Which ways of writing a dollar amount JupyterLab typesets as math: a real JupyterLab in headless Chromium.

Writes a notebook with the same two amounts written several ways (markdown, a pandas table, widgets), runs it,
and prints, for each, whether MathJax made math of it. ``labs/display.py`` states the result. Needs Debian's
chromium (``scripts/setup.sh --test``); takes a minute or two.

    .venv/bin/python bench/dollar_math_probe.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import nbformat

from labs.host import free_port

MARKDOWN = {
    "markdown $": "M1 costs $248.20 a month, M2 costs $348.20.",
    "markdown \\$": "B1 costs \\$248.20 a month, B2 costs \\$348.20.",
    "markdown &#36;": "E1 costs &#36;248.20 a month, E2 costs &#36;348.20.",
    "markdown <span>$</span>": "S1 costs <span>$</span>248.20 a month, S2 costs <span>$</span>348.20.",
    "markdown <span>&#36;</span>": "T1 costs <span>&#36;</span>248.20 a month, T2 costs <span>&#36;</span>348.20.",
    "markdown code span": "C1 costs `$248.20` a month, C2 costs `$348.20`.",
}
CODE = """import pandas as pd, ipywidgets as w
from IPython.display import display, HTML
display(HTML('<div class="probe" data-name="pandas default">'), pd.DataFrame({"x": ["D1 $0 (CPU) or $500+ (GPU)"]}))
with pd.option_context("display.html.use_mathjax", False):
    display(pd.DataFrame({"x": ["N1 $0 (CPU) or $500+ (GPU)"]}))
display(w.HTML("W1 $5 and W2 $10 end"), w.Label("L1 $5 and L2 $10 end"), w.Checkbox(description="K1 $5 and K2 $10 end"))
display(HTML("<p>Z9 done</p>"))
"""
MARKERS = {"pandas default": "D1", "pandas use_mathjax=False": "N1", "ipywidgets.HTML": "W1", "ipywidgets.Label": "L1",
           "ipywidgets.Checkbox description": "K1"}


def main() -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        sys.exit("bench: needs /usr/bin/chromium (scripts/setup.sh --test installs it)")
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="dollar-probe-"))
    (root / "work").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(v) for v in MARKDOWN.values()] + [nbformat.v4.new_code_cell(CODE)]
    nbformat.write(nb, root / "work" / "probe.ipynb")
    settings = root / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"autoStartDefaultKernel": True, "windowingMode": "none"}))
    port = free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "cfg"), "JUPYTER_RUNTIME_DIR": str(root / "rt")}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={root / 'ws'}",
           f"--LabApp.user_settings_dir={root / 'settings'}", "--allow-root"]
    proc = subprocess.Popen(cmd, env=env, stdout=(root / "jupyter.log").open("wb"), stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{url}/api/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        httpx.post(f"{url}/api/sessions", json={"path": "work/probe.ipynb", "type": "notebook", "name": "probe.ipynb",
                                                "kernel": {"name": "python3"}})
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(f"{url}/lab/tree/work/probe.ipynb", wait_until="domcontentloaded")
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=180_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.locator(".jp-OutputArea-output").get_by_text("Z9 done", exact=True).wait_for(timeout=180_000)
            time.sleep(5)  # MathJax typesets after rendering
            parts = page.evaluate("""() => [...document.querySelectorAll(
                '.jp-RenderedMarkdown, .jp-OutputArea-output, .widget-html, .widget-label, .widget-checkbox')]
                .map(p => ({text: p.innerText.replace(/\\s+/g, ' ').slice(0, 60), math: p.querySelectorAll('mjx-container').length}))""")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
    marks = {**{name: text.split()[0] for name, text in MARKDOWN.items()}, **MARKERS}
    for name, mark in marks.items():
        hits = [p for p in parts if p["text"].lstrip().startswith(mark) or f" {mark} " in f" {p['text']} "]
        verdict = "?" if not hits else ("typeset as math" if any(p["math"] for p in hits) else "shown as written")
        print(f"{name:34} {verdict}")


if __name__ == "__main__":
    main()
