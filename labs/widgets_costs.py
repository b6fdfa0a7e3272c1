"""Plots, tables and widgets for lesson 1's cost comparison and decision helper.

Everything is built by a function (nothing happens at import time): :func:`plot_costs` draws both
monthly-cost curves and the break-even point, :func:`scenario_table` fills the module's table
(small and large volume) with computed numbers, :func:`cost_explorer` and :func:`decision_form`
return ipywidgets that redraw them. The numbers all come from :mod:`labs.costs` and :mod:`labs.decide`.
"""

from __future__ import annotations

import textwrap
from typing import Iterable, Sequence

from labs import costs
from labs.costs import ApiCost, BreakEven, SelfHostCost, api_cost, as_of_text, break_even
from labs.decide import QUALITY, SENSITIVITY, decide
from labs.display import money
from labs.i18n import t

SCENARIOS = {"small volume": 1_000, "large volume": 100_000}
"""The two rows of the module's cost table, as requests per day. The module gives no numbers for
"small"; 1,000 a day is our choice. "Large" is its own threshold (over ~100K requests a day)."""
MODULE_CLAIMS = {
    "small volume": {"cloud": "$10-100/міс (month)", "self-hosted": "$0 (CPU) або (or) $500+ (GPU)"},
    "large volume": {"cloud": "$1,000-10,000/міс (month)", "self-hosted": "Фіксована (fixed: hardware)"},
}
"""What the module's table says for each scenario (Ukrainian, with translation)."""
RENT, BUY = "rent: ", "buy: "


def selfhost_options() -> list[str]:
    """Keys for the self-hosting dropdown: every rental offer and every card to buy."""
    return [RENT + k for k in costs.gpu_rentals()] + [BUY + k for k in costs.hardware_options()]


def selfhost_cost(option: str, *, electricity_usd_per_kwh: float = costs.EXAMPLE_ELECTRICITY_USD_PER_KWH,
                  utilisation: float = 1.0,
                  life_months: float = costs.DEFAULT_LIFE_MONTHS, fixed_usd_per_month: float = 0.0,
                  gpus: int = 1) -> SelfHostCost:
    """The monthly cost of one dropdown entry. A rental is billed for the whole 730-hour month;
    ``electricity_usd_per_kwh``, ``utilisation`` and ``life_months`` apply to bought cards. The
    default electricity price (0.20 USD/kWh) is an example input, not a dated figure: use your own."""
    if option.startswith(RENT):
        return costs.rental_cost(option[len(RENT):], gpus=gpus, fixed_usd_per_month=fixed_usd_per_month)
    if option.startswith(BUY):
        return costs.ownership_cost(option[len(BUY):], electricity_usd_per_kwh=electricity_usd_per_kwh,
                                    utilisation=utilisation, life_months=life_months,
                                    fixed_usd_per_month=fixed_usd_per_month, gpus=gpus)
    raise ValueError(f"option must start with {RENT!r} or {BUY!r}; choose one of selfhost_options().")


def plot_costs(api: ApiCost, selfhosts: SelfHostCost | Sequence[SelfHostCost],
               max_requests_per_day: float | None = None, ax=None):
    """Monthly cost (USD) against volume (requests/day) for the API and each self-hosted option,
    with every break-even marked and the price dates in the title. Returns the matplotlib Figure.

    A self-hosted option with a capacity (``SelfHostCost.with_capacity``) is drawn as steps, one per added
    machine, and its label gives one machine's capacity; one without says that its line assumes one machine
    serves any volume (issue 17: a flat line past a machine's capacity misleads)."""
    import matplotlib.pyplot as plt
    import numpy as np

    hosts = [selfhosts] if isinstance(selfhosts, SelfHostCost) else list(selfhosts)
    evens = [break_even(api, h) for h in hosts]
    if max_requests_per_day is None:
        found = [b.requests_per_day for b in evens if b.exists]
        max_requests_per_day = 2 * max(found + [api.requests_per_day])
    volumes = np.linspace(0, max_requests_per_day, 400)
    for host in hosts:  # each step exactly where one more machine is needed
        cap = host.capacity_requests_per_day
        if cap:
            edges = np.arange(cap, max_requests_per_day, cap)
            volumes = np.union1d(volumes, np.concatenate([edges, edges * (1 + 1e-9)]))
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    ax.plot(volumes, [api.monthly_at(v) for v in volumes], label=t("costs.plot.cloud", label=api.label), lw=2)
    for host, even in zip(hosts, evens):
        cap = host.capacity_requests_per_day
        limit = t("costs.plot.one_machine", capacity=cap) if cap else t("costs.plot.no_capacity")
        name = t("costs.plot.selfhosted", label=host.label, limit=limit)
        (line,) = ax.plot(volumes, [host.monthly_at(v) for v in volumes], label=name, lw=2)
        if even.exists and even.requests_per_day <= max_requests_per_day:
            ax.plot([even.requests_per_day], [even.monthly_usd], "o", color=line.get_color(), ms=9,
                    label=t("costs.plot.break_even", requests=even.requests_per_day))
            ax.axvline(even.requests_per_day, color=line.get_color(), ls=":", lw=1)
        elif not even.exists:
            line.set_label(name + t("costs.plot.no_break_even"))
    thinking = t("costs.plot.reasoning", tokens=api.reasoning_tokens) if api.reasoning_tokens else ""
    ax.set_title(t("costs.plot.title", input=api.input_tokens, output=api.output_tokens, reasoning=thinking) + "\n"
                 + textwrap.fill(as_of_text(api, *hosts), 110), fontsize=9)
    ax.set_xlabel(t("costs.plot.xlabel"))
    ax.set_ylabel(t("costs.plot.ylabel"))
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.yaxis.set_major_formatter(lambda y, _: f"${y:,.0f}")
    ax.set_xlim(0, max_requests_per_day)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    ax.figure.tight_layout()
    return ax.figure


