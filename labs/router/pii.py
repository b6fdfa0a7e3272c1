"""Find personal data in a prompt before it can leave the machine (lesson 3: the router's eyes).

:func:`detect_pii` returns :class:`Finding` objects (``kind``, ``start``, ``end``, ``text``) for

============  ===========================================================================
kind          what, and what keeps a random number out
============  ===========================================================================
``email``     e-mail addresses
``phone``     international (+380 67 123 45 67, +44 20 7946 0958), Ukrainian national
              (067-123-45-67, (044) 123 45 67) and US (415-555-0132) forms
``card``      payment cards, 13-19 digits in card-like groups, **Luhn-checked**
``iban``      IBANs (UA and others), **mod-97 checked** with the country's length
``tax_id``    Ukrainian РНОКПП/ІПН: 10 digits, **weighted checksum** and context: a tax
              keyword nearby, or "номер"/"ID" right before a plausible birth date
``passport``  Ukrainian passports: old booklet (МК 123456) and ID card (9 digits, with a
              keyword), foreign passports (FE123456, with a keyword)
``ssn``       US Social Security numbers (issuable ranges only)
``dob``       a date next to "born", "date of birth", "дата народження", "р.н." ...
``health``    diagnoses and medications *about a person* (see :mod:`labs.router.health`)
============  ===========================================================================

Numbers that are not personal — prices, years, versions, parameter counts, order and
invoice numbers — fail the checksums, the grouping or the context rules, and a number
right after "order", "invoice", "замовлення", "ТТН" ... is never a phone or an ID.

Real text writes identifiers in many ways (``тел.0671234567``, full-width digits, links, HTML
entities, look-alike letters, a line break inside): the detectors read the normalised view from
:mod:`labs.router.normalize` and treat digits, not word boundaries, as the edge of a number;
findings point back at the original text.

Detectors are plain functions ``text -> iterable of Finding``; pass your own in ``extra=``
(the lesson's exercise adds one). When findings overlap, the stronger evidence wins (a
verified IBAN beats the phone-like digits inside it).

>>> [(f.kind, f.text) for f in detect_pii("Call me on +380 67 123 45 67 or mail olena@example.com")]
[('phone', '+380 67 123 45 67'), ('email', 'olena@example.com')]
>>> detect_pii("The RTX 4090 costs $1,599 and SmolLM2 has 135M parameters (v2.1.0, 2024).")
[]
>>> redact("Card 4111 1111 1111 1111, born 12.03.1985")
'Card [CARD], born [DOB]'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from labs.router import health as _health
from labs.router.normalize import CONFUSABLE_CLASS, fold_confusables, normalize
from labs.router.textscan import lower
from labs.router.validators import (
    IBAN_LENGTHS,
    digits_of,
    iban_ok,
    luhn_ok,
    rnokpp_birth_date,
    rnokpp_ok,
    ssn_ok,
)

KINDS = ("email", "phone", "card", "iban", "tax_id", "passport", "ssn", "dob", "health")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text == prompt[start:end]``."""

    kind: str
    start: int
    end: int
    text: str
    priority: int = 50  # which finding wins when two overlap

    @property
    def placeholder(self) -> str:
        return f"[{self.kind.upper()}]"


Detector = Callable[[str], Iterable[Finding]]

