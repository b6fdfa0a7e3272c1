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


# --- G2: wrong exercise answers are wrong answers with a hint, in the learner's language, never a bare exception -----

def _tuples(text: str) -> list:
    return [("ip", m.start(), m.end(), m.group(0)) for m in re.finditer(r"\b(?:\d{1,3}\.){3}\d{1,3}\b", text)]


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("check_id, ns, says", [
    ("lesson3.policy", {"my_policy": lambda p: "Local"}, {"en": "'Local'", "uk": "'Local'"}),
    ("lesson3.policy", {"my_policy": lambda p: "локально"}, {"en": "'local', 'cloud' or 'refuse'",
                                                             "uk": "'local', 'cloud' або 'refuse'"}),
    ("lesson3.policy", {"my_policy": lambda p: 1 / 0}, {"en": "ZeroDivisionError", "uk": "ZeroDivisionError"}),
    ("lesson3.detector", {"find_ip": _tuples}, {"en": "Finding(kind, start, end, text)",
                                                "uk": "Finding(kind, start, end, text)"}),
])
def test_wrong_lesson3_answers_are_failures_with_a_hint(monkeypatch, lang, check_id, ns, says):
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check(check_id, ns)
    assert result.status == "failed", result  # a wrong answer, not an "error" that looks like a crash
    assert says[lang] in result.message
    hint = t("check.hint", lang, hint="").strip()
    assert hint.rstrip(":").strip() in result.message, result.message
    if lang == "uk":
        assert re.search("[а-яєіїґ]{4}", result.message.split(t("check.hint", lang, hint="").strip())[0]), result.message
        assert "must return" not in result.message and "object has no attribute" not in result.message


def test_score_policy_names_a_bad_route_in_the_learners_language(monkeypatch):
    from labs.router.evaluate import load_prompts, score_policy

    monkeypatch.setenv("LAB_LANG", "uk")
    with pytest.raises(ValueError, match="має повертати"):
        score_policy(lambda p: "Local", load_prompts()[:2])


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_capacity_without_local_tps_sends_the_learner_to_section_10(monkeypatch, lang):
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check("lesson1.capacity", {"requests_per_day_capacity": 38000.0})
    assert result.status == "not answered", result
    assert ("10" in result.message) and ("section 10" in result.message or "розділ 10" in result.message)
    assert "write your answer" not in result.message and "напишіть відповідь" not in result.message


# --- G5: a number's no-break space never shows as `\xa0` -----------------------------------------------------------

