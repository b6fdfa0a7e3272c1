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

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"
_SPACES = "\t\n\r\v\f\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u2028\u2029\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b" \
             "\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff"

# What changes the length: a run of %XX, an HTML character reference, a whitespace run (two or
# more, or one that is not a plain space next to another), an invisible character.
_SPECIAL = re.compile(
    r"(?:%[0-9A-Fa-f]{2})+"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
    rf"|[ {_SPACES}]{{2,}}"
    rf"|[{_INVISIBLE}]+"
)


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
    for ch in "\t\n\r\v\f":  # a single line break or tab reads as a space
        table[ord(ch)] = " "
    chars = "".join(re.escape(chr(cp)) for cp in sorted(table))
    return table, re.compile(f"[{chars}]")


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


def _decode(piece: str) -> str:
    if piece[0] == "%":
        return unquote(piece, errors="replace")
    if piece[0] == "&":
        return html.unescape(piece)
    if piece[0] in _INVISIBLE:
        return ""
    return " "


def normalize(text: str) -> View:
    """The view of ``text`` the PII detector reads (see the module docstring). Plain ASCII prose
    without encodings costs one regex scan; offsets are identity unless something was decoded."""
    table, needs_fold = _fold_table()
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in _SPECIAL.finditer(text):
        new = _decode(m.group())
        if new == m.group():
            continue
        parts.append(text[last : m.start()])
        starts.extend(range(last, m.start()))
        ends.extend(range(last + 1, m.start() + 1))
        parts.append(new)
        starts.extend([m.start()] * len(new))
        ends.extend([m.end()] * len(new))
        last = m.end()
    if parts:
        parts.append(text[last:])
        starts.extend(range(last, len(text)))
        ends.extend(range(last + 1, len(text) + 1))
        out = "".join(parts)
    else:
        out = text
    if needs_fold.search(out):
        out = out.translate(table)
    if not parts:
        return View(out)
    return View(out, starts, ends)
