"""Public checks for ``05_check_yourself``: the five "Check yourself" questions, answered in code.

The widgets give immediate feedback; these checks grade the same answers from the notebook's own
variables, so ``labs grade`` can score them (the right options and numbers come from
:mod:`labs.quiz.bank`, never from the notebook).
"""

from __future__ import annotations

from labs.exercises import answer, exercise
from labs.quiz import bank, practical


def _choice(qid: str, part_id: str, value) -> str:
    verdict = bank.evaluate(qid, part_id, value)
    assert not verdict.problem, f"cannot read {value!r}: {verdict.problem}"
    if verdict.correct:
        return f"{', '.join(verdict.answer)} — right."
    wrong = [o for o, (chosen, right) in verdict.options.items() if chosen and not right]
    missed = sum(1 for chosen, right in verdict.options.values() if right and not chosen)
    part = bank.question(qid).part(part_id)
    notes = " ".join(f"{o}) {bank.text(next(x.why for x in part.options if x.id == o))}" for o in wrong)
    raise AssertionError(f"not yet: {len(wrong)} wrong option(s) ticked, {missed} right one(s) missed. {notes}".strip())


@exercise("quiz.q1", points=1, hint="re-read lesson 1's table: privacy, volume, latency, offline")
def q1(ns: dict) -> str:
    return _choice("q1", "when", answer(ns, "q1_choices"))


@exercise("quiz.q2", points=1, hint="start a server (`labs serve` or `ollama serve`) and pull the model you name")
def q2(ns: dict) -> str:
    model = answer(ns, "MODEL")
    assert isinstance(model, str) and model.strip(), "`MODEL` should be the name of a model on your server, e.g. \"smollm2:135m\""
    probe = practical.setup(model.strip())
    failed = [f"{s.key}: {s.error}" for s in probe.steps if s.ok is False]
    assert probe.ok, "; ".join(failed)
    speed = probe.step("speed").fields
    return f"{model} answers at {probe.step('server').fields['url']}: {speed['tps']:.1f} tokens/s"


@exercise("quiz.q3", points=2, hint="build the client with labs.client.openai_client() or ollama_client() and return the text")
def q3(ns: dict) -> str:
    fn = answer(ns, "ask_local")
    probe = practical.sdk(fn)
    failed = [f"{s.key}: {s.error}" for s in probe.steps if s.ok is False]
    assert probe.ok, "; ".join(failed)
    return f"ask_local called {probe.step('local_call').fields['calls']}"


@exercise("quiz.q4", points=1, hint="PII never leaves your server; complex public work may go to the cloud")
def q4(ns: dict) -> str:
    first = _choice("q4", "route", answer(ns, "q4_local"))
    second = _choice("q4", "fallback", answer(ns, "q4_fallback"))
    return f"route: {first} fallback: {second}"


@exercise("quiz.q5", points=2, hint="use labs.costs: rental_cost(...).monthly_usd, api_cost(...).monthly_usd, break_even(...)")
def q5(ns: dict) -> str:
    said = []
    for name, part_id in (("q5_gpu_usd_per_month", "gpu_month"), ("q5_api_usd_per_month", "api_month"),
                          ("q5_break_even_requests_per_day", "break_even")):
        verdict = bank.evaluate("q5", part_id, answer(ns, name))
        assert not verdict.problem, f"`{name}`: {verdict.problem}"
        part = bank.question("q5").part(part_id)
        unit = bank.text(part.unit, "en")
        if not verdict.correct:
            side = "too high" if verdict.value > verdict.expected else "too low"
            raise AssertionError(f"`{name}` = {verdict.value:,.2f} {unit} is {side}. {bank.text(part.hint, 'en')}")
        said.append(f"{verdict.value:,.2f} {unit}")
    return "; ".join(said)
