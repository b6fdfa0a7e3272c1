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
from labs.costs import ApiCost, BreakEven, SelfHostCost, api_cost, as_of_items, as_of_text, break_even
from labs.decide import QUALITY, SENSITIVITY, decide
from labs.display import CELL_LABELS, axis_money, money, show_table
from labs.i18n import messages, number, t

SCENARIOS = {"small volume": 1_000, "large volume": 100_000}
"""The two rows of the module's cost table, as requests per day. The module gives no numbers for
"small"; 1,000 a day is our choice. "Large" is its own threshold (over ~100K requests a day)."""


def module_claim(scenario: str, kind: str, lang: str | None = None) -> str:
    """What the module's cost table (section 29.1) says for a scenario of :data:`SCENARIOS` and a ``kind``
    (``"cloud"`` or ``"self-hosted"``): its own Ukrainian words in the Ukrainian edition, glossed in English
    in the English one (catalogue ``costs.table.module.*``); ``""`` for a scenario the module has no row for.

    >>> module_claim("large volume", "cloud", "uk"), module_claim("large volume", "cloud", "en")
    ('$1,000-10,000/міс', '$1,000-10,000/міс (month)')
    """
    key = f"costs.table.module.{scenario}/{kind}"
    return t(key, lang) if key in messages() else ""


def option_label(option: str, lang: str | None = None) -> str:
    """What the self-hosting dropdown shows for one of :func:`selfhost_options` (its value stays the key):
    ``"rent: RTX 4090 24 GB — RunPod community cloud"``, in Ukrainian «оренда: …»."""
    for prefix, key in ((RENT, "costs.widget.rent"), (BUY, "costs.widget.buy")):
        if option.startswith(prefix):
            # an offer's name is data ("p5 (per GPU)"); its one English qualifier reads in the reader's language
            return t(key, lang, name=option[len(prefix):].replace("(per GPU)", t("costs.widget.per_gpu", lang)))
    return option
RENT, BUY = "rent: ", "buy: "
ESTIMATE = "estimate"
"""``capacity=ESTIMATE``: each option gets :func:`capacity_estimate` (lesson 1's one capacity figure)."""
CAPACITY_MODEL = ("Qwen3-8B", "Q4_K_M")
"""The open model lesson 1 sizes one machine for (the module's model for small production, section 29.4)."""
CAPACITY_OUTPUT_TOKENS = 200
"""Output tokens per request in lesson 1's workload (500 in + 200 out)."""


def selfhost_options() -> list[str]:
    """Keys for the self-hosting dropdown: every rental offer and every card to buy."""
    return [RENT + k for k in costs.gpu_rentals()] + [BUY + k for k in costs.hardware_options()]


def option_card(option: str) -> str:
    """The card (a ``hardware.csv`` name) behind a dropdown entry: ``"RTX 4090 24 GB"``."""
    if option.startswith(RENT):
        return costs.gpu_rental(option[len(RENT):]).gpu
    if option.startswith(BUY):
        return costs.hardware(option[len(BUY):]).card
    raise ValueError(t("costs.error.option", rent=RENT, buy=BUY))


def capacity_estimate(option: str, *, output_tokens: float = CAPACITY_OUTPUT_TOKENS,
                      utilisation: float = costs.PLANNING_UTILISATION) -> float:
    """Requests a day one machine of a dropdown entry serves, the figure lesson 1 uses everywhere (its
    section 6 plot, section 7 table, section 8 explorer, section 11 decision): :data:`CAPACITY_MODEL`
    decoding one request at a time at :func:`labs.sizing.serving_decode_tokens_per_s` (memory bandwidth ×
    efficiency, KV cache of an 8K slot half full: the one speed lesson 4 quotes for the same card, so both
    lessons plan with one figure) for ``output_tokens`` per request, busy ``utilisation`` of the day
    (:data:`labs.costs.PLANNING_UTILISATION`). An estimate: measure your own machine (lesson 1, section 10).

    >>> round(capacity_estimate(RENT + "RTX 4090 24 GB — RunPod community cloud"))
    38030
    """
    from labs import sizing

    tps = sizing.serving_decode_tokens_per_s(*CAPACITY_MODEL, option_card(option))
    return costs.capacity_requests_per_day(tps, output_tokens, utilisation=utilisation)


