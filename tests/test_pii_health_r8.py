"""Issue 11 r8 A4 and A7: health data the vocabulary lacked, and the other special categories (lesson 3,
``labs.router.health``).

An outside attacker's round 8 sent these to the stand-in cloud: a blood group in 12 of its 15 written forms
("Моя група крові II(A) Rh+", "She is AB negative", a soldier's patch "Тарас, 0(I) Rh+"), the military-medical board's
verdicts ("пройшов ВЛК, визнали обмежено придатним"), brand-name drugs ("Olena is on Ozempic", "Я на Вентолині"),
"Батько на хімії", and (A7) sexual orientation, gender identity, religion, trade-union membership and a criminal record
(GDPR Art. 9 and 10). Each stays under the module's rule: a person must be near ("How does Ozempic work?", an A/B test,
rhodium's symbol Rh, a biology lesson on blood types stay non-personal). The end-to-end check routes through ``Router``
with the stand-in cloud (a fake for a paid API, said loudly) and the local model down: whatever is not found goes to the
cloud.
"""

from __future__ import annotations

import pytest

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii


def _health(text: str) -> list[str]:
    return [f.text for f in detect_pii(text) if f.kind == "health"]


# --- A4. blood group: the attacker's 15 forms (12 leaked; the other 3 were found only through another word) ---------
BLOOD = {  # prompt: a part of the blood group the finding must cover
    "Моя група крові II(A) Rh+.": "II(A)",
    "Група крові: 0(I) Rh−": "0(I)",  # a filled-in field is a record of someone, with or without a name
    "Тарас, група крові 2+": "2+",
    "У Тараса третя негативна група крові.": "третя негативна",
    "У мене перша позитивна.": "перша позитивна",
    "Олена: група крові A(II) Rh+, алергій немає": "A(II)",
    "у неї IV(AB) Rh-": "IV(AB)",
    "Моя кров — перша негативна, потрібні донори": "перша негативна",
    "Мамі потрібна кров B(III) Rh+, вона в лікарні": "B(III)",
    "шеврон: Тарас, 0(I) Rh+": "0(I)",
    "My blood type is O negative.": "O negative",
    "Taras, blood type A+": "A+",
    "She is AB negative.": "AB negative",
    "My mom needs B+ blood, she's in hospital.": "B+ blood",
    "Blood group: 0(I) Rh+, Taras Shevchuk": "0(I)",
    # the same class, other spellings
    "blood type O+ — that's mine": "O+",
    "She is A negative.": "A negative",
    "I'm O positive, my brother too.": "O positive",
    "Моя дружина резус негативна.": "резус негативна",
    "Мій син резус-негативний, група крові IV": "резус-негативний",
    "Тарас, група крові О(І) Rh+": "О(І)",  # Cyrillic О and І
    "У брата В(ІІІ) резус-позитивна": "В(ІІІ)",
    "У меня группа крови 2 положительная": "группа крови",
    "Taras: Rh-negative, blood group A(II)": "Rh-negative",
    "She is AB negative and pregnant.": "AB negative",
    "My mother is O negative and my father A positive.": "O negative",
    "- Група крові: A(II) Rh+": "A(II)",
    "If my blood type is A+, can I donate to my son?": "A+",  # a question about oneself, not a genetics problem
    "Якщо мамі потрібна кров B(III) Rh+, хто може бути донором?": "B(III)",
}

# --- A4. the military-medical board (ВЛК) and its verdicts --------------------------------------------------------
BOARD = {
    "Тарас пройшов ВЛК, визнали обмежено придатним.": "обмежено придатним",
    "ВЛК: Тарас — придатний до служби в ТЦК": "придатний до служби",
    "Taras failed the military medical board (unfit).": "military medical board",
    "мене на ВЛК визнали непридатним через серце": "непридатним",
    "Тарас — непридатний до військової служби.": "непридатний до військової служби",
    "Taras is unfit for service.": "unfit for service",
    "My son was found unfit for military service.": "unfit for military service",
    "Брата визнали тимчасово непридатним.": "тимчасово непридатним",
}

# --- A4. brand-name drugs and "на хімії" --------------------------------------------------------------------------
DRUGS = {
    "Olena is on Ozempic.": "Ozempic",
    "Олена колеться Оземпіком.": "Оземпіком",
    "Я на Вентолині.": "Вентолині",
    "Taras uses Ventolin before running.": "Ventolin",
    "Мій батько п'є Конкор і Кардіомагніл.": "Конкор",
    "My wife takes Zoloft.": "Zoloft",
    "Мама приймає Еутирокс 50.": "Еутирокс",
    "Her dad is on Xarelto after the stroke.": "Xarelto",
    "У мене закінчився Лантус.": "Лантус",
    "Брат п'є Золофт вже рік.": "Золофт",
    "She switched from Wegovy to Mounjaro.": "Wegovy",
    "Дружина п'є Корвалол щовечора.": "Корвалол",
    "Батько на хімії.": "на хімії",
    "Мама вже третій тиждень на хімії, слабка.": "на хімії",
    "Тато після хімії лежить.": "після хімії",
}

