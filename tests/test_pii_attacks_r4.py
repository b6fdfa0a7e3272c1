"""Issue 11, round 4: an outside attacker's findings (each input here failed before its fix).

Lists of one-digit numbers (label vectors, grades, one digit a line) read as phones and cards and cost
300x a normal prompt; pasted shell output (df, ps, numpy matrices, port lists) read as phones and
cards; decoded payloads not normalised; dates of birth, labels and health cues in forms real text uses.
"""

from __future__ import annotations

import base64
import json
import random
from urllib.parse import quote, quote_plus

import pytest
from pii_attack_helpers import best_cpu_seconds

from labs.router.pii import detect_pii, redact


def _kinds(text: str) -> set[str]:
    return {f.kind for f in detect_pii(text)}


# --- 1. lists of one-digit numbers: no false alarm, linear time ---------------------------------------
def _lists(rng: random.Random) -> dict[str, str]:
    def row(lo: int, hi: int, n: int, sep: str = " ") -> str:
        return sep.join(str(rng.randint(lo, hi)) for _ in range(n))

    return {
        "binary labels": "labels: " + row(0, 1, rng.randint(10, 30)),
        "y_pred": "y_pred = [" + row(0, 1, rng.randint(10, 30)) + "]",
        "grades": "Оцінки учнів: " + row(2, 5, rng.randint(10, 20)),
        "dice": "Rolls: " + row(1, 6, rng.randint(10, 20)),
        "class ids": "predicted classes " + row(0, 9, rng.randint(10, 20)),
        "one a line": "Поясни вивід:\n" + row(0, 9, rng.randint(10, 40), "\n"),
        "sum": "Порахуй " + row(10, 99, rng.randint(8, 40), "+"),
    }


def test_lists_of_one_digit_numbers_are_no_phones_or_cards():
    rng = random.Random(4)
    flagged = {}
    for _ in range(200):
        for name, text in _lists(rng).items():
            if detect_pii(text):
                flagged.setdefault(name, text)
    assert not flagged, flagged  # 93-100% of them were phones or cards


@pytest.mark.parametrize("text", [
    "labels: 1 0 1 1 0 0 0 0 1 1 0 0 1 1 0 0 1",
    "y_pred = [1 1 0 0 1 1 0 1 1 1 0 1 0 0]",
    "Оцінки учнів: 3 4 5 4 5 5 4 5 2 5 3 5 2 3 3 4 2",
    "Rolls: 3 1 5 4 4 6 3 5 5 3 4 1 5 1 2 5 6 3 4",
    "seeds 0 1 2 3 4 5 6 7 8 9",
])
def test_the_attackers_digit_lists_are_no_personal_data(text):
    assert detect_pii(text) == []


