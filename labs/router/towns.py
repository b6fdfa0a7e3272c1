"""Ukrainian towns, so that an address without a street word is still read as one (lesson 3; issue 11 r7 A4).

"Lutsk, Naukova 40", "Дніпро, Сумська 112-148", "Лесі Українки 5/12, Луцьк", "Ірпінь, Київська 3а": people write a
street with no "вул."/"vul." when the town stands next to it. The town anchors the address: a street name (one or two
capitalised words) and a house number right after the town, or right before it.

The list is hand-picked, not complete: the regional centres, the other large cities and a few towns people often name
(Irpin, Bucha, Boryspil), in Ukrainian, in the official transliteration (Cabinet of Ministers resolution No. 55 of
27 January 2010) and the older English spellings still common (Kiev, Odessa, Kharkov, Lvov). A town not on it needs its
"м."/"смт"/"с." (found by :mod:`labs.router.pii`).
"""

from __future__ import annotations

import re
from functools import cache

from labs.router.triggers import Literals, triggers

TOWNS_UK = (
    "Київ", "Харків", "Одеса", "Дніпро", "Донецьк", "Запоріжжя", "Львів", "Кривий Ріг", "Миколаїв", "Севастополь",
    "Маріуполь", "Луганськ", "Вінниця", "Макіївка", "Сімферополь", "Чернігів", "Херсон", "Полтава", "Хмельницький",
    "Черкаси", "Чернівці", "Житомир", "Суми", "Рівне", "Горлівка", "Івано-Франківськ", "Кам'янське", "Кропивницький",
    "Тернопіль", "Кременчук", "Луцьк", "Біла Церква", "Краматорськ", "Мелітополь", "Керч", "Ужгород", "Бровари",
    "Нікополь", "Слов'янськ", "Бердянськ", "Алчевськ", "Павлоград", "Євпаторія", "Лисичанськ", "Кам'янець-Подільський",
    "Бориспіль", "Ірпінь", "Буча", "Умань", "Мукачево", "Ковель", "Дрогобич", "Стрий", "Бердичів",
)
TOWNS_LATIN = (
    "Kyiv", "Kiev", "Kharkiv", "Kharkov", "Odesa", "Odessa", "Dnipro", "Donetsk", "Zaporizhzhia", "Lviv", "Lvov",
    "Kryvyi Rih", "Mykolaiv", "Sevastopol", "Mariupol", "Luhansk", "Vinnytsia", "Makiivka", "Simferopol", "Chernihiv",
    "Kherson", "Poltava", "Khmelnytskyi", "Cherkasy", "Chernivtsi", "Zhytomyr", "Sumy", "Rivne", "Horlivka",
    "Ivano-Frankivsk", "Kamianske", "Kropyvnytskyi", "Ternopil", "Kremenchuk", "Lutsk", "Bila Tserkva", "Kramatorsk",
    "Melitopol", "Kerch", "Uzhhorod", "Brovary", "Nikopol", "Sloviansk", "Berdiansk", "Alchevsk", "Pavlohrad",
    "Yevpatoriia", "Lysychansk", "Kamianets-Podilskyi", "Boryspil", "Irpin", "Bucha", "Uman", "Mukachevo", "Kovel",
    "Drohobych", "Stryi", "Berdychiv",
)

# a house number, not a quantity ("Шевченка 5 штук", "Sumska 10 pcs")
_HOUSE = (r"\d{1,4}(?:[\-/]?[а-яa-z](?![\w]))?(?:[\-/]\d{1,4})?(?![\w%]|[.,]\d)"
          r"(?!\s*(?i:шт|штук\w*|одиниц\w*|pcs|pieces|units|items|грн|uah|usd|eur|доларів|євро|км|km|хв|min|[$€₴]))"
          r"(?!:\d)")  # a score or a time ("Перемога 5:4", "Ужгород — Львів 60 … 7:40") is no house number (r9 B)
