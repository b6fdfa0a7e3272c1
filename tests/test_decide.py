"""The lesson 1 decision helper: the module's rules, each reason stated, bad inputs rejected."""

from __future__ import annotations

import itertools

import pytest

from labs.costs import api_cost, break_even, rental_cost
from labs.i18n import number
from labs.decide import CHOICES, LARGE_VOLUME, QUALITY, SENSITIVITY, decide

BASE = dict(data_sensitivity="public", requests_per_day=1_000, latency_ms=None, offline=False, quality="good")


def test_nothing_forces_self_hosting_gives_cloud():
    d = decide(**BASE)
    assert d.choice == "cloud"
    assert d.for_self_hosted == []
    assert any("volume" in r for r in d.reasons)
    assert any("maintenance" in r for r in d.reasons)


@pytest.mark.parametrize(
    "change, word",
    [
        (dict(data_sensitivity="regulated"), "privacy"),
        (dict(requests_per_day=LARGE_VOLUME), "volume"),
        (dict(requests_per_day=150_000), "volume"),
        (dict(latency_ms=100), "latency"),
        (dict(offline=True), "offline"),
    ],
)
def test_each_module_reason_alone_gives_self_hosted(change, word):
    d = decide(**{**BASE, **change})
    assert d.choice == "self-hosted"
    assert any(r.startswith(word) for r in d.reasons)


def test_latency_need_the_cloud_can_meet_is_no_reason():
    assert decide(**{**BASE, "latency_ms": 1_500}).choice == "cloud"
    assert decide(**{**BASE, "latency_ms": 200}).choice == "cloud"


def test_frontier_quality_with_a_reason_to_self_host_is_hybrid():
    d = decide(**{**BASE, "data_sensitivity": "regulated", "quality": "frontier"})
    assert d.choice == "hybrid"
    assert d.for_self_hosted and d.for_cloud
    assert any(r.startswith("route each request") for r in d.reasons)
    assert decide(**{**BASE, "requests_per_day": 500_000, "quality": "frontier"}).choice == "hybrid"


def test_offline_wins_over_quality_and_says_what_it_costs():
    d = decide(**{**BASE, "offline": True, "quality": "frontier"})
    assert d.choice == "self-hosted"
    assert any(r.startswith("trade-off") for r in d.reasons)


def test_internal_data_notes_the_contract_but_does_not_force_anything():
    d = decide(**{**BASE, "data_sensitivity": "internal"})
    assert d.choice == "cloud"
    assert any("contract" in r for r in d.reasons)


def test_a_computed_break_even_replaces_the_rule_of_thumb():
    api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    be = break_even(api, rental_cost("RTX 4090 24 GB — RunPod community cloud"))  # ~41,846 requests/day
    at_50k = dict(BASE, requests_per_day=50_000)
    assert decide(**at_50k).choice == "cloud"  # under the module's 100K
    for given in (be, be.requests_per_day):
        d = decide(**at_50k, break_even=given)
        assert d.choice == "self-hosted"
        assert any("your computed break-even" in r for r in d.reasons)
    assert decide(**dict(BASE, requests_per_day=30_000), break_even=be).choice == "cloud"


def test_no_break_even_means_volume_never_favours_self_hosting():
    api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    none = break_even(api, rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(10_000))
    assert not none.exists
    d = decide(**dict(BASE, requests_per_day=5_000_000), break_even=none)
    assert d.choice == "cloud"
    assert any("no break-even" in r for r in d.for_cloud)


def test_every_combination_gives_a_choice_with_reasons():
    for sens, quality, offline, latency, volume in itertools.product(
        SENSITIVITY, QUALITY, (False, True), (None, 50, 1_000), (10, 1_000_000)
    ):
        d = decide(data_sensitivity=sens, requests_per_day=volume, latency_ms=latency, offline=offline, quality=quality)
        assert d.choice in CHOICES
        assert d.reasons
        if offline:
            assert d.choice == "self-hosted"
        if sens == "regulated" and not offline:
            assert d.choice in ("self-hosted", "hybrid")
        assert str(d).startswith(d.choice.upper())


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(data_sensitivity="secret"), "data_sensitivity must be one of"),
        (dict(quality="best"), "quality must be one of"),
        (dict(offline="yes"), "offline must be True or False"),
        (dict(requests_per_day=0), "requests_per_day must be greater than zero"),
        (dict(requests_per_day=-5), "requests_per_day must be greater than zero"),
        (dict(latency_ms=0), "latency_ms must be greater than zero"),
        (dict(latency_ms=float("nan")), "latency_ms must be a finite number"),
    ],
)
def test_bad_inputs_rejected(change, message):
    with pytest.raises(ValueError, match=message):
        decide(**{**BASE, **change})