# --- context rules --------------------------------------------------------------------------
_NOT_PERSONAL_BEFORE = re.compile(
    r"(?:order|invoice|tracking|ticket|reference|ref|sku|part|serial|build|version|model|"
    r"issue|pr|bug|commit|timestamp|epoch|unix(?:-час|\s+time)?|замовленн\w*|рахун\w*|накладн\w*|ттн|артикул\w*|квитанці\w*|"
    r"версі\w*|збірк\w*|модел\w*|заявк\w*|тікет\w*)"
    r"\s*(?:no\.?|number|num|id|#|№|:|-)?\s*[:#№]?\s*$",
    re.IGNORECASE,
)
_TAX_CONTEXT = re.compile(
    r"(?:рнокпп|(?<![а-яіїєґ])(?:іпн|інн)(?![а-яіїєґ])|ідентифікаційн\w*\s+(?:код|номер)\w*|податков\w*\s+номер\w*|"
    r"код\s+платника|tax\s*(?:id|number|code)|\btin(?![a-z])|taxpayer|(?<![а-яіїєґ])дрфо|декларац\w*|tax\s+return)",
    re.IGNORECASE,
)
_PASSPORT_CONTEXT = re.compile(
    r"(?:паспорт\w*|passport|id[- ]?карт\w*|id[- ]?card|посвідк\w*|номер\s+документ\w*|"
    r"document\s+(?:no|number)|документ\w*\s+№)",
    re.IGNORECASE,
)
_SSN_CONTEXT = re.compile(r"(?:\bssn\b|social\s+security)", re.IGNORECASE)
_DOB_BEFORE = re.compile(
    r"(?:\bborn\b|date\s+of\s+birth|\bd\.?o\.?b\.?|birth\s*date|birthday|"
    r"народи\w*|народженн\w*|\bд\.\s?н\.|\bр\.\s?н\.)",
    re.IGNORECASE,
)
_DOB_AFTER = re.compile(r"\s*(?:р\.?\s*)?(?:р\.\s?н\.|року\s+народження|\(?dob\)?)", re.IGNORECASE)


def _before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


def _not_personal_context(text: str, start: int) -> bool:
    return bool(_NOT_PERSONAL_BEFORE.search(_before(text, start, 30)))


# --- the detectors ----------------------------------------------------------------------------
# Latin letters, digits and their look-alikes: "Пишітьolena@exаmple.com" (a Cyrillic "а" in the
# domain) is an address glued to a Ukrainian word; a Cyrillic letter is a boundary, not a part.
_L = f"A-Za-z0-9{CONFUSABLE_CLASS}"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9_])[{_L}_][{_L}._%+\-]*@[{_L}\-]+(?:\.[{_L}\-]+)*\.[A-Za-z{CONFUSABLE_CLASS}]{{2,}}"
    r"(?![A-Za-z0-9])"
)


def find_emails(text: str) -> Iterator[Finding]:
    for m in _EMAIL.finditer(text):
        start = m.start()
        while text[start] in CONFUSABLE_CLASS and not text[start].isascii() and start + 1 < m.end() \
                and text[start + 1] != "@" and text[start - 1 : start].isalpha():
            start += 1  # "Пишітеolena@...": the Cyrillic "е" belongs to the word before
        yield Finding("email", start, m.end(), text[start : m.end()], 60)


_SEP = r"[ .\-]"
# Boundaries are digits, not letters or punctuation: "тел.0671234567", "tel:+380...", "wa.me/380..."
# are phones; "3.0671234567" (a decimal) and "0x0671234567" (hex) are not.
_PHONE = re.compile(
    rf"""(?<![\d+])(?<!\d[.,])(?<!0x)(?:
        \+\d{{1,3}}{_SEP}?\(?\d{{1,4}}\)?(?:{_SEP}?\d{{2,4}}){{2,4}}      # +380 67 123 45 67
      | (?:8\ ?)?\(0\d{{2}}\)\ ?\d{{3}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}      # (067) 123 45 67, 8 (067) ...
      | 0\d{{2}}{_SEP}?\d{{3}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}                # 067-123-45-67
      | 380\d{{9}}                                                          # 380671234567
      | \([2-9]\d{{2}}\)\ ?\d{{3}}[ .\-]\d{{4}}                            # (415) 555-0132
      | [2-9]\d{{2}}[.\-]\d{{3}}[.\-]\d{{4}}                               # 415-555-0132
    )(?!\d)(?![.,/\-]\d)""",
    re.VERBOSE,
)


