"""Monthly cost of a cloud API versus a self-hosted model, and the volume where they break even.

Taught in lesson 1 ("when self-hosted beats a cloud API"); lesson 4 reuses it to size a GPU server.

Conventions (one for the whole workbook):

* **A month is 730 hours** (365 × 24 / 12), the figure cloud providers bill by, so it has
  ``730 / 24 = 30.42`` days. API cost per month = cost per day × :data:`DAYS_PER_MONTH`; rental per
  month = price per hour × hours rented (730 for a machine that is always on).
* Volume is counted in **requests per day**; money in **US dollars**; token prices in **USD per
  1M tokens**; GPU rental in **USD per GPU-hour**; electricity in **USD per kWh**.
* Every price comes from ``labs/data/*.csv`` with its ``source`` and ``as_of`` date, or from the
  learner (:meth:`ApiPrice.override` and friends record "learner override" and today's date).
  Every result carries an ``as_of`` mapping (what price → which date) so a plot or table can show it.
* Zero, negative, NaN or infinite inputs raise :class:`ValueError` saying what to change. Where no
  break-even exists, :func:`break_even` says so (``requests_per_day is None`` plus a reason); it never
  invents a number.

>>> api = api_cost("gpt-4o-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
>>> round(api.monthly_usd, 4), api.as_of
(59.3125, {'gpt-4o-mini': '2025-06'})

A reasoning model also bills its hidden reasoning tokens as output (:data:`REASONING_BILLING`):

>>> visible = api_cost("gpt-5-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
>>> thinking = api_cost("gpt-5-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200,
...                     reasoning_tokens=1_024)
>>> round(visible.monthly_usd, 2), round(thinking.monthly_usd, 2)
(159.69, 782.62)
>>> box = rental_cost("RTX 4090 24 GB — RunPod community cloud")
>>> round(box.monthly_usd, 2)
248.2
>>> be = break_even(api, box)
>>> round(be.requests_per_day)
41846
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from .inputs import fraction, number, whole
# The price records live in labs.prices; they are re-exported here because the lessons price
# and cost in one breath (``from labs.costs import api_price, api_cost``).
from .hardware import Hardware
from .prices import (OVERRIDE_SOURCE, ApiPrice, as_of_label, GpuRental, HardwarePrice, api_price, api_prices, check_price,
                     gpu_rental, gpu_rentals, hardware, hardware_options, prices_frame)

__all__ = [
    # the cost model
    "HOURS_PER_MONTH", "DAYS_PER_MONTH", "SECONDS_PER_DAY", "TOKENS_PER_PRICE_UNIT", "DEFAULT_LIFE_MONTHS",
    "ApiCost", "api_cost", "SelfHostCost", "rental_cost", "ownership_cost", "BreakEven", "break_even",
    "cheaper_option", "cost_curve", "capacity_requests_per_day", "as_of_text", "as_of_items", "REASONING_BILLING",  # noqa: F822 (__getattr__)
    "PLANNING_UTILISATION", "EXAMPLE_ELECTRICITY_USD_PER_KWH", "EXAMPLE_POWER_UTILISATION", "EXAMPLE_FIXED_USD_PER_MONTH",
    # the prices it runs on (labs.prices) and the cards (labs.hardware)
    "OVERRIDE_SOURCE", "ApiPrice", "GpuRental", "HardwarePrice", "Hardware", "api_price", "api_prices", "gpu_rental", "gpu_rentals",
    "hardware", "hardware_options", "prices_frame",
]

HOURS_PER_MONTH = 730.0
"""Hours in the workbook's month (365 × 24 / 12), as cloud providers bill."""
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
"""Days in the workbook's month: 730 / 24 = 30.416…"""
SECONDS_PER_DAY = 86_400.0
TOKENS_PER_PRICE_UNIT = 1_000_000
"""API prices are quoted per 1M tokens."""
DEFAULT_LIFE_MONTHS = 36
"""Useful life of bought hardware, the usual figure (``figures.md``)."""
PLANNING_UTILISATION = 0.7
"""Share of the day a machine is planned to be busy: the headroom that keeps queues short (lesson 4's
capacity planning, :func:`labs.loadtest.capacity_plan`, :mod:`labs.tiers`). 1.0 is the ceiling
(busy every second), which lesson 1 shows beside it, labelled."""

