"""Lesson 1's public checks: not answered, wrong and right answers, each reported without raising."""

from __future__ import annotations

import pytest

from labs.exercises import run_check

# Hand-computed answers (the checks compute theirs from labs.costs; these are typed from the formulas).
A100 = 1.79 * 24 / ((1_000 * 0.40 + 300 * 1.60) / 1e6)  # 48,818 requests/day
RTX = (1599 / 36 + 0.45 * 730 * 0.6 * 0.25 + 150) * 24 / 730 / ((800 * 0.15 + 250 * 0.60) / 1e6)  # 29,673


@pytest.mark.parametrize(
    "exercise_id, name, right, wrong",
    [
        ("lesson1.break_even", "a100_break_even", A100, A100 * 30 / (730 / 24)),  # wrong: a 30-day API month
        ("lesson1.rtx4090_vs_mini", "rtx_box_beats_mini_at", RTX, RTX * 1.2),
        ("lesson1.no_break_even", "h100_break_even", None, 331_074.0),
        ("lesson1.clinic", "clinic_choice", "self-hosted", "cloud"),
    ],
)
def test_check_outcomes(exercise_id, name, right, wrong):
    assert run_check(exercise_id, {}).status == "not answered"
    assert run_check(exercise_id, {name: ...}).status == "not answered"
    assert run_check(exercise_id, {name: wrong}).status == "failed"
    result = run_check(exercise_id, {name: right})
    assert result.passed, result.message
    assert result.points == result.max_points > 0


def test_capacity_check_uses_the_learners_measured_speed():
    tps = 42.0
    right = 86_400 * 0.7 * tps / 200
    assert run_check("lesson1.capacity", {"local_tps": tps, "requests_per_day_capacity": right}).passed
    assert run_check("lesson1.capacity", {"local_tps": tps, "requests_per_day_capacity": right / 0.7}).status == "failed"
    assert run_check("lesson1.capacity", {"local_tps": tps, "requests_per_day_capacity": ...}).status == "not answered"


def test_wrong_types_fail_with_a_message_not_an_exception():
    result = run_check("lesson1.break_even", {"a100_break_even": "48818"})
    assert result.status == "failed" and "should be a number" in result.message
    result = run_check("lesson1.break_even", {"a100_break_even": True})
    assert result.status == "failed"


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_near_miss_is_told_as_such_not_as_wrong_reasoning(lang, monkeypatch):
    """Issue 17 r2 F12b: "Self-hosted" is the right choice spelled otherwise, and a BreakEven is the right object
    without its .requests_per_day; the feedback says so (in the learner's language) instead of "read the reasons"."""
    from labs.costs import api_cost, break_even, rental_cost

    monkeypatch.setenv("LAB_LANG", lang)
    spelled = run_check("lesson1.clinic", {"clinic_choice": "Self-hosted"})
    assert spelled.status == "failed" and "'self-hosted'" in spelled.message and "decide()" in spelled.message
    assert ("spelled differently" in spelled.message) == (lang == "en")
    mini = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    whole = break_even(mini, rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(200_000))
    for exercise_id, name in (("lesson1.no_break_even", "h100_break_even"), ("lesson1.break_even", "a100_break_even")):
        result = run_check(exercise_id, {name: whole})
        assert result.status == "failed" and ".requests_per_day" in result.message and "BreakEven" in result.message


@pytest.mark.parametrize("kind", ["int64", "int32", "float64", "float32", "Fraction"])
def test_numpy_and_other_real_numbers_are_answers(kind):
    """Issue 17 r3 F5: np.int64(48818) or np.float32 from a DataFrame cell is a number, not "got int64"."""
    from fractions import Fraction

    import numpy as np

    make = Fraction if kind == "Fraction" else getattr(np, kind)
    result = run_check("lesson1.break_even", {"a100_break_even": make(round(A100))})
    assert result.passed, result.message
    tps = make(42)
    result = run_check("lesson1.capacity", {"local_tps": tps, "requests_per_day_capacity": make(round(86_400 * 0.7 * 42 / 200))})
    assert result.passed, result.message
    assert run_check("lesson1.break_even", {"a100_break_even": np.bool_(True)}).status == "failed"


def test_the_learners_own_speed_is_not_rounded_away_in_feedback(monkeypatch):
    """Issue 17 r3 F10: local_tps=0.05 was echoed as "0,1 токена/с"; a big wrong answer as a raw repr."""
    monkeypatch.setenv("LAB_LANG", "uk")
    result = run_check("lesson1.capacity", {"local_tps": 0.05, "requests_per_day_capacity": 1.0})
    assert result.status == "failed" and "0,05 токена/с" in result.message, result.message
    result = run_check("lesson1.capacity", {"local_tps": 42, "requests_per_day_capacity": 1.0})
    assert "42 токени/с" in result.message, result.message
    result = run_check("lesson1.break_even", {"a100_break_even": -48818.181818181816})
    assert "-48\u00a0818,2" in result.message and "181818" not in result.message, result.message


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("spelled", ["self hosted", "selfhosted", "self_hosted", "self\u2013hosted", "self\u2011hosted",
                                     "self-hosted.", "«self-hosted»", '"self-hosted"', "`self-hosted`", "SELF-HOSTED",
                                     " self-hosted\n", "ｓｅｌｆ-ｈｏｓｔｅｄ"])
def test_every_near_miss_spelling_of_the_clinic_choice_is_told_as_spelling(lang, spelled, monkeypatch):
    """Issue 17 r3 F7: a space, underscore, en dash, U+2011, a full stop or quotes got "read decide()'s reasons"."""
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check("lesson1.clinic", {"clinic_choice": spelled})
    assert result.status == "failed" and "'self-hosted'" in result.message
    assert ("spelled differently" if lang == "en" else "написаний інакше") in result.message, result.message
    assert ("). Hint:" if lang == "en" else "). Підказка:") in result.message, result.message  # a full stop first
    assert run_check("lesson1.clinic", {"clinic_choice": "hybrid"}).message != result.message
