"""One catalogue of the messages a learner reads from ``labs``, in English and Ukrainian.

The texts live in ``labs/data/messages.yaml`` (``key: {en: ..., uk: ...}``, ``str.format`` fields in
braces); the language is ``LAB_LANG`` (``uk`` or ``en``, default ``en``), picked exactly as the
"Check yourself" widgets pick it (:func:`labs.quiz.bank.language`). Technical terms follow the module's
own usage and ``labs/data/glossary.yaml``. Used by the exercise checks' feedback
(:mod:`labs.exercises`), ``labs lab`` / ``labs with-server`` (:mod:`labs.launcher`) and
``labs build-notebooks`` (:mod:`labs.translations`).

>>> t("check.not_answered_ellipsis", "uk", name="x")
'`x` досі `...`: замініть його своєю відповіддю й виконайте клітинку.'
>>> t("check.not_answered_ellipsis", "en", name="x")
'`x` is still `...`: replace it with your answer and run the cell.'

A count's noun agrees with it through a ``plural`` format spec, ``{n:plural:one|few|many}`` (Ukrainian,
:func:`plural_uk`; ``{n:plural:one|few|many|fraction}`` where the number may show decimals) or
``{n:plural:one|many}`` (English):

>>> t("latency.plot.calls", "uk", name="x", count=3), t("latency.plot.calls", "uk", name="x", count=5)
('x (3 виклики)', 'x (5 викликів)')

Numbers a learner reads follow the language's typography (:func:`number`, :func:`money`); in a message
the spec ``num`` (``num.1`` for one decimal …) writes a count that way, ``usd`` (``usd.0``, ``usd.4`` …) a
dollar amount, ``usdsig`` one that may be a fraction of a cent (:func:`money_sig`), ``pct`` (``pct.1``) a share as :func:`percent`, grouped, ``fig`` (and ``!r``) a learner's own
value as :func:`figure`, ``qty`` a count (whole from 10 up, else as :func:`figure`); any other spec (``{x:,.0f}``) is
Python's own, the same in both languages:

>>> t("costs.plot.break_even", "uk", requests=12345.6), t("costs.plot.break_even", "en", requests=12345.6)
('точка беззбитковості: 12\xa0346 запитів на день', 'break-even: 12,346 requests/day')

>>> t("no.such.key")
Traceback (most recent call last):
...
KeyError: "no message 'no.such.key' in labs/data/messages.yaml: add it there in both languages"
"""

from __future__ import annotations

import math
import numbers
from functools import lru_cache
from importlib import resources
from typing import Any

from labs.quiz.bank import LANGS, language

__all__ = ["LANGS", "NBSP", "figure", "fill", "language", "localise_digits", "localised", "messages", "money", "money_sig",
           "number", "percent", "plural_en", "plural_uk", "shown", "t", "yes_no"]

NBSP = "\u00a0"
"""The Ukrainian thousands separator: a no-break space, so ``12 346`` never breaks across lines (the group
separator of the Unicode CLDR ``uk`` locale, whose decimal mark is a comma; Ukrainian typography groups
digits with spaces, never with commas)."""


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """Every message, by key: ``{"check.passed": {"en": ..., "uk": ...}, ...}`` (read once)."""
    import yaml

    raw = yaml.safe_load(resources.files("labs").joinpath("data", "messages.yaml").read_text(encoding="utf-8"))
    return {key: dict(texts) for key, texts in raw.items()}


def t(key: str, lang: str | None = None, /, **fields: Any) -> str:
    """The message ``key`` in ``lang`` (else ``LAB_LANG``, else English), with ``fields`` filled in.

    Raises ``KeyError`` for a key the catalogue lacks and ``ValueError`` for an unknown language."""
    texts = messages().get(key)
    if texts is None:
        raise KeyError(f"no message {key!r} in labs/data/messages.yaml: add it there in both languages")
    chosen = language(lang)
    text = texts.get(chosen) or texts["en"]
    return fill(text, chosen, **fields) if fields else text  # nothing to fill: the text as it is (as fill returns it)


