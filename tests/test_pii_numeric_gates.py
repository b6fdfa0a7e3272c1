"""The numeric path's shortcuts (issue 11, speed) change no finding: each cheap test answers as the scan it replaces or
guards. Property tests over text built from digits, the run separators, letters and the context words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import pii
from labs.router.textscan import lower
from labs.router.validators import iban_ok, make_iban

RUN_TEXT = st.text(alphabet="0123456789" * 3 + pii.SEPARATORS + "ab,:x\n", max_size=60)


@settings(max_examples=600, deadline=None)
@given(RUN_TEXT)
def test_long_runs_are_the_runs_of_six_digits_or_more(text):
    """_LONG_RUN skips only runs under 6 digits: the runs _numeric_kinds reads are _RUN's own, spans and all."""
    def six(rx):
        return [m.span() for m in rx.finditer(text) if len(m.group().translate(pii._NO_SEPARATORS)) >= 6]
    assert six(pii._LONG_RUN) == six(pii._RUN)


BOOKLET_PIECES = st.one_of(st.sampled_from(["МК", "МК ", "ТТН", "MK", "ВM", "ЗAA", "lKE", "№", " № ", "-", " - ", "MB lr"]),
                           st.text(alphabet="0123456789 -АМКТABEKMHOPCTXIlЗ3", max_size=8))


@settings(max_examples=600, deadline=None)
@given(st.lists(BOOKLET_PIECES, min_size=1, max_size=8).map("".join))
def test_every_booklet_match_holds_the_pair_gate(text):
    """_passports searches for a booklet only in windows where _BOOKLET_PAIR matches: every booklet match holds one."""
    for rx in (pii._UA_BOOKLET, pii._LATIN_BOOKLET, pii._GLUED_BOOKLET):
        for m in rx.finditer(text):
            assert pii._BOOKLET_PAIR.search(text, m.start(), m.end()), (rx.pattern[:30], text)


CONTEXT_PIECES = st.one_of(st.sampled_from(["order ", "invoice #", "ticket ", "version ", "ttн ", "ттн ", "port ", "row ",
                                            "card ", "ssn ", "тел ", "паспорт ", "pr", "part", "isbn ", "build no. "]),
                           st.text(alphabet="abcdeinoprstvy0123456789 #:-№", max_size=6))


@settings(max_examples=400, deadline=None)
@given(st.lists(CONTEXT_PIECES, min_size=1, max_size=10).map("".join), st.integers(0, 80))
def test_near_answers_as_the_searches(text, at):
    """_Near's bisections over the literal starts (not_personal, nowhere, a span's question) answer as the searches."""
    low = lower(text)
    at = min(at, len(low))
    near = pii._Near(low)
    assert near.not_personal(at) == pii._not_personal_context(low, at)
    for rx in (pii._CARD_CONTEXT, pii._SSN_CONTEXT, pii._PASSPORT_CONTEXT, pii._PHONE_CONTEXT, pii._TAX_CONTEXT):
        if near.nowhere(rx):
            assert rx.search(low) is None, rx.pattern[:40]
        assert near(rx, at - 30, at) == (max(0, at - 30) < at and rx.search(low, max(0, at - 30), at) is not None)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["UA", "DE", "GB", "PL", "MT"]), st.integers(0, 10**30), st.sampled_from([" ", "", "-", ".", " / "]),
       st.booleans())
def test_ibans_found_in_any_grouping_and_case(country, number, sep, low_case):
    """find_ibans (its checksum first, its grouping read off the parts between separators) finds a valid IBAN written
    grouped by four with any separator, or one character a group, in one case; and not one grouped elsewhere."""
    length = {"UA": 25, "DE": 18, "GB": 18, "PL": 24, "MT": 23}[country]
    bank = "MALT" if country == "MT" else ""  # Malta's bank code is letters: "MT84 MALT 0110 …"
    iban = make_iban(country, bank + str(number).zfill(length)[-length:]).replace(" ", "")
    assert iban_ok(iban)
    for written in (sep.join(iban[i : i + 4] for i in range(0, len(iban), 4)), " ".join(iban)):
        written = written.lower() if low_case else written
        found = [f.text for f in pii.find_ibans(f"рахунок {written}, дякую")]
        assert found == [written], (written, found)
    if bank:  # letters in the body: a gap between two letters off the grouping by four is no IBAN
        odd = iban[:8] + " " + iban[8:]  # "MT84MALT 0110…": the gap falls after 8 characters, a group of four's end
        assert [f.text for f in pii.find_ibans(odd)] == [odd]
        odd = iban[:6] + " " + iban[6:]  # "MT84MA LT…": between two letters, inside a group
        assert [f.text for f in pii.find_ibans(odd)] == []
