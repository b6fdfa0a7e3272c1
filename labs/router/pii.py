"""Find personal data in a prompt before it can leave the machine (lesson 3: the router's eyes).

:func:`detect_pii` returns :class:`Finding` objects (``kind``, ``start``, ``end``, ``text``) for

============  ===========================================================================
kind          what, and what keeps a random number out
============  ===========================================================================
``email``     e-mail addresses, also spaced or spelled out ("olena [at] example [dot] com",
              "(собака)") and in Cyrillic (IDN: "олена@приклад.укр")
``phone``     international (+380 67 123 45 67, 00380…), Ukrainian national (067-123-45-67,
              (044) 123 45 67, 8 (067) …), US (415-555-0132) and other national forms; a US or
              foreign national number needs its country's grouping or a word such as "тел"
``card``      payment cards: **issuer prefix (IIN) and length**, **Luhn-checked** (a labelled card
              with a typo counts too)
``iban``      IBANs (UA and others), **mod-97 checked** with the country's length
``tax_id``    Ukrainian РНОКПП/ІПН: 10 digits, **weighted checksum** and context: a tax
              keyword within 300 characters (РНОКПП, ІПН, RNOKPP, "rnokpp" as a JSON key or CSV
              header, "код отримувача" ...), or "номер"/"ID"/"мій" right before a plausible birth date; also
              the Polish PESEL and the German Steuer-ID after their label (**checksum** unless right after it)
``passport``  Ukrainian passports: old booklet (МК 123456, "серії МК № 123456", "мк-123 456"),
              ID card (9 digits), foreign passports and licences (FE123456, with a keyword)
``ssn``       US Social Security numbers (issuable ranges, known public examples excluded)
``dob``       a date next to "born", "date of birth", "дата народження", "д/н", "р.н." ...,
              not when a thing was born ("Ідея народилася ...")
``health``    diagnoses and medications *about a person* (see :mod:`labs.router.health`)
``address``   postal addresses: Ukrainian street forms (вул./просп./пров. ... with a house
              number, кв., м., a postcode) and English ones (221B Baker Street, London NW1 6XE)
``handle``    messenger and social-network handles: a profile link (instagram.com/…, t.me/…) or
              "@name" after a messenger's name ("телеграм: @olena_koval85"); not in ``KINDS``
              (the labelled prompt set has none yet), so a reason names it as ``handle``
``special``   the other special categories of GDPR Art. 9 and 10 said of a person (sexual orientation, gender
              identity, religion, trade-union membership, criminal record): see :mod:`labs.router.health`; not in
              ``KINDS``
``id_number``  any identity number behind a label that says whose it is ("my Polish ID number …", "NIP",
              "номер мого посвідчення …"): see :mod:`labs.router.id_numbers`; not in ``KINDS`` either
============  ===========================================================================

A number is read as digit groups joined by any short run of separators ("067/123/45/67",
"4539_1488", "219 - 09 - 9999"); every window of whole groups is tried against each kind, so a
neighbouring number ("#1 4539 1488 0343 6467") cannot hide one. A phone, РНОКПП or card read out
in words after its label ("мій номер нуль шість сім …", "My number is zero six seven …") is read as its digits.
What stays undetected: a number with no label and no telling shape ("3124167891" is also a token count), a number
spelled one digit a group or read out in words with no label ("labels: 1 0 1 1 …" is a list), names and free-form
addresses.

Numbers that are not personal — prices, years, versions, parameter counts, order and
invoice numbers — fail the checksums, the grouping or the context rules, and a number
right after "order", "invoice", "замовлення", "ТТН" ... is never a phone or an ID.

Real text writes identifiers in many ways (``тел.0671234567``, full-width digits, links, HTML
entities, look-alike letters, a line break inside): the detectors read the normalised view from
:mod:`labs.router.normalize` and treat digits, not word boundaries, as the edge of a number;
findings point back at the original text. A pasted table (tab-, comma-, semicolon- or bar-separated, or
HTML) is also read as a table by :mod:`labs.router.tables`: a header naming a personal column ("ipn", "dob",
"телефон") labels that cell of every row below it, however far.

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

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from labs.router import health as _health
from labs.router.normalize import CONFUSABLE_CLASS, CONFUSABLES, DIGIT_LOOKALIKES, fold_confusables, normalize
from labs.router.id_numbers import find_codice_fiscale, find_id_numbers
from labs.router.tables import business_rows, find_table_cells
from labs.router.textscan import (
    finditer_at_literals,
    first_char_branches,
    has_digit,
    leading_literals,
    literal_gate,
    lower,
)
from labs.router.towns import find_town_streets
from labs.router.triggers import Literals, any_of, scan_only, triggers
from labs.router.names import is_ambiguous_name, is_first_name
from labs.router.validators import (
    IBAN_LENGTHS,
    card_iin_ok,
    iban_ok,
    isbn10_ok,
    isbn13_ok,
    luhn_ok,
    pesel_ok,
    rnokpp_birth_date,
    rnokpp_ok,
    ssn_ok,
    steuer_id_ok,
)

KINDS = ("email", "phone", "card", "iban", "tax_id", "passport", "ssn", "dob", "health", "address")


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

# --- context rules ------------------------------------------------------------------------------
# All context rules read the lower-cased view, in which a word typed in mixed scripts is already
# written in one ("iпн" → "іпн", "рhоnе" → "phone"): see labs.router.normalize.
_NOT_PERSONAL_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:order|invoice|tracking|ticket|reference|ref|sku|part|serial|build|version|release|model|isbn(?:[\s\-]?1[03])?|"
    r"issn|doi|pmid|pmcid|arxiv|ean|gtin|"
    r"barcode|upc|issue|pr|bug|commit|timestamp|epoch|unix(?:-час|\s+time)?|pid|uid|gid|tid|port|hash|checksum|"
    r"nonce|seed|message\s+id|msg\s+id|snowflake|tweet|status|post|row|line|build\s+no|"
    r"(?:job|run|task|request|req|trace|span|session|event|batch|item|product|order|message|msg|chat|thread|object|record|"
    r"entity|node|pod|container|instance|experiment|dataset|model|file|blob|commit|build)_?id|"
    r"замовленн\w*|рахун\w*-фактур\w*|накладн\w*|ттн|відправленн\w*|посилк\w*|штрих-?код\w*|артикул\w*|"
    r"квитанці\w*|версі\w*|збірк\w*|модел\w*|заявк\w*|тікет\w*|порт\w*|рядк\w*)"
    r"\s*(?:no\.?|number|num|id|#|№|:|-)?\s*[:#№/=]?\s*$",
)
# A unit right after a number written as a count makes it a quantity: "4989900814062 ns", "3124167891
# tokens". Matched on the view, not lower-cased: "Ms Koval", "US", "b)" and "разом" ("together") after a
# number are words, not units, so the short units keep their case and a Ukrainian unit only the forms a
# count takes (1 токен, 2 токени, 5 токенів).
_UNIT_AFTER = re.compile(
    r"\s?(?:ns|ms|µs|us|s|sec|seconds?|min|B|(?i:bytes?|kb|mb|gb|tb|kib|mib|gib|tokens?|params?|parameters|rows|"
    r"records|items|units|times|users|views|downloads|ops|flops|hz|mhz|ghz|px|usd|uah|eur|грн|шт|"
    r"токен(?:и|ів)?|параметр(?:и|ів)?|рядок|рядки|рядків|запис(?:и|ів)?|одиниц[яіь]|раз(?:и|ів)?|"
    r"користувач(?:і|ів)?|переглядів|завантажень|байт(?:и|ів)?|гривень|доларів|осіб|людей))(?!\w)"
)
_TAX_CONTEXT = re.compile(
    r"(?:рнокпп|[рp]\W{0,2}[нh]\W{0,2}[оo]\W{0,2}[кk]\W{0,2}п\W{0,2}п|(?<![а-яіїєґ])(?:іпн|інн|инн)(?:ом|у|а|і|ів)?(?![а-яіїєґ])|"
    r"ідентифікаційн\w*(?:\s+(?:код|номер)\w*)?|ідент\.\s*код|податков\w*|платник\w*\s+податк\w*|"
    r"облікової\s+картки|код\w*\s+(?:отримувача|платника|дрфо)|(?<![а-яіїєґ])дрфо|декларац\w*|"
    r"(?<![a-z])(?:rnokpp|ipn|inn|tin|drfo|itin|taxpayer|tax\s*return)(?![a-z])|"
    r"tax[\s_\-]*(?:id|number|code|no|#)|налоговый\s+номер|идентификационный)"
)
# the abbreviation in capitals is a label even glued to a word ("xІПН 3124167891", "ДаніРНОКПП…"): read on the view
_TAX_CAPS = re.compile(r"ІПН|РНОКПП|RNOKPP")
# "номер"/"ID"/"мій" right before the digits (a word between, "Мій результат …", is no label), not the id of a
# run, a job or an exit code ("Exit code 3124167891", "Run ID …", "Request id=…")
_WEAK_ID_CUE = re.compile(r"(?<![\w])(?:(?:мій|моє|my)\s+)?(?:номер\w*|№|number|no\.?|nr\.?|код\w*|code|id|мій|моє|my|"
                          r"піб|kod[>=\"\s]{0,3}|ідкод>?|(?:(?:код|номер|id|ід)\w*\s+)?\(?(?:з|із|зі|у|в)\s+(?:(?:застосунк|додатк|програм)\w*\s+)?ді[їя]\)?)"  # "ПІБ 3445855477", "мій код з Дії: …" (issue 11 r8 A3), "номер з Дії …" (r9 A1)
                          r"(?:\s+(?:is|—|-))?[\s:#№=\-]{0,4}$"  # "код з застосунку Дія", "код (з Дії)", "<kod>" (r10 A2)
                          # a JSON/YAML key only when it names the code: "id_code": "…" (a bare "id"/"code" key holds
                          # any 10-digit id: 3% of them pass the checksum, issue 11 r9)
                          r"|(?<![\w])id_code[\"']?\s*[:=]\s*[\"']?$")
# a Ukrainian full name right before the digits (payment details: "Отримувач: Коваль Олена Вікторівна, 2599749696"):
# the patronymic ends it
_PATRONYMIC_BEFORE = re.compile(r"[А-ЯІЇЄҐ][а-яіїєґ'’ʼ]+(?:ович|евич|йович|івна|ївна|овна|ічна|інічна)[\s,:;\-—\"']{1,6}$")
# ... or a surname with initials ("Шевчук П. О., …"), or two capitalised words one of which is a known first name
# ("Ткаченко Петро 3563104757", "Petro Tkachenko: …"): issue 11 r9
_INITIALS_BEFORE = re.compile(r"[А-ЯІЇЄҐ][а-яіїєґ'’ʼ\-]+\s+[А-ЯІЇЄҐ]\.\s?(?:[А-ЯІЇЄҐ]\.)?[\s,:;\-—\"']{1,6}$")
# The words may be cells of a table row ("Шевчук;Марія;…", "| Лисенко Богдан | …"); one unambiguous first name alone
# before the digits is a person too: a CSV "name,code" row ("Iryna,2166875630"), an XML "<name>Богдан</name><code>…"
# (the view drops the HTML "<code>" tag): issue 11 r9 A1
_TWO_WORDS_BEFORE = re.compile(r"([A-ZА-ЯІЇЄҐ][\w'’ʼ\-]+)[\s,;|]{1,3}([A-ZА-ЯІЇЄҐ][\w'’ʼ\-]+)[\s,:;|\-—\"'(]{1,6}$")
_ONE_WORD_BEFORE = re.compile(r"([A-ZА-ЯІЇЄҐ][\w'’ʼ\-]+)[\s,:;|\-—\"'(]{1,6}$")
# ... or right after the digits: "2221266371 — Коваль Олена", "2221266371, Olena Koval"
_TWO_WORDS_AFTER = re.compile(r"[\s,;|\-—)]{1,4}([A-ZА-ЯІЇЄҐ][\w'’ʼ\-]{1,30})[\s,;|]{1,3}([A-ZА-ЯІЇЄҐ][\w'’ʼ\-]{1,30})")


# an off-list given name beside a surname of a Ukrainian shape ("Устим Коваленко", "Мілана Шевчук"), a double given name
# of two known ones ("Анна-Марія Коваль", "Anna-Mariia Koval"): issue 11 r10 A1
_UA_SURNAME = re.compile(r"(?:енко|чук|щук|йчук|ук|юк|ович|евич|ський|ська|цький|цька|зький|зька|enko|chuk|iuk|yuk|skyi|ska|"
                         r"tskyi|tska|ovych)$"
                         # the common surnames without those endings, from trades (Мельник "miller", Коваль "smith" …)
                         r"|^(?:мельник|коваль|бондар|ткач|кравець|олійник|гончар|мороз|кушнір|швець|литвин|бойко|козак|"
                         r"лисак|пономар|кучер|тесля|melnyk|koval|bondar|tkach|kravets|oliinyk|honchar|moroz|kushnir|shvets|"
                         r"lytvyn|boiko|kozak|ponomar)(?:а|у|ові|ем|ом|ої|ій|ів)?$", re.IGNORECASE)


# initials before the surname ("M. Shevchuk 3610009447", "П.О. Мельник 3563104757"), a name and a code as keys of a record:
# XML attributes, YAML or JSON ("<person name="Андрій Лисенко" code="…"", "піб: …\nкод: '…'", {"піб": "…", "код": …}):
# issue 11 r10 A2
_LEADING_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?!U\.\s?[SKN]\.|E\.\s?U\.)(?:[A-ZА-ЯІЇЄҐ]\.\s?){1,2}[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’ʼ\-]{2,}[\s,:;\-—\"']{1,6}$")
# a surname and its initials after it, as lists and bibliographies write a person: "Koval O., 12.03.1985" (r10 A1)
_TRAILING_INITIALS_BEFORE = re.compile(r"(?<![\w.])[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’ʼ\-]{2,}\s(?:[A-ZА-ЯІЇЄҐ]\.\s?){1,2}[\s,:;\-—]{0,4}$")
_NAME_KEY_BEFORE = re.compile(r"(?<![\w])[\"']?(?P<key>(?i:name|піб|fio|full_?name|прізвище))[\"']?\s*[=:]\s*[\"']?(?P<v>[^\"'\n=:]{2,40})"
                              r"[\"']?\s*[,;]?\s{0,8}[\"']?(?i:code|код|id|ipn|inn|іпн|рнокпп|rnokpp|tax_?id)[\"']?\s*[=:]\s*[\"']?$")


_LOWER_TWO_WORDS_BEFORE = re.compile(r"(?<![\w\-])([a-zа-яіїєґ'’ʼ]{3,20})\s([a-zа-яіїєґ'’ʼ]{3,20})[\s,:;\-—]{1,4}$")


def _given_name(word: str) -> bool:
    return is_first_name(word) or ("-" in word and all(is_first_name(p) for p in word.split("-")))


# what the patterns above let stand between a name and what follows it (and any blank)
_NAME_MARKS, _LOWER_NAME_MARKS = ",:;|-—\"'(", ",:;-—"
_NAME_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐ")  # [A-ZА-ЯІЇЄҐ]
_NAME_LOWER = frozenset("abcdefghijklmnopqrstuvwxyzабвгдежзийклмнопрстуфхцчшщъыьэюяіїєґ'’ʼ")  # [a-zа-яіїєґ'’ʼ]


def _rstrip_marks(text: str, marks: str) -> str:
    """``text`` less its last run of blanks (``\\s``) and ``marks``."""
    while True:
        cut = text.rstrip().rstrip(marks)
        if len(cut) == len(text):
            return cut
        text = cut


def _name_may_end(before: str) -> bool:
    """Could a pattern of :func:`_full_name_before` match ``before`` (a necessary test of a few string operations: the
    searches cost ~5-15 us, and most dates and numbers stand after plain words, "placed on 2024-03-12")? Each pattern
    ends in a run of blanks and marks; before it stands a capitalised word (a capital in the run of word characters
    there), initials (a dot), the second of two lower-case words (three of its letters), or a record's key (":", "=")."""
    if ":" in before or "=" in before:
        return True
    tail = _rstrip_marks(before, _NAME_MARKS)
    if tail.endswith("."):
        return True
    i = len(tail)
    while i and (tail[i - 1].isalnum() or tail[i - 1] in "_'’ʼ-"):  # [\w'’ʼ\-]
        i -= 1
    if any(ch in _NAME_CAPITALS for ch in tail[i:]):
        return True
    lower_tail = _rstrip_marks(before, _LOWER_NAME_MARKS)
    return 1 <= len(before) - len(lower_tail) <= 4 and len(lower_tail) >= 3 and all(ch in _NAME_LOWER for ch in lower_tail[-3:])


def _full_name_before(view: str, at: int, alone: bool = True) -> bool:
    """Does a person's full name stand right before ``at`` (see :data:`_PATRONYMIC_BEFORE`)? (``alone``: or one
    unambiguous first name.)"""
    before = _before(view, at, 60)
    if not _name_may_end(before):
        return False
    dotted = "." in before  # every initial is a letter and a dot: without one, three searches (~5 us) need not run
    if _PATRONYMIC_BEFORE.search(before) or dotted and _INITIALS_BEFORE.search(before):
        return True
    m = _TWO_WORDS_BEFORE.search(before)
    if m is not None and (_given_name(m.group(1)) or _given_name(m.group(2))
                          or _UA_SURNAME.search(m.group(1)) or _UA_SURNAME.search(m.group(2))):
        return True
    if dotted and (_LEADING_INITIALS_BEFORE.search(before) or _TRAILING_INITIALS_BEFORE.search(before)):
        return True
    m = _LOWER_TWO_WORDS_BEFORE.search(before)  # typed in lower case: "петро бондаренко …", "shevchuk olena …" (r10 A1, A2)
    if m is not None and any(is_first_name(a) and not is_ambiguous_name(a) and _UA_SURNAME.search(b)
                             for a, b in ((m.group(1), m.group(2)), (m.group(2), m.group(1)))):
        return True
    if "=" in before or ":" in before:
        k = _NAME_KEY_BEFORE.search(before)
        if k is not None and (lower(k.group("key")) in ("піб", "fio", "full_name", "fullname", "прізвище")
                              or any(_given_name(w) or _UA_SURNAME.search(w) for w in k.group("v").split()[:3])):
            return True
    m = _ONE_WORD_BEFORE.search(before) if alone else None
    return m is not None and is_first_name(m.group(1)) and not is_ambiguous_name(m.group(1))
# a bare "code:"/"код:"/"id:" key of a YAML record holds any 10-digit id (a product's, an error's): a person's code only
# with the person's name in the record (see _NAME_KEY_BEFORE; r10's yaml and code-column classes)
_KEY_LINE_CUE = re.compile(r"[ \t]*(?:-[ \t]+)?[\"']?(?:code|код|id)[\"']?[ \t]*[:=][ \t]*[\"']?$")


def _record_code_key(low: str, at: int, breaks: frozenset[int]) -> bool:
    """Is ``at`` the value of a bare code/id key on a line of its own below another line (a record's key, see above)?"""
    line = next((k for k in range(at - 1, max(0, at - 40) - 1, -1) if k in breaks), None)
    if line is None:  # the first line: an English "code:"/"id:" key alone is any code ("code: … # error code from vendor")
        return _EN_CODE_KEY.fullmatch(low, 0, at) is not None
    if _KEY_LINE_CUE.fullmatch(low, line + 1, at) is None or ":" not in low[max(0, line - 60) : line]:
        return False  # the first line, or below prose: "Дані клієнта\nкод: …"
    return _RECORD_OF_A_PERSON.search(low, max(0, line - 160), line) is None  # "client:\n  код: …" is a person's


_EN_CODE_KEY = re.compile(r"[ \t]*(?:code|id)[ \t]*[:=][ \t]*[\"']?")
_RECORD_OF_A_PERSON = re.compile(r"(?<!\w)(?:клієнт\w*|client|customer|person|user|employee|працівник\w*|співробітник\w*|"
                                 r"пацієнт\w*|patient|піб|fio|особ\w*|платник\w*|taxpayer|contact|контакт\w*|"
                                 r"recipient|отримувач\w*)(?!\w)")
# a date and its hour are never one number ("(John Melnyk 2010-02-27 06:56:02", "Kate Shevchuk 2015-02-23 09:04": a
# git blame or log line joined into 10 digits whose checksum passes by chance: issue 11 r10 B5)
_DATE_TIME_AT = re.compile(r"(?:\d{4}[\-./][01]\d[\-./][0-3]\d|[0-3]\d[\-./][01]\d[\-./]\d{4})[ T]{1,2}[0-2]\d")
_NOT_A_PERSON_ID = re.compile(r"(?:exit|error|status|return|response|run|job|task|request|req|session|trace|span|process|"
                              r"thread|build|test|step|epoch|batch|event|transaction|txn|device|node|container|pod|"
                              r"задачі|запиту|помилки|сесії|процесу|трек|track|tracking|ттн|накладної|замовлення|order|"
                              r"посилки|відправлення|shipment|parcel|"
                              # a product's, a licence's, a permit's, a policy's, a PR's number (r9 B "koatuu", "label_things")
                              r"hs|товар\w*\s+з|license|licence|permit|policy|каско|pr|бота|bot)[\s\-]*(?:code|id|номер|код|кодом|"
                              r"number|no\.?|#)?[\s:#№=\-]{0,4}$|"
                              r"(?<!\w)(?:the|a|an|this|that|any|some|each)\s+number[\s:#№=\-]{0,4}$")
_PASSPORT_CONTEXT = re.compile(
    r"(?:паспорт\w*|пасп\.|passport|pasport\w*|paszport\w*|(?<![а-яіїєґ])права(?![а-яіїєґ])|(?<![a-z])id[\s\-]*(?:карт\w*|card)|айді\w*|посвідк\w*|посвідченн\w*|"
    r"номер\s+документ\w*|document\s+(?:no|number)|документ\w*\s+№|біометри\w*|закордон\w*|загран\w*|"
    r"(?<![а-яіїєґ])сері[їяю](?![а-яіїєґ])|(?<![a-z])series(?![a-z])|унзр|посвідчення\s+водія|водійськ\w*|"
    r"driv(?:er'?s?|ing)\s+licen[cs]e|військов\w*\s+квит\w*|свідоцтв\w*|national\s+id\w*|"
    r"(?<![a-z])(?<!job )(?<!run )(?<!task )(?<!user )(?<!order )(?<!request )(?<!session )(?<!process )(?<!device )"
    r"id\s+(?:number|no\b))"
)
# A phone word: "number", "номер", "call" and "contact" alone are not ("Number of tokens N", "Номер задачі N",
# "function call count N", "Contact center handled N chats": the course's own vocabulary)
_PHONE_CONTEXT = re.compile(
    r"(?:tel|phone|cell|mobile|mob|whats\s?app|viber|telegram|signal|sms|text\s+me|fax|"
    r"call\s+(?:me|us|him|her|them|back|on|at)|"
    r"contact\s+(?:me|us|him|her|them|on|at|details|number|no)|"
    r"reach\s+(?:me|us|him|her)|ring\s+(?:me|us)|(?:my|your|his|her|our|their)\s+number|"
    r"тел|телефон\w*|моб\w*|дзвон\w*|подзвон\w*|передзвон\w*|зателефон\w*|набер\w*|набрати|"
    r"(?:мій|мого|твій|ваш|її|його|наш|їхній)\s+номер\w*|номер\w*\s+(?:телефон\w*|мобільн\w*)|контакт\w*:|"
    r"контактн\w*\s+(?:номер|дан)\w*|вайбер|телеграм|звон\w*|позвон\w*|сотов\w*|мобильн\w*)"
)
# "call 4155550132", "Contact: …": the generic words only right before the number (no "$" in _PHONE_CONTEXT, so
# a prompt full of numbers finds its matches once: see _Near)
_PHONE_RIGHT_BEFORE = re.compile(r"(?:call|contact)[\s:.\-]{0,3}$")
_NOT_CARD_BEFORE = re.compile(r"(?<![^\W\d_])(?:id|ids|uid|user\s*id|message|msg|status|snowflake|fib\(\d+\)\s*==)"
                              r"\s*[:#/]?\s*$|(?<![^\W\d_])(?:trace|trace_?id|span|span_?id|request_?id|req_?id|correlation_?id|"
                              r"txn)\s*[:#/=]?\s*$")  # a log's ids (r10 logs)
# 19-digit cards common enough to need no label (Visa, Mir, UnionPay, JCB, Discover: "4801 4126 9060 4431 988");
# 17-18 digits and other prefixes are big ids far more often than cards
_CARD_19 = ("4", "2200", "2201", "2202", "2203", "2204", "62", "35", "6011", "65")
# "облікова картка платника податків" (the tax registration card) is the РНОКПП's label, not a payment card's
_CARD_CONTEXT = re.compile(r"(?:card|(?<!облікової )(?<!облікова )(?<!обліковій )(?<!облікову )(?<!обліковою )картк\w*|карт[аиуіо]\w*|visa|master\s?card|maestro|amex|кредитк\w*|cvv|cvc|"
                           r"unionpay|humo)")
_SSN_CONTEXT = re.compile(r"(?:(?<![a-z])ssn(?![a-z])|social\s+security|соц\w*\s+страх\w*)")
# A kind's own label right before a number outweighs a unit after it: "card 4111111111111111 times out".
_LABEL_WORDS = (rf"{_CARD_CONTEXT.pattern}|{_TAX_CONTEXT.pattern}|{_SSN_CONTEXT.pattern}|{_PASSPORT_CONTEXT.pattern}|"
                r"tel|phone|mobile|cell|call|whats\s?app|viber|telegram|тел|телефон\w*|моб\w*|вайбер|телеграм|подзвон\w*|"
                r"зателефон\w*|набер\w*")
