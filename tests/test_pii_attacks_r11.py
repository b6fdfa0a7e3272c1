"""Issue 11: leaks left open by attack round 9 (/work/attacks/issue11-r9/FINDINGS.md, section A), each fixed and
tested as a class in both languages, with the harmless texts each new rule could hit (lesson 3). All identifiers
are synthetic; the РНОКПП, cards and IBANs pass their checksums."""

from __future__ import annotations

import pytest

from labs.router import detect_pii
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in detect_pii(text)]


# --- A1. a valid РНОКПП under a "Код"/"code" column or element of a table of people, or "номер з Дії" ----------------
RNOKPP_IN_TABLES = {
    "Прізвище;Ім'я;Код\nШевчук;Марія;2221266371": "2221266371",
    "Прізвище;Код\nШевчук;2221266371": "2221266371",
    "name,code\nIryna,2166875630": "2166875630",
    "name,city,code\nIryna,Kyiv,2166875630": "2166875630",
    "surname,id\nKoval,2166875630": "2166875630",
    "| ПІБ | Код |\n|---|---|\n| Лисенко Богдан | 3682439092 |": "3682439092",
    "| Прізвище | Код |\n|---|---|\n| Лисенко | 3682439092 |": "3682439092",
    "<person><name>Богдан</name><code>3258456620</code></person>": "3258456620",
    "<person><name>Олена</name><city>Київ</city><code>3258456620</code></person>": "3258456620",
    "<employee><surname>Коваль</surname><code>3258456620</code></employee>": "3258456620",
    "Коваль Олена; 3258456620": "3258456620",
    "Olena Koval (2221266371)": "2221266371",
    "2221266371 — Коваль Олена": "2221266371",
    "2221266371, Olena Koval": "2221266371",
    "номер з Дії 2221266371": "2221266371",
    "номер у Дії: 2221266371": "2221266371",
    "ID з Дії: 2221266371": "2221266371",
    "код зі Дії: 2221266371": "2221266371",
}
NOT_RNOKPP = [
    "sku,name,code\n12,Кава 250 г,3258456620",  # a product table: "name" holds no first name
    "name,code\nWidget,2166875630",
    "name,code\nJune,2166875630",  # a name that is also a word counts only next to a surname
    "<item><name>Кава</name><code>3258456620</code></item>",
    "<code>3258456620</code> is the build hash",
    '{"id": 3258456620, "title": "Кава 250 г", "price": 795}',
    "May 2166875630",
    "Windows 2166875630",
    "2166875630 Windows Server",
    "build 2166875630, Release Notes",
]


@pytest.mark.parametrize("prompt,code", RNOKPP_IN_TABLES.items())
def test_a_rnokpp_in_a_table_of_people_or_from_diia_is_found(prompt, code):
    assert ("tax_id", code) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_RNOKPP)
def test_a_code_column_of_products_is_no_tax_number(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "tax_id"], prompt


@pytest.mark.parametrize("prompt", ["Прізвище;Ім'я;Код\nШевчук;Марія;2221266371",
                                    "<person><name>Богдан</name><code>3258456620</code></person>",
                                    "номер з Дії 2221266371"])
def test_a_rnokpp_in_a_table_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


# --- A3. any symbol repeated between a card's or an IBAN's groups ----------------------------------------------------
SAME_SEPARATOR = ["=", ":", "×", "‧", "¦", "†", "¤", "«", "»", "«»", "#", "^", "¬", "♣"]


@pytest.mark.parametrize("sep", SAME_SEPARATOR)
def test_a_card_with_any_repeated_separator_is_found(sep):
    card = sep.join(["5168", "5124", "2071", "3761"])
    assert ("card", card) in _kinds(f"Ось: {card}")


@pytest.mark.parametrize("sep", SAME_SEPARATOR)
def test_an_iban_with_any_repeated_separator_is_found(sep):
    iban = sep.join(["UA21", "3223", "1300", "0002", "6007", "2335", "6600", "1"])
    assert "iban" in [k for k, _ in _kinds(f"IBAN {iban}")]


