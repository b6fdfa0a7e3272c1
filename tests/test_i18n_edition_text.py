"""What the Ukrainian edition's code cells show a learner: no English table, label or case name left over, and every
table through ``show_table`` so its numbers read the Ukrainian way (issue 16; issue 17 review r3, F4).

These read the generated ``solutions/uk`` notebooks (the same cells nbval runs) and the helper that displays tables;
nothing here runs a model."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from labs.display import for_reader, table_html

ROOT = Path(__file__).resolve().parents[1]


def _code(edition: str, lesson: str) -> dict[str, str]:
    folder = ROOT / "solutions" / edition if edition else ROOT / "solutions"
    nb = json.loads((folder / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    return {c["id"]: "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"}


# (lesson, cell, English text a learner of the uk edition read in r3): tables, bar labels, ticks, case names, headers
ENGLISH_SEEN = [
    ("03_hybrid_routing", "lesson3-32", "not its job"),
    ("03_hybrid_routing", "lesson3-32", "a learned strong/weak router"),
    ("03_hybrid_routing", "lesson3-32", "this router (lesson 3)"),
    ("03_hybrid_routing", "lesson3-32", "leaks; "),
    ("03_hybrid_routing", "lesson3-32", "decides by"),
    ("03_hybrid_routing", "lesson3-28", '"all cloud"'),
    ("03_hybrid_routing", "lesson3-28", '"this router"'),
    ("03_hybrid_routing", "lesson3-28", "module's smartRoute"),
    ("03_hybrid_routing", "lesson3-25", "(of {gold})"),
    ("03_hybrid_routing", "lesson3-16", "not personal, simple"),
    ("03_hybrid_routing", "lesson3-16", "labelled sensitive by the caller"),
    ("03_hybrid_routing", "lesson3-04-ts", "answered by"),
    ("03_hybrid_routing", "lesson3-04-ts", "requests the stand-in recorded"),
    ("03_hybrid_routing", "lesson3-04-ts", "prompt reached it"),
    ("02_ollama_setup", "l2-036", "quality_en"),
    ("02_ollama_setup", "l2-036", "use_en"),
    ("01_self_hosted_vs_api", "0179fc0e", "first reason"),
    ("01_self_hosted_vs_api", "0179fc0e", '"case"'),
]


@pytest.mark.parametrize("lesson, cell, english", ENGLISH_SEEN)
def test_the_ukrainian_edition_shows_no_english_table_label_or_case_name(lesson, cell, english):
    assert cell in _code("", lesson), f"{lesson} has no cell {cell}: update this test with the lesson"
    assert english not in _code("uk", lesson)[cell], f"{lesson} {cell} shows {english!r} in the Ukrainian edition"


def _displayed_tables(source: str) -> list[str]:
    """The arguments of plain ``display(...)`` calls that are not widgets or markdown (tables, series)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "display" and node.args:
            arg = ast.unparse(node.args[0])
            if not arg.startswith(("Markdown(", "HTML(", "explorer", "form", "widgets.")):
                found.append(arg)
    return found


@pytest.mark.parametrize("lesson", ["01_self_hosted_vs_api", "02_ollama_setup", "03_hybrid_routing", "04_gpu_deployment"])
def test_every_table_goes_through_show_table_so_its_numbers_read_the_learners_way(lesson):
    plain = {cid: args for cid, src in _code("", lesson).items() if (args := _displayed_tables(src))}
    assert not plain, f"{lesson}: display() shows these in English typography in the uk edition (use show_table): {plain}"


def test_show_table_writes_every_decimal_a_rounded_column_keeps_in_ukrainian():
    table = pd.DataFrame({"F2": [0.745, 0.5], "usd": [248.2, 1963.7], "ms": [1018.4, 3.0], "n": [1000, 5]})
    html = table_html(table, "uk")
    assert "0,745" in html and "1\xa0963,70" in html and "1\xa0018,40" in html and "1\xa0000" in html
    assert "0.745" not in html and "1018.4" not in html
    assert for_reader(table, "en").equals(table)  # English: pandas' own display, unchanged


def test_a_ukrainian_table_escapes_its_text_as_pandas_does():
    html = table_html(pd.DataFrame({"prompt": ["<b>bold</b> & more"]}), "uk")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html


@pytest.mark.parametrize("lesson", sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb")))
def test_ukrainian_prose_writes_dollar_amounts_with_a_decimal_comma(lesson):
    """r3 F10: lesson 1's exercise 2 said "$0.25 за кВт·год" where every other amount reads $0,25."""
    nb = json.loads((ROOT / "solutions" / "uk" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    import re

    english_way = [m.group(0) for c in nb["cells"] if c["cell_type"] == "markdown"
                   for m in re.finditer(r"(?:&#36;</span>|\$)\d+\.\d+", "".join(c["source"]))]
    assert not english_way, f"{lesson}: {english_way}"


def test_a_cost_per_request_on_an_idle_machine_reads_as_money_not_six_decimals(monkeypatch):
    """r3: the over-capacity reason printed "$16,320000" per request (0.5 requests/day on a $248 machine)."""
    from labs import costs

    mini = costs.api_cost("gpt-4o-mini", requests_per_day=10_000, input_tokens=800, output_tokens=250)
    rent = costs.rental_cost("RTX 4090 24 GB — RunPod community cloud")
    for lang, idle, api in (("uk", "$16,32 ", "$0,00027 "), ("en", "$16.32 ", "$0.00027,")):
        monkeypatch.setenv("LAB_LANG", lang)
        reason = costs.break_even(mini, rent.with_capacity(0.5)).reason
        assert idle in reason and api in reason and "320000" not in reason, reason


def test_lesson3_tables_made_by_labs_show_ukrainian_headers_and_keep_their_keys():
    """r3 F4: compare_strategies and detection_table name their columns in English (code keys on them)."""
    from labs.router.evaluate import CostModel, compare_strategies, detection_table, load_prompts, router_policy

    rows = load_prompts()
    for table in (detection_table(rows), compare_strategies(rows, CostModel.from_price("gpt-4o-mini", local_tokens_per_s=100),
                                                            {"цей маршрутизатор": router_policy})):
        html = table_html(table, "uk")
        english = [c for c in [*table.columns, table.index.name]
                   if c not in ("precision", "recall", "F2") and f">{c}<" in html]
        assert not english, english
        assert "missed" in table.columns or "USD per 1,000 requests" in table.columns  # the table itself is unchanged


@pytest.mark.parametrize("lesson", sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb")))
def test_a_translated_name_is_not_looked_up_by_its_english_spelling_elsewhere(lesson):
    """A dict key a translator renders (lesson 3's case names) must not be looked up in English in another cell:
    ``prompts["not personal, complex"]`` raised KeyError in the uk edition once its key was Ukrainian."""
    import yaml

    entries = yaml.safe_load((ROOT / "solutions" / "uk" / f"{lesson}.yaml").read_text(encoding="utf-8"))["cells"]
    uk = _code("uk", lesson)
    for cid, entry in entries.items():
        for old, new in (entry or {}).get("replace", []):
            if not (old[:1] in "\"'" and old[-1:] == old[:1]) or old == new:
                continue
            elsewhere = [other for other, src in uk.items() if other != cid and f"[{old}]" in src]
            assert not elsewhere, f"{lesson}: {old} is translated in {cid} but looked up as {old} in {elsewhere}"