def _code_cell(lesson: str, cell_id: str, edition: str = "solutions") -> str:
    nb = json.loads((ROOT / edition / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in nb["cells"] if c.get("id") == cell_id)


def test_lesson1_capacity_per_machine_prints_lines_not_a_dict():
    for edition in ("solutions", "solutions/uk"):
        source = _code_cell("01_self_hosted_vs_api", "bb403f31", edition)
        assert "print({" not in source, source  # a dict's repr writes number()'s no-break space as '\xa0'
        assert "number(cap)" in source
    assert "запитів на день на машину" in _code_cell("01_self_hosted_vs_api", "bb403f31", "solutions/uk")


# --- G6: counts without decimals, plurals through the catalogue ------------------------------------------------------

def test_count_columns_show_no_decimals():
    import pandas as pd

    from labs.display import for_reader

    table = pd.DataFrame({"samples": [3.0, 3.0, 8.0], "context_length": [8192.0, float("nan"), 4096.0],
                          "usd_per_month": [1.0, 2.0, 3.5]})
    html = for_reader(table, "uk").to_html()
    assert "3,00" not in html and "8\xa0192,00" not in html and "8\xa0192" in html and "3,50" in html
    metrics = pd.Series({"ttft_s": 0.1234, "eval_count": 24}, dtype=object).to_frame("m")
    cells = re.findall(r">([^<]*)</td>", for_reader(metrics, "uk").to_html())
    assert "24" in cells and not any(c.startswith("24,") for c in cells), cells
    assert "24.0" not in for_reader(metrics, "en").to_string()


def test_lesson2_metrics_keep_counts_whole():
    source = _code_cell("02_ollama_setup", "l2-031")
    assert "}).round(4)" not in source and "dtype=object" in source


@pytest.mark.parametrize("years, word", [(292, "292 роки"), (1, "1 рік"), (295, "295 років")])
def test_keep_alive_years_agree_with_their_count(years, word):
    said = t("lesson2.keep_alive.expiry", "uk", seconds=600, years=years)
    assert f"через {word}".replace(" ", "\xa0", 0) in said.replace("\xa0", " "), said
    assert "lesson2.keep_alive.expiry" in _code_cell("02_ollama_setup", "l2-021")
    assert "років" not in _code_cell("02_ollama_setup", "l2-021", "solutions/uk")  # no hand-made plural left


# --- G4: no label in the nominative after «проти» --------------------------------------------------------------------

def test_break_even_summary_needs_no_case():
    said = t("costs.break_even.summary", "uk", api="gpt-4o-mini", selfhost="оренда RTX 4090", reason="…", dates="2025")
    # the label stands in brackets after an indeclinable term, so it needs no case
    assert "gpt-4o-mini проти self-hosted (оренда RTX 4090):" in said
    from labs import costs

    mini = costs.api_cost("gpt-4o-mini", requests_per_day=1000, input_tokens=500, output_tokens=200)
    rent = costs.rental_cost("RTX 4090 24 GB — RunPod community cloud")
    import os

    old = os.environ.get("LAB_LANG")
    os.environ["LAB_LANG"] = "uk"
    try:
        said = str(costs.break_even(mini, rent))
        assert "проти оренда" not in said and "проти власна" not in said and "проти self-hosted (" in said
    finally:
        os.environ.pop("LAB_LANG") if old is None else os.environ.__setitem__("LAB_LANG", old)


# --- G7: every blank named at once --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("check_id, names", [
    ("quiz.q5", ("q5_gpu_usd_per_month", "q5_api_usd_per_month", "q5_break_even_requests_per_day")),
    ("lesson4.size_deployment", ("need_gib", "smallest_gpu")),
])
def test_every_blank_is_named(monkeypatch, lang, check_id, names):
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check(check_id, {n: ... for n in names})
    assert result.status == "not answered"
    assert all(f"`{n}`" in result.message for n in names), result.message


# --- G3: nothing English in what the uk edition prints -----------------------------------------------------------

def test_sdk_unavailable_speaks_the_learners_language(monkeypatch, tmp_path):
    from labs import sdk

    if sdk.node_version() is None:
        pytest.skip("needs node to reach the packages message")
    monkeypatch.setattr(sdk, "SDK_DIR", tmp_path)  # no node_modules here
    monkeypatch.setenv("LAB_LANG", "uk")
    said = sdk.unavailable()
    assert said.startswith("Пакети прикладів не встановлено") and "npm ci" in said and "installed" not in said
    monkeypatch.setenv("LAB_LANG", "en")
    assert sdk.unavailable().startswith("The examples' packages are not installed")


def test_lesson3_price_label_uses_the_translated_source(monkeypatch):
    from labs.router.evaluate import CostModel

    monkeypatch.setenv("LAB_LANG", "uk")
    label = CostModel.from_price().price_label
    assert "сторінка цін OpenAI" in label and "pricing page" not in label
    monkeypatch.setenv("LAB_LANG", "en")
    assert "OpenAI pricing page" in CostModel.from_price().price_label


def test_uk_tables_translate_group_values_route_values_and_every_header():
    import pandas as pd

    from labs.display import for_reader

    rows = pd.DataFrame({"group": ["card", "general", "hard_negative", "mixed", "iban"],
                         "expected": ["local", "cloud", "local", "refuse", "local"], "id": range(5), "correct": 1.0})
    table = rows.groupby(["group", "expected"]).agg(prompts=("id", "size"), routed_right=("correct", "mean"))
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", for_reader(table, "uk").to_html())
    for english in ("card", "карта", "general", "hard_negative", "mixed", "local", "cloud"):
        assert english not in heads, heads
    assert "картка" in heads and "у хмару" in heads
    by_kind = pd.DataFrame({"complex": [1], "simple": [2]}, index=pd.Index(["ALL"], name="kind"))
    by_kind.columns.name = "complexity"
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", for_reader(by_kind, "uk").to_html())
    assert {"складна", "проста", "УСІ"} <= set(heads), heads
    # raw field names the findings listed as headers next to translated ones
    for name in ("total_s", "eval_count", "weights_gb", "params_b", "ts", "cost_usd", "need_gib", "requests_per_s",
                 "latency_p95_is_lower_bound", "engine", "best_quant_that_fits", "kv_kib_per_token",
                 "cached_input_usd_per_mtok", "size_vram", "expires_at"):
        assert t(f"table.column.{name}", "uk") != name