@pytest.mark.parametrize("card", ["5168«5124»2071«3761", "5168„5124“2071„3761", "5168‹5124›2071‹3761"])
def test_a_card_between_paired_quotes_is_found(card):
    assert ("card", card) in _kinds(f"карта {card}")


@pytest.mark.parametrize("prompt", ["карта 5168=5124=2071=3761", "card 5168:5124:2071:3761", "карта 5168«5124»2071«3761"])
def test_a_labelled_card_with_an_odd_separator_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


NOT_CARDS = [
    "12:30:45 and 16:9", "1920×1080×3840×2160 pixels", "2=2, 4=4", "2020=2021=2022=2023", "v1.2.3:4.5.6",
    "IPv6 2001:4860:4860:8888", "5168=5124=2071=3762",  # the checksum fails
    "ports 5432,6379,8080,9200", "5168;5124;2071;3761", "|5168|5124|2071|3761|", "ratio 1234:5678:9012:3456 (raw)",
    "Матриця 4×4: 1234×5678×9012×3455", "UA21=3223=1300=0002=6007=2335=6600=2", "рахунок «1234»«5678»",
    "цитати «5168» «5124» «2071» «3762»",
]


@pytest.mark.parametrize("prompt", NOT_CARDS)
def test_numbers_with_repeated_symbols_that_fail_a_checksum_are_no_cards(prompt):
    assert not [k for k, _ in _kinds(prompt) if k in ("card", "iban")], prompt


# --- A2. a street type after a transliterated name, YAML keys, Markdown italic or code around a street --------------
STREETS = {
    "Poltava, Naukova ln. 55": "Poltava, Naukova ln. 55",
    "Lviv, Shevchenka st 12": "Lviv, Shevchenka st 12",
    "Lviv, Shevchenka pl. 12": "Lviv, Shevchenka pl. 12",
    "Lviv, Shevchenka Ln 12": "Lviv, Shevchenka Ln 12",
    "Shevchenka vul. 55, Poltava": "Shevchenka vul. 55, Poltava",
    "Київ, Сумська вул. 12": "Сумська вул. 12",
    "street: Сумська 113\ncity: Львів": "Сумська 113",
    "name: Olena\nstreet: Сумська 113\ncity: Львів": "Сумська 113",
    "вулиця: Зелена 158\nмісто: Луцьк": "Зелена 158",
    "user:\n  name: Taras\n  address: Naukova 55": "Naukova 55",
    "user:\n  home_address: Naukova 55": "Naukova 55",
    "street: 12 Main Street": "12 Main Street",
    "*вул. Зелена* 158, кв 178": "вул. Зелена* 158, кв 178",
    "вул. `Хрещатик` 22, кв. 5": "вул. `Хрещатик` 22, кв. 5",
}
NOT_STREETS = [
    "ip_address: Server 12", "mac_address: Aa 12", "address: 0.0.0.0:8080", 'address: "{{ .Values.host }}:1719"',
    "listen_address: 127.0.0.1", "email_address: Olena 12", "Our address: Build 5 failed",
    "- name: Deploy\n  address: localhost:8080", "Kyiv, March 15, 2024 — news", "Kyiv, Llama st 12",
    "Use *emphasis* and `code` 12 times", "Python 3 st", "street: string", "address: ${ADDRESS}",
]


@pytest.mark.parametrize("prompt,address", STREETS.items())
def test_a_street_in_the_other_layouts_is_found(prompt, address):
    assert ("address", address) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_STREETS)
def test_config_addresses_and_prose_are_no_street(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "address"], prompt


@pytest.mark.parametrize("prompt", ["Poltava, Naukova ln. 55", "street: Сумська 113\ncity: Львів",
                                    "*вул. Зелена* 158, кв 178"])
def test_a_street_in_another_layout_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + "\n" + prompt) == ("refuse", False)


