"""What the model server really sent a graded notebook: the gate's records, for the checks to compare answers with.

Under ``labs grade`` the worker hands its :class:`labs.grading.gate.Gate`'s exchanges to :func:`use`; a
check then asks :func:`grading` (are we under the grader?) and :func:`find_reply` (is this dict a reply
the server sent during this run?). In a learner's own kernel nothing is recorded, :func:`grading` is
False and the checks fall back to what the answer itself says. Lesson 0 (``start.first_reply``) and the
quiz (``quiz.q3``) use it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from labs.gojson import fold_key
from labs.proxy import Exchange, _line_object

_RECORDED: list[Exchange] | None = None
COUNTERS = ("created_at", "eval_count", "eval_duration", "total_duration")
"""Fields of a final reply that the server sets and a matching answer must carry unchanged."""


def use(exchanges: list[Exchange] | None) -> None:
    """Make ``exchanges`` (a live list the gate appends to) the evidence; ``None`` outside the grader."""
    global _RECORDED
    _RECORDED = exchanges


def grading() -> bool:
    """True under ``labs grade`` (the gate records this notebook's traffic)."""
    return _RECORDED is not None


def exchanges() -> list[Exchange]:
    """Every exchange recorded so far (empty outside the grader)."""
    return list(_RECORDED or [])


def final_object(exchange: Exchange) -> dict | None:
    """The reply's last JSON object: the whole body, or the last NDJSON/SSE line (it carries the counters)."""
    try:
        body = json.loads(exchange.response)
        return body if isinstance(body, dict) else None
    except (ValueError, UnicodeDecodeError):
        pass
    last = None
    for line in exchange.response.decode("utf-8", errors="replace").splitlines():
        obj = _line_object(line)
        if isinstance(obj, dict):
            last = obj
    return last


def find_reply(reply: Any, paths: tuple[str, ...] = ("/api/generate", "/api/chat")) -> Exchange | None:
    """The recorded exchange that sent ``reply`` (a dict a notebook kept): same path, status 200, the same
    text (streamed pieces joined) and the same :data:`COUNTERS`; ``None`` when the server never sent it."""
    if not isinstance(reply, dict):
        return None
    text = reply.get("response") if isinstance(reply.get("response"), str) else \
        (reply.get("message") or {}).get("content") if isinstance(reply.get("message"), dict) else None
    for exchange in reversed(exchanges()):
        if exchange.status != 200 or exchange.path.split("?")[0].rstrip("/") not in paths:
            continue
        last = final_object(exchange)
        if last is None or any(last.get(k) != reply.get(k) for k in COUNTERS):
            continue
        if text is not None and text != exchange.text:
            continue
        return exchange
    return None


def served_texts(since: int = 0) -> list[str]:
    """The generated texts of the successful model calls recorded from index ``since`` on (streams joined)."""
    return [e.text for e in exchanges()[since:] if e.status == 200 and e.text]


MODEL_ROUTES = ("/api/generate", "/api/chat", "/v1/chat/completions", "/v1/completions")
"""Routes whose replies carry generated text (the evidence of :func:`answer_problem`)."""
MOST_STOPS = 4
"""Stop strings a request may carry and still count as evidence: the lessons send none (Ollama's API takes a few);
a long list (every printable character) lets the server generate nothing while the call looks real."""
SHARE = 0.8
"""Share of the returned text (stripped) the generated text must make up: the answer is the model's, give or take
a prefix or a quote, never a constant with a token of the model's inside."""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


STEERING = ("format", "raw", "template", "suffix", "context", "images", "echo", "response_format", "tools",
            "functions", "tool_choice", "logit_bias", "grammar", "prediction")
"""Request fields that constrain or replace what the model writes (a JSON schema whose only value is the answer, a raw
or replaced template, earlier context, an echo of the prompt): a request that sets one is not evidence that the model
answered the prompt. The lessons' ``ask_local`` sends none."""


CONTROL_TOKENS = re.compile(r"<\|[^|<>\s]{1,40}\|>|\[/?INST\]|<</?SYS>>|</?s>|<(?:start|end)_of_turn>",
                            re.IGNORECASE)
"""Chat-template control tokens (ChatML ``<|im_start|>``, Llama 3 ``<|eot_id|>``, ``[INST]``, Gemma's turns): typed
into a prompt they end the user's turn and start a made-up answer the model only continues."""


def folded(value: Any) -> Any:
    """``value`` with every object key lower-cased after Go's folding (:func:`labs.gojson.fold_key`): Ollama reads
    keys as Go's ``encoding/json`` does, matching them case-insensitively (``"OPTIONS": {"ſTOP": …}`` is
    ``options.stop``). The gate refuses a body with a key twice."""
    if isinstance(value, dict):
        return {fold_key(str(k)).lower(): folded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [folded(v) for v in value]
    return value


def _stops(body: dict) -> int:
    options = body.get("options") if isinstance(body.get("options"), dict) else {}
    count = 0
    for stop in (body.get("stop"), options.get("stop")):
        count += len(stop) if isinstance(stop, list) else 1 if stop else 0
    return count


def _prompt_texts(route: str, body: dict) -> list[str]:
    """What the model reads as the user's prompt: ``prompt`` (generate, completions), or the last message when it is
    the user's (chat: a last assistant message would be continued, not answered)."""
    if route in ("/api/generate", "/v1/completions"):
        return _strings(body.get("prompt"))
    messages = body.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(last, dict) or last.get("role") != "user":
        return []
    return _strings(last.get("content"))


def request_problem(route: str, body: dict, prompt: str) -> str:
    """Why the request ``body`` (keys as sent) to ``route`` is not a plain request for the model's answer to
    ``prompt`` ("" when it is): the prompt must be in what the model reads as the user's prompt, no field of
    :data:`STEERING` may be set, and at most :data:`MOST_STOPS` stop strings."""
    body = folded(body)
    if not any(prompt in text for text in _prompt_texts(route, body)):
        return "no request to the model server asked the prompt as the user's prompt"
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    if any(not isinstance(m, dict) or m.get("role") not in ("system", "user") for m in messages):
        return "the request for the prompt carried earlier assistant turns, which decide what the model writes next"
    if any(CONTROL_TOKENS.search(s) for s in _strings([body.get("prompt"), body.get("system"), messages])):
        return "the request for the prompt carried chat-template control tokens (such as <|im_start|>)"
    steering = [key for key in STEERING if body.get(key) not in (None, False, "", [], {})]
    if steering:
        return (f"the request for the prompt set {', '.join(f'`{k}`' for k in steering)}, which decides what the model "
                "writes: send the prompt alone")
    if _stops(body) > MOST_STOPS:
        return f"the request for the prompt carried {_stops(body)} stop strings (at most {MOST_STOPS} count)"
    return ""


def answer_problem(prompt: str, returned: Any, since: int = 0) -> str:
    """Why ``returned`` is not the model's answer to ``prompt`` in the exchanges recorded from index ``since``
    on ("" when it is): a successful request whose JSON carries ``prompt`` and passes :func:`request_problem`,
    generated non-blank text, and ``returned`` contains that text, which makes up at least :data:`SHARE` of it.
    Used under ``labs grade`` by ``quiz.q3``'s public check and hidden test."""
    if not isinstance(returned, str) or not returned.strip():
        return "no text was returned"
    asked = []
    for exchange in exchanges()[since:]:
        body, route = exchange.json, exchange.path.split("?")[0].rstrip("/")
        if route not in MODEL_ROUTES or not isinstance(body, dict):
            continue
        if any(prompt in s for s in _strings(body)):
            asked.append((exchange, route, body))
    if not asked:
        return "no request to the model server carried the prompt"
    why = "the model server generated no text for the prompt"
    for exchange, route, body in asked:
        text = exchange.text.strip()
        if problem := request_problem(route, body, prompt):
            why = problem
            continue
        if exchange.status != 200 or not text:
            continue
        if text in returned and len(text) >= SHARE * len(returned.strip()):
            return ""
        why = "the text returned is not the server's answer to the prompt"
    return why
