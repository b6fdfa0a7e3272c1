"""One catalogue of learner-facing messages (labs/data/messages.yaml), used everywhere, in both languages (issue 16)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from labs import costs
from labs.errors import ModelNotFound, RequestTimeout, ServerNotRunning
from labs.i18n import NBSP, language, messages, number, t

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


def _keys_used_in_lessons() -> set[str]:
    """Keys a lesson's code cells show with ``t(...)`` (the English sources; the editions share their code cells)."""
    import nbformat

    used = set()
    for path in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                used.update(USED.findall(cell.source))
    return used


def test_no_message_in_the_catalogue_is_left_unused():
    used = set(_keys_used_in_labs()) | _keys_used_in_lessons()
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "labs").rglob("*.py"))
    # keys composed at run time (f"check.status.{status}") are found by their prefix in the source; a table header's
    # own name may hold dots ("table.column.llama.cpp MiB"), so its prefix is the family's
    def prefix(key: str) -> str:
        return next((p for p in ("table.column.", "table.value.") if key.startswith(p)), key.rsplit(".", 1)[0] + ".")

    unused = [k for k in CATALOGUE if k not in used and f'"{prefix(k)}' not in source]
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
    # legend labels are wrapped to fit under the axes: read them as one line
    assert any("одна машина обслуговує" in " ".join(text.get_text().split()) for text in ax.get_legend().get_texts())
    box = cost_explorer()
    assert box.controls["requests_per_day"].description == "обсяг (запитів на день)"
    monkeypatch.setenv("LAB_LANG", "en")
    assert cost_explorer().controls["requests_per_day"].description == "volume (requests/day)"


def test_messages_are_read_once_and_unknown_keys_say_where_to_add_them():
    assert messages() is messages()
    with pytest.raises(KeyError, match="add it there in both languages"):
        t("no.such.message")


# --- exercise checks, break-even reasons and the sizing estimate in Ukrainian ---------------------------------------------

CYRILLIC = re.compile("[а-яіїєґ]", re.IGNORECASE)


def test_a_wrong_lesson1_answer_gets_ukrainian_feedback_and_hint_even_when_lab_lang_is_set_after_import(monkeypatch):
    import labs.checks.lesson1  # noqa: F401  registered (hints included) while the language was still English
    from labs.exercises import run_check

    monkeypatch.setenv("LAB_LANG", "en")
    english = run_check("lesson1.break_even", {"a100_break_even": 1.0})
    assert english.status == "failed" and "is not within 1% of the expected value" in english.message
    assert english.message.endswith("Hint: " + t("checks.lesson1.break_even.hint", "en"))
    monkeypatch.setenv("LAB_LANG", "uk")
    result = run_check("lesson1.break_even", {"a100_break_even": 1.0})
    assert result.status == "failed"
    assert "відрізняється від очікуваного значення більш ніж на 1%" in result.message
    assert t("checks.lesson1.break_even.fix", "uk") in result.message
    assert result.message.endswith("Підказка: " + t("checks.lesson1.break_even.hint", "uk"))
    assert "не пройдено" in repr(result)
    assert "Правильно: точки беззбитковості немає" in run_check("lesson1.no_break_even", {"h100_break_even": None}).message


def test_every_exercise_hint_is_in_the_catalogue_and_speaks_ukrainian(monkeypatch):
    import importlib

    from labs.exercises import _REGISTRY

    for lesson in ("start", "lesson1", "lesson2", "lesson3", "lesson4", "quiz"):
        importlib.import_module(f"labs.checks.{lesson}")
    checks = [ex for ex in _REGISTRY.values() if ex.id.split(".")[0] in ("start", "lesson1", "lesson2", "lesson3",
                                                                          "lesson4", "quiz")]
    assert len(checks) >= 17
    for lang in ("en", "uk"):
        monkeypatch.setenv("LAB_LANG", lang)
        for ex in checks:
            assert callable(ex.hint), f"{ex.id}: its hint is a fixed string, not read from the catalogue when shown"
            assert bool(CYRILLIC.search(ex.hint_text())) == (lang == "uk"), (ex.id, ex.hint_text())


