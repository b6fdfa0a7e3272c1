"""What to do about an error the learner's own code raised inside a check: one actionable sentence.

The checks (``labs.exercises.run_check``, the practical questions of :mod:`labs.quiz.practical`) report the
exception a learner's function raised; a bare ``JSONDecodeError: Expecting value: line 1 column 1`` does not
say why. :func:`explain_error` adds the likely cause for the errors lessons 2 and 5 provoke: JSON that the
model did not finish or did not write (``format`` missing, ``num_predict`` too small), and a model that is
not on the server.
"""

from __future__ import annotations

import json

JSON_HINT = ("the model's reply is not complete JSON. Ask the server for JSON with format=schema (or "
             "format=\"json\"; OpenAI client: response_format=...), give it room (num_predict / max_tokens 64 or "
             "more: a cut-off reply is not JSON), and json.loads the reply's text (reply[\"response\"], or "
             "reply[\"message\"][\"content\"] for chat), not the whole reply.")


def explain_error(exc: BaseException) -> str:
    """``"<Type>: <message>"`` plus, for an error with a known cause, a hint: what to change.

    >>> import json
    >>> try:
    ...     json.loads('{"answer": "ye')
    ... except ValueError as e:
    ...     print(explain_error(e).startswith("JSONDecodeError: Unterminated string"))
    True
    >>> "format=schema" in explain_error(json.JSONDecodeError("Expecting value", "The sky is blue.", 0))
    True
    """
    said = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, json.JSONDecodeError):
        seen = exc.doc[:60] if isinstance(exc.doc, str) else ""
        return f"{said} (it was given {seen!r}) — {JSON_HINT}"
    from labs.errors import ModelNotFound

    if isinstance(exc, ModelNotFound):
        return f"{said} — pull the model first, or use one the server lists (labs.settings.lesson_model())."
    return said
