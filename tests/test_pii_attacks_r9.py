"""Issue 11, attack round 7 (/work/attacks/issue11-r7/FINDINGS.md): false alarms first (a decorator read as an e-mail,
reference lists, a colleague asked to write about a health topic, medicine as a topic, "@" names that are no person),
then leaks (names not on the first-name list, health words missing in both languages, "номер —" with spaced digits)
and the audit log (lesson 3).

Each class is tested as a class; the inputs that failed before are kept as examples. All identifiers are synthetic.
The end-to-end checks route through ``Router`` with the stand-in cloud (a fake for a paid API, said loudly) and the
local model down: whatever is not found goes to the cloud.
"""

from __future__ import annotations

import itertools

import pytest

from labs.router import detect_pii
from labs.router.audit import redact_for_log
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks


def _health(text: str) -> bool:
    return any(f.kind == "health" for f in detect_pii(text))


# --- C1/C5. a decorator or a mention in prose is no e-mail and no handle ------------------------------------------
DECORATORS = ["@pytest.fixture", "@app.route('/')", "@torch.compile", "@app.get('/items')", "@functools.wraps(f)",
              "@bot.message_handler(commands=['start'])", "@dp.message_handler()", "@bot.command()", "@client.event",
              "@login_required", "@lru_cache", "@st.cache_data", "@tf.function"]
DECORATOR_FRAMES = ["Use the {d} decorator here.", "I get a TypeError at {d}.", "Помилка на {d}, чому?",
                    "My Telegram bot crashes at {d}, why?", "Мій Discord бот падає на {d}, чому?"]


def test_a_decorator_in_prose_is_no_personal_data():
    """Before: 46.7% (t_fpdec.py), 93% in bot questions (t_fpbot.py): "the @pytest.fi" was read as an e-mail."""
    flagged = [t for f, d in itertools.product(DECORATOR_FRAMES, DECORATORS)
               if detect_pii(t := f.format(d=d))]
    assert flagged == [], flagged


@pytest.mark.parametrize("text", [
    "Telegram: ask @BotFather for a token", "Use @userinfobot in Telegram to get your id", "У Discord пишіть @everyone",
    "Discord: mention @Moderators", "У Телеграмі є офіційний канал @UkraineNow",
    "Telegram Mini App: @twa-dev/sdk не імпортується.", "Signal: use @Signal annotations in Angular 17.",
])
def test_at_names_that_are_no_person_are_no_handles(text):
    assert not detect_pii(text), detect_pii(text)


@pytest.mark.parametrize("text,found", [
    ("мій телеграм @olena_koval85", "@olena_koval85"), ("Telegram: @olena.koval", "@olena.koval"),
    ("пишіть на olena.koval@gmail.com", "olena.koval@gmail.com"), ("olena @gmail.com", "olena @gmail.com"),
])
def test_handles_and_emails_are_still_found(text, found):
    assert found in [f.text for f in detect_pii(text)], detect_pii(text)


# --- C2. a reference list names authors, not patients -----------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Chen J.E., Koval A.L. Epilepsy in adults: a review. J Med. 2019;11:343.",
    "Шевчук П.В. Депресія у дорослих: огляд // Укр. мед. часопис. 2002. №8.",
    "Smith A.B., Brown C. et al. Asthma in children. Lancet. 2015;385(9):1200-8.",
    "Коваленко О.І. Цукровий діабет у дорослих // Вісник медицини. – 2019. – Т. 3. – С. 12–18.",
    "Ivanov A.A. Asthma in children: a review. BMJ 2018.",
])
def test_a_reference_list_is_no_health_data(text):
    """Before: EN 88.5%, UA 100% of generated references (t_fpcite.py)."""
    assert not detect_pii(text), detect_pii(text)


@pytest.mark.parametrize("text", ["Коваль О.В., Ds: J45.0", "Koval O., Dx: I10", "Коваль О.В. хворіє на діабет."])
def test_a_patient_record_with_initials_is_still_health_data(text):
    assert _health(text), text


