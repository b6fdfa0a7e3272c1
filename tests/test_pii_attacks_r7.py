"""Issue 11, attack round 6 (second report, /work/attacks/issue11-r6): slow plus-lists, sums read as phones, a decimal
comma read as a phone, and a list of ``+380`` phones glued pairwise (lesson 3).

Each class is tested as a class; the inputs that failed before are kept as examples. All identifiers are synthetic.
Speed is measured as a ratio to a plain prompt of the same size timed in the same test (any machine).
"""

from __future__ import annotations

import random
import time

import pytest

from labs.router import Router, detect_pii

TICKET = "Hello, since the upgrade our p95 latency grew from 120 ms to 900 ms; the queue holds about 1500 jobs. "


def _plain(n: int) -> str:
    return (TICKET * (n // len(TICKET) + 1))[:n]


def _best(fn, texts: list[str], repeat: int = 5) -> list[float]:
    """Best time of ``fn(text)`` for each text, timed in turns (a burst of load slows all alike)."""
    best = [float("inf")] * len(texts)
    for _ in range(repeat):
        for k, t in enumerate(texts):
            t0 = time.perf_counter()
            fn(t)
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


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
    """It was 90-135x a plain prompt at 2 KB and 20 KB (every window from every plus was a 8-15 digit "phone")."""
    rng = random.Random(1)
    small, big = make(rng, 2048), make(rng, 20480)
    t_small, t_big, p_small, p_big = _best(detect_pii, [small, big, _plain(2048), _plain(20480)])
    assert t_small / p_small < 10, f"{t_small / p_small:.1f}x a plain 2 KB prompt"
    assert t_big / p_big < 10, f"{t_big / p_big:.1f}x a plain 20 KB prompt"
    assert t_big / t_small < 30, f"10x the length took {t_big / t_small:.1f}x the time"  # linear, not quadratic


def test_routing_a_long_sum_costs_about_as_much_as_routing_prose():
    router = Router("http://127.0.0.1:9")  # route() reads the prompt only: no model is asked
    rng = random.Random(2)
    head = "Explain step by step and compare: why does this sum overflow in int32? "
    hostile = head + " + ".join(str(rng.randint(0, 9)) for _ in range(20000))[:16384]
    plain = head + _plain(16384)
    t_hostile, t_plain = _best(router.route, [hostile, plain], repeat=3)
    assert t_hostile / t_plain < 10, f"{t_hostile / t_plain:.1f}x routing prose"
