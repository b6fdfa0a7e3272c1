"""See identifiers the way a person reads them, whatever the bytes say (lesson 3: closing the class).

A pattern such as ``\\+?\\d[\\d ]{8,}`` reads characters, not numbers. People (and copied web
pages, logs, JSON, e-mails) write the same phone number as ``０６７１２３４５６７`` (full-width digits),
``0️⃣6️⃣7️⃣…`` (keycaps), ``067‑123‑45‑67`` (non-breaking hyphens), ``%252B380…`` (a link inside a
link), ``&amp;#48;…`` (HTML escaped twice), ``\\u0030\\u0036…`` (JSON), ``MDY3MTIzNDU2Nw==``
(base64), ``067\\n> 123 45 67`` (a quoted, wrapped line), ``O67 l23 45 67`` (letters that look like
digits) or with an invisible character inside. :func:`normalize` gives the detector one
canonical *view* of the text:

* **decoded, repeatedly until nothing changes** (at most :data:`MAX_ROUNDS` rounds):
  percent-encoding (``+`` is a space inside a query string), HTML character references, HTML
  tags and comments, JSON/Python escapes (``\\uXXXX``, ``\\xNN``, ``\\n``, JSON's ``\\/``, Markdown's ``\\-``),
  quoted-printable (``=D0=86``), base64 and hex tokens that decode to readable text, text in a
  right-to-left override (read both as shown, reversed, and as stored);
* **stripped**: every invisible character — format characters (Unicode category Cf: zero-width,
  bidi controls, tags), control characters, variation selectors, Hangul fillers, the braille
  blank, and combining marks on a digit (``0️⃣``, ``0\\u0301``);
* **folded, one character for one**: every Unicode digit (decimal, superscript, subscript,
  circled ...) becomes ``0``-``9``; full-width ASCII becomes ASCII; dashes become ``-``; odd
  spaces and line breaks become a space; letters that look like digits become digits inside a
  token that is mostly digits (``O67`` → ``067``, ``l23`` → ``123``); a word that mixes Latin and
  Cyrillic look-alike letters is written in one script (``дiабет`` with a Latin ``i`` →
  ``діабет``, ``раѕѕроrt`` → ``passport``);
* **read as a separator** between two digit groups: a dash of any kind (``067—123``, ``5168➖5124`` → ``-``), an
  emoji with its selectors, skin tone, ZWJ partners or flag (``5168💳5124``, ``UA75 🇺🇦 3223``), an ellipsis, an
  ideographic comma, a degree sign, a typographic apostrophe (→ a space); an "@" emoji inside an e-mail
  (``koval85🐶gmail.com``) → ``@``; a stress mark (``ді́абет``) is stripped; the Cyrillic ``УА`` before an IBAN's
  digits → ``UA``;
* **squeezed**: a run of whitespace (with a mail quote ``>`` or a list bullet after a line break)
  becomes one space.

Every step is linear in the length of the text. :class:`View` remembers where each character
came from, so a finding in the view maps back to the exact span of the original text, and
masking and the audit log work on what the user wrote.

>>> v = normalize("тел.%2B380&#160;67\\u200b123\\n45 67")
>>> v.text
'тел.+380 67123 45 67'
>>> start, end = v.span(4, len(v.text))
>>> "тел.%2B380&#160;67\\u200b123\\n45 67"[start:end]
'%2B380&#160;67\\u200b123\\n45 67'
>>> normalize("\\\\u0406\\\\u041f\\\\u041d 3124167891").text
'ІПН 3124167891'
"""

from __future__ import annotations

import base64
import binascii
import bisect
import html
import re
import unicodedata
from collections.abc import Iterator, Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from labs.router.textscan import has_digit
from labs.router.validators import iban_ok, luhn_ok

MAX_ROUNDS = 6  # decoding rounds: a link inside a link inside JSON is three; five layers of URL or base64 encoding (issue 11 r8 A8) and one more

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
# The other direction, for a Ukrainian word typed with a Latin letter or two ("дiабет", "PHOKПП").
LATIN_TO_CYRILLIC = {
    "a": "а", "e": "е", "i": "і", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "s": "ѕ", "j": "ј",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У",
}
# Letters read as digits inside a token that is mostly digits (TR39 confusables for 0, 1, 3, 5, 6, 8).
DIGIT_LOOKALIKES = {
    "O": "0", "o": "0", "О": "0", "о": "0", "Ο": "0", "ο": "0",
    "l": "1", "I": "1", "|": "1", "І": "1", "ӏ": "1",
    "З": "3", "з": "3", "S": "5", "Ѕ": "5", "б": "6", "B": "8", "В": "8",
}

_DASHES = "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d\u2043"  # not the em dash: that one is punctuation
_SPACES = "\t\n\r\v\f\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u2028\u2029\u202f\u205f\u3000"
_TYPOGRAPHY = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width space/joiners, word joiner, BOM
# Characters that show nothing (or a blank the eye skips) and are dropped from the view.
_EXTRA_INVISIBLE = "\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e"


@lru_cache(maxsize=1)
def _invisible_class() -> str:
    """A regex class of every character the view drops: categories Cf and Cc (less whitespace),
    enclosing marks, variation selectors, fillers; built once (about 30 ms)."""
    cps = [cp for cp in (*range(0x20000), *range(0xE0000, 0xE1000))
           if unicodedata.category(chr(cp)) in ("Cf", "Me") and cp not in (0x0600, 0x0601, 0x0602, 0x0603)]
    cps += [cp for cp in range(0x20) if chr(cp) not in "\t\n\r\v\f\x1c\x1d\x1e\x1f"] + list(range(0x7F, 0x85)) \
        + list(range(0x86, 0xA0)) + list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0)) \
        + [ord(c) for c in _EXTRA_INVISIBLE] \
        + list(range(0x180B, 0x1810)) + [0x2065] + list(range(0xFFF0, 0xFFF9)) + list(range(0xE0000, 0xE1000))
    # the rest of Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): Mongolian variation selectors,
    # and the code points reserved as ignorable (U+2065, U+FFF0..FFF8, the whole U+E0000 block): a program that
    # follows the standard shows none of them, whatever a later version assigns there
    return _ranges(sorted(set(cps)))


def _ranges(cps: list[int]) -> str:
    out: list[list[int]] = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in out)


@lru_cache(maxsize=1)
def _marks_class() -> str:
    """Non-spacing combining marks (category Mn): dropped when they sit on a digit."""
    return _ranges([cp for cp in range(0x300, 0x20000) if unicodedata.category(chr(cp)) == "Mn"])


def fold_confusables(text: str) -> str:
    """``text`` with Cyrillic and Greek look-alike letters replaced by the Latin ones (same length).

    >>> fold_confusables("UА21 exаmple.com")  # both 'А'/'а' are Cyrillic
    'UA21 example.com'
    """
    return text.translate(_CONFUSABLE_TABLE)


@lru_cache(maxsize=1)
def _fold_table() -> tuple[dict[int, str], re.Pattern]:
    """One-for-one folds for every BMP and astral character that needs one, and a regex that
    finds any of them (built on first use: about 40 ms, then cached)."""
    table: dict[int, str] = {}
    for cp in range(0x80, 0x20000):  # every Unicode digit lies in planes 0 and 1
        ch = chr(cp)
        if ch in _DASHES:
            table[cp] = "-"
        elif ch in _SPACES:
            table[cp] = " "
        elif unicodedata.category(ch) == "Nd":
            table[cp] = str(unicodedata.decimal(ch))
        elif unicodedata.category(ch) == "No" and unicodedata.digit(ch, None) is not None:
            table[cp] = str(unicodedata.digit(ch))  # ⁰ ₆ ⑦ ➏ ⒍ 🄁
        elif cp in (0x3002, 0xFF61):  # ideographic full stops: "olena@gmail。com"
            table[cp] = "."
        elif 0xFF01 <= cp <= 0xFF5E or cp in (0xFE6B, 0xFE62, 0xFE52, 0x2024, 0xFE50, 0xFE55):
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) == 1 and folded.isascii():
                table[cp] = folded
    for ch in "\t\n\r\v\f\x1c\x1d\x1e\x1f":  # a single line break or tab reads as a space
        table[ord(ch)] = " "
    bmp = _ranges(sorted(c for c in table if c <= 0xFFFF))
    return table, re.compile(f"[{bmp}]|[\U00010000-\U0010FFFF]")


@dataclass(frozen=True)
class _Round:
    """Where the characters of one decoding round's output came from, as segments (a map per
    piece, not per character: a 2 KB prompt with a few pieces maps in microseconds). Segment ``k``
    starts at ``at[k]`` in the new text; it copies the old text from ``old[k]`` (``old_end[k]``
    is -1) or replaces the old span ``old[k]:old_end[k]``."""

    at: list[int]
    old: list[int]
    old_end: list[int]

    def first(self, i: int) -> int:
        """The old index at which new character ``i`` starts."""
        k = bisect.bisect_right(self.at, i) - 1
        return self.old[k] + (i - self.at[k]) if self.old_end[k] < 0 else self.old[k]

    def last(self, i: int) -> int:
        """The old index of the last character new character ``i`` was made from."""
        k = bisect.bisect_right(self.at, i) - 1
        return self.old[k] + (i - self.at[k]) if self.old_end[k] < 0 else self.old_end[k] - 1


