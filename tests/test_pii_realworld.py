"""Lesson 3, issue 11: identifiers as people really type them, Ukrainian parity, harmless numbers.

Every example named in the issue is here; each failed before the detector read a normalised view.
The "cloud" is :class:`StandInCloud` — a real HTTP server on 127.0.0.1 that records what it gets
(STAND-IN, NOT A CLOUD: a paid API cannot run in tests).
"""

from __future__ import annotations

import re

import pytest

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii, redact
from labs.router.health import CUE_PAIRS
from labs.router.normalize import normalize

# (text, kind, the original text the finding must cover exactly)
GLUED = [
    ("тел.0671234567", "phone", "0671234567"),
    ("тел.+380671234567", "phone", "+380671234567"),
    ("Пишітьolena@example.com", "email", "olena@example.com"),
    ("Пишітеolena@example.com", "email", "olena@example.com"),  # 'е' is a Cyrillic look-alike: not taken
    ("card 4111 1111-1111 1111", "card", "4111 1111-1111 1111"),
    ("картка4111.1111.1111.1111!", "card", "4111.1111.1111.1111"),
    ("тел:０６７１２３４５６７", "phone", "０６７１２３４５６７"),
    ("mailto:olena%40example.com", "email", "olena%40example.com"),
    ("https://example.com/form?phone=%2B380671234567&x=1", "phone", "%2B380671234567"),
    ("olena&#64;example.com", "email", "olena&#64;example.com"),
    ("tel:+380&nbsp;67&nbsp;123&nbsp;45&nbsp;67", "phone", "+380&nbsp;67&nbsp;123&nbsp;45&nbsp;67"),
    ("пишіть на olena@exаmple.com", "email", "olena@exаmple.com"),  # Cyrillic 'а' in the domain
    ("IBAN UА21 3223 1300 0002 6007 2335 6600 1", "iban", "UА21 3223 1300 0002 6007 2335 6600 1"),
    ("IBANUA213223130000026007233566001thanks", "iban", "UA213223130000026007233566001"),
    ("ІПН3124167891", "tax_id", "3124167891"),
    ("TIN3124167891", "tax_id", "3124167891"),
    ("паспортМК123456", "passport", "МК123456"),
    ("passport:FE123456", "passport", "FE123456"),
    ("born12.03.1985", "dob", "12.03.1985"),
    ("+380 67\n123 45 67", "phone", "+380 67\n123 45 67"),
    ("4111 1111\r\n1111 1111", "card", "4111 1111\r\n1111 1111"),
    ("067\u2011123\u201145\u201167", "phone", "067\u2011123\u201145\u201167"),
    ("0671\u200b234567", "phone", "0671\u200b234567"),
    ("wa.me/380671234567", "phone", "380671234567"),
    ("SSN219-09-9999—", "ssn", "219-09-9999"),
    ("тел. ٠٦٧١٢٣٤٥٦٧", "phone", "٠٦٧١٢٣٤٥٦٧"),
]


@pytest.mark.parametrize("text,kind,expected", GLUED, ids=[f"{k}-{i}" for i, (_, k, _) in enumerate(GLUED)])
def test_glued_and_encoded_identifiers_are_found_on_the_original_text(text, kind, expected):
    found = [(f.kind, f.text) for f in detect_pii(text)]
    assert (kind, expected) in found, found
    for f in detect_pii(text):
        assert text[f.start : f.end] == f.text  # offsets point at what the user wrote
    assert expected not in redact(text)