_LABEL_BEFORE = re.compile(rf"(?:{_LABEL_WORDS})[\s:#№.\-=\"']{{0,4}}[^\s\d]?$")  # and one glued character ("картка !4356…s")
# Published examples, never anyone's (078-05-1120, the Woolworth wallet card; 123-45-6789)
_SSN_NOT_ISSUED = frozenset({"078051120", "123456789"})

_DOB_BEFORE = re.compile(
    r"(?:(?<![a-z])(?:born|b\.|birth(?:day|date)?|d\.?o\.?b\.?|bday|bdate)(?![a-z])|date[\s_\-]*of[\s_\-]*birth|🎂|"
    r"birth[\s_\-]*date|народи\w*|народж\w*|(?<![а-яіїєґ])нар\.|(?<![а-яіїєґ])д\.?\s?н\.|(?<![а-яіїєґ])д/н|"
    r"(?<![а-яіїєґ])дн(?![а-яіїєґ])|(?<![а-яіїєґ])др(?![а-яіїєґ])|(?<![а-яіїєґ])д\.\s?р\.|(?<![а-яіїєґ])р\.\s?н\.|день\s+народженн\w*|рождени\w*|родил\w*|"
    r"дата_нар\w*|narodzh\w*|(?<![а-яіїєґ])д_н(?![а-яіїєґ])|(?<=\")dn(?=\"))"  # JSON keys: "д_н", "dn" (r11 A1): "дата_нар", "dataNarodzhennia" (issue 11 r9 A6)
)
_DOB_AFTER = re.compile(r"\s*(?:р\.?\s*)?(?:р\.\s?н\.|р/н|року\s+народження|\(?dob\)?|г\.?\s?р\.)")
# "born"/"народився" about a thing, not a person: "The framework was born ...", "Ідея народилася ..."
_THING_BORN = re.compile(
    r"(?:idea|project|framework|company|startup|product|library|language|linux|python|unix|git|app|repo|"
    r"brand|band|movie|film|game|service|protocol|standard|ідея|ідеї|проєкт\w*|проект\w*|компані\w*|"
    r"стартап\w*|продукт\w*|бібліотек\w*|мова|мови|застосун\w*|бренд\w*|гурт\w*|фільм\w*|гра|сервіс\w*|"
    r"протокол\w*|стандарт\w*)[^.!?\n]{0,30}$"
)


# A table's header line that names a tax or birth-date column ("id,name,ipn,dob"): every row below is labelled,
# however far from the header (a 300-row CSV).
_TAX_COLUMN = re.compile(r"[,;\t|]\s*\"?(?:ipn|rnokpp|inn|tin|tax_?id|id_?code|іпн|рнокпп|податковий_?номер|"
                         r"ідентифікаційний_?код|код_?платника|код_?дрфо)\"?(?=\s*[,;\t|]|\s|$)")
_DOB_COLUMN = re.compile(r"[,;\t|]\s*\"?(?:dob|d\.o\.b\.?|date_?of_?birth|birth_?date|birthday|дата_?народження|д/н|дн)"
                         r"\"?(?=\s*[,;\t|]|\s|$)")
_CELL_BEFORE = re.compile(r"[,;\t|]\s*\"?$")


def _table_column(low: str, rx: re.Pattern, at: int) -> bool:
    """Is the value at ``at`` a table cell (after a column separator) below a header naming the column ``rx``?
    (The view reads a line break as a space, so the header is any separated field before ``at``.)"""
    if not _CELL_BEFORE.search(low, max(0, at - 4), at):
        return False
    first = _first_match_end(rx, low)  # once a prompt: a search from 0 for every cell was quadratic in a long table
    return first is not None and first <= at


@lru_cache(maxsize=8)
def _first_match_end(rx: re.Pattern, low: str) -> int | None:
    m = rx.search(low)
    return None if m is None else m.end()


class _Near:
    """Is a match of a context regex in a span of one prompt? Each question searches its span until the
    spans searched add up to the prompt's length; then every match of the prompt is found once and looked
    up (a prompt full of numbers asks once per number: at most twice linear, not numbers x span). Only for
    regexes without ``$`` (an anchor at the span's end would match differently)."""

    def __init__(self, low: str) -> None:
        self.low = low
        # keyed by id(rx): hashing a compiled pattern hashes its code (~1 us for a long context regex)
        self.scanned: dict[int, int] = {}
        self.starts: dict[int, list[int]] = {}
        self.absent: dict[int, bool] = {}  # no string of the regex's literal gate anywhere in the prompt
        self.trig = triggers(low)  # where the prompt's trigger literals stand, for the regexes of _NEAR_AT
        self.at: dict[int, list[int]] = {}  # id(literals) -> where they stand (read once a prompt)

    def _none_in(self, lits: Literals, lo: int, hi: int) -> bool:
        """Does no string of ``lits`` start in ``low[lo:hi]``? (A bisection; False when the prompt is read by plain
        scans, see :func:`labs.router.triggers.scan_only`.) Then no match of their regex starts there."""
        if self.trig.scan:
            return False
        at = self.at.get(id(lits))
        if at is None:
            at = self.at[id(lits)] = self.trig.starts(lits)
        k = bisect.bisect_left(at, lo)
        return k == len(at) or at[k] >= hi

    def nowhere(self, rx: re.Pattern) -> bool:
        """Is no match of ``rx`` possible anywhere in the prompt (no string of its literals in it)? Every span's
        answer is then False, and a caller need not work out the span."""
        if (lits := _NEAR_AT.get(id(rx))) is not None:
            return self._none_in(lits, 0, len(self.low))
        if (absent := self.absent.get(id(rx))) is None:
            gate = _near_gate(rx)
            absent = self.absent[id(rx)] = gate is not None and not any(g in self.low for g in gate)
        return absent

    def not_personal(self, start: int) -> bool:
        """:func:`_not_personal_context` at ``start``, its search only where one of its keywords' literals stands
        in the 30 characters before (most numbers have none)."""
        return not self._none_in(_NOT_PERSONAL_AT, start - 30, start) and _not_personal_context(self.low, start)

    def __call__(self, rx: re.Pattern, lo: int, hi: int) -> bool:
        lo, hi = max(0, lo), min(len(self.low), hi)
        if lo >= hi:
            return False
        key = id(rx)
        if (lits := _NEAR_AT.get(key)) is not None:  # found where its literals stand: linear, no scan
            return not self._none_in(lits, lo, hi) and self.trig.search(rx, lits, lo, hi) is not None
        if self.nowhere(rx):  # once a prompt: a tax word absent from it is absent from every span
            return False
        starts = self.starts.get(key)
        if starts is None:
            scanned = self.scanned[key] = self.scanned.get(key, 0) + hi - lo
            if scanned <= len(self.low) or "$" in rx.pattern:
                return rx.search(self.low, lo, hi) is not None
            starts = self.starts[key] = [m.start() for m in rx.finditer(self.low)]
        k = bisect.bisect_left(starts, lo)
        return k < len(starts) and starts[k] < hi


@lru_cache(maxsize=32)
def _near_gate(rx: re.Pattern) -> tuple[str, ...] | None:
    """:func:`labs.router.textscan.literal_gate` of a context regex (a few substring tests beat its searches)."""
    return literal_gate(rx, most=32)


_NOT_PERSONAL_AT = Literals(_NOT_PERSONAL_BEFORE)
# the context regexes _Near is asked about, with their trigger literals (_TAX_CONTEXT starts with a bare "р"/"p": a
# literal in every word, so it keeps its scan)
_NEAR_AT = {id(rx): Literals(rx) for rx in (_PHONE_CONTEXT, _CARD_CONTEXT, _SSN_CONTEXT, _PASSPORT_CONTEXT)}


def _before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


def _not_personal_context(low: str, start: int) -> bool:
    """``_NOT_PERSONAL_BEFORE.search(_before(low, start, 30))``, tried only where its literals stand."""
    return triggers(low).search_slice(_NOT_PERSONAL_BEFORE, _NOT_PERSONAL_AT, start - 30, start) is not None


# --- e-mail ------------------------------------------------------------------------------------
# Found from the "@" (or its spelled-out forms) outwards, so the scan is linear: a regex that
# starts at every letter of "a.a.a.a…" and runs to a far "@" is quadratic. The local part and
# the domain may be in any script ("олена@приклад.укр"); glued to a word of another script
# ("Пишітьolena@…"), the address starts where the script changes.
_AT_GATE = ("@", "[at]", "(at)", "{at}", "<at>", " at ", "[собака]", "(собака)", " собака ", " sobaka ", "(@)", "[@]", "{@}",
            " равлик ", "(равлик)", "[равлик]", " собачка ", "(собачка)", "[собачка]",  # "равлик": Ukrainian for @
            " -at- ", "-at-", "#at#", " гав ",  # issue 11 r7 A6
            "(a)", "[a]", "{a}", "(а)", "[а]")  # "olena.koval(a)ukr.net": only glued on both sides (see find_emails)
_GLUED_ONLY = frozenset({"(a)", "[a]", "{a}", "(а)", "[а]"})  # "(a) example.com" is a list item
# a spaced dot only with a space on both sides: ". Next" after an address is a sentence's end
_DOT = (r"(?:\.|\s\.\s|\s?[\[({](?:dot|крапка|точка)[\])}]\s?|\s(?:dot|крапка|точка)\s|\s?-dot-\s?|#dot#)")
_DOMAIN = re.compile(r"\[\d{1,3}(?:\.\d{1,3}){3}\]|[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,5}")
_LOOSE_DOMAIN = re.compile(rf"[\w\-]{{1,63}}(?:{_DOT}[\w\-]{{1,63}}){{1,5}}")
_LABEL = re.compile(r"[\w\-]{1,63}")
_SPACED_LOCAL = re.compile(r"(?<![\w.])[\w\-+]{1,64}(?:\s\.\s|\s?\[dot\]\s?|\s?\(dot\)\s?|\s(?:dot|крапка|точка)\s)$")
_LOCAL_CHARS = frozenset("._%+-'")
# Top-level domains a spelled-out or spaced address ("olena at example dot com") must end in.
_TLDS = frozenset(
    "com net org edu gov mil int info biz io ai app dev me co us uk ua укр de pl fr it es nl be ch at cz sk hu ro "
    "bg lt lv ee fi se no dk ie pt gr tr ru by md ge am az kz ca au nz jp cn kr in br mx ar eu online site tech "
    "email mail".split())


_BROKEN_DOMAIN = re.compile(r"[\w\-]{1,63}(?:\.[\w\-]{1,63}){0,4}\.\s([^\W\d_]{2,6})(?!\w)")
_BROKEN_LOCAL = re.compile(r"(?<![\w.\-])[\w\-+]{3,64}(?:\.[\w\-+]{1,64}){0,3}\.\s$")


def _script(ch: str) -> str:
    if ch.isascii():
        return "latin" if ch.isalpha() else "any"
    return "cyrillic" if "\u0400" <= ch <= "\u04ff" else ("any" if not ch.isalpha() else "other")


def _local_start(text: str, at: int) -> int | None:
    """Start of the local part that ends at ``at`` (None if there is none)."""
    while at > 0 and text[at - 1] in "*_`~":  # "**olena.koval**@example.com"
        at -= 1
    if at > 0 and text[at - 1] == '"':  # "olena koval"@example.com
        q = text.rfind('"', max(0, at - 66), at - 1)
        return q if q >= 0 else None
    i, script = at, None
    while i > 0 and at - i < 64:
        ch = text[i - 1]
        if not (ch.isalnum() or ch == "_" or ch in _LOCAL_CHARS):
            break
        kind = "any" if ch in CONFUSABLES else _script(ch)
        if kind != "any":
            if script is None:
                script = kind
            elif kind != script:
                break  # "Пишітьolena": the word before is not part of the address
        i -= 1
    while i < at and (text[i] in "._%+-'" or (text[i] in CONFUSABLES and not text[i].isascii() and i + 1 < at
                                                and text[i - 1 : i].isalpha())):
        i += 1  # "Пишітеolena@…": the Cyrillic "е" ends the word before
    return i if i < at else None


def _domain_end(text: str, low: str, start: int, loose: bool, glued_word: bool = True) -> int | None:
    """End of the domain that starts at ``start``: its last label is a top-level domain (letters,
    cut where a glued word of another script begins, "example.comдякую"); spelled-out or spaced
    forms must end in a known one."""
    d = (_LOOSE_DOMAIN if loose else _DOMAIN).match(low, start)
    if d is None or not (d.group().startswith("[") or any(ch.isalpha() for ch in low[start : start + 64].split(".")[0])):
        return None  # "me at 646-555-0136": a domain has letters
    if d.group().startswith("["):
        return d.end()
    labels = list(_LABEL.finditer(low, start, d.end()))
    for last in reversed(labels[1:]):  # the longest domain that ends in a top-level domain
        tld, script = 0, None
        # a look-alike letter takes the script of the label's first unambiguous letter ("nеt", "укр")
        lead = next((_script(ch) for ch in last.group() if ch.isalpha() and ch not in CONFUSABLES), "latin")
        for ch in last.group():
            kind = lead if ch in CONFUSABLES and lead in ("latin", "cyrillic") else _script(ch)
            if not ch.isalpha() or (script is not None and kind != script):
                break
            script = kind
            tld += 1
        if tld >= 2 and (not loose or fold_confusables(last.group()[:tld]) in _TLDS):
            return last.start() + tld
        if loose and glued_word and tld >= 2:  # "example.orgthanks": a known top-level domain with a word glued on
            label = fold_confusables(last.group()[:tld])
            known = next((t for t in sorted(_TLDS, key=len, reverse=True) if label.startswith(t)), None)
            if known:
                return last.start() + len(known)
        if tld < len(last.group()):
            return None  # a glued word or a digit: the domain ends here or nowhere
    return None


# Where one of the keys can stand (the prompt's one trigger pass finds them), their leading blank left off: a literal
# that starts with a blank would make the automaton step into a node at every blank of every prompt (~5 us a 2 KB).
_AT_GATE_AT = any_of(k.lstrip(" ") for k in _AT_GATE)
_AT_KEYS_BY_FIRST: dict[str, list[tuple[str, int]]] = {}  # first character after the blank: (key, its blanks before)
for _key in _AT_GATE:
    _AT_KEYS_BY_FIRST.setdefault(_key.lstrip(" ")[0], []).append((_key, len(_key) - len(_key.lstrip(" "))))


def _at_signs(low: str) -> list[tuple[int, int]]:
    """(start, end) of every "@" and spelled-out "at", one for each key that stands there (as the ``str.find`` of each
    key finds them). The keys are tried only where the trigger pass saw one start (33 finds over 2 KB cost ~40 us);
    a text read with plain scans (:func:`labs.router.triggers.scan_only`) is searched key by key."""
    trig = triggers(low)
    out = []
    if trig.scan:
        for key in _AT_GATE:
            i = low.find(key)
            while i >= 0:
                out.append((i + 1, i + len(key) - 1) if key[0] == " " else (i, i + len(key)))
                i = low.find(key, i + 1)
    else:
        for i in trig.starts(_AT_GATE_AT):
            for key, blank in _AT_KEYS_BY_FIRST[low[i]]:
                if i >= blank and low.startswith(key, i - blank):
                    out.append((i, i + len(key) - 2) if blank else (i, i + len(key)))
    return sorted(out)


def find_emails(text: str, low: str | None = None) -> Iterator[Finding]:
    low = lower(text) if low is None else low
    yield from _spoken_emails(text, low)
    for at, at_end in _at_signs(low):
        if low[at:at_end] in _GLUED_ONLY and not (at and low[at - 1].isalnum() and low[at_end : at_end + 1].isalnum()):
            continue
        spelled = low[at:at_end] != "@"
        local_end = at - (1 if at and low[at - 1] == " " else 0)
        domain_start = at_end + (1 if low[at_end : at_end + 1] == " " else 0)
        strict = not spelled and local_end == at and domain_start == at_end
        # the domain first: most spelled-out " at "s are plain English ("at line 4521") and end here
        end = _domain_end(text, low, domain_start, loose=False) if strict else None
        # "the @pytest.fixture", "на @app.route(": a blank before the "@" and none after is a decorator or a mention
        # in prose; an address spaced so must end in a whole known top-level domain, not "fi" cut from "fixture"
        # (issue 11 r7 C1)
        mention = not spelled and local_end != at and domain_start == at_end
        if end is None:
            end = _domain_end(text, low, domain_start, loose=True, glued_word=not mention)
        if end is not None and mention and (low[end : end + 1].isalnum() or low[end : end + 1] in ("(", "_")):
            continue
        if end is None and strict and (broken := _BROKEN_DOMAIN.match(low, domain_start)) \
                and fold_confusables(broken.group(1)) in _TLDS:
            end = broken.end()  # "olena.koval@ukr.\nnet": a line break after the dot, before a known top-level domain
        if end is None and strict and (bare := _PROVIDER_ONLY.match(low, domain_start)):
            end = bare.end()  # "olena.koval@gmail", "olena_koval@ukr": a mail provider with no top-level domain
        if end is None:
            continue
        start = _local_start(text, local_end)
        # (the wrap's dot stands 2 characters before the start, or 3 before a final line break: most have none)
        if start is not None and strict and "." in low[max(0, start - 3) : start] \
                and (cut := _BROKEN_LOCAL.search(low, max(0, start - 66), start)):
            start = cut.start()  # "olena.\nkoval@ukr.net": the local part wrapped after a dot
        if start is not None:
            if not strict:  # "olena . koval @ …", "olena dot koval at …": the dots of the local part are spaced too
                for _ in range(4):
                    more = _SPACED_LOCAL.search(low, max(0, start - 80), start)
                    if more is None:
                        break
                    start = more.start()
            yield Finding("email", start, end, text[start:end], 60)


# An address said aloud with a mail provider's name: "olena точка koval на gmail точка com", "olena.koval at gmail"
# (no top-level domain). "на" and "at" are common words, so only before a known provider, and without a top-level
# domain only after an e-mail label or with a local part that reads like one (a dot, an underscore or a digit).
_PROVIDERS = ("gmail", "ukr", "i.ua", "meta.ua", "outlook", "hotmail", "yahoo", "protonmail", "proton", "icloud",
              "yandex", "bigmir", "mail", "email.ua", "live", "gmx", "aol")
_SPOKEN_DOT = r"(?:\s(?:точка|крапка|dot)\s|\.)"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.@])(?P<local>[a-z0-9][a-z0-9_%+\-]{{0,63}}(?:{_SPOKEN_DOT}[a-z0-9_%+\-]{{1,63}}){{0,3}})"
    rf"\s(?:at|на|собака|равлик|ет)\s(?P<dom>{'|'.join(map(re.escape, _PROVIDERS))})"
    rf"(?:{_SPOKEN_DOT}(?P<tld>[a-zа-я]{{2,6}}))?(?![\w@])")
# (?<=\s)(?:gmail|ukr|…)(?![\w@]), grouped by first letter so that the scan skips to those letters in C
_PROVIDER_KEY = re.compile(first_char_branches(map(re.escape, _PROVIDERS), r"(?<=\s.)") + r"(?![\w@])")
_PROVIDER_ONLY = re.compile(r"(?:gmail|ukr|outlook|hotmail|yahoo|protonmail|proton|icloud|yandex|bigmir|meta|i\.ua)"
                            r"(?![\w.@])")
# a provider named in Cyrillic or before the address (issue 11 r7 A6): "olena.koval на гмейлі", "мій джимейл olenakoval85",
# "my gmail is olenakoval85"; the local part must read as one (a dot, an underscore or a digit)
_CYR_PROVIDER = r"(?:гмейл\w*|джимейл\w*|жмейл\w*|gmail\w*|укрнет\w*|ukr\.net|аутлук\w*|outlook)"
_PROVIDER_EMAIL = re.compile(
    rf"(?<![\w.@])(?P<a>[a-z][a-z0-9_%+\-]{{1,63}}(?:\.[a-z0-9_%+\-]{{1,63}}){{0,3}})\s(?:на|at|в|у|@)\s{_CYR_PROVIDER}(?!\w)"
    rf"|(?<!\w){_CYR_PROVIDER}\s*(?:is|це|:|—|-)?\s*(?P<b>[a-z][a-z0-9_%+\-]{{1,63}}(?:\.[a-z0-9_%+\-]{{1,63}}){{0,3}})"
    r"(?![\w@.])")
_EMAIL_LABEL = re.compile(r"(?:e-?mail|mail|пошт\w*|мейл\w*|імейл\w*|емейл\w*|мило|скриньк\w*|адрес\w*)[\s:=\-]{0,4}$")


_PROVIDER_WORDS = any_of(("мейл", "gmail", "укрнет", "ukr.net", "аутлук", "outlook"))  # a gate of _PROVIDER_EMAIL


def _provider_emails(text: str, low: str) -> Iterator[Finding]:
    if not triggers(low).contains(_PROVIDER_WORDS):
        return
    for m in _PROVIDER_EMAIL.finditer(low):
        g = "a" if m.group("a") else "b"
        local = m.group(g)
        if any(ch in local for ch in "._") or any(ch.isdigit() for ch in local):
            start, end = (m.start(), m.end()) if g == "a" else (m.start(g), m.end(g))
            yield Finding("email", start, end, text[start:end], 60)


_PROVIDER_KEY_AT = Literals(_PROVIDER_KEY)


def _spoken_emails(text: str, low: str) -> Iterator[Finding]:
    yield from _provider_emails(text, low)
    windows = _trigger_windows(_PROVIDER_KEY, _PROVIDER_KEY_AT, low, 150, 40)  # only around a provider's name: fast
    for m in _in_windows(_SPOKEN_EMAIL, low, windows):
        local = m.group("local")
        if m.group("tld") is not None and fold_confusables(m.group("tld")) in _TLDS:
            pass
        elif not (any(ch in local for ch in "._") or any(ch.isdigit() for ch in local) or " " in local
                  or _EMAIL_LABEL.search(low, max(0, m.start() - 30), m.start())):
            continue
        end = m.end() if m.group("tld") is None or fold_confusables(m.group("tld")) in _TLDS else m.end("dom")
        yield Finding("email", m.start(), end, text[m.start() : end], 60)


# --- numbers: one scan for phones, cards, РНОКПП, SSNs and ID cards ----------------------------------
# A number is digit groups joined by any short run of separators ("067/123/45/67", "4539_1488",
# "219 - 09 - 9999", "(067) 12-34-567", "4-5-3-9-…"); a comma, a colon or a letter ends it. Each
# kind then tries every window of whole groups inside the run against its own format and checksum,
# so a neighbouring number ("#1 4539 1488 0343 6467", "4539 1488 0343 6467 12 27") cannot hide a card.
SEPARATORS = " -./_·•*()'\"\\~+"  # what people put between digit groups (never a comma, a colon or a bar)
# "\d\d*+", not "\d++": a pattern that starts with a plain class lets the engine skip to the next digit in C (the
# same matches; ~30 -> 22 us on the 2 KB ticket)
_RUN = re.compile(rf"\d\d*+(?:[{re.escape(SEPARATORS)}]{{1,4}}+\d++)*+")
_GROUP = re.compile(r"\d++")
_HEX_PAIRS = re.compile(r"(?:[0-9a-f]{2} ){2}[0-9a-f]?$")
_IP = re.compile(r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")  # no 067
_HEX_TOKEN = re.compile(r"[0-9a-fA-F\-]{0,80}")
# Ukrainian mobile operators' codes (NCEC numbering plan), without the trunk 0
_UA_MOBILE = frozenset("39 50 63 66 67 68 73 89 91 92 93 94 95 96 97 98 99".split())
# Country codes of the "00" international prefix (the common ones, with Ukraine's neighbours).
_CC = ("380", "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
       "47", "48", "49", "351", "353", "358", "359", "370", "371", "372", "373", "374", "375", "381", "385", "386",
       "420", "421", "52", "55", "61", "81", "82", "86", "90", "91", "972", "994", "995")


@dataclass
class _Run:
    start: int
    end: int
    groups: list[tuple[int, int]]
    plus: bool
    start_checked: bool = False  # no keyword such as "order" right before it (checked already)


def _runs(view: str, low: str) -> Iterator[_Run]:
    for whole in _RUN.finditer(view):
        for m in _run_parts(view, whole):
            if m.end() - m.start() >= 9 and (run := _run(view, low, m)) is not None:
                yield run


# A long list of one- and two-digit numbers ("labels: 1 0 1 1 …", "12+34+56…", one digit a line)
_SHORT_LIST = re.compile(rf"\d\d?+(?:[{re.escape(SEPARATORS)}]{{1,4}}+\d\d?+){{40,}}+")
_HEAD, _TAIL = 64, 40  # characters: 19 one-digit groups after a label; the last 11 two-digit groups


def _run_parts(view: str, m: re.Match) -> Iterator[re.Match]:
    """``m``, or for a long list of one- and two-digit numbers with no plus after a blank inside ("067 +380…") only its head and its tail:
    _windows tries no start inside such a list (a phone or a card spelled that way needs a label or a plus),
    so the middle costs nothing (linear with a small constant: a 100 KB label vector)."""
    if m.end() - m.start() < 2 * (_HEAD + _TAIL) or " +" in m.group() or not _SHORT_LIST.fullmatch(m.group()):
        yield m
        return
    head = _RUN.match(view, m.start(), view.rfind(" ", m.start(), m.start() + _HEAD) if " " in m.group()[:_HEAD]
                      else m.start() + _HEAD)
    if head is not None:
        yield head
    at = m.end() - _TAIL
    while at < m.end() and view[at].isdigit():
        at += 1
    tail = _RUN.search(view, at, m.end())
    if tail is not None:
        yield tail


def _run(view: str, low: str, m: re.Match, near: _Near | None = None, digits: int | None = None) -> _Run | None:
    """The run ``m`` of :data:`_RUN` if it can hold a phone, card, РНОКПП, SSN or ID card (9 digits
    or more, not a hash, an IBAN, an IP address, a hex dump or a labelled product number). ``near``: the
    prompt's :class:`_Near`, if the caller has one (it reads the keywords once a prompt); ``digits``: how many
    digits ``m`` holds, if the caller has counted them."""
    start, end = m.span()
    text = m.group()
    if digits is None:
        digits = len(text.translate(_NO_SEPARATORS))
    if digits < 9:
        return None
    # the cheap tests first (an IP address has three dots)
    if _in_hex_token(view, start, end) or _iban_shaped(view, start, digits) or text.count(".") == 3 and _IP.fullmatch(text):
        return None
    checked = " " not in text
    if checked and (_not_personal_context(low, start) if near is None else near.not_personal(start)):
        return None  # "ISBN 978-0-963-15479-9": the keyword names the whole token
    groups = [g.span() for g in _GROUP.finditer(view, start, end)]
    if view[start - 1 : start] == " " and all(e - s_ == 2 for s_, e in groups[1:]) \
            and (h := _HEX_PAIRS.search(view, max(0, start - 7), start + 1)) and any(ch.isalpha() for ch in h.group()):
        return None  # a hex dump: "5c 71 20 a4 16 3b 95" (the pairs before end in a blank)
    return _Run(start, end, groups, "+" in view[max(0, start - 3) : start], checked)


def _iban_shaped(view: str, start: int, digits: int) -> bool:
    """"DE89 3704 0044 0532 0130 01": an IBAN whose checksum fails (find_ibans reports valid ones); ``digits``: how
    many the run at ``start`` holds."""
    last = view[start - 1 : start] if view[start - 1 : start] != " " else view[start - 2 : start - 1]
    if not "A" <= last <= "Z":
        return False  # no capital letter right before the digits (nor a blank and one before it)
    cc = view[max(0, start - 3) : start].replace(" ", "")[-2:]
    return len(cc) == 2 and cc.isascii() and cc.isupper() and IBAN_LENGTHS.get(cc) == digits + 2


_HEX_CHARS = "0123456789abcdefABCDEF-"


def _in_hex_token(view: str, start: int, end: int) -> bool:
    """Digits inside a hash, a UUID or 0x… are no identifier."""
    before, after = view[start - 1 : start], view[end : end + 1]
    if not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha()):
        return False  # (no letter next to the run: not "0x" before it either)
    if view[max(0, start - 2) : start].lower() == "0x":
        return True
    reach = view[max(0, start - 80) : start]
    left = start - (len(reach) - len(reach.rstrip(_HEX_CHARS)))  # up to 80 hex characters before
    right = _HEX_TOKEN.match(view, end).end()
    # the run between holds no letter: only the ends can
    return right - left >= 16 and sum(map(str.isalpha, view[left:start] + view[end:right])) >= 4


