"""The cloud side of the hybrid router, and a clearly labelled local stand-in for it (lesson 3).

:class:`CloudLLM` talks to any OpenAI-compatible endpoint. The key comes from ``OPENAI_API_KEY``
(the environment only — never an argument in a notebook, never printed, never logged) and the
address from ``OPENAI_BASE_URL`` (default: OpenAI). Timeouts and retries are bounded.

Our lab machines have no internet, so the lesson uses :class:`StandInCloud` instead:

    **STAND-IN, NOT A CLOUD.** A real HTTP server on 127.0.0.1 that speaks the OpenAI chat API,
    answers with a fixed labelled sentence (no model behind it), and **records every request it
    receives**. Reading that record is how the lesson proves that no personal data reached "the
    cloud". Costs shown for it are what the real model would have charged, at dated prices.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from labs.errors import LabError
from labs.i18n import t
from labs.localhttp import BackgroundHTTPServer

DEFAULT_CLOUD_MODEL = "gpt-4o-mini"
STAND_IN_KEY = "stand-in-needs-no-key"
STAND_IN_LABEL = "[STAND-IN CLOUD: not a real model, nothing left this machine]"


class CloudUnavailable(LabError):
    """The cloud cannot serve this request: no key, unreachable, timed out or an error status."""


@dataclass(frozen=True)
class CloudReply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    cached_tokens: int = 0  # of prompt_tokens, served from the provider's prompt cache (billed lower)
    warning: str | None = None  # the usage block was unreadable: counts are 0, the answer is kept


# No model bills more tokens in one call than this (the longest context windows hold about 10M):
# a count above it, negative, fractional, NaN or not a number is a broken reply, not a bill.
MAX_TOKENS_PER_CALL = 100_000_000


def _count(value) -> int | None:
    """A token count as the API should send it (a whole number, 0..MAX_TOKENS_PER_CALL), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or not 0 <= value <= MAX_TOKENS_PER_CALL or value != int(value):
        return None
    return int(value)


def read_reply(r, default_model: str) -> CloudReply:
    """A :class:`CloudReply` from an OpenAI chat completion object (or its JSON as a dict).

    Raises :class:`CloudUnavailable` when there is no answer at all (no ``choices``, not an object);
    an unreadable ``usage`` keeps the answer, with zero counts and ``warning`` set.
    """
    get = (lambda o, k: o.get(k) if isinstance(o, dict) else getattr(o, k, None))
    choices = get(r, "choices")
    if not isinstance(choices, (list, tuple)) or not choices:
        raise CloudUnavailable(f"the cloud reply has no answer (choices={type(choices).__name__}): "
                               "check OPENAI_BASE_URL points at an OpenAI-compatible chat endpoint")
    message = get(choices[0], "message")
    text = get(message, "content") if message is not None else None
    if isinstance(text, list):  # content parts: [{"type": "text", "text": "…"}]
        text = "".join(get(part, "text") or "" for part in text if isinstance(get(part, "text"), str))
    if text is not None and not isinstance(text, str):
        raise CloudUnavailable(f"the cloud reply's message content is a {type(text).__name__}, not text")
    usage = get(r, "usage")
    model = get(r, "model")
    model = model if isinstance(model, str) and model else default_model
    if usage is None or isinstance(usage, (list, tuple, str, int, float)):
        return CloudReply(text or "", 0, 0, model, 0, "no usage in the reply: cost unknown, counted as 0")
    details = get(usage, "prompt_tokens_details")
    p, c = _count(get(usage, "prompt_tokens") or 0), _count(get(usage, "completion_tokens") or 0)
    cached = _count((get(details, "cached_tokens") if details is not None else 0) or 0)
    if p is None or c is None or cached is None or cached > p:
        return CloudReply(text or "", 0, 0, model, 0,
                          f"unreadable usage {usage!r:.120}: cost unknown, counted as 0")
    return CloudReply(text or "", p, c, model, cached)


