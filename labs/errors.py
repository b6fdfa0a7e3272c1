"""The errors a lesson can hit when it talks to a model server, each saying what to do next.

A small hierarchy in the manner of ``openai``: connection, timeout, and status errors that
carry the HTTP status and the server's body.
"""

from __future__ import annotations

SERVER_DOWN = (
    "No model server answers at {url}. Start one with `ollama serve` (real Ollama), "
    "or with the README's lab command (`make lab`), or in a terminal: `labs serve`."
)
MODEL_MISSING = "The model {model!r} is not on the server at {url}. Run `ollama pull {model}` (or `labs pull {model}`)."


class LabError(Exception):
    """Base class of every error the ``labs`` helpers raise on purpose."""


class ServerNotRunning(LabError, ConnectionError):
    """Nothing answers at the configured host."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(SERVER_DOWN.format(url=url))


class RequestTimeout(LabError, TimeoutError):
    """The server took longer than the read timeout (a slow CPU, or a very long answer)."""

    def __init__(self, url: str, seconds: float | None):
        self.url = url
        self.seconds = seconds
        super().__init__(
            f"The server at {url} did not answer within {seconds} s. On a slow CPU, lower "
            "`num_predict`, use a smaller model, or pass a larger `timeout=`."
        )


class StatusError(LabError):
    """The server answered with an error status; ``status`` and ``body`` say which."""

    def __init__(self, status: int, body: object, message: str | None = None):
        self.status = status
        self.body = body
        detail = body.get("error") if isinstance(body, dict) else body
        super().__init__(message or f"HTTP {status}: {detail}")


class ModelNotFound(StatusError):
    """The server does not have the model; the message says how to pull it."""

    def __init__(self, model: str, url: str, status: int = 404, body: object = None):
        self.model = model
        super().__init__(status, body, MODEL_MISSING.format(model=model, url=url))


class ServerBusy(StatusError):
    """The server's request queue is full (HTTP 503); try again shortly."""