def _regrouped(sizes: list[int], joinable: frozenset[int] = frozenset(), short: bool = True) -> list[list[int]]:
    """``sizes``, and the same with one pair of neighbouring groups joined: a line break or a Markdown
    mark inside a group ("415-5\\n55-0132", "744-23-01\\n05") splits it in two. ``short``: any two parts
    that make at most 4 digits; ``joinable``: the gaps ``k`` (between ``sizes[k - 1]`` and ``sizes[k]``) that
    were line breaks, where parts of up to 8 digits join ("0770\\n0 900655" is 07700 900655)."""
    return [sizes] + [sizes[: k - 1] + [sizes[k - 1] + sizes[k]] + sizes[k + 1 :] for k in range(1, min(len(sizes), 8))
                      if short and sizes[k - 1] + sizes[k] <= 4  # a short group split, not two real groups joined
                      or k in joinable and sizes[k - 1] + sizes[k] <= 8]


_YEAR_OR_EXPIRY = re.compile(r"19\d\d|20[0-3]\d|0[1-9]\d\d|1[0-2]\d\d")


def _in_a_row(view: str, groups: list[tuple[int, int]], i: int, j: int) -> bool:
    """Are groups ``i..j`` (4 digits each) one stretch of a row of 4-digit numbers ("5432 8080 5432 6379 3000",
    a numpy matrix): another 4-digit group right before or after them, not a year or an expiry ("2024 4539 …")?"""
    if any(e - s != 4 for s, e in groups[i : j + 1]):
        return False
    return any(0 <= k < len(groups) and groups[k][1] - groups[k][0] == 4 and not _YEAR_OR_EXPIRY.fullmatch(view[slice(*groups[k])])
               for k in (i - 1, j + 1))


def _broken(breaks: frozenset[int], groups: list[tuple[int, int]], i: int) -> bool:
    """Is the gap after group ``i`` a line break (a card wrapped: "53386\\n93644304648")?"""
    return bool(breaks) and any(k in breaks for k in range(groups[i][1], groups[i + 1][0]))


def _between_numbers(view: str, groups: list[tuple[int, int]], i: int, j: int, digits: str) -> bool:
    """A US-shaped phone with numbers on both sides ("2163 944 633 5483 1564 6841": a row of a benchmark table);
    a Ukrainian one (0…, 380…) keeps its own shape anywhere, and so does an area code in brackets ("42 (415) 555-0185
    12 27": a list number and an expiry around a phone, no table prints brackets)."""
    (a, b) = groups[i]
    return 0 < i and j + 1 < len(groups) and not digits.startswith(("0", "380")) \
        and not (view[a - 1 : a] == "(" and view[b : b + 1] == ")")


_ROW_AFTER = re.compile(r"\s*\]\s*,?\s*\[\s*\d{1,4}(?!\d)")
_ROW_BEFORE = re.compile(r"(?<!\d)\d{1,4}\s*\]\s*,?\s*\[\s*$")


def _in_a_matrix(view: str, start: int, end: int) -> bool:
    """Is ``view[start:end]`` a row of a printed matrix ("[[6693 9307 9944 7633]\n [  12 …]]"): a row of numbers in
    brackets right after or before it?"""
    return bool(_ROW_AFTER.match(view, end) or _ROW_BEFORE.search(view, max(0, start - 12), start))


def _card_shaped(sizes: list[int]) -> bool:
    """Written as a card is: one block (or one block broken once by a line break: two groups),
    4-4-4-4(-3), 4-6-5, or one digit a group."""
    return len(sizes) <= 2 or all(n == 1 for n in sizes) or sizes in ([4, 6, 5], [4, 6, 4]) or (
        all(n == 4 for n in sizes[:-1]) and 1 <= sizes[-1] <= 4)


def _card_grouped(sizes: list[int], joinable: frozenset[int] = frozenset()) -> bool:
    """Card-shaped as written, or once a group split by a line break (a gap in ``joinable``, see
    :func:`_regrouped`) is joined again (the two parts make at most 6 digits: "4539 14\n88 0343 6467"; three
    5-digit cells of a matrix are no Amex, nor "3629664136 12 27" a card with its last group split by a space)."""
    return _card_shaped(sizes) or any(_card_shaped(sizes[: k - 1] + [sizes[k - 1] + sizes[k]] + sizes[k + 1 :])
                                      for k in joinable if k < len(sizes) and sizes[k - 1] + sizes[k] <= 6)


def _shaped(sizes: list[int]) -> bool:
    """Grouped the way phone numbers are: 2-8 digits a group (the first may be 1-5), or one digit
    a group throughout; not a thousands-grouped quantity (1 234 567 890)."""
    if len(sizes) < 2:
        return False
    if all(n == 1 for n in sizes):
        return True
    if not all(2 <= n <= 8 for n in sizes[1:]) or not 1 <= sizes[0] <= 5:
        return False
    return not (len(sizes) >= 3 and sizes[0] <= 3 and all(n == 3 for n in sizes[1:]))


def _splits_at(sizes: list[int], allowed: frozenset[int]) -> bool:
    """Every gap between groups falls where the national format puts one (415 555 0132: after 3 and 6);
    or every digit stands alone ("4 1 5 5 5 5 …")."""
    if len(sizes) < 2:
        return False
    if all(n == 1 for n in sizes):
        return True
    cuts, at = set(), 0
    for n in sizes[:-1]:
        at += n
        cuts.add(at)
    return cuts <= allowed


_NANP = frozenset({3, 6})
_NO_CONTEXT: Callable[[], bool] = lambda: False  # noqa: E731
_NANP_1 = frozenset({1, 4, 7})
_TRUNK_8 = frozenset({1, 4, 7, 9})  # 8 (916) 123-45-67


def _phone_ok(d: str, sizes: list[int], plus: bool, context: Callable[[], bool], first: bool = True,
              area_cell: bool = False, joinable: frozenset[int] = frozenset()) -> bool:
    """Is the digit string ``d`` (grouped as ``sizes``) a phone number? International forms (a plus
    or 00 and a country code) always; Ukrainian ones by their operator or area code; US and other
    national ones when grouped the way that country groups them, or after a word such as "тел"
    (``context()`` says whether one is near: asked only when the digits leave it open)."""
    n = len(d)
    if plus:
        return d[0] != "0" and 8 <= n <= 15
    if d.startswith("00"):
        return any(d.startswith(cc, 2) for cc in _CC) and 10 <= n - 2 <= 15
    if n == 12 and d.startswith("380") and d[3] in "3456789" and (
            len(sizes) == 1 or sizes[0] == 2 or sizes[:2] in ([3, 2], [3, 9], [5, 3]) or context()):
        return True  # 380 67 123 45 67; not "380804 245598" (two counts of `free -m`)
    if n == 10 and d[0] == "0" and d[1] in "3456789" and d[1:3] != "80":
        return True  # 067…, (044)…, 0532…: a Ukrainian operator or area code (0 800 is a hotline)
    if n == 9 and d[:2] in _UA_MOBILE:
        return context()  # "моб. 67 123 45 67", "тел (67) 123-45-67": the operator code without its 0, after a label
    # the regroupings only once the digits ask for them (one branch at most: they exclude each other)
    if n == 11 and d[0] == "8" and (d[1] in "3456789" or d[1] == "0" and d[2] in "3456789") and (
            any(v[0] == 1 and _splits_at(v, _TRUNK_8) for v in _regrouped(sizes, joinable)) or context()):
        return True  # 8 (067) 123-45-67, 8 (916) 123-45-67
    if n == 10 and d[0] in "23456789" and d[3] in "23456789" and (
            any(v[:2] == [3, 3] and _splits_at(v, _NANP) for v in _regrouped(sizes, joinable))
            or area_cell and sizes == [3, 7] or context()):  # "415\t5550132": the area code in its own column
        return True  # 415 555 0132
    if n == 11 and d[0] == "1" and d[1] in "23456789" and d[4] in "23456789" and (
            any(v[:2] == [1, 3] and _splits_at(v, _NANP_1) for v in _regrouped(sizes, joinable)) or context()):
        return True  # 1 415 555 0132
    return d[0] == "0" and d[1] != "0" and 10 <= n <= 11 and not d.startswith(("080", "0800")) and (
        any(_shaped(v) for v in _regrouped(sizes, joinable)) or context())  # 07700 900123, 020 7946 0958, 06 12 34 56 78


def _numeric(view: str, low: str) -> Iterator[Finding]:
    """Every window of whole digit groups of every run, tried as each numeric kind."""
    for run in _runs(view, low):
        yield from _windows(view, low, run)


def _written_as_count(view: str, groups: list[tuple[int, int]], i: int, j: int, digits: str, plus: bool) -> bool:
    """Groups ``i..j`` are written the way a count is: no plus, no leading zero, one block or
    thousands groups ("1 234 567 890"). A phone or a card grouped 4-4-4-4 is no count whatever follows."""
    if plus or digits[0] == "0":
        return False
    if i == j:
        return True
    seps = {view[groups[k][1] : groups[k + 1][0]] for k in range(i, j)}
    return len(seps) == 1 and seps <= {" ", ".", "'", "_"} and groups[i][1] - groups[i][0] <= 3 \
        and all(e - s == 3 for s, e in groups[i + 1 : j + 1])


def _date_led(view: str, groups: list[tuple[int, int]], i: int) -> bool:
    """A window that starts with a date ("05.07.1940 12 27", "2024-05-01 12") is a date and its neighbours."""
    if i + 2 >= len(groups):
        return False
    (a, b), (c, d), (e, f) = groups[i : i + 3]
    if b - a == 4 and d - c == 2 and f - e == 2 and view[b:c] == view[d:e] == "-":  # ISO: "2024-05-01 12:00" is no phone
        return view[a : a + 2] in ("19", "20") and 1 <= int(view[c:d]) <= 12 and 1 <= int(view[e:f]) <= 31
    if not (b - a <= 2 and d - c <= 2 and f - e == 4 and view[b:c] in (".", "/") and view[d:e] == view[b:c]):
        return False
    day, month, year = int(view[a:b]), int(view[c:d]), view[e:f]
    return 1 <= day <= 31 and 1 <= month <= 31 and year[:2] in ("19", "20")


_MAX_GROUPS = 7  # "+38 0 67 123 45 67" and one group split by a line break
_PLUS_AFTER_BLANK = re.compile(r"[^\d+]\+\s?(?=\d)")  # after a blank or a separator ("…67/+380 50"), not "12+34"
# a decimal comma (Ukrainian and European locales, Excel, `decimal=","`) right before a run: "0,0677642695", "-0,06…"
_DECIMAL_COMMA_BEFORE = re.compile(r"(?<![\w.,])[\-−]?(?P<int>\d{1,3}),$")
# A label right before a number spelled one digit a group ("тел. 0 6 7 …", "card: 4 1 1 1 …", "ІПН 3 1 2 4 …")
_STRONG_CUE = re.compile(
    rf"(?:{_LABEL_WORDS}|(?:мій|мого|ваш|її|його|my|your|his|her)\s+(?:номер\w*|number))"
    r"[\s:#№.\-=\"'(\[]{0,4}$")


def _strong_cue(low: str, at: int) -> bool:
    """Does a phone, card, tax or passport label stand right before ``at`` (at most 4 separators between)?"""
    return _STRONG_CUE.search(low, max(0, at - 40), at) is not None


# normalize writes a decoded base64 token as "TOKEN ; text ;": a run inside the text has its label before TOKEN
_DECODED_BEFORE = re.compile(r"[a-z0-9+/_\-]{8,}+={0,2} ; [^;]{0,120}+$")


def _windows(view: str, low: str, run: _Run, passport_word: Callable[[], bool] | None = None,
             tabs: frozenset[int] = frozenset(), near: _Near | None = None,
             breaks: frozenset[int] = frozenset()) -> Iterator[Finding]:
    """Every window of whole groups of ``run``, tried as each numeric kind. ``passport_word()``: is
    there a passport word anywhere in ``low`` (a 9-digit ID card needs one near). ``tabs``: positions
    of ``view`` that were tabs; a window across one spans two spreadsheet cells, so its gaps say
    nothing about a phone's or a card's grouping (read as one block of digits)."""
    groups = run.groups
    ctx: dict[str, bool] = {}
    near = _Near(low) if near is None else near
    # a tab or a line break inside the run (C-fast tests: most runs have neither, and the per-gap lists below are skipped)
    tabbed = bool(tabs) and not tabs.isdisjoint(range(run.start, run.end))
    # cell_gap[j]: a tab stands between groups j-1 and j (read once a run, not once a window); a 3-digit cell
    # before it is an area code in its own column ("Bob\t415\t5550132"), a grouping like a space
    cell_gap = [False] + [groups[j - 1][1] - groups[j - 1][0] != 3 and not tabs.isdisjoint(range(groups[j - 1][1], groups[j][0]))
                          for j in range(1, len(groups))] if tabbed else None
    # line_gap[j]: a line break stands between groups j-1 and j (a group wrapped: "0770\n0 900655", "744-23-01\n05")
    line_gap = [False] + [not breaks.isdisjoint(range(groups[j - 1][1], groups[j][0]))  # C-fast: no generator
                          for j in range(1, len(groups))] if breaks and not breaks.isdisjoint(range(run.start, run.end)) else None
    label_reach = []  # how far before the run a label may stand beyond each kind's own reach (read once a run)

    def context(name: str, rx: re.Pattern, before: int, after: int = 0) -> bool:
        if name not in ctx and near.nowhere(rx):
            ctx[name] = False  # none of the kind's words in the prompt (the common case: one look)
        if name not in ctx:
            if not label_reach:
                b64 = _DECODED_BEFORE.search(low, max(0, run.start - 300), run.start) \
                    if low.find(" ; ", max(0, run.start - 125), run.start) >= 0 else None
                label_reach.append(0 if b64 is None else b64.end() - b64.start())
            before += label_reach[0]  # "card: NTc3My… ; 5773 …": the label stands before the base64
            ctx[name] = near(rx, run.start - before, run.start) or bool(after and near(rx, run.end, run.end + after))
        return ctx[name]

    def phone_context() -> bool:
        if "phone" not in ctx and _PHONE_RIGHT_BEFORE.search(low, max(0, run.start - 12), run.start):
            ctx["phone"] = True
        return context("phone", _PHONE_CONTEXT, 50, 30)

    # what depends on the run alone, asked by many of its windows: read once, when first asked
    run_is: dict[str, bool] = {}

    def in_a_matrix() -> bool:  # a row of a printed matrix
        if "matrix" not in run_is:
            run_is["matrix"] = _in_a_matrix(view, run.start, run.end)
        return run_is["matrix"]

    def unit_after() -> bool:  # a unit right after it ("… 4989900814062 ns"; its last group ends every window that asks)
        if "unit" not in run_is:
            run_is["unit"] = _UNIT_AFTER.match(view, run.end) is not None
        return run_is["unit"]

    # a plus inside a run is a sum ("12+34+56"), an international prefix only after a blank or another separator
    # ("067 +380…", "…67/+380…"): it starts the next number, and no window runs across it ("+380 67 …\n+380 50 …",
    # "+1 +1 …", "250 + 180 + …")
    pluses = {0} if run.plus else set()
    if "+" in view[run.start : run.end]:
        first = {s_: k for k, (s_, _) in enumerate(groups)}
        pluses.update(first[m.end()] for m in _PLUS_AFTER_BLANK.finditer(view, run.start, run.end))
    # single[i]: how many one-digit groups start at group i ("1 0 1 1 0 …", a label vector, grades, one digit a
    # line). A phone or a card spelled one digit a group needs a strong cue: a plus, or a label right before it;
    # without one no window of 9 such digits is tried (the scan stays linear with a small constant).
    # The same for a list of two-digit numbers ("12+34+56…", "ages 23 45 …"): 12 of them in a row are a list,
    # not a phone (it has 7 groups at most).
    reach = [0] * (len(groups) + 1)  # reach[i]: the digits a window from group i can hold before the next plus
    total = 0
    for k in range(len(groups) - 1, -1, -1):
        s_, e_ = groups[k]
        reach[k] = total = e_ - s_ + (0 if k + 1 in pluses else total)
    # no kind holds fewer than 8 digits (a phone after a plus): a start that cannot reach 8 is not tried
    if len(groups) > _MAX_GROUPS:
        single = [0] * (len(groups) + 1)
        short = [0] * (len(groups) + 1)
        for k in range(len(groups) - 1, -1, -1):
            size = groups[k][1] - groups[k][0]
            single[k] = single[k + 1] + 1 if size == 1 else 0
            short[k] = short[k + 1] + 1 if size <= 2 else 0
        starts = [k for k in range(len(groups)) if reach[k] >= 8 and ((single[k] < 9 and short[k] < 12) or k in pluses)]
        if (single[0] >= 9 or short[0] >= 12) and 0 not in pluses and reach[0] >= 8 and _strong_cue(low, groups[0][0]):
            starts.insert(0, 0)
    else:  # too few groups for such a list (nor for a window of more than _MAX_GROUPS groups: single is not read)
        starts = [k for k in range(len(groups)) if reach[k] >= 8]
    # the digits after a decimal comma start nothing either ("похибка 0,0677642695", "0,0262067619\t0,0568…"); after
    # a small whole number they may be a CSV row's index and a phone ("1,0671234567"), unless no phone word is near
    fraction = not run.plus and view[run.start - 1 : run.start] == "," \
        and (d := _DECIMAL_COMMA_BEFORE.search(view, max(0, run.start - 6), run.start)) is not None \
        and (d.group("int") == "0" or not phone_context())
    for i in starts:
        gs = groups[i][0]
        if i and view[groups[i - 1][1] : gs] in (".", ",") or i == 0 and fraction:
            continue  # the digits after a decimal point start nothing ("3.0671234567")
        plus = i in pluses
        not_personal = None  # read only when a window of this start is a candidate (long runs stay fast)
        date_led = None
        n, sizes, cells, digits = 0, [], False, ""
        joinable: frozenset[int] = frozenset()
        spelled_after_code = groups[i][1] - gs == 3 and view[gs] == "0" and view[gs + 1] in "3456789"
        for j in range(i, len(groups)):
            s, e = groups[j]
            n += e - s
            sizes.append(e - s)
            digits += view[s:e]  # the window's digits (only separators stand between groups)
            if cell_gap and j > i and not cells and cell_gap[j]:
                cells = True  # "835549391\t12" is two cells, not "8 355 493 91 12"
            if cells:
                sizes = [n]
            elif line_gap and j > i and line_gap[j]:
                joinable = joinable | {len(sizes) - 1}
            if n > 19 or j - i >= _MAX_GROUPS and single[i] <= j - i and not (spelled_after_code and single[i + 1] >= j - i) \
                    or j > i and j in pluses:
                # no phone or card has more groups, but one digit a group (or a Ukrainian code, then one digit a group:
                # "066 1 7 4 2 1 8 0"); a plus after a blank starts the next number ("+380 67 …\n+380 50 …", a list;
                # "+1 +1 …", "250 + 180 + …", sums): the scan stays linear
                break
            if n < 9:
                continue
            if j == len(groups) - 1 and unit_after() and _written_as_count(view, groups, i, j, digits, plus) \
                    and not _LABEL_BEFORE.search(low, max(0, gs - 40), gs):
                break  # a quantity ("… 4989900814062 ns"); "+380671234567 разом", "4111 1111 1111 1111 b" are not
            if not_personal is None:
                # only group 0 can follow a keyword: before group i > 0 stand group i-1's digits, and every keyword
                # must be followed by separators alone ("order #1 4539 …": the card after "1" is no order number)
                not_personal = i == 0 and not run.start_checked and near.not_personal(gs)
            if not_personal:
                break
            # digits after a plus that make a phone are one: "+380684863089 12 27" is no card
            # the cheap tests first: the issuer table, or a card word near the run (read once a run)
            # the checksum before the grouping: Luhn turns 9 windows in 10 of a number-heavy prompt away
            if not (plus and n <= 15) and 12 <= n <= 19 and ((iin := n >= 14 and card_iin_ok(digits))
                                                            or context("card", _CARD_CONTEXT, 60)):
                labelled = context("card", _CARD_CONTEXT, 60)
                luhn = (iin or labelled) and luhn_ok(digits)
                # a labelled card with a typo still is one; 17-19 digits (rare cards, common big ids) need the label;
                # with the label, Luhn is enough for any issuer and 12-19 digits (Maestro, ПРОСТІР, Humo, new ranges)
                if ((iin and luhn and (n <= 16 or labelled or n == 19 and digits.startswith(_CARD_19)))
                        or (iin and labelled)
                        or (labelled and luhn and not _ID_CARD.search(low, max(0, gs - 60), gs))) \
                        and _card_grouped(sizes, joinable) and not _NOT_CARD_BEFORE.search(_before(low, gs, 20)) \
                        and (labelled or not (cells or len(sizes) == 2 and min(sizes) > 4 and not _broken(breaks, groups, i)
                                              or _in_a_row(view, groups, i, j)
                                                  or in_a_matrix())):
                    # unlabelled, a card spread over spreadsheet cells (run ids, seeds) or two long numbers
                    # ("51569706 45586376": df's columns) is none; a line break in a card group keeps a short part
                    yield Finding("card", gs, e, view[gs:e], 80)
            # _phone_ok's own first tests, inlined: without a plus only 10-12 digits or "00…" can be a phone
            phone_size = 8 <= n <= 15 if plus else (10 <= n <= 12 or digits.startswith("00") and 12 <= n <= 15
                                                    or n == 9 and digits[:2] in _UA_MOBILE and not view[gs - 1 : gs].isalnum())
            if phone_size and date_led is None:  # a window that starts with a date, or inside one ("10/09/1943 12 27")
                date_led = _date_led(view, groups, i) or (i > 0 and _date_led(view, groups, i - 1)) or (
                    i > 1 and _date_led(view, groups, i - 2))
            area_cell = tabbed and j == i + 1 and any(k in tabs for k in range(groups[i][1], groups[j][0]))
            if phone_size and not date_led and _phone_ok(digits, sizes, plus, phone_context, i == 0, area_cell, joinable) and (
                    plus or not (in_a_matrix() or _between_numbers(view, groups, i, j, digits))
                    or phone_context()):
                start = gs - 1 if view[gs - 1 : gs] == "(" else gs  # "(044) 234 56 78"
                if plus:
                    start = max(view.rfind("+", max(0, gs - 3), gs), 0)
                # a phone by its own shape beats one that needed the word "тел" near ("85286 093 825\n15 66" in a
                # matrix under "tel" is no phone when "093 825 15 66" is one); without a phone word near (none found,
                # or none asked for) the shape alone said yes
                yield Finding("phone", start, e, view[start:e],
                              51 if ctx.get("phone") is not True
                              or _phone_ok(digits, sizes, plus, _NO_CONTEXT, area_cell=area_cell, joinable=joinable) else 49)
            if n == 10 and rnokpp_ok(digits):
                if context("tax", _TAX_CONTEXT, 300, 100) or _TAX_CAPS.search(view, max(0, gs - 60), gs):
                    yield Finding("tax_id", gs, e, view[gs:e], 75)
                elif _table_column(low, _TAX_COLUMN, gs):
                    yield Finding("tax_id", gs, e, view[gs:e], 30)  # a cell of a table with a tax column: any other kind wins
                elif (_WEAK_ID_CUE.search(_before(low, gs, 40)) and not _record_code_key(low, gs, breaks)
                      or _full_name_before(view, gs)
                      or (a := _TWO_WORDS_AFTER.match(view, e)) is not None
                      and (is_first_name(a.group(1)) or is_first_name(a.group(2)))) \
                        and not _NOT_A_PERSON_ID.search(_before(low, gs, 40)) and 1900 <= rnokpp_birth_date(digits).year <= 2012 \
                        and _DATE_TIME_AT.match(view, gs) is None:
                    yield Finding("tax_id", gs, e, view[gs:e], 30)  # weak: loses to any other kind
            if n == 9:
                if ssn_ok(digits) and digits not in _SSN_NOT_ISSUED and (
                        # unlabelled, spaced and among other numbers, "443 80 8080" is three ports and "326 12 8944"
                        # a matrix row: a lone 3-2-4 number or one with other separators is an SSN
                        (sizes == [3, 2, 4] and (view[groups[i][1] : groups[i + 1][0]].strip() != ""
                                                 or len(groups) == 3 and not in_a_matrix()))
                        or (view.count("-", groups[i][1], groups[j][0]) >= 2  # (two hyphens at least, the cheap test)
                            and sum("-" in view[groups[k][1] : groups[k + 1][0]] for k in range(i, j)) >= 2
                            and [3, 2, 4] in _regrouped(sizes, joinable, short=False) and digits[0] != "0")
                        or context("ssn", _SSN_CONTEXT, 60, 60)):
                    yield Finding("ssn", gs, e, view[gs:e], 70)
                if (passport_word is None or passport_word()) and context("passport", _PASSPORT_CONTEXT, 60, 60):
                    yield Finding("passport", gs, e, view[gs:e], 65)  # ID card: 9 digits


