"""Hidden instructor tests for ``00_start_here`` (run by ``labs grade``, never shown to learners).

The public check sees a finished dict from a model the server has. These tests look at what it does
not: the exercise's token budget, and that the dict is a reply the server produced just now (a dict
pasted from the API docs or another run has an old ``created_at`` or inconsistent counters).
"""

from __future__ import annotations

import datetime as dt
import re

from labs.exercises import answer, hidden_test

MAX_TOKENS = 20  # the exercise: "at most 20 tokens"
FRESH = dt.timedelta(hours=3)  # the grader runs the notebook and then the tests: minutes apart
CLOCK_SKEW = dt.timedelta(minutes=5)


def _when(stamp: object) -> dt.datetime:
    """``created_at`` as an aware datetime (Ollama writes RFC 3339 with up to 9 fractional digits)."""
    assert isinstance(stamp, str) and stamp, f"`reply['created_at']` should be a timestamp string, got {stamp!r}"
    text = re.sub(r"(\.\d{6})\d+", r"\1", stamp.strip()).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise AssertionError(f"`reply['created_at']` = {stamp!r} is not a timestamp the server writes") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


@hidden_test("start.first_reply", points=1)
def kept_to_the_token_budget(ns: dict) -> str:
    """The exercise allowed at most 20 generated tokens (``num_predict`` <= 20)."""
    reply = answer(ns, "reply")
    assert isinstance(reply, dict), "`reply` should be the dict that `llm.generate(...)` returns"
    count = reply.get("eval_count")
    assert isinstance(count, int) and 0 < count <= MAX_TOKENS, (
        f"the reply has {count} generated tokens; the exercise asks for at most {MAX_TOKENS}: "
        f"pass options={{'num_predict': {MAX_TOKENS}}}")
    return f"{count} tokens (at most {MAX_TOKENS})"


@hidden_test("start.first_reply", points=1)
def a_fresh_reply_from_the_server(ns: dict) -> str:
    """Made by the server during this run: recent timestamp, text, and counters that add up."""
    reply = answer(ns, "reply")
    assert isinstance(reply, dict), "`reply` should be the dict that `llm.generate(...)` returns"
    text = reply.get("response")
    assert isinstance(text, str) and text.strip(), "`reply['response']` holds no text: keep the dict generate() returns"
    now = dt.datetime.now(dt.timezone.utc)
    made = _when(reply.get("created_at"))
    assert now - FRESH <= made <= now + CLOCK_SKEW, (
        f"the reply was created at {made.isoformat()}, not during this run ({now.isoformat()}): "
        "call llm.generate(...) in the answer cell instead of pasting a reply")
    durations = [reply.get(k) for k in ("total_duration", "eval_duration")]
    assert all(isinstance(d, int) and d > 0 for d in durations) and durations[0] >= durations[1], (
        f"the reply's timings do not add up (total {durations[0]!r} ns, generation {durations[1]!r} ns): "
        "keep the dict generate() returns, unchanged")
    from labs.grading import evidence  # under `labs grade`: the gate recorded the server's own reply

    if evidence.grading():
        sent = evidence.find_reply(reply)
        assert sent is not None, ("`reply` is not a reply the model server sent during this run: its text or "
                                  "counters (created_at, eval_count, eval_duration) differ from every recorded call")
    return f"created {int((now - made).total_seconds())} s before grading; {len(text)} characters of text"
