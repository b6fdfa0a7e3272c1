"""Issue 17's leftovers: a noun after a fraction, decide() at the break-even, the uk price override label and the
uk price notes (each fixed as a class: every message that counts, every comparison decide() prints, every price
table lesson 1 shows)."""

from __future__ import annotations

import re
import string
from importlib import resources

import pytest
import yaml

from labs import costs, prices
from labs.costs import api_cost, break_even, rental_cost
from labs.decide import LARGE_VOLUME, decide
from labs.exercises import run_check
from labs.i18n import NBSP, messages, plural_uk, t
from labs.quiz import bank

CYRILLIC = re.compile(r"[а-яіїєґ]", re.I)
RTX = "RTX 4090 24 GB — RunPod community cloud"


def _api():
    return api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)


# --- 1. a noun after a number agrees with the number as printed ---------------------------------------------------

WHOLE = re.compile(r"^(num(\.0)?|,?\.0f|,?d)$")
"""Specs that print a number whole: the noun takes one/few/many of the rounded number (three forms)."""


def _ukrainian_templates() -> dict[str, str]:
    """Every Ukrainian text a learner reads that formats numbers: the catalogue and the quiz bank."""
    texts = {key: v["uk"] for key, v in messages().items()}

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("uk"), str):
                texts[where] = node["uk"]
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    walk(yaml.safe_load(resources.files("labs").joinpath("data", "questions.yaml").read_text("utf-8")),
         "questions")
    return texts


def test_every_ukrainian_plural_follows_how_its_number_is_printed():
    """«41 846,2 запитів» (the quiz's q5 pass message): after a number that may show decimals the noun needs the
    fourth, genitive-singular form (``{n:plural:запит|запити|запитів|запиту}``); after a number printed whole
    (``num``, ``.0f``) it must not have one («41 846 запиту» for 41 846,2 rounded)."""
    wrong = {}
    for where, text in _ukrainian_templates().items():
        specs: dict[str, list[str]] = {}
        for _, name, spec, _ in string.Formatter().parse(text):
            if name:
                specs.setdefault(name, []).append(spec or "")
        for name, used in specs.items():
            forms = {len(s.split("|")) for s in used if s.startswith("plural:")}
            shown = [s for s in used if not s.startswith("plural:")]
            if not forms or not shown:
                continue  # a number printed elsewhere (the quiz unit after the learner's figure)
            whole = all(WHOLE.match(s) for s in shown)
            if forms != ({3} if whole else {4}):
                wrong.setdefault(where, []).append((name, shown, sorted(forms)))
    assert not wrong, f"plural forms that disagree with the number printed (3 after a whole number, 4 otherwise): {wrong}"


@pytest.mark.parametrize("n, form", [(41_846.2, "запиту"), (41_846, "запитів"), (41_841, "запит"), (0.5, "запиту"),
                                     (2.0, "запити")])
def test_the_plural_helper_takes_the_genitive_singular_after_a_fraction(n, form):
    assert plural_uk(n, "запит", "запити", "запитів", "запиту") == form
    assert t("decide.volume.under", "uk", shown="x", volume=n, threshold="y", note="z").startswith(f"обсяг: x {form} ")


@pytest.mark.parametrize("lang, typed, said", [
    ("uk", "41 846,2", f"41{NBSP}846,2 запиту на день"), ("uk", "41 846", f"41{NBSP}846 запитів на день"),
    ("uk", "41 841", f"41{NBSP}841 запит на день"), ("en", "41,846.2", "41,846.2 requests per day")])
def test_the_q5_pass_message_agrees_with_a_fractional_break_even(lang, typed, said, monkeypatch):
    """The failing input: a break-even of 41 846,2 passed with «41 846,2 запитів на день»."""
    monkeypatch.setenv("LAB_LANG", lang)
    money = {"uk": ("248,2", "59,31"), "en": ("248.2", "59.31")}[lang]
    ns = dict(zip(("q5_gpu_usd_per_month", "q5_api_usd_per_month", "q5_break_even_requests_per_day"), (*money, typed)))
    result = run_check("quiz.q5", ns)
    assert result.passed and result.message.endswith(said), result.message