@dataclass(frozen=True)
class View:
    """The normalised ``text`` and, when its length differs from the original's, where each
    character came from (``rounds``: one map per decoding round): :meth:`span` gives the original
    span of a slice; ``starts[i]``/``ends[i]`` is the original span of ``text[i]`` (None when the
    offsets are the identity)."""

    text: str
    rounds: tuple[_Round, ...] = ()
    # The same view with look-alike letters left as letters ("з0671234567" keeps its "з"), when that
    # differs from ``text``: same length and offsets. A letter glued to a number may be a neighbouring
    # word ("ІПН 3124167891З повагою"), so the detector reads both and keeps what either finds.
    plain: str | None = None
    # Where ``text`` has a space that was a tab (a spreadsheet's cell boundary, "0671234567\t12"): digits on
    # both sides are two cells, so their gap is no evidence of a phone's or a card's grouping.
    tabs: frozenset[int] = frozenset()
    # Where ``text`` has a space that was a line break: "53386\n93644304648" is one card wrapped, "51569706 45586376"
    # two columns of df.
    breaks: frozenset[int] = frozenset()
    # Whether a piece was decoded into other text (not only squeezed or stripped): "+380=67=394=56=11" reads as
    # quoted-printable ("=67" → "g"), so the detector also reads the text as typed (issue 11 r10 A7).
    decoded: bool = False

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]`` (``start < end``)."""
        last = end - 1
        for r in reversed(self.rounds):
            start, last = r.first(start), r.last(last)
        return start, last + 1

    @property
    def starts(self) -> list[int] | None:
        return [self.span(i, i + 1)[0] for i in range(len(self.text))] if self.rounds else None

    @property
    def ends(self) -> list[int] | None:
        return [self.span(i, i + 1)[1] for i in range(len(self.text))] if self.rounds else None


# --- a census of the text: one byte a character, for C-fast gates ------------------------------
# A regex that starts with a character class tests every character of the text (~10 ns each: ~20 us on a 2 KB prompt,
# even when it finds nothing); bytes.find of a short needle costs ~1 us. So the scans below first find their
# candidates in a byte string with one byte per character (``str.encode("ascii", "replace")`` turns each other
# character into one "?"), each byte mapped by bytes.translate to the class of its character, and run their regex
# only there (issue 11 r14). Built per text and per call: nothing is kept across calls.


def _class_table(classes: dict[str, bytes], default: bytes) -> bytes:
    """A bytes.translate table: each ASCII character listed in a key maps to its value, any other byte to ``default``."""
    table = bytearray(default * 256)
    for chars, cls in classes.items():
        for ch in chars:
            table[ord(ch)] = cls[0]
    return bytes(table)


_ASCII_SPACES = "".join(chr(c) for c in range(128) if chr(c).isspace())  # what the regex's \s matches in ASCII
# every other character str.isspace() (and the regex's \s) accepts (tests/test_normalize_speed_r14.py checks the list)
_OTHER_SPACES = "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029" \
                "\u202f\u205f\u3000"
_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B64_ALPHABET = _LATIN + "0123456789+/_-"  # the characters of _B64's run
# A character other than printable ASCII, a tab or line break, a Cyrillic letter (no combining mark: U+0483-0489) or "№":
# a text without one has no invisible character, mark or odd separator to find (one scan of a few ranges instead of
# those scans over long classes: most Ukrainian and English prompts)
_NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e\u0400-\u0482\u048a-\u04ff\u2116]")
_ODD_BLANKS = "".join(ch for ch in _ASCII_SPACES if _NOT_PLAIN.match(ch))  # the ASCII blanks not plain: \v \f \x1c-\x1f
# ASCII's control characters but its blanks: the invisible characters an ASCII text can hold (what :func:`_pieces`
# strips), found by memchr in the same census as the blanks (a str.translate and isprintable read 2 KB in ~6 us);
# the odd blanks ("s") are blanks too, but neither plain nor in the pairs _ws_runs finds
_ASCII_CONTROLS = "".join(chr(c) for c in range(128) if not chr(c).isprintable() and not chr(c).isspace())
_WS_CLASS = _class_table({_ASCII_SPACES: b" ", _ODD_BLANKS: b"s", _ASCII_CONTROLS: b"c"}, b"x")
# for _B64's runs, one flag a bit: 1 base64's alphabet, 2 a small letter, 4 a digit or small hex letter, 8 a digit
# (see _b64_runs); and what the AND of 8 or 16 characters' flags says: 8 characters of the alphabet, not all small
# letters nor all digits (1, or 5: digits and a-f); 16 small hex letters (7) or digits (13)
_B64_FLAGS = _class_table({_B64_ALPHABET: b"\x01", "ghijklmnopqrstuvwxyz": b"\x03", "abcdef": b"\x07",
                           "0123456789": b"\x0d"}, b"\x00")
_B64_WINDOW = _class_table({"\x01\x05": b"\x01"}, b"\x00")
_HEX_WINDOW = _class_table({"\x07\x0d": b"\x01"}, b"\x00")
# for _SAME_SEP_CARD: a digit, what can be (part of) its separator (".": a blank, a mark but ",;|", the letter x/o, any
# character not ASCII), and the rest ("a": the other letters, which the needles lack, so bytes.find skips over them)
_CARD_CLASS = _class_table({"0123456789": b"d", _LATIN + "_,;|": b"a", "xoXO": b"."}, b".")
_CAPS_CLASS = _class_table({_LATIN[:26]: b"A", "0123456789": b"d"}, b".")
# the flags of both pair tests on the folded text (:func:`_pairs` reads lane 1/2 and lane 16/32 at once): a Latin letter
# (1) beside a character not ASCII (2, "?" in the census) for _letters_mix; a digit (16) beside a look-alike letter or
# a character not ASCII, which may be one (32), for _ascii_digit_spots
_PAIR_FLAGS = _class_table({_LATIN: b"\x01", "?": b"\x22", "0123456789": b"\x10", "|": b"\x20",
                            "".join(c for c in DIGIT_LOOKALIKES if c.isascii() and c.isalpha()): b"\x21"}, b"\x00")


class _Census:
    """Class bytes of one ``text``, each computed on first use (one ``str.encode`` serves them all)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._raw: bytes | None = None
        self._by: dict[int, bytes] = {}
        self._plain: bool | None = None
        self._pairs: bytes | None = None

    def of(self, table: bytes) -> bytes:
        """``text`` with each character as the byte ``table`` gives its class (any non-ASCII character as "?"'s)."""
        out = self._by.get(id(table))
        if out is None:
            if self._raw is None:
                self._raw = self.text.encode("ascii", "replace")  # one "?" per character: positions kept
            out = self._by[id(table)] = self._raw.translate(table)
        return out

    def pairs(self) -> bytes:
        """:func:`_pairs` of :data:`_PAIR_FLAGS`, a byte a character (0 1 16 17), or b"" where there is no pair."""
        if self._pairs is None:
            pairs = _pairs(self.of(_PAIR_FLAGS))
            self._pairs = pairs.to_bytes(len(self.text), "little") if pairs else b""
        return self._pairs

    def plain(self) -> bool:
        """Does ``text`` hold only characters of :data:`_NOT_PLAIN`'s set (printable ASCII, a tab or line break,
        Cyrillic, "№")? Then it holds no space but ASCII ones, nothing to strip and nothing to fold but a tab or break."""
        if self._plain is None:  # once, for all who ask
            # the ASCII characters that are not plain are the controls and the odd blanks ("c" and "s" in the census
            # of the blanks, memchr-fast); the regex reads only from the first character not ASCII to the last ("?"
            # in the census, a superset): on the 2 KB ticket its 270 Ukrainian characters, not 2048 (~13 -> ~4 us)
            blanks, raw = self.of(_WS_CLASS), self._raw
            self._plain = b"c" not in blanks and b"s" not in blanks \
                and _NOT_PLAIN.search(self.text, raw.find(b"?"), raw.rfind(b"?") + 1) is None
        return self._plain

    def known_plain(self) -> bool:
        """Has :meth:`plain` been asked, and said yes (no scan of its own)?"""
        return self._plain is True


def _pairs(flags: bytes) -> int:
    """An integer with a byte a character: bit 0 set where the character has flag 1 and the next one flag 2, or the
    other way round; bit 4 the same for flags 16 and 32 (``flags``: a census of those flags, no other bit). Four
    shifts and ANDs of one integer cost less than bytes.find of a two-byte needle whose bytes are frequent (~2.5 us
    each on 2 KB). No other bit of the result can be set: each bit k of a byte meets bit k+1 of the next byte, and
    bit k+1 of the byte meets bit k of the next one."""
    w = int.from_bytes(flags, "little")
    return (w & (w >> 9)) | ((w >> 1) & (w >> 8))


