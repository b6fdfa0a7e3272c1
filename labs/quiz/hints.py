"""What to do about an error the learner's own code raised inside a check: one actionable sentence.

The checks (``labs.exercises.run_check``, the practical questions of :mod:`labs.quiz.practical`) report the
exception a learner's function raised; a bare ``JSONDecodeError: Expecting value: line 1 column 1`` does not
say why. :func:`explain_error` adds the likely cause for the errors lessons 2 and 5 provoke: JSON that the
model did not finish or did not write (``format`` missing, ``num_predict`` too small), a model that is
not on the server and a server that does not answer (:func:`server_problem`, whichever client met it).
"""

from __future__ import annotations

import json
import re

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

    A model the server lacks or a server that does not answer reads the same whichever client met it (``LocalLLM``,
    the ``openai`` SDK's ``NotFoundError`` / ``APIConnectionError`` / a 502 from a check's recording proxy, the
    ``ollama`` client's ``ResponseError`` / ``ConnectionError``): the server's own English text (Ollama's "try
    pulling it first", which the embedded server cannot do) is replaced by the catalogue's explanation
    (:func:`labs.settings.missing_model_help`, ``errors.server_down``), as ``labs doctor`` and ``labs pull`` give it.

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
    infra = server_problem(exc, lang)
    if infra is not None:  # one sentence, ended, so a check's hint can follow it
        return f"{type(exc).__name__}: {infra}" + ("" if infra.endswith((".", "!", "?", "…")) else ".")
    return said


_MODEL_MISSING = re.compile(r"""model ["']([^"']+)["'] not found""")
_UPSTREAM_FAILED = re.compile(r"the upstream (\S+) failed")


def server_problem(exc: BaseException, lang: str | None = None) -> str | None:
    """The catalogue's explanation when ``exc`` means the model is not on the server or no server answers,
    whichever client raised it; ``None`` for any other error (the learner's own bug).

    Recognised: ``labs.errors.ServerNotRunning``; the ``openai`` SDK's ``NotFoundError`` (a missing model),
    ``APIConnectionError`` and a 502 ``InternalServerError``; the ``ollama`` client's ``ResponseError`` (404 for a
    model, 502) and its ``ConnectionError``; a ``labs.errors.StatusError`` 404 or 502; ``httpx.ConnectError``.
    A 502 is what a check's :class:`~labs.proxy.RecordingProxy` answers when the model server behind it is down.
    A client pointed at another address than ``OLLAMA_HOST`` (a hard-coded ``base_url``) is told so."""
    from labs.errors import ServerNotRunning, StatusError
    from labs.host import base_url

    text = str(exc)
    status = getattr(exc, "status_code", None)
    if status is None and isinstance(exc, StatusError):
        status = exc.status
    if isinstance(exc, ServerNotRunning):
        return str(exc)
    found = _MODEL_MISSING.search(text)
    if found and status in (None, 404):
        from labs.settings import missing_model_help

        return missing_model_help(found.group(1), embedded=_embedded(base_url()), lang=lang)
    upstream = _UPSTREAM_FAILED.search(text)
    if status == 502 and upstream:
        return t("errors.server_down", lang, url=upstream.group(1))
    if status == 502:
        return t("errors.server_down", lang, url=base_url())
    if _is_connection_error(exc):
        called = _called_url(exc)
        host = base_url()
        if called and not called.startswith(host):
            return t("quiz.hint.not_ollama_host", lang, called=called, host=host)
        return t("errors.server_down", lang, url=host)
    return None


def _is_connection_error(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "APIConnectionError" in names and "APITimeoutError" not in names:  # openai SDK: nothing answered
        return True
    if "ConnectError" in names:  # httpx, under any client
        return True
    module = type(exc).__module__ or ""
    # the ollama client raises the builtin ConnectionError (its own English text, no address)
    return isinstance(exc, ConnectionError) and (module == "builtins" or module.startswith(("ollama", "httpx")))


def _called_url(exc: BaseException) -> str | None:
    """The server address a client error was about (``openai``'s ``exc.request.url``), without the path."""
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url is None:
        return None
    try:
        return f"{url.scheme}://{url.host}:{url.port}" if url.port else f"{url.scheme}://{url.host}"
    except AttributeError:
        return None


def _embedded(url: str) -> bool:
    """Whether the server at ``url`` is this course's embedded one (False when it cannot say)."""
    from labs.client import LocalLLM

    try:
        return LocalLLM(url, timeout=5)._embedded_or_false()
    except Exception:  # an error message must not raise on its own probe
        return False