def scenario_table(api_models: Iterable[str] = ("gpt-4o-mini", "gpt-4o"),
                   selfhost: Iterable[str] = (RENT + "RTX 4090 24 GB — RunPod community cloud",
                                              BUY + "RTX 4090 24 GB (MSRP)",
                                              RENT + "H100 SXM 80 GB — RunPod community cloud"),
                   *, input_tokens: float = 500, output_tokens: float = 200, reasoning_tokens: float = 0,
                   scenarios: dict[str, float] | None = None, capacity: float | None = None, **selfhost_kwargs):
    """The module's table "cost at small and large volume", computed: one row per scenario and option,
    with the module's claim next to the number and the date of the price used. ``reasoning_tokens``
    (hidden, per request) are billed as output to the reasoning models among ``api_models``
    (:data:`labs.costs.REASONING_BILLING`); other models get 0 and the column says so. ``capacity``
    (requests/day one machine serves) adds machines where a volume needs them; ``selfhost_kwargs``
    go to :func:`selfhost_cost` (electricity price, utilisation, ...). A fixed monthly cost is named in
    the ``option`` column, so a rental with it is not mistaken for the bare rental (issue 17)."""
    import pandas as pd

    rows = []
    for scenario, volume in (scenarios or SCENARIOS).items():
        claim = MODULE_CLAIMS.get(scenario, {})
        for model in api_models:
            thinks = costs.api_price(model).reasoning
            c = api_cost(model, requests_per_day=volume, input_tokens=input_tokens, output_tokens=output_tokens,
                         reasoning_tokens=reasoning_tokens if thinks else 0)
            rows.append({"scenario": scenario, "requests_per_day": volume, "kind": "cloud", "option": model,
                         "reasoning_tokens": c.reasoning_tokens if thinks else "n/a (not a reasoning model)",
                         "usd_per_month": round(c.monthly_usd, 2), "module_says": claim.get("cloud", ""),
                         "prices_as_of": "; ".join(f"{k} {v}" for k, v in c.as_of.items())})
        for option in selfhost:
            h = selfhost_cost(option, **selfhost_kwargs)
            if capacity:
                h = h.with_capacity(capacity)
            fixed = h.breakdown.get("fixed", 0.0)
            label = h.label + (f" + {money(fixed)}/month fixed (your input)" if fixed else "")
            rows.append({"scenario": scenario, "requests_per_day": volume, "kind": "self-hosted",
                         "reasoning_tokens": "", "option": label + (f" ×{h.machines_for(volume)}" if h.machines_for(volume) > 1 else ""),
                         "usd_per_month": round(h.monthly_at(volume), 2), "module_says": claim.get("self-hosted", ""),
                         "prices_as_of": "; ".join(f"{k} {v}" for k, v in h.as_of.items())})
    return pd.DataFrame(rows)


def break_even_text(even: BreakEven) -> str:
    """One line for a widget: the solved break-even, or why there is none, with the price dates."""
    return str(even)