# --- A4. Ukrainian identity labels at parity with English; SIN, Aadhaar, CPF, NIN, MRN --------------------------------
ID_NUMBERS = {
    "мій ID-шник 25625960": "25625960",
    "мій айдішник 25625960": "25625960",
    "номер студентського квитка КВ12345678": "КВ12345678",
    "номер залікової книжки 12345678": "12345678",
    "номер мого страхового поліса 625047390": "625047390",
    "Номер платника податків Польщі 1234567890": "1234567890",
    "ID студента 20231234": "20231234",
    "ІД-номер працівника 004512": "004512",
    "ідентифікаційний номер мого батька 1234567": "1234567",
    "мій номер соцстраху 12345678": "12345678",
    "мій номер клієнта 12345678": "12345678",
    "мій номер студента 12345678": "12345678",
    "номер студента 12345678": "12345678",
    "номер пацієнта 12345678": "12345678",
    "номер медичного поліса 365593093": "365593093",
    "номер картки платника податків 365593093": "365593093",
    "my SIN 046 454 286": "046 454 286",
    "SIN: 046 454 286": "046 454 286",
    "Aadhaar: 2345 6789 0123": "2345 6789 0123",
    "my Brazilian CPF 123.456.789-09": "123.456.789-09",
    "her NIN 1234567": "1234567",
    "Patient MRN 12345678": "12345678",
    "my MRN is 12345678": "12345678",
    # a word after the number is no part of it (the value used to run on and fail the letters' limit)
    "my ID 12345678 is here": "12345678",
    "Patient MRN 12345678 was admitted": "12345678",
    "мій ІД 99661624 ось": "99661624",
}
NOT_ID_NUMBERS = ["Customer ID 81091020 appears twice in the export", "Membership number 92738693 for the gym chain",
                  "sin 0.5235987756 radians", "the sin of 1234567 degrees", "номер студента в рейтингу 5",
                  "номер студентського квитка потрібен для знижки", "cpf 1234567 (lower case: a file name)",
                  "mrn 12345678", "Sin City 2005 1234567", "номер великого замовлення 365593093", "My order ID is 12345678", "мій номер замовлення 12345678"]


@pytest.mark.parametrize("prompt,value", ID_NUMBERS.items())
def test_an_identity_number_behind_a_ukrainian_or_foreign_label_is_found(prompt, value):
    assert ("id_number", value) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_ID_NUMBERS)
def test_maths_a_ranking_or_a_things_number_is_no_identity_number(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "id_number"], prompt


@pytest.mark.parametrize("prompt", ["номер студентського квитка КВ12345678", "мій номер клієнта 12345678",
                                    "my SIN 046 454 286", "Patient MRN 12345678"])
def test_an_identity_number_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


# --- A7. a Telegram export's actor, a JSON "login", a bare @handle next to a contact verb -----------------------------
HANDLES = {
    '{"type":"service","actor":"Olena Koval","actor_id":"user5123456789","action":"invite_members"}': "user5123456789",
    '{"user": {"id": 512345678, "login": "taras_sh"}}': "taras_sh",
    '{"author": {"login": "tarasko"}}': "tarasko",
    "@olena_k85 (Олена Коваль) написала в чаті": "@olena_k85",
    "Пиши @olena_k85": "@olena_k85",
    "DM @olena_k85 for details": "@olena_k85",
    "@olena_k85 wrote in the chat": "@olena_k85",
}
NOT_HANDLES = ['{"login": "deploy", "password": "x"}', '{"db": {"login": "postgres"}}',
               '{"author": {"login": "dependabot[bot]"}}', '{"login": "admin"}', "Use @param name_1 in javadoc",
               "write @media (max-width: 600px)", "@pytest.fixture wrote", "Напиши @dataclass у коді",
               "@app.route('/') wrote the response"]


@pytest.mark.parametrize("prompt,handle", HANDLES.items())
def test_a_handle_in_an_export_or_next_to_a_contact_verb_is_found(prompt, handle):
    assert ("handle", handle) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_HANDLES)
def test_a_service_login_or_code_is_no_handle(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "handle"], prompt


@pytest.mark.parametrize("prompt", ["Пиши @olena_k85", '{"user": {"id": 512345678, "login": "taras_sh"}}'])
def test_a_handle_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