# --- C3. a colleague asked to work on a health topic ------------------------------------------------------------
ADDRESSED_EN = ["{n}, please write a blog post about {t} prevention.", "{n}, can you summarize this paper on {t}?",
                "{n}, our model predicts {t} risk; check the AUC.", "Hi {n}, translate this leaflet about {t} into Ukrainian."]
ADDRESSED_UK = ["{n}, напиши статтю про профілактику {g}.", "{n}, зроби конспект статті про {a}.",
                "{n}, наша модель прогнозує ризик {g}; перевір AUC.", "Привіт, {n}, переклади листівку про {a} англійською."]


def test_a_colleague_asked_about_a_health_topic_is_no_patient():
    """Before: EN 41.7%, UA 50% (t_fpaddr.py)."""
    en = [f.format(n=n, t=t) for f, n, t in itertools.product(ADDRESSED_EN, ["Olena", "Taras", "Sarah"],
                                                                  ["diabetes", "HIV", "stroke"])]
    uk = [f.format(n=n, g=g, a=a) for f, n, (g, a) in itertools.product(
        ADDRESSED_UK, ["Олено", "Тарасе", "Андрію"], [("діабету", "діабет"), ("ВІЛ", "ВІЛ"), ("інсульту", "інсульт")])]
    flagged = [t for t in en + uk if detect_pii(t)]
    assert flagged == [], flagged


@pytest.mark.parametrize("text", ["Olena, how is your asthma?", "Олено, як твоя астма?",
                                  "Olena, could you tell me how your chemo went?", "Тарасе, як ти після операції?"])
def test_asking_the_person_about_their_health_is_still_health_data(text):
    assert _health(text), text


# --- C4. medicine as a topic with a generic subject -------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Пацієнти після інсульту мають уникати важких навантажень.", "Patients on dialysis need a low-potassium diet.",
    "Children with asthma often feel tired.", "Діти з астмою часто відчувають втому.",
    "Люди після інсульту мають уникати важких навантажень.", "Курці з діабетом мають користь від вправ.",
    "Which ICD-10 code should I use for type 2 diabetes without complications?",
    "Таблиця patients має колонки id, diagnosis, icd10.",
])
def test_medicine_as_a_topic_is_no_health_data(text):
    """Before: EN 28.6%, UA 57.1% (t_fpmed.py)."""
    assert not detect_pii(text), detect_pii(text)


@pytest.mark.parametrize("text", ["My children have asthma.", "Мої діти мають астму.", "Наші пацієнти на діалізі: Олена",
                                  "The patient has diabetes.", "Вони мають діабет."])
def test_someone_s_children_or_one_patient_are_still_health_data(text):
    assert _health(text), text


# --- A1. health data about a person whose name is not on the full-name list -------------------------------------
# (nominative, genitive, dative): everyday forms (t_names.py) and names on no list at all
EVERYDAY_UK = [("Оля", "Олі", "Олі"), ("Юра", "Юри", "Юрі"), ("Катя", "Каті", "Каті"), ("Міша", "Міші", "Міші"),
               ("Сашко", "Сашка", "Сашкові"), ("Даша", "Даші", "Даші"), ("Вова", "Вови", "Вові"),
               ("Ліза", "Лізи", "Лізі"), ("Женя", "Жені", "Жені"), ("Ксюша", "Ксюші", "Ксюші")]
UNLISTED_UK = [("Фросина", "Фросини", "Фросині"), ("Зеник", "Зеника", "Зеникові"), ("Геля", "Гелі", "Гелі"),
               ("Стефко", "Стефка", "Стефкові")]
FRAMES_UK = ["{n} після інсульту погано говорить.", "{d} вчора зробили хіміотерапію.", "У {g} шизофренія.",
             "{n} на діалізі.", "{d} ампутували ногу.", "{n} на лікарняному.", "{n} ходить до психотерапевта.",
             "{d} поставили кардіостимулятор."]