# Example inputs, not dated figures: the lessons start from these and tell the learner to put in their own.
EXAMPLE_ELECTRICITY_USD_PER_KWH = 0.20
"""An electricity price to start from (check your bill); lessons 1 and 4."""
EXAMPLE_POWER_UTILISATION = 0.5
"""Share of the month a bought card draws its rated power, to start from; lessons 1 and 4."""
EXAMPLE_FIXED_USD_PER_MONTH = 100.0
"""The rest of the server (CPU, RAM, disk amortised) plus hosting, to start from; lessons 1 and 4."""
def __getattr__(name: str) -> str:
    """``REASONING_BILLING``: how providers bill hidden reasoning tokens, and where that is written, in the
    learner's language (``LAB_LANG``; ``costs.reasoning_billing`` in labs/data/messages.yaml), read when used.
    Which models spend them is in ``labs/data/api_prices.csv``'s ``reasoning`` column: ``yes`` thinks on every
    request unless told not to (``ApiPrice.thinks_by_default``); ``opt-in`` only when a request enables it
    (Claude's extended thinking, Gemini 2.5 Flash-Lite), so a default request bills none."""
    if name == "REASONING_BILLING":
        from labs.i18n import t

        return t("costs.reasoning_billing")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the API side -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ApiCost:
    """What a cloud API costs for one workload; cost is proportional to volume."""

    price: ApiPrice
    requests_per_day: float
    input_tokens: float
    output_tokens: float
    usd_per_request: float
    cached_input_share: float = 0.0
    reasoning_tokens: float = 0.0

    @property
    def label(self) -> str:
        """The model, plus its hidden reasoning tokens per request when there are any, in ``LAB_LANG``."""
        from labs.i18n import t

        return self.price.model + (t("costs.label.reasoning", tokens=self.reasoning_tokens) if self.reasoning_tokens
                                   else "")

    @property
    def billed_output_tokens(self) -> float:
        """Output tokens billed per request: the visible answer plus the hidden reasoning."""
        return self.output_tokens + self.reasoning_tokens

    @property
    def as_of(self) -> dict[str, str]:
        return {self.price.model: self.price.as_of}

    @property
    def monthly_usd(self) -> float:
        """Cost of a 730-hour month at ``requests_per_day``."""
        return self.monthly_at(self.requests_per_day)

    def monthly_at(self, requests_per_day: float) -> float:
        """Cost of a month at another volume (same tokens and prices); 0 requests cost 0."""
        return self.usd_per_request * number("requests_per_day", requests_per_day, "requests per day",
                                              allow_zero=True) * DAYS_PER_MONTH


def api_cost(price: ApiPrice | str, *, requests_per_day: float, input_tokens: float, output_tokens: float,
             cached_input_share: float = 0.0, reasoning_tokens: float = 0.0) -> ApiCost:
    """Monthly cost of a cloud API:
    requests/day × days × (input × in-price + (output + reasoning) × out-price) / 1M.

    ``cached_input_share`` is the fraction of input tokens billed at the cached-input price.
    A prompt above a model's long-context threshold (Gemini 2.5 Pro, Claude Sonnet 4.5: 200K tokens) is
    billed at its long-context prices (``ApiPrice.tier_for``).
    ``reasoning_tokens`` (per request) are the hidden reasoning a reasoning model spends before it
    answers; they are billed as output (:data:`REASONING_BILLING`). Only models marked ``reasoning``
    in the price data take them. The one token-cost formula of the workbook: lesson 3's router prices
    its cloud calls with it too.

    >>> c = api_cost("gpt-4o-mini", requests_per_day=10_000, input_tokens=500, output_tokens=200)
    >>> round(c.usd_per_request * 1e6)   # micro-dollars: 500 × 0.15 + 200 × 0.60
    195
    >>> api_cost("gpt-4o-mini", requests_per_day=0, input_tokens=500, output_tokens=200)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_day must be greater than zero (requests per day); got 0. Pass a realistic value.
    """
    if isinstance(price, str):
        price = api_price(price)
    volume = number("requests_per_day", requests_per_day, "requests per day")
    n_in = number("input_tokens", input_tokens, "tokens per request", allow_zero=True)
    n_out = number("output_tokens", output_tokens, "tokens per request", allow_zero=True)
    share = fraction("cached_input_share", cached_input_share, allow_zero=True)
    n_reason = number("reasoning_tokens", reasoning_tokens, "hidden reasoning tokens per request", allow_zero=True)
    if n_reason and not price.reasoning:
        from labs.i18n import t

        raise ValueError(t("costs.error.not_reasoning", model=price.model))
    if share and price.cached_input_usd_per_mtok is None:
        from labs.i18n import t

        raise ValueError(t("costs.error.no_cached_price", model=price.model))
    cached = price.cached_input_usd_per_mtok or 0.0
    in_price, out_price = price.tier_for(n_in)  # long prompts: the long-context tier where the model has one
    micro = (n_in * ((1 - share) * in_price + share * min(cached, in_price))
             + (n_out + n_reason) * out_price)
    return ApiCost(price, volume, n_in, n_out, micro / TOKENS_PER_PRICE_UNIT, share, n_reason)


