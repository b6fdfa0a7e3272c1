"""Public checks of lesson 2 (Ollama: three ways to call a model, streaming, structured output).

Every check runs the learner's function against a check-owned :class:`~labs.proxy.RecordingProxy`:
a real HTTP server on a free local port that forwards to the model server and records each
exchange. ``OLLAMA_HOST`` points at the proxy while the function runs, so the function must build
its client when it is called (``openai_client()``, ``LocalLLM()`` and ``ollama_client()`` read
``OLLAMA_HOST`` when they are created). A constant answer cannot pass: the check compares what
the function returns with what the server really sent, and the prompts and schemas carry a fresh
random marker each time.
"""

from __future__ import annotations

import json
import math
import secrets
import time

from labs.exercises import answer, exercise
from labs.host import is_loopback
from labs.proxy import Exchange, RecordingProxy

NOT_THROUGH_HOST = (
    "nothing with the check's prompt reached OLLAMA_HOST (the check pointed it at its own recording "
    "server). Create the client INSIDE the function — openai_client(), LocalLLM() and ollama_client() "
    "read OLLAMA_HOST when they are created — and do not hard-code a URL."
)


def request_with(proxy: RecordingProxy, marker: str) -> Exchange:
    """The last POST whose body carries ``marker`` (also used by the hidden tests)."""
    found = [e for e in proxy.find(marker) if e.method == "POST"]
    assert found, NOT_THROUGH_HOST
    return found[-1]


def _where(proxy: RecordingProxy) -> str:
    host = proxy.upstream.split("://", 1)[-1].rsplit(":", 1)[0]
    return f"{proxy.upstream} ({'this machine' if is_loopback(host) else 'NOT this machine'})"


@exercise("lesson2.ask_local", points=2,
          hint="client = openai_client(); client.chat.completions.create(model=..., messages=[...], max_tokens=32)"
               " and return .choices[0].message.content")
def check_ask_local(ns: dict) -> str:
    ask_local = answer(ns, "ask_local")
    marker = secrets.token_hex(4)
    prompt = f"Reply with one short sentence. (request {marker})"
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        reply = ask_local(prompt)
    assert isinstance(reply, str), f"ask_local must return the reply text (a str), got {type(reply).__name__}"
    ex = request_with(proxy, marker)
    assert ex.path.startswith("/v1/"), (
        f"the request went to {ex.path}, the native API: use the openai client, whose base_url ends in /v1")
    agent = ex.headers.get("user-agent", "")
    assert agent.startswith("OpenAI/"), f"the request was sent by {agent!r}, not by the openai client"
    assert ex.status == 200, f"the server answered HTTP {ex.status}: {ex.response[:200]!r}"
    assert reply.strip() == ex.text.strip(), (
        f"ask_local returned {reply[:60]!r}, but the server sent {ex.text[:60]!r}: return the model's reply text")
    return f"{ex.method} {ex.path} by {agent} reached {_where(proxy)}; the reply you returned is what it sent."


@exercise("lesson2.ttft", points=2,
          hint="note time.perf_counter() before the request; stream; at the first chunk with text, return the difference")
def check_ttft(ns: dict) -> str:
    ttft = answer(ns, "time_to_first_token")
    marker = secrets.token_hex(4)
    delay = 0.4  # the proxy holds back the first token, and then the rest, by this much
    with RecordingProxy(first_token_delay=delay, after_first_delay=delay) as proxy, proxy.as_ollama_host():
        started = time.perf_counter()
        value = ttft(f"Count from one to five. (request {marker})")
        returned = time.perf_counter()
    assert isinstance(value, (int, float)) and not isinstance(value, bool), \
        f"time_to_first_token must return seconds as a number, got {type(value).__name__}"
    assert math.isfinite(value) and value > 0, f"got {value}: a time to first token is a positive number of seconds"
    ex = request_with(proxy, marker)
    assert ex.streamed, (f"the request to {ex.path} was not streamed (the answer came back in one piece): "
                         "ask for stream=True, or there is no 'first token' to time")
    assert ex.first_token_at is not None, "the server's stream carried no text: ask for at least a few tokens"
    low = ex.first_token_at - ex.received_at - 0.01
    high = ex.first_token_at - started + 0.15
    assert value >= low, (f"you measured {value:.3f} s, but the first token left the server only "
                          f"{low + 0.01:.3f} s after your request arrived: start the clock before sending")
    assert value <= high, (f"you measured {value:.3f} s, but the first token reached you about {high - 0.15:.3f} s "
                           f"after the call began (the whole call took {returned - started:.3f} s): "
                           "stop the clock at the FIRST chunk that carries text, not at the end, and return seconds")
    return (f"{value:.3f} s, within [{low:.3f}, {high:.3f}] s (the check's proxy added {delay} s before the first "
            f"token and {delay} s after it); streamed from {ex.path}.")


def _schema(marker: str) -> tuple[str, dict]:
    key = f"a_{marker}"
    return key, {"type": "object",
                 "properties": {key: {"type": "string", "enum": ["yes", "no"]}, "sure": {"type": "boolean"}},
                 "required": [key, "sure"], "additionalProperties": False}


def sent_schema(body: object) -> object:
    """The schema a request asked for: native ``format`` or OpenAI's ``response_format`` (also used by the hidden tests)."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("format"), dict):
        return body["format"]
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
        return fmt["json_schema"].get("schema")
    return None


@exercise("lesson2.structured", points=2,
          hint="llm.generate(prompt, format=schema, options=...)['response'], then json.loads it")
def check_structured(ns: dict) -> str:
    import jsonschema

    ask_json = answer(ns, "ask_json")
    marker = secrets.token_hex(2)  # short: a grammar-constrained token costs ~0.1 s on a small CPU
    key, schema = _schema(marker)
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        result = ask_json("Is the sky blue on a clear day? Answer as JSON.", schema)
    assert isinstance(result, dict), f"ask_json must return the parsed JSON object (a dict), got {type(result).__name__}"
    try:
        jsonschema.validate(result, schema)
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"{result} does not match the check's schema: {exc.message}") from None
    ex = request_with(proxy, key)
    assert sent_schema(ex.json) == schema, (
        "the schema was not sent as the request's format (native: format=schema; openai: "
        "response_format={'type': 'json_schema', 'json_schema': {'name': ..., 'schema': schema}})")
    try:
        sent = json.loads(ex.text)
    except ValueError:
        raise AssertionError(f"the server's reply was not JSON: {ex.text[:80]!r}") from None
    assert sent == result, f"you returned {result}, but the server sent {sent}: return json.loads of the reply"
    return f"{result} matches the check's schema and is what {ex.path} returned."
