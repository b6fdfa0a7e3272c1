"""Issue 11, attack round 10 (/work/attacks/issue11-r10/FINDINGS.md), the identifier classes still open after round 12:
card and phone digits joined by a colon, "=" or an "x" (A7: "+380=67=…" also read as quoted-printable), identity labels
in other spellings (A6: "айдішка", "ай-ді", "ідентифікатор", "залікова №", "трудова книжка", "sin"/"S.I.N.",
"aadhaar card", a chart number, the Italian codice fiscale with its check letter), a handle behind a YAML/JSON key
(A5: "login:", "логін", "handle") and a РНОКПП behind "<kod>" or "код з застосунку Дія" (A2). Each input failed before
(lesson 3); harmless look-alikes stay harmless. All identifiers are synthetic."""

from __future__ import annotations

import random

import pytest

from labs.router import detect_pii
from labs.router.validators import codice_fiscale_ok, luhn_digit
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks

FOUND = {
    "card": ["card 5375 : 7087 : 5142 : 8727", "card 5375x0566x1724x8453", "картка: 5375 = 7087 = 5142 = 8727",
             "5375x0566x1724x8453", "5168o0227o9672o2057", "5375 : 1013 : 1503 : 0041",  # no label: the same mark throughout
             "5375 x 6019 x 3041 x 5063", "5168 o 8997 o 8189 o 2627", "5375O6019O3041O5063",
             "номер картки 5375х0566х1724х8453"],  # the last with a Cyrillic "х"
    "phone": ["тел +380=67=394=56=11", "тел +380:67:394:56:11", "phone: +380 : 67 : 394 : 56 : 11"],
    "id_number": ["моя айдішка 3563104757", "моє ІДшка 12345678", "мій ідентифікатор 12345678", "мій ай-ді 12345678",
                  "залікова № 12345678", "номер трудової книжки 12345678", "sin: 133-636-514",
                  "my sin is 133 636 514", "S.I.N. 133-636-514", "aadhaar card 4631 3910 9378",
                  "Her chart # 12345678", "Her codice fiscale RSSMRA85T10A562S", "codice fiscale: mrtmtt91d08f205j",
                  "мій ідентифікаційний № 39188371", "ID-шка: 88766155", "особовий номер 94121079", "айдішник 48817601",
                  "CF: RSSMRA85T10A562S", "cod. fiscale BNCGPP80A01F205Q", "PPS number 1234567T",
                  "My CF: is RSSMRA85T10A562S.", "My cod. fiscale is BNCGPP80A01F205Q."],
    "handle": ["login: taras_sh", '{"користувач": {"логін": "taras_sh"}}', "Логін користувача — taras_sh",
               '{"handle": "taras_sh"}', 'login = "olena.k85"', '{"github": "p_melnyk85"}', '{"gh_user": "olya_k14"}',
               "<login>taras.sh48</login>"],
    "tax_id": ["<ідкод>3492146280</ідкод>", '<person kod="3492146280"/>', "<kod>3563104757</kod>", "код з застосунку Дія 3563104757", "код (з Дії) 3563104757",
               "Устим Коваль 2166875630"],
    # a name off the first list, or a surname without a Ukrainian ending, before a birth date (A1)
    "dob": ["Neil Smith, 12.03.1985", "Giulia Rossi, 12.03.1985", "Priya Sharma, 12.03.1985",
            "Jean-Pierre Dubois, 12.03.1985", "Зореслав Коваль, 12.03.1985", "Мельник Петро, 12.03.1985",
            "Kindergarten list: Matvii Koval, 2023-03-20",
            # a birthday split over JSON keys
            '{"name":"Maria","dob":{"d":3,"m":1,"y":1990}}', '{"name":"Taras","birthDay":8,"birthMonth":4,"birthYear":1957}',
            '{"name":"Богдан","birth_year": 1996, "birth_md": "10-31"}',
            # one first name and the date in brackets; a surname with its initials after it
            "Iryna (1990-08-02)", "Тарас (15.12.1963)", "Koval O., 12.03.1985",
            # a child's own record or group (round 11)
            "Vaccination card: Тарас Гончар, 15.03.2021", "Учасники гуртка: Марія Коваль (2019-03-14)",
            # a birthday split under a birth key in any notation (round 11)
            '{"name":"Emma","born":{"day":23,"month":7,"year":1980}}',
            '{"піб":"Коваль","народження":{"день":23,"місяць":7,"рік":1980}}', '{"dob_day":23,"dob_month":7,"dob_year":1980}',
            "<person><birth><day>5</day><month>10</month><year>2000</year></birth></person>",
            "birth:\n  day: 5\n  month: 10\n  year: 2000", '{"birth_date":[1980,7,23]}',
            '{"name":"Олена","д_н": "22.02.1963"}', '{"name":"Олена","dn": "22.02.1963"}',
            "Богдан Прокопович — 06.02.2022, 1-Б клас", "Тарас Федорів — May 21, 2016, 1-Б клас"],
    "address": ["Ship to Zelena Ter. 141, apt 50, Kyiv", "Ship to Lesi Ukrainky Ter. 12, apt 3, Kyiv"],
}
CASES = [(kind, text) for kind, texts in FOUND.items() for text in texts]


