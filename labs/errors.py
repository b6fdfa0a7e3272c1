"""The errors a lesson can hit when it talks to a model server, each saying what to do next.

A small hierarchy in the manner of ``openai``: connection, timeout, and status errors that
carry the HTTP status and the server's body. The messages are in ``LAB_LANG``'s language, from the
one catalogue ``labs/data/messages.yaml`` (keys ``errors.*``).
"""

from __future__ import annotations

from labs.i18n import t


class LabError(Exception):
    """Base class of every error the ``labs`` helpers raise on purpose."""


class ServerNotRunning(LabError, ConnectionError):
    """Nothing answers at the configured host."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(t("errors.server_down", url=url))


class RequestTimeout(LabError, TimeoutError):
    """The server took longer than the read timeout (a slow CPU, or a very long answer)."""

    def __init__(self, url: str, seconds: float | None):
        self.url = url
        self.seconds = seconds
        super().__init__(t("errors.timeout", url=url, seconds=seconds))


class StatusError(LabError):
    """The server answered with an error status; ``status`` and ``body`` say which."""

    def __init__(self, status: int, body: object, message: str | None = None):
        self.status = status
        self.body = body
        detail = body.get("error") if isinstance(body, dict) else body
        super().__init__(message or f"HTTP {status}: {detail}")


class ModelNotFound(StatusError):
    """The server does not have the model; the message says how to pull it. On the embedded server
    (``embedded=True``), where nothing can be pulled, it says what that server ships and how to get the model
    from real Ollama instead (:func:`labs.settings.missing_model_help`)."""

    def __init__(self, model: str, url: str, status: int = 404, body: object = None, *, embedded: bool = False):
        self.model = model
        if embedded:
            from labs.settings import missing_model_help

            message = missing_model_help(model, embedded=True)
        else:
            message = t("errors.model_missing", model=model, url=url)
        super().__init__(status, body, message)


class ServerBusy(StatusError):
    """The server's request queue is full (HTTP 503); try again shortly."""
