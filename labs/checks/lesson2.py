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

from labs.checks.calls import call_learner, short
from labs.exercises import answer, exercise
from labs.host import is_loopback
from labs.i18n import t
from labs.inputs import is_real
from labs.proxy import Exchange, RecordingProxy


def request_with(proxy: RecordingProxy, marker: str) -> Exchange:
    """The last POST whose body carries ``marker`` (also used by the hidden tests)."""
    found = [e for e in proxy.find(marker) if e.method == "POST"]
    assert found, t("checks.lesson2.not_through_host")
    return found[-1]


def _where(proxy: RecordingProxy) -> str:
    host = proxy.upstream.split("://", 1)[-1].rsplit(":", 1)[0]
    where = t("checks.lesson2.this_machine") if is_loopback(host) else t("checks.lesson2.not_this_machine")
    return f"{proxy.upstream} ({where})"


@exercise("lesson2.ask_local", points=2,
          hint=lambda: t("checks.lesson2.ask_local.hint"))
def check_ask_local(ns: dict) -> str:
    ask_local = answer(ns, "ask_local")
    marker = secrets.token_hex(4)
    prompt = f"Reply with one short sentence. (request {marker})"
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        reply = call_learner(ask_local, "ask_local", "prompt", prompt)
    assert isinstance(reply, str), t("checks.lesson2.ask_local.not_str", type=type(reply).__name__, value=short(reply))
    ex = request_with(proxy, marker)
    assert ex.path.startswith("/v1/"), t("checks.lesson2.ask_local.native", path=ex.path)
    agent = ex.headers.get("user-agent", "")
    assert agent.startswith("OpenAI/"), t("checks.lesson2.ask_local.agent", agent=agent)
    assert ex.status == 200, t("checks.lesson2.http_status", status=ex.status, body=ex.response[:200])
    assert reply.strip() == ex.text.strip(), t("checks.lesson2.ask_local.other_text", got=reply[:60], sent=ex.text[:60])
    return t("checks.lesson2.ask_local.passed", method=ex.method, path=ex.path, agent=agent, where=_where(proxy))


@exercise("lesson2.ttft", points=2,
          hint=lambda: t("checks.lesson2.ttft.hint"))
def check_ttft(ns: dict) -> str:
    ttft = answer(ns, "time_to_first_token")
    marker = secrets.token_hex(4)
    delay = 0.4  # the proxy holds back the first token, and then the rest, by this much
    with RecordingProxy(first_token_delay=delay, after_first_delay=delay) as proxy, proxy.as_ollama_host():
        started = time.perf_counter()
        value = call_learner(ttft, "time_to_first_token", "prompt", f"Count from one to five. (request {marker})")
        returned = time.perf_counter()
    assert is_real(value), t("checks.lesson2.ttft.not_number", type=type(value).__name__, value=short(value))
    value = float(value)  # np.float64/np.float32 from a timing array, as the float it stands for
    assert math.isfinite(value) and value > 0, t("checks.lesson2.ttft.not_positive", value=value)
    ex = request_with(proxy, marker)
    assert ex.streamed, t("checks.lesson2.ttft.not_streamed", path=ex.path)
    assert ex.first_token_at is not None, t("checks.lesson2.ttft.no_text")
    low = ex.first_token_at - ex.received_at - 0.01
    high = ex.first_token_at - started + 0.15
    assert value >= low, t("checks.lesson2.ttft.too_early", value=value, after=low + 0.01)
    assert value <= high, t("checks.lesson2.ttft.too_late", value=value, reached=high - 0.15, total=returned - started)
    return t("checks.lesson2.ttft.passed", value=value, low=low, high=high, delay=delay, path=ex.path)


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


def schema_problem(exc, schema: dict) -> str:
    """What a ``jsonschema.ValidationError`` found, in the learner's language (jsonschema's own text is English):
    a missing key, a key the schema does not allow, a value of the wrong type or outside the allowed values."""
    instance, path = exc.instance, list(exc.path)
    where = path[-1] if path else None
    if exc.validator == "required":
        missing = [k for k in exc.validator_value if isinstance(instance, dict) and k not in instance]
        return t("checks.lesson2.schema.required", keys=", ".join(repr(k) for k in missing), count=len(missing))
    if exc.validator == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = [k for k in instance if k not in allowed] if isinstance(instance, dict) else []
        return t("checks.lesson2.schema.extra", keys=", ".join(repr(k) for k in extra), count=len(extra))
    if exc.validator == "enum":
        return t("checks.lesson2.schema.enum", key=where, got=short(instance),
                 allowed=", ".join(repr(v) for v in exc.validator_value))
    if exc.validator == "type":
        return t("checks.lesson2.schema.type", key=where, got=short(instance), type=type(instance).__name__,
                 expected=exc.validator_value)
    return t("checks.lesson2.schema.other", key=where, rule=exc.validator)


@exercise("lesson2.structured", points=2,
          hint=lambda: t("checks.lesson2.structured.hint"))
def check_structured(ns: dict) -> str:
    import jsonschema

    ask_json = answer(ns, "ask_json")
    marker = secrets.token_hex(2)  # short: a grammar-constrained token costs ~0.1 s on a small CPU
    key, schema = _schema(marker)
    with RecordingProxy() as proxy, proxy.as_ollama_host():
        result = call_learner(ask_json, "ask_json", "prompt, schema", "Is the sky blue on a clear day? Answer as JSON.", schema)
    assert isinstance(result, dict), t("checks.lesson2.structured.not_dict", type=type(result).__name__, value=short(result))
    try:
        jsonschema.validate(result, schema)
    except jsonschema.ValidationError as exc:
        raise AssertionError(t("checks.lesson2.structured.schema_mismatch", result=short(result),
                               error=schema_problem(exc, schema))) from None
    ex = request_with(proxy, key)
    assert sent_schema(ex.json) == schema, t(
        "checks.lesson2.structured.schema_not_sent", native="format=schema",
        openai="response_format={'type': 'json_schema', 'json_schema': {'name': ..., 'schema': schema}}")
    try:
        sent = json.loads(ex.text)
    except ValueError:
        raise AssertionError(t("checks.lesson2.structured.not_json", text=ex.text[:80])) from None
    assert sent == result, t("checks.lesson2.structured.not_what_sent", result=result, sent=sent)
    return t("checks.lesson2.structured.passed", result=result, path=ex.path)
