"""The audit log (lesson 3): records every decision, never the personal data itself."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labs.host import free_port
from labs.router import AuditLog, CloudLLM, Router, StandInCloud, detect_pii
from labs.router.validators import luhn_digit, make_iban, make_rnokpp

# --- strategies for synthetic personal data ------------------------------------------------------
digits = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731


@st.composite
def card(draw):
    prefix = draw(st.sampled_from(["4", "51", "52", "53", "54", "55"]))  # issued IINs ("59…" is no card)
    number = prefix + draw(digits(15 - len(prefix)))
    number += luhn_digit(number)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


@st.composite
def ua_phone(draw):
    op = draw(st.sampled_from(["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]))
    a, b, c = draw(digits(3)), draw(digits(2)), draw(digits(2))
    return draw(st.sampled_from([f"+380 {op} {a} {b} {c}", f"0{op}-{a}-{b}-{c}", f"+380{op}{a}{b}{c}"]))


PII = st.one_of(
    st.from_regex(r"[a-z]{2,8}(\.[a-z]{2,8})?@(example|mail\.example)\.(com|org|ua)", fullmatch=True),
    ua_phone(),
    card(),
    digits(25).map(lambda bban: make_iban("UA", bban)),
    st.builds(lambda d, s: "РНОКПП " + make_rnokpp(d, s), st.dates(dt.date(1930, 1, 1), dt.date(2005, 1, 1)),
              st.integers(0, 9999)),
    st.builds(lambda a, g, s: f"SSN {a:03d}-{g:02d}-{s:04d}", st.integers(1, 665), st.integers(1, 99),
              st.integers(1, 9999)),
    st.dates(dt.date(1930, 1, 1), dt.date(2010, 1, 1)).map(lambda d: f"born on {d:%d.%m.%Y}"),
)
# Filler cannot spell "order", "invoice", "version"... so every generated item must be detected.
FILLER = st.text(alphabet="abcdefgh абвгдеж,", max_size=40)


@pytest.fixture(scope="module")
def cloud():
    with StandInCloud() as server:
        yield server


# Random again: the example that failed once (a card, then "b" read as the unit "bits") and its class are fixed
# (tests/test_pii_realworld.py::test_a_word_that_looks_like_a_unit_does_not_hide_an_identifier); 3 x 3000 random
# examples held. A failure prints its example: keep it below as an @example.
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=FILLER, items=st.lists(PII, min_size=1, max_size=3), after=FILLER, health=st.booleans())
@example(before="", items=["4000000000000002"], after="b", health=False)
@example(before="", items=["4111111111111111", "4111111111111111"], after="b,", health=True)
@example(before="", items=["+380671234567"], after="разом", health=False)
def test_audit_log_never_contains_a_detected_pii_string(tmp_path_factory, cloud, before, items, after, health):
    prompt = f"{before} " + " ; ".join(items) + f" {after}" + (" my mother has asthma" if health else "")
    findings = detect_pii(prompt)
    assert len(findings) >= len(items), (prompt, findings)  # the property is about real detections
    log = AuditLog(tmp_path_factory.mktemp("audit") / "audit.jsonl")
    # local unreachable, a recording stand-in cloud: everything personal must be refused
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), audit=log, local_retries=0)
    out = router.complete(prompt)
    assert out.refused
    router.route(prompt)  # route alone writes nothing; the decision objects hold the findings
    log.write(router.route(prompt), prompt, used="local", error=RuntimeError(prompt))  # an error echoing the prompt
    text = log.path.read_text(encoding="utf-8")
    assert len(log.read()) == 2
    for f in findings:
        assert f.text not in text
        assert f.text not in json.dumps(log.read())  # nor in any escaped form
    assert not any(f.text in r.text() for f in findings for r in cloud.requests)


def test_entries_record_where_and_why(tmp_path):
    log = AuditLog(tmp_path / "a" / "audit.jsonl", key=b"k")
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM(_api_key=None), audit=log)
    prompt = "Email olena@example.com about the 2024 report"
    log.write(router.route(prompt), prompt, used="local", latency_s=0.5, prompt_tokens=12, completion_tokens=3,
              cost_usd=0.0, model="smollm2:135m", attempts=1)
    (entry,) = log.read()
    assert entry["target"] == entry["used"] == "local"
    assert entry["pii"] == {"email": 1} and entry["personal"] is True
    assert entry["redacted"] == "Email [EMAIL] about the 2024 report"
    assert entry["prompt_hmac"] == log.fingerprint(prompt) and len(entry["prompt_hmac"]) == 64
    assert entry["reasons"][0] == "personal data found: 1 email"
    assert {"ts", "id", "complexity", "latency_s", "prompt_tokens", "cost_usd", "model"} <= set(entry)


def test_hash_is_keyed(tmp_path, monkeypatch):
    monkeypatch.delenv("ROUTER_AUDIT_KEY", raising=False)
    a, b = AuditLog(tmp_path / "a.jsonl"), AuditLog(tmp_path / "b.jsonl")
    assert a.fingerprint("+380 67 123 45 67") != b.fingerprint("+380 67 123 45 67")  # random keys
    monkeypatch.setenv("ROUTER_AUDIT_KEY", "shared-secret")
    c, d = AuditLog(tmp_path / "c.jsonl"), AuditLog(tmp_path / "d.jsonl")
    assert c.fingerprint("x") == d.fingerprint("x")
    assert "shared-secret" not in repr(c)


def test_redacted_text_can_be_turned_off_and_is_capped(tmp_path):
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM(_api_key=None))
    off = AuditLog(tmp_path / "off.jsonl", store_redacted=False)
    assert "redacted" not in off.write(router.route("hello"), "hello")
    capped = AuditLog(tmp_path / "cap.jsonl", max_redacted_chars=10)
    assert len(capped.write(router.route("x" * 100), "x" * 100)["redacted"]) == 10


def test_unknown_fields_are_rejected(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM(_api_key=None))
    with pytest.raises(ValueError, match="unknown fields"):
        log.write(router.route("hi"), "hi", text="hi")
