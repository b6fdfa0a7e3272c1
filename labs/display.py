"""Dollar amounts that JupyterLab shows as written, not as LaTeX.

JupyterLab typesets ``$…$`` as math (MathJax) in markdown cells, in HTML outputs such as pandas tables,
in widget labels and descriptions; matplotlib does the same in plot text. Measured in JupyterLab 4.6 with
ipywidgets 8.1 in Chromium (``bench/dollar_math_probe.py`` repeats it), for a text holding two amounts:

=========================================  ======================  =================================
where                                      typeset as math         shown as written
=========================================  ======================  =================================
markdown cell                              ``$``, ``\\$``, ``&#36;``  ``<span>&#36;</span>``, a code span
pandas table (two amounts in one cell)     by default              ``display.html.use_mathjax=False``
``ipywidgets.HTML``                        never                   —
``ipywidgets.Label``, a ``description``    ``$``                   avoid ``$``: say USD
matplotlib title or label                  ``$``                   ``\\$`` (or ``text.parse_math=False``)
=========================================  ======================  =================================

So: :func:`md_money` / :func:`literal_dollars` for markdown and HTML, :func:`tables_without_math` once per
notebook for pandas, :func:`plot_money` for matplotlib, plain :func:`money` for ``print``. Maths stays maths:
``$k$`` or ``$V^* = F / ((k - c) D)$`` in a markdown cell is typeset, and :func:`hidden_math` finds maths
that was wrongly written with literal dollars. :func:`math_spans`
finds what JupyterLab would typeset in a markdown source (its own rules, ported from JupyterLab's
``rendermime/src/latex.ts``); the workbook's tests use it on every lesson. Used in every lesson that shows prices.
"""

from __future__ import annotations

import math
import re

DOLLAR_HTML = "<span>&#36;</span>"
"""A dollar sign that neither JupyterLab's markdown math finder (it sees no ``$``) nor MathJax (the span
breaks its text run, so it cannot pair with another ``$``) turns into math."""


def money(usd: float, decimals: int = 2, lang: str | None = None) -> str:
    """Plain text for ``print`` and logs, in the learner's language (``LAB_LANG``; :func:`labs.i18n.money`):
    ``money(248.2) == "$248.20"`` in English, ``"$248,20"`` in Ukrainian; negative as ``-$5.00``.

    >>> money(248.2, lang="en"), money(1234567.891, 0, "en"), money(-5, lang="en"), money(1234.5, lang="uk")
    ('$248.20', '$1,234,568', '-$5.00', '$1\xa0234,50')
    """
    from labs.i18n import money as localised

    return localised(usd, decimals, lang)


def md_money(usd: float, decimals: int = 2, lang: str | None = None) -> str:
    """The amount for markdown (``IPython.display.Markdown``) or HTML, shown as written in JupyterLab.

    >>> md_money(248.2, lang="en")
    '<span>&#36;</span>248.20'
    """
    return money(usd, decimals, lang).replace("$", DOLLAR_HTML)


def plot_money(usd: float, decimals: int = 2, lang: str | None = None) -> str:
    r"""The amount for a matplotlib title, label or annotation (mathtext needs ``\$``).

    >>> plot_money(248.2, lang="en")
    '\\$248.20'
    """
    return money(usd, decimals, lang).replace("$", r"\$")


def axis_money(usd: float, lang: str | None = None) -> str:
    """An amount on a plot's axis or in its legend: whole dollars from $10 (``$4,000``) or when whole (a ``$1``
    tick), else with cents, so a bill of cents reads ``$0.18``, not ``$0`` (:func:`labs.i18n.money_sig`; one ``$``
    in a label is not maths). Lesson 4's tier plot (1 request/day) and lesson 1's cost plot.

    >>> axis_money(0.18, "en"), axis_money(0.0078, "en"), axis_money(6.12, "uk"), axis_money(182_500, "uk")
    ('$0.18', '$0.0078', '$6,12', '$182\xa0500')
    >>> axis_money(1, "en"), axis_money(0.5, "uk"), axis_money(0, "en")
    ('$1', '$0,50', '$0')
    """
    from labs.i18n import money as localised, money_sig

    whole = abs(usd) >= 10 or usd == round(usd)
    return localised(usd, 0, lang) if whole else money_sig(usd, 2, lang)


