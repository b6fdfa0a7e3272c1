"""Synthetic personal data written the way people really write it, and harmless numbers (lesson 3).

The property tests (``tests/test_pii_properties.py``) and ``bench/router_bench.py`` draw from here:

* :func:`make_identifier` — a valid identifier of one kind (checksums pass, the numbers belong
  to nobody), with the context word the kind needs ("РНОКПП", "passport", "born" ...);
* :func:`disguise` — the same identifier as real text has it: mixed separators, full-width
  digits, NBSP or a line break in a gap, a zero-width space, a percent-encoded link or query
  string, HTML entities, Cyrillic look-alike letters;
* :func:`glued_prompt` — a complex English or Ukrainian prompt with the identifier glued to a
  random neighbour (letters of either script, punctuation, nothing); returns the prompt and the
  identifier's span in it;
* :func:`harmless_prompt` — a prompt with a number that is not personal: counts, parameter
  counts, versions, prices, dates, order and invoice numbers, timestamps, ports.

Everything takes a :class:`random.Random`, so a seed reproduces a set (hypothesis passes its own).
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from urllib.parse import quote

from labs.router.validators import luhn_digit, make_iban, make_rnokpp, ssn_ok

KINDS = ("email", "phone", "card", "iban", "tax_id", "passport", "ssn", "dob", "address", "health")
CHECKSUM_KINDS = ("card", "iban", "tax_id")  # the kinds whose validity a checksum proves
LANGS = ("en", "uk")

_NAMES = ("olena", "taras", "iryna", "petro", "john.smith", "m_kovalenko", "oksana+work", "ivan.petrenko")
_DOMAINS = ("example.com", "mail.example.org", "ukr.example.net", "example.co.uk")
_UA_OPERATORS = ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99")
_IBAN_COUNTRIES = {"UA": 25, "DE": 18, "PL": 24, "GB": None, "FR": 23}
_BOOKLET_SERIES = "АВЕКМНОРСТ"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _groups(digits: str, sizes: tuple[int, ...], seps: str, rng: random.Random) -> str:
    out, i = [], 0
    for k, size in enumerate(sizes):
        if k:
            out.append(rng.choice(seps))
        out.append(digits[i : i + size])
        i += size
    return "".join(out)


# the disease in the nominative with "твій"/"твоя" (the vocative frame "Олено, як твоя астма?")
_NOMINATIVE = {"депресію": "твоя депресія", "астму": "твоя астма", "діабет": "твій діабет", "епілепсію": "твоя епілепсія",
               "гіпертонію": "твоя гіпертонія"}


def make_identifier(kind: str, rng: random.Random, lang: str = "en") -> tuple[str, str]:
    """``(context, identifier)``: a valid identifier of ``kind`` and the words it needs before it
    (empty for kinds that need none). Separators inside are mixed at random."""
    if kind == "email":
        return "", f"{rng.choice(_NAMES)}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"
    if kind == "phone":
        op, rest = rng.choice(_UA_OPERATORS), _digits(rng, 7)
        form = rng.randrange(8)
        if form == 5:  # the layouts people use: 067 12 34 567, (067) 12-34-567, 0 67 123 45 67, 00380…
            digits = "0" + op + rest
            return "", rng.choice([_groups(digits, (3, 2, 2, 3), " -", rng), f"({digits[:3]}) {digits[3:5]}-{digits[5:7]}-"
                                   f"{digits[7:]}", _groups(digits, (1, 2, 3, 2, 2), " ", rng), "00380" + op + rest,
                                   _groups(digits, (4, 2, 2, 2), " ", rng), f"38({digits[:3]}){digits[3:]}",
                                   _groups(digits, (5, 5), " ", rng)])
        if form == 6:  # US without a plus, labelled: "Call me at 415 555 0132"
            return rng.choice(["call me at ", "cell ", "тел. "]), rng.choice(["415", "212", "646"]) + \
                rng.choice([" ", "-", ".", ""]) + "555" + rng.choice([" ", "-", ""]) + "01" + _digits(rng, 2)
        if form == 7:  # UK and EU national forms
            return "", rng.choice([f"07700 900{_digits(rng, 3)}", f"020 7946 0{_digits(rng, 3)}", f"06 12 34 {_digits(rng, 2)} 78"])
        if form == 0:
            return "", f"+380{_groups(op + rest, (2, 3, 2, 2), ' -', rng)}" if rng.random() < 0.5 else \
                f"+380 {_groups(op + rest, (2, 3, 2, 2), ' -.', rng)}"
        if form == 1:
            return "", "0" + _groups(op + rest, (2, 3, 2, 2), " -", rng) if rng.random() < 0.5 else f"0{op}{rest}"
        if form == 2:
            return "", f"+380{op}{rest}"
        if form == 3:
            return "", f"({rng.choice(['415', '212', '646'])}) 555-01{_digits(rng, 2)}"
        return "", f"+44 20 7946 0{_digits(rng, 3)}"
    if kind == "card":
        if rng.random() < 0.2:  # Maestro 12-19 digits, labelled: Luhn and the label are enough for any issuer
            size = rng.randint(12, 19)
            body = rng.choice(["50", "56", "57", "58", "6759", "6761"])
            body += _digits(rng, size - 1 - len(body))
            number = body + luhn_digit(body)
            return rng.choice(["Maestro card ", "картка Maestro ", "card: "]), _groups(
                number, (4,) * (size // 4) + ((size % 4,) if size % 4 else ()), " ", rng)
        # Visa, Mastercard, ПРОСТІР 9804, UnionPay 81, Troy 9792, Humo 9860, UzCard 8600, BelCard 9112
        body = rng.choice(["4", "51", "52", "53", "54", "55", "9804", "81", "9792", "9860", "8600", "9112"])
        body += _digits(rng, 15 - len(body))
        number = body + luhn_digit(body)
        if rng.random() < 0.3:
            return "", number
        return "", _groups(number, (4, 4, 4, 4), " -", rng)
    if kind == "iban":
        country = rng.choice(list(_IBAN_COUNTRIES))
        n = _IBAN_COUNTRIES[country]
        bban = ("WEST" + _digits(rng, 14)) if n is None else _digits(rng, n)
        iban = make_iban(country, bban)
        return "", iban if rng.random() < 0.6 else iban.replace(" ", "")
    if kind == "tax_id":
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(24000))
        word = rng.choice(["РНОКПП", "ІПН", "ідентифікаційний код", "податковий номер", "Код отримувача", "ІПНом",
                           "номер облікової картки платника податків", "мій податковий", "IПН", "р.н.о.к.п.п."]
                          if lang == "uk" else ["tax ID", "taxpayer number", "TIN", "РНОКПП", "RNOKPP", "IPN", "INN",
                                                '{"rnokpp": "', '{"tax_id": "', "ipn=", "name,rnokpp\nOlena,"])
        return word + rng.choice(["", " ", ": ", ":", " № "]), make_rnokpp(birth, rng.randrange(10000))
    if kind == "passport":
        form = rng.randrange(6)
        if form == 4:  # a booklet series typed with Latin look-alikes next to a name; "пасп." abbreviated
            return rng.choice(["Olena Koval ", "Коваль Олена, "]), rng.choice("ABEKMHOPCT") + rng.choice("ABEKMHOPCT") + _digits(rng, 6)
        if form == 5:  # УНЗР, the ID card's record number: a birth date and 5 digits
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(24000))
            return rng.choice(["УНЗР ", "пасп. УНЗР: "]), birth.strftime("%Y%m%d") + rng.choice(["-", ""]) + _digits(rng, 5)
        if form == 3:  # the official way and its variants: "серії МК № 123456", "мк-123456", "МК 123 456"
            series = rng.choice(_BOOKLET_SERIES) + rng.choice(_BOOKLET_SERIES)
            number = _digits(rng, 6)
            return ("паспорт серії " if lang == "uk" else "passport series "), rng.choice([
                f"{series} № {number}", f"{series.lower()} {number}", f"{series}-{number}", f"{series} {number[:3]} {number[3:]}",
                f"{series} номер {number}", f"{series}, № {number}", f"{series} N {number}", f"{series} No {number}"])
        if form == 0:
            series = rng.choice(_BOOKLET_SERIES) + rng.choice(_BOOKLET_SERIES)
            return ("паспорт " if lang == "uk" else "passport "), series + rng.choice(["", " ", " №"]) + _digits(rng, 6)
        if form == 1:
            return ("ID-картка " if lang == "uk" else "ID card "), _digits(rng, 9)
        return ("закордонний паспорт " if lang == "uk" else "passport no. "), \
            rng.choice(["FE", "FA", "EK", "EX"]) + _digits(rng, 6)
    if kind == "ssn":
        while True:
            ssn = f"{rng.randint(100, 899)}-{_digits(rng, 2)}-{_digits(rng, 4)}"
            if ssn_ok(ssn):
                return ("SSN " if rng.random() < 0.5 else ""), ssn
    if kind == "dob":
        d = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(24000))
        word = rng.choice(["дата народження ", "народилася ", "д.н. ", "народжена ", "дата нар. ", "д/н ", "ДН ",
                           "Дата нар.", "р.н.", "(дн ", "дата народження-"]  # glued to the abbreviated label
                          if lang == "uk" else ["born ", "DOB: ", "date of birth ", "b. ", '{"date_of_birth":"',
                                                "b.", "(b. ", "DOB.", "born/", "D.OB "])
        month = d.strftime("%B")
        return word, rng.choice([f"{d.day:02d}.{d.month:02d}.{d.year}", d.isoformat(), f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}-{month[:3]}-{d.year}",
                                 f"{d.day}th {month} {d.year}"])
    if kind == "address":
        if lang == "uk":
            return rng.choice(["Адреса: ", "прописка: ", ""]), rng.choice([
                f"м. Київ, вул. {rng.choice(['Хрещатик', 'Січових Стрільців', 'Лесі Українки'])}, {rng.randint(1, 150)}, "
                f"кв. {rng.randint(1, 300)}",
                f"{rng.randint(1000, 99999):05d}, м. Львів, просп. Свободи, буд. {rng.randint(1, 80)}",
                f"вул. Шевченка {rng.randint(1, 200)}-{rng.choice('АБВ')}, кв. {rng.randint(1, 99)}",
                # the everyday forms: "пр."/"бул.", the type after the name, a name that starts with a number
                f"м. Київ, {rng.choice(['пр. Перемоги', 'бул. Лесі Українки', 'вул. 8 Березня'])} {rng.randint(1, 150)}, "
                f"кв. {rng.randint(1, 300)}",
                f"{rng.choice(['Андріївський узвіз', 'Харківське шосе', 'Хрещатик вулиця'])} {rng.randint(1, 150)}",
                f"Київ, Хрещатик {rng.randint(1, 150)}, кв. {rng.randint(1, 300)}",
                # issue 11 r6 A2: no street word (the Nova Poshta form, a name in any case, "пр-т" after the name)
                f"Львів, Шевченка, буд. {rng.randint(1, 150)}, кв. {rng.randint(1, 200)}",
                f"Одеса, Перемоги {rng.randint(1, 150)}/{rng.randint(1, 9)}, кв. {rng.randint(1, 200)}",
                f"Вінниця, Голосіївський пр-т {rng.randint(1, 150)}",
                f"с. Петрівка, Полтавська обл., буд. {rng.randint(1, 150)}"])
        return rng.choice(["Ship to: ", "My address is ", ""]), rng.choice([
            f"{rng.randint(1, 9999)} {rng.choice(['Baker', 'Main', 'Amphitheatre'])} {rng.choice(['Street', 'St', 'Pkwy', 'Road'])}"
            f", {rng.choice(['London', 'Mountain View', 'Springfield'])}",
            f"{rng.randint(1, 999)}B Baker Street, London NW1 6XE", f"{rng.randint(1, 99)} {rng.choice(['Oak Av.', 'Elm Str.'])}",
            # issue 11 r6 A2: Ukrainian addresses transliterated
            f"Khreshchatyk St. {rng.randint(1, 150)}, Kyiv", f"Kyiv, Peremohy Ave. {rng.randint(1, 150)}, apt. {rng.randint(1, 200)}",
            f"Lviv, Deribasivska {rng.randint(1, 150)}, apt {rng.randint(1, 200)}"])
    if kind == "health":
        disease = rng.choice(["депресію", "астму", "діабет", "епілепсію", "гіпертонію"] if lang == "uk" else
                             ["HIV", "asthma", "diabetes", "anorexia", "depression"])
        name = rng.choice(["Тарас", "Олена"] if lang == "uk" else ["Taras", "Olena"])
        genitive = {"Тарас": "Тараса", "Олена": "Олени"}.get(name, name)
        return "", rng.choice([f"Я хвора на {disease}.", f"Я хворий на {disease}.", f"У мене {disease}.",
                               f"Мені діагностували {disease}.", f"У {genitive} {disease}.", f"У неi {disease}.",
                               "Мій брат алкоголік.", "Я зробила аборт.", "У неї ЦД 2 типу.", "Дружина чекає дитину.",
                               # issue 11 r6 A1: the person addressed, a name in another case, a patient record
                               f"{'Тарасе' if name == 'Тарас' else 'Олено'}, як {_NOMINATIVE[disease]}?",
                               "Олені вчора зробили хіміотерапію.", "Після інсульту Тарас кульгає.",
                               "Тарас на лікарняному.", "Пацієнт: Коваль О.В.; код МКХ-10: E11.9"]
                              if lang == "uk" else
                              [f"I tested positive for {disease}.", f"I live with {disease}.", f"I struggle with {disease}.",
                               f"My mother has {disease}.", f"{name} has {disease}.", f"{name}: {disease}.",
                               "My brother is an alcoholic.", "My daughter had a seizure.", "My wife is depressed.",
                               "I had an abortion.",
                               # issue 11 r6 A1
                               f"{name}, how is your {disease}?", "After the stroke Taras limps.", "Olena is on sick leave.",
                               "Patient: Koval O.; ICD-10: E11.9"])
    raise ValueError(f"kind={kind!r}: choose one of {', '.join(KINDS)}")


# --- disguises ------------------------------------------------------------------------------------
_FULLWIDTH = {ord(c): chr(0xFF10 + i) for i, c in enumerate("0123456789")}
_LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "A": "А", "E": "Е", "O": "О", "K": "К",
              "M": "М", "T": "Т", "B": "В", "H": "Н", "P": "Р", "C": "С", "X": "Х"}
DISGUISES = ("plain", "fullwidth", "nbsp", "newline", "zero_width", "percent", "query", "html", "dashes",
             "lookalike", "arabic_digits",
             # issue 11, second round: the classes an outside attacker found
             "separators", "neighbour_number", "digit_lookalikes", "unicode_digits", "invisible", "break_in_group",
             "json_escape", "base64", "double_encoded", "email_obfuscated",
             # issue 11, third round: a look-alike letter or a table bar glued on either side ("з0671234567",
             # "3124167891З повагою", "|0671234567|2024")
             "glued_lookalike", "base64_wrapped")
# letters that look like digits (normalize.DIGIT_LOOKALIKES) and the bar of a psql/HL7 row
_GLUED_BEFORE = ("з", "З", "б", "о", "О", "o", "O", "l", "I", "І", "S", "B", "В", "|", "17|", "|2024|")
_GLUED_AFTER = ("з", "З", "б", "о", "О", "o", "O", "l", "I", "І", "S", "В", "|", "|17", "|2024|")  # "…7055B" reads as bytes
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"


def disguise(identifier: str, how: str, rng: random.Random) -> str:
    """``identifier`` written another way (``how`` is one of :data:`DISGUISES`)."""
    if how == "plain":
        return identifier
    if how == "fullwidth":
        return identifier.translate(_FULLWIDTH)
    if how == "arabic_digits":
        return identifier.translate({ord(c): chr(0x0660 + i) for i, c in enumerate("0123456789")})
    if how == "nbsp":
        return identifier.replace(" ", rng.choice(["\u00a0", "\u202f", "\u2009"]))
    if how == "newline":
        if " " not in identifier:
            return identifier
        i = rng.choice([k for k, ch in enumerate(identifier) if ch == " "])
        return identifier[:i] + rng.choice(["\n", "\r\n", " \n"]) + identifier[i + 1 :]
    if how == "zero_width":
        i = rng.randrange(1, len(identifier))
        return identifier[:i] + rng.choice(["\u200b", "\u00ad", "\u2060", "\ufeff"]) + identifier[i:]
    if how == "percent":
        return quote(identifier, safe=rng.choice(["", ".", "-"]))
    if how == "query":
        return "https://example.com/form?" + rng.choice(["id", "q", "contact", "v"]) + "=" + quote(identifier, safe="")
    if how == "html":
        return "".join(f"&#{ord(ch)};" if not ch.isalnum() or rng.random() < 0.3 else ch for ch in identifier)
    if how == "dashes":
        return identifier.replace("-", rng.choice(["\u2011", "\u2013", "\u2212"]))
    if how == "lookalike":
        return "".join(_LOOKALIKE.get(ch, ch) if rng.random() < 0.5 else ch for ch in identifier)
    if how == "separators":  # "067/123/45/67", "4539_1488_…", "219 - 09 - 9999", "4539·1488…" (numbers only)
        if sum(ch.isdigit() for ch in identifier) < 9 or "@" in identifier or "." in identifier:
            return identifier
        sep = rng.choice(["/", "_", "·", "•", " - ", " / ", "  "])
        return identifier.replace(" ", sep).replace("-", sep)
    if how == "neighbour_number":  # a list number, a year or an expiry glued on by a space
        if "@" in identifier or not any(ch.isdigit() for ch in identifier):
            return identifier
        return rng.choice(["#1 ", "1 ", "2024 ", "42 ", "№3 "]) + identifier + rng.choice(["", " 12 27", " 5"])
    if how == "digit_lookalikes":  # one digit written as a letter: O/О/Ο for 0, l/I for 1, З for 3, б for 6
        spots = [k for k, ch in enumerate(identifier[:-1]) if ch in "0136" and 0 < k and identifier[k - 1].isdigit()
                 and identifier[k + 1].isdigit()]  # inside a digit group
        if not spots:
            return identifier
        k = rng.choice(spots)
        return identifier[:k] + rng.choice({"0": "OОΟo", "1": "lI", "3": "З", "6": "б"}[identifier[k]]) + identifier[k + 1 :]
    if how == "base64_wrapped":  # a MIME e-mail part or a PEM block: a message in base64, wrapped at 76 or 64
        msg = rng.choice(["Hello team, the customer asked us to contact her. Details: ",
                          "Добрий день! Клієнтка просить повернути кошти. Дані: "]) + identifier + rng.choice(
            [". Thanks, Bohdan", ". Дякую", ""])
        b64, width = base64.b64encode(msg.encode()).decode(), rng.choice([76, 64])
        return "\n" + "\n".join(b64[i : i + width] for i in range(0, len(b64), width)) + "\n"
    if how == "glued_lookalike":  # a neighbouring word or a table bar, glued without a space
        if "@" in identifier or sum(ch.isdigit() for ch in identifier) < 6:
            return identifier
        side = rng.randrange(3)
        return (rng.choice(_GLUED_BEFORE) if side != 1 else "") + identifier + \
            (rng.choice(_GLUED_AFTER) if side != 0 else "")
    if how == "unicode_digits":  # superscript, circled, keycap digits
        style = rng.randrange(3)
        return "".join((_SUPERSCRIPT[int(ch)] if style == 0 else _CIRCLED[int(ch)] if style == 1 else f"{ch}\ufe0f\u20e3")
                       if ch.isdigit() and ch.isascii() else ch for ch in identifier)
    if how == "invisible":  # variation selector, bidi isolate, tag space, Hangul filler, braille blank, combining mark, NUL
        i = rng.randrange(1, len(identifier))
        mark = rng.choice(["\ufe0f", "\u2066", "\U000e0020", "\u3164", "\u2800", "\x00", "\x7f"])
        return identifier[:i] + mark + identifier[i:]
    if how == "break_in_group":  # a line break inside a digit group, or with a mail-quote prefix
        if sum(ch.isdigit() for ch in identifier) < 9:  # a number, not a date or a house number
            return identifier
        spots = [k for k in range(1, len(identifier)) if identifier[k - 1].isdigit() and identifier[k].isdigit()]
        if not spots:
            return identifier
        i = rng.choice(spots)
        return identifier[:i] + rng.choice(["\n", "\r\n", "\u2028", "\n> ", "<br>", "\\n"]) + identifier[i:]
    if how == "json_escape":  # json.dumps' ensure_ascii: every character as \uXXXX; PHP's json_encode: "/" as "\/"
        return "".join("\\/" if ch == "/" else f"\\u{ord(ch):04x}" if rng.random() < 0.7 or not ch.isascii() else ch
                       for ch in identifier)
    if how == "base64":  # a token of its own: glued to a word it would be no base64
        return " " + base64.b64encode(identifier.encode()).decode() + " "
    if how == "double_encoded":  # a link inside a link, or HTML escaped twice
        if rng.random() < 0.5:
            return "".join(f"%25{b:02X}" for b in identifier.encode())
        return "".join(f"&amp;#{ord(ch)};" for ch in identifier)
    if how == "email_obfuscated":  # "olena [at] example [dot] com", "olena(собака)example.com", IDN
        if "@" not in identifier:
            return identifier
        local, domain = identifier.split("@", 1)
        style = rng.randrange(8)
        if style == 5:  # "равлик"/"собачка" (Ukrainian names for @) with "крапка" for the dot
            return f"{local} {rng.choice(['равлик', 'собачка'])} {domain.replace('.', ' крапка ')}"
        if style == 6:
            return f"{local}{rng.choice(['(@)', '[@]'])}{domain}"
        if style == 7:  # an ideographic full stop, as a CJK keyboard types it
            return f"{local}@{domain.replace('.', rng.choice(['。', '｡']))}"
        if style == 0:
            return f"{local} [at] {domain.replace('.', ' [dot] ')}"
        if style == 1:
            return f"{local}(собака){domain}"
        if style == 2:
            return f"{local} @ {domain}"
        if style == 3:
            return f"{local} at {domain.rsplit('.', 1)[0]} dot {domain.rsplit('.', 1)[1]}"
        return f"олена{rng.randint(1, 99)}@приклад.укр"
    raise ValueError(f"how={how!r}: choose one of {', '.join(DISGUISES)}")


# --- prompts ---------------------------------------------------------------------------------------
_BEFORE = ("", " ", ".", ":", "(", "«", '"', "/", "=", "тел", "тел.", "пишіть", "Note", "tel:", "\n", "\u00a0", "-",
           "№", "·", "—", "[")
_AFTER = ("", " ", ".", ",", ")", "»", '"', "!", "?", ";", "дякую", "thanks", "\n", "Ok", "—", "]", ":",
          # words a unit rule could take for one ("b" bits, "Ms" ms, "US" µs, "разом" разів): an identifier stays one
          " b)", " b/c", " Ms Koval", " US", " разом", " разу", " записала")
_COMPLEX = {
    "en": ("Analyse step by step why the request failed and compare the options in detail: {x} Then recommend one.",
           "Compare the two plans in detail{x} and explain why one is better, step by step.",
           "{x} Design a detailed strategy for this customer and justify each step."),
    "uk": ("Проаналізуй крок за кроком, чому запит не пройшов, і порівняй варіанти детально: {x} Потім порекомендуй один.",
           "Порівняй два плани детально{x} і обґрунтуй, чому один кращий, крок за кроком.",
           "{x} Склади детальну стратегію для цього клієнта й обґрунтуй кожен крок."),
}


def glued_prompt(kind: str, rng: random.Random, *, lang: str | None = None,
                 how: str | None = None) -> tuple[str, tuple[int, int], str]:
    """``(prompt, (start, end), disguise)``: a complex prompt holding one ``kind`` identifier at
    ``prompt[start:end]`` (its context word outside the span), glued to random neighbours."""
    lang = lang or rng.choice(LANGS)
    context, ident = make_identifier(kind, rng, lang)
    how = how or rng.choice(DISGUISES)
    if how == "base64_wrapped":
        context, ident = "", context + ident  # the label travels inside the encoded message
    if how == "lookalike" and not any(ch.isalpha() for ch in ident):
        how = "fullwidth"
    shown = disguise(ident, how, rng)
    before = rng.choice(_BEFORE) if not context else ""
    if kind in ("health", "address"):  # sentences and addresses stand apart from the words around them
        before = rng.choice([" ", "\n", ": "]) if not context else " "
    if how == "glued_lookalike" and context and context[-1].isalpha():
        context += " "  # "TINо2312433757" would glue the letter to the label, not to the number
    if how == "query" and context:
        context = context.rstrip() + " "
    after = rng.choice(_AFTER) if kind not in ("health", "address") else rng.choice([" ", "\n", ". ", "; "])
    head, tail = rng.choice(_COMPLEX[lang]).split("{x}")
    prefix = head + before + (rng.choice([" ", ": ", ", "]) + context if context else "")
    return prefix + shown + after + tail, (len(prefix), len(prefix) + len(shown)), how


def harmless_prompt(rng: random.Random, lang: str | None = None) -> str:
    """A prompt with one number that is not personal (see the module docstring)."""
    lang = lang or rng.choice(LANGS)
    n = rng.randint(1, 10 ** rng.randint(1, 12))
    year = rng.randint(1990, 2030)
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    version = f"{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 200)}"
    price = f"{rng.randint(1, 99_999):,}.{rng.randint(0, 99):02d}"
    order = _digits(rng, rng.randint(6, 12))
    params = rng.choice(["135000000", "360000000", "1000000000", "7000000000", "8000000000", "70000000000",
                         str(rng.randint(1, 999) * 10 ** rng.randint(6, 9))])
    en = [
        f"The job processed {n} tokens yesterday.",
        f"A model with {params} parameters needs more memory than that.",
        f"Upgrade from version {version} before {date.isoformat()}.",
        f"The card costs ${price} and the server {rng.randint(1000, 40000):,} USD.",
        f"Order #{order} shipped on {date.strftime('%d.%m.%Y')}.",
        f"Invoice INV-{year}-{_digits(rng, 5)} is overdue by {rng.randint(2, 90)} days.",
        f"Convert the unix timestamp {rng.randint(1_000_000_000, 1_900_000_000)} to a date.",
        f"Port {rng.randint(1024, 65535)} and PID {rng.randint(100, 4_000_000)} exited with code {rng.randint(0, 255)}.",
        f"Decode speed was {rng.randint(1, 400)}.{rng.randint(0, 99)} tokens/s at {rng.randint(1, 80)}.{rng.randint(0, 9)} GB.",
        f"Revenue grew from {rng.randint(1, 9_999_999):,} to {rng.randint(1, 9_999_999):,} in {year}.",
        f"We sold {n} units in {year}, {rng.randint(1, 99)}% more than before.",
        # the course's own vocabulary: "number", "call", "contact", ids of runs (issue 11, round 2)
        f"Number of tokens {n}", f"The number {n} is prime.", f"function call count {n}",
        f"Contact center handled {n} chats.", f"Exit code {n}", f"Run ID {n} finished.", f"Request id={n}",
    ]
    uk = [
        f"Задача обробила {n} токенів учора.",
        f"Модель на {params} параметрів потребує більше пам'яті.",
        f"Оновіть версію {version} до {date.strftime('%d.%m.%Y')}.",
        f"Ціна {rng.randint(1, 99)} {rng.randint(100, 999)} грн, знижка {rng.randint(1, 50)}%.",
        f"Замовлення № {order} відправлено {date.strftime('%d.%m.%Y')}.",
        f"Рахунок-фактура № {year}-{_digits(rng, 4)} на суму {rng.randint(1, 99)} {rng.randint(100, 999)} грн.",
        f"Перетворіть unix-час {rng.randint(1_000_000_000, 1_900_000_000)} на дату.",
        f"ТТН {_digits(rng, 14)}, вага {rng.randint(1, 30)} кг.",
        f"Населення {rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)} осіб ({year}).",
        f"Ми продали {n} одиниць у {year} році.",
        f"Номер задачі {n}", f"Номер запиту {n}", f"Мій результат {n}",
    ]
    # issue 11, second round: the false-alarm classes an outside attacker found
    stamp = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}" \
            f"{rng.randint(0, 59):02d}"
    ean = "482" + _digits(rng, 10)
    sha = "".join(rng.choice("0123456789abcdef") for _ in range(40))
    uuid = "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))
    big_id = str(rng.randint(10 ** 15, 10 ** 19 - 1))
    tech = [
        f"Restore backup-{stamp}.tar.gz and compare it with the previous one.",
        f"commit {sha} broke the build; bisect from there.",
        f"Request {uuid} failed with status {rng.randint(400, 599)}.",
        f"user id: {big_id}, message id {str(rng.randint(10 ** 17, 10 ** 19))} in the log.",
        f"The diabetes dataset from sklearn has {rng.randint(100, 999)} patients; fit a regression.",
        f"SELECT diagnosis FROM patients WHERE id = {rng.randint(1, 9999)};",
        f"The framework was born {date.strftime('%d.%m.%Y')} at a hackathon.",
        f"Server {rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}:{rng.randint(1024, 65535)} "
        f"returned 503.",
    ]
    tech_uk = [
        f"Штрихкод {ean}, ціна {rng.randint(10, 999)} грн.",
        f"Відновіть backup-{stamp}.tar.gz і порівняйте з попереднім.",
        f"Ідея народилася {date.strftime('%d.%m.%Y')} на хакатоні.",
        f"Мені треба діагностувати проблему з мережею після оновлення {version}.",
        f"Хеш коміту {sha}, збірка {rng.randint(1000, 9999)}.",
    ]
    # issue 11, round 6: 7-digit numbers, now that a labelled or hyphenated 3-2-2 local landline is a phone
    seven = rng.randint(1_000_000, 9_999_999)
    tech += [f"The run took {seven} steps.", f"Dataset of {seven} rows, {rng.randint(2, 99)} columns.",
             f"Build {seven} passed; {str(seven)[:3]} {str(seven)[3:5]} {str(seven)[5:]} cached."]
    tech_uk += [f"Оброблено {seven} записів.", f"Задача № {seven} закрита.", f"Разом {str(seven)[:3]} {str(seven)[3:5]} "
                f"{str(seven)[5:]} переглядів."]
    pool = (en + tech) if lang == "en" else (uk + tech_uk)
    return rng.choice(pool)
