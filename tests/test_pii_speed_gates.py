"""The detector's speed gates (issue 11) change no finding: each gated scan equals the scan it replaces."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import pii
from labs.router.normalize import _TOKEN, _plus_tokens

# the label scan as it was before its two-character lookahead
UNGATED = re.compile(
    rf"(?P<phone>{pii._PHONE_CONTEXT.pattern})|(?P<tax>{pii._TAX_CONTEXT.pattern})|(?P<card>{pii._CARD_CONTEXT.pattern})|"
    r"(?<![\w])(?P<plus>плюс|plus)(?=\s)")
LABEL_WORDS = (
    "tel phone cell mobile mob whatsapp viber telegram signal sms text me fax call us back contact details number no "
    "reach ring my your his her our their тел телефон моб дзвоніть подзвоніть передзвоніть зателефонуйте наберіть "
    "набрати мій мого твій ваш її його наш їхній номер мобільного контакти: контактні дані вайбер телеграм звоните "
    "позвоните сотовый мобильный рнокпп р.н.о.к.п.п p/н/о/к/п/п іпн інн инн ідентифікаційний ідент. податковий "
    "платник податків облікової картки код отримувача дрфо декларація rnokpp ipn inn tin drfo itin taxpayer tax return "
    "tax_id tax-no налоговый идентификационный card картка карти visa mastercard maestro amex кредитка cvv cvc unionpay "
    "humo плюс plus 067 + , . : - / ( )").split()
PIECES = st.one_of(st.sampled_from(LABEL_WORDS), st.text(
    alphabet="abcdefhimnoprstuwyаваджзийкмнопрстуієї0123456789 .,:;/-+()\n\t", max_size=6))


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=12), st.sampled_from(["", " "]))
def test_label_scan_lookahead_finds_the_same_labels(parts, glue):
    text = glue.join(parts)
    assert [(m.span(), m.lastgroup) for m in pii._SEQ_LABEL.finditer(text)] == \
        [(m.span(), m.lastgroup) for m in UNGATED.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab+1 \t\n\u00a0\u2028@%", max_size=40))
def test_plus_tokens_are_the_tokens_that_hold_a_plus(text):
    assert [m.span() for m in _plus_tokens(text)] == [m.span() for m in _TOKEN.finditer(text) if "+" in m.group()]


# A labelled sequence's parts: labels, filler words, number words, digit groups, separators, glued or spaced
SEQ_PIECES = st.one_of(
    st.sampled_from(LABEL_WORDS + "на за is at on me це номер number no нуль шість сім вісім дев'ять двісті zero oh six "
                                  "seven eight nine twenty сто".split()),
    st.text(alphabet="0123456789", min_size=1, max_size=12),
    st.text(alphabet=" ,;|.-+/()[]{}_*·•'\"\n:=#№", min_size=1, max_size=3),
    st.text(alphabet="abcxyzабвгдеж", max_size=8))


@settings(max_examples=600, deadline=None)
@given(st.lists(SEQ_PIECES, min_size=1, max_size=40), st.sampled_from(["", " ", ", "]))
def test_sequence_label_windows_find_what_the_full_label_scan_finds(parts, glue):
    # the windowed scan (labels only before a run of 10 digits or a number word next to another token) against a
    # reading after every label of the prompt
    low = glue.join(parts)
    full = {f for lab in pii._SEQ_LABEL.finditer(low) if (f := pii._labelled_sequence(low, low, lab)) is not None}
    assert set(pii.find_labelled_sequences(low, low)) == full
    assert set(pii.find_labelled_sequences(low, low, pii._number_words(low))) == full


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(pii._DOB_GATE + ("b.", "ab.", "дн", "ідн", "др", "д.р.", "дня")),
                          st.text(alphabet="abdnorthгдзнрб. /", max_size=5)), max_size=8))
def test_the_birth_date_gate_is_one_scan_of_the_same_cues(parts):
    low = "".join(parts)
    assert pii._dob_gate(low) == (any(key in low for key in pii._DOB_GATE) or bool(
        pii._DOB_GATE_B.search(low) or pii._DOB_GATE_DN.search(low)))
