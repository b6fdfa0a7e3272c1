"""Issues 16/17, round 6 leftovers: machine names that code looks up by name read in the learner's language, the load
test draws a percentile only as what it is, lookup and data-file errors come from the catalogue, and a number's noun
agrees with it (a fraction included) in both languages. Each test failed before its fix."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from labs.i18n import fill, messages, t

ROOT = Path(__file__).resolve().parents[1]
CPU = "CPU DDR5-5600 dual channel (8 GB)"
LAPTOP = "i3-1315U, 2 threads"
ENGLISH_NAMES = re.compile(r"dual channel|GB unified|\bthreads\b|model card|\bexperts\b|\blayers\b|report dated|"
                           r"quantize table sizes|developer blog")


# --- 5. plurals: a fraction takes the plural in English and the genitive singular in Ukrainian ----------------------

@pytest.mark.parametrize("n, en, uk", [(1, "1 request", "1 запит"), (1.2, "1.2 requests", "1,2 запиту"),
                                       (0.5, "0.5 requests", "0,5 запиту"), (21, "21 requests", "21 запит"),
                                       (2, "2 requests", "2 запити"), (1.0, "1 request", "1 запит")])
def test_a_fraction_takes_the_plural_in_english_and_the_genitive_singular_in_ukrainian(n, en, uk):
    """"1.2 request" was printed: the English helper rounded 1.2 to 1 before choosing the form."""
    assert fill("{n:fig} {n:plural:request|requests}", "en", n=n) == en
    assert fill("{n:fig} {n:plural:запит|запити|запитів|запиту}", "uk", n=n) == uk


def test_an_english_catalogue_count_after_a_fraction_is_plural():
    assert t("latency.plot.calls", "en", name="x", count=1.5) == "x (1.5 calls)"
    assert t("latency.plot.calls", "en", name="x", count=1) == "x (1 call)"


# --- 3. a wrong name in a data table, a bad row in a data file: the catalogue's words, with the fix ------------------

def test_an_unknown_api_model_is_explained_in_the_learners_language_with_the_fix(monkeypatch):
    from labs import prices

    for lang in ("en", "uk"):
        monkeypatch.setenv("LAB_LANG", lang)
        with pytest.raises(ValueError) as caught:
            prices.api_price("gpt-5o")
        said = str(caught.value)
        assert "'gpt-5o'" in said and "gpt-4o-mini" in said and "labs/data/api_prices.csv" in said, said
        if lang == "uk":
            assert "модель API" in said and not re.search(r"\bunknown\b|\buse one of\b|\bto price\b", said), said
        else:
            assert said.startswith("unknown API model 'gpt-5o': use one of gpt-4o-mini"), said


def test_every_kind_pick_names_has_its_ukrainian_word(monkeypatch):
    """The kinds labs looks names up in (quantization, hardware, model …) read in Ukrainian; the keys stay as typed."""
    from labs import kvcache, sizing

    monkeypatch.setenv("LAB_LANG", "uk")
    for call, word in ((lambda: sizing.bits_per_weight("Q3_XYZ"), "квантизація"),
                       (lambda: sizing.usable_gib("RTX 4090"), "обладнання"),
                       (lambda: sizing.estimate_memory("gpt-9"), "модель"),
                       (lambda: kvcache.kv_element_bytes("q5"), "KV-кешу")):
        with pytest.raises(ValueError) as caught:
            call()
        said = str(caught.value)
        assert word in said and "unknown" not in said and "use one of" not in said, said


def test_a_bad_reasoning_cell_in_the_price_file_is_explained_in_ukrainian(monkeypatch):
    from labs.prices import _reasoning

    monkeypatch.setenv("LAB_LANG", "uk")
    with pytest.raises(ValueError) as caught:
        _reasoning({"model": "gpt-x", "reasoning": "maybe"})
    said = str(caught.value)
    assert "api_prices.csv" in said and "'maybe'" in said and "opt-in" in said and "Виправте" in said, said
    assert not re.search(r"\bmust be\b|\bgot\b|\bor empty\b", said), said


# --- 1. names code looks up by name: the key stays, a learner reads the label ----------------------------------------

def test_a_machines_label_is_the_catalogues_and_its_key_is_unchanged():
    from labs import hardware, sizing

    assert hardware.label(CPU, "uk") == "CPU DDR5-5600, два канали (8 GB)"
    assert hardware.label(CPU, "en") == CPU
    assert hardware.label(LAPTOP, "uk") == "i3-1315U, 2 потоки"
    assert hardware.label("RTX 4090 24 GB", "uk") == "RTX 4090 24 GB"
    assert hardware.card(CPU).name == CPU  # lookups keep the key
    assert sizing.reference_speed("Llama-3.2-3B", LAPTOP, "llama.cpp", "decode") == 11.1
    # one fact, one place: the label is the entry show_table reads for a cell and (an alias) for a header
    assert messages()[f"table.column.{CPU}"] == messages()[f"table.value.{CPU}"]
    catalogue = (ROOT / "labs" / "data" / "messages.yaml").read_text(encoding="utf-8")
    assert re.search(rf'^"table\.column\.{re.escape(CPU)}": \*\w+$', catalogue, re.M), "the header entry is an alias"


def _shown(frame) -> str:
    from labs.display import table_html

    html = table_html(frame)
    return html[html.index("<thead>"):]


def test_the_ukrainian_edition_shows_no_english_machine_name_in_a_table_plot_or_line(monkeypatch):
    """Lesson 4's module table, tier table and plot, sizing table, published speeds and lesson 2's ceilings showed
    «CPU DDR5-5600 dual channel (8 GB)», «i3-1315U, 2 threads» and English source notes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from labs import bandwidth, costs, sizing, tiers
    from labs.widgets_sizing import fit_report

    monkeypatch.setenv("LAB_LANG", "uk")
    frame = tiers.tier_table(requests_per_day=20_000, output_tokens=300)
    assert f"1× {CPU}" in set(frame["hardware"])  # the table code reads keeps the key
    api = {"gpt-4o-mini": costs.api_cost("gpt-4o-mini", requests_per_day=20_000, input_tokens=500,
                                         output_tokens=300).monthly_usd}
    ax = tiers.plot_tier_costs(frame, api, title="")
    ticks = " ".join(label.get_text() for label in ax.get_xticklabels())
    plt.close(ax.figure)
    ceilings = bandwidth.reference_ceilings()
    assert CPU in ceilings.columns
    shown = {
        "module table": _shown(pd.DataFrame(sizing.check_module_table(context=8192))),
        "tiers": _shown(frame),
        "sizing": _shown(fit_report("Llama-3.2-3B", "Q4_K_M", 4096, 1)[1]),
        "speeds": _shown(sizing.reference_speeds()),
        "gguf sizes": _shown(pd.DataFrame(sizing.published_gguf_sizes())),
        "ceilings": _shown(ceilings),
        "architectures": " ".join(a.source_text() for a in sizing.reference_architectures().values()),
        "tier ticks": ticks,
        "tier machine": " ".join(tier.machine_label for tier in tiers.MODULE_TIERS),
    }
    english = {where: ENGLISH_NAMES.findall(text) for where, text in shown.items() if ENGLISH_NAMES.search(text)}
    assert not english, english
    assert "два канали" in shown["module table"] and "два канали" in shown["ceilings"] and "2 потоки" in shown["speeds"]


