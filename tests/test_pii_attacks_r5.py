"""Issue 11, round 5 attacks: each case here leaked to the stand-in cloud before its fix (see
/work/attacks/issue11-r5/FINDINGS.md). Synthetic, checksum-valid identifiers only."""

import pytest

from labs.router.pii import detect_pii

# A1/A2/A3: a sequence after a strong label, whatever the separators (commas, semicolons, bars, brackets, '+',
# number words mixed with digits): one reader, so every spelling of the family is a case here.
SEQUENCES = [
    ("тел.: 0, 6, 7, 1, 2, 3, 4, 5, 6, 7", "phone"),
    ("phone = [0, 6, 7, 1, 2, 3, 4, 5, 6, 7]", "phone"),
    ("тел.; 0; 6; 7; 1; 2; 3; 4; 5; 6; 7", "phone"),
    ("phone: 0|6|7|1|2|3|4|5|6|7", "phone"),
    ("ІПН = 3,1,2,4,1,6,7,8,9,1", "tax_id"),
    ("номер картки 4,1,4,9,4,9,9,9,1,2,3,4,5,6,7,3", "card"),
    ("тел. нуль шість сім 1234567", "phone"),
    ("плюс три вісім нуль 6 7 1 2 3 4 5 6 7", "phone"),
    ("тел.+067+123+45+67", "phone"),
    ("тел.+095+675+30+27", "phone"),
    ("дзвоніть на нуль 9 6 5 9 два 6 7 1 1", "phone"),
    ("call me at zero 6 six 7 8 7 7 3 3 2", "phone"),
    ("телефон 0, 9, 9, 0, 1, 4, 6, 7, 3, 0", "phone"),  # the label's whole word, not only "тел"
    ("card number: 4 1 4 9 5 5 0 1 5 6 8 8 8 1 1 5", "card"),  # 16 single digits: more groups than a number has
]


@pytest.mark.parametrize(("text", "kind"), SEQUENCES)
def test_labelled_sequence_is_found_whatever_the_separators(text: str, kind: str) -> None:
    found = [f for f in detect_pii("Поясни архітектуру: " + text) if f.kind == kind]
    assert found, text
    digits_in = sum(ch.isdigit() for ch in text)
    assert sum(ch.isdigit() for ch in found[0].text) == digits_in  # every typed digit is covered


@pytest.mark.parametrize("text", [
    "Візьми 1, 2, 3, 4, 5, 6, 7, 8, 9, 0 plus 5",
    "Список: 0, 6, 7, 1, 2, 3, 4, 5, 6, 7",  # no label: a list, not a phone
    "phone = [0, 6, 7]",
])
def test_unlabelled_or_short_lists_are_not_identifiers(text: str) -> None:
    assert detect_pii(text) == []


# A6: a line break anywhere inside an e-mail or a date, in every break style: the whole identifier is redacted
@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", "\x85", "\n    ", "-\n"])
@pytest.mark.parametrize(("head", "tail", "kind"), [
    ("e-mail: taras14@outlook", ".com", "EMAIL"),
    ("e-mail: petro_b98@outlo", "ok.com", "EMAIL"),
    ("пишіть olena.ko", "val@ukr.net", "EMAIL"),
    ("olena.koval@uk", "r.net", "EMAIL"),
    ("дата народження 12.0", "3.1985", "DOB"),
    ("дата народження 12.03", ".1985", "DOB"),
])
def test_a_break_inside_an_email_or_date_is_redacted_whole(brk: str, head: str, tail: str, kind: str) -> None:
    from labs.router.pii import redact
    out = redact(head + brk + tail)
    assert f"[{kind}]" in out
    assert tail.strip(".") not in out and head.split()[-1][-3:] not in out.split("[")[0][-4:]


# A4: more date-of-birth styles
@pytest.mark.parametrize("text", [
    "ДР 12.03.1985", "д.р. 12.03.1985", "народився 20 липня 85-го", "нар. 28 червня 56-го",
    "дата народження: 13 01 1993", "D.O.B. 12 06 2004", "born on 06 07 1953",
])
def test_more_birth_date_styles(text: str) -> None:
    assert [f.kind for f in detect_pii(text)] == ["dob"], text


@pytest.mark.parametrize("text", ["Ми в 2024 році: 12 03 2024", "Адреса: 13 01 1993 рахунок", "Подрузі 12 03 2024"])
def test_spaced_dates_with_no_birth_cue_are_not_dobs(text: str) -> None:
    assert [f for f in detect_pii(text) if f.kind == "dob"] == []


# A5: health data about a person named in an oblique case, or a step-relative / godparent, in both languages
@pytest.mark.parametrize("text", [
    "Олену лікують від раку.", "Тараса лікують від туберкульозу.", "Для Тараса потрібні ліки від епілепсії.",
    "У кума виявили туберкульоз.", "Вітчима лікують від діабету.", "Для хрещениці потрібні ліки від астми.",
    "Підтвердили діабет у пасинка.", "Doctors are treating Olena for diabetes.",
    "The stepfather was diagnosed with asthma.", "Her godson takes insulin.",
])
def test_health_about_a_named_or_related_person(text: str) -> None:
    assert "health" in {f.kind for f in detect_pii(text)}, text


@pytest.mark.parametrize("text", ["Для України потрібні ліки від COVID.", "Python лікують від багів.",
                                  "Ліки від діабету: огляд ринку."])
def test_health_about_no_person_stays_clean(text: str) -> None:
    assert detect_pii(text) == []


# A2: a form nested in another decoding: quote_plus twice, base64 / HTML entities / JSON of quote_plus
def _nested_forms(x: str) -> dict[str, str]:
    import base64
    import json
    from urllib.parse import quote_plus as q
    return {"qq": q(q(x)), "b64q": base64.b64encode(q(x).encode()).decode(),
            "htmlq": "".join(f"&#{ord(ch)};" for ch in q(x)), "qjq": q(json.dumps(q(x)))}


@pytest.mark.parametrize(("plain", "kind"), [
    ("тел. 067 123 45 67", "phone"), ("phone +380671234567", "phone"), ("адреса: вул. Хрещатик, 22, кв. 5", "address"),
    ("дата народження 12.03.1985", "dob"), ("born 12 March 1985", "dob"),
])
def test_nested_form_encodings_are_decoded_to_a_fixed_point(plain: str, kind: str) -> None:
    for name, wrapped in _nested_forms(plain).items():
        assert kind in {f.kind for f in detect_pii("Текст: " + wrapped)}, name


# B: shapes a program prints are not phones; a phone word or header keeps a real one
@pytest.mark.parametrize("text", [
    "   user_id  clicks  revenue\n0  1371634     924    52311\n1  1371635     925    52312",
    "0      1   500  0.513\n1      1  1000  0.498",
    "   count\n0    8870\n7    9364",
    "tcp   ESTAB  0  0  10.28.224.79:51514  142.250.74.110:443",
    "commit 3f2a1b\nAuthor: Olena <o@x>\nDate:   Mon Nov 30 18:27:03 2026 +0200\n",
])
def test_printed_tables_ips_and_clock_offsets_are_not_phones(text: str) -> None:
    assert [f for f in detect_pii(text) if f.kind == "phone"] == []


@pytest.mark.parametrize("text", ["   phone\n0  0671234567\n1  0501234567", "тел.  067  123 45 67",
                                  "name  phone\nOlena  067 123 45 67",
                                  '"+380 98.211.34.66"'])  # an international "+" is typed, not an IP address
def test_labelled_phones_in_printed_tables_stay_phones(text: str) -> None:
    assert "phone" in {f.kind for f in detect_pii(text)}
