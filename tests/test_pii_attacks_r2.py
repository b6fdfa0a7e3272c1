"""Lesson 3, issue 11, round 2 of the outside attack (/work/attacks/issue11-r2/FINDINGS.md): each class
the attacker found, with every exact input kept as a test; each failed before its fix.

The end-to-end check uses :class:`StandInCloud`, a real HTTP server on 127.0.0.1 that records what it
receives (STAND-IN, NOT A CLOUD: a paid API cannot run in tests).
"""

from __future__ import annotations

import pytest

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii, redact


def _assert_found(text: str, kind: str, expected: str) -> None:
    found = detect_pii(text)
    assert (kind, expected) in [(f.kind, f.text) for f in found], found
    for f in found:
        assert text[f.start : f.end] == f.text
    assert expected not in redact(text)


# A1: a look-alike letter (or a table bar) glued to a number is a neighbouring word, not a digit
GLUED_LOOKALIKE = [
    ("Дзвоніть з0671234567", "phone", "0671234567"),
    ("ІПН 3124167891З повагою, Олена", "tax_id", "3124167891"),
    ("паспорт 123456789З повагою", "passport", "123456789"),
    ("IBAN UA213223130000026007233566001о", "iban", "UA213223130000026007233566001"),
    ("card 4539148803436467|", "card", "4539148803436467"),
    ("card |4539148803436467", "card", "4539148803436467"),
    ("тел |0671234567", "phone", "0671234567"),
    ("SSN 219-09-9999S", "ssn", "219-09-9999"),
    ("ІПН б3124167891", "tax_id", "3124167891"),
    ("17|Olena Koval|0671234567|2024", "phone", "0671234567"),
    ("17|4539148803436467|x", "card", "4539148803436467"),
    ("0671234567|17", "phone", "0671234567"),
    ("tel|0671234567|17", "phone", "0671234567"),
    ("д/н о30.08.1983дякую", "dob", "30.08.1983"),  # the folded reading was an SSN-shaped 030.08.1983
    ("народилася O1962-07-11о]", "dob", "1962-07-11"),
    # still read as digits where only that reading is an identifier
    ("O67 l23 45 67", "phone", "O67 l23 45 67"),
    ("тел. O67l234567", "phone", "O67l234567"),
]


@pytest.mark.parametrize("text,kind,expected", GLUED_LOOKALIKE, ids=[t for t, _, _ in GLUED_LOOKALIKE])
def test_a_lookalike_letter_glued_to_a_number_is_read_both_ways(text, kind, expected):
    _assert_found(text, kind, expected)


def test_glued_lookalike_prompts_never_reach_the_stand_in_cloud():
    with StandInCloud() as cloud:
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        for text, _, _ in GLUED_LOOKALIKE:
            router.mark("local", True)
            assert router.complete("Explain step by step and compare in detail: " + text).target == "refuse"
        assert cloud.requests == []