def axis_number(value: float, decimals: int, lang: str | None = None) -> str:
    """A tick label in the reader's typography, with the decimals matplotlib chose for the axis: English
    ``0.25``/``12,500``, Ukrainian ``0,25``/``12 500`` (:func:`labs.i18n.number`).

    >>> axis_number(0.25, 2, "uk"), axis_number(12500, 0, "uk"), axis_number(7.5, 1, "en"), axis_number(-0.0, 1, "uk")
    ('0,25', '12\xa0500', '7.5', '0,0')
    """
    from labs.i18n import number

    return number(0.0 if value == 0 else value, decimals, lang)


def localise_axes(ax, which: str = "xy", lang: str | None = None) -> None:
    """Write the number ticks of a matplotlib ``ax`` (``which``: ``"x"``, ``"y"`` or ``"xy"``) in the reader's
    language (``lang``, else ``LAB_LANG``), at the ticks and precision matplotlib itself picks: a Ukrainian plot
    reads ``0,2 0,4`` where English reads ``0.2 0.4`` (issue 16). For a plot drawn in a notebook cell; the labs
    plots (:mod:`labs.loadtest`, :mod:`labs.tiers`) format their own axes. Lessons 2, 3 and 4."""
    from matplotlib.ticker import ScalarFormatter

    class _Reader(ScalarFormatter):
        def __call__(self, x, pos=None):
            shown = super().__call__(x, pos).replace("\N{MINUS SIGN}", "-")
            if not shown:
                return shown
            decimals = len(shown.split(".")[1]) if "." in shown else 0
            return axis_number(float(shown), decimals, lang).replace("-", "\N{MINUS SIGN}")

    for name in which:
        axis = ax.xaxis if name == "x" else ax.yaxis
        if axis.get_scale() == "linear":  # a log axis keeps its own 10^k labels
            axis.set_major_formatter(_Reader(useOffset=False))


_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


def literal_dollars(text: str) -> str:
    r"""Markdown or HTML with every ``$`` (or ``\$``) outside code spans made literal (:data:`DOLLAR_HTML`).

    Displayed formulas (``$$ … $$``) are left alone: they are meant as math.

    >>> literal_dollars(r"costs $248.20, not \$348.20; `x = $1`")
    'costs <span>&#36;</span>248.20, not <span>&#36;</span>348.20; `x = $1`'
    """
    out = []
    for i, piece in enumerate(_CODE.split(text)):
        if i % 2:  # a code span or block
            out.append(piece)
            continue
        parts = piece.split("$$")
        if len(parts) % 2 == 0:  # an unpaired $$: treat every dollar as money
            parts = ["$$".join(parts)]
        for j in range(0, len(parts), 2):
            parts[j] = re.sub(r"\\?\$", lambda _m: DOLLAR_HTML, parts[j])
        out.append("$$".join(parts))
    return "".join(out)


def tables_without_math() -> None:
    """Show ``$`` in pandas tables as written for the rest of the session: pandas marks its HTML
    ``tex2jax_ignore``, which MathJax skips (pandas options ``display.html.use_mathjax`` and
    ``styler.html.mathjax``)."""
    import pandas as pd

    pd.set_option("display.html.use_mathjax", False)
    pd.set_option("styler.html.mathjax", False)


CELL_LABELS = "cell_labels"
"""``table.attrs[CELL_LABELS]``: ``{column: {value: label}}``, what a reader sees for a cell value that code keys
on (lesson 1's ``scenario`` column stays ``"large volume"`` for ``.loc``; a Ukrainian reader sees «великий обсяг»)."""


