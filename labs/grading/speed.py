"""How fast the model server answers at the start of a ``labs grade`` run, and what that does to the time limits.

A cell that waits for the model gets the same number of *tokens*, not seconds, on a slow or loaded machine:
:func:`measure` times one fixed, deterministic generation (:data:`PROBE`), and :func:`stretched` raises the
per-cell limit to :data:`CELL_TOKENS` at that rate (and the notebook limit in proportion) when that is more
than the limits asked for. A cell that still runs out of time while a request to the model server was in
flight is flagged :data:`labs.grading.protocol.SERVER_SLOW` by the worker, not left as a silent 0.
"""

from __future__ import annotations

from dataclasses import dataclass

CELL_TOKENS = 400
"""Generated-token times one lesson cell may need: the solutions' largest ``num_predict`` is 64 per call
(``grep num_predict solutions/*.ipynb``), a cell makes a few calls and evaluates their prompts."""
TURN_TOKENS = 128
"""Generated-token times one request may hold the run's turn on the model server while another submission waits for
it (``--jobs`` > 1): twice the solutions' largest ``num_predict`` (64), its prompt's evaluation included. Past it the
reply is cut (the gate closes its connection), so a waiting request gets the server within its own client's
timeout, whatever the holder asked for; with nobody waiting a reply may run to the cell limit."""
BOUNDED_TOKENS = 64
"""A request that asks for at most this many generated tokens (``num_predict``, ``max_tokens``,
``max_completion_tokens``: the solutions' largest is 64) with a body of at most :data:`BOUNDED_BODY` bytes is cut
for a waiting neighbour only after :data:`MAX_TURN` seconds, whatever the measured turn: its work is small, and a
neighbour that always has a request waiting must not get an honest short reply cut on a loaded machine (round 5, Q2).
Others are cut at their turn (:func:`turn_seconds`); no request holds the server longer than :data:`MAX_TURN` while
another waits (round 7: two turns of 30 s were the lessons' whole 60 s client timeout)."""
BOUNDED_BODY = 1024
"""Bytes of request body up to which :data:`BOUNDED_TOKENS` makes a request bounded: a prompt of at most about 1,000
tokens even where every byte is a token (digits; round 6 held the server 189 s with 3,960 digits in a 4 KiB body)."""
MIN_TURN = 20.0
"""Seconds a turn lasts at least, however fast the server measured."""
MAX_TURN = 30.0
"""Seconds a turn lasts at most, however slow the server measured: half the shortest client timeout a lesson uses
(60 s, the quiz's practical probe), so a waiting request still has half its time for its own answer. On a server
that slow a longer honest reply is cut too when another submission waits, and its row says ``server slow: re-grade``."""
MAX_STRETCH = 10.0
"""At most this many times the limits asked for (a server that is 100× slower is reported, not waited for)."""
PROBE = {"prompt": "Count from one to ten.", "options": {"temperature": 0, "seed": 1, "num_predict": 16}}


@dataclass(frozen=True)
class ServerSpeed:
    """The model server's generation rate measured on :data:`PROBE` (``eval_count / eval_duration``)."""

    url: str
    model: str
    tokens_per_s: float

    def describe(self) -> str:
        return f"{self.model} at {self.url}: {self.tokens_per_s:.1f} tokens/s at the start of the run"


def measure() -> ServerSpeed | None:
    """One timed :data:`PROBE` generation on the server at ``OLLAMA_HOST`` with the lessons' model; ``None``
    when no server answers or the model is missing (a run that needs no model, such as model-free fixtures)."""
    from labs.client import LocalLLM
    from labs.settings import lesson_model

    model = lesson_model()
    try:
        with LocalLLM(model=model, timeout=300.0) as llm:
            if not llm.is_up() or not llm.has_model(model):
                return None
            reply = llm.generate(PROBE["prompt"], options=PROBE["options"])
            count, duration = int(reply.get("eval_count") or 0), int(reply.get("eval_duration") or 0)
            url = llm.url
    except Exception:  # no server, a broken one: grade without stretching the limits
        return None
    return ServerSpeed(url, model, count / duration * 1e9) if count > 0 and duration > 0 else None


def stretched(cell_timeout: float, notebook_timeout: float, speed: ServerSpeed | None) -> tuple[float, float]:
    """(cell limit, notebook limit): raised so a cell gets :data:`CELL_TOKENS` at the measured rate, never
    below what was asked and at most :data:`MAX_STRETCH` times it."""
    if speed is None:
        return cell_timeout, notebook_timeout
    factor = min(MAX_STRETCH, max(1.0, CELL_TOKENS / speed.tokens_per_s / cell_timeout))
    return round(cell_timeout * factor, 1), round(notebook_timeout * factor, 1)


def bounded(route: str, body: bytes) -> bool:
    """Is the request ``body`` to the model route ``route`` one whose work is bounded (:data:`BOUNDED_TOKENS` and
    :data:`BOUNDED_BODY`, or a load-only request: an empty prompt or no messages)? Keys are read as Ollama reads them (:func:`labs.gojson.fold_key`); a body that is not a
    JSON object, or sets no limit, is not bounded."""
    import json

    from labs.gojson import fold_key

    if len(body) > BOUNDED_BODY:
        return False
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    if not isinstance(data, dict):
        return False
    data = {fold_key(str(k)): v for k, v in data.items()}
    empty = all(not data.get(k) for k in ("PROMPT", "SYSTEM", "TEMPLATE", "SUFFIX", "IMAGES"))
    if route == "/api/generate" and empty or route == "/api/chat" and not data.get("MESSAGES"):
        return True  # loads or unloads the model, generates nothing (Ollama's documented load-only request)
    if route.startswith("/v1/"):
        limits = [data.get("MAX_TOKENS"), data.get("MAX_COMPLETION_TOKENS")]
    else:  # option names are read exactly (Ollama's Options.FromMap)
        options = data.get("OPTIONS")
        limits = [options.get("num_predict")] if isinstance(options, dict) else []
    given = [n for n in limits if isinstance(n, int) and not isinstance(n, bool)]
    return bool(given) and all(0 < n <= BOUNDED_TOKENS for n in given)


def turn_seconds(cell_timeout: float, speed: ServerSpeed | None) -> float:
    """Seconds one request may hold the run's turn on the model server: :data:`TURN_TOKENS` at the measured rate,
    at least :data:`MIN_TURN`, never more than :data:`MAX_TURN` or the cell limit."""
    if speed is None:
        return min(cell_timeout, MAX_TURN)
    return round(min(cell_timeout, MAX_TURN, max(MIN_TURN, TURN_TOKENS / speed.tokens_per_s)), 1)
