"""The hybrid router: local for personal data and simple tasks, cloud for complex ones (lesson 3).

:meth:`Router.route` decides without calling any model (detector + heuristic + policy: about 0.3 ms for 2 KB of
prose, 1.5-2 ms for a 2 KB support ticket full of numbers, bench/router_bench.py); :meth:`Router.complete` routes, calls the model, falls back when a side is down,
and writes the audit log. Personal data is never sent to the cloud: the policy keeps it local,
the fallback for it is "refuse", and the cloud call itself re-checks its exact payload.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from labs import DEFAULT_MODEL
from labs.errors import LabError, ServerBusy, ServerNotRunning
from labs.i18n import t
from labs.router.audit import AuditLog
from labs.router.cloud import CloudLLM, CloudUnavailable
from labs.router.complexity import Complexity, heuristic
from labs.router.pii import Detector, detect_pii
from labs.router.policy import Decision, decide


class PersonalDataBlocked(LabError):
    """Raised (never caught by the router) if a cloud payload holds personal data: a bug guard."""


class MalformedReply(LabError):
    """A side answered, but not with a chat reply the router can read (non-JSON body, no message,
    a dropped connection): treated like a side that is down, so personal data still never moves."""


@dataclass(frozen=True)
class Completion:
    """What :meth:`Router.complete` returns: the answer and where it came from."""

    text: str | None
    target: str  # the side that answered: "local" | "cloud"; "refuse" when none did
    decision: Decision
    latency_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 0
    fallback_used: bool = False
    error: str | None = None  # type of the last error, if any

    @property
    def refused(self) -> bool:
        return self.target == "refuse"


class Router:
    """Route prompts between a local model (``OLLAMA_HOST``) and an OpenAI-compatible cloud.

    ``local``: a :class:`labs.client.LocalLLM` or a host string (default: ``OLLAMA_HOST``).
    ``cloud``: a :class:`CloudLLM` (default: from ``OPENAI_API_KEY``; without a key, no cloud).
    ``audit``: an :class:`AuditLog` or a path; ``judge``: a complexity classifier used by
    :meth:`complete` (e.g. :class:`labs.router.complexity.LLMJudge`), the heuristic otherwise.
    ``detectors``: extra PII detectors. A side that fails is treated as down for ``down_for_s``.
    """

    def __init__(self, local=None, cloud: CloudLLM | None = None, *, model: str = DEFAULT_MODEL,
                 audit: AuditLog | str | None = None, judge: Callable[[str], Complexity] | None = None,
                 detectors: Iterable[Detector] = (), num_predict: int = 32, seed: int = 42,
                 local_timeout: float = 60.0, local_retries: int = 1, down_for_s: float = 30.0):
        if not 0 <= local_retries <= 3:
            raise ValueError(f"local_retries={local_retries}: keep retries bounded, 0 to 3")
        if not 0 < local_timeout <= 600:
            raise ValueError(f"local_timeout={local_timeout}: give a bounded timeout in seconds, above 0 and at most 600")
        if local is None or isinstance(local, str):
            from labs.client import LocalLLM

            local = LocalLLM(local, model=model, timeout=local_timeout)
        self.local = local
        self.cloud = cloud if cloud is not None else CloudLLM()
        self.audit = AuditLog(audit) if isinstance(audit, str) else audit
        self.judge = judge
        self.detectors = tuple(detectors)
        self.num_predict = num_predict
        self.seed = seed
        self.local_retries = local_retries
        self.down_for_s = down_for_s
        self._down_until = {"local": 0.0, "cloud": 0.0}

    def __repr__(self) -> str:
        return f"Router(local={self.local!r}, cloud={self.cloud!r})"

    # --- health -----------------------------------------------------------------------------
    def is_down(self, side: str) -> bool:
        return time.monotonic() < self._down_until[side]

    def mark(self, side: str, up: bool) -> None:
        self._down_until[side] = 0.0 if up else time.monotonic() + self.down_for_s

    def check_health(self) -> dict[str, bool]:
        """Probe both sides now (no tokens spent) and remember the answer."""
        status = {"local": bool(self.local.is_up()), "cloud": self.cloud.configured and self.cloud.is_up()}
        for side, up in status.items():
            self.mark(side, up)
        return status

    # --- deciding -----------------------------------------------------------------------------
    def route(self, prompt: str, *, sensitive: bool | None = None, complexity: Complexity | None = None) -> Decision:
        """Decide where ``prompt`` goes. Calls no model and no server."""
        if not isinstance(prompt, str):
            raise ValueError(f"route() needs the prompt as a str, got {type(prompt).__name__}")
        findings = detect_pii(prompt, extra=self.detectors)
        return decide(
            findings=findings,
            complexity=complexity or heuristic(prompt),
            sensitive=sensitive,
            local_up=False if self.is_down("local") else None,
            cloud_ready=self.cloud.configured and not self.is_down("cloud"),
        )

    # --- running ------------------------------------------------------------------------------
    def complete(self, prompt: str, *, sensitive: bool | None = None, system: str | None = None,
                 num_predict: int | None = None) -> Completion:
        """Route ``prompt``, run it, fall back if allowed, audit it. Never raises for a side
        being down: the :class:`Completion` says ``refuse`` with the reasons instead."""
        started = time.perf_counter()
        text = f"{system}\n{prompt}" if system else prompt  # a system prompt is checked like the prompt
        complexity = None
        if self.judge is not None and sensitive is not True and not detect_pii(text, extra=self.detectors):
            complexity = self.judge(prompt)
        decision = self.route(text, sensitive=sensitive, complexity=complexity)
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        max_tokens = num_predict or self.num_predict
        attempts, last_error = 0, None
        plan = [decision.target] + ([decision.fallback] if decision.fallback else [])
        if decision.target != "refuse":
            for i, side in enumerate(plan):
                try:
                    answer, p_tok, c_tok, cost, n, warning = self._call(side, messages, decision, max_tokens)
                except (LabError, CloudUnavailable) as exc:
                    if isinstance(exc, PersonalDataBlocked):
                        raise
                    attempts += getattr(exc, "attempts", 1)
                    last_error = exc
                    self.mark(side, False)
                    continue
                self.mark(side, True)
                return self._finish(text, decision, started, text=answer, used=side, prompt_tokens=p_tok,
                                    completion_tokens=c_tok, cost_usd=cost, attempts=attempts + n,
                                    fallback_used=i > 0, error=warning or last_error)
            failed = ", ".join(plan)
            extra = (t("router.reason.side_failed", side=failed, error=type(last_error).__name__),)
            if decision.personal:
                extra += (t("router.reason.refused_not_sent"),)
            decision = dataclasses.replace(decision, target="refuse", reasons=decision.reasons + extra, fallback=None)
        return self._finish(text, decision, started, text=None, used="refuse", attempts=attempts, error=last_error)

    def _finish(self, prompt: str, decision: Decision, started: float, *, text: str | None, used: str,
                error: BaseException | str | None = None, **numbers) -> Completion:
        latency = time.perf_counter() - started
        error_name = error if isinstance(error, str) or error is None else type(error).__name__
        if self.audit is not None:
            model = {"local": getattr(self.local, "model", None), "cloud": self.cloud.model}.get(used)
            self.audit.write(decision, prompt, used=used, latency_s=round(latency, 4), model=model, error=error_name,
                             **numbers)
        return Completion(text, used, decision, latency, error=error_name, **numbers)

    def _call(self, side: str, messages: list[dict], decision: Decision, max_tokens: int):
        if side == "cloud":
            payload = "\n".join(m["content"] for m in messages)
            if decision.personal or detect_pii(payload, extra=self.detectors):
                raise PersonalDataBlocked("refusing to send personal data to the cloud (this is a bug in the policy)")
            reply = self.cloud.chat(messages, max_tokens=max_tokens, temperature=0, seed=self.seed)
            warning = "UnreadableUsage" if reply.warning else None
            try:  # the answer is paid for: a pricing problem must not lose it
                cost = self.cloud.cost(reply.prompt_tokens, reply.completion_tokens, reply.cached_tokens)
            except ValueError:
                cost, warning = 0.0, "UnpricedUsage"
            return reply.text, reply.prompt_tokens, reply.completion_tokens, cost, 1, warning
        options = {"num_predict": max_tokens, "temperature": 0, "seed": self.seed}
        for attempt in range(1 + self.local_retries):
            try:
                r = self.local.chat(messages, options=options)
                return (*_local_reply(r), 0.0, attempt + 1, None)
            except (ServerNotRunning, ServerBusy) as exc:
                if attempt == self.local_retries:
                    exc.attempts = attempt + 1
                    raise
                time.sleep(0.2 * 2**attempt)
            except LabError:
                raise
            except Exception as exc:  # a non-JSON body, a dropped connection (httpx), a reply of the wrong shape
                raise MalformedReply(f"the local server answered something that is no chat reply "
                                     f"({type(exc).__name__}: {str(exc)[:80]})") from None
        raise AssertionError("unreachable")


def _local_reply(r) -> tuple[str, int, int]:
    """(answer, prompt tokens, completion tokens) from an Ollama /api/chat reply; MalformedReply if
    there is no answer in it (counts that cannot be read are 0: the answer is kept)."""
    message = r.get("message") if isinstance(r, dict) else None
    text = message.get("content") if isinstance(message, dict) else None
    if not isinstance(text, str):
        raise MalformedReply(f"the local reply has no message content ({type(r).__name__}): is OLLAMA_HOST an "
                             "Ollama-compatible server?")

    def count(key: str) -> int:
        v = r.get(key, 0)
        return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e9 else 0

    return text, count("prompt_eval_count"), count("eval_count")
