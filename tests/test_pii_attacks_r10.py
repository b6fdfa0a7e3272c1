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


# --- r7 A4: an address with no street word, anchored by its town; a street in lower case before its flat --------------
TOWN_ADDRESSES = {
    "Lutsk, Naukova 40": "Lutsk, Naukova 40",
    "Дніпро, Сумська 112-148": "Дніпро, Сумська 112-148",
    "Лесі Українки 5/12, Луцьк": "Лесі Українки 5/12, Луцьк",
    "Ірпінь, Київська 3а": "Ірпінь, Київська 3а",
    "Kyiv, Khreshchatyk 22": "Kyiv, Khreshchatyk 22",
    "Надішліть на Бандери 3, Київ": "Бандери 3, Київ",
    "kyiv shevchenka 54 apt 19": "shevchenka 54 apt 19",
}
NOT_ADDRESSES = ["Kyiv, Llama 3 8B runs at 20 tok/s", "Lviv, Windows 11", "We deployed in Kyiv, Node 20 and Postgres 16",
                 "Київ, Python 3.11", "Київ, версія 2", "Kyiv 2024", "step 54 apt 19", "floor 3 flat 12"]


@pytest.mark.parametrize("prompt,address", TOWN_ADDRESSES.items())
def test_an_address_anchored_by_its_town_is_found(prompt, address):
    assert ("address", address) in [(f.kind, f.text) for f in detect_pii(prompt)]


@pytest.mark.parametrize("prompt", NOT_ADDRESSES)
def test_a_product_or_a_part_after_a_town_is_no_address(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "address"], prompt
