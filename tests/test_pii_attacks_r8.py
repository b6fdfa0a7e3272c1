"""Issue 11, attack round 6 (first report, /work/attacks/issue11-r6, sections A and B2/B3): health data said the way
people say it in both languages, Ukrainian addresses without "вул.", spoken e-mails, PESEL / Steuer-ID / messenger
handles / a birthday without its year, "номер:" with spaced digits, and names kept in the audit log (lesson 3).

Each class is tested as a class; the inputs that failed before are kept as examples. All identifiers are synthetic.
The end-to-end checks route through ``Router`` with the stand-in cloud (a fake for a paid API, said loudly) and the
local model down: whatever is not found goes to the cloud.
"""

from __future__ import annotations

import pytest

from labs.router import detect_pii
from labs.router.audit import redact_for_log
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks


def _kinds(text: str) -> set[str]:
    return {f.kind for f in detect_pii(text)}


def _health(text: str) -> bool:
    return any(f.kind == "health" for f in detect_pii(text))


# --- A1. health data: Ukrainian parity, addressing the person, frames missed in both, patient records ---------------
# the attacker's parity sentences (t_parity.py): both languages must find the same set, and here that is every one
PARITY = [
    ("Olena got chemo yesterday.", "Олені вчора зробили хіміотерапію."),
    ("Olena has been in rehab since May.", "Олена в реабілітації з травня."),
    ("Taras had a stroke last year.", "Тарас переніс інсульт торік."),
    ("After the stroke Taras limps.", "Після інсульту Тарас кульгає."),
    ("Taras is on dialysis.", "Тарас на діалізі."),
    ("Olena had a miscarriage.", "В Олени стався викидень."),
    ("Olena had an abortion.", "Олена зробила аборт."),
    ("Taras is in a wheelchair.", "Тарас на інвалідному візку."),
    ("Taras has a disability.", "Тарас має інвалідність."),
    ("Olena is on antidepressants.", "Олена п'є антидепресанти."),
    ("Taras tried to kill himself.", "Тарас намагався покінчити з собою."),
    ("Olena has panic attacks.", "В Олени панічні атаки."),
    ("Taras drinks too much, he is an alcoholic.", "Тарас п'є, він алкоголік."),
    ("Olena is addicted to opioids.", "Олена залежна від опіоїдів."),
    ("Taras tested positive for covid.", "У Тараса позитивний тест на ковід."),
    ("Olena is blind in one eye.", "Олена сліпа на одне око."),
    ("Taras is deaf.", "Тарас глухий."),
    ("Olena has an eating disorder.", "В Олени розлад харчової поведінки."),
    ("Taras got his leg amputated.", "Тарасу ампутували ногу."),
    ("Olena is on sick leave.", "Олена на лікарняному."),
    ("Taras sees a psychiatrist.", "Тарас ходить до психіатра."),
    ("Olena had an MRI of her brain: tumour.", "Олені зробили МРТ мозку: пухлина."),
    ("Taras broke his spine in a crash.", "Тарас зламав хребет в аварії."),
    ("Olena is in a coma.", "Олена в комі."),
    ("Taras has had a concussion.", "У Тараса струс мозку."),
    ("Olena is 20 weeks pregnant.", "Олена на 20 тижні вагітності."),
    ("Taras got the vaccine and had a reaction.", "У Тараса була реакція на вакцину."),
    ("Olena takes the pill.", "Олена п'є протизаплідні."),
    ("Taras was wounded at the front.", "Тараса поранило на фронті."),
    ("Taras has shell shock.", "У Тараса контузія."),
    ("Olena is allergic to penicillin.", "В Олени алергія на пеніцилін."),
    ("Taras had a heart attack.", "У Тараса був інфаркт."),
]


def test_the_parity_sentences_are_found_in_both_languages():
    """Before: EN missed 11/32, UA 20/32 (t_parity.py). Both languages must detect the same set: all of them."""
    missed_en = [en for en, _ in PARITY if not _health(en)]
    missed_uk = [uk for _, uk in PARITY if not _health(uk)]
    assert missed_en == [] and missed_uk == [], (missed_en, missed_uk)


VOCATIVES = [("Олено", "Olena"), ("Тарасе", "Taras"), ("Ірино", "Iryna"), ("Петре", "Petro"), ("Андрію", "Andriy"),
             ("Наталю", "Natalia"), ("Богдане", "Bohdan"), ("Мирославо", "Myroslava")]  # the last: no known name
