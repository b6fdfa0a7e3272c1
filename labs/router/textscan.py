"""Fast word-list matching for the router's heuristics (lesson 3: deciding in under a millisecond).

Python's ``re`` tries every branch of ``a|b|c`` at every position. Grouping the branches by
their first letter (``d(?:iabetes|iagnosed)|m(?:etformin|igraine)``) lets it reject most
positions after one comparison, and matching lower-cased text avoids the slower
case-insensitive mode: together about 7x faster on a 2 KB prompt.

>>> rx = word_regex(["diabetes", "diagnos\\\\w*", "metformin"])
>>> [m.group() for m in rx.finditer(lower("Diagnosed: DIABETES; takes metformin"))]
['diagnosed', 'diabetes', 'metformin']
"""

from __future__ import annotations

import re
from typing import Iterable


def lower(text: str) -> str:
    """``text.lower()`` with the same length, so offsets stay valid (``'İ'.lower()`` has two chars)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[:1] or ch for ch in text)


def word_regex(patterns: Iterable[str]) -> re.Pattern:
    """One regex for whole-word matches of lower-case ``patterns``, grouped by first character.

    Each pattern starts with a literal lower-case character; the rest may be any regex.
    """
    groups: dict[str, list[str]] = {}
    for p in patterns:
        if not p or not (p[0].isalnum() or p[0] == "'") or p[0] != p[0].lower():
            raise ValueError(f"pattern {p!r}: it must start with a literal lower-case letter or digit")
        groups.setdefault(p[0], []).append(p[1:])
    body = "|".join(
        re.escape(first) + "(?:" + "|".join(sorted(rest, key=len, reverse=True)) + ")" for first, rest in groups.items()
    )
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")
