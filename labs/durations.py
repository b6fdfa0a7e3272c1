"""Durations as Ollama reads them (``keep_alive``): Go duration strings or numbers of seconds.

The one parser for the whole workbook: the embedded server (:mod:`labs.server.config` re-exports it
as ``parse_keep_alive``, for request fields, ``OLLAMA_KEEP_ALIVE`` and the command line) and lesson
4's deployment generator (:class:`labs.deploy.OllamaSettings`) both call :func:`parse_duration`, so
what the lesson writes into a unit file is exactly what a server accepts.

Rules (Ollama's ``api.Duration`` and ``envconfig.KeepAlive``, ollama-api.md §9): a number is seconds;
a string is a Go duration (``"5m"``, ``"1h30m"``, ``"250ms"``, units ns/us/µs/ms/s/m/h) or ``"0"``;
a negative value keeps the model loaded forever. A bare number in a *string* (``"300"``) is refused
in a request (Go's ``time.ParseDuration`` says "missing unit") but read as seconds from the
environment and the command line (``bare_seconds=True``).
"""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_duration(value: object, *, bare_seconds: bool = False) -> float:
    """``keep_alive`` → seconds (negative: forever), as Ollama reads it.

    >>> {v: parse_duration(v) for v in ("250ms", "1.5h", ".5s", "2h45m10s", "+30s")}
    {'250ms': 0.25, '1.5h': 5400.0, '.5s': 0.5, '2h45m10s': 9910.0, '+30s': 30.0}
    >>> parse_duration("90", bare_seconds=True)   # OLLAMA_KEEP_ALIVE=90: seconds
    90.0
    >>> parse_duration("90")                      # "keep_alive": "90" in a request: refused, as Go refuses it
    Traceback (most recent call last):
    ...
    ValueError: time: missing unit in duration "90"
    >>> parse_duration("24 hours")
    Traceback (most recent call last):
    ...
    ValueError: time: invalid duration "24 hours"
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid keep_alive: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"invalid keep_alive: {value!r}")
    text = value.strip()
    sign, body = (-1.0, text[1:]) if text.startswith("-") else (1.0, text.lstrip("+"))
    if body == "0":
        return 0.0
    if re.fullmatch(r"\d+(\.\d*)?", body):
        if bare_seconds:
            return sign * float(body)
        raise ValueError(f'time: missing unit in duration "{value}"')
    if not body or _PART.sub("", body):
        raise ValueError(f'time: invalid duration "{value}"')
    return sign * sum(float(n) * _UNITS[u] for n, u in _PART.findall(body))
