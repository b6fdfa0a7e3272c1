"""Issue 11, attack round 10 (/work/attacks/issue11-r10/FINDINGS.md): the round-9 rules read harmless text as personal
data (section B), and a name then a birth date leaked in other date formats (section A1). Each false alarm that was
flagged is tested as not flagged, each class of harmless text is generated (seeded) and must stay under 1% flagged, and
the personal data the rules exist for is still found (lesson 3). All identifiers are synthetic."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from labs.router import detect_pii
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect_pii(text)]


# --- each input below was flagged at e8ffb7c (r10 section B) -------------------------------------------------------
WAS_FLAGGED = {
    "B1": ["Я голосую за Postgres, а не Mongo.", "Олена голосує за React.",
           "Тарас проголосував за перенесення стендапу на 10:30.", "Taras votes for tabs, Olena votes for spaces.",
           "Депутат Гончаренко голосував за законопроєкт №5490.",
           "She's a member of the party planning committee (The Office).",
           "Михайло Грушевський — член Української партії соціалістів-революціонерів. Поясни її програму.",
           "Lincoln was a member of the Republican Party. Explain its 1860 platform.",
           "Yulia Tymoshenko, leader of the Batkivshchyna, voted for the measure in 2019.",
           "Петро Порошенко — член партії «Європейська Солідарність». Коротка біографія.",
           "The Verkhovna Rada voted for the 2025 budget on Thursday, with 252 in favour.",
           "Верховна Рада проголосувала за Зеленського: 254 голосів «за».",
           "Keir Starmer is a member of the Labour Party. Explain the party's platform.",
           "Олена голосувала за нову назву проєкту."],
    "B2": ["Юрій Гагарін, 12.04.1961 — перший політ у космос. Напиши есе про цю подію.",
           "Timeline: Михайло Грушевський — 23 January 1944 — Третій Універсал.",
           "Подія: Іван Мазепа 6 листопада 1943 року — Полтавська битва.", "Quiz: Іван Мазепа, 04/12/1999. What happened?",
           "Протокол наради\nДоповідач: Олена Кравченко, 22.09.2007\nПитання: бюджет на Q3.",
           "Оксана Бондаренко, 13 березня 2007: перенесли реліз на тиждень.",
           "Андрій Шевченко, 29.11.2002: 2:4 проти Ворскла.", "Тарас Шевчук 24.12.2015 14:34\nЗадеплоїв на стейдж."],
    "B3": ["Олена — староста, у неї 3 група.", "У садочку в сина 2 група.", "Яка в тебе підгрупа? У мене 3 група."],
    "B4": ['{"login": "ci-bot", "id": 3526831}', '{"owner": {"login": "microsoft", "type": "Organization"}}',
           '{"login": "test_user", "password": "test"}', '{"login": "user648", "role": "viewer"}  // fixture'],
    "B5": ["^d841079 (John Melnyk 2010-02-27 06:56:02 +0300 354) def f():", "Kate Shevchuk 2015-02-23 09:04 merged PR #4749"],
    "B6": ["ports 6102:8126:4843:7202"],
}


@pytest.mark.parametrize("prompt", [p for ps in WAS_FLAGGED.values() for p in ps])
def test_a_false_alarm_of_round_10_is_not_flagged(prompt):
    assert _kinds(prompt) == [], prompt


# --- what the rules exist for is still found -------------------------------------------------------------------------
STILL_FOUND = {
    "Я голосував за Порошенка.": "special", "Olena voted for Trump.": "special",
    "Моя мама голосує за «Слугу народу».": "special", "Тарас голосував за кандидата від опозиції.": "special",
    "Петро проголосував за партію «Батьківщина».": "special", "My neighbour votes for the Conservatives.": "special",
    "Олена Тимошенко — член партії «Батьківщина».": "special",  # a private namesake of a politician
    "Maria is a member of the Labour party since 2010.": "special",
    "Моя мама — донор, у неї 3 група.": "health", "У тата 2 група крові.": "health",
    '{"user": {"id": 512345678, "login": "taras_sh"}}': "handle", '{"login": "olena-k", "name": "Olena Koval"}': "handle",
    "Тарас Шевчук 3563104757": "tax_id", "card 5168:5124:2071:3761": "card",
    "Петро Бондаренко, 10.09.1971": "dob",
}


@pytest.mark.parametrize("prompt,kind", STILL_FOUND.items())
def test_the_personal_data_behind_each_rule_is_still_found(prompt, kind):
    assert kind in [k for k, _ in _kinds(prompt)], prompt


# --- A1: a birth date after a full name in every common format; a child's only in a list of people -----------------
BIRTH_DATES = {
    "Olena Koval, 1985-03-12": "1985-03-12",
    "John Smith, March 12, 1985": "March 12, 1985",
    "Тарас Шевчук, 12.03.85": "12.03.85",
    "Олена Коваль 1985.03.12": "1985.03.12",
    "Список 3-А класу:\n1. Марія Шевчук, 17.03.2016\n2. Марія Гончар, 22.12.2020": "17.03.2016",
    "ПІБ;Дата\nМельник Петро;06.01.2019": "06.01.2019",
}
NOT_BIRTH_DATES = ["Meeting notes — Emma Brown, 2015-03-01: agreed on the API freeze.", "Python 3.10.11",
                   "Олена Коваль, версія 12.03.85 2:1", "Олена Коваль, 2021-11-25 14:02 оновила дашборд",
                   "Артем Шевчук, 07.01.2016 — перший матч сезону"]


@pytest.mark.parametrize("prompt,date", BIRTH_DATES.items())
def test_a_birth_date_after_a_name_in_any_format_is_found(prompt, date):
    assert ("dob", date) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_BIRTH_DATES)
def test_an_event_or_a_version_after_a_name_is_no_birth_date(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "dob"], prompt


@pytest.mark.parametrize("prompt", ["Olena Koval, 1985-03-12", "Я голосував за Порошенка."])
def test_a_round_10_leak_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


# --- rates: generated harmless text per class, under 1% flagged -----------------------------------------------------
UAF = ["Олена", "Тарас", "Марія", "Петро", "Ірина", "Богдан", "Оксана", "Андрій"]
UAL = ["Коваль", "Шевчук", "Бондаренко", "Ткаченко", "Мельник", "Кравченко"]
ENF = ["Olena", "Taras", "Maria", "Petro", "John", "Emma", "Kate", "Alex"]
ENL = ["Koval", "Shevchuk", "Smith", "Brown", "Melnyk", "Lee"]
UA_MONTHS = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
             "листопада", "грудня"]


def _day(r: random.Random, lo: int, hi: int) -> dt.datetime:
    return dt.datetime(lo, 1, 1) + dt.timedelta(seconds=r.randrange((hi - lo) * 365 * 86400))


def _votes(r: random.Random) -> list[str]:
    thing = r.choice(["Postgres", "React", "tabs", "перенесення стендапу", "законопроєкт №%d" % r.randint(1000, 9999),
                      "нову назву", "Kotlin", "п'ятницю"])
    body = r.choice(["Верховна Рада", "Міська рада", "Більшість виборців", "The Senate", "Congress", "Lawmakers"])
    return [f"{r.choice(UAF)} голосує за {thing}.", f"{r.choice(UAF)} проголосував за {thing}.",
            f"{r.choice(ENF)} votes for {r.choice(['tabs', 'Friday', 'Rust', 'option 2'])}.",
            f"{body} проголосувала за {r.choice(['бюджет', 'Зеленського', 'поправку'])}.",
            f"{body} voted for {r.choice(['the budget', 'Zelensky', 'the bill'])} on Thursday.",
            f"{r.choice(ENF)} is a member of the party planning committee.",
            f"{r.choice(['Petro Poroshenko', 'Keir Starmer', 'Joe Biden', 'Lincoln'])} is a member of the "
            f"{r.choice(['Labour Party', 'Republican Party', 'Democratic Party'])}. Explain its platform.",
            f"{r.choice(['Михайло Грушевський', 'Петро Порошенко', 'Юлія Тимошенко'])} — член партії. Коротка біографія."]


def _name_dates(r: random.Random) -> list[str]:
    a, e = f"{r.choice(UAF)} {r.choice(UAL)}", f"{r.choice(ENF)} {r.choice(ENL)}"
    x, old = _day(r, 2005, 2026), _day(r, 1900, 2015)
    return [f"{a}, {old:%d.%m.%Y} — перша перемога в турнірі. Напиши есе про цю подію.",
            f"Timeline: {e} — {old.day} March {old.year} — signed the treaty.",
            f"Протокол наради\nДоповідач: {a}, {x:%d.%m.%Y}\nПитання: бюджет.",
            f"{a}, {x.day} {UA_MONTHS[x.month - 1]} {x.year}: перенесли реліз на тиждень.",
            f"{a}, {x:%d.%m.%Y}: {r.randint(0, 5)}:{r.randint(0, 5)} проти Зорі.",
            f"{a} {x:%d.%m.%Y %H:%M}\nЗадеплоїв на стейдж.",
            f"Meeting notes — {e}, {x:%Y-%m-%d}: agreed on the API freeze."]


def _groups(r: random.Random) -> list[str]:
    n = r.randint(1, 4)
    return [f"{r.choice(UAF)} — староста, у неї {n} група.", f"У садочку в сина {n} група.",
            f"Яка в тебе підгрупа? У мене {n} група.", f"Наш клас — {n} група."]


def _logins(r: random.Random) -> list[str]:
    n = r.randint(10**5, 10**8)
    return [f'{{"login": "ci-bot", "id": {n}}}', '{"owner": {"login": "microsoft", "type": "Organization"}}',
            f'{{"login": "test_user_{n % 100}", "password": "test"}}', f'{{"login": "user{n % 1000}", "role": "viewer"}}']


def _blame(r: random.Random) -> list[str]:
    x, e = _day(r, 2010, 2026), f"{r.choice(ENF)} {r.choice(ENL)}"
    return [f"^{r.randrange(16**7):07x} ({e} {x:%Y-%m-%d %H:%M:%S} +0300 {r.randint(1, 400)}) def f():",
            f"{e} {x:%Y-%m-%d %H:%M} merged PR #{r.randint(10, 9999)}",
            f"{r.choice(UAF)} {r.choice(UAL)} {x:%d.%m.%Y %H:%M} оновила дашборд"]


def _ports(r: random.Random) -> list[str]:
    return ["ports " + ":".join(str(r.randint(1000, 9999)) for _ in range(4)),
            "ratio " + ":".join(str(r.randint(1000, 9999)) for _ in range(4))]


@pytest.mark.parametrize("name,generate", [("B1 votes and membership", _votes), ("B2 a name then an event date", _name_dates),
                                           ("B3 a school group", _groups), ("B4 a service login", _logins),
                                           ("B5 a git blame date-time", _blame)])
def test_a_harmless_class_is_flagged_under_one_percent(name, generate):
    r = random.Random(1012)
    prompts = [r.choice(generate(r)) for _ in range(400)]
    flagged = [p for p in prompts if detect_pii(p)]
    assert len(flagged) < len(prompts) / 100, (name, flagged[:3])


def test_ports_joined_by_colons_are_rarely_a_card():
    # only a Visa's or a Mastercard's first digits with a passing Luhn checksum join without a card label (~2% of
    # random 4x4 groups by arithmetic: 2/9 of first groups x 1/10 of checksums)
    r = random.Random(1012)
    prompts = [r.choice(_ports(r)) for _ in range(1000)]
    flagged = [p for p in prompts if detect_pii(p)]
    assert len(flagged) < 0.04 * len(prompts), flagged[:3]


# --- A1/A2: a РНОКПП or a birth date after initials, a double or an off-list given name, a record's name key -------
NAMED_RECORDS = {
    "M. Shevchuk 3610009447": "tax_id", "П.О. Мельник 3563104757": "tax_id",
    '<person name="Андрій Лисенко" code="2901090884"/>': "tax_id", "піб: Бондаренко Олена\nкод: '1885459328'": "tax_id",
    '{"піб": "Мельник Петро", "код": 3563104757}': "tax_id", "Устим Коваленко 2166875630": "tax_id",
    "Анна-Марія Коваль, 12.03.1985": "dob", "Melnyk, Petro; 1972-01-01": "dob",
}
NOT_NAMED_RECORDS = ["U.S. Army 3610009447", "- name: Кава Lavazza\n  price: 683\n  sku: 3812403775",
                     "Нова Каховка, 12.03.1985 — повінь"]


@pytest.mark.parametrize("prompt,kind", NAMED_RECORDS.items())
def test_a_person_by_initials_a_double_name_or_a_record_key_is_found(prompt, kind):
    assert kind in [k for k, _ in _kinds(prompt)], prompt


@pytest.mark.parametrize("prompt", NOT_NAMED_RECORDS)
def test_a_country_abbreviation_a_product_or_a_town_is_no_person(prompt):
    assert _kinds(prompt) == [], prompt


# --- A4/A5: addresses under Ukrainian/TOML keys, more English street types, Markdown marks; handles under more keys --
MORE_LEAKS = {
    "вулиця: Сумська\nбудинок: 53\nквартира: 69": "address", 'street = "Shevchenka 56"': "address",
    "Ship to Lesi Ukrainky Dr. 12, apt 3, Kyiv": "address", "Deliver to Shevchenka Sq. 5, Lviv": "address",
    "**вул.** Зелена 56": "address", "~~вул. Зелена~~ 56": "address",
    '{"nickname": "taras_sh", "id": 5}': "handle", '{"tg": "@olena_k85"}': "handle", '{"actorId": "user5123456789"}': "handle",
}
NOT_MORE_LEAKS = ["i18n:\n  код: Код\n  вулиця: Вулиця\n  будинок: Будинок", 'street = "Main"', '{"twitter": true}',
                  "defaults:\n  street: ''\n  house: 12", '{"tiktok": "admin"}']


@pytest.mark.parametrize("prompt,kind", MORE_LEAKS.items())
def test_an_address_or_a_handle_under_another_key_or_mark_is_found(prompt, kind):
    assert kind in [k for k, _ in _kinds(prompt)], prompt


@pytest.mark.parametrize("prompt", NOT_MORE_LEAKS)
def test_a_schema_or_a_flag_is_no_address_or_handle(prompt):
    assert _kinds(prompt) == [], prompt


# --- r10's yaml class (flagged before round 9 too): a feature flag's date, a product's or a response's code key ------
YAML_HARMLESS = ["birthday_feature:\n  enabled: true\n  date: 2021-11-25",
                 "responses:\n  '404':\n    code: 2789483140\n    message: Not found",
                 "- name: Кава Lavazza\n  code: 3812403775\n  price: 683", "product:\n  name: Чай\n  код: 3332181010"]
YAML_PERSONAL = {"birthday_reminder:\n  user: Olena\n  date: 1985-03-12": "dob", "birth_date: 1985-03-12": "dob",
                 "- name: Олена Коваль\n  code: 3563104757": "tax_id", "Дані клієнта\nкод: 3563104757": "tax_id",
                 "client:\n  city: Kyiv\n  код: 3563104757": "tax_id", "код: 3563104757": "tax_id"}


@pytest.mark.parametrize("prompt", YAML_HARMLESS)
def test_a_feature_flag_or_a_products_code_key_is_no_personal_data(prompt):
    assert _kinds(prompt) == [], prompt


@pytest.mark.parametrize("prompt,kind", YAML_PERSONAL.items())
def test_a_persons_record_keys_still_hold_personal_data(prompt, kind):
    assert kind in [k for k, _ in _kinds(prompt)], prompt


def _yaml(r: random.Random) -> list[str]:
    code = r.randint(1000000000, 3999999999)
    return [f"responses:\n  '404':\n    code: {code}\n    message: Not found",
            f"- name: Кава Lavazza\n  code: {code}\n  price: {r.randint(100, 999)}", f"product:\n  name: Чай\n  код: {code}",
            f"birthday_feature:\n  enabled: true\n  date: {_day(r, 2015, 2026):%Y-%m-%d}"]


def test_yaml_records_of_things_are_flagged_under_one_percent():
    r = random.Random(1012)
    prompts = [r.choice(_yaml(r)) for _ in range(400)]
    flagged = [p for p in prompts if detect_pii(p)]
    assert len(flagged) < len(prompts) / 100, flagged[:3]


# --- r10's code-column and name-and-number classes: a vendor's error code, a parcel's tracking number ---------------
@pytest.mark.parametrize("prompt", ["code: 2340412292  # error code from vendor",
                                    "Замовлення для Тарас Шевчук: трек-номер 3129941083"])
def test_an_error_code_or_a_tracking_number_is_no_tax_id(prompt):
    assert _kinds(prompt) == [], prompt


@pytest.mark.parametrize("prompt", ["код: 3563104757", "my code: 3563104757", "Тарас Шевчук, номер 3563104757"])
def test_a_persons_code_by_its_ukrainian_key_or_a_possessive_is_still_found(prompt):
    assert "tax_id" in [k for k, _ in _kinds(prompt)], prompt


@pytest.mark.parametrize("prompt", ["ERROR order 8990082515 failed: code=2227 trace=4701061584762476",
                                    "span_id=4701061584762476 parent=0"])
def test_a_log_trace_id_is_no_card(prompt):
    assert _kinds(prompt) == [], prompt


def test_a_card_after_its_label_is_still_a_card():
    assert "card" in [k for k, _ in _kinds("card=4701061584762476")]


@pytest.mark.parametrize("prompt,kind", [("петро бондаренко 1891299636", "tax_id"), ("shevchuk olena 3087786437", "tax_id"),
                                         ("олена шевчук 1978-06-17", "dob")])
def test_a_name_typed_in_lower_case_before_its_number_is_found(prompt, kind):
    assert kind in [k for k, _ in _kinds(prompt)], prompt


@pytest.mark.parametrize("prompt", ["про шевченка 1891299636", "віра надія 1891299636"])
def test_lower_case_words_that_are_no_full_name_hold_no_tax_id(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "tax_id"], prompt


@pytest.mark.parametrize("prompt", ["Звертайтесь до @olena_k85", "Текст від @taras_sh: привіт", "inst @olena.k85"])
def test_a_handle_after_a_contact_phrase_is_found(prompt):
    assert "handle" in [k for k, _ in _kinds(prompt)], prompt


@pytest.mark.parametrize("prompt", ["import x from '@my_org/pkg_2'", "Напиши @dataclass у коді", "npm install @types/node"])
def test_a_package_or_a_decorator_is_no_handle(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "handle"], prompt


def test_a_short_street_word_before_a_markdown_mark_passes_the_address_gate():
    """Found by the r2 property test in a clean-clone sweep: _ADDRESS_UA allows Markdown marks after the street word
    (r9/r10), its cheap gate for 'пл'/'ул' did not, so 'пЛ`A0' matched the pattern and was never searched."""
    from labs.router import detect_pii
    for text in ("пЛ`A0 ", "пл**Ринок** 5", "ул~~Садова~~ 3"):
        assert [f.kind for f in detect_pii(text)] == ["address"], text


def test_every_json_user_key_the_pattern_reads_passes_its_substring_gate():
    """_JSON_USER_KEYS gates _JSON_USER (a substring test before the scan): a key added to one list only would be
    skipped silently, so each key the pattern names must hold one of the gate's strings."""
    import re

    from labs.router import pii

    keys = re.search(r'"\(\?:([^)]*)\)"', pii._JSON_USER.pattern).group(1).split("|") + ["from", "login"]
    for key in keys:
        assert any(gate in f'"{key}"' for gate in pii._JSON_USER_KEYS), key