@pytest.mark.parametrize(("kind", "text"), CASES, ids=[t for _, t in CASES])
def test_each_r10_identifier_is_found_and_never_reaches_the_cloud(kind, text):
    assert kind in {f.kind for f in detect_pii(text)}, detect_pii(text)
    assert _leaks(COMPLEX + text) == ("refuse", False)  # the local model is down: refused, never the cloud


HARMLESS = [
    # round 11's false alarms of this change: an adult's role or an occasion by a name and a date, a shop's table,
    # sizes joined by "x", a thing's nickname
    "Садочок «Сонечко»: свято осені, вихователька Ірина Мельник, 19.12.2020. Напиши сценарій.",
    "Class 3B trip: Ms Emma Smith, 2023-05-14, Natural History Museum. Draft a letter to parents.",
    "Олімпіада з математики, 6-В клас: журі — Ірина Мельник, 20.08.2023",
    "Лекція Тарас Шевчук (27.10.1995) про штучний інтелект — конспект?",
    "Interview with Emma Brown (2007-12-25) about the kernel.", "Patch by John Smith, 25.08.2002 — why was it reverted?",
    "Відповідальний: Богдан Мельник (25.04.2005)\nЗавдання: оновити документацію.",
    "Філія\tМісто\tВулиця\nRozetka-122\tПолтава\tПушкінська\nАТБ-191\tКиїв\tНабережна Перемоги\nФора-3\tЛьвів\tСумська",
    "| Філія | Місто | Вулиця |\n|---|---|---|\n| АТБ-12 | Київ | Сумська |\n| Фора-3 | Львів | Городоцька |",
    "store,city,street,revenue\nФора-558,Харків,Набережна Перемоги,49792\nWhich city earns most?",
    "store_id,city,street,sales\n91,Київ,Хрещатик,42895\n75,Львів,Городоцька,6721",
    "* John Smith, 12 March 1999: added Unicode support.",
    "Магазин;Місто;Вулиця\nАТБ-941;Дніпро;Набережна Перемоги\nСільпо-61;Харків;Сумська",
    # round 9's "school" and "topics": a timetable's chemistry lesson, a question denied at once
    "Тарас на хімії з 9:00 до 10:30, потім фізика.", "Тарас сидів у тюрмі? Ні, це сюжет фільму «Втеча з Шоушенка», перекажи.",
    "He is a member of the union of writers? No, I mean: what is the Union of Writers of Ukraine?",
    "Mike is a union rep? No — Mike is the Union Pacific rail dispatcher; write his shift schedule.",
    "Resolution ladder: 4691x4808x4217x5432 px", '{"nickname": "Big Bertha", "type": "tunnel boring machine"}',
    "The birth rate fell: day 5 of month 10 in year 2000 had 12 births.", "<login>admin</login>",
    "Resolution 4691 x 4808 x 4217 x 5432 px", "Python (1991-02-20)", "Release (2024-03-12)", "Mark (2024-03-12)", "Windows (12.03.2019)",
            "ports 6102 : 8126 : 4843 : 7202", "1920x1080x1234x5678", '{"birth_rate": 12, "birthYear": 1990}',
            "sin 0.5235987756", "sin(123456789) is computed in radians", "go to the login page_1 now",
            "login: admin", "ratio 16:9 at 1920x1080 for 30:00", "time 10:00:00 build 1234x5678x9012",
            "Login with your account to see build 2024:05:01", "<code>3563104757</code>",
            "codice fiscale: RSSMRA85T1OA562T (an O for a 0 where a digit must stand: no code's shape)",
            "the chart shows 12345678 requests", "identifier 12345678 of the job", "x=3D5 y=3D7 and nothing else",
            # r9 B classes (a 10-digit product, licence or policy number passes the РНОКПП checksum one time in ten)
            "HS code 4111350729 for lithium batteries, what duty applies?", "Товар з кодом 3335517775 не проходить митницю.",
            "Мій номер PR 674916755, чому не працює?", "Insurance policy number 3197733380 for the warehouse.",
            "License number: 2464843456 (Windows Server 2022). How do I activate it?", "Мій ID бота 536805769467, чому?"]


