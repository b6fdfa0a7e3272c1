"""End to end in a real browser: JupyterLab + headless Debian Chromium, driven by playwright.

Opens ``05_check_yourself`` (the learner version in English, the solution in Ukrainian), runs it,
answers every question by clicking, reads the feedback, checks the saved progress file next to the
notebook, and saves screenshots under ``artifacts/browser/``. Runs lesson 1 of the Ukrainian edition
from its ``uk`` folder with no ``LAB_LANG`` set, and checks its prose, widgets and plots speak Ukrainian. Skips when ``/usr/bin/chromium`` is
absent (``scripts/setup.sh --test`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from playwright.sync_api import expect

from labs.host import free_port
from labs.quiz import bank

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "browser"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TEXT = {
    "en": {"wrong": "Not yet", "right": "Correct.", "title": "When is a self-hosted", "not_defined": "still has",
           "again": "Answered before", "done": "done"},
    "uk": {"wrong": "Ще ні", "right": "Правильно.", "title": "Коли self-hosted", "again": "Вже відповідали",
           "done": "виконано"},
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(apt-get install chromium; `scripts/setup.sh --test` does it)"),
]


@pytest.fixture
def jupyterlab(tmp_path, server_url):
    """Start JupyterLab on a free port over a folder of its own; yields (base URL, folder, start)."""
    started: list[subprocess.Popen] = []

    settings = tmp_path / "settings"
    for name, value in (("notebook-extension/tracker", {"autoStartDefaultKernel": True, "windowingMode": "none"}),
                        ("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False})):
        file = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(value))

    def start(lang: str | None) -> str:
        """``lang`` None: no LAB_LANG at all, as a learner who opens ``notebooks/uk/`` by hand."""
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("LABS_PROGRESS", "LAB_LANG")}
        env.update(OLLAMA_HOST=server_url, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
                   JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
        if lang:
            env.update(LAB_LANG=lang, MPLBACKEND="Agg")
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
               f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={settings}", "--allow-root",
               "--LabApp.extension_manager=readonly", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        log = (tmp_path / f"jupyter-{lang}.log").open("wb")
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / f"jupyter-{lang}.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/api/status", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("JupyterLab did not start within 90 s")

    yield start, tmp_path
    for proc in started:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tick(part, ids):
    """Click these options' inputs: checkboxes (clicking a ticked one unticks it) or, in a single-answer part, radios."""
    for opt_id in ids:
        part.locator(f".labs-quiz-option-{opt_id} input").click()


def _feedback(part, contains: str, timeout: float = 30_000) -> str:
    box = part.locator(".labs-quiz-feedback")
    box.filter(has_text=contains).wait_for(timeout=timeout)
    return box.inner_text()


def _answer_everything(page, lang: str, solved: bool) -> None:
    t = TEXT[lang]
    q1 = page.locator(".labs-quiz-q1")
    q1.scroll_into_view_if_needed()
    expect(q1).to_contain_text(t["title"], timeout=30_000)
    part = q1.locator(".labs-quiz-part-when")
    right = sorted(bank.right_options("q1", "when"))
    wrong = [o for o in "abcdefg" if o not in right][:1]
    _tick(part, [right[0], *wrong])
    part.locator(".labs-quiz-check").click()
    text = _feedback(part, t["wrong"])
    assert text.count("☑") == 2  # the two ticked options are explained, the others not given away
    _tick(part, [*wrong, *right[1:]])  # untick the wrong one, tick the rest
    part.locator(".labs-quiz-check").click()
    assert _feedback(part, t["right"]).count("☑") == len(right)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    q1.screenshot(path=str(ARTIFACTS / f"q1_feedback_{lang}.png"))

    for qid, part_id in (("q2", "port"), ("q3", "switch"), ("q4", "route"), ("q4", "fallback")):
        part = page.locator(f".labs-quiz-{qid} .labs-quiz-part-{part_id}")
        part.scroll_into_view_if_needed()
        _tick(part, sorted(bank.right_options(qid, part_id)))
        part.locator(".labs-quiz-check").click()
        _feedback(part, t["right"])
    page.locator(".labs-quiz-q4").screenshot(path=str(ARTIFACTS / f"q4_radio_{lang}.png"))  # radios for the single answer

    setup = page.locator(".labs-quiz-q2 .labs-quiz-part-setup")
    setup.scroll_into_view_if_needed()
    setup.locator(".labs-quiz-check").click()
    assert "tokens/s" in _feedback(setup, t["right"], 90_000) or "токена/с" in setup.inner_text()  # 12,3 токена/с: a decimal takes the genitive singular

    sdk = page.locator(".labs-quiz-q3 .labs-quiz-part-sdk")
    sdk.scroll_into_view_if_needed()
    sdk.locator(".labs-quiz-check").click()
    if solved:  # the solution's ask_local really calls the local server
        assert "/v1/chat/completions" in _feedback(sdk, t["right"], 90_000)
    else:  # the learner's is still `...`: the check says so instead of crashing
        _feedback(sdk, t["not_defined"], 90_000)

    for part_id, value in (("gpu_month", 0.34 * 730), ("api_month", 10_000 * 195e-6 * 730 / 24),
                           ("break_even", 0.34 * 730 / (195e-6 * 730 / 24))):
        part = page.locator(f".labs-quiz-q5 .labs-quiz-part-{part_id}")
        part.scroll_into_view_if_needed()
        part.locator(".labs-quiz-number input").fill(f"{value:.2f}")
        part.locator(".labs-quiz-check").click()
        _feedback(part, t["right"])


