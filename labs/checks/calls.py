"""Calling a learner's function inside a check: a wrong signature or a raise is a wrong answer said in words.

Lessons 2 and 3 ask for functions (``ask_local(prompt)``, ``ask_json(prompt, schema)``, ``find_ip(text)``); a
check that calls one must not answer a slip with a bare ``TypeError`` traceback. :func:`call_learner` says which
parameters are expected when the function takes others, and which call raised what (with
:func:`labs.quiz.hints.explain_error`'s hint) when it raises; a model missing from the server or a server that does
not answer is not the learner's answer, so it propagates and :func:`labs.exercises.run_check` explains it
(:func:`labs.quiz.hints.server_problem`).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from labs.i18n import t


def short(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters at a word boundary (``…`` marks the cut), for feedback; a
    long structure shows its head only (``ChatCompletion(…)``), never a repr cut mid-structure.

    >>> short("abc"), short(12.5), short({"k": "v" * 100}), short("word " * 30, 20)
    ("'abc'", '12.5', '{…}', "'word word word…")
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    closing = {"(": ")", "[": "]", "{": "}"}
    opened = [i for i, ch in enumerate(text[:limit]) if ch in closing]
    if text[0] not in "'\"" and opened:  # a structure: its head and an ellipsis inside its bracket
        first = opened[0]
        return f"{text[:first + 1]}…{closing[text[first]]}"
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,") + "…"


def call_learner(fn: Any, name: str, params: str, *args: Any) -> Any:
    """``fn(*args)``, the learner's ``name(params)``. Raises ``AssertionError`` (a failed check, in ``LAB_LANG``)
    when ``fn`` is not a function, does not take ``args``, or raises; a server or model problem propagates."""
    assert callable(fn), t("checks.call.not_callable", name=name, params=params, type=type(fn).__name__)
    try:
        signature = inspect.signature(fn)
        signature.bind(*args)
    except TypeError:
        raise AssertionError(t("checks.call.signature", name=name, params=params, count=len(args),
                               got=", ".join(signature.parameters))) from None
    except ValueError:  # no signature to read (a builtin): let the call say
        pass
    try:
        return fn(*args)
    except Exception as exc:
        from labs.quiz.hints import explain_error, server_problem

        if server_problem(exc) is not None:
            raise
        shown = ", ".join(short(a, 60) for a in args)
        raise AssertionError(t("checks.call.raised", name=name, call=f"{name}({shown})",
                               error=explain_error(exc))) from exc


def on_each(fn: Callable[..., Any], name: str, params: str) -> Callable[..., Any]:
    """``fn`` wrapped by :func:`call_learner`, for code that calls it many times."""
    return lambda *args: call_learner(fn, name, params, *args)
