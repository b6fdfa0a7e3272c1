"""Personal data in the columns of a pasted table (lesson 3: the router's eyes, issue 11).

A spreadsheet pasted into a prompt arrives as lines of cells separated by tabs (Excel, Google
Sheets, ``psql``), commas or semicolons (CSV) or bars (Markdown, ``psql -A``). Its header names
each column once ("ipn", "dob", "телефон"); row 300 is far from that label, and the normalised
view (:mod:`labs.router.normalize`) reads tabs and line breaks as spaces, so the cells of one row
run together. :func:`find_table_cells` reads the table as a table, on the original text: a header
line that names a personal column, then every row below it with a cell in that column.

Each cell must still look like its kind (a РНОКПП its checksum, a card Luhn, a date a date): a
column named "phone" that holds "n/a" gives nothing.

>>> [(f.kind, f.text) for f in find_table_cells("id\\tname\\tipn\\n1\\tOlena\\t3124167891\\n")]
[('tax_id', '3124167891')]
"""

from __future__ import annotations

import re
from typing import Iterator

from labs.router.names import is_ambiguous_name, is_first_name
from labs.router.textscan import lower
from labs.router.validators import card_iin_ok, luhn_ok, rnokpp_ok, ssn_ok

# Column names, lower-case, as headers write them (snake_case, spaced, with a unit or "#" after): kind per name.
_COLUMNS = {
    "tax_id": r"ipn|rnokpp|inn|tin|tax[ _\-]?(?:id|number|no|code)|іпн|рнокпп|податковий[ _]?номер|ідентифікаційний[ _]?код",
    "dob": r"dob|d\.o\.b\.?|date[ _\-]?of[ _\-]?birth|birth[ _\-]?date|birthday|born|дата[ _]?народження|д/н|дн|"
           r"день[ _]?народження|народження|дата[ _]?нар\.?",
    "phone": r"phone|tel\.?|telephone|mobile|mob\.?|cell|phone[ _\-]?(?:number|no)|whatsapp|viber|телефон|тел\.?|моб\.?|"
             r"мобільний|номер[ _]?телефону",
    "card": r"card|card[ _\-]?(?:number|no)|pan|картка|номер[ _]?картки|карта",
    "ssn": r"ssn|social[ _]?security(?:[ _]?(?:number|no))?",
    "address": r"address|home[ _\-]?address|street[ _\-]?address|address[ _\-]?line[ _]?\d?|street|адреса|"
               r"адреса[ _]?проживання|домашня[ _]?адреса|вулиця|вул\.?",
    "passport": r"passport|passport[ _\-]?(?:number|no)|паспорт|номер[ _]?паспорта|id[ _\-]?card|"
                r"(?:номер[ _]?)?id[ _\-]?карт(?:ка|ки)|id[ _\-]?card[ _\-]?(?:number|no)|national[ _\-]?id|id[ _\-]?number",
}
_NAME = re.compile("|".join(f"(?P<{kind}>{rx})" for kind, rx in _COLUMNS.items()))
# A bare "code"/"id" column is a РНОКПП's only in a table of people: a header naming a person's column ("ПІБ",
# "Прізвище", "surname"), or "name" when that row's name holds a known first name (a product table has "name" and
# "code" columns too): issue 11 r9 A1. The cell must still pass the checksum (_cell_is).
_CODE_COLUMN = re.compile(r"код|code|id|ід|номер|number|no\.?|№")
_PERSON_COLUMN = re.compile(r"піб|п\.і\.б\.?|прізвище|прізвище[ _]?(?:та|і|,)?[ _]?ім['’ʼ]я|ім['’ʼ]я|фіо|фио|платник|отримувач|"
                            r"працівник|співробітник|клієнт|студент|пацієнт|surname|last[ _\-]?name|first[ _\-]?name|"
                            r"full[ _\-]?name|family[ _\-]?name|given[ _\-]?name|employee|customer|patient|student|person")
