"""Dated prices the cost model runs on: cloud API tokens, GPU rental, cards to buy.

Taught in lesson 1 (pricing a cloud API against a self-hosted model); lesson 4 reuses it.

Every record comes from ``labs/data/*.csv`` with its ``source`` and ``as_of`` date, or from the learner:
``override()`` replaces a price and records "learner override", what it was, and the date, so every
plot and table built on it can say how old its prices are. A data row's prose (``source``, ``note``) has its
Ukrainian beside it (``source_uk``, ``note_uk``): :func:`prices_frame` and ``override()`` show the one of
``LAB_LANG`` (:func:`in_language`). The cards themselves (memory, bandwidth,
power) live once in :mod:`labs.hardware`; a rental offer or a purchase price names its card from there.

Prices typed in the wrong unit are the commonest silent error, so every price passes three checks
(one rule for every record, :func:`check_price` and :func:`_Dated.override`):

1. **the range of its unit** (:data:`PLAUSIBLE`): a per-token price in a per-1M field, a monthly server
   price in the per-GPU-hour field, cents in the per-kWh field are refused, naming the unit expected;
2. **against the other fields** of a token price: output is priced from 1/5 to 50 × input (every provider
   charges more for output; a per-1K figure in one field is 1,000× off), a cached-input price is at most
   the input price;
3. **against the dated price it replaces** (:meth:`_Dated.override` of a known record): 100× or more away
   is refused as a unit slip (per-1K × 1,000 = per-1M); 5× or more is allowed with a loud
   :class:`PriceWarning` naming the expected unit and the old figure. A free tier (0) is allowed.

>>> api_price("gpt-4o-mini").override(input_usd_per_mtok=0.00015)
Traceback (most recent call last):
...
ValueError: gpt-4o-mini: input price = 0.00015 USD per 1M tokens is outside the plausible range (0.001 to 1,000 USD per 1M tokens); give the price per 1M tokens (gpt-4o-mini: input 0.15, output 0.60): a per-1K price × 1,000, a per-token price × 1,000,000.
>>> api_price("Claude Sonnet 4.5").override(output_usd_per_mtok=0.015)   # the per-1K figure
Traceback (most recent call last):
...
ValueError: Claude Sonnet 4.5: output price 0.015 is 0.005 × the input price 3; providers charge output 1/5 to 50 × input: is one of them per 1K tokens? Give both per 1M tokens (a per-1K price × 1,000).

>>> api_price("gpt-4o-mini").input_usd_per_mtok
0.15
>>> hardware("RTX 4090 24 GB (MSRP)").override(price_usd=1800, as_of="2026-11-25").source  # doctest: +ELLIPSIS
'learner override (was: ...)'
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import ClassVar

from .catalogue import pick
from .hardware import card as hardware_card
from .hardware import data_rows
from .inputs import number, plausible

OVERRIDE_SOURCE = "learner override"

PLAUSIBLE = {
    "USD per 1M tokens": (0.001, 1_000.0, "prices.hint.per_mtok"),
    "USD per GPU-hour": (0.05, 50.0, "prices.hint.per_gpu_hour"),
    "USD": (50.0, 1_000_000.0, "prices.hint.usd"),
    "USD per kWh": (0.01, 1.0, "prices.hint.per_kwh"),
    "months of useful life": (6.0, 120.0, "prices.hint.life_months"),
}
"""The widest range any real price takes in each unit (low, high, and the catalogue key of what to give
instead, :func:`hint`). Token prices:
the lowest in the data is gpt-5-nano input 0.05, cached and batch prices go down to about 0.0025, the
highest anywhere a few hundred USD per 1M output tokens; 0 (a free tier) is also accepted. GPU-hours:
0.34 to 10.98 in the data. Electricity: a few cents to well under a dollar per kWh everywhere. Used by
every price record, :func:`labs.costs.ownership_cost` and the widgets."""

OUTPUT_TO_INPUT = (0.2, 50.0)
"""Output price ÷ input price of every real text model (2 to 8 in the data): outside it, one of the two
was typed in another unit."""
SLIP_FACTOR = 100.0
"""An override this many times away from the dated price it replaces is a unit slip (1,000 for per-1K)."""
WARN_FACTOR = 5.0
"""An override this many times away from the dated price gets a :class:`PriceWarning`."""
_FREE_OK = {"USD per 1M tokens"}  # a free tier is a real price of 0


class PriceWarning(UserWarning):
    """A price far from the dated figure it replaces: allowed, but said out loud."""


def hint(unit: str) -> str:
    """What to give instead of an implausible price in ``unit``, in the learner's language (``LAB_LANG``)."""
    from labs.i18n import t

    return t(PLAUSIBLE[unit][2])