def test_bad_break_even_rejected():
    with pytest.raises(ValueError, match="break_even must be"):
        decide(**BASE, break_even=0)


def test_latency_reference_ranges_live_in_one_place():
    from labs import decide as d, latency

    assert d.CLOUD_LATENCY_MS is latency.REFERENCE_CLOUD_MS and d.LOCAL_LATENCY_MS is latency.REFERENCE_LOCAL_MS
    reason = d.decide(data_sensitivity="public", requests_per_day=10, latency_ms=100).reasons[0]
    low, high = latency.REFERENCE_CLOUD_MS
    assert f"{low:g}-{high:,.0f} ms" in reason


# --- issue 17: the volume reason agrees with the capacity-aware cost functions ------------------------------------

@pytest.mark.parametrize("capacity", [30_000, 42_617, 50_000, 70_000, 100_000, 239_803])
def test_volume_favours_self_hosting_exactly_where_it_costs_less(capacity):
    """The failing input: 50,000/day against a break-even of 41,846 solved without a capacity said SELF-HOSTED,
    while one RTX 4090 serves ~42,600/day and two cost more than the API there."""
    from labs.costs import cheaper_option

    api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    box = rental_cost("RTX 4090 24 GB — RunPod community cloud").with_capacity(capacity)
    be = break_even(api, box)
    for volume in range(5_000, 400_000, 2_500):
        d = decide(data_sensitivity="public", requests_per_day=volume, quality="good", break_even=be)
        assert (d.choice == "self-hosted") == (cheaper_option(api, box, volume) == "self-hosted"), (capacity, volume, d)


def test_the_lessons_50k_case_is_cloud_with_capacity_and_says_why():
    api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    rent = rental_cost("RTX 4090 24 GB — RunPod community cloud")
    d = decide(data_sensitivity="public", requests_per_day=50_000, break_even=break_even(api, rent.with_capacity(42_617)))
    assert d.choice == "cloud" and "needs 2 machines" in d.reasons[0] and "83,692" in d.reasons[0]
    blind = decide(data_sensitivity="public", requests_per_day=50_000, break_even=break_even(api, rent))
    assert blind.choice == "self-hosted" and "assumes one machine serves 50,000" in blind.reasons[0]


def test_ukrainian_volume_reasons_agree_with_the_number(monkeypatch):
    monkeypatch.setenv("LAB_LANG", "uk")
    for volume, word in ((2_001, "запит "), (2_003, "запити "), (2_005, "запитів "), (2_011, "запитів ")):
        reason = decide(data_sensitivity="public", requests_per_day=volume, quality="good").reasons[0]
        assert f"{number(volume, lang='uk')} {word}" in reason, reason  # "2 001 запит": Ukrainian typography
        assert f"{volume:,}" not in reason, reason  # not "2,001", which a Ukrainian reads as two


def test_ukrainian_decide_reasons_write_numbers_the_ukrainian_way(monkeypatch):
    """F6 (issue 17 r2): volumes, thresholds and machine capacities in decide()'s Ukrainian reasons."""
    api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    rent = rental_cost("RTX 4090 24 GB — RunPod community cloud").with_capacity(42_617)
    monkeypatch.setenv("LAB_LANG", "uk")
    reasons = " ".join(decide(data_sensitivity="public", requests_per_day=50_000, latency_ms=200,
                              break_even=break_even(api, rent)).reasons)
    for n in (50_000, 42_617, 83_692):
        assert number(n, lang="uk") in reasons and f"{n:,}" not in reasons, reasons


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("volume", [1, 21, 111, 41_000, 60_000])
def test_the_no_capacity_note_names_the_volume_one_machine_must_serve(lang, volume, monkeypatch):
    """Issue 17 r3 F6: below the break-even the note said "it assumes one machine serves 21 requests/day"."""
    from labs.costs import api_cost, break_even, rental_cost
    from labs.i18n import number

    monkeypatch.setenv("LAB_LANG", lang)
    mini = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    be = break_even(mini, rental_cost("RTX 4090 24 GB — RunPod community cloud"))
    for given in (be, be.requests_per_day):
        reason = next(r for r in decide(data_sensitivity="public", requests_per_day=volume, break_even=given).reasons
                      if "with_capacity" in r)
        served = number(max(volume, be.requests_per_day))
        assert f"serves {served} " in reason or f"обслуговує {served} " in reason, reason
        assert volume >= be.requests_per_day or f"serves {number(volume)} " not in reason, reason
