"""Fast word-list matching for the router's heuristics (lesson 3: deciding in about a millisecond, no model called).

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
from typing import Callable, Iterable


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone UTF-16 surrogate (what ``json.loads`` makes of ``"\\ud800"``) replaced by U+FFFD, one
    character for one, so offsets stay valid: for what must encode as UTF-8 (a matcher, a log line). Issue 11 r14.

    >>> without_surrogates("067 " + chr(0xD800)) == "067 " + chr(0xFFFD)
    True
    """
    return _SURROGATE.sub("\ufffd", text)


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


def literal_gate(rx: re.Pattern, most: int = 16) -> tuple[str, ...] | None:
    """Strings of which every match of ``rx`` holds one, read off the pattern (each top-level branch's leading
    literal, zero-width assertions before it skipped; for a branch that starts with a class, the first literal of its
    own sequence), or None when some branch holds no such literal, the pattern ignores case, or more than ``most``
    strings would be needed.

    ``not any(s in text for s in gate)`` then proves ``rx`` finds nothing in ``text``: a substring test is many
    times faster than a regex scan, and a gate derived from the pattern cannot drift from it when the pattern grows.

    >>> literal_gate(re.compile(r"(?<![a-z])(?:apt|flat|kv\\.?)(?![a-z])"))
    ('apt', 'flat', 'kv')
    >>> literal_gate(re.compile(r"[рp]\\W?[нh]\\W?п|іпн"))
    ('п', 'іпн')
    >>> literal_gate(re.compile(r"[мс]\\d")) is None
    True
    """
    return _read_literals(rx, _leading_literals, most)


def _read_literals(rx: re.Pattern, walk: Callable[[list], list[str] | None], most: int) -> tuple[str, ...] | None:
    """``walk`` over the stdlib's own parse of ``rx``, its strings deduplicated in order; None when the pattern ignores
    case, the parse differs (a Python without ``re._parser``), or ``walk`` finds none, an empty one or over ``most``:
    no literals, never wrong ones. Shared by :func:`literal_gate` and :func:`leading_literals`."""
    if rx.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser

        out = walk(list(_parser.parse(rx.pattern, rx.flags).data))
    except Exception:  # noqa: BLE001 - any parser difference: no literals, never wrong ones
        return None
    if not out or "" in out or len(out) > most:
        return None
    return tuple(dict.fromkeys(out))


def _leading_literals(items: list) -> list[str]:
    """Each way ``items`` (parsed regex items) can start, as its leading literal text ("" when none)."""
    from re import _constants as c

    prefix = ""
    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT) and not prefix:
            continue  # zero width: the match's text starts after it
        if op is c.LITERAL:
            prefix += chr(av)
            continue
        if op is c.SUBPATTERN and not av[1] and not av[2]:  # a group with no flags of its own
            inner = _leading_literals(list(av[3].data))
            return [prefix + s for s in inner] if all(inner) else [prefix]
        if op is c.BRANCH:
            inner = [s for alt in av[1] for s in _leading_literals(list(alt.data))]
            return [prefix + s for s in inner] if all(inner) else [prefix]
        break
    return [prefix or _inner_literal(items)]


def _inner_literal(items: list) -> str:
    """The first run of literals at the top level of ``items`` (each item of a sequence is required), or ""."""
    from re import _constants as c

    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
        elif run:
            break
    return run


