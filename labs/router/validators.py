"""Checksums that tell a real identifier from a random number (lesson 3: the PII detector).

A regular expression finds *candidates*; a checksum throws most false ones away. A price, an
order number or a parameter count passes the Luhn test only by chance (1 in 10), and a
random string passes the IBAN test 1 time in 97. The ``make_*`` helpers build synthetic,
checksum-valid numbers for test data: they belong to nobody.
"""

from __future__ import annotations

import datetime as _dt
import operator
import unicodedata

# IBAN length of every country in the ISO 13616 (SWIFT) IBAN registry. A string with another
# country code is no IBAN: without this, the mod-97 test alone lets 1 random string in 97 through.
IBAN_LENGTHS: dict[str, int] = {
    "UA": 29, "DE": 22, "GB": 22, "FR": 27, "PL": 28, "ES": 24, "IT": 27, "NL": 18, "CH": 21,
    "AT": 20, "BE": 16, "CZ": 24, "LT": 20, "LV": 21, "EE": 20, "SE": 24, "NO": 15, "DK": 18,
    "FI": 18, "IE": 22, "PT": 25, "GR": 27, "RO": 24, "HU": 28, "SK": 24, "BG": 22, "HR": 21,
    "SI": 19, "LU": 20, "MD": 24, "GE": 22, "TR": 26,
    "AD": 24, "AE": 23, "AL": 28, "AZ": 28, "BA": 20, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CR": 22,
    "CY": 28, "DJ": 27, "DO": 28, "EG": 29, "FK": 18, "FO": 18, "GI": 23, "GL": 18, "GT": 28, "HN": 28,
    "IL": 23, "IQ": 23, "IS": 26, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LY": 25,
    "MC": 27, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "OM": 23, "PK": 24,
    "PS": 29, "QA": 29, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

RNOKPP_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
RNOKPP_EPOCH = _dt.date(1899, 12, 31)  # day 0 of the birth-date part of a РНОКПП


def digits_of(text: str) -> str:
    """Only the digits of ``text``.

    >>> digits_of("4111 1111-1111 1111")
    '4111111111111111'
    """
    return ascii_digits("".join(ch for ch in text if ch.isdigit()))


def ascii_digits(text: str) -> str:
    """``text`` with every digit (``str.isdigit``: Arabic-Indic ٣, Devanagari ३, full-width ３, superscript ³, circled ③
    ...) written as its ASCII digit, any other character kept. Every validator here reads its input through it, so a
    digit counts with its value, however it is written (issue 11 r14: "%card٣٨٠٩٥٥٥١٦٧٥٢" raised a KeyError in
    :func:`luhn_ok`, "①" a ValueError).

    >>> ascii_digits("٣٨(٠٩٥) ３³①")
    '38(095) 331'
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes; spaces and dashes are ignored.

    >>> luhn_ok("4111 1111 1111 1111"), luhn_ok("4111 1111 1111 1112")
    (True, False)
    >>> luhn_ok("")
    False
    """
    digits = number if number.isdigit() and number.isascii() else digits_of(number)
    if not digits:
        return False
    # slices and a table, not a loop per digit: the detector asks for every 12-19 digit window of a prompt
    total = sum(map(int, digits[-1::-2])) + sum(_LUHN_DOUBLED[ch] for ch in digits[-2::-2])
    return total % 10 == 0


_LUHN_DOUBLED = {str(d): (2 * d - 9 if d > 4 else 2 * d) for d in range(10)}


def luhn_digit(partial: str) -> str:
    """The check digit that makes ``partial + digit`` pass :func:`luhn_ok`.

    >>> luhn_digit("411111111111111")
    '1'
    """
    for d in "0123456789":
        if luhn_ok(partial + d):
            return d
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def card_iin_ok(number: str) -> bool:
    """Could ``number`` (digits only) be a payment card, by its issuer prefix (IIN) and length?

    Visa 4: 16 or 19 digits; Mastercard 51-55 and 2221-2720: 16; Amex 34/37: 15; Maestro 50/56-58:
    16; Discover 6011/644-649/65, UnionPay 62, JCB 3528-3589, Mir 2200-2204: 16-19; Diners 36:
    14-16, 300-305/38/39: 14 or 16; other 6…: 16; ПРОСТІР 9804, Troy 9792, Humo 9860, UzCard 8600,
    BelCard 9112: 16; UnionPay 81-82: 16-19. Source: ISO/IEC 7812 issuer ranges as published
    by the card networks (the IIN ranges on Wikipedia's "Payment card number", checked 2025).
    A 14-digit timestamp (2016…), an EAN-13 barcode or a 19-digit id starting with 1 is no card.

    >>> card_iin_ok("4111111111111111"), card_iin_ok("20161213194604"), card_iin_ok("4826702762034")
    (True, False, False)
    """
    number = ascii_digits(number)
    n = len(number)
    if not 14 <= n <= 19 or not number.isdigit():
        return False
    p4 = int(number[:4])
    p2, p3 = p4 // 100, p4 // 10  # the first two and three digits
    if number[0] == "4":
        return n in (16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if p2 in (50, 56, 57, 58):
        return n == 16
    if p4 == 6011 or 644 <= p3 <= 649 or p2 in (62, 65) or 3528 <= p4 <= 3589 or 2200 <= p4 <= 2204:
        return 16 <= n <= 19
    if p2 == 36:
        return 14 <= n <= 16
    if 300 <= p3 <= 305 or p2 in (38, 39):
        return n in (14, 16)
    if number[0] == "6":
        return n == 16
    if p4 in (9804, 9792, 9860, 8600, 9112):  # ПРОСТІР (Ukraine), Troy, Humo, UzCard, BelCard
        return n == 16
    if p2 in (81, 82):  # UnionPay's 81-82 range
        return 16 <= n <= 19
    return False


def _iban_number(compact: str) -> int:
    """``compact`` (upper case) as ISO 13616 reads it: the first four characters moved to the end, each letter
    replaced by its number (A = 10 ... Z = 35)."""
    return int((compact[4:] + compact[:4]).translate(_IBAN_LETTERS))  # one table, not a call per character


_IBAN_LETTERS = str.maketrans({chr(ord("A") + k): str(10 + k) for k in range(26)})


def iban_ok(iban: str) -> bool:
    """ISO 13616 check: a registered country, its length, and ``mod 97 == 1``.

    >>> iban_ok("DE89 3704 0044 0532 0130 00"), iban_ok("DE89 3704 0044 0532 0130 01")
    (True, False)
    >>> iban_ok("GB82 WEST 1234 5698 7654 32")
    True
    """
    compact = "".join(iban.split()).upper()
    if len(compact) < 15 or len(compact) > 34 or not compact.isalnum() or not compact.isascii():
        return False
    if not (compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    return _iban_number(compact) % 97 == 1


def make_iban(country: str, bban: str) -> str:
    """A checksum-valid IBAN for ``country`` and account part ``bban``, grouped by four.

    >>> make_iban("DE", "370400440532013000")
    'DE89 3704 0044 0532 0130 00'
    """
    compact = f"{country.upper()}00{bban.upper()}"
    if not (compact.isascii() and compact.isalnum()):
        raise ValueError(f"make_iban({country!r}, {bban!r}): an IBAN holds Latin letters and digits only; drop the rest")
    check = 98 - _iban_number(compact) % 97
    compact = f"{country.upper()}{check:02d}{bban.upper()}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def rnokpp_check_digit(first9: str) -> int:
    """The 10th digit of a Ukrainian taxpayer number (РНОКПП, formerly ІПН).

    >>> rnokpp_check_digit("312456789")
    6
    """
    total = sum(map(operator.mul, RNOKPP_WEIGHTS, map(int, ascii_digits(first9))))  # asked for every 10-digit window
    return total % 11 % 10


def rnokpp_ok(code: str) -> bool:
    """Ten digits whose last one is the weighted checksum of the first nine.

    >>> rnokpp_ok("3124567896"), rnokpp_ok("3124567890"), rnokpp_ok("312456789")
    (True, False, False)
    """
    code = ascii_digits(code)
    return len(code) == 10 and code.isdigit() and rnokpp_check_digit(code[:9]) == int(code[9])


def rnokpp_birth_date(code: str) -> _dt.date:
    """The birth date a РНОКПП encodes: its first five digits count days from 1899-12-31.

    >>> rnokpp_birth_date("3124167891")
    datetime.date(1985, 7, 14)
    """
    return RNOKPP_EPOCH + _dt.timedelta(days=int(ascii_digits(code[:5])))


def make_rnokpp(birth: _dt.date, serial: int) -> str:
    """A checksum-valid synthetic РНОКПП for ``birth``; ``serial`` (0..9999) fills digits 6-9.

    >>> make_rnokpp(_dt.date(1985, 7, 14), 6789)
    '3124167891'
    """
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial={serial}: it fills four digits, so it must be 0..9999")
    first9 = f"{(birth - RNOKPP_EPOCH).days:05d}{serial:04d}"
    return first9 + str(rnokpp_check_digit(first9))


def ssn_ok(ssn: str) -> bool:
    """A US Social Security number that could be issued: area not 000, 666 or 9xx; group not
    00; serial not 0000.

    >>> ssn_ok("219-09-9999"), ssn_ok("666-12-3456"), ssn_ok("912-12-3456"), ssn_ok("123-00-4567")
    (True, False, False, False)
    """
    digits = ssn if ssn.isdigit() and ssn.isascii() else digits_of(ssn)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_ok(code: str) -> bool:
    """A Polish PESEL: 11 digits, a birth date (the month carries the century: +20 for the 2000s, +80 for the 1800s)
    and a weighted check digit (weights 1-3-7-9; source: the Polish Act on the Population Register, art. 15).

    >>> pesel_ok("44051401359"), pesel_ok("44051401358"), pesel_ok("90010112345")
    (True, False, False)
    """
    d = digits_of(code)
    if len(d) != 11:
        return False
    month, day = int(d[2:4]), int(d[4:6])
    century = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}.get(month // 20)
    if century is None:
        return False
    try:
        _dt.date(century + int(d[:2]), month % 20, day)
    except ValueError:
        return False
    return (10 - sum(w * int(x) for w, x in zip(PESEL_WEIGHTS, d)) % 10) % 10 == int(d[10])


def steuer_id_ok(code: str) -> bool:
    """A German Steuer-ID (steuerliche Identifikationsnummer): 11 digits, no leading 0, in the first ten one digit twice
    or three times (three never in a row) and the rest at most once, and an ISO 7064 MOD 11,10 check digit (source:
    § 139b AO and the Bundeszentralamt für Steuern's published rules).

    >>> steuer_id_ok("86095742719"), steuer_id_ok("86095742718"), steuer_id_ok("12345678901")
    (True, False, False)
    """
    d = digits_of(code)
    if len(d) != 11 or d[0] == "0":
        return False
    counts = sorted((d[:10].count(c) for c in set(d[:10])), reverse=True)
    if counts[0] not in (2, 3) or (len(counts) > 1 and counts[1] > 1):
        return False
    if counts[0] == 3 and any(d[i] == d[i + 1] == d[i + 2] for i in range(8)):
        return False
    product = 10
    for ch in d[:10]:
        total = (int(ch) + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(d[10])


def isbn13_ok(code: str) -> bool:
    """An ISBN-13 (a book's number, never personal): 13 digits starting 978 or 979, weights 1 and 3 alternating, the
    sum a multiple of 10 (ISO 2108). ``isbn13_ok("9780306406157")`` is True."""
    code = ascii_digits(code)
    if len(code) != 13 or not code.isdigit() or not code.startswith(("978", "979")):
        return False
    return sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(code)) % 10 == 0


def isbn10_ok(code: str) -> bool:
    """An ISBN-10: 9 digits and a check character (a digit or X, for 10), weights 10..1, the sum a multiple of 11
    (ISO 2108). ``isbn10_ok("0306406152")`` is True."""
    code = ascii_digits(code)
    if len(code) != 10 or not code[:9].isdigit() or not (code[9].isdigit() or code[9] in "Xx"):
        return False
    return sum((10 - k) * (10 if ch in "Xx" else int(ch)) for k, ch in enumerate(code)) % 11 == 0


# The odd-position values of the Italian codice fiscale's check character, for 0-9 then A-Z (source: Decreto del
# Ministero delle Finanze 23 dicembre 1976, allegato; the same table the Agenzia delle Entrate publishes)
_CF_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16,
           10, 22, 25, 24, 23)
_CF_SHAPE = "LLLLLLDDLDDLDDDL"  # surname, name, year, month letter, day, town code (omocodia may turn D into letters)


def codice_fiscale_ok(code: str) -> bool:
    """An Italian codice fiscale: 16 characters (6 letters, 2 digits, a month letter, 2 digits, a letter and 3 digits,
    a check letter; digits may be replaced by letters LMNPQRSTUV for omocodia) whose check letter is the sum of the
    odd and even position values mod 26 (Decreto 23/12/1976).

    >>> codice_fiscale_ok("RSSMRA85T10A562S"), codice_fiscale_ok("RSSMRA85T10A562T")
    (True, False)
    """
    c = code.upper()
    if len(c) != 16 or not c.isascii() or not c.isalnum():
        return False
    for ch, kind in zip(c, _CF_SHAPE):
        if kind == "L" and not ch.isalpha() or kind == "D" and not (ch.isdigit() or ch in "LMNPQRSTUV"):
            return False
    index = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = 0
    for k, ch in enumerate(c[:15]):
        i = index.index(ch)
        total += _CF_ODD[i] if k % 2 == 0 else (i if ch.isdigit() else i - 10)
    return chr(ord("A") + total % 26) == c[15]