# --- the self-hosted side ------------------------------------------------------------------------

@dataclass(frozen=True)
class SelfHostCost:
    """What running your own model costs per month: mostly fixed, whatever the volume.

    ``monthly_usd`` is the cost of one machine; ``usd_per_request`` an optional cost that grows with
    volume; ``capacity_requests_per_day`` (``None`` = not limited) makes a larger volume need more
    machines (see :func:`capacity_requests_per_day`).
    """

    label: str
    monthly_usd: float
    breakdown: dict[str, float]
    as_of: dict[str, str]
    usd_per_request: float = 0.0
    capacity_requests_per_day: float | None = None

    def machines_for(self, requests_per_day: float) -> int:
        """How many machines a volume needs (1 when the capacity is not limited)."""
        volume = number("requests_per_day", requests_per_day, "requests per day", allow_zero=True)
        if self.capacity_requests_per_day is None:
            return 1
        return max(1, math.ceil(volume / self.capacity_requests_per_day))

    def monthly_at(self, requests_per_day: float) -> float:
        """Cost of a month at a volume: machines × monthly cost + per-request cost."""
        volume = number("requests_per_day", requests_per_day, "requests per day", allow_zero=True)
        return self.machines_for(volume) * self.monthly_usd + self.usd_per_request * volume * DAYS_PER_MONTH

    def with_capacity(self, requests_per_day: float) -> "SelfHostCost":
        """A copy that knows how many requests a day one machine serves."""
        cap = number("capacity", requests_per_day, "requests per day per machine")
        return dataclasses.replace(self, capacity_requests_per_day=cap)


def rental_cost(offer: GpuRental | str, *, gpus: int = 1, hours_per_month: float = HOURS_PER_MONTH,
                fixed_usd_per_month: float = 0.0) -> SelfHostCost:
    """Monthly cost of renting GPUs: price/hour × GPUs × hours (730 = always on) + fixed costs.

    >>> c = rental_cost("H100 SXM 80 GB — RunPod community cloud", fixed_usd_per_month=100)
    >>> round(c.monthly_usd, 2), c.breakdown
    (2063.7, {'rental': 1963.7, 'fixed': 100.0})
    """
    if isinstance(offer, str):
        offer = gpu_rental(offer)
    n = whole("gpus", gpus)
    hours = number("hours_per_month", hours_per_month, "hours rented per month")
    if hours > HOURS_PER_MONTH:
        from labs.i18n import t

        raise ValueError(t("costs.error.hours", most=HOURS_PER_MONTH, got=hours))
    fixed = number("fixed_usd_per_month", fixed_usd_per_month, "USD per month", allow_zero=True)
    rental = offer.usd_per_gpu_hour * n * hours
    from labs.i18n import t

    label = (t("costs.label.rent_many", n=n, gpu=offer.gpu, where=f"{offer.provider} {offer.offer}") if n > 1
             else t("costs.label.rent", offer=offer.key))
    breakdown = {"rental": round(rental, 6), "fixed": fixed}
    return SelfHostCost(label, rental + fixed, breakdown, {offer.key: offer.as_of})