# A word after an identifier that a unit rule could read as a unit ("4989900814062 ns" is a quantity):
# the audit property test found "4000000000000002 b" (a list item "b)") undetected; the class is every
# identifier followed by a one-letter or case-only "unit", a Ukrainian word that starts like one, or a
# real unit after a number that is no count (a plus, a leading zero, 4-4-4-4 groups) or has its label.
UNIT_LOOKALIKES = [
    ("4000000000000002 b", "card", "4000000000000002"),
    ("card 4111111111111111 b/c it expired", "card", "4111111111111111"),
    ("card 4111111111111111 times out at checkout", "card", "4111111111111111"),
    ("4111 1111 1111 1111 B", "card", "4111 1111 1111 1111"),
    ("тел. +380671234567 разом з кодом", "phone", "+380671234567"),
    ("0671234567 записала на папірці", "phone", "0671234567"),
    ("call 4155550132 Ms Koval", "phone", "4155550132"),
    ("+1 415 555 0132 US", "phone", "+1 415 555 0132"),
    ("call 4155550132 tokens", "phone", "4155550132"),
    ("РНОКПП 3124167891 користувача", "tax_id", "3124167891"),
    ("РНОКПП 3124167891 разу не змінювався", "tax_id", "3124167891"),
    ("SSN 219-09-9999 s", "ssn", "219-09-9999"),
    ("ID card 123456789 users", "passport", "123456789"),
]


@pytest.mark.parametrize("text,kind,expected", UNIT_LOOKALIKES, ids=[t for t, _, _ in UNIT_LOOKALIKES])
def test_a_word_that_looks_like_a_unit_does_not_hide_an_identifier(text, kind, expected):
    assert (kind, expected) in [(f.kind, f.text) for f in detect_pii(text)]
    assert expected not in redact(text)


@pytest.mark.parametrize("text", [
    "took 4989900814062 ns", "The job processed 3124167891 tokens yesterday.", "Оброблено 3124167891 записів.",
    "Ми продали 3124167891 одиниць.", "A batch of 1 234 567 890 tokens.", "It ran 3124167891 times.",
])
def test_a_count_with_its_unit_stays_harmless(text):
    assert detect_pii(text) == []


# Found by the property tests with random seeds (test_glued_identifiers_never_reach_the_stand_in_cloud):
# a neighbouring number before a booklet turned its Cyrillic series into digits ("2024 ВВ821961" read as
# "2024 88821961"), and a series that is also a short word ("та", "то", "не") lost its "series" label
# when a list number, a link or base64 stood between them.
PASSPORT_NEIGHBOURS = [
    ("passport 2024 ВВ821961]", "ВВ821961"),
    ("паспорт 42 ВВ192537thanks", "ВВ192537"),
    ("passport 2024 ОВ565497 записала", "ОВ565497"),
    ("passport series #1 та 588032 5 US", "та 588032 5"),
    ("паспорт серії #1 то 262032 12 27:", "то 262032"),
    ("паспорт серії https://example.com/form?contact=%D1%82%D0%B0%20865933", "%D1%82%D0%B0%20865933"),
    ("passport series  0YLQsCAzOTQ4MjM= — and", "0YLQsCAzOTQ4MjM="),
]


@pytest.mark.parametrize("text,expected", PASSPORT_NEIGHBOURS, ids=[t for t, _ in PASSPORT_NEIGHBOURS])
def test_a_passport_after_a_neighbouring_number_or_inside_a_link_is_found(text, expected):
    found = [(f.kind, f.text) for f in detect_pii(text)]
    assert any(kind == "passport" and (expected in t or t in expected) for kind, t in found), found
    assert expected not in redact(text)


def test_a_short_word_and_six_digits_without_a_series_label_stay_harmless():
    assert detect_pii("Паспорт: замовлення на 123456 грн") == []
    assert detect_pii("Passport photos: та 588032 копій") == []


def test_normalised_view_maps_back_to_the_original():
    text = "тел.%2B380&#160;67\u200b123\n\n45 67, ok"
    view = normalize(text)
    assert view.text == "тел.+380 67123 45 67, ok"
    start, end = view.span(4, view.text.index(","))
    assert text[start:end] == "%2B380&#160;67\u200b123\n\n45 67"
    assert normalize("🙂 𝟎𝟔𝟕 🙂").text == "🙂 067 🙂"  # astral characters: emoji kept, maths digits folded
    assert detect_pii("🙂🙂🙂") == []
    plain = normalize("nothing to decode here")
    assert plain.starts is None and plain.span(3, 7) == (3, 7)