# --- IBAN ------------------------------------------------------------------------------------------
# Glued to any letter ("IBANUA21..."), any separator between the groups ("UA21/3223/…",
# "UA 21 3223 …"), any case: the mod-97 check, not a word boundary, keeps random text out.
_ISEP_CHARS = " -./_·•*+"  # what may stand between an IBAN's characters
_ISEP = f"[{re.escape(_ISEP_CHARS)}]"
_IBAN = re.compile(rf"[A-Za-z{CONFUSABLE_CLASS}](?<![0-9].){_ISEP}?[A-Za-z{CONFUSABLE_CLASS}]{_ISEP}{{0,3}}\d{_ISEP}{{0,3}}\d"
                   rf"(?:{_ISEP}{{0,3}}[A-Za-z0-9{CONFUSABLE_CLASS}]){{11,30}}")


_NO_ISEP = str.maketrans("", "", _ISEP_CHARS)  # the separators dropped


def _iban_written(text: str, parts: list[tuple[int, int]], raw: str) -> bool:
    """Written as an IBAN, not assembled from words and a hash: one case for the letters ("ua21 3223 …",
    "gb82 west …"; a title-case country code only before digits: "Ua21 3223 …"), and a gap between two
    letters only where the printed form groups by four ("MT84 MALT … MTLC AST0 01S"), never elsewhere
    ("at 1772 shows"). ``parts``: the spans of ``text`` that ``raw``'s characters stand in, separators between."""
    start = parts[0][0]
    before = text[max(0, start - 4) : start]
    if raw[0].islower() and before[-1:].isascii() and before[-1:].islower() and before.lower() != "iban":
        return False  # "картка Maestro 5777 5885 …": the end of a Latin word, not a country code ("ibanua21 …" is one)
    body = raw[4:]
    # (``raw``'s letters are folded to Latin ones, all cased: one case throughout is what upper() or lower() keeps)
    if not (raw == raw.upper() or raw == raw.lower() or raw[0].isupper() and raw[1].islower() and body.isdigit()):
        return False
    if len(parts) == len(raw):
        return True  # one character a group: "U A 2 1 3 2 2 3 …"
    k = 0  # how many characters stand before the gap
    for (a, b), (c, _) in zip(parts, parts[1:]):
        k += b - a
        if k % 4 and text[b - 1].isalpha() and text[c].isalpha():
            return False
    return True


_IBAN_PART = re.compile(r"[^ \-./_·•*+]+")  # in an _IBAN match: letters and digits between two separators


def find_ibans(text: str, lo: int = 0, hi: int | None = None) -> Iterator[Finding]:
    hi = len(text) if hi is None else hi
    while (m := _IBAN.search(text, lo, hi)) is not None:
        lo = m.start() + 1  # a failed candidate may hide a real IBAN that starts inside it
        g = m.group()
        want = IBAN_LENGTHS.get(fold_confusables(g[0] + (g[2] if g[1] in _ISEP_CHARS else g[1])).upper())  # a separator?
        if not want:
            continue  # no country code
        compact = g.translate(_NO_ISEP)  # the letters and digits (every other character is a separator)
        if want <= len(compact):
            raw = fold_confusables(compact[:want])
            if not iban_ok(raw.upper()):  # the checksum first: it turns most candidates away
                continue
            parts, left = [], want  # the spans of the first ``want`` letters and digits
            for p in _IBAN_PART.finditer(text, m.start(), m.end()):
                a, b = p.span()
                parts.append((a, min(b, a + left)))
                left -= b - a
                if left <= 0:
                    break
            end = parts[-1][1]
            if _iban_written(text, parts, raw) and not (end < len(text) and text[end].isdigit()):
                yield Finding("iban", m.start(), end, text[m.start() : end], 90)
                lo = end


# --- passports ---------------------------------------------------------------------------------------
_CYR_UP = "АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЮЯ"
# A booklet series in capitals needs no keyword; glued to a lower-case word it still counts
# ("паспортМК123456"); a third capital before it does not ("ТТН 204500…").
_PSEP = r"[ \-]"
_UA_BOOKLET = re.compile(
    rf"[{_CYR_UP}](?<![А-ЯҐЄІЇ0-9].)[{_CYR_UP}]{_PSEP}{{0,3}}№?{_PSEP}{{0,3}}"
    rf"(?:\d{{6}}|\d{{3}}{_PSEP}{{1,3}}\d{{3}}|\d\d{_PSEP}{{1,3}}\d\d{_PSEP}{{1,3}}\d\d|\d(?:{_PSEP}{{1,3}}\d){{5}})(?!\d)")
# With a passport keyword nearby: a series in any case and either script, written the official
# way or not ("МК № 123456", "мк-123456", "М К 123 456", "MK no. 123456", "серії МК номер 123456").
_SERIES = re.compile(
    r"(?<![^\W\d_])(?:[^\W\d_]{2,3}|[^\W\d_][ \-.][^\W\d_]|[^\W\d_][0-9])(?![^\W\d_])"
    r"[ \t]*+(?:[,.:\-–—+_/·•*][ \t]*+)?(?:(?:№|n|no\.?|nr\.?|номер|number|num\.?)[ \t]*+[.:]?[ \t]*+)?"
    r"\d(?:[ \-./_·•*+]{0,3}\d){5,6}(?![\d])",
    re.IGNORECASE,
)
# The same booklet series typed with Latin look-alikes ("MK123456", "ＭＫ１２３４５６" after NFKC): a Latin pair and
# 6 digits is also a product code, so it needs a name (two capitalised words) or a passport word near it.
_LATIN_BOOKLET = re.compile(r"[ABEKMHOPCTXI](?<![A-Za-z0-9].)[ABEKMHOPCTXI][ \-]?№?[ \-]?\d{6}(?!\d)")
# A booklet series with one look-alike letter glued before it ("Коваль Олена, ВMA613301", "Olena Koval ЗAA000000",
# "lKE121873"): a neighbouring word's letter or a digit typed as a letter; three capitals and 6 digits are also a
# product code, so (as _LATIN_BOOKLET) it needs a name or a passport word near it.
_GLUED_BOOKLET = re.compile(rf"[{re.escape(''.join(DIGIT_LOOKALIKES))}](?<![^\W\d_].)(?P<series>[{_CYR_UP}ABEKMHOPCTXI]{{2}})"
                            r"[ \-]?№?[ \-]?\d{6}(?!\d)")
# A series in capitals glued to its lower-case label: "паспорт серіїFF 914526", "passportEK634734", "номер паспортаFF 472058"
# in every booklet match above: two capitals, then the number's first digit ("MB lr 0.0002" is none)
_BOOKLET_PAIR = re.compile(rf"[{_CYR_UP}ABEKMHOPCTXI][{_CYR_UP}ABEKMHOPCTXI][ \-]{{0,3}}№?[ \-]{{0,3}}\d")
_GLUED_SERIES = re.compile(rf"(?<=[a-zа-яіїєґ])[A-Z{_CYR_UP}]{{2}}[ \-]?№?[ \-]?\d{{6}}(?!\d)")
_NAME_NEAR = re.compile(r"(?<!\w)[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’]+ [A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’]+(?!\w)")
# УНЗР, the record number of the ID card: the birth date YYYYMMDD, then 5 digits ("19850312-01234")
# (13 digits with any separators, a line break in a group too; the first 8 a date)
_UNZR = re.compile(r"(?<!\d)[12](?:[ \-./_·•*]{0,3}\d){12}(?!\d)")
_UNZR_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{5}")
_SERIES_WORD = re.compile(r"(?:сері[їяю]|series)\s*:?\s*$")
_SERIES_NEAR = re.compile(r"(?<![а-яіїєґa-z])(?:сері[їяю]|series)(?![а-яіїєґa-z])")
_SIX_AFTER_SERIES = re.compile(r"(?<!\d)\d{6}(?!\d)")  # 6 digits in one block: a booklet number
_NOT_SERIES = frozenset("на до за по та як це ці ми ви їх ще же чи не ні бо то id no nr is in at on of to or "
                        "an as by be it we he my up so if do go us для від про але або теж вже ось які яка був "
                        "the and for our are was has its not you via per".split())


# Words one of which every _PASSPORT_CONTEXT match holds, but for "ID card" (_ID_CARD): `in` tests
# them faster than the regex scans a prompt that has none (most prompts).
_PASSPORT_KEYS = ("паспорт", "пасп.", "passport", "айді", "посвід", "документ", "document", "біометри", "закордон", "загран",
                  "сері", "series", "унзр", "водійськ", "licen", "квит", "свідоцтв", "national", "pasport", "paszport", "права")
_ID_CARD = re.compile(r"id(?<![a-z]id)(?:[\s\-]*(?:карт\w*|card)|\s+(?:number|no\b))")  # starts with a literal: a fast scan


_PASSPORT_KEYS_AT, _ID_CARD_AT = any_of(_PASSPORT_KEYS), Literals(_ID_CARD)


def _passport_word(low: str) -> bool:
    """Does ``low`` hold a passport word (_PASSPORT_CONTEXT) anywhere?"""
    trig = triggers(low)
    if trig.contains(_PASSPORT_KEYS_AT):
        return trig.contains(_NEAR_AT[id(_PASSPORT_CONTEXT)])
    return trig.contains(_ID_CARD_AT)


def _six_digit_windows(text: str) -> list[list[int]]:
    """Spans around every number of 6 digits or more (30 characters before, 12 after), merged."""
    windows: list[list[int]] = []
    for m in _RUN.finditer(text):
        if m.end() - m.start() >= 6 and sum(map(str.isdigit, m.group())) >= 6:
            _add_window(windows, m.start() - 30, m.end() + 12, len(text))
    return windows


def _add_window(windows: list[list[int]], lo: int, hi: int, n: int) -> None:
    lo, hi = lo if lo > 0 else 0, hi if hi < n else n  # (conditionals, not max/min: called for every long number)
    if windows and lo <= windows[-1][1]:
        if hi > windows[-1][1]:
            windows[-1][1] = hi
    else:
        windows.append([lo, hi])


def _near_six_digits(rx: re.Pattern, text: str, windows: list[list[int]]) -> Iterator[re.Match]:
    """Matches of ``rx`` inside ``windows`` (around numbers of 6 digits or more): searching only there
    is faster than a scan of all the text for a pattern that starts with a letter."""
    for lo, hi in windows:
        yield from rx.finditer(text, lo, hi)


def find_passports(text: str, low: str | None = None) -> Iterator[Finding]:
    """Ukrainian passports (booklet series and number; 9-digit ID cards come from the numeric scan)
    and, with a passport word near, series in any case and foreign passports."""
    low = lower(text) if low is None else low
    return _passports(text, low, _six_digit_windows(text), lambda: _passport_word(low))


def _passports(text: str, low: str, windows: list[list[int]], passport_word: Callable[[], bool]) -> Iterator[Finding]:
    """find_passports() inside ``windows`` (the spans around numbers of 6 digits or more);
    ``passport_word()`` says whether ``low`` holds a passport word anywhere."""
    if not windows:
        return
    # each booklet form holds two capitals side by side and its number: the windows without them are not searched
    paired = [w for w in windows if _BOOKLET_PAIR.search(text, w[0], w[1])]
    for m in _near_six_digits(_UA_BOOKLET, text, paired):
        if not _not_personal_context(low, m.start()):
            yield Finding("passport", m.start(), m.end(), m.group(), 65)
    for m in _near_six_digits(_LATIN_BOOKLET, text, paired):
        near = text[max(0, m.start() - 80) : m.end() + 40]
        if not _not_personal_context(low, m.start()) and (_NAME_NEAR.search(near) or passport_word()):
            yield Finding("passport", m.start(), m.end(), m.group(), 65)
    for m in _near_six_digits(_GLUED_BOOKLET, text, paired):
        near = text[max(0, m.start() - 80) : m.end() + 40]
        if not _not_personal_context(low, m.start()) and (_NAME_NEAR.search(near) or passport_word()):
            yield Finding("passport", m.start("series"), m.end(), text[m.start("series") : m.end()], 65)
    if not passport_word():
        return  # every form below needs a passport word somewhere
    for m in _near_six_digits(_GLUED_SERIES, text, windows):
        if _PASSPORT_CONTEXT.search(low, max(0, m.start() - 60), m.start()):
            yield Finding("passport", m.start(), m.end(), m.group(), 66)
    for m in _near_six_digits(_UNZR, text, windows):
        if _UNZR_DATE.fullmatch("".join(ch for ch in m.group() if ch.isdigit())) and (
                "унзр" in low[max(0, m.start() - 60) : m.start()] or _PASSPORT_CONTEXT.search(low, max(0, m.start() - 60), m.start())):
            yield Finding("passport", m.start(), m.end(), m.group(), 67)
    for m in _near_six_digits(_SERIES, text, windows):
        series = re.split(r"[\s\-.,:№]", m.group(), maxsplit=1)[0].lower()
        # "серії та 588032": a series that is also a short word ("та", "на") needs the word "series" right
        # before it, or within 60 characters when 6 digits follow ("series #1 та 588032", a link, base64)
        after_series_word = bool(_SERIES_WORD.search(low, max(0, m.start() - 10), m.start())) or (
            _SIX_AFTER_SERIES.search(m.group()) is not None and _SERIES_NEAR.search(low, max(0, m.start() - 60), m.start()))
        if (series in _NOT_SERIES and not series.upper() == m.group()[: len(series)] and not after_series_word) or not (_PASSPORT_CONTEXT.search(low, max(0, m.start() - 60), m.start() + 3)
                                         or _PASSPORT_CONTEXT.search(low, m.end(), m.end() + 60)):
            continue
        yield Finding("passport", m.start(), m.end(), m.group(), 66)


