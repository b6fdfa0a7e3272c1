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