_ANY_NAME_COLUMN = re.compile(r"name|назва|імя")
_SEPS = "\t|;,"
_NO_VALUE = frozenset({"n/a", "na", "none", "null", "-", "—", "немає", "нема", "unknown", "невідомо", "tbd"})
_CELL_STRIP = " \t\"'=*`\u00a0\u202f"
_DATE = re.compile(r"(?:\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)?\d\d|(?:19|20)\d\d[./\-]\d{1,2}[./\-]\d{1,2})")
PRIORITY = {"tax_id": 30, "dob": 40, "phone": 45, "card": 80, "ssn": 70, "passport": 65, "address": 44}  # as the scan's


def _split(line: str, sep: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of ``line`` (quotes kept: a CSV cell rarely holds its separator)."""
    out, at = [], 0
    for part in line.split(sep):
        out.append((at, at + len(part)))
        at += len(part) + 1
    return out


def _digits(cell: str) -> str:
    from labs.router.normalize import normalize  # full-width or Arabic-Indic digits in a cell

    return "".join(ch for ch in normalize(cell).text if ch.isdigit())


def _cell_is(kind: str, cell: str) -> bool:
    """Does the stripped ``cell`` hold a value of ``kind``?"""
    if kind == "dob":
        from labs.router.normalize import normalize
        from labs.router.pii import _DATE as _ANY_DATE  # month names too: "1 грудня 1972 р.", "March 12, 1985"

        view = normalize(cell).text
        return _DATE.search(view) is not None or any(not m.group().isdigit() for m in _ANY_DATE.finditer(view))
    if kind == "address":  # a street's name (its house number may stand in the next column), or a whole address
        return len(cell) <= 120 and any(ch.isalpha() for ch in cell) and cell.lower() not in _NO_VALUE
    d = _digits(cell)
    if kind == "tax_id":
        return rnokpp_ok(d)
    if kind == "phone":
        return 7 <= len(d) <= 15 and 2 * len(d) >= len(cell.replace(" ", ""))
    if kind == "card":
        return 12 <= len(d) <= 19 and (luhn_ok(d) or card_iin_ok(d))
    if kind == "ssn":
        return len(d) == 9 and ssn_ok(d)
    return len(d) >= 6  # passport: a series and a number, or 9 digits


_HTML_ROW = re.compile(r"<tr\b[^>]{0,200}>(.{0,4000}?)(?=</tr>|<tr\b|</table>|$)", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<t([dh])\b[^>]{0,200}>(.{0,1000}?)(?=</t[dh]>|<t[dh]\b|</tr>|$)", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^<>]{0,200}>")


def _html_cells(text: str, finding: type) -> Iterator["Finding"]:  # noqa: F821
    """The same for an HTML table (``<tr><th>ipn</th>…``, pasted from a web page or a mail): the header row's
    cells name the columns, every later row's cells are read against them."""
    columns: dict[int, str] = {}
    for row in _HTML_ROW.finditer(text):
        cells = list(_HTML_CELL.finditer(text, row.start(1), row.end(1)))
        names = {col: m.lastgroup for col, c in enumerate(cells)
                 if (m := _NAME.fullmatch(_HTML_TAG.sub("", c.group(2)).strip(_CELL_STRIP + "#:").lower()))}
        if names:
            columns = names  # a header row (th or td): the rows below are read against it
            continue
        for col, c in enumerate(cells):
            kind = columns.get(col)
            if kind is None:
                continue
            a, b = c.start(2), c.end(2)
            while a < b and (text[a] in _CELL_STRIP or text[a] == "<"):
                if text[a] == "<":  # a tag inside the cell ("<td><b>3124167891</b></td>")
                    tag = _HTML_TAG.match(text, a)
                    if tag is None:
                        break
                    a = tag.end()
                else:
                    a += 1
            while b > a and (text[b - 1] in _CELL_STRIP or text[b - 1] == ">"):
                if text[b - 1] == ">":
                    k = text.rfind("<", a, b)
                    if k < 0:
                        break
                    b = k
                else:
                    b -= 1
            if a < b and _cell_is(kind, text[a:b]):
                yield finding(kind, a, b, text[a:b], PRIORITY[kind])


# An XML record of a person whose "<code>"/"<id>" holds a РНОКПП: "<person><name>Богдан</name><code>3258456620</code>"
# (issue 11 r9 A1). The element starts with its "<" (a fast scan); the record must name a person.
_XML_CODE = re.compile(r"<(code|id|код|number|номер)>\s{0,3}(\d[\d \-]{9,14})\s{0,3}</\1>", re.IGNORECASE)
_XML_PERSON = re.compile(r"<(?:person|employee|customer|client|patient|student|taxpayer|payer|recipient|surname|"
                         r"last_?name|first_?name|full_?name|family_?name|given_?name|особа|платник|отримувач|працівник|"
                         r"клієнт|піб|прізвище|ім['’ʼ]я)[\s>]|<name>\s{0,3}(?P<name>[^\W\d_]{2,30})", re.IGNORECASE)


def _xml_codes(text: str, finding: type) -> Iterator["Finding"]:  # noqa: F821
    person = None
    for m in _XML_CODE.finditer(text):
        if not rnokpp_ok(_digits(m.group(2))):
            continue
        if person is None:  # once a prompt, and only when a code passes the checksum
            person = any(p.group("name") is None or is_first_name(p.group("name")) for p in _XML_PERSON.finditer(text))
        if person:
            yield finding("tax_id", m.start(2), m.end(2), m.group(2), PRIORITY["tax_id"])


# A YAML or "key: value" line: "street: Сумська 113", "address: Naukova 55", "вулиця: Зелена 158" (issue 11 r9 A2). The
# value is a street as people write it, a capitalised name and a house number or the number first ("12 Main St"); a
# host, a port or a template ("0.0.0.0:8080", "{{ .Values.host }}:1719") is none. An "ip_address:"/"email_address:" key
# is none either: only a bare key or a home/postal/billing… one.
# A TOML/INI "street = …" too, and the house under its own key on the next line ("вулиця: Сумська\nбудинок: 53": r10 A4)
_YAML_ADDRESS = re.compile(r"(?i:street|address|addr|адреса|вулиця)(?i:[_ \-]?line[_ \-]?\d)?[ \t]*[:=][ \t]*[\"']?"
                           r"(?P<value>(?:[A-ZА-ЯІЇЄҐ][\w'’ʼ.\-]{1,30}[ \t,]{1,3}){1,4}\d{1,4}[а-яa-z]?(?:[/\-]\d{1,4})?"
                           r"|[A-ZА-ЯІЇЄҐ][\w'’ʼ.\-]{1,30}(?:[ \t][\w'’ʼ.\-]{1,30}){0,2}[\"']?[ \t]*\n[ \t]*[\"']?"
                           r"(?i:будинок|буд|house|house_number|building|дім)[\"']?[ \t]*[:=][ \t]*[\"']?\d{1,4}[а-яa-z]?"
                           r"|\d{1,5}[ \t]+[A-ZА-ЯІЇЄҐ][\w'’ʼ.\-]{1,30}(?:[ \t][\w'’ʼ.\-]{1,30}){0,3})(?![\w])")
_YAML_ADDRESS_KEYS = ("street", "address", "addr", "адреса", "вулиця")
_YAML_KEY_IN = re.compile("|".join(map(re.escape, _YAML_ADDRESS_KEYS)))  # any of them: one search, not one test each
_ADDRESS_KEY_OWNERS = ("home", "street", "postal", "mailing", "billing", "shipping", "residential", "delivery", "домашня",
                       "поштова", "user", "client", "customer", "contact")


def _yaml_address_key(low: str, at: int) -> bool:
    """Is the key starting at ``at`` a person's address key at a line's start (YAML, a form), not a part of another
    word, an "ip_address" or a label inside prose ("Our address: Build 5 failed")?"""
    if at and low[at - 1] in "_-":
        owner = low[max(0, at - 13) : at - 1]
        if not owner.endswith(_ADDRESS_KEY_OWNERS):
            return False
        at -= 1 + next(len(o) for o in _ADDRESS_KEY_OWNERS if owner.endswith(o))
    line = low[max(0, low.rfind("\n", max(0, at - 40), at) + 1) : at]
    return line.strip(" \t-\"'") == "" and (at == 0 or low[at - 1] in " \t\n-\"'") and len(line) < 40


_YAML_KEY_REACH = 15  # a key (7 characters at most) and its "_line1" (7) end right before the blanks and the ":"
_YAML_MARKS_READ = 12  # more ":"/"=" than this: lower-case the whole text instead (it costs about as much)


def _yaml_key_possible(text: str) -> bool:
    """Could :data:`_YAML_ADDRESS` match in ``text``: does one of its keys stand right before a ":" or "=" (the
    blanks between skipped)? Each key needs one, so a text of Cyrillic prose (lower-casing it costs ~9 us) is read only
    around its few colons. ASCII text, or one with many marks, is lower-cased whole (cheap, or no dearer)."""
    if text.isascii():
        return True
    seen = 0
    for mark in ":=":
        c = text.find(mark)
        while c >= 0:
            seen += 1
            if seen > _YAML_MARKS_READ:
                return True
            j = c
            while j > 0 and text[j - 1] in " \t":
                j -= 1
            if _YAML_KEY_IN.search(text[max(0, j - _YAML_KEY_REACH) : j].lower()):
                return True
            c = text.find(mark, c + 1)
    return False


def _yaml_addresses(text: str, finding: type) -> Iterator["Finding"]:  # noqa: F821
    low = lower(text)
    for key in _YAML_ADDRESS_KEYS:  # each key found by a substring search, the value matched there (a regex scan
        at = low.find(key)           # of the whole text for the keys cost 10x more)
        while at >= 0:
            m = None if key == "addr" and low.startswith("address", at) else _YAML_ADDRESS.match(text, at)
            if m is not None and _yaml_address_key(low, at):
                yield finding("address", m.start("value"), m.end("value"), m.group("value"), PRIORITY["address"])
            at = low.find(key, at + len(key))



# a first column that names a business ("store,street,house,sales", "філія;вулиця;будинок"): its rows are places of
# business, so a street column there is a shop's address, not a person's
_BUSINESS_COLUMN = re.compile(r"stores?|shops?|branch(?:es)?|branch[ _]?(?:id|name)|store[ _]?(?:id|name)|office|warehouse|"
                              r"restaurant|cafe|hotel|outlet|location|site|магазин\w*|філі[яї]|офіс|склад|відділення|"
                              r"ресторан|кафе|готель|точка")


def business_rows(text: str) -> list[tuple[int, int]]:
    """Spans of the rows of every table in ``text`` whose first column names a business (:data:`_BUSINESS_COLUMN`:
    "store_id,city,street,sales"): a street in such a row, with its town beside it, is a shop's address, not anyone's
    (issue 11 r11 store tables). Offsets into ``text``; one split of the text, only when it can hold a table."""
    if "\n" not in text or not any(sep in text for sep in _SEPS):
        return []
    spans, at, lines = [], 0, text.split("\n")
    starts = []
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    k = 0
    while k < len(lines) - 1:
        line, k = lines[k], k + 1
        sep = next((s for s in _SEPS if s in line and s in lines[k]), None)
        if sep is None:
            continue
        first = next((c for c in (c.strip(_CELL_STRIP + "#:").lower() for c in line.split(sep)) if c), "")
        if not _BUSINESS_COLUMN.fullmatch(first):
            continue
        top = starts[k - 1]  # the header too: "Вулиця\nАТБ-941" reads as a street word and a name across the break
        while k < len(lines) and sep in lines[k]:
            k += 1
        spans.append((top, starts[k - 1] + len(lines[k - 1])))
    return spans


def _finding() -> type:
    """:class:`labs.router.pii.Finding` (pii imports this module, so it is read at a call), read only where a cell is
    found: an import statement costs each call of :func:`find_table_cells` ~1 us, more inside a route, and most prompts
    hold no table."""
    from labs.router.pii import Finding

    return Finding


def find_table_cells(text: str) -> Iterator["Finding"]:  # noqa: F821 (pii.Finding: imported lazily, pii imports us)
    """Findings for the cells of every personal column of every table in ``text`` (offsets into
    ``text``). A table is a header line whose cells, split by a tab, a bar, a semicolon or a comma,
    name a column of :data:`_COLUMNS`, then the lines below it split the same way, up to the first
    line without the separator. Cost: one split of the text and, per line that shares a separator
    with the next one, one anchored match per short cell (a 2 KB prompt of prose: microseconds)."""
    tags = "<" in text  # one substring test for the three below (each costs ~1 us on 2 KB)
    if tags and ("<t" in text or "<T" in text):
        yield from _html_cells(text, _finding())
    if tags and "</" in text:
        yield from _xml_codes(text, _finding())
    if (":" in text or "=" in text) and _yaml_key_possible(text):
        yield from _yaml_addresses(text, _finding())
    seps = [sep for sep in _SEPS if sep in text] if "\n" in text else []  # a line is searched only for these
    if not seps:
        return  # no table: one digit a line ("1\n0\n1…") costs no per-line work

    lines = text.split("\n")
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    k = 0
    while k < len(lines) - 1:
        line = lines[k]
        k += 1
        sep = next((s for s in seps if s in line and s in lines[k]), None)  # a table has two lines or more
        if sep is None:
            continue
        columns: dict[int, str] = {}
        codes, person, named = [], False, None
        for col, cell in enumerate(line.rstrip("\r").split(sep)):
            name = cell.strip(_CELL_STRIP + "#:").lower()
            if len(cell) <= 40 and (m := _NAME.fullmatch(name)):
                columns[col] = m.lastgroup
            elif len(cell) <= 40 and _CODE_COLUMN.fullmatch(name):
                codes.append(col)
            elif len(cell) <= 40 and _PERSON_COLUMN.fullmatch(name):
                person = True
            elif len(cell) <= 40 and named is None and _ANY_NAME_COLUMN.fullmatch(name):
                named = col
        if codes and (person or named is not None):
            for col in codes:
                columns[col] = "tax_id" if person else "tax_id?"  # "?": only in a row whose name is a first name
        first = next((c for c in (c.strip(_CELL_STRIP + "#:").lower() for c in line.split(sep)) if c), "")  # "| Філія | …"
        if _BUSINESS_COLUMN.fullmatch(first):  # rows that are shops or branches: their streets are no one's home (r9 B)
            columns = {col: kind for col, kind in columns.items() if kind != "address"}
        if not columns:
            continue
        while k < len(lines) and sep in lines[k]:
            row_at, row = offsets[k], lines[k].rstrip("\r")
            k += 1
            cells = _split(row, sep)
            for col, (a, b) in enumerate(cells):
                kind = columns.get(col)
                if kind is None:
                    continue
                if kind == "tax_id?":
                    if named is None or named >= len(cells) or not any(
                            is_first_name(w) and not is_ambiguous_name(w) for w in row[slice(*cells[named])].split()[:4]):
                        continue
                    kind = "tax_id"
                while a < b and row[a] in _CELL_STRIP:
                    a += 1
                while b > a and row[b - 1] in _CELL_STRIP:
                    b -= 1
                if a < b and _cell_is(kind, row[a:b]):
                    yield _finding()(kind, row_at + a, row_at + b, text[row_at + a : row_at + b], PRIORITY[kind])