def test_the_english_edition_keeps_the_names_and_sources_as_written(monkeypatch):
    from labs import sizing, tiers

    monkeypatch.setenv("LAB_LANG", "en")
    assert tiers.MODULE_TIERS[0].machine_label == f"1× {CPU}"
    assert "config.json and model card" in sizing.reference_architectures()["Qwen3-8B"].source_text()
    assert sizing.reference_architectures()["Qwen3-8B"].source.endswith("(read 2026-11)")


# --- 2. the load test: a marker is what it claims -----------------------------------------------------------------------

def _level(concurrency: int, ok: list[float], cut: list[float]):
    from labs.loadtest import STOPPED, LoadResult, RequestRecord

    records = [RequestRecord(i, 0.0, status=200, ttft_s=s / 2, latency_s=s, output_tokens=8) for i, s in enumerate(ok)]
    records += [RequestRecord(len(ok) + i, 0.0, latency_s=s, error=STOPPED) for i, s in enumerate(cut)]
    return LoadResult("http://127.0.0.1:9", concurrency, len(records), 10.0, 10.0, records)


def test_a_percentile_of_cut_off_requests_alone_is_blank_not_a_p50():
    """0 of 60 completed on a loaded machine, and the p50 (≈14.5 s, only cut-off waits) was drawn as a point."""
    from labs.loadtest import sweep_frame

    row = sweep_frame([_level(1, [], [14.5, 14.6, 14.4])]).iloc[0]
    assert math.isnan(row["latency_p50_s"]) and math.isnan(row["latency_p95_s"])
    assert row["cut_off"] == 3 and row["completed_ok"] == 0