def ownership_cost(card: HardwarePrice | str, *, electricity_usd_per_kwh: float, life_months: float = DEFAULT_LIFE_MONTHS,
                   utilisation: float = 1.0, gpus: int = 1, fixed_usd_per_month: float = 0.0) -> SelfHostCost:
    """Monthly cost of bought cards: price / life + watts × 730 h × utilisation × electricity + fixed costs.

    ``utilisation`` is the share of the month the cards draw their rated power (idle draw is ignored).
    ``fixed_usd_per_month`` is everything else you choose to count: the rest of the server, hosting,
    your time maintaining it. The electricity price is yours to give (check your bill).

    >>> c = ownership_cost("RTX 4090 24 GB (MSRP)", electricity_usd_per_kwh=0.20, utilisation=0.5)
    >>> {k: round(v, 2) for k, v in c.breakdown.items()}   # 1599/36 and 0.45 kW × 365 h × 0.20
    {'amortisation': 44.42, 'power': 32.85, 'fixed': 0.0}
    """
    if isinstance(card, str):
        card = hardware(card)
    n = whole("gpus", gpus)
    kwh_price = check_price("electricity_usd_per_kwh", electricity_usd_per_kwh, "USD per kWh")
    life = check_price("life_months", life_months, "months of useful life")
    use = fraction("utilisation", utilisation)
    fixed = number("fixed_usd_per_month", fixed_usd_per_month, "USD per month", allow_zero=True)
    amortisation = card.price_usd * n / life
    power = card.power_w * n / 1000 * HOURS_PER_MONTH * use * kwh_price
    from labs.i18n import t

    label = t("costs.label.own_many", n=n, card=card.key) if n > 1 else t("costs.label.own", card=card.key)
    breakdown = {"amortisation": amortisation, "power": power, "fixed": fixed}
    as_of = {card.key: card.as_of, "electricity": t("costs.as_of.your_input", price=kwh_price)}
    return SelfHostCost(label, amortisation + power + fixed, breakdown, as_of)



# --- break-even ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BreakEven:
    """Where the API and the self-hosted setup cost the same per month.

    ``requests_per_day`` is ``None`` when no volume makes self-hosting cheaper; ``reason`` says why.
    Above the break-even ``B``, self-hosting is cheaper up to one machine's capacity ``C``. Past it, ``n``
    machines cost less than the API only from ``n × B``: the cloud is cheaper again from ``(n − 1) × C`` to
    ``n × B`` for every ``n ≥ 2`` with ``n × B > (n − 1) × C`` (:meth:`cloud_cheaper_ranges`; none when
    ``C ≥ 2B``), and self-hosting is cheaper at every volume above :attr:`self_hosted_always_from`.
    """

    api_label: str
    selfhost_label: str
    requests_per_day: float | None
    monthly_usd: float | None
    reason: str
    as_of: dict[str, str] = field(default_factory=dict)
    capacity_requests_per_day: float | None = None
    """One machine's capacity (requests/day) the break-even was solved with; ``None`` = not limited."""

    @property
    def exists(self) -> bool:
        return self.requests_per_day is not None

    @property
    def cloud_gaps(self) -> int:
        """How many volume ranges above the break-even the cloud is cheaper again (0 without a capacity,
        or when one machine serves at least twice the break-even). Only ranges at least one request/day wide
        count: a narrower one holds no whole daily volume (with ``C`` a hair above ``B`` the later ranges shrink
        to nothing, and "from 37,940,526,769 to 37,940,526,769" is no range)."""
        b, cap = self.requests_per_day, self.capacity_requests_per_day
        if b is None or cap is None:
            return 0
        # range n is ((n − 1) × C, n × B), C − n × (C − B) wide: at least 1 while n ≤ (C − 1) / (C − B)
        return max(0, math.floor((cap - 1) / (cap - b) * (1 + 1e-12)) - 1)

    def cloud_cheaper_ranges(self) -> Iterator[tuple[float, float]]:
        """Each ``(from, to)`` in requests/day above the break-even where the API costs less:
        ``((n − 1) × C, n × B)`` for ``n = 2 … cloud_gaps + 1``."""
        b, cap = self.requests_per_day, self.capacity_requests_per_day
        for n in range(2, self.cloud_gaps + 2):
            yield (n - 1) * cap, n * b

    def machines_at(self, requests_per_day: float) -> int:
        """Machines a volume needs under the capacity this break-even was solved with (1 without one)."""
        volume = number("requests_per_day", requests_per_day, "requests per day", allow_zero=True)
        cap = self.capacity_requests_per_day
        return 1 if cap is None else max(1, math.ceil(volume / cap))

    def self_hosted_cheaper_at(self, requests_per_day: float) -> bool:
        """Whether self-hosting costs less than the API at a volume: ``n`` machines beat it only above
        ``n ×`` the break-even (``n`` from :meth:`machines_at`); never without a break-even.

        >>> api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
        >>> be = break_even(api, rental_cost("RTX 4090 24 GB — RunPod community cloud").with_capacity(50_000))
        >>> [be.self_hosted_cheaper_at(v) for v in (40_000, 45_000, 60_000, 90_000)]
        [False, True, False, True]
        """
        if self.requests_per_day is None:
            return False
        return requests_per_day > self.machines_at(requests_per_day) * self.requests_per_day

    @property
    def self_hosted_always_from(self) -> float | None:
        """The volume (requests/day) above which self-hosting is cheaper at every volume (past the last range of
        :attr:`cloud_gaps`, so up to windows under one request/day wide); ``None`` without a break-even. Without a
        capacity this assumes one machine serves any volume."""
        if self.requests_per_day is None:
            return None
        return (self.cloud_gaps + 1) * self.requests_per_day

    @property
    def requests_per_month(self) -> float | None:
        return None if self.requests_per_day is None else self.requests_per_day * DAYS_PER_MONTH

    def __str__(self) -> str:
        from labs.i18n import t

        dates = as_of_items(self.as_of, ": ")
        return t("costs.break_even.summary", api=self.api_label, selfhost=self.selfhost_label, reason=self.reason,
                 dates=dates)


