"""Issue 11: leaks left open after attack round 7 (/work/attacks/issue11-r7/FINDINGS.md A7) and found in round 8
(/work/attacks/issue11-r8/FINDINGS.md), each tested as a class (lesson 3). All identifiers are synthetic."""

from __future__ import annotations

import pytest
from pii_attack_helpers import best_cpu_seconds

from labs.router import detect_pii

# --- r7 A7: a birthday with its day as an ordinal word (no digit at all, or only the year) -------------------------
SPELLED_BIRTHDAYS = {
    "Олена народилась дванадцятого березня": "дванадцятого березня",
    "День народження: третього квітня": "третього квітня",
    "я народився двадцять першого травня 1990 року": "двадцять першого травня 1990",
    "born on the twelfth of March 1985": "twelfth of March 1985",
    "born on the first of May": "first of May",
    "born March twenty-first": "March twenty-first",
}
NOT_BIRTHDAYS = [
    "The project was born on the first of May",
    "On the twelfth of March we released v2",
    "народилась ідея першого квітня",
    "Linux was born on the fifth of October",
]


@pytest.mark.parametrize("prompt,date", SPELLED_BIRTHDAYS.items())
def test_a_birthday_with_its_day_in_words_is_found(prompt, date):
    assert ("dob", date) in [(f.kind, f.text) for f in detect_pii(prompt)]


@pytest.mark.parametrize("prompt", NOT_BIRTHDAYS)
def test_a_things_birthday_or_a_date_without_a_cue_is_not(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "dob"], prompt