def test_quiz_feedback_in_code_speaks_ukrainian(monkeypatch):
    from labs.exercises import run_check

    monkeypatch.setenv("LAB_LANG", "uk")
    wrong = run_check("quiz.q5", {"q5_gpu_usd_per_month": 1, "q5_api_usd_per_month": 1,
                                  "q5_break_even_requests_per_day": 1})
    assert wrong.status == "failed" and "— замало." in wrong.message and "Підказка: скористайтеся labs.costs" in wrong.message
    assert "ще ні: позначено неправильних варіантів" in run_check("quiz.q1", {"q1_choices": "a"}).message


def test_break_even_reasons_speak_the_learners_language(monkeypatch):
    api = costs.api_cost("gpt-4o-mini", requests_per_day=1_000, input_tokens=500, output_tokens=200)
    capped = costs.rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(50_000)
    box = costs.rental_cost("RTX 4090 24 GB — RunPod community cloud")
    monkeypatch.setenv("LAB_LANG", "uk")
    none = costs.break_even(api, capped)
    assert none.requests_per_day is None and none.reason.startswith("точки беззбитковості немає: витрати зрівнялися б")
    assert str(none).startswith(f"{api.label} проти ") and "[ціни станом на gpt-4o-mini: 2025-06;" in str(none)
    found = costs.break_even(api, box)
    assert found.reason.startswith(f"точка беззбитковості — {number(found.requests_per_day, lang='uk')} запитів на день")
    assert "self-hosted дешевший" in found.reason and ".with_capacity(...)" in found.reason
    monkeypatch.setenv("LAB_LANG", "en")
    assert costs.break_even(api, capped).reason.startswith("no break-even: costs would meet at")
    assert str(costs.break_even(api, box)).startswith(f"{api.label} vs {box.label}: break-even at ")
    assert "[prices as of gpt-4o-mini: 2025-06; " in str(costs.break_even(api, box))


def test_the_sizing_estimate_and_fit_table_speak_the_learners_language(monkeypatch):
    from labs import sizing
    from labs.widgets_sizing import fit_report

    estimate = sizing.estimate_memory("Qwen3-8B", "Q4_K_M", 8192, 4)
    monkeypatch.setenv("LAB_LANG", "uk")
    gib = {k: number(getattr(estimate, f"{k}_gib"), 2, "uk") for k in ("weights", "kv", "overhead", "total")}
    assert str(estimate) == (f"Qwen3-8B Q4_K_M, токенів контексту: 8{NBSP}192, слотів: 4; ваги {gib['weights']} + "
                             f"KV {gib['kv']} + накладні витрати {gib['overhead']} = {gib['total']} GiB")
    assert gib["total"].count(",") == 1  # the decimal comma of Ukrainian typography
    text, frame = fit_report("Qwen3-235B-A22B", "Q4_K_M", 32768, 8)
    assert "слотів: 8" in text and set(frame["fits"]) >= {"ні", "відеокарт: 2"}
    assert frame.columns.tolist()[:3] == ["hardware", "kind", "fits"]  # the code's names stay as they are
    monkeypatch.setenv("LAB_LANG", "en")
    assert str(estimate).startswith("Qwen3-8B Q4_K_M, 8192 tokens × 4 slot(s): weights ")
    assert set(fit_report("Qwen3-235B-A22B", "Q4_K_M", 32768, 8)[1]["fits"]) >= {"no", "2 cards"}