def for_reader(table, lang: str | None = None):
    """What :func:`show_table` displays: ``table`` with the labels of ``table.attrs[CELL_LABELS]`` in place of
    the values code keys on, and, in Ukrainian (``lang``, else ``LAB_LANG``), a pandas ``Styler`` writing its
    numbers as Ukrainian typography does (``100 000``, ``1 963,70``: no-break space, decimal comma). The
    table itself is not changed, so code reading it works the same in both editions.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"scenario": ["large volume"], "usd_per_month": [1963.7]})
    >>> t.attrs[CELL_LABELS] = {"scenario": {"large volume": "великий обсяг"}}
    >>> for_reader(t, "en").scenario.tolist(), "великий обсяг" in for_reader(t, "uk").to_html()
    (['великий обсяг'], True)
    >>> "1\xa0963,70" in for_reader(t, "uk").to_html(), "1963.7" in for_reader(t, "en").to_html()
    (True, True)
    >>> "0,745" in for_reader(pd.DataFrame({"F2": [0.745, 0.5]}), "uk").to_html()
    True
    """
    import pandas as pd

    from labs.i18n import NBSP, language

    labels = table.attrs.get(CELL_LABELS) or {}
    shown = table.copy()
    for column, names in labels.items():
        if column in shown.columns:
            shown[column] = [names.get(v, v) if isinstance(v, str) else v for v in shown[column]]
    uk = language(lang) == "uk"
    # a PII kind reads as the router's catalogue names it everywhere (lesson 3: "card" is «картка», not lesson 1's «карта»)
    for i, name in enumerate(shown.columns):
        if name in KIND_NAMES:
            shown.isetitem(i, [kind_label(v, lang) for v in shown.iloc[:, i]])
    if shown.index.nlevels > 1:  # lesson 3's groupby(["group", "expected"]): each level read as its name says
        shown.index = shown.index.set_levels(
            [level.map(lambda v, n=name: _row_label(v, n, lang)) for level, name in zip(shown.index.levels,
                                                                                       shown.index.names)])
    elif shown.index.name in KIND_NAMES:
        shown.index = shown.index.map(lambda v: kind_label(v, lang))
    if "cues" in shown.columns:  # lesson 3's heuristic: ("reasoning", "code_task") reads «міркування, задача з кодом»
        from labs.router.policy import cue_label

        shown["cues"] = [", ".join(cue_label(c, lang) for c in v) if isinstance(v, (tuple, list)) else v
                         for v in shown["cues"]]
    for i, name in enumerate(shown.columns):  # a count held as float (a NaN gap, a mean): «8 192», «3», never «8 192,00»
        values = shown.iloc[:, i]
        if is_count(name) and values.dtype.kind == "f" and _decimals(values) == 0:
            shown.isetitem(i, values.round().astype("Int64"))
    for i in range(shown.shape[1]):  # a reason a labs helper writes ("heuristic (judge answer unreadable)"), a bool
        values = shown.iloc[:, i]
        if values.dtype.kind not in "iufcmM":  # text (object or pandas' str dtype) or bool
            # object dtype kept: a list of mixed numbers would become floats again (a count of 24 read «24,0000»)
            shown.isetitem(i, pd.Series([cell_text(v, lang) if isinstance(v, str) or (uk and (_is_bool(v) or v is None))
                                         else v for v in values], index=shown.index, dtype=object))
        elif uk and values.dtype.kind == "f":  # -0.004 rounded reads «-0,00»: a zero has no sign
            shown.isetitem(i, values.mask(values.round(max(2, _decimals(values))) == 0, 0.0))
    # headers named in English (detection_table's "missed", lesson 2's "cold"): the reader's words, the keys kept
    shown = shown.rename(columns=lambda c: _column_label(c, shown.columns.name, lang),
                         index=lambda c: cell_text(c, lang) if _is_bool(c) else _column_label(c, shown.index.name, lang))
    shown.columns.names = [header(n, lang) for n in shown.columns.names]
    shown.index.names = [header(n, lang) for n in shown.index.names]
    if not uk:
        return shown
    # a missing value reads «—», not "nan"/"None" (lesson 1's latency table, lesson 4's break-even)
    styler = shown.style.format(precision=2, decimal=",", thousands=NBSP, escape="html", na_rep=MISSING)
    for i in range(shown.shape[1]):  # each float column with the decimals its numbers have (float_decimals)
        values = shown.iloc[:, i]
        if values.dtype.kind != "f":
            continue
        digits = float_decimals(values)
        if _is_money(table.columns[i] if i < len(table.columns) else None):
            digits = max(2, digits)  # an amount keeps its cents: «$248,20», «1 963,70 USD»
        styler.format(precision=digits, decimal=",", thousands=NBSP, escape="html", na_rep=MISSING,
                      subset=shown.columns[[i]])
    return styler


