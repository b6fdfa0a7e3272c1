"""One catalogue of learner-facing messages (labs/data/messages.yaml), used everywhere, in both languages (issue 16)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from labs import costs
from labs.errors import ModelNotFound, RequestTimeout, ServerNotRunning
from labs.i18n import language, messages, t

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = yaml.safe_load((ROOT / "labs" / "data" / "messages.yaml").read_text(encoding="utf-8"))
USED = re.compile(r"""\bt\(\s*["']([\w.\- ]+)["']""")


def _keys_used_in_labs() -> dict[str, str]:
    used = {}
    for path in (ROOT / "labs").rglob("*.py"):
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if ">>>" not in line)
        for key in USED.findall(code):  # doctest lines are examples, not messages
            used.setdefault(key, str(path.relative_to(ROOT)))
    return used


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_labs_uses_is_in_the_catalogue_in_both_languages_with_the_same_fields():
    used = _keys_used_in_labs()
    assert len(used) > 40, "the scan found too few t(...) calls: has the call style changed?"
    missing = {key: where for key, where in used.items() if key not in CATALOGUE}
    assert not missing, f"keys used but not in labs/data/messages.yaml: {missing}"
    for key, texts in CATALOGUE.items():
        assert set(texts) == {"en", "uk"}, key
        assert _fields(texts["en"]) == _fields(texts["uk"]), f"{key}: the two languages fill different fields"
        prose = re.sub(r"\{[^}]*\}|`[^`]*`|cloud API|self-hosted", "", texts["en"])  # fields, code, kept terms
        assert texts["uk"] != texts["en"] or not re.search(r"[a-z]{4,}", prose), f"{key}: not translated"


def test_no_message_in_the_catalogue_is_left_unused():
    used = set(_keys_used_in_labs())
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "labs").rglob("*.py"))
    # keys composed at run time (f"check.status.{status}") are found by their prefix in the source
    unused = [k for k in CATALOGUE if k not in used and f'"{k.rsplit(".", 1)[0]}.' not in source]
    assert not unused, f"messages nobody shows: {unused}"


def test_the_edition_folder_picks_the_language_and_lab_lang_wins(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB_LANG", raising=False)
    (tmp_path / "uk").mkdir()
    monkeypatch.chdir(tmp_path / "uk")  # where JupyterLab and nbval start the Ukrainian edition's kernel
    assert language() == "uk"
    assert "не відповідає" in str(ServerNotRunning("http://127.0.0.1:9"))
    monkeypatch.setenv("LAB_LANG", "en")
    assert language() == "en"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAB_LANG")
    assert language() == "en"


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_errors_with_their_fixes_speak_the_learners_language(lang, monkeypatch):
    monkeypatch.setenv("LAB_LANG", lang)
    for error, fix in ((ServerNotRunning("http://127.0.0.1:9"), "ollama serve"),
                       (ModelNotFound("qwen3:8b", "http://127.0.0.1:9"), "ollama pull qwen3:8b"),
                       (RequestTimeout("http://127.0.0.1:9", 30), "num_predict")):
        assert fix in str(error)
        assert bool(re.search("[а-яіїєґ]", str(error))) == (lang == "uk"), str(error)


def test_the_cost_plot_and_widgets_carry_ukrainian_labels(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from labs.widgets_costs import RENT, cost_explorer, plot_costs, selfhost_cost

    monkeypatch.setenv("LAB_LANG", "uk")
    api = costs.api_cost("gpt-4o-mini", requests_per_day=1_000, input_tokens=500, output_tokens=200)
    fig = plot_costs(api, selfhost_cost(RENT + "RTX 4090 24 GB — RunPod community cloud").with_capacity(40_000))
    ax = fig.axes[0]
    assert ax.get_xlabel() == t("costs.plot.xlabel", "uk") == "обсяг (запитів на день)"
    assert "Вартість на місяць" in ax.get_title() and "ціни станом на" in ax.get_title()
    assert any("одна машина обслуговує" in text.get_text() for text in ax.get_legend().get_texts())
    box = cost_explorer()
    assert box.controls["requests_per_day"].description == "обсяг (запитів на день)"
    monkeypatch.setenv("LAB_LANG", "en")
    assert cost_explorer().controls["requests_per_day"].description == "volume (requests/day)"


def test_messages_are_read_once_and_unknown_keys_say_where_to_add_them():
    assert messages() is messages()
    with pytest.raises(KeyError, match="add it there in both languages"):
        t("no.such.message")
