"""Issue 11: leaks left open after attack round 7 (/work/attacks/issue11-r7/FINDINGS.md A7) and found in round 8
(/work/attacks/issue11-r8/FINDINGS.md), each tested as a class (lesson 3). All identifiers are synthetic."""

from __future__ import annotations

import pytest

from labs.router import detect_pii

# --- r7 A7: a birthday with its day as an ordinal word (no digit at all, or only the year) -------------------------
SPELLED_BIRTHDAYS = {
    "Олена народилась дванадцятого березня": "дванадцятого березня",
    "День народження: третього квітня": "третього квітня",
    "я народився двадцять першого травня 1990 року": "двадцять першого травня 1990",
    "born on the twelfth of March 1985": "twelfth of March 1985",
    "born on the first of May": "first of May",
    "born March twenty-first": "March twenty-first",
}
NOT_BIRTHDAYS = [
    "The project was born on the first of May",
    "On the twelfth of March we released v2",
    "народилась ідея першого квітня",
    "Linux was born on the fifth of October",
]


@pytest.mark.parametrize("prompt,date", SPELLED_BIRTHDAYS.items())
def test_a_birthday_with_its_day_in_words_is_found(prompt, date):
    assert ("dob", date) in [(f.kind, f.text) for f in detect_pii(prompt)]


@pytest.mark.parametrize("prompt", NOT_BIRTHDAYS)
def test_a_things_birthday_or_a_date_without_a_cue_is_not(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "dob"], prompt


# --- r7 A9: a Ukrainian code as one group, then the number one digit a group, with no label ------------------------
@pytest.mark.parametrize("prompt", ["066 1 7 4 2 1 8 0", "передзвоніть 067 1 2 3 4 5 6 7", "call 050 9 8 7 6 5 4 3"])
def test_a_code_then_single_digits_is_a_phone(prompt):
    assert "phone" in [f.kind for f in detect_pii(prompt)], prompt


@pytest.mark.parametrize("prompt", ["labels: 0 6 6 1 7 4 2 1 8 0", "y = [1 0 1 1 0 1 0 1 1 0 1]", "epoch 012 1 0 1 1 0 1 0 1"])
def test_a_list_of_single_digits_is_not(prompt):
    assert not detect_pii(prompt), prompt
