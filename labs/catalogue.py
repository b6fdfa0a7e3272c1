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
    ``hint`` is added to the message (e.g. "or pass an Architecture").
    """
    if isinstance(name, str):
        if name in table:
            return table[name]
        if fold_case:
            folded = {k.casefold(): v for k, v in table.items()}
            if name.casefold() in folded:
                return folded[name.casefold()]
    extra = f" {hint}" if hint else ""
    raise ValueError(f"unknown {kind} {name!r}: use one of {', '.join(table)}{extra}")