# --- r7 A9: a Ukrainian code as one group, then the number one digit a group, with no label ------------------------
@pytest.mark.parametrize("prompt", ["066 1 7 4 2 1 8 0", "передзвоніть 067 1 2 3 4 5 6 7", "call 050 9 8 7 6 5 4 3"])
def test_a_code_then_single_digits_is_a_phone(prompt):
    assert "phone" in [f.kind for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("prompt", ["labels: 0 6 6 1 7 4 2 1 8 0", "y = [1 0 1 1 0 1 0 1 1 0 1]", "epoch 012 1 0 1 1 0 1 0 1"])
def test_a_list_of_single_digits_is_not(prompt):
    assert not detect_pii(prompt), prompt


# --- r7 A4: an address with no street word, anchored by its town; a street in lower case before its flat --------------
TOWN_ADDRESSES = {
    "Lutsk, Naukova 40": "Lutsk, Naukova 40",
    "Дніпро, Сумська 112-148": "Дніпро, Сумська 112-148",
    "Лесі Українки 5/12, Луцьк": "Лесі Українки 5/12, Луцьк",
    "Ірпінь, Київська 3а": "Ірпінь, Київська 3а",
    "Kyiv, Khreshchatyk 22": "Kyiv, Khreshchatyk 22",
    "Надішліть на Бандери 3, Київ": "Бандери 3, Київ",
    "kyiv shevchenka 54 apt 19": "shevchenka 54 apt 19",
}
NOT_ADDRESSES = ["Kyiv, Llama 3 8B runs at 20 tok/s", "Lviv, Windows 11", "We deployed in Kyiv, Node 20 and Postgres 16",
                 "Київ, Python 3.11", "Київ, версія 2", "Kyiv 2024", "step 54 apt 19", "floor 3 flat 12"]


@pytest.mark.parametrize("prompt,address", TOWN_ADDRESSES.items())
def test_an_address_anchored_by_its_town_is_found(prompt, address):
    assert ("address", address) in [(f.kind, f.text) for f in detect_pii(prompt)]


@pytest.mark.parametrize("prompt", NOT_ADDRESSES)
def test_a_product_or_a_part_after_a_town_is_no_address(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "address"], prompt


# --- r8 B1: a book's or a paper's number is no phone ---------------------------------------------------------------
@pytest.mark.parametrize("prompt", ["ISBN-10: 0413315487", "see 978-0-922-58893-0 in the references", "ISBN-13: 978-0-443-31548-1",
                                    "DOI 10.1000/0443315487", "PMID: 0443315487", "ISBN10: 0413315487", "ISBN 10: 0413315487",
                                    "Видавець: Наукова думка, ISBN-10: 0966123456"])
def test_isbn_doi_and_pmid_are_no_phones(prompt):
    assert not detect_pii(prompt), prompt


def test_a_phone_after_its_label_still_is_one():
    assert [f.kind for f in detect_pii("тел 0443315487")] == ["phone"]


# --- r8 D2: many birthday cues stay about as fast as plain text ---------------------------------------------------
def test_many_birthday_cues_cost_about_what_plain_text_costs():
    size = 32 * 1024
    cues = ("born ", "ДР ", "birthday ", "народилась ")
    plain, *timed = best_cpu_seconds(detect_pii, [("the cat sat " * size)[:size]] + [(cue * size)[:size] for cue in cues])
    for cue, seconds in zip(cues, timed):
        ratio = seconds / max(plain, 1e-3)
        assert ratio < 8, f"{cue!r}: {ratio:.1f}x plain text (it was 15x)"


# --- r8 A3: a valid РНОКПП behind a generic or structural label, or right after a full name ------------------------
def _rnokpp() -> str:
    import datetime

    from labs.router.validators import make_rnokpp
    return make_rnokpp(datetime.date(1985, 3, 12), 1234)


@pytest.mark.parametrize("frame", ["Отримувач: Коваль Олена Вікторівна, {R}", "Бондаренко Ірина Петрівна {R}",
                                   "мій код з Дії: {R}", "мій код зі Дії: {R}", '{{"id_code": "{R}"}}',
                                   "ПІБ {R}", "ПІБ,id_code\nКоваль Олена,{R}"])
def test_a_tax_number_behind_a_generic_label_or_a_full_name(frame):
    prompt = frame.format(R=_rnokpp())
    assert ("tax_id", _rnokpp()) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("frame", ["exit code {R}", '{{"id": "{R}"}}', '{{"code": "{R}"}}'])
def test_an_exit_code_or_a_generic_json_id_is_no_tax_number(frame):
    """A bare "id"/"code" key holds any 10-digit id, and 3% of them pass the checksum (issue 11 r9 F3)."""
    assert not detect_pii(frame.format(R=_rnokpp()))


# --- r8 A5: a birthday in a contact card, JSON, or after the cake -----------------------------------------------
@pytest.mark.parametrize("prompt,date", [("BDAY:19850312", "19850312"), ("BEGIN:VCARD\nFN:Olena Koval\nBDAY:1985-03-12\nEND:VCARD",
                                                                          "1985-03-12"),
                                         ('{"bdate": "12.3.1985"}', "12.3.1985"), ("Андрій Мельник 🎂 07.07.2004", "07.07.2004")])
def test_a_birthday_in_a_contact_format(prompt, date):
    assert ("dob", date) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


# --- r8 A6: a messenger's user pasted as JSON (Telegram export, Bot API update) ---------------------------------
@pytest.mark.parametrize("prompt,handle", [
    ('{"from": "Olena Koval", "from_id": "user123456789", "text": "hi"}', "user123456789"),
    ('{"message":{"from":{"id":123456789,"is_bot":false,"first_name":"Olena","username":"olena_k85"}}}', "olena_k85"),
    ('{"message":{"from":{"id":123456789,"is_bot":false,"first_name":"Olena"}}}', "123456789"),
])
def test_a_messenger_user_in_json_is_found(prompt, handle):
    assert ("handle", handle) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("prompt", ['{"username": "admin"}', 'bot.send_message(chat_id=123456789, text="hi")'])
def test_a_config_user_or_a_chat_in_code_is_nobody(prompt):
    assert not detect_pii(prompt), prompt


# --- r8 A8: smaller leaks: a mobile without its 0 after a label, transliterated or short labels, registry numbers ----
@pytest.mark.parametrize("prompt,kind,value", [
    ("моб. 67 123 45 67", "phone", "67 123 45 67"),
    ("тел (67) 123-45-67", "phone", "(67) 123-45-67"),
    ("pasport MK 123456", "passport", "MK 123456"),
    ("права ВХК123456", "passport", "ВХК123456"),
    ("військово-обліковий документ 123456789", "id_number", "123456789"),
    ("пенсійне посвідчення 123456", "id_number", "123456"),
    ("Запис № 19850312-01234", "id_number", "19850312-01234"),
    ("унікальний номер запису в реєстрі 19850312-01234", "id_number", "19850312-01234"),
])
def test_smaller_leaks_of_round_8(prompt, kind, value):
    assert (kind, value) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("prompt", ["67 123 45 67 tokens", "processed 671234567 rows", "step 67 123 45 67",
                                    "моє право на відпустку 123456 годин"])
def test_nine_digits_without_a_label_stay_numbers(prompt):
    assert not detect_pii(prompt), prompt


# --- r8 A5: a data element's name is its label (XML); HTML's own elements stay formatting ---------------------------
@pytest.mark.parametrize("prompt,kind,value", [("<birthDate>1985-03-12</birthDate>", "dob", "1985-03-12"),
                                               ("<person><phone>0671234567</phone></person>", "phone", "0671234567"),
                                               ("тел <b>067</b> 123 45 67", "phone", "067</b> 123 45 67")])
def test_xml_element_names_label_their_values(prompt, kind, value):
    assert (kind, value) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


def test_html_formatting_adds_no_label():
    assert not detect_pii("<p>Hello</p><span>2024</span><b>born</b> to run")


# --- r8 A2: marked addresses: initials and titles in a street's name, the type after a transliterated name, structured
# fields (JSON, CSV, Markdown tables), Markdown bold inside ---------------------------------------------------------
MARKED_ADDRESSES = {
    "вул. Т. Шевченка 90, м. Вінниця": "вул. Т. Шевченка 90",
    "пров. І. Франка 164/228": "пров. І. Франка 164/228",
    "вул. Св. Миколая 4": "вул. Св. Миколая 4",
    "вул. 1-го Травня 6": "вул. 1-го Травня 6",
    "Адреса: Полтава, Зелена 192": "Полтава, Зелена 192",
    "Address: Dnipro, Nezalezhnosti 79/12": "Dnipro, Nezalezhnosti 79/12",
    "Ternopil, Sumska str. 138, apt 240": "Sumska str. 138, apt 240",
    "Vinnytsia, Soborna str., 187/175": "Soborna str., 187/175",
    "Kyiv, pr. Peremohy 37/15": "pr. Peremohy 37/15",
    "Kyiv, Peremohy avenue 37, flat 15": "Peremohy avenue 37, flat 15",
    '{"city": "Київ", "street": "Хрещатик", "house": "22", "flat": "5"}': "Хрещатик",
    '{"address": "Хрещатик 54/292, Тернопіль"}': "Хрещатик 54/292, Тернопіль",
    "city,street,house,flat\nКиїв,Хрещатик,22,5": "Хрещатик",
    "| Місто | Вулиця | Буд. | Кв. |\n|---|---|---|---|\n| Київ | Хрещатик | 22 | 5 |": "Хрещатик",
}


@pytest.mark.parametrize("prompt,address", MARKED_ADDRESSES.items())
def test_a_marked_address_is_found(prompt, address):
    assert ("address", address) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


def test_markdown_bold_inside_an_address():
    assert "address" in [f.kind for f in detect_pii("**м. Вінниця**, вул. **Наукова** 5, кв. 54")]


@pytest.mark.parametrize("prompt", ["Use Python str 3 times", "Use Python str. 3 times", "see PR. Fix 12",
                                    '{"address": "0x1234abcd"}', '{"address": "localhost"}', '{"address": "api.example.com:8080"}',
                                    '{"ip_address": "10.0.0.1"}', "x = 2**10", "Розділ 5. Вступ"])
def test_code_and_other_addresses_are_no_postal_address(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "address"], prompt


# --- r8 A8/B2: the dot word in brackets; an id key in code is no card ---------------------------------------------
@pytest.mark.parametrize("prompt", ["olena.koval85 [собака] ukr [крапка] net", "olena (at) ukr (крапка) net"])
def test_bracketed_at_and_dot_words(prompt):
    assert "email" in [f.kind for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("prompt", ["job_id=5686487453651886", "request_id: 4111111111111111", "trace_id 5686487453651886"])
def test_an_id_key_holds_no_card(prompt):
    assert not detect_pii(prompt), prompt


# --- r8 A7: the other special categories are reported as themselves, not as health ---------------------------------
@pytest.mark.parametrize("prompt", ["Taras is gay.", "Тарас — член профспілки.", "Taras was convicted of theft.", "Taras is Muslim."])
def test_special_categories_have_their_own_kind(prompt, monkeypatch):
    from labs.router.policy import describe_kinds

    kinds = [f.kind for f in detect_pii(prompt)]
    assert kinds == ["special"], (prompt, kinds)
    monkeypatch.setenv("LAB_LANG", "uk")
    assert describe_kinds({"special": 1}) == "особливі категорії даних (1)"


def test_health_stays_health():
    assert {f.kind for f in detect_pii("She has diabetes and takes insulin.")} == {"health"}


# --- r9: false alarms of round 8's broad rules ---------------------------------------------------------------------
R9_NOT_PERSONAL = [
    # a town, then a capitalised word and a number, that is no street
    "Kyiv, March 15, 2024 — the ministry said", "Odesa Film Festival 2021", "Kyiv, Ukraine 2023", "Kharkiv Oblast 2022",
    "Тернопіль, Інтерсіті 715", "Ужгород, Епіцентр 5", "Київ — Львів 540 км", "Kyiv, Uber 20 UAH", "Lviv, Toyota 5",
    # "my <thing> ID/number/code" that is nobody's identity
    "My GCP project number is 123456789012", "my AWS account ID 123456789012", "my coupon code 12345678",
    "my meeting ID 123 456 7890", "License number: 12345678", "Реєстраційний номер 12345678", "my Jira number 1234567",
    "my PR number 123456",
    # a chemistry lesson, a procedure asked about
    "Син на хімії отримав 11 балів", "Як проходить ВЛК у Харкові?",
    # a book's number
    "ISBN-10 0-306-40615-2", "Koval O. (2019). Title. Kyiv. 978-0-306-40615-7", "@book{x, isbn = {0306406152}}",
    '{"isbn_10": "0306406152"}', "https://www.amazon.com/dp/0306406152",
]


@pytest.mark.parametrize("prompt", R9_NOT_PERSONAL)
def test_round_9_false_alarms(prompt):
    assert not detect_pii(prompt), (prompt, detect_pii(prompt))


@pytest.mark.parametrize("prompt,kind", [("Address: Dnipro, Nezalezhnosti 79/12", "address"), ("Київ, Незалежності 5", "address"),
                                         ("мій ІД 12345678", "id_number"), ("мій айді 12345678", "id_number"),
                                         ("Мій брат проходить ВЛК завтра", "health"), ("тел 0306406152", "phone")])
def test_round_9_still_found(prompt, kind):
    assert kind in [f.kind for f in detect_pii(prompt)], prompt


# --- r9 F1 (leak): a valid РНОКПП right after a name without patronymic, or a surname with initials ------------------
@pytest.mark.parametrize("frame", ["Ткаченко Петро {R}", "Платник: Шевчук П. О., {R}", "Petro Tkachenko: {R}", "Olena Koval {R}"])
def test_a_tax_number_after_a_name(frame):
    prompt = frame.format(R=_rnokpp())
    assert ("tax_id", _rnokpp()) in [(f.kind, f.text) for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("frame", ["Intel Core {R}", "Нова Пошта {R}"])
def test_two_capitalised_words_that_name_no_one(frame):
    assert not detect_pii(frame.format(R=_rnokpp()))