COUNT_COLUMNS = frozenset({
    "samples", "planned", "completed_ok", "errors", "http_503", "not_started", "cut_off", "concurrency", "count",
    "machines", "calls", "context_length", "context_max", "layers", "kv_heads", "sliding_window", "swa_period",
})
"""Columns that count things (requests, tokens, layers): shown without decimals whatever their dtype."""


def is_count(name) -> bool:
    """Whether a column named ``name`` holds a count (:data:`COUNT_COLUMNS`, or a name ending in ``_count`` such as
    Ollama's ``eval_count``), so a table shows ``24``, not ``24,0000`` (issue 17).

    >>> is_count("eval_count"), is_count("samples"), is_count("usd_per_month")
    (True, True, False)
    """
    return isinstance(name, str) and (name in COUNT_COLUMNS or name.endswith("_count"))


MISSING = "—"
"""How a Ukrainian table shows a missing value (NaN, ``None``)."""

KIND_NAMES = ("kind", "group")
"""Columns and index names whose values are PII kinds (:func:`kind_label`; lesson 3's ``group`` of prompts is a
kind or one of ``general``, ``mixed``, ``hard_negative``)."""


def _row_label(value, name, lang: str | None = None):
    """One value of an index level named ``name``: a PII kind as the router names it, else as a table cell reads."""
    if name in KIND_NAMES:
        shown = kind_label(value, lang)
        if shown != value:
            return shown
    return cell_text(value, lang) if isinstance(value, str) else value


def _column_label(value, name, lang: str | None = None):
    """A column or row label: the catalogue's header (``table.column.*``); a label that is a value code keys on
    (an unstacked ``complexity`` gives "complex"/"simple" columns, a total row "ALL") as a table cell reads it."""
    shown = header(value, lang)
    if shown == value and isinstance(value, str):
        shown = _row_label(value, name, lang)
    return shown


def kind_label(kind, lang: str | None = None):
    """A PII kind (``Finding.kind``: ``"card"``, ``"tax_id"``) as the router's catalogue names it (``router.kind.*``),
    in tables and plot labels alike; anything else (``"ALL"``) as it is. Lesson 3.

    >>> kind_label("card", "uk"), kind_label("tax_id", "en"), kind_label("ALL", "uk")
    ('картка', 'tax ID', 'ALL')
    """
    from labs.i18n import messages, t

    key = f"router.kind.{kind}"
    return t(key, lang) if isinstance(kind, str) and key in messages() else kind


def _is_money(name) -> bool:
    text = " ".join(map(str, name)) if isinstance(name, tuple) else str(name)
    return any(word in text.lower() for word in ("usd", "$", "price", "cost", "rent"))


def float_decimals(values) -> int:
    """The decimals a float column is shown with: as many as its numbers have when they were rounded or published
    that way (``793.0`` reads «793», ``29.3`` «29,3», ``.round(3)`` keeps three), never invented zeros («793,00»);
    a raw measurement (more than 4 decimals) reads with 2, or 3 significant digits below 1 («14,96 с»,
    «0,0333 запиту/с»), not «14,9566».

    >>> float_decimals([793.0, 41.0]), float_decimals([29.3, 1.4]), float_decimals([14.95662, 2.5]), float_decimals([0.033333])
    (0, 1, 2, 4)
    """
    import numpy as np

    exact = _decimals(values, most=5)
    if exact <= 4:
        return exact
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    largest = float(finite.max()) if finite.size else 1.0
    return 2 if largest >= 1 else min(4, 2 - math.floor(math.log10(largest)))


