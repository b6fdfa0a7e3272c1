"""Public checks for lesson 1's exercises (self-hosted vs cloud API).

Every expected value is computed here from :mod:`labs.costs` and :mod:`labs.decide` with the
exercise's own inputs, never typed in, so a price change in ``labs/data`` moves both together.
"""

from __future__ import annotations

import math

from labs.costs import PLANNING_UTILISATION, api_cost, break_even, capacity_requests_per_day, ownership_cost, rental_cost
from labs.decide import decide
from labs.exercises import answer, exercise

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


def _number(value, name: str) -> float:
    assert isinstance(value, (int, float)) and not isinstance(value, bool), \
        f"`{name}` should be a number (requests per day); got {type(value).__name__}."
    assert math.isfinite(value) and value > 0, f"`{name}` should be a positive, finite number; got {value!r}."
    return float(value)


def _close(got: float, expected: float, name: str, hint: str) -> str:
    assert math.isclose(got, expected, rel_tol=TOLERANCE), \
        f"`{name}` = {got:,.0f} is not within 1% of the expected value. {hint}"
    return f"{got:,.0f} requests/day — matches labs.costs within 1%."


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
          hint="Cost per request × requests/day × 730/24 days = the rental's 730 hours × price per hour.")
def check_break_even(ns: dict) -> str:
    got = _number(answer(ns, "a100_break_even"), "a100_break_even")
    return _close(got, expected_break_even(), "a100_break_even",
                  "Check the token prices (per 1M tokens) and that a month is 730 hours for both sides.")


@exercise("lesson1.rtx4090_vs_mini", points=2,
          hint="A bought card costs price / life + kW × 730 h × utilisation × USD/kWh + fixed costs each month.")
def check_rtx_box(ns: dict) -> str:
    got = _number(answer(ns, "rtx_box_beats_mini_at"), "rtx_box_beats_mini_at")
    return _close(got, expected_rtx_box(), "rtx_box_beats_mini_at",
                  "Did you count amortisation, power at 60% utilisation and the $150 of fixed costs?")


@exercise("lesson1.no_break_even", points=1,
          hint="Compare the volume where the costs would meet with what one machine can serve.")
def check_no_break_even(ns: dict) -> str:
    got = answer(ns, "h100_break_even")
    expected = expected_h100_capped()
    if expected is None:
        assert got is None, (f"`h100_break_even` = {got!r}, but one machine cannot serve the volume where the "
                             "costs would meet: answer None (no break-even), not a number.")
        return "Right: no break-even — more machines never catch up with the API's price per request."
    return _close(_number(got, "h100_break_even"), expected, "h100_break_even", "")


@exercise("lesson1.capacity", points=1,
          hint="Seconds per request = output tokens ÷ tokens/s; busy seconds per day = 86,400 × utilisation.")
def check_capacity(ns: dict) -> str:
    got = _number(answer(ns, "requests_per_day_capacity"), "requests_per_day_capacity")
    tps = _number(answer(ns, "local_tps"), "local_tps")
    expected = capacity_requests_per_day(tps, CAPACITY["output_tokens"], utilisation=CAPACITY["utilisation"])
    assert math.isclose(got, expected, rel_tol=TOLERANCE), \
        f"`requests_per_day_capacity` = {got:,.0f} is not within 1% of what {tps:.1f} tokens/s gives."
    return f"{got:,.0f} requests/day from one machine at {tps:.1f} tokens/s."


@exercise("lesson1.clinic", points=1, hint="Which of the module's reasons for self-hosting applies to patient notes?")
def check_clinic(ns: dict) -> str:
    got = answer(ns, "clinic_choice")
    expected = decide(**CLINIC).choice
    assert got == expected, f"`clinic_choice` = {got!r}; run decide() with the clinic's facts and read its reasons."
    return f"{expected}: " + decide(**CLINIC).reasons[0]
