"""Issue 11, round 6: the classes behind the misses hypothesis found and the open items of round 5 (lesson 3).

Each class is tested as a class (every default-ignorable code point, every quote depth, every month order, every
subject in every health frame); the inputs that failed before are kept as examples. All identifiers are synthetic.
"""

from __future__ import annotations

import json

import pytest

from labs.host import free_port
from labs.router import AuditLog, CloudLLM, Router, StandInCloud, detect_pii
from labs.router.audit import redact_for_log


def kinds(text: str) -> list[str]:
    return [f.kind for f in detect_pii(text)]


def found(text: str, kind: str, part: str | None = None) -> bool:
    """Is there a ``kind`` finding in ``text`` (covering ``part`` when given)?"""
    at = text.find(part) if part else -1
    return any(f.kind == kind and (part is None or f.start <= at + len(part) // 2 < f.end) for f in detect_pii(text))


# --- 1. invisible characters inside an identifier: all of Unicode's Default_Ignorable_Code_Point ----------------
# DerivedCoreProperties.txt (Unicode 15.1): assigned format characters, variation selectors, fillers, and the code
# points reserved as ignorable (U+2065, U+FFF0..FFF8, the whole U+E0000 block): the view drops every one of them.
_IGNORABLE = [(0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
              (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
              (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]
IGNORABLE = [cp for lo, hi in _IGNORABLE for cp in range(lo, hi + 1)]
IDENTIFIERS = [("phone", "+44 20 7946 0557"), ("phone", "тел. 067 123 45 67"), ("email", "olena.koval@example.com"),
               ("card", "4111 1111 1111 1111"), ("iban", "UA21 3223 1300 0002 6007 2335 6600 1"),
               ("tax_id", "РНОКПП 3124167891"), ("dob", "born 12.03.1985"), ("passport", "паспорт МК 123456"),
               ("ssn", "SSN 219-09-9999")]


@pytest.mark.parametrize("kind,ident", IDENTIFIERS, ids=[k + ":" + i[:8] for k, i in IDENTIFIERS])
def test_a_default_ignorable_character_at_any_point_inside_an_identifier(kind, ident):
    edges = sorted({cp for lo, hi in _IGNORABLE for cp in (lo, hi)})  # each range's first and last: every position
    missed = [text for cp in edges for i in range(1, len(ident)) for before in ("", "пишіть")  # alone, glued to a word
              if kind not in kinds(text := before + ident[:i] + chr(cp) + ident[i:])]
    assert not missed, [ascii(t) for t in missed[:10]]


def test_every_default_ignorable_character_inside_a_phone_glued_to_a_word():
    # all of them (the reserved U+E0000 block every 7th) at two points: inside the country code and after a gap
    sample = [cp for cp in IGNORABLE if cp < 0xE0080 or 0xE0100 <= cp < 0xE01F0 or cp % 7 == 0]
    missed = [ascii(text) for cp in sample for text in (f"пишіть+4{chr(cp)}4 20 7946 0557", f"+44 {chr(cp)}20 7946 0557")
              if "phone" not in kinds(text)]
    assert not missed, missed[:10]


@pytest.mark.parametrize("text", [
    "+44 \ufe0f20 7946 0557",  # hypothesis: an emoji variation selector after the gap
    "пишіть+44 2\ufeff0 7946 0557", "пишіть+44 2\u200b0 7946 0013thanks", "пишіть+44\u202f20\u202f7946\u202f0686",
    "Note+380 6\u20287.943-08.30",  # a line separator inside the group, the "+" glued to a word
    "two plans in detailNote+\\u0034\\u0034\\u002020 \\u003794\\u0036\\u0020\\u0030\\u00323\\u0031) and",  # JSON escapes
    "two plans in detailпишіть+38068\\n7429201\" and",  # a JSON line break inside
    "+44 \u180b20 7946 0557", "пишіть+\u206544 20 7946 0557", "пишіть+4\U000e00004 20 7946 0557",
])
def test_a_plus_glued_to_a_word_reads_the_digits_the_view_will_read(text):
    assert "phone" in kinds(text), text


@pytest.mark.parametrize("text,part", [
    ("olen\u202ea.koval@example.com", "olen"), ("4\u202e111 1111 1111 1111", "4"), ("Р\u202eНОКПП 3124167891", "312"),
])
def test_a_right_to_left_override_is_read_in_both_orders(text, part):
    assert detect_pii(text), text  # shown reversed, stored in order: the cloud model reads the stored order


# --- a number before the identifier, a glued look-alike letter ------------------------------------------------------
@pytest.mark.parametrize("text,kind,part", [
    ("42 (415) 555-0185", "phone", "555"), ("42 (415) 555-0185 12 27", "phone", "555"),
    ("/42 (415) 555-0110 5дякую Then", "phone", "555"),
    ("Порівняй два плани детально\"№3 (212) 555-0150 12 27. і обґрунтуй", "phone", "555"),
    ("«№3 097 265-72-18 12 27 b) Склади", "phone", "265"),  # the phone, not an SSN joined across a space
    ("номер облікової картки платника податків № #1 1910837123 12 27 US і", "tax_id", "1910837123"),
    ("номер облікової картки платника податків: 2024 2088454529 5» Потім", "tax_id", "2088454529"),
    ("name,rnokpp\nOlena,: 1 3629664136 12 27  Then", "tax_id", "3629664136"),
])
def test_a_neighbouring_number_hides_no_identifier(text, kind, part):
    assert found(text, kind, part), (text, detect_pii(text))


def test_a_card_is_not_assembled_from_groups_split_by_a_plain_space():
    # "12 27" after a 10-digit number is an expiry, not the card's last group split in two; the tax card is no card
    assert "card" not in kinds("Olena,: 1 3629664136 12 27  Then")
    assert kinds("облікова картка платника податків 3124167891") == ["tax_id"]


@pytest.mark.parametrize("text,part", [
    ("Analyse step by step why the request failed and compare the options in detail:  Olena Koval ЗAA000000 Then", "AA0"),
    (" detail: , Коваль Олена, ВMA613301, Then recommen", "613"), ("детально:  Коваль Олена, ВMM461559o! Потім", "461"),
    (": Коваль Олена, IHB653708Вдякую Склади де", "653"), ("ани детально Olena Koval lKE121873|17\n і обґрунтуй, ", "121"),
])
def test_a_look_alike_letter_glued_before_a_booklet_series(text, part):
    assert found(text, "passport", part), (text, detect_pii(text))


def test_a_glued_letter_before_a_series_still_needs_a_name_or_a_passport_word():
    assert detect_pii("Order XAB123456 shipped.") == []
    assert detect_pii("Build ЗAA000000 failed.") == []


@pytest.mark.parametrize("text", [", b.I22-Jun-1999б) Design", "detail: b.S08.12.1998 b/c and", "b.I05/12/1967; and"])
def test_a_letter_glued_between_a_birth_label_and_the_date(text):
    assert "dob" in kinds(text), text


# --- breaks inside a group, the УНЗР ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,kind", [
    ("two plans in detailпишіть0770\n0 900655thanks and", "phone"),  # 07700 900655 wrapped inside its first group
    ("й варіанти детально: тел.51313604265\n> 00806» Потім", "card"),
    (" the two plans in detail[4434332\n> 024737582) and explain", "card"),
    ("івняй два плани детально-4056819799\\n444805 разу і", "card"),  # a JSON "\n"
    ("\"55971871<br>70230448— Design", "card"),
    ("варіанти детально:  УНЗР 1\n9730430-72204? Потім", "passport"),
    (": УНЗР 1\n> 976090719286: Склади", "passport"), ("УНЗР 1\\n9710629-45427дякую", "passport"),
])
def test_a_line_break_inside_a_group(text, kind):
    assert kind in kinds(text), text


# --- 2. e-mail quotes ("\n> ", "\n>> ") inside an identifier ----------------------------------------------------------
QUOTES = ["\n> ", "\n>> ", "\n> > ", "\r\n> ", "\n>", "  \n  >> "]


@pytest.mark.parametrize("quote", QUOTES, ids=[ascii(q) for q in QUOTES])
@pytest.mark.parametrize("kind,text,ident", [
    ("email", "mail olena.koval@ukr.net please", "olena.koval@ukr.net"), ("phone", "тел. +380 67 123 45 67 дякую", "+380 67 123 45 67"),
    ("phone", "call 067 123 45 67 today", "067 123 45 67"), ("dob", "дата народження 12.03.1985 р.", "12.03.1985"),
    ("dob", "born 12.03.1985 in Lviv", "12.03.1985"), ("dob", "DOB March 5, 1990", "March 5, 1990"),
])
def test_a_mail_quote_at_any_point_inside_an_identifier(quote, kind, text, ident):
    a = text.index(ident)
    missed = [broken for i in range(a + 1, a + len(ident)) if text[i - 1] != " " and text[i] != " "
              and kind not in kinds(broken := text[:i] + quote + text[i:])]
    assert not missed, missed[:5]


@pytest.mark.parametrize("text", ["mail olena.koval@ukr\n> .net", "olena.koval@uk\n>> r.net", "дата народження 12.03\n> .1985",
                                  "born 12.0\n>> 3.1985", "тел. 067 123\n> 45 67"])
def test_quoted_breaks_that_failed(text):
    assert detect_pii(text), text


# --- 3. dates of birth: every order of day, month name and year, in both languages ------------------------------------
@pytest.mark.parametrize("label", ["DOB", "born", "дата народження", "народився", "д/н"])
@pytest.mark.parametrize("date", [
    "червня 15, 1983", "червня 15 1983", "June 15, 1983", "15 червня 1983", "15 June 1983", "15-го червня 1983",
    "1983, червня 15", "1983 червня 15", "1983 June 15", "1983, 15 June", "1983 р. 15 червня", "15-червня-1983",
    "Jun 15 1983", "березня 3, 1990",
])
def test_a_birth_date_in_any_order_and_either_language(label, date):
    assert kinds(f"{label} {date}") == ["dob"], f"{label} {date}"


def test_a_year_first_date_stops_before_another_year():
    text = "Порівняй два плани детально: народилася 2024 29th May 1963] і обґрунтуй"
    (f,) = [f for f in detect_pii(text) if "1963" in f.text]
    assert f.kind == "dob" and f.text.startswith("29th")


# --- 4. Ukrainian health frames, parity with the English ones ---------------------------------------------------------
# subject: English, and Ukrainian nominative, genitive, dative, accusative, instrumental, gender
SUBJECTS = [("Olga", "Ольга", "Ольги", "Ользі", "Ольгу", "Ольгою", "f"), ("Petro", "Петро", "Петра", "Петрові", "Петра", "Петром", "m"),
            ("Iryna", "Ірина", "Ірини", "Ірині", "Ірину", "Іриною", "f"),
            ("My mum", "мама", "мами", "мамі", "маму", "мамою", "f"),
            ("My stepfather", "вітчим", "вітчима", "вітчимові", "вітчима", "вітчимом", "m"),
            ("My godfather", "кум", "кума", "кумові", "кума", "кумом", "m"),
            ("Mr Koval", "пан Коваль", "пана Коваля", "панові Ковалю", "пана Коваля", "паном Ковалем", "m")]
# condition: English, and Ukrainian nominative, genitive, accusative, instrumental
CONDITIONS = [("diabetes", "діабет", "діабету", "діабет", "діабетом"), ("a tumour", "пухлина", "пухлини", "пухлину", "пухлиною"),
              ("epilepsy", "епілепсія", "епілепсії", "епілепсію", "епілепсією"), ("a stroke", "інсульт", "інсульту", "інсульт", "інсультом"),
              ("HIV", "ВІЛ", "ВІЛу", "ВІЛ", "ВІЛом")]


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _g(s, m: str, f: str) -> str:
    return f if s[6] == "f" else m


FRAMES = [  # (English, Ukrainian) for a subject s and a condition c
    (lambda s, c: f"{s[0]} has {c[0]}.", lambda s, c: f"У {s[2]} {c[1]}."),
    (lambda s, c: f"They found {c[0]} in {s[0]}.", lambda s, c: f"В {s[2]} знайшли {c[3]}."),
    (lambda s, c: f"They found {c[0]} in {s[0]}.", lambda s, c: f"У {s[2]} виявили {c[3]}."),
    (lambda s, c: f"{s[0]} was diagnosed with {c[0]}.", lambda s, c: f"{_cap(s[3])} діагностували {c[3]}."),
    (lambda s, c: f"Doctors are treating {s[0]} for {c[0]}.", lambda s, c: f"{_cap(s[4])} лікують від {c[2]}."),
    (lambda s, c: f"{s[0]} was hospitalised with {c[0]}.", lambda s, c: f"{_cap(s[4])} госпіталізували з {c[4]}."),
    (lambda s, c: f"{s[0]} fell ill with {c[0]}.", lambda s, c: f"{_cap(s[1])} {_g(s, 'захворів', 'захворіла')} на {c[3]}."),
    (lambda s, c: f"{s[0]} needs medicine for {c[0]}.", lambda s, c: f"Для {s[2]} потрібні ліки від {c[2]}."),
    (lambda s, c: f"{s[0]} is in hospital with {c[0]}.", lambda s, c: f"{_cap(s[1])} у лікарні з {c[4]}."),
    (lambda s, c: f"{s[0]} is recovering from {c[0]}.", lambda s, c: f"{_cap(s[1])} одужує після {c[2]}."),
    (lambda s, c: f"{s[0]} died of {c[0]}.", lambda s, c: f"{_cap(s[1])} {_g(s, 'помер', 'померла')} від {c[2]}."),
    (lambda s, c: f"{s[0]} had {c[0]} last year.", lambda s, c: f"{_cap(s[1])} {_g(s, 'переніс', 'перенесла')} {c[3]} торік."),
    (lambda s, c: f"{s[0]} was taken to hospital with {c[0]}.", lambda s, c: f"{_cap(s[4])} забрали в лікарню з {c[4]}."),
]
EVENTS = [  # the same without a condition word of the frame's own
    (lambda s: f"{s[0]} had a seizure.", lambda s: f"З {s[5]} стався напад."),
    (lambda s: f"{s[0]} had a seizure.", lambda s: f"У {s[2]} був напад."),
    (lambda s: f"{s[0]} had a stroke.", lambda s: f"З {s[5]} стався інсульт."),
    (lambda s: f"{s[0]} had a stroke.", lambda s: f"У {s[2]} інсульт."),
    (lambda s: f"{s[0]} had a heart attack.", lambda s: f"З {s[5]} трапився серцевий напад."),
    (lambda s: f"{s[0]} lost consciousness and had a seizure.",
     lambda s: f"{_cap(s[1])} {_g(s, 'знепритомнів', 'знепритомніла')}, у {_g(s, 'нього', 'неї')} напад."),
    (lambda s: f"{s[0]} had an operation.", lambda s: f"{_cap(s[4])} прооперували."),
    (lambda s: f"{s[0]} is in intensive care.", lambda s: f"{_cap(s[1])} у реанімації."),
]


@pytest.mark.parametrize("frame", range(len(FRAMES)))
def test_health_frames_give_the_same_finding_in_both_languages(frame):
    en, uk = FRAMES[frame]
    misses = [t for s in SUBJECTS for c in CONDITIONS for t in (en(s, c), uk(s, c)) if "health" not in kinds(t)]
    assert not misses, misses[:6]


@pytest.mark.parametrize("event", range(len(EVENTS)))
def test_health_events_give_the_same_finding_in_both_languages(event):
    en, uk = EVENTS[event]
    misses = [t for s in SUBJECTS for t in (en(s), uk(s)) if "health" not in kinds(t)]
    assert not misses, misses


@pytest.mark.parametrize("text", ["З Ольгою стався напад", "у мами інсульт", "в Петра знайшли пухлину", "Olga had a seizure"])
def test_the_health_sentences_of_the_issue(text):
    assert kinds(text) == ["health"], text


@pytest.mark.parametrize("text", [
    "Напад на Київ стався вчора.", "Мій друг розповів про напад на місто.", "Стався напад хакерів на сервер.",
    "Ольга у лікарні працює медсестрою.", "Taras fell asleep during the talk about diabetes research.",
    "Python had an operation queue.", "Olga developed a new app.",
])
def test_an_assault_or_a_workplace_is_no_health_data(text):
    assert detect_pii(text) == [], text


# --- 5. the audit log keeps no person the health data is about ------------------------------------------------------
@pytest.mark.parametrize("frame", range(len(FRAMES)))
def test_the_audit_log_keeps_no_name_next_to_health_data(tmp_path, frame):
    log = AuditLog(tmp_path / "audit.jsonl", key=b"k")
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM(_api_key=None))
    names = [s for s in SUBJECTS if s[0][0].isupper() and not s[0].startswith("My")]
    for s in names:
        for c in CONDITIONS[:2]:
            for text in FRAMES[frame][0](s, c), FRAMES[frame][1](s, c):
                log.write(router.route(text), text)
    dump = json.dumps(log.read(), ensure_ascii=False)
    for s in names:
        for form in {w for case in s[:6] for w in case.split() if w[:1].isupper() and w not in ("My", "Mr")}:
            assert form not in dump, form
    assert "[HEALTH]" in dump and "[NAME]" in dump


def test_the_audit_log_of_a_refused_health_prompt_through_the_router(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", key=b"k")
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), audit=log, local_retries=0)
        prompt = "Compare the options in detail step by step: Ользі діагностували рак, а в Петра знайшли пухлину."
        assert router.complete(prompt).refused
        assert cloud.requests == []
    text = log.path.read_text(encoding="utf-8")
    assert "Ользі" not in text and "Петра" not in text and "рак" not in text
    assert redact_for_log("Olena has diabetes.") == "[NAME] has [HEALTH]."
    assert redact_for_log("Email olena@example.com about the 2024 report") == "Email [EMAIL] about the 2024 report"


# --- 6. the 7-digit local landline -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["тел. 234-56-78", "тел. 234-56-78, Олена", "tel. 234 56 78", "Телефон: 234 56 78, Олена",
                                  "тел.2345678", "tel 2345678", "call me at 555-0132", "phone 555 0132 please",
                                  "234-56-78", "№3 234-56-78", "дзвоніть 2 234-56-78 12 27"])
