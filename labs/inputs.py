"""Checking the numbers a learner passes in, with one message style for the whole workbook.

Every lesson helper that takes a volume, a price, a context length or a count checks it here, so a
wrong value always fails the same way: a :class:`ValueError` naming the argument, the unit and what
to pass instead (never a NaN or a negative cost further down).

>>> number("requests_per_day", 0, "requests per day")
Traceback (most recent call last):
...
ValueError: requests_per_day must be greater than zero (requests per day); got 0. Pass a realistic value.
>>> fraction("utilisation", 1.5)
Traceback (most recent call last):
...
ValueError: utilisation is a fraction from 0 to 1 (0.5 = half); got 1.5.
>>> whole("context", -1)
Traceback (most recent call last):
...
ValueError: context must be a whole number of 1 or more; got -1.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any


def _t(key: str, **fields: Any) -> str:
    """The message in the learner's language (``LAB_LANG``): labs/data/messages.yaml, ``inputs.*``; a ``unit``
    written in English by the caller (``"requests per day"``) is said in that language too, from
    ``inputs.unit.<words_joined_by_underscores>`` where the catalogue has it (else it stays as given)."""
    from labs.i18n import messages, t  # at call time: nothing at import time

    if isinstance(fields.get("unit"), str):
        slug = re.sub(r"[^a-z0-9]+", "_", fields["unit"].lower()).strip("_")
        if f"inputs.unit.{slug}" in messages():
            fields["unit"] = t(f"inputs.unit.{slug}")
    return t(key, **fields)


def _shown(value: object) -> str:
    """The learner's value as they read numbers (``0,05``, ``-48 818,2`` in uk), anything else as ``repr``."""
    from labs.i18n import shown

    return shown(value)


def is_real(value: object) -> bool:
    """True for any real number a learner may hand over: ``int``, ``float``, ``fractions.Fraction``, numpy and
    pandas scalars (``np.int64``, ``np.float32`` from ``df[...].iloc[0]`` or ``np.round``); False for ``bool``
    (``True`` is an int to Python, never an answer) and ``numpy.bool_``."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(name: str, value: object, unit: str, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float above zero (or zero, with ``allow_zero``); any :func:`is_real` number."""
    if not is_real(value):
        raise ValueError(_t("inputs.not_a_number", name=name, unit=unit, value=_shown(value)))
    result = float(value)
    if math.isnan(result) or math.isinf(result):
        raise ValueError(_t("inputs.not_finite", name=name, unit=unit, value=_shown(value)))
    if result < 0 or (result == 0 and not allow_zero):
        key = "inputs.negative" if allow_zero else "inputs.not_positive"
        raise ValueError(_t(key, name=name, unit=unit, value=_shown(value)))
    return result


def plausible(name: str, value: object, unit: str, low: float, high: float, hint: str) -> float:
    """``value`` as a number from ``low`` to ``high`` in ``unit``; outside, a ValueError that names the
    unit and says what to give (``hint``): a figure typed in the wrong scale is refused, not used.

    >>> plausible("electricity", 20, "USD per kWh", 0.005, 5, "20 cents is 0.20")
    Traceback (most recent call last):
    ...
    ValueError: electricity = 20 USD per kWh is outside the plausible range (0.005 to 5 USD per kWh); 20 cents is 0.20.
    """
    result = number(name, value, unit)
    if not low <= result <= high:
        raise ValueError(_t("inputs.implausible", name=name, value=_shown(value), unit=unit, low=low, high=high,
                            hint=hint))
    return result


def fraction(name: str, value: object, *, allow_zero: bool = False) -> float:
    """``value`` as a share from 0 (only with ``allow_zero``) to 1."""
    result = number(name, value, "a fraction from 0 to 1", allow_zero=allow_zero)
    if result > 1:
        raise ValueError(_t("inputs.not_a_fraction", name=name, value=_shown(value)))
    return result


def whole(name: str, value: object) -> int:
    """``value`` as a whole number of 1 or more (booleans are refused, though Python counts them as ints;
    ``np.int64`` is accepted and returned as ``int``)."""
    if not is_real(value) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(_t("inputs.not_whole", name=name, value=_shown(value)))
    return int(value)