def break_even(api: ApiCost, selfhost: SelfHostCost) -> BreakEven:
    """Solve API cost = self-hosted cost for the volume (requests per day), in closed form.

    With ``k`` the API's and ``c`` the self-hosted cost per request, ``F`` one machine's monthly cost and
    ``D`` days per month: ``k·V·D = F + c·V·D``  ⇒  ``V = F / ((k − c)·D)``. There is no break-even
    when ``k ≤ c``, or when ``V`` is at least what one machine serves (then every machine, serving that capacity, costs
    at least what the API charges for its requests, so self-hosting is never cheaper). With a capacity,
    the reason also says where the cloud is cheaper again past a full machine (:class:`BreakEven`).

    >>> api = api_cost("gpt-4o-mini", requests_per_day=1_000, input_tokens=500, output_tokens=200)
    >>> be = break_even(api, rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(50_000))
    >>> be.requests_per_day is None, be.reason.startswith("no break-even")
    (True, True)
    """
    from labs.i18n import t  # the reason is written in the learner's language (LAB_LANG), English by default

    if isinstance(api, SelfHostCost) and isinstance(selfhost, ApiCost):  # the common slip: a silent wrong answer
        raise ValueError(t("costs.error.swapped", api=selfhost.label, selfhost=api.label))
    if not isinstance(api, ApiCost) or not isinstance(selfhost, SelfHostCost):
        raise ValueError(t("costs.error.break_even_types", api=type(api).__name__, selfhost=type(selfhost).__name__))
    k, c, fixed = api.usd_per_request, selfhost.usd_per_request, selfhost.monthly_usd
    as_of = {**api.as_of, **selfhost.as_of}
    common = dict(api_label=api.label, selfhost_label=selfhost.label, as_of=as_of)
    if k <= c:
        return BreakEven(**common, requests_per_day=None, monthly_usd=None,
                         reason=t("costs.break_even.api_cheaper", c=c, k=k))
    volume = fixed / ((k - c) * DAYS_PER_MONTH)
    cap = selfhost.capacity_requests_per_day
    if cap is not None and volume >= cap:  # at exactly one machine's capacity the costs only ever tie
        at_cap = fixed / (cap * DAYS_PER_MONTH) + c  # per request with the machine serving its given capacity
        # a machine serves in proportion to how busy it runs: if ``cap`` is the plan at PLANNING_UTILISATION, it
        # would serve the break-even volume at PLANNING_UTILISATION × volume / cap busy (F9: say so, not "full")
        needed = PLANNING_UTILISATION * volume / cap
        if needed <= 1:
            busy = t("costs.break_even.over_capacity.busier", plan=PLANNING_UTILISATION, needed=needed)
        else:
            busy = t("costs.break_even.over_capacity.never", plan=PLANNING_UTILISATION, needed=needed)
        return BreakEven(**common, requests_per_day=None, monthly_usd=None, capacity_requests_per_day=cap,
                         reason=t("costs.break_even.over_capacity", volume=volume, cap=cap, full_load=at_cap, k=k,
                                  busy=busy))
    monthly = k * volume * DAYS_PER_MONTH
    even = BreakEven(**common, requests_per_day=volume, monthly_usd=monthly, reason="", capacity_requests_per_day=cap)
    if cap is None:
        reason = t("costs.break_even.no_capacity", volume=volume, monthly=monthly)
    elif even.cloud_gaps == 0:  # C ≥ 2B: machine n is paid for (n × B) before machine n − 1 is full ((n − 1) × C)
        reason = t("costs.break_even.with_capacity_no_gap", volume=volume, monthly=monthly, cap=cap)
    else:  # the last range where the cloud is cheaper: ((N − 1) × C, N × B) with N = gaps + 1
        always = even.self_hosted_always_from
        more = "" if even.cloud_gaps == 1 else t("costs.break_even.more_gaps", gaps=even.cloud_gaps, volume=volume,
                                                   cap=cap, last_from=even.cloud_gaps * cap, last_to=always)
        reason = t("costs.break_even.with_capacity", volume=volume, monthly=monthly, cap=cap, second=2 * volume,
                   more=more, always=always)
    return dataclasses.replace(even, reason=reason)


