"""Dated prices the cost model runs on: cloud API tokens, GPU rental, cards to buy.

Taught in lesson 1 (pricing a cloud API against a self-hosted model); lesson 4 reuses it.

Every record comes from ``labs/data/*.csv`` with its ``source`` and ``as_of`` date, or from the learner:
``override()`` replaces a price and records "learner override", what it was, and the date, so every
plot and table built on it can say how old its prices are.

>>> api_price("gpt-4o-mini").input_usd_per_mtok
0.15
>>> hardware("RTX 4090 24 GB (MSRP)").override(price_usd=1800, as_of="2026-11-25").source  # doctest: +ELLIPSIS
'learner override (was: ...)'
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Mapping

from .inputs import number

OVERRIDE_SOURCE = "learner override"


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

    def __post_init__(self) -> None:
        number(f"{self.model}: input price", self.input_usd_per_mtok, "USD per 1M tokens")
        number(f"{self.model}: output price", self.output_usd_per_mtok, "USD per 1M tokens")
        if self.cached_input_usd_per_mtok is not None:
            number(f"{self.model}: cached input price", self.cached_input_usd_per_mtok, "USD per 1M tokens")

    @property
    def key(self) -> str:
        return self.model


@dataclass(frozen=True)
class GpuRental(_Dated):
    """One on-demand GPU offer (USD per GPU-hour)."""

    gpu: str
    provider: str
    offer: str
    usd_per_gpu_hour: float
    source: str
    as_of: str
    note: str = ""

    def __post_init__(self) -> None:
        number(f"{self.gpu}: rental price", self.usd_per_gpu_hour, "USD per GPU-hour")

    @property
    def key(self) -> str:
        return f"{self.gpu} — {self.provider} {self.offer}"


@dataclass(frozen=True)
class Hardware(_Dated):
    """A card to buy: purchase price (USD) and power draw under load (watts)."""

    card: str
    variant: str
    price_usd: float
    power_w: float
    source: str
    as_of: str
    note: str = ""

    def __post_init__(self) -> None:
        number(f"{self.card}: purchase price", self.price_usd, "USD")
        number(f"{self.card}: power draw", self.power_w, "watts")

    @property
    def key(self) -> str:
        return f"{self.card} ({self.variant})"


# --- loading the data files ------------------------------------------------------------------

def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("labs").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _optional(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=None)
def _api_prices() -> tuple[ApiPrice, ...]:
    return tuple(
        ApiPrice(
            model=r["model"], provider=r["provider"], input_usd_per_mtok=float(r["input_usd_per_mtok"]),
            output_usd_per_mtok=float(r["output_usd_per_mtok"]),
            cached_input_usd_per_mtok=_optional(r["cached_input_usd_per_mtok"]),
            source=r["source"], as_of=r["as_of"], note=r["note"],
        )
        for r in _rows("api_prices.csv")
    )


@lru_cache(maxsize=None)
def _gpu_rentals() -> tuple[GpuRental, ...]:
    return tuple(
        GpuRental(gpu=r["gpu"], provider=r["provider"], offer=r["offer"], usd_per_gpu_hour=float(r["usd_per_gpu_hour"]),
                  source=r["source"], as_of=r["as_of"], note=r["note"])
        for r in _rows("gpu_rental.csv")
    )


@lru_cache(maxsize=None)
def _hardware() -> tuple[Hardware, ...]:
    return tuple(
        Hardware(card=r["card"], variant=r["variant"], price_usd=float(r["price_usd"]), power_w=float(r["power_w"]),
                 source=r["source"], as_of=r["as_of"], note=r["note"])
        for r in _rows("hardware.csv")
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


def hardware_options() -> dict[str, Hardware]:
    """Cards to buy from ``labs/data/hardware.csv``, by ``"<card> (<variant>)"``.

    >>> hardware_options()["RTX 4090 24 GB (MSRP)"].power_w
    450.0
    """
    return {h.key: h for h in _hardware()}


def _pick(kind: str, table: Mapping[str, object], key: str):
    if key not in table:
        raise ValueError(f"no {kind} called {key!r}; choose one of: {', '.join(table)}")
    return table[key]


def api_price(model: str) -> ApiPrice:
    """The dated price of one cloud model (``ValueError`` listing the choices if unknown)."""
    return _pick("API model", api_prices(), model)


def gpu_rental(key: str) -> GpuRental:
    """One GPU rental offer, e.g. ``gpu_rental("RTX 4090 24 GB — RunPod community cloud")``."""
    return _pick("GPU rental offer", gpu_rentals(), key)


def hardware(key: str) -> Hardware:
    """One card to buy, e.g. ``hardware("RTX 4090 24 GB (MSRP)")``."""
    return _pick("hardware option", hardware_options(), key)


def prices_frame(kind: str = "api"):
    """A pandas table of one data file (``"api"``, ``"rental"`` or ``"hardware"``) for display."""
    import pandas as pd

    records = {"api": _api_prices, "rental": _gpu_rentals, "hardware": _hardware}
    if kind not in records:
        raise ValueError(f"kind must be one of {sorted(records)}; got {kind!r}")
    return pd.DataFrame([dataclasses.asdict(r) for r in records[kind]()])
