"""Hidden instructor tests for ``02_ollama_setup`` (run by ``labs grade``, never shown to learners).

Like the public checks, each test runs the learner's function with ``OLLAMA_HOST`` pointed at a
:class:`~labs.proxy.RecordingProxy` in front of the model server, and compares the function's result
with what really travelled. What they add: a second, unseen prompt (Ukrainian, quotes, a line break)
that must arrive as the user message word for word, within the exercise's 32-token budget; a time to
first token under a different, longer delay (a function that returns a typical figure instead of
measuring passes one delay, not two); and a schema of another shape (integer and string enums) that
must be sent as given and honoured.
"""

from __future__ import annotations

import json
import math
import secrets
import time

from labs.checks.lesson2 import request_with, sent_schema
from labs.exercises import answer, hidden_test
from labs.host import is_loopback
from labs.proxy import RecordingProxy

MAX_TOKENS = 32  # the exercises: keep answers short (max_tokens / num_predict <= 32)


def _call(fn, *args):
    """The learner's function, its exceptions turned into a failure with the reason."""
    try:
        return fn(*args)
    except Exception as exc:  # the learner's code raised on a new input: a failed test, not a grader error
        raise AssertionError(f"your function raised {type(exc).__name__}: {exc}") from None


@hidden_test("lesson2.ask_local", points=1)
def unseen_prompt_arrives_word_for_word(ns: dict) -> str:
    """A new prompt reaches the local server's /v1 as the user message, unchanged; the reply is the server's."""
    ask_local = answer(ns, "ask_local")
    marker = secrets.token_hex(4)
    prompt = f'Скажи «привіт» одним словом.\nThen say "done". [{marker}]'
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        reply = _call(ask_local, prompt)
    ex = request_with(proxy, marker)
    body = ex.json if isinstance(ex.json, dict) else {}
    assert ex.path.startswith("/v1/"), f"the request went to {ex.path}: use the openai client (base_url ends in /v1)"
    messages = body.get("messages") or []
    users = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    assert users and users[-1] == prompt, (
        f"the last user message was {users[-1] if users else None!r}, not the prompt given: send it unchanged")
    host = proxy.upstream.split("://", 1)[-1].rsplit(":", 1)[0]
    assert ex.status == 200 and is_loopback(host), f"the request did not get an answer from a local server ({ex.status})"
    assert isinstance(reply, str) and reply.strip() == ex.text.strip(), (
        f"ask_local returned {str(reply)[:60]!r}, but the server sent {ex.text[:60]!r}")
    return f"the prompt arrived unchanged at {ex.path} on {proxy.upstream}; its reply was returned"


@hidden_test("lesson2.ask_local", points=1)
def reply_is_kept_short(ns: dict) -> str:
    """The request caps the reply at 32 tokens or fewer, and the server generated no more than that."""
    ask_local = answer(ns, "ask_local")
    marker = secrets.token_hex(4)
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        _call(ask_local, f"Write a long story about a lighthouse keeper. ({marker})")
    ex = request_with(proxy, marker)
    body = ex.json if isinstance(ex.json, dict) else {}
    cap = body.get("max_tokens", body.get("max_completion_tokens"))
    assert isinstance(cap, int) and 0 < cap <= MAX_TOKENS, (
        f"the request asked for max_tokens={cap!r}: the exercises keep answers to {MAX_TOKENS} tokens or fewer")
    try:
        used = json.loads(ex.response).get("usage", {}).get("completion_tokens")
    except (ValueError, AttributeError):
        used = None
    assert used is None or used <= cap, f"the server generated {used} tokens, more than max_tokens={cap}"
    return f"max_tokens={cap}; the server generated {used if used is not None else '?'} tokens"


@hidden_test("lesson2.ttft", points=1)
def follows_a_longer_delay(ns: dict) -> str:
    """With the first token held back 1.0 s (the public check uses 0.4 s), the figure moves with it."""
    ttft = answer(ns, "time_to_first_token")
    marker = secrets.token_hex(4)
    delay, after = 1.0, 0.3
    with RecordingProxy(first_token_delay=delay, after_first_delay=after) as proxy, proxy.as_ollama_host():
        started = time.perf_counter()
        value = _call(ttft, f"Name three colours. (request {marker})")
    assert isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), \
        f"time_to_first_token must return seconds as a number, got {value!r}"
    ex = request_with(proxy, marker)
    assert ex.streamed and ex.first_token_at is not None, "the request was not streamed, or carried no text"
    low = ex.first_token_at - ex.received_at - 0.01
    high = ex.first_token_at - started + 0.15
    assert low <= value <= high, (
        f"you measured {value:.3f} s; with the first token held back {delay} s it reached you "
        f"{ex.first_token_at - ex.received_at:.3f} s after the request arrived: measure each call, "
        "from just before sending to the first chunk with text")
    return f"{value:.3f} s within [{low:.3f}, {high:.3f}] s under a {delay} s delay"


@hidden_test("lesson2.structured", points=1)
def another_schema_shape(ns: dict) -> str:
    """A schema with an integer enum and a string enum (new keys) is sent as given and the result honours it."""
    import jsonschema

    ask_json = answer(ns, "ask_json")
    marker = secrets.token_hex(2)
    count, colour = f"n_{marker}", f"c_{marker}"
    schema = {"type": "object",
              "properties": {count: {"type": "integer", "enum": [1, 2, 3]},
                             colour: {"type": "string", "enum": ["red", "green"]}},
              "required": [count, colour], "additionalProperties": False}
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        result = _call(ask_json, "How many suns does the Earth have, and what colour is grass? Answer as JSON.",
                       json.loads(json.dumps(schema)))
    assert isinstance(result, dict), f"ask_json must return the parsed object (a dict), got {type(result).__name__}"
    try:
        jsonschema.validate(result, schema)
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"{result} does not match the test's schema: {exc.message}") from None
    ex = request_with(proxy, count)
    assert sent_schema(ex.json) == schema, "the schema given was not sent, unchanged, as the request's format"
    try:
        sent = json.loads(ex.text)
    except ValueError:
        raise AssertionError(f"the server's reply was not JSON: {ex.text[:80]!r}") from None
    assert sent == result, f"you returned {result}, but the server sent {sent}"
    return f"{result} matches a second schema and is what {ex.path} returned"