def test_a_wrong_q5_count_names_its_unit_in_agreement_too(monkeypatch):
    monkeypatch.setenv("LAB_LANG", "uk")
    ns = {"q5_gpu_usd_per_month": 248.2, "q5_api_usd_per_month": 59.31, "q5_break_even_requests_per_day": 90_000.5}
    result = run_check("quiz.q5", ns)
    assert not result.passed and f"90{NBSP}000,5 запиту на день" in result.message, result.message


def test_the_numeric_widget_writes_the_unit_in_agreement(tmp_path, monkeypatch):
    from labs.quiz.widgets import show

    monkeypatch.setenv("LABS_PROGRESS", str(tmp_path / ".labs-progress.json"))
    view = next(v for v in show("q5", lang="uk").views if v.part.id == "break_even")
    for typed, said in (("41 846,2", f"41{NBSP}846,20 запиту"), ("41 846", f"41{NBSP}846 запитів"),
                        ("41 842", f"41{NBSP}842 запити")):
        view.input.value = typed
        view.button.click()
        assert said in view.feedback.value, view.feedback.value
    assert bank.text(view.part.unit, "uk") == view.part.unit_for(5, "uk") == "запитів на день"  # the label by the box


def test_quiz_templates_count_their_nouns_in_ukrainian():
    q5 = bank.question("q5")
    solution = bank.text(q5.part("break_even").solution, "uk", **{**bank.context(q5.part("break_even")), "value": 41_841.3})
    assert f"= 41{NBSP}841 запит на день" in solution, solution
    prompt = bank.text(q5.part("api_month").prompt, "uk", **{**bank.context(q5.part("api_month")), "requests_per_day": 2})
    assert "2 запити на день" in prompt, prompt
    steps = next(p.steps for p in bank.question("q2").parts if "generates" in p.steps)
    assert bank.text(steps["generates"], "uk", tokens=1, text="hi").startswith("Вона генерує: 1 токен,")
    assert "12,5 токена/с" in bank.text(steps["speed"], "uk", tps=12.5, ttft=0.2)


# --- 2. decide() at the break-even, and around it -----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_volume_exactly_at_the_break_even_is_said_to_be_at_it_and_favours_neither(lang, monkeypatch):
    """The failing input: "41,846 requests/day is under 41,846" (a volume typed as the break-even shown)."""
    monkeypatch.setenv("LAB_LANG", lang)
    for be in (break_even(_api(), rental_cost(RTX)), break_even(_api(), rental_cost(RTX)).requests_per_day):
        at = be if isinstance(be, float) else be.requests_per_day
        d = decide(data_sensitivity="public", requests_per_day=at, break_even=be)
        reason = d.reasons[0]
        assert ("exactly at the break-even" in reason) or ("саме точка беззбитковості" in reason), reason
        assert d.for_self_hosted == [] and not [r for r in d.for_cloud if "41" in r], d  # the volume favours neither
        assert d.choice == "cloud"  # and with no other reason the cloud wins (no hardware, no maintenance)


