"""Issue 11, attack round 6 (first report, /work/attacks/issue11-r6, sections A and B2/B3): health data said the way
people say it in both languages, Ukrainian addresses without "вул.", spoken e-mails, PESEL / Steuer-ID / messenger
handles / a birthday without its year, "номер:" with spaced digits, and names kept in the audit log (lesson 3).

Each class is tested as a class; the inputs that failed before are kept as examples. All identifiers are synthetic.
The end-to-end checks route through ``Router`` with the stand-in cloud (a fake for a paid API, said loudly) and the
local model down: whatever is not found goes to the cloud.
"""

from __future__ import annotations

import pytest

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii


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


def _leaks(prompt: str) -> tuple[str, bool]:
    """Route ``prompt`` with the local model down: (target, whether the cloud received anything)."""
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        result = router.complete(prompt)
        return result.target, bool(cloud.requests)


COMPLEX = ("Поясни детально, крок за кроком, з прикладами і порівнянням підходів, як спланувати архітектуру "
           "розподіленої системи для обробки черг повідомлень із гарантіями доставки: ")


@pytest.mark.parametrize("tail", ["Олені вчора зробили хіміотерапію.", "Olena, how is your asthma?",
                                  "Пацієнт: Коваль О.В.; код МКХ-10: E11.9"])
def test_health_data_never_reaches_the_cloud(tail):
    target, sent = _leaks(COMPLEX + tail)
    assert target != "cloud" and not sent