def test_numbers_and_money_follow_the_learners_typography(monkeypatch):
    from labs.i18n import money

    assert number(1234.5, 1, "en") == "1,234.5" and number(1234.5, 1, "uk") == f"1{NBSP}234,5"
    assert number(-1_000_000, lang="uk") == f"-1{NBSP}000{NBSP}000" and number(999, lang="uk") == "999"
    assert money(1963.7, lang="en") == "$1,963.70" and money(1963.7, lang="uk") == f"$1{NBSP}963,70"
    assert money(-5, 0, "uk") == "-$5" and money(0.0012, 4, "uk") == "$0,0012"
    monkeypatch.setenv("LAB_LANG", "uk")  # the default follows LAB_LANG, as every message does
    assert number(2500) == f"2{NBSP}500" and money(2500, 0) == f"$2{NBSP}500"
    # in the catalogue {n:num} / {n:usd.d} write a number the learner's way; Python's own specs stay as they are
    uk = t("costs.plot.break_even", requests=12345.6)
    assert f"12{NBSP}346" in uk and "12,346" not in uk
    assert t("costs.plot.break_even", "en", requests=12345.6) == "break-even: 12,346 requests/day"
    assert f"`x` = 1{NBSP}234,5 відрізняється" in t("checks.lesson1.not_within", name="x", got=1234.5, fix="")
    assert t("costs.plot.break_even", "uk", requests=0.4) == "точка беззбитковості: 0 запитів на день"
    assert "Моделі 'qwen3:8b' немає на сервері http://127.0.0.1:9." in t(
        "errors.model_missing", model="qwen3:8b", url="http://127.0.0.1:9")


# --- what a learner of the Ukrainian edition reads, area by area: no English left (issue 16) -----------------------------

ENGLISH = re.compile(r"\b(the|is|not|no|of|to|and|at|give|choose|option|options|number|letters|nothing|answers|returned|"
                     r"function|called|request|requests|machine|month|day|per|rent|own|buy|undated|your|input|"
                     r"electricity|small|large|volume|fixed|prices|as of|break-even|capacity|passed|failed|skipped|"
                     r"server|model|generates|speed|defined|call|answer|wrote|file|such)\b", re.IGNORECASE)


def _data_names() -> list[str]:
    """Names the price data gives its rows (card, provider, offer, variant): proper names, shown as written."""
    from labs import prices

    names = [*prices.gpu_rentals(), *prices.hardware_options(), *prices.api_prices()]
    return sorted(names, key=len, reverse=True)


def _english_left(text: str) -> list[str]:
    """English words in a Ukrainian text, once names from the data, code (`...`, identifiers with _ or ()),
    quoted values ('...': a prompt, what a function returned), commands (labs with-server), paths, URLs and HTML tags are set aside; the glossary's English terms (self-hosted, API, GPU) never match."""
    for name in _data_names():
        text = text.replace(name, " ")
    text = re.sub(r"<[^>]+>|`[^`]*`|'[^'\n]*'|\blabs [\w-]+|https?://\S+|/\S+|\b\w+\(\S*?\)|\b\w*_\w*\b", " ", text)
    return ENGLISH.findall(text)


def test_the_check_yourself_widgets_probes_and_answer_errors_speak_only_ukrainian(monkeypatch, tmp_path):
    from labs.host import free_port
    from labs.quiz import bank, practical
    from labs.quiz.widgets import show, summary_html

    monkeypatch.setenv("LAB_LANG", "uk")
    monkeypatch.setenv("LABS_PROGRESS", str(tmp_path / "progress.json"))
    said = []
    for qid in bank.questions():
        box = show(qid, namespace={})
        said += [child.value for child in box.children if hasattr(child, "value") and isinstance(child.value, str)]
    said.append(summary_html())
    for qid, part, answer in (("q1", "when", "z"), ("q1", "when", "б"), ("q2", "port", "ab"), ("q2", "port", ""),
                              ("q2", "port", 7), ("q5", "gpu_month", "lots"), ("q5", "gpu_month", True),
                              ("q5", "break_even", "41,846")):
        said.append(bank.evaluate(qid, part, answer).problem)
    q2 = show("q2", namespace={}).views
    view = next(v for v in q2 if v.part.kind == "practical")
    down = practical.setup("qwen3:8b", host=f"127.0.0.1:{free_port()}")  # nothing listens there
    said.append(view._probe_feedback(down))
    for fn in (None, 42, lambda prompt: "a fixed sentence", lambda prompt: 1 / 0):
        probe = practical.sdk(fn)
        said += [f"{s.error} {s.fields.get('calls', '')}" for s in probe.steps]
    english = [(_english_left(text), text) for text in said if _english_left(text)]
    assert not english, "\n".join(f"{words}: {text}" for words, text in english)
    assert all(CYRILLIC.search(text) for text in said if text.strip()), said


