"""The grader's agent inside a submission's kernel (in the sandbox): it hands out values as data.

Imported into the kernel by the worker (:mod:`labs.grading.worker`) once the notebook reaches its
first check cell. It answers two requests, each with one display-data output of MIME type
:data:`~labs.grading.protocol.REPLY_MIME`:

* ``get(name)``: the notebook's value as plain data (:func:`to_data`), or a handle when it is a
  function;
* ``call(handle, args, kwargs, env)``: call that function with data arguments and the given
  environment (the worker points ``OLLAMA_HOST`` at its recording proxy) and return the result as data.

Nothing here is trusted: the notebook can replace this module or answer for it. It is convenience for
honest notebooks (numpy numbers, tuples, the lesson's dataclasses); what reaches the checks is only
JSON that the worker parses (:mod:`labs.grading.remote`).
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

from labs.grading.protocol import REPLY_MIME, TAG, Kind, Tag, reply

MAX_ITEMS = 200_000  # values in one answer; a bigger answer crosses as opaque
MAX_DEPTH = 40
_HANDLES: dict[str, Any] = {}


class _TooBig(Exception):
    pass


def _stub(fn: Any) -> bool:
    """True when a function's body is still ``...`` (the learner has not written it)."""
    from labs.exercises import _body_is_ellipsis

    try:
        return _body_is_ellipsis(fn)
    except Exception:
        return False


def _handle(fn: Any) -> dict:
    key = f"f{len(_HANDLES) + 1}"
    _HANDLES[key] = fn
    return {TAG: Tag.FUNCTION.value, "handle": key, "name": str(getattr(fn, "__name__", type(fn).__name__))[:80],
            "stub": _stub(fn)}


def _opaque(value: Any) -> dict:
    try:
        text = object.__repr__(value)
    except Exception:
        text = "?"
    return {TAG: Tag.OPAQUE.value, "type": type(value).__name__[:80], "repr": text[:120]}


def to_data(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """``value`` as JSON-able data: exact ``str``/``int``/``float``/``bool``/``None``, lists and string-keyed
    dicts; tuples, sets, nan/inf, ``...``, non-string keys, ``labs`` dataclasses and functions as tagged dicts;
    subclasses of the basic types as their base value (a ``str`` subclass crosses as its characters only)."""
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _TooBig
    if value is None or type(value) is bool:
        return value
    if value is Ellipsis:
        return {TAG: Tag.ELLIPSIS.value}
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        return number if math.isfinite(number) else {TAG: Tag.FLOAT.value, "value": repr(number)}
    if isinstance(value, str):
        return str.__str__(value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):  # numpy scalars and arrays
        return to_data(value.tolist(), depth + 1, budget)
    if isinstance(value, dict):
        items = list(dict.items(value))
        if all(type(k) is str for k, _ in items) and TAG not in dict.keys(value):
            return {k: to_data(v, depth + 1, budget) for k, v in items}
        return {TAG: Tag.PAIRS.value, "items": [[to_data(k, depth + 1, budget), to_data(v, depth + 1, budget)]
                                                for k, v in items]}
    if isinstance(value, list):
        return [to_data(v, depth + 1, budget) for v in list.__iter__(value)]
    if isinstance(value, tuple):
        return {TAG: Tag.TUPLE.value, "items": [to_data(v, depth + 1, budget) for v in tuple.__iter__(value)]}
    if isinstance(value, (set, frozenset)):
        return {TAG: Tag.SET.value, "items": [to_data(v, depth + 1, budget) for v in value]}
    cls = type(value)
    if dataclasses.is_dataclass(cls) and str(cls.__module__).startswith("labs."):
        return {TAG: Tag.DATACLASS.value, "class": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: to_data(getattr(value, f.name), depth + 1, budget) for f in dataclasses.fields(cls)}}
    if callable(value):
        return _handle(value)
    return _opaque(value)


def from_args(value: Any) -> Any:
    """Arguments from the worker (data the checks built) back into Python values."""
    if isinstance(value, list):
        return [from_args(v) for v in value]
    if isinstance(value, dict):
        tag = value.get(TAG)
        if tag == Tag.TUPLE.value:
            return tuple(from_args(v) for v in value["items"])
        if tag == Tag.SET.value:
            return {from_args(v) for v in value["items"]}
        if tag == Tag.FLOAT.value:
            return float(value["value"])
        if tag == Tag.ELLIPSIS.value:
            return Ellipsis
        if tag == Tag.FUNCTION.value and value.get("handle") in _HANDLES:
            return _HANDLES[value["handle"]]
        if tag == Tag.DATACLASS.value:
            import importlib

            module, _, name = value["class"].partition(":")
            cls = importlib.import_module(module)
            for part in name.split("."):
                cls = getattr(cls, part)
            return cls(**{k: from_args(v) for k, v in value["fields"].items()})
        return {k: from_args(v) for k, v in value.items()}
    return value


def _describe(value: Any) -> dict:
    try:
        data = to_data(value)
    except _TooBig:
        return reply(Kind.DATA, value=_opaque(value) | {"repr": "too big to grade"})
    except Exception as exc:  # a value that breaks while being read (a property that raises)
        return reply(Kind.DATA, value=_opaque(value) | {"repr": f"unreadable: {type(exc).__name__}"})
    if isinstance(data, dict) and data.get(TAG) == Tag.FUNCTION.value:
        return reply(Kind.FUNCTION, function=data)
    return reply(Kind.DATA, value=data)


def _reply(payload: dict) -> None:
    from IPython.display import publish_display_data

    publish_display_data({REPLY_MIME: payload})


def get_reply(name: str, namespace: dict) -> dict:
    """The reply to ``get(name)`` (a :func:`~labs.grading.protocol.reply`)."""
    return _describe(namespace[name]) if name in namespace else reply(Kind.MISSING)


def get(name: str) -> None:
    from IPython import get_ipython

    _reply(get_reply(name, get_ipython().user_ns))


def call_reply(handle: str, args: list, kwargs: dict, env: dict) -> dict:
    """The reply to ``call(...)``: the result as data, or ``raised`` (``interrupted`` when the cell time
    limit's ``KeyboardInterrupt`` stopped it)."""
    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = _HANDLES[handle](*from_args(args), **from_args(kwargs))
    except BaseException as exc:  # noqa: BLE001 — report everything, KeyboardInterrupt (the cell timeout) too
        return reply(Kind.RAISED, type=type(exc).__name__[:80], message=str(exc)[:2000],
                     interrupted=isinstance(exc, KeyboardInterrupt))
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return _describe(result)


def call(handle: str, args: list, kwargs: dict, env: dict) -> None:
    _reply(call_reply(handle, args, kwargs, env))
