"""Issue 11, round 14 (an outside attack on the router's speed work): what it found, kept as tests.

- "%card٣٨٠٩٥٥٥١٦٧٥٢": a text read as typed too (it looked encoded) handed Arabic-Indic digits to the Luhn check, which
  raised KeyError (main had it too; any Unicode digit, superscripts and circled digits raised ValueError in several
  validators). Every validator now reads its digits through ``validators.ascii_digits``.
- "0,\\n4111 1111 1111 1111\\t4114&nbsp": read as typed, the card after "0," and a line break was taken for the
  decimals of "0," (a ``$`` in the decimal-comma rule matches before a final line break); the speed work's cheap test
  (a comma right before the digits) finds the card, and so it stays.
- A lone surrogate ("\\ud800" through json.loads) made the new trigger matcher raise; the audit log raised on it
  before the speed work too.
"""

from __future__ import annotations

import json

import pytest

from labs.host import free_port
from labs.router import AuditLog, CloudLLM, Router, detect_pii
from labs.router.complexity import heuristic
from labs.router import validators as v

DIGITS = {"Arabic-Indic": "٠١٢٣٤٥٦٧٨٩", "Devanagari": "०१२३४५६७८९", "full-width": "０１２３４５６７８９",
          "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹", "Extended Arabic-Indic": "۰۱۲۳۴۵۶۷۸۹"}


def _written(number: str, digits: str) -> str:
    return "".join(digits[int(ch)] if ch.isdigit() else ch for ch in number)


@pytest.mark.parametrize("script", DIGITS)
def test_every_validator_reads_any_digit_as_its_value(script):
    d = DIGITS[script]
    assert v.ascii_digits(_written("4111 1111", d)) == "4111 1111"
    assert v.luhn_ok(_written("4111111111111111", d)) and not v.luhn_ok(_written("4111111111111112", d))
    assert v.card_iin_ok(_written("4111111111111111", d))
    assert v.rnokpp_ok(_written("3124567896", d)) and not v.rnokpp_ok(_written("3124567890", d))
    assert v.rnokpp_birth_date(_written("3124167891", d)) == v.rnokpp_birth_date("3124167891")
    assert v.ssn_ok(_written("219-09-9999", d)) and not v.ssn_ok(_written("666-12-3456", d))
    assert v.pesel_ok(_written("44051401359", d)) and v.steuer_id_ok(_written("86095742719", d))
    assert v.isbn13_ok(_written("9780306406157", d)) and v.isbn10_ok(_written("0306406152", d))


@pytest.mark.parametrize("text", ["%card٣٨٠٩٥٥٥١٦٧٥٢", "%card ٤١١١١١١١١١١١١١١١", "%card ①①①", "%ssn ²¹⁹-⁰⁹-⁹⁹⁹⁹",
                                  "тел%2528%2536 | ９№490-15-98 ٣٨(٠٩٥)٥٥١٦٧٥٢ %D0%A3"])
def test_unicode_digits_in_a_text_read_as_typed_never_raise(text):
    assert isinstance(detect_pii(text), list)


def test_a_card_after_a_comma_and_a_line_break_is_no_decimal():
    text = "0,\n4111 1111 1111 1111\t4114&nbsp"
    assert [(f.kind, f.text) for f in detect_pii(text)] == [("card", "4111 1111 1111 1111")]


LONE = [json.loads('"тел. 067 123 45 67 \\ud800"'), json.loads('"\\udc00"'),
        json.loads('"Explain in detail, step by step, how to design a cache \\ud800 for our API"')]


@pytest.mark.parametrize("prompt", LONE)
def test_a_lone_surrogate_is_read_never_raised(prompt, tmp_path):
    """A lone surrogate (json.loads of "\\ud800") made the trigger pass raise UnicodeEncodeError (its matcher reads
    UTF-8) and the audit log too (its keyed hash and its line): the router reads it as any other character."""
    found = [(f.kind, f.text) for f in detect_pii(prompt)]
    assert found == ([("phone", "067 123 45 67")] if "067" in prompt else [])
    assert heuristic(prompt).label in ("simple", "complex")
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM(base_url="http://127.0.0.1:9/v1", _api_key="unused"),
                    audit=AuditLog(str(tmp_path / "audit.jsonl")), local_retries=0)
    assert router.route(prompt).personal == bool(found)
    done = router.complete(prompt)  # nothing answers on either side: refused, and written to the log
    assert done.target == "refuse" and len(router.audit.read()) == 1
