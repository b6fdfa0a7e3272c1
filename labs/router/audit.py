"""An audit trail of every routing decision that never stores the personal data itself (lesson 3).

Each line of the JSON-lines file records when, where the request went (``target`` decided,
``used`` in the end), why (``reasons``), what kinds of personal data were found and how many,
latency, tokens and cost. The prompt itself appears only as

* ``prompt_hmac`` — a keyed hash (HMAC-SHA256). A plain SHA-256 of a phone number can be
  reversed by hashing all 10^9 phone numbers; a keyed one cannot without the key. The key comes
  from the ``ROUTER_AUDIT_KEY`` environment variable, or is random for this log object (then
  equal prompts match only within one run).
* ``redacted`` (optional, default on) — the prompt with every finding replaced by ``[EMAIL]``,
  ``[PHONE]``, ..., cut to ``max_redacted_chars``. The log is stricter than the router: it also
  masks what looks like a person's name (two capitalised words, "Olena Koval") as ``[NAME]``,
  although names alone do not make the router keep a prompt local; and near health data every
  capitalised word that may be the person it is about ("Olena has [HEALTH]", "У Тараса [HEALTH]"):
  the diagnosis without the name is no longer about anyone (issue 11, round 6).

Error messages are reduced to the exception's type name: a server's error text may echo the prompt.

>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl", key=b"demo")
>>> from labs.router.policy import Decision
>>> from labs.router.pii import detect_pii
>>> prompt = "Please call Olena Koval at +380 67 123 45 67"
>>> entry = log.write(Decision("local", ("personal data found: 1 phone",), tuple(detect_pii(prompt))), prompt)
>>> entry["redacted"], entry["pii"], "+380" in log.path.read_text()
('Please call [NAME] at [PHONE]', {'phone': 1}, False)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import uuid
from pathlib import Path
from typing import Any

from labs.router.health import CUES, CUES_BEFORE, NOT_NAMES, NOT_SUBJECTS, TERMS, WINDOW
from labs.router.pii import Finding, detect_pii, redact
from labs.router.policy import Decision

KEY_ENV = "ROUTER_AUDIT_KEY"


_CAP = r"[A-ZА-ЩЬЮЯҐЄІЇ][a-zа-щьюяґєії'’]+"
_CAP_RUN = re.compile(rf"(?<!\w){_CAP}(?: {_CAP})+(?!\w)")


def mask_names(text: str) -> str:
    """Replace likely personal names — two or more capitalised words in a row, sentence starters
    such as "The" or "Please" left out — with ``[NAME]``. It over-masks ("New York"): fine for a log.

    >>> mask_names("Please call Olena Koval about the REST API; Тарас Бойко too. The Hague")
    'Please call [NAME] about the REST API; [NAME] too. The Hague'
    """
    def one(m: re.Match) -> str:
        words = m.group().split(" ")
        lead = 0
        while lead < len(words) and words[lead].lower() in NOT_NAMES:
            lead += 1
        if len(words) - lead < 2:
            return m.group()
        return " ".join(words[:lead] + ["[NAME]"])

    return _CAP_RUN.sub(one, text)


# One capitalised word (a hyphenated double name too), in either script; not a placeholder ("[NAME]")
_CAP_WORD = re.compile(r"(?<![\w\[])[A-ZА-ЩЬЮЯҐЄІЇ][a-zа-щьюяґєії'’]+(?:-[A-ZА-ЩЬЮЯҐЄІЇ][a-zа-щьюяґєії'’]+)?(?!\w)")
# Capitalised words that start a sentence about health and name nobody
_NOT_A_PERSON = frozenset("doctors doctor nurses nurse yesterday today tomorrow last next after before since then now "
                          "лікарі лікар медсестра вчора сьогодні завтра минулого після до відтоді тепер зараз".split())


def people_near_health(prompt: str, findings) -> list[Finding]:
    """``[NAME]`` findings for every capitalised word within :data:`labs.router.health.WINDOW` characters of a
    health finding that may be the person it is about ("Olena has diabetes", "У Тараса астма", "Ользі
    діагностували ..."): not a sentence starter, a pronoun or relative, a health term or a known thing. Over-masks
    ("Kyiv") rather than keep a patient's name next to a diagnosis.

    >>> prompt = "Olena has diabetes."
    >>> [f.text for f in people_near_health(prompt, detect_pii(prompt))]
    ['Olena']
    """
    out = []
    for f in findings:
        if f.kind != "health":
            continue
        for m in _CAP_WORD.finditer(prompt, max(0, f.start - WINDOW), min(len(prompt), f.end + WINDOW)):
            word = m.group().lower()
            if word in NOT_NAMES or word in NOT_SUBJECTS or word in _NOT_A_PERSON or CUES.fullmatch(word) \
                    or CUES_BEFORE.fullmatch(word) or TERMS.fullmatch(word):
                continue
            out.append(Finding("name", m.start(), m.end(), m.group(), 10))  # any other finding wins an overlap
    return out


def redact_for_log(prompt: str, findings=None) -> str:
    """``prompt`` as the log keeps it: every finding (``findings``, else detected anew) as its placeholder, the
    people near health data and two-word names as ``[NAME]``."""
    found = list(detect_pii(prompt) if findings is None else findings)
    return mask_names(redact(prompt, found + people_near_health(prompt, found)))


class AuditLog:
    """Append-only JSON lines at ``path`` (the folder is created)."""

    def __init__(self, path: str | Path, *, key: bytes | None = None, store_redacted: bool = True,
                 max_redacted_chars: int = 300):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        env_key = os.environ.get(KEY_ENV)
        self._key = key if key is not None else (env_key.encode() if env_key else secrets.token_bytes(32))
        self.store_redacted = store_redacted
        self.max_redacted_chars = max_redacted_chars
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never shows the key
        return f"AuditLog({str(self.path)!r}, store_redacted={self.store_redacted})"

    def fingerprint(self, text: str) -> str:
        """The keyed hash of ``text`` (hex)."""
        return hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def write(self, decision: Decision, prompt: str, **outcome: Any) -> dict:
        """Append one entry and return it. ``outcome`` may hold ``used``, ``latency_s``,
        ``prompt_tokens``, ``completion_tokens``, ``cost_usd``, ``model``, ``attempts`` and
        ``error`` (an exception: only its type name is kept; a string is redacted)."""
        entry: dict[str, Any] = {
            "ts": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
            "id": uuid.uuid4().hex[:12],
            "target": decision.target,
            "used": outcome.pop("used", None),
            "reasons": list(decision.reasons),
            "pii": decision.pii_kinds,
            "personal": decision.personal,
            "complexity": decision.complexity.label,
            "complexity_score": decision.complexity.score,
            "complexity_by": decision.complexity.by,
            "prompt_chars": len(prompt),
            "prompt_hmac": self.fingerprint(prompt),
        }
        if self.store_redacted:
            entry["redacted"] = redact_for_log(prompt, decision.findings)[: self.max_redacted_chars]
        error = outcome.pop("error", None)
        if error is not None:
            entry["error"] = type(error).__name__ if isinstance(error, BaseException) else redact_for_log(str(error))
        for name in ("latency_s", "prompt_tokens", "completion_tokens", "cost_usd", "model", "attempts", "fallback_used"):
            if name in outcome:
                entry[name] = outcome.pop(name)
        if outcome:
            raise ValueError(f"AuditLog.write: unknown fields {sorted(outcome)}; it stores only the documented ones")
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return entry

    def read(self) -> list[dict]:
        """All entries, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
