"""Issue 16/17, round 5 (the learner walk in the Ukrainian edition): what a learner reads and copies must work and be
in the learner's language. Each test looks at rendered or printed text, never at the small model's free text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from labs.client import LocalLLM, ModelUnavailable
from labs.errors import ModelNotFound, StatusError
from labs.i18n import messages

ROOT = Path(__file__).resolve().parents[1]


def _uk_texts() -> dict[str, str]:
    """Every text a Ukrainian learner reads: README.uk.md, the uk notebooks (both editions), the uk catalogue."""
    texts = {"README.uk.md": (ROOT / "README.uk.md").read_text(encoding="utf-8")}
    for folder in ("solutions/uk", "notebooks/uk"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            texts[f"{folder}/{path.name}"] = "\n".join("".join(c["source"]) for c in cells)
    texts["messages.yaml (uk)"] = "\n".join(m.get("uk", "") for m in messages().values())
    return texts


# --- F2: a command in the uk edition that opens the lab keeps the learner in the uk edition -------------------------

def test_every_uk_make_lab_command_with_settings_opens_the_uk_edition():
    """«LABS_MODEL=llama3.2 make lab» opened notebooks/ (English): LAB_LANG is read only from the environment."""
    wrong = []
    for name, text in _uk_texts().items():
        for m in re.finditer(r"((?:[A-Z_]+=\S+ )*)make lab", text):
            settings = m.group(1)
            if "LAB_LANG=uk" not in settings and (settings or "`make lab`" not in text[m.start() - 1:m.end() + 1]):
                wrong.append(f"{name}: {text[max(0, m.start() - 40):m.end()]!r}")
    assert not wrong, "\n".join(wrong)


def test_the_model_switch_in_the_uk_edition_names_lab_lang():
    for name in ("README.uk.md", "solutions/uk/00_start_here.ipynb", "notebooks/uk/02_ollama_setup.ipynb"):
        assert "LAB_LANG=uk LABS_MODEL=llama3.2 make lab" in _uk_texts()[name], name


# --- F3: a model the server lacks, in every lesson and every path -------------------------------------------------

def test_every_lesson_that_calls_the_model_checks_it_first():
    """Lessons 0-4 make sure of LABS_MODEL's model (the model-switch explanation) before any cell asks the model for
    anything: lesson 3 had no ensure_model and failed at its first generate with the generic 404 text."""
    uses = re.compile(r"\.(generate|chat|measure|stream_generate|stream_chat|complete)\(|smart_route\(")
    for path in sorted((ROOT / "solutions").glob("0[0-4]_*.ipynb")):
        code = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "code"]
        ensured = next(i for i, s in enumerate(code) if "ensure_model(" in s or "pull_with_progress(" in s)
        first_use = next((i for i, s in enumerate(code) if uses.search(s)), len(code))
        assert ensured < first_use, (path.name, code[first_use][:200])


def test_a_missing_model_on_the_embedded_server_explains_in_lab_lang(llm, is_embedded, monkeypatch):
    if not is_embedded:
        pytest.skip("the embedded server's explanation")
    monkeypatch.setenv("LAB_LANG", "uk")
    with pytest.raises(ModelNotFound) as err:  # lesson 2 l2-044: a generate, not a pull
        llm.generate("hi", model="llama3.2:1b-not-pulled")
    text = str(err.value)
    assert "вбудованому сервері" in text and "smollm2:135m" in text and "labs pull" not in text, text
    with pytest.raises(ModelUnavailable) as err:  # LocalLLM.pull, not only labs pull / ensure_model
        LocalLLM(llm.url).pull("llama3.2")
    text = str(err.value)
    assert isinstance(err.value, StatusError) and "вбудованому сервері" in text
    assert "the server reported" not in text and "сервер повідомив про помилку" in text, text
    assert text.count("`ollama pull llama3.2`") == 1, text  # not «… llama3.2 (модуль радить … llama3.2 …)»
    assert "LAB_LANG=uk OLLAMA_HOST=" in text


def test_a_missing_model_on_ollama_still_names_the_pull_command(monkeypatch):
    monkeypatch.setenv("LAB_LANG", "uk")
    text = str(ModelNotFound("llama3.2", "http://127.0.0.1:11434"))
    assert "ollama pull llama3.2" in text and text.startswith("Моделі")


# --- F4/F10: what show_table prints in the uk edition ---------------------------------------------------------------

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")


def _uk_html(table) -> str:
    from labs.display import table_html

    return table_html(table, "uk")


def _headers(html: str) -> list[str]:
    return re.findall(r'<th [^>]*class="(?:col_heading|index_name)[^"]*"[^>]*>([^<]*)</th>', html)


@pytest.mark.parametrize("columns", [
    # lesson 1 (6b91cbcb, 043ccb9f, 1abc1e5a, 8a3aa139), lesson 2 (l2-036, l2-008, l2-029), lesson 4 (d392de8f, e26ab6d4 …)
    ["scenario", "requests_per_day", "reasoning_tokens", "machines", "capacity_per_machine", "usd_per_month",
     "module_says", "prices_as_of"],
    ["rental", "fixed", "amortisation", "power"],
    ["ttft_p50_ms", "total_p50_ms", "tokens_per_s_p50", "low_ms", "high_ms"],
    ["input_usd_per_mtok", "output_usd_per_mtok", "usd_per_gpu_hour", "price_usd", "as_of"],
    ["tag", "where", "file_gib", "context_length", "tokens_per_s", "ttft_s", "params_module", "ram_gb_module", "quality",
     "use", "modified_at", "streamed", "text_chunks"],
    ["rent_usd_month", "requests_per_day_per_machine_est", "costs_meet_at", "break_even_requests_per_day",
     "published_weights_gib", "estimated_weights_gib", "kv_gib_at_8k", "fits", "memory_gb", "headroom_gib",
     "decode_tokens_per_s_est", "task", "count", "usable_gib", "verdict", "planned", "completed_ok", "not_started",
     "samples", "cut_off", "metric", "unit", "error_%"],
])
def test_the_lesson_tables_have_ukrainian_headers(columns):
    import pandas as pd

    html = _uk_html(pd.DataFrame([{c: 1 for c in columns}]))
    english = [h for h in _headers(html) if ASCII_WORD.search(h.replace("GiB", "").replace("USD", "").replace("TTFT", "")
                                                              .replace("KV", "").replace("RAM", "").replace("HTTP", "").replace("GPU", ""))]
    assert not english, english


def test_one_quantity_has_one_name_in_lesson_4():
    """Q4_K_M weights + KV + overhead was «q4_k_m_total_gib» in one table and «q4_k_m_gib» in the next."""
    from labs.display import header

    assert header("q4_k_m_total_gib", "uk") == header("q4_k_m_gib", "uk")


def test_missing_values_counts_and_zeros_read_as_a_ukrainian_table_writes_them():
    import numpy as np
    import pandas as pd

    table = pd.DataFrame({"calls": [5, np.nan], "ttft_p50_ms": [120.5, np.nan], "error_%": [round(-0.001, 2), 1.5],
                          "break_even_requests_per_day": [None, None]})
    html = _uk_html(table)
    assert "nan" not in html.lower() and "None" not in html and "-0,00" not in html, html
    assert ">5<" in html and "5,00" not in html, html  # a count stays a whole number
    assert "120,5<" in html and html.count("—") >= 3  # one decimal as measured, no invented zero (r7 R6)


def test_a_pii_kind_has_one_ukrainian_name_in_tables_and_plots():
    import pandas as pd

    from labs.display import kind_label
    from labs.i18n import t

    table = pd.DataFrame({"kind": ["card", "ALL"], "missed": [0, 0]}).set_index("kind")
    html = _uk_html(table)
    assert t("router.kind.card", "uk") in html and "карта" not in html
    assert kind_label("tax_id", "uk") == t("router.kind.tax_id", "uk")


def test_router_values_read_in_ukrainian_and_keep_their_api_values(monkeypatch):
    import pandas as pd

    from labs.router import heuristic
    from labs.router.policy import decide

    row = {"prompt": "x", **vars(heuristic("Design a caching layer and compare write-through with write-back."))}
    html = _uk_html(pd.DataFrame([row, {"prompt": "y", "label": "simple", "target": "refuse", "by": "heuristic"}]))
    for english in (">simple<", ">complex<", ">refuse<", ">heuristic<", "reasoning"):
        assert english not in html, english
    monkeypatch.setenv("LAB_LANG", "uk")
    d = decide(findings=(), complexity=heuristic("Translate 'thank you' into Ukrainian."), cloud_ready=True)
    assert "simple" not in d.explain() and d.complexity.label == "simple"


def test_the_stand_in_cloud_speaks_lab_lang(monkeypatch):
    from labs.i18n import t
    from labs.router.cloud import STAND_IN_LABEL, StandInCloud

    assert t("cloud.stand_in.label", "en") == STAND_IN_LABEL  # the constant tests use is the catalogue's English
    monkeypatch.setenv("LAB_LANG", "uk")
    cloud = StandInCloud()
    assert "requests recorded" not in repr(cloud) and "ЗАМІНА" in repr(cloud)
    assert t("lesson3.stand_in_received", "uk", n=1).endswith("1 запит:")
    assert t("lesson3.stand_in_received", "uk", n=3).endswith("3 запити:")


# --- F5/F6: numbers in the uk typography ----------------------------------------------------------------------------

def test_the_cost_explorer_sliders_read_ukrainian_numbers(monkeypatch):
    from labs import widgets_costs as wc

    monkeypatch.setenv("LAB_LANG", "uk")
    box = wc.cost_explorer(requests_per_day=10_000)
    shown = {k: c.readout_label.value for k, c in box.controls.items() if hasattr(c, "readout_label")}
    assert {"requests_per_day", "utilisation", "electricity", "fixed"} <= shown.keys()
    assert all(not c.readout for k, c in box.controls.items() if k in shown)  # ipywidgets' d3 readout has no locale
    assert shown["requests_per_day"] == "10\xa0000" and "," in shown["electricity"] and "." not in shown["fixed"]
    box.controls["electricity"].value = 0.3
    assert box.controls["electricity"].readout_label.value == "0,30"
    assert "(per GPU)" not in " ".join(label for label, _ in box.controls["option"].options)


def test_the_ttft_interval_reads_as_one_interval_in_ukrainian():
    from labs.i18n import t

    said = t("checks.lesson2.ttft.passed", "uk", value=7.339, low=7.212, high=7.489, delay=0.5, path="/api/generate")
    assert "від 7,212 до 7,489 с" in said and "[" not in said


def test_the_quiz_prices_have_two_decimals_in_both_languages():
    """«$0,15 за 1M вхідних і $0,6 за 1M вихідних»: every price in the q5 context with its cents."""
    from labs.quiz import bank, scenarios

    ctx = scenarios.q5_gpu_month()
    said = {lang: bank.text(bank.question("q5").intro, lang, **ctx) for lang in ("en", "uk")}
    assert "$0.60 per 1M output" in said["en"] and "$0,60 за 1M вихідних" in said["uk"], said


# --- F7/F8: check feedback a learner reads ----------------------------------------------------------------------------

def test_q4_names_both_blanks_while_both_are_blank(monkeypatch):
    from labs.exercises import run_check
    import labs.checks.quiz  # noqa: F401  (registers the quiz checks)

    monkeypatch.setenv("LAB_LANG", "uk")
    said = run_check("quiz.q4", {"q4_local": ..., "q4_fallback": ...}).message
    assert "`q4_local`" in said and "`q4_fallback`" in said, said


def test_q3_feedback_is_a_ukrainian_sentence_before_its_hint(llm, monkeypatch):
    """«local_call: вона не зробила … (… endpoint моделі) Підказка: …»: an English key, no full stop, «вона»/«завершився»."""
    from labs.exercises import run_check
    import labs.checks.quiz  # noqa: F401

    monkeypatch.setenv("LAB_LANG", "uk")
    for fn in (lambda p: "Hello!", lambda p: 1 / 0):
        said = run_check("quiz.q3", {"ask_local": fn}).message
        assert not re.match(r"[a-z_]+:", said) and said[0].isupper(), said
        assert re.search(r"[.!?…]\)?\s+Підказка:", said) and said.endswith("."), said
        assert "вона" not in said, said


def test_the_hint_follows_a_full_stop_after_a_closing_bracket():
    from labs.exercises import exercise, run_check

    @exercise("test.r5.bracket", points=1, hint="do this.")
    def _bracket(ns):
        raise AssertionError("it made no request (no request to a model endpoint)")

    try:
        said = run_check("test.r5.bracket", {}).message
    finally:
        from labs.exercises import _REGISTRY

        _REGISTRY.pop("test.r5.bracket")  # no other test sees this exercise
    assert "endpoint). Hint: do this." in said or "endpoint). Підказка: do this." in said, said


# --- F9: one request shape, or the difference said ------------------------------------------------------------------

def test_lesson_4_says_how_its_request_differs_from_lesson_1s():
    from labs.widgets_costs import CAPACITY_OUTPUT_TOKENS

    for path in ("solutions/04_gpu_deployment.ipynb", "solutions/uk/04_gpu_deployment.ipynb"):
        text = "\n".join("".join(c["source"]) for c in json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"])
        assert f"500 in + {CAPACITY_OUTPUT_TOKENS} out" in text or f"500 вхідних + {CAPACITY_OUTPUT_TOKENS} вихідних" in text, path
        assert "CAPACITY_OUTPUT_TOKENS" in text and "round(rent.monthly_usd, 2)" in text, path
