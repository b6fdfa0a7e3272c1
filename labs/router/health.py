"""Health data about a person — special-category data that stays local (lesson 3).

The module's own example sends "extract the medical diagnoses from this text" to the local
model only. Health words alone are not personal ("how does insulin work?" is a textbook
question), so a diagnosis or medication counts only when a *person* is near it: a pronoun
or possessive (my, she, мій, у мене), a role or relative (patient, mother, пацієнт, дружина),
a personal event (was diagnosed, хворіє, приймає), a capitalised name, or any identifier
elsewhere in the same prompt.

>>> personal_health_spans("What is the mechanism of action of metformin?")
[]
>>> text = "My mother was diagnosed with type 2 diabetes and takes metformin."
>>> [text[s:e] for s, e in personal_health_spans(text)]
['diagnosed', 'diabetes', 'metformin']
>>> text = "У мене астма, приймаю сальбутамол."
>>> [text[s:e] for s, e in personal_health_spans(text)]
['астма', 'сальбутамол']
"""

from __future__ import annotations

import re

from labs.router.textscan import lower, word_regex

TERMS_EN = [
    "diagnos(?:ed|is|es)", "diabet(?:es|ic)", "hypertension", "high blood pressure", "asthma(?:tic)?", "cancer",
    "leuk(?:a)?emia", "lymphoma", "tumou?rs?", "hiv", "hepatitis(?: [abc])?", "depression", "depressive disorder",
    "anxiety disorder", "panic attacks?", "bipolar(?: disorder)?", "schizophreni[ac]", "epilep(?:sy|tic)",
    "seizures", "migraines?", "tuberculosis", "covid(?:-19)?", "pneumonia", "arthritis", "dementia",
    "alzheimer'?s", "parkinson'?s", "multiple sclerosis", "had a stroke", "heart attack", "heart failure", "adhd",
    "autis(?:m|tic)", "pregnan(?:t|cy)", "miscarriage", "chemotherapy", "chemo", "dialysis", "insulin",
    "metformin", "sertraline", "fluoxetine", "prozac", "lisinopril", "atorvastatin", "amoxicillin", "warfarin",
    "levothyroxine", "methotrexate", "salbutamol", "albuterol", "ibuprofen", "paracetamol", "antidepressants?",
    "antibiotics", "allerg(?:y|ies|ic to)", "hba1c", "cholesterol", "blood test", "psychiatri(?:st|c)",
    "therapy sessions?", "rehab", "chlamydia", "ptsd", "eating disorder", "anorexia", "bulimia",
    # more conditions
    "heart disease", "atrial fibrillation", "arrhythmia", "hypothyroidism", "hyperthyroidism", "kidney disease",
    "renal failure", "liver disease", "cirrhosis", "osteoporosis", "psoriasis", "eczema", "crohn'?s",
    "ulcerative colitis", "coeliac disease", "celiac disease", "lupus", "glaucoma", "cataracts?", "infertility",
    "ivf", "herpes", "insomnia", "ocd", "long covid", "concussion", "mental health", "disability", "surgery",
    "medications?", "prescriptions?", "therapist",
    # more medications
    "penicillin", "lithium", "lamotrigine", "omeprazole", "amlodipine", "metoprolol", "simvastatin", "statins?",
    "aspirin", "prednisone", "gabapentin", "tramadol", "oxycodone", "morphine", "diazepam", "xanax", "alprazolam",
    "adderall", "ritalin", "methylphenidate", "escitalopram", "citalopram", "venlafaxine", "bupropion",
    "quetiapine", "risperidone", "olanzapine", "levetiracetam", "valproate", "inhalers?", "epipen",
    "blood thinners?", "beta blockers?",
]
TERMS_UK = [
    r"діагноз\w*", r"діагностува\w*", r"діабет\w*", r"гіпертон\w*", r"гіпертензі\w*", r"артеріальн\w* тиск\w*",
    "високий тиск", r"астм\w*", "рак", "раку", "раком", r"онколог\w*", r"пухлин\w*", r"лейкемі\w*", "віл",
    r"гепатит\w*", r"депресі\w*", r"тривожн\w* розлад\w*", r"панічн\w* атак\w*", r"біполярн\w*", r"шизофрені\w*",
    r"епілепс\w*", r"мігрен\w*", r"туберкульоз\w*", r"ковід\w*", r"пневмоні\w*", r"артрит\w*", r"деменці\w*",
    r"альцгеймер\w*", r"паркінсон\w*", r"розсіян\w* склероз\w*", r"інсульт\w*", r"інфаркт\w*", "сдуг",
    r"аутизм\w*", r"вагітн\w*", r"викидн\w*", "викидень", r"хіміотерапі\w*", r"діаліз\w*", r"інсулін\w*",
    r"метформін\w*", r"сертралін\w*", r"флуоксетин\w*", r"антидепресант\w*", r"антибіотик\w*", r"ібупрофен\w*",
    r"парацетамол\w*", r"сальбутамол\w*", r"алергі\w*", r"аналіз\w* крові", r"холестерин\w*", r"психіатр\w*", "птср",
    # more conditions
    r"серцев\w* недостатн\w*", r"фібриляці\w*", r"аритмі\w*", r"гіпотиреоз\w*", r"гіпертиреоз\w*",
    r"щитоподібн\w* залоз\w*", r"нирков\w* недостатн\w*", r"цироз\w*", r"остеопороз\w*", r"псоріаз\w*",
    r"екзем\w*", r"целіакі\w*", r"вовчак\w*", r"глауком\w*", r"катаракт\w*", "безпліддя", r"герпес\w*",
    r"безсонн\w*", r"струс\w* мозку", r"інвалідн\w*", r"психотерапевт\w*", r"психічн\w* здоров\w*", "ліки", "ліків",
    # more medications
    r"пеніцилін\w*", r"варфарин\w*", r"аторвастатин\w*", "літій", "літію", "літієм", r"ламотриджин\w*",
    r"омепразол\w*", r"амлодипін\w*", r"метопролол\w*", r"аспірин\w*", r"преднізолон\w*", r"габапентин\w*",
    r"трамадол\w*", r"морфін\w*", r"діазепам\w*", r"ескциталопрам\w*", r"кветіапін\w*", r"левотироксин\w*",
    r"еутирокс\w*", r"інгалятор\w*", r"статин\w*", r"антигістамін\w*", r"лізиноприл\w*",
]
CUES_EN = [
    "my", "mine", "i'm", "i am", "i've", "i have", "i had", "i was", "i take", "i took", "i got", "he", "she", "his",
    "her", "him", "they've", "patient", "patients", "client", "employee", "colleague", "mother", "mom", "mum",
    "father", "dad", "son", "daughter", "wife", "husband", "brother", "sister", "grandmother", "grandma",
    "grandfather", "grandpa", "child", "baby", "boyfriend", "girlfriend", "partner", "mr", "mrs", "ms", "dr",
    "was diagnosed", "been diagnosed", "got diagnosed", "was prescribed", "been prescribed", "suffers",
    "is taking", "has been taking",
]
CUES_UK = [
    "мене", "мені", "мій", "моя", "моє", "мої", "моєї", "мого", "моїй", "моєму", "моїм", "моїх",
    r"пацієнт\w*", r"клієнт\w*", r"співробітни\w*", r"колег\w*", "мама",
    "мами", "мамі", "маму", "матері", "батько", "батька", "батькові", "тато", "тата", "син", "сина", "синові",
    "сину", "донька", "доньки", "доньці", "дочка", "дочки", r"дружин\w*", r"чоловік\w*", r"брат\w*", r"сестр\w*",
    r"бабус\w*", r"дідус\w*", r"дитин\w*", "пан", "пані", r"хворі[юєв]\w*", r"захворі\w*", "діагностували",
    "призначили", "приймаю", "приймає", "приймав", "приймала", "лікується", "лікуюся", "страждає", "страждаю",
]
TERMS = word_regex(TERMS_EN + TERMS_UK)
CUES = word_regex(CUES_EN + CUES_UK)