def _decimals(values, most: int = 4) -> int:
    """The fewest decimals (up to ``most``) that show every finite value of a float column as it is, so
    ``table.round(3)`` reads ``0,745`` and not ``0,74`` (pandas shows up to 6 in English)."""
    import numpy as np

    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    for digits in range(most + 1):
        if np.allclose(finite, np.round(finite, digits), rtol=0, atol=10 ** -(digits + 6)):
            return digits
    return most


def header(name, lang: str | None = None):
    """A column or index name as a reader of ``lang`` sees it: the catalogue's ``table.column.<name>`` where it has
    one (lesson 3's ``"USD per 1,000 requests"`` reads «USD за 1 000 запитів»), else the name itself. Code keeps
    keying on the English name; only what :func:`show_table` displays changes.

    >>> header("missed", "uk"), header("missed", "en"), header("tokens_per_s", "uk"), header(None, "uk")
    ('пропущено', 'missed', 'токенів/с', None)
    >>> header("no_such_column", "uk")
    'no_such_column'
    >>> header("measured_here_pct (smollm2:135m)", "uk")
    'виміряно тут, % (smollm2:135m)'
    >>> header("q4_k_m_gib (context 4K)", "uk")
    'Q4_K_M разом (ваги + KV + накладні), GiB (контекст 4K)'
    """
    from labs.i18n import messages, t

    if not isinstance(name, str):
        return name
    key = f"table.column.{name}"
    if key in messages():
        return t(key, lang)
    named = re.fullmatch(r"(\S+) \((.+)\)", name)  # "measured_here_pct (smollm2:135m)": the name, then what it is of
    if named and f"table.column.{named[1]}" in messages():
        # "(context 8K)": two tables of one quantity at different contexts say which (lesson 4), in the reader's words
        of = re.fullmatch(r"context (\S+)", named[2])
        return f"{t(f'table.column.{named[1]}', lang)} ({t('table.column.at_context', lang, size=of[1]) if of else named[2]})"
    return name


def _is_bool(value) -> bool:
    import numpy as np

    return isinstance(value, (bool, np.bool_))


def cell_text(value, lang: str | None = None):
    """A table cell as a reader of ``lang`` sees it: a bool as «так»/«ні» in Ukrainian (``True`` in English), a text
    with a catalogue entry ``table.value.<text>`` in the reader's words, anything else as it is.

    >>> cell_text(True, "uk"), cell_text(False, "en"), cell_text("heuristic (judge unavailable)", "uk"), cell_text(3, "uk")
    ('так', False, 'евристика (суддя недоступний)', 3)
    """
    from labs.i18n import language, messages, t

    if _is_bool(value):
        return t("table.value.yes" if value else "table.value.no", lang) if language(lang) == "uk" else value
    if value is None:
        return MISSING if language(lang) == "uk" else value
    key = f"table.value.{value}"
    return t(key, lang) if isinstance(value, str) and key in messages() else value


def table_html(table, lang: str | None = None) -> str:
    """The HTML JupyterLab shows for a pandas table (:func:`for_reader`), every text cell in full: pandas cuts
    cells at 50 characters by default, which hid the "+ $100.00/month fixed" of lesson 1's rented RTX 4090
    (issue 17)."""
    import pandas as pd

    with pd.option_context("display.max_colwidth", None):
        return for_reader(table, lang)._repr_html_()


def show_table(table, lang: str | None = None) -> None:
    """Display a pandas table with every text cell in full (:func:`table_html`), labelled and with numbers
    for a reader of ``lang`` (:func:`for_reader`); lesson 1's cost tables."""
    from IPython.display import display
    import pandas as pd

    with pd.option_context("display.max_colwidth", None):
        display(for_reader(table, lang))


# --- what JupyterLab would typeset in a markdown cell ---------------------------------------------------

# JupyterLab's MATHSPLIT (packages/rendermime/src/latex.ts): delimiters, escapes, braces and line breaks.
_MATHSPLIT = re.compile(r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@|\\\\(?:\(|\)|\[|\]))", re.I)
_FENCED = re.compile(r"^(?P<fence>`{3,}|~{3,})[^`\n]*\n[\s\S]*?^(?P=fence)`*$", re.M)
_SPAN = re.compile(r"(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)", re.M)