@pytest.mark.parametrize("value", ["8x instance (per GPU)", "p5 (per GPU)", "street", "used, low end",
                                   "5-shot, base model (the tag is the post-trained model)", "as announced by OpenAI",
                                   "5-shot, 14 languages (Ukrainian is not one), base model"])
def test_uk_table_values_of_lesson1(value):
    from labs.display import cell_text

    shown = cell_text(value, "uk")
    assert shown != value and re.search("[а-яєіїґ]{3}", shown), shown


def test_hardware_source_is_ukrainian_in_uk():
    text = (ROOT / "labs" / "data" / "hardware_prices.csv").read_text(encoding="utf-8")
    assert "(розділ Buying hardware)" not in text


def test_lesson3_findings_print_the_kind_as_the_tables_name_it():
    assert "kind_label(f.kind)" in _code_cell("03_hybrid_routing", "lesson3-10")


# --- G8: one term per glossary entry ----------------------------------------------------------------------------

@pytest.mark.parametrize("key, wrong, right", [
    ("costs.widget.fixed", "постійні", "фіксовані"),
    ("checks.lesson1.rtx4090_vs_mini.hint", "завантаженість", "завантаження"),
    ("checks.lesson1.capacity.hint", "завантаженість", "завантаження"),
    ("table.column.costs_meet_at", "при", "за"),
    ("loadtest.result.stopped", "зупинено", "обірвано"),
    ("checks.lesson2.ttft.hint", "фрагмент", "шматку"),
])
def test_catalogue_uses_the_glossary_term(key, wrong, right):
    from labs.i18n import messages

    if key not in messages():
        key = next(k for k in messages() if k.startswith("checks.lesson2.") and k.endswith(".hint")
                   and "perf_counter" in messages()[k]["uk"])
    said = t(key, "uk")
    assert not re.search(rf"(?<!\w){wrong}(?!\w)" if wrong == "при" else wrong, said) and right in said, said


def test_glossary_catches_a_header_ending_in_pri():
    glossary = yaml.safe_load((ROOT / "labs" / "data" / "glossary.yaml").read_text(encoding="utf-8"))
    patterns = [p for term in glossary["terms"] for p in term.get("avoid", [])]
    assert any(re.search(rf"(?i)(?<!\w){p}", "витрати зрівнюються при") for p in patterns)
    assert any(re.search(rf"(?i)(?<!\w){p}", "постійні витрати") for p in patterns)


# --- G9: two tables of one quantity at different contexts say which ---------------------------------------------

def test_lesson4_module_tables_name_their_context():
    source = _code_cell("04_gpu_deployment", "e26ab6d4")
    assert "(context {TABLE_CONTEXT // 1024}K)" in source and "(context {RAM_CONTEXT // 1024}K)" in source
    from labs.display import header

    first, second = header("q4_k_m_total_gib (context 8K)", "uk"), header("q4_k_m_gib (context 4K)", "uk")
    assert first != second and first.endswith("(контекст 8K)") and second.endswith("(контекст 4K)")


# --- G10: no "(s)" plural hack, hints end as sentences ------------------------------------------------------------

def test_quiz_feedback_plural_and_hint_sentences():
    said = t("checks.quiz.not_yet", "en", wrong=1, missed=3, notes="")
    assert "(s)" not in said and "1 wrong option ticked" in said and "3 right ones missed" in said
    for key in ("checks.quiz.q1.hint", "checks.quiz.q4.hint", "checks.quiz.q5.hint", "checks.lesson2.ttft.hint"):
        for lang in ("en", "uk"):
            assert t(key, lang).endswith("."), (key, lang)
