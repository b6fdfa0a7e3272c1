"""Lesson 4 tiers (sizing × lesson 1's cost model) and the public checks of its exercises."""

from __future__ import annotations

import math

import pytest

from labs import costs, tiers
from labs.checks import lesson4
from labs.exercises import run_check


def test_module_tiers_fit_and_cost_from_lesson1_model():
    frame = tiers.tier_table(requests_per_day=20_000, output_tokens=200)
    assert list(frame["tier"]) == ["prototype", "small production", "medium production", "enterprise"]
    assert frame["fits"].all()
    small = frame.set_index("tier").loc["small production"]
    expected = costs.rental_cost("RTX 4090 24 GB — RunPod community cloud").monthly_usd
    assert small["rent_usd_month"] == pytest.approx(expected, abs=0.01)
    assert "2026-09" in small["as_of"]
    assert math.isnan(frame.set_index("tier").loc["prototype", "rent_usd_month"])  # no CPU price in the data
    enterprise = frame.set_index("tier").loc["enterprise"]
    assert enterprise["rent_usd_month"] == pytest.approx(4 * costs.rental_cost(
        "A100 80 GB — RunPod PCIe community cloud").monthly_usd, abs=0.05)


def test_more_volume_needs_more_machines():
    low = tiers.tier_row(tiers.MODULE_TIERS[1], context=8192, parallel=1, output_tokens=500, requests_per_day=1_000)
    high = tiers.tier_row(tiers.MODULE_TIERS[1], context=8192, parallel=1, output_tokens=500,
                          requests_per_day=1_000_000)
    assert low["machines"] == 1 and high["machines"] > 1
    assert high["rent_usd_month"] == pytest.approx(low["rent_usd_month"] * high["machines"])


def test_latency_estimate_and_cheapest_option():
    rows = tiers.gpu_options("Qwen3-8B", "Q4_K_M", context=8192, parallel=4, output_tokens=300, latency_target_s=4)
    by = {r["hardware"]: r for r in rows}
    assert by["H100 SXM 80 GB"]["latency_s_est"] < by["A100 80 GB"]["latency_s_est"] < by["L4 24 GB"]["latency_s_est"]
    assert tiers.cheapest_meeting(rows) == "RTX 4090 24 GB"
    assert tiers.cheapest_meeting(tiers.gpu_options("Qwen3-8B", "Q4_K_M", context=8192, parallel=4,
                                                    output_tokens=300, latency_target_s=0.1)) is None
    with pytest.raises(ValueError, match="output_tokens"):
        tiers.estimate_latency_s("Qwen3-8B", "Q4_K_M", "A100 80 GB", 0)


def test_lesson4_checks_pass_fail_and_not_answered():
    need, names = lesson4.expected_size()
    assert run_check("lesson4.size_deployment", {"need_gib": need, "smallest_gpu": sorted(names)[0]}).passed
    wrong = run_check("lesson4.size_deployment", {"need_gib": need / 4, "smallest_gpu": "A100 80 GB"})
    assert wrong.status == "failed" and "KV cache" in wrong.message
    too_big = run_check("lesson4.size_deployment", {"need_gib": need, "smallest_gpu": "A100 80 GB"})
    assert too_big.status == "failed"
    assert run_check("lesson4.size_deployment", {"need_gib": ..., "smallest_gpu": ...}).status == "not answered"
    assert run_check("lesson4.cheapest_tier", {"cheapest": "RTX 4090 24 GB"}).passed
    slow = run_check("lesson4.cheapest_tier", {"cheapest": "L4 24 GB"})
    assert slow.status == "failed" and "too slow" in slow.message
    assert run_check("lesson4.cheapest_tier", {"cheapest": "H100 SXM 80 GB"}).status == "failed"
    assert run_check("lesson4.cheapest_tier", {}).status == "not answered"


def test_tier_break_even_respects_the_tiers_own_capacity():
    """Issue 13 finding 1: lesson 4 printed break-evens of 32,000, 112,000 and 448,000 requests/day while
    its own capacity model gave one machine 28,411, 27,161 and 67,163: none of the three exists."""
    api = costs.api_cost("gpt-4o-mini", requests_per_day=20_000, input_tokens=500, output_tokens=300)
    for tier in tiers.MODULE_TIERS:
        if not tier.rent_offer:
            continue
        _, per_machine = tiers.machine_capacity(tier, 300)
        uncapped = costs.break_even(api, costs.rental_cost(tier.rent_offer, gpus=tier.count))
        assert uncapped.requests_per_day > per_machine  # where the old table said "break-even"
        be = tiers.tier_break_even(tier, api, output_tokens=300)
        assert be.requests_per_day is None and f"one machine serves {per_machine:,.0f}" in be.reason
        row = tiers.tier_row(tier, context=8192, parallel=1, output_tokens=300, requests_per_day=20_000)
        assert row["requests_per_day_per_machine_est"] == round(per_machine)  # one capacity rule for both


def test_buying_counts_what_lesson_1_counts():
    """Issue 13 finding 8: the same RTX 4090 cost $177.27/month in lesson 1 and $110.12 in the tier table."""
    lesson1 = costs.ownership_cost("RTX 4090 24 GB (MSRP)", electricity_usd_per_kwh=costs.EXAMPLE_ELECTRICITY_USD_PER_KWH,
                                   utilisation=costs.EXAMPLE_POWER_UTILISATION,
                                   fixed_usd_per_month=costs.EXAMPLE_FIXED_USD_PER_MONTH)
    row = tiers.tier_row(tiers.MODULE_TIERS[1], context=8192, parallel=1, output_tokens=200, requests_per_day=1_000)
    assert row["own_usd_month"] == pytest.approx(lesson1.monthly_usd, abs=0.01)
    assert round(lesson1.monthly_usd, 2) == 177.27