def math_spans(markdown: str) -> list[str]:
    r"""The pieces of a markdown source JupyterLab hands to MathJax, delimiters included.

    A port of JupyterLab 4's ``removeMath``: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]`` and
    ``\begin{…}…\end{…}``, braces balanced, never across a blank line; code spans and fenced blocks are
    skipped; ``\$`` is not a delimiter here (but see the module docstring: MathJax still pairs it later).

    >>> math_spans("P1 costs $248.20 a month, P2 costs $348.20.")
    ['$248.20 a month, P2 costs $']
    >>> math_spans("`$1` and `$2`, and $$x^2$$")
    ['$$x^2$$']
    """
    text = _FENCED.sub(lambda m: m.group(0).replace("$", "\0"), markdown.replace("\r\n", "\n").replace("\r", "\n"))
    text = _SPAN.sub(lambda m: m.group(0).replace("$", "\0"), text)
    blocks = _MATHSPLIT.split(text)
    found: list[str] = []
    start: int | None = None
    end: str | None = None
    last: int | None = None
    braces = 0
    i = 1
    while i < len(blocks):
        block = blocks[i]
        if block.startswith("@"):
            pass
        elif start is not None:
            if block == end:
                if braces:
                    last = i
                else:
                    found.append("".join(blocks[start:i + 1]))
                    start = end = last = None
            elif re.search(r"\n.*\n", block):
                if last is not None:
                    found.append("".join(blocks[start:last + 1]))
                    i = last
                start = end = last = None
                braces = 0
            elif block == "{":
                braces += 1
            elif block == "}" and braces:
                braces -= 1
        elif block in ("$", "$$"):
            start, end, braces = i, block, 0
        elif block in ("\\\\(", "\\\\["):
            start, end, braces = i, "\\\\)" if block.endswith("(") else "\\\\]", 0
        elif block[1:6] == "begin":
            start, end, braces = i, "\\end" + block[6:], 0
        i += 2
    if start is not None and last is not None:
        found.append("".join(blocks[start:last + 1]))
    return [f.replace("\0", "$") for f in found]


def hidden_math(markdown: str) -> list[str]:
    r"""Maths written with literal dollars (:data:`DOLLAR_HTML`) that JupyterLab therefore shows raw: the text
    between two of them on one line when it does not start with a digit (money always does), e.g. a variable
    ``<span>&#36;</span>k<span>&#36;</span>`` that should read ``$k$``. The over-correction of issue 17.

    >>> hidden_math(f"With {DOLLAR_HTML}k{DOLLAR_HTML} the cost; it costs {DOLLAR_HTML}248.20, not {DOLLAR_HTML}348.20")
    ['k']
    """
    found = []
    for line in markdown.splitlines():
        pieces = line.split(DOLLAR_HTML)
        i = 1
        while i < len(pieces) - 1:
            inner = pieces[i]
            if inner and not inner[0].isdigit() and not inner[0].isspace():
                found.append(inner)
                i += 2
            else:
                i += 1
    return found


def money_as_math(markdown: str) -> list[str]:
    r"""The math spans of :func:`math_spans` that are really dollar amounts: an inline ``$…$`` that
    starts with a digit and holds a space ("$248.20 a month, P2 costs $"), or whose closing ``$`` is
    followed by a digit. Displayed formulas (``$$…$$``) and ``$x^2$``-style math are not reported; a
    ``\$`` is counted as a ``$`` because MathJax pairs it after the markdown is rendered.

    >>> money_as_math(r"P1 \$248.20 a month, P2 \$348.20") , money_as_math("area $x^2$ and $$a$$")
    (['$248.20 a month, P2 $'], [])
    """
    safe = markdown.replace(DOLLAR_HTML, "\x01")  # the one form that stays literal
    text = re.sub(r"\\\$|&#36;|&dollar;", "$", safe)
    found = []
    for span in math_spans(text):
        if span.startswith("$$") or not span.startswith("$"):
            continue
        inner = span[1:-1]
        after = text[text.index(span) + len(span):][:1]
        if (inner[:1].isdigit() and " " in inner.strip()) or after.isdigit():
            found.append(span)
    return found