def test_the_sweep_plot_draws_a_lower_bound_as_at_least_and_never_as_a_measured_point(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from labs.loadtest import plot_sweep, sweep_frame

    monkeypatch.setenv("LAB_LANG", "en")
    exact = _level(1, [0.5, 0.6, 0.7], [])            # p50 measured: 0.6 s
    bound = _level(2, [0.5], [2.0, 2.0, 2.0])         # p50 sits among cut-off waits: at least 2.0 s
    none = _level(4, [], [9.0, 9.0])                  # nothing completed: no p50 at all
    frame = sweep_frame([exact, bound, none])
    assert frame["latency_p50_is_lower_bound"].tolist() == [False, True, False]
    fig = plot_sweep(frame, title="t")
    right = fig.axes[1]
    lines = {line.get_label(): line for line in right.lines}
    p50 = np.asarray(lines[t("loadtest.plot.latency", "en", q="p50")].get_ydata(), dtype=float)
    assert p50[0] == pytest.approx(0.6) and np.isnan(p50[1]) and np.isnan(p50[2])
    at_least = lines[t("loadtest.plot.at_least", "en", label=t("loadtest.plot.latency", "en", q="p50"))]
    assert list(at_least.get_xdata()) == [2.0] and list(at_least.get_ydata()) == [2.0]
    assert at_least.get_markerfacecolor() == "none"
    assert all(9.0 not in np.asarray(line.get_ydata(), dtype=float) for line in right.lines)
    plt.close(fig)


# --- 4. a number's noun in what the Ukrainian lessons print ----------------------------------------------------------

FIXED = re.compile(r"\{[^{}]*\}\)?\s+(токен|запит|виклик|слот|шар|машин|бал|байт|секунд|хвилин|символ|рядк|"
                   r"користувач|параметр|промпт|вправ|відповід)\w*")


@pytest.mark.parametrize("lesson", [p.stem for p in sorted((ROOT / "solutions" / "uk").glob("[0-9][0-9]_*.yaml"))])
def test_no_ukrainian_lesson_prints_a_number_before_a_fixed_noun_form(lesson):
    """«{ceiling:.0f} токенів/с» (lesson 4) reads «1 токенів/с»: a printed count picks its noun through the catalogue's
    plural spec ({n:plural:токен|токени|токенів|токена}), never a fixed form in a translated f-string."""
    import yaml

    data = yaml.safe_load((ROOT / "solutions" / "uk" / f"{lesson}.yaml").read_text(encoding="utf-8"))
    fixed = [(cell, m.group(0)) for cell, entry in data["cells"].items() for _, uk in entry.get("replace") or []
             for m in FIXED.finditer(uk)]
    assert not fixed, fixed


def test_lesson4s_printed_speeds_agree_with_their_numbers():
    said = [t("lesson4.cpu_bound", "uk", cpu="x", ceiling=41, typical=32, efficiency=0.7, laptop="y", measured=11.1),
            t("lesson4.reference_check", "uk", model="m", card="c", estimate=154, reported=112.0),
            t("lesson4.vllm.fits", "uk", quant="FP8", gib=1.0, context=32_768, budget=288, cards=4, share=0.9)]
    assert "41 токен/с" in said[0] and "11,1 токена/с" in said[0]
    assert "154 токени/с" in said[1] and "112 токенів/с" in said[1]
    assert "32\u00a0768 токенів" in said[2]