def test_the_issue_leak_is_closed_end_to_end():
    """The issue's leak: a complex prompt ending in 'тел.0671234567' went to the cloud."""
    prompt = "Проаналізуй крок за кроком і порівняй детально два тарифи для клієнта, тел.0671234567"
    with StandInCloud() as cloud:
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        decision = router.route(prompt)
        assert (decision.target, decision.fallback) == ("local", None), decision.explain()
        done = router.complete(prompt)  # the local side is a dead port: refuse, never the cloud
        assert done.target == "refuse" and cloud.requests == []
        harmless = "Проаналізуй крок за кроком і порівняй детально два тарифи для клієнта."
        assert router.route(harmless).target == "cloud"  # the same prompt without the phone does go


# --- false alarms -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "A model with 1000000000 parameters",
    "The job processed 3124167891 tokens yesterday.",  # passes the РНОКПП checksum; no context
    "Модель на 7000000000 параметрів",
    "Call 3.0671234567 a decimal, 0x0671234567 a hex value.",
    "Курс зріс до 41.0671234567 за день.",
    "An iPhone costs 1 599 USD; version 4.11.1111; build 20240312.",
])
def test_harmless_numbers_are_not_personal(text):
    assert detect_pii(text) == []


def test_tax_id_needs_checksum_and_context():
    assert [f.kind for f in detect_pii("РНОКПП 3124167891")] == ["tax_id"]
    assert [f.kind for f in detect_pii("3124167891 — мій ІПН")] == ["tax_id"]  # keyword after
    assert detect_pii("РНОКПП 3124167890") == []  # checksum fails
    assert detect_pii("Processed 3124167891 rows") == []  # checksum passes, no context


# --- Ukrainian parity -----------------------------------------------------------------------------

# The same sentences in both languages: personal health data (True) or not (False).
PARITY = [
    ("She has diabetes and takes insulin.", "У неї діабет, вона колеться інсуліном.", True),
    ("He takes metformin every day.", "Він приймає метформін щодня.", True),
    ("My mother was diagnosed with asthma.", "Моїй мамі діагностували астму.", True),
    ("His daughter has epilepsy.", "У його доньки епілепсія.", True),
    ("The patient suffers from migraines.", "Пацієнт страждає на мігрені.", True),
    ("My grandson is allergic to penicillin.", "Мій онук має алергію на пеніцилін.", True),
    ("Our colleague was hospitalised with pneumonia.", "Колегу госпіталізували з пневмонією.", True),
    ("Her husband had a heart attack last year.", "Її чоловік переніс інфаркт торік.", True),
    ("They take statins for high cholesterol.", "Вони приймають статини через холестерин.", True),
    ("Grandma is treated with warfarin.", "Бабуся лікується варфарином.", True),
    ("I have been taking sertraline since May.", "Я приймаю сертралін з травня.", True),
    ("What is asthma and why is it dangerous?", "Що таке астма і чим вона небезпечна?", False),
    ("What are the symptoms of diabetes?", "Які симптоми діабету?", False),
    ("How does ibuprofen work?", "Як працює ібупрофен?", False),
    ("Statins lower cholesterol; how do they work?", "Статини знижують холестерин; як вони діють?", False),
    ("Diabetes: what are its complications?", "Діабет: які його ускладнення?", False),
]


@pytest.mark.parametrize("en,uk,personal", PARITY, ids=[p[0][:30] for p in PARITY])
def test_same_sentence_same_finding_in_both_languages(en, uk, personal):
    kinds_en = {f.kind for f in detect_pii(en)}
    kinds_uk = {f.kind for f in detect_pii(uk)}
    assert kinds_en == kinds_uk == ({"health"} if personal else set()), (kinds_en, kinds_uk)


@pytest.mark.parametrize("en,uk", CUE_PAIRS, ids=[pair[0][0] for pair in CUE_PAIRS])
def test_every_english_cue_has_ukrainian_forms(en, uk):
    assert en and uk
    word = re.sub(r"\[(.)[^\]]*\]", r"\1", uk[0].replace("\\w*", ""))  # a concrete word from the pattern
    en_text = f"Note: {en[0]} ... asthma."
    uk_text = f"Примітка: {word} ... астма."
    assert [f.kind for f in detect_pii(en_text)] == ["health"], en_text
    assert [f.kind for f in detect_pii(uk_text)] == ["health"], uk_text