def _finds(census, needles: tuple) -> list[int]:
    """Every start (overlapping ones too) of any of ``needles`` in ``census`` (bytes, or a str and str needles), in
    order."""
    starts: list[int] = []
    for needle in needles:
        i = census.find(needle)
        while i >= 0:
            starts.append(i)
            i = census.find(needle, i + 1)
    if len(needles) > 1:
        starts.sort()
    return starts


def _char_positions(text: str, chars: str) -> list[int]:
    """Where each of ``chars`` occurs in ``text``, in order (str.find of one character is memchr-fast)."""
    return _finds(text, tuple(chars))  # the same loop: str.find and bytes.find take the same arguments


def _matches_at(rx: re.Pattern, text: str, starts: list[int]) -> Iterator[re.Match]:
    """``rx.finditer(text)`` when every match of ``rx`` starts at one of ``starts`` (sorted): finditer's matches are
    the leftmost ones that do not overlap, so trying the candidates in order from the end of the last match finds the
    same ones (a match at ``q`` looks behind it as a search does)."""
    last = 0
    for q in starts:
        if q >= last and (m := rx.match(text, q)) is not None:
            yield m
            last = m.end()


# --- length-changing pieces -------------------------------------------------------------------
# Separate patterns, each run only when its trigger occurs: one alternation of all of them scans
# a 2 KB prompt several times slower. Quantifiers are possessive or bounded: linear time.
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})++")
_FORM_PLUS = re.compile(r"(?<![^\s?&;])[A-Za-z0-9_.\-]{1,40}=[^&\s#]{0,4000}+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_TAG = re.compile(r"<(?:!--[^<>]{0,200}?--|/?([A-Za-z][A-Za-z0-9]{0,15})(?:\s([^<>]{0,200}+))?/?)>")
# Markdown bold markers touching a letter ("**Наукова**"); "2**10" (a power) and "__init__" stay as typed
_MD_BOLD = re.compile(r"(?:\*\*|(?<![\w])__)(?=[^\W\d_])|(?<=[^\W\d_.])(?:\*\*|__(?![\w]))")
_BLOCK_TAGS = frozenset("br p div li tr td th ul ol h1 h2 h3 h4 h5 h6 hr table".split())
_HTML_TAGS = _BLOCK_TAGS | frozenset("a abbr b bdi bdo big blockquote body caption center cite code col colgroup dd del dfn "
                                     "dl dt em font footer form head header html i img input ins kbd label link main mark "
                                     "meta nav pre q s samp section small span strike strong sub sup tbody tfoot thead "
                                     "title tt u var wbr article aside details summary figure figcaption nobr".split())
_ESCAPES = re.compile(r"(?:\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[nrtvf\r\n]|[\-.+()\[\]_*#!@`~>{}/]"
                      r"|\\(?=[uUxnrt])))++")
_QP = re.compile(r"(?:=[0-9A-F]{2}){2,}+|=\r?\n")
_B64 = re.compile(r"[A-Za-z0-9+/_\-]{8,}+={0,2}")
_DIGIT_RUN = re.compile(r"\d{6}")
_RLO = re.compile("\u202e([^\u202c\u202d\u202e\n]{1,300}+)\u202c?")
# Separators the detector's patterns do not know, typed between digit groups (issue 11 r8 A1): autocorrect's em dash
# ("067—123—45—67"), an emoji as in Telegram and Viber ("5168💳5124", "+380🔹67", "UA75 🇺🇦 3223"), an ellipsis, an
# ideographic comma, a degree sign. Every dash (Unicode category Pd, the minus, the heavy minus "➖") reads as "-", as
# the en dash already does ("2020—2024" stays the range "2020–2024" is); anything else as a space. A cluster is one
# symbol with its variation selector, skin tone, tag characters or ZWJ partners ("❤️", "👩‍💻", "🏴󠁧󠁢󠁳󠁣󠁴󠁿").
_SEP_DASHES = "\u058a\u05be\u1400\u1806\u2010-\u2015\u2053\u2212\u2796\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c" \
              "\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d"
_SEP_BMP = (  # punctuation and symbol blocks: arrows, technical, box drawing, shapes, dingbats; never a digit
    "\u00b0\u2025\u2026\u2219\u22c5\u22ef\u3001\u30fb\uff65\u24d0\u2190-\u21ff\u2300-\u23ff\u2500-\u2775\u2794-\u27bf"
    "\u2b00-\u2bff\u3297\u3299")  # not ①-⓿ or ➀-➓: digits
_SEP_ASTRAL = "\U0001f000-\U0001f0ff\U0001f10d-\U0001faff"  # emoji, flags, skin tones; not 🄀-🄌: digits
_SEP_JOIN = "\u200d\ufe0e\ufe0f\U000e0020-\U000e007f"
_APOSTROPHES = "\u2018\u2019\u02bc\u2032"
_DASH_SET = re.compile(f"[{_SEP_DASHES}{_SEP_JOIN}]++")
_SKIPPED = "\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f\u20e3\u00ad"  # stripped anyway: "1️⃣💳2️⃣", "5\u200b—1"
_IBAN_CAPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(c for c in CONFUSABLES if c.isupper()))
# An emoji people write for "@" ("собака", the e-mail and envelope signs, a snail, a monkey): "olena.koval85🐶gmail.com"
_AT_EMOJI = frozenset("🐶🐕🐩🦮📧📨📩✉🐌🐒🐵ⓐ")
_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+\-]{1,64}$")
_DOMAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}(?:\.[A-Za-z0-9\-]{1,63}){0,4}\.[A-Za-z]{2,24}(?![A-Za-z0-9])")


@lru_cache(maxsize=2)
def _odd_separators(astral: bool) -> re.Pattern:
    """A separator cluster with a digit, a Latin letter or an e-mail's character on either side (one blank between
    allowed), or a typographic apostrophe between two digits ("5168’4363", "1’000": the ASCII one autocorrect
    replaced, a group separator, read as a space: the IBAN pattern knows no apostrophe).
    It starts with a character class, so the engine skips fast to the rare characters; the astral class (slower to
    test) only when the text has a character above U+FFFF; :func:`_odd_separator_pieces` checks the rest."""
    sep = f"{_SEP_DASHES}{_SEP_BMP}{_SEP_ASTRAL if astral else ''}"
    near = f"\\dA-Za-z{''.join(c for c in _IBAN_CAPS if not c.isascii())}"
    return re.compile(
        f"[{sep}{_APOSTROPHES}](?:(?<=[{_APOSTROPHES}])(?<=\\d.)(?=\\d)"
        f"|(?<![{_APOSTROPHES}])(?:(?<=[{near}{_SKIPPED}._%+\\-].)|(?<=[{near}{_SKIPPED}._%+\\-][ \u00a0].))"
        f"[{_SEP_JOIN}]*+(?:[{sep}][{_SEP_JOIN}]*+)*+(?=[ \u00a0]?[{near}]))")


# Any other symbol typed the same between every group of a card (4-4-4-4[-1..3], Luhn-valid) or an IBAN (valid
# mod 97) is a group separator: "5168=5124=2071=3761", "card 5168:5124:…", "5168‧3676‧…", "UA21×3223×…", one or two
# characters ("«»"). A general rule rather than a longer list (issue 11 r9 A3); the checksum keeps "2=2",
# "12:30:45", "1920×1080" and version strings out, and the detector still wants a card's IIN or label. Never a
# comma, a semicolon or a bar: those separate the numbers of a list or the cells of a row.
# each starts with one plain class ("[0-9][0-9]{3}", not "[0-9]{4}"): the engine then skips to a candidate in C
# (the same matches; 19 -> 12 and 17 -> 9 us on the 2 KB ticket)
# the separator: one or two marks, a mark between two blanks ("5375 : 1013 : …"), or one letter x/o ("5375x0566x…",
# "5168o0227o…": issue 11 r10 A3, as typed; the look-alike fold would read that "o" as a digit)
_SAME_SEP_CARD = re.compile(r"[0-9][0-9]{3}([^\w\s,;|]{1,2}|\s[^\w\s,;|]\s|\s?[xхoоXХOО]\s?)[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?(?!\w)")
_SAME_SEP_IBAN = re.compile(r"[A-Z][A-Z][0-9]{2}([^\w\s,;|]{1,2})(?:[A-Z0-9]{4}\1){2,7}[A-Z0-9]{1,4}(?!\w)")
# quotes come in pairs, so they alternate: "5168«5124»2071«3761"
_QUOTE_SEP_CARD = re.compile(r"[0-9]{4}([«»‹›„“”]{1,2})[0-9]{4}[«»‹›„“”]{1,2}[0-9]{4}[«»‹›„“”]{1,2}[0-9]{4}(?!\w)")
_ASCII_SEPS = frozenset(" -./_")  # the detector's own: nothing to do
_MEASURE_AFTER = re.compile(r"\s?(?:px|pt|dpi|ppi|mm|cm|in|%|ms|fps|kb|mb|gb)(?![a-z])", re.IGNORECASE)
_VISA_MC = re.compile(r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[0-2])")
_CARD_WORD_BEFORE = re.compile(r"(?i:card|карт|кредитк|visa|mastercard|maestro|amex|pan(?!\w))")


