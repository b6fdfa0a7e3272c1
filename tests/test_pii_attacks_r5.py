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
