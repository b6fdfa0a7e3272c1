"""Dated prices the cost model runs on: cloud API tokens, GPU rental, cards to buy.

Taught in lesson 1 (pricing a cloud API against a self-hosted model); lesson 4 reuses it.

Every record comes from ``labs/data/*.csv`` with its ``source`` and ``as_of`` date, or from the learner:
``override()`` replaces a price and records "learner override", what it was, and the date, so every
plot and table built on it can say how old its prices are. The cards themselves (memory, bandwidth,
power) live once in :mod:`labs.hardware`; a rental offer or a purchase price names its card from there.

A price outside :data:`PLAUSIBLE` for its unit is refused with the unit it expects: a per-1K or
per-token figure typed into a per-1M field is 1,000 or 1,000,000 times too small.

>>> api_price("gpt-4o-mini").override(input_usd_per_mtok=0.00015)
Traceback (most recent call last):
...
ValueError: gpt-4o-mini: input price = 0.00015 USD per 1M tokens is outside the plausible range (0.005 to 1,000 USD per 1M tokens); give the price per 1M tokens (gpt-4o-mini input: 0.15): a per-1K price × 1,000, a per-token price × 1,000,000.

>>> api_price("gpt-4o-mini").input_usd_per_mtok
0.15
>>> hardware("RTX 4090 24 GB (MSRP)").override(price_usd=1800, as_of="2026-11-25").source  # doctest: +ELLIPSIS
'learner override (was: ...)'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import ClassVar

from .catalogue import pick
from .hardware import card as hardware_card
from .hardware import data_rows
from .inputs import plausible

OVERRIDE_SOURCE = "learner override"

PLAUSIBLE = {
    "USD per 1M tokens": (0.005, 1_000.0, "give the price per 1M tokens (gpt-4o-mini input: 0.15): a per-1K "
                          "price × 1,000, a per-token price × 1,000,000"),
    "USD per GPU-hour": (0.01, 200.0, "give the price of one GPU for one hour (RTX 4090 on RunPod: 0.34)"),
    "USD": (50.0, 1_000_000.0, "give the purchase price of one card in US dollars (RTX 4090: 1599)"),
    "USD per kWh": (0.005, 5.0, "give the electricity price in US dollars per kWh (0.20 is typical; "
                    "20 cents is 0.20, not 20)"),
}
"""The widest range any real price takes in each unit (low, high, what to give instead). Lowest token
price in the data: gpt-5-nano input 0.05 (cached-input prices run down to a tenth of that); highest
anywhere: a few hundred USD per 1M output tokens. Used by every price record and by
:func:`labs.costs.ownership_cost` for the electricity price."""


def check_price(name: str, value: object, unit: str) -> float:
    """``value`` as a price in ``unit``, refused (ValueError naming the unit) outside :data:`PLAUSIBLE`."""
    low, high, hint = PLAUSIBLE[unit]
    return plausible(name, value, unit, low, high, hint)


# --- price records -------------------------------------------------------------------------

class _Dated:
    """Shared behaviour of the price records: a dated source and overrides."""

    source: str
    as_of: str

    def override(self, *, as_of: str | None = None, **changes: object):
        """A copy with some prices replaced by the learner's, marked as an override dated today.

        >>> p = api_price("gpt-4o-mini").override(output_usd_per_mtok=0.5, as_of="2026-11-25")
        >>> p.output_usd_per_mtok, p.source, p.as_of
        (0.5, 'learner override (was: OpenAI pricing page, 2025-06)', '2026-11-25')
        """
        if not changes:
            raise ValueError("override() needs at least one price to change, e.g. override(usd_per_gpu_hour=0.5).")
        names = {f.name for f in dataclasses.fields(self)} - {"source", "as_of", "note"}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"cannot override {unknown}; {type(self).__name__} has: {', '.join(sorted(names))}")
        source = f"{OVERRIDE_SOURCE} (was: {self.source}, {self.as_of})"
        return dataclasses.replace(self, **changes, source=source, as_of=as_of or date.today().isoformat())


@dataclass(frozen=True)
class ApiPrice(_Dated):
    """A cloud model's token prices (USD per 1M tokens)."""

    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    source: str
    as_of: str
    provider: str = ""
    cached_input_usd_per_mtok: float | None = None
    note: str = ""

    reasoning: bool = False
    """A reasoning model: it may spend hidden reasoning (thinking) tokens, billed as output."""

    def __post_init__(self) -> None:
        check_price(f"{self.model}: input price", self.input_usd_per_mtok, "USD per 1M tokens")
        check_price(f"{self.model}: output price", self.output_usd_per_mtok, "USD per 1M tokens")
        if self.cached_input_usd_per_mtok is not None:
            check_price(f"{self.model}: cached input price", self.cached_input_usd_per_mtok, "USD per 1M tokens")

    @property
    def key(self) -> str:
        return self.model