# Two capitalised words in a row: "Olena Kovalenko", "Олена Коваленко" (names are the usual case),
# found overlapping (lookahead) so "The Great Depression" yields "Great Depression", which then
# overlaps the term itself and does not count; sentence starters are no names.
NAME = re.compile(r"(?<!\w)(?=([A-ZА-ЩЬЮЯҐЄІЇ][a-zа-щьюяґєії'’]+) [A-ZА-ЩЬЮЯҐЄІЇ][a-zа-щьюяґєії'’]+(?!\w))")
_NAME_LEN = re.compile(r"\S+ [^\s.,;:!?]+")
NOT_NAMES = frozenset(
    "the a an what how why when where which who whose is are was were do does did can could should would "
    "will explain describe write tell please list give compare summarize summarise translate in on at for "
    "from to of by with this that these those our your their its if and or but not no yes dear hi hello "
    "що як чому коли де який яка яке які хто чи поясни опиши напиши порівняй перекладіть переклади у в на "
    "для з із до від це ця цей ці наш ваш їхній якщо і й та але не ні так шановний шановна привіт".split()
)

WINDOW = 80  # characters either side of a health term in which a person must be mentioned


def personal_health_spans(text: str, *, any_identifier: bool = False, low: str | None = None) -> list[tuple[int, int]]:
    """Spans of health terms that are about a person (see the module docstring).

    ``any_identifier``: the prompt already holds an identifier, so every health term is personal.
    ``low``: ``lower(text)`` if the caller has it already.
    """
    low = lower(text) if low is None else low
    terms = [m.span() for m in TERMS.finditer(low)]
    if not terms or any_identifier:
        return terms
    cues = [m.span() for m in CUES.finditer(low)]
    for m in NAME.finditer(text):
        span = (m.start(), _NAME_LEN.match(text, m.start()).end())
        if m.group(1).lower() not in NOT_NAMES and not any(s < span[1] and span[0] < e for s, e in terms):
            cues.append(span)
    out = []
    for start, end in terms:
        lo, hi = start - WINDOW, end + WINDOW
        if any(lo <= c_end and c_start <= hi and (c_end <= start or c_start >= end) for c_start, c_end in cues):
            out.append((start, end))
    return out
