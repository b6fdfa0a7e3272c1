"""Lesson 3: a hybrid local + cloud router that never leaks personal data.

Public interface (so the router can be evaluated from outside):

* :func:`detect_pii` — findings with ``kind``, ``start``, ``end``, ``text``;
* :func:`redact` — the text with typed placeholders (``[EMAIL]``, ``[PHONE]``, ...);
* :class:`Router` — ``route(prompt, *, sensitive=None)`` decides without calling a model
  (``target`` local | cloud | refuse, ``reasons``, ``findings``); ``complete(prompt)`` runs it.

Modules: :mod:`~labs.router.validators` (Luhn, IBAN, РНОКПП, SSN), :mod:`~labs.router.pii`,
:mod:`~labs.router.health`, :mod:`~labs.router.complexity`, :mod:`~labs.router.policy`,
:mod:`~labs.router.audit`, :mod:`~labs.router.cloud` (client and the labelled stand-in),
:mod:`~labs.router.router`, :mod:`~labs.router.evaluate` (scores on the labelled prompts).
"""

from labs.router.audit import AuditLog
from labs.router.cloud import CloudLLM, CloudUnavailable, StandInCloud
from labs.router.complexity import Complexity, LLMJudge, heuristic
from labs.router.pii import KINDS, Finding, detect_pii, redact, regex_detector
from labs.router.policy import Decision, decide
from labs.router.router import Completion, PersonalDataBlocked, Router

__all__ = [
    "AuditLog", "CloudLLM", "CloudUnavailable", "Completion", "Complexity", "Decision", "Finding", "KINDS",
    "LLMJudge", "PersonalDataBlocked", "Router", "StandInCloud", "decide", "detect_pii", "heuristic", "redact",
    "regex_detector",
]
