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

_TERMS_EN = r"""
diagnos(?:ed|is|es)|diabet(?:es|ic)|hypertension|high blood pressure|asthma(?:tic)?|cancer|
leuk(?:a)?emia|lymphoma|tumou?rs?|hiv|hepatitis(?: [abc])?|depression|depressive disorder|
anxiety disorder|panic attacks?|bipolar(?: disorder)?|schizophreni[ac]|epilep(?:sy|tic)|seizures|
migraines?|tuberculosis|covid(?:-19)?|pneumonia|arthritis|dementia|alzheimer'?s|parkinson'?s|
multiple sclerosis|had a stroke|heart attack|heart failure|adhd|autis(?:m|tic)|pregnan(?:t|cy)|
miscarriage|chemotherapy|chemo|dialysis|insulin|metformin|sertraline|fluoxetine|prozac|lisinopril|
atorvastatin|amoxicillin|warfarin|levothyroxine|methotrexate|salbutamol|albuterol|ibuprofen|
paracetamol|antidepressants?|antibiotics|allerg(?:y|ies|ic to)|hba1c|cholesterol|blood test|
psychiatri(?:st|c)|therapy sessions?|rehab|chlamydia|ptsd|eating disorder|anorexia|bulimia
"""
_TERMS_UK = r"""
діагноз\w*|діагностува\w*|діабет\w*|гіпертон\w*|гіпертензі\w*|артеріальн\w* тиск\w*|високий тиск|
астм\w*|рак|раку|раком|онколог\w*|пухлин\w*|лейкемі\w*|віл|гепатит\w*|депресі\w*|тривожн\w* розлад\w*|
панічн\w* атак\w*|біполярн\w*|шизофрені\w*|епілепс\w*|мігрен\w*|туберкульоз\w*|ковід\w*|пневмоні\w*|
артрит\w*|деменці\w*|альцгеймер\w*|паркінсон\w*|розсіян\w* склероз\w*|інсульт\w*|інфаркт\w*|сдуг|
аутизм\w*|вагітн\w*|викидн\w*|викидень|хіміотерапі\w*|діаліз\w*|інсулін\w*|метформін\w*|сертралін\w*|
флуоксетин\w*|антидепресант\w*|антибіотик\w*|ібупрофен\w*|парацетамол\w*|сальбутамол\w*|алергі\w*|
аналіз\w* крові|холестерин\w*|психіатр\w*|птср
"""


def _alternation(*groups: str) -> str:
    """Join ``a|b|\nc`` lists (written one screen line at a time) into one regex alternation."""
    return "|".join(t.strip() for g in groups for t in g.replace("\n", "").split("|") if t.strip())


TERMS = re.compile(r"(?<!\w)(?:" + _alternation(_TERMS_EN, _TERMS_UK) + r")(?!\w)", re.IGNORECASE)

_CUES_EN = r"""
my|mine|i'm|i am|i've|i have|i had|i was|i take|i took|i got|he|she|his|her|him|
they've|patient|patients|client|employee|colleague|mother|mom|mum|father|dad|son|daughter|wife|
husband|brother|sister|grandmother|grandma|grandfather|grandpa|child|baby|boyfriend|girlfriend|
partner|mr|mrs|ms|dr|was diagnosed|been diagnosed|got diagnosed|was prescribed|been prescribed|
suffers|is taking|has been taking
"""
_CUES_UK = r"""
мене|мені|мій|моя|моє|мої|моєї|мого|моїй|моєму|моїм|моїх|він|вона|його|її|йому|їй|вони|їх|
пацієнт\w*|клієнт\w*|співробітни\w*|колег\w*|мама|мами|мамі|маму|матері|батько|батька|батькові|
тато|тата|син|сина|синові|сину|донька|доньки|доньці|дочка|дочки|дружин\w*|чоловік\w*|брат\w*|сестр\w*|
бабус\w*|дідус\w*|дитин\w*|пан|пані|хворі[юєв]\w*|захворі\w*|діагностували|призначили|приймаю|
приймає|приймав|приймала|лікується|лікуюся|страждає|страждаю
"""
CUES = re.compile(r"(?<!\w)(?:" + _alternation(_CUES_EN, _CUES_UK) + r")(?!\w)", re.IGNORECASE)
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


def personal_health_spans(text: str, *, any_identifier: bool = False) -> list[tuple[int, int]]:
    """Spans of health terms that are about a person (see the module docstring)."""
    terms = [m.span() for m in TERMS.finditer(text)]
    if not terms or any_identifier:
        return terms
    cues = [m.span() for m in CUES.finditer(text)]
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
