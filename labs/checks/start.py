"""Public checks for notebooks/00_start_here.ipynb."""

from __future__ import annotations

from labs.client import LocalLLM
from labs.exercises import answer, exercise


@exercise("start.first_reply", points=1, hint="call llm.generate(...) and keep the whole dict it returns")
def first_reply(ns: dict) -> str:
    reply = answer(ns, "reply")
    assert isinstance(reply, dict), "`reply` should be the dict that `llm.generate(...)` returns"
    assert reply.get("done") is True, "the reply is not finished: use a non-streamed call"
    assert reply.get("eval_count", 0) > 0, "the server generated no tokens: is `num_predict` above 0?"
    assert reply["eval_count"] <= 20, f"the answer has {reply['eval_count']} tokens: cap it with options={{'num_predict': 20}}"
    assert reply.get("eval_duration", 0) > 0, "the reply has no `eval_duration`: keep the whole dict the server sent"
    with LocalLLM() as llm:
        served = {m["name"] for m in llm.models()}
    assert reply.get("model") in served, f"{reply.get('model')!r} is not a model of the server at OLLAMA_HOST"
    rate = reply["eval_count"] / reply["eval_duration"] * 1e9
    return f"{reply['eval_count']} tokens at {rate:.0f} tokens/s from {reply['model']}"