def find_phones(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    for m in _PHONE.finditer(text, lo, len(text) if hi is None else hi):
        n = len(digits_of(m.group()))
        if 9 <= n <= 15 and not _not_personal_context(text, m.start()):
            yield Finding("phone", m.start(), m.end(), m.group(), 50)


# Any of space, dash or dot between the groups, mixed too ("4111 1111-1111 1111"); glued to letters.
_CARD = re.compile(
    r"(?<!\d)(?<!\d[.,])(?<!\d[ \-.])(?:\d{4}[ \-.]\d{4}[ \-.]\d{4}[ \-.]\d{4}(?:[ \-.]\d{1,3})?"  # 4-4-4-4(-3)
    r"|\d{4}[ \-.]\d{6}[ \-.]\d{4,5}"  # Amex 4-6-5, Diners 4-6-4
    r"|\d{13,19})(?![ \-.]?\d)(?![,]\d)"
)


def find_cards(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    for m in _CARD.finditer(text, lo, len(text) if hi is None else hi):
        digits = digits_of(m.group())
        if (
            13 <= len(digits) <= 19
            and digits[0] in "23456"
            and luhn_ok(digits)
            and not _not_personal_context(text, m.start())
        ):
            yield Finding("card", m.start(), m.end(), m.group(), 80)


# Glued to any letter ("IBANUA21...", "рахунокUA21..."): the mod-97 check, not a word boundary,
# keeps random text out. Look-alike letters ("UА21" with a Cyrillic А) are folded before it.
_IBAN = re.compile(rf"(?<!\d)[A-Za-z{CONFUSABLE_CLASS}]{{2}}\d{{2}}(?:[ \-]?[A-Za-z0-9{CONFUSABLE_CLASS}]){{11,30}}")


def find_ibans(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    hi = len(text) if hi is None else hi
    while (m := _IBAN.search(text, lo, hi)) is not None:
        lo = m.start() + 1  # a failed candidate may hide a real IBAN that starts inside it
        # positions of the alphanumeric characters, so a valid prefix maps back to a span
        pos = [m.start() + i for i, ch in enumerate(m.group()) if ch not in " -"]
        want = IBAN_LENGTHS.get(fold_confusables(m.group()[:2]).upper())
        for n in ([want] if want else ()):
            if n <= len(pos) and iban_ok(fold_confusables(text[pos[0] : pos[n - 1] + 1]).replace("-", "")):
                end = pos[n - 1] + 1
                if end < len(text) and text[end].isdigit():
                    continue
                yield Finding("iban", pos[0], end, text[pos[0] : end], 90)
                lo = end
                break


_TEN_DIGITS = re.compile(r"(?<![\d+])(?<!\d[.,])\d{10}(?!\d)(?![.,]\d)")
# "номер 3124167891", "ID: 3124167891": a number that names something, right before the digits
_ID_CUE_BEFORE = re.compile(r"(?:номер\w*|№|number|\bno\.?|\bnr\.?|код\w*|code|\bid)\s*[:#№]?\s*$", re.IGNORECASE)


def find_tax_ids(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    """РНОКПП: the checksum (1 random number in 10 passes it) **and** context. A tax keyword within
    70 characters before (room for a link) or 40 after; or, weaker, "номер"/"ID"/"code" right before digits that
    encode a plausible birth date. "1000000000 parameters" and token counts have neither."""
    for m in _TEN_DIGITS.finditer(text, lo, len(text) if hi is None else hi):
        code = m.group()
        if not rnokpp_ok(code) or _not_personal_context(text, m.start()):
            continue
        if _TAX_CONTEXT.search(_before(text, m.start(), 70)) or _TAX_CONTEXT.search(text, m.end(), m.end() + 40):
            yield Finding("tax_id", m.start(), m.end(), code, 75)
        elif _ID_CUE_BEFORE.search(_before(text, m.start(), 20)) and 1900 <= rnokpp_birth_date(code).year <= 2012:
            yield Finding("tax_id", m.start(), m.end(), code, 30)  # weak: loses to any other kind


# Two capitals right after a lower-case word are a series too ("паспортМК123456"); a third capital
# before them is not ("ТТН 204500...").
_UA_BOOKLET = re.compile(r"(?<![A-ZА-ЯҐЄІЇ0-9])[АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЮЯ]{2} ?№? ?\d{6}(?!\d)")
_ID_CARD = re.compile(r"(?<![\d\-])\d{9}(?![\d\-])")
# Latin series (and a booklet series typed in Latin look-alikes, "MK 123456"): only with a keyword
_FOREIGN = re.compile(rf"(?<![A-Z0-9{CONFUSABLE_CLASS}])[A-Z{CONFUSABLE_CLASS}]{{2}} ?№? ?\d{{6,7}}(?!\d)")


def find_passports(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    hi = len(text) if hi is None else hi
    for m in _UA_BOOKLET.finditer(text, lo, hi):
        if not _not_personal_context(text, m.start()):
            yield Finding("passport", m.start(), m.end(), m.group(), 65)
    for rx in (_ID_CARD, _FOREIGN):
        for m in rx.finditer(text, lo, hi):
            if _PASSPORT_CONTEXT.search(_before(text, m.start(), 50)):
                yield Finding("passport", m.start(), m.end(), m.group(), 65)


_SSN_DASHED = re.compile(r"(?<!\d)(?<!\d-)\d{3}-\d{2}-\d{4}(?!\d|[.\-]\d)")
_SSN_PLAIN = re.compile(r"(?<!\d)(?<!\d-)\d{3}[ .\-]?\d{2}[ .\-]?\d{4}(?!\d|[.\-]\d)")


def find_ssns(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    hi = len(text) if hi is None else hi
    for m in _SSN_DASHED.finditer(text, lo, hi):
        if ssn_ok(m.group()) and not _not_personal_context(text, m.start()):
            yield Finding("ssn", m.start(), m.end(), m.group(), 70)
    for m in _SSN_PLAIN.finditer(text, lo, hi):
        if ssn_ok(m.group()) and _SSN_CONTEXT.search(_before(text, m.start(), 40)):
            yield Finding("ssn", m.start(), m.end(), m.group(), 70)


_MONTHS_EN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS_UK = r"(?:січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня)"
# Two patterns: numeric dates start with a literal digit (so the scan skips text fast) and may be
# glued to a word ("born12.03.1985"); "March 5, 1990" starts with a month name, a word of its own.
_DATE = re.compile(
    rf"""\d(?<![\d.\-/]\d)(?:
        \d?[./\-]\d{{1,2}}[./\-](?:19|20)?\d{{2}}                    # 12.03.1985, 5/3/90
      | (?<=1)9\d{{2}}-\d{{2}}-\d{{2}} | (?<=2)0\d{{2}}-\d{{2}}-\d{{2}}     # 1985-03-12
      | \d?\ (?:{_MONTHS_EN}|{_MONTHS_UK})\ (?:19|20)\d{{2}}           # 5 березня 1990
    )(?![\d\-/]|\.\d)""",
    re.VERBOSE | re.IGNORECASE,
)
_WORD_DATE = re.compile(
    rf"(?<![\w.\-/]){_MONTHS_EN}\ \d{{1,2}}(?:st|nd|rd|th)?,?\ (?:19|20)\d{{2}}(?![\d\-/]|\.\d)",
    re.VERBOSE | re.IGNORECASE,
)


def find_dobs(text: str) -> Iterator[Finding]:
    for m in (*_DATE.finditer(text), *_WORD_DATE.finditer(text)):
        if _DOB_BEFORE.search(_before(text, m.start(), 50)) or _DOB_AFTER.match(text, m.end(), m.end() + 20):
            yield Finding("dob", m.start(), m.end(), m.group(), 40)


def find_health(text: str, others: Iterable[Finding] = (), low: str | None = None) -> Iterator[Finding]:
    for start, end in _health.personal_health_spans(text, any_identifier=bool(list(others)), low=low):
        yield Finding("health", start, end, text[start:end], 20)


STRUCTURED: tuple[Detector, ...] = (
    find_emails, find_phones, find_cards, find_ibans, find_tax_ids, find_passports, find_ssns, find_dobs,
)

# Every numeric kind (IBANs too) holds a run of at least 6 digits (with separators); those
# detectors run only in a small window around such runs, which keeps a 2 KB prompt under 1 ms.
_NUM_RUN = re.compile(r"\d[\d \-.()/]{5,}")
_DOB_GATE = ("born", "birth", "dob", "d.o.b", "народ", "р.н", "р. н", "д.н", "д. н")


def _digit_runs(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, number of digits) of each run with at least 6 digits."""
    for m in _NUM_RUN.finditer(text):
        n = sum(map(str.isdigit, m.group()))
        if n >= 6:
            yield m.start(), m.end(), n


def _numeric(text: str) -> Iterator[Finding]:
    """Run each numeric detector only where it can match: a card needs 13 digits, a phone 9 ..."""
    size = len(text)
    for start, end, n in _digit_runs(text):
        lo, hi = max(0, start - 8), min(size, end + 2)
        if n >= 9:
            yield from find_phones(text, lo, hi)
            yield from find_ssns(text, lo, hi)
        if n >= 10:
            yield from find_tax_ids(text, lo, hi)
            yield from find_ibans(text, max(0, start - 34), min(size, end + 12))
        if n >= 13:
            yield from find_cards(text, lo, hi)
        if n >= 9 or any(ch.isalpha() for ch in text[max(0, start - 3) : start]):
            yield from find_passports(text, lo, hi)


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Keep non-overlapping findings, stronger (then longer) first; return them in text order."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.priority, f.start - f.end, f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _scan(view: str) -> list[Finding]:
    found: list[Finding] = []
    if "@" in view:
        found.extend(find_emails(view))
    found.extend(_numeric(view))
    low = lower(view)
    if any(key in low for key in _DOB_GATE):
        found.extend(find_dobs(view))
    return found


def detect_pii(text: str, *, extra: Iterable[Detector] = ()) -> list[Finding]:
    """All personal data in ``text``, in order: see the module docstring for the kinds.

    The built-in detectors read the normalised view of ``text`` (:func:`labs.router.normalize.normalize`:
    decoded links and HTML, ASCII digits, one space per gap) so that an identifier is found however
    it is written; every finding's ``start``/``end``/``text`` refer to the original ``text``.
    ``extra`` adds your own detectors (functions ``text -> iterable of Finding``); they read the
    original ``text``.
    """
    if not isinstance(text, str):
        raise ValueError(f"detect_pii needs a str, got {type(text).__name__}")
    view = normalize(text)
    found = _scan(view.text)
    mine = [f for det in extra for f in det(text)]
    found.extend(find_health(view.text, found + mine))  # any identifier makes health data personal
    if view.starts is not None or view.text != text:
        found = [_to_original(text, view.span(f.start, f.end), f) for f in found]
    return resolve(found + mine)


def _to_original(text: str, span: tuple[int, int], f: Finding) -> Finding:
    start, end = span
    return Finding(f.kind, start, end, text[start:end], f.priority)


def redact(text: str, findings: Iterable[Finding] | None = None, *, extra: Iterable[Detector] = ()) -> str:
    """``text`` with each finding replaced by its typed placeholder (``[EMAIL]``, ``[PHONE]``, ...).

    >>> redact("Пишіть на olena@example.com, тел. 067-123-45-67")
    'Пишіть на [EMAIL], тел. [PHONE]'
    """
    found = detect_pii(text, extra=extra) if findings is None else resolve(findings)
    out, last = [], 0
    for f in found:
        out.append(text[last : f.start])
        out.append(f.placeholder)
        last = f.end
    out.append(text[last:])
    return "".join(out)


def regex_detector(kind: str, pattern: str | re.Pattern, *, validate: Callable[[str], bool] | None = None,
                   priority: int = 55, flags: int = 0) -> Detector:
    """Make a detector from a regular expression and an optional validator (lesson 3 exercise).

    >>> ip = regex_detector("ip", r"\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b",
    ...                     validate=lambda s: all(int(p) < 256 for p in s.split(".")))
    >>> [f.text for f in ip("from 192.168.1.20, not 999.1.1.1")]
    ['192.168.1.20']
    """
    rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern

    def detector(text: str) -> Iterator[Finding]:
        for m in rx.finditer(text):
            if validate is None or validate(m.group()):
                yield Finding(kind, m.start(), m.end(), m.group(), priority)

    detector.__name__ = f"find_{kind}"
    return detector