_WHAT = {"input price": "prices.what.input", "output price": "prices.what.output",
         "cached input price": "prices.what.cached", "long-context input price": "prices.what.long_input",
         "long-context output price": "prices.what.long_output", "rental price": "prices.what.rental",
         "purchase price": "prices.what.purchase"}
_UNIT = {"USD per 1M tokens": "prices.unit.per_mtok", "USD per GPU-hour": "prices.unit.per_gpu_hour",
         "USD": "prices.unit.usd"}


def _said(name: str, unit: str) -> tuple[str, str]:
    """``"model: input price"`` and its unit in the learner's language (the model or card name stays as it is)."""
    from labs.i18n import t

    owner, _, what = name.rpartition(": ")
    what = t(_WHAT[what]) if what in _WHAT else what
    return (f"{owner}: {what}" if owner else what), (t(_UNIT[unit]) if unit in _UNIT else unit)


def check_price(name: str, value: object, unit: str) -> float:
    """``value`` as a price in ``unit``, refused (ValueError naming the unit) outside :data:`PLAUSIBLE`
    (0 is accepted for token prices: a free tier)."""
    low, high, _key = PLAUSIBLE[unit]
    said, said_unit = _said(name, unit)
    if unit in _FREE_OK and number(said, value, said_unit, allow_zero=True) == 0:
        return 0.0
    return plausible(said, value, said_unit, low, high, hint(unit))


def check_against(name: str, new: float, old: float, unit: str, fix: str) -> None:
    """An override ``new`` against the dated ``old`` it replaces: ValueError at :data:`SLIP_FACTOR` ×,
    :class:`PriceWarning` at :data:`WARN_FACTOR` ×, nothing closer (or for a 0 on either side)."""
    if not new or not old:
        return
    factor = max(new / old, old / new)
    from labs.i18n import messages, t

    shown = t(f"prices.unit.{unit}") if f"prices.unit.{unit}" in messages() else unit  # the unit, read in LAB_LANG
    text = t("prices.override.far", name=name, new=new, unit=shown, factor=factor, old=old)
    if factor >= SLIP_FACTOR:
        raise ValueError(t("prices.override.slip", text=text, hint=fix))
    if factor >= WARN_FACTOR:
        warnings.warn(t("prices.override.check_unit", text=text, hint=fix), PriceWarning, stacklevel=3)


# --- price records -------------------------------------------------------------------------

class _Dated:
    """Shared behaviour of the price records: a dated source and overrides."""

    source: str
    as_of: str
    _UNITS: ClassVar[dict[str, str]] = {}  # price field → unit, for the check against the dated price

    def override(self, *, as_of: str | None = None, **changes: object):
        """A copy with some prices replaced by the learner's, marked as an override dated today.

        >>> p = api_price("gpt-4o-mini").override(output_usd_per_mtok=0.5, as_of="2026-11-25")
        >>> p.output_usd_per_mtok, p.source, p.as_of
        (0.5, 'learner override (was: OpenAI pricing page, 2025-06)', '2026-11-25')
        """
        from labs.i18n import t

        if not changes:
            raise ValueError(t("prices.override.nothing"))
        names = {f.name for f in dataclasses.fields(self)} - {"source", "as_of", "note", *_TRANSLATED.values()}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(t("prices.override.unknown", unknown=unknown, record=type(self).__name__,
                               fields=", ".join(sorted(names))))
        # the label is read where it is printed, so it is written in LAB_LANG (English: OVERRIDE_SOURCE …)
        source = t("prices.override.source", was=in_language(self, "source"), as_of=as_of_label(self.as_of))
        new = dataclasses.replace(self, **changes, source=source, source_uk="", as_of=as_of or date.today().isoformat())
        for field_name, unit in self._UNITS.items():  # the range and the other fields passed: now the old price
            old, value = getattr(self, field_name), getattr(new, field_name)
            if field_name in changes and old is not None and value is not None:
                check_against(f"{self.key}: {field_name}", float(value), float(old), unit, hint(unit))
        return new


