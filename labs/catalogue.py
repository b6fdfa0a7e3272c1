"""Find an entry by name, else list the choices: the one lookup every table in the workbook uses.

Prices (:mod:`labs.prices`), hardware (:mod:`labs.hardware`), model architectures, quantizations and
KV-cache types (:mod:`labs.sizing`, :mod:`labs.kvcache`) are dictionaries keyed by a name the learner
types. A wrong name always fails the same way: a :class:`ValueError` that names what was asked for
and lists every name that would work. Taught implicitly in lessons 1 and 4 (every helper that takes
a model, card or price name goes through here).

>>> pick("quantization", {"Q4_K_M": 4.89, "Q8_0": 8.5}, "q4_k_m", fold_case=True)
4.89
>>> pick("card", {"RTX 4090 24 GB": 1}, "RTX 4090")
Traceback (most recent call last):
...
ValueError: unknown card 'RTX 4090': use one of RTX 4090 24 GB
"""

from __future__ import annotations

from typing import Mapping, TypeVar

T = TypeVar("T")


def pick(kind: str, table: Mapping[str, T], name: object, *, fold_case: bool = False, hint: str = "") -> T:
    """``table[name]``; a ``ValueError`` listing ``table``'s names when there is no such entry.

    ``fold_case`` also accepts the name in another case (quantization names: ``q4_k_m``).
    The message is the catalogue's ``catalogue.unknown`` in ``LAB_LANG`` (:mod:`labs.i18n`): ``kind`` reads as
    ``catalogue.kind.<kind>`` where the catalogue has it, and ``catalogue.fix.<kind>`` adds what else fixes it
    (an API model: the price file to add a dated row to). ``hint`` (text in the reader's language) is added after.

    >>> pick("API model", {"gpt-4o-mini": 1}, "gpt-5o")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown API model 'gpt-5o': use one of gpt-4o-mini; to price another model, add a dated row ... `labs/data/api_prices.csv`
    """
    from labs.i18n import messages, shown, t

    if isinstance(name, str):
        if name in table:
            return table[name]
        if fold_case:
            folded = {k.casefold(): v for k, v in table.items()}
            if name.casefold() in folded:
                return folded[name.casefold()]
    kind_key, fix_key = f"catalogue.kind.{kind}", f"catalogue.fix.{kind}"
    fix = t(fix_key) if fix_key in messages() else ""
    raise ValueError(t("catalogue.unknown", kind=t(kind_key) if kind_key in messages() else kind, name=shown(name),
                       choices=", ".join(table), fix=fix + (f" {hint}" if hint else "")))
