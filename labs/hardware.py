"""The hardware the lessons size and price: one record per card, one spelling per card.

``labs/data/hardware.csv`` holds every card (and a CPU and a unified-memory machine for comparison)
once: memory, memory bandwidth, power draw, with source and date. Lesson 4's sizing
(:mod:`labs.sizing`: does it fit, how fast) and lesson 1's prices (:mod:`labs.prices`: rental offers
in ``gpu_rental.csv`` and purchase prices in ``hardware_prices.csv``, each naming a card from this
table by the same name) read it from here.

A card's ``name`` is the key code, hidden tests and grading look it up by, the same in every edition; what a
learner reads is :func:`label`, in ``LAB_LANG`` (``CPU DDR5-5600 dual channel (8 GB)`` reads «CPU DDR5-5600, два
канали (8 GB)» in the Ukrainian edition).

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


def label(name: str | Hardware, lang: str | None = None) -> str:
    """The name of a card or machine as a reader of ``lang`` (else ``LAB_LANG``) sees it, for tables, plot labels
    and printed lines; ``name`` (a ``hardware.csv`` or ``reference_speeds.csv`` name) stays the key code uses.

    The one place of each display name is the catalogue entry ``table.value.<name>`` (``labs/data/messages.yaml``),
    the entry :func:`labs.display.show_table` reads for a table cell holding the name, so a table, a plot and a
    sentence name a machine alike. A card's model name needs no entry: it reads the same in every language.

    >>> label("CPU DDR5-5600 dual channel (8 GB)", "uk"), label("CPU DDR5-5600 dual channel (8 GB)", "en")
    ('CPU DDR5-5600, два канали (8 GB)', 'CPU DDR5-5600 dual channel (8 GB)')
    >>> label("i3-1315U, 2 threads", "uk"), label("RTX 4090 24 GB", "uk")
    ('i3-1315U, 2 потоки', 'RTX 4090 24 GB')
    """
    from labs.i18n import messages, t

    name = name.name if isinstance(name, Hardware) else name
    key = f"table.value.{name}"
    return t(key, lang) if key in messages() else name