EVERYDAY_EN = ["Sasha", "Piotr", "Ahmed", "Dima", "Katya", "Carlos", "Mohammed", "Hans", "Yuki"]
UNLISTED_EN = ["Bartek", "Zainab", "Thiago", "Aoife"]
FRAMES_EN = ["After the stroke {n} can barely speak.", "{n} started chemo last week.", "{n} has schizophrenia.",
             "{n} is on dialysis.", "{n} sees a therapist.", "{n} got a pacemaker."]


@pytest.mark.parametrize("names", [EVERYDAY_UK, UNLISTED_UK], ids=["everyday", "unlisted"])
def test_ukrainian_names_off_the_list_are_persons(names):
    """Before: 76/120 everyday forms missed (t_names.py)."""
    missed = [t for f, (n, g, d) in itertools.product(FRAMES_UK, names) if not _health(t := f.format(n=n, g=g, d=d))]
    assert missed == [], missed


@pytest.mark.parametrize("names", [EVERYDAY_EN, UNLISTED_EN], ids=["everyday", "unlisted"])
def test_english_names_off_the_list_are_persons(names):
    """Before: 30/120 missed (t_names.py)."""
    missed = [t for f, n in itertools.product(FRAMES_EN, names) if not _health(t := f.format(n=n))]
    assert missed == [], missed


@pytest.mark.parametrize("text", [
    "Дієта після інсульту має бути легкою.", "Лікування на діалізі дороге.", "Реабілітація після інсульту триває довго.",
    "У Львові діабет поширений.", "Курці на діалізі мають уникати важких навантажень.",
    "Після операції Python працює швидше.", "Люди на діалізі часто відчувають втому.",
])
def test_topic_nouns_in_a_person_s_place_are_no_persons(text):
    assert not detect_pii(text), detect_pii(text)


@pytest.mark.parametrize("tail", ["Юра після інсульту погано говорить.", "Каті вчора зробили хіміотерапію.",
                                  "У Міші шизофренія.", "Оля на діалізі.", "Piotr started chemo last week.",
                                  "After the stroke Sasha can barely speak."])
def test_health_data_about_an_everyday_name_never_reaches_the_cloud(tail):
    target, sent = _leaks(COMPLEX + tail)
    assert target != "cloud" and not sent


# --- A2. health words missing in both languages; EN/UA parity ----------------------------------------------------
PARITY = [
    ("Olena was hospitalised on Monday.", "Олену госпіталізували в понеділок."),
    ("Olena was discharged from hospital.", "Олену виписали з лікарні."),
    ("Taras got stitches on his head.", "Тарасу наклали шви на голову."),
    ("Taras was discharged from the army on health grounds.", "Тараса комісували за станом здоров'я."),
    ("Olena ended up in the ER.", "Олена загриміла в реанімацію."),
    ("Taras is HIV-infected.", "Тарас ВІЛ-інфікований."),
    ("Olena is undergoing chemo.", "Олена проходить хімію."),
    ("Taras is in a psychiatric ward.", "Тарас лежить у психушці."),
    ("Olena is registered with a narcologist.", "Олена на обліку в нарколога."),
    ("Taras has syphilis.", "У Тараса сифіліс."),
    ("Olena has gonorrhea.", "В Олени гонорея."),
    ("Olena has HPV.", "В Олени ВПЛ."),
    ("Taras has an STD.", "У Тараса ЗПСШ."),
    ("Olena has a hernia.", "В Олени грижа."),
    ("Taras has gout.", "У Тараса подагра."),
    ("Olena has endometriosis.", "В Олени ендометріоз."),
    ("Taras has kidney stones.", "У Тараса камені в нирках."),
    ("Olena has panic disorder.", "В Олени панічний розлад."),
    ("Taras has long covid.", "У Тараса лонгковід."),
    ("Olena has anemia.", "В Олени анемія."),
    ("Taras has a stomach ulcer.", "У Тараса виразка шлунку."),
    ("Olena has gastritis.", "В Олени гастрит."),
    ("Taras's blood pressure is 180 over 110.", "У Тараса тиск 180 на 110."),
    ("Olena's sugar is 14.", "В Олени цукор 14."),
    ("Olena is on PrEP.", "Олена на ДКП (PrEP)."),
    ("Taras has Down syndrome.", "У Тараса синдром Дауна."),
    ("Olena has scoliosis.", "В Олени сколіоз."),
    ("Taras has a cochlear implant.", "У Тараса кохлеарний імплант."),
    ("After my stroke I limp.", "Після інсульту я кульгаю."),
    ("She is HIV-infected.", "Вона ВІЛ-інфікована."),
    ("They put him in a psych ward.", "Його поклали в психлікарню."),
    ("My boss has syphilis.", "У мого начальника сифіліс."),
]