def cheaper_option(api: ApiCost, selfhost: SelfHostCost, requests_per_day: float) -> str:
    """``"self-hosted"``, ``"cloud"`` or ``"equal"`` at one volume."""
    a, s = api.monthly_at(requests_per_day), selfhost.monthly_at(requests_per_day)
    if math.isclose(a, s, rel_tol=1e-9):
        return "equal"
    return "self-hosted" if s < a else "cloud"


def cost_curve(api: ApiCost, selfhost: SelfHostCost, volumes: Iterable[float]):
    """A pandas table of monthly cost for both options over volumes (requests/day), for plots."""
    import pandas as pd

    rows = [
        {"requests_per_day": v, "api_usd": api.monthly_at(v), "selfhost_usd": selfhost.monthly_at(v),
         "machines": selfhost.machines_for(v)}
        for v in volumes
    ]
    return pd.DataFrame(rows, columns=["requests_per_day", "api_usd", "selfhost_usd", "machines"])


# --- capacity --------------------------------------------------------------------------------

def capacity_requests_per_day(decode_tokens_per_s: float, output_tokens: float, *, prompt_tokens: float = 0,
                              prefill_tokens_per_s: float | None = None, parallel: int = 1,
                              utilisation: float = 1.0) -> float:
    """Requests a day one machine can serve: busy seconds per day ÷ seconds per request.

    Seconds per request = output tokens ÷ decode speed (+ prompt tokens ÷ prefill speed when given).
    ``parallel`` streams are assumed to run at the full single-stream speed each, an upper bound:
    real batched servers give each stream less (see lesson 4's benchmark figures).

    >>> round(capacity_requests_per_day(50, 200))   # 4 s per request → 86,400 / 4
    21600
    >>> round(capacity_requests_per_day(50, 200, prompt_tokens=500, prefill_tokens_per_s=500, utilisation=0.5))
    8640
    """
    tps = number("decode_tokens_per_s", decode_tokens_per_s, "generated tokens per second")
    n_out = number("output_tokens", output_tokens, "tokens per request")
    n_in = number("prompt_tokens", prompt_tokens, "tokens per request", allow_zero=True)
    streams = whole("parallel", parallel)
    use = fraction("utilisation", utilisation)
    seconds = n_out / tps
    if n_in:
        if prefill_tokens_per_s is None:
            from labs.i18n import t

            raise ValueError(t("costs.error.no_prefill"))
        seconds += n_in / number("prefill_tokens_per_s", prefill_tokens_per_s, "prompt tokens per second")
    return SECONDS_PER_DAY * use * streams / seconds


def as_of_text(*sources: Mapping[str, str] | ApiCost | SelfHostCost | BreakEven) -> str:
    """One line naming the date of every price used, for plot titles and table captions.

    >>> as_of_text({"gpt-4o-mini": "2025-06"}, {"RTX 4090": "2026-09"})
    'prices as of: gpt-4o-mini 2025-06; RTX 4090 2026-09'
    """
    merged: dict[str, str] = {}
    for s in sources:
        merged.update(s if isinstance(s, Mapping) else s.as_of)
    from labs.i18n import t

    return t("costs.prices_as_of", prices=as_of_items(merged))


def as_of_items(as_of: Mapping[str, str], between: str = " ") -> str:
    """``"gpt-4o 2025-06; RTX 4090 24 GB (MSRP) undated"``: each price's date, for a reader of ``LAB_LANG``
    (an ``undated`` row and the ``electricity`` price the learner typed are named in that language; the
    mapping's keys and values stay as the data writes them); ``between`` goes between a name and its date.

    >>> as_of_items({"gpt-4o": "2025-06", "RTX 4090 24 GB (MSRP)": "undated"})
    'gpt-4o 2025-06; RTX 4090 24 GB (MSRP) undated'
    """
    from labs.i18n import t

    names = {"electricity": t("costs.as_of.electricity")}
    return "; ".join(f"{names.get(k, k)}{between}{as_of_label(v)}" for k, v in as_of.items())
