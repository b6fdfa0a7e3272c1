"""The PII detector (lesson 3): every kind, positives and hard negatives, English and Ukrainian."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import detect_pii, redact, regex_detector
from labs.router.pii import Finding, resolve
from labs.router.validators import (
    iban_ok,
    luhn_digit,
    luhn_ok,
    make_iban,
    make_rnokpp,
    rnokpp_birth_date,
    rnokpp_ok,
    ssn_ok,
)

RNOKPP = make_rnokpp(dt.date(1987, 4, 2), 4512)
UA_IBAN = make_iban("UA", "3052990000026007015012345")

# (text, kind, the exact text that must be found)
POSITIVES = [
    ("Write to olena.koval@example.com about the invoice.", "email", "olena.koval@example.com"),
    ("Напишіть на taras_shevchuk+lab@mail.example.org, будь ласка.", "email", "taras_shevchuk+lab@mail.example.org"),
    ("Call me on +380 67 123 45 67 tomorrow.", "phone", "+380 67 123 45 67"),
    ("Мій номер 067-123-45-67, дзвоніть після 18:00.", "phone", "067-123-45-67"),
    ("Телефон: (044) 234 56 78.", "phone", "(044) 234 56 78"),
    ("Номер 0501234567, Viber є.", "phone", "0501234567"),
    ("Whatsapp 380931112233 please", "phone", "380931112233"),
    ("Our London desk: +44 20 7946 0958.", "phone", "+44 20 7946 0958"),
    ("Reach John at (415) 555-0132 or the office.", "phone", "(415) 555-0132"),
    ("Cell: 415-555-0199", "phone", "415-555-0199"),
    ("Pay with 4111 1111 1111 1111, exp 12/27.", "card", "4111 1111 1111 1111"),
    ("Картка 5555-5555-5555-4444, CVV не надсилаю.", "card", "5555-5555-5555-4444"),
    ("Amex 3782 822463 10005 was declined.", "card", "3782 822463 10005"),
    ("card number 4000056655665556", "card", "4000056655665556"),
    (f"IBAN {UA_IBAN}, ПриватБанк.", "iban", UA_IBAN),
    ("Переказ на DE89370400440532013000 до п'ятниці.", "iban", "DE89370400440532013000"),
    ("Account GB82 WEST 1234 5698 7654 32.", "iban", "GB82 WEST 1234 5698 7654 32"),
    (f"Мій РНОКПП {RNOKPP}.", "tax_id", RNOKPP),
    (f"ІПН: {RNOKPP}, прошу оформити.", "tax_id", RNOKPP),
    (f"Tax ID {RNOKPP} for the contractor.", "tax_id", RNOKPP),
    (f"Ось номер {RNOKPP}, заповніть декларацію.", "tax_id", RNOKPP),  # no keyword, but plausible birth date
    ("Паспорт МК 123456, виданий Шевченківським РВ.", "passport", "МК 123456"),
    ("паспорт серії КВ №654321", "passport", "КВ №654321"),
    ("ID-картка 001234567, дійсна до 2030 року.", "passport", "001234567"),
    ("My passport number is FE123456.", "passport", "FE123456"),
    ("SSN 219-09-9999 on the W-2 form.", "ssn", "219-09-9999"),
    ("my social security number is 219 09 9999", "ssn", "219 09 9999"),
    ("Мій американський SSN 219-09-9999, як подати декларацію?", "ssn", "219-09-9999"),
    ("Дзвоніть на 8 (067) 412-38-90 у будні.", "phone", "8 (067) 412-38-90"),
    ("Новий номер Олі: 097 318 2245.", "phone", "097 318 2245"),
    ("рахунок ua21 3223 1300 0002 6007 2335 6600 1 — перевір", "iban", "ua21 3223 1300 0002 6007 2335 6600 1"),
    ("She was born on 12.03.1985 in Lviv.", "dob", "12.03.1985"),
    ("Дата народження: 5 березня 1990 р.", "dob", "5 березня 1990"),
    ("DOB: 1985-03-12", "dob", "1985-03-12"),
    ("born March 5, 1990", "dob", "March 5, 1990"),
    ("Іваненко Петро, 14.07.1979 р.н., проживає у Києві", "dob", "14.07.1979"),
    ("My mother was diagnosed with type 2 diabetes.", "health", "diabetes"),
    ("I take sertraline every morning.", "health", "sertraline"),
    ("У мене астма, приймаю сальбутамол.", "health", "астма"),
    ("Пацієнтка Олена Коваленко скаржиться на мігрень.", "health", "мігрень"),
    ("Olena Kovalenko is pregnant and asks about her leave.", "health", "pregnant"),
    ("Мій чоловік переніс інфаркт торік.", "health", "інфаркт"),
]

# Personal-looking numbers that are not personal: nothing may be found.
HARD_NEGATIVES = [
    "The RTX 4090 costs $1,599 and draws 450 W.",
    "SmolLM2 has 135M parameters; Llama 3.1 comes in 8B and 70B.",
    "Upgrade from version 2.4.1 to 3.11.7 before 2025-06-30.",
    "Order #48213377 shipped; tracking number 1Z999AA10123456784.",
    "Order number 0671234567 is delayed.",
    "Invoice 4111111111111111 is overdue.",
    "Ціна 1 599 грн, замовлення № 48213377, ТТН 20450012345678.",
    "Версія 1.2.3 вийшла 12.03.2025.",
    "The meeting is on 12.03.2025 at 10:30 in room 4.",
    "Revenue grew from 1,234,567 to 2,345,678 between 2019 and 2024.",
    "A100 80 GB costs 8,000-15,000 USD used; H100 25,000-40,000.",
    "Random 16 digits 1234 5678 9012 3456 fail the Luhn check.",
    "IBAN-shaped but wrong: DE89 3704 0044 0532 0130 01.",
    "ISBN 978-3-16-148410-0 is on the back cover.",
    "Decode speed is 112 t/s at 4.92 GB, pp 3807 t/s.",
    "Python 3.11 released in October 2022; PEP 8 is from 2001.",
    "What is the mechanism of action of metformin?",
    "Explain how insulin regulates blood sugar, for a biology class.",
    "The Great Depression began in 1929.",
    "Що таке цукровий діабет і які його симптоми?",
    "Як працює ібупрофен?",
    "Call the function with timeout=30000 and retries=3.",
    "Port 11434 and 8080; PID 123456 exited with code 137.",
    "The SSN format is AAA-GG-SSSS; 666-12-3456 is never issued.",
    "Coordinates 50.4501, 30.5234 mark the centre of Kyiv.",
    "user@localhost and @username are not e-mail addresses.",
    "Номер замовлення 0671234567 — як відстежити посилку?",
    "Рахунок-фактура № 2024-0117 на суму 12 500 грн.",
    "Код помилки 0x80070005, збірка 20240312, порт 8080.",
    "Координати 50.4501, 30.5234; населення 2 952 301 особа (2022).",
    "Перетворіть unix-час 1718035204 на дату.",  # passes the РНОКПП checksum: context rules it out
    "Convert the unix timestamp 1718035204 to a date.",
    "Що таке астма і чим вона небезпечна?",
]


@pytest.mark.parametrize("text,kind,expected", POSITIVES, ids=[f"{k}-{i}" for i, (_, k, _) in enumerate(POSITIVES)])
def test_finds_each_kind(text, kind, expected):
    found = [(f.kind, f.text) for f in detect_pii(text)]
    assert (kind, expected) in found, found


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_not_personal(text):
    assert detect_pii(text) == []


def test_offsets_point_at_the_text():
    text = "Olena (olena@example.com, +380 67 123 45 67) was born on 12.03.1985; card 4111 1111 1111 1111."
    found = detect_pii(text)
    assert [f.kind for f in found] == ["email", "phone", "dob", "card"]
    for f in found:
        assert text[f.start : f.end] == f.text


def test_iban_beats_the_digits_inside_it():
    found = detect_pii(f"рахунок {UA_IBAN}")
    assert [(f.kind, f.text) for f in found] == [("iban", UA_IBAN)]


def test_health_needs_a_person_unless_an_identifier_is_there():
    assert detect_pii("Metformin is a first-line treatment for type 2 diabetes.") == []
    kinds = {f.kind for f in detect_pii("Metformin for type 2 diabetes, patient file olena@example.com")}
    assert kinds == {"health", "email"}


def test_redact_uses_typed_placeholders():
    text = "Olena, olena@example.com, +380 67 123 45 67, IBAN DE89370400440532013000, born 12.03.1985, has asthma."
    assert redact(text) == "Olena, [EMAIL], [PHONE], IBAN [IBAN], born [DOB], has [HEALTH]."
    assert redact("nothing personal, version 1.2.3") == "nothing personal, version 1.2.3"


def test_extra_detector_plugs_in():
    ip = regex_detector("ip", r"\b\d{1,3}(?:\.\d{1,3}){3}\b", validate=lambda s: all(int(p) < 256 for p in s.split(".")))
    found = detect_pii("Server 10.20.30.40 logged olena@example.com", extra=[ip])
    assert [f.kind for f in found] == ["ip", "email"]
    assert redact("from 10.20.30.40", extra=[ip]) == "from [IP]"


def test_detect_pii_rejects_non_text():
    with pytest.raises(ValueError, match="needs a str"):
        detect_pii(12345)


def test_resolve_prefers_priority_then_length():
    a = Finding("phone", 0, 10, "x" * 10, 50)
    b = Finding("iban", 2, 20, "y" * 18, 90)
    c = Finding("email", 25, 30, "z" * 5, 60)
    assert resolve([a, b, c]) == [b, c]


# --- validators -------------------------------------------------------------------------------

def test_validators_known_values():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")
    assert not iban_ok("UA21 3223")  # too short
    assert rnokpp_ok(RNOKPP) and rnokpp_birth_date(RNOKPP) == dt.date(1987, 4, 2)
    assert ssn_ok("219-09-9999") and not ssn_ok("000-12-3456") and not ssn_ok("219-09-0000")
    with pytest.raises(ValueError, match="0..9999"):
        make_rnokpp(dt.date(1990, 1, 1), 10_000)


@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_luhn_digit_completes_any_number(partial):
    assert luhn_ok(partial + luhn_digit(partial))


@settings(max_examples=60)
@given(st.text(alphabet="0123456789", min_size=25, max_size=25))
def test_made_ibans_validate_and_are_found(bban):
    iban = make_iban("UA", bban)
    assert iban_ok(iban)
    assert [(f.kind, f.text) for f in detect_pii(f"Рахунок {iban} у банку")] == [("iban", iban)]


@settings(max_examples=60)
@given(st.dates(dt.date(1920, 1, 1), dt.date(2005, 12, 31)), st.integers(0, 9999))
def test_made_rnokpp_validate_and_are_found_with_a_keyword(birth, serial):
    code = make_rnokpp(birth, serial)
    assert rnokpp_ok(code) and rnokpp_birth_date(code) == birth
    assert [(f.kind, f.text) for f in detect_pii(f"РНОКПП {code}")] == [("tax_id", code)]


@settings(max_examples=60)
@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_luhn_valid_visa_numbers_are_found_grouped_or_not(body):
    number = "4" + body
    number += luhn_digit(number)
    grouped = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    for form in (number, grouped, grouped.replace(" ", "-")):
        assert [(f.kind, f.text) for f in detect_pii(f"card {form} please")] == [("card", form)]


# --- the labelled prompt set --------------------------------------------------------------------

def test_labelled_prompts_are_consistent():
    from labs.router.evaluate import load_prompts
    from labs.router.pii import KINDS

    rows = load_prompts()
    assert len(rows) >= 150 and len({r["id"] for r in rows}) == len(rows)
    assert {r["lang"] for r in rows} == {"en", "uk"}
    assert min(sum(r["lang"] == lang and r["sensitive"] for r in rows) for lang in ("en", "uk")) >= 40
    assert sum(r["category"].startswith("hard_negative") for r in rows) >= 40
    for r in rows:
        assert r["sensitive"] == bool(r["pii"])
        assert r["complexity"] in ("simple", "complex")
        assert r["expected_route"] == ("local" if r["sensitive"] or r["complexity"] == "simple" else "cloud")
        for span in r["pii"]:
            assert span["kind"] in KINDS and r["text"][span["start"] : span["end"]] == span["text"], (r["id"], span)
            digits = "".join(ch for ch in span["text"] if ch.isdigit())
            if span["kind"] == "card":
                assert luhn_ok(digits), r["id"]
            if span["kind"] == "iban":
                assert iban_ok(span["text"]), r["id"]
            if span["kind"] == "tax_id":
                assert rnokpp_ok(span["text"]), r["id"]
            if span["kind"] == "ssn":
                assert ssn_ok(span["text"]), r["id"]
    kinds = {span["kind"] for r in rows for span in r["pii"]}
    assert kinds == set(KINDS)


def test_detector_scores_on_the_labelled_prompts():
    from labs.router.evaluate import detection_table, load_prompts, router_policy, score_policy

    rows = load_prompts()
    table = detection_table(rows)
    assert table.loc["ALL", "recall"] >= 0.95 and table.loc["ALL", "precision"] >= 0.95, table
    score = score_policy(router_policy, rows)
    assert score.leaks == 0, [r for r in score.per_row if r["leak"]]
    assert score.accuracy >= 0.9