def test_the_parity_pairs_are_found_in_both_languages():
    """Before: EN 21/32 and UA 21/32 missed (t_parity2.py), 3/18 each (t_parity3.py), 10 pairs one-sided."""
    missed_en = [en for en, _ in PARITY if not _health(en)]
    missed_uk = [uk for _, uk in PARITY if not _health(uk)]
    assert missed_en == [] and missed_uk == [], (missed_en, missed_uk)


@pytest.mark.parametrize("text", [
    "I use std::sort in my code.", "Our ER diagram has a patients table.", "Керівництво з лікування діабету для лікарів.",
    "Начальний етап лікування діабету.", "What is the difference between gout and arthritis?",
    "Як передається сифіліс?", "Meal prep ideas for the week.",
])
def test_the_new_words_alone_are_no_health_data(text):
    assert not detect_pii(text), detect_pii(text)


@pytest.mark.parametrize("tail", ["У Тараса сифіліс.", "Olena has gonorrhea.", "Після інсульту я кульгаю.",
                                  "Вона ВІЛ-інфікована.", "After my stroke I limp."])
def test_sexual_health_and_first_person_never_reach_the_cloud(tail):
    target, sent = _leaks(COMPLEX + tail)
    assert target != "cloud" and not sent


# --- A9. "номер —" with an em dash and spaced digits --------------------------------------------------------------
@pytest.mark.parametrize("text", ["номер — 0 6 6 1 7 4 2 1 8 0", "number – 0 6 6 1 7 4 2 1 8 0"])
def test_a_phone_after_number_and_a_dash_is_a_phone(text):
    assert "phone" in {f.kind for f in detect_pii(text)}, detect_pii(text)


def test_a_phone_after_number_and_a_dash_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "номер — 0 6 6 1 7 4 2 1 8 0")
    assert target != "cloud" and not sent


# --- A3. a surname, a comma and an initial --------------------------------------------------------------------------
def test_surname_comma_initial_with_a_diagnosis_is_health_data():
    assert _health("Koval, O. has tuberculosis.")


# --- B1-B3. the audit log keeps no name next to personal data --------------------------------------------------------
LOGGED = [
    ("Юра, номер 0671234567", "Юра"), ("Сашко: sashko85@ukr.net", "Сашко"), ("Ahmed, card 4111 1111 1111 1111", "Ahmed"),
    ("Оксаночка, +380671234567", "Оксаночка"), ("Giulia, тел. +380671234567", "Giulia"), ("Giulia: g.rossi@gmail.com", "Giulia"),
    ("ОЛЕНА МАЄ ДІАБЕТ, +380671234567", "ОЛЕНА"), ("OLENA HAS DIABETES", "OLENA"), ("У ТАРАСА ДІАБЕТ", "ТАРАСА"),
    ("ТАРАС ХВОРІЄ НА ДІАБЕТ", "ТАРАС"), ("пані Коваль, тел +380671234567", "Коваль"),
    ("Шановна пані Коваль! Ваш телефон +380671234567", "Коваль"), ("Koval, O., phone +380671234567", "Koval"),
    ("Koval, O. has tuberculosis.", "O."),
]


