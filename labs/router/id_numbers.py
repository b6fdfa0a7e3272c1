"""Identity numbers behind a label that says whose they are (lesson 3: the router's eyes; issue 11 r7 A8).

An identity number is personal data whatever its country or checksum: the label tells. Kind ``id_number``:

* an identity label: "national ID", "ID number", "TIN", "NIP", "CNP", "IDNP", "personal number", "student ID",
  "customer number", "податковий номер", "ідентифікаційний код", "номер посвідчення", "номер поліса" ...;
* or a possessive before a generic one: "my ID", "мій номер", "її німецький податковий номер", "номер мого
  посвідчення" (the words in between must not name a thing: "my order number" is an order);

followed within a few characters by a number of 6 to 20 digits (any grouping, up to 3 letters around it:
"L01X00T47", "QQ 12 34 56 C"). A number after a thing's word ("order", "job", "build", "замовлення" ...) stays
a number. The checksum-backed kinds (card, IBAN, РНОКПП, PESEL, Steuer-ID) are found by :mod:`labs.router.pii` with
a higher priority; this detector only reads what their labels miss.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from labs.router.triggers import Literals, triggers
from labs.router.validators import luhn_ok

# nationality or the document the number belongs to, then the number's word: "Polish ID number", "tax code"
_WHOSE_EN = (r"national|personal|citizen(?:ship)?|identity|identification|government|state|polish|german|romanian|"
             r"moldovan|czech|slovak|lithuanian|latvian|estonian|ukrainian|hungarian|italian|spanish|french|dutch|"
             r"tax(?:payer)?|social\s+security|social\s+insurance|national\s+insurance|health\s+insurance|insurance|"
             r"pension|student|employee|staff|patient|medical\s+record|membership|member|customer|client|"
             r"driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|residence\s+permit|work\s+permit|id\s+card|military|"
             r"(?:medical\s+|patient\s+)?chart")  # "Her chart # 12345678" (a hospital's record, issue 11 r10 A6)
_NUMBER_EN = r"(?:id\s+)?(?:number|no\.?|num\.?|code|id|#)"
_WHOSE_UK = (r"податков\w*|ідентифікаційн\w*|особист\w*|особов\w*|персональн\w*|страхов\w*|пенсійн\w*|студентськ\w*|"
             r"табельн\w*|національн\w*|громадянськ\w*")
_DOCUMENT_UK = (r"посвідчен\w*|студентськ\w*|заліков\w*|трудов\w+\s+книжк\w*|квитк\w*|поліс\w*|медичн\w+\s+картк\w*|картк\w+\s+пацієнт\w*|"
                r"особов\w+\s+справ\w*|клієнт\w*|пенсійн\w*|військов\w*|id[\-\s]?картк\w*|водійськ\w*|прав|"
                r"карти\s+побиту|посвідки|дозволу|"
                # whose number (a person's role) and two-word documents: "номер студента", "номер студентського квитка",
                # "номер залікової книжки", "номер платника податків Польщі", "номер соцстраху" (issue 11 r9 A4)
                r"студент\w*|працівник\w*|співробітник\w*|пацієнт\w*|учн\w*|абонент\w*|соцстрах\w*|"
                r"платник\w*\s+податк\w*|картк\w*\s+платник\w*\s+податк\w*|страхувальник\w*|застрахован\w*")
# the document's second word or the country after it ("студентського квитка", "залікової книжки", "платника податків
# Польщі"): a Ukrainian country name in the genitive
_COUNTRY_UK = (r"україни|польщі|німеччини|франції|італії|іспанії|чехії|словаччини|угорщини|румунії|молдови|литви|латвії|"
               r"естонії|австрії|нідерландів|бельгії|португалії|британії|великобританії|ірландії|канади|сша|швеції|норвегії|"
               r"данії|фінляндії|швейцарії|ізраїлю|туреччини|грузії")
_DOCUMENT_TAIL_UK = rf"(?:\s+(?:квитк\w*|книжк\w*|поліс\w*|картк\w*|посвідчен\w*|справ\w*|{_COUNTRY_UK}))?(?:\s+(?:{_COUNTRY_UK}))?"
_POSSESSIVE = r"my|his|her|their|мій|моя|моє|мого|моєї|мої|моїм|його|її|їхн\w*|свій|свого|своєї"
_LABEL = re.compile(
    rf"(?<![\w])(?:"
    rf"(?:{_WHOSE_EN})\s+{_NUMBER_EN}"
    rf"|(?:id|identity|identification)\s+(?:card\s+)?(?:number|no\.?|code)"
    rf"|personalausweis\w*|reisepass\w*|ausweis\w*|rentenversicherungsnummer|sozialversicherungsnummer"
    rf"|dowód\s+osobist\w*|dowodu\s+osobistego|numer\s+dowodu|paszport\w*"
    rf"|tin|nip|cnp|idnp|nino|ni\s+number|personnummer|bsn|nif|nie|dni|codice\s+fiscale|rodné\s+číslo|asmens\s+kodas"
    rf"|(?:{_WHOSE_UK})\s+(?:номер|код|id|№)\w*(?:\s+(?:{_POSSESSIVE})\s+[а-яіїєґ'’ʼ]{{3,15}})?"  # "… номер мого батька"
    rf"|(?:номер\w*|id|ід|айді)(?:[\-\s]?номер\w*)?\s+(?:(?:{_POSSESSIVE})\s+)?(?:(?:{_WHOSE_UK}|[а-яіїєґ'’ʼ]{{3,20}}(?:ого|ої))\s+)?(?:{_DOCUMENT_UK})"
    rf"{_DOCUMENT_TAIL_UK}"  # "номер мого страхового поліса", "ID студента", "ІД-номер працівника"
    rf"|(?:{_DOCUMENT_UK})\s+(?:№|n|номер)"
    # acronyms that are English words in lower case ("sin 0.5235987756", "cpf" is rare, "nin"): capitals only, checked
    # on the text (issue 11 r9 A4: Canadian SIN, Brazilian CPF, British NIN, a hospital's MRN; Aadhaar in any case)
    rf"|(?:id|ід|айді)[\-\s]?шк\w*|айдішник\w*|pps(?:n|\s+(?:number|no\.?))"  # "ID-шка: …", "айдішник …", Ireland's PPSN (r11)
    rf"|(?P<caps>sin|cpf|nin|mrn|nhs)|s\.i\.n\.?|aadhaa?r\w*(?:\s+(?:card|number|no\.?|id))?|uidai"
    rf"|(?:пенсійн\w*|військово-облікови\w*|службов\w*|студентськ\w*)\s+(?:посвідчен\w*|документ\w*|квит\w*)"
    rf"|унікальн\w*\s+номер\w*\s+запис\w*(?:\s+(?:в|у)\s+реєстрі)?|запис\w*\s+(?:№|номер)"
    # a possessive, then at most two words that say whose kind of number it is ("my Polish ID", "мій німецький
    # податковий номер"), then the number's word, then digits: "my AWS account ID", "my coupon code" are no one's identity
    rf"|(?:{_POSSESSIVE})\s+(?P<between>(?:(?:{_WHOSE_EN}|{_WHOSE_UK}|\w+(?:ськ|цьк|зьк)\w*)\s+){{0,2}})"
    rf"(?:id|ід|айді|ай[\-\s]?ді|identifier|ідентифікатор\w*|number|no\.|номер\w*)(?:[\-\s]?(?:шник|шк)\w*)?(?=(?:[\s:#№=\-—–.,]|is|це|was|був){{0,6}}[A-Za-zА-ЯІЇЄҐ]{{0,3}}[\s\-]?\d)"
    rf")(?![\w])")
# a thing's number, not a person's (the words that may stand between a possessive and "number")
_THING = re.compile(
    r"(?<![\w])(?:order|ticket|tracking|job|build|version|release|invoice|model|commit|issue|bug|request|run|process|"
    r"task|port|room|flight|train|seat|table|step|line|page|row|lot|batch|serial|part|product|item|sku|package|parcel|"
    r"shipment|booking|reservation|confirmation|reference|ref|case|claim|phone|mobile|cell|fax|telephone|house|"
    r"apartment|flat|lucky|favourite|favorite|замовленн\w*|квитанці\w*|рахун\w*|накладн\w*|ттн|посилк\w*|"
    r"відправленн\w*|рейс\w*|місц\w*|кімнат\w*|столик\w*|версі\w*|збірк\w*|задач\w*|завданн\w*|квартир\w*|будин\w*|"
    r"телефон\w*|мобільн\w*|щасливе|улюблене|pr|mr|pull|бот\w*|bot|каско)(?![\w])")  # "мій номер PR 674916755" (r9 B)
# the gap between the label and the number: punctuation, "is"/"це"/"—", the number's word ("my ID number"), a
# country in brackets ("TIN (Germany)")
_GAP = re.compile(r"(?:[\s:#№=\-—–.,]|\b(?:is|це|was|був|number|no|nr|num|номер\w*)\b|\([^()\d\n]{1,20}\))*")
_VALUE = re.compile(r"(?:[A-Za-zА-ЯІЇЄҐ]{1,3}[\s\-]?)?\d(?:[\s\-./]?[\dA-Za-zА-ЯІЇЄҐ]){5,26}(?![\w])")
MIN_DIGITS, MAX_DIGITS = 6, 20
# words after the number that _VALUE read on (its letters are for "L01X00T47", "QQ 12 34 56 C"): "TIN 12345678 for me"
_WORDS_AFTER = re.compile(r"(?:[\s\-./][^\W\d_]{2,})+$")
_CYRILLIC = re.compile(r"[а-яіїєґ]")
# The Italian codice fiscale: 16 characters, 7 or more of them letters (more than a value's 3 above), so its own shape
# and check letter, read on the text as typed (the normalised view reads "B64" as "864": look-alike digits)
_CF_LABEL = re.compile(r"(?<![\w])(?:codice\s+fiscale|cod\.\s*fisc(?:\.|ale)?|c\.f\.|cf(?=\s*[:=#])|tax\s+code)[\s:#№=\-—–.,()]{0,6}(?:is\s+|це\s+|—\s+)?", re.IGNORECASE)  # "My CF: is …"
_CODICE_FISCALE = re.compile(r"[A-Za-z]{6}[\dLMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][\dLMNPQRSTUVlmnpqrstuv]{2}[A-Za-z]"
                             r"[\dLMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![\w])")


# six digits, each at most 3 characters from the next: every value holds them ("L01X00T47", "QQ 12 34 56 C")
_SIX_DIGITS = re.compile(r"\d(?:[^\d\n]{0,3}+\d){5}")  # possessive: the gap never gives back (25% faster)
# the same for a text whose digits are all ASCII (a normalised view): "\d" a plain range, not a Unicode lookup (faster)
_SIX_DIGITS_ASCII = re.compile(_SIX_DIGITS.pattern, re.ASCII)
# a piece of text every label holds (its number's word, its acronym, its document's word)
_LABEL_PART = re.compile(r"num|no|nr|code|id|ід|ді|chart|книжк|#|tin|nip|cnp|nino|bsn|nif|nie|dni|fiscale|číslo|kodas|ausweis|pass|"
                         r"dow|номер|код|посвідч|поліс|квит|картк|справ|студ|залік|прав|побут|посвідк|дозвол|документ|запис|ід|айді|№|"
                         r"sin|s\.i\.n|cpf|nin|mrn|nhs|aadha|uidai|fiscale|шк|шник|pps")
# where each can start (labs.router.triggers: one automaton pass a prompt finds every one)
_LABEL_AT, _LABEL_PART_AT = Literals(_LABEL), Literals(_LABEL_PART)
_LABEL_REACH = 70  # characters before the digits in which a label is looked for (a label and its gap are shorter)


def _labels(low: str, ascii_digits: bool = False) -> Iterator[re.Match]:
    """Labels in ``low``, read only before digits that can make a value: a 2 KB prompt of prose costs nothing, and
    one full of numbers reads each character once. ``ascii_digits``: every digit of ``low`` is ASCII."""
    done = 0
    trig = triggers(low)
    parts = trig.starts(_LABEL_PART_AT)  # where a label's part can start: a label is read only after one
    labels = trig.starts(_LABEL_AT)  # where a label can start (one ending before the digits starts before them)
    if not parts or not labels:
        return  # no label anywhere: the digits need no scan (a table of numbers, a list of labels)
    for d in (_SIX_DIGITS_ASCII if ascii_digits else _SIX_DIGITS).finditer(low):
        lo, at = max(done, d.start() - _LABEL_REACH), d.start()
        # most digits have no label part or no label within reach: two bisections tell, before a search
        k, j = bisect.bisect_left(parts, lo), bisect.bisect_left(labels, lo)
        if k < len(parts) and parts[k] < at and j < len(labels) and labels[j] < at \
                and trig.search(_LABEL_PART, _LABEL_PART_AT, lo, at):
            # read past the digits' start (a label's lookahead looks for them), keep the labels that end before it
            yield from (m for m in trig.finditer(_LABEL, _LABEL_AT, lo, d.end()) if m.end() <= d.start())
        done = d.start()


def find_id_numbers(text: str, low: str, ascii_digits: bool = False) -> Iterator[tuple[int, int]]:
    """Spans ``(start, end)`` in ``text`` of identity numbers behind a label (see the module docstring);
    ``low`` is the lower-cased ``text`` (same length); ``ascii_digits``: every digit of it is ASCII (a normalised
    view, whose digits normalize folds: a faster scan reads it)."""
    for lab in _labels(low, ascii_digits):
        luhn_only = False  # a lower-case "sin" counts only before a Luhn-valid 9-digit SIN ("my sin is 133 636 514")
        if lab.group("caps") and not text[lab.start() : lab.end()].isupper():
            if lab.group("caps") != "sin":
                continue  # "nhs 12345678" in prose: a word, not the NHS number
            luhn_only = True  # "sin 0.52…" is a sine, never 9 Luhn-valid digits
        between = lab.group("between")
        if between and _THING.search(between):
            continue  # "my order number", "мій номер замовлення" is handled below, "мій улюблений номер" is no id
        gap = _GAP.match(low, lab.end())
        at = gap.end()
        if at - lab.end() > 25:
            continue
        if _THING.match(low, at) or _THING.search(low, lab.end(), at):
            continue  # "мій номер замовлення 123456789"
        m = _VALUE.match(text, at)
        if m is None:
            continue
        value = m.group()
        # "MRN 12345678 was admitted", "номер студента 12345678 з групи": the words are no part of it. Only after a
        # person's own label (an acronym in capitals, a Ukrainian one, a possessive): after an English business label
        # ("Customer ID 81091020 appears twice", "Membership number … for the gym chain") words that run on keep it a
        # record's number, as before (issue 11 r9 B2 "held")
        if (lab.group("caps") or lab.group("between") is not None or _CYRILLIC.search(lab.group())) \
                and (letters_after := _WORDS_AFTER.search(value)):
            value = value[: letters_after.start()]
        value = value.rstrip(" .-/")
        digits = sum(ch.isdigit() for ch in value)
        letters = sum(ch.isalpha() for ch in value)
        if luhn_only and not (digits == 9 and luhn_ok("".join(ch for ch in value if ch.isdigit()))):
            continue
        if MIN_DIGITS <= digits <= MAX_DIGITS and letters <= 3:
            yield m.start(), m.start() + len(value)


def find_codice_fiscale(text: str) -> Iterator[tuple[int, int]]:
    """Spans in ``text`` (as typed) of an Italian codice fiscale behind its label: "Codice fiscale: RSSMRA85T10A562S",
    "CF: …". The label and the code's shape decide, as a labelled card with a typo counts: a wrong check letter
    (:func:`labs.router.validators.codice_fiscale_ok`) is a mistyped code, still the person's."""
    for lab in _CF_LABEL.finditer(text):
        if (cf := _CODICE_FISCALE.match(text, lab.end())) is not None:
            yield cf.span()