def test_a_local_landline_with_a_label_or_its_hyphenated_layout(text):
    assert "phone" in kinds(text), text


@pytest.mark.parametrize("text", ["The run took 2345678 steps.", "Ми продали 2345678 одиниць", "ціна 234 56 78 грн",
                                  "order 234-56-78", "tel.: +234 56 78", "234-56-789", "ISBN 978-966-234-56-78",
                                  "x 3.2345678", "x 3,234-56-78", "Разом 234 56 78 переглядів."])
def test_a_bare_seven_digit_number_stays_a_number(text):
    assert "phone" not in kinds(text), text


def test_the_landline_leaks_no_more_end_to_end():
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        prompt = "Поясни детально крок за кроком і порівняй варіанти архітектури, врахувавши масштабування: тел. 234-56-78, Олена"
        assert router.complete(prompt).target == "refuse"
        assert cloud.requests == []


# --- found by the random search after the first fixes of this round ----------------------------------------------
@pytest.mark.parametrize("text,kind", [
    ("two plans in detailпишіть+4<br>4 20 7946 0154\n and explain w", "phone"),  # a tag after a glued "+"
    ("пишіть+38097 7<br>78 38-50 Ms Koval Склад", "phone"),
    (" the two plans in detail=+⁴⁴ ²⁰ ⁷⁹⁴⁶ ⁰³⁰⁵\" and explain w", "phone"),  # a form's "+" before superscript digits
    ("07700  900267\n Design a deta", "phone"),  # no DataFrame row: an index has no leading zero
    (" detail:  картка Maestro ٥٧٧٧ ٥٨٨٥ ٨٦٤٢ ٨٠٦٠ ٠٦thanks Then rec", "card"),  # "ro" of "Maestro" is no IBAN's country
    ("mpare the two plans in detail=+\u316444 20 7946 0599 b/c and explain why", "phone"),  # a filler after a form's "+"
    ("орівняй два плани детальноNote+44  -  20  -  7946  -  0166дякую і", "phone"),  # a run of blanks is one gap
    (" the options in detail: пишіть+44\x7f 20 7946 0243дякую Then recommend", "phone"),  # DEL is a control character
])
def test_random_search_misses(text, kind):
    assert kind in kinds(text), (text, detect_pii(text))


@pytest.mark.parametrize("text", ["IBANua21 3223 1300 0002 6007 2335 6600 1", "ibanua21 3223 1300 0002 6007 2335 6600 1",
                                  "рахунокua21 3223 1300 0002 6007 2335 6600 1", "iban: ua21322313000002600723356600 1"])
def test_an_iban_glued_to_its_label_in_lower_case(text):
    assert kinds(text) == ["iban"], text
