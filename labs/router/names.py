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

# endings of the Ukrainian cases, by the nominative's ending (the stem is the name less that ending)
_CASES = (
    ("ія", "і(?:я|ї|ю|єю|є)"),
    ("ля", "л(?:я|і|ю|ею|е)"),  # Наталя, Ілля (Іллі, Іллю, Іллею)
    ("я", "(?:я|і|ї|ю|ею|єю|е|є)"),
    ("га", "(?:га|ги|зі|гу|гою|го)"),  # Ольга → Ользі
    ("ка", "(?:ка|ки|ці|ку|кою|ко)"),
    ("а", "(?:а|и|і|у|ою|о|е)"),
    ("о", "(?:о|а|у|ові|ом|е|і)"),  # Петро, Михайло
    ("ій", "і(?:й|я|ю|єві|єм|ї|ї)"),  # Андрій
    ("ь", "(?:ь|я|еві|ю|ем|і)"),  # Василь
    ("", "(?:а|я|ові|еві|у|ю|ом|ем|е|і)?"),  # Тарас, Ігор
)


def _forms(name: str) -> str:
    for ending, cases in _CASES:
        if name.endswith(ending):
            return re.escape(name[: len(name) - len(ending)]) + cases
    raise AssertionError(name)  # the last row matches every name


@lru_cache(maxsize=1)
def _regexes() -> tuple[re.Pattern, frozenset[str]]:
    uk = [w.replace("a", "а") for w in _UK.split()]  # a Latin "a" typed by mistake above stays Cyrillic
    pats = [_forms(w) for w in uk + _UK_AMBIGUOUS] + [re.escape(w) for w in _EN.split() + _EN_AMBIGUOUS]
    # an English possessive ends the name ("Olena's"); an apostrophe inside a Ukrainian word does not ("Мар'яна")
    rx = re.compile(r"(?<![\w'’ʼ])(?:" + "|".join(sorted(pats, key=len, reverse=True)) + r")(?:(?=['’]s(?!\w))|(?![\w'’ʼ]))")
    ambiguous = frozenset(_EN_AMBIGUOUS + _UK_AMBIGUOUS)
    return rx, ambiguous


_AMBIGUOUS_STEMS: tuple[str, ...] = tuple(w[:-1] if len(w) > 4 else w for w in _UK_AMBIGUOUS) + tuple(_EN_AMBIGUOUS)


def first_names(text: str, low: str | None = None, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
    """Matches (on ``low``, the lower-cased ``text``: offsets into ``text``) of known first names in ``text[pos:endpos]``: Ukrainian in every
    case, English and transliterated; one that is also a common word ("Віра", "Mark") only when capitalised."""
    rx, _ = _regexes()
    low = lower(text) if low is None else low
    for m in rx.finditer(low, pos, len(low) if endpos is None else endpos):
        if m.group().startswith(_AMBIGUOUS_STEMS) and not text[m.start()].isupper():
            continue
        yield m


def is_first_name(word: str) -> bool:
    """Is ``word`` (any case) a known first name in one of its case forms?"""
    rx, _ = _regexes()
    return rx.fullmatch(lower(word)) is not None


_VOCATIVE_ENDINGS = ("о", "е", "є", "ю")


def is_vocative(word: str) -> bool:
    """Is ``word`` a Ukrainian first name in the vocative case, the form used only to speak to someone ("Олено",
    "Тарасе", "Андрію"), never a nominative ("Петро", "Марко")? Lesson 3: the one addressed is not the one described."""
    w = lower(word)
    return w.endswith(_VOCATIVE_ENDINGS) and is_first_name(w) and w not in _nominatives()


@lru_cache(maxsize=1)
def _nominatives() -> frozenset[str]:
    return frozenset(w.replace("a", "а") for w in _UK.split()) | frozenset(_UK_AMBIGUOUS)