class CloudLLM:
    """An OpenAI-compatible chat endpoint. ``configured`` is False without a key.

    Prices come from :func:`labs.costs.api_price` (dated, with their source) when the model is in
    the workbook's price table; ``cost()`` is then what one call costs in USD, by the workbook's
    one formula :func:`labs.costs.api_cost` (cached input tokens at the cached-input price).
    """

    def __init__(self, *, base_url: str | None = None, model: str = DEFAULT_CLOUD_MODEL, timeout: float = 30.0,
                 max_retries: int = 1, label: str = "cloud", _api_key: str | None = None):
        if not 0 <= max_retries <= 5:
            raise ValueError(f"max_retries={max_retries}: keep retries bounded, 0 to 5")
        if not 0 < timeout <= 600:
            raise ValueError(f"timeout={timeout}: give a bounded timeout in seconds, above 0 and at most 600")
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self._api_key = _api_key if _api_key is not None else (os.environ.get("OPENAI_API_KEY") or None)
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.label = label
        self._client = None

    @classmethod
    def stand_in(cls, server: "StandInCloud", **kw) -> "CloudLLM":
        """A client for the local stand-in (it needs no key)."""
        return cls(base_url=server.base_url, label="stand-in cloud", _api_key=STAND_IN_KEY, **kw)

    def __repr__(self) -> str:  # the key is never shown, only whether there is one
        where = self.base_url or "https://api.openai.com/v1"
        return f"CloudLLM({self.label}: {where}, model={self.model!r}, key={'set' if self._api_key else 'missing'})"

    @property
    def configured(self) -> bool:
        return bool(self._api_key)

    @property
    def price(self):
        """The model's dated :class:`labs.costs.ApiPrice`, or None when the table lacks it."""
        from labs.costs import api_prices

        return api_prices().get(self.model)

    def cost(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """USD for one call: ``prompt_tokens`` (of which ``cached_tokens`` came from the prompt
        cache) and ``completion_tokens``, priced by :func:`labs.costs.api_cost`; 0.0 for a model the
        price table lacks. A model without a cached-input price in the data (gpt-4o, gpt-4.1-mini ...)
        bills its cached tokens at the full input price: an upper bound, never an error after a paid
        call. ValueError if ``cached_tokens`` exceeds ``prompt_tokens``.

        >>> round(CloudLLM(_api_key="unused").cost(2006, 300, cached_tokens=1920) * 1e6, 1)  # gpt-4o-mini
        336.9
        """
        from labs.costs import api_cost

        if not 0 <= cached_tokens <= prompt_tokens:
            raise ValueError(f"cached_tokens={cached_tokens}: it counts part of the prompt, so 0 to "
                             f"prompt_tokens ({prompt_tokens})")
        price = self.price
        if price is None or prompt_tokens + completion_tokens == 0:
            return 0.0
        share = cached_tokens / prompt_tokens if prompt_tokens else 0.0
        if price.cached_input_usd_per_mtok is None:
            share = 0.0  # no cached price in the data: the full input price (an upper bound)

        def per_call(n_in: int, n_out: int) -> float:
            return api_cost(price, requests_per_day=1, input_tokens=n_in, output_tokens=n_out,
                            cached_input_share=share).usd_per_request

        # api_cost takes positive counts only; the formula is linear, so f(n, 0) = 2 f(n, 1) - f(n, 2)
        if not completion_tokens:
            return 2 * per_call(prompt_tokens, 1) - per_call(prompt_tokens, 2)
        if not prompt_tokens:
            return 2 * per_call(1, completion_tokens) - per_call(2, completion_tokens)
        return per_call(prompt_tokens, completion_tokens)

    def _openai(self):
        if self._client is None:
            import openai

            self._client = openai.OpenAI(api_key=self._api_key, base_url=self.base_url, max_retries=self.max_retries,
                                         timeout=openai.Timeout(self.timeout, connect=min(3.0, self.timeout)))
        return self._client

    def chat(self, messages: list[dict], *, max_tokens: int = 32, temperature: float = 0.0,
             seed: int | None = None) -> CloudReply:
        """One chat completion; any failure becomes :class:`CloudUnavailable` (type and status only)."""
        if not self.configured:
            raise CloudUnavailable("no cloud key: set OPENAI_API_KEY in the environment (or use the stand-in)")
        import openai

        try:
            r = self._openai().chat.completions.create(model=self.model, messages=messages, max_tokens=max_tokens,
                                                       temperature=temperature, seed=seed)
        except openai.APIStatusError as exc:
            raise CloudUnavailable(f"{self.label} answered HTTP {exc.status_code}") from None
        except openai.APIError as exc:  # connection refused, timeout, bad response
            raise CloudUnavailable(f"{self.label} unreachable ({type(exc).__name__})") from None
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a body that is no chat completion
            raise CloudUnavailable(f"{self.label} sent a malformed reply ({type(exc).__name__})") from None
        return read_reply(r, self.model)

    def is_up(self) -> bool:
        """Does the endpoint answer ``GET /models``? (No tokens are spent.)"""
        if not self.configured:
            return False
        import openai

        try:
            self._openai().with_options(max_retries=0, timeout=min(5.0, self.timeout)).models.list()
            return True
        except openai.APIError:
            return False


# --- the stand-in -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordedRequest:
    """What the stand-in received: path, JSON body, and whether an Authorization header came (its
    value is not kept)."""

    path: str
    body: dict
    had_auth: bool
    at: float = field(default_factory=time.time)

    def text(self) -> str:
        """Every message's content in this request, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


class StandInCloud(BackgroundHTTPServer):
    """STAND-IN, NOT A CLOUD: an OpenAI-compatible HTTP server on 127.0.0.1 that records requests.

    ``fail_status``: answer every request with this HTTP status (fault injection);
    ``delay_s``: wait this long before answering (to try timeouts).

    >>> with StandInCloud() as cloud:
    ...     reply = CloudLLM.stand_in(cloud).chat([{"role": "user", "content": "hi"}], max_tokens=8)
    ...     [r.text() for r in cloud.requests], reply.text.startswith("[STAND-IN CLOUD")
    (['hi'], True)
    """

    thread_name = "stand-in-cloud"

    def __init__(self, *, fail_status: int | None = None, delay_s: float = 0.0):
        super().__init__()
        self.fail_status = fail_status
        self.delay_s = delay_s
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = t("cloud.stand_in.listening", url=self.base_url) if self.running else t("cloud.stand_in.stopped")
        return t("cloud.stand_in.repr", state=state, n=len(self._requests))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def received_text(self) -> str:
        """All message text the stand-in has received so far."""
        return "\n".join(r.text() for r in self.requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(req)

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)


def _handler_for(owner: StandInCloud) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: the record is the log
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): fine
                pass

        def do_GET(self) -> None:
            owner._record(RecordedRequest(self.path, {}, bool(self.headers.get("Authorization"))))
            if owner.fail_status:
                self._send(owner.fail_status, {"error": {"message": "stand-in fault injection"}})
            elif self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": DEFAULT_CLOUD_MODEL, "object": "model",
                                                             "owned_by": "stand-in"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"unparsed": raw.decode("utf-8", "replace")}
            owner._record(RecordedRequest(self.path, body, bool(self.headers.get("Authorization"))))
            if owner.delay_s:
                time.sleep(owner.delay_s)
            if owner.fail_status:
                self._send(owner.fail_status, {"error": {"message": "stand-in fault injection"}})
                return
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
            answer = t("cloud.stand_in.reply", label=t("cloud.stand_in.label"), n=len(text))  # STAND_IN_LABEL in English
            prompt_tokens = max(1, len(text) // 4)
            completion_tokens = min(int(body.get("max_tokens") or 16), 16)
            self._send(200, {
                "id": f"standin-{len(owner.requests)}", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", DEFAULT_CLOUD_MODEL),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            })

    return Handler