# --- A6. a date right after a full name, a birthday split into JSON parts, transliterated keys, yearless vCard --------
BIRTHDAYS = {
    "Петро Бондаренко, 10.09.1971": "10.09.1971",
    "Andrii Melnyk, 08/16/1959": "08/16/1959",
    "Коваль О. В. 12 березня 1985": "12 березня 1985",
    "Olena Koval - 12 March 1985": "12 March 1985",
    '{"birthdays":[{"date":{"year":1985,"month":3,"day":12}}]}': '"year":1985,"month":3,"day":12',
    '{"birth": {"day": 12, "month": 3, "year": 1985}}': '"day": 12, "month": 3, "year": 1985',
    '{"дата_нар": "12.03.1985"}': "12.03.1985",
    '{"dataNarodzhennia": "1985-03-12"}': "1985-03-12",
    "BDAY:--0312": "--0312",
    "BDAY;VALUE=text:12 березня": "12 березня",
}
NOT_BIRTHDAYS = ["Олена Коваль, 10.09.2024 зустріч", "Олена, 10.09.2012", "Python 3.10.2011", "Тарас Шевченко, 09.03.1814",
                 "Windows Server, 10.09.2012", "Release Notes, 10.09.2012", "Kyiv Office 12 March 1985",
                 '{"release": {"year": 2012, "month": 3}}', "foo--0312", "git diff --0312"]


@pytest.mark.parametrize("prompt,date", BIRTHDAYS.items())
def test_a_birthday_after_a_name_or_in_parts_is_found(prompt, date):
    assert ("dob", date) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_BIRTHDAYS)
def test_a_recent_or_a_things_date_is_no_birthday(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "dob"], prompt


@pytest.mark.parametrize("prompt", ["Петро Бондаренко, 10.09.1971", '{"birth": {"day": 12, "month": 3, "year": 1985}}'])
def test_a_birthday_after_a_name_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


# --- A5. political opinion, ethnic origin, and the missing orientation, religion, union and conviction forms -------
SPECIAL = {
    "Тарас голосував за Зеленського.": "голосував за",
    "Олена — членкиня партії «Слуга народу».": "членкиня партії",
    "Тарас — член Партії регіонів.": "член Партії",
    "My neighbour Tom is a registered Republican.": "Republican",
    "Taras votes for the Greens.": "votes for",
    "Олена — ромка.": "ромка",
    "Olena is Roma.": "Roma",
    "Олена — бі.": "бі",
    "Олена — квір.": "квір",
    "Тарас — православний, щонеділі в церкві.": "православний",
    "Тарас — член ФПУ.": "член ФПУ",
    "Олена відбула покарання у вигляді позбавлення волі.": "відбула покарання",
}
NOT_SPECIAL = ["Each model votes for a class in the ensemble.", "Голосування за проєкт закону відбулося вчора.",
               "Що таке позбавлення волі в кримінальному праві?", "The Republican party was founded in 1854.",
               "Православна церква України отримала томос.", "Рома — футбольний клуб.",
               "Тарас голосує за те, щоб рефакторити код.", "Olena voted for the proposal.",
               "Олена проголосувала за варіант Б.", "Bi-directional LSTM, Olena says it works."]


@pytest.mark.parametrize("prompt,term", SPECIAL.items())
def test_a_political_opinion_or_an_ethnic_origin_said_of_someone_is_special(prompt, term):
    assert ("special", term) in _kinds(prompt)


@pytest.mark.parametrize("prompt", NOT_SPECIAL)
def test_a_vote_on_a_thing_or_a_topic_is_not_special(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "special"], prompt


@pytest.mark.parametrize("prompt", ["Тарас голосував за Зеленського.", "Olena is Roma."])
def test_a_special_category_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


@pytest.mark.parametrize("prompt", ["Мама — донор, в неї 4 група.", "У мене 2 група, резус позитивний."])
def test_a_blood_group_by_its_number_is_health_data(prompt):
    assert "health" in [k for k, _ in _kinds(prompt)], prompt


@pytest.mark.parametrize("prompt", ["Задача: 4 група. Розподіл студентів", "Студенти: 1 група.", "Наш клас — 3 група."])
def test_a_group_of_students_is_no_blood_group(prompt):
    assert not [k for k, _ in _kinds(prompt) if k == "health"], prompt