# --- A7. the other special categories (GDPR Art. 9 and 10), said of a person -------------------------------------
SPECIAL = {
    "Тарас — гей.": "гей",
    "Taras is gay.": "gay",
    "Я бісексуальна.": "бісексуальна",
    "Олена — трансгендерна жінка.": "трансгендерна",
    "Тарас ходить у церкву УПЦ МП.": "ходить у церкву УПЦ МП",
    "Тарас — мусульманин.": "мусульманин",
    "Taras is Muslim.": "is Muslim",
    "Тарас — член профспілки.": "член профспілки",
    "Тарас раніше судимий за крадіжку.": "судимий",
    "Taras was convicted of theft.": "convicted",
    "My sister came out as lesbian last year.": "lesbian",
    "Olena has a criminal record.": "criminal record",
    "Мій сусід — свідок Єгови.": "свідок Єгови",
    "Taras is a union member at the plant.": "union member",
}

# --- non-personal: the same words with nobody near them, or meaning something else --------------------------------
NOT_PERSONAL = [
    "How does Ozempic work?",
    "Як діє Оземпік?",
    "Поясни, як працює Вентолін.",
    "We ran an AB test on the landing page.",
    "Run an A/B test with my team.",
    "Blood types are A, B, AB and O; explain the ABO system.",
    "In biology class we learn about blood type inheritance.",
    "Що таке резус-фактор?",
    "What is the Rh factor?",
    "Rh is rhodium, atomic number 45.",
    "My chemistry homework: Rh+ ions and Rh- complexes",
    "Що означає абревіатура ВЛК?",
    "a(i) = b(i) + c(i) in my Fortran loop",
    "My array B(II) and A(I) indices",
    "O(n) and O(1) in my code",
    "I got an A+ on my exam.",
    "my B+ tree implementation",
    "She is a positive person.",
    "He has 0 negative samples in his dataset.",
    "На хімії вчителька пояснила реакцію заміщення, мій син зрозумів.",
    "Мій син зараз на хімії, урок закінчиться о 15:00.",
    "Будинок визнали непридатним для проживання, мій батько в шоці.",
    "My server is fit for service.",
    "Перша позитивна новина за тиждень: мій PR змерджили.",
    "Моя перша позитивна відповідь від роботодавця!",
    "Тарас купив квиток на концерт.",
    "My Concorde model",
    "Gay-Lussac's law: my homework",
    "Asexual reproduction in my biology notes",
    "Гей, Тарасе, як справи?",
    "Explain the history of Islam to me.",
    "Мій реферат про історію церкви в Україні.",
    "My essay on LGBT rights in the EU.",
    "Our team uses a non-binary tree in my code.",
    "Кримінальне право: поясни мені склад злочину.",
    # a school genetics problem names roles, not people; a table of groups is no one's record
    "If the mother has blood group A(II) Rh+ and the father B(III) Rh-, which blood types can the child have?",
    "Задача: у матері група крові 0(I), у батька IV(AB). Які групи крові можуть бути в дітей?",
    "Поясни, як успадковується група крові, якщо в батьків II(A) і III(B).",
    "Створи таблицю груп крові: 0(I), A(II), B(III), AB(IV) з резус-фактором.",
    "She's a Christian Dior fan.",
    "The trans man character in my novel",
]


@pytest.mark.parametrize("prompt,part", BLOOD.items())
def test_a_blood_group_about_a_person_is_health_data(prompt, part):
    found = _health(prompt)
    assert any(part in f for f in found), (prompt, found)


@pytest.mark.parametrize("prompt,part", BOARD.items())
def test_a_military_medical_verdict_is_health_data(prompt, part):
    found = _health(prompt)
    assert any(part in f or f in part for f in found), (prompt, found)


@pytest.mark.parametrize("prompt,part", DRUGS.items())
def test_a_brand_name_drug_or_chemo_is_health_data(prompt, part):
    found = _health(prompt)
    assert any(part in f for f in found), (prompt, found)


@pytest.mark.parametrize("prompt,part", SPECIAL.items())
def test_the_other_special_categories_are_found(prompt, part):
    found = [f.text for f in detect_pii(prompt) if f.kind == "special"]  # their own kind, not health
    assert any(part in f or f in part for f in found), (prompt, found)


@pytest.mark.parametrize("prompt", NOT_PERSONAL)
def test_the_words_with_nobody_near_are_not_personal(prompt):
    assert not detect_pii(prompt), (prompt, detect_pii(prompt))


def test_the_blood_group_value_is_in_the_span():
    """A redacted log must not keep the value: '[HEALTH] II(A) Rh+' would still say it."""
    (found,) = _health("Моя група крові II(A) Rh+.")
    assert found.startswith("група крові") and "II(A)" in found and "Rh" in found, found


_COMPLEX = ("Explain step by step, with examples and a comparison of approaches, how to plan the architecture of a "
            "distributed message queue with delivery guarantees. ")


def _route(prompt: str) -> tuple[str, list]:
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        result = router.complete(_COMPLEX + prompt)
        return result.target, list(cloud.requests)


@pytest.mark.parametrize("prompt", ["шеврон: Тарас, 0(I) Rh+", "She is AB negative.", "Olena is on Ozempic.",
                                    "Тарас пройшов ВЛК, визнали обмежено придатним.", "Батько на хімії.",
                                    "Taras is gay.", "Тарас раніше судимий за крадіжку."])
def test_end_to_end_the_cloud_never_sees_them(prompt):
    target, requests = _route(prompt)
    assert target != "cloud" and not requests, (prompt, target)


def test_end_to_end_a_pharmacology_question_still_goes_to_the_cloud():
    """The control: the same complex prompt with a drug name and nobody near it is no personal data."""
    target, requests = _route("How does Ozempic work?")
    assert target == "cloud" and len(requests) == 1, target