def cost_explorer(api_model: str = "gpt-4o-mini", option: str = RENT + "RTX 4090 24 GB — RunPod community cloud",
                  requests_per_day: int = 10_000, input_tokens: int = 500, output_tokens: int = 200,
                  capacity: int = 0, reasoning_tokens: int = 0):
    """Sliders and dropdowns that redraw the cost plot, the break-even and the scenario table.

    Returns the widget box: ``box.controls`` maps names to the controls, ``box.state`` holds the
    latest ``api``, ``selfhost``, ``break_even`` and ``table`` (or ``error``), ``box.redraw()`` redraws.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    style = {"description_width": "initial"}  # every label in full ("capacity (requests/day/machine, ...)" was cut off)
    layout = w.Layout(width="720px")
    controls = {
        "api_model": w.Dropdown(options=list(costs.api_prices()), value=api_model, description=t("costs.widget.api_model"),
                                style=style, layout=layout),
        "option": w.Dropdown(options=selfhost_options(), value=option, description=t("costs.widget.option"),
                             style=style, layout=layout),
        "requests_per_day": w.IntSlider(value=requests_per_day, min=100, max=500_000, step=100,
                                        description=t("costs.widget.volume"), style=style, layout=layout),
        "input_tokens": w.IntSlider(value=input_tokens, min=10, max=8_000, step=10,
                                    description=t("costs.widget.input_tokens"), style=style, layout=layout),
        "output_tokens": w.IntSlider(value=output_tokens, min=10, max=4_000, step=10,
                                     description=t("costs.widget.output_tokens"), style=style, layout=layout),
        "reasoning_tokens": w.IntSlider(value=reasoning_tokens, min=0, max=16_000, step=64,
                                        description=t("costs.widget.reasoning_tokens"),
                                        style=style, layout=layout),
        "utilisation": w.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description=t("costs.widget.utilisation"),
                                     style=style, layout=layout),
        "electricity": w.FloatSlider(value=costs.EXAMPLE_ELECTRICITY_USD_PER_KWH, min=0.01, max=1.0, step=0.01,
                                     description=t("costs.widget.electricity"), style=style, layout=layout),
        "fixed": w.FloatSlider(value=0.0, min=0.0, max=5_000, step=50, description=t("costs.widget.fixed"),
                               style=style, layout=layout),
        "capacity": w.IntText(value=capacity, description=t("costs.widget.capacity"),
                              style=style, layout=layout),
    }
    out = w.Output()
    state: dict = {}

    def redraw(_change=None) -> None:
        v = {k: c.value for k, c in controls.items()}
        state.clear()
        with out:
            out.clear_output(wait=True)
            try:
                api = api_cost(v["api_model"], requests_per_day=v["requests_per_day"],
                               input_tokens=v["input_tokens"], output_tokens=v["output_tokens"],
                               reasoning_tokens=v["reasoning_tokens"])
                host = selfhost_cost(v["option"], electricity_usd_per_kwh=v["electricity"],
                                     utilisation=v["utilisation"], fixed_usd_per_month=v["fixed"])
                if v["capacity"]:
                    host = host.with_capacity(v["capacity"])
            except ValueError as exc:
                state["error"] = str(exc)
                print(f"⚠️ {exc}")
                return
            even = break_even(api, host)
            state.update(api=api, selfhost=host, break_even=even)
            print(t("costs.widget.at_volume", volume=v["requests_per_day"], api=money(api.monthly_usd),
                    selfhosted=money(host.monthly_at(v["requests_per_day"]))))
            if v["reasoning_tokens"]:
                print(t("costs.widget.reasoning_note", tokens=v["reasoning_tokens"], billing=costs.REASONING_BILLING))
            print(break_even_text(even))
            fig = plot_costs(api, host, max_requests_per_day=max(2 * v["requests_per_day"],
                                                                 2 * (even.requests_per_day or 0)))
            plt.show()
            plt.close(fig)
            state["table"] = scenario_table((v["api_model"],), (v["option"],), input_tokens=v["input_tokens"],
                                            output_tokens=v["output_tokens"], reasoning_tokens=v["reasoning_tokens"],
                                            electricity_usd_per_kwh=v["electricity"],
                                            utilisation=v["utilisation"], fixed_usd_per_month=v["fixed"],
                                            capacity=v["capacity"] or None)
            display(state["table"])

    for c in controls.values():
        c.observe(redraw, names="value")
    box = w.VBox([*controls.values(), out])
    box.redraw = redraw  # so a notebook (or a test) can redraw on demand
    box.controls = controls
    box.state = state
    redraw()
    return box


def decision_form(requests_per_day: int = 1_000):
    """A form driving :func:`labs.decide.decide`; the recommendation and reasons appear below it.

    ``box.controls`` maps names to the controls; ``box.state["decision"]`` is the latest result."""
    import ipywidgets as w

    style = {"description_width": "160px"}
    controls = {
        "data_sensitivity": w.Dropdown(options=SENSITIVITY, value="public", description=t("decide.widget.data_sensitivity"), style=style),
        "requests_per_day": w.IntText(value=requests_per_day, description=t("decide.widget.requests_per_day"), style=style),
        "latency_ms": w.IntText(value=0, description=t("decide.widget.latency_ms"), style=style),
        "offline": w.Checkbox(value=False, description=t("decide.widget.offline")),
        "quality": w.Dropdown(options=QUALITY, value="good", description=t("decide.widget.quality"), style=style),
    }
    out = w.Output()
    state: dict = {}

    def redraw(_change=None) -> None:
        v = {k: c.value for k, c in controls.items()}
        v["latency_ms"] = v["latency_ms"] or None
        state.clear()
        with out:
            out.clear_output(wait=True)
            try:
                state["decision"] = decide(**v)
                print(state["decision"])
            except ValueError as exc:
                state["error"] = str(exc)
                print(f"⚠️ {exc}")

    for c in controls.values():
        c.observe(redraw, names="value")
    box = w.VBox([*controls.values(), out])
    box.redraw = redraw
    box.controls = controls
    box.state = state
    redraw()
    return box