def fill(template: str, lang: str | None = None, /, **fields: Any) -> str:
    """``template`` (one language's text) with ``fields`` filled in as :func:`t` fills a catalogue message: the
    specs ``num``, ``usd``, ``plural:…`` … in ``lang``'s typography. For a text kept outside the catalogue that
    counts something, such as a quiz answer's unit (:meth:`labs.quiz.bank.Part.unit_for`).

    >>> fill("{n:num} {n:plural:запит|запити|запитів|запиту} на день", "uk", n=41846.2)
    '41\xa0846 запиту на день'
    >>> fill("{n:fig} {n:plural:запит|запити|запитів|запиту} на день", "uk", n=41846.2)
    '41\xa0846,2 запиту на день'
    """
    chosen = language(lang)
    # every number formats in the message's typography: {n:num}, {n:usd.2}, {n:plural:...}, or any Python spec
    # (numpy/pandas scalars too: a sweep table's cells are numpy.int64, which ":num" must format like an int)
    fields = {k: _Count(getattr(v, "item", lambda v=v: v)(), chosen) if _is_number(v) else v
              for k, v in fields.items()}
    return template.format(**fields) if fields else template


def localise_digits(text: str, lang: str | None = None) -> str:
    """An English-formatted number (``"12,345.6"``, ``"50.5%"``) in ``lang``'s typography: unchanged for
    English; for Ukrainian a no-break space (:data:`NBSP`) groups thousands and a comma marks the decimals
    (``"12\u00a0345,6"``). Apply it to a number's own text only, not to a sentence holding other dots."""
    if language(lang) != "uk":
        return text
    return text.replace(",", NBSP).replace(".", ",")


def localised(value: Any, lang: str | None = None) -> Any:
    """``value`` ready for ``str.format`` in ``lang``: a number (not a bool) formats with any spec as in English,
    then :func:`localise_digits`, and a ``plural:`` spec picks the noun after it as in :func:`t`; anything else is
    returned as it is. For texts kept outside the catalogue (the quiz bank's ``questions.yaml``), whose templates
    use Python's own specs.

    >>> "{:,.2f} / {}".format(localised(1963.7, "uk"), localised("v1.2", "uk"))
    '1\xa0963,70 / v1.2'
    """
    if not _is_number(value):
        return value
    return _Localised(getattr(value, "item", lambda: value)(), language(lang))


