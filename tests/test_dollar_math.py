"""Money amounts are shown as written: no markdown cell of any lesson pairs two ``$`` into LaTeX.

JupyterLab hands ``$…$`` in markdown to MathJax (``labs.display.math_spans`` applies its own rules, ported
from ``rendermime/src/latex.ts``); ``bench/dollar_math_probe.py`` shows the same in a real JupyterLab.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labs import display

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.relative_to(ROOT).as_posix() for folder in ("solutions", "notebooks", "solutions/uk", "notebooks/uk")
                 for p in (ROOT / folder).glob("*.ipynb"))


def _money_math(path: str) -> list[str]:
    cells = json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"]
    return [f"cell {i} (id {c.get('id')}): {span[:60]!r}" for i, c in enumerate(cells) if c["cell_type"] == "markdown"
            for span in display.money_as_math("".join(c["source"]))]


@pytest.mark.parametrize("path", LESSONS)
def test_no_dollar_amount_is_typeset_as_math(path):
    assert len(LESSONS) >= 24, LESSONS  # six lessons × (solutions, notebooks) × (English, Ukrainian)
    found = _money_math(path)
    assert not found, f"{path}: write amounts with labs.display.md_money / literal_dollars ('<span>&#36;</span>'): {found}"


def test_the_checker_sees_what_jupyterlab_garbled():
    # lesson 1's table as the walkthrough saw it: "0(CPU)або500+ (GPU)"
    assert display.money_as_math("| $0 (CPU) або $500+ (GPU) |")
    assert display.money_as_math(r"(\$0.15/\$0.60 per 1M)")  # \$ is paired by MathJax after rendering
    assert not display.money_as_math("$$V^* = \\frac{F}{k D}$$ and $x^2$ and `$5 and $6`")


def test_literal_dollars_leaves_nothing_to_typeset():
    text = r"API: $0.15 / \$0.60 per 1M; GPU: $248.20 a month; code `x = $1` stays; $$a = b$$"
    fixed = display.literal_dollars(text)
    assert not display.money_as_math(fixed) and "`x = $1`" in fixed and "$$a = b$$" in fixed
    assert fixed.count(display.DOLLAR_HTML) == 3
    assert display.md_money(248.2) == display.literal_dollars(display.money(248.2))


def test_pandas_tables_are_marked_for_mathjax_to_skip():
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({"module says": ["$0 (CPU) or $500+ (GPU)"]})
    with pd.option_context("display.html.use_mathjax", True, "styler.html.mathjax", True):
        assert "tex2jax_ignore" not in table._repr_html_()
        display.tables_without_math()
        assert "tex2jax_ignore" in table._repr_html_() and "tex2jax_ignore" in table.style.to_html()


def test_plot_text_shows_the_dollar_sign():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    label = f"GPU {display.plot_money(248.2)} vs API {display.plot_money(52.4)} per month"
    shown, is_math = Text()._preprocess_math(label)
    assert not is_math and shown == "GPU $248.20 vs API $52.40 per month"
    fig = Figure()
    fig.suptitle(label)
    fig.canvas.draw()  # renders without a mathtext error


# --- issue 17: maths stays maths (the fix for money went too far in lesson 1 sections 5 and 10) ----------------

INTENDED_MATH = {  # cell id → inline formulas the lesson means as maths, in both editions
    "67a98351": ["$k$", "$F$", "$D = 730/24$", "$c$", "$V^* = F / ((k - c) D)$"],
    "222d2860": ["$n$", "$s$", "$n / s$"],
}


def _cells(path: str) -> dict[str, str]:
    cells = json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"]
    return {c.get("id"): "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"}


@pytest.mark.parametrize("path", LESSONS)
def test_no_formula_is_written_with_literal_dollars(path):
    found = [f"id {cid}: {span!r}" for cid, text in _cells(path).items() for span in display.hidden_math(text)]
    assert not found, f"{path}: maths written with <span>&#36;</span> shows raw; write it as $…$: {found}"


@pytest.mark.parametrize("path", [p for p in LESSONS if p.endswith("/01_self_hosted_vs_api.ipynb")])
def test_lesson1_formulas_are_typeset(path):
    cells = _cells(path)
    for cid, formulas in INTENDED_MATH.items():
        spans = display.math_spans(cells[cid])
        assert all(f in spans for f in formulas), (path, cid, spans)
        assert not display.money_as_math(cells[cid])


def test_the_checker_sees_maths_hidden_as_money():
    dollar = display.DOLLAR_HTML
    assert display.hidden_math(f"With {dollar}k{dollar} the API's cost, {dollar}V^* = F / ((k - c) D){dollar}") == \
        ["k", "V^* = F / ((k - c) D)"]
    assert not display.hidden_math(f"| {dollar}10-100/міс | {dollar}0 (CPU) або {dollar}500+ (GPU) |")
    assert not display.hidden_math(display.md_money(248.2) + " vs " + display.md_money(1_963.7))
