"""Durations as Ollama reads them (``keep_alive``): Go durations or numbers of seconds.

The one parser for the whole workbook: the embedded server (:mod:`labs.server.config` re-exports it
as ``parse_keep_alive``, for request fields, ``OLLAMA_KEEP_ALIVE`` and the command line) and lesson
4's deployment generator (:class:`labs.deploy.OllamaSettings`) both call it, so what the lesson writes
into a unit file is read exactly as Ollama reads it.

Ollama has **two** sets of rules (read from its source: ``api/types.go`` ``Duration.UnmarshalJSON``
and ``envconfig/config.go`` ``KeepAlive`` and ``Var``):

* **a request field** (``"keep_alive"``): a JSON number is seconds; a string must be a Go duration
  (``time.ParseDuration``: ``"5m"``, ``"1h30m"``, ``"250ms"``, ``"-1m"``, units ns/us/µs/μs/ms/s/m/h,
  ASCII digits, one optional sign, no spaces, at most about 2,562,047 hours). Anything else is an
  **error** (HTTP 400). A negative duration keeps the model loaded forever.
* **the environment** (``OLLAMA_KEEP_ALIVE``): spaces and quotes are trimmed; then a Go duration,
  else a whole number of seconds (``"300"``, ``"-1"``); **anything else silently leaves the default,
  5 minutes** (``"1.5"``, ``"0.0"``, ``"24 hours"``). Negative: forever.

:func:`parse_duration` gives the request's reading (``bare_seconds=False``) or the environment's
(``bare_seconds=True``: where Ollama would silently fall back, it raises instead, saying so);
:func:`ollama_env_keep_alive` is Ollama's silent reading; :func:`env_keep_alive_problem` says when the
environment would fall back, so the deployment generator refuses to write a value Ollama would ignore.
"""

from __future__ import annotations

import math

DEFAULT_KEEP_ALIVE_S = 300.0
"""Ollama's default ``keep_alive``: 5 minutes (``envconfig.KeepAlive``)."""

_NS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
       "m": 60_000_000_000, "h": 3_600_000_000_000}
"""Go's ``time`` unit table: both micro signs (U+00B5 and U+03BC) spell microseconds."""
_MAX = 1 << 63  # Go durations are int64 nanoseconds
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000"
"""What Go's ``strings.TrimSpace`` trims (Unicode White_Space)."""


def _invalid(orig: str) -> ValueError:
    return ValueError(f'time: invalid duration "{orig}"')


