"""What the model server really sent a graded notebook: the gate's records, for the checks to compare answers with.

Under ``labs grade`` the worker hands its :class:`labs.grading.gate.Gate`'s exchanges to :func:`use`; a
check then asks :func:`grading` (are we under the grader?) and :func:`find_reply` (is this dict a reply
the server sent during this run?). In a learner's own kernel nothing is recorded, :func:`grading` is
False and the checks fall back to what the answer itself says. Lesson 0 (``start.first_reply``) and the
quiz (``quiz.q3``) use it.
"""

from __future__ import annotations

import json
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


def _sent_alone(route: str, body: dict, prompt: str) -> str:
    """Why ``body`` is not the prompt sent alone ("" when it is): ``prompt`` (generate, completions) or the one
    message (chat, its text parts joined) is the prompt, stripped, and nothing else reaches the model as text."""
    wanted = prompt.strip()
    if route in ("/api/generate", "/v1/completions"):
        if body.get("system") not in (None, ""):
            return "it set a system prompt"
        sent = body.get("prompt")
        return "" if isinstance(sent, str) and sent.strip() == wanted else "the prompt field held more or other text"
    messages = body.get("messages")
    if not isinstance(messages, list) or len(messages) != 1:
        return (f"it carried {len(messages)} messages (a system prompt or earlier turns)" if isinstance(messages, list)
                else "it had no messages")
    message = messages[0]
    if not isinstance(message, dict) or message.get("role") != "user" or any(
            value not in (None, "", [], {}) for key, value in message.items() if key not in ("role", "content")):
        return "its message was not a plain user message (role and content only)"
    content = message.get("content")
    if isinstance(content, list):  # OpenAI's content parts: text only
        if not all(isinstance(p, dict) and p.get("type", "text") == "text" and isinstance(p.get("text"), str)
                   for p in content):
            return "its message carried parts other than text"
        content = "".join(p["text"] for p in content)
    return "" if isinstance(content, str) and content.strip() == wanted else "the user message held more or other text"


def request_problem(route: str, body: dict, prompt: str) -> str:
    """Why the request ``body`` (keys as sent) to ``route`` is not a plain request for the model's answer to
    ``prompt`` ("" when it is): the prompt alone is what the model reads (the whole ``prompt``, or one user message
    whose text is the prompt; no system prompt, no earlier turns, no added text: any of them can dictate the answer,
    e.g. few-shot lines ``Q: … A: Cost.`` before the prompt), no field of :data:`STEERING` is set, and at most
    :data:`MOST_STOPS` stop strings."""
    body = folded(body)
    if problem := _sent_alone(route, body, prompt):
        return (f"the request for the prompt did not send the prompt alone ({problem}): send exactly the prompt as "
                "the one user message, with no system prompt, earlier turns or added text, which decide what the "
                "model writes")
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
