"""Health data about a person — special-category data that stays local (lesson 3).

The module's own example sends "extract the medical diagnoses from this text" to the local
model only. Health words alone are not personal ("how does insulin work?" is a textbook
question), so a diagnosis or medication counts only when a *person* is near it: a pronoun
or possessive (my, she, мій, у мене), a role or relative (patient, mother, пацієнт, дружина),
a personal event (was diagnosed, хворіє, приймає), a capitalised name, or any identifier
elsewhere in the same prompt.

The vocabulary includes a blood group however it is written, the military-medical board's verdicts, brand-name
drugs, and the other special categories of GDPR Art. 9 and 10 said of a person (sexual orientation, gender identity,
religion, trade-union membership, a criminal record), under the same rule; they are reported as health data, the
special category the router has. A filled-in blood-group field ("Група крові: 0(I) Rh−") is a record of someone even
without a name.

A public figure's or a fictional character's fact ("Harvey Milk was gay", "Shylock is Jewish", "Героїня — мусульманка")
is no private person's data: in a study or fiction frame (an essay, a quiz, a novel, урок історії, роман) or beside a
historical date, only a private cue (the writer, a relative, a friend, a colleague, a tenant, a client) or a first name
alone keeps the fact personal; see :func:`_public_figure_or_character` for the rule and its reasons (issue 11 r14).
Words that also name harmless things ("болгарка" an angle grinder, "героїня" a heroine, "відсиділа нараду", "mass
spectrometry", a church visited for a concert) are kept out by their frames.

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

import bisect
import re

from labs.router.names import first_names, is_first_name as first_names_match, is_vocative
from labs.router.textscan import literal_gate, lower, word_regex
from labs.router.triggers import Literals, triggers

# issue 11 r14 (round 11's B-old): words that also mean something harmless. "героїня" (a heroine) shares its stem with
# "героїн" (heroin): only heroin's own forms, and "на героїні" (on heroin; "героїні" is also the heroine's genitive).
_HEROIN_UK = [r"героїн(?:у|ом|ов\w*|щик\w*)?", r"героїні(?<=на героїні)"]
# "відсидів 5 років" is a prison term, "відсиділа нараду", "відсидів 2 пари", "відсидів ногу" (sat through, a leg gone
# numb) and the reflexive "відсидівся в підвалі" (sheltered) are not (round 11: 43.6% of such prompts were flagged)
_SAT_THROUGH_UK = (
    r"(?! (?:на |у |в )?(?:(?:всю|весь|все|всі|усю|увесь|усе|усі|цілу|цілий|ціле|довгу|довгий|нудну|нудний|ще|до кінця|аж|майже|дві|два|три|чотири|"
    r"п['’]ять|пів|кілька|\d+)\s+){0,3}(?:пар[аиу]?|лекці\w*|нарад\w*|вебінар\w*|семінар\w*|засідан\w*|конференці\w*|"
    r"мітинг\w*|зустріч\w*|збор\w*|нарад\w*|засіданн\w*|презентаці\w*|урок\w*|змін[уи]|черг\w*|[ув] черзі|годин\w*|хвилин\w*|фільм\w*|"
    r"концерт\w*|виставу|спектакл\w*|іспит\w*|екзамен\w*|контрольн\w*|ногу|ноги|руку|сесі\w*|мес[уи]|служб[уи]|"
    r"лінійк\w*|співбесід\w*|інструктаж\w*|тренінг\w*|марафон\w*|застілл\w*|[ув] (?:кабінеті|офісі|укритті|підвалі|"
    r"сховищі|зумі|окопі|бліндажі)|вдома|дома)(?!\w))")
_SAT_TIME_UK = [r"відсиді\w*(?<!ся)(?<!сь)" + _SAT_THROUGH_UK, r"відсидж\w*(?<!ся)(?<!сь)" + _SAT_THROUGH_UK]
# "attends mass" is the rite only when "mass" ends the phrase: "mass spectrometry", "mass communication" are science
_RITE_MASS = (r"(?=[.,;:!?)]|$|\s+(?:every|each|on|at|in|with|regularly|weekly|daily|twice|once|and|or|but|since|before|"
              r"after|together|sundays?|this|last|when|because|so|for|whenever|anymore|again|too|now|then|as|there|"
              r"here|religiously)(?!\w))")

# a crime after "did two years for" ("did two years for Google" is a job)
_CRIMES_EN = (r"(?:armed |aggravated )?(?:burglary|theft|robbery|fraud|assault|murder|manslaughter|drugs?|dealing|possession|"
              r"arson|embezzlement|dui|dwi|drunk driving|a crime|kidnapping|rape|stealing|shoplifting|tax evasion|bribery|"
              r"smuggling|trafficking|battery|stabbing|shooting|extortion|forgery|perjury|treason|espionage|car theft|"
              r"larceny|racketeering|money laundering)")

TERMS_EN = [
    "diagnos(?:ed|is|es)", "diabet(?:es|ic)", "hypertension", "high blood pressure", "asthma(?:tic)?", "cancer",
    "leuk(?:a)?emia", "lymphoma", "tumou?rs?", "hiv", "hepatitis(?: [abc])?", "depression", "depressive disorder",
    "anxiety disorder", "panic attacks?", "bipolar(?: disorder)?", "schizophreni[ac]", "epilep(?:sy|tic)",
    "seizures?", "migraines?", "tuberculosis", "covid(?:-19)?", "pneumonia", "arthritis", "dementia",
    "alzheimer'?s", "parkinson'?s", "multiple sclerosis", "heart attack", "heart failure", "adhd",
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
    # counterparts of Ukrainian terms
    "thyroid", "antihistamines?", "euthyrox", "infarction", "operated on", "operation on (?:her|his|my|the) \\w+",
    "hospitali[sz]ed",
    # said the way people and clinicians say it
    "alcoholism", "alcoholic", "alcohol addiction", "drug addiction", "addiction", "heart condition", "htn", "dm2",
    "t2dm", "copd", "hiv-positive", "hiv positive", "cerebral palsy", "pancreatitis", "ischemia", "angina",
    # issue 11, round 2: the Ukrainian side had these, or neither did
    "depressed", "abortion", "drug addict", "addicted to (?:drugs|alcohol|heroin|opioids)",
    "mental illness", "mentally ill", "coronavirus", "expecting a baby", "t1dm", "dm1",
    # issue 11, round 4: war injuries, strokes and intensive care said every way, substitution therapy
    "a stroke(?! of)", "strokes", "concussed", "contusion", "shell shock", "amputation", "amputated", "amputee",
    "lost (?:a|an|his|her|my|both) (?:legs?|arms?|hands?|foot|feet|eyes?)", "prosthe(?:sis|tic)", "wounded",
    "shrapnel wound", "icu", "intensive care", "methadone", "buprenorphine", "opioid substitution", "hiv infection",
    # issue 11, round 6: the counterparts of "прооперували", "знепритомніла"
    "had (?:an|a|her|his|the) operation", "underwent (?:an? )?(?:operation|surgery)", "lost consciousness", "fainted",
    # issue 11, round 6 (A1): frames missed in both languages, each with its Ukrainian counterpart below
    "after (?:the|a|his|her|my|their) stroke", "since (?:the|his|her|my|their) stroke", "suicid(?:e|al)",
    "suicide attempt", "attempted suicide", "tried to kill (?:himself|herself|myself|themselves)", "self-harm(?:ing)?",
    "overdosed?", "sick leave", "sick note", "medical leave", "wheelchair", "crutches", "psychologist",
    "is (?:blind|deaf)", "went (?:blind|deaf)", "was (?:blind|deaf)", "born (?:blind|deaf)", "blind in (?:one|both|his|her|my|the left|the right) eyes?",
    "deaf in (?:one|both|his|her|my) ears?", "hearing aids?", "visually impaired", "hard of hearing",
    "in a coma", "coma", "comatose", "broke (?:his|her|my|their|a) (?:spine|back|neck|legs?|arms?|hip|ribs?|wrist|ankle|"
    "collarbone|jaw|skull|pelvis)", "broken (?:spine|back|neck|legs?|arms?|hip|ribs?|wrist|ankle|collarbone|jaw|pelvis)",
    "fractured?", "fractures", "in (?:the )?hospital", "psychiatric (?:hospital|ward|clinic)", "mental hospital",
    "on the pill", "takes the pill", "birth control", "contracepti(?:ve|ves|on)",
    "reaction to (?:the |a |his |her |my )?(?:vaccine|vaccination|jab|shot)", "vaccine reaction",
    "after (?:the|a|his|her|my) (?:vaccine|vaccination|jab)", "appendix (?:removed|out)", "appendectomy",
    "appendicitis", "removed (?:his|her|my|their) appendix", "mri", "ct scan", "x-rays?", "ultrasound",
    "biopsy", "pacemaker", "after (?:the|a|an|his|her|my|your) (?:surgery|operation)", "had an? (?:bad |severe |allergic )?reaction", "blood sugar", "glucose levels?", "opioids?", "heroin",
    # issue 11 r7 A2: sexual health, common conditions and events missing in both languages (each with its
    # Ukrainian counterpart below)
    "syphilis", "gonorrh(?:o)?ea", "hpv", "stds?(?![:.]\\w|::)", "stis?", "sexually transmitted(?: infections?| diseases?)?",
    "on prep(?!\\w)", "takes prep(?!\\w)", "taking prep(?!\\w)", "started prep(?!\\w)", "prep (?:pills?|for hiv)", "down'?s? syndrome",
    "asperger'?s", "tourette'?s", "hernias?", "gout", "endometriosis", "scoliosis", "kidney stones?",
    "panic disorder", "gastritis", "ulcers?", "an(?:a)?emi(?:a|c)",
    "cochlear implants?", "discharged from (?:the )?hospital", "stitches", "on (?:health|medical) grounds",
    "medically discharged", "in the er(?!\\w)(?! diagram| model)", "to the er(?!\\w)(?! diagram| model)", "emergency room", "a&e", "narcologist",
    "blood pressure", "bp:? ?\\d{2,3}/\\d{2,3}", "sugar(?: level)? (?:is|was|of|at) \\d+", "glucose(?: level)? (?:is|was|of|at) \\d+",
    "psych ward", "hiv-infected", "long-covid", "limps?(?= after| since)",
    # patient records: an ICD-10 code after its label ("ICD-10: E11.9", "Dx: J45.0")
    # (the letter may read as a digit in the normalised view: "I10" → "110")
    # (issue 11 r7 A3: no dot "E119", ICD-11 "6A70", "dx E11.9" without a colon)
    r"icd(?:[\-–]?1[01])?(?:-cm)?(?: code)?\s*[:#]?\s*(?:[a-zа-я0-9]\d\d(?:\.?\d{1,3})?|\d[a-z]\d\d(?:\.\w{1,4})?)",
    r"ds\s*[:.]?\s*[a-zа-я0-9]\d\d(?:\.\d{1,3})?", r"dx\s*[:.]?\s*[a-zа-я0-9]\d\d(?:\.\d{1,3})?",
    r"ward \d{1,3}", r"bed \d{1,3}(?= in| on|,)",
]
TERMS_UK = [
    r"діагноз\w*", r"діабет\w*", r"гіпертон\w*", r"гіпертензі\w*", r"артеріальн\w* тиск\w*",
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
    # counterparts of English terms
    r"лімфом\w*", r"судом\w*", r"напад\w* епілепсі\w*", "прозак", r"амоксицилін\w*", r"метотрексат\w*",
    r"альбутерол\w*", r"глікован\w* гемоглобін\w*", r"сеанс\w* терапі\w*", r"реабілітаці\w*", r"хламіді\w*",
    r"розлад\w* харчов\w* поведінк\w*", r"анорексі\w*", r"булімі\w*", r"хвороб\w* серця", r"хвороб\w* нирок",
    r"хвороб\w* печінки", r"хвороб\w* крона", r"виразков\w* коліт\w*", "екз", "окр", r"постковід\w*",
    r"прооперува\w*", r"хірургічн\w*", r"операці\w* на \w+", r"рецепт\w* на ліки", r"симвастатин\w*",
    r"оксикодон\w*", r"ксанакс\w*", r"алпразолам\w*", r"аддерал\w*", r"риталін\w*", r"метилфенідат\w*",
    r"циталопрам\w*", r"венлафаксин\w*", r"бупропіон\w*", r"рисперидон\w*", r"оланзапін\w*",
    r"леветирацетам\w*", r"вальпроат\w*", r"епіпен\w*", r"антикоагулянт\w*", r"бета-блокатор\w*",
    r"лейкоз\w*", r"онкохвор\w*", r"госпіталізаці\w*", r"ліками",
    # said the way people say it
    r"алкоголізм\w*", r"алкогольн\w* залежн\w*", r"наркозалежн\w*", r"залежн\w* від алкогол\w*", "дцп",
    r"панкреатит\w*", r"інвалідніст\w*", r"хвороб\w* \w+", r"онкологі\w*", r"хіміо\w*", r"гастрит\w*",
    r"виразк\w*", r"анемі\w*", r"цукров\w* діабет\w*", r"інвалід\w*", r"ішемі\w*", r"стенокарді\w*",
    r"каптоприл\w*", r"еналаприл\w*",
    # issue 11, round 2: the English side had these, or neither did
    r"алкоголік\w*", r"алкоголічк\w*", r"наркоман\w*", r"аборт\w*", "цд", r"цд\d", r"психічно хвор\w*",
    r"психічн\w* захворюванн\w*", r"психічн\w* розлад\w*", r"коронавірус\w*", "при надії", r"чека\w* дитину",
    r"депресивн\w*", r"пригнічен\w*", r"нападом", r"напад\w* судом\w*",
    # issue 11, round 4: ВІЛ inflected, war injuries, intensive care, substitution therapy
    "вілу", "вілом", r"віл-інфекці\w*", r"віл-позитивн\w*", r"контузі\w*", r"ампутаці\w*", r"ампутова\w*",
    r"поранен\w*", r"протез\w*", r"без (?:ноги|ніг|руки|рук|ока|очей|кисті|стопи)", r"осколков\w* поранен\w*",
    r"реанімаці\w*", r"інтенсивн\w* терапі\w*", r"метадон\w*", r"бупренорфін\w*", "зпт",
    r"замісн\w* (?:підтримувальн\w* )?терапі\w*",
    # issue 11, round 6: an attack that happened to someone ("З Ольгою стався напад", "у неї напад", the English
    # "had a seizure"); "напад" alone is also an assault ("напад на місто"), so only after a verb of happening or a
    # pronoun of having (fixed-width lookbehinds: the pronoun stays a cue of its own), and the heart attack
    r"напад(?:(?<=стався напад)|(?<=трапився напад)|(?<=почався напад)|(?<=був напад)|(?<=буває напад)|"
    r"(?<=бувають напад)|(?<=трапляються напад)|(?<=стаються напад)|(?<=нього напад)|(?<=неї напад)|(?<=неі напад)|"
    r"(?<=мене напад)|(?<=них напад))\w*",
    r"серцев\w* напад\w*", r"знепритомні\w*", "втратила свідомість", "втратив свідомість",
    # issue 11, round 6 (A1): the English counterparts above
    r"покінчи\w* (?:з|із) собою", r"нала\w* на себе руки", r"суїцид\w*", r"самогубств\w*", r"самоушкодж\w*",
    r"передозуванн\w*", r"передозува\w*", r"лікарнян\w*", r"колісн\w* крісл\w*", r"крісл\w* колісн\w*", r"милиц\w*",
    r"психолог\w*", "сліпий", "сліпа(?! (?:зона|пляма|зону|плям))", r"осліп\w*", r"незряч\w*",
    "глух(?:ий|а|у|им)(?! (?:кут|куті|стіна|стіну|ніч|село|провулок|звук))", r"оглух\w*", r"слабозор\w*",
    r"слабочу\w*", r"слухов\w* апарат\w*", "у комі", "в комі", r"впа(?:в|ла|ли) [ув] кому", "з коми", r"коматозн\w*",
    r"злама\w* (?:хребет|ногу|ноги|руку|руки|ребр\w*|шию|ключицю|стегно|щелепу|таз|спину)", r"перелом\w*",
    r"у лікарн(?:і|ю)", r"в лікарн(?:і|ю)", r"у госпітал(?:і|ь)", r"в госпітал(?:і|ь)", r"у шпитал(?:і|ь)", r"в шпитал(?:і|ь)", r"психлікарн\w*", r"психіатричн\w* (?:лікарн|відділенн)\w*",
    r"протизаплідн\w*", r"контрацептив\w*", r"контрацепці\w*", r"реакці\w* на (?:вакцин|щеплен)\w*",
    r"після (?:вакцин|щеплен)\w*", r"апендикс\w*", r"апендицит\w*", "мрт", "узд", r"рентген\w*", r"біопсі\w*",
    r"кардіостимулятор\w*", r"цукор(?= \d)", r"цукр\w* (?:в|у) крові", r"рівень цукру", r"рівень глюкоз\w*",
    r"опіоїд\w*", *_HEROIN_UK, r"залежн\w* від (?:опіоїд|наркотик|алкогол|героїн|ліків|снодійн|азартн)\w*",
    "на збереженні", r"ампутува\w*", r"після операці(?:ї|й)(?! (?:над|з|із|на|для|в|у)(?!\w))", r"поранил\w*", "поранено", r"контужен\w*",
    # issue 11 r7 A2: the counterparts of the English terms above, and the way people say them
    r"сифіліс\w*", r"гоноре\w*", "впл", "зпсш", "ппсш", "іпсш", r"венеричн\w*", "дкп", r"доконтактн\w* профілактик\w*",
    r"синдром\w* (?:дауна|аспергера|туретта)", r"гриж\w*", r"подагр\w*",
    r"ендометріоз\w*", r"сколіоз\w*", r"камен\w* (?:в|у) нирках", r"нирков\w* камін\w*", r"панічн\w* розлад\w*",
    r"кохлеарн\w* імплант\w*", r"лонгковід\w*", r"лонг-ковід\w*", r"госпіталізува\w*",
    r"випис\w* (?:з|із) (?:лікарні|госпіталю|шпиталю|реанімації|пологового)", r"наклали шв(?:и|ів)", "зняли шви",
    r"комісува\w*", r"за станом здоров\w*", r"на обліку (?:в|у) (?:нарколога|психіатра|онколога)", r"нарколог\w*",
    r"віл-інфікован\w*", r"прохо\w* хімі\w*", r"психушк\w*", r"психушц\w*", r"в дурк(?:у|і)", r"у дурк(?:у|і)", r"в дурці", r"у дурці", r"дурдом\w*",
    r"тиск\w*(?: був| є| до)?[:\s—\-]{1,3}\d{2,3} ?(?:на|/) ?\d{2,3}", r"кульгає(?= після| з)",
    # patient records: a МКХ-10 code after its label ("код МКХ-10: E11.9")
    r"мкх(?:[\-–]?1[01])?\s*[:#]?\s*(?:[a-zа-я0-9]\d\d(?:\.?\d{1,3})?|\d[a-zа-я]\d\d(?:\.\w{1,4})?)",
    # a diagnosis code after "код"/"шифр" (issue 11 r7 A3: "має код F20.0 у довідці", "шифр F20")
    r"код\w*\s*[:#]?\s*[a-tv-zа-я]\d\d\.\d{1,2}", r"шифр\w*\s*[:#]?\s*[a-tv-zа-я]\d\d(?:\.\d{1,2})?",
    r"палат\w* (?:№\s?)?\d{1,3}", r"ліжк\w* (?:№\s?)?\d{1,3}",
]
# Russian and surzhyk, common in Ukrainian chats ("у меня диабет", "принимаю метформин")
TERMS_RU = [
    r"диабет\w*", r"метформин\w*", r"инсулин\w*", r"депресси\w*", r"беременн\w*", r"гипертони\w*",
    r"аллерги\w*", r"эпилепси\w*", r"туберкулез\w*", r"шизофрени\w*", r"онкологи\w*", r"инсульт\w*",
    r"инфаркт\w*", r"гепатит\w*", r"антидепрессант\w*", r"диагноз\w*", r"болезн\w*", r"больничн\w*",
    r"сифилис\w*", r"гоноре\w*", r"дурк(?:у|е)", r"нарколог\w*",
]
# Ukrainian typed in Latin letters ("U Tarasa depresiya", "Olena mae diabet, vona koletsya insulinom")
TERMS_TRANSLIT = [r"diabet(?!es|ic)\w*", r"depresi[iy][auie]\w*", "insulinom", r"astm[auy]", r"shyzofreni\w*",
                  r"insult\w*", r"infarkt\w*", r"onkologi\w*", r"vagitn\w*", r"khimioterapi\w*"]

# issue 11 r8 A4: a blood group in all its written forms ("група крові II(A) Rh+", "0(I) Rh+" on a soldier's patch,
# "у мене перша позитивна", "blood type O+", "She is AB negative", "резус негативний"). A letter and a Roman number
# alone ("a(i)", "b(ii)") are code or maths, so the bare form needs its rhesus; after "група крові"/"blood type" any
# value counts, and belongs to the span (a redacted log keeps no "[HEALTH] II(A) Rh+"). Letters in both scripts (the
# Cyrillic А, В, О look like A, B, O); the normaliser may have turned a final "+" into a space ("Rh+." → "Rh .").
_ABO = ("ab", "аb", "ав", "аб", "a", "а", "b", "в", "б", "0", "o", "о")
_ROMAN = ("iv", "іv", "iii", "ііі", "ii", "іі", "i", "і", "1", "2", "3", "4")  # inside the brackets; before them only Roman
_ABO_RX = "(?:" + "|".join(_ABO) + ")"
_ROMAN_RX = "(?:" + "|".join(_ROMAN) + ")"
_SIGN = r"(?:позитивн\w*|негативн\w*|положительн\w*|отрицательн\w*|positive|negative|pos|neg|плюс|мінус)"
_RH = rf"(?:\s?,?\s?(?:rh|резус)[\s\-]?(?:[+\-−]|{_SIGN})?|[+\-−]|\s{_SIGN})"
_ORDINAL = r"(?:перш|друг|трет|четверт|перв|втор)\w*"
_GROUP_VALUE = (rf"(?:\s?[:=—\-–]?\s?(?:is |was |of )?(?:{_ABO_RX}\s?\({_ROMAN_RX}\){_RH}?|{_ROMAN_RX}\s?\({_ABO_RX}\){_RH}?|"
                rf"(?:ab|a|b|o|0|[1-4])\s?(?:[+\-−]|(?:rh[\s\-]?)?{_SIGN})|[0-4](?![\d.,])|iv|iii|ii|"
                rf"{_ORDINAL}(?: (?:позитивн|негативн|положительн|отрицательн)\w*)?))?")
# not before a noun ("0 negative samples"); a conjunction or "blood" may follow ("She is AB negative and pregnant")
_NO_NOUN = r"(?! (?!(?:and|or|but|too|like|as|blood|donors?|type|group|with|so|which|who|is|was|since)(?!\w))[a-z])"
BLOOD_GROUP = [
    # a bracket right after the letters: each branch fails at its second character in ordinary text (issue 11's speed)
    *(a + rf"\({_ROMAN_RX}\){_RH}" for a in _ABO),  # "0(I) Rh+", "A(II) Rh-", "в(ііі) резус-позитивна"
    *(r + rf"\({_ABO_RX}\){_RH}" for r in _ROMAN if not r.isdigit()),  # "II(A) Rh+", "IV(AB) Rh-"
    r"груп\w* кров[іи]" + _GROUP_VALUE, r"hrup\w* krovi" + _GROUP_VALUE, r"grup\w* krovi" + _GROUP_VALUE,  # група/группа крові/крови
    r"blood (?:type|group)s?" + _GROUP_VALUE,
    # the group by its number alone, ending the sentence or before its Rh ("Мама — донор, в неї 4 група.": r9 A5)
    *(n + r" група(?=[.!]|,? (?:крові|резус|rh|позитивн|негативн|плюс|мінус))" for n in "1234"),
    # "перша позитивна", "третя негативна група крові" (not "перша позитивна новина": no noun after it)
    *(o + r"\w* (?:позитивн|негативн|положительн|отрицательн)\w*(?: груп\w*(?: кров[іи])?|(?! [а-яіїєґёa-z]))"
      for o in ("перш", "друг", "трет", "четверт", "перв", "втор")),
    r"резус(?:[\s\-]?(?:фактор|позитивн|негативн|положительн|отрицательн|плюс|мінус|конфлікт)\w*|[\s\-]?[+\-−])?",
    r"rh[\s\-]?(?:positive|negative|pos|neg|factor|null|status|incompatibility)", r"rhesus[\s\-](?:positive|negative|"
    r"factor|status|disease|incompatibility)",
    # "She is AB negative", "O negative" (no noun after: "a negative number", "0 negative samples" are no blood)
    # (each branch literal after the letter: the article "a" fails at its next character)
    *(a + sign + _NO_NOUN for a in ("ab", "o", "b") for sign in (" positive", " negative", r" rh[\s\-]?positive",
                                                                     r" rh[\s\-]?negative")),
    *("a" + sign + r"(?! [a-z])(?:(?<=is a" + sign + ")|(?<=am a" + sign + ")|(?<='m a" + sign + ")|(?<=’m a" + sign
      + ")|(?<=as a" + sign + "))" for sign in (" positive", " negative", " rh-positive", " rh-negative", " rh positive",
                                                " rh negative")),
    *(a + r"[+\-−] (?:blood|donor)" for a in ("ab", "a", "b", "o", "0")),  # "needs B+ blood"    # issue 11 r13 (r10 A3): by its number, letter or ordinal after "is" or "у тата" ("she is group 4", "My dad is type
    # O", "У тата друга група"); blood or a donor nearby, or an adult relative, makes it one (:func:`_out_of_context`)
    *(r"group [1-4](?=[.!,;]|$)(?<=" + v + r" group \d)" for v in ("is", "'s", "’s", "am", "'m", "’m", "was")),
    r"type(?:(?<=is type)|(?<='s type)|(?<=’s type)|(?<=am type)|(?<='m type)|(?<=’m type)|(?<=was type)) (?:ab|a|b|o|0)"
    r"(?=[.!,;+\-−]|$| blood| rh| positive| negative| and)",
    *(o + r" група(?=[.!,;]|$)" for o in ("перша", "друга", "третя", "четверта")),
    # issue 11 r14: the short forms after "is"/"I'm" ("I'm O-neg, can I donate?", "Olena is B-, please prepare
    # plasma"); "Her grade is B-" is none: a verb before and blood or a donation nearby (:func:`_out_of_context`)
    *(a + r"(?:[+\-−](?:neg|pos)?|-?(?:neg|pos))(?![\w+\-−])(?! (?:blood|donor))" for a in ("ab", "a", "b", "o", "0")),
    r"ab(?= [.,;!?])",  # the normaliser reads "AB+," as "AB ,"
]
# issue 11 r8 A4: the military-medical board (ВЛК) and its verdicts: "пройшов ВЛК, визнали обмежено придатним",
# "непридатний до військової служби", "unfit for service" ("ВЛКСМ" and "непридатний для проживання" are no verdicts)
MILITARY_BOARD = [
    r"влк", r"військово[\s\-]лікарськ\w* комісі\w*",
    r"обмежено придатн\w*", r"ограниченно годн\w*", r"негоден", r"тимчасово непридатн\w*",
    *(w + r"\w* (?:до|для) (?:військов\w* |строков\w* )?служби" for w in ("придатн", "непридатн")), r"годен к (?:военной )?службе",
    r"визна\w* (?:обмежено |тимчасово )?(?:не)?придатн\w*(?! (?:для|до) (?:прожив|використ|експлуат|вжив|спожив|пит|"
    r"їжі|ремонт|навчан|друку|продаж|переробк))",
    r"military medical (?:board|commission|examination|exam)", r"medical board", r"medically (?:unfit|fit|exempt)",
    *(w + r" for (?:military |active |combat )?(?:service|duty)" for w in ("fit", "unfit")),
    r"limited fitness for service", r"partially fit for (?:military )?(?:service|duty)",
]
# issue 11 r8 A4: brand names people type instead of the substance ("Olena is on Ozempic", "Я на Вентолині"), the
# commonest in Ukraine, the EU and the US, in both scripts; Ukrainian forms inflect ("Оземпіком", "Вентоліну")
BRANDS_LATIN = [
    "ozempic", "wegovy", "mounjaro", "saxenda", "trulicity", "jardiance", "glucophage", "lantus", "humalog", "novorapid",
    "ventolin", "symbicort", "xarelto", "eliquis", "lipitor", "concor", "zoloft", "lexapro", "cipralex", "paxil",
    "wellbutrin", "cymbalta", "seroquel", "abilify", "lamictal", "depakine", "keppra", "valium", "ativan", "klonopin",
    "ambien", "atarax", "concerta", "strattera", "vyvanse", "tamoxifen", "truvada", "suboxone", "viagra", "humira",
    "paxlovid", "accutane", "roaccutane", "nurofen", "tylenol", "corvalol",
]
BRANDS_CYRILLIC = [
    r"оземпік\w*", r"оземпик\w*", r"вегові", r"мунджаро", r"саксенд\w*", r"глюкофаж\w*", r"сіофор\w*", r"діабетон\w*",
    r"лантус\w*", r"хумалог\w*", r"новорапід\w*", r"вентолін\w*", r"вентолин\w*", r"симбікорт\w*", r"беродуал\w*",
    r"ксарелт\w*", r"еліквіс\w*", r"конкор(?:у|ом|і|а)?", r"кардіомагніл\w*", r"золофт\w*", r"ципралекс\w*",
    r"паксил\w*", r"сероквел\w*", r"абіліфа\w*", r"депакін\w*", r"фінлепсин\w*", r"реланіум\w*", r"атаракс\w*",
    r"феназепам\w*", r"гідазепам\w*", r"фенібут\w*", r"тамоксифен\w*", r"віагр\w*", r"нурофен\w*", r"нолпаз\w*",
    r"омез(?:у|ом|і)?", r"корвалол\w*", r"валідол\w*", r"но-шп\w*", r"цитрамон\w*", r"супрастин\w*", r"анаприлін\w*",
]
# issue 11 r8 A4: chemotherapy as people say it ("Батько на хімії"); "на хімії" is also a chemistry lesson, so a
# school word nearby makes it one (see :func:`_not_a_diagnosis`)
CHEMO = [r"на хімі[їюі]", r"після хімі[їі]", r"на хими[июе]", r"после химии", r"сеанс\w* хімі\w*"]
_SCHOOL = re.compile(r"(?<!\w)(?:урок\w*|уроц\w*|учител\w*|вчител\w*|вчительк\w*|школ\w*|клас\w*|олімпіад\w*|домашн\w*|"
                     r"задач\w*|оцінк\w*|контрольн\w*|лабораторн\w*|екзамен\w*|іспит\w*|зно|нмт|предмет\w*|пар[аиіу]|"
                     r"лекці\w*|семінар\w*|формул\w*|учень|учні\w*|школяр\w*|викладач\w*|бал(?:и|ів|а)?|балі\w*|"
                     r"дз|тест\w*|реакці\w*|chemistry|lesson|class|"
                     # the other subjects of a timetable ("Тарас на хімії з 9:00 до 10:30, потім фізика": r9 "school")
                     r"фізик\w*|математик\w*|алгебр\w*|геометрі\w*|біологі\w*|географі\w*|літератур\w*|"
                     r"англійськ\w*|українськ\w* мов\w*|інформатик\w*|фізкультур\w*|розклад\w*|перерв\w*)(?!\w)")

# issue 11 r13 (r10 A3): ethnic origin, a party's support or membership, a vote without "за"/"for", said of a person.
# An ethnonym or a party's name alone is a topic ("історія кримських татар", "a Polish language model", "Democratic party
# platform"), so each of these terms is kept only in a predicate's frame (:func:`_out_of_context`): "Петро — вірменин",
# "She is Polish", "за національністю вірменка", "of Polish descent", "Національність: росіянин", "прихильник «Слуги
# народу»", "votes Conservative". Ukrainian ethnonyms: the national minorities of Ukraine and the common world ones,
# singular (the plural is a people: "Поляки — …"), every case of both genders; Ukrainian itself (the majority's) and the
# citizenships people introduce themselves by ("I'm American", "він — британець") are left out.
# adjectives of origin: "вірменського походження", "з вірменської родини" (the subject is checked: "слово польського
# походження" is no one)
_ETHNIC_ADJ_UK = (
        "вірменськ", "польськ", "єврейськ", "татарськ", "угорськ", "румунськ", "болгарськ", "грецьк", "німецьк",
        "російськ", "білоруськ", "грузинськ", "молдовськ", "молдавськ", "циганськ", "ромськ", "турецьк", "арабськ",
        "азербайджанськ", "литовськ", "чеськ", "словацьк", "італійськ", "китайськ", "корейськ",
        "японськ", "в'єтнамськ", "гагаузьк", "караїмськ", "кримськотатарськ", "африканськ", "азійськ")
_M3 = "(?:ин|ина|инові|ину|ином|ка|ки|ці|ку|кою)"  # вірменин / вірменка
ETHNONYMS_UK = [
    "вірмен" + _M3, "росіян" + _M3, "болгар" + _M3, "татар" + _M3, "молдаван" + _M3, "молдован" + _M3,
    "осетин" + _M3, "грузин(?:а|ові|у|ом|ка|ки|ці|ку|кою)?", "румун(?:а|ові|у|ом|ка|ки|ці|ку|кою)?",
    "білорус(?:а|ові|у|ом|ка|ки|ці|ку|кою)?", "гагауз(?:а|ові|у|ом|ка|ки|ці|ку|кою)?", "араб(?:а|ові|ом|ка|ки|ці|кою)?",
    "поляк(?:а|ові|у|ом)?", "польк(?:а|и|у|ою)", "євре(?:й|я|єві|єм|йка|йки|йці|йку|йкою)",
    "угор(?:ець|ця|цеві|цем|ка|ки|ці|ку|кою)", "нім(?:ець|ця|цеві|цем|кеня|кені|кеню|кенею|ка|ки|ці|кою)",
    "литов(?:ець|ця|цеві|цем|ка|ки|ці|ку|кою)", "азербайджан(?:ець|ця|цеві|цем|ка|ки|ці|ку|кою)",
    "італі(?:єць|йця|йцем|йка|йки|йкою)", "китая(?:нка|нки|нкою)", "кита(?:єць|йця|йцем)",
    "япон(?:ець|ця|цем|ка|ки|кою)", "коре(?:єць|йця|йцем|янка|янки|янкою)", "в['’ʼ]єтнам(?:ець|ця|цем|ка|ки|кою)",
    "чех(?:а|ом)?", "чешк(?:а|и|ою)", "словак(?:а|ом)?", "словачк(?:а|и|ою)", "грек(?:а|ом|иня|ині|инею)?",
    "гречанк(?:а|и|ою)", "тур(?:ок|ка|ком|кеня|кені|кенею|чанка|чанки|чанкою)",
    "узбе(?:к|ка|ком|чка|чки|чкою)", "казах(?:а|ом)?", "казашк(?:а|и|ою)", "чечен(?:ець|ця|цем|ка|ки|кою)",
    "караїм(?:а|ом|ка|ки|кою)?", "кримчак(?:а|ом|ка|ки|кою)?", "латиш(?:а|ем|ка|ки|кою)?",
    "естон(?:ець|ця|цем|ка|ки|кою)", "серб(?:а|ом|ка|ки|кою)?", "хорват(?:а|ом|ка|ки|кою)?",
    "афроамерикан(?:ець|ця|цем|ка|ки|кою)", "темношкір(?:ий|ого|им|а|ої|ою)", "чорношкір(?:ий|ого|им|а|ої|ою)",
    "мулат(?:а|ом|ка|ки|кою)?", "француз(?:а|ом|ка|ки|кою)?", "іспан(?:ець|ця|цем|ка|ки|кою)",
    "індус(?:а|ом|ка|ки|кою)?", "курд(?:а|ові|ом|иня|ині|инею|ка|ки|кою)?", "індіан(?:ець|ця|цем|ка|ки|кою)",  # r14
    # "вірменського походження", "польського роду" (the subject is checked: "слово польського походження" is no one)
    *(a + r"(?:ого|ої) (?:походження|роду|коріння|крові)" for a in _ETHNIC_ADJ_UK),
]
ETHNONYMS_EN = [
    "armenian", "polish", "hungarian", "romanian", "bulgarian", "greek", "german", "russian", "belarusian", "moldovan",
    "georgian", "azerbaijani", "tatar", "crimean tatar", "turkish", "arab", "chinese", "japanese", "korean",
    "vietnamese", "pakistani", "nigerian", "mexican", "italian", "irish", "french", "lithuanian", "latvian", "estonian",
    "czech", "slovak", "serbian", "croatian", "kurdish", "chechen", "uzbek", "kazakh", "somali", "ethiopian", "filipino",
    "filipina", "persian", "iranian", "black", "white", "hispanic", "latino", "latina", "latinx",
    "asian", "asian[\\- ]american", "african[\\- ]american", "caucasian", "biracial", "mixed[\\- ]race", "indigenous",
    "native american", "aboriginal", "jewish", "gagauz", "karaite", "indian", "roma", "romani", "gypsy",
    "kurd", "turk", "pacific islander", "first nations", "inuit",  # issue 11 r14
]
# the label of a filled-in field ("Національність: росіянин", "Ethnicity: Hispanic"): a record of someone
_ETHNIC_LABEL = re.compile(r"(?:^|\n|[.:;!?]\s)[\s*•\-–>|#]*(?:ethnicity|race|ethnic origin|ethnic background|ancestry|"
                           r"національність|етнічність|етнічне походження|нац\.)\s*[:=—\-–]\s*(?:\w+\s+)?$")
# a frame right after the ethnonym ("Armenian by ethnicity", "of Polish descent", "вірменка за походженням")
_ETHNIC_AFTER = re.compile(r"(?:\s+(?:by|за)\s+(?:ethnicity|origin|birth|descent|nationality|blood|heritage|ancestry|"
                           r"національністю|походженням|кров(?:ю|['’ʼ]ю))|[\s\-](?:descent|ancestry|extraction|heritage))(?!\w)")
# "за національністю" right before ("Олена, за національністю вірменка, …"): whoever the subject
_ETHNIC_STRONG_BEFORE = re.compile(r"(?:за національністю|за походженням|ethnically|by ethnicity)\s*[—:\-]?\s*(?:\w+\s+)?$")
# what may stand between the subject and the ethnonym: a dash or a copula, then modifiers ("is half", "— етнічна")
_ETHNIC_BEFORE = re.compile(
    r"(?:^|(?<=[\s(\"«„“]))(?P<subj>[\w'’ʼ\-]+?)(?P<link>\s*[—–\-]+\s*|\s+(?:is|was|am|are|were|became|identif(?:y|ies) as|"
    r"є|був|була|були|став|стала|народився|народилася)\s+|['’](?:s|m|re)\s+|\s+)"
    r"(?:(?:a|an|half|half-|part|part-|ethnically|proudly|also|fully|of|за національністю|за походженням|"
    r"наполовину|етнічн\w*|чистокровн\w*|справжн\w*|корінн\w*|кримськ\w*|теж|також)(?:\s+|(?<=-)))*$")
_PERSON_NOUNS = frozenset("i he she they we you me him her я він вона ти ви ми вони family parents ancestors grandparents "
                          "relatives родина сім'я сім’я предки батьки".split())
_ETHNIC_NEXT_EN = re.compile(r"\s*(?:[.,;:!?)\]\"'»”]|$)|\s+(?:and|or|but|by|on|from|too|as well|descent|origin|ancestry|"
                             r"heritage|extraction|roots|background|man|woman|men|women|girl|boy|guy|lady|person|citizen|"
                             r"immigrant|refugee|national|american|canadian|british|myself|himself|herself)(?!\w)|"
                             r"-(?:american|canadian|british|born)(?!\w)")
# a party or a politician a person supports, belongs to or votes for (after "прихильник", "member of", "votes"): named
# ones only; an adjective that is also an idea ("conservative values", "green theme") only before a party's noun or
# capitalised (see :func:`_out_of_context`)
_PARTY_OBJECT = re.compile(
    r"[\s\"«'“]{0,3}(?:(?:the|a|an|за|партію|партії|партія|party|во|пп|політичн\w* сил\w*|на виборах)[\s«\"“]{1,2}){0,2}(?:(?:"
    r"слу[гз]\w* народу|(?:європейськ\w* )?солідарн\w*|євросолідарн\w*|батьківщин\w*|свобод\w*(?<=[«\"“]свобод\w)|"
    r"голос(?<=[«\"“]голос)(?:у|ом)?|опзж|опозиційн\w* платформ\w*|удар(?<=[«\"“]удар)(?:у|ом)?|самопом[оі]ч\w*|"
    r"радикальн\w* парті\w*|парті\w* регіонів|регіоналів|кпу|компарті\w*|нацкорпус\w*|національн\w* корпус\w*|"
    r"прав\w* сектор\w*|народн\w* фронт\w*|за майбутнє|розумн\w* політик\w*|сил\w* і чест\w*|шарі\w*|"
    r"зеленськ\w*|порошенк\w*|тимошенк\w*|ющенк\w*|янукович\w*|кличк\w*|медведчук\w*|трамп\w*|байден\w*|обам\w*|"
    r"путін\w*|ляшк\w*|бойк(?<=[«\"“]бойк)\w*|"
    r"servant of the people|european solidarity|batkivshchyna|fatherland|svoboda|democrats|republicans|tor(?:y|ies)|"
    r"the greens|lib dems|liberal democrats|gop|maga|snp|ukip|reform uk|"
    r"trump|biden|harris|obama|clinton|sanders|zelensk\w*|poroshenko|tymoshenko|yushchenko|yanukovych|putin|starmer|"
    r"sunak|macron|le pen|farage|corbyn)(?! corner| county| tweed)|"
    r"(?P<adj>democratic|democrat|republican|labou?r|conservative|green|liberal|libertarian|socialist|communist|reform)"
    r"(?P<noun> part(?:y|ies)| candidate\w*| nominee\w*| ticket)?)(?!\w)")
# after a capitalised party adjective ("votes Green.", "votes Labour and …"; "supports Green theme" is a colour)
_CAPITAL_PARTY_END = re.compile(r"\s*(?:[.,;:!?)»\"”]|$)|\s+[—–\-]|\s+(?:and|or|but|in|at|since|because|for|this|last|every|"
                                r"again|too|now|і|й|та|але)(?!\w)")
_PARTY_BEFORE = re.compile(r"(?:democratic|republican|labou?r|conservative|green|liberal|libertarian|socialist|communist|"
                           r"trump|biden|obama|harris|clinton|sanders|farage|corbyn|starmer|sunak|maga|ukip|snp|lib dem|"
                           r"reform uk|zelensky|poroshenko|tymoshenko|"
                           r"reform|gop|tory|servant of the people|european solidarity)\s+$")
PARTY_TERMS_UK = [
    r"прихильни(?:к|ка|кові|ку|ком|ця|ці|цю|цею)", r"членкин(?:я|і|ю|ею)", r"член(?:а|ові|ом)?", r"активіст(?:а|ом|ка|ки|кою)?",
    r"симпатик(?:а|ом)?", r"вибор(?:ець|ця|ниця|ниці)", r"підтриму(?:є|ю|ють|вав|вала|вали)",
    r"підтрима(?:в|ла|ли)", r"відда(?:в|ла|ли|ю|є|ють|м) (?:свій |свої |свого )?голос(?:и)?", r"обра(?:в|ла|ли)",
    r"агітува(?:в|ла|ли|ти)", r"агіту(?:є|ю|ють)",
]
PARTY_TERMS_EN = [
    "supports?", "supported", "supporting", "supporters? of", "backs", "backed", "members? of", "campaign(?:s|ed) for",
    "donat(?:es|ed) to", "volunteer(?:s|ed) for", "canvass(?:es|ed|ing)? for", "vot(?:es|ed|e)", "voter", "supporter", "activist",
]

# GDPR Art. 9 and 10 (issue 11 r8 A7): the other special categories, as statements about a person, under the same
# rule as a diagnosis (a person must be near: "Taras is gay", "Я бісексуальна", "Тарас — член профспілки"); a topic
# ("LGBT rights", "the history of Islam", "кримінальне право") names nobody and is no term. Found with the health
# terms (one scan), reported as kind "special" (:func:`is_special`): the cloud never sees them, an audit log masks the name.
_FAITHS = ("muslim", "jew", "jewish", "catholic", "christian", "hindu", "buddhist", "atheist", "mormon", "sikh",
           "evangelical", "protestant", "agnostic")
_BE = ("is", "am", "was", "are", "were", "'m", "’m", "is a", "is an", "was a", "was an", "'m a", "’m a", "'m an",
       "’m an", "am a", "am an", "'s a", "’s a", "'s an", "’s an", "devout", "practising", "practicing", "observant")
SPECIAL_EN = [
    # sexual orientation and gender identity ("Gay-Lussac", "asexual reproduction" are chemistry and biology)
    "gay(?! marriage law)", "lesbian", "bisexual", "homosexual", "pansexual", "asexual(?! reproduc| organism| spore)",
    "transgender", "trans (?:woman|man|girl|boy)(?! character)", "non-?binary(?! (?:tree|search|file|data|format|classif|operat))",
    "came out as", "coming out as",
    # religion, said of someone ("Taras is Muslim", "I'm a devout Catholic"; not "Christian Bale", "a Muslim country"):
    # the noun, then what must stand before it (lookbehinds run only after the noun matched: fast)
    *(n + "(?:" + "|".join(f"(?<={v} {n})" for v in _BE) + ")(?! dior)" for n in _FAITHS),
    r"go(?:es|ing)? to (?:church|mosque|synagogue|temple)", r"went to (?:church|mosque|synagogue|temple)", r"converted to (?:islam|christianity|judaism|"
    r"catholicism|buddhism|hinduism|orthodoxy)", "jehovah'?s witness(?:es)?", "religious beliefs?",
    # trade-union membership
    r"union member(?:ship)?", r"trade union member(?:ship)?", r"member of (?:a |the )?(?:trade |labou?r )?union", "joined the union", "left the union",
    "union dues", "union rep",
    # criminal record (Art. 10)
    "criminal record", r"convicted (?:of|for)", r"was convicted", r"been convicted", "served time", "ex-con(?:vict)?",
    r"prior convictions?", r"previous convictions?", r"released from (?:prison|jail)", r"out of (?:prison|jail)",
    r"in (?:prison|jail) for", r"to (?:prison|jail) for",
    "on parole",
    # political opinion and ethnic origin (issue 11 r9 A5), said of someone: a vote, a party's membership, a party's
    # supporter ("Taras votes for the Greens", "a registered Republican"; "the Republican party" is a topic)
    r"vot(?:es|ed|ing) for(?! (?:the |this |that |a |an |my |our )?(?:proposal|option|pr|pull|merge|change|idea|feature|"
    r"motion|plan|approach|design|answer|fix|release|name|logo|best|majority|class|label|it|them|him|her|me|us)(?!\w))",
    r"member of the (?:\w+ )?party", r"party member(?:ship)?",
    *(n + "(?:" + "|".join(f"(?<={v} {n})" for v in _BE + ("registered", "lifelong", "staunch")) + ")"
      for n in ("republican", "democrat", "communist", "socialist", "libertarian", "tory", "roma", "romani", "gypsy",
                "queer")),
    r"bi(?<=is bi)(?![\w\-])", r"bi(?<='m bi)(?![\w\-])",
    # issue 11 r13 (r10 A3): ethnic origin, a party's support, a vote without "for", each only in its frame
    # (:func:`_out_of_context`); "He's bi", practice of a religion, a union by name, a prison term
    *ETHNONYMS_EN, *PARTY_TERMS_EN, r"party (?:activist|supporter|voter|donor)",
    *(r"bi(?<=" + v + r" bi)(?![\w\-])" for v in ("'s", "’s", "'re", "’re", "are", "was")),
    r"attend(?:s|ed|ing)? (?:church|mass" + _RITE_MASS + r"|mosque|synagogue|temple(?! university)|(?:church |sunday |religious )services|"
    r"sunday school|bible study|(?:the )?liturgy)",
    r"go(?:es)? to (?:mass" + _RITE_MASS + r"|confession|sunday services|bible study|friday prayers?)", r"prays? at (?:the )?(?:mosque|church|synagogue|temple)",
    r"observes? (?:ramadan|the sabbath|shabbat|lent)", r"keeps? kosher", r"fast(?:s|ed)? (?:during|for) ramadan",
    r"joined the (?:teamsters|unite|unison|gmb|uaw|seiu|afl-cio|ufcw|rmt|(?:trade|labou?r|[a-z\-]+(?:ers|ists|ses)['’]?) union)",
    r"member of the (?:teamsters|uaw|seiu|unite|unison|gmb|rmt|afl-cio)", r"teamster(?:(?<=is a teamster)|(?<='s a teamster))",
    r"served (?:[\w\-]+ ){0,3}(?:in|behind) (?:prison|jail|bars)", r"spent (?:[\w\-]+ ){0,3}(?:in|behind) (?:prison|jail|bars)",
    r"served (?:a |his |her |their |my )?(?:[\w\-]+[- ](?:year|month)s? )?(?:prison |jail )sentence",
    r"convictions? for", r"ha(?:s|d|ve) (?:a |two |several |prior |previous )?convictions?", r"did time",
    r"jailed for", r"imprisoned for", r"incarcerated for",
    # issue 11 r14 (round 11's A2): what round 11 still missed, each with its Ukrainian counterpart in SPECIAL_UK; the
    # ambiguous ones ("on probation" at work, "is trans" of a double bond, "B-" of a grade) are checked in
    # :func:`_out_of_context`
    r"card-carrying (?:member of the (?:[\w\-]+ ){0,3}party|communist|socialist|republican|democrat|tory|conservative|"
    r"labou?r|liberal|libertarian|marxist|trotskyist|fascist|party member)\w*",
    "shop steward", "union steward", r"union organi[sz]er", r"union (?:branch )?(?:secretary|chair)",
    *(w + r" on (?:his|her|their|my|your|the) record" for w in ("dui", "dwi", "felony", "felonies", r"misdemeanou?rs?",
                                                                  "convictions?")),
    r"ha(?:s|d|ve) (?:a |an |two |three |several |prior |previous )?(?:dui|dwi|felony|felonies)(?![\w\-])",
    r"on (?:criminal )?probation(?! (?:at|in|for|during|until|period|with (?:the|his|her|my) (?:new|employer)))",
    "probation officer", r"did (?:[\w\-]+ ){1,2}(?:years?|months?|stretch) (?:for " + _CRIMES_EN + r"|in (?:prison|jail|"
    r"the pen|a federal prison|a state prison))",
    *(w + r" (?:a |the |her |his )?(?:hijab|headscarf|niqab|burqa|burka|kippah|yarmulke|chador)"
      for w in ("wears?", "wore", "wearing", "started wearing")),
    r"pray(?:s|ed|ing)? (?:five|5) times a day", r"pray(?:s|ed)? (?:the rosary|salah|salat|namaz)",
    r"prays (?:daily|every day|every morning|every night|each day)",
    r"fast(?:s|ed|ing)? (?:during|for) (?:lent|yom kippur)", r"keeps? (?:lent|the fast|halal|shabbat|the sabbath)",
    *("trans(?:" + "|".join(f"(?<={v} trans)" for v in ("is", "am", "'m", "’m", "'s", "’s", "are", "was", "were"))
      + r")(?![\w\-])(?! (?:isomer|configuration|fat|double|bond|form|position|orientation|geometry|alkene))",),
]
SPECIAL_UK = [
    # "гей" is also "hey!" ("Гей, соколи!", "гей ти"): not before a comma, "!" or a second person
    r"гей(?![,!]| ти| ви| там| хлопці)", "геї", "геєм", r"лесбійк\w*", r"лесбіянк\w*", r"лесбиянк\w*", r"бісексуал\w*",
    r"бисексуал\w*", r"гомосексуал\w*", r"пансексуал\w*", r"асексуал\w*(?! розмнож)", r"трансгендер\w*", r"небінарн\w*",
    r"трансжін\w*", r"трансженщин\w*", r"трансчолові\w*", r"камінг-аут\w*", r"каминг-аут\w*",
    # religion: a believer of a faith (a noun of membership), going to church; "православна церква" is a topic
    r"мусульманин\w*", r"мусульманк\w*", r"католик(?:а|ом|у)?", r"католичк\w*", r"греко-католи(?:к|чк)\w*", r"юдей\w*",
    r"іудей\w*", r"иудей\w*", r"буддист\w*", r"індуїст\w*", r"атеїст\w*", r"атеист\w*", r"свід(?:ок|к\w*) єгови",
    r"свидетел\w* иеговы", r"баптист\w*", r"протестант(?:ка|кою|ку|ом)?", r"п'ятидесятни\w*",
    r"п’ятидесятни\w*", r"сектант\w*", r"парафіян\w*", r"прихожан\w*",
    r"ход\w* (?:у|в|до) (?:церкв|мечет|синагог|костел|храм|молитовн)\w*(?: (?:упц|пцу|мп|угкц)\w*)*",
    r"упц мп", r"рпц мп", r"прийня\w* (?:іслам|юдаїзм|католицизм|православ)\w*", r"переш\w* (?:в|у) (?:іслам|юдаїзм|католицизм)\w*",
    # trade-union membership
    r"член\w* (?:\w+ )?профспілк\w*", r"вступ(?!ити|ати)\w* до профспілк\w*", r"вий\w* (?:з|із) профспілк\w*", r"виход\w* (?:з|із) профспілк\w*",
    r"профспілков\w* (?:квит|внес|член)\w*", r"член\w* профсоюз\w*",
    # criminal record (Art. 10)
    r"судим\w*", r"несудим\w*", r"засуджен\w* (?:до|за|на)", r"осужден\w* (?:к|за|на)", *_SAT_TIME_UK,
    r"сид(?:ів|іла|ить|ел|ела|ит) (?:у|в) (?:в'язниці|в’язниці|тюрмі|тюрьме|колонії|колонии|сізо|сизо)",
    r"кримінальн\w* минул\w*", r"умовн\w* (?:строк|термін)\w*", r"звільни\w* (?:з|із) (?:в'язниці|в’язниці|колонії)",
    r"відбу(?:в|ла|вав|вала|ває|ли|де|деш) покаранн\w*", r"позбавлен\w* волі", r"член\w* фпу",
    # political opinion and ethnic origin (issue 11 r9 A5): a vote, a party's membership
    *(v + r" за(?! (?:те|це|то|цей|цю|варіант\w*|пропозиці\w*|ідею|рішенн\w*|план\w*|зміни|реліз\w*|назв\w*|нього|неї|них|мене|нас)(?!\w))"
      for v in (r"голосува\w*", r"проголосува\w*", r"голосу(?:є|ю|ють)")), r"член\w* (?:\w+ )?парті[їя]", r"членкин\w* (?:\w+ )?парті[їя]",
    r"прихильни\w* парті[їя]", r"ромк(?:а|и|у|ою|ам)", r"циган(?:ка|ки|ку|кою|ин|ина|ом)",
    # orientation, religion: a short word only after a dash ("Олена — бі", "Тарас — православний")
    r"квір\w*", r"бі(?<=— бі)(?![\w\-])", r"бі(?<=- бі)(?![\w\-])",
    r"православний(?<=— православний)", r"православна(?<=— православна)", r"щонеділі (?:в|у|до) церкв\w*",
    # issue 11 r13 (r10 A3): the counterparts of the English terms above
    *ETHNONYMS_UK, *PARTY_TERMS_UK,
    *(r"лесбі(?<=" + v + r" лесбі)(?![\w\-])" for v in ("—", "-", "–", "я", "вона", "она", "є")),
    r"відвіду(?:є|ю|ють|вав|вала|вали) (?:(?:церкв|мечет|синагог|костел|храм|молитовн|кірх|богослужінн|літургі)\w*|"
    r"мес[уи]|недільн\w* школ\w*)",
    r"ход(?:ить|жу|ять|ила|ив|или) на (?:службу|месу|літургію|богослужіння|намаз|сповідь|причастя|п['’]ятничну молитву)",
    r"моли(?:ться|лася|вся|ться) (?:у|в) (?:церкві|мечеті|синагозі|костелі|храмі)",
    r"дотриму\w* (?:посту|шабату|шабату|рамадану|кашруту|великого посту)", r"трима\w* (?:піст|рамадан|кошер)",
    r"постит\w* (?:у|в|під час) рамадан\w*",
    r"член\w* (?:фнпу|квпу|нпгу|фпу)", r"вступи(?!ти)\w* до (?:фнпу|квпу|нпгу|фпу|профспілки)",
    r"прові(?:в|ла|ли) (?:[\w'’\-]+ ){0,3}(?:у|в|за) (?:в['’]язниці|тюрмі|колонії|ґратами|гратами|сізо)",
    r"ув['’]язнен\w* (?:на|за)", r"судимост\w*",
    # issue 11 r14 (round 11's A2): the counterparts of the English terms above, and what round 11 missed
    r"волонтер\w* (?:виборч\w* )?штаб\w*", r"партійн\w* квит\w*", r"партквит\w*",
    r"профорг\w*", r"голов\w* профкому", r"голов\w* (?:первинної )?профспілков\w* організаці\w*",
    r"на пробації", r"під наглядом (?:органу )?пробації", r"пробаційн\w* нагляд\w*", r"на умовно-достроков\w*",
    r"нос(?:ить|ила|ять|ив|или|у|иш) (?:хіджаб|нікаб|паранджу|кіпу|ярмулку|чадру|хустку на голові)\w*",
    r"моли(?:ться|лася|вся|лись|лися|ляться|юся|юсь) (?:п['’]ять разів|5 разів|щодня|щоранку|щовечора|перед їжею|на вервиці)",
    r"чита(?:є|ла|в) намаз\w*", r"роби(?:ть|ла|в) намаз\w*",
    r"трима\w* (?:великий|різдвяний|петрів|петрівський|успенський) (?:піст|пост)",  # "тримає пост в інстаграмі" is no fast
    r"транс(?:(?<=— транс)|(?<=- транс))(?![\w\-])", r"транс-?(?:жін|чолов|дівчин|хлопц|хлопець|людин)\w*",
    *(r"з " + a + r"(?:ої|ою) (?:родини|сім['’]ї|родиною|сім['’]єю)" for a in _ETHNIC_ADJ_UK),
]
# Who the health data is about: each English cue and its Ukrainian counterparts with their
# inflected forms (cases, genders), one row per meaning, so neither language lags the other
# (tests/test_pii_parity.py walks this table). Ukrainian ``п'є`` is written with any apostrophe.
_A = "['’ʼ]"
CUE_PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # the speaker
    (("my", "mine", "myself"),
     ("мій", "моя", "моє", "мої", "мого", "моєї", "моєму", "моїй", "моїм", "моєю", "моїх", "моїми", "мою", "себе")),
    (("me",), ("мене", "мені", "мною")),
    (("i'm", "i am", "i've", "i have", "i had", "i was", "i take", "i took", "i got", "i use", "i inject", "i suffer"),
     ("у мене", "в мене", "я маю", "я мав", "я мала", "я був", "я була", "я приймаю", "я приймав", "я приймала",
      f"я п{_A}ю", "я пив", "я пила", "я колю", "я колюся", "я хворію", "я хворів", "я хворіла", "я страждаю")),
    # other people: unambiguous forms (see PRONOUNS_BEFORE for the ones that also mean "it")
    (("he", "him", "his"), ("у нього", "в нього", "йому", "з ним")),
    (("she", "her", "hers"), ("у неї", "в неї", "їй", "з нею",
                              "у неі", "в неі", "з неі")),  # "неi" typed with a Latin i for ї (folded to і)
    (("they've", "they have"), ("у них", "в них")),
    # roles and relatives
    (("patient", "patients"), (r"пацієнт\w*",)),
    (("client", "clients", "customer"), (r"клієнт\w*",)),
    (("employee", "employees", "worker", "staff member"), (r"співробітни\w*", r"працівни\w*")),
    (("colleague", "colleagues"), (r"колег\w*",)),
    (("mother", "mom", "mum", "mommy", "mummy"),
     ("мама", "мами", "мамі", "маму", "мамою", "мамо", "мати", "матері", f"матір{_A}ю", "матір", r"мамин\w*")),
    (("father", "dad", "daddy"),
     ("батько", "батька", "батькові", "батьком", "тато", "тата", "татові", "татом", "тату", r"татус\w*")),
    (("parents",), ("батьки", "батьків", "батькам", "батьками")),
    (("son",), ("син", "сина", "синові", "сину", "сином", r"синочк\w*")),
    (("daughter",), ("донька", "доньки", "доньці", "доньку", "донькою", "дочка", "дочки", "дочці", "дочку", "дочкою",
                     r"донечк\w*")),
    (("wife",), (r"дружин\w*",)),
    (("husband",), (r"чоловік\w*",)),
    (("brother",), (r"брат\w*",)),
    (("sister",), (r"сестр\w*",)),
    (("grandmother", "grandma", "granny"), (r"бабус\w*", r"бабц\w*", r"бабуня\w*")),
    (("grandfather", "grandpa"), (r"дідус\w*", "дід", "діда", "дідові", "дідом")),
    (("grandson", "granddaughter", "grandchild", "grandchildren"), (r"онук\w*", r"онучк\w*")),
    (("aunt", "uncle"), (r"тітк\w*", r"тітон\w*", r"дядьк\w*", r"дядь\w*")),
    (("cousin", "nephew", "niece"), (r"двоюрідн\w*", r"племінни\w*")),
    (("child", "children", "kid", "baby", "toddler"),
     (r"дитин\w*", "діти", "дітей", "дітям", "дітьми", r"немовл\w*", r"малюк\w*")),
    (("boyfriend", "girlfriend", "partner", "fiancé", "fiancée", "fiance", "fiancee"),
     (r"хлопц\w*", "хлопець", r"дівчин\w*", r"партнер\w*", r"наречен\w*")),
    (("friend", "neighbour", "neighbor"), ("друг", "другові", "другом", r"подруг\w*", r"сусід\w*")),
    # in-laws and pupils, every case (issue 11, round 4: "У тещі астма", "В учениці епілепсія")
    (("mother-in-law", "father-in-law", "son-in-law", "daughter-in-law", "in-laws"),
     (r"тещ\w*", "тесть", "тестя", "тестеві", "тестю", "тестем", r"свекру\w*", "свекор", "свекра", "свекрові",
      "свекром", "свекрові", "зять", "зятя", "зятеві", "зятю", "зятем", r"невістк\w*", r"невісточк\w*")),
    # step-family and godparents, every case (issue 11, round 5: "У кума виявили туберкульоз", "вітчима лікують")
    (("stepfather", "stepmother", "stepson", "stepdaughter", "stepchild", "stepbrother", "stepsister"),
     (r"вітчим\w*", r"мачух\w*", r"пасин\w*", r"падчерк\w*", r"падчерц\w*", r"зведен\w*")),
    (("godfather", "godmother", "godson", "goddaughter", "godchild", "godparent", "godparents"),
     (r"хрещен\w*", r"хресн\w*", r"похресни\w*", "кум", "кума", "куму", "кумові", "кумом", "кумі", "кумою", "куми",
      "кумів", "кумам", "кумами", "кумо", r"кумас\w*")),
    (("pupil", "pupils", "student", "students", "schoolboy", "schoolgirl", "trainee"),
     ("учень", "учня", "учневі", "учню", "учнем", "учні", "учнів", "учням", r"учениц\w*", r"студент\w*",
      r"школяр\w*", r"вихован\w*", r"стажист\w*")),
    (("soldier", "veteran", "serviceman", "servicewoman"), (r"військов\w*", r"ветеран\w*", r"бійц\w*", "боєць",
                                                          r"захисни\w*")),
    (("mr", "mrs", "ms", "dr"), ("пан", "пані", "пана", "панові", "паном", "д-р")),
    # personal events
    (("was diagnosed", "been diagnosed", "got diagnosed"),
     ("діагностували", "поставили")),
    (("was prescribed", "been prescribed"), ("призначили", "виписали", "прописали")),
    (("suffers", "suffered", "suffering"), ("страждає", "страждаю", "страждав", "страждала", "страждають")),
    (("is taking", "has been taking", "takes", "took", "injects"),
     ("приймає", "приймаю", "приймав", "приймала", "приймають", f"п{_A}є", f"п{_A}ють", "вживає", "колеться",
      "колюся", "коле", "колоть")),
    (("is ill", "is sick", "fell ill", "got sick", "has been ill", "was ill"), (r"хворі[юєвл]\w*", r"захворі\w*")),
    (("is treated", "was treated", "being treated", "is being treated"),
     ("лікується", "лікуюся", "лікувався", "лікувалася", "лікувалась", "лікуються")),
    (("was hospitalised", "was hospitalized", "hospitalised", "hospitalized"), (r"госпіталізува\w*",)),
    (("sick with", "ill with", "sick", "ill"),
     ("хворий", "хвора", "хворі", "хворого", "хворої", "хворому", "хворим", "хворою", "хворіє", "хворію")),
    (("i live with", "lives with", "living with", "lived with"), ("живу з", "живе з", "живуть з", "живу із", "жила з",
                                                                 "жив з")),
    (("recovered", "in recovery", "recovering"), (r"одуж\w*", r"видуж\w*")),
    (("struggle with", "struggling with", "struggles with", "battling", "fighting"),
     ("борюся з", "бореться з", "боровся з", "боролася з", "борюсь з")),
    (("tested positive", "tested", "test came back"), ("здала", "здав", "здали", "позитивний", "позитивна",
                                                       "результат")),
    (("doctor said", "doctor says", "my doctor", "gp"), ("лікар", "лікарка", "лікаря", "лікарю", "лікарем")),
    # issue 11 r7 A2: a boss or a teacher is someone; the speaker in the first person after a health event
    (("boss", "supervisor", "teacher", "coach"), (r"начальник\w*", r"начальниц\w*", "керівник", "керівника",
                                                  "керівнику", "керівникові", "керівником", "керівниця", "керівниці", "керівницю", "керівницею", "шеф",
                                                  "шефа", "шефу", "шефові", "шефом", r"шефин\w*", r"вчител\w*",
                                                  r"вчительк\w*", r"тренер\w*")),
    (("i limp", "i can't walk", "i cannot walk", "i can barely"), ("я кульгаю", "я не можу ходити", "я ледве")),
    (("i inject", "i drink", "i've got", "i got", "i am on", "i'm on"),
     ("колю", f"п{_A}ю", "маю", "проходжу", "проходить")),
    (("pt", "hx", "y/o", "yo"), ("пацієнтка", "анамнез", "в анамнезі")),
)
# Russian cues (no parity row of their own: the English side is CUE_PAIRS')
CUES_RU = ["і'm", "і am", "і have", "і've", "і was",  # English typed with a Cyrillic "і"
           "у меня", "у нее", "у него", "мой", "моя", "моей", "моего", "мне", "меня", "я принимаю", "принимаю",
           "принимает", "болею", "болеет", "болен", "больна", "мама", "папа", "муж", "жена", "сын", "дочь"]
# "я" counts only right before the term ("Я діабетик", "Я на інсуліні", "Я вагітна, 12 тижнів").
NEAR_BEFORE = ("я",)
NEAR_WINDOW = 20
# Pronouns that also stand for a thing ("астма ... чим вона небезпечна", "statins: how do they
# work"): they count only before the health term ("вона колеться інсуліном", "they take statins").
PRONOUNS_BEFORE: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("they", "them", "their", "theirs"), ("вони", "їх", "їм", "ними", "них", r"їхн\w*")),
    ((), ("він", "його", "ним", "нього", "ньому")),
    ((), ("вона", "її", "нею", "неї", "ній", "іі", "неі")),  # "ii", "неi": ї typed as i
    # "they have" only before the term, as in English: "Люди після інсульту мають уникати …" is advice (issue 11 r7 C4)
    ((), ("мають", "має")),  # and "has": "Дієта після інсульту має бути легкою" is advice
    # Russian and Ukrainian in Latin letters, common in chats (issue 11 r7 A2): "она колет инсулин", "vona koletsya …"
    ((), ("она", "он", "они", "vona", "vin", "mae", "maye")),
)
CUES_EN = [c for en, _ in CUE_PAIRS for c in en]
CUES_UK = [c for _, uk in CUE_PAIRS for c in uk]
TERMS = word_regex(TERMS_EN + TERMS_UK + TERMS_RU + TERMS_TRANSLIT + BLOOD_GROUP + MILITARY_BOARD + BRANDS_LATIN
                   + BRANDS_CYRILLIC + CHEMO + SPECIAL_EN + SPECIAL_UK)
CUES = word_regex(CUES_EN + CUES_UK + CUES_RU)
SPECIAL = word_regex(SPECIAL_EN + SPECIAL_UK)


def is_special(low: str, start: int, end: int) -> bool:
    """Is the term at ``low[start:end]`` (a span of :func:`personal_health_spans`) one of the other special categories
    (orientation, gender identity, religion, union membership, criminal record) rather than health?"""
    return SPECIAL.fullmatch(low, start, end) is not None
# relatives and roles, the people of a school genetics problem (see :func:`_genetics_problem`)
_ROLE_CUE = word_regex([c for en, uk in CUE_PAIRS if en[0] in ("mother", "father", "parents", "son", "daughter", "child",
                                                                "grandmother", "grandfather", "wife", "husband", "brother",
                                                                "sister", "patient")
                        for c in en + uk])
NEAR = word_regex(NEAR_BEFORE)
# Only a strong cue (not a pronoun, a possessive or a role) makes a health word personal in a
# sentence about code, data or a topic: "SELECT diagnosis FROM patients", "The diabetes dataset
# has 442 patients", "I'm writing about HIV stigma", "Діабет — тема моєї дипломної роботи".
WEAK_CUES = frozenset(
    "my mine myself me i'm i am patient patients client clients customer employee employees worker colleague "
    "colleagues мій моя моє мої мого моєї моєму моїй моїм моєю моїх моїми мою себе мене мені мною має маю мають".split())
# A role in the plural is a group, not a person ("Patients on dialysis need …", "Діти з астмою …", issue 11 r7 C4):
# it counts only after a possessive ("my children", "наші пацієнти", "її діти").
PLURAL_ROLES = frozenset(
    "patients clients customers employees workers colleagues children kids babies toddlers students pupils "
    "пацієнти пацієнтів пацієнтам пацієнтами пацієнтах клієнти клієнтів клієнтам клієнтами співробітники "
    "співробітників працівники працівників колеги колегам колегами діти дітей дітям дітьми дітях студенти "
    "студентів студентам учні учнів учням школярі школярів немовлята немовлят малюки малюків".split())
_POSSESSIVE_BEFORE = re.compile(r"(?<!\w)(?:my|our|his|her|their|your|мої|моїх|моїм|моїми|наші|наших|нашим|нашими|"
                                r"її|його|їхні|їхніх|твої|твоїх|ваші|ваших|свої|своїх)\s+$")
TECH_OR_TOPIC = re.compile(
    r"(?<!\w)(?:dataset|data set|sklearn|pandas|numpy|field|fields|column|columns|table|select|insert|schema|sql|"
    r"json|csv|api|endpoint|class|object|process|struct|variable|array|attribute|property|app|server|database|"
    r"model|writing about|write about|essay|article|thesis|research|paper|stigma|awareness|statistics|topic|"
    r"blog|post about|leaflet|brochure|prevention|campaign|lecture|presentation|slides|auc|roc|"
    r"модел\w*|блог\w*|листівк\w*|буклет\w*|профілактик\w*|скринінг\w*|кампані\w*|лекці\w*|презентаці\w*|слайд\w*|"
    r"конспект\w*|"
    r"датасет\w*|поле|поля|таблиц\w*|колонк\w*|стовпц\w*|змінн\w*|об'єкт\w*|сервер\w*|мереж\w*|баз\w* даних|"
    r"тема|тему|дипломн\w*|курсов\w*|реферат\w*|стаття|статтю|статті|дослідженн\w*|статистик\w*|пишу про)(?!\w)")
# "allergic to meetings", "алергія на Java": a joke, not a diagnosis
NOT_ALLERGENS = re.compile(
    r"(?:\s+(?:to|на))?\s+(?:meetings?|mondays?|work|code|bugs?|java|python|javascript|php|jira|deadlines?|people|"
    r"зустріч\w*|мітинг\w*|понеділ\w*|роботу|код|баги|дедлайн\w*|людей|java|python)(?!\w)")
CUES_BEFORE = word_regex([c for en, uk in PRONOUNS_BEFORE for c in en + uk])

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

# A first name as the subject: "Taras has HIV.", "Olena: diabetes", "У Тараса ВІЛ", "В Олени астма"
# (one capitalised word right before a verb of having or being, or "у/в" with a genitive name).
SUBJECT_NAME = re.compile(
    r"(?<![\w.])(?=([A-Z][a-z'’]+))[A-Z][a-z'’]+ (?:has|had|is|was|takes|took|got|suffers|lives|tested|injects|gets|"
    r"needs|uses|died|lost|underwent|developed|caught|contracted|survived|recovered|collapsed|fainted|started|starts|"
    r"began|begins|sees|saw|visits|visited|limps|stayed|spent|finished|completed|missed)(?!\w)"
    r"|(?<![\w.])(?=([A-Z][a-z'’]+))[A-Z][a-z'’]+:"  # "Olena: diabetes": only right before the term
    r"|(?<!\w)(?:[УуВв]|[Уу] пані|[Вв] пана) (?=([А-ЯІЇЄҐ][а-яіїєґ'’]+))[А-ЯІЇЄҐ][а-яіїєґ'’]+(?<=[аияї])(?!\w)"
    # "Олена вагітна.", "Тарас хворіє на …": a Ukrainian first name right before a verb or adjective of health
    r"|(?<![\w.])(?=([А-ЯІЇЄҐ][а-яіїєґ'’]+))[А-ЯІЇЄҐ][а-яіїєґ'’]+ (?:має|мала|мав|хворіє|хворів|хворіла|хвора|хворий|"
    r"страждає|приймає|приймала|приймав|лікується|лікувалася|лікувався|вагітна|п[’'ʼ]є|колеться|отримала?|"
    r"перенесла?|переніс|пережила?|пережив|живе з|роками|одужує|одужала?|одужав|видужує|померла?|помер|захворіла?|"
    r"захворів|знепритомніла?|знепритомнів|бореться|лежить|потрапила?|потрапив|[ув] лікарні|[ув] реанімації|"
    r"[ув] госпіталі)(?![\w])"
    # issue 11 r5: a name as the object ("Олену лікують від раку", "Для Тараса потрібні ліки", "treating Olena for …")
    r"|(?<![\w.])(?=([А-ЯІЇЄҐ][а-яіїєґ'’]+))[А-ЯІЇЄҐ][а-яіїєґ'’]+ (?:лікують|лікували|лікуватимуть|госпіталізували|"
    r"оперували|прооперували|обстежують|обстежили|діагностували|виявили|підтвердили|забрали|відвезли|доставили|"
    r"привезли|поклали)(?![\w])"
    # "З Ольгою стався напад", "Із Тарасом трапився інсульт": the name in the instrumental before a verb of happening
    r"|(?<!\w)(?:[Зз]|[Іі]з) (?=([А-ЯІЇЄҐ][а-яіїєґ'’]+))[А-ЯІЇЄҐ][а-яіїєґ'’]+(?<=ою|ею|єю|ом|ем|єм) "
    r"(?:стався|сталося|сталася|сталась|трапився|трапилося|трапилася|трапилась|було|буває|щось)(?![\w])"
    r"|(?<!\w)(?:[Дд]ля|[Вв]ід|[Дд]о) (?=([А-ЯІЇЄҐ][а-яіїєґ'’]+))[А-ЯІЇЄҐ][а-яіїєґ'’]+(?<=[аияї])(?!\w)"
    r"|(?<!\w)(?:treating|treated|treat|treats|diagnosed|diagnosing|hospitali[sz]ed|admitted|examined|examining|"
    r"operated on|prescribed|prescribing) (?=([A-Z][a-z'’]+))[A-Z][a-z'’]+(?!\w)",
    re.MULTILINE)

# A capitalised word in a person's place in a health sentence, whatever the name (issue 11 r7 A1: "Фросині зробили
# хіміотерапію", "Зеник на діалізі", "After the stroke Bartek can barely speak"; no first-name list is complete):
# the dative before an impersonal verb of treatment, the subject of a state only a person is in, the subject after
# a health adverbial. Topic nouns ("Лікування на діалізі …", "Дієта після інсульту …") are no persons.
PERSON_SUBJECT = re.compile(
    r"(?:^|(?<=[.!?…\n])\s*|(?<=[.!?…] ))(?P<dat>[А-ЯІЇЄҐ][а-яіїєґ'’ʼ]+(?<=[іїую])) "
    r"(?:(?:вчора|сьогодні|нещодавно|торік|вже|минулого тижня|в лікарні|у лікарні) )?"
    r"(?:зробили|ампутували|поставили|призначили|вирізали|видалили|діагностували|пересадили|наклали|прооперували|"
    r"оперували|провели|роблять|ставлять|вкололи|виписали|накладали|відрізали|знайшли|виявили)(?!\w)"
    r"|(?:^|(?<=[.!?…\n])\s*|(?<=[.!?…] ))(?P<nom>[А-ЯІЇЄҐ][а-яіїєґ'’ʼ]+) (?:на діалізі|на лікарняному|на больничному|"
    r"на реабілітації|[ув] реабілітації|на хіміо\w*|на інсуліні|на антидепресантах|на інвалідному візку|"
    r"ходить (?:до|на) (?:психотерапевт|психолог|психіатр|нарколог|онколог|лікар|терапі|реабілітаці|діаліз|хіміо)\w*|"
    r"після (?:інсульту|інфаркту|операції|хіміо\w*|ампутації|поранення|контузії|передозування) (?:погано|ледве|не може|"
    r"кульгає|говорить|ходить|лежить|пересувається|досі|вже|ще|не|почува\w*|живе|одужує|видужує))(?!\w)"
    r"|(?<!\w)[Uu] (?P<lat>[A-Z][a-z]+(?<=[ay]))(?= [a-z])"  # "U Tarasa depresiya": Ukrainian in Latin letters
    r"|(?<!\w)[УуВв] (?P<ru>[А-ЯЁ][а-яё]+ы)(?= [а-яё])"  # "У Олены диабет" (Russian)
    r"|(?<!\w)[УуВв] (?P<gen>[А-ЯІЇЄҐ][а-яіїєґ'’ʼ]+(?<=і)(?<!ії)(?<!ові)(?<!еві)(?<!єві))(?= [а-яіїєґa-z])"
    r"|(?<!\w)(?:[Aa]fter|[Ss]ince|[Bb]efore|[Dd]uring) (?:the|a|an|his|her|their) [a-z\-]+,? "
    r"(?P<en>[A-Z][a-z'’]+) (?=[a-z])",
    re.MULTILINE)
_TOPIC_NOUN = re.compile(r"(?:ння|ття|ція|ія|ість|ство|ика|ура|[иії])$")  # the last: a plural ("Курці на діалізі")
_NOT_PERSONS = frozenset("дієта вага їжа робота допомога мова пам'ять пам’ять людина жінка дитина родина сім'я сім’я "
                         "лікар лікарка медсестра організм серце мозок нога рука печінка підтримка відпустка перевірка "
                         "оцінка таблетка вакцина страховка довідка "
                         "україні польщі німеччині америці канаді європі азії африці британії франції іспанії італії "
                         "країні області місті селі школі лікарні клініці армії компанії групі команді моделі "
                         "the a an this that it he she they we you i patient everyone".split())
# A person addressed by name at a sentence's start, the sentence speaking to them: "Olena, how is your asthma?",
# "Олено, як твоя астма?", "Тарасе, бережи себе" (the second person alone is no cue: "How does insulin affect your
# body?" is a textbook question)
_YOU = ("your|yours|yourself|you|ти|тебе|тобі|тобою|твій|твоя|твоє|твої|твого|твоєї|твоєму|твоїй|твоїм|твоєю|твоїх|твою|"
        "ваш|ваша|ваше|ваші|вашого|вашої|вашому|вашій|вашим|вашою|ваших|вашу|вас|вам|вами|себе|бережи|бережіть|тримайся|"
        "одужуй|одужуйте|take care|get well")
_CAPWORD = r"[A-ZА-ЩЬЮЯҐЄІЇ][a-zа-щьюяґєії'’ʼ]+"
VOCATIVE = re.compile(rf"(?:^|(?<=[.!?…\n])|(?<=[.!?…] ))(?P<name>{_CAPWORD}),\s(?=[^.!?\n]{{0,120}}?(?<!\w)(?:{_YOU})(?!\w))",
                      re.MULTILINE)
# A surname with initials, the usual form in Ukrainian records: "Коваль О.В.", "КОВАЛЬ О. В.", "Koval O.", "О.В. Коваль"
_UP = "A-ZА-ЩЬЮЯҐЄІЇ"
INITIALS = re.compile(rf"(?<!\w)(?P<name>[{_UP}][\w'’ʼ\-]+,? [{_UP}]\.\s?(?:[{_UP}]\.)?)(?=[\s,;:)]|$)"
                      rf"|(?<!\w)(?P<name2>[{_UP}]\.\s?(?:[{_UP}]\.\s?)?[{_UP}][a-zа-щьюяґєії'’ʼ]+)")
# words that open a sentence with a comma and address nobody ("Well, how does your body …", "Отже, твій діабет …")
NOT_VOCATIVES = frozenset("well so ok okay now also however yes no hi hello hey thanks thank sure first firstly then next "
                          "finally actually basically honestly anyway besides still yet again otherwise doctor doc "
                          "добре отже звісно однак можливо тобто далі так ні привіт дякую словом коротше чесно наприклад "
                          "по-перше по-друге втім проте також зрештою нарешті лікарю докторе пане пані".split())

# A request to the person addressed ("Olena, could you …", "Олено, можеш …") speaks to them but not about them.
_REQUEST = re.compile(r"(?<!\w)(?:can|could|would|will|do) you(?!\w)|thank you|(?<!\w)(?:можеш|можете|зможеш|зможете)(?!\w)")
_YOU_RX = re.compile(rf"(?<!\w)(?:{_YOU})(?!\w)")
# A name at a sentence's start set off by a comma, before a request or in the vocative case ("Olena, please write a
# blog post about diabetes prevention", "Олено, наша модель прогнозує ризик діабету"): the one spoken to. The
# health words are about them only with a second person (:data:`VOCATIVE`), issue 11 r7 C3.
_REQUEST_WORDS = re.compile(
    r",\s+(?:please|pls|kindly|can|could|would|will|our|the|this|these|that|we|let's|lets|translate|write|summari[sz]e|"
    r"check|review|draft|prepare|make|create|look|help|find|read|send|update|fix|add|edit|proofread|put|design|build|"
    r"будь ласка|можеш|можете|зможеш|наша|наш|наше|наші|ця|цей|це|ці|ми|давай|переклади|напиши|зроби|перевір|підготуй|"
    r"глянь|подивись|подивися|допоможи|знайди|прочитай|надішли|онови|виправ|додай|відредагуй|склади|створи|опиши|"
    r"поясни|підсумуй|зверстай|розроби)(?!\w)")
_GREETING_BEFORE = re.compile(r"(?:^|[.!?\n]\s*)(?:(?:hi|hello|hey|dear|привіт|вітаю|добрий день|шановн\w+|дорог\w+)"
                              r"[,!]?\s+)?$")


def _addressee(text: str, low: str, start: int, end: int) -> bool:
    """Is the name at ``text[start:end]`` the person a request is addressed to (see :data:`_REQUEST_WORDS`)?"""
    if not low.startswith(",", end) or not _GREETING_BEFORE.search(low, max(0, start - 30), start):
        return False
    return bool(_REQUEST_WORDS.match(low, end)) or is_vocative(text[start:end])


# A reference list: "J Med. 2019;11:343", "// Укр. мед. часопис. 2002. №8", "et al.", "doi:" (issue 11 r7 C2)
_CITATION = re.compile(r"//|(?:19|20)\d\d\s*;\s*\d+(?:\(\d+\))?\s*:\s*\d+|(?<!\w)et al\.?|(?<!\w)doi(?!\w)|"
                       r"(?<!\w)(?:journal|vol\.\s*\d|pp?\.\s*\d+\s*[-–]|с\.\s*\d+\s*[-–]|журн\w*|часопис\w*|вісник\w*|"
                       r"bmj|lancet|jama|nejm|plos|pubmed|cochrane|a review\.|огляд\s*\.)(?!\w)"
                       r"|(?:19|20)\d\d\.\s*(?:№|т\.|vol)")


_HOW = ("як ", "де ", "коли ", "скільки ", "чи ", "як довго ")


def _generic_cue(low: str, start: int, end: int) -> bool:
    """A cue that names nobody: a role in the plural without a possessive ("Patients on dialysis …"), or "I" in a
    question about a procedure ("Which ICD-10 code should I use …")."""
    word = low[start:end]
    if word in PLURAL_ROLES:
        return not _POSSESSIVE_BEFORE.search(low, max(0, start - 12), start)
    if word in ("проходить", "проходжу") and low.endswith(_HOW, 0, start):
        return True  # "Як проходить ВЛК у Харкові?": how the procedure goes, nobody in it (issue 11 r9)
    return word.startswith("i ") and low.endswith(("should ", "can ", "could ", "do ", "shall ", "must "), 0, start)


# An ICD-10 code without its label ("F20.0", "Z21") counts only near a medical document or status word
_BARE_ICD = re.compile(r"(?<![\w.\-])[a-tv-z]\d\d(?:\.\d{1,2})?(?![\w\-])")
_MED_DOC = re.compile(r"(?=[cmsdhдмлвс])(?<!\w)(?:certificate|medical|sick note|довідц?\w*|медичн\w*|лікарнян\w*|виписк\w*|"
                      r"діагноз\w*|diagnos\w*|статус\w*|status|віл|hiv)(?!\w)")
_MED_DOC_GATE = literal_gate(_MED_DOC)  # its words' stems: substring tests before the scan (several times faster)


WINDOW = 80  # characters either side of a health term in which a person must be mentioned
# A filled-in blood-group field is a record of someone, with or without a name ("Група крові: 0(I) Rh−" on a form
# or a patch, issue 11 r8 A4): one value after a singular label at a line's start; the label alone ("blood type: what is
# it?") or a list of groups ("таблиця груп крові: 0(I), A(II), …") is not.
_RECORD = re.compile(r"(?:група крові|группа крови|blood type|blood group)\s?[:=—\-–]\s?(?:[0-4abovіiав]\s?\(|"
                     r"[0-4abo]\s?[+\-−]|ab\s?[+\-−])")
_LINE_START = re.compile(r"(?:^|\n)[\s*•\-–>|#]*$")
_LIST_AFTER = re.compile(r"\s?[,;/]\s?(?:ab|[0abovавоі])\s?\(")
# A school genetics problem names roles, not people ("If the mother has A(II) and the father B(III), which blood groups
# can the child have?", "Якщо в батьків II(A) і III(B), яка група крові може бути в дитини?")
_GENETICS = re.compile(r"(?<!\w)(?:успадков\w*|inherit\w*|генетик\w*|genetic\w*|задач\w*|problem|probabilit\w*|ймовірн\w*|"
                       r"вірогідн\w*|punnett|пеннет\w*|which blood (?:types?|groups?)|what blood (?:types?|groups?) can|"
                       r"can the (?:child|children|baby|offspring)|які групи крові|яка група крові може|"
                       r"(?:у|в) (?:дітей|дитини|нащадків) (?:можуть|може)|"
                       # a question about a group in general (issue 11 r14: "Скільки людей у світі мають четверту групу
                       # крові?", "Резус-конфлікт: що буде, якщо мати Rh-, а плід Rh+?", "Can a type A person donate?")
                       r"скільки людей|як\w* частк\w*|який відсоток|скільки відсотків|what fraction|what percentage|"
                       r"what share|how many people|how common|how rare|who can (?:donate|receive)|"
                       r"can (?:a|an) (?:type \w+ |group \w+ )?(?:person|donor|patient)|universal (?:donor|recipient)|"
                       r"універсальн\w* (?:донор|реципієнт)\w*|резус-конфлікт\w*|rh[\- ]conflict|rhesus disease|"
                       r"якщо (?:мати|батько|у матері|в матері)|if (?:the|a) (?:mother|father|parent)|"
                       r"(?:у|в) світі|in the world|people with|людей з|що це(?!\w)|what is it)(?!\w)")
_BLOOD_START = ("груп", "blood", "rh", "резус", "hrup", "grup")


def _record(low: str, start: int, end: int) -> bool:
    """Is ``low[start:end]`` a filled-in blood-group field (see :data:`_RECORD`)?"""
    return (_RECORD.match(low, start, end) is not None and _LINE_START.search(low, max(0, start - 40), start) is not None
            and _LIST_AFTER.match(low, end) is None)


def _ethnic_record(low: str, start: int, end: int) -> bool:
    """Is the ethnonym at ``low[start:end]`` the value of a filled-in field ("Національність: росіянин", "Ethnicity:
    Hispanic"): a record of someone even without a name (issue 11 r13)?"""
    return ETHNIC.fullmatch(low, start, end) is not None and _ETHNIC_LABEL.search(low, max(0, start - 60), start) is not None


def _genetics_problem(low: str, start: int, end: int) -> bool:
    """Is the blood group at ``low[start:end]`` part of a school genetics problem (see :data:`_GENETICS`)?"""
    word = low[start:end]
    if not (word.startswith(_BLOOD_START) or "(" in word or word.endswith(("positive", "negative", "позитивна",
                                                                            "негативна", "позитивний", "негативний"))):
        return False
    return _GENETICS.search(low, max(0, start - 150), min(len(low), end + 150)) is not None


# the health terms' trigger literals (labs.router.triggers): where a term can start
_TERMS_AT, _MED_DOC_AT = Literals(TERMS), Literals(_MED_DOC)


def personal_health_spans(text: str, *, any_identifier: bool = False, low: str | None = None) -> list[tuple[int, int]]:
    """Spans of health terms that are about a person (see the module docstring).

    ``any_identifier``: the prompt already holds an identifier, so every health term is personal.
    ``low``: ``lower(text)`` if the caller has it already.
    """
    low = lower(text) if low is None else low
    trig = triggers(low)  # one pass finds every stem's place: the word lists are matched only there
    terms = [m.span() for m in trig.finditer(TERMS, _TERMS_AT) if not _not_a_diagnosis(low, m.start(), m.end())
             and not _out_of_context(text, low, m.start(), m.end())]
    if trig.contains(_MED_DOC_AT):
        # "My brother's certificate says F20.0", "Коваль Т.І. Z21 (ВІЛ-статус)"
        terms = sorted(set(terms) | {m.span() for m in _BARE_ICD.finditer(low)
                                     if _MED_DOC.search(low, max(0, m.start() - 60), min(len(low), m.end() + 60))})
    if not terms or any_identifier:
        return terms
    # (these lists are read only when a term was found: their short words, "he", "me", "я", would cost every prompt's
    # trigger pass more than the scans cost these few)
    cues = [m.span() for m in CUES.finditer(low) if not _generic_cue(low, m.start(), m.end())]
    before_ends = [m.end() for m in CUES_BEFORE.finditer(low)]
    near_ends = [m.end() for m in NEAR.finditer(low)]
    term_starts = [s for s, _ in terms]
    for m in NAME.finditer(text):
        span = (m.start(), _NAME_LEN.match(text, m.start()).end())
        k = bisect.bisect_left(term_starts, span[1])  # terms starting before the name ends
        overlaps = k > 0 and terms[k - 1][1] > span[0]
        if m.group(1).lower() not in NOT_NAMES and not overlaps:
            cues.append(span)
    weak: set[tuple[int, int]] = set()  # a known first name is a weak cue: "Taras … the talk about diabetes research"
    for m in first_names(text, low):  # a known first name in any case form: "Олені зробили …", "… Тарас кульгає"
        k = bisect.bisect_left(term_starts, m.end())
        if not (k > 0 and terms[k - 1][1] > m.start()) and not _addressee(text, low, m.start(), m.end()):
            cues.append(m.span())
            weak.add(m.span())
    for rx in (VOCATIVE, INITIALS):  # "Olena, how is your asthma?"; "Коваль О.В., Ds: J45.0"
        for m in rx.finditer(text):
            g = m.lastgroup or "name"
            word = m.group(g).split(" ")[0].lower()
            if rx is VOCATIVE and not _YOU_RX.search(_REQUEST.sub(" ", low[m.end() : m.end() + 160].split("\n")[0])):
                continue  # "Olena, can you summarise this paper on asthma?": a request, not a question about her
            if rx is INITIALS and _CITATION.search(low, max(0, m.start() - 200), min(len(low), m.end() + 250)):
                continue  # "Шевчук П.В. Депресія у дорослих: огляд // Укр. мед. часопис. 2002": an author, not a patient
            if word not in NOT_NAMES and word not in NOT_SUBJECTS and word not in NOT_VOCATIVES:
                cues.append(m.span(g))
    for m in SUBJECT_NAME.finditer(text):
        gi = next(i for i, g in enumerate(m.groups(), 1) if g)
        word, name_end = m.group(gi), m.end(gi)
        k = bisect.bisect_left(term_starts, name_end)
        overlaps = k > 0 and terms[k - 1][1] > m.start()  # "Metformin is …": the subject is a health word itself
        if m.group(2) and (not (k < len(terms) and terms[k][0] <= m.end() + 2)
                           or _technical_sentence(low, *terms[k])
                           or (prev := _WORD_BEFORE.search(low, max(0, m.start() - 20), m.start())) is not None
                           and prev.group(1) in NOT_NAMES):
            continue  # "Name: term" only: "The Ministry: diabetes statistics" is a heading, not a person
        if word.lower() not in NOT_NAMES and word.lower() not in NOT_SUBJECTS and not overlaps:
            cues.append((m.start(), name_end))  # the name only: "Олена вагітна" ends in the health word itself
    for m in PERSON_SUBJECT.finditer(text):
        g = m.lastgroup or "nom"
        word = m.group(g).lower()
        if word in NOT_NAMES or word in NOT_SUBJECTS or word in _NOT_PERSONS or TERMS.fullmatch(word) \
                or g == "nom" and _TOPIC_NOUN.search(word) and not first_names_match(word):
            continue
        if g in ("gen", "lat", "ru") and not ((k := bisect.bisect_left(term_starts, m.end(g))) < len(terms)
                               and terms[k][0] <= m.end(g) + 25):
            continue  # "У Гелі шизофренія": only with the health word right after
        cues.append(m.span(g))
    out = []
    cues.sort()
    cue_starts = [c for c, _ in cues]
    for start, end in terms:
        lo, hi = start - WINDOW, end + WINDOW
        # cues are short, so only those starting within the window (plus a cue's length) can touch it
        window = cues[bisect.bisect_left(cue_starts, lo - 40) : bisect.bisect_right(cue_starts, hi)]
        near_cues = [(s, e) for s, e in window if lo <= e and s <= hi and (e <= start or s >= end)]
        if _genetics_problem(low, start, end):  # roles in a school problem are nobody; a name or "у мене" still counts
            near_cues = [(s, e) for s, e in near_cues if not _ROLE_CUE.fullmatch(low, s, e) and (s, e) not in weak]
        elif _technical_sentence(low, start, end):
            near_cues = [(s, e) for s, e in near_cues if low[s:e] not in WEAK_CUES and (s, e) not in weak]
        elif _ends_within(before_ends, lo, start):
            near_cues.append((start, start))
        if near_cues or _ends_within(near_ends, start - NEAR_WINDOW, start) or _record(low, start, end) \
                or _ethnic_record(low, start, end):
            out.append((start, end))
    if out and (_STUDY_FRAME.search(low) or _CREATIVE_FRAME.search(low) or _WEAK_FRAME.search(low)
                or _HISTORIC.search(low)):
        # health data stays personal whatever the frame ("Write an essay about Olena Koval, who has HIV" is someone's
        # diagnosis; a famous writer's illness in an essay is a false alarm the router accepts: it fails closed)
        out = [(s, e) for s, e in out if not is_special(low, s, e) or not _public_figure_or_character(text, low, s, e)]
    if out and "?" in low:
        out = [(s, e) for s, e in out if not (is_special(low, s, e) and _denied_question(low, e))]
    return out


# a question about a person's special category answered "no" at once ("Тарас сидів у тюрмі? Ні, це сюжет фільму",
# "Mike is a union rep? No — Mike is the Union Pacific dispatcher": issue 11 r9 "topics"); health data stays personal
_DENIAL = re.compile(r"\?\s*(?:no|nope|ні|нi|не)(?![\w'’ʼ])[\s,.—–\-!:]")


def _denied_question(low: str, end: int) -> bool:
    """Does the sentence of a term ending at ``end`` end in a question that the next word denies?"""
    q = low.find("?", end)
    if q < 0 or any(ch in ".!\n" for ch in low[end:q]):
        return False
    return _DENIAL.match(low, q) is not None


# Public figures and characters (issue 11 r14). A well-known person's or a fictional character's fact ("Harvey Milk was
# gay", "Shylock is Jewish", "Василь Стус був засуджений за «антирадянську агітацію»", "Героїня — мусульманка, що
# носить хіджаб") is public record or invention, not a private person's data; no list of public figures is complete, and
# a full name alone does not tell them apart from a private person ("Olena Koval is ethnically Hungarian" is someone's
# data). The rule reads the frame instead:
# - a study or fiction frame anywhere in the prompt (an essay, a biography, a history or literature class, a thesis, a
#   quiz, a novel, a play, a chapter, a character, a protagonist, a poem; есе, реферат, урок історії, роман, персонаж,
#   героїня, творчість), or a historical date in it (a year up to 1960 that is no birth year, the USSR): a name, a
#   surname or a third-person pronoun is then the figure's or the character's;
#   A quiz ("true or false", "вікторина", "так чи ні") asks about known facts, and counts as such a frame;
# - a weak frame ("is it true that", "чи правда, що") or a request to write a story or a poem: the same, except that a
#   first name alone (no capitalised word before or after it) still marks someone the writer knows ("Is it true that
#   Taras is gay?" is gossip, "Taras is gay. Write a short story about his coming out" may be a friend's); so in the study
#   frame too ("Taras is gay. Write an essay on tolerance" stays local; a figure known by one name, "Роксолана", is a
#   false alarm the router accepts);
# - health data is never dropped by the frame: a full name cannot tell a famous writer's illness from a private person's
#   ("Write an essay about Olena Koval, who has HIV"), so the router fails closed on both;
# - in either frame, a private cue in the term's own sentence still makes the fact personal: the writer ("I'm", "у
#   мене"; not "I'm writing an essay"), a relative, a friend, a neighbour, a colleague, a tenant, a boss, a client or a
#   patient ("My grandfather was imprisoned in 1950" stays local), a greeting (a birthday card is for the living), or
#   a first name that a poem or a story is written for ("Write a poem for Taras, who is gay").
_STUDY_FRAME = re.compile(
    r"(?<!\w)(?:essays?|biograph\w*|biopic|obituary|history (?:class|lesson|essay|exam|homework|test|course|paper)|"
    r"historical|literature|literary|thesis|dissertation|novels?|novelist|(?:the|a|this|in) play|chapters?|characters?|"
    r"protagonist|antagonist|heroine|hero of|main hero|plot|symboli[sz]\w*|fiction|fictional|encyclopa?edia|wikipedia|"
    r"quiz|trivia|true or false|вікторин\w*|так чи ні|"
    r"есе|твір|твору|творі|реферат\w*|урок\w* історії|з історії|історичн\w*|роман\w*|повіст\w*|п['’]єс\w*|"
    r"персонаж\w*|героїн(?:я|ю|ею|ь|ям|ями|ях)|головн\w* геро\w*|геро(?:й|я|єві|єм) (?:твору|роману|повісті|п['’]єси)|"
    r"творчіст\w*|біографі\w*|літератур\w*|сюжет\w*)(?!\w)")
# writing a story or a poem may be about a friend ("Taras is gay. Write a short story about his coming out"): a first
# name alone there stays personal, as in a weak frame
_CREATIVE_FRAME = re.compile(r"(?<!\w)(?:short story|write a story|a story where|poems?|poet|screenplay|npc|d&d|scene|"
                             r"оповіданн\w*|поем\w*|вірш\w*|монолог\w*|сценарі\w*|казк\w*)(?!\w)")
_WEAK_FRAME = re.compile(r"(?<!\w)(?:is it true that|was it true that|чи правда|чи це правда)(?!\w)")
_HISTORIC = re.compile(r"(?<![\d.\-/:])(?:1[0-8]\d\d|19[0-5]\d|1960)(?![\d\-/:]|\.\d)(?<!born \d{4})(?<!born in \d{4})"
                       r"(?<!народився \d{4})(?<!народилася \d{4})(?<!народилась \d{4})(?<!народився у \d{4})"
                       r"(?<!народилася у \d{4})(?<!народився в \d{4})(?<!народилася в \d{4})(?<!р\.н\. \d{4})"
                       r"|(?<!\w)(?:урср|срср|ссср|радянськ\w*|антирадянськ\w*|ussr|soviet\w*|nazi\w*|нацист\w*|"
                       r"gulag|гулаг\w*)(?!\w)")
_PRIVATE_CUE = re.compile(
    r"(?<!\w)(?:i'm|i’m|i've|i’ve|i am|i|me|myself|we|us|я|мене|мені|мною|ми|нас|нам|"
    r"mother|mom|mum|father|dad|parents?|sons?|daughters?|wife|husband|brothers?|sisters?|grand\w+|aunt|uncle|cousin|"
    r"nephew|niece|[\w]+-in-law|in-laws|step\w+|god(?:father|mother|son|daughter|parents?)|boyfriend|girlfriend|"
    r"partner|fianc\w*|spouse|friends?|neighbou?rs?|colleagues?|co-?workers?|classmates?|roommates?|flatmates?|"
    r"housemates?|tenants?|landlord|landlady|boss|supervisor|manager|employees?|clients?|customers?|patients?|"
    r"мам\w*|мати|матер\w*|тат\w*|батьк(?!івщин)\w*|син|сина|синові|сину|сином|синочк\w*|доньк\w*|донечк\w*|"
    r"дочк\w*|дочц\w*|дружин\w*|чоловік(?:а|ові|у|ом)?|брат(?:а|ові|у|ом|и|ик\w*)?|сестр\w*|бабус\w*|бабц\w*|"
    r"дідус\w*|дід|діда|дідові|онук\w*|онучк\w*|тітк\w*|тітон\w*|дядьк\w*|двоюрідн\w*|племінни\w*|тещ\w*|"
    r"свекр\w*|зят\w*|невістк\w*|вітчим\w*|мачух\w*|кум(?:а|ові|ом|і|ою)?|хлопц\w*|хлопець|дівчин\w*|"
    r"партнер\w*|наречен\w*|друг|друга|другові|другом|подруг\w*|сусід\w*|колег\w*|однокласни\w*|одногрупни\w*|"
    r"орендар\w*|начальни\w*|керівни(?:к|ця|ка|ці|цю|цею|кові|ком)|шеф\w*|співробітни\w*|працівни\w*|клієнт\w*|"
    r"пацієнт\w*|birthday|anniversary|congratulat\w*|день народження|дня народження|привіта\w*|вітанн\w*|листівк\w*|"
    r"тост\w*)(?!\w)")
# the writer at work on the essay is no subject of its fact ("I'm writing an essay: Lincoln was a Republican")
_WRITER_AT_WORK = re.compile(r"\s+(?:am |was |have |need |want |must |'m |’m )?(?:writing|preparing|doing|working|studying|"
                             r"reading|need|want|have to|must|пишу|готую|роблю|читаю|вивчаю|потрібно|треба|маю написати)"
                             r"(?!\w)")
_SENTENCE_END = re.compile(r"[.!?\n]")
_WORD_END_BEFORE = re.compile(r"(\w+) $")


_DEDICATION = re.compile(r"(?<!\w)(?:for|to|для|присвяч\w*)\s+(?:my |our |dear |мо\w+ |нашо\w+ |дорого\w+ )?$")


def _capitalised_word_after(text: str, pos: int) -> bool:
    """Does a capitalised word follow ``pos`` (a first name in a full name's first place: "Harvey Milk")?"""
    nxt = text[pos : pos + 2]
    return len(nxt) == 2 and nxt[0] == " " and nxt[1].isupper()


def _capitalised_word_before(text: str, pos: int) -> bool:
    """Is the word right before ``pos`` capitalised (a first name in a full name's second place: "Muhammad Ali")?"""
    m = _WORD_END_BEFORE.search(text, max(0, pos - 30), pos)
    return m is not None and m.group(1)[0].isupper() and m.group(1).lower() not in NOT_NAMES


def _public_figure_or_character(text: str, low: str, start: int, end: int) -> bool:
    """Is the term at ``low[start:end]`` said of a public figure or a character (see the rule above)? A first name
    alone after "for"/"для" is the person a poem or a story is written for ("Write a poem for Taras, who is gay")."""
    lo = max(low.rfind(c, 0, start) for c in ".!?\n") + 1
    m_end = _SENTENCE_END.search(low, end)
    hi = m_end.start() if m_end else len(low)
    for m in _PRIVATE_CUE.finditer(low, lo, hi):
        if m.start() < end and m.end() > start:
            continue  # the term itself ("transgender man" holds no one)
        if m.group() in ("i", "i'm", "i’m", "i've", "i’ve", "i am", "я", "we", "ми") and _WRITER_AT_WORK.match(low, m.end()):
            continue
        return False
    for m in first_names(text, low, lo, hi):  # a poem or a story dedicated to a first name is for a real person
        if _DEDICATION.search(low, max(0, m.start() - 12), m.start()) and not _capitalised_word_after(text, m.end()):
            return False  # "Write a poem for Taras, who is gay", "Напиши вірш для Олени, вона лесбійка"
    # a first name alone in the sentence (no surname by it) is someone the writer knows, in a study frame too ("Taras is
    # gay. Write an essay on tolerance."): only a full name, a surname, a role or a pronoun reads as a figure there
    for m in first_names(text, low, lo, hi):
        prev = text[max(0, m.start() - 2) : m.start()]
        if not _capitalised_word_after(text, m.end()) \
                and not (len(prev) == 2 and prev[1] == " " and prev[0].isalpha() and _capitalised_word_before(text, m.start())):
            return False
    # "роман" is a novel, "Роман" a first name
    if any(not (low.startswith("роман", m.start()) and text[m.start()].isupper()) for m in _STUDY_FRAME.finditer(low)) \
            or _HISTORIC.search(low) is not None:  # a study frame or a date of history
        return True
    # a weak or a creative frame: a first name alone (no capitalised word by it) in the sentence is someone known
    for m in first_names(text, low, lo, hi):
        prev = text[max(0, m.start() - 2) : m.start()]
        if not _capitalised_word_after(text, m.end()) \
                and not (len(prev) == 2 and prev[1] == " " and prev[0].isalpha() and _capitalised_word_before(text, m.start())):
            return False
    return True


# capitalised words that start a sentence about a thing, not a person ("It has", "Python has", "Україна")
NOT_SUBJECTS = frozenset("it there here everyone everybody nobody someone python java linux windows google model "
                          "dataset data table server app code github ollama llama "
                          # headings before a colon ("Note: was diagnosed ... asthma" is a test of the cues)
                          "note notes summary question answer task topic example subject re fyi update warning error "
                          "result results context input output prompt title description symptoms treatment "
                          "background definition glossary keywords tags category step hint tip source sources "
                          "reference references ps faq q a status mode module label labels class "
                          # Ukrainian subjects that are things ("Модель має …", "Україна пережила …")
                          "ідея модель система програма компанія україна стаття книга таблиця дослідження країна "
                          "статистика тема мережа бібліотека сторінка команда відповідь "
                          # places and things after "для"/"від"/"до" ("Для України потрібні ліки від COVID")
                          "україни європи америки києва львова харкова одеси дніпра компанії системи моделі програми "
                          "лікарні клініки країни області міста школи армії".split())
_WORD_BEFORE = re.compile(r"(\w+)\s+$")
_FILE_EXT = re.compile(r"\.(?:py|csv|json|txt|md|ipynb|js|ts|html|pkl|xlsx?|db|sql|zip|parquet|yaml|yml)(?!\w)")


def _ends_within(ends: list[int], lo: int, hi: int) -> bool:
    """Does some cue end in ``[lo, hi]``? (``ends`` is sorted: finditer order.)"""
    i = bisect.bisect_left(ends, lo)
    return i < len(ends) and ends[i] <= hi


# A vote is political opinion only for a party, a candidate or a politician ("Тарас голосував за Зеленського", "votes for
# the Greens"), not for Postgres, tabs or a stand-up's time; a vote of a parliament, a council or the voters is news
# (issue 11 r10 B1). Stems in lower case; the object starts within a few words after "за"/"for".
_POLITICAL_OBJECT = re.compile(
    r"[\s\"«'“]{0,3}(?:(?:the|a|an|our|their|his|her|my|нашу|нашого|свою|свого|цю|цього|ту|того|нову|нового|"
    r"(?:(?:во|пп)\s)?[«\"“])[\s«\"“]{0,2}){0,2}"
    r"(?:парті\w*|кандидат\w*|президент\w*|депутат\w*|політик\w*|опозиці\w*|мера(?!\w)|слуг\w* народу|"
    r"(?:європейськ\w* )?солідарн\w*|євросолідарн\w*|батьківщин\w*|свобод\w*(?<=[«\"“]свобод\w)|опзж|удар(?!\w)|"
    r"голос(?<=[«\"“]голос)(?:у|ом)?|"
    r"самопоміч\w*|партію регіонів|демократ\w*|республікан\w*|комуніст\w*|соціаліст\w*|зелених|лейборист\w*|"
    r"консерватор\w*|лібера\w*|радикал\w*|зеленськ\w*|порошенк\w*|тимошенк\w*|ющенк\w*|янукович\w*|кличк\w*|"
    r"медведчук\w*|трамп\w*|байден\w*|обам\w*|путін\w*|"
    r"party|parties|candidate\w*|president\w*|senator\w*|congress(?:wo)?man|mp(?!\w)|mayor|democrat\w*|republican\w*|"
    r"labou?r(?!\w)|conservative\w*|tor(?:y|ies)|greens?(?! (?:light|button|tea|field))|liberal\w*|libertarian\w*|"
    r"communist\w*|socialist\w*|opposition|incumbent|servant of the people|european solidarity|batkivshchyna|"
    r"trump|biden|harris|obama|clinton|sanders|zelensk\w*|poroshenko|tymoshenko|yushchenko|yanukovych|putin|starmer|"
    r"sunak|macron|le pen|farage|corbyn|reform uk|ukip|snp|gop|lib dems|liberal democrats|plaid cymru|sinn f[eé]in)(?!\w)")
_VOTE_TERMS = ("голосу", "проголосу", "vot")
# a body that votes (a parliament, a council, the voters): news, not a person's opinion
_VOTING_BODY = re.compile(r"(?<!\w)(?:рад[аи]|парламент\w*|депутати|сенат\w*|конгрес\w*|європарламент\w*|комітет\w*|"
                          r"акціонер\w*|громад[аи]|виборц\w*|виборці|більшість|parliament\w*|rada|senate|congress|"
                          r"council|lawmakers|voters|committee|shareholders|majority|most|"
                          # a politician or a party acting is news (issue 11 r13): "Фракція «Слуга народу» підтримала …"
                          r"фракці\w*|міністр\w*|уряд\w*|спікер\w*|прем['’]єр\w*|партія|ministers?|government|faction|"
                          r"senators?|governors?|mps|the party)(?!\w)[^.!?\n]{0,30}$")
# Well-known politicians, past and present: their party is public (a history essay, a biography), not a private
# person's opinion ("Михайло Грушевський — член Української партії…", "Lincoln was a member of the Republican Party")
_PUBLIC_FIGURE = re.compile(r"(?<!\w)(?:lincoln|roosevelt|churchill|keir starmer|joe biden|donald trump|barack obama|"
                            r"volodymyr zelensk\w*|petro poroshenko|yulia tymoshenko|viktor yushchenko|"
                            r"грушевськ\w*|іван\w* франк\w*|петр\w* порошенк\w*|юлі\w* тимошенко|володимир\w* зеленськ\w*|"
                            r"віктор\w* ющенк\w*|віктор\w* янукович\w*|симон\w* петлюр\w*|винниченк\w*)(?!\w)[^.!?\n]{0,60}$")
# "the party planning committee": "party" before a noun is a celebration
_PARTY_NOUN_AFTER = re.compile(r"\s+(?!(?:of|since|for|and|or|in|until|from|who|which|that|when|but|at|as|to)(?!\w))[a-z]")
# a blood group by its number alone needs blood nearby ("Мама — донор, в неї 4 група."; "у неї 3 група" of a school
# or a kindergarten is no blood: issue 11 r10 B3)
_BLOOD_NEAR = re.compile(r"кров|донор|резус|rh|переливан|гематолог|аналіз|blood|donor")


def _not_a_special_opinion(low: str, start: int, end: int) -> bool:
    """A vote on a thing or by a body, a party's membership of a public figure or of a celebration (see above)."""
    if low.startswith(_VOTE_TERMS, start) and not low.startswith("voter", start):
        return (_POLITICAL_OBJECT.match(low, end) is None
                or _VOTING_BODY.search(low, max(0, start - 60), start) is not None)
    if low.startswith(("член", "member", "party"), start) and ("парті" in low[start:end] or "party" in low[start:end]):
        if low.startswith("member of the", start) and low.endswith("party", start, end) \
                and _PARTY_NOUN_AFTER.match(low, end):
            return True
        return _PUBLIC_FIGURE.search(low, max(0, start - 100), start) is not None
    if low[start] in "1234" and low.startswith(" група", start + 1):
        return (_BLOOD_NEAR.search(low, max(0, start - 80), min(len(low), end + 40)) is None
                and _ADULT_HAS.search(low, max(0, start - 30), start) is None)
    return False


# issue 11 r13 (r10 A3): the terms kept only in a predicate's frame (see ETHNONYMS_UK)
ETHNIC = word_regex(ETHNONYMS_EN + ETHNONYMS_UK)
_PARTY_VERB = word_regex(PARTY_TERMS_EN + PARTY_TERMS_UK + [r"party (?:activist|supporter|voter|donor)"])
_BLOOD_BY_WORD = re.compile(r"group [1-4]|type [abo0]|(?:перша|друга|третя|четверта) група")
# a noun a party's name stands before ("a Labour voter", "прихильник", "член"): the name may come first
_PARTY_NOUNS = ("voter", "supporter", "activist", "party ", "прихильни", "член", "активіст", "симпатик", "вибор")
# an adult relative who has the group ("У тата друга група", "My dad is type O"); a child's group is a kindergarten's
_ADULT_HAS = re.compile(r"(?<!\w)(?:[ув] (?:тата|батька|мами|матері|бабусі|баби|дідуся|діда|дружини|чоловіка|тещі|тестя|"
                        r"свекра|свекрухи|дядька|тітки)|(?:mom|mum|dad|mother|father|wife|husband|grandma|grandpa|"
                        r"grandmother|grandfather|uncle|aunt)(?:['’]s| is| was))\s+$")
# who else may be the subject of "is Polish", "— вірменин": a person's role (the cue list names the rest)
_ROLES = frozenset("owner manager founder author landlord landlady tenant candidate applicant employee boss neighbour "
                   "neighbor classmate roommate flatmate girlfriend boyfriend fiance fiancee spouse власник власниця "
                   "орендар орендарка кандидат кандидатка заявник заявниця однокласник однокласниця сусід сусідка".split())
_ETHNIC_STRONG = ("національністю", "походженням", "ethnically", "етнічн", "наполовину", "half", "чистокровн")


def _subject_is_person(text: str, low: str, subj_start: int, subj: str, capitalised_ok: bool) -> bool:
    """Is the word ``subj`` (at ``subj_start``) a person: a pronoun, a role or relative, a known first name, or (when
    ``capitalised_ok``) a capitalised word inside a sentence, such as a surname after a first name ("Олена Коваль —
    вірменка"; "Автор роману — поляк" opens a sentence and names nobody)?"""
    if subj in _PERSON_NOUNS or subj in _ROLES or CUES.fullmatch(subj) or first_names_match(subj):
        return True
    before = low[max(0, subj_start - 3) : subj_start].rstrip(" \t")  # a capital after a full stop is a sentence's
    return (capitalised_ok and text[subj_start].isupper() and subj not in NOT_NAMES and subj not in NOT_SUBJECTS
            and before != "" and not before.endswith((".", "!", "?", "\n", ":", "…")))


def _out_of_context(text: str, low: str, start: int, end: int) -> bool:
    """Is the ethnonym, party verb or blood-group word at ``low[start:end]`` outside the frame that says it of a person
    (see ETHNONYMS_UK)? Other terms: False."""
    if ETHNIC.fullmatch(low, start, end):
        if _ETHNIC_LABEL.search(low, max(0, start - 60), start) or _ETHNIC_AFTER.match(low, end) \
                or _ETHNIC_STRONG_BEFORE.search(low, max(0, start - 40), start):
            return False  # "Національність: росіянин", "of Polish descent", "вірменка за походженням"
        if "a" <= low[start] <= "z" and _ETHNIC_NEXT_EN.match(low, end) is None:
            return True  # "a Polish language model", "black box", "is Chinese food"
        m = _ETHNIC_BEFORE.search(low, max(0, start - 80), start)
        if m is None:
            return True
        if any(w in low[m.end("link"):start] for w in _ETHNIC_STRONG):
            return False  # "Петро за національністю вірменин", "ethnically Armenian"
        bare = not m.group("link").strip() and "'" not in m.group("link") and "’" not in m.group("link")
        if bare and "a" <= low[start] <= "z":
            return True  # English needs its verb: "Maria Polish" is no sentence
        subj, subj_start = m.group("subj"), m.start("subj")
        if subj == "who" and (a := _ANTECEDENT.search(low, max(0, subj_start - 40), subj_start)) is not None:
            subj, subj_start = a.group("w"), a.start("w")  # "Our tenant Emma, who is Native American, …" (r14)
        if bare and _ETHNIC_HOMONYM.fullmatch(low, start, end) and (_POSSESSIVE_WORD.fullmatch(subj) is not None
                                                                     or subj.endswith(_NOT_NOMINATIVE)
                                                                     or not _subject_is_person(text, low, subj_start, subj,
                                                                                               capitalised_ok=False)):
            return True  # "Моя болгарка — Makita", "У мене турка на 300 мл": a grinder, a coffee pot (r14)
        # without a dash or a verb ("Петро вірменин", "Вона полька") only a pronoun or a known first name
        return not _subject_is_person(text, low, subj_start, subj, capitalised_ok=not bare)
    if _PARTY_VERB.fullmatch(low, start, end):
        m = _PARTY_OBJECT.match(low, end)
        named = m is not None and (m.group("adj") is None or m.group("noun") is not None
                                   or text[m.start("adj")].isupper() and _CAPITAL_PARTY_END.match(low, m.end()) is not None)
        if not named and low.startswith(_PARTY_NOUNS, start):
            named = _PARTY_BEFORE.search(low, max(0, start - 40), start - (0 if low.startswith("party ", start) else 0)) \
                is not None or low.startswith("party ", start) and _PARTY_BEFORE.search(low, max(0, start - 40), start)
        if not named:
            return True
        return (_VOTING_BODY.search(low, max(0, start - 60), start) is not None
                or _PUBLIC_FIGURE.search(low, max(0, start - 100), start) is not None)
    if _BLOOD_BY_WORD.match(low, start):
        return (_BLOOD_NEAR.search(low, max(0, start - 80), min(len(low), end + 40)) is None
                and _ADULT_HAS.search(low, max(0, start - 30), start) is None)
    return _ambiguous_out_of_context(low, start, end)


# issue 11 r14: the frames of round 11's ambiguous terms (see :func:`_ambiguous_out_of_context`)
# Ukrainian ethnonyms that are also things: "болгарка" (an angle grinder), "турка" (a coffee pot), "угорка" (a plum),
# "полька" (a dance), "чешки" (ballet shoes), "в'єтнамки" (flip-flops), "іспанка" (the 1918 flu), "татарка" (buckwheat),
# "Молдаванка" (a district): said of a person only after a dash or a verb, or right after a pronoun or a first name
_ETHNIC_HOMONYM = re.compile(r"(?:болгарк|угорк|угорц|польк|чешк|в['’ʼ]єтнамк|іспанк|татарк|молдаванк)\w*|турка")
# "моя", "мене", "бабусина", "мамина": whose the thing is, not who the person is
_POSSESSIVE_WORD = re.compile(r"(?:мій|моя|моє|мої|мою|моєї|мого|наш|наша|наше|наші|нашу|твій|твоя|твоє|твої|твою|ваш|ваша|"
                              r"ваше|ваші|вашу|його|її|їхн\w*|свій|своя|своє|свої|свою|мене|мені|тебе|нього|неї|них|"
                              r"(?:мамин|татов|татусев|бабусин|бабцин|дідов|дідусев|дідусів|сестрин|братов|доньчин|дочкин|"
                              r"синов|чоловіков|дружинин|сусідчин|сусідов)\w*)")
# a dative or an instrumental holds, it is not ("Купила доньці чешки"): only a nominative subject is the person
_NOT_NOMINATIVE = ("ці", "ові", "еві", "єві", "ою", "ею", "єю", "ом", "ем", "єм", "ам", "ям", "ам")
_ANTECEDENT = re.compile(r"(?P<w>[\w'’\-]+),\s*$")
_BLOOD_SHORT = re.compile(r"(?:ab|a|b|o|0)(?:[+\-−](?:neg|pos)?|-?(?:neg|pos))|ab")
_BE_BEFORE = re.compile(r"(?:(?<!\w)(?:is|am|was|are|were)|['’](?:m|s|re))\s+$")
_BLOOD_OR_DONATION = re.compile(r"кров|донор|резус|rh|переливан|плазм|blood|donor|donat|plasma|transfus")
# "on probation" at a new job is a trial period, not a sentence
_WORK = re.compile(r"(?<!\w)(?:work|job|employer|employ\w*|new hire|hired|hiring|company|firm|contract|trial|hr|onboarding|"
                   r"staff|intern\w*|position|role|team|manager|boss|office|роботі|роботу|випробувальн\w*|стажуван\w*)(?!\w)")
# a visit to a church for a concert, a tour or a drawing is no practice of a faith ("ходить до мечеті на концерт")
_VISIT_TERMS = ("ход", "відвіду", "go", "went", "attend")
_CULTURAL_VISIT = re.compile(
    r"[^.!?\n]{0,50}?(?<!\w)(?:на (?:[\w'’]+ ){0,2}(?:концерт|екскурсі|виставк|фестивал|зйомк|фотосесі|репетиці|реставраці|"
    r"лекці|вінчанн|весілл|хрестин|похорон)\w*|щоб (?:[\w'’]+ )?(?:сфотограф|фотограф|помилуват|подивит|побачит|малюва|"
    r"намалюва|реставрува|послухат|зняти)\w*|як (?:гід|музей|турист|екскурсовод|фотограф|художни|реставратор|архітектор)\w*|"
    r"(?:з|із) (?:екскурсі\w*|туристами|групою туристів|гідом)|concerts?|tours?|recitals?|exhibitions?|"
    r"реставрува\w*|малюва\w*|фотографува\w*|сфотографува\w*|for (?:a |the |an )?(?:[\w'’]+ )?(?:concerts?|tours?|"
    r"recitals?|exhibitions?|photos?|photographs?|weddings?|funerals?)|as a (?:tourist|guide|photographer)|to (?:photograph|"
    r"sketch|restore|see the|listen to))")


def _ambiguous_out_of_context(low: str, start: int, end: int) -> bool:
    """Is the term at ``low[start:end]`` one of round 11's ambiguous terms in its harmless sense: a short blood group
    without a verb before it or blood nearby ("Her grade is B-"), a work probation, a campaign HQ that names no party,
    a church visited for a concert or a tour (issue 11 r14)?"""
    c = low[start]
    if c in "ab0o" and _BLOOD_SHORT.fullmatch(low, start, end):
        return (_BE_BEFORE.search(low, max(0, start - 8), start) is None
                or _BLOOD_OR_DONATION.search(low, max(0, start - 80), min(len(low), end + 60)) is None)
    if low.startswith("on ", start) and "probation" in low[start:end]:
        return _WORK.search(low, max(0, start - 60), min(len(low), end + 60)) is not None
    if low.startswith("волонтер", start):  # "волонтерка штабу «Голос»": a campaign; "штабу бригади": the army
        return not ("виборч" in low[start:end] or _PARTY_OBJECT.match(low, end)
                    or re.match(r"\s*[«\"“]?голос(?:у|ом)?(?!\w)", low[end:]))
    if low.startswith(_VISIT_TERMS, start):
        return _CULTURAL_VISIT.match(low, end) is not None
    return False


def _not_a_diagnosis(low: str, start: int, end: int) -> bool:
    """A health word that names something else: "asthma-app", "diabetes_model.py", "allergic to meetings"."""
    if low[start] in "1234члmpvгп" and _not_a_special_opinion(low, start, end):
        return True  # issue 11 r10 B1, B3
    nxt = low[end : end + 2]
    if len(nxt) == 2 and nxt[0] in "-_/" and nxt[1].isalnum() and not low.startswith(
            ("-поз", "-pos", "-neg", "-нег", "-19", "-2", "-інфекц", "-infect", "-асоці", "-associat", "-інфік", "-стат",
             "-status"), end):
        return True  # "asthma-app", "diabetes_model"
    if _FILE_EXT.match(low, end):
        return True  # "diabetes.csv"
    if low.startswith(_PLACES, start):  # "Ольга у лікарні працює медсестрою": a workplace, not a stay
        return WORKPLACE.search(low, max(0, start - 30), min(len(low), end + 30)) is not None
    if low.startswith(("на хім", "на хим"), start):  # "На хімії вчителька пояснила ...": a chemistry lesson
        return _SCHOOL.search(low, max(0, start - 80), min(len(low), end + 80)) is not None
    return low[start:end].startswith(("allerg", "алергі")) and bool(NOT_ALLERGENS.match(low, end))


_PLACES = ("у лікарн", "в лікарн", "у госпітал", "в госпітал", "у шпитал", "в шпитал", "in hospital", "in the hospital")
WORKPLACE = re.compile(r"(?<!\w)(?:працю\w*|працюва\w*|робот\w*|медсест\w*|медбрат\w*|лікарем|лікаркою|санітар\w*|"
                       r"волонтер\w*|чергу\w*|стажу\w*|works?|worked|working|nurse|volunteers?|volunteering|interns?|"
                       r"job|shifts?|employed)(?!\w)")


def _technical_sentence(low: str, start: int, end: int) -> bool:
    lo = max(low.rfind(".", max(0, start - 150), start), low.rfind("\n", max(0, start - 150), start),
             low.rfind("?", max(0, start - 150), start), start - 150, 0)
    hi = min(x for x in (low.find(".", end, end + 150), low.find("\n", end, end + 150), end + 150) if x >= 0)
    return bool(TECH_OR_TOPIC.search(low, lo, hi))
