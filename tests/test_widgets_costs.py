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
    hosts = [wc.selfhost_cost(RTX, fixed_usd_per_month=0), costs.rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(20_000)]
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
    capped = wc.scenario_table(("gpt-4o-mini",), (RTX,), capacity=40_000, fixed_usd_per_month=0)
    big = capped[(capped.scenario == "large volume") & (capped.kind == "self-hosted")].iloc[0]
    assert big.usd_per_month == pytest.approx(3 * 0.34 * 730)
    assert big.machines == 3 and big.capacity_per_machine == 40_000


def test_the_scenario_table_uses_the_lessons_one_capacity_by_default():
    """Issue 17: one rented RTX 4090 was priced serving 100,000 requests/day; the table now needs 3 of them."""
    table = wc.scenario_table(("gpt-4o-mini",), (RTX,))
    cap = wc.capacity_estimate(RTX)
    big = table[(table.scenario == "large volume") & (table.kind == "self-hosted")].iloc[0]
    assert big.capacity_per_machine == round(cap) and big.machines == -(-100_000 // cap) == 3
    assert big.usd_per_month == pytest.approx(3 * wc.selfhost_cost(RTX).monthly_usd, abs=0.01)
    unlimited = wc.scenario_table(("gpt-4o-mini",), (RTX,), capacity=None)
    assert (unlimited[unlimited.kind == "self-hosted"].machines == 1).all()
    # the estimate is lesson 4's one serving speed for Qwen3-8B Q4_K_M (KV half full) at the planning utilisation
    from labs import sizing
    tps = sizing.serving_decode_tokens_per_s("Qwen3-8B", "Q4_K_M", "RTX 4090 24 GB")
    assert cap == pytest.approx(86_400 * costs.PLANNING_UTILISATION * tps / 200)
    assert wc.capacity_estimate(wc.BUY + "RTX 4090 24 GB (MSRP)") == pytest.approx(cap)
    assert wc.capacity_estimate(wc.RENT + "H100 SXM 80 GB — RunPod community cloud") > cap


def test_claude_thinking_is_opt_in_so_it_bills_no_hidden_tokens_by_default():
    """Issue 17: lesson 1 billed Claude Sonnet 4.5 1,024 thinking tokens; lesson 4 priced it without."""
    table = wc.scenario_table(("Claude Sonnet 4.5", "gpt-5-mini"), (), reasoning_tokens=1_024, scenarios={"x": 100_000})
    claude = table.set_index("option").loc["Claude Sonnet 4.5"]
    assert claude.usd_per_month == pytest.approx((500 * 3 + 200 * 15) / 1e6 * 100_000 * costs.DAYS_PER_MONTH, abs=0.01)
    assert claude.reasoning_tokens.startswith("0 (thinking is opt-in")
    assert table.set_index("option").loc["gpt-5-mini", "reasoning_tokens"] == 1_024
    price = costs.api_price("Claude Sonnet 4.5")
    assert price.reasoning and not price.thinks_by_default  # a learner may still enable it:
    on = costs.api_cost(price, requests_per_day=1, input_tokens=500, output_tokens=200, reasoning_tokens=1_024)
    assert on.billed_output_tokens == 1_224
    assert costs.api_price("gpt-5-mini").thinks_by_default and costs.api_price("Gemini 2.5 Pro").thinks_by_default


def test_cost_explorer_recomputes_when_a_control_changes():
    box = wc.cost_explorer(fixed_usd_per_month=0, capacity=0)
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


def test_the_explorer_starts_from_the_lessons_inputs():
    """Issue 17: the owned RTX 4090 was $177.27 in the lesson and $110.12 in the explorer; capacity was "no limit"."""
    box = wc.cost_explorer(option=wc.BUY + "RTX 4090 24 GB (MSRP)")
    lesson = costs.ownership_cost("RTX 4090 24 GB (MSRP)", electricity_usd_per_kwh=costs.EXAMPLE_ELECTRICITY_USD_PER_KWH,
                                  utilisation=costs.EXAMPLE_POWER_UTILISATION,
                                  fixed_usd_per_month=costs.EXAMPLE_FIXED_USD_PER_MONTH)
    assert box.state["selfhost"].monthly_usd == pytest.approx(lesson.monthly_usd)
    assert round(lesson.monthly_usd, 2) == 177.27
    assert box.controls["capacity"].value == round(wc.capacity_estimate(wc.BUY + "RTX 4090 24 GB (MSRP)"))
    assert box.state["break_even"].capacity_requests_per_day == box.controls["capacity"].value
    box.controls["option"].value = wc.RENT + "H100 SXM 80 GB — RunPod community cloud"  # the capacity follows the card
    assert box.controls["capacity"].value == round(wc.capacity_estimate(wc.RENT + "H100 SXM 80 GB — RunPod community cloud"))
    assert box.state["selfhost"].capacity_requests_per_day == box.controls["capacity"].value


def test_every_decision_form_label_is_shown_in_full_and_values_are_translated(monkeypatch):
    form = wc.decision_form()
    assert all(c.style.description_width == "initial" for c in form.controls.values())
    monkeypatch.setenv("LAB_LANG", "uk")
    uk = wc.decision_form()
    labels = [label for label, _ in uk.controls["data_sensitivity"].options]
    assert "public" not in labels and [v for _, v in uk.controls["data_sensitivity"].options] == ["public", "internal", "regulated"]
    assert uk.state["decision"].choice == "cloud"


def test_decision_form_passes_a_capacity_aware_break_even():
    api = costs.api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    be = costs.break_even(api, costs.rental_cost("RTX 4090 24 GB — RunPod community cloud").with_capacity(wc.capacity_estimate(RTX)))
    form = wc.decision_form(requests_per_day=50_000, break_even=be)
    assert form.state["decision"].choice == "cloud"
    # lesson 4's one speed (issue 17 r2 F8): one card fills up (~38,030/day) before the costs meet (41,846/day), so
    # the capacity-aware break-even is none and 42,000/day stays in the cloud; without the capacity it would not
    assert be.requests_per_day is None
    form.controls["requests_per_day"].value = 42_000
    assert form.state["decision"].choice == "cloud"
    uncapped = wc.decision_form(requests_per_day=42_000, break_even=costs.break_even(
        api, costs.rental_cost("RTX 4090 24 GB — RunPod community cloud")))
    assert uncapped.state["decision"].choice == "self-hosted"


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


def test_the_explorer_shows_labels_but_keeps_its_values_for_code(monkeypatch):
    """Issue 16: the dropdown and the table speak the learner's language; the values code selects on do not change."""
    from labs.display import for_reader, header

    for lang, rent, scenario in (("en", "rent: ", "large volume"), ("uk", "оренда: ", "великий обсяг")):
        monkeypatch.setenv("LAB_LANG", lang)
        box = wc.cost_explorer(option=RTX)
        labels = dict((value, label) for label, value in box.controls["option"].options)
        assert set(labels) == set(wc.selfhost_options()) and labels[RTX] == rent + RTX[len(wc.RENT):]
        box.controls["option"].value = wc.BUY + "RTX 4090 24 GB (MSRP)"  # code still sets the option by its key
        assert box.state["selfhost"].monthly_usd > 0
        table = wc.scenario_table(("gpt-4o",), (RTX,))
        assert set(table["scenario"]) == set(wc.SCENARIOS)  # the keys code selects on, in both editions
        shown = for_reader(table)
        shown = shown.data if hasattr(shown, "data") else shown  # a Styler (uk) holds the labelled frame
        # the headers read in the reader's language too (issue 16 r5 F4): find the columns by their shown names
        assert scenario in set(shown[header("scenario")]) and shown[header("module_says")].str.startswith("$").sum() >= 2
    plt.close("all")