@dataclass(frozen=True)
class ApiPrice(_Dated):
    """A cloud model's token prices (USD per 1M tokens)."""

    _UNITS: ClassVar[dict[str, str]] = {f: "USD per 1M tokens" for f in
                                        ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok",
                                         "long_input_usd_per_mtok", "long_output_usd_per_mtok")}
    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    source: str
    as_of: str
    provider: str = ""
    cached_input_usd_per_mtok: float | None = None
    note: str = ""
    source_uk: str = ""
    note_uk: str = ""

    reasoning: bool = False
    """A reasoning model: it may spend hidden reasoning (thinking) tokens, billed as output."""
    reasoning_opt_in: bool = False
    """Its thinking is off unless a request turns it on (``opt-in`` in the data: Claude's extended thinking,
    Gemini 2.5 Flash-Lite), so a default request bills no hidden tokens (:attr:`thinks_by_default`)."""
    long_context_above_tokens: int | None = None
    """Prompts longer than this (input tokens per request) are billed at the long-context prices."""
    long_input_usd_per_mtok: float | None = None
    long_output_usd_per_mtok: float | None = None

    def __post_init__(self) -> None:
        unit = "USD per 1M tokens"
        given = check_price(f"{self.model}: input price", self.input_usd_per_mtok, unit)
        out = check_price(f"{self.model}: output price", self.output_usd_per_mtok, unit)
        low, high = OUTPUT_TO_INPUT
        if given and out and not low <= out / given <= high:
            from labs.i18n import t

            raise ValueError(t("prices.api.output_ratio", model=self.model, out=out, ratio=out / given, given=given,
                               high=high))
        if self.cached_input_usd_per_mtok is not None:
            cached = check_price(f"{self.model}: cached input price", self.cached_input_usd_per_mtok, unit)
            if cached > given:
                from labs.i18n import t

                raise ValueError(t("prices.api.cached_above", model=self.model, cached=cached, given=given))
        long = (self.long_context_above_tokens, self.long_input_usd_per_mtok, self.long_output_usd_per_mtok)
        if any(v is not None for v in long):
            if any(v is None for v in long):
                from labs.i18n import t

                raise ValueError(t("prices.error.long_context", model=self.model))
            check_price(f"{self.model}: long-context input price", self.long_input_usd_per_mtok, unit)
            check_price(f"{self.model}: long-context output price", self.long_output_usd_per_mtok, unit)

    def tier_for(self, input_tokens: float) -> tuple[float, float]:
        """(input, output) USD per 1M tokens for a request with ``input_tokens`` of prompt: the long-context
        prices above ``long_context_above_tokens`` (Gemini 2.5 Pro, Claude Sonnet 4.5 above 200K)."""
        if self.long_context_above_tokens is not None and input_tokens > self.long_context_above_tokens:
            return self.long_input_usd_per_mtok, self.long_output_usd_per_mtok  # type: ignore[return-value]
        return self.input_usd_per_mtok, self.output_usd_per_mtok

    @property
    def thinks_by_default(self) -> bool:
        """A request that does not mention thinking still spends (and bills) hidden reasoning tokens."""
        return self.reasoning and not self.reasoning_opt_in

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
    _UNITS: ClassVar[dict[str, str]] = {"usd_per_gpu_hour": "USD per GPU-hour"}
    gpu: str
    provider: str
    offer: str
    usd_per_gpu_hour: float
    source: str
    as_of: str
    note: str = ""
    source_uk: str = ""
    note_uk: str = ""

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
    _UNITS: ClassVar[dict[str, str]] = {"price_usd": "USD"}
    card: str
    variant: str
    price_usd: float
    source: str
    as_of: str
    note: str = ""
    source_uk: str = ""
    note_uk: str = ""

    @property
    def power_w(self) -> float:
        """Power draw under load (watts), from ``hardware.csv``."""
        watts = hardware_card(self.card).watts
        if watts is None:
            from labs.i18n import t

            raise ValueError(t("prices.error.no_power", card=self.card))
        return watts

    @property
    def key(self) -> str:
        return f"{self.card} ({self.variant})"


# --- loading the data files ------------------------------------------------------------------

_TRANSLATED = {"source": "source_uk", "note": "note_uk"}
"""A price row's prose (English, as the data was read) → the column of its Ukrainian version."""


def _prose(row: dict) -> dict[str, str]:
    """A row's ``source`` and ``note`` with their Ukrainian versions (empty where the row has none)."""
    return {name: row.get(name, "") for pair in _TRANSLATED.items() for name in pair}


