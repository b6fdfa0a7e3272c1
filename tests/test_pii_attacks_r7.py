"""Issue 11, attack round 6 (second report, /work/attacks/issue11-r6): slow plus-lists, sums read as phones, a decimal
comma read as a phone, and a list of ``+380`` phones glued pairwise (lesson 3).

Each class is tested as a class; the inputs that failed before are kept as examples. All identifiers are synthetic.
Speed is measured as a ratio to a plain prompt of the same size timed in the same test (any machine).
"""

from __future__ import annotations

import json
import random

import pytest
from pii_attack_helpers import best_cpu_seconds

from labs.host import free_port
from labs.router import AuditLog, CloudLLM, Router, StandInCloud, detect_pii
from labs.router.audit import redact_for_log

TICKET = "Hello, since the upgrade our p95 latency grew from 120 ms to 900 ms; the queue holds about 1500 jobs. "


def _plain(n: int) -> str:
    return (TICKET * (n // len(TICKET) + 1))[:n]


# --- 1. plus-lists and sums: a plus after a blank starts the next number, no window runs across it -----------------
HOSTILE = {
    "+1 votes": lambda rng, n: ("+1 " * n)[:n],
    "sum of digits": lambda rng, n: " + ".join(str(rng.randint(0, 9)) for _ in range(n))[:n],
    "+d single digits": lambda rng, n: "".join(f"+{rng.randint(0, 9)} " for _ in range(n))[:n],
    "sum of 3-digit terms": lambda rng, n: " + ".join(str(rng.randint(100, 999)) for _ in range(n))[:n],
    "diff lines": lambda rng, n: "".join(f"+{rng.randint(1, 999)}\n" for _ in range(n))[:n],
}


@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_plus_list_costs_about_as_much_as_a_plain_prompt(make):
    """It was 90-135x a plain prompt at 2 KB and 20 KB (every window from every plus was a 8-15 digit "phone"); bounds leave room for a loaded machine."""
    rng = random.Random(1)
    small, big = make(rng, 2048), make(rng, 20480)
    t_small, t_big, p_small, p_big = best_cpu_seconds(detect_pii, [small, big, _plain(2048), _plain(20480)])
    assert t_small / p_small < 25, f"{t_small / p_small:.1f}x a plain 2 KB prompt"
    assert t_big / p_big < 25, f"{t_big / p_big:.1f}x a plain 20 KB prompt"
    assert t_big / t_small < 50, f"10x the length took {t_big / t_small:.1f}x the time"  # linear, not quadratic


def test_routing_a_long_sum_costs_about_as_much_as_routing_prose():
    router = Router("http://127.0.0.1:9")  # route() reads the prompt only: no model is asked
    rng = random.Random(2)
    head = "Explain step by step and compare: why does this sum overflow in int32? "
    hostile = head + " + ".join(str(rng.randint(0, 9)) for _ in range(20000))[:16384]
    plain = head + _plain(16384)
    t_hostile, t_plain = best_cpu_seconds(router.route, [hostile, plain], repeat=3)
    assert t_hostile / t_plain < 25, f"{t_hostile / t_plain:.1f}x routing prose"


# --- 2. false alarms: a sum with " + " and a decimal comma are no phone ---------------------------------------------
SUMS = ["Скільки буде 250 + 180 + 320 + 410?", "витрати: 120 + 85 + 40 + 15 + 300 грн", "What is 12 + 35 + 47 + 80 + 41 + 51?",
        "Обчисли 125 + 340 + 18 + 7 + 64", "Скільки буде 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10?"]


@pytest.mark.parametrize("text", SUMS)
def test_a_sum_written_with_spaced_pluses_is_no_phone(text):
    assert detect_pii(text) == []


@pytest.mark.parametrize("low,high", [(1, 9), (10, 99), (100, 999)], ids=["1-digit", "2-digit", "3-digit"])
@pytest.mark.parametrize("terms", [3, 4, 6, 10])
def test_sums_of_any_term_size_are_no_phones(low, high, terms):
    rng = random.Random(terms * high)
    for _ in range(40):
        text = rng.choice(["Скільки буде ", "Обчисли ", "What is ", "Compute "]) + \
            " + ".join(str(rng.randint(low, high)) for _ in range(terms)) + "?"
        assert detect_pii(text) == [], text


@pytest.mark.parametrize("fraction_digits", [8, 10, 12, 13, 15, 17])
def test_a_decimal_comma_with_many_fraction_digits_is_no_phone(fraction_digits):
    rng = random.Random(fraction_digits)

    def value(top: float = 0.1) -> str:
        return f"{rng.uniform(0, top):.{fraction_digits}f}".replace(".", ",")

    for _ in range(60):
        for text in (f"Середня похибка моделі становить {value()}",  # was a phone 66-71% of the time at 10 digits
                     "p_value;coef\n" + "\n".join(f"{value()};-{value(1)}" for _ in range(3)),  # a `;` CSV
                     "\t".join(value() for _ in range(4)),  # an Excel paste
                     f"{value(1)};{value(1)}", f"1 234,{value()[2:]} грн"):
            assert detect_pii(text) == [], text


@pytest.mark.parametrize("text", ["Середня похибка моделі становить 0,0677642695", "0,0262067619\t0,0568960835\t0,0528148499"])
def test_the_decimal_commas_of_the_report(text):
    assert detect_pii(text) == []


@pytest.mark.parametrize("text,part", [
    ("+380 67 123 45 67", "+380 67 123 45 67"), ("+44 20 7946 0557", "+44 20 7946 0557"),
    ("тел.+380671234567", "+380671234567"), ("Пишіть: тел.+380 67 123 45 67, дякую", "+380 67 123 45 67"),
    ("Call +1 415 555 0132 or +1 415 555 0133", "+1 415 555 0133"),
    ("мій номер 067 123 45 67 + 380 50 987 65 43", "380 50 987 65 43"),
    ("тел: 1,0671234567", "0671234567"),  # a phone word near: a CSV index and a phone, not a decimal
    ("Телефони:0671234567,0501234567", "0501234567"),  # a phone list without blanks: no decimal
    ("id,name,phone\n1,Olena,0671234567", "0671234567"),
])
def test_phones_written_with_a_plus_or_after_a_comma_stay_phones(text, part):
    at = text.index(part)
    assert any(f.kind == "phone" and f.start <= at and at + len(part) <= f.end for f in detect_pii(text)), detect_pii(text)


# --- 3. a list of +380 phones: each phone is its own finding, masked whole in the audit log ------------------------
LIST_SEPARATORS = ["\n", " / ", "/", "\n- ", " - ", "–", " – ", "\r\n", "\n\n", "\n• ", "\n* ", " | ", "\t", " ", ", ", "; "]


@pytest.mark.parametrize("sep", LIST_SEPARATORS)
def test_each_phone_of_a_list_is_its_own_finding_and_leaves_no_digits_in_the_log(sep):
    """One per line or after "/" or " - ": the next phone's "+380" was glued to the previous phone (one finding
    '+380 67 123 45 67\\n+380'), and every second phone kept 9 digits in the audit log."""
    rng = random.Random(len(sep))
    operators = ["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]
    for _ in range(20):
        phones = [f"+380 {rng.choice(operators)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                  for _ in range(4)]
        prompt = "Контакти:\n" + sep.join(phones)
        found = [f for f in detect_pii(prompt) if f.kind == "phone"]
        assert [f.text for f in found] == phones
        logged = redact_for_log(prompt, detect_pii(prompt))
        assert not any(ch.isdigit() for ch in logged), logged


def test_the_list_of_the_report_through_the_audit_log(tmp_path):
    prompt = "Compare step by step. Контакти:\n+380 67 123 45 67\n+380 50 987 65 43\n+380 93 111 22 33\n+380 97 444 55 66"
    log = AuditLog(tmp_path / "audit.jsonl", key=b"k")
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), audit=log, local_retries=0)
        assert router.complete(prompt).refused  # the local model is down and the prompt is personal
        assert cloud.requests == []
    text = log.path.read_text(encoding="utf-8")
    assert not any(d in text for d in ("67 123 45 67", "50 987 65 43", "93 111 22 33", "97 444 55 66")), text
    assert json.loads(text.splitlines()[-1])["pii"] == {"phone": 4}, text
