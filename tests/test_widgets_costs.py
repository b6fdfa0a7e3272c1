"""Lesson 1 plots, tables and widgets: built headless, checked on their numbers and labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labs import costs  # noqa: E402
from labs import widgets_costs as wc  # noqa: E402

RTX = wc.RENT + "RTX 4090 24 GB — RunPod community cloud"


def test_selfhost_options_cover_every_data_row():
    options = wc.selfhost_options()
    assert len(options) == len(costs.gpu_rentals()) + len(costs.hardware_options())
    for option in options:
        assert wc.selfhost_cost(option).monthly_usd > 0
    with pytest.raises(ValueError, match="must start with"):
        wc.selfhost_cost("RTX 4090")


def test_plot_has_both_curves_break_even_units_and_dates():
    api = costs.api_cost("gpt-4o-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
    hosts = [wc.selfhost_cost(RTX), costs.rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(20_000)]
    fig = wc.plot_costs(api, hosts)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels[0] == "cloud API: gpt-4o-mini"
    assert any(label.startswith("break-even: 41,846") for label in labels)
    assert any(label.endswith("(no break-even)") for label in labels)
    assert "USD per month" in ax.get_ylabel() and "requests per day" in ax.get_xlabel()
    assert "2025-06" in ax.get_title() and "2026-09" in ax.get_title()
    # the x range covers twice the break-even
    assert ax.get_xlim()[1] == pytest.approx(2 * 0.34 * 24 / 195e-6)
    plt.close(fig)


def test_scenario_table_numbers_and_dates():
    table = wc.scenario_table()
    assert set(table["scenario"]) == set(wc.SCENARIOS)
    row = table[(table.scenario == "large volume") & (table.option == "gpt-4o")].iloc[0]
    assert row.usd_per_month == pytest.approx(325 * 730 / 24, abs=0.01)
    assert row.prices_as_of == "gpt-4o 2025-06"
    assert row.module_says.startswith("$1,000-10,000")
    assert table.prices_as_of.str.len().min() > 0
    capped = wc.scenario_table(("gpt-4o-mini",), (RTX,), capacity=40_000)
    big = capped[(capped.scenario == "large volume") & (capped.kind == "self-hosted")].iloc[0]
    assert big.usd_per_month == pytest.approx(3 * 0.34 * 730)
    assert big.option.endswith("×3")


def test_cost_explorer_recomputes_when_a_control_changes():
    box = wc.cost_explorer()
    first = box.state["break_even"].requests_per_day
    assert first == pytest.approx(0.34 * 24 / 195e-6)
    box.controls["output_tokens"].value = 400  # dearer requests: the break-even falls
    assert box.state["api"].output_tokens == 400
    assert box.state["break_even"].requests_per_day < first
    box.controls["option"].value = wc.BUY + "RTX 4090 24 GB (MSRP)"
    assert box.state["selfhost"].breakdown["amortisation"] == pytest.approx(1599 / 36)
    box.controls["capacity"].value = -1
    assert "capacity must be greater than zero" in box.state["error"]
    box.controls["capacity"].value = 10
    assert not box.state["break_even"].exists
    assert len(box.state["table"]) == 4


def test_decision_form_follows_its_controls():
    form = wc.decision_form()
    assert form.state["decision"].choice == "cloud"
    form.controls["data_sensitivity"].value = "regulated"
    assert form.state["decision"].choice == "self-hosted"
    form.controls["quality"].value = "frontier"
    assert form.state["decision"].choice == "hybrid"
    form.controls["requests_per_day"].value = 0
    assert "requests_per_day" in form.state["error"]


def test_reasoning_tokens_in_the_table_and_the_explorer():
    table = wc.scenario_table(("gpt-5-mini", "gpt-4o-mini"), (), input_tokens=500, output_tokens=200,
                              reasoning_tokens=1_024, scenarios={"issue 13": 10_000})
    mini = table.set_index("option").loc["gpt-5-mini"]
    assert mini["usd_per_month"] == 782.62 and mini["reasoning_tokens"] == 1_024
    assert table.set_index("option").loc["gpt-4o-mini", "reasoning_tokens"].startswith("n/a")
    box = wc.cost_explorer(api_model="gpt-5-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
    visible = box.state["api"].monthly_usd
    box.controls["reasoning_tokens"].value = 1_024
    assert round(visible, 2) == 159.69 and round(box.state["api"].monthly_usd, 2) == 782.62
    box.controls["api_model"].value = "gpt-4o-mini"  # not a reasoning model: said so, not silently ignored
    assert "not a reasoning model" in box.state["error"]