CONDITIONS = [("астма", "asthma"), ("діабет", "diabetes"), ("депресія", "depression"), ("ПТСР", "PTSD")]
ADDRESS_UK = ["{v}, як твоя {c}?", "{v}, як твій {c}?", "{v}, ти ще лікуєш {c}?", "{v}, як ти після операції?",
              "{v}, бережи себе, {c} не жарт."]
ADDRESS_EN = ["{v}, how is your {c}?", "{v}, are you still treating your {c}?", "{v}, how are you after the surgery?",
              "{v}, take care, {c} is no joke."]


@pytest.mark.parametrize("frame", ADDRESS_UK + ADDRESS_EN)
def test_addressing_the_person_is_about_them(frame):
    """Before: 512/576 missed (t_voc.py): a name spoken to, and "your"/"твій", was no cue."""
    en = frame in ADDRESS_EN
    missed = [s for uk, eng in VOCATIVES for c_uk, c_en in CONDITIONS
              if not _health(s := frame.format(v=eng if en else uk, c=c_en if en else c_uk))]
    assert missed == [], missed


@pytest.mark.parametrize("text", [
    "After the stroke Taras limps.", "Після інсульту Тарас кульгає.", "Taras tried to kill himself.",
    "Тарас намагався покінчити з собою.", "Olena is on sick leave.", "Олена на лікарняному.",
    "Тарас ходить до психотерапевта.", "Taras sees a therapist.", "Taras is in a wheelchair.",
    "Тарас на інвалідному візку.", "Olena is in a coma.", "Олена в комі.", "Тарас у лікарні.", "Тарас лежить у лікарні.",
    "Мама в лікарні.", "Olena is in hospital.", "Тарас лежить в психлікарні.", "Мамі призначили МРТ.",
    "Бабусі поставили кардіостимулятор.", "в мене цукор 12", "Олені вирізали апендикс.", "Olena had her appendix removed.",
    "Тараса поранило на фронті.", "Тарасу ампутували ногу.", "Олена на 20 тижні вагітності.",
    "Олена на больничному.", "Моя дружина лежить на збереженні.",
])
def test_health_frames_missed_in_both_languages(text):
    assert _health(text), text


@pytest.mark.parametrize("text", [
    "Пацієнт: Коваль О.В.; код МКХ-10: E11.9", "Patient: Koval O.; ICD-10: E11.9", "Коваль О.В., Ds: J45.0",
    "Koval O., Dx: I10",
])
def test_a_patient_record_with_a_diagnosis_code_is_health_data(text):
    assert _health(text), text


@pytest.mark.parametrize("text", [
    "How does insulin affect your blood sugar?", "Well, how does your body process insulin?",
    "What is ICD-10 code E11.9?", "Що означає код МКХ-10 E11.9?", "Як працює МРТ?", "Hi, can you explain how chemo works?",
    "Привіт, поясни, як працює хіміотерапія?", "The stroke width of the SVG path is 2px.",
    "Mark the diabetes column as categorical.", "Після операції над масивом перевір результат.",
    "After the operation completes, your array is sorted.", "Ольга у лікарні працює медсестрою.",
    "Taras fell asleep during the talk about diabetes research.", "Отже, як твоя модель прогнозує діабет?",
    "We hit a dead end: глухий кут у проєкті.", "Коваль О.В. затвердив план.",
])
def test_health_words_with_nobody_stay_harmless(text):
    assert not _health(text), text


@pytest.mark.parametrize("tail", ["Олені вчора зробили хіміотерапію.", "Olena, how is your asthma?",
                                  "Пацієнт: Коваль О.В.; код МКХ-10: E11.9"])
def test_health_data_never_reaches_the_cloud(tail):
    target, sent = _leaks(COMPLEX + tail)
    assert target != "cloud" and not sent


# --- A5. "номер:" and a phone spelled digit by digit; a card grouped oddly after its label ------------------------
@pytest.mark.parametrize("text", [
    "Поясни, як працює черга: номер: 0 6 6 1 7 4 2 1 8 0", "номер: 0; 9; 6; 9; 2; 6; 3; 1; 6; 6",
    "номер: 0, 9, 3, 6, 1, 6, 6, 3, 0, 4", "номер: 0 | 9 | 3 | 4 | 6 | 9 | 7 | 4 | 8 | 2", "Number: 4 1 5 5 5 5 0 1 3 2",
])
def test_a_phone_spelled_digit_by_digit_after_number_is_a_phone(text):
    assert "phone" in _kinds(text), text


