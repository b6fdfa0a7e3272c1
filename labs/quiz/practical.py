"""Live checks of the learner's own setup, for the practical "Check yourself" questions.

* :func:`setup` (question 2, lesson 2): a server answers at ``OLLAMA_HOST``, the model is present,
  it generates, and its speed in tokens/s is shown.
* :func:`sdk` (question 3, lesson 2): the learner's ``ask_local(prompt) -> str`` really calls a local
  model server. The check watches every HTTP request the function makes (the ``openai`` and
  ``ollama`` clients and :class:`labs.client.LocalLLM` all send through ``httpx`` or its fork
  ``httpx2``) and compares the text it returns with the text the server sent.

Both return a :class:`Probe` of named steps; nothing here raises for a failed step. A step's ``error`` and
the texts in its ``fields`` speak ``lang`` (else ``LAB_LANG``; :mod:`labs.i18n`, keys ``quiz.probe.*``).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from labs import DEFAULT_MODEL
from labs.i18n import t

PREFERRED_MODELS = ("llama3.2", "llama3.2:latest", "llama3.2:3b", DEFAULT_MODEL)
"""After the lessons' own model (``LABS_MODEL``): the module's (``ollama pull llama3.2``), then this workbook's small one."""
MODEL_PATHS = ("/api/generate", "/api/chat", "/v1/chat/completions", "/v1/completions", "/v1/responses")
SETUP_PROMPT = "Say hello in one short sentence."
SDK_PROMPT = "Name one reason to run a language model locally. Answer in one short sentence."
GEN_OPTIONS = {"num_predict": 16, "temperature": 0, "seed": 42}


@dataclass
class Step:
    """One step of a practical check: ``ok`` is True, False, or None when it was skipped."""

    key: str
    ok: bool | None
    fields: dict = field(default_factory=dict)
    error: str = ""


@dataclass
class Probe:
    steps: list[Step]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    def summary(self) -> dict:
        """What is worth saving in the progress file: each step's outcome and its numbers."""
        return {s.key: {"ok": s.ok, **{k: v for k, v in s.fields.items() if isinstance(v, (int, float, str))}}
                for s in self.steps}


def _skip(keys: list[str], done: list[Step]) -> Probe:
    return Probe(done + [Step(k, None) for k in keys[len(done):]])


def setup(model: str | None = None, *, host: str | None = None, lang: str | None = None) -> Probe:
    """Question 2: is a model server running here, with a model that generates? How fast?"""
    from labs.client import LocalLLM
    from labs.errors import LabError

    keys = ["server", "model", "generates", "speed"]
    steps: list[Step] = []
    llm = LocalLLM(host, timeout=60)
    try:
        if not llm.is_up():
            steps.append(Step("server", False, {"url": llm.url, "server": "-"}, t("quiz.probe.no_server", lang, url=llm.url)))
            return _skip(keys, steps)
        version = llm.version()
        kind = (t("quiz.probe.embedded", lang) if version.get("server") == "labs-embedded"
                else f"Ollama {version.get('version', '?')}")
        steps.append(Step("server", True, {"url": llm.url, "server": kind}))

        names = [m["name"] for m in llm.models()]
        listed = ", ".join(names) or "-"
        if model:
            wanted = model if model in names or f"{model}:latest" not in names else f"{model}:latest"
        else:
            from labs.settings import lesson_model

            wanted = next((m for m in (lesson_model(), *PREFERRED_MODELS) if m in names), names[0] if names else DEFAULT_MODEL)
        if wanted not in names:
            # the embedded server cannot pull: the same explanation every lesson gives (what it ships, what to run on Ollama)
            if version.get("server") == "labs-embedded":
                from labs.settings import missing_model_help

                said = missing_model_help(wanted, embedded=True, lang=lang)
            else:
                said = t("quiz.probe.model_missing", lang, model=wanted)
            steps.append(Step("model", False, {"model": wanted, "models": listed}, said))
            return _skip(keys, steps)
        steps.append(Step("model", True, {"model": wanted, "models": listed}))

        m = llm.measure(SETUP_PROMPT, model=wanted, options=GEN_OPTIONS)
        text = m.text.strip()
        steps.append(Step("generates", m.eval_count > 0, {"tokens": m.eval_count, "text": text[:60]},
                          "" if m.eval_count > 0 else t("quiz.probe.no_tokens", lang)))
        fast = m.server_tokens_per_s > 0 or m.client_tokens_per_s > 0
        tps = m.server_tokens_per_s or m.client_tokens_per_s
        steps.append(Step("speed", fast, {"tps": tps, "ttft": m.ttft_s}, "" if fast else t("quiz.probe.no_speed", lang)))
        return Probe(steps)
    except LabError as exc:
        steps.append(Step(keys[len(steps)], False, {}, str(exc)))
        return _skip(keys, steps)
    finally:
        llm.close()


