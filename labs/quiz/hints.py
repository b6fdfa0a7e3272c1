"""What to do about an error the learner's own code raised inside a check: one actionable sentence.

The checks (``labs.exercises.run_check``, the practical questions of :mod:`labs.quiz.practical`) report the
exception a learner's function raised; a bare ``JSONDecodeError: Expecting value: line 1 column 1`` does not
say why. :func:`explain_error` adds the likely cause for the errors lessons 2 and 5 provoke: JSON that the
model did not finish or did not write (``format`` missing, ``num_predict`` too small), and a model that is
not on the server.
"""

from __future__ import annotations

import json

from labs.i18n import t


def __getattr__(name: str) -> str:
    """``JSON_HINT``: what to change when the model's reply is not JSON, in the learner's language (``LAB_LANG``),
    read from the catalogue when asked for (nothing is read at import time)."""
    if name == "JSON_HINT":
        return t("quiz.hint.json_fix")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def explain_error(exc: BaseException, lang: str | None = None) -> str:
    """``"<Type>: <message>"`` plus, for an error with a known cause, a hint: what to change, in ``lang``
    (else ``LAB_LANG``; catalogue keys ``quiz.hint.*``).

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
        return t("quiz.hint.json", lang, said=said, seen=repr(seen), fix=t("quiz.hint.json_fix", lang))
    from labs.errors import ModelNotFound

    if isinstance(exc, ModelNotFound):
        return t("quiz.hint.model_missing", lang, said=said)
    return said