def in_language(record: _Dated, name: str, lang: str | None = None) -> str:
    """A record's ``source`` or ``note`` as a reader of ``lang`` (else ``LAB_LANG``) reads it: its Ukrainian
    version (``source_uk``/``note_uk``) in Ukrainian where the data gives one, else the English as read.

    >>> hardware("RTX 4090 24 GB (MSRP)").note, in_language(hardware("RTX 4090 24 GB (MSRP)"), "note", "uk")
    ('launch list price', 'рекомендована ціна на старті продажів')
    """
    from labs.i18n import language

    english = getattr(record, name)
    return (getattr(record, _TRANSLATED[name]) or english) if language(lang) == "uk" else english


def _optional(text: str) -> float | None:
    return float(text) if text.strip() else None


def _reasoning(row: dict) -> dict[str, bool]:
    """The ``reasoning`` column: ``yes`` (thinks by default), ``opt-in`` (only when a request enables it) or empty."""
    value = row["reasoning"].strip()
    if value not in ("", "yes", "opt-in"):
        from labs.i18n import t

        raise ValueError(t("prices.error.reasoning", model=row["model"], value=value))
    return {"reasoning": value != "", "reasoning_opt_in": value == "opt-in"}


@lru_cache(maxsize=None)
def _api_prices() -> tuple[ApiPrice, ...]:
    return tuple(
        ApiPrice(
            model=r["model"], provider=r["provider"], input_usd_per_mtok=float(r["input_usd_per_mtok"]),
            output_usd_per_mtok=float(r["output_usd_per_mtok"]),
            cached_input_usd_per_mtok=_optional(r["cached_input_usd_per_mtok"]),
            **_prose(r), as_of=r["as_of"], **_reasoning(r),
            long_context_above_tokens=int(r["long_context_above_tokens"]) if r["long_context_above_tokens"] else None,
            long_input_usd_per_mtok=_optional(r["long_input_usd_per_mtok"]),
            long_output_usd_per_mtok=_optional(r["long_output_usd_per_mtok"]),
        )
        for r in data_rows("api_prices.csv")
    )


@lru_cache(maxsize=None)
def _gpu_rentals() -> tuple[GpuRental, ...]:
    return tuple(
        GpuRental(gpu=r["gpu"], provider=r["provider"], offer=r["offer"], usd_per_gpu_hour=float(r["usd_per_gpu_hour"]),
                  as_of=r["as_of"], **_prose(r))
        for r in data_rows("gpu_rental.csv")
    )


@lru_cache(maxsize=None)
def _hardware() -> tuple[HardwarePrice, ...]:
    return tuple(
        HardwarePrice(card=r["card"], variant=r["variant"], price_usd=float(r["price_usd"]),
                      as_of=r["as_of"], **_prose(r))
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


def as_of_label(as_of: str) -> str:
    """A price's date as a reader of ``LAB_LANG`` reads it: the data's ``undated`` and ``2026-09 to 2026-11``
    in that language (Ukrainian «без дати», «з 2026-09 до 2026-11»), any other date as written.

    >>> as_of_label("2025-06"), as_of_label("undated"), as_of_label("2026-09 to 2026-11")
    ('2025-06', 'undated', '2026-09 to 2026-11')
    """
    from labs.i18n import t

    if as_of == "undated":
        return t("costs.as_of.undated")
    start, sep, end = as_of.partition(" to ")
    return t("costs.as_of.range", start=start, end=end) if sep else as_of


def prices_frame(kind: str = "api"):
    """A pandas table of one data file (``"api"``, ``"rental"`` or ``"hardware"``) for display; its ``as_of``
    dates, ``source`` and ``note`` read in the learner's language (:func:`as_of_label`, :func:`in_language`);
    the columns keep the data's names, the records the data's own texts."""
    import pandas as pd

    from labs.i18n import t

    records = {"api": _api_prices, "rental": _gpu_rentals, "hardware": _hardware}
    if kind not in records:
        raise ValueError(t("prices.error.kind", kinds=sorted(records), got=kind))
    rows = records[kind]()
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows]).drop(columns=list(_TRANSLATED.values()))
    for name in _TRANSLATED:
        frame[name] = [in_language(r, name) for r in rows]
    frame["as_of"] = frame["as_of"].map(as_of_label)
    return frame