def first_char_branches(alternatives: Iterable[str], after_first: str = "") -> str:
    """``(?:a|b|…)`` regrouped by each alternative's first character, ``after_first`` (a lookbehind written for the
    position after that character, e.g. ``(?<!\\w.)``) right after it: ``(?:t(?<!\\w.)(?:elegram|g)|s(?<!\\w.)(?:kype))``.

    Why: a pattern that starts with a lookbehind or a lookahead makes Python's ``re`` run the whole matcher at every
    position; one whose first item is a branch of literals lets it skip in C to a position holding one of those
    characters (``_HANDLE_LABEL`` on the 2 KB ticket: 31 -> 23 us). The matches are the same: alternatives with
    different first characters never match at the same position, and each group keeps its alternatives' order.
    Each alternative must start with a literal character (not a class, an escape or a group).

    >>> first_char_branches(["telegram", "tg", "skype"], "(?<!\\\\w.)")
    '(?:t(?<!\\\\w.)(?:elegram|g)|s(?<!\\\\w.)(?:kype))'
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        if not alt or not (alt[0].isalnum() or alt[0] in "№@#"):
            raise ValueError(f"alternative {alt!r}: it must start with a literal character")
        groups.setdefault(alt[0], []).append(alt[1:])
    return "(?:" + "|".join(f"{re.escape(first)}{after_first}(?:{'|'.join(rest)})"
                            for first, rest in groups.items()) + ")"


_DIGIT = re.compile(r"\d")


def has_digit(text: str) -> bool:
    """``re.search(r"\\d", text) is not None``, faster: ten ``in`` tests (memchr) for the ASCII digits, the regex only
    for a text without any that is not ASCII (another script's digits). On 2 KB of prose without digits: ~2 us, not
    the ~23 us of a scan for ``\\d``.

    >>> has_digit("no digits here"), has_digit("order 7"), has_digit("٣ (Arabic-Indic three)")
    (False, True, True)
    """
    return any(d in text for d in "0123456789") or (not text.isascii() and _DIGIT.search(text) is not None)


def leading_literals(rx: re.Pattern, most: int = 64) -> tuple[str, ...] | None:
    """Non-empty strings one of which every match of ``rx`` STARTS with (zero-width assertions skipped: they consume
    nothing), read off the pattern; None when some branch starts with no literal (a class, a repeat), the pattern or a
    group ignores case, or more than ``most`` strings would be needed. What :func:`finditer_at_literals` needs.

    >>> leading_literals(re.compile(r"(?<![a-z])(?:t(?<!\\w.)(?:elegram|g)|skype)(?![a-z])"))
    ('telegram', 'tg', 'skype')
    >>> leading_literals(re.compile(r"\\d+|tel")) is None
    True
    """
    return _read_literals(rx, _starts, most)


def _starts(items: list) -> list[str] | None:
    """Each way the sequence ``items`` (parsed regex items) can start, as its literal text up to the first item that is
    neither a literal nor zero-width; None if a way starts with no literal at all."""
    from re import _constants as c

    prefix = ""
    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # zero width: the match's text goes on after it
        if op is c.LITERAL:
            prefix += chr(av)
            continue
        if op is c.SUBPATTERN:
            if av[1] or av[2]:  # a group with flags of its own (case): no literal is safe
                return [prefix] if prefix else None
            inner = _starts(list(av[3].data))
            if inner is None:
                return [prefix] if prefix else None
            return [prefix + s for s in inner]
        if op is c.BRANCH:
            inner = [_starts(list(alt.data)) for alt in av[1]]
            if any(i is None for i in inner):
                return [prefix] if prefix else None
            return [prefix + s for i in inner for s in i]
        break
    return [prefix] if prefix else None


def finditer_at_literals(rx: re.Pattern, text: str, literals: tuple[str, ...], pos: int = 0,
                         endpos: int | None = None) -> list[re.Match]:
    """``list(rx.finditer(text, pos, endpos))``, found from the places where one of ``literals`` (every match of ``rx``
    starts with one: :func:`leading_literals`) occurs, by ``str.find``, and ``rx.match`` there, instead of a regex scan
    that runs the matcher at every position. The same matches: the leftmost match from a position is the first
    occurrence at or after it where ``rx`` matches (a match starts at an occurrence, and ``rx.match`` at a position
    reads it exactly as a scan does, lookbehinds included), and each search resumes where the last match ended."""
    endpos = len(text) if endpos is None else endpos
    at: set[int] = set()
    for lit in literals:
        i = text.find(lit, pos, endpos)
        while i >= 0:
            at.add(i)
            i = text.find(lit, i + 1, endpos)
    out: list[re.Match] = []
    resume = pos
    for i in sorted(at):
        if i >= resume and (m := rx.match(text, i, endpos)) is not None:
            out.append(m)
            resume = m.end()
    return out