def test_a_card_grouped_oddly_after_its_label_is_a_card():
    assert [(f.kind, f.text) for f in detect_pii("номер картки: 4149 4999 1234 567 3")] == \
        [("card", "4149 4999 1234 567 3")]


@pytest.mark.parametrize("text", ["Номер задачі: 1 2 3 4 5 6 7 8 9 0", "номер: 1 2 3 4 5 6 7 8 9 0",
                                  "номер картки: 1234 5678 9012 345", "Номер рядка: 0 6 6 1 7 4 2 1 8 0"])
def test_a_digit_list_that_is_no_phone_stays_a_list(text):
    assert detect_pii(text) == [], text


# --- A3. e-mails said aloud or disguised --------------------------------------------------------------------------
@pytest.mark.parametrize("text,email", [
    ("olena.koval(a)ukr.net", "olena.koval(a)ukr.net"), ("olena.koval[a]gmail.com", "olena.koval[a]gmail.com"),
    ("пошта olena точка koval на gmail точка com", "olena точка koval на gmail точка com"),
    ("email: olena.koval at gmail", "olena.koval at gmail"), ("пишіть taras85 на ukr.net", "taras85 на ukr.net"),
    ("olena (at) example dot com", "olena (at) example dot com"),
])
def test_an_email_said_aloud_is_an_email(text, email):
    assert [(f.kind, f.text) for f in detect_pii(text)] == [("email", email)]


@pytest.mark.parametrize("text", ["Choose (a) example.com or (b) other", "я працюю на google.com",
                                  "my account at gmail is blocked", "Пиши мені на ukr.net", "I work at outlook team",
                                  "f(a)b.c"])
def test_words_around_a_provider_are_no_email(text):
    assert detect_pii(text) == [], text


# --- A4. PESEL, Steuer-ID, messenger handles, a birthday without its year ----------------------------------------
@pytest.mark.parametrize("text,number", [
    ("мій PESEL 90010112345", "90010112345"),  # right after its label: counts even with a wrong check digit
    ("PESEL mojej matki to 44051401359", "44051401359"),  # further away: the checksum passes
    ("Steuer-ID 12 345 678 901", "12 345 678 901"), ("Meine Steuer-ID lautet 86095742719", "86095742719"),
])
def test_pesel_and_steuer_id_after_their_label(text, number):
    assert [(f.kind, f.text) for f in detect_pii(text)] == [("tax_id", number)]


def test_pesel_and_steuer_id_far_from_their_label_need_the_checksum():
    assert detect_pii("PESEL mojej matki to 44051401358") == []
    assert detect_pii("Steuer-ID: bitte angeben, 12345678901 Teile") == []


@pytest.mark.parametrize("text,handle", [
    ("мій телеграм: @olena_koval85", "@olena_koval85"), ("instagram.com/olena.koval", "instagram.com/olena.koval"),
    ("пиши в тг @taras_b", "@taras_b"), ("t.me/olena_koval85", "t.me/olena_koval85"),
    ("https://www.facebook.com/olena.koval.5", "https://www.facebook.com/olena.koval.5"),
])
def test_a_messenger_handle_is_personal(text, handle):
    assert [(f.kind, f.text) for f in detect_pii(text)] == [("handle", handle)]


@pytest.mark.parametrize("text", ["@dataclass\nclass A: pass", "https://www.instagram.com/p/Cx1/",
                                  "see t.me/joinchat for groups", "Decorate it with @staticmethod"])
def test_decorators_and_non_profile_links_are_no_handles(text):
    assert detect_pii(text) == [], text


@pytest.mark.parametrize("text,date", [
    ("мені 40, ДР 12 березня", "12 березня"), ("born in March 1985", "March 1985"), ("born on March 12", "March 12"),
    ("Мій день народження 12 березня", "12 березня"), ("birthday: 5th of May", "5th of May"),
])
def test_a_birthday_without_its_year_after_its_cue(text, date):
    assert [(f.kind, f.text) for f in detect_pii(text)] == [("dob", date)]


@pytest.mark.parametrize("text", ["The project was born in March 2020", "Зустріч 12 березня", "Реліз 5 травня"])
def test_a_date_with_no_birth_cue_is_no_birthday(text):
    assert detect_pii(text) == [], text