# --- dates of birth ----------------------------------------------------------------------------------
_MONTHS_EN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS_UK = (r"(?:січ(?:ня|ень)?|лют(?:ого|ий)?|бер(?:ез(?:ня|ень)?)?|квіт(?:ня|ень)?|трав(?:ня|ень)?|черв(?:ня|ень)?|"
              r"лип(?:ня|ень)?|серп(?:ня|ень)?|вер(?:ес(?:ня|ень)?)?|жовт(?:ня|ень)?|лист(?:оп(?:ада|ад)?)?|груд(?:ня|ень)?|"
              r"січні|лютому|березні|квітні|травні|червні|липні|серпні|вересні|жовтні|листопаді|грудні|"
              r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\.?")
# Roman-numeral months, the traditional Ukrainian way of writing a date ("12.III.1985"): the longest first
_ROMAN_MONTH = r"(?:XII|XI|IX|X|VIII|VII|VI|IV|V|III|II|I)"
# Numeric dates start with a literal digit (so the scan skips text fast) and may be glued to a
# word or to its abbreviated label ("born12.03.1985", "Дата нар.12.03.1985", "born/12.03.1985"); "March 5, 1990" starts
# with a month name, a word of its own. A line break after a separator reads as a space ("12.03.\n1985"), and one
# inside the year too ("12.03.19\n85"); ordinal endings ("12th", "12-го березня 1985-го"); 8 digits with no
# separator ("12031985", "19850312": checked as a date in find_dobs).
_DATE = re.compile(
    rf"""\d(?<!\d\d)(?:
        \d?[./\-]\s?\d{{1,2}}[./\-]\s?(?:(?:19|20)\s?)?\d{{2}}                  # 12.03.1985, 5/3/90, 12.03.\n1985
      | (?<=1)9\d{{2}}[-./]\s?\d{{2}}[-./]\s?\d{{2}} | (?<=2)0\d{{2}}[-./]\s?\d{{2}}[-./]\s?\d{{2}}   # 1985-03-12
      | \d?[./\-\s]\s?{_ROMAN_MONTH}[./\-\s]\s?(?:19|20)\d{{2}}                  # 12.III.1985
      | \d?\s(?:0[1-9]|1[0-2])\s(?:19|20)\d{{2}}                           # 13 01 1993 (a cue before it)
      | \d{{7}}(?=\D|$)                                                    # 12031985, 19850312
      | \d?(?:st|nd|rd|th|-?го|-?е)?(?:\s+of)?[\s\-./]{{0,2}}(?:{_MONTHS_EN}|{_MONTHS_UK})[\s\-./,]{{0,3}}(?:(?:19|20)\d{{2}}|\d{{2}}(?=-го(?![а-яіїєґ])))
        (?:-?(?:го|й|ий)(?![а-яіїєґ]))?                                     # "20 липня 85-го"
      | (?<=1)9\d{{2}}(?=\s*(?:р\.?\s*н\.|року\s+народж|р\.\s*народж))    # 1985 р.н.
      | (?<=1)9\d{{2}} | (?<=2)0[0-2]\d                                  # a year after "born in"
    )(?![\d\-/]|\.\d)""",
    re.VERBOSE | re.IGNORECASE,
)
# The orders _DATE leaves out, with a month name of either language ("DOB червня 15, 1983" is the English order with a
# Ukrainian month): month day year, year day month, year month day
_DAY = r"\d{1,2}(?:st|nd|rd|th|-?го|-?е)?"
_ANY_MONTH = rf"(?:{_MONTHS_EN}|{_MONTHS_UK})"
_WORD_DATE = re.compile(
    rf"(?:(?<![\w.\-/])|(?<=born)|(?<=birth)|(?<=birthday)|(?<=dob))"
    rf"(?:{_ANY_MONTH}[\s\-.]{{1,2}}{_DAY},?[\s\-.]{{1,2}}(?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}(?:\s?р(?:оку)?\.?)?,?[\s\-.]{{1,2}}(?:{_DAY}[\s\-.]{{1,2}}{_ANY_MONTH}|{_ANY_MONTH}[\s\-.]{{1,2}}{_DAY})"
    rf"(?!,?[\s\-.]{{1,2}}\d))"  # "2024 29th May 1963": a year after it, the date is day month year
    rf"(?![\w\-/]|\.\d)",
    re.IGNORECASE,
)
_THING_WORD = re.compile(
    r"(?<![\w])(?:linux|python|unix|git|windows|android|ios|java|javascript|the\s+project|the\s+idea|the\s+company|"
    r"the\s+framework|проєкт\w*|проект\w*|компані\w*|ідея|ідеї|стартап\w*|фреймворк\w*)(?![\w])")
_FEATURE_AFTER_CUE = re.compile(r"_(?:features?|flags?|enabled|banner|toggle|experiment|module|service|config|settings|widget|"
                                r"page|template|campaign|promo|release)(?![a-z])")
_THING_AFTER = re.compile(r"[^.!?\n]{0,25}?(?<![a-zа-яіїєґ])(?:the\s+project|the\s+idea|in\s+the\s+repo|on\s+github|at\s+(?:google|microsoft|"
                          r"facebook|meta|bell\s+labs|cern)|на\s+хакатоні|у\s+репозиторії|as\s+a\s+(?:project|fork))")
_YEAR_ONLY_CUE = re.compile(r"(?:born|народи\w*|народж\w*|рожд\w*|(?<![а-яіїєґ])нар\.)\s*(?:in|on|у|в|з|із)?\s*"
                            r"(?:the\s+year\s+)?[:\-—]?\s*$")
# The cheap test before find_dobs (dates are costly to check): every match of _DOB_BEFORE and _DOB_AFTER
# holds one of these literals, or a bare "b." or "дн" (tested by a regex that starts with the literal).
# tests/test_pii_attacks_r2.py draws cue strings from both regexes and checks the gate lets each through.
_DOB_GATE = ("born", "birth", "dob", "d.ob", "do.b", "d.o.b", "bday", "bdate", "🎂", "народ", "нар.", "р.н", "р. н", "р/н", "д.н", "д. н",
             "д н.", "дн.", "д/н", "рожд", "родил", "г.р", "г. р", "гр.", "г р.", "дата_нар", "narodzh", "д_н", '"dn"')
_DOB_GATE_B = re.compile(r"b\.(?<![a-z]b\.)")
_DOB_GATE_DN = re.compile(r"д(?:н|р|\.\s?р\.)(?<![а-яіїєґ]д[нр])(?![а-яіїєґ])")  # "дн", "ДР" (chats), "д.р."


def _eight_digit_date(d: str) -> bool:
    """``d`` (8 digits) a date written DDMMYYYY or YYYYMMDD, in 1900-2029?"""
    for day, month, year in ((d[:2], d[2:4], d[4:]), (d[6:], d[4:6], d[:4])):
        if 1900 <= int(year) <= 2029 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return True
    return False


# the three gates in one scan (its first characters a class the engine skips to: ~3x faster than 21 substring tests)
_DOB_GATE_ANY = re.compile("|".join(map(re.escape, sorted(_DOB_GATE, key=len, reverse=True)))
                           + f"|{_DOB_GATE_B.pattern}|{_DOB_GATE_DN.pattern}")


_DOB_GATE_AT = Literals(_DOB_GATE_ANY)  # where a cue can start (labs.router.triggers: one pass finds them all)


def _dob_gate(low: str) -> bool:
    """Could ``low`` hold a date-of-birth cue (a superset of what find_dobs accepts)? (Any of _DOB_GATE's literals, a
    bare "b." or "дн": the same as testing each, tests/test_pii_speed_gates.py.)"""
    return triggers(low).search(_DOB_GATE_ANY, _DOB_GATE_AT) is not None


# A birthday without its year, or a month and year, right after its cue: "ДР 12 березня", "born on March 12",
# "день народження 12.03", "born in March 1985" (issue 11 r6 A4): the cue must stand right before it
# the day as an ordinal word ("народилась дванадцятого березня", "born on the twelfth of March 1985", "March
# twenty-first"): issue 11 r7 A7
_SPELLED_DAY = (r"(?:(?:(?:двадцять|тридцять)\s+)?(?:перш|друг|треть|трет|четверт|п['’ʼ]?ят|шост|сьом|восьм|"
                r"дев['’ʼ]?ят|десят|одинадцят|дванадцят|тринадцят|чотирнадцят|п['’ʼ]?ятнадцят|шістнадцят|сімнадцят|"
                r"вісімнадцят|дев['’ʼ]?ятнадцят|двадцят|тридцят)(?:ого|ому|е|ий|ій)"
                r"|(?:(?:twenty|thirty)[\s\-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth))")
_NO_YEAR_DATE = re.compile(
    rf"(?:{_SPELLED_DAY}\s+(?:of\s+)?{_ANY_MONTH}(?:,?\s(?:19|20)\d\d)?"
    rf"|{_ANY_MONTH}\s+(?:the\s+)?{_SPELLED_DAY}(?:,?\s(?:19|20)\d\d)?"
    rf"|{_DAY}[\s\-./]{{1,2}}(?:of\s+)?{_ANY_MONTH}|{_ANY_MONTH}[\s\-.]{{1,2}}{_DAY}(?!\d)|{_ANY_MONTH},?\s(?:19|20)\d\d"
    r"|\d{1,2}\.(?:0[1-9]|1[0-2])"
    r"|--(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(?![\w\-/]|\.\d|,?\s\d)", re.IGNORECASE)  # vCard 4 "BDAY:--0312"
# (vCard parameters between the cue and its value: "BDAY;VALUE=text:12 березня", issue 11 r9 A6)
_VCARD_PARAMS = r"(?:;[a-z\-]{1,12}=[a-z\-]{1,12}){0,3}"
_CUE_RIGHT_BEFORE = re.compile(rf"(?:{_DOB_BEFORE.pattern}){_VCARD_PARAMS}(?:\s*(?:is|was|on|in|of|the|:|—|-|=|у|в|це))*\s*[:\-—]?\s*$")


_YEARLESS_KEY = re.compile("|".join(map(re.escape, ("born", "birth", "dob", "d.o.b", "bday", "народ", "нар.", "рожд", "родил")))
                           + r"|д(?:н|р|\.\s?р\.|\.\s?н\.|/н)(?<![а-яіїєґ]д[нр])(?![а-яіїєґ])|(?<![a-z])b\.")


# from a cue's literal to where its date would start: the rest of the cue's word ("народ|ження", "birth|day"), then
# what may stand between ("born on the", "д.н.:", "день народження —")
# (bounded: "b.b.b.…" is a cue at every "b.", and an unbounded rest would read to the end from each: quadratic)
_AFTER_CUE = re.compile(r"[\w.]{0,24}(?:;[a-z\-]{1,12}=[a-z\-]{1,12}){0,3}(?:\s{0,3}(?:(?:is|was|on|in|of|the|у|в|це)(?![\w])|[:—=]|-(?!-\d))){0,4}\s{0,3}")


_MONTH_WORD = re.compile(_ANY_MONTH, re.IGNORECASE)
# The month words are written in lower case, so on a lower-cased text the pattern without IGNORECASE matches where
# _MONTH_WORD does, unless the text holds a character that matches one of their letters only when case is ignored
# ("K" the Kelvin sign, "ᲀ" a rounded ve): then the slow scan (tests/test_pii_triggers.py). The fast one is trigger-led.
_MONTH_LOWER = re.compile(_ANY_MONTH)
_MONTH_LOWER_AT = Literals(_MONTH_LOWER)
_FOLDS_TO_A_MONTH_LETTER = re.compile("[" + "".join(sorted({ch for ch in _ANY_MONTH if ch.isalpha()})) + "]",
                                      re.IGNORECASE)


@lru_cache(maxsize=1)
def _plain_for_months() -> frozenset[str]:
    """Printable ASCII and the Cyrillic alphabet, less the characters that fold to a month word's letter only when
    case is ignored (the capitals): in a text of these alone, the case-sensitive month scan is exact."""
    chars = {chr(i) for i in range(32, 127)} | {chr(i) for i in range(0x400, 0x460)} | set("ґҐ’ʼ\n\t")
    return frozenset(ch for ch in chars if not _FOLDS_TO_A_MONTH_LETTER.match(ch) or ch in _ANY_MONTH)


def _has_month_word(low: str) -> bool:
    """``_MONTH_WORD.search(low) is not None`` for a lower-cased ``low``, faster (a 32 KB text of birthday cues and
    no month read 31 ms)."""
    plain = _plain_for_months()
    if any(_FOLDS_TO_A_MONTH_LETTER.match(ch) for ch in set(low) if ch not in plain):
        return _MONTH_WORD.search(low) is not None
    return triggers(low).search(_MONTH_LOWER, _MONTH_LOWER_AT) is not None


def _yearless_dobs(text: str, low: str) -> Iterator[Finding]:
    for k in _YEARLESS_KEY.finditer(low):
        # the date is read only where it would start, right after its cue: a text of 1,000 cues stays fast (a search of
        # the 60 characters after each cue cost 15x plain text: issue 11 r8 D2)
        m = _NO_YEAR_DATE.match(text, _AFTER_CUE.match(low, k.end()).end())
        if m is None:
            continue
        before = low[max(0, m.start() - 40) : m.start()]
        cue = _CUE_RIGHT_BEFORE.search(before)
        if cue is None or _THING_BORN.search(before, 0, cue.start()):
            continue
        yield Finding("dob", m.start(), m.end(), m.group(), 39)


# Every _WORD_DATE match holds a year as a token of its own, at most 20 characters after the match's start and 30 before
# its end (a month name, a day, separators); the slack covers the lookarounds
_YEAR_TOKEN = re.compile(r"(?:19|20)\d\d")
_YEAR_BEFORE, _YEAR_AFTER = 40, 60


def _word_dates(text: str) -> Iterator[re.Match]:
    """The matches of :data:`_WORD_DATE` in ``text``, searched only around the years: the same matches (a match
    straddling a window would hold a year whose window overlaps it, and overlapping windows are merged), a fraction of
    the scan (the case-blind month names cost a full scan ~0.3 ms on 2 KB)."""
    windows: list[list[int]] = []
    for y in _YEAR_TOKEN.finditer(text):
        _add_window(windows, y.start() - _YEAR_BEFORE, y.end() + _YEAR_AFTER, len(text))
    for lo, hi in windows:
        yield from _WORD_DATE.finditer(text, lo, hi)


# A full date right after a person's full name ("Петро Бондаренко, 10.09.1971", "Andrii Melnyk, 08/16/1959",
# "Коваль О. В. 12 березня 1985"), a birth year up to 2015 (a meeting's or a deadline's date is recent): issue 11 r9 A6.
# No cue word needed, so it runs outside find_dobs' gate; it starts with the digit it consumes.
# Read from its year back (a year is rare; a digit before a month name is not: "1 0 1 0 …" cost 1 ms a 2 KB).
_BIRTH_YEAR = re.compile(r"(?:19\d\d|20[01]\d|202[0-4])(?!\d)(?P<md>[\-./](?:0[1-9]|1[0-2])[\-./](?:0[1-9]|[12]\d|3[01])(?![\d.]))?")
# _BIRTH_YEAR split by its first two digits: a pattern led by one literal is scanned for it in C (~4 us on 2 KB), one led
# by a branch is tried at every position (~25 us). Matches never overlap (4 digits, then no digit; a day, then none), so
# the two scans merged by position are _BIRTH_YEAR's scan.
_BIRTH_YEARS = tuple(re.compile(_BIRTH_YEAR.pattern.replace(r"(?:19\d\d|20[01]\d|202[0-4])", lead, 1))
                     for lead in (r"19\d\d", r"20(?:[01]\d|2[0-4])"))
_DAY_MONTH_BEFORE = re.compile(rf"(?:\d\d?(?:[./\-]\d{{1,2}}[./\-]|\s(?i:{_ANY_MONTH})\s)|(?i:{_ANY_MONTH})\s\d\d?,?\s)$")
_DAY_MONTH_DIGITS = re.compile(r"\d\d?[./\-]\d{1,2}[./\-]$")  # its branch without a month name
# (its first digit consumed before the lookbehinds, "(?<![\d.])(?:0[1-9]|[12]\d|3[01])" as written out: the engine skips
# to the digits 0-3 in C instead of running the matcher at every position; the same matches, 53 -> 16 us on the ticket)
_SHORT_YEAR_DATE = re.compile(r"[0-3](?<![\d.].)(?:(?<=0)[1-9]|(?<=[12])\d|(?<=3)[01])\.(?:0[1-9]|1[0-2])\.(\d\d)(?![\d.])")
# its month and year, led by the dot (one literal: a fast scan); its day's two digits stand right before. These never
# overlap (a year is followed by no dot), so each is the dot of at most one match, found by a match 2 characters back
_SHORT_YEAR_TAIL = re.compile(r"\.(?:0[1-9]|1[0-2])\.\d\d(?![\d.])")
# a birthday split into JSON parts: "birthdays":[{"date":{"year":1985,"month":3,"day":12}}], "birth": {"day": 12, …}
_JSON_BIRTH = re.compile(r'"(?:birth\w*|bday|dob|date_?of_?birth|дата_?народження)"\s*:\s*\[?\s*\{(?P<parts>[^\[\]]{0,120}?)\}')
_JSON_PARTS = re.compile(r'"(?:year|month|day|yyyy|mm|dd|y|m|d|рік|місяць|день)"\s*:\s*"?\d{1,4}')  # "dob": {"d": 3, …}
# a birthday split over flat keys: "birthDay": 8, "birthMonth": 4, "birthYear": 1957; "birth_year": 1996, "birth_md": "10-31"
# (issue 11 r10 A6): two of them within a record
_JSON_FLAT_BIRTH = re.compile(r'"(?:birth|dob|born)_?(?:day|month|year|md|date|d|m|y)"\s*:\s*"?\d{1,4}(?:[\-./]\d{1,4}){0,2}')


# issue 11 r10 B2: a name and a date are an event as often as a birthday ("Юрій Гагарін, 12.04.1961 — перший політ",
# "Доповідач: Олена Кравченко, 22.09.2007", "Андрій Шевченко, 29.11.2002: 2:4 проти Ворскла", a chat export's
# "Тарас Шевчук 24.12.2015 14:34"). A birthday: no time after the date, no event word near, and a year of a living
# adult (to 2008); a child's year (2009-2024) only in a list or a record of people ("Список 3-А класу:\n1. Марія …",
# a CSV of names and dates, two names with dates or more).
_EVENT_NEAR = re.compile(
    r"(?<!\w)(?:поді[їяюй]\w*|битв\w*|бо[йю](?!\w)|війн\w*|політ\w*|перемог\w*|переміг|програв\w*|матч\w*|проти|рахун\w*|"
    r"тур[уі]?|гол(?:и|ів)?|забив\w*|реліз\w*|нарад\w*|протокол\w*|доповід\w*|питанн\w*|дедлайн\w*|зустріч\w*|"
    r"перенес\w*|відбул\w*|сталос\w*|підписа\w*|універсал\w*|заснува\w*|засновано|вибор\w*|революці\w*|очоли\w*|"
    r"дату|хронолог\w*|вікторин\w*|есе|реферат\w*|timeline|quiz|happened|events?|battles?|flight|landing|won|"
    r"lost|match|score|speech|release[ds]?|meeting|deadline|agreed|merged?|commit\w*|signed|founded|elections?|"
    r"revolution|war|treaty|the date|essay|reviewed|changelog|fixed|fix|bug|sprint|standup|стендап\w*|спринт\w*|"
    # occasions a name and a date mark (issue 11 r11 N1 and the bracket rule's B class): school events, talks, patches
    r"свят\w*|збор(?:и|ів|ах)|олімпіад\w*|ярмар\w*|екскурсі\w*|чергов\w*|концерт\w*|конкурс\w*|лекці\w*|семінар\w*|"
    r"вебінар\w*|конференці\w*|виступ\w*|прем['’ʼ]єр\w*|сценарі\w*|інтерв['’ʼ]ю|рецензент\w*|рецензі\w*|"
    r"trip|excursion|fair|olympiad|contest|lecture|seminar|webinar|conference|talk|workshop|interview|patch|premiere|"
    r"recital|concert|due|owner|status|reviewer|review|відповідальн\w*|виконав\w*|assignee|responsible|"
    r"added|removed|changed|updated|deprecated|додан\w*|додав\w*|оновлен\w*|видален\w*)(?!\w)"  # a changelog's verbs
    r"|\d:\d")
_TIME_AFTER = re.compile(r"(?:\s{1,3}|T)[0-2]?\d:[0-5]\d")
_PEOPLE_RECORD = re.compile(r"(?<!\w)(?:список\w*|клас\w*|груп[аиі]|садоч\w*|садку|дитсад\w*|учн\w*|учені\w*|діт(?:и|ей)|"
                            r"вихованц\w*|піб|пацієнт\w*|співробітник\w*|працівник\w*|list|class|kindergarten|pupils?|"
                            r"students?|children|roster|patients?|employees|name[,;\t]|"
                            # a child's own records and groups (r11 A1): "Vaccination card: …", "Учасники гуртка: …"
                            r"vaccinations?|immuni[sz]ations?|щеплен\w*|вакцинаці\w*|медкарт\w*|учасник\w*|гурт(?:ок|ка|ку)|"
                            r"participants?|members)(?!\w)")
# an adult's role right before the name: a 2009+ year after it is an event's date, never their birth
_ADULT_ROLE_BEFORE = re.compile(r"(?<!\w)(?:вихователь\w*|виховател\w*|вчител\w*|учител\w*|керівни\w*|журі|директор\w*|тренер\w*|"
                                r"завуч\w*|ms|mr|mrs|miss|teacher|coach|principal|jury|headteacher|tutor)\W{0,4}"
                                r"(?:[A-ZА-ЯІЇЄҐ][\w'’ʼ\-]+\s){0,2}[A-ZА-ЯІЇЄҐ]?[\w'’ʼ\-]*[\s,:;\-—(]*$", re.IGNORECASE)


def _in_brackets(view: str, at: int) -> bool:
    """Does a bracket open right before ``at``? One first name then a date in brackets is a person's birth date, as lists
    write it ("Iryna (1990-08-02)", "Тарас (15.12.1963)"; issue 11 r10 A1): the name alone counts there."""
    return view[max(0, at - 2) : at].rstrip().endswith("(")


def _day_month_before(view: str, at: int) -> re.Match | None:
    """``_DAY_MONTH_BEFORE.search(view, at - 16, at)``: the day and month right before a year at ``at``. Every match holds a
    digit (its day: each branch reads one), so 16 characters with none (any script's digit: :func:`has_digit`) need
    no search; the case-blind month names cost ~8 us a search, and most years stand after words ("placed on 2024-03-12",
    "Kyiv, 2024"). The view has decoded and folded the text already (full-width and other digits are ASCII there)."""
    lo, last = max(0, at - 16), view[at - 1 : at]
    if last in (".", "/", "-"):  # only the numeric branch ends so ("15.03."): no month names to try (it needs digits)
        return _DAY_MONTH_DIGITS.search(view, lo, at)
    # the branches with a month name end in a blank: ~8 us a search, needed only then
    return _DAY_MONTH_BEFORE.search(view, lo, at) if last.isspace() and has_digit(view[lo:at]) else None


def _named_dobs(view: str) -> Iterator[Finding]:
    found = []
    for y in sorted((*_BIRTH_YEARS[0].finditer(view), *_BIRTH_YEARS[1].finditer(view)), key=re.Match.start):
        if y.start() and view[y.start() - 1].isdigit():
            continue
        if y.group("md"):  # year first: "Olena Koval, 1985-03-12", "1985.03.12" (issue 11 r10 A1)
            if _full_name_before(view, y.start(), alone=_in_brackets(view, y.start())):
                found.append((y.start(), y.end(), int(y.group()[:4])))
            continue
        m = _day_month_before(view, y.start())
        if m is not None and not view[m.start() - 1 : m.start()].isdigit() \
                and _full_name_before(view, m.start(), alone=_in_brackets(view, m.start())):  # "Олена, 10.09.2012": a letter's date
            found.append((m.start(), y.end(), int(y.group()[:4])))
    if "." in view:  # a two-digit year: "Тарас Шевчук, 12.03.85" (issue 11 r10 A1)
        for tail in _SHORT_YEAR_TAIL.finditer(view):
            m = _SHORT_YEAR_DATE.match(view, tail.start() - 2) if tail.start() >= 2 else None
            if m is not None and _full_name_before(view, m.start(), alone=False):
                yy = int(m.group(1))
                found.append((m.start(), m.end(), 1900 + yy if yy > 24 else 2000 + yy))
    if not found:
        return
    low = None
    for start, end, year in found:
        if _TIME_AFTER.match(view, end):
            continue  # "Тарас Шевчук 24.12.2015 14:34": a message's time
        low = lower(view) if low is None else low
        if _EVENT_NEAR.search(low, max(0, start - 100), min(len(low), end + 100)):
            continue
        if year > 2008 and (len(found) < 2 and not _PEOPLE_RECORD.search(low, max(0, start - 300), start)
                            and not _PEOPLE_RECORD.search(low, end, min(len(low), end + 40))  # "…, 1-Б клас" (r11)
                            or _ADULT_ROLE_BEFORE.search(view, max(0, start - 60), start)):
            continue  # a child's year only in a list or a record of people, and never after an adult's role
        yield Finding("dob", start, end, view[start:end], 40)


# a birthday split into parts under a birth key, in any notation: JSON {"born": {"day": 23, …}}, {"народження": {"день":
# …}}, XML <birth><day>5</day><month>10</month>…, YAML "birth:\n  day: 5\n  month: 10", an array [1980, 7, 23]
# (issue 11 r11 A1): two parts or more, or an array of year, month and day, within the key's next 120 characters
_SPLIT_BIRTH_KEY = re.compile(r"(?<![a-zа-яіїєґ])(?:birth\w*|born|dob|народженн\w*|дата_?народженн\w*)(?![a-zа-яіїєґ])")
_SPLIT_PART = re.compile(r"(?<![a-zа-яіїєґ])(?:day|month|year|день|місяць|рік|d|m|y)(?![a-zа-яіїєґ])\W{0,4}\d{1,4}(?!\d)")
_BIRTH_ARRAY = re.compile(r"\W{0,6}\[\s*(?:19|20)\d\d\s*,\s*\d{1,2}\s*,\s*\d{1,2}\s*\]")


def _split_birthdays(text: str, low: str) -> Iterator[Finding]:
    for key in _SPLIT_BIRTH_KEY.finditer(low):
        if (arr := _BIRTH_ARRAY.match(low, key.end())) is not None:
            yield Finding("dob", key.end(), arr.end(), text[key.end() : arr.end()], 40)
            continue
        parts = []
        for part in _SPLIT_PART.finditer(low, key.end(), min(len(low), key.end() + 120)):
            gap = low[parts[-1].end() if parts else key.end() : part.start()]
            if any(ch.isalpha() for ch in gap.replace("day", "").replace("month", "").replace("year", "").replace(
                    "birth", "").replace("день", "").replace("місяць", "").replace("рік", "")) or len(gap) > 20:
                break  # a record's keys follow each other with only marks (and closing tags) between: prose has words
            parts.append(part)
        if len(parts) >= 2:
            yield Finding("dob", parts[0].start(), parts[-1].end(), text[parts[0].start() : parts[-1].end()], 40)


def _json_birthdays(text: str, low: str) -> Iterator[Finding]:
    for m in _JSON_BIRTH.finditer(low):
        parts = list(_JSON_PARTS.finditer(low, m.start("parts"), m.end("parts")))
        if len(parts) >= 2:
            yield Finding("dob", parts[0].start(), parts[-1].end(), text[parts[0].start() : parts[-1].end()], 40)
    if '"birth' in low or '"dob_' in low or '"born_' in low:
        flat = list(_JSON_FLAT_BIRTH.finditer(low))
        for a, b in zip(flat, flat[1:]):
            if b.start() - a.end() <= 60:
                yield Finding("dob", a.start(), b.end(), text[a.start() : b.end()], 40)


def find_dobs(text: str, low: str | None = None) -> Iterator[Finding]:
    low = lower(text) if low is None else low
    yield from _yearless_dobs(text, low)
    if '"' in low:
        yield from _json_birthdays(text, low)
    yield from _split_birthdays(text, low)
    latin = fold_confusables(text)  # "21-Маy-1997" typed with Cyrillic "М", "а" (same length)
    seen: set[tuple[int, int]] = set()
    for m in (*_DATE.finditer(text), *_word_dates(text), *(_word_dates(latin) if latin != text else ()),
              *(_DATE.finditer(latin) if latin != text else ())):
        if m.span() in seen:
            continue
        seen.add(m.span())
        if len(m.group()) == 8 and m.group().isdigit() and not _eight_digit_date(m.group()):
            continue  # 8 digits: a date only as DDMMYYYY or YYYYMMDD
        year_only = m.group().isdigit() and len(m.group()) == 4
        width = 50
        if " ; " in low[max(0, m.start() - 125) : m.start()] and \
                (b64 := _DECODED_BEFORE.search(low, max(0, m.start() - 300), m.start())) is not None:
            width += b64.end() - b64.start()  # "дата народження: MTIg0LH… ; 12 березня 1985": the label before the base64
        before = _before(low, m.start(), width)
        if _DOB_AFTER.match(low, m.end(), m.end() + 25):
            yield Finding("dob", m.start(), m.end(), text[m.start() : m.end()], 40)
            continue
        if not year_only and _table_column(low, _DOB_COLUMN, m.start()):
            yield Finding("dob", m.start(), m.end(), text[m.start() : m.end()], 40)
            continue
        cue = None
        for found in (_YEAR_ONLY_CUE if year_only else _DOB_BEFORE).finditer(before):
            cue = found  # the last cue before the date is the one that speaks about it
        if cue is None and not year_only and before[-1:].isalpha() and not before[-2:-1].isalpha():
            # one letter glued between the label and the date ("b.I22-Jun-1999", "born/S08.12.1998"): a neighbouring
            # word's letter (or a look-alike digit the view left a letter), not part of the label
            for found in _DOB_BEFORE.finditer(before, 0, len(before) - 1):
                cue = found
        if cue is None:
            continue
        word = cue.group()
        if ("born" in word or "народ" in word or "birth" in word or "родил" in word) and (
                _THING_BORN.search(before, 0, cue.start()) or _THING_WORD.search(before, cue.end())
                or _THING_AFTER.match(low, m.end(), m.end() + 40)):
            continue  # "The framework was born …", "Ідея народилася …", "born on 2024-01-01 in the repo"
        if _FEATURE_AFTER_CUE.match(before, cue.end()):
            continue  # "birthday_feature:\n  date: 2021-11-25": an identifier of a thing, not a birth date (r10 yaml)
        yield Finding("dob", m.start(), m.end(), text[m.start() : m.end()], 40)


# --- postal addresses --------------------------------------------------------------------------------
# Ukrainian: a street type, a name, a house number, then optionally building and flat
# ("вул. Хрещатик, 22, кв. 5", "просп. Перемоги 37-Б"), with "м. Київ" / a postcode before it.
# English: a house number, one to three capitalised words and a street type ("221B Baker Street",
# "1600 Amphitheatre Pkwy"), then optionally the town, state/postcode.
_UA_STREET = (r"(?:вул(?:иця|иці|ицю)?|просп(?:ект|екті)?|пров(?:улок|улку)?|бульв(?:ар|арі)?|бул|б-р|пл(?:оща|ощі)?|"
              r"наб(?:ережна)?|шосе|майдан|узвіз|ул(?:ица|ице|ицы|ицу)?|пр-т|пр-кт|пр(?=\.))\.?")
# the street type after the name, the usual Ukrainian order: "Андріївський узвіз 2", "Харківське шосе 5", "Хрещатик вулиця 22"
_UA_STREET_AFTER = (r"(?:вулиця|узвіз|шосе|площа|провулок|бульвар|проспект|набережна|майдан|тупик|алея|пр-т|пр-кт|просп\.|"
                    r"вул\.|пров\.|бульв\.|б-р|пл\.)")  # "Голосіївський пр-т 112": the abbreviation after the name too
_ADDRESS_UA = re.compile(
    rf"(?:(?:(?<![\w])|(?<=(?<![\w])на)|(?<=(?<![\w])по)|(?<=(?<![\w])[ву])|(?<=[A-Za-z])|(?<=адреса)|(?<=адресою)|(?<=адресу))"
    # a day before the name ("вул. 8 Березня", "вул. 1-го Травня"), or initials and titles ("вул. Т. Шевченка",
    # "пров. І. Франка", "вул. Св. Миколая", "просп. Акад. Глушкова": issue 11 r8 A2)
    # a Markdown italic or code span around the name, or the type and the name ("*вул. Зелена* 158", "вул. `Хрещатик` 22":
    # issue 11 r9 A2)
    rf"(?i:{_UA_STREET})[*`~]{{0,2}}\s*[*`~]{{0,2}}(?:\d{{1,2}}(?:-?го)?\s+|(?:[А-ЯІЇЄҐA-Z][а-яіїєґa-z]{{0,4}}\.\s*){{1,2}})?"
    rf"[А-ЯІЇЄҐA-Z][\w'’\-]{{0,30}}(?:\s+[\w'’\-]{{1,30}}){{0,3}}?[*`~]{{0,2}}"  # "**вул.** Зелена 56", "~~вул. Зелена~~ 56" (r10 A4)
    rf"|(?<![\w])[А-ЯІЇЄҐ][\w'’\-]{{1,30}}\s+(?i:{_UA_STREET_AFTER}))"  # "вул. 8 Березня 12"; "Андріївський узвіз 2"
    rf",?\s*"
    rf"(?:(?i:буд(?:инок)?\.?|б\.|№|дом|д\.)\s*)?\d{{1,4}}(?!\d)(?:[\-/]?[а-яА-Яa-zA-Z](?![\w]))?(?:[\-/]\d{{1,4}})?"
    rf"(?:,?\s*(?i:корп(?:ус)?\.?|к\.)\s*\d{{1,3}})?(?:,?\s*(?i:кв(?:артира)?\.?|оф(?:іс)?\.?)\s*\d{{1,4}})?"
)
# the town and postcode written before the street: "01001, м. Київ, вул. …"
_TOWN_BEFORE = re.compile(r"(?:\d{5},?\s*)?(?:(?:м|смт|с|г)\.\s*[А-ЯІЇЄҐ][\w'’\-]{1,30},?\s*)$")
_EN_STREET = (r"(?:Street|Str|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Parkway|Pkwy|"
              r"Place|Pl|Square|Sq|Terrace|Ter|Close|Crescent|Highway|Hwy|Gardens|Row|Mews)")
_ADDRESS_EN = re.compile(
    rf"\d(?<![\d.,A-Z_]\d)(?<!(?<![a-z])[a-z]\d)\d{{0,4}}[A-Za-z]?\s+(?:[A-Z][\w'’\-]{{1,25}}\s+){{1,3}}{_EN_STREET}\.?(?![\w])"
    rf"(?:,?\s*(?:Apt|Suite|Unit|Flat)\.?\s*\w{{1,5}})?"
    rf"(?:,\s*[A-Z][a-z'’\-]{{1,25}}(?:\s[A-Z][a-z'’\-]{{1,25}}){{0,2}})?"
    rf"(?:,?\s*(?:[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}))?"
)


def _first_letter_groups(words: list[str]) -> str:
    """``words`` as one alternation grouped by first letter ("S(?:treet|t)|A(?:venue|ve)"): the regex
    engine rejects most positions after one comparison."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return "|".join(f"{re.escape(k)}(?:{'|'.join(sorted(v, key=len, reverse=True))})" for k, v in groups.items())


# A street type as _ADDRESS_EN needs it (capitalised, a word of its own): "drive" or "Please" is none.
_ADDRESS_GATE_EN = re.compile(rf"\s(?:{_first_letter_groups(_EN_STREET[3:-1].split('|'))})\.?(?!\w)")
# the same street types with no blank before: a gate that starts with their capitals scans several times faster
_STREET_TYPE_EN = re.compile(rf"(?:{_first_letter_groups(_EN_STREET[3:-1].split('|'))})\.?(?!\w)")
# A Ukrainian street word (an alternation of literals: the engine skips to their first letters)
_ADDRESS_GATE_UA = re.compile("|".join(map(re.escape, ("вул", "просп", "пров", "бульв", "б-р", "пл.", "площ", "наб", "шосе",
                                                       "майдан", "узвіз", "ул.", "улиц", "пр-т", "пр-кт", "пр.", "бул",
                                                       "бульвар", "тупик", "алея", "кв"))))
# a street name after a town, a house number and a flat: "Київ, Хрещатик 22, кв. 5" ("кв." is a strong sign)
# (issue 11 r6 A2) any house number ("112/5", "15а"), after a name in any case ("на Городоцькій 15, кв. 3"), with a
# flat, an entrance or an office ("Сихівську, 12, під'їзд 3"); a year is no house number ("Звіт 2024, кв. 3": a quarter)
_HOUSE = r"(?!(?:19|20)\d\d(?!\d))\d{1,4}(?:[\-/]?[а-яА-Яa-zA-Z](?![\w]))?(?:[\-/]\d{1,4})?"
# a document's or a course's parts are numbered the same way ("Розділ 5, кв. 3", "Lesson 4, flat 2")
_NOT_A_STREET = (r"(?!(?:Розділ|Глава|Пункт|Частина|Том|Етап|Крок|Рівень|Урок|Лекція|Модуль|Тиждень|Рік|Квартал|Версія|"
                 r"Завдання|Питання|Рядок|Таблиця|Рисунок|Chapter|Lesson|Unit|Section|Part|Step|Level|Week|Module|Task|"
                 r"Question|Row|Table|Figure|Version|Python|Ubuntu|Debian|Windows|Модель|Model|Ціна|Price)(?![\w'’ʼ]))")
_ADDRESS_FLAT = re.compile(rf"(?<![\w]){_NOT_A_STREET}[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,30}},?\s+(?:(?i:буд(?:инок)?\.?|б\.|дом|д\.)\s*)?{_HOUSE},\s*"
                           r"(?:(?i:кв(?:артира)?)\.?|(?i:під['’ʼ]?їзд\w*)|(?i:оф(?:іс)?)\.?)\s*\d{1,4}"
                           # no comma before the flat ("Київ Бандери 3 кв 137", issue 11 r7 A4)
                           rf"|(?<![\w]){_NOT_A_STREET}[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,30}}\s+{_HOUSE}\s+(?i:кв)\.?\s*\d{{1,4}}(?![\w])")
# a building marker after a town, a street or a region with no street word ("Львів, Шевченка, буд. 88, кв. 77",
# "с. Петрівка, Полтавська обл., буд. 124"): "буд." is a building's own word
_ADDRESS_BUILDING = re.compile(
    rf"(?<![\w])(?:(?:с|смт|м|сел)\.\s*)?[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,30}}(?:(?:,\s*|\s+)(?:[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,30}}|обл\.|"
    rf"область|р-н|район)){{0,4}},?\s*(?i:буд(?:инок)?\.?|будинок)\s*№?\s*{_HOUSE}"
    rf"(?:,?\s*(?i:корп(?:ус)?\.?|к\.)\s*\d{{1,3}})?(?:,?\s*(?:(?i:кв(?:артира)?)\.?|(?i:оф(?:іс)?)\.?)\s*\d{{1,4}})?")
# English transliterations: "Khreshchatyk St. 42, Kyiv", "Kyiv, Peremohy Ave. 32, apt. 44" (the street type before the
# number: a town or a flat after it), "Lviv, Deribasivska 17, apt 191" (no street type: the flat marker)
_EN_STREET_BEFORE = r"(?:Street|Str|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Prospekt|Prosp|Pkwy|Hwy|Drive|Dr|Court|Ct|Square|Sq|Terrace|Ter)"  # Dr..Ter: r10 A4
_ADDRESS_EN_AFTER = re.compile(
    rf"(?<![\w])(?:[A-Z][\w'’\-]{{1,25}}\s+){{1,3}}{_EN_STREET_BEFORE}\.?,?\s+\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}})?(?![\w])"
    rf"(?=,?\s*(?:(?i:apt|apartment|flat|suite|unit)\b|[A-Z][a-z]{{2,}}))(?:,?\s*(?i:apt|apartment|flat|suite|unit)\.?\s*#?\d{{1,5}})?")
_ADDRESS_EN_FLAT = re.compile(
    rf"(?<![\w]){_NOT_A_STREET}(?:[A-Z][\w'’\-]{{2,30}}|(?!(?:step|page|line|item|version|level|room|unit|part|task|lesson|chapter|section|figure|table|question|week|epoch|batch|test|case|sample|round|block|gate|floor)(?![\w]))[a-z][a-z'’\-]{{3,30}}),?\s+\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}})?,?\s*"
    r"(?i:apt|apartment|flat|kv)\.?\s*#?\d{1,5}")  # lower case too, as typed in a chat: "kyiv shevchenka 54 apt 19"
# "пл Ринок", "ул Ленина": the short types with no dot, before a capital (read on the text, not lower-cased)
# "пл Ринок", "ул 8 Березня", "пл`Ринок`": the marks _ADDRESS_UA lets stand after the street word too
_ADDRESS_GATE_SHORT = re.compile(r"[пПуУ][лЛ][*`~]{0,2}\s*[*`~]{0,2}(?:\d{1,2}\s+)?[А-ЯІЇЄҐA-Z]")


# a town (or a postcode and a town) and a street name with a house number and no street word: "м. Київ, Хрещатик, 22",
# "01001, Київ, Хрещатик 1"
_ADDRESS_TOWN_STREET = re.compile(
    rf"(?:(?<![\w])(?:м|смт|с|г)\.\s?|(?<![\w])смт\s|(?:^|(?<=[\n:;(])|(?<=[\n:;(] )|(?<=індекс )|(?<=index )|(?<=адреса )|(?<=address ))"
    rf"\d{{5}},\s*)[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,30}},\s*{_NOT_A_STREET}[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,30}}(?:,\s*|\s+)"
    rf"{_HOUSE}(?![\w])(?:,?\s*(?i:кв(?:артира)?)\.?\s*\d{{1,4}})?")
# "м." "с." "г." "смт." "смт " after no lower-case letter, or 5 digits and a comma; each starts with the character it
# matches, not a lookbehind, so the regex engine skips to the candidates (the lookbehinds come after: 4x faster)
_TOWN_KEY = re.compile(r"[мсг](?<![а-яіїєґ][мсг])(?:\.|(?<=с)мт[.\s])|\d(?<!\d\d)\d{4},")  # find_addresses' gate mirrors it
_FIVE_DIGITS_COMMA = re.compile(r",(?<=(?<!\d)\d{5},)")  # _TOWN_KEY's postcode; the comma first: the engine skips to commas
_FLAT_KEY = re.compile(r"кв|буд|під['’ʼ]?їзд|оф|дом")
# what every match of _ADDRESS_FLAT / _ADDRESS_BUILDING holds (their flat word; "буд." and the house's first digit): a
# window of _FLAT_KEY without it ("будь ласка" is no building) is not searched (~40 us a window; the same matches)
# (?i:кв|під['’ʼ]?їзд|оф), its first letter consumed as a class of what (?i:...) lets stand there (к, п, о, and "ᲂ", a
# form of "о"): a case-blind pattern is tried at every position, one led by a class skips to its letters (~17 -> 4 us a
# 140-character window; tests/test_pii_speed_words_r15.py checks both the classes and the matches)
_FLAT_NEED = re.compile(r"[кКпПоОᲂ](?:(?<=[кК])(?i:в)|(?<=[пП])(?i:ід['’ʼ]?їзд)|(?<=[оОᲂ])(?i:ф))")
_BUILDING_NEED = re.compile(r"(?i:буд(?:инок)?\.?|будинок)\s*№?\s*\d")
_EN_FLAT_KEY = re.compile(r"(?<![a-z])(?:apt|apartment|flat|kv)(?![a-z])")
# strings of which every match of a key holds one, read off the key itself (see _near_keys)
_FLAT_GATE, _EN_FLAT_GATE = literal_gate(_FLAT_KEY) or (), literal_gate(_EN_FLAT_KEY) or ()
# the official transliteration of the street words (issue 11 r7 A4: "Ternopil, vul. Sumska 102/13", "Odesa, vulytsia
# Franka 42, kv. 68") and the Polish/Russian "ul.": the street word, a capitalised name, a house number
_TRANSLIT_STREET = re.compile(
    r"(?<![\w])(?i:vul(?:ytsia|ytsya|itsa|ica)?\.?|prosp(?:ekt)?\.?|(?-i:pr\.)|prov(?:ulok)?\.|bulv(?:ar)?\.?|ul\.|ulica|"
    r"ploshcha|pl\.)\s*(?:[A-ZА-ЯІЇЄҐ][\w'’\-]{1,30}\s+){1,3}?\d{1,4}[a-zа-я]?(?:[/\-]\d{1,4})?(?![\w])"
    r"(?:,?\s*(?i:kv|apt|m)\.?\s*\d{1,4})?")
# German: "Bahnhofstraße 39, 45249 Hamburg" (the street word is the name's end)
_GERMAN_STREET = re.compile(r"(?<![\w])[A-ZÄÖÜ][\wäöüß\-]{1,30}(?:straße|strasse|str\.|weg|allee|platz|gasse|damm)\s+"
                            r"\d{1,4}[a-z]?(?![\w])(?:,\s*\d{5}\s+[A-ZÄÖÜ][\wäöüß\-]+)?")
_GERMAN_KEY = re.compile(r"(?:straße|strasse|str\.|weg|allee|platz|gasse|damm)\s+\d")
_TRANSLIT_KEY = re.compile(r"(?=[vpbu])(?<![a-z])(?:vul|prosp|prov\.|bulv|ul\.|ulica|ploshcha|pl\.|pr\.)")
_TRANSLIT_GATE, _GERMAN_GATE = literal_gate(_TRANSLIT_KEY) or (), literal_gate(_GERMAN_KEY) or ()
# the street type after a transliterated name, English-style: "Ternopil, Sumska str. 138, apt 240", "Nezalezhnosti ave.
# 134", "Peremohy avenue 37, flat 15" (issue 11 r8 A2)
_TRANSLIT_AFTER = re.compile(
    r"(?<![\w])(?:[A-Z][a-z'’\-]{2,25}\s){0,2}" + _NOT_A_STREET + r"[A-Z][a-z'’\-]{2,25}\s(?:(?:str|st|ave|av|blvd|prosp|rd)\.|avenue|street|"
    r"boulevard|prospe[ck]t|lane|road),?\s*\d{1,4}[a-z]?(?:/\d{1,4})?(?![\w])(?:,?\s*(?i:apt|apartment|flat|kv)\.?\s*#?\d{1,5})?")
# (its first character consumed before the lookbehinds: the engine skips to candidates, 2x faster)
_TRANSLIT_AFTER_KEY = re.compile(r"[sabplr](?<![a-z].)(?:(?<=s)(?:treet|tr|t)|(?<=a)(?:venue|ve|v)|(?<=b)(?:oulevard|lvd)|"
                                 r"(?<=p)rosp\w*|(?<=l)ane|(?<=r)(?:oad|d))\.?,?\s*\d")
# the same key led by its words (tests/test_pii_triggers.py: the same matches), found where they stand
_TRANSLIT_AFTER_WORDS = re.compile(r"(?<![a-z])(?:s(?:treet|tr|t)|a(?:venue|ve|v)|b(?:oulevard|lvd)|prosp\w*|lane|"
                                   r"r(?:oad|d))\.?,?\s*\d")


_NOT_POSTAL = re.compile(r".*(?:\{\{|\$\{|<%|\{%).*|0x[0-9a-f]+|[0-9a-f:.]+|\S+@\S+|[a-z]+://\S*|[\w.\-]+\.(?:com|net|org|io|ua|local)(?::\d+)?|n/a|none|null|-")
_JSON_ADDRESS_KEYS = ('"address', '"street', '"адреса', '"вулиця', '"home_address')
_JSON_ADDRESS = re.compile(r'"(?:address|street|адреса|вулиця|home_address|street_address|address_line_?\d?|addressline\d?)"'
                           r'\s*:\s*"(?P<value>[^"\n]{0,80}?[^\W\d_][^"\n]{0,80}?)"')


def _near_keys(key: re.Pattern, keyed: str, text: str, rx: re.Pattern, before: int, after: int,
               gate: tuple[str, ...] = ()) -> Iterator[re.Match]:
    """Matches of ``rx`` in ``text`` within ``before``/``after`` characters of a match of ``key`` in ``keyed`` (the
    same text or its lower-cased view), each once. ``gate``: strings of which every match of ``key`` holds one; when
    ``keyed`` holds none, ``key`` is not scanned (a substring test is many times faster than a regex scan)."""
    yield from _in_windows(rx, text, _key_windows(key, keyed, len(text), before, after, gate))


def _key_windows(key: re.Pattern, keyed: str, n: int, before: int, after: int,
                 gate: tuple[str, ...] = ()) -> list[list[int]]:
    """The windows of :func:`_near_keys` (``n``: the text's length), to read with more than one regex."""
    windows: list[list[int]] = []
    if gate and not any(g in keyed for g in gate):
        return windows
    for k in key.finditer(keyed):
        _add_window(windows, k.start() - before, k.end() + after, n)
    return windows


def _trigger_windows(key: re.Pattern, at: Literals, low: str, before: int, after: int) -> list[list[int]]:
    """:func:`_key_windows` of ``key`` in ``low``, its matches found where its trigger literals ``at`` stand."""
    windows: list[list[int]] = []
    for k in triggers(low).finditer(key, at):
        _add_window(windows, k.start() - before, k.end() + after, len(low))
    return windows


def _in_windows(rx: re.Pattern, text: str, windows: list[list[int]]) -> Iterator[re.Match]:
    """Matches of ``rx`` in ``text`` inside ``windows`` (see :func:`_key_windows`), each once."""
    seen: set[tuple[int, int]] = set()
    for lo, hi in windows:
        for m in rx.finditer(text, lo, hi):
            if m.span() not in seen:
                seen.add(m.span())
                yield m


# (labs.router.triggers) the keys' and gates' literals; the gates read on the text as typed look them up lower-cased
_ADDRESS_GATE_UA_AT, _FLAT_KEY_AT = Literals(_ADDRESS_GATE_UA), Literals(_FLAT_KEY)
_TRANSLIT_AFTER_AT = Literals(_TRANSLIT_AFTER_WORDS)
_EN_FLAT_KEY_AT, _TRANSLIT_KEY_AT, _GERMAN_KEY_AT = Literals(_EN_FLAT_KEY), Literals(_TRANSLIT_KEY), Literals(_GERMAN_KEY)
_ADDRESS_GATE_SHORT_AT, _STREET_TYPE_EN_AT = Literals(_ADDRESS_GATE_SHORT, cased=True), Literals(_STREET_TYPE_EN, cased=True)


_TOWN_MARKS = any_of(("м.", "с.", "г.", "смт"))  # in every match of _TOWN_KEY but a postcode's


def _town_gate(low: str) -> bool:
    """Could :data:`_TOWN_KEY` match in ``low``? (Its town marks found by the trigger pass: four ``in`` tests of a
    Cyrillic text cost ~9 us; its postcode found from the comma.)"""
    return triggers(low).contains(_TOWN_MARKS) or _FIVE_DIGITS_COMMA.search(low) is not None


def find_addresses(text: str, low: str | None = None) -> Iterator[Finding]:
    low = lower(text) if low is None else low
    trig = triggers(low)
    if trig.search(_ADDRESS_GATE_UA, _ADDRESS_GATE_UA_AT) or trig.search(_ADDRESS_GATE_SHORT, _ADDRESS_GATE_SHORT_AT,
                                                                         text=text):
        for m in _ADDRESS_UA.finditer(text):
            town = _TOWN_BEFORE.search(text, max(0, m.start() - 50), m.start())
            start = town.start() if town else m.start()
            yield Finding("address", start, m.end(), text[start : m.end()], 45)
    # the forms without a street word, read only around their flat or building word (a 2 KB prompt stays fast)
    flat_windows = _trigger_windows(_FLAT_KEY, _FLAT_KEY_AT, low, 110, 30)  # one key scan for both
    for rx, need in ((_ADDRESS_FLAT, _FLAT_NEED), (_ADDRESS_BUILDING, _BUILDING_NEED)):
        for m in _in_windows(rx, text, [w for w in flat_windows if need.search(text, w[0], w[1])]):
            yield Finding("address", m.start(), m.end(), m.group(), 44)
    if _town_gate(low):
        for m in _near_keys(_TOWN_KEY, low, text, _ADDRESS_TOWN_STREET, 0, 90):
            yield Finding("address", m.start(), m.end(), m.group(), 44)
    for m in _in_windows(_ADDRESS_EN_FLAT, text, _trigger_windows(_EN_FLAT_KEY, _EN_FLAT_KEY_AT, low, 70, 20)):
        yield Finding("address", m.start(), m.end(), m.group(), 44)
    for m in _in_windows(_TRANSLIT_STREET, text, _trigger_windows(_TRANSLIT_KEY, _TRANSLIT_KEY_AT, low, 0, 80)):
        yield Finding("address", m.start(), m.end(), m.group(), 44)
    for m in _in_windows(_TRANSLIT_AFTER, text, _trigger_windows(_TRANSLIT_AFTER_WORDS, _TRANSLIT_AFTER_AT, low, 60, 30)):
        yield Finding("address", m.start(), m.end(), m.group(), 44)
    for m in _in_windows(_GERMAN_STREET, text, _trigger_windows(_GERMAN_KEY, _GERMAN_KEY_AT, low, 40, 40)):
        yield Finding("address", m.start(), m.end(), m.group(), 44)
    if '"' in low and any(key in low for key in _JSON_ADDRESS_KEYS):
        for m in _JSON_ADDRESS.finditer(low):  # {"street": "Хрещатик", "house": "22"}, {"address": "…"} (issue 11 r8 A2)
            if _NOT_POSTAL.fullmatch(m.group("value").strip()):
                continue  # a memory, wallet, network or web address
            yield Finding("address", m.start("value"), m.end("value"), text[m.start("value") : m.end("value")], 44)
    for start, end in find_town_streets(text, low):  # "Lutsk, Naukova 40", "Лесі Українки 5/12, Луцьк": the town anchors it
        yield Finding("address", start, end, text[start:end], 43)
    if not trig.search(_STREET_TYPE_EN, _STREET_TYPE_EN_AT, text=text) or not _ADDRESS_GATE_EN.search(text):
        return
    for m in _near_keys(_ADDRESS_GATE_EN, text, text, _ADDRESS_EN_AFTER, 90, 60):
        yield Finding("address", m.start(), m.end(), m.group(), 44)
    for m in _ADDRESS_EN.finditer(text):
        yield Finding("address", m.start(), m.end(), m.group(), 45)


# --- identifiers of the countries Ukrainians live in (issue 11 r6 A4) ---------------------------------------------
# PESEL (Poland; also an individual's tax number there) and the German Steuer-ID: 11 digits, any grouping, after their
# label. Right after it ("PESEL: 90010112345") the label alone counts, as a labelled card with a typo does; further
# away (up to 25 characters, "Steuer-ID meiner Frau lautet 12 345 678 901") only a number that passes the checksum.
_FOREIGN_ID_LABEL = re.compile(r"(?<![a-zа-яіїєґ])(?:pesel\w*|песел\w*|пезел\w*|steuer[\s\-]?id(?:entifikationsnummer)?|"
                               r"steueridentifikationsnummer|steuerliche\s+id\w*|identifikationsnummer|idnr|ид\s?nr|"
                               r"tax\s+id\s+\(de\))")
_ELEVEN = re.compile(r"\d(?:[ \-./]?\d){10}(?!\d)")
_LABEL_GAP = re.compile(r"[\s:#№=\-—(\[\"']{0,5}")


def find_foreign_ids(text: str, low: str | None = None) -> Iterator[Finding]:
    """PESEL and Steuer-ID after their label (kind ``tax_id``): see :func:`labs.router.validators.pesel_ok`."""
    low = lower(text) if low is None else low
    if "pesel" not in low and "steuer" not in low and "idnr" not in low and "identifikations" not in low \
            and "песел" not in low and "пезел" not in low:
        return
    for lab in _FOREIGN_ID_LABEL.finditer(low):
        m = _ELEVEN.search(low, lab.end(), min(len(low), lab.end() + 25 + 15))
        if m is None or m.start() - lab.end() > 25 or (m.start() > 0 and low[m.start() - 1].isdigit()):
            continue
        d = "".join(ch for ch in m.group() if ch.isdigit())
        check = pesel_ok if "pes" in lab.group() or "пе" in lab.group() else steuer_id_ok
        if check(d) or _LABEL_GAP.fullmatch(low, lab.end(), m.start()):
            yield Finding("tax_id", m.start(), m.end(), text[m.start() : m.end()], 75)


# --- messenger and social-network handles (issue 11 r6 A4: an online identifier is personal data under the GDPR) --
# A profile link ("instagram.com/olena.koval", "t.me/olena_koval85") or an "@name" after a messenger's name
# ("телеграм: @olena_koval85", "мій інст @olena.koval"); a bare "@name" is a decorator or a mention in code.
_PROFILE_LINK = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.|m\.)?(?:instagram\.com|instagr\.am|t(?:\.|\[\.\]|\(\.\))me|telegram\.me|"
    r"facebook\.com|fb\.com|tiktok\.com|twitter\.com|x\.com|threads\.net|linkedin\.com/in|vk\.com|youtube\.com)"
    r"/ ?@?(?P<name>[a-z0-9_.\-]{3,40})",
    re.IGNORECASE)
_SITES = ("instagr", "t.me", "t[.]me", "t(.)me", "telegram.me", "facebook", "fb.com", "tiktok", "twitter", "x.com",
          "threads", "linkedin", "vk.com", "youtube")
_NOT_PROFILES = frozenset("p reel reels explore stories share sharer groups pages events watch hashtag i intent home search "
                          "login signup about help policies legal tos privacy settings joinchat addstickers s c company "
                          "school jobs feed posts channel results playlist embed shorts iframe_api status".split())
_HANDLE_LABELS = (r"telegram|телеграм\w*|телеграмі|телега|телегу|тг|tg|instagram|інстаграм\w*|інст\w*|insta|ig|твіттер\w*|"
                  r"twitter|tiktok|тікток\w*|тік-ток\w*|threads|signal|viber|вайбер\w*|нік\w*|nick(?:name)?|username|"
                  r"юзернейм\w*|логін\w*|login|fb|фб|фейсбук\w*|facebook|linkedin|лінкедин\w*|discord|дискорд\w*|skype|скайп\w*")
# (?<![a-zа-яіїєґ])(?:telegram|…)(?![a-zа-яіїєґ]), grouped by first letter: the scan skips to those letters in C
_HANDLE_LABEL = re.compile(first_char_branches(_HANDLE_LABELS.split("|"), "(?<![a-zа-яіїєґ].)") + "(?![a-zа-яіїєґ])")
# after a messenger's name: punctuation, a possessive or "нік"/"is", then a handle written without "@": it must read as
# one (a dot, an underscore or a digit, "live:…" for Skype, "name#1234" for Discord), so "в телеграм каналі" is no handle
# (a YAML or JSON key too: "login: taras_sh", "\"логін\": \"taras_sh\"", "Логін користувача — taras_sh", r10 A5)
_BARE_HANDLE = re.compile(r"[\s:—–\-=\">]{1,5}(?:(?:is|це|нік|nick|username|id|акаунт\w*|account|handle|користувач\w*|"
                          r"of\s+the\s+user|user)[\s:—–\-=\"]{1,4})?"
                          r"(?P<name>live:[a-z0-9_.\-]{3,32}|[a-z][a-z0-9_.]{1,31}#\d{4}|[a-z][a-z0-9_.]{2,31})(?![\w@/])")
_KEY_AFTER = re.compile(r"[ \t]*[:=]|>")  # YAML/INI "login: …", XML "<login>…" (r11 A4)


def _nobodys_login(name: str) -> bool:
    """A config's login that names no person: "admin", "deploy", "test_user", "demo-user" (issue 11 r10 B5)."""
    name = name.rstrip(".")
    return name in _NO_ONES or name in _SERVICE_LOGINS or name.startswith(_PLACEHOLDER_PREFIXES)


_PLACEHOLDER_PREFIXES = ("test", "demo", "example", "sample", "dummy", "fake", "guest", "user_", "default")
_AT_HANDLE = re.compile(r"@(?<![\w@.]@)(?P<name>[a-z0-9_][a-z0-9_.]{2,31})(?![\w@])")


# "@" names that are no person (issue 11 r7 C5): group mentions, bots ("@BotFather", "@userinfobot"), a decorator in
# code ("@client.event", "@bot.message_handler(…)", "@dataclass" in a question about a bot), an official channel
_GROUP_MENTIONS = frozenset("everyone here channel all admins admin moderators mods team staff".split())
_DECORATORS = frozenset("login_required lru_cache cache dataclass staticmethod classmethod property wraps abstractmethod "
                        "override cached_property total_ordering contextmanager asynccontextmanager shared_task receiver "
                        "csrf_exempt require_http_methods permission_required api_view validator field_validator "
                        "root_validator model_validator fixture njit jit overload final singledispatch".split())
_CODE_CUE = re.compile(r"(?<![\w])(?:bot|бот\w*|def|class|decorator\w*|декоратор\w*|handler\w*|обробник\w*|"
                       r"annotations?|анотаці\w*|angular|react|component\w*|компонент\w*|import\w*|npm|sdk|api|"
                       r"python|aiogram|telebot|discord\.py|code|код\w*|функці\w*|function)(?![\w])")
_ORG_BEFORE = re.compile(r"(?<![\w])(?:official|офіційн\w*|channel|канал\w*|group|груп\w*|chat|чат\w*|"
                         r"page|сторінк\w*|brand|бренд\w*|company|компані\w*|спільнот\w*|community)\W{0,3}$")


# a messenger's user in JSON: "username": "olena_k85", "from_id": "user123456789", "from": {"id": 123456789, …}
_NO_ONES = frozenset("admin root user username test guest postgres ubuntu demo string null none example anonymous "
                     "your_username your_name john_doe janedoe johndoe true false".split())
_JSON_USER_KEYS = ('"username"', '"handle"', '"github"', '"gh_user"', '"gh_login"', '"gitlab"', '"user_name"', '"screen_name"', '"from_id"', '"user_id"', '"sender_id"', '"from"',
                   '"actor_id"', '"login"', '"nick', '"tg"', '"telegram"', '"insta', '"twitter"', '"tiktok"', '"actorid"')
# a Telegram export's service message ("actor_id": "user5123456789") and a GitHub-style "login" (issue 11 r9 A7); a
# "login" in a config ("login": "deploy") is nobody unless it reads as a person's handle or sits in a user's object
_JSON_USER = re.compile(r'"(?:username|handle|github|gh_user|gh_login|gitlab|user_name|screen_name|from_id|user_id|sender_id|actor_id|actorid|nick|nickname|tg|telegram|'
                        r'insta|instagram|twitter|tiktok)"\s*:\s*"?(?P<name>@?[a-z0-9_.]{3,40})'
                        r'|"from"\s*:\s*\{\s*"id"\s*:\s*(?P<name2>\d{5,15})'
                        r'|"login"\s*:\s*"(?P<login>[a-z0-9][a-z0-9_.\-]{2,38})"')
_USER_OBJECT_BEFORE = re.compile(r'"(?:user|author|owner|sender|actor|committer|assignee|reviewer|creator|member|from)"\s*:\s*\{[^{}]{0,80}$')
_PERSON_KEY = re.compile(r'"(?:name|full_?name|first_?name|last_?name|display_?name|email|e-mail|phone|піб|ім[\'’ʼ]я|прізвище)"\s*:\s*"[^"]')
_NOT_A_PERSON_OBJECT = re.compile(r'"type"\s*:\s*"(?:organization|organisation|bot|team|app|service)"')
# a company's or a thing's object: its "twitter"/"nickname" names no person ({"nickname": "…", "type": "tunnel boring
# machine"}, {"twitter": "@OpenAI", "type": "company"}: issue 11 r11 N6); a Telegram "service" message is a person's
_A_THINGS_OBJECT = re.compile(r'"(?:type|kind|category)"\s*:\s*"(?:organi[sz]ation|company|brand|machine|product|project|'
                              r'device|vehicle|ship|tool|[^"]{0,40}machine)"')
_SERVICE_LOGINS = frozenset("deploy jenkins mysql redis kafka git nobody airflow grafana elastic dependabot renovate "
                            "github-actions ci bot service system www-data ec2-user".split())
# a bare "@name" right after a contact verb ("Пиши @olena_k85", "DM @olena_k85") or before a name or a verb said of a
# person ("@olena_k85 (Олена Коваль) написала в чаті"): the name must read as a handle (a digit or "_") after the
# verb, as code's "@param" does not (issue 11 r9 A7)
_CONTACT_BEFORE = re.compile(r"(?:пиш\w*|напиш\w*|написати|(?:звертай\w*|звернись|звернітьс\w*)(?:\s+до)?|тегн\w*|тегай|пінган\w*|"
                             r"(?<!\w)(?:від|inst|insta|instagram|ig|tg|telegram|телеграм\w*|інста\w*)|"  # r10 A5
                             r"пінгуй\w*|відміть\w*|зв['’ʼ]яж\w*\s+(?:з|із|зі)|контакт\w*|dm|message|write(?:\s+to)?|"
                             r"text|contact|ping|tag|reach(?:\s+out)?(?:\s+to)?|mention|ask)\W{0,3}$")
_CONTACT_AFTER = re.compile(r"\s{0,2}(?:\([А-ЯІЇЄҐA-Z][^()\n]{2,40}\)|(?i:написа\w*|пише|писав|відповів\w*|сказа\w*|"
                            r"повідоми\w*|скинув|скинула|wrote|said|replied|messaged|texted|posted|says|writes))")


def _not_a_person_handle(low: str, m: re.Match) -> bool:
    name = m.group("name").rstrip(".")
    if low.startswith(("-", "/"), m.end()):
        return True  # "@twa-dev/sdk": an npm package's scope
    if name in _GROUP_MENTIONS or name in _DECORATORS or name.endswith("bot") or name.startswith("bot") or _ORG_BEFORE.search(low, max(0, m.start() - 25), m.start()):
        return True
    if low.startswith("(", m.end()) or ("." in name and not any(ch.isdigit() for ch in name)
                                        and _CODE_CUE.search(low, max(0, m.start() - 80), m.start())):
        return True  # "@router.message(…)"; "@client.event" after "bot"
    return name.isidentifier() and _CODE_CUE.search(low, max(0, m.start() - 80), min(len(low), m.end() + 40)) is not None \
        and "_" not in name.strip("_") and not any(ch.isdigit() for ch in name) and name.islower()


_HANDLE_LABEL_AT = Literals(_HANDLE_LABEL)


_SITES_AT = any_of(_SITES)


def find_handles(text: str, low: str | None = None) -> Iterator[Finding]:
    """Messenger and social-network handles (kind ``handle``): a profile link, or "@name" after a messenger's name."""
    low = lower(text) if low is None else low
    if "/" in low and triggers(low).contains(_SITES_AT):
        for m in _PROFILE_LINK.finditer(low):
            if m.group("name").strip(".") not in _NOT_PROFILES:
                yield Finding("handle", m.start(), m.end(), text[m.start() : m.end()], 55)
    trig = triggers(low)
    for lab in trig.finditer(_HANDLE_LABEL, _HANDLE_LABEL_AT):  # no "@": "мій тг: taras.k85", "skype: live:olena.koval" (issue 11 r7 A5)
        if lab.group() == "login" and not _KEY_AFTER.match(low, lab.end()):
            continue  # English "login" is a word ("the login page"): only a YAML/INI key ("login: …", "login = …") labels
            # a handle (a JSON "login" is read below, with the user objects and service accounts it may name)
        m = _BARE_HANDLE.match(low, lab.end())
        if m is not None and lab.group() in ("login", "логін", "username") and _nobodys_login(m.group("name")):
            continue
        if m is None or _CODE_CUE.search(low, max(0, lab.start() - 60), min(len(low), m.end() + 40)):
            continue
        name = m.group("name").rstrip(".")
        if name.startswith("live:") or "#" in name or ((any(ch in name for ch in "._") or any(ch.isdigit() for ch in name))
                                                        and sum(ch.isalpha() for ch in name) >= 3):
            end = m.start("name") + len(name)
            yield Finding("handle", m.start("name"), end, text[m.start("name") : end], 55)
    if '"' in low and any(key in low for key in _JSON_USER_KEYS):
        for m in _JSON_USER.finditer(low):  # a Telegram export or Bot API update pasted as JSON (issue 11 r8 A6)
            g = "name" if m.group("name") else "name2" if m.group("name2") else "login"
            if _nobodys_login(m.group(g).lstrip("@")) or low.startswith("-", m.end(g)):  # "service-account"
                continue  # "username": "admin" in a config is nobody
            if g == "login":
                login = m.group(g)
                # a person's login only with a person in its object: a user's key before it or a name/e-mail beside
                # it; an organisation's or a bot's object, a fixture's "user648"/"ci-bot" is nobody (issue 11 r10 B4)
                lo, hi = low.rfind("{", max(0, m.start() - 200), m.start()), low.find("}", m.end(), m.end() + 200)
                obj = low[max(lo, 0) : hi if hi >= 0 else m.end() + 200]
                if login.split("[")[0] in _SERVICE_LOGINS or _NOT_A_PERSON_OBJECT.search(obj) or not (
                        _USER_OBJECT_BEFORE.search(low, max(0, m.start() - 100), m.start())
                        or _PERSON_KEY.search(obj)):
                    continue
            elif g == "name":
                if low.startswith(" ", m.end(g)):
                    continue  # "nickname": "Big Bertha": a value of several words is a thing's name, never a handle
                lo, hi = low.rfind("{", max(0, m.start() - 200), m.start()), low.find("}", m.end(), m.end() + 200)
                if _A_THINGS_OBJECT.search(low[max(lo, 0) : hi if hi >= 0 else m.end() + 200]):
                    continue  # {"twitter": "@OpenAI", "type": "company"} (issue 11 r11 N6)
            yield Finding("handle", m.start(g), m.end(g), text[m.start(g) : m.end(g)], 55)
    if "@" not in low:
        return
    for m in _AT_HANDLE.finditer(low):
        if _not_a_person_handle(low, m):
            continue
        name = m.group("name").rstrip(".")
        if trig.search(_HANDLE_LABEL, _HANDLE_LABEL_AT, max(0, m.start() - 30), m.start()) or (
                ("_" in name or any(ch.isdigit() for ch in name))  # "@app.route" wrote: a decorator's dots
                and (_CONTACT_BEFORE.search(low, max(0, m.start() - 30), m.start())
                     or _CONTACT_AFTER.match(text, m.end()) is not None)):
            end = m.end() - (1 if m.group().endswith(".") else 0)
            yield Finding("handle", m.start(), end, text[m.start() : end], 55)


def find_health(text: str, others: Iterable[Finding] = (), low: str | None = None) -> Iterator[Finding]:
    low = lower(text) if low is None else low
    for start, end in _health.personal_health_spans(text, any_identifier=bool(list(others)), low=low):
        kind = "special" if _health.is_special(low, start, end) else "health"  # GDPR Art. 9/10's other categories
        yield Finding(kind, start, end, text[start:end], 20)


def find_phones(text: str) -> Iterator[Finding]:
    """Phones only (the numeric scan, filtered): international, Ukrainian, US and other national forms."""
    return (f for f in _numeric(text, lower(text)) if f.kind == "phone")


def find_cards(text: str) -> Iterator[Finding]:
    """Payment cards only: issuer prefix and length (:func:`labs.router.validators.card_iin_ok`) and Luhn."""
    return (f for f in _numeric(text, lower(text)) if f.kind == "card")


def find_tax_ids(text: str) -> Iterator[Finding]:
    """РНОКПП only: the checksum (1 random number in 10 passes it) **and** context: a tax keyword
    within 300 characters before or 100 after; or, weaker, "номер"/"ID"/"code"/"мій" shortly before
    digits that encode a plausible birth date. "1000000000 parameters" and token counts have neither."""
    return (f for f in _numeric(text, lower(text)) if f.kind == "tax_id")


def find_ssns(text: str) -> Iterator[Finding]:
    """US SSNs only: 3-2-4 with a dash, or any grouping after "SSN"/"social security"."""
    return (f for f in _numeric(text, lower(text)) if f.kind == "ssn")


STRUCTURED: tuple[Detector, ...] = (
    find_emails, find_phones, find_cards, find_ibans, find_tax_ids, find_passports, find_ssns, find_dobs,
    find_addresses,
)


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Keep non-overlapping findings, stronger (then longer) first; return them in text order."""
    kept: list[Finding] = []
    starts: list[int] = []  # kept spans, ordered by start (they never overlap): two neighbours to check
    for f in sorted(findings, key=lambda f: (-f.priority, f.start - f.end, f.start)):
        i = bisect.bisect_left(starts, f.start)
        if (i == 0 or kept[i - 1].end <= f.start) and (i == len(kept) or f.end <= kept[i].start):
            starts.insert(i, f.start)
            kept.insert(i, f)
    return kept


# --- numbers read out in words (call transcripts, voice input): "нуль шість сім …", "zero six seven …" ---------
_A = "['’ʼ]"
_SPOKEN = {
    "нуль": 0, "один": 1, "одна": 1, "одне": 1, "два": 2, "дві": 2, "три": 3, "чотири": 4, f"п{_A}ять": 5, "шість": 6,
    "сім": 7, "вісім": 8, f"дев{_A}ять": 9, "десять": 10, "одинадцять": 11, "дванадцять": 12, "тринадцять": 13,
    "чотирнадцять": 14, f"п{_A}ятнадцять": 15, "шістнадцять": 16, "сімнадцять": 17, "вісімнадцять": 18,
    f"дев{_A}ятнадцять": 19, "двадцять": 20, "тридцять": 30, "сорок": 40, f"п{_A}ятдесят": 50, "шістдесят": 60,
    "сімдесят": 70, "вісімдесят": 80, f"дев{_A}яносто": 90, "сто": 100, "двісті": 200, "триста": 300,
    "чотириста": 400, f"п{_A}ятсот": 500, "шістсот": 600, "сімсот": 700, "вісімсот": 800, f"дев{_A}ятсот": 900,
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SPOKEN_FIRST: dict[str, list[str]] = {}
for _w in sorted(_SPOKEN, key=len, reverse=True):
    _SPOKEN_FIRST.setdefault(_w[0], []).append(_w[1:])
# grouped by first letter (as textscan.word_regex does): the engine rejects most positions after one comparison
_SPOKEN_WORD = "(?:" + "|".join(f"{k}(?:{'|'.join(v)})" for k, v in _SPOKEN_FIRST.items()) + ")"
# 6 number words or digit groups in a row (at least 3 of them words), joined by spaces, commas or hyphens
# a run starts at a digit or a number word's first letter: one lookahead rejects every other position
_SPOKEN_RUN = re.compile(rf"(?=[\d{''.join(_SPOKEN_FIRST)}])(?<![\w'’ʼ])(?:{_SPOKEN_WORD}|\d{{1,4}})(?:[\s,\-]{{1,3}}(?:{_SPOKEN_WORD}|\d{{1,4}})(?![\w'’ʼ])){{5,}}")
_SPOKEN_TOKEN = re.compile(rf"{_SPOKEN_WORD}(?![\w'’ʼ])|\d{{1,4}}")
_SPOKEN_GAP = re.compile(r"[\d\s,\-]+")
_SEQ_WORD_GATE = re.compile(rf"{_SPOKEN_WORD}(?![\w'’ʼ])")  # a number word as a token reads it
_SPOKEN_KEYS = ("нуль", "один", "два", "три", "чотири", "ять", "шість", "сім", "вісім", "zero", "one", "two", "three",
                "four", "five", "six", "seven", "eight", "nine")


def _spoken_digits(run: str) -> tuple[str, int]:
    """The digits a read-out number stands for ("нуль шістдесят сім, сто двадцять три" → "067123") and how many
    number words it holds: a hundred, a ten and a unit in falling order make one group."""
    out, words, value, place = [], 0, None, 1000
    for tok in _SPOKEN_TOKEN.findall(run):
        if tok.isdigit():
            if value is not None:
                out.append(str(value))
            out.append(tok)
            value, place = None, 1000
            continue
        words += 1
        n = _SPOKEN[next(k for k in _SPOKEN if re.fullmatch(k, tok))]
        size = 100 if n >= 100 else 10 if n >= 10 else 1
        if value is not None and n and size < place and not (place == 10 and n >= 10):
            value, place = value + n, size  # "сто" + "двадцять" + "три"
            continue
        if value is not None:
            out.append(str(value))
        value, place = n, size if n else 1
    if value is not None:
        out.append(str(value))
    return "".join(out), words


_SEQ_WORD_AT = Literals(_SEQ_WORD_GATE)


_SPOKEN_KEYS_AT = any_of(_SPOKEN_KEYS)


def _number_words(low: str) -> list[re.Match]:
    """Every number word of ``low`` (:data:`_SEQ_WORD_GATE`: glued to a word before it too): one scan a prompt serves
    the read-out numbers and the labelled sequences."""
    return triggers(low).finditer(_SEQ_WORD_GATE, _SEQ_WORD_AT)


def find_spoken_numbers(view: str, low: str, words: list[re.Match] | None = None) -> Iterator[Finding]:
    """Phones, РНОКПП and cards read out in words, with their label before them ("мій номер нуль шість сім …",
    "My number is zero six seven …", "ІПН: три один два …"); a count read out has no such label.
    ``words``: :func:`_number_words` of ``low``, if the caller has them."""
    if not triggers(low).contains(_SPOKEN_KEYS_AT):
        return
    words = _number_words(low) if words is None else words
    # a run reads 3 number words or more with only digits and separators between them: without such a trio the
    # run scan (every digit group of a number-heavy prompt starts one) is not needed
    if not any(_SPOKEN_GAP.fullmatch(low, a.end(), b.start()) and _SPOKEN_GAP.fullmatch(low, b.end(), c.start())
               for a, b, c in zip(words, words[1:], words[2:])):
        return
    for m in _SPOKEN_RUN.finditer(low):
        digits, count = _spoken_digits(m.group())
        if count < 3 or not 9 <= len(digits) <= 19:
            continue
        lo = max(0, m.start() - 60)
        if 10 <= len(digits) <= 12 and _PHONE_CONTEXT.search(low, lo, m.start()) and \
                _phone_ok(digits, [len(digits)], False, lambda: True):
            yield Finding("phone", m.start(), m.end(), view[m.start() : m.end()], 51)
        elif len(digits) == 10 and rnokpp_ok(digits) and _TAX_CONTEXT.search(low, lo, m.start()):
            yield Finding("tax_id", m.start(), m.end(), view[m.start() : m.end()], 75)
        elif 13 <= len(digits) <= 19 and luhn_ok(digits) and _CARD_CONTEXT.search(low, lo, m.start()):
            yield Finding("card", m.start(), m.end(), view[m.start() : m.end()], 80)


# --- a digit sequence after a strong label, whatever the separators (issue 11 r5) ---------------------------------
# "тел.: 0, 6, 7, …", "phone = [0, 6, 7, …]", "ІПН = 3,1,2,…", "тел.+067+123+45+67", "тел. нуль шість сім 1234567",
# "плюс три вісім нуль 6 7 …": one reader for every way a sequence is spelled after its label. The label is found
# first (a literal-led scan), then one bounded match reads at most _SEQ_TOKENS tokens: the cost stays linear.
_SEQ_TOKENS = 24
# a colon or "=" ("5375 : 7087 : …", "+380=67=…") and a letter x/o between two digits ("5375x0566x…", issue 11 r10 A7)
_SEQ_SEP = r"(?:[\s,;:=|.\-+/()\[\]{}_*·•'\"]|(?<=\d)[xхoо](?=\d)|&nbsp;)"
_SEQ_TOKEN = rf"(?:{_SPOKEN_WORD}(?![\w'’ʼ])|\d{{1,12}}(?!\d))"
# Every label's first three characters (read off the pattern: 'p'/'р' then '\W' is "р/н/о/к/п/п"): the engine rejects
# most positions after one lookahead instead of trying every branch there (the scan of a 2 KB prompt ~4x faster)
_SEQ_LABEL_START = (r"(?=ame|c(?:a[lr]|el|on|v[cv])|drf|fax|h(?:er|is|um)|i(?:nn|pn|ti)|m(?:a[es]|ob|y)|our|p(?:h|lu|н|\W)|"
                    r"r(?:ea|in|no)|s(?:ig|ms)|t(?:ax|e[lx]|he|in)|uni|vi[bs]|wha|you|ва[йш]|д(?:ек|зв|рф)|з(?:ат|во)|"
                    r"и(?:де|нн)|йог|к(?:ар|о[дн]|ре)|м(?:о[бг]|ій)|н(?:а[блш]|ом)|обл|п(?:ер|л[аю]|о[дз])|р(?:h|н|\W)|сот|"
                    r"т(?:ві|ел)|і(?:де|нн|пн)|ї(?:хн|ї))")
_SEQ_LABEL = re.compile(
    rf"{_SEQ_LABEL_START}(?:(?P<phone>{_PHONE_CONTEXT.pattern})|(?P<tax>{_TAX_CONTEXT.pattern})|(?P<card>{_CARD_CONTEXT.pattern})|"
    r"(?<![\w])(?P<plus>плюс|plus)(?=\s))")
# after the label: its punctuation and at most two short filler words ("дзвоніть на …", "call me at …", "is")
_SEQ_AFTER = re.compile(
    rf"[^\W\d_]*[\s:;,|#№.=\-\"'+(\[{{]{{0,6}}(?:(?:на|за|is|at|on|me|to|це|номер\w*|number|no|—|–)(?![\w'’ʼ])[\s:#№.=\-+(\[]{{0,4}}){{0,2}}"
    rf"(?P<seq>(?:плюс\s+|plus\s+|\+)?{_SEQ_TOKEN}(?:{_SEQ_SEP}{{1,4}}{_SEQ_TOKEN}){{0,{_SEQ_TOKENS}}})")
_SEQ_GATE = re.compile(r"[,;:=|\[+]|\d[xхoо]\d|\d\s+[^\W\d_]|[^\W\d_]\s+\d")
# Where a sequence can start, found before any label (a digit-led scan: fast), so the label scan reads a few short
# windows, not the whole prompt: digits and separators that hold 10 digits or more (every sequence of digits alone
# a check below accepts), or a number word with another token after it (a sequence read out, or words and digits)
_SEQ_GAP = r"\s,;:=xхoо|.\-+/()\[\]{}_*·•'\""  # the view has decoded "&nbsp;"


def _seq_digits(digit: str) -> re.Pattern:
    """A run of 9+ digits and gaps that starts and ends with a digit, ``digit`` the class's digits (re.ASCII would change
    the gaps' ``\\s`` too, so the ASCII form names its range)."""
    return re.compile(rf"[{digit}][{digit}{_SEQ_GAP}]{{7,}}[{digit}]")


_SEQ_DIGITS = _seq_digits(r"\d")
_SEQ_DIGITS_ASCII = _seq_digits("0-9")  # for a text whose digits are all ASCII (faster)
_SEQ_NEXT_TOKEN = re.compile(rf"{_SEQ_SEP}{{1,4}}{_SEQ_TOKEN}")
# characters before a sequence's start where its label may begin: the longest label, its word's ending, punctuation
# and two filler words; before a number word inside a sequence, also the fewer than 10 digits before it (46 characters)
_SEQ_LABEL_REACH = 120
_SEQ_WORD_REACH = 200
_NOT_DIGITS = str.maketrans("", "", "0123456789")  # a separator or a word the numeric scan does not read


def _seq_tokens(seq: str) -> list[tuple[int, str]]:
    """(end offset, digits) of each token of a sequence: a number word gives its value, a digit group itself."""
    out = []
    for m in _SPOKEN_TOKEN_ANY.finditer(seq):
        tok = m.group()
        out.append((m.end(), tok if tok.isdigit() else str(_SPOKEN[next(k for k in _SPOKEN if re.fullmatch(k, tok))])))
    return out


_SPOKEN_TOKEN_ANY = re.compile(rf"{_SPOKEN_WORD}(?![\w'’ʼ])|\d+")


_SEQ_SEP_CHARS = frozenset(",;|.-+/()[]{}_*·•'\"")


def _token_before(low: str, at: int, word_ends: set[int]) -> bool:
    """Does a digit or a number word (ending at one of ``word_ends``) stand before ``at``, 1-4 separators between?"""
    j = at
    while j > 0 and at - j < 4 and (low[j - 1] in _SEQ_SEP_CHARS or low[j - 1].isspace()):
        j -= 1
    return j < at and (low[j - 1 : j].isdigit() or j in word_ends)


# Where a label of _SEQ_LABEL can start: the literals of its branches (the prompt's one trigger pass finds them), and a
# "р"/"p" before a non-word character (the spaced "р. н. о. к. п. п.", whose literal would be that one letter: a hit at
# every "p" of a prompt). A scan tries its 40-branch lookahead at every character: ~70 ns each, ~45 us on the ticket.
_SPACED_RNOKPP = r"[рp]\W{0,2}[нh]\W{0,2}[оo]\W{0,2}[кk]\W{0,2}п\W{0,2}п"  # as in _TAX_CONTEXT
_SEQ_LABEL_AT = Literals(re.compile(_SEQ_LABEL.pattern.replace(_SPACED_RNOKPP, "[рp][нh]")))
_SPACED_LEADS = (re.compile(r"p(?=\W)"), re.compile(r"р(?=\W)"))  # one literal each: a fast scan


def _labels_in(low: str, lo: int, hi: int) -> Iterator[re.Match]:
    """``_SEQ_LABEL.finditer(low, lo, hi)``, tried only where a label can start (see :data:`_SEQ_LABEL_AT`)."""
    trig = triggers(low)
    if trig.scan:
        yield from _SEQ_LABEL.finditer(low, lo, hi)
        return
    at = trig.starts(_SEQ_LABEL_AT)
    places = at[bisect.bisect_left(at, lo) : bisect.bisect_left(at, hi)]
    spaced = [m.start() for rx in _SPACED_LEADS for m in rx.finditer(low, lo, hi)]
    if spaced:
        places = sorted({*places, *spaced})
    resume = lo
    for i in places:
        if i >= resume and (m := _SEQ_LABEL.match(low, i, hi)) is not None:
            yield m
            resume = m.end()  # as a scan resumes: a label holds a character


def _sequence_labels(low: str, words: list[re.Match], ascii_digits: bool = False) -> Iterator[re.Match]:
    """The matches of :data:`_SEQ_LABEL` that can start a sequence: only where one can follow, before a run of digits
    and separators that holds 10 digits or more, or a number word with another token after it (``words``: the number
    words of ``low``). Searching those windows, not the whole prompt, finds the labels a full scan finds several times
    faster (tests/test_pii_speed_gates.py). ``ascii_digits``: every digit of ``low`` is ASCII (a normalised view)."""
    trig = triggers(low)
    if not trig.scan and not trig.starts(_SEQ_LABEL_AT) and not any(rx.search(low) for rx in _SPACED_LEADS):
        return  # no label can start anywhere: the windows need not be found (a list of digits, a table of numbers)
    windows: list[list[int]] = []
    digit_runs = (_SEQ_DIGITS_ASCII if ascii_digits else _SEQ_DIGITS).finditer(low)
    spans = [(c.start() - _SEQ_LABEL_REACH, c.end()) for c in digit_runs
             if len(c.group()) - len(c.group().translate(_NOT_DIGITS)) >= 10]
    ends = {w.end() for w in words}
    spans += [(w.start() - _SEQ_WORD_REACH, w.end()) for w in words
              if _SEQ_NEXT_TOKEN.match(low, w.end()) or _token_before(low, w.start(), ends)]
    for lo, hi in sorted(spans):  # to the sequence's end: a label glued to it ("дзвоніть23694…") reads as in a full scan
        _add_window(windows, lo, hi, len(low))
    for lo, hi in windows:
        yield from _labels_in(low, lo, hi)


def find_labelled_sequences(view: str, low: str, words: list[re.Match] | None = None,
                            ascii_digits: bool = False) -> Iterator[Finding]:
    """A phone, РНОКПП or card spelled as a sequence after its label, whatever joins the parts: commas, semicolons,
    brackets, '+', dots, number words mixed with digits. The longest prefix that its kind's check accepts counts.
    ``words``: :func:`_number_words` of ``low``, if the caller has them; ``ascii_digits``: every digit of ``view`` is
    ASCII (a normalised view)."""
    if words is None:
        if not has_digit(low) and triggers(low).search(_SEQ_WORD_GATE, _SEQ_WORD_AT) is None:
            return  # every sequence holds a digit or a number word: the label scan (~0.5 ms on 2 KB) is not needed
        words = _number_words(low)
    for lab in _sequence_labels(low, words, ascii_digits):
        if (found := _labelled_sequence(view, low, lab)) is not None:
            yield found


_ODD_CARD_GROUPS = re.compile(r"\d{1,6}(?: \d{1,6}){2,6}(?!\d)")
# A phone spelled digit by digit right after "номер:"/"number:" ("номер: 0 6 6 1 7 4 2 1 8 0"): the label makes the
# digit list a number; only a phone's shape counts (a Ukrainian operator or area code, an international form)
_NUMBER_LABEL_DIGITS = re.compile(first_char_branches([r"номер\w*", "number", r"tel\.?\s*no\.?", "№"], r"(?<!\w.)")
                                  + r"\s*(?:is\s+)?[:#№=\-—–]?\s*"
                                  r"(?P<seq>\+?\d(?:[ .\-,;|/]{1,3}\d){9,12})(?![\d])")


_NUMBER_LABEL_STARTS = leading_literals(_NUMBER_LABEL_DIGITS)  # ("номер", "number", "tel", "№")


def find_number_label_digits(view: str, low: str) -> Iterator[Finding]:
    """Phones written one digit (or a few) at a time right after a bare "номер:" (see :data:`_NUMBER_LABEL_DIGITS`)."""
    if "номер" not in low and "number" not in low and "№" not in low and "tel" not in low:
        return
    for m in finditer_at_literals(_NUMBER_LABEL_DIGITS, low, _NUMBER_LABEL_STARTS):  # its labels by str.find: 12 -> 5 us
        seq = m.group("seq")
        d = "".join(ch for ch in seq if ch.isdigit())
        if _NOT_A_PERSON_ID.search(low, max(0, m.start() - 30), m.start("seq")) or _not_personal_context(low, m.start()):
            continue
        if _phone_ok(d, [len(d)], seq.startswith("+"), lambda: True) and not d.startswith(("0800", "080")):
            yield Finding("phone", m.start("seq"), m.end("seq"), view[m.start("seq") : m.end("seq")], 51)


def _labelled_sequence(view: str, low: str, lab: re.Match) -> Finding | None:
    """The sequence after the label ``lab`` (a match of :data:`_SEQ_LABEL`) if its kind's check accepts it."""
    m = _SEQ_AFTER.match(low, lab.end())
    if m is None:
        return None
    seq = m.group("seq")
    plus = seq.startswith(("+", "плюс", "plus")) or lab.group("plus") is not None
    if not _SEQ_GATE.search(seq) and not plus and seq.count(" ") < _MAX_GROUPS and not (
            lab.group("card") and _ODD_CARD_GROUPS.match(seq)):
        return None  # a few plainly spaced groups: the numeric scan reads them (a card grouped 4-4-4-3-1 after its label
        # is read here: "номер картки: 4149 4999 1234 567 3", issue 11 r6 A5)
    base = m.start("seq")
    digits, best = "", None
    for end, d in _seq_tokens(seq):
        if len(d) > 3 and not d.isdigit():
            break
        digits += d
        n = len(digits)
        if n > 19:
            break
        if lab.group("phone") or lab.group("plus"):
            if 10 <= n <= 13 and _phone_ok(digits, [n], plus, lambda: True):
                best = ("phone", end, 51)
        elif lab.group("tax"):
            if n == 10 and rnokpp_ok(digits):
                best = ("tax_id", end, 75)
        elif 13 <= n <= 19 and luhn_ok(digits):
            best = ("card", end, 80)
    if best is not None and (lab.group("plus") is None or sum(map(str.isdigit, seq[: best[1]])) < len(digits)):
        kind, end, prio = best
        return Finding(kind, base, base + end, view[base : base + end], prio)
    return None


# A local landline without its area code, 7 digits ("тел. 234-56-78", "tel. 234 56 78", "phone: 555-0132"): the
# hyphenated 3-2-2 layout is a phone's alone (no date, price or count is written so); any other layout needs a phone
# word right before it, so a bare 7-digit count ("2345678 steps", "234 56 78") stays a number.
_LOCAL_LAYOUT = re.compile(r"[2-9]\d\d(?:-\d\d-\d\d|([ .\-]?)\d\d\1\d\d|[ .\-]?\d{4})")
# inside a longer run, set apart by a blank: "№3 234-56-78", "2 234-56-78 12 27" (a list number, an expiry)
_HYPHENATED_322 = re.compile(r"(?<![\d\-./])[2-9]\d\d-\d\d-\d\d(?![\d\-]|[./]\d)")
_PHONE_LABEL_BEFORE = re.compile(rf"(?:{_PHONE_CONTEXT.pattern}|call|contact)(?:\s+(?:me|us|at|on|на|за))*"
                                 r"[\s:#№.\-=\"'(\[/]{0,4}$")


def _local_phones(view: str, low: str, m: re.Match, digits: int) -> list[Finding]:
    """Local landlines (see :data:`_LOCAL_LAYOUT`) in the run ``m`` of ``digits`` digits."""
    if digits == 7 and _LOCAL_LAYOUT.fullmatch(m.group()) and \
            _PHONE_LABEL_BEFORE.search(low, max(0, m.start() - 40), m.start()):
        found = [Finding("phone", m.start(), m.end(), m.group(), 51)]
    else:
        found = [Finding("phone", h.start(), h.end(), h.group(), 50) for h in _HYPHENATED_322.finditer(view, m.start(), m.end())]
    if not found:
        return found  # the shape first: most runs hold no local number, and the tests below read the text before
    before = view[max(0, m.start() - 2) : m.start()]
    if before[-1:] == "+" or before[-1:] in (".", ",") and before[:1].isdigit() or _not_personal_context(low, m.start()):
        return []  # "+234 56 78" is no local number, "3.2345678" a decimal; "order 234-56-78" an order
    return found


_DOI = re.compile(r"(?<![\d.])10\.\d{4,9}/")  # a DOI's prefix: "10.1000/0443315487" (issue 11 r8 B1)


def _scan(view: str, low: str, tabs: frozenset[int] = frozenset(), breaks: frozenset[int] = frozenset(),
          ascii_digits: bool = False) -> list[Finding]:
    """Every built-in detector's findings in ``view`` (``low``: its lower case). ``ascii_digits``: every digit of ``view``
    is ASCII, as in a normalised view (normalize folds every Unicode digit), so the digit scans test a plain range."""
    found: list[Finding] = list(find_emails(view, low))
    found.extend(find_handles(view, low))
    words = _number_words(low)
    found.extend(find_spoken_numbers(view, low, words))
    if words or has_digit(low):  # every sequence holds a digit or a number word
        found.extend(find_labelled_sequences(view, low, words, ascii_digits))
        found.extend(find_number_label_digits(view, low))
    if not has_digit(view):
        if _dob_gate(low) and _has_month_word(low):  # a birthday with its day in words holds no digit, but a month
            found.extend(_yearless_dobs(view, low))  # ("народилась дванадцятого березня")
        return found  # every other kind holds a digit
    found.extend(_numeric_kinds(view, low, tabs, breaks, ascii_digits))
    if _dob_gate(low):
        found.extend(find_dobs(view, low))
    found.extend(_named_dobs(view))
    found.extend(a for a in find_addresses(view, low) if not _across_cells(view, low, a, tabs, breaks))
    found.extend(find_foreign_ids(view, low))
    found.extend(Finding("id_number", s, e, view[s:e], 15)  # any other kind wins
                 for s, e in find_id_numbers(view, low, ascii_digits))
    return found


# _RUN's matches, less most of those under 6 digits (none of them is read): 5 more digits must follow the first among
# digits and separators. A run's every later digit has fewer, so no match starts inside a run _RUN would skip; the
# matches that start are _RUN's own.
_LONG_RUN = re.compile(rf"\d(?=(?:[{re.escape(SEPARATORS)}]*+\d){{5}}){_RUN.pattern[2:]}")
# The same scan for a text whose digits are all ASCII (the normalised view: normalize folds every Unicode digit):
# with re.ASCII its "\d" is a plain range, not a Unicode lookup a character (~10 us less on a 2 KB prompt)
_LONG_RUN_ASCII = re.compile(_LONG_RUN.pattern, re.ASCII)
_NO_SEPARATORS = str.maketrans("", "", SEPARATORS)  # a run less its separators: its digits


def _numeric_kinds(view: str, low: str, tabs: frozenset[int], breaks: frozenset[int],
                   ascii_digits: bool = False) -> list[Finding]:
    """The numeric kinds of :func:`_scan`: phones, cards, РНОКПП, SSNs, ID cards, IBANs and passports.
    ``ascii_digits``: every digit of ``view`` is ASCII (a normalised view), so the faster scan reads it."""
    # One pass over the numbers serves every numeric kind: runs of 9 digits or more are tried as phones,
    # cards, РНОКПП, SSNs and ID cards; an IBAN holds 10 digits or more and a passport 6, so only the
    # text around those is searched for them (a 2 KB prompt stays fast).
    found: list[Finding] = []
    iban_windows: list[list[int]] = []
    six_windows: list[list[int]] = []
    n = len(view)
    known: list[bool] = []
    near = _Near(low)

    def passport_word() -> bool:  # read once, if some 9-digit number asks
        if not known:
            known.append(_passport_word(low))
        return known[0]

    for m in (_LONG_RUN_ASCII if ascii_digits else _LONG_RUN).finditer(view):
        start, end = m.span()
        run = m.group()
        digits = len(run) if run.isdigit() else len(run.translate(_NO_SEPARATORS))
        if digits < 6:
            continue
        if digits == 13 and isbn13_ok(run.translate(_NO_SEPARATORS)) or run.startswith("10.") and _DOI.match(view, start):
            continue  # a book's ISBN-13 ("978-0-922-58893-0": its "0-922-58893-0" is no phone), a DOI ("10.1000/04…")
        _add_window(six_windows, start - 30, end + 12, n)
        if digits == 7 or digits >= 8 and "-" in run:
            found.extend(_local_phones(view, low, m, digits))
        if digits >= 9:
            for part in _run_parts(view, m) if len(run) >= 2 * (_HEAD + _TAIL) else (m,):
                if (got := _run(view, low, part, near, digits if part is m else None)) is not None:
                    found.extend(_windows(view, low, got, passport_word, tabs, near, breaks))
        if digits >= 10:
            iban_windows.append([max(iban_windows[-1][2] if iban_windows else 0, start - 40), min(n, end + 40), end])
    for lo, hi, _ in iban_windows:
        found.extend(find_ibans(view, lo, hi))
    found.extend(_passports(view, low, six_windows, passport_word))
    return found


def _across_cells(view: str, low: str, f: Finding, tabs: frozenset[int], breaks: frozenset[int]) -> bool:
    """Does the address ``f`` run across a table's cells: a tab inside it, or in a tab-separated table a line break after
    which it goes on with anything but its house number or flat ("Вулиця\nRozetka-122\tПолтава", a column header above
    a shop's row; issue 11 r11 store tables)? ``tabs``/``breaks``: where the view's spaces were tabs and line breaks.
    Outside a table (tabs on two lines or more) a tab or a line break is only a gap ("вулиця\t5", "Khreshchatyk\r\nSt.
    127"), part of the address."""
    if not tabs or not any(min(tabs) < k < max(tabs) for k in breaks):
        return False
    for k in range(f.start + 1, f.end):
        if k in tabs:
            return True
        if k in breaks and not (view[k + 1 : k + 2].isdigit() or low.startswith(_ADDRESS_GOES_ON, k + 1)):
            return True
    return False


_ADDRESS_GOES_ON = ("кв", "буд", "під", "оф", "apt", "flat", "suite", "unit", "№")
# how each label of the codice fiscale starts (id_numbers._CF_LABEL ignores case), looked up in the lower-cased text
_CF_LABEL_STARTS = ("codice", "cod.", "c.f.", "cf", "tax")


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
    low = lower(view.text)
    found = _scan(view.text, low, view.tabs, view.breaks, ascii_digits=True)  # the view's digits are ASCII
    table = list(find_table_cells(text))  # a column's header labels every row below it, however far
    if view.plain is not None:  # a look-alike letter glued to a number may be a word: read it as a letter too
        plain_found = _scan(view.plain, lower(view.plain), view.tabs, view.breaks, ascii_digits=True)
        found = _both_readings(view.text, view.plain, found, plain_found)
    if view.breaks:
        found.extend(_across_breaks(view.text, low, view.breaks))
    mine = [f for det in extra for f in det(text)]
    found.extend(find_health(view.text, found + mine + table, low))  # any identifier makes health data personal
    if view.rounds or view.text != text:
        found = [_to_original(text, view.span(f.start, f.end), f) for f in found]
    if any(f.kind == "address" for f in found) and (shops := business_rows(text)):  # a shop's street (r11)
        found = [f for f in found if f.kind != "address" or not any(a <= f.start and f.end <= b for a, b in shops)]
    low_text = low if view.text == text else lower(text)
    if view.decoded:  # what looked like an encoding may be an identifier as typed ("+380=67=394=56=11"): read both
        found.extend(_scan(text, low_text, frozenset(), frozenset()))
    if any(part in low_text for part in _CF_LABEL_STARTS):  # a gate (~10 us) in any case: "Tax Code:", "Cod. Fisc."
        found.extend(Finding("id_number", s, e, text[s:e], 15) for s, e in find_codice_fiscale(text))
    if any(f.kind == "phone" for f in found):
        found = [f for f in found if f.kind != "phone" or not _printed_numbers(text, f)]
        found = [f for f in found if f.kind != "phone" or not _in_an_isbn(text, f)]  # a book's number (r8 B1, r9)
    return resolve(found + mine + table)


# an ISBN as books, references, BibTeX and shop links write it: 13 digits from 978/979, or 10 (the last may be X),
# hyphenated or spaced or not; its checksum decides ("0-306-40615-2", "978-0-306-40615-7", "/dp/0306406152")
# (its first digit before the lookbehind: a pattern that starts with a class lets the engine skip to the next digit in C)
_ISBN = re.compile(r"\d(?<![\dXx].)(?:(?<=9)7[89][\- ]?(?:\d[\- ]?){9}\d|[\- ]?(?:\d[\- ]?){8}[\dXx])(?![\dXx])")


def _in_an_isbn(text: str, f: "Finding") -> bool:
    """Is the phone ``f`` read inside a valid ISBN-10/13 whose digits are set as an ISBN: hyphenated, after "isbn",
    in a reference's shape (a 978/979 prefix), or in a shop's link ("/dp/")? Only the text around ``f`` is read."""
    lo, hi = max(0, f.start - 24), min(len(text), f.end + 24)
    return any(a < f.end and f.start < b for a, b in _isbn_spans(text, lo, hi))


_BOOK_LABEL = re.compile(r"(?i:isbn|ismn)")


def _isbn_spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Spans of valid ISBN-10/13 in ``text[lo:hi]`` set as an ISBN (see :func:`_in_an_isbn`)."""
    out = []
    for m in _ISBN.finditer(text, lo, len(text) if hi is None else hi):
        digits = m.group().replace("-", "").replace(" ", "")  # (a match holds digits, X, hyphens and blanks)
        if digits.startswith(("978", "979")) and _BOOK_LABEL.search(text, max(0, m.start() - 30), m.start()):
            out.append(m.span())  # "ISMN 979-0-…", "ISBN 978-…" with a typo in its check digit: the label says a book
            continue
        # the shape before the checksum: most 10-digit candidates near a phone are digits of the phone's neighbours
        if len(digits) == 13 and isbn13_ok(digits) or len(digits) == 10 and (
                m.group().count("-") == 3 or "isbn" in text[max(0, m.start() - 30) : m.start()].lower()
                or text[max(0, m.start() - 4) : m.start()] == "/dp/" or m.group()[-1] in "Xx") and isbn10_ok(digits):
            out.append(m.span())
    return out


def _across_breaks(view: str, low: str, breaks: frozenset[int]) -> list[Finding]:
    """E-mails and dates with a line break anywhere inside ("12.0\\n3.1985", "taras14@outlook\\r\\n.com",
    "olena.ko\\nval@ukr.net"): the view has one space where each break was (\\n, \\r\\n, U+2028, "-\\n" …);
    these kinds never hold a space between two characters, so the space is dropped and the text read again.
    Findings point back into ``view``."""
    # a break between two characters that an e-mail or a date can hold ("team,\\nI am" is a paragraph, no address)
    drop = {i for i in breaks if 0 < i < len(view) - 1 and view[i] == " "
            and (view[i - 1].isalnum() or view[i - 1] in _JOIN_MARKS) and (view[i + 1].isalnum() or view[i + 1] in _JOIN_MARKS)}
    # a hyphen a wrap put before the break goes too where no word goes on ("12.0-\\n3.1985"; "com-\\npany" keeps it)
    drop |= {i - 1 for i in drop if view[i - 1] == "-" and not view[i + 1].isalpha()}
    if not drop:
        return []
    # read again only around the breaks: an e-mail or a date with its label spans less than _BREAK_REACH either side
    drops, out, k = sorted(drop), [], 0
    view_cue = _dob_gate(low)  # the prompt's trigger pass answers it
    while k < len(drops):  # one window for each group of breaks less than 2 reaches apart (one pass: linear)
        j = k
        while j + 1 < len(drops) and drops[j + 1] - drops[j] <= 2 * _BREAK_REACH:
            j += 1
        out += _joined_findings(view, max(0, drops[k] - _BREAK_REACH), min(len(view), drops[j] + _BREAK_REACH),
                                drops[k : j + 1], view_cue)
        k = j + 1
    return out


_BREAK_REACH = 160
_JOIN_MARKS = frozenset("._-@/+'%&=~*`,")  # a date's comma: "March 5,\\n1990"


def _joined_findings(view: str, lo: int, hi: int, drop: list[int], view_cue: bool = True) -> list[Finding]:
    """E-mails and dates in ``view[lo:hi]`` read with the characters at ``drop`` (sorted) taken out, each holding a
    place where one was; positions in ``view``. ``view_cue``: ``_dob_gate`` of the whole view (False: no date-of-birth
    cue there, so one in the window can only stand where a character was taken out)."""
    # built from slices between the dropped characters; a character at j of the joined text was at
    # lo + j + (joins at or before j) in the view, a join at b being where the text after a dropped character starts
    parts, joins, last = [], [], lo
    for k, i in enumerate(drop):
        parts.append(view[last:i])
        joins.append(i - lo - k)
        last = i + 1
    parts.append(view[last:hi])
    joined = "".join(parts)

    def at(j: int) -> int:
        return lo + j + bisect.bisect_right(joins, j)

    jlow = lower(joined)
    scan_only(jlow)  # a window read for two kinds: their plain scans cost less than a trigger pass
    got: list[Finding] = list(find_emails(joined, jlow)) if "@" in jlow or " at " in jlow else []
    if _joined_dob_gate(jlow, joins, view_cue):
        got.extend(find_dobs(joined, jlow))
    return [Finding(f.kind, at(f.start), at(f.end - 1) + 1, view[at(f.start) : at(f.end - 1) + 1], f.priority)
            for f in got if bisect.bisect_left(joins, f.end) > bisect.bisect_right(joins, f.start)]  # holds a join


# the longest match of _DOB_GATE_ANY ("дата_нар"; tests/test_pii_speed_words_r15.py checks it)
_CUE_WIDTH = max(map(len, _DOB_GATE))
# every character a match of _DOB_GATE_ANY consumes: its literals', "b." and "д.н"/"д. р." (blanks: any of them)
_CUE_CHARS = frozenset("".join(_DOB_GATE) + "b.днр")
_FEW_JOINS = 16


def _cue_char(ch: str) -> bool:
    return ch in _CUE_CHARS or ch.isspace()


def _joined_dob_gate(jlow: str, joins: list[int], view_cue: bool) -> bool:
    """``_dob_gate(jlow)`` of a window read with its line breaks taken out (``joins``: where the text after each taken-out
    character starts). When the whole view holds no cue (``view_cue`` False), a cue in the window must run across a join
    (two characters a cue can hold on both sides of it) or stand at one of the window's ends, where its lookarounds read
    the edge: any other one stands in the view as well, with the same neighbours (or a blank that a taken-out character
    was, which its negative lookarounds let through). A window with none of those (most: a paragraph break after
    "team,") skips the gate's search of its 320 characters (~6 us). A window of many joins (a column of numbers, one a
    line) is searched whole: a test at each join would cost more than the search."""
    if not view_cue and len(joins) <= _FEW_JOINS and not (any(_cue_char(jlow[j - 1 : j]) and _cue_char(jlow[j : j + 1]) for j in joins)
                             or _DOB_GATE_ANY.match(jlow) or _DOB_GATE_ANY.search(jlow, max(0, len(jlow) - _CUE_WIDTH))):
        return False
    return _dob_gate(jlow)


_ALIGNED_GAP = re.compile(r"\S {2,}(?=\S)")  # a column gap of a printed table (pandas, numpy, `ss`), not a typed one
_ONLY_BLANKS = re.compile(r"[\d\s.]+")
_ROW_INDEX = re.compile(r"[ \t]*(?:0|[1-9]\d*) {2,}\S")  # an index is a count: "07700  900267" is a phone
_IP_IN_TEXT = re.compile(rf"(?<![\d.]){_IP.pattern}(?![\d.])")
_CLOCK_BEFORE = re.compile(r"\d:$")


def _printed_numbers(text: str, f: Finding) -> bool:
    """Is the "phone" ``f`` (on the original ``text``) a shape that a program prints, not a number someone typed?
    A window across the aligned columns of a DataFrame/`ss` print ("0  1371634     924"), one holding part of an
    IP address ("0 10.28.224.79"), or one starting at the seconds of a clock ("18:27:03 2026 +0200", `git log`).
    A phone word right before it keeps it a phone."""
    if f.text.startswith("+") or text[f.start - 1 : f.start] == "+" \
            or _PHONE_CONTEXT.search(lower(text[max(0, f.start - 50) : f.start])):  # (the cheap tests first)
        return False  # a phone word, or an international "+": typed ("+380 98.211.34.66" is no IP address)
    if _CLOCK_BEFORE.search(text, max(0, f.start - 2), f.start):
        return True
    lo, hi = max(0, f.start - 16), min(len(text), f.end + 16)
    if any(m.start() < f.end and f.start < m.end() for m in _IP_IN_TEXT.finditer(text, lo, hi)):
        return True
    if _ALIGNED_GAP.search(f.text) and _ONLY_BLANKS.fullmatch(f.text):
        # a printed frame: the row starts with its index and a column gap; a typed "0676  85  27  02" does not
        line_lo = text.rfind("\n", 0, f.start) + 1
        return "\n" in f.text or bool(_ROW_INDEX.match(text, line_lo, f.end))
    return False


def _both_readings(folded: str, plain: str, found: list[Finding], plain_found: list[Finding]) -> list[Finding]:
    """Findings of both readings of the look-alike letters: a letter read as a digit counts only where
    the plain reading (letters as letters) finds nothing there ("з0671234567" is "з" and a phone, not
    the 11 digits "30671234567"; "O67 l23 45 67" is a phone only when read as digits)."""
    kept = list(plain_found)
    for f in found:
        if folded[f.start : f.end] == plain[f.start : f.end] or not any(
                p.start < f.end and f.start < p.end for p in plain_found):
            kept.append(f)
    return kept


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