class _Localised:
    """A number that formats in a language's typography whatever the spec (:func:`localised`)."""

    def __init__(self, value: float, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        if spec.startswith("plural:"):  # the noun after the number: {n:plural:запит|запити|запитів[|запиту]}
            return format(_Count(self.value, self.lang), spec)
        return localise_digits(format(self.value, spec), self.lang)

    def __str__(self) -> str:
        return localise_digits(str(self.value), self.lang)

    def __repr__(self) -> str:
        return repr(self.value)


def number(x: float, digits: int = 0, lang: str | None = None) -> str:
    """``x`` with ``digits`` decimals and grouped thousands, as a learner of ``lang`` (else ``LAB_LANG``)
    reads it: English ``1,234.5``, Ukrainian ``1 234,5`` (no-break space, decimal comma: Ukrainian
    typography and CLDR ``uk``, as the module's Ukrainian text is meant to be read).

    >>> number(1234.5, 1, "en"), number(1234.5, 1, "uk"), number(1_000_000, lang="uk")
    ('1,234.5', '1\xa0234,5', '1\xa0000\xa0000')
    """
    return localise_digits(f"{x:,.{digits}f}", lang)


def figure(x: float, lang: str | None = None, significant: int = 6) -> str:
    """A number as the learner gave it, in ``lang``'s typography, without Python's noise: up to ``significant``
    significant digits, trailing zeros dropped, thousands grouped (so ``0.05`` stays ``0,05`` and never rounds
    to ``0,1``, and ``-48818.181818181816`` reads ``-48 818,2``). Beyond 10¹⁵ or below 10⁻⁶ it switches to
    exponent form rather than print 300 digits. For echoing a learner's own value in feedback
    (``{x:fig}`` or ``{x!r}`` in a message); a computed figure with a fixed precision uses :func:`number`.

    >>> figure(0.05, "uk"), figure(-48818.181818181816, "uk"), figure(123456.0, "en"), figure(1e300, "en")
    ('0,05', '-48\xa0818,2', '123,456', '1e+300')
    >>> figure(0.00015, "en"), figure(float("nan"), "uk"), figure(17.605, "uk")
    ('0.00015', 'nan', '17,605')
    """
    x = float(x)
    if not math.isfinite(x) or x == 0:
        return localise_digits(str(x) if x else "0", lang)
    if not 1e-6 <= abs(x) < 1e15:
        return localise_digits(format(x, f".{significant}g"), lang)
    decimals = max(0, significant - 1 - math.floor(math.log10(abs(x))))
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return localise_digits(text, lang)


def shown(value: Any, lang: str | None = None) -> str:
    """A learner's value for feedback: a number (not a bool) as :func:`figure`, anything else as ``repr``."""
    if _is_number(value):
        return figure(getattr(value, "item", lambda: value)(), lang)
    return repr(value)


def yes_no(value: object, lang: str | None = None) -> str:
    """A check's outcome in a printed line as a reader of ``lang`` says it: «так»/«ні», "yes"/"no" (as
    :func:`labs.display.cell_text` shows a bool in a table), never Python's ``True``/``False`` in Ukrainian prose.

    >>> yes_no(True, "uk"), yes_no(1 == 2, "uk"), yes_no(True, "en")
    ('так', 'ні', 'yes')
    """
    return t("table.value.yes" if value else "table.value.no", lang)


def money(usd: float, digits: int = 2, lang: str | None = None) -> str:
    """A US-dollar amount as plain text: ``$`` first, as the module writes prices in its Ukrainian text
    (``$10-100/міс``), with :func:`number`'s digits, so an amount and the numbers around it follow one
    convention. The module groups its one large amount the English way (``$1,000-10,000/міс``, quoted as it
    is in lesson 1's table); computed amounts do not, because next to a decimal comma (``$248,20``) a Ukrainian
    reader takes ``$1,000`` for one dollar: Ukrainian ``$1 000``.
    Negative as ``-$5.00``. For markdown or plots wrap it with :mod:`labs.display` (``$`` is maths there).

    >>> money(248.2, lang="en"), money(1234567.891, 0, "en"), money(-5, lang="en")
    ('$248.20', '$1,234,568', '-$5.00')
    >>> money(248.2, lang="uk"), money(0.0012, 4, "uk"), money(1234567.891, 0, "uk")
    ('$248,20', '$0,0012', '$1\xa0234\xa0568')
    """
    sign = "-" if usd < 0 else ""
    return f"{sign}${number(abs(usd), digits, lang)}"


def money_sig(usd: float, significant: int = 3, lang: str | None = None) -> str:
    """A dollar amount of any size with cents and ``significant`` digits where it is small: a cost per request
    ($0.000255) and a cost per request on an idle machine ($16.32) in one message, never ``$16.320000`` or
    ``$0.00``; zeros beyond the cents are dropped. As :func:`money` otherwise (``$``, typography of ``lang``).

    >>> money_sig(16.32, lang="uk"), money_sig(0.000255, lang="uk"), money_sig(0.0078, 2, "en"), money_sig(5, lang="en")
    ('$16,32', '$0,000255', '$0.0078', '$5.00')
    """
    x = abs(usd)
    digits = 2
    if 0 < x < 1 and math.isfinite(x):
        digits = max(2, significant - 1 - math.floor(math.log10(x)))
    text = money(usd, digits, lang)
    if digits > 2:  # "$0,00780" → "$0,0078"; "$0,10" keeps its cents
        mark = "," if language(lang) == "uk" else "."
        whole, _, cents = text.partition(mark)
        text = f"{whole}{mark}{cents.rstrip('0').ljust(2, '0')}"
    return text


def percent(share: float, digits: int = 0, lang: str | None = None) -> str:
    """A share (``0.125``) as a percentage with :func:`number`'s digits: English ``12.5%``, Ukrainian ``12,5%``.

    >>> percent(0.125, 1, "en"), percent(0.125, 1, "uk"), percent(0.7, lang="uk")
    ('12.5%', '12,5%', '70%')
    """
    return f"{number(100 * share, digits, lang)}%"


def plural_uk(n: float, one: str, few: str, many: str, fraction: str | None = None) -> str:
    """The Ukrainian form of a noun after the number ``n``: ``one`` for 1, 21, 101 …; ``few`` for 2-4,
    22-24 …; ``many`` for 0, 5-20, 11-14, 25 …; NaN and infinity take ``many`` (never a crash).

    A fraction takes the genitive singular (``1,5 токена``, ``0,5 виклику``: Ukrainian grammar, CLDR ``other``),
    given as ``fraction``: with it, any ``n`` that is not whole takes that form. Without it a float is rounded
    as it is printed by ``num`` (``:.0f``). So the noun follows the number as printed: three forms after a number
    printed whole (``num``, ``.0f``), four after one that may show decimals (``fig``, ``qty``, ``num.1``, a bare
    ``{n}``), and ``n`` given as printed (rounded to the decimals shown). A test holds the catalogue to this.

    >>> [f"{n} " + plural_uk(n, "токен", "токени", "токенів") for n in (1, 4, 11, 22, 154, 231)]
    ['1 токен', '4 токени', '11 токенів', '22 токени', '154 токени', '231 токен']
    >>> [plural_uk(n, "токен", "токени", "токенів", "токена") for n in (1.5, 2.5, 0.5, 2.0, float("nan"))]
    ['токена', 'токена', 'токена', 'токени', 'токенів']
    """
    if not math.isfinite(n):
        return many
    if fraction is not None and n != int(n):
        return fraction
    whole = abs(round(n))
    if whole % 10 == 1 and whole % 100 != 11:
        return one
    if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
        return few
    return many


def plural_en(n: float, one: str, many: str) -> str:
    """The English form of a noun after the number ``n``: ``one`` for exactly 1 (``1.0`` too), ``many`` for
    everything else: 0, 2, a fraction (``1.2 requests``, ``0.5 requests``: CLDR ``en`` puts every number with
    decimals in ``other``), NaN and infinity. As with :func:`plural_uk`, ``n`` is the number as printed: a
    message that prints ``{n:num}`` (no decimals) is given ``n`` rounded, so ``1 request`` and ``1.2 requests``
    both read right.

    >>> [plural_en(n, "request", "requests") for n in (1, 1.0, 1.2, 0.5, 0, 2, float("nan"))]
    ['request', 'request', 'requests', 'requests', 'requests', 'requests', 'requests']
    """
    return one if n == 1 else many


_SPECS = ("num", "usd", "plural:")


# the types a message is filled with most, answered without the ABC check of numbers.Real (~1 us a field; the router
# fills ~8 messages a decision, issue 11's time to decide); any other type (numpy, Fraction, a subclass) asks it
_PLAIN_TYPES = {int: True, float: True, str: False, bool: False}


def _is_number(value: Any) -> bool:
    known = _PLAIN_TYPES.get(type(value))
    if known is not None:
        return known
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class _Count:
    """A number inside :func:`t`: formats as itself; ``num[.d]`` / ``usd[.d]`` as :func:`number` /
    :func:`money` in the message's language; ``plural:a|b|c`` picks the noun form for it."""

    def __init__(self, value: float, lang: str = "en") -> None:
        self.value = value
        self.lang = lang

    def __format__(self, spec: str) -> str:
        if not spec:  # "{count}", the commonest: as Python writes it, in the message's typography (the last case below)
            return localise_digits(format(self.value, spec), self.lang)
        if spec == "fig":
            return figure(self.value, self.lang)
        if spec == "qty":  # a count: whole from 10 up (25 208), a small one as it is (0,5, not "0")
            small = math.isfinite(self.value) and abs(self.value) < 10
            return figure(self.value, self.lang) if small else number(self.value, 0, self.lang)
        if spec == "usdsig":  # a dollar amount that may be a fraction of a cent ($0,000255) or dollars ($16,32)
            return money_sig(self.value, 3, self.lang)
        kind, _, digits = spec.partition(".")
        if kind in ("num", "usd", "pct") and (not digits or digits.isdigit()):
            if kind == "num":
                return number(self.value, int(digits or 0), self.lang)
            if kind == "pct":
                return percent(self.value, int(digits or 0), self.lang)
            return money(self.value, int(digits or 2), self.lang)
        if not spec.startswith("plural:"):  # a Python spec (":g", ":.0%"): its digits in the message's typography
            return localise_digits(format(self.value, spec), self.lang)
        forms = spec[len("plural:"):].split("|")
        if len(forms) in (3, 4):
            return plural_uk(self.value, *forms)
        if len(forms) == 2:
            return plural_en(self.value, *forms)
        raise ValueError(f"a plural spec has 2 (English) or 3-4 (Ukrainian: one|few|many[|fraction]) forms "
                         f"separated by |; got {spec!r}")

    def __str__(self) -> str:
        return localise_digits(str(self.value), self.lang)

    def __repr__(self) -> str:  # "{got!r}" of a number: the learner's value as they read numbers, not Python's repr
        return figure(self.value, self.lang)