@pytest.mark.parametrize("tail", ["номер: 0 6 6 1 7 4 2 1 8 0", "olena.koval(a)ukr.net", "мій PESEL 90010112345",
                                  "мій телеграм: @olena_koval85", "мені 40, ДР 12 березня"])
def test_new_kinds_never_reach_the_cloud(tail):
    target, sent = _leaks(COMPLEX + tail)
    assert target != "cloud" and not sent


# --- A2. Ukrainian addresses without the street word, and their English transliterations ---------------------------
@pytest.mark.parametrize("text", [
    "Львів, Шевченка, буд. 88, кв. 77", "Вінниця, Голосіївський пр-т 112", "с. Петрівка, Полтавська обл., буд. 124",
    "Одеса, Перемоги 112/5, кв. 141", "Я живу на Городоцькій 15, кв. 3", "Приїжджайте на Сихівську, 12, під'їзд 3",
    "улице Пушкина, дом 5, кв. 3", "Khreshchatyk St. 42, Kyiv", "Kyiv, Peremohy Ave. 32, apt. 44",
    "Lviv, Deribasivska 17, apt 191", "м. Київ, Хрещатик, 22", "поштовий індекс 01001, Київ, Хрещатик 1",
])
def test_an_address_without_the_street_word_is_an_address(text):
    assert "address" in _kinds(text), text


@pytest.mark.parametrize("text", ["Звіт 2024, кв. 3", "Розділ 5, кв. 3 плану", "Chapter 5, unit 3",
                                  "Lesson 4, Unit 2 covers grammar", "Python 3, apt install", "Silk Road 2 was a market",
                                  "Main St. 5 times faster", "Ціна 12000, Київ, Модель 3", "м. Київ, Розділ 5",
                                  "Продано 12000, Київ, Шевченка 5 штук"])
def test_numbered_parts_are_no_address(text):
    assert detect_pii(text) == [], text


def test_an_address_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "Доставка: Львів, Шевченка, буд. 88, кв. 77")
    assert target != "cloud" and not sent


# --- B2/B3. the audit log keeps no name next to personal data -----------------------------------------------------
NAMES_IN_LOG = [
    ("Olena's e-mail is olena.koval@gmail.com", "Olena"), ("Напиши листа Марʼяні Коваль на mariana@ukr.net", "Коваль"),
    ("Patrick O'Brien, phone +44 7700 900123", "Brien"), ("Ronald McDonald, card 4149 4999 1234 5673", "McDonald"),
    ("OLENA KOVAL, DOB 12.03.1985", "KOVAL"), ("ПІБ: КОВАЛЕНКО ОЛЬГА ІВАНІВНА; тел 0671234567", "КОВАЛЕНКО"),
    ("Коваль О.В., паспорт КВ 123456", "Коваль"), ("Koval O., passport FX123456", "Koval"),
    ("olena koval, 0671234567", "koval"), ("Эдуард Лысенко, 0671234567", "Лысенко"),
    ("Олена Коваль-Бондар, ІПН 3124167891", "Бондар"), ("Тарас (0671234567) і Ольга (0509876543)", "Ольга"),
    ('From: "Koval, Olena" <o.koval@ukr.net>', "Koval"), ('{"name":"Olena","surname":"Koval","tel":"0671234567"}', "Koval"),
    ("name=Olena%20Koval&phone=0671234567", "Koval"), ("phone=%2B380671234567&name=Olena+Koval", "Koval"),
    ("Пишу про Тараса. " + "Він давно працює з нами і дуже цінний співробітник, тому прошу поради щодо графіка роботи. "
     + "У нього діабет, він приймає метформін.", "Тараса"),
    ("колега тарас має діабет", "тарас"),
]


@pytest.mark.parametrize("prompt,name", NAMES_IN_LOG, ids=[n for _, n in NAMES_IN_LOG])
def test_the_audit_log_keeps_no_name_next_to_personal_data(prompt, name):
    logged = redact_for_log(prompt, detect_pii(prompt))
    assert name not in logged, logged


def test_names_alone_and_acronyms_are_logged_as_before():
    assert redact_for_log("Please explain the REST API to Olena") == "Please explain the REST API to Olena"
    assert redact_for_log("Please call the REST API team at +380 67 123 45 67") == \
        "Please call the REST API team at [PHONE]"
    assert redact_for_log("Olena has diabetes.") == "[NAME] has [HEALTH]."
