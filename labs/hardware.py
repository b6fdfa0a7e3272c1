"""The hardware the lessons size and price: one record per card, one spelling per card.

``labs/data/hardware.csv`` holds every card (and a CPU and a unified-memory machine for comparison)
once: memory, memory bandwidth, power draw, with source and date. Lesson 4's sizing
(:mod:`labs.sizing`: does it fit, how fast) and lesson 1's prices (:mod:`labs.prices`: rental offers
in ``gpu_rental.csv`` and purchase prices in ``hardware_prices.csv``, each naming a card from this
table by the same name) read it from here.

>>> card("RTX 4090 24 GB").bandwidth_gbs, card("RTX 4090 24 GB").watts
(1008.0, 450.0)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .catalogue import pick


@dataclass(frozen=True)
class Hardware:
    """One card or machine: ``memory_gb`` (GB as sold), ``bandwidth_gbs`` (GB/s), ``watts`` under load
    (``None`` where not meaningful, e.g. a CPU's share of a desktop), ``kind`` ``gpu``/``cpu``/``unified``."""

    name: str
    kind: str
    memory_gb: float
    bandwidth_gbs: float
    watts: float | None
    source: str


def data_rows(filename: str) -> list[dict[str, str]]:
    """The rows of one ``labs/data`` CSV file as dictionaries (the one CSV reader of the data files)."""
    text = resources.files("labs").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=None)
def hardware_catalogue() -> dict[str, Hardware]:
    """Every card from ``labs/data/hardware.csv``, by name."""
    return {r["name"]: Hardware(r["name"], r["kind"], float(r["memory_gb"]), float(r["bandwidth_gbs"]),
                                float(r["watts"]) if r["watts"] else None, f"{r['source']} (read {r['as_of']})")
            for r in data_rows("hardware.csv")}


def card(name: str | Hardware) -> Hardware:
    """One card by its name in ``hardware.csv`` (ValueError listing the names otherwise)."""
    if isinstance(name, Hardware):
        return name
    return pick("hardware", hardware_catalogue(), name)
