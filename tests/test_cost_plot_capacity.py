"""Lesson 1's cost plot draws what one machine can serve, and its tables name a fixed cost (issue 17, point 3)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labs import costs  # noqa: E402
from labs import widgets_costs as wc  # noqa: E402

RTX = "RTX 4090 24 GB — RunPod community cloud"


def _line(ax, prefix: str):
    return next(line for line in ax.get_lines() if line.get_label().startswith(prefix))


def test_a_host_with_capacity_steps_up_one_machine_at_a_time():
    api = costs.api_cost("gpt-4o-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
    host = costs.rental_cost(RTX).with_capacity(30_000)
    fig = wc.plot_costs(api, host, max_requests_per_day=100_000)
    line = _line(fig.axes[0], "self-hosted")
    assert "one machine serves 30,000/day" in line.get_label()
    xs, ys = line.get_xdata(), line.get_ydata()
    for x, y in zip(xs, ys):
        assert y == pytest.approx(host.monthly_usd * max(1, math.ceil(x / 30_000)))
    for edge in (30_000, 60_000, 90_000):  # the step is drawn at the edge, not smeared over a sample interval
        just_below = max(y for x, y in zip(xs, ys) if x <= edge)
        just_above = min(y for x, y in zip(xs, ys) if x > edge)
        assert just_above - just_below == pytest.approx(host.monthly_usd)
    plt.close(fig)


def test_a_host_without_capacity_says_its_line_assumes_one_machine():
    api = costs.api_cost("gpt-4o-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
    fig = wc.plot_costs(api, costs.rental_cost(RTX), max_requests_per_day=100_000)
    assert "capacity not set" in _line(fig.axes[0], "self-hosted").get_label()
    plt.close(fig)


def test_the_scenario_table_names_a_fixed_cost_added_to_a_rental():
    bare = costs.rental_cost(RTX).monthly_usd
    table = wc.scenario_table(("gpt-4o-mini",), (wc.RENT + RTX,), fixed_usd_per_month=100)
    row = table[(table.kind == "self-hosted") & (table.scenario == "small volume")].iloc[0]
    assert row.usd_per_month == pytest.approx(bare + 100)
    assert row.option == f"rent {RTX} + $100.00/month fixed (your input)"
    plain = wc.scenario_table(("gpt-4o-mini",), (wc.RENT + RTX,), fixed_usd_per_month=0)
    assert plain[plain.kind == "self-hosted"].option.iloc[0] == f"rent {RTX}"


def test_the_fixed_cost_label_is_not_cut_in_the_rendered_table():
    """Issue 17: pandas cut "rent RTX 4090 … +..." at 50 characters, hiding the fixed cost."""
    from labs.display import table_html

    table = wc.scenario_table(("gpt-4o-mini",), (wc.RENT + RTX,))
    label = f"rent {RTX} + $100.00/month fixed (your input)"
    assert label in table_html(table)
    assert label not in table._repr_html_()  # what plain display() shows


def test_every_explorer_label_is_shown_in_full():
    box = wc.cost_explorer()
    assert all(c.style.description_width == "initial" for c in box.controls.values())