def selfhost_cost(option: str, *, electricity_usd_per_kwh: float = costs.EXAMPLE_ELECTRICITY_USD_PER_KWH,
                  utilisation: float = costs.EXAMPLE_POWER_UTILISATION,
                  life_months: float = costs.DEFAULT_LIFE_MONTHS,
                  fixed_usd_per_month: float = costs.EXAMPLE_FIXED_USD_PER_MONTH,
                  gpus: int = 1) -> SelfHostCost:
    """The monthly cost of one dropdown entry. A rental is billed for the whole 730-hour month;
    ``electricity_usd_per_kwh``, ``utilisation`` and ``life_months`` apply to bought cards, the fixed cost
    to both. The defaults are lesson 1's example inputs (``labs.costs.EXAMPLE_*``: 0.20 USD/kWh, power 50%
    of the month, 100 USD/month fixed), the same in its tables and its explorer: use your own."""
    if option.startswith(RENT):
        return costs.rental_cost(option[len(RENT):], gpus=gpus, fixed_usd_per_month=fixed_usd_per_month)
    if option.startswith(BUY):
        return costs.ownership_cost(option[len(BUY):], electricity_usd_per_kwh=electricity_usd_per_kwh,
                                    utilisation=utilisation, life_months=life_months,
                                    fixed_usd_per_month=fixed_usd_per_month, gpus=gpus)
    raise ValueError(t("costs.error.option", rent=RENT, buy=BUY))


def plot_costs(api: ApiCost, selfhosts: SelfHostCost | Sequence[SelfHostCost],
               max_requests_per_day: float | None = None, ax=None):
    """Monthly cost (USD) against volume (requests/day) for the API and each self-hosted option,
    with every break-even marked and the price dates in the title, the legend under the axes (never over
    the data, in either language). Returns the matplotlib Figure.

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
                 + textwrap.fill(as_of_text(api, *hosts), 85), fontsize=9)  # 85: two plots side by side never meet
    ax.set_xlabel(t("costs.plot.xlabel"))
    ax.set_ylabel(t("costs.plot.ylabel"))
    ax.xaxis.set_major_formatter(lambda x, _: number(x))
    ax.yaxis.set_major_formatter(lambda y, _: axis_money(y))  # cents when the bill is small: "$0,50", not "$0"
    ax.set_xlim(0, max_requests_per_day)
    ax.set_ylim(bottom=0)
    # below the axes, labels wrapped: a long (Ukrainian) label never covers the lines or a neighbouring plot
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [textwrap.fill(label, 75) for label in labels], fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.14), ncol=1, frameon=False)
    ax.grid(alpha=0.3)
    ax.figure.tight_layout()
    return ax.figure


def scenario_table(api_models: Iterable[str] = ("gpt-4o-mini", "gpt-4o"),
                   selfhost: Iterable[str] = (RENT + "RTX 4090 24 GB — RunPod community cloud",
                                              BUY + "RTX 4090 24 GB (MSRP)",
                                              RENT + "H100 SXM 80 GB — RunPod community cloud"),
                   *, input_tokens: float = 500, output_tokens: float = 200, reasoning_tokens: float = 0,
                   scenarios: dict[str, float] | None = None, capacity: float | str | None = ESTIMATE,
                   **selfhost_kwargs):
    """The module's table "cost at small and large volume", computed: one row per scenario and option,
    with the module's claim next to the number and the date of the price used. ``reasoning_tokens``
    (hidden, per request) are billed as output to the models that think by default among ``api_models``
    (``ApiPrice.thinks_by_default``, :data:`labs.costs.REASONING_BILLING`); the others get 0 and the column
    says why (not a reasoning model, or thinking is opt-in). ``capacity`` (requests/day one machine serves)
    adds machines where a volume needs them: :data:`ESTIMATE` (the default) gives each option
    :func:`capacity_estimate`, a number gives every option that capacity, ``None`` assumes one machine
    serves any volume. ``machines`` and ``capacity_per_machine`` say what was assumed.
    ``selfhost_kwargs`` go to :func:`selfhost_cost` (electricity price, utilisation, fixed cost: lesson 1's
    example inputs by default). A fixed monthly cost is named in the ``option`` column, so a rental with it
    is not mistaken for the bare rental (issue 17); show the table with :func:`labs.display.show_table`
    so the label is not cut. The ``scenario`` column keeps the keys of ``scenarios`` for code to select on;
    :func:`labs.display.show_table` shows their names in the learner's language (``table.attrs``)."""
    import pandas as pd

    rows = []
    for scenario, volume in (scenarios or SCENARIOS).items():
        claim = {kind: module_claim(scenario, kind) for kind in ("cloud", "self-hosted")}
        for model in api_models:
            price = costs.api_price(model)
            thinks = price.thinks_by_default
            c = api_cost(model, requests_per_day=volume, input_tokens=input_tokens, output_tokens=output_tokens,
                         reasoning_tokens=reasoning_tokens if thinks else 0)
            why_none = t("costs.table.thinking_opt_in") if price.reasoning else t("costs.table.not_reasoning")
            rows.append({"scenario": scenario, "requests_per_day": volume, "kind": "cloud", "option": model,
                         "reasoning_tokens": round(c.reasoning_tokens) if thinks else why_none,  # a count: no decimals
                         "machines": "", "capacity_per_machine": "",
                         "usd_per_month": round(c.monthly_usd, 2), "module_says": claim.get("cloud", ""),
                         "prices_as_of": as_of_items(c.as_of)})
        for option in selfhost:
            h = selfhost_cost(option, **selfhost_kwargs)
            cap = capacity_estimate(option, output_tokens=output_tokens) if capacity == ESTIMATE else capacity
            if cap:
                h = h.with_capacity(cap)
            fixed = h.breakdown.get("fixed", 0.0)
            label = h.label + (t("costs.table.fixed", fixed=money(fixed)) if fixed else "")
            rows.append({"scenario": scenario, "requests_per_day": volume, "kind": "self-hosted",
                         "reasoning_tokens": "", "option": label, "machines": h.machines_for(volume),
                         "capacity_per_machine": round(cap) if cap else "",
                         "usd_per_month": round(h.monthly_at(volume), 2), "module_says": claim.get("self-hosted", ""),
                         "prices_as_of": as_of_items(h.as_of)})
    table = pd.DataFrame(rows)
    names = {s: t(f"costs.table.scenario.{s}") for s in (scenarios or SCENARIOS) if f"costs.table.scenario.{s}" in messages()}
    kinds = {kind: t(f"costs.table.kind.{kind}") for kind in ("cloud", "self-hosted")}  # "cloud API" to a Ukrainian reader
    table.attrs[CELL_LABELS] = {"scenario": names, "kind": kinds}
    return table


