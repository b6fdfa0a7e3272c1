"""Common first names in Ukrainian (every case) and English/transliterated, found in any letter case (lesson 3).

A name alone is no personal data for the router, but it is the person a diagnosis is about ("Олені вчора зробили
хіміотерапію", "Після інсульту Тарас кульгає", "Olena, how is your asthma?"), and the audit log must not keep it next
to a phone or a diagnosis ("OLENA KOVAL, DOB [DOB]", "колега тарас має [HEALTH]"). A capitalised word is a weak sign
of a name (every sentence starts with one); a known first name is a strong one, in any case form and letter case.

Ukrainian names decline: each name is stored once in the nominative and its case forms come from its ending
(Олена → Олени, Олені, Олену, Оленою, Олено; Тарас → Тараса, Тарасові, Тарасе; Андрій → Андрія, Андрієві, Андрію).
Names that are also common words (Віра "faith", Роман "novel", Mark, Grace) count only when capitalised.

>>> text = "Олені зробили МРТ, а ТАРАСУ — ні; колега андрій теж. Bookmark it, mark it, Mark."
>>> [text[m.start() : m.end()] for m in first_names(text)]
['Олені', 'ТАРАСУ', 'андрій', 'Mark']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from labs.router.textscan import lower

_UK = """
олена ірина оксана наталія наталя тетяна світлана юлія анна ганна марія катерина ольга людмила галина вікторія
анастасія дарина софія іванна христина мирослава богдана олександра валентина лариса алла інна яна зоряна уляна
соломія ярослава марина роксолана емілія поліна діана аліна василина кіра злата ніна раїса зінаїда тамара лідія
єва маргарита вероніка олеся леся жанна неля таміла алісa орися мар'яна мар’яна маряна стефанія устина
тарас іван петро андрій богдан олег олександр сергій микола василь дмитро юрій володимир михайло віктор євген
ігор павло максим артем денис вадим віталій степан остап ярослав назар анатолій валерій григорій данило кирило
матвій тимофій олексій антон руслан костянтин леонід станіслав святослав мирослав орест зеновій любомир ілля
микита захар давид гліб владислав едуард аркадій геннадій борис всеволод юліан федір федора федору федорові федором
тимур ростислав вʼячеслав в'ячеслав вячеслав марʼяна
"""
# also common words: counted only when capitalised
_UK_AMBIGUOUS = "віра надія любов роман лука марко слава лілія марта семен зоряна".split()
_EN = """
olena taras iryna petro oksana andriy andrii natalia nataliia bohdan olha olga ivan serhii serhiy sergiy oleksandr
oleksii oleksiy dmytro mykola yurii yuriy volodymyr mykhailo viktor yevhen ihor pavlo maksym denys vasyl stepan ostap
yaroslav nazar tetiana tetyana svitlana yuliia yulia kateryna halyna liudmyla lyudmyla viktoriia anastasiia daryna
sofiia khrystyna inna uliana solomiia maryna roksolana ivanna hanna mariia oleh andrey alexander alexandra
john mary james robert michael william david richard joseph thomas charles daniel matthew anthony paul steven andrew
kevin brian george edward peter emma olivia sarah jessica jennifer linda elizabeth susan karen nancy lisa anna maria
laura emily sophie sophia kate anne helen alice patrick ronald eduard natasha olesya lesya
"""
_EN_AMBIGUOUS = "mark grace hope faith may june rose bill pat max jack frank will ray dawn".split()

# Everyday forms (issue 11 r7 A1: "Юра після інсульту …", "Каті зробили хіміотерапію", "Piotr started chemo"): the
# short and affectionate forms Ukrainians write about family and friends, and given names common among the
# course's learners' colleagues abroad. Each is declined like the full names above.
_UK_SHORT = """
оля олечка олюся олюня оленка лена лєна юра юрко юрчик юрась катя катруся сашко саша сашка сашуня
шура мишко михась михайлик даша дарка даринка вова володя вовчик лізонька ксюша ксеня ксенія
оксанка оксаночка іринка ірочка іра танюша тетянка світланка юля юлечка юлька аня аннушка ганнуся ганя
марійка маруся марічка настя настуся наталка наташа натуся надя надійка віка вікуся софійка галя галинка галочка
людочка людмилка ніна лара христя уля улянка мирося богданка ярина ярося ліля лілечка зіна зінка тамарка
петрик петрусь андрійко андрюша андрюха тарасик іванко івась ваня богдась данько данилко дмитрик діма дімка
сергійко сєрьожа сергійчик миколка колька василько вася олежко максимко тьома артемко денисько вадимко
віталік стьопа степанко остапчик ярик назарко толя толік валєра гриша грицько гриць кирилко кирюша матвійко
тимко тимоша льоша олекса олесь антошка русланчик костик льоня стас славко мирось любко ілько ілюша
микитка захарко владик едик аркаша боря федя федько ростик вітя вітьок женька олександрина
ахмед мухаммед мохаммед алі омар фатіма карлос ганс юкі пйотр пьотр
устим зореслав мілана мілена арсеній ярема северин нестор мирон богуслав добромир радомир любомира лукія есенія
таїсія адріана аріна амелія ангеліна аліса каріна кароліна меланія євгенія валерія ілона нонна
"""  # the last two lines: given names off the first list that round 10 tried (issue 11 r10 A1: "Устим Коваль …")
# also common words (or a form of one is: "Люда" → "люди", "Віка" → "віку"): capitalised only
_UK_SHORT_AMBIGUOUS = "люда віка влад макс соня люба мила ярка тома зоря вітя валя маша таня коля женя ліза міша митя костя гена".split()
_EN_SHORT = """
sasha sashko olya olia olenka lena yura yurko katya katia misha mishko dasha vova volodya liza zhenya ksyusha ksiusha
ksenia kseniya oksanka iryna tanya tania sveta yulia yulya anya ania masha mariyka marichka nastya nastia natasha
vika sonya galya halya lyuda nadya petryk ivanko vanya dima dimka kolya vasya oleg maks tyoma vitalik tolya grisha
kiril kirill lyosha alyosha kostya stas slavko dmitry dmitri sergey sergei alexei aleksei aleksandr nikolai vladimir
mikhail pavel bogdan artem denis yaroslav sergiy igor yevgeniy evgeny
piotr pawel paweł krzysztof tomasz marek agnieszka katarzyna magdalena malgorzata małgorzata zofia wojciech jakub
hans jurgen jürgen klaus stefan wolfgang helga ursula katrin lukas felix dieter gunter günter uwe sabine
ahmed ahmad mohammed mohamed muhammad mohammad ali omar fatima aisha hassan hussein ibrahim yusuf mustafa mehmet
ahmet emre ayse ayşe fatma karim khalid tariq leila layla
yuki hiroshi kenji takeshi akira haruto sakura yuto wei hiro
carlos jose josé juan luis miguel pedro javier diego pablo lucia lucía carmen elena giuseppe giovanni francesca
luca matteo marco alessandro
chris mike tom tim jim joe bob sam ben dan alex tony steve harry oliver jacob noah liam ethan lucas logan
chloe megan hannah amy lucy ella mia ava isabella charlotte amelia zoe jane rachel rebecca amanda ashley
michelle stephanie nicole melissa angela jessica kate katie jenny becky
neil giulia priya jean pierre jean-pierre marie francois françois nicolas antoine camille manon louis hugo jules arthur
raphael gabriel lea léa alessia chiara martina federico lorenzo riccardo valentina rahul amit anil sunil deepak rajesh
sanjay vikram arjun ananya aditi divya pooja neha shreya kavya ravi sunita anita meera sergio raul raúl fernando
alejandro antonio manuel francisco isabel joão tiago sven lars anders erik johan ingrid astrid björn nils karin
matvii matviy ustym zoreslav milana arsenii arseniy yarema severyn nestor myron
"""  # the last four lines: given names round 10 tried and their neighbours (issue 11 r10 A1: "Neil Smith, 12.03.1985")
_EN_SHORT_AMBIGUOUS = "nick kim jan carol gene rob bud sue sandy ed jun ruby lily mason julia heather ted maxim ira".split()

# endings of the Ukrainian cases, by the nominative's ending (the stem is the name less that ending)
_CASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ія", ("ія", "ії", "ію", "ією", "іє")),
    ("ля", ("ля", "лі", "лю", "лею", "ле")),  # Наталя, Ілля (Іллі, Іллю, Іллею)
    ("я", ("я", "і", "ї", "ю", "ею", "єю", "е", "є")),
    ("га", ("га", "ги", "зі", "гу", "гою", "го")),  # Ольга → Ользі
    ("ка", ("ка", "ки", "ці", "ку", "кою", "ко")),
    ("ша", ("ша", "ші", "шу", "шею", "шо", "ше")),  # Міша → Міші, Мішею
    ("жа", ("жа", "жі", "жу", "жею", "же")),
    ("а", ("а", "и", "і", "у", "ою", "о", "е")),
    ("о", ("о", "а", "у", "ові", "ом", "е", "і")),  # Петро, Михайло, Сашко
    ("ій", ("ій", "ія", "ію", "ієві", "ієм", "ії", "їй")),  # Андрій
    ("ь", ("ь", "я", "еві", "ю", "ем", "і")),  # Василь
    ("", ("", "а", "я", "ові", "еві", "у", "ю", "ом", "ем", "е", "і")),  # Тарас, Ігор
)
# case forms that are common words, never names: "Люди після інсульту …" (Люда), "тому" (Тома), "віку" (Віка)
_COMMON_FORMS = frozenset("люди люду тому тома віку віки віка мило милу любо любі зорі зорю владу влада влади владі "
                          "владою макси ярку ярко соні вітю тім".split())


def _forms(name: str) -> list[str]:
    for ending, cases in _CASES:
        if name.endswith(ending):
            stem = name[: len(name) - len(ending)]
            return [stem + c for c in cases]
    raise AssertionError(name)  # the last row matches every name


@lru_cache(maxsize=1)
def _table() -> tuple[frozenset[str], frozenset[str]]:
    """(every form of every name, the forms that count only when capitalised)."""
    def cyr(words: list[str]) -> list[str]:  # a Latin letter typed by mistake above stays Cyrillic
        return [w.translate(str.maketrans("aeioxcpu", "аеіохсру")) for w in words]
    uk, uk_amb = cyr(_UK.split() + _UK_SHORT.split()), cyr(_UK_AMBIGUOUS + _UK_SHORT_AMBIGUOUS)
    en, en_amb = _EN.split() + _EN_SHORT.split(), _EN_AMBIGUOUS + _EN_SHORT_AMBIGUOUS
    ambiguous = {f for w in uk_amb for f in _forms(w)} | set(en_amb)
    every = ({f for w in uk for f in _forms(w)} | set(en)) - _COMMON_FORMS
    return frozenset(every | ambiguous) - _COMMON_FORMS, frozenset(ambiguous - every)


# a word; an apostrophe inside it stays ("Мар'яна"), an English possessive ends it ("Olena's")
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ](?![sS](?![^\W\d_]))[^\W\d_]+)*")


def first_names(text: str, low: str | None = None, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
    """Matches (on ``low``, the lower-cased ``text``: offsets into ``text``) of known first names in ``text[pos:endpos]``: Ukrainian in every
    case, English and transliterated, full and everyday forms; one that is also a common word ("Віра", "Mark") only
    when capitalised. One set look-up per word: the list can grow without slowing the scan."""
    names, ambiguous = _table()
    low = lower(text) if low is None else low
    for m in _WORD.finditer(low, pos, len(low) if endpos is None else endpos):
        w = m.group()
        if w in names and (w not in ambiguous or text[m.start()].isupper()):
            yield m


def is_first_name(word: str) -> bool:
    """Is ``word`` (any case) a known first name in one of its case forms?"""
    return lower(word) in _table()[0]


def is_ambiguous_name(word: str) -> bool:
    """Is ``word`` (any case) a name that is also a common word ("Віра", "Mark", "June"): no person when alone?"""
    return lower(word) in _table()[1]


_VOCATIVE_ENDINGS = ("о", "е", "є", "ю")


def is_vocative(word: str) -> bool:
    """Is ``word`` a Ukrainian first name in the vocative case, the form used only to speak to someone ("Олено",
    "Тарасе", "Андрію"), never a nominative ("Петро", "Марко")? Lesson 3: the one addressed is not the one described."""
    w = lower(word)
    return w.endswith(_VOCATIVE_ENDINGS) and is_first_name(w) and w not in _nominatives()


@lru_cache(maxsize=1)
def _nominatives() -> frozenset[str]:
    return frozenset(w.replace("a", "а") for w in _UK.split() + _UK_SHORT.split()) | frozenset(_UK_AMBIGUOUS)