# --- watching a function's HTTP traffic ---------------------------------------------------------

@dataclass
class Call:
    method: str
    url: str
    host: str
    path: str
    agent: str
    status: int | None
    error: str = ""
    response: Any = None
    streamed: list = field(default_factory=list)  # the body's bytes as a streamed reply was read

    def describe(self) -> str:
        client = self.agent.split(" ")[0] if self.agent else "?"
        outcome = self.status if self.status is not None else self.error
        return f"{self.method} {self.host}{self.path} → {outcome} ({client})"

    def request_json(self) -> Any:
        """The request's JSON body (None when it had none or it is not JSON)."""
        try:
            return json.loads(self.response.request.content)
        except Exception:  # no response (a failed call), a streamed upload, not JSON
            return None

    def text(self) -> str | None:
        """The model's text in the response body, non-streamed or streamed (NDJSON lines, or the ``/v1`` SSE
        ``data:`` events) and assembled; None when unreadable. A streamed reply counts too, so a function that
        streams and then returns a fixed sentence is caught (issue 12's attack: it scored full marks)."""
        try:
            content = self.response.content
        except Exception:  # a streamed reply is never kept whole: the chunks seen as it was read
            content = b"".join(self.streamed)
            if not content:
                return None
        try:
            body = json.loads(content)
        except Exception:
            return _streamed_text(content)
        return _piece(body) if isinstance(body, dict) else None


def _piece(event: dict) -> str:
    """The text of one reply object, whichever API shaped it: native generate/chat, or ``/v1`` (a whole
    ``message``, a streamed ``delta``, or a completion's ``text``)."""
    if isinstance(event.get("response"), str):
        return event["response"]
    if isinstance(event.get("message"), dict):
        return event["message"].get("content") or ""
    choices = event.get("choices") or [{}]
    first = choices[0] if isinstance(choices[0], dict) else {}
    for key in ("message", "delta"):
        if isinstance(first.get(key), dict):
            return first[key].get("content") or ""
    return first.get("text") or ""


def _streamed_text(content: bytes) -> str | None:
    """The text of a streamed body: NDJSON objects, one per line, or SSE ``data: {...}`` events."""
    pieces, seen = [], False
    for line in content.decode("utf-8", "replace").splitlines():
        line = line.strip().removeprefix("data:").strip()
        if not line or line == "[DONE]":
            continue
        try:
            event = json.loads(line)
        except ValueError:
            return None
        if isinstance(event, dict):
            seen = True
            pieces.append(_piece(event))
    return "".join(pieces) if seen else None


@lru_cache(maxsize=None)
def _tee_class(lib):
    """A body stream class of ``lib`` (httpx or its fork) that keeps a copy of every chunk read through it
    (httpx insists the stream be its own SyncByteStream/AsyncByteStream)."""
    return type("Tee", (_Tee, lib.SyncByteStream, lib.AsyncByteStream), {})