# Where a match of _SAME_SEP_CARD / _SAME_SEP_IBAN can start, in the census of _CARD_CLASS / _CAPS_CLASS: four groups
# of four digits with the same separator (1-3 characters) between them, or two capitals and two digits. Only there
# the regex runs (a scan of 2 KB with many digits or capitals costs ~30 / ~15 us).
_CARD_SHAPES = tuple((b"." * k).join([b"dddd"] * 4) for k in (1, 2, 3))
_IBAN_SHAPES = (b"AAdd",)


def _same_separator_pieces(text: str, census: _Census | None = None):
    """A space for each separator of :data:`_SAME_SEP_CARD` / :data:`_SAME_SEP_IBAN` whose groups pass the checksum."""
    census = _Census(text) if census is None else census
    for rx, ok, table, shapes in ((_SAME_SEP_CARD, luhn_ok, _CARD_CLASS, _CARD_SHAPES),
                                  (_SAME_SEP_IBAN, iban_ok, _CAPS_CLASS, _IBAN_SHAPES)):
        for m in _matches_at(rx, text, _finds(census.of(table), shapes)):
            sep = m.group(1)
            if sep in _ASCII_SEPS or not ok(m.group().replace(sep, "")):
                continue
            if (":" in sep or sep.strip().isalpha()) and rx is _SAME_SEP_CARD \
                    and _CARD_WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()) is None \
                    and (len(m.group().replace(sep, "")) != 16 or _VISA_MC.match(text, m.start()) is None):
                continue  # "ports 6102:8126:4843:7202", a ratio: a colon joins a card after its label, or 4x4 of a Visa's or a Mastercard's (issue 11 r10 B6)
            if not sep in _ASCII_SEPS and _MEASURE_AFTER.match(text, m.end()):
                continue  # "4691x4808x4217x5432 px": sizes, not a card (issue 11 r11 N5)
            at, e = m.start(), m.end()
            while (k := text.find(sep, at, e)) >= 0:
                yield k, k + len(sep), " "
                at = k + len(sep)
    if "«" in text or "‹" in text or "„" in text or "“" in text:
        for m in _QUOTE_SEP_CARD.finditer(text):
            digits = "".join(ch for ch in m.group() if ch.isdigit())
            if m.group(1) not in ("«»", "»«") and len(set(m.group()) - set(digits)) > 1 and luhn_ok(digits):
                yield from ((m.start() + i, m.start() + i + 1, " ") for i, ch in enumerate(m.group()) if not ch.isdigit())


# The Cyrillic "УА" (or "ЮА") typed for an IBAN's country code "UA" ("IBAN УА77 3223 …"): the look-alike fold reads "У"
# as "Y". The IBAN's checksum still decides; this only gives it the code a person meant.
_CYR_UA = re.compile(r"[УЮ](?<![^\W\d_].)[АA](?=[^\S\n]?\d\d)")
# Stress marks (combining acute and grave): on a Ukrainian letter they never change which letter it is ("ді́абет"),
# unlike the breve of "й" or the diaeresis of "ї", which stay.
_STRESS = re.compile("[\u0300\u0301]++")
# whitespace: a run, or a line break with a mail-quote or list prefix after it
_WS_RUN = re.compile(r"\s\s++")
_QUOTED_BREAK = re.compile(r"\n[ \t]*+(?:>[ \t>]*+|[-*•][ \t]++)\s*+")  # and up to 8 blanks before it
_LETTERS_MIX = re.compile(r"[A-Za-z][^\W\d_A-Za-z]|[^\W\d_A-Za-z][A-Za-z]")
# An ASCII letter next to a non-ASCII character (a superset of _LETTERS_MIX): a pattern that starts with
# a character class lets the regex engine skip fast to the rarer side, non-ASCII or ASCII letters.
_NEAR_MIX_AT_OTHER = re.compile(r"[^\x00-\x7f](?:(?<=[A-Za-z].)|(?=[A-Za-z]))")
_NEAR_MIX_AT_LATIN = re.compile(r"[A-Za-z](?:(?<=[^\x00-\x7f].)|(?=[^\x00-\x7f]))")
_WORD = re.compile(r"[^\W\d_]++")


def _quoted_breaks(text: str):
    """A line break with a mail-quote or list prefix after it, and up to 8 blanks before it."""
    last = 0
    for m in _QUOTED_BREAK.finditer(text):
        start = m.start()
        while start > last and m.start() - start < 8 and text[start - 1].isspace():
            start -= 1
        yield start, m.end(), "\n"  # still a line break: the detector rejoins an e-mail or a date across it
        last = m.end()


def _caps_run(pair: str) -> bool:
    """Are both characters of ``pair`` an IBAN's capitals or digits?"""
    return len(pair) == 2 and all(ch in _IBAN_CAPS or ch.isdigit() for ch in pair)


def _odd_separator_pieces(text: str, astral: bool):
    """Pieces for the symbols of :data:`_odd_separators` that stand between two digits, or between an IBAN's capital
    and a digit ("-" for a dash, else a space with the blanks around it), and for an "@" emoji inside an e-mail."""
    for m in _odd_separators(astral).finditer(text):
        s, e = m.span()
        if m.group() in _APOSTROPHES:
            yield s, e, " "
            continue
        a = s - 1 if text[s - 1 : s] in (" ", "\u00a0") else s  # one blank on either side: "5168 ❤️ 5124"
        b = e + 1 if text[e : e + 1] in (" ", "\u00a0") else e
        i = a - 1
        while i > 0 and text[i] in _SKIPPED:  # a keycap's or an invisible character's tail before it
            i -= 1
        left, right = text[i : i + 1] if i >= 0 else "", text[b : b + 1]
        # a capital counts only glued, inside a run of capitals and digits ("UA💙75", "75💙WEST"): "1967— Then" is prose
        if left.isdigit() and (right.isdigit() or b == e and _caps_run(text[b : b + 2])) \
                or right.isdigit() and a == s and _caps_run(text[max(0, i - 1) : i + 1]):
            yield (s, e, "-") if _DASH_SET.fullmatch(m.group()) else (a, b, " ")
        elif m.group().rstrip("\ufe0e\ufe0f") in _AT_EMOJI and (domain := _DOMAIN.match(text, b)) is not None:
            local = _LOCAL_PART.search(text, max(0, a - 64), a)
            # spaced ("koval85 📧 gmail.com") only after what reads as a local part, not a word ("Write 📧 gmail.com")
            if local is not None and (a == s or any(ch in "._" or ch.isdigit() for ch in local.group())) \
                    and domain.group().count(".") <= 4:
                yield a, b, "@"