# names that stand after a town with a number and are no street: products and versions ("Kyiv, Llama 3", "Львів,
# Windows 11"), a document's parts ("Київ, Розділ 2")
_NOT_A_STREET = (r"(?!(?:Llama|Gemma|Mistral|Mixtral|Qwen|Phi|Falcon|Python|Windows|Ubuntu|Debian|Fedora|Node|Java|"
                 r"Ollama|iPhone|Galaxy|Pixel|Android|macOS|Chrome|Firefox|Postgres|PostgreSQL|MySQL|Redis|Kafka|Spark|"
                 r"Chapter|Lesson|Unit|Section|Part|Step|Level|Week|Module|Task|Question|Row|Table|Figure|Version|Day|"
                 r"Room|Gate|Terminal|Platform|Track|Stage|Round|Game|Season|Episode|Розділ|Глава|Пункт|Частина|Том|"
                 r"Етап|Крок|Рівень|Урок|Лекція|Модуль|Тиждень|Рік|Версія|Завдання|Питання|Таблиця|Рисунок|День|"
                 r"Кімната|Платформа|Сезон|Серія|Тур|Гра|Модель|Model|Ціна|Price|Квартал|Quarter|Ukraine|Україна|Oblast|Область|"
                 r"Toyota|Honda|Tesla|Nokia|Samsung|Xiaomi|Huawei|Lenovo|Mazda|Skoda|Kia|Mercedes|Victoria|Lyra|Olga|"
                 # brands written in Cyrillic, products, and a town's institutions and venues ("Луцьк, Тесла 3", "Kharkiv
                 # National University 5 years ago", "Kyiv Opera 5 team": issue 11 r9 B town classes)
                 r"Тойота|Тесла|Хонда|Шкода|Мазда|Кіа|Мерседес|Нокіа|Самсунг|Сяомі|Хуавей|Леново|Ауді|Фольксваген|Рено|"
                 r"Sony|Alpha|Canon|Nikon|Dell|Apple|Asus|Acer|Audi|Volkswagen|Renault|Peugeot|Ford|Nissan|Hyundai|Vicuna|"
                 r"National|University|Academy|Polytechnic|Institute|Arena|Opera|Stadium|Philharmonic|Gallery|Library|"
                 r"Theatre|Theater|Museum|Zoo|Metro|School|College|Lyceum|Hospital|Clinic|Airport|Team|"
                 # (the nouns only: "Академіка Корольова", "Університетська", "Інститутська", "Театральна" are streets)
                 r"Національний|Національного|Університет|Університету|Академія|Академії|Політехніка|Політехніки|"
                 r"Інститут|Інституту|Арена|Опера|Стадіон|Стадіону|Філармонія|Філармонії|Галерея|Галереї|Бібліотека|"
                 r"Бібліотеки|Театр|Театру|Музей|Музею|Зоопарк|Зоопарку|Метро|Школа|Школи|Коледж|Коледжу|Ліцей|Ліцею|"
                 r"Лікарня|Лікарні|Клініка|Клініки|Аеропорт|Аеропорту|Команда|Перемога|Поразка|Нічия|Рахунок|"
                 r"January|February|March|April|May|June|July|August|September|October|November|December|Січня|Лютого|"
                 r"Березня|Квітня|Травня|Червня|Липня|Серпня|Вересня|Жовтня|Листопада|Грудня)(?![\w'’ʼ]))")
# a street name as written without its street word: one or two capitalised words ("Сумська", "Лесі Українки",
# "Naukova", "Khreshchatyk")
# The name must end the way Ukrainian street names end, adjectives and genitives ("Сумська", "Наукова", "Франка",
# "Лесі Українки", "Героїв Майдану"; "Naukova", "Sumska", "Franka"), or be one of the few famous names that do not
# ("Хрещатик"): a dateline ("Kyiv, March 15"), a train ("Тернопіль, Інтерсіті 715"), a shop ("Ужгород, Епіцентр 5"),
# another town ("Київ — Львів 540 км") or an event ("Odesa Film Festival 2021") is no street (issue 11 r9 F1).
_UA_END = r"(?:[аяиуюї]|ого|ої|ій|ості)"
_LATIN_END = r"(?:a|y|oho|oi|ia|ii|u|osti)"
_FAMOUS = r"(?:Хрещатик|Khreshchatyk|Khreshchatik|Пасаж)"
_STREET = (rf"{_NOT_A_STREET}(?:{_FAMOUS}|(?:[А-ЯІЇЄҐ][\w'’ʼ\-]{{1,25}}\s)?[А-ЯІЇЄҐ][а-яіїєґ'’ʼ\-]{{1,25}}{_UA_END}"
           rf"|(?:[A-Z][a-z'’\-]{{1,25}}\s)?[A-Z][a-z'’\-]{{1,25}}{_LATIN_END})(?![\w'’ʼ\-])")