@pytest.mark.parametrize("text,kind", [
    ("тел. 0 6 7 1 2 3 4 5 6 7", "phone"),
    ("мій номер 0 6 7 1 2 3 4 5 6 7", "phone"),
    ("+ 3 8 0 6 7 1 2 3 4 5 6 7", "phone"),
    ("card: 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "card"),
    ("ІПН: 3 1 2 4 1 6 7 8 9 1", "tax_id"),
    ("labels: " + "1 0 " * 60 + "тел. 0 6 7 1 2 3 4 5 6 7", "phone"),
])
def test_a_number_spelled_one_digit_a_group_after_its_label_is_still_found(text, kind):
    assert kind in _kinds(text), detect_pii(text)


@pytest.mark.parametrize("text", [
    # df, ps, free -m, a numpy matrix, ports, a TSV of run ids: columns of numbers, not phones or cards
    "Filesystem     1K-blocks      Used Available Use% Mounted on\n/dev/nvme0n1p1 845323409 86 23 1% /mnt/d1",
    "  PID  PPID   VSZ   RSS CMD\n  688 9864257 1234 python train.py",
    "Mem:      380804      245598      1234",
    "[[1743  262 4689 1234]\n [  12 3456 7890 1111]]",
    "[[ 135 1368 2182 8843  286 8205]\n [9387 8138 8807 3246]\n [9976  675  887 4423]]",
    "[[2279 4756 2802 4242  481  827]\n [ 194  799  997 7379]]",
    "open ports 5432 8080 443 8000 5432",
    "open ports 443 80 8080 3000",
    "open ports 5432 8080 5432 6379 3000 5432",
    "run_id\tseed\tsteps\n2505\t56406679\n9843\t12\t5000",
    "Поясни вивід:\n51569706 45586376 1% /mnt/d2",
])
def test_pasted_shell_output_is_no_personal_data(text):
    assert detect_pii(text) == []


@pytest.mark.parametrize("text,kind", [
    ("2024 4539 1488 0343 6467", "card"),  # a year before a card is no row of numbers
    ("SSN 443 80 8080", "ssn"),
    ("Bob\t415\t5550132\tNY", "phone"),
    ("call 1 415 555 0132", "phone"),
    ("8 (067) 123-45-67", "phone"),
    ("380 67 123 45 67", "phone"),
])
def test_tightened_shapes_still_find_real_numbers(text, kind):
    assert kind in _kinds(text), detect_pii(text)


def _best_ratio(text: str, base: str, repeat: int = 9) -> float:
    """Best time for ``text`` over best time for ``base`` (CPU time, measured in turns)."""
    t_text, t_base = best_cpu_seconds(detect_pii, [text, base], repeat)
    return t_text / t_base


@pytest.mark.parametrize("make,layout", [
    (lambda rng, n: "labels: " + " ".join(rng.choice("01") for _ in range(n // 2)), str),
    # one number a line against the same prose one word a line: what a line break costs (a window read again
    # across it, pii._across_breaks) is paid alike, so the ratio is what the numbers cost (measured 2026-12-01:
    # 2.0x; against flowing prose the line breaks alone made it 9x, near the bound, as prose got faster)
    (lambda rng, n: "\n".join(rng.choice("0123456789") for _ in range(n // 2)), lambda text: "\n".join(text.split())),
    (lambda rng, n: "+".join(str(rng.randint(10, 99)) for _ in range(n // 3)), str),
], ids=["labels", "one a line", "plus"])
def test_a_list_of_short_numbers_costs_about_as_much_as_prose(make, layout):
    """Measured against prose of the same length and layout in this test (a ratio: any machine). It was 300x."""
    rng = random.Random(1)
    para = "Поясни, як налаштувати маршрутизацію запитів між локальною моделлю та хмарою, щоб зменшити витрати. "
    n = 40_000
    prose = layout((para * (n // len(para) + 1))[:n])
    ratio = _best_ratio(make(rng, n), prose)
    assert ratio < 10, f"{ratio:.1f}x prose"  # about 1-2x here


# --- 2. decoded payloads go through the same normalisation as plain text -----------------------------
def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


_TYPOGRAPHY = {"nbsp": "\u00a0", "narrow nbsp": "\u202f", "thin": "\u2009", "soft hyphen": "\u00ad", "zwsp": "\u200b"}
_ENCODINGS = {
    "b64": _b64,
    "b64url": _b64url,
    "b64 in json": lambda t: json.dumps({"data": _b64(t)}),
    "b64 in a link": lambda t: "https://example.com/?d=" + quote(_b64(t), safe=""),
    "data uri": lambda t: "data:text/plain;base64," + _b64(t),
}
_ITEMS = [("картка {}", "4149 4999 1234 5673", "card"), ("тел.{}", "067 123 45 67", "phone"),
          ("паспорт {}", "МК 123456", "passport"), ("ІПН {}", "3124167891", "tax_id")]


@pytest.mark.parametrize("enc", list(_ENCODINGS))
@pytest.mark.parametrize("space", list(_TYPOGRAPHY))
def test_typography_inside_an_encoded_payload_is_normalised_as_in_plain_text(enc, space):
    missed = []
    for label, value, kind in _ITEMS:
        plain = label.format(value).replace(" ", _TYPOGRAPHY[space])
        if space == "zwsp":
            plain = "\u200b".join(label.format(value))
        text = "Поясни детально крок за кроком і порівняй варіанти: " + _ENCODINGS[enc](plain)
        if kind not in _kinds(text):
            missed.append((kind, text))
    assert not missed, missed


@pytest.mark.parametrize("text,kind", [
    ("дата народження: " + _b64("12 березня 1985 року"), "dob"),
    ("Поясни: " + quote(_b64("У неї діабет, вона колеться інсуліном.")), "health"),
    ('{"e": "o\\u200bl\\u200be\\u200bn\\u200ba@ukr.net"}', "email"),
    ('{"i": "UA21\\u200b3223\\u200b1300\\u200b0002\\u200b6007\\u200b2335\\u200b6600\\u200b1"}', "iban"),
    # form encoding ("+" for a space) with no key=value around it
    ("Поясни маршрут: адреса: " + quote_plus("вул. Хрещатик, 22, кв. 5"), "address"),
    ("address: 12+Baker+Street%2C+Apt+5", "address"),
    ("born: March+12%2C+1985", "dob"),
    ("Hi! birthday: 12+June+2005 . Explain step by step", "dob"),
    ("доставка на: " + quote_plus("Київ, просп. Перемоги, буд. 51, кв. 61"), "address"),
    ("доставка на: " + quote_plus("м. Одеса, вул. Городоцька 47"), "address"),
    ("дата народження: 12+%D0%B1%D0%B5%D1%80%D0%B5%D0%B7%D0%BD%D1%8F+1985+%D1%80%D0%BE%D0%BA%D1%83", "dob"),
    (quote_plus("Мій телефон 067 123 45 67"), "phone"),
    (quote_plus("тел. 067 123 45 67"), "phone"),
])
def test_decoded_layers_are_read_like_plain_text(text, kind):
    assert kind in _kinds(text), detect_pii(text)


# --- 3. dates of birth as forms and wrapped text write them; wrapped e-mail addresses ----------------
@pytest.mark.parametrize("text,date", [
    ("дата народження 12031985", "12031985"),
    ("DOB 19850312", "19850312"),
    ("дата народження: 12.III.1985", "12.III.1985"),
    ("д.н.: 12 бер. 1985", "12 бер. 1985"),
    ("born Mar. 12, 1985", "Mar. 12, 1985"),
    ("народився 12-го березня 1985-го", "12-го березня 1985-го"),
    ("born March 12th, 1985", "March 12th, 1985"),
    ("дата народження 12.03.\n1985", "12.03.\n1985"),
    ("born 12/03/\n1985", "12/03/\n1985"),
    ("дата народження 12.\n03.1985", "12.\n03.1985"),
    ("DOB 1985-03-\n12", "1985-03-\n12"),
    ("дата народження 12.03.19\n85", "12.03.19\n85"),
])
def test_dates_of_birth_in_the_forms_real_text_uses(text, date):
    assert ("dob", date) in [(f.kind, f.text) for f in detect_pii(text)], detect_pii(text)


@pytest.mark.parametrize("text", ["DOB 99999999", "Order 12031985 shipped", "Build 20240312 passed"])
def test_eight_digits_are_a_birth_date_only_as_a_valid_date_after_a_birth_cue(text):
    assert "dob" not in _kinds(text)


@pytest.mark.parametrize("text,masked", [
    ("пишіть olena.koval@ukr.\nnet", "пишіть [EMAIL]"),
    ("пишіть olena.\nkoval@ukr.net", "пишіть [EMAIL]"),
])
def test_an_address_wrapped_after_a_dot_is_masked_whole(text, masked):
    assert redact(text) == masked


# --- 4. labels glued to their values ------------------------------------------------------------------
@pytest.mark.parametrize("text,kind,value", [
    ("паспорт серіїFF 914526", "passport", "FF 914526"),
    ("passportEK634734", "passport", "EK634734"),
    ("ID cardОН794556", "passport", "ОН794556"),
    ("номер паспортаFF 472058", "passport", "FF 472058"),
    ("I live at6423 Baker Street, Apt 13", "address", "6423 Baker Street, Apt 13"),
    ("живу навул. Хрещатик, 17, кв. 290", "address", "вул. Хрещатик, 17, кв. 290"),
    ("bornOctober 8, 2006", "dob", "October 8, 2006"),
    ("birthdayJanuary 30, 1950 а", "dob", "January 30, 1950"),
    ("seeвулиця Шевченка, 72, кв. 239 з", "address", "вулиця Шевченка, 72, кв. 239"),
    ("проживаю за адресоювулиця Шевченка, 64, кв. 199ok", "address", "вулиця Шевченка, 64, кв. 199"),
    ("my e-mailoleh@gmail.com", "email", "e-mailoleh@gmail.com"),  # "e-mailoleh" is no base64 of text
    ("e-mailolena@ukr.net", "email", "e-mailolena@ukr.net"),
    ("ID number 001234567", "passport", "001234567"),
    ("national ID 001234567", "passport", "001234567"),
])
def test_a_label_glued_to_its_value_still_labels_it(text, kind, value):
    assert (kind, value) in [(f.kind, f.text) for f in detect_pii(text)], detect_pii(text)


@pytest.mark.parametrize("text", ["Job ID number 123456789 failed", "model v2 Baker Street", "Ollama 0.5 on port 11434"])
def test_glued_label_rules_keep_technical_text_clean(text):
    assert detect_pii(text) == []


# --- 5. health data: the same findings in English and Ukrainian ---------------------------------------
HEALTH_PAIRS = [
    ("У тещі астма.", "My mother-in-law has asthma."),
    ("У тестя інсульт.", "My father-in-law had a stroke."),
    ("У свекрухи виявили рак.", "They found cancer in my mother-in-law."),
    ("В учениці епілепсія.", "The pupil has epilepsy."),
    ("У студента діабет.", "The student has diabetes."),
    ("Він лікується від ВІЛу.", "He is being treated for HIV."),
    ("Маю ВІЛ-інфекцію.", "I have an HIV infection."),
    ("Чоловік отримав контузію на фронті.", "My husband got a concussion at the front."),
    ("У брата ампутація.", "My brother had an amputation."),
    ("Брат без ноги після поранення.", "My brother lost a leg in the war."),
    ("Олена вагітна.", "Olena is pregnant."),
    ("Я переніс інсульт торік.", "I had a stroke last year."),
    ("Тато в реанімації після аварії.", "My dad is in the ICU after the accident."),
    ("Я на метадоні.", "I am on methadone."),
]


@pytest.mark.parametrize("uk,en", HEALTH_PAIRS)
def test_health_about_a_person_is_found_in_both_languages(uk, en):
    assert "health" in _kinds(uk), uk
    assert "health" in _kinds(en), en


@pytest.mark.parametrize("text", [
    "Set stroke-width to 2 in the SVG.", "A stroke of genius.", "Як працює метадонова терапія?",
    "What is the ICU bed occupancy in Ukraine?", "Модель має 8B параметрів.", "Тест на ВІЛ-інфекцію: як він працює?",
    "Metformin is a drug for diabetes.",
])
def test_health_words_without_a_person_stay_clean(text):
    assert "health" not in _kinds(text)


# --- 6. tables: an ID-card column, birth dates with a month name --------------------------------------
def test_every_row_of_an_id_card_column_is_masked():
    rows = [f"Коваль Олена {i}\t00{1234560 + 7 * i}" for i in range(6)]
    masked = redact("Зведи таблицю:\nПІБ\tНомер ID-картки\n" + "\n".join(rows))
    assert all(row.split("\t")[1] not in masked for row in rows), masked


def test_birth_dates_with_a_month_name_in_a_birth_date_column_are_masked():
    rows = [f"Коваль Олена {i}\t{i + 1} грудня 197{i} р." for i in range(5)]
    masked = redact("Зведи таблицю:\nПІБ\tДата народження\n" + "\n".join(rows))
    assert "грудня" not in masked, masked


# --- 6. numbers read out in words (call transcripts, voice input) -------------------------------------
@pytest.mark.parametrize("text,kind", [
    ("мій номер нуль шість сім один два три чотири п'ять шість сім", "phone"),
    ("My number is zero six seven one two three four five six seven", "phone"),
    ("Мій ІПН: три один два чотири один шість сім вісім дев'ять один", "tax_id"),
    ("мій номер нуль шістдесят сім, сто двадцять три, сорок п'ять, шістдесят сім", "phone"),
    ("тел. 067 сто двадцять три 45 67", "phone"),
    ("card four one one one one one one one one one one one one one one one", "card"),
])
def test_a_number_read_out_in_words_after_its_label_is_found(text, kind):
    assert kind in _kinds(text), detect_pii(text)


@pytest.mark.parametrize("text", [
    "one two three four five six seven eight nine ten, count with me",
    "Порахуй: один два три чотири п'ять шість сім вісім дев'ять десять",
    "Someone on the phone said one, two, three, four, five, six times",
])
def test_counting_in_words_is_no_personal_data(text):
    assert detect_pii(text) == []


def test_a_bench_row_of_numbers_holds_no_us_phone():
    assert detect_pii("2163 944 633 5483 1564 6841 8397 9408") == []


@pytest.mark.parametrize("text", [" options in detail: 53386\r\n93644304648: Then", ":86002509354\u202830643— Design"])
def test_a_card_wrapped_into_two_long_parts_is_still_one(text):
    # two long numbers side by side are df's columns; a line break between them is a wrapped card
    assert "card" in _kinds(text), detect_pii(text)


def test_a_bench_row_after_a_far_year_holds_no_card():
    assert detect_pii("2426 2075 2463 2367 6308 5897 159 3693") == []


@pytest.mark.parametrize("text,kind", [("taras_shevchuk+lab@mail.example.org", "email"), ("тел.+380671234567", "phone")])
def test_a_plus_that_is_typed_stays_a_plus(text, kind):
    assert kind in _kinds(text)