def _decode_escapes(run: str) -> str:
    out: list[str] = []
    raw = bytearray()
    i = 0
    while i < len(run):
        kind = run[i + 1]
        if kind == "x":
            raw.append(int(run[i + 2 : i + 4], 16))
            i += 4
            continue
        if raw:
            out.append(raw.decode("utf-8", "replace"))
            raw.clear()
        if kind == "u":
            out.append(chr(int(run[i + 2 : i + 6], 16)))
            i += 6
        elif kind == "U":
            cp = int(run[i + 2 : i + 10], 16)
            out.append(chr(cp) if cp < 0x110000 else "\ufffd")
            i += 10
        elif kind in "nr":
            out.append("\n")  # an escaped line break is a line break ("-4056819799\\n444805": a card wrapped in JSON)
            i += 2
        elif kind in "tvf\r\n":
            out.append(" ")
            i += 2
        else:  # a Markdown escape, or the first of a doubled backslash
            out.append(kind)
            i += 2
    if raw:
        out.append(raw.decode("utf-8", "replace"))
    # surrogate pairs written as two \\u escapes
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _readable(data: bytes) -> str | None:
    """``data`` as text if it is UTF-8 and mostly printable (what base64 of text gives), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # a word that happens to be base64 decodes to a few letters of a far script among ASCII ("e-mailoleh" →
    # "{隊Z%z"): text in this course's scripts, or mostly in one far script (a real CJK text), not a mix
    far = sum(ch > "\u052f" and ch.isalpha() for ch in text)  # letters: "№", "€", "—" are this course's too
    if 0 < far < len(text) // 2:
        return None
    # typography counts as readable: NBSP, narrow NBSP, thin space, soft hyphen, zero-width characters (the
    # view strips and folds them after decoding, as in plain text)
    if not text or sum(ch.isprintable() or ch in "\n\r\t" or ch in _SPACES or ch in _TYPOGRAPHY for ch in text) \
            < 0.9 * len(text):
        return None
    return text if any(ch.isalnum() for ch in text) else None


def _b64(token: str) -> str | None:
    body = token.rstrip("=")
    if len(body) % 2 == 0 and len(body) >= 16 and not body.strip("0123456789abcdefABCDEF"):  # all hex digits
        # hex bytes of text ("d182d0b5…", 8 bytes or more: a shorter one is a number)
        text = _readable(bytes.fromhex(body))
        if text is not None:
            return text
    if len(body) % 4 == 1 or body.isalpha() and (body.islower() or body.isupper()):
        return None
    # digits counted in the UTF-8 bytes (the same ASCII digits; bytes.translate needs no table lookups), before the
    # regex: most tokens it rejects are dates, versions, invoice numbers (~1.5 -> ~0.8 us a token)
    raw = body.encode("utf-8", "surrogatepass")
    digits = len(raw) - len(raw.translate(None, b"0123456789"))
    if body.isdigit() or 2 * digits > len(body) or _DIGIT_RUN.search(body):
        return None  # an identifier, not base64 of text
    try:
        data = base64.b64decode(body.replace("-", "+").replace("_", "/") + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _readable(data)


def _qp(run: str) -> str | None:
    if run.startswith("=\r") or run.startswith("=\n"):
        return ""
    try:
        return bytes.fromhex(run.replace("=", "")).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


_PLAIN_WORD_EDGES = ".,;:!?()[]{}\"'«»"
_HEX_LETTERS = "abcdefABCDEF"


def _plain_word(token: str) -> bool:
    """Is ``token`` a word (with punctuation around it), never base64?"""
    word = token.strip(_PLAIN_WORD_EDGES)
    return word.isalpha() and (word.islower() or word.istitle() or word.isupper())


def _b64_runs(census: _Census) -> list[tuple[int, int]]:
    """(start, end) of each run of 8 characters or more of base64's alphabet, in order, but for most runs of only
    small letters or only digits (those without 16 hex digits: words and numbers).

    bytes.find of b"x" * 8 in a census of x's and blanks compares at almost every byte (its skip table has nothing
    to skip by: ~20 us on 2 KB); instead the flags of :data:`_B64_FLAGS`, read as one integer a byte a character,
    are AND-ed with themselves shifted by 1, 2, 4 bytes: a byte of the result holds what all 8 characters from
    there hold (another 8 bytes' AND: 16 characters), and memchr finds the bytes that say a run is worth a try
    (on 2 KB of prose ~40 -> ~15 us: its words are skipped in C). A run that mixes small letters and digits has a
    letter beside a digit: a window of 8 around them says 5 or 1."""
    flags = census.of(_B64_FLAGS)
    size = len(flags)
    all8 = int.from_bytes(flags, "little")
    all8 &= all8 >> 8
    all8 &= all8 >> 16
    all8 &= all8 >> 32
    if not all8:
        return []
    windows = all8.to_bytes(size, "little").translate(_B64_WINDOW)
    hex16 = all8 & (all8 >> 64)
    # a 16-window of hex digits has flag 4 (and 1): (hex16 >> 2) & hex16 keeps exactly those bits, 0 without one
    if (hex16 >> 2) & hex16:
        hex_windows = hex16.to_bytes(size, "little").translate(_HEX_WINDOW)
        windows = (int.from_bytes(windows, "little") | int.from_bytes(hex_windows, "little")).to_bytes(size, "little")
    if windows.count(1) * 32 > size:  # many runs (2 KB of Title-case words: ~100 windows; the ticket ~30): see below
        windows = (int.from_bytes(windows, "little") & ~_title_word_starts(census)).to_bytes(size, "little")
    runs: list[tuple[int, int]] = []
    find, blank = windows.find, flags.find
    q = find(1)
    while q >= 0:
        end = blank(0, q)
        end = size if end < 0 else end
        runs.append((flags.rfind(0, 0, q) + 1, end))
        q = find(1, end)
    return runs


# for _title_word_starts, a byte a character: 1 where it is an ASCII capital; a small ASCII letter; an ASCII blank
_CAPITAL_BITS = _class_table({_LATIN[:26]: b"\x01"}, b"\x00")
_SMALL_BITS = _class_table({_LATIN[26:]: b"\x01"}, b"\x00")
_BLANK_BITS = _class_table({_ASCII_SPACES: b"\x01"}, b"\x00")


def _title_word_starts(census: _Census) -> int:
    """An integer with a byte a character: 1 where a word of one ASCII capital and small ASCII letters starts between
    ASCII blanks or the text's edges ("Transformer" in "A Transformer Uses"), else 0.

    :func:`_b64_pieces` skips such a word's run (a plain word that is its own token), but only after some Python for
    each: 2 KB of Title-case English has ~90 of 8 letters or more (issue 11 r14 LOW). Here they cost a few integer
    operations (~15 us on 2 KB): ``reach`` says where small letters lead to a blank (or the end), for up to 1, 2, 4 ...
    letters, doubling while a run that long remains; at most 5 rounds, so the time stays linear: a word of more than
    32 letters is not found here, and goes through the Python loop as before."""
    capital = int.from_bytes(census.of(_CAPITAL_BITS), "little")
    small = int.from_bytes(census.of(_SMALL_BITS), "little")
    blank = int.from_bytes(census.of(_BLANK_BITS), "little")
    reach = blank | 1 << 8 * len(census.text)  # the text's end reads as a blank
    for step in (8, 16, 32, 64, 128):  # in bits: 1, 2, 4, 8, 16 characters
        if not small:
            break
        reach |= small & (reach >> step)  # small letters for up to twice as many characters, then a blank
        small &= small >> step  # where a run of twice as many small letters starts
    return capital & (reach >> 8) & (blank << 8 | 1)  # a capital, small letters and a blank after it, a blank before


def _b64_pieces(text: str, seen: set[str], census: _Census | None = None) -> list[tuple[int, int, str]]:
    """Base64 (and hex) tokens that decode to readable text: :func:`_b64_pieces_by_tokens`, from the census.

    Each run of 8 characters or more of base64's alphabet is one match of :data:`_B64` (in its whitespace-separated
    token). A run of letters of one case, or of digits only, decodes to nothing (:func:`_b64`: unless it is 16 hex
    digits or more) and holds no "+", so the matches of one round it skips (:func:`_b64_runs`, and below) could only
    have been remembered in ``seen``, where they change nothing; every other run is tried as there. A token that is a plain
    word holds only letters, so only a run of letters asks for its token. Where that token also occurs between the
    previous try and itself, the reference would place it there (``text.find``): that text is left to the
    reference, for the same answer (~105 -> ~25 us on the 2 KB ticket)."""
    census = _Census(text) if census is None else census
    out: list[tuple[int, int, str]] = []
    added: list[str] = []
    last = 0  # the end of the last run tried
    tok_start = tok_end = -1  # the token of the last run of letters
    tok_plain = False
    for q, e in _b64_runs(census):
        run = text[q:e]
        if run.isalpha():
            if (run.islower() or run.isupper()) and (e - q < 16 or (e - q) % 2 or run.strip(_HEX_LETTERS)):
                continue  # one case, not hex: no base64 of text (see above)
            if run.istitle() and (q == 0 or text[q - 1].isspace()) and (e == len(text) or text[e].isspace()):
                # a Title-case word between blanks is its own token and a plain word: what the lines below would
                # find, without the token regex (a Title-case English text is mostly such words; r14 LOW)
                tok_start, tok_end, tok_plain = q, e, True
                continue
            if q >= tok_end:  # a new token: is it a plain word, and where does the reference place it?
                tok_start = q
                while tok_start and not text[tok_start - 1].isspace():
                    tok_start -= 1
                tok_end = _TOKEN.match(text, tok_start).end()
                tok = text[tok_start:tok_end]
                tok_plain = _plain_word(tok)
                if not tok_plain and last <= tok_start and text.find(tok, last) != tok_start:
                    for g in added:
                        seen.discard(g)
                    return list(_b64_pieces_by_tokens(text, seen))
            if tok_plain:
                continue
        end = e
        while end < e + 2 and text.startswith("=", end):
            end += 1
        g = text[q:end]
        if g not in seen:  # decoded in an earlier round, or the same token earlier in this one
            seen.add(g)
            added.append(g)
            if (new := _b64(g)) is not None:
                # the token kept, then what it decodes to: nothing is lost if it was no base64, and the
                # ";" keeps the two from reading as one number
                out.append((q, end, f"{g} ; {new} ;"))
        last = e
    return out


def _b64_pieces_by_tokens(text: str, seen: set[str]):
    """Base64 (and hex) tokens that decode to readable text. Only whitespace-separated tokens of
    8 characters or more can hold one: splitting is C-fast, a regex over all the text is not.
    (The reference :func:`_b64_pieces` follows, and falls back to.)"""
    pos = 0
    for tok in [t for t in text.split() if len(t) >= 8]:  # a comprehension drops the short ones faster
        word = tok.strip(".,;:!?()[]{}\"'«»")
        if word.isalpha() and (word.islower() or word.istitle() or word.isupper()):
            continue  # a plain word
        at = text.find(tok, pos)
        pos = at + len(tok)
        for m in _B64.finditer(tok):
            if m.group() in seen:
                continue  # decoded in an earlier round
            seen.add(m.group())
            if (new := _b64(m.group())) is not None:
                # the token kept, then what it decodes to: nothing is lost if it was no base64, and the
                # ";" keeps the two from reading as one number
                yield at + m.start(), at + m.end(), f"{m.group()} ; {new} ;"


# base64 wrapped at a fixed width (MIME e-mail at 76, PEM at 64): whole lines of the alphabet, one after another
_B64_LINES = re.compile(r"(?m)^[A-Za-z0-9+/]{16,}+(?:\r?\n[A-Za-z0-9+/]{2,}+)+={0,2}$")


def _b64_lines(text: str, first: bool = False) -> list[re.Match]:
    """``list(_B64_LINES.finditer(text))`` (only its first match when ``first``), tried only where a line starts (its
    ``(?m)^`` matches at the text's start and after each "\n" alone): the same matches, found from ``str.find`` of the
    line breaks instead of a scan that runs the matcher at every character (10 -> 1 us on 2 KB of prose)."""
    out: list[re.Match] = []
    at = resume = 0
    while at >= 0:
        if at >= resume and (m := _B64_LINES.match(text, at)) is not None:
            out.append(m)
            if first:
                break
            resume = m.end()
        at = text.find("\n", at)
        at = at + 1 if at >= 0 else -1
    return out


def _b64_line_pieces(text: str, seen: set[str]):
    """Line-wrapped base64, joined before decoding: a line cut inside an identifier or inside a
    two-byte Cyrillic letter decodes to nothing readable on its own."""
    for m in _b64_lines(text):
        lines = m.group().replace("\r", "").split("\n")
        if len({len(line) for line in lines[:-1]}) != 1 or len(lines[-1].rstrip("=")) > len(lines[0]):
            continue  # not one fixed width: lines of prose or ids, not a wrapped token
        joined = "".join(lines)
        seen.add(joined)
        if (new := _b64(joined)) is not None:
            yield m.start(), m.end(), f"{joined} ; {new} ;"


_TOKEN = re.compile(r"\S++")
_PLUS_WORD = re.compile(r"[^\W\d_]{2}\+|\+[^\W\d_]{2}")  # "12+June+2005": words joined by "+"
def _not_zero(text: str, at: int) -> bool:
    """Is the first visible character at ``text[at:]`` a digit 1-9 in any script ("+⁴⁴ ²⁰ …", "+٤٤", "+\u316444": a
    country code never starts with 0; an invisible character between does not count)?"""
    while at < len(text) and _invisible_char(text[at]):
        at += 1
    ch = text[at : at + 1]
    return ch.isdigit() and unicodedata.digit(ch, 0) != 0


def _phone_after_plus(text: str, at: int) -> bool:
    """Do a country code (no leading 0) and a phone's length of digits, in any script ("⁴⁴ ²⁰ ⁷⁹⁴⁶", "٤٤"), follow?
    Read as the view will read them: any space or line break, a mail quote, an invisible character ("2\u200b0",
    "\ufe0f") and the encodings this round has not decoded yet ("\\u0034\\u0034", "%34", "&#52;") do not end them."""
    window = text[at : at + 200]
    if "\\" in window or "%" in window or "&" in window or "<" in window:
        window = html.unescape(unquote(_ESCAPES.sub(lambda m: _decode_escapes(m.group()), window), errors="replace"))
        window = _TAG.sub(" ", window)  # "+4<br>4 20 7946 …": a tag is a gap
    digits, gap, blank = "", 0, False
    for ch in window[:80]:
        if ch.isdigit():
            digits += ch
            gap, blank = 0, False
        elif _invisible_char(ch):
            continue  # stripped from the view: no gap at all
        elif ch.isspace() and blank:
            continue  # a run of blanks is one space in the view ("+44  -  20  -  7946")
        elif (ch.isspace() or ch in "-()>•·./_*~") and gap < 4:
            gap += 1
            blank = ch.isspace()
        else:
            break
    return len(digits) >= 8 and unicodedata.digit(digits[0], 0) != 0  # a country code never starts with 0: "+067" in a form is " 067"


def _invisible_char(ch: str) -> bool:
    """Is ``ch`` one of the characters the view drops (format, control, variation selector, mark)?"""
    return ch >= "\x7f" and (unicodedata.category(ch) in ("Mn", "Me") or _invisible(True).match(ch) is not None) \
        or ch < " " and ch not in "\t\n\r\v\f"


def _plus_tokens(text: str) -> Iterator[re.Match]:
    """The whitespace-separated tokens that hold a "+", found from each "+" (str.find), not by a regex over every token."""
    i = text.find("+")
    while i != -1:
        start = i
        while start and not text[start - 1].isspace():  # str.isspace is the regex's \s (both Py_UNICODE_ISSPACE)
            start -= 1
        m = _TOKEN.match(text, start)
        if m is None:  # never: text[i] is a "+"
            return
        yield m
        i = text.find("+", m.end())


def _form_plus_tokens(text: str, first: bool = True, seen: AbstractSet[str] = frozenset()):
    """"+" for a space inside a form-encoded token with no key ("%D0%B2%D1%83%D0%BB.+%D0%A5…", "12+Baker+Street%2C+Apt+5"):
    a token that holds a %XX escape; "+<digit>" after a non-word character stays a plus ("…:+380…")."""
    for m in _plus_tokens(text):
        v = m.group()
        if "@" in v:
            continue  # "olena+lab@…" is plus addressing
        if _PERCENT.search(v):  # quote_plus output: a plus as typed is "%2B", every "+" is a space
            yield from ((m.start() + i, m.start() + i + 1, " ") for i, ch in enumerate(v) if ch == "+")
            continue
        if not _PLUS_WORD.search(v) or not first and v in seen:
            continue  # base64 already decoded ("…NC+0Lr… ; 12 березня …") keeps its "+"
        for i, ch in enumerate(v):
            if ch == "+" and _phone_after_plus(text, m.start() + i + 1):
                continue  # "пишіть+3\n80500000000": a phone glued to a word, not a form's space
            if ch == "+" and not (_not_zero(text, m.start() + i + 1) and not v[i - 1 : i].isalnum()) \
                    and not (v[i - 1 : i].isdigit() and v[i + 1 : i + 2].isdigit()
                             and not _PERCENT.fullmatch(v, max(0, i - 3), i)):  # "12+34" is a sum; "%B0+47" is not
                yield m.start() + i, m.start() + i + 1, " "


def _ws_runs(text: str, census: _Census) -> Iterator[re.Match]:
    """``_WS_RUN.finditer(text)``: every run of two whitespace characters or more. Without a space that is not ASCII
    nor an odd ASCII blank (most prompts) each run starts with two ASCII blanks side by side, found by bytes.find in
    the census (~24 -> ~5 us on the 2 KB ticket): the next pair after a run starts the next run, and a match there
    takes the whole run."""
    blanks = census.of(_WS_CLASS)
    if b"s" in blanks or not text.isascii() and not census.plain() and any(ch in text for ch in _OTHER_SPACES):
        yield from _WS_RUN.finditer(text)
        return
    q = blanks.find(b"  ")
    while q >= 0:
        m = _WS_RUN.match(text, q)
        yield m
        q = blanks.find(b"  ", m.end())


def _pieces(text: str, first: bool = True, seen: set[str] | None = None,
            census: _Census | None = None) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every length-changing piece, in order, not overlapping (``census``: ``text``'s,
    if the caller has one)."""
    census = _Census(text) if census is None else census
    # an empty spreadsheet cell ("\t\t") stays a tab: the detector reads a tab as a cell boundary
    found = [(m.start(), m.end(), "\t" if "\t" in m.group() and "\n" not in m.group() else
              "\n" if "\n" in m.group() else " ") for m in _ws_runs(text, census)]
    if "\n" in text and (">" in text or "-" in text or "*" in text or "•" in text):
        found += list(_quoted_breaks(text))
    if "%" in text:
        found += [(m.start(), m.end(), unquote(m.group(), errors="replace")) for m in _PERCENT.finditer(text)]
    # every round: a form nested in a decoding ("%252B…", base64 or entities of quote_plus) is a form too (issue 11 r5)
    if "+" in text:  # form encoding without a key: quote_plus("вул. Хрещатик, 22")
        found += list(_form_plus_tokens(text, first, seen if seen is not None else set()))
    if first and "+" in text and "=" in text:  # form encoding: "q=%2B380+67+123" (the "+" as typed, not decoded)
        for m in _FORM_PLUS.finditer(text):
            v = m.group()  # "+<digit>" after a non-word character is a phone as pasted ("=+380…"), not a space
            found += [(m.start() + i, m.start() + i + 1, " ") for i, ch in enumerate(v)
                      if ch == "+" and not (_not_zero(text, m.start() + i + 1) and not v[i - 1 : i].isalnum())]
    if "&" in text:
        found += [(m.start(), m.end(), html.unescape(m.group())) for m in _ENTITY.finditer(text)]
    if "<" in text:
        found += [(m.start(), m.end(), f" {m.group(2)} " if m.group(2) else
                   "\n" if (m.group(1) or "").lower() == "br" else  # "<br>" is a line break, as in the text it came from
                   " " if (m.group(1) or "").lower() in _BLOCK_TAGS else
                   # a data element's name is its label ("<birthDate>1985-03-12</birthDate>", "<phone>…"): kept as a
                   # word; HTML's own elements ("<b>", "<span>") are formatting, dropped
                   "" if not m.group(1) or m.group(1).lower() in _HTML_TAGS else
                   " " if m.group().startswith("</") else f" {m.group(1)} ") for m in _TAG.finditer(text)]
    # Markdown bold around words: "**м. Вінниця**, вул. **Наукова** 5" (issue 11 r8 A2); a one-character `in` first:
    # memchr-fast, where a two-character one reads every character (~2.5 us on 2 KB)
    if "*" in text and "**" in text or "_" in text and "__" in text:
        found += [(m.start(), m.end(), "") for m in _MD_BOLD.finditer(text)]
    if "\\" in text:
        found += [(m.start(), m.end(), _decode_escapes(m.group())) for m in _ESCAPES.finditer(text)]
    if "=" in text:
        found += [(m.start(), m.end(), new) for m in _QP.finditer(text) if (new := _qp(m.group())) is not None]
    seen = set() if seen is None else seen
    if "\n" in text:
        found += list(_b64_line_pieces(text, seen))
    found += _b64_pieces(text, seen, census)
    if len(text) >= 19 and has_digit(text):  # a card's 16 digits and 3 separators (prose has none: no scan)
        found += list(_same_separator_pieces(text, census))
    if not text.isascii():
        if not census.plain():  # else nothing to strip and no odd separator: ASCII and Cyrillic letters
            astral = _has_astral(text)
            found += list(_invisible_pieces(text, astral))
            found += list(_odd_separator_pieces(text, astral))
        if "У" in text or "Ю" in text:  # each match starts at one of them: tried there (a pair `in` costs more)
            starts = _char_positions(text, "УЮ")
            found += [(m.start(), m.end(), "UA") for m in _matches_at(_CYR_UA, text, starts)]
        if "\u202e" in text:
            # both orders: the one shown (reversed) and the one stored, which is what a model reads ("olen\u202ea.koval@…")
            found += [(m.start(), m.end(), f"{m.group(1)} ; {m.group(1)[::-1]}") for m in _RLO.finditer(text)]
    elif b"c" in census.of(_WS_CLASS):  # an ASCII control character (the census of the blanks, above, has it)
        found += list(_invisible_pieces(text))
    found.sort(key=lambda p: (p[0], -p[1]))  # the longer piece wins at the same start
    out, last = [], 0
    for start, end, new in found:
        if start >= last and new != text[start:end]:
            out.append((start, end, new))
            last = end
    return out


@lru_cache(maxsize=2)
def _invisible(astral: bool = False) -> re.Pattern:
    """Runs of invisible characters. The BMP ones alone make a class the regex engine tests with one
    bitmap lookup; the astral ones (tags, variation selectors supplement) only when the text has any."""
    cls = _invisible_class()
    bmp = "".join(p for p in re.findall(r"\\?.-\\?.|\\?.", cls, re.S) if ord(p.replace("\\", "")[0]) <= 0xFFFF)
    return re.compile(f"[{cls}]++" if astral else f"[{bmp}]++")


@lru_cache(maxsize=1)
def _marks_on_digits() -> re.Pattern:
    """Combining marks right after a digit ("0\u0301", the keycap's U+20E3 is an enclosing mark, in
    the invisible class). Every mark is U+0300 or above: a look at the next character skips the long
    class (a list of ranges, tested one by one) after almost every digit."""
    return re.compile(f"\\d(?=[^\\x00-\\u02ff])([{_marks_class()}]++)")


def _has_astral(text: str) -> bool:
    """Any character above U+FFFF? (UTF-16 spends 4 bytes on those: faster than ``max(text)``.)"""
    return len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text)