@pytest.mark.parametrize("text", HARMLESS)
def test_look_alikes_stay_harmless(text):
    assert detect_pii(text) == []


def test_a_lower_case_sin_counts_only_before_a_luhn_valid_nine_digit_number():
    """"sin" is a sine in most prompts: lower case, only a Luhn-valid 9-digit number behind it is a Canadian SIN."""
    rng = random.Random(13)
    flagged = valid = 0
    for _ in range(400):
        body = "".join(rng.choice("0123456789") for _ in range(8))
        good = body + luhn_digit(body)
        bad = body + str((int(luhn_digit(body)) + 1 + rng.randrange(9)) % 10)
        valid += bool(detect_pii(f"my sin is {good[:3]} {good[3:6]} {good[6:]}"))
        flagged += bool(detect_pii(f"the sin is {bad[:3]} {bad[3:6]} {bad[6:]} rad"))
    assert valid == 400 and flagged == 0


def test_a_labelled_codice_fiscale_is_found_with_a_right_or_a_mistyped_check_letter():
    """The label and the shape decide (a labelled card with a typo counts too); the check letter is computed here only to
    make both kinds of input."""
    rng = random.Random(29)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    found = wrong = 0
    for _ in range(300):
        body = ("".join(rng.choice(letters) for _ in range(6)) + f"{rng.randrange(100):02d}" + rng.choice("ABCDEHLMPRST")
                + f"{rng.randrange(1, 72):02d}" + rng.choice(letters) + f"{rng.randrange(1000):03d}")
        check = next(ch for ch in letters if codice_fiscale_ok(body + ch))
        other = letters[(letters.index(check) + 1 + rng.randrange(25)) % 26]
        found += bool(detect_pii(f"Codice fiscale: {body}{check}"))
        wrong += bool(detect_pii(f"CF: {body}{other}"))
    assert found == 300 and wrong == 300


# --- round 9's false-alarm classes still open after round 12 (/work/attacks/issue11-r9/t_fp9.py: 13% of them) ---------
TOWNS = ["Kyiv", "Lviv", "Kharkiv", "Odesa", "Dnipro", "Vinnytsia", "Lutsk", "Poltava", "Irpin", "Sumy"]
МІСТА = ["Київ", "Львів", "Харків", "Одеса", "Дніпро", "Вінниця", "Луцьк", "Полтава", "Ірпінь", "Ужгород", "Запоріжжя"]


