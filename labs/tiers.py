"""Hardware tiers: does the model fit, how fast would it answer, what does a month cost
(lesson 4: the module's hardware table and its check-yourself question "Скільки коштує GPU сервер
на місяць порівняно з API?" — how much does a GPU server cost per month compared with an API?).

Memory and speed come from :mod:`labs.sizing` (published architecture numbers, memory-bandwidth
bound × efficiency: estimates, not measurements — no GPU is available in the lab). Money comes from
lesson 1's cost model, :mod:`labs.costs`, with its dated price data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from labs import costs, sizing
from labs.inputs import number, whole


@dataclass(frozen=True)
class Tier:
    name: str
    hardware: str  # a labs.sizing hardware_catalogue() name
    count: int
    model: str  # a labs.sizing reference architecture
    quant: str
    rent_offer: str | None  # a labs.costs gpu_rentals() key (price per GPU-hour)
    buy_card: str | None  # a labs.costs hardware_options() key (purchase price, watts)

    @property
    def label(self) -> str:
        """The tier's name as a learner of ``LAB_LANG`` reads it (``name`` stays the code's key)."""
        from labs.i18n import t

        return t(f"tiers.name.{self.name}")

    @property
    def machine(self) -> str:
        """One machine of the tier, ``"4× A100 80 GB"``: the ``hardware`` value of :func:`tier_row` (code keys on it)."""
        return f"{self.count}× {self.hardware}"

    @property
    def machine_label(self) -> str:
        """:attr:`machine` as a learner of ``LAB_LANG`` reads it (:func:`labs.hardware.label`: «1× CPU DDR5-5600, два
        канали (8 GB)»), for tables, plot labels and printed lines."""
        from labs.hardware import label

        return f"{self.count}× {label(self.hardware)}"


#: The module's four tiers (section 29.4), with the price rows lesson 1's data has for their cards.
MODULE_TIERS = (
    Tier("prototype", "CPU DDR5-5600 dual channel (8 GB)", 1, "Llama-3.2-3B", "Q4_K_M", None, None),
    Tier("small production", "RTX 4090 24 GB", 1, "Qwen3-8B", "Q4_K_M",
         "RTX 4090 24 GB — RunPod community cloud", "RTX 4090 24 GB (MSRP)"),
    Tier("medium production", "A100 80 GB", 1, "Llama-4-Scout-17B-16E", "Q4_K_M",
         "A100 80 GB — RunPod PCIe community cloud", "A100 80 GB (used, low end)"),
    Tier("enterprise", "A100 80 GB", 4, "Qwen3-235B-A22B", "Q4_K_M",
         "A100 80 GB — RunPod PCIe community cloud", "A100 80 GB (used, low end)"),
)

#: Single-GPU options for one model, for "pick the cheapest tier that meets a latency target".
GPU_OPTIONS = (
    ("L4 24 GB", "L4 24 GB — various on-demand"),
    ("RTX 4090 24 GB", "RTX 4090 24 GB — RunPod community cloud"),
    ("A100 80 GB", "A100 80 GB — RunPod PCIe community cloud"),
    ("H100 SXM 80 GB", "H100 SXM 80 GB — RunPod community cloud"),
)


def estimate_latency_s(model: str, quant: str, hardware: str, output_tokens: int, *, count: int = 1,
                       prompt_tokens: int = 0) -> float:
    """Seconds to generate ``output_tokens`` for one request: tokens ÷ estimated decode speed
    (at the KV cache filled halfway through the answer). Prefill is left out: it is compute-bound and
    usually a small share on a GPU; add it from a measured prefill speed when you have one."""
    whole("output_tokens", output_tokens)
    tps = sizing.decode_tokens_per_s(model, quant, hardware, count=count,
                                     context_filled=prompt_tokens + output_tokens // 2)
    return output_tokens / tps


def machine_capacity(tier: Tier, output_tokens: int, *, streams: int = 1,
                     context: int = 8192) -> tuple[float, float]:
    """One machine of a tier: (estimated decode tokens/s of one stream, requests/day it serves).

    The one capacity rule of lesson 4: ``streams`` generations at the single-stream speed of
    :func:`labs.sizing.serving_decode_tokens_per_s` (slots of ``context`` tokens, KV cache half full: the
    speed the sizing table shows for the same card), busy :data:`labs.costs.PLANNING_UTILISATION` of the
    day. 1 stream is the cautious figure for Ollama (published benchmarks show it barely gains from
    concurrency); a continuous-batching engine such as vLLM serves many more (lesson 4, "parallel slots
    and batching").
    """
    whole("output_tokens", output_tokens)
    tps = sizing.serving_decode_tokens_per_s(tier.model, tier.quant, tier.hardware, count=tier.count,
                                             context=context)
    return tps, costs.capacity_requests_per_day(tps, output_tokens, parallel=streams,
                                                utilisation=costs.PLANNING_UTILISATION)


def tier_break_even(tier: Tier, api: costs.ApiCost, *, output_tokens: int, streams: int = 1,
                    context: int = 8192) -> costs.BreakEven:
    """Where renting this tier costs what ``api`` costs, with the tier's capacity attached: ``None``
    (and a reason) when the costs would meet beyond what one machine serves (lesson 1's rule)."""
    if not tier.rent_offer:
        from labs.i18n import t

        raise ValueError(t("tiers.error.no_offer", tier=tier.name))
    _, per_machine = machine_capacity(tier, output_tokens, streams=streams, context=context)
    rent = costs.rental_cost(tier.rent_offer, gpus=tier.count).with_capacity(per_machine)
    return costs.break_even(api, rent)


def tier_row(tier: Tier, *, context: int, parallel: int, output_tokens: int, requests_per_day: float,
             electricity_usd_per_kwh: float = costs.EXAMPLE_ELECTRICITY_USD_PER_KWH,
             power_utilisation: float = costs.EXAMPLE_POWER_UTILISATION,
             fixed_usd_per_month: float = costs.EXAMPLE_FIXED_USD_PER_MONTH) -> dict:
    """One tier: memory fit, estimated speed, machines for the volume, rent and own per month.

    One slot count for both halves (``slots`` column): memory holds ``parallel`` slots of ``context`` tokens,
    and capacity is :func:`machine_capacity` with ``parallel`` streams at the same context. Buying counts what
    lesson 1 counts (36-month amortisation,
    power at ``power_utilisation`` of the month, and ``fixed_usd_per_month`` for the rest of the server
    and hosting, per machine); renting counts the rental only, as lesson 1 does.
    """
    est = sizing.estimate_memory(tier.model, tier.quant, context, parallel)
    usable = sizing.usable_gib(tier.hardware, tier.count)
    tps, per_machine = machine_capacity(tier, output_tokens, streams=parallel, context=context)
    row = {"tier": tier.name, "hardware": tier.machine, "model": f"{tier.model} {tier.quant}",
           "slots": parallel, "need_gib": round(est.total_gib, 1), "usable_gib": usable, "fits": est.total_gib <= usable,
           "decode_tokens_per_s_est": round(tps, 1), "requests_per_day_per_machine_est": round(per_machine),
           "rent_usd_month": math.nan, "own_usd_month": math.nan, "as_of": ""}
    if tier.rent_offer:
        rent = costs.rental_cost(tier.rent_offer, gpus=tier.count).with_capacity(per_machine)
        row["machines"] = rent.machines_for(requests_per_day)
        row["rent_usd_month"] = round(rent.monthly_at(requests_per_day), 2)
        row["as_of"] = costs.as_of_text(rent)
    if tier.buy_card:
        own = costs.ownership_cost(tier.buy_card, electricity_usd_per_kwh=electricity_usd_per_kwh,
                                   utilisation=power_utilisation, fixed_usd_per_month=fixed_usd_per_month,
                                   gpus=tier.count).with_capacity(per_machine)
        row["own_usd_month"] = round(own.monthly_at(requests_per_day), 2)
        row["as_of"] = costs.as_of_text(own, *([rent] if tier.rent_offer else []))
    row.setdefault("machines", math.ceil(requests_per_day / per_machine))
    return row


def tier_table(*, requests_per_day: float, output_tokens: int, context: int = 8192, parallel: int = 1,
               tiers: tuple[Tier, ...] = MODULE_TIERS, **inputs):
    """The module's tiers as a pandas table for one workload, ``parallel`` slots per machine for memory and
    capacity alike (``inputs``: :func:`tier_row`'s cost inputs). The ``tier`` column holds each tier's ``name``
    (code keys on it); :func:`labs.display.show_table` shows its ``label`` in the learner's language."""
    import pandas as pd

    from labs.display import CELL_LABELS

    frame = pd.DataFrame([tier_row(t, context=context, parallel=parallel, output_tokens=output_tokens,
                                   requests_per_day=requests_per_day, **inputs) for t in tiers])
    frame.attrs[CELL_LABELS] = {"tier": {t.name: t.label for t in tiers},
                                "hardware": {t.machine: t.machine_label for t in tiers}}
    return frame


def gpu_options(model: str, quant: str, *, context: int, parallel: int, output_tokens: int,
                latency_target_s: float, options=GPU_OPTIONS) -> list[dict]:
    """Single-GPU options for one model: fits? estimated latency, meets the target? rent per month. ``hardware`` is
    the card's ``hardware.csv`` name (the answer lesson 4's exercise 2 keys on); a table of these rows shows it
    through :func:`labs.display.show_table`, which names a machine as :func:`labs.hardware.label` does."""
    latency_target_s = number("latency_target_s", latency_target_s, "seconds")
    need = sizing.estimate_memory(model, quant, context, parallel).total_gib
    rows = []
    for hardware, offer in options:
        fits = need <= sizing.usable_gib(hardware)
        latency = estimate_latency_s(model, quant, hardware, output_tokens)
        rent = costs.rental_cost(offer)
        rows.append({"hardware": hardware, "fits": fits, "latency_s_est": round(latency, 2),
                     "meets_target": fits and latency <= latency_target_s,
                     "rent_usd_month": round(rent.monthly_usd, 2), "as_of": costs.as_of_text(rent)})
    return rows


def cheapest_meeting(rows: list[dict]) -> str | None:
    """The cheapest option whose ``meets_target`` is true (None when none does).

    >>> cheapest_meeting([{"hardware": "a", "meets_target": True, "rent_usd_month": 900},
    ...                   {"hardware": "b", "meets_target": True, "rent_usd_month": 300},
    ...                   {"hardware": "c", "meets_target": False, "rent_usd_month": 100}])
    'b'
    """
    good = [r for r in rows if r["meets_target"]]
    return min(good, key=lambda r: r["rent_usd_month"])["hardware"] if good else None


def api_vs_rent(api_monthly: dict[str, float], frame) -> list[str]:
    """One line per API (in ``LAB_LANG``): its monthly bill (USD) beside the cheapest rented tier of ``frame``
    (a :func:`tier_table`), and which is less — the comparison lesson 4 states from the computed figures."""
    from labs.i18n import t

    rent = float(frame["rent_usd_month"].min())
    return [t("lesson4.tiers.api_below" if usd < rent else "lesson4.tiers.api_above", model=name, api=usd, rent=rent)
            for name, usd in api_monthly.items()]


def plot_tier_costs(frame, api_monthly: dict[str, float], title: str, ax=None):
    """Monthly cost per tier (rent and buy) as bars, each API's cost for the same workload as a line; every
    label in ``LAB_LANG`` (tier names from ``frame.attrs`` as :func:`tier_table` sets them), the legend outside
    the bars. Each bar is the cost of all the machines the volume needs (the ``machines`` column): its label
    says how many. Amounts under $10 keep their cents (at 1 request/day the APIs cost cents, not "$0"), and
    the lowest and highest line stay inside the frame. ``title``: e.g. ``t("tiers.plot.title", ...)``.
    Returns the axes."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from labs.display import CELL_LABELS, axis_money as plot_usd
    from labs.i18n import t

    priced = frame.dropna(subset=["rent_usd_month"])
    names = (frame.attrs.get(CELL_LABELS) or {}).get("tier", {})
    machines = (frame.attrs.get(CELL_LABELS) or {}).get("hardware", {})
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4))  # wide: the legend sits right of the bars
    x = range(len(priced))
    ax.bar([i - 0.2 for i in x], priced["rent_usd_month"], width=0.4,
           label=t("tiers.plot.rent", hours=costs.HOURS_PER_MONTH))
    ax.bar([i + 0.2 for i in x], priced["own_usd_month"], width=0.4, label=t("tiers.plot.buy"))
    for (name, usd), style in zip(api_monthly.items(), ("--", ":", "-.", "-")):
        ax.axhline(usd, linestyle=style, color="black", linewidth=1,
                   label=t("tiers.plot.api", model=name, usd=plot_usd(usd)))
    ax.set_xticks(list(x), [f"{names.get(n, n)}\n{machines.get(h, h)}\n{t('tiers.plot.machines', count=m)}"
                            for n, h, m in zip(priced["tier"], priced["hardware"], priced["machines"])], fontsize=8)
    ax.set_yscale("log")
    # plain dollar ticks ("$200", "$4,000", "$0.05"), not matplotlib's log-axis "2×10²"; one "$" per label is not maths
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: plot_usd(v)))
    shown = [*priced["rent_usd_month"], *priced["own_usd_month"], *api_monthly.values()]
    shown = [v for v in shown if v > 0 and math.isfinite(v)]
    ax.set_ylim(min(shown) / 2, max(shown) * 2)  # the cheapest and the dearest line stay off the frame's edges
    if max(shown) / min(shown) < 1_000:  # $2 and $5 between the decades, unless they would crowd the axis
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: plot_usd(v) if f"{v:.0e}"[0] in "25" else ""))
    else:
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set(ylabel=t("tiers.plot.ylabel"), xlabel=t("tiers.plot.xlabel"), title=title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)  # outside: never over a bar
    ax.figure.tight_layout()
    return ax