def test_the_cost_explorer_table_and_price_labels_speak_only_ukrainian(monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    from labs import widgets_costs as wc
    from labs.display import table_html


    monkeypatch.setenv("LAB_LANG", "uk")
    box = wc.cost_explorer(option=wc.BUY + "RTX 4090 24 GB (MSRP)", requests_per_day=10_000)
    said = [c.description for c in box.controls.values()]
    said += [label for label, _value in box.controls["option"].options]
    said.append(capsys.readouterr().out)  # what the explorer printed (outside a kernel its Output shows on stdout)
    html = table_html(wc.scenario_table(fixed_usd_per_month=100))
    body = html[html.index("<tbody>"):]  # the column names are the code's (table.kind, table.option), as the lesson uses them
    said.append(body)
    said.append(costs.as_of_text(wc.selfhost_cost(wc.BUY + "RTX 4090 24 GB (MSRP)")))
    said += [" ".join(costs.prices_frame(kind)["as_of"]) for kind in ("api", "rental", "hardware")]  # lesson 1's price tables
    english = {text[:120]: _english_left(text) for text in said if _english_left(text)}
    assert not english, english
    printed = "".join(said)
    assert "без дати" in printed and "електроенергія: ваше значення (0,20 USD/кВт·год)" in printed
    assert f"За 10{NBSP}000 запитів на день" in printed and "великий обсяг" in body and f"100{NBSP}000" in body
    # the code still reads the table by its own values, the same in both editions
    table = wc.scenario_table(("gpt-4o",))
    assert table.set_index(["scenario", "option"]).loc[("large volume", "gpt-4o"), "usd_per_month"] > 1_000
    assert box.controls["option"].value == wc.BUY + "RTX 4090 24 GB (MSRP)"


def test_the_labs_command_speaks_ukrainian(monkeypatch, capsys, tmp_path):
    from labs.cli import main

    monkeypatch.setenv("LAB_LANG", "uk")
    assert main(["with-server"]) == 2
    assert main(["create", "x", str(tmp_path / "missing.gguf")]) == 1
    said = capsys.readouterr().err
    assert "після -- вкажіть команду" in said and "такого файлу немає" in said
    assert not _english_left(said), said


def test_a_price_override_that_slips_a_unit_is_refused_in_ukrainian(monkeypatch):
    from labs import prices

    monkeypatch.setenv("LAB_LANG", "uk")
    mini = prices.api_price("gpt-4o-mini")
    with pytest.raises(ValueError) as nothing:
        mini.override()
    with pytest.raises(ValueError) as ratio:
        mini.override(input_usd_per_mtok=150)  # one price per 1K, the other per 1M
    with pytest.raises(ValueError) as slip:
        mini.override(input_usd_per_mtok=150, output_usd_per_mtok=600)  # both 1,000× the dated prices
    with pytest.warns(prices.PriceWarning) as warned:
        mini.override(input_usd_per_mtok=1.05)
    for said in (str(nothing.value), str(ratio.value), str(slip.value), str(warned[0].message)):
        assert CYRILLIC.search(said) and not _english_left(said), said
    assert f"1{NBSP}000×" in str(slip.value) and "ціна за 1K × 1 000" in str(slip.value)


def test_labs_doctor_speaks_ukrainian_with_ukrainian_numbers(monkeypatch, capsys):
    from labs.doctor import run_doctor
    from labs.host import free_port

    monkeypatch.setenv("LAB_LANG", "uk")
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")  # nothing listens: the server section says so
    run_doctor()
    said = capsys.readouterr().out
    assert "[сервер]" in said and "не відповідає жоден сервер моделей" in said
    assert re.search(r"RAM \d+,\d GiB \(вільно \d+,\d GiB\)", said), said
    assert not _english_left(said), said


def test_no_ukrainian_message_formats_a_number_the_english_way():
    """F6 (issue 17 r2): ``{x:,.0f}`` writes "32,000", which a Ukrainian reads as thirty-two. A Ukrainian entry
    writes numbers with ``num``/``usd`` (or a spec :func:`t` localises, such as ``.0%``), never a ``,`` grouping
    spec nor a ``$`` glued before a Python spec."""
    bad = {}
    for key, texts in messages().items():
        uk = texts.get("uk", "")
        specs = re.findall(r"\$?\{\w+:[^{}]*\}", uk)
        wrong = [s for s in specs if re.search(r":[^{}]*,", s.split("plural:")[0]) or s.startswith("$")
                 or re.search(r":,?\.\d+f\}", s)]
        if wrong:
            bad[key] = wrong
    assert not bad, bad


def test_a_number_in_a_ukrainian_message_reads_the_ukrainian_way():
    """Any spec a message keeps (``.0%``, ``g``) still writes a decimal comma and no-break grouping in Ukrainian."""
    assert t("costs.break_even.over_capacity.busier", "uk", plan=0.7, needed=0.875).count("%") == 2
    assert "1,5" in t("prices.api.output_ratio", "uk", model="m", out=1.5, ratio=10, given=0.15, high=8)
    assert "0,15" in t("prices.api.output_ratio", "uk", model="m", out=1.5, ratio=10, given=0.15, high=8)
    assert "0.15" in t("prices.api.output_ratio", "en", model="m", out=1.5, ratio=10, given=0.15, high=8)


def test_numpy_and_pandas_scalars_format_like_python_numbers():
    """Lesson 4 prints a sweep table's cells (numpy.int64/float64) through ``{x:num}``: it raised ValueError."""
    np = pytest.importorskip("numpy")
    assert t("lesson4.slots.ratio", "uk", concurrency=np.int64(2), ratio=np.float64(1.5), one=np.int64(1234),
             four=np.int64(5)) == t("lesson4.slots.ratio", "uk", concurrency=2, ratio=1.5, one=1234, four=5)


# --- issue 16: counts agree with their nouns; no English left in what lesson 4's helpers show ---------------------------

CLDR_UK = {1: "one", 2: "few", 4: "few", 5: "many", 11: "many", 21: "one", 22: "few", 25: "many", 111: "many"}
"""The Unicode CLDR plural category of each number for Ukrainian (one: n%10=1 and n%100≠11; few: n%10 in 2..4 and
n%100 not in 12..14; many: the rest)."""


@pytest.mark.parametrize("n", sorted(CLDR_UK))
def test_a_ukrainian_count_agrees_with_its_noun_by_cldr_rules(n):
    from labs.i18n import plural_uk

    forms = {"one": "токен", "few": "токени", "many": "токенів"}
    assert plural_uk(n, *forms.values()) == forms[CLDR_UK[n]]
    said = t("lesson4.proxy.answered", "uk", tokens=n)  # "4 токенів" was printed by lesson 4 (issue 16)
    assert said.endswith(f"{n} {forms[CLDR_UK[n]]}"), said
    layers = {"one": "шар", "few": "шари", "many": "шарів"}[CLDR_UK[n]]
    assert f"{n} {layers} ×" in t("kvcache.describe.uniform", "uk", layers=n, context=4096, mib=1.0, cache_type="f16",
                                  slots=1, tail="")


COUNTED = re.compile(r"\{(\w+)(?::num)?\}\s+(?:(?!(?:на|за|з|у|в|до|від|по)\s)\w+\s+)?(запит|токен|виклик|слот|шар|машин|бал|байт|параметр|промпт|"
                     r"користувач|рядк|вправ|відповід[еія]|годин|хвилин|секунд)\w*")


def test_every_whole_count_before_a_noun_in_the_ukrainian_catalogue_uses_a_plural_form():
    """«4 токенів» is wrong Ukrainian: a whole number before a noun picks one/few/many ({n:plural:…}), never a
    fixed form. A decimal ({x:num.1}) takes the genitive singular (0,37 запиту/с) and is not flagged."""
    fixed = {key: m.group(0) for key, texts in messages().items() for m in COUNTED.finditer(texts["uk"])}
    assert not fixed, fixed


def test_no_ukrainian_catalogue_message_keeps_an_english_word():
    """Every uk entry, its {fields} and code (`…`, name=…) set aside, has no common English word left."""
    left = {}
    for key, texts in messages().items():
        text = re.sub(r"\{[^{}]*\}|\b\w+=", " ", texts["uk"])
        if _english_left(text):
            left[key] = _english_left(text)
    assert not left, left


def test_lesson4_helpers_speak_only_ukrainian_in_the_ukrainian_edition(monkeypatch):
    """Execute what lesson 4 shows from labs (KV-cache line, module-table notes and verdicts, tier names and plot,
    deployment checks, sizing report) with LAB_LANG=uk: no catalogue miss (a KeyError would raise) and no English."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from labs import costs, deploy, kvcache, sizing, tiers
    from labs.deploy_validate import compose_problems, validate_compose
    from labs.display import table_html
    from labs.widgets_sizing import fit_report

    monkeypatch.setenv("LAB_LANG", "uk")
    said = [kvcache.describe(sizing.reference_architectures()["Gemma-3-4B"].kv_layout(), 32_768, parallel=2)]
    said += [row["note"] + " " + row["task"] for row in sizing.check_module_table(context=8192)]
    said += [row["verdict"] for row in sizing.check_module_ram_column(context=4096)]
    said += [tier.label for tier in tiers.MODULE_TIERS]
    frame = tiers.tier_table(requests_per_day=20_000, output_tokens=300)
    body = table_html(frame)
    said.append(body[body.index("<tbody>"):])
    api = {m: costs.api_cost(m, requests_per_day=20_000, input_tokens=500, output_tokens=300).monthly_usd
           for m in ("gpt-4o-mini", "gpt-4.1")}
    ax = tiers.plot_tier_costs(frame, api, title="")
    said += [ax.get_xlabel(), ax.get_ylabel(), *[label.get_text() for label in ax.get_xticklabels()],
             *[text.get_text() for text in ax.get_legend().get_texts()]]
    plt.close(ax.figure)
    said += [repr(result) for result in validate_compose(deploy.to_yaml(
        deploy.compose(deploy.OllamaSettings(model="qwen3:8b"), deploy.ProxySettings(server_name="x"))))]
    said += compose_problems({"services": {"ollama": {"ports": ["11434:11434"], "volumes": ["data:/root"],
                                                      "restart": "always"}}})
    text, table = fit_report("Qwen3-8B", "Q4_K_M", 8192, 4)
    said += [text, " ".join(table["fits"])]
    english = {s[:100]: _english_left(s) for s in said if _english_left(re.sub(r"\bok -- validation done", "", s))}
    assert not english, english
    latin = [s for s in said if s.strip() and not CYRILLIC.search(s)]
    assert not latin, latin
    assert "5 глобальних шарів" in said[0] and "2 слоти" in said[0]


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_plural_of_nan_or_infinity_is_written_not_raised(lang, bad):
    """Issue 17 r3 F9: t() with NaN/inf in a plural field crashed (ValueError / OverflowError)."""
    said = t("latency.plot.calls", lang, name="x", count=bad)
    assert said.startswith("x (") and ("inf" in said or "nan" in said)


def test_a_fraction_takes_the_genitive_singular_in_ukrainian():
    """Issue 17 r3 F9: «1,5 виклику», «1,5 токена» (not «1,5 виклики» / «0,5 викликів»); whole numbers keep CLDR."""
    assert t("latency.plot.calls", "uk", name="x", count=1.5) == "x (1,5 виклику)"
    assert t("latency.plot.calls", "uk", name="x", count=0.5) == "x (0,5 виклику)"
    assert t("latency.plot.calls", "uk", name="x", count=2) == "x (2 виклики)"
    assert t("lesson4.proxy.answered", "uk", tokens=1.5).endswith("1,5 токена")
    assert t("lesson4.proxy.answered", "uk", tokens=21).endswith("21 токен")


@pytest.mark.parametrize("value, uk, en", [(0.05, "0,05", "0.05"), (-48818.181818181816, "-48 818,2", "-48,818.2"),
                                           (123456.0, "123 456", "123,456"), (1e300, "1e+300", "1e+300"),
                                           (0.00015, "0,00015", "0.00015"), (17.605, "17,605", "17.605")])
def test_a_learners_own_value_is_echoed_in_their_typography(value, uk, en):
    """Issue 17 r3 F10: feedback echoed raw reprs ("-48818.181818181816", a 300-digit 1e300, 0.05 as "0,1")."""
    from labs.i18n import figure

    assert figure(value, "uk") == uk.replace(" ", "\u00a0") and figure(value, "en") == en
    assert t("checks.lesson1.not_positive", "uk", name="x", value=value).endswith(uk.replace(" ", "\u00a0") + ".")


def test_widget_and_cost_errors_and_labels_speak_ukrainian(monkeypatch):
    """Issue 17 r3 F3: English raised outside the catalogue (context max, not a reasoning model, the ApiCost label,
    the unit in validation errors, decide's choices)."""
    from labs.costs import api_cost
    from labs.decide import decide
    from labs.inputs import number
    from labs.widgets_sizing import fit_report

    monkeypatch.setenv("LAB_LANG", "uk")
    english = re.compile(r"\b(exceeds|maximum|tokens|reasoning model|requests per|per machine|per second|must be)\b")
    said = []
    for call in (lambda: fit_report("Qwen3-8B", "Q4_K_M", 65536, 1),
                 lambda: api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=1, output_tokens=1, reasoning_tokens=8),
                 lambda: number("capacity", -5, "requests per day per machine"),
                 lambda: number("decode_tokens_per_s", 0, "generated tokens per second"),
                 lambda: decide(data_sensitivity="secret", requests_per_day=1)):
        with pytest.raises(ValueError) as caught:
            call()
        said.append(str(caught.value))
    assert f"65{NBSP}536" in said[0] and f"32{NBSP}768 токенів" in said[0], said[0]
    assert "запитів на день на одну машину" in said[2], said[2]
    label = api_cost("gpt-5-mini", requests_per_day=1, input_tokens=1, output_tokens=1, reasoning_tokens=1024).label
    said.append(label)
    assert label == f"gpt-5-mini (+1{NBSP}024 токени міркування)", label
    assert not [s for s in said if english.search(s)], said


def test_a_volume_after_za_takes_the_genitive_in_every_ukrainian_message():
    """Issue 17 r3 F12: «за 21 запиту» (decide) but «за 21 запит» (costs): one case for "at a volume" everywhere."""
    accusative = re.compile(r"(?i)за \{(\w+):num\} \{\1:plural:запит\|")
    assert not [k for k, v in messages().items() if accusative.search(v["uk"])]
    assert "за 21 запиту на день" in t("costs.widget.at_volume", "uk", volume=21, api="$1", selfhosted="$2").lower()