def _town_text(rng: random.Random) -> str:
    t, m = rng.choice(TOWNS), rng.choice(МІСТА)
    n = rng.randint(1, 150)
    return rng.choice([
        f"I studied at {t} {rng.choice(['National University', 'Academy', 'Polytechnic', 'Arena', 'Opera'])} {n % 9 + 1} years ago.",
        f"The {t} {rng.choice(['Academy', 'Opera', 'National University'])} {n % 9 + 1} team placed second.",
        f"{m}, {rng.choice(['Тесла', 'Хонда', 'Шкода', 'Тойота'])} {n % 9 + 1} — ціна б/у?",
        f"Our team in {t}, {rng.choice(['Vicuna 13', 'Sony Alpha 7', 'Dell XPS 15'])} and Gemini 2 were compared.",
        f"{m}, Перемога {n % 6}:{n % 4} — так закінчився матч. Напиши репортаж.",
        f"Потяг {m} — {rng.choice(МІСТА)} {n} відправляється о 7:40, скільки їхати?",
    ])


def _csv_stores(rng: random.Random) -> str:
    head = rng.choice(["store,street,house,sales", "branch,street,building,revenue", "філія;вулиця;будинок;виторг"])
    sep = ";" if ";" in head else ","
    rows = [sep.join([f"Store {rng.randint(1, 99)}", rng.choice(["Central", "Main", "Oak", "Mill", "Сумська", "Зелена"]),
                      str(rng.randint(1, 200)), str(rng.randint(100, 999))]) for _ in range(3)]
    return "Which branch sold most?\n" + "\n".join([head, *rows])


def _service_account(rng: random.Random) -> str:
    name = rng.choice(["deploy", "elastic", "grafana", "service-account", "ec2-user", "test_user", "demo-user", "guest"])
    return rng.choice([f'{{"username": "{name}", "password": "${{DB_PASSWORD}}", "port": {rng.randint(1000, 9999)}}}',
                       f'login = {{"username": "{name}"}}  # default creds for the docker image',
                       f'<user username="{name}" roles="manager-gui"/>', f"database:\n  login: {name}\n  port: 5432"])


def _ismn(rng: random.Random) -> str:
    return f"ISMN 979-0-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(0, 9)} — format this reference."


def _placeholder_address(rng: random.Random) -> str:
    return rng.choice(['{"address": "{{ .Values.host }}:%d"}', '{"street": "${STREET}", "port": %d}',
                      '{"address": "<%%= host %%>:%d"}']) % rng.randint(1000, 9999)


@pytest.mark.parametrize("make", [_town_text, _csv_stores, _service_account, _ismn, _placeholder_address])
def test_round_9_false_alarm_classes_stay_under_one_percent(make):
    rng = random.Random(f"r13-{make.__name__}")
    texts = [make(rng) for _ in range(400)]
    flagged = [t for t in texts if detect_pii(t)]
    assert len(flagged) < 4, flagged[:5]  # < 1%


@pytest.mark.parametrize("text", [
    "Lutsk, Naukova 40", "Дніпро, Сумська 112-148", "Лесі Українки 5/12, Луцьк", "Ірпінь, Київська 3а",
    "Київ, Хрещатик 22", "Одеса, Академіка Корольова 5", "Київ, Інститутська 5", "Львів, Театральна 10",
    "Київ, Перемоги 5", "customer,street,house\nOlena Koval,Сумська,53", 'login: olena.k85',
    '{"username": "olena_k85", "password": "x"}', "ISBN 978-0-306-40615-7, call me on +380 67 123 45 67",
    "Батько на хімії, йому погано.", "Мама на хімії, історія хвороби додається.", "Тарас сидів у тюрмі? Так, 5 років.",
    "Is Taras gay? I think so."])
def test_what_the_false_alarm_fixes_must_not_lose(text):
    assert detect_pii(text), text


@pytest.mark.parametrize("label", ["Tax Code:", "Cod. Fisc.:", "cF:", "Codice Fiscale", "TAX CODE", "c.F."])
def test_a_codice_fiscale_label_counts_in_any_case(label):
    """The label's gate read the text as typed with a few spellings and missed "Tax Code:" and "Cod. Fisc." (the
    label's own pattern ignores case); found in issue 11's speed work."""
    text = f"{label} RSSMRA85T10A562S"
    assert [(f.kind, f.text) for f in detect_pii(text)] == [("id_number", "RSSMRA85T10A562S")]