# a street type written after the name, abbreviated or not, any case ("Naukova ln. 55", "Shevchenka st 12", "… Ln 12",
# "Shevchenka vul. 55, Poltava", "Сумська вул. 12"): the town still anchors it (issue 11 r9 A2)
_TYPE = (r"(?:\s(?i:st|str|ln|lane|pl|place|sq|ave|av|avenue|rd|road|blvd|street|dr|vul|vulytsia|prov|provulok|prosp|"
         r"prospekt|bulv|ploshcha|ul|вул|вулиця|пров|провулок|просп|проспект|пл|площа|бульв|бульвар|б-р|пр-т)\.?(?![\w'’ʼ\-]))?")


_TOWN_NAMES = "|".join(re.escape(t).replace("'", "['’ʼ]") for t in sorted((*TOWNS_UK, *TOWNS_LATIN), key=len, reverse=True))
# no lookbehind before the towns: it would stop the engine from skipping to their first letters (10x slower)
_TOWN = re.compile(rf"(?:{_TOWN_NAMES})(?![\w])")
# where a town's name can start (labs.router.triggers: the prompt's one automaton pass finds them; a scan of the ~110
# names tries every position, ~45 us on 2 KB)
_TOWN_AT = Literals(_TOWN, cased=True)
_DIGIT = re.compile(r"\d")


# every street name starts with a capital (each branch of _STREET, _FAMOUS's names too): tested first, it spares the ~110
# towns and ~80 names of the lookaheads after it at a place that holds none ("Kyiv, 2024": ~10 -> 0.5 us a town)
_CAPITAL = "(?=[А-ЯІЇЄҐA-Z])"


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """(town, street after a town, street before a town), built once."""
    town = _TOWN_NAMES
    no_town = rf"(?!(?:{town})(?![\w'’ʼ\-]))"  # another town is a route, not a street: "Харків — Одеса 18" (a train)
    return (_TOWN,
            re.compile(rf"(?:,\s*|\s+[—–\-]\s+|\s+){_CAPITAL}{no_town}{_STREET}{_TYPE}(?:,\s*|\s+){_HOUSE}"),  # "Київ,Хрещатик,22,5" too
            re.compile(rf"(?<![\w]){_CAPITAL}{no_town}{_STREET}{_TYPE},?\s+{_HOUSE},?\s+$"))


def find_town_streets(text: str, low: str | None = None) -> list[tuple[int, int]]:
    """Spans of addresses anchored by a town (see the module docstring) in ``text`` (original case): from the street
    to the town, or from the town to the house number. ``low``: the lower-cased ``text``, if the caller has it (the towns
    are then looked for only where the prompt's trigger pass saw one start)."""
    towns, after, before = _patterns()
    spans = []
    for m in (towns.finditer(text) if low is None else triggers(low).finditer(towns, _TOWN_AT, text=text)):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            continue  # inside a word
        if (a := after.match(text, m.end())) is not None:
            spans.append((m.start(), a.end()))
            continue
        # a street before the town ends in its house number and a blank: without a digit, or a blank right before the
        # town, the search (~110 towns and ~200 names tried at each of 60 places, ~10 us) cannot match
        lo = max(0, m.start() - 60)
        if text[m.start() - 1 : m.start()].isspace() and _DIGIT.search(text, lo, m.start()) \
                and (b := before.search(text, lo, m.start())) is not None:
            spans.append((b.start(), m.end()))
    return spans
