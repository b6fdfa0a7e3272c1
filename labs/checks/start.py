"""Public checks for notebooks/00_start_here.ipynb."""

from __future__ import annotations

from labs.client import LocalLLM
from labs.exercises import answer, exercise
from labs.i18n import t


@exercise("start.first_reply", points=1, hint=lambda: t("checks.start.first_reply.hint"))
def first_reply(ns: dict) -> str:
    reply = answer(ns, "reply")
    assert isinstance(reply, dict), t("checks.start.not_dict")
    assert reply.get("done") is True, t("checks.start.not_done")
    assert reply.get("eval_count", 0) > 0, t("checks.start.no_tokens")
    assert reply["eval_count"] <= 20, t("checks.start.too_long", count=reply["eval_count"])
    assert reply.get("eval_duration", 0) > 0, t("checks.start.no_duration")
    with LocalLLM() as llm:
        served = {m["name"] for m in llm.models()}
    assert reply.get("model") in served, t("checks.start.unknown_model", model=reply.get("model"))
    from labs.grading import evidence  # under `labs grade`: the reply must be one the server really sent

    assert not evidence.grading() or evidence.find_reply(reply) is not None, t("checks.start.not_recorded")
    rate = reply["eval_count"] / reply["eval_duration"] * 1e9
    return t("checks.start.passed", count=reply["eval_count"], rate=rate, model=reply["model"])