@pytest.mark.parametrize("prompt,name", LOGGED, ids=[n for _, n in LOGGED])
def test_the_audit_log_keeps_no_name_next_to_personal_data(prompt, name):
    logged = redact_for_log(prompt, detect_pii(prompt))
    assert name not in logged, logged


def test_the_audit_log_keeps_the_words_around_a_name():
    assert redact_for_log("ОЛЕНА МАЄ ДІАБЕТ, +380671234567") == "[NAME] [HEALTH], [PHONE]"
    assert redact_for_log("Please call the REST API team at +380 67 123 45 67") == \
        "Please call the REST API team at [PHONE]"


# --- A5. messenger handles written without "@" ----------------------------------------------------------------------
@pytest.mark.parametrize("text,handle", [
    ("мій тг: taras.k85", "taras.k85"), ("мій тг petro_ivanov85", "petro_ivanov85"), ("тг — andrii_m2001", "andrii_m2001"),
    ("мій нік у тг iryna.shev_ua", "iryna.shev_ua"), ("знайди мене в інсті: olena_koval85", "olena_koval85"),
    ("skype: live:olena.koval", "live:olena.koval"), ("discord: olena#1234", "olena#1234"),
    ("signal: olena_k.85", "olena_k.85"), ("t[.]me/olena_k", "t[.]me/olena_k"), ("t.me/ olena_k", "t.me/ olena_k"),
])
def test_a_handle_without_at_after_a_messenger_is_a_handle(text, handle):
    """Before: 540/540 missed in the six frames without "@" (t_handle.py)."""
    assert handle in [f.text for f in detect_pii(text) if f.kind == "handle"], detect_pii(text)


@pytest.mark.parametrize("text", ["Telegram API method send_message fails", "в телеграм каналі новини",
                                  "Instagram: v2.0 API", "Мій Telegram бот падає на send_message, чому?",
                                  "See github.com/pytorch/pytorch for the code."])
def test_words_after_a_messenger_are_no_handles(text):
    assert not detect_pii(text), detect_pii(text)


def test_a_handle_without_at_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "мій тг petro_ivanov85")
    assert target != "cloud" and not sent


def test_a_handle_is_named_in_the_reason():
    from labs.router.policy import describe_kinds
    assert describe_kinds({"handle": 1}) in ("1 messenger handle", "нікнейм у месенджері (1)")


# --- A3. diagnosis codes without a label, or with an unusual one ---------------------------------------------------
@pytest.mark.parametrize("text", [
    "Мій брат має код F20.0 у довідці.", "My brother's certificate says F20.0.", "довідка для Олі: шифр F20",
    "Koval O.V., dx E11.9", "Patient Koval O., ICD-10 code E119", "Koval O., ICD-11: 6A70", "Коваль Т.І. Z21 (ВІЛ-статус)",
    "Пацієнт Koval O., палата 5, ліжко 2",
])
def test_a_diagnosis_code_about_a_person_is_health_data(text):
    assert _health(text), text


@pytest.mark.parametrize("text", ["Set the status code to E11 in the billing app.", "Press F20 to open the menu.",
                                  "Код A12.3 у таблиці версій."])
def test_a_code_with_nobody_is_no_health_data(text):
    assert not detect_pii(text), detect_pii(text)


def test_a_diagnosis_code_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "Koval O.V., dx E11.9")
    assert target != "cloud" and not sent


# --- A7. birth dates in common forms ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,date", [
    ("Олена, д.н. 12.03", "12.03"), ("born on the 12th of March", "12th of March"),
    ("Я народився в березні 1985", "березні 1985"), ("1985 р/н", "1985"), ("рік нар. 1985", "1985"),
])
def test_a_birth_date_in_a_common_form_is_a_dob(text, date):
    assert date in [f.text for f in detect_pii(text) if f.kind == "dob"], detect_pii(text)


