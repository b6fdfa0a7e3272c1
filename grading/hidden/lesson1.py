"""Hidden instructor tests for ``01_self_hosted_vs_api`` (run by ``labs grade``, never shown to learners).

The public checks compare each volume with :func:`labs.costs.break_even` within 1 % either way.
These tests ask what the exercises literally say, by another route through :mod:`labs.costs`:
*from* the learner's volume self-hosting must really be the cheaper bill (a volume rounded down
is one where the API still wins); "no break-even" must hold at every volume, machines added as the
volume grows; the decode speed behind the capacity must be this machine's (the public check takes
``local_tps`` on trust); and the clinic's answer must follow from its regulated data, not its volume.
Scenarios come from :mod:`labs.checks.lesson1`, so both sides read the same inputs and prices.
"""

from __future__ import annotations

import math

from labs.checks.lesson1 import BREAK_EVEN, CAPACITY, CLINIC, H100_CAPPED, RTX_BOX
from labs.client import LocalLLM
from labs.costs import api_cost, capacity_requests_per_day, cheaper_option, ownership_cost, rental_cost
from labs.decide import decide
from labs.errors import LabError
from labs.exercises import answer, hidden_test

ROUNDING = 0.001  # a volume may be rounded up freely, down by at most 0.1 %
SPEED_FACTOR = 5.0  # a measured decode speed and a fresh one agree within this factor (shared CPUs vary)
FRESH_TRIES = 4  # short measurements at most, until one agrees: a burst of load on a shared CPU slowed one 16-fold


def _volume(value: object, name: str) -> float:
    assert isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0, \
        f"`{name}` should be a positive number of requests per day; got {value!r}"
    return float(value)


def _api(scenario: dict):
    return api_cost(scenario["model"], requests_per_day=1, input_tokens=scenario["input_tokens"],
                    output_tokens=scenario["output_tokens"])


def _cheaper_from(volume: float, api, host, name: str) -> str:
    api_usd, own_usd = api.monthly_at(volume), host.monthly_at(volume)
    assert own_usd <= api_usd * (1 + ROUNDING), (
        f"at `{name}` = {volume:,.0f} requests/day the API still costs less (${api_usd:,.2f} against "
        f"${own_usd:,.2f} a month): the question is FROM what volume self-hosting is cheaper — round up, not down")
    return f"at {volume:,.0f} requests/day: self-hosted ${own_usd:,.2f} vs API ${api_usd:,.2f} a month"


@hidden_test("lesson1.break_even", points=1)
def rent_is_cheaper_from_your_volume(ns: dict) -> str:
    """At the answered volume the A100's rent is no more than the API bill."""
    volume = _volume(answer(ns, "a100_break_even"), "a100_break_even")
    return _cheaper_from(volume, _api(BREAK_EVEN), rental_cost(BREAK_EVEN["offer"]), "a100_break_even")


@hidden_test("lesson1.rtx4090_vs_mini", points=1)
def box_is_cheaper_from_your_volume(ns: dict) -> str:
    """At the answered volume the bought RTX 4090 box (amortisation + power + fixed) costs no more than the API."""
    volume = _volume(answer(ns, "rtx_box_beats_mini_at"), "rtx_box_beats_mini_at")
    s = RTX_BOX
    box = ownership_cost(s["card"], life_months=s["life_months"], electricity_usd_per_kwh=s["electricity_usd_per_kwh"],
                         utilisation=s["utilisation"], fixed_usd_per_month=s["fixed_usd_per_month"])
    return _cheaper_from(volume, _api(s), box, "rtx_box_beats_mini_at")


@hidden_test("lesson1.no_break_even", points=1)
def api_wins_at_every_volume(ns: dict) -> str:
    """Scan volumes up to ten machines' worth (machines added as needed): the API is cheaper at each,
    so the only right answer is None; where some volume favours the H100, a number from there on."""
    got = answer(ns, "h100_break_even")
    s = H100_CAPPED
    api, host = _api(s), rental_cost(s["offer"]).with_capacity(s["capacity"])
    volumes = [s["capacity"] * f for f in (0.05, 0.25, 0.5, 0.75, 0.9, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)]
    own_wins = [v for v in volumes if cheaper_option(api, host, v) != "cloud"]
    if not own_wins:
        assert got is None, (f"`h100_break_even` = {got!r}, but the API is cheaper at every volume from "
                             f"{volumes[0]:,.0f} to {volumes[-1]:,.0f} requests/day (one H100 serves "
                             f"{s['capacity']:,}, more volume needs more of them): answer None")
        return f"None: the API is cheaper at all {len(volumes)} volumes scanned, up to {volumes[-1]:,.0f} requests/day"
    volume = _volume(got, "h100_break_even")
    return _cheaper_from(volume, api, host, "h100_break_even")


@hidden_test("lesson1.capacity", points=1)
def speed_is_this_machines(ns: dict) -> str:
    """``local_tps`` is a decode speed of the server at OLLAMA_HOST, not a figure typed in (two short calls)."""
    tps = _volume(answer(ns, "local_tps"), "local_tps")
    got = _volume(answer(ns, "requests_per_day_capacity"), "requests_per_day_capacity")
    seen: list[float] = []
    try:
        with LocalLLM() as llm:
            while len(seen) < FRESH_TRIES and not any(f / SPEED_FACTOR <= tps <= f * SPEED_FACTOR for f in seen):
                seen.append(llm.measure("In one sentence: what is a GPU?",
                                        options={"temperature": 0, "seed": 42, "num_predict": 12}).server_tokens_per_s)
    except LabError as exc:
        raise AssertionError(f"could not measure the model server at OLLAMA_HOST to compare: {exc}") from None
    fresh = min(seen, key=lambda f: abs(math.log(tps / f)))  # the measurement closest to the learner's
    assert fresh / SPEED_FACTOR <= tps <= fresh * SPEED_FACTOR, (
        f"`local_tps` = {tps:,.1f} tokens/s, but the model server decodes at {fresh:,.1f} tokens/s right now: "
        "use the speed measured in section 10, in tokens per second")
    expected = capacity_requests_per_day(fresh, CAPACITY["output_tokens"], utilisation=CAPACITY["utilisation"])
    return (f"local_tps {tps:,.1f} tokens/s (a fresh measurement: {fresh:,.1f}); {got:,.0f} requests/day "
            f"(≈ {expected:,.0f} at the fresh speed)")


@hidden_test("lesson1.clinic", points=1)
def choice_follows_from_the_data_not_the_volume(ns: dict) -> str:
    """The same clinic at a twentieth and at fifty times the volume gets the same answer from decide()."""
    got = answer(ns, "clinic_choice")
    base = CLINIC["requests_per_day"]
    choices = {v: decide(**{**CLINIC, "requests_per_day": v}).choice for v in (base / 20, base, base * 50)}
    assert len(set(choices.values())) == 1, f"decide() changes its answer with the clinic's volume: {choices}"
    expected = choices[base]
    assert got == expected, (f"`clinic_choice` = {got!r}; for patient notes decide() answers {expected!r} at "
                             f"{base / 20:,.0f}, {base:,} and {base * 50:,} notes a day alike: regulated data decides")
    return f"{expected} at every volume: " + decide(**CLINIC).reasons[0]
