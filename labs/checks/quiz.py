"""Public checks for ``05_check_yourself``: the five "Check yourself" questions, answered in code.

The widgets give immediate feedback; these checks grade the same answers from the notebook's own
variables, so ``labs grade`` can score them (the right options and numbers come from
:mod:`labs.quiz.bank`, never from the notebook).
"""

from __future__ import annotations

from labs import DEFAULT_MODEL
from labs.exercises import answer, answers, exercise
from labs.grading import evidence
from labs.i18n import figure, number, t
from labs.quiz import bank, practical


def _choice(qid: str, part_id: str, value) -> str:
    verdict = bank.evaluate(qid, part_id, value)
    assert not verdict.problem, t("checks.quiz.unreadable", value=value, problem=verdict.problem)
    if verdict.correct:
        return t("checks.quiz.right", answer=", ".join(verdict.answer))
    wrong = [o for o, (chosen, right) in verdict.options.items() if chosen and not right]
    missed = sum(1 for chosen, right in verdict.options.values() if right and not chosen)
    part = bank.question(qid).part(part_id)
    notes = " ".join(f"{o}) {bank.text(next(x.why for x in part.options if x.id == o))}" for o in wrong)
    raise AssertionError(t("checks.quiz.not_yet", wrong=len(wrong), missed=missed, notes=notes).strip())


@exercise("quiz.q1", points=1, hint=lambda: t("checks.quiz.q1.hint"))
def q1(ns: dict) -> str:
    return _choice("q1", "when", answer(ns, "q1_choices"))


@exercise("quiz.q2", points=1, hint=lambda: t("checks.quiz.q2.hint", default=DEFAULT_MODEL))
def q2(ns: dict) -> str:
    model = answer(ns, "MODEL")
    assert isinstance(model, str) and model.strip(), t("checks.quiz.q2.not_a_name")
    probe = practical.setup(model.strip())
    failed = [s.error for s in probe.steps if s.ok is False]  # in LAB_LANG; the step's key is for the code
    assert probe.ok, "; ".join(failed)
    speed = probe.step("speed").fields
    return t("checks.quiz.q2.passed", model=model, url=probe.step("server").fields["url"], tps=speed["tps"])


@exercise("quiz.q3", points=2, hint=lambda: t("checks.quiz.q3.hint"))
def q3(ns: dict) -> str:
    fn = answer(ns, "ask_local")
    kept: list = []
    seen = len(evidence.exchanges())

    def kept_fn(prompt: str):  # the full text returned, for the grader's evidence
        kept.append(fn(prompt))
        return kept[-1]

    probe = practical.sdk(kept_fn if evidence.grading() and callable(fn) else fn)
    failed = [s.error for s in probe.steps if s.ok is False]  # each says what failed in LAB_LANG; the step key is code
    said = "; ".join(failed)
    assert probe.ok, said[:1].upper() + said[1:]  # a sentence, as every other check's message
    if evidence.grading():  # under labs grade: the text returned must be the server's reply to this very prompt
        problem = evidence.answer_problem(practical.SDK_PROMPT, kept[-1] if kept else None, seen)
        assert not problem, t("checks.quiz.q3.answer", problem=problem)
    return t("checks.quiz.q3.passed", calls=probe.step("local_call").fields["calls"])


@exercise("quiz.q4", points=1, hint=lambda: t("checks.quiz.q4.hint"))
def q4(ns: dict) -> str:
    local, fallback = answers(ns, "q4_local", "q4_fallback")  # both blanks named at once while both are `...`
    first = _choice("q4", "route", local)
    second = _choice("q4", "fallback", fallback)
    return t("checks.quiz.q4.passed", first=first, second=second)


@exercise("quiz.q5", points=2, hint=lambda: t("checks.quiz.q5.hint"))
def q5(ns: dict) -> str:
    said = []
    parts = (("q5_gpu_usd_per_month", "gpu_month"), ("q5_api_usd_per_month", "api_month"),
             ("q5_break_even_requests_per_day", "break_even"))
    given = answers(ns, *(name for name, _ in parts))  # every blank named at once, not one per run
    for (name, part_id), value in zip(parts, given):
        verdict = bank.evaluate("q5", part_id, value)
        assert not verdict.problem, f"`{name}`: {verdict.problem}"
        part = bank.question("q5").part(part_id)
        # the learner's figure in their typography: an amount with cents (248,20), a count as typed (41 846), and
        # the unit in the learner's language after it, its noun agreeing with the number as printed (41 846,2 запиту)
        money = part.unit.get("en", "").startswith("USD")
        value = number(verdict.value, 2) if money else figure(verdict.value)
        unit = part.unit_for(round(verdict.value, 2) if money else float(figure(verdict.value, "en").replace(",", "")))
        if not verdict.correct:
            side = t("checks.quiz.q5.too_high") if verdict.value > verdict.expected else t("checks.quiz.q5.too_low")
            raise AssertionError(t("checks.quiz.q5.wrong", name=name, value=value, unit=unit, side=side,
                                   hint=bank.text(part.hint)))
        said.append(f"{value} {unit}")
    return "; ".join(said)