@pytest.mark.parametrize("text", ["Python was born in 1991", "Договір від 12 березня", "У березні 2024 ми запустили продукт"])
def test_dates_with_no_birth_cue_stay_harmless(text):
    assert not detect_pii(text), detect_pii(text)


def test_a_birth_date_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "Олена, д.н. 12.03")
    assert target != "cloud" and not sent


# --- A6. e-mails with a Cyrillic provider, no top-level domain, "-at-", "#at#", "гав" ------------------------------
@pytest.mark.parametrize("text,email", [
    ("olena.koval на гмейлі", "olena.koval на гмейлі"), ("мій джимейл olenakoval85", "olenakoval85"),
    ("my gmail is olenakoval85", "olenakoval85"), ("olena_koval@ukr", "olena_koval@ukr"),
    ("olena.koval@gmail", "olena.koval@gmail"), ("olena.koval -at- gmail -dot- com", "olena.koval -at- gmail -dot- com"),
    ("olena.koval#at#gmail.com", "olena.koval#at#gmail.com"), ("olena.koval гав gmail.com", "olena.koval гав gmail.com"),
])
def test_an_email_in_an_everyday_form_is_an_email(text, email):
    assert email in [f.text for f in detect_pii(text) if f.kind == "email"], detect_pii(text)


@pytest.mark.parametrize("text", ["I use gmail for work", "мій gmail: робочий", "Use @gmail in the filter",
                                  "import gmail.api", "user@localhost"])
def test_a_provider_s_name_alone_is_no_email(text):
    assert not detect_pii(text), detect_pii(text)


def test_an_email_with_a_cyrillic_provider_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "пишіть olena.koval на гмейлі")
    assert target != "cloud" and not sent


# --- A4. addresses: transliterated street words, no commas, "смт", Polish and German forms ---------------------------
@pytest.mark.parametrize("text", [
    "Ternopil, vul. Sumska 102/13", "Odesa, vulytsia Franka 42, kv. 68", "Poltava, Sumska 58, kv 125",
    "Naukova 12, kv 6, Kyiv", "смт Козин, Садова 34", "Київ Бандери 3 кв 137", "Дніпро — Наукова 21 кв 36",
    "ul. Lipowa 102/2, Wrocław", "г. Харьков, Пушкина 79-134", "с.Гора,Франка,101", "Bahnhofstraße 39, 45249 Hamburg",
])
def test_an_address_in_an_everyday_form_is_an_address(text):
    """Before: 100% missed per form (t_addr.py)."""
    assert "address" in {f.kind for f in detect_pii(text)}, detect_pii(text)


@pytest.mark.parametrize("text", ["See pl. 5 in the atlas", "Розділ 5 кв 3", "Таблиця 5 кв 3", "vul. 5",
                                  "Версія 3, Python 3.11", "Use the Dijkstra weg 3 algorithm"])
def test_numbered_things_are_no_address(text):
    assert not detect_pii(text), detect_pii(text)


def test_a_transliterated_address_never_reaches_the_cloud():
    target, sent = _leaks(COMPLEX + "Odesa, vulytsia Franka 42, kv. 68")
    assert target != "cloud" and not sent


# --- A2. Russian and Ukrainian in Latin letters, as typed in chats ----------------------------------------------------
@pytest.mark.parametrize("text", ["У Олены диабет, она колет инсулин", "Olena mae diabet, vona koletsya insulinom",
                                  "U Tarasa depresiya"])
def test_russian_and_latin_ukrainian_health_sentences_are_health_data(text):
    assert _health(text), text


@pytest.mark.parametrize("text", ["U Python diabet dataset", "How does diabet work"])
def test_latin_health_words_with_nobody_stay_harmless(text):
    assert not detect_pii(text), detect_pii(text)