def _invisible_pieces(text: str, astral: bool | None = None):
    """Invisible characters go; combining marks go only from a digit, so "й" written as "и" + breve
    keeps its mark; a stress mark goes from any letter."""
    for m in _invisible(_has_astral(text) if astral is None else astral).finditer(text):
        yield m.start(), m.end(), ""
    for m in _marks_on_digits().finditer(text):
        yield m.start(1), m.end(1), ""
    if "\u0301" in text or "\u0300" in text:  # memchr-fast: a class search would cost a scan of its own
        for m in _STRESS.finditer(text):
            yield m.start(), m.end(), ""


def _apply(text: str, pieces) -> tuple[str, _Round]:
    """Replace ``pieces`` in ``text``; return the new text and its map to ``text``."""
    parts: list[str] = []
    at: list[int] = []
    old: list[int] = []
    old_end: list[int] = []
    size = last = 0
    for start, end, new in (*pieces, (len(text), len(text), "")):
        if start > last:  # the text between two pieces, copied
            at.append(size), old.append(last), old_end.append(-1)
            parts.append(text[last:start])
            size += start - last
        if new:
            at.append(size), old.append(start), old_end.append(end)
            parts.append(new)
            size += len(new)
        last = end
    return "".join(parts), _Round(at, old, old_end)


