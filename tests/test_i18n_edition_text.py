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
    # an amount keeps its cents; a figure rounded to one decimal shows one, not an invented zero (issue 17 r7 R6)
    assert "0,745" in html and "1\xa0963,70" in html and "1\xa0018,4<" in html and "1\xa0000" in html
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


LESSONS = ["01_self_hosted_vs_api", "02_ollama_setup", "03_hybrid_routing", "04_gpu_deployment"]


def _header_names(source: str) -> set[str]:
    """Names a cell that calls show_table gives its tables: dict-literal keys, ``agg(name=...)`` keywords, the strings
    of ``index=``/``columns=`` lists and of ``groupby``/``pivot`` arguments. An f-string key yields its text with
    ``{…}`` for the fields."""
    def text(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
        return None

    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            names |= {n for k in node.keys if k is not None and (n := text(k))}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "agg":
                names |= {k.arg for k in node.keywords if k.arg}
            if node.func.attr in ("groupby", "pivot", "DataFrame"):
                for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("index", "columns", "by"))]:
                    items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
                    names |= {n for e in items if (n := text(e))}
    return names


def _reads_as_english(name: str) -> bool:
    """A header a Ukrainian reader would read as English: Latin words and no Cyrillic, and a phrase (a space) or a
    plain word; a snake_case field (``tokens_per_s``, ``load_s``) is an API name and stays, as the lessons teach it."""
    import re

    if re.search(r"[а-яіїєґ]", name, re.I) or not re.search(r"[A-Za-z]{2,}", name):
        return False
    return " " in name or "_" not in name


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_english_header_a_uk_table_shows_is_translated(lesson):
    """Issue 17 r4 N3: a header written in a notebook cell reaches a uk reader in Ukrainian, through the translation
    store (the uk cell names it otherwise) or the catalogue's ``table.column.<name>`` that show_table reads."""
    from labs.i18n import messages

    uk = _code("uk", lesson)
    left = {}
    for cid, source in _code("", lesson).items():
        if "show_table(" not in source or cid not in uk:
            continue
        english = {n for n in _header_names(source) if _reads_as_english(n)} & _header_names(uk[cid])
        if missing := sorted(n for n in english if f"table.column.{n}" not in messages()):  # "hardware" stays, by entry
            left[cid] = missing
    assert not left, f"{lesson}: headers a uk reader sees in English (add table.column.<name> or translate): {left}"


def test_uk_tables_show_bools_index_values_and_labs_reasons_in_ukrainian():
    table = pd.DataFrame({"cold": [1.5, 2.0], "fits": [True, False], "by": ["llm", "heuristic (judge unavailable)"]},
                         index=pd.Index(["load_s", "ttft_s"], name="concurrency"))
    uk, en = table_html(table, "uk"), table_html(table, "en")
    for shown in ("холодний", "так", "ні", "евристика (суддя недоступний)", "одночасних запитів"):
        assert shown in uk, shown
    assert "True" not in uk and "False" not in uk
    assert "cold" in en and "True" in en and "heuristic (judge unavailable)" in en
    assert list(table.columns) == ["cold", "fits", "by"] and table["fits"].dtype == bool  # the table itself unchanged


def _plots_by_hand(source: str) -> bool:
    """A cell that makes its own axes and draws on them (a labs plot helper formats its own axes)."""
    import re

    return "subplots(" in source and re.search(r"\.(plot|bar|barh|scatter|hist|step)\(", source) is not None


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_plot_drawn_in_a_notebook_cell_writes_its_ticks_the_readers_way(lesson):
    """Issue 17 r4 N4: matplotlib's own ticks read ``0.5`` in the uk edition unless the cell hands its axes to
    ``labs.display.localise_axes``."""
    plain = [cid for cid, source in _code("", lesson).items() if _plots_by_hand(source) and "localise_axes(" not in source]
    assert not plain, f"{lesson}: plots with English tick numbers in the uk edition: {plain}"


def test_localise_axes_writes_uk_ticks_with_a_decimal_comma():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from labs.display import localise_axes

    fig, ax = plt.subplots()
    ax.plot([0, 0.12], [0, 15_000])
    localise_axes(ax, lang="uk")
    fig.canvas.draw()
    xs, ys = [t.get_text() for t in ax.get_xticklabels()], [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert "0,04" in xs and not any("." in x for x in xs), xs
    assert "10\xa0000" in ys, ys


def _english_comments(source: str) -> list[str]:
    """Comments with three or more English words and no Cyrillic (solution markers and commented-out code aside)."""
    import io
    import re
    import tokenize

    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        if tok.type != tokenize.COMMENT or re.search(r"[а-яіїєґ]", text, re.I) or "SOLUTION" in text:
            continue
        if re.search(r"[=(]", text):  # commented-out code: `# openai.OpenAI(base_url=...)`
            continue
        if len(re.findall(r"\b[a-z]{3,}\b", text)) >= 3:
            found.append(text)
    return found


@pytest.mark.parametrize("lesson", ["00_start_here", *LESSONS, "05_check_yourself"])
def test_the_uk_edition_explains_its_code_in_ukrainian(lesson):
    """Issue 17 r4 N5: a comment that explains code is translated in the uk edition."""
    left = {cid: found for cid, source in _code("uk", lesson).items() if (found := _english_comments(source))}
    assert not left, f"{lesson}: English comments in the uk edition: {left}"
