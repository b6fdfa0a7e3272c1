"""The message catalogue's shortcuts for the router's reasons (issue 11 r15, time to decide) change no text.

:func:`labs.i18n.t` returns a message without fields as it is (no :func:`labs.i18n.fill`), a field's type is looked up
before the ``numbers.Real`` check, and ``{count}`` without a spec skips the spec tests: each must give what the long
way gives, in both languages, for every kind of value a message is filled with.
"""

from __future__ import annotations

import enum
import numbers
import os
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs import i18n
from labs.router.complexity import Complexity
from labs.router.pii import Finding
from labs.router.policy import decide, describe_kinds


class Level(enum.IntEnum):
    LOW = 1


VALUES = [0, 1, -7, 12345, 2.5, 1e20, float("nan"), True, False, "x", "1,5", None, Level.LOW, np.int64(41846),
          np.float32(0.5), Fraction(3, 2), Decimal("1234.5"), b"1", [1]]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_type_lookup_answers_as_the_abc_check(value):
    assert i18n._is_number(value) == (isinstance(value, numbers.Real) and not isinstance(value, bool))


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("value", [v for v in VALUES if i18n._is_number(v)], ids=repr)
def test_a_number_without_a_spec_reads_as_python_writes_it_in_the_languages_typography(value, lang):
    plain = getattr(value, "item", lambda: value)()
    assert i18n.fill("{n} and {n!s}", lang, n=value) == (
        f"{i18n.localise_digits(format(plain, ''), lang)} and {i18n.localise_digits(str(plain), lang)}")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_message_without_fields_is_the_catalogues_text(lang):
    for key, texts in i18n.messages().items():
        assert i18n.t(key, lang) == i18n.fill(texts.get(lang) or texts["en"], lang), key


KINDS = st.sampled_from(["email", "phone", "card", "iban", "dob", "health", "handle", "id_number", "special", "ip"])


@settings(max_examples=200, deadline=None)
@given(st.lists(KINDS, max_size=30), st.sampled_from(["en", "uk"]), st.sampled_from([None, True, False]),
       st.sampled_from([None, False]), st.booleans(), st.floats(-3, 8, allow_nan=False))
def test_decisions_read_as_the_catalogue_fills_them(kinds, lang, sensitive, local_up, cloud, score):
    findings = [Finding(k, i, i + 1, "x", 50) for i, k in enumerate(kinds)]
    c = Complexity("complex" if score >= 2 else "simple", round(score, 2), ("reasoning", "list")[: int(score) % 3])
    saved = os.environ.get("LAB_LANG")
    os.environ["LAB_LANG"] = lang
    try:
        d = decide(findings=findings, complexity=c, sensitive=sensitive, local_up=local_up, cloud_ready=cloud)
    finally:
        if saved is None:
            os.environ.pop("LAB_LANG")
        else:
            os.environ["LAB_LANG"] = saved
    for reason in d.reasons:  # every reason is one catalogue text, filled: no placeholder left, nothing unformatted
        assert "{" not in reason and "}" not in reason
    if findings:
        counts: dict[str, int] = {}
        for k in kinds:
            counts[k] = counts.get(k, 0) + 1
        head = i18n.messages()["router.reason.pii_found"][lang].split("{")[0]
        assert d.reasons[0].startswith(head)
        for k, n in counts.items():
            name = i18n.messages()[f"router.kind.{k}"][lang] if f"router.kind.{k}" in i18n.messages() else k
            template = i18n.messages()["router.kind.count"][lang]
            assert template.replace("{count}", str(n)).replace("{kind}", name) in d.reasons[0]



def test_kind_names_follow_a_catalogue_read_again(monkeypatch):
    """describe_kinds keeps each language's kind names while the catalogue is the same one and reads them again from a
    catalogue read again (i18n.messages.cache_clear(), as a test or a notebook that reloads it does; attack r15's note)."""
    from labs.router import policy

    describe_kinds({"phone": 1}, "en")
    i18n.messages.cache_clear()  # the next read is a new catalogue: the names are read from it
    describe_kinds({"phone": 1}, "en")
    assert policy._KIND_NAMES["en"][0] is i18n.messages()
    renamed = {**i18n.messages(), "router.kind.phone": {"en": "telephone number", "uk": "номер телефону"}}
    for module in (i18n, policy):
        monkeypatch.setattr(module, "messages", lambda: renamed)
    assert describe_kinds({"phone": 2}, "en") == i18n.fill(renamed["router.kind.count"]["en"], "en", count=2,
                                                           kind="telephone number")
    assert "номер телефону" in describe_kinds({"phone": 1}, "uk")
    monkeypatch.undo()
    assert "telephone number" not in describe_kinds({"phone": 1}, "en")