# --- one-for-one folds --------------------------------------------------------------------------
_LOOK = re.escape("".join(DIGIT_LOOKALIKES))
_DIGIT_TOKEN = re.compile(rf"[{_LOOK}]*+\d[\d{_LOOK}]*+")
_DIGITS = re.compile(r"\d++")
_NEXT_GROUP = re.compile(r"[ \-./]?\d")
_PREV_GROUP = re.compile(r"\d[ \-./]?$")
_SPOT = re.compile(rf"\d[{_LOOK}]|[{_LOOK}]\d")  # what _spots() finds
_ANY_SPOT = re.compile(rf"[{_LOOK}](?:(?<=\d.)|(?=\d))")  # a letter of a _SPOT match: starts with a class, scans fast
_LOOKSET = frozenset(DIGIT_LOOKALIKES)
_FOUR_DIGITS = re.compile(r"(?:\d(?:[ \-/]|\.(?=\d\d))?){4}")  # a year; no decimal point ("3.1 8B")
_INTERIOR_LOOKALIKES = re.compile(rf"(?<=\d)[{re.escape(''.join(c for c in DIGIT_LOOKALIKES if c != '|'))}]{{1,3}}(?=\d)")
_LOOK_CHARS = "".join(DIGIT_LOOKALIKES)
_DIGIT_TABLE = str.maketrans(DIGIT_LOOKALIKES)
_CYR_TABLE = str.maketrans(LATIN_TO_CYRILLIC)


def _fold_digit_match(m: re.Match) -> str:
    """A token glued to a word folds only when it holds 3 digits or more ("html5" stays, "58I7thanks"
    does not)."""
    text, token = m.string, m.group()
    if token.isdigit():
        return token
    start, end = m.span()
    head, tail = "", ""
    glued_left = text[start - 1 : start].isalpha()
    glued_right = text[end : end + 1].isalpha()
    if glued_left:  # "тел.ОК067…": look-alikes glued to a word are the word's
        core = token.lstrip(_LOOK_CHARS)
        head, token = token[: len(token) - len(core)], core
    if glued_right:  # "1996Ok": the "O" starts the next word
        core = token.rstrip(_LOOK_CHARS)
        tail, token = token[len(core):], core
    if (head or tail or glued_left or glued_right) and sum(map(str.isdigit, token)) < 3 \
            and not all(token[k - 1 : k].isdigit() and token[k + 1 : k + 2].isdigit()  # not only interior letters
                        for k, ch in enumerate(token) if not ch.isdigit()):
        return head + token + tail
    if not token:
        return head + tail
    after_digits = bool(_PREV_GROUP.search(text[max(0, start - 2) : start]))
    in_number = after_digits or bool(_NEXT_GROUP.match(text, end))
    return head + _fold_digit_token(token, in_number, after_digits) + tail


def _fold_digit_token(token: str, in_number: bool = False, after_digits: bool = False) -> str:
    """``token`` with its look-alike letters as digits, when digits dominate it (or it is one group of
    a longer number: "3782 822463 1OOO5")."""
    digits = sum(map(str.isdigit, token))
    if digits == len(token) or len(token) < 2 or (2 * digits < len(token) and not (in_number and len(token) >= 3)):
        return token
    booklet = len(token) == 8 and token[2:].isdigit() and "\u0400" <= token[0] <= "\u04ff" and "\u0400" <= token[1] <= "\u04ff"
    if not token[0].isdigit() and not token[1].isdigit() and (not after_digits or booklet):
        return token[:2] + _fold_digit_token(token[2:])  # two letters, then a number: "ВВ605048" is a passport,
        # also after a number ("2024 ВВ605048": two Cyrillic capitals and 6 digits are a booklet's series and number)
    if token[0] == token[-1] == "|":
        return "|" + token[1:-1].translate(_DIGIT_TABLE) + "|"  # a table cell "|0671234567|"
    return token.translate(_DIGIT_TABLE)


