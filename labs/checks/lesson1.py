"""Public checks for lesson 1's exercises (self-hosted vs cloud API).

Every expected value is computed here from :mod:`labs.costs` and :mod:`labs.decide` with the
exercise's own inputs, never typed in, so a price change in ``labs/data`` moves both together.
"""

from __future__ import annotations

import math

from labs.costs import PLANNING_UTILISATION, api_cost, break_even, capacity_requests_per_day, ownership_cost, rental_cost
from labs.decide import decide
from labs.checks.calls import short
from labs.exercises import NotAnswered, answer, exercise
from labs.i18n import t
from labs.inputs import is_real

TOLERANCE = 0.01  # 1 %

# The exercises' scenarios (the notebook states the same numbers in words).
BREAK_EVEN = dict(model="gpt-4.1-mini", input_tokens=1_000, output_tokens=300,
                  offer="A100 80 GB — RunPod secure cloud")
RTX_BOX = dict(model="gpt-4o-mini", input_tokens=800, output_tokens=250, card="RTX 4090 24 GB (MSRP)",
               life_months=36, electricity_usd_per_kwh=0.25, utilisation=0.6, fixed_usd_per_month=150)
H100_CAPPED = dict(model="gpt-4o-mini", input_tokens=500, output_tokens=200,
                   offer="H100 SXM 80 GB — RunPod community cloud", capacity=200_000)
CAPACITY = dict(output_tokens=200, utilisation=PLANNING_UTILISATION)  # 70%, the planning figure
CLINIC = dict(data_sensitivity="regulated", requests_per_day=5_000, latency_ms=None, offline=False, quality="good")


UNITS = {"local_tps": "checks.lesson1.unit.tokens_per_s"}  # every other answer of lesson 1 is requests per day


def _number(value, name: str) -> float:
    # a BreakEven (or anything carrying the figure) instead of the figure: point at the field to take
    assert not hasattr(value, "requests_per_day"), t("checks.lesson1.take_the_field", name=name,
                                                     type=type(value).__name__)
    assert is_real(value), \
        t("checks.lesson1.not_a_number", name=name, type=type(value).__name__, value=short(value),
          unit=t(UNITS.get(name, "checks.lesson1.unit.requests_per_day")))
    value = float(value)  # np.int64, np.float32 … as the float they stand for
    assert math.isfinite(value) and value > 0, t("checks.lesson1.not_positive", name=name, value=value)
    return value


def _close(got: float, expected: float, name: str, fix: str) -> str:
    assert math.isclose(got, expected, rel_tol=TOLERANCE), t("checks.lesson1.not_within", name=name, got=got, fix=fix)
    return t("checks.lesson1.matches", got=got)


def expected_break_even() -> float:
    s = BREAK_EVEN
    api = api_cost(s["model"], requests_per_day=1, input_tokens=s["input_tokens"], output_tokens=s["output_tokens"])
    return break_even(api, rental_cost(s["offer"])).requests_per_day


def expected_rtx_box() -> float:
    s = RTX_BOX
    api = api_cost(s["model"], requests_per_day=1, input_tokens=s["input_tokens"], output_tokens=s["output_tokens"])
    box = ownership_cost(s["card"], life_months=s["life_months"], electricity_usd_per_kwh=s["electricity_usd_per_kwh"],
                         utilisation=s["utilisation"], fixed_usd_per_month=s["fixed_usd_per_month"])
    return break_even(api, box).requests_per_day


def expected_h100_capped() -> float | None:
    s = H100_CAPPED
    api = api_cost(s["model"], requests_per_day=1, input_tokens=s["input_tokens"], output_tokens=s["output_tokens"])
    return break_even(api, rental_cost(s["offer"]).with_capacity(s["capacity"])).requests_per_day


@exercise("lesson1.break_even", points=1,
          hint=lambda: t("checks.lesson1.break_even.hint"))
def check_break_even(ns: dict) -> str:
    got = _number(answer(ns, "a100_break_even"), "a100_break_even")
    return _close(got, expected_break_even(), "a100_break_even",
                  t("checks.lesson1.break_even.fix"))


@exercise("lesson1.rtx4090_vs_mini", points=2,
          hint=lambda: t("checks.lesson1.rtx4090_vs_mini.hint"))
def check_rtx_box(ns: dict) -> str:
    got = _number(answer(ns, "rtx_box_beats_mini_at"), "rtx_box_beats_mini_at")
    return _close(got, expected_rtx_box(), "rtx_box_beats_mini_at",
                  t("checks.lesson1.rtx4090_vs_mini.fix"))


@exercise("lesson1.no_break_even", points=1,
          hint=lambda: t("checks.lesson1.no_break_even.hint"))
def check_no_break_even(ns: dict) -> str:
    got = answer(ns, "h100_break_even")
    expected = expected_h100_capped()
    if expected is None:
        assert not hasattr(got, "requests_per_day"), t("checks.lesson1.take_the_field", name="h100_break_even",
                                                       type=type(got).__name__)
        assert got is None, t("checks.lesson1.no_break_even.not_none", got=got)
        return t("checks.lesson1.no_break_even.passed")
    return _close(_number(got, "h100_break_even"), expected, "h100_break_even", "")


@exercise("lesson1.capacity", points=1,
          hint=lambda: t("checks.lesson1.capacity.hint"))
def check_capacity(ns: dict) -> str:
    no_speed = ns.get("local_tps", Ellipsis) is Ellipsis  # a measurement, not an answer: send to where it is made
    try:
        got = _number(answer(ns, "requests_per_day_capacity"), "requests_per_day_capacity")
    except NotAnswered as blank:  # both blanks at once, not the second only after the first is filled
        raise NotAnswered(f"{blank} {t('checks.lesson1.capacity.no_speed')}" if no_speed else str(blank)) from None
    if no_speed:
        raise NotAnswered(t("checks.lesson1.capacity.no_speed"))
    tps = _number(answer(ns, "local_tps"), "local_tps")
    expected = capacity_requests_per_day(tps, CAPACITY["output_tokens"], utilisation=CAPACITY["utilisation"])
    assert math.isclose(got, expected, rel_tol=TOLERANCE), t("checks.lesson1.capacity.not_within", got=got, tps=tps)
    return t("checks.lesson1.capacity.passed", got=got, tps=tps)


def _letters(text: str) -> str:
    """``text`` without case, quotes, punctuation, spaces or any kind of hyphen (NFKC first: full-width letters,
    U+2011 no-break hyphen), so every near-miss spelling of a choice compares equal to it."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


@exercise("lesson1.clinic", points=1, hint=lambda: t("checks.lesson1.clinic.hint"))
def check_clinic(ns: dict) -> str:
    got = answer(ns, "clinic_choice")
    expected = decide(**CLINIC).choice
    # the right choice written otherwise ('Self-hosted', 'self hosted', 'self–hosted', '«self-hosted».'): say it is
    # the spelling, not the reasoning
    same_word = isinstance(got, str) and _letters(got) == _letters(expected) and got != expected
    assert not same_word, t("checks.lesson1.clinic.spelling", got=got, expected=expected)
    assert got == expected, t("checks.lesson1.clinic.wrong", got=got)
    return f"{expected}: " + decide(**CLINIC).reasons[0]
