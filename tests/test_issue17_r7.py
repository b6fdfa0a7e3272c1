"""Issue 17 / 16, attack round 6 (``/work/attacks/issue17-r6/FINDINGS.md``): one test per class G1-G9.

Each test calls the real check, catalogue or uk source the finding named; the ones that need a model talk to
the session's real server (``server_url``), never a mock.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from labs.exercises import run_check
from labs.i18n import t

ROOT = Path(__file__).resolve().parents[1]
UK = ROOT / "solutions" / "uk"


def _uk_cells(lesson: str) -> dict:
    """The uk translations of one lesson, by cell id (the yaml source ``labs build-notebooks`` reads)."""
    data = yaml.safe_load((UK / f"{lesson}.yaml").read_text(encoding="utf-8"))
    cells = data.get("cells", data)
    return {cid: (c.get("text") if isinstance(c, dict) else c) for cid, c in cells.items()}


# --- G1: a model the embedded server does not ship ------------------------------------------------------------------

@pytest.mark.embedded
@pytest.mark.parametrize("lang", ["en", "uk"])
def test_q2_on_the_embedded_server_explains_it_cannot_pull(server_url, is_embedded, monkeypatch, lang):
    if not is_embedded:
        pytest.skip("the embedded server's explanation")
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check("quiz.q2", {"MODEL": "llama3.2"})
    assert result.status == "failed", result
    from labs.settings import missing_model_help

    assert missing_model_help("llama3.2", embedded=True, lang=lang) in result.message
    # no advice to pull on this server: the only `ollama pull` is the one for real Ollama inside the explanation
    assert result.message.count("ollama pull") == 1, result.message
    assert "pull it" not in result.message and "завантажте її" not in result.message


def test_q2_widget_placeholder_is_the_lessons_model(monkeypatch):
    pytest.importorskip("ipywidgets")
    from labs.quiz import bank
    from labs.quiz.widgets import PartView

    monkeypatch.delenv("LABS_MODEL", raising=False)
    q = bank.question("q2")
    part = next(p for p in q.parts if p.kind == "practical" and p.probe == "setup")
    view = PartView(q, part, "uk", dict)
    assert view.input.placeholder == "smollm2:135m"
    monkeypatch.setenv("LABS_MODEL", "qwen3:8b")
    assert PartView(q, part, "uk", dict).input.placeholder == "qwen3:8b"


@pytest.mark.embedded
def test_labs_doctor_checks_labs_model(server_url, is_embedded, monkeypatch, capsys):
    if not is_embedded:
        pytest.skip("the embedded server's explanation")
    from labs.doctor import run_doctor

    monkeypatch.setenv("OLLAMA_HOST", server_url)
    monkeypatch.setenv("LAB_LANG", "uk")
    monkeypatch.setenv("LABS_MODEL", "llama3.2")
    code = run_doctor()
    said = capsys.readouterr().out
    assert code == 1, said
    assert "моделі llama3.2 немає" in said and "вбудованому сервері" in said, said
    assert "усе гаразд" not in said