def _one_script(word: str) -> str:
    """A word that mixes Latin with Cyrillic or Greek look-alikes, in the one script it can be
    written in (the majority's when both can)."""
    latin = sum(ch.isascii() for ch in word)
    to_latin = all(ch.isascii() or ch in CONFUSABLES for ch in word)
    to_cyr = all(not ch.isascii() or ch in LATIN_TO_CYRILLIC for ch in word) and not any(
        "\u0370" <= ch <= "\u03ff" for ch in word)
    if to_cyr and (not to_latin or 2 * latin <= len(word)):
        return word.translate(_CYR_TABLE)
    if to_latin:
        return word.translate(_CONFUSABLE_TABLE)
    return word


_CASE_SEAM = re.compile(r"(?<=[^\W\d_])(?<![^\W\d_][A-ZА-ЯІЇЄҐ])(?=[A-ZА-ЯІЇЄҐ][A-ZА-ЯІЇЄҐ\d])")


_TWO_WORDS = re.compile(r"[A-Za-z]{3,}[а-яіїєґА-ЯІЇЄҐ]{3,}|[а-яіїєґА-ЯІЇЄҐ]{3,}[A-Za-z]{3,}")


def _one_script_parts(word: str) -> str:
    """:func:`_one_script` for each part of a word glued from a lower-case word and capitals: "серіїFF", "cardОН",
    "паспортаFF" are a label and a passport series, each in its own script (folded together, "cepiiFF" lost the label)."""
    if _TWO_WORDS.fullmatch(word):
        return word  # "seeвулиця", "адресаStreet": two words glued, each of 3 letters or more in its own script
    cut = _CASE_SEAM.search(word)
    if cut is None or not word[: cut.start()].islower():
        return _one_script(word)
    return _one_script(word[: cut.start()]) + _one_script(word[cut.start() :])


def _spots(text: str) -> list[int]:
    """The starts of the matches of :data:`_SPOT` (a digit and a look-alike letter side by side), found
    from the letters: a scan for a class of 18 letters is several times faster than for any digit."""
    out: list[int] = []
    if not has_digit(text):  # every spot holds a digit: prose costs ten substring tests, not a scan
        return out
    resume = 0  # finditer's matches do not overlap
    for m in _ANY_SPOT.finditer(text):
        q = m.start()
        if q - 1 >= resume and text[q - 1].isdecimal():
            out.append(q - 1)  # digit, letter
        elif q >= resume and text[q + 1 : q + 2].isdecimal():
            out.append(q)  # letter, digit
        else:
            continue
        resume = out[-1] + 2
    return out


def _ascii_digit_spots(text: str, census: _Census | None = None) -> list[int]:
    """:func:`_spots` of a text whose digits (the regex's ``\\d``) are all ASCII, as :func:`_fold` leaves them: each
    match of :data:`_SPOT` is a digit beside a look-alike letter, a pair in :meth:`_Census.pairs` (lane 16; ~26 -> ~10
    us on the 2 KB ticket, with the census its letter test shares)."""
    if not has_digit(text):
        return []
    pairs = (_Census(text) if census is None else census).pairs()
    return [m.start() for m in _matches_at(_SPOT, text, _finds(pairs, (16, 17)))] if pairs else []


def _letters_mix(text: str, census: _Census | None = None) -> bool:
    """Does a word of ``text`` (not all ASCII) mix Latin letters with letters of another script
    (``_LETTERS_MIX.search(text)``)? Each match is a Latin letter beside a character that is not ASCII: the first
    such pair (:meth:`_Census.pairs`, lane 1) is where the search starts (the scan would test every character)."""
    pairs = (_Census(text) if census is None else census).pairs()
    near = [q for q in (pairs.find(1), pairs.find(17)) if q >= 0]
    return bool(near) and _LETTERS_MIX.search(text, min(near)) is not None


_TAB = re.compile("\t")
_BREAK = re.compile("\r\n?|[\n\u2028\u2029\x85]")  # every line-break style, "\r\n" once


def _breaks(out: str) -> frozenset[int]:
    """Where each line break of ``out`` starts (:data:`_BREAK`). A text whose only breaks are "\\n" (most prompts) is
    read with str.find: a regex scan costs more than the whole loop."""
    if "\r" in out or "\u2028" in out or "\u2029" in out or "\x85" in out:
        return frozenset(m.start() for m in _BREAK.finditer(out))
    starts = []
    i = out.find("\n")
    while i != -1:
        starts.append(i)
        i = out.find("\n", i + 1)
    return frozenset(starts)


def _tabs(out: str) -> frozenset[int]:
    """Positions of the tabs in ``out`` (the fold reads them as spaces, one for one)."""
    if "\t" not in out:
        return frozenset()
    return frozenset(m.start() for m in _TAB.finditer(out))


_ASCII_FOLDS = "\v\f\x1c\x1d\x1e\x1f"  # what the fold table holds in ASCII, but for the tab and line breaks


def _fold(out: str, plain: bool = False) -> str:
    """Every one-for-one fold but the look-alike digits (see :func:`_fold_lookalike_digits`); ``plain``: ``out``
    is known to hold only characters of :data:`_NOT_PLAIN`'s set."""
    return _fold_census(out, plain)[0]


def _fold_census(out: str, plain: bool = False) -> tuple[str, _Census]:
    """:func:`_fold`, and the census of what it returns."""
    table, needs_fold = _fold_table()
    for ch in "\n\t\r":  # the common ones: str.replace is many times faster than a sub over all the text
        if ch in out:
            out = out.replace(ch, " ")
    # the table's other ASCII entries are rare controls (`in` is memchr-fast); a plain text holds no other entry
    if (any(ch in out for ch in _ASCII_FOLDS) if out.isascii() else not plain) and needs_fold.search(out):
        out = needs_fold.sub(lambda m: table.get(ord(m.group()), m.group()), out)
    census = _Census(out)
    if not out.isascii() and _letters_mix(out, census):
        out = _WORD.sub(lambda m: m.group() if m.group().isascii() else _one_script_parts(m.group()), out)
        census = _Census(out)
    return out, census


def _fold_lookalike_digits(out: str, spots: list[int] | None = None) -> str:
    """Look-alike letters that touch a digit, read as digits where digits dominate the token (``spots``:
    ``_spots(out)`` if the caller has it)."""
    spots = _spots(out) if spots is None else spots  # where a look-alike letter touches a digit
    if spots:  # fold only the tokens around those: one sub over all the text is slower
        parts, last = [], 0
        for spot in spots:
            if spot < last:
                continue  # inside the token just folded
            start = spot + (0 if out[spot].isdigit() else 1)
            while start > last and out[start - 1] in _LOOKSET:
                start -= 1
            m = _DIGIT_TOKEN.match(out, start)
            parts += [out[last:start], _fold_digit_match(m)]
            last = m.end()
        out = "".join(parts) + out[last:]
    return out


def normalize(text: str) -> View:
    """The view of ``text`` the PII detector reads (see the module docstring). Offsets are the
    identity unless something was decoded, stripped or squeezed."""
    out = text
    rounds: list[_Round] = []
    seen: set[str] = set()
    decoded = False
    census = _Census(text)
    for round_ in range(MAX_ROUNDS):
        pieces = _pieces(out, first=round_ == 0, seen=seen, census=census if round_ == 0 else None)
        if not pieces:
            break
        out, moved = _apply(out, pieces)
        rounds.append(moved)
        squeezed = all(new in ("", " ", "\t", "\n") for _, _, new in pieces)
        decoded = decoded or not squeezed
        if squeezed and not (
                "\n" in out and (_QUOTED_BREAK.search(out) or _b64_lines(out, first=True))):
            break  # only squeezed or stripped: nothing new to decode (what a decoding gave, "%2B" → "+" inside base64,
            # "\\u200b" → an invisible character, goes through the next round like any text); a squeezed blank line
            # ("\n\n" → "\n") can join only a quoted break or base64 lines, so a round runs only for those
    tabs = _tabs(out)
    breaks = _breaks(out)
    # a squeeze or a strip keeps a plain text plain (the first round's census knows, when the text is not ASCII)
    out, census = _fold_census(out, plain=not decoded and census.known_plain())
    spots = _ascii_digit_spots(out, census)  # once: the plain reading's test below reads the same spots
    folded = _fold_lookalike_digits(out, spots)
    if folded == out:
        return View(folded, tuple(rounds), tabs=tabs, breaks=breaks, decoded=decoded)
    # the plain reading still folds a look-alike between two digits ("15l8", "27З7"): only one at an edge
    # can be a glued word; a bar never is a digit there ("0671234567|2024" is two table cells)
    # only a letter near 4 digits or more (a year) can change an identifier ("Llama 3.1 8B" reads the same either way):
    # elsewhere the second reading would cost a second scan for nothing
    if not any(_FOUR_DIGITS.search(folded, max(0, q - 12), q + 14) for q in spots):
        return View(folded, tuple(rounds), tabs=tabs, breaks=breaks, decoded=decoded)
    plain = _INTERIOR_LOOKALIKES.sub(lambda m: m.group().translate(_DIGIT_TABLE), out)
    return View(folded, tuple(rounds), plain if plain != folded else None, tabs, breaks, decoded)