def _numbers(reason: str, lang: str) -> list[float]:
    """The numbers of a reason's first comparison, as a reader parses them."""
    found = re.findall(r"\d[\d,.\u00a0]*\d|\d", reason)
    if lang == "uk":
        return [float(x.replace(NBSP, "").replace(",", ".")) for x in found]
    return [float(x.replace(",", "")) for x in found]


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("offset", [-0.5, -0.2, -0.05, -1e-4, 1e-4, 0.05, 0.2, 0.5, -1, 1])
def test_a_volume_next_to_the_break_even_never_reads_as_the_same_number(lang, offset, monkeypatch):
    """41,846 against 41,846.15: the two numbers a comparison prints differ, and in the right direction."""
    monkeypatch.setenv("LAB_LANG", lang)
    be = break_even(_api(), rental_cost(RTX))
    volume = be.requests_per_day + offset
    d = decide(data_sensitivity="public", requests_per_day=volume, break_even=be)
    reason = next(r for r in d.reasons if r.startswith(("volume", "обсяг")))
    shown_volume, shown_threshold = _numbers(reason, lang)[:2]
    assert (shown_volume < shown_threshold) if offset < 0 else (shown_volume > shown_threshold), reason
    assert d.choice == ("cloud" if offset < 0 else "self-hosted"), reason


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_rule_of_thumb_at_its_line_reaches_it(lang, monkeypatch):
    monkeypatch.setenv("LAB_LANG", lang)
    d = decide(data_sensitivity="public", requests_per_day=LARGE_VOLUME)
    assert d.choice == "self-hosted" and ("reaches 100,000" in d.reasons[0] or f"це вже 100{NBSP}000" in d.reasons[0])
    assert not re.search(r"(is over|більше за) 100", d.reasons[0]), d.reasons[0]


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_next_machine_comparison_is_exact_at_and_around_its_line(lang, monkeypatch):
    """With a capacity, n machines beat the API only above n × the break-even: at it they tie, just under it the
    numbers printed still read as under."""
    monkeypatch.setenv("LAB_LANG", lang)
    be = break_even(_api(), rental_cost(RTX).with_capacity(42_617))
    paid_from = 2 * be.requests_per_day
    at = decide(data_sensitivity="public", requests_per_day=paid_from, break_even=be)
    assert at.choice == "cloud" and at.for_cloud == [] and at.for_self_hosted == [], at
    assert "at exactly this volume" in at.reasons[0] or "саме за такого обсягу" in at.reasons[0], at.reasons[0]
    under = decide(data_sensitivity="public", requests_per_day=round(paid_from), break_even=be)  # 83,692 < 83,692.3
    volume = _numbers(under.reasons[0], lang)[0]
    shown_paid = _numbers(re.split(r"only above|лише понад", under.reasons[0])[1], lang)[0]
    assert volume < shown_paid and under.choice == "cloud", under.reasons[0]


# --- 3. the price override label and other prices.py text in the learner's language --------------------------------

def test_a_price_override_is_labelled_in_ukrainian_and_names_the_dated_source(monkeypatch):
    monkeypatch.setenv("LAB_LANG", "uk")
    mine = costs.api_price("gpt-5-mini").override(input_usd_per_mtok=0.2, as_of="2026-11-25")
    assert mine.source == "ваша ціна (замість: сторінка моделі OpenAI, без дати)", mine.source
    monkeypatch.setenv("LAB_LANG", "en")
    mine = costs.api_price("gpt-5-mini").override(input_usd_per_mtok=0.2, as_of="2026-11-25")
    assert mine.source == f"{costs.OVERRIDE_SOURCE} (was: OpenAI model page, undated)", mine.source


def test_prices_errors_speak_ukrainian(monkeypatch):
    monkeypatch.setenv("LAB_LANG", "uk")
    with pytest.raises(ValueError, match="тариф для довгого контексту"):
        prices.ApiPrice(model="m", input_usd_per_mtok=1, output_usd_per_mtok=4, source="s", as_of="2026-01",
                        long_context_above_tokens=1000)
    with pytest.raises(ValueError, match="kind має бути"):
        prices.prices_frame("gpus")


# --- 4. lesson 1's price tables: notes and sources in the learner's language, English unchanged ---------------------

@pytest.mark.parametrize("kind, csv", [("api", "api_prices.csv"), ("rental", "gpu_rental.csv"),
                                       ("hardware", "hardware_prices.csv")])
def test_every_price_note_and_source_has_ukrainian_beside_it_and_the_table_picks_by_lab_lang(kind, csv, monkeypatch):
    from labs.display import table_html
    from labs.hardware import data_rows

    rows = data_rows(csv)
    for row in rows:  # one source: the Ukrainian sits beside the English in the same row
        for name in ("source", "note"):
            assert bool(row[name]) == bool(row[f"{name}_uk"]) and (not row[name] or CYRILLIC.search(row[f"{name}_uk"])), row
    monkeypatch.setenv("LAB_LANG", "en")
    en = prices.prices_frame(kind)
    assert en["note"].tolist() == [r["note"] for r in rows] and en["source"].tolist() == [r["source"] for r in rows]
    assert not [c for c in en.columns if c.endswith("_uk")]
    monkeypatch.setenv("LAB_LANG", "uk")
    uk = prices.prices_frame(kind)
    assert uk["note"].tolist() == [r["note_uk"] for r in rows] and uk["source"].tolist() == [r["source_uk"] for r in rows]
    assert list(uk.columns) == list(en.columns)  # code keys on the same names in both editions
    html = table_html(uk, "uk")
    assert not [r["note"] for r in rows if r["note"] and r["note"] in html]
    assert "примітка" in html and ">note<" not in html
