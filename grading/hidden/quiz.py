"""Hidden instructor tests for ``05_check_yourself`` (run by ``labs grade``, never shown to learners).

They live outside the learner notebooks and outside the ``labs`` package, and register with
:func:`labs.exercises.hidden_test`.
"""

from __future__ import annotations

import json

from labs.client import LocalLLM
from labs.exercises import answer, hidden_test
from labs.grading import evidence
from labs.quiz import practical
from labs.quiz.scenarios import REQUESTS_PER_DAY

SECOND_PROMPT = "In one short sentence: what does a GPU do for a language model?"
THIRD_PROMPT = "In one word: which is larger, 3 or 12?"
"""Asked after :data:`SECOND_PROMPT`: two unrelated questions get two different answers, so an answer that does not
depend on the prompt (a constant the request forces, through a system prompt or anything else) fails."""


@hidden_test("quiz.q2", points=1)
def model_is_really_installed(ns: dict) -> str:
    """The named model has details on the server (family, size), not just a name in a list."""
    model = answer(ns, "MODEL").strip()
    with LocalLLM() as llm:
        details = llm.show(model).get("details", {})
    assert details.get("parameter_size") or details.get("family"), f"the server has no details for {model}"
    return f"{model}: {details.get('parameter_size', '?')} {details.get('quantization_level', '')}".strip()


@hidden_test("quiz.q3", points=1)
def prompt_reaches_the_server(ns: dict) -> str:
    """A second, unseen prompt is sent as given (no hard-coded prompt or answer)."""
    fn = answer(ns, "ask_local")
    seen = len(evidence.exchanges())
    with practical.watch_http() as calls:
        returned = fn(SECOND_PROMPT)
    bodies = []
    for call in calls:
        if call.path.rstrip("/").endswith(practical.MODEL_PATHS):
            try:
                bodies.append(json.dumps(json.loads(call.response.request.content), ensure_ascii=False))
            except Exception:
                continue
    assert any(SECOND_PROMPT in body for body in bodies), "the prompt passed to ask_local did not reach the model server"
    assert isinstance(returned, str) and returned.strip(), "ask_local returned no text for a second prompt"
    if evidence.grading():  # the gate's record: the reply to THIS prompt must be what was returned
        problem = evidence.answer_problem(SECOND_PROMPT, returned, seen)
        assert not problem, problem
    else:
        served = [t for t in (c.text() for c in calls) if t]
        assert not served or any(t.strip() in returned for t in served), "the text returned is not the server's answer"
    seen = len(evidence.exchanges())
    other = fn(THIRD_PROMPT)
    assert not isinstance(other, str) or other.strip() != returned.strip(), \
        "ask_local returned the same text for two unrelated prompts: return the model's answer to the prompt given"
    if evidence.grading():
        problem = evidence.answer_problem(THIRD_PROMPT, other, seen)
        assert not problem, problem
    return "the prompt was sent as given and the server's answer returned"


@hidden_test("quiz.q5", points=1)
def numbers_agree_with_each_other(ns: dict) -> str:
    """The break-even follows from the two monthly costs (not three numbers copied from elsewhere)."""
    gpu = float(answer(ns, "q5_gpu_usd_per_month"))
    api = float(answer(ns, "q5_api_usd_per_month"))
    even = float(answer(ns, "q5_break_even_requests_per_day"))
    implied = gpu / api * REQUESTS_PER_DAY  # the API bill grows with volume; the GPU's does not
    assert abs(even - implied) <= 0.02 * implied, f"break-even {even:,.0f} does not follow from your costs ({implied:,.0f})"
    return f"break-even {even:,.0f} ≈ {implied:,.0f} from your two costs"
