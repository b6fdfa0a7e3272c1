"""See identifiers the way a person reads them, whatever the bytes say (lesson 3: closing the class).

A pattern such as ``\\+?\\d[\\d ]{8,}`` reads characters, not numbers. People (and copied web
pages) write the same phone number as ``０６７１２３４５６７`` (full-width digits), ``067‑123‑45‑67``
(non-breaking hyphens), ``%2B380671234567`` (a link), ``&#43;380&#160;67…`` (HTML), ``067\\n123 45 67``
(a wrapped line) or with an invisible zero-width space inside. :func:`normalize` gives the
detector one canonical *view* of the text:

* **decoded**: percent-encoding (``urllib.parse.unquote``) and HTML character references
  (``html.unescape``) become the characters they stand for;
* **folded, one character for one**: every Unicode decimal digit (Arabic-Indic, full-width,
  mathematical ...) becomes ``0``-``9``; full-width ASCII and compatibility forms become ASCII
  (Unicode NFKC, where it yields one character); dashes and minus signs become ``-``; odd spaces
  and single line breaks become a space;
* **squeezed**: invisible characters (zero-width space, soft hyphen, BOM ...) are dropped and a
  run of whitespace becomes one space.

Letters keep their script (Ukrainian context words must still read as Ukrainian); look-alike
letters inside Latin identifiers (a Cyrillic ``а`` in ``exаmple.com``) are the detector's job:
its patterns accept them and :func:`fold_confusables` maps them before a checksum.

:class:`View` remembers where each character came from, so a finding in the view maps back to
the exact span of the original text, and masking and the audit log work on what the user wrote.

>>> v = normalize("тел.%2B380&#160;67\\u200b123\\n45 67")
>>> v.text
'тел.+380 67123 45 67'
>>> start, end = v.span(4, len(v.text))
>>> "тел.%2B380&#160;67\\u200b123\\n45 67"[start:end]
'%2B380&#160;67\\u200b123\\n45 67'
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

# Latin look-alikes from Cyrillic and Greek (Unicode TR39 confusables, the letters that matter
# for e-mail, IBAN and passport identifiers); the detector's patterns accept these letters and
# fold them with this table before a checksum or a domain test.
CONFUSABLES = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W", "Ї": "I",
    # Cyrillic small
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ї": "i",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "α": "a", "ι": "i", "κ": "k", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
}
CONFUSABLE_CLASS = "".join(CONFUSABLES)  # for use inside a regex character class
_CONFUSABLE_TABLE = str.maketrans(CONFUSABLES)

_DASHES = "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d\u2043"  # not the em dash: that one is punctuation
_SPACES = "\t\n\r\v\f\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u2028\u2029\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b" \
             "\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff"

# What changes the length: a run of %XX, an HTML character reference, a whitespace run, an
# invisible character. Separate patterns, each run only when its first character occurs: one
# alternation of all four scans a 2 KB prompt about 5x slower.
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_WS_RUN = re.compile(r"\s\s+")
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")


def fold_confusables(text: str) -> str:
    """``text`` with Cyrillic and Greek look-alike letters replaced by the Latin ones (same length).

    >>> fold_confusables("UА21 exаmple.com")  # both 'А'/'а' are Cyrillic
    'UA21 example.com'
    """
    return text.translate(_CONFUSABLE_TABLE)


@lru_cache(maxsize=1)
def _fold_table() -> tuple[dict[int, str], re.Pattern]:
    """One-for-one folds for every BMP and astral character that needs one, and a regex that
    finds any of them (built on first use: about 20 ms, then cached)."""
    table: dict[int, str] = {}
    for cp in range(0x80, 0x20000):  # every decimal digit lies in planes 0 and 1
        ch = chr(cp)
        if ch in _DASHES:
            table[cp] = "-"
        elif ch in _SPACES:
            table[cp] = " "
        elif unicodedata.category(ch) == "Nd":
            table[cp] = str(unicodedata.decimal(ch))
        elif 0xFF01 <= cp <= 0xFF5E or cp in (0xFE6B, 0xFE62, 0xFE52, 0x2024, 0xFE50, 0xFE55):
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) == 1 and folded.isascii():
                table[cp] = folded
    for ch in "\t\n\r\v\f\x1c\x1d\x1e\x1f":  # a single line break or tab reads as a space
        table[ord(ch)] = " "
    # Ranges of BMP code points keep the class a bitmap (one lookup per character); any astral
    # character (rare) simply triggers the fold.
    ranges: list[list[int]] = []
    for cp in sorted(c for c in table if c <= 0xFFFF):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    bmp = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return table, re.compile(f"[{bmp}]|[\U00010000-\U0010FFFF]")


@dataclass(frozen=True)
class View:
    """The normalised ``text`` and, when its length differs from the original's, where each
    character came from: ``starts[i]``/``ends[i]`` is the original span of ``text[i]``."""

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]`` (``start < end``)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _pieces(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every length-changing piece, in order, not overlapping."""
    found = [(m.start(), m.end(), " ") for m in _WS_RUN.finditer(text)]
    if "%" in text:
        found += [(m.start(), m.end(), unquote(m.group(), errors="replace")) for m in _PERCENT.finditer(text)]
    if "&" in text:
        found += [(m.start(), m.end(), html.unescape(m.group())) for m in _ENTITY.finditer(text)]
    if not text.isascii():
        found += [(m.start(), m.end(), "") for m in _INVISIBLE_RUN.finditer(text)]
    found.sort()
    out, last = [], 0
    for start, end, new in found:
        if start >= last and new != text[start:end]:
            out.append((start, end, new))
            last = end
    return out


def normalize(text: str) -> View:
    """The view of ``text`` the PII detector reads (see the module docstring). Offsets are the
    identity unless something was decoded or squeezed."""
    table, needs_fold = _fold_table()
    pieces = _pieces(text)
    out = text
    starts: list[int] = []
    ends: list[int] = []
    if pieces:
        parts: list[str] = []
        last = 0
        for start, end, new in pieces:
            parts.append(text[last:start])
            starts.extend(range(last, start))
            ends.extend(range(last + 1, start + 1))
            parts.append(new)
            starts.extend([start] * len(new))
            ends.extend([end] * len(new))
            last = end
        parts.append(text[last:])
        starts.extend(range(last, len(text)))
        ends.extend(range(last + 1, len(text) + 1))
        out = "".join(parts)
    if needs_fold.search(out):  # one-for-one: offsets do not move
        out = needs_fold.sub(lambda m: table.get(ord(m.group()), m.group()), out)
    return View(out, starts, ends) if pieces else View(out)