class _CardPrice(_Dated):
    """A price for one card of :mod:`labs.hardware`, which must name it exactly as ``hardware.csv`` does."""

    PRICE: ClassVar[tuple[str, str, str]]  # (attribute, what it is, unit)
    card: str

    def __post_init__(self) -> None:
        hardware_card(self.card)
        attribute, what, unit = self.PRICE
        check_price(f"{self.card}: {what}", getattr(self, attribute), unit)


@dataclass(frozen=True)
class GpuRental(_CardPrice):
    """One on-demand GPU offer (USD per GPU-hour); ``gpu`` is the card's name in ``hardware.csv``."""

    PRICE = ("usd_per_gpu_hour", "rental price", "USD per GPU-hour")
    gpu: str
    provider: str
    offer: str
    usd_per_gpu_hour: float
    source: str
    as_of: str
    note: str = ""

    @property
    def card(self) -> str:  # type: ignore[override]
        return self.gpu

    @property
    def key(self) -> str:
        return f"{self.gpu} — {self.provider} {self.offer}"


@dataclass(frozen=True)
class HardwarePrice(_CardPrice):
    """A card to buy: purchase price (USD); its power draw comes from the card (:mod:`labs.hardware`)."""

    PRICE = ("price_usd", "purchase price", "USD")
    card: str
    variant: str
    price_usd: float
    source: str
    as_of: str
    note: str = ""

    @property
    def power_w(self) -> float:
        """Power draw under load (watts), from ``hardware.csv``."""
        watts = hardware_card(self.card).watts
        if watts is None:
            raise ValueError(f"{self.card} has no power draw in hardware.csv; add its watts there.")
        return watts

    @property
    def key(self) -> str:
        return f"{self.card} ({self.variant})"


# --- loading the data files ------------------------------------------------------------------

def _optional(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=None)
def _api_prices() -> tuple[ApiPrice, ...]:
    return tuple(
        ApiPrice(
            model=r["model"], provider=r["provider"], input_usd_per_mtok=float(r["input_usd_per_mtok"]),
            output_usd_per_mtok=float(r["output_usd_per_mtok"]),
            cached_input_usd_per_mtok=_optional(r["cached_input_usd_per_mtok"]),
            source=r["source"], as_of=r["as_of"], note=r["note"], reasoning=r["reasoning"] == "yes",
        )
        for r in data_rows("api_prices.csv")
    )


@lru_cache(maxsize=None)
def _gpu_rentals() -> tuple[GpuRental, ...]:
    return tuple(
        GpuRental(gpu=r["gpu"], provider=r["provider"], offer=r["offer"], usd_per_gpu_hour=float(r["usd_per_gpu_hour"]),
                  source=r["source"], as_of=r["as_of"], note=r["note"])
        for r in data_rows("gpu_rental.csv")
    )


@lru_cache(maxsize=None)
def _hardware() -> tuple[HardwarePrice, ...]:
    return tuple(
        HardwarePrice(card=r["card"], variant=r["variant"], price_usd=float(r["price_usd"]),
                      source=r["source"], as_of=r["as_of"], note=r["note"])
        for r in data_rows("hardware_prices.csv")
    )


def api_prices() -> dict[str, ApiPrice]:
    """Cloud API prices from ``labs/data/api_prices.csv``, by model name.

    >>> api_prices()["gpt-4o"].output_usd_per_mtok
    10.0
    """
    return {p.key: p for p in _api_prices()}


def gpu_rentals() -> dict[str, GpuRental]:
    """GPU rental offers from ``labs/data/gpu_rental.csv``, by ``"<gpu> — <provider> <offer>"``."""
    return {g.key: g for g in _gpu_rentals()}


def hardware_options() -> dict[str, HardwarePrice]:
    """Cards to buy from ``labs/data/hardware_prices.csv``, by ``"<card> (<variant>)"``.

    >>> hardware_options()["RTX 4090 24 GB (MSRP)"].power_w
    450.0
    """
    return {h.key: h for h in _hardware()}


def api_price(model: str) -> ApiPrice:
    """The dated price of one cloud model (``ValueError`` listing the choices if unknown)."""
    return pick("API model", api_prices(), model)


def gpu_rental(key: str) -> GpuRental:
    """One GPU rental offer, e.g. ``gpu_rental("RTX 4090 24 GB — RunPod community cloud")``."""
    return pick("GPU rental offer", gpu_rentals(), key)


def hardware(key: str) -> HardwarePrice:
    """One card to buy, e.g. ``hardware("RTX 4090 24 GB (MSRP)")``."""
    return pick("hardware option", hardware_options(), key)


def prices_frame(kind: str = "api"):
    """A pandas table of one data file (``"api"``, ``"rental"`` or ``"hardware"``) for display."""
    import pandas as pd

    records = {"api": _api_prices, "rental": _gpu_rentals, "hardware": _hardware}
    if kind not in records:
        raise ValueError(f"kind must be one of {sorted(records)}; got {kind!r}")
    return pd.DataFrame([dataclasses.asdict(r) for r in records[kind]()])