def _run_all(page) -> None:
    """Run → Run All Cells (not awaited: the command's promise ends only when every cell has run)."""
    select = page.locator(".jp-Dialog .jp-mod-accept")
    if select.count():  # a "Select Kernel" dialog, in case the settings did not take
        select.click()
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


@pytest.mark.parametrize("lang, source", [("en", "notebooks"), ("uk", "solutions")])
def test_check_yourself_in_jupyterlab(jupyterlab, lang, source):
    from playwright.sync_api import sync_playwright

    start, root = jupyterlab
    work = root / "work"
    work.mkdir()
    shutil.copyfile(ROOT / source / "05_check_yourself.ipynb", work / "05_check_yourself.ipynb")
    url = start(lang)
    # start the notebook's kernel through the REST API, as the launcher would: no "Select Kernel" dialog
    session = httpx.post(f"{url}/api/sessions", json={"path": "work/05_check_yourself.ipynb", "type": "notebook",
                                                     "name": "05_check_yourself.ipynb", "kernel": {"name": "python3"}})
    assert session.status_code == 201, session.text
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            page.goto(f"{url}/lab/tree/work/05_check_yourself.ipynb", wait_until="domcontentloaded")
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
            _run_all(page)
            page.locator(".labs-quiz-q5 .labs-quiz-check").first.wait_for(timeout=90_000)
            page.locator(".labs-quiz-summary").first.wait_for(timeout=30_000)
            # a click waits for every queued cell (the solutions' checks generate text): let Run All finish first
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=300_000)
            _answer_everything(page, lang, solved=source == "solutions")
            summary = page.locator(".labs-quiz-summary").first
            summary.scroll_into_view_if_needed()
            assert summary.inner_text().count(TEXT[lang]["done"]) >= 4  # the summary refreshed as answers came in
            summary.screenshot(path=str(ARTIFACTS / f"summary_{lang}.png"))

            saved = json.loads((work / ".labs-progress.json").read_text())  # saved by the kernel, next to the notebook
            assert saved["quiz"]["q1"]["when"]["correct"] and saved["quiz"]["q1"]["when"]["attempts"] == 2
            assert saved["quiz"]["q5"]["break_even"]["correct"]
            assert saved["quiz"]["q2"]["setup"]["detail"]["speed"]["tps"] > 0

            # re-running the notebook keeps the answers
            _run_all(page)
            page.locator(".labs-quiz-q1 .labs-quiz-feedback").filter(has_text=TEXT[lang]["again"]).wait_for(timeout=60_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
        finally:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"05_check_yourself_{lang}.png"))
            browser.close()


def _open(page, url: str, path: str) -> None:
    page.goto(f"{url}/lab/tree/{path}", wait_until="domcontentloaded")
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)


def test_a_ukrainian_lesson_runs_in_jupyterlab_in_ukrainian(jupyterlab):
    """Issue 16: lesson 1 of ``notebooks/uk`` opened as it lies (no LAB_LANG): Ukrainian prose, the cost
    explorer's labels and printed lines, and plots whose labels come from the same catalogue."""
    from playwright.sync_api import sync_playwright

    from labs.i18n import t

    start, root = jupyterlab
    (root / "uk").mkdir()
    name = "01_self_hosted_vs_api.ipynb"
    shutil.copyfile(ROOT / "notebooks" / "uk" / name, root / "uk" / name)
    url = start(None)
    session = httpx.post(f"{url}/api/sessions", json={"path": f"uk/{name}", "type": "notebook", "name": name,
                                                     "kernel": {"name": "python3"}})
    assert session.status_code == 201, session.text
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            _open(page, url, f"uk/{name}")
            _run_all(page)
            explorer_label = t("costs.widget.volume", "uk")
            page.get_by_text(explorer_label).first.wait_for(timeout=600_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=600_000)
            notebook = page.locator(".jp-Notebook")
            text = notebook.inner_text()
            assert page.locator('[data-mime-type="application/vnd.jupyter.error"]').count() == 0, text[-3000:]
            heading = json.loads((root / "uk" / name).read_text())["cells"][0]["source"]
            heading = (heading if isinstance(heading, str) else "".join(heading)).splitlines()[0].lstrip("# ")
            assert heading.startswith("Урок 1") and heading in text  # the Ukrainian prose, as written
            for key in ("costs.widget.api_model", "costs.widget.option", "costs.widget.capacity"):
                assert t(key, "uk") in text, key
            assert t("costs.widget.at_volume", "uk", volume=10_000, api="$", selfhosted="$").split("$")[0] in text
            widget = page.get_by_text(explorer_label).first.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]")
            widget.scroll_into_view_if_needed()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            widget.screenshot(path=str(ARTIFACTS / "01_cost_explorer_uk.png"))
            plots = page.locator(".jp-OutputArea-output img")
            assert plots.count() >= 3  # the cost plots, the explorer's plot, the latency plot
            for i in range(min(plots.count(), 4)):
                plots.nth(i).scroll_into_view_if_needed()
                plots.nth(i).screenshot(path=str(ARTIFACTS / f"01_plot_{i}_uk.png"))
        finally:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "01_self_hosted_vs_api_uk.png"))
            browser.close()