class _Tee:
    def __init__(self, inner, sink: list):
        self._inner, self._sink = inner, sink

    def __iter__(self):
        for chunk in self._inner:
            self._sink.append(chunk)
            yield chunk

    async def __aiter__(self):
        async for chunk in self._inner:
            self._sink.append(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()

    async def aclose(self) -> None:
        await self._inner.aclose()


HTTP_LIBRARIES = ("httpx", "httpx2")
"""Where the clients send from: ``ollama`` and ``LocalLLM`` use httpx, recent ``openai`` its fork httpx2."""


@contextmanager
def watch_http() -> Iterator[list[Call]]:
    """Record every request sent through ``httpx`` / ``httpx2`` (sync and async) while the block runs."""
    import importlib

    calls: list[Call] = []
    patched: list[tuple[type, Callable]] = []

    def note(request, response=None, error: Exception | None = None, lib=None) -> None:
        url = request.url
        call = Call(request.method, str(url), f"{url.host}:{url.port or ''}".rstrip(":"), url.path,
                    request.headers.get("user-agent", ""), getattr(response, "status_code", None),
                    f"{type(error).__name__}" if error else "", response)
        if response is not None and lib is not None and not getattr(response, "is_stream_consumed", True):
            response.stream = _tee_class(lib)(response.stream, call.streamed)  # keep what a streamed reply carries
        calls.append(call)

    def wrap_sync(original, lib):
        def send(self, request, *args, **kwargs):
            try:
                response = original(self, request, *args, **kwargs)
            except Exception as exc:
                note(request, error=exc)
                raise
            note(request, response, lib=lib)
            return response
        return send

    def wrap_async(original, lib):
        async def send(self, request, *args, **kwargs):
            try:
                response = await original(self, request, *args, **kwargs)
            except Exception as exc:
                note(request, error=exc)
                raise
            note(request, response, lib=lib)
            return response
        return send

    for name in HTTP_LIBRARIES:
        try:
            lib = importlib.import_module(name)
        except ImportError:
            continue
        for cls, wrap in ((lib.Client, wrap_sync), (lib.AsyncClient, wrap_async)):
            patched.append((cls, cls.send))
            cls.send = wrap(cls.send, lib)
    try:
        yield calls
    finally:
        for cls, original in reversed(patched):
            cls.send = original


def _is_local(call: Call) -> bool:
    from labs.host import is_loopback

    return is_loopback(call.host.rsplit(":", 1)[0] if call.host.count(":") == 1 else call.host.split("]")[0])


def _sends_alone(call: Call, prompt: str) -> bool:
    """Does ``call`` send ``prompt`` alone, as ``labs grade`` requires of quiz q3's evidence
    (:func:`labs.grading.evidence.request_problem`)?"""
    from labs.grading.evidence import request_problem

    body = call.request_json()
    route = next((p for p in MODEL_PATHS if call.path.rstrip("/").endswith(p)), "")
    return isinstance(body, dict) and not request_problem(route, body, prompt)


def _short(value: Any) -> str:
    """A returned value for feedback: its head only when long (``ChatCompletion(…)``), never a repr cut mid-structure."""
    from labs.checks.calls import short

    return short(value, 60)


def sdk(fn: Callable[[str], Any] | None, *, name: str = "ask_local", prompt: str = SDK_PROMPT,
        lang: str | None = None) -> Probe:
    """Question 3: call the learner's function and check that it really asks a local model server."""
    from labs.exercises import NotAnswered, answer

    keys = ["defined", "local_call", "answer"]
    steps: list[Step] = []
    try:
        fn = answer({name: fn} if fn is not None else {}, name)
    except NotAnswered as exc:
        return _skip(keys, [Step("defined", False, {"name": name}, str(exc))])
    if not callable(fn):
        return _skip(keys, [Step("defined", False, {"name": name}, t("quiz.probe.not_a_function", lang, name=name))])
    steps.append(Step("defined", True, {"name": name}))

    returned: Any = None
    error = ""
    with watch_http() as calls:
        try:
            returned = fn(prompt)
        except Exception as exc:  # the learner's code: report, never raise
            from labs.quiz.hints import explain_error

            error = t("quiz.probe.raised", lang, call=f"{name}({prompt!r})", error=explain_error(exc, lang))
    model_calls = [c for c in calls if c.path.rstrip("/").endswith(MODEL_PATHS)]
    local_ok = [c for c in model_calls if _is_local(c) and c.status is not None and c.status < 400]
    seen = "; ".join(c.describe() for c in model_calls) or t("quiz.probe.no_model_request", lang)
    if not local_ok:
        remote = [c.host for c in model_calls if not _is_local(c)]
        why = error or (t("quiz.probe.remote", lang, hosts=", ".join(remote)) if remote else
                        t("quiz.probe.no_local_call", lang, calls=seen))
        return _skip(keys, steps + [Step("local_call", False, {"calls": seen}, why)])
    alone = [c for c in local_ok if _sends_alone(c, prompt)]
    if local_ok and not alone and not error:  # the grader takes only such a request as the model's answer
        return _skip(keys, steps + [Step("local_call", False, {"calls": seen}, t("quiz.probe.not_alone", lang))])
    steps.append(Step("local_call", True, {"calls": seen}))

    if error:
        return Probe(steps + [Step("answer", False, {"text": ""}, error)])
    if not isinstance(returned, str) or not returned.strip():
        return Probe(steps + [Step("answer", False, {"text": str(returned)[:60]},
                                   t("quiz.probe.not_text", lang, type=type(returned).__name__,
                                     value=_short(returned)))])
    served = [t for t in (c.text() for c in local_ok) if t]
    if served and not any(t.strip() and t.strip() in returned for t in served):
        return Probe(steps + [Step("answer", False, {"text": returned[:60]},
                                   t("quiz.probe.other_text", lang, served=repr(served[-1][:60])))])
    return Probe(steps + [Step("answer", True, {"text": returned.strip()[:60]})])