def break_even_text(even: BreakEven) -> str:
    """One line for a widget: the solved break-even, or why there is none, with the price dates."""
    return str(even)


def cost_explorer(api_model: str = "gpt-4o-mini", option: str = RENT + "RTX 4090 24 GB — RunPod community cloud",
                  requests_per_day: int = 10_000, input_tokens: int = 500, output_tokens: int = 200,
                  capacity: int | None = None, reasoning_tokens: int = 0,
                  utilisation: float = costs.EXAMPLE_POWER_UTILISATION,
                  electricity_usd_per_kwh: float = costs.EXAMPLE_ELECTRICITY_USD_PER_KWH,
                  fixed_usd_per_month: float = costs.EXAMPLE_FIXED_USD_PER_MONTH):
    """Sliders and dropdowns that redraw the cost plot, the break-even and the scenario table.

    Starts from lesson 1's inputs: the example utilisation, electricity price and fixed cost
    (``labs.costs.EXAMPLE_*``, as in its sections 4 and 7) and, unless ``capacity`` is given (0 = no limit),
    :func:`capacity_estimate` of the option, which follows the option when it changes.
    Returns the widget box: ``box.controls`` maps names to the controls, ``box.state`` holds the
    latest ``api``, ``selfhost``, ``break_even`` and ``table`` (or ``error``), ``box.redraw()`` redraws.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    style = {"description_width": "initial"}  # every label in full ("capacity (requests/day/machine, ...)" was cut off)
    layout = w.Layout(width="720px")
    controls = {
        "api_model": w.Dropdown(options=list(costs.api_prices()), value=api_model, description=t("costs.widget.api_model"),
                                style=style, layout=layout),
        "option": w.Dropdown(options=[(option_label(o), o) for o in selfhost_options()], value=option,
                             description=t("costs.widget.option"),
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
        "utilisation": w.FloatSlider(value=utilisation, min=0.05, max=1.0, step=0.05,
                                     description=t("costs.widget.utilisation"), style=style, layout=layout),
        "electricity": w.FloatSlider(value=electricity_usd_per_kwh, min=0.01, max=1.0, step=0.01,
                                     description=t("costs.widget.electricity"), style=style, layout=layout),
        "fixed": w.FloatSlider(value=fixed_usd_per_month, min=0.0, max=5_000, step=50, description=t("costs.widget.fixed"),
                               style=style, layout=layout),
        "capacity": w.IntText(value=round(capacity_estimate(option, output_tokens=output_tokens))
                              if capacity is None else capacity,
                              description=t("costs.widget.capacity"), style=style, layout=layout),
    }
    out = w.Output()
    state: dict = {}

    def follow_option(change) -> None:  # a new card: its own capacity estimate (the learner may type another)
        controls["capacity"].value = round(capacity_estimate(change["new"], output_tokens=controls["output_tokens"].value))

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
            estimate = round(capacity_estimate(v["option"], output_tokens=v["output_tokens"]))
            if v["capacity"] == estimate:
                print(t("costs.widget.capacity_note", capacity=estimate, model=CAPACITY_MODEL[0], quant=CAPACITY_MODEL[1],
                        tokens=v["output_tokens"], utilisation=costs.PLANNING_UTILISATION))
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
            show_table(state["table"])

    controls["option"].observe(follow_option, names="value")  # first, so the redraw sees the new capacity
    for c in controls.values():
        c.observe(redraw, names="value")
    box = w.VBox([_read_out(c) for c in controls.values()] + [out])
    box.redraw = redraw  # so a notebook (or a test) can redraw on demand
    box.controls = controls
    box.state = state
    redraw()
    return box


def slider_readout(value: float, decimals: int, lang: str | None = None) -> str:
    """A slider's value as the explorer shows it beside the slider, in the reader's typography: ipywidgets' own
    readout (a d3 format) has no locale, so a Ukrainian slider read "0.20" and "10000" (issue 16 r5 F5).

    >>> slider_readout(10_000, 0, "uk"), slider_readout(0.2, 2, "uk"), slider_readout(0.2, 2, "en")
    ('10\xa0000', '0,20', '0.20')
    """
    return number(value, decimals, lang)


def _read_out(control):
    """``control`` with its value shown by :func:`slider_readout` beside it, if it is a slider; else ``control``."""
    import ipywidgets as w

    if not isinstance(control, (w.IntSlider, w.FloatSlider)):
        return control
    decimals = 0 if isinstance(control, w.IntSlider) else 2
    control.readout = False
    label = w.Label(slider_readout(control.value, decimals))
    control.observe(lambda change: setattr(label, "value", slider_readout(change["new"], decimals)), names="value")
    control.readout_label = label  # for a test: what the learner reads beside the slider
    return w.HBox([control, label])


def decision_form(requests_per_day: int = 1_000, break_even: BreakEven | float | None = None):
    """A form driving :func:`labs.decide.decide`; the recommendation and reasons appear below it.
    ``break_even`` (e.g. one solved with lesson 1's capacity) goes to every decision.

    ``box.controls`` maps names to the controls; ``box.state["decision"]`` is the latest result."""
    import ipywidgets as w

    style = {"description_width": "initial"}  # every label in full ("latency need (ms, 0 = none)" was cut off)
    layout = w.Layout(width="480px")
    sensitivity = [(t(f"decide.widget.sensitivity.{s}"), s) for s in SENSITIVITY]
    quality = [(t(f"decide.widget.quality.{q}"), q) for q in QUALITY]
    controls = {
        "data_sensitivity": w.Dropdown(options=sensitivity, value="public", description=t("decide.widget.data_sensitivity"),
                                       style=style, layout=layout),
        "requests_per_day": w.IntText(value=requests_per_day, description=t("decide.widget.requests_per_day"),
                                      style=style, layout=layout),
        "latency_ms": w.IntText(value=0, description=t("decide.widget.latency_ms"), style=style, layout=layout),
        "offline": w.Checkbox(value=False, description=t("decide.widget.offline"), style=style, layout=layout),
        "quality": w.Dropdown(options=quality, value="good", description=t("decide.widget.quality"), style=style,
                              layout=layout),
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
                state["decision"] = decide(**v, break_even=break_even)
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
