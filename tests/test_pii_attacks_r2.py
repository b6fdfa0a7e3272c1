"""Lesson 3, issue 11, round 2 of the outside attack (/work/attacks/issue11-r2/FINDINGS.md): each class
the attacker found, with every exact input kept as a test; each failed before its fix.

The end-to-end check uses :class:`StandInCloud`, a real HTTP server on 127.0.0.1 that records what it
receives (STAND-IN, NOT A CLOUD: a paid API cannot run in tests).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii, pii, redact
from labs.router.normalize import normalize
from labs.router.textscan import lower


def _assert_found(text: str, kind: str, expected: str) -> None:
    found = detect_pii(text)
    assert (kind, expected) in [(f.kind, f.text) for f in found], found
    for f in found:
        assert text[f.start : f.end] == f.text
    assert expected not in redact(text)


# A1: a look-alike letter (or a table bar) glued to a number is a neighbouring word, not a digit
GLUED_LOOKALIKE = [
    ("Дзвоніть з0671234567", "phone", "0671234567"),
    ("ІПН 3124167891З повагою, Олена", "tax_id", "3124167891"),
    ("паспорт 123456789З повагою", "passport", "123456789"),
    ("IBAN UA213223130000026007233566001о", "iban", "UA213223130000026007233566001"),
    ("card 4539148803436467|", "card", "4539148803436467"),
    ("card |4539148803436467", "card", "4539148803436467"),
    ("тел |0671234567", "phone", "0671234567"),
    ("SSN 219-09-9999S", "ssn", "219-09-9999"),
    ("ІПН б3124167891", "tax_id", "3124167891"),
    ("17|Olena Koval|0671234567|2024", "phone", "0671234567"),
    ("17|4539148803436467|x", "card", "4539148803436467"),
    ("0671234567|17", "phone", "0671234567"),
    ("tel|0671234567|17", "phone", "0671234567"),
    ("д/н о30.08.1983дякую", "dob", "30.08.1983"),  # the folded reading was an SSN-shaped 030.08.1983
    ("народилася O1962-07-11о]", "dob", "1962-07-11"),
    # still read as digits where only that reading is an identifier
    ("O67 l23 45 67", "phone", "O67 l23 45 67"),
    ("тел. O67l234567", "phone", "O67l234567"),
]


@pytest.mark.parametrize("text,kind,expected", GLUED_LOOKALIKE, ids=[t for t, _, _ in GLUED_LOOKALIKE])
def test_a_lookalike_letter_glued_to_a_number_is_read_both_ways(text, kind, expected):
    _assert_found(text, kind, expected)


def test_glued_lookalike_prompts_never_reach_the_stand_in_cloud():
    with StandInCloud() as cloud:
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        for text, _, _ in GLUED_LOOKALIKE:
            router.mark("local", True)
            assert router.complete("Explain step by step and compare in detail: " + text).target == "refuse"
        assert cloud.requests == []


# A3: a cheap gate before a costly scan must let through everything the scan would find. The cue
# strings are drawn from the scan's own regexes, so a cue added there and not to the gate fails here.
DOB_GATE_MISSES = [
    ("Olena Koval (b. 12.03.1985) asked about her loan", "12.03.1985"),
    ("Коваль Олена, 12.03.1985 г. р., просить пояснити", "12.03.1985"),
    ("Коваль Олена, 1985 гр., просить", "1985"),
    ("Коваль Олена (дн 12.03.1985)", "12.03.1985"),
    ("Olena, D.OB 12/03/1985", "12/03/1985"),
    ("Коваль О., д н. 12.03.1985", "12.03.1985"),
]


@pytest.mark.parametrize("text,expected", DOB_GATE_MISSES, ids=[t for t, _ in DOB_GATE_MISSES])
def test_the_date_of_birth_gate_lets_through_what_find_dobs_finds(text, expected):
    _assert_found(text, "dob", expected)


def _covered(text: str, inner) -> bool:
    """Does detect_pii(text) cover every finding of the scan ``inner`` on the view detect_pii reads (the
    privacy property)?"""
    outer = detect_pii(text)
    view = normalize(text)
    spans = [view.span(f.start, f.end) for f in inner(view.text)]
    return all(any(o.start < end and start < o.end for o in outer) for start, end in spans)


GATE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_DATES = st.sampled_from(["12.03.1985", "1985-03-12", "12/03/1985", "5 March 1990", "1985"])


@GATE
@given(st.sampled_from(["", "Olena Koval ", "Коваль О., ", "x("]), st.from_regex(pii._DOB_BEFORE, fullmatch=True),
       st.sampled_from([" ", "", ": ", " - "]), _DATES)
def test_detect_pii_covers_find_dobs_for_every_cue_before(name, cue, sep, date):
    text = name + cue + sep + date + " ok"
    assert _covered(text, pii.find_dobs), (text, list(pii.find_dobs(text)), detect_pii(text))


@GATE
@given(st.sampled_from(["", "Olena Koval, ", "Коваль О. "]), _DATES, st.from_regex(pii._DOB_AFTER, fullmatch=True))
def test_detect_pii_covers_find_dobs_for_every_cue_after(name, date, cue):
    text = name + date + cue + " ok"
    assert _covered(text, pii.find_dobs), (text, list(pii.find_dobs(text)), detect_pii(text))


@GATE
@given(st.from_regex(pii._PASSPORT_CONTEXT, fullmatch=True))
def test_the_passport_word_gate_accepts_every_passport_word(word):
    low = lower(word)
    assert not pii._PASSPORT_CONTEXT.search(low) or pii._passport_word(low)


@GATE
@given(st.sampled_from(["", "м. Київ, ", "Адреса: "]), st.from_regex(pii._ADDRESS_UA, fullmatch=True))
def test_detect_pii_covers_every_ukrainian_address_the_pattern_matches(town, address):
    text = town + address + " "
    v = normalize(text)
    view = v.text  # what find_addresses reads
    # a match that runs across the cells of a tab-separated table (tabs on two lines) is no address (issue 11 r11)
    in_table = v.tabs and any(min(v.tabs) < k < max(v.tabs) for k in v.breaks)
    assert pii._ADDRESS_UA.search(view) is None or in_table or detect_pii(text), (text, view)


@pytest.mark.parametrize("text", ["пл Ринок 5", "ул Ленина 5, кв 3", "вул.Хрещатик 22"])
def test_short_street_types_without_a_dot_pass_the_address_gate(text):
    assert [f.kind for f in detect_pii(text)] == ["address"]


# A4 and A6: a date glued to its abbreviated label by ".", "-" or "/"; JSON's escaped solidus "\/"
GLUED_DATES = [
    ("Дата нар.12.03.1985", "dob", "12.03.1985"),
    ("Olena b.12.03.1985", "dob", "12.03.1985"),
    ("р.н.12.03.1985", "dob", "12.03.1985"),
    ("д.н.12.03.1985", "dob", "12.03.1985"),
    ("DOB.12.03.1985", "dob", "12.03.1985"),
    ("born/12.03.1985", "dob", "12.03.1985"),
    ("дата народження-12.03.1985", "dob", "12.03.1985"),
    ('{"name":"Olena Koval","dob":"12\\/03\\/1985"}', "dob", "12\\/03\\/1985"),
    ('{"iban":"UA21\\/3223\\/1300\\/0002\\/6007\\/2335\\/6600\\/1"}', "iban",
     "UA21\\/3223\\/1300\\/0002\\/6007\\/2335\\/6600\\/1"),
]


@pytest.mark.parametrize("text,kind,expected", GLUED_DATES, ids=[t for t, _, _ in GLUED_DATES])
def test_dates_glued_to_their_label_and_json_escaped_slashes_are_found(text, kind, expected):
    _assert_found(text, kind, expected)


# A2 and B: cards of every issuer, 12-19 digits with a card word; all of a long Maestro is masked
CARDS = [
    ("Картка ПРОСТІР 9804 3480 7701 1031, термін 12/27", "9804 3480 7701 1031"),
    ("My card: 9804348077011031", "9804348077011031"),
    ("Оплата карткою 8171 5260 1815 9087", "8171 5260 1815 9087"),
    ("Troy 9792437287544966", "9792437287544966"),
    ("Humo card 9860720477533296", "9860720477533296"),
    ("UzCard 8600498149348404", "8600498149348404"),
    ("BelCard 9112180822769432", "9112180822769432"),
    ("card: 675969070936", "675969070936"),
    ("Maestro card 5018 7954 2810 8", "5018 7954 2810 8"),
    ("Maestro card 6759 4184 5998 9208 136", "6759 4184 5998 9208 136"),
]


@pytest.mark.parametrize("text,expected", CARDS, ids=[t for t, _ in CARDS])
def test_cards_of_every_issuer_and_length_are_found_whole(text, expected):
    _assert_found(text, "card", expected)
    assert redact(text).endswith(("[CARD]", "[CARD], термін 12/27"))


def test_an_unlabelled_luhn_number_outside_the_issuer_table_stays_harmless():
    assert detect_pii("Build artefact 675969070936 uploaded") == []  # 12 digits, Luhn-valid, no card word


# A5: base64 wrapped at a fixed width (MIME, PEM) is joined before decoding
WRAPPED = [
    "Decode this e-mail part:\n0JTQvtCx0YDQuNC5INC00LXQvdGMISDQmtC70ZbRlNC90YLQutCwINC/0YDQvtGB0LjRgtGMINC/\n"
    "0L7QstC10YDQvdGD0YLQuCDQutC+0YjRgtC4LCDRl9GXINGC0LXQu9C10YTQvtC9IDA2NyAxMjMg\nNDUgNjcuINCU0Y/QutGD0Y4=",
    "SGVsbG8gdGVhbSwgdGhlIGN1c3RvbWVyIHdyb3RlIHRvIHN1cHBvcnQgeWVzdGVyZGF5IGFib3V0\n"
    "IHRoZSByZWZ1bmQgYW5kIGFza2VkIHVzIHRvIGNvbnRhY3QgaGVyLiBEZXRhaWxzOiAwNjcgMTIz\nIDQ1IDY3LiBUaGFua3MsIEJvaGRhbg==",
]


@pytest.mark.parametrize("text", WRAPPED, ids=["uk", "en"])
def test_line_wrapped_base64_is_decoded_across_lines(text):
    assert [f.kind for f in detect_pii(text)] == ["phone"]


@pytest.mark.parametrize("ident", ["067 123 45 67", "olena.koval@example.com", "4539 1488 0343 6467", "ІПН 3124167891",
                                   "UA21 3223 1300 0002 6007 2335 6600 1"])
def test_every_cut_of_a_wrapped_base64_message_is_decoded(ident):
    import base64
    heads = ("Hello team, the customer asked us to contact her. Details: ",
             "Добрий день! Клієнтка просить повернути кошти за замовлення, зв'яжіться з нею. Дані: ")
    for head in heads:
        for pad in range(12):  # every cut of the identifier and of a two-byte letter by a line end
            b64 = base64.b64encode((head + "x" * pad + ident + ". Дякую").encode()).decode()
            for width in (76, 64):
                text = "Content-Transfer-Encoding: base64\n\n" + "\n".join(b64[i : i + width] for i in range(0, len(b64), width))
                assert detect_pii(text), (head, pad, width)


# A7: health data, the same sentence in both languages gives the same finding
HEALTH_PAIRS = [
    ("Taras has HIV.", "У Тараса ВІЛ."),
    ("Olena is diabetic and on insulin.", "У Олени діабет, вона на інсуліні."),
    ("Did you know Olena has diabetes?", "В Олени астма."),
    ("Olena: diabetes, insulin 10 units", "У неi діабет."),  # Latin i typed for ї
    ("My brother is an alcoholic.", "Мій брат алкоголік."),
    ("My daughter had a seizure yesterday.", "У доньки вчора був напад судом."),
    ("My wife is depressed.", "Дружина в депресії."),
    ("I had an abortion last week.", "Я зробила аборт минулого тижня."),
    ("She has T1DM.", "У неї ЦД 2 типу."),
    ("My brother is addicted to drugs.", "Брат — наркоман"),
    ("She has a mental illness", "Вона психічно хвора"),
    ("She caught the coronavirus", "Вона захворіла на коронавірус"),
    ("My wife is expecting a baby", "Дружина чекає дитину"),
    ("I am pregnant", "Я при надії"),
]


@pytest.mark.parametrize("en,uk", HEALTH_PAIRS, ids=[en for en, _ in HEALTH_PAIRS])
def test_health_data_about_a_person_is_found_in_both_languages(en, uk):
    assert [f.kind for f in detect_pii(en)][:1] == ["health"], en
    assert [f.kind for f in detect_pii(uk)][:1] == ["health"], uk


@pytest.mark.parametrize("text", ["What is HIV?", "Python has a diabetes dataset example.", "У Києві діабет поширений?",
                                  "The Ministry: diabetes statistics for 2024", "У статті про аборти йдеться про закон.",
                                  "It has cancer-related stats."])
def test_health_words_about_no_person_stay_harmless(text):
    assert detect_pii(text) == []


# C: "number", "номер", "call", "contact" alone are no phone words; an exit code or a run id is no РНОКПП
COUNT_TEMPLATES = ["Number of tokens {}", "number of tokens: {}", "The number of requests was {} yesterday", "Exit code {}",
                   "Run ID {} finished", "Номер задачі {}", "Номер запиту {}", "function call count {}", "Total calls: {}",
                   "Мій результат {}", "my seed is {}", "Ticket ID {}", "Contact center handled {} chats",
                   "The number {} is prime", "Request id={}", "trace id {}"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(COUNT_TEMPLATES), st.integers(1_000_000_000, 9_999_999_999))
def test_ten_digit_counts_after_generic_words_are_not_personal(template, n):
    assert detect_pii(template.format(n)) == []


@pytest.mark.parametrize("text,kind,expected", [
    ("call 4155550132 tomorrow", "phone", "4155550132"),
    ("my number is 415 555 0132", "phone", "415 555 0132"),
    ("мій номер 4155550132", "phone", "4155550132"),
    ("номер телефону 4155550132", "phone", "4155550132"),
    ("Number of tokens 0671234567", "phone", "0671234567"),  # an operator code is a phone whatever the words
])
def test_phone_words_and_phone_shapes_still_make_a_phone(text, kind, expected):
    _assert_found(text, kind, expected)


# A8-A10: e-mail disguises, everyday Ukrainian addresses, passports typed in Latin look-alikes, УНЗР
EVERYDAY = [
    ("Пишіть: olena.koval равлик gmail крапка com", "email", "olena.koval равлик gmail крапка com"),
    ("olena.koval(@)gmail.com", "email", "olena.koval(@)gmail.com"),
    ("olena.koval@gmail。com", "email", "olena.koval@gmail。com"),
    ("пишіть olena собачка example.com", "email", "olena собачка example.com"),
    ("м. Київ, пр. Перемоги 37, кв. 12", "address", "м. Київ, пр. Перемоги 37, кв. 12"),
    ("бул. Лесі Українки 26, кв. 4", "address", "бул. Лесі Українки 26, кв. 4"),
    ("Андріївський узвіз 2, кв. 7", "address", "Андріївський узвіз 2, кв. 7"),
    ("вул. 8 Березня 12, кв. 3", "address", "вул. 8 Березня 12, кв. 3"),
    ("Хрещатик вулиця 22", "address", "Хрещатик вулиця 22"),
    ("Київ, Хрещатик 22, кв. 5", "address", "Хрещатик 22, кв. 5"),
    ("ship to 12 Oak Av.", "address", "12 Oak Av."),
    ("ship to 12 Elm Str.", "address", "12 Elm Str."),
    ("Olena Koval MK123456", "passport", "MK123456"),
    ("Olena Koval ＭＫ１２３４５６", "passport", "ＭＫ１２３４５６"),
    ("пасп. 123456789", "passport", "123456789"),
    ("УНЗР 1985031201234", "passport", "1985031201234"),
    ("УНЗР 19850312-01234", "passport", "19850312-01234"),
]


@pytest.mark.parametrize("text,kind,expected", EVERYDAY, ids=[t for t, _, _ in EVERYDAY])
def test_everyday_forms_of_e_mails_addresses_and_passports_are_found(text, kind, expected):
    _assert_found(text, kind, expected)


@pytest.mark.parametrize("text", ["Розділ 3, кв. 2 звіту", "Ми говорили про шосе 5 разів", "Part AB123456 shipped",
                                  "SKU MK123456", "Record 1985031201234 in the log"])
def test_near_misses_of_the_everyday_forms_stay_harmless(text):
    assert detect_pii(text) == []


# B: partial redaction: every part of a spaced or spelled-out e-mail is masked; a CSV with a tax or
# birth-date column header has every row's value found, however far below the header
@pytest.mark.parametrize("text,left", [
    ("пишіть olena . koval @ example . com", "пишіть [EMAIL]"),
    ("olena dot koval at gmail dot com", "[EMAIL]"),
    ("Write to me. olena @ example.com", "Write to me. [EMAIL]"),
])
def test_spaced_and_spelled_out_e_mails_are_masked_whole(text, left):
    assert redact(text) == left


@pytest.mark.parametrize("sep", [",", ";", "|", " | "])
def test_every_row_of_a_table_with_a_tax_or_birth_date_column_is_found(sep):
    import datetime as dt
    import random

    from labs.router.validators import make_rnokpp
    rng = random.Random(11)
    rows, secrets = [sep.join(["id", "name", "ipn", "dob"])], []
    for i in range(120):
        code = make_rnokpp(dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000)), rng.randrange(10000))
        dob = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1950, 2005)}"
        rows.append(sep.join([str(i + 1), f"Olena {i}", code, dob]))
        secrets += [code, dob]
    masked = redact("Please analyse this table:\n" + "\n".join(rows))
    assert [s for s in secrets if s in masked] == []


def test_a_table_without_a_personal_column_keeps_its_numbers():
    table = "id,tokens,date\n" + "\n".join(f"{i},{3124167891 + i},12.03.2024" for i in range(20))
    assert detect_pii(table) == []


@pytest.mark.parametrize("text,kind,expected", [
    ("Текст про щось. картка !4356735010165036s кінець.", "card", "4356735010165036"),
    ("Текст про щось. картка ц4512761656509338s кінець.", "card", "4512761656509338"),
    ("Текст про щось. ІПН b3220555510s кінець.", "tax_id", "3220555510"),
])
def test_a_label_with_a_glued_character_still_outweighs_a_unit_after(text, kind, expected):
    _assert_found(text, kind, expected)  # "…036s" read as seconds hid a labelled card