def go_duration_ns(text: str) -> int:
    """``text`` as Go's ``time.ParseDuration`` reads it, in nanoseconds; ``ValueError`` with Go's message.

    >>> go_duration_ns("1h30m"), go_duration_ns(".5s"), go_duration_ns("1\u03bcs")
    (5400000000000, 500000000, 1000)
    >>> go_duration_ns(" 5m")
    Traceback (most recent call last):
    ...
    ValueError: time: invalid duration " 5m"
    >>> go_duration_ns("3000000h")
    Traceback (most recent call last):
    ...
    ValueError: time: invalid duration "3000000h"
    """
    orig, s, neg = text, text, False
    if s[:1] in ("-", "+"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise _invalid(orig)
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise _invalid(orig)
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        pre, whole_part, s = i > 0, int(s[:i] or 0), s[i:]
        if whole_part > _MAX:
            raise _invalid(orig)
        frac, scale, post = 0, 1.0, False
        if s[:1] == ".":
            s, i, overflow = s[1:], 0, False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow and frac > (_MAX - 1) // 10:
                    overflow = True  # Go stops adding digits but keeps consuming them
                if not overflow:
                    frac, scale = frac * 10 + int(s[i]), scale * 10
                i += 1
            post, s = i > 0, s[i:]
        if not pre and not post:
            raise _invalid(orig)
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError(f'time: missing unit in duration "{orig}"')
        unit, s = s[:i], s[i:]
        if unit not in _NS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{orig}"')
        if whole_part > _MAX // _NS[unit]:
            raise _invalid(orig)
        value = whole_part * _NS[unit]
        if frac > 0:
            value += int(float(frac) * (float(_NS[unit]) / scale))  # Go's float64 arithmetic, truncated
            if value > _MAX:
                raise _invalid(orig)
        total += value
        if total > _MAX:
            raise _invalid(orig)
    if not neg and total > _MAX - 1:
        raise _invalid(orig)
    return -total if neg else total


def _go_parse_int(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 10, 64)``: one optional sign, ASCII digits, int64; else None."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not all("0" <= c <= "9" for c in body):
        return None
    n = int(text)
    return n if -_MAX <= n <= _MAX - 1 else None


def _wrap_int64(n: int) -> int:
    """Go's silent int64 overflow (``time.Duration(n) * time.Second`` wraps)."""
    return (n + _MAX) % (2 * _MAX) - _MAX


def _env_reading(text: str) -> tuple[float | None, str | None]:
    """Ollama's reading of ``OLLAMA_KEEP_ALIVE=text``: (seconds, None), or (None, why it falls back)."""
    value = text.strip(_GO_SPACE).strip("\"'")
    if not value:
        return DEFAULT_KEEP_ALIVE_S, None  # unset and empty are the same to Ollama
    try:
        return go_duration_ns(value) / 1e9, None
    except ValueError as exc:
        n = _go_parse_int(value)
        if n is not None:
            return _wrap_int64(n * 1_000_000_000) / 1e9, None
        return None, f"{exc}; Ollama reads OLLAMA_KEEP_ALIVE={value!r} as its default, 5m (neither a Go duration " \
                     "nor a whole number of seconds)"


def ollama_env_keep_alive(text: str) -> float:
    """Seconds Ollama keeps a model loaded for ``OLLAMA_KEEP_ALIVE=text`` (negative: forever), exactly as
    ``envconfig.KeepAlive`` reads it, the silent 5-minute fallback included.

    >>> [ollama_env_keep_alive(v) for v in ("24h", "300", " '10m' ", "1.5", "-0.5", "0.0", "1e3")]
    [86400.0, 300.0, 600.0, 300.0, 300.0, 300.0, 300.0]
    """
    seconds, _ = _env_reading(text)
    return DEFAULT_KEEP_ALIVE_S if seconds is None else seconds


def env_keep_alive_problem(text: str) -> str | None:
    """Why Ollama would ignore ``OLLAMA_KEEP_ALIVE=text`` and keep its 5-minute default (None: it reads it).

    >>> env_keep_alive_problem("24h") is None, env_keep_alive_problem("300") is None
    (True, True)
    >>> print(env_keep_alive_problem("1.5"))
    time: missing unit in duration "1.5"; Ollama reads OLLAMA_KEEP_ALIVE='1.5' as its default, 5m (neither a Go duration nor a whole number of seconds)
    """
    return _env_reading(text)[1]


def parse_duration(value: object, *, bare_seconds: bool = False) -> float:
    """``keep_alive`` → seconds (negative: forever), as Ollama reads it.

    ``bare_seconds=False``: a request field (an error is an error, HTTP 400). ``bare_seconds=True``:
    the environment or the command line, read as ``envconfig.KeepAlive`` reads it (trimmed; whole
    seconds allowed) — except that where Ollama would **silently** fall back to 5 minutes, this raises a
    ValueError that says so (the one deliberate difference: a learner's typo is reported, not hidden;
    :func:`ollama_env_keep_alive` gives Ollama's silent reading).

    >>> {v: parse_duration(v) for v in ("250ms", "1.5h", ".5s", "2h45m10s", "+30s", "-1m", "0")}
    {'250ms': 0.25, '1.5h': 5400.0, '.5s': 0.5, '2h45m10s': 9910.0, '+30s': 30.0, '-1m': -60.0, '0': 0.0}
    >>> parse_duration(90), parse_duration(2.5)            # JSON numbers are seconds
    (90.0, 2.5)
    >>> parse_duration("90", bare_seconds=True)            # OLLAMA_KEEP_ALIVE=90: seconds
    90.0
    >>> parse_duration("90")                               # "keep_alive": "90" in a request: refused, as Go refuses it
    Traceback (most recent call last):
    ...
    ValueError: time: missing unit in duration "90"
    >>> parse_duration("1.5", bare_seconds=True)           # Ollama would quietly use 5m: said out loud
    Traceback (most recent call last):
    ...
    ValueError: time: missing unit in duration "1.5"; Ollama reads OLLAMA_KEEP_ALIVE='1.5' as its default, 5m (neither a Go duration nor a whole number of seconds)
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid keep_alive: {value!r}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"invalid keep_alive: {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"invalid keep_alive: {value!r} (a number of seconds or a duration string such as \"5m\")")
    if not bare_seconds:
        return go_duration_ns(value) / 1e9
    seconds, problem = _env_reading(value)
    if seconds is None:
        raise ValueError(problem)
    return seconds