def test_one_decode_speed_per_card_in_sizing_and_tiers():
    """Issue 17 F11: Qwen3-8B Q4_K_M on an RTX 4090 was 126 tokens/s in the sizing table and 140.9 in the tier table."""
    from labs import sizing
    from labs.widgets_sizing import fit_report

    _, frame = fit_report("Qwen3-8B", "Q4_K_M", 8192, 1)
    in_sizing = frame.set_index("hardware").loc["RTX 4090 24 GB", "decode_tokens_per_s_est"]
    row = tiers.tier_row(tiers.MODULE_TIERS[1], context=8192, parallel=1, output_tokens=300, requests_per_day=1_000)
    assert row["decode_tokens_per_s_est"] == pytest.approx(in_sizing, abs=0.5)
    assert row["decode_tokens_per_s_est"] == pytest.approx(
        sizing.serving_decode_tokens_per_s("Qwen3-8B", "Q4_K_M", "RTX 4090 24 GB", context=8192), abs=0.05)


def test_one_slot_count_for_memory_and_capacity():
    """Issue 17 F11: the tier table sized memory for 4 slots and computed capacity for 1 stream."""
    from labs import sizing

    one = tiers.tier_table(requests_per_day=20_000, output_tokens=300).set_index("tier")
    four = tiers.tier_table(requests_per_day=20_000, output_tokens=300, parallel=4).set_index("tier")
    assert set(one["slots"]) == {1} and set(four["slots"]) == {4}
    small = tiers.MODULE_TIERS[1]
    assert four.loc[small.name, "need_gib"] == round(
        sizing.estimate_memory(small.model, small.quant, 8192, 4).total_gib, 1)
    ratio = four.loc[small.name, "requests_per_day_per_machine_est"] / one.loc[small.name, "requests_per_day_per_machine_est"]
    assert ratio == pytest.approx(4, rel=1e-3)


def test_tier_plot_labels_dollars_plainly():
    """Issue 17 F19: the log axis read "2×10²" for USD; ticks are plain dollar amounts now."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = tiers.tier_table(requests_per_day=20_000, output_tokens=300)
    ax = tiers.plot_tier_costs(frame, {"gpt-4o-mini": 155.13}, title="t")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True) if t.get_text()]
    assert labels and all(label.startswith("$") and "10^" not in label and "times" not in label for label in labels)
    plt.close(ax.figure)


def test_api_lines_state_the_computed_comparison():
    """Issue 17 F6: the prose said "a few hundred dollars" beside a computed $155.13; the lines are computed now."""
    frame = tiers.tier_table(requests_per_day=20_000, output_tokens=300)
    cheapest = float(frame["rent_usd_month"].min())
    lines = tiers.api_vs_rent({"cheap": cheapest / 2, "dear": cheapest * 2}, frame)
    assert "less than" in lines[0] and "more than" in lines[1]
    assert f"${cheapest:,.2f}" in lines[0] and f"${cheapest / 2:,.2f}" in lines[0]


def _tier_plot(requests_per_day: float, monkeypatch, lang: str = "uk"):
    import matplotlib

    matplotlib.use("Agg")
    from labs import costs
    from labs.i18n import t

    monkeypatch.setenv("LAB_LANG", lang)
    frame = tiers.tier_table(requests_per_day=requests_per_day, output_tokens=300)
    api = {m: costs.api_cost(m, requests_per_day=requests_per_day, input_tokens=500, output_tokens=300).monthly_usd
           for m in ("gpt-4o-mini", "gpt-4.1", "Claude Sonnet 4.5")}
    ax = tiers.plot_tier_costs(frame, api, title=t("tiers.plot.title", requests=requests_per_day, input=500, output=300))
    ax.figure.canvas.draw()
    return frame, api, ax


def test_the_tier_plot_shows_cents_at_one_request_a_day(monkeypatch):
    """Issue 17 r3 F8: at 1 request/day the APIs cost $0.01-$0.18 a month, and every line read "$0/міс"."""
    import matplotlib.pyplot as plt

    frame, api, ax = _tier_plot(1, monkeypatch)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    api_lines = [label for label in legend if label.startswith("API")]
    assert len(api_lines) == 3 and not any("$0/" in label for label in api_lines), api_lines
    assert any("$0,0078/" in label for label in api_lines), api_lines  # gpt-4o-mini: 30.4 requests × $0.000255
    ticks = [x.get_text() for x in ax.get_yticklabels() + ax.get_yticklabels(minor=True) if x.get_text()]
    assert "$0" not in ticks, ticks
    assert ax.get_title().startswith("1 запит на день ×"), ax.get_title()  # the catalogue's plural, not «1 запитів/день»
    plt.close(ax.figure)


def test_the_tier_plot_says_how_many_machines_a_bar_is_and_keeps_every_line_inside(monkeypatch):
    """Issue 17 r3 F8: at 1,000,000 requests/day a bar is 40 machines; the labels said "1×" and the dearest
    API line sat on the top edge of the frame."""
    import matplotlib.pyplot as plt

    frame, api, ax = _tier_plot(1_000_000, monkeypatch, "en")
    priced = frame.dropna(subset=["rent_usd_month"])
    assert priced["machines"].max() > 1
    labels = [x.get_text() for x in ax.get_xticklabels()]
    for label, machines in zip(labels, priced["machines"]):
        assert f"{machines:,} machine" in label, (label, machines)
    low, high = ax.get_ylim()
    assert high > max(api.values()) * 1.5 and low < min(api.values()) / 1.5
    plt.close(ax.figure)
