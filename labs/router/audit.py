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
  the diagnosis without the name is no longer about anyone (issue 11, round 6); and in a prompt with any personal data
  the names in the forms they take next to an identifier: a known first name in any case with its surname, ALL CAPS,
  a surname with initials, a name field's value (:func:`people_with_identifiers`).

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

from labs.router.health import CUES, CUES_BEFORE, NOT_NAMES, NOT_SUBJECTS, TERMS
from labs.router.names import first_names
from labs.router.pii import Finding, detect_pii, redact
from labs.router.textscan import lower, without_surrogates
from labs.router.policy import Decision

KEY_ENV = "ROUTER_AUDIT_KEY"


# a capitalised word in Latin, Ukrainian or Russian letters, with an apostrophe of any kind ("Марʼяна", "O'Brien"),
# an inner capital ("McDonald") and a second half after a hyphen ("Коваль-Бондар")
_UPPER, _LOWER = "A-ZА-ЩЬЮЯҐЄІЇЁЫЭЪ", "a-zа-щьюяґєіїёыэъ"
_CAP = (rf"[{_UPPER}](?:['’ʼ][{_UPPER}])?[{_LOWER}'’ʼ]+(?:[{_UPPER}][{_LOWER}'’ʼ]+)?"
        rf"(?:-[{_UPPER}][{_LOWER}'’ʼ]+)?")
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
_CAP_WORD = re.compile(rf"(?<![\w\[]){_CAP}(?!\w)")
# Capitalised words that start a sentence about health and name nobody
_NOT_A_PERSON = frozenset("doctors doctor nurses nurse yesterday today tomorrow last next after before since then now "
                          "лікарі лікар медсестра вчора сьогодні завтра минулого після до відтоді тепер зараз".split())


def people_near_health(prompt: str, findings) -> list[Finding]:
    """``[NAME]`` findings for every capitalised word of a prompt with a health finding that may be the person it is
    about ("Olena has diabetes", "У Тараса астма", "Ользі
    діагностували ..."): not a sentence starter, a pronoun or relative, a health term or a known thing. Over-masks
    ("Kyiv") rather than keep a patient's name next to a diagnosis.

    >>> prompt = "Olena has diabetes."
    >>> [f.text for f in people_near_health(prompt, detect_pii(prompt))]
    ['Olena']
    """
    out = []
    if not any(f.kind in ("health", "special") for f in findings):
        return out
    # the whole prompt, not a window around the finding: "Пишу про Тараса. <100 characters> У нього [HEALTH]" still
    # says who (issue 11 r6 B3); a prompt names few people, so over-masking a capitalised word costs little
    for m in _CAP_WORD.finditer(prompt):
        word = m.group().lower()
        if word in NOT_NAMES or word in NOT_SUBJECTS or word in _NOT_A_PERSON or CUES.fullmatch(word) \
                or CUES_BEFORE.fullmatch(word) or TERMS.fullmatch(word):
            continue
        out.append(Finding("name", m.start(), m.end(), m.group(), 10))  # any other finding wins an overlap
    for m in first_names(prompt):  # in capitals too: "ОЛЕНА МАЄ [HEALTH]", "У ТАРАСА [HEALTH]" (issue 11 r7 B2)
        out.append(Finding("name", m.start(), m.end(), prompt[m.start():m.end()], 10))
    for m in _CAPS_SUBJECT.finditer(prompt):  # a name off the list in capitals before a verb of having
        if m.group(1).lower() not in NOT_NAMES and not TERMS.fullmatch(m.group(1).lower()):
            out.append(Finding("name", m.start(1), m.end(1), m.group(1), 10))
    unique = {(f.start, f.end): f for f in reversed(out)}  # one finding per span (the first one found)
    return sorted(unique.values(), key=lambda f: f.start)


_CAPS_SUBJECT = re.compile(rf"(?<![\w\[])([{_UPPER}]{{3,}}) (?:МАЄ|ХВОРІЄ|HAS|IS|HAD|WAS|ПРИЙМАЄ|TAKES)(?!\w)")


# the value of a field that holds a name: name=Olena+Koval, "surname":"Koval", ПІБ: Коваленко Ольга; From: "Koval, Olena"
_NAME_FIELD = re.compile(
    r"(?i:(?<![\w])(?:name|surname|first[_\- ]?name|last[_\- ]?name|full[_\- ]?name|given[_\- ]?name|family[_\- ]?name|"
    r"fio|піб|ім['’ʼ]я|прізвище|по[- ]батькові|patient|пацієнт\w*|отримувач\w*|відправник\w*|from|to|client|клієнт\w*))"
    r"[\"']?\s*[:=]\s*(?:\"(?P<q>[^\"\n]{1,80})\"|'(?P<s>[^'\n]{1,80})'|(?P<v>[^\"&;,\n<>{}\[\]()|]{1,80}))")
# a surname with initials: "Коваль О.В.", "KOVAL O.", "О. В. Коваль", "Koval, O." (issue 11 r7 B3)
_INITIALS = re.compile(rf"(?<![\w\[])(?:[{_UPPER}][\w'’ʼ\-]+,? [{_UPPER}]\.\s?(?:[{_UPPER}]\.)?|"
                       rf"[{_UPPER}]\.\s?(?:[{_UPPER}]\.\s?)?[{_UPPER}][{_LOWER}'’ʼ]+)")
_WORD = re.compile(r"[^\W\d_][\w'’ʼ\-]*")
# a surname after a title: "пані Коваль", "пана Петренка", "Mr. Smith", "Dr Koval"
_TITLED = re.compile(rf"(?<!\w)(?:пан|пані|пана|панові|паном|пане|панею|панi|mr|mrs|ms|miss|dr|д-р|доктор\w*)\.?\s"
                     rf"(?P<name>{_CAP})", re.IGNORECASE)
# one capitalised word at a segment's start, then a comma or colon and at most a label before an identifier
_NAME_BEFORE_ID = re.compile(rf"(?:^|(?<=[\s(;\n]))(?P<name>{_CAP})\s*[,:(—–\-]\s*"
                             r"(?:[^\W\d_]{1,12}\.?\s*(?:[^\W\d_]{1,12}\.?\s*)?[:#№]?\s*)?$")
_NOT_A_NAME_LABEL = frozenset("telegram instagram viber whatsapp signal discord skype facebook linkedin twitter tiktok "
                              "email e-mail mail phone tel card iban passport address телеграм вайбер пошта телефон тел "
                              "картка паспорт адреса контакти contacts contact".split())
_CAPS_RUN = re.compile(rf"(?<![\w\[])[{_UPPER}'’ʼ\-]{{2,}}(?: [{_UPPER}'’ʼ\-]{{2,}})+(?![\w])")
# words that follow a lower-case first name and are no surname ("колега тарас має …", "olena has …")
_NOT_SURNAME = frozenset("has had is was and or but with has have will would said says має мав мала був була і й та з "
                         "із на до від у в що як хворіє каже сказав сказала просив просила просить".split())


def people_with_identifiers(prompt: str, findings) -> list[Finding]:
    """``[NAME]`` findings for the names a prompt with personal data holds, in the forms names take next to an
    identifier (issue 11 r6 B2): a known first name in any case and any letter case (:mod:`labs.router.names`) with
    the surname or patronymic next to it ("olena koval", "OLENA KOVAL", "Коваленко Ольга Іванівна"), a surname with
    initials ("Коваль О.В."), and the value of a name field ("name=Olena+Koval", ``"surname":"Koval"``, "ПІБ: …").
    Nothing when the prompt holds no personal data: a name alone is not logged as one.

    >>> redact_for_log("olena koval, 0671234567; Коваль О.В., name=Taras+Bondar; OLENA KOVAL")
    '[NAME], [PHONE]; [NAME], name=[NAME]; [NAME]'
    """
    if not any(f.kind != "name" for f in findings):
        return []
    low = lower(prompt)
    out: list[Finding] = []
    for m in first_names(prompt, low):
        out.append(Finding("name", m.start(), m.end(), m.group(), 10))
        name_lower = prompt[m.start()].islower()
        pos = m.end()
        for _ in range(2):  # the surname and the patronymic after it ("Ольга Іванівна Коваленко", "olena koval")
            w = _WORD.match(prompt, pos + 1) if prompt[pos : pos + 1] == " " else None
            if w is None or w.group().lower() in NOT_NAMES or w.group().lower() in _NOT_SURNAME or \
                    not (w.group()[0].isupper() or name_lower):
                break
            out.append(Finding("name", w.start(), w.end(), w.group(), 10))
            pos = w.end()
        before = re.search(r"(?:^|(?<=[^\w]))([^\W\d_][\w'’ʼ\-]*) $", prompt[max(0, m.start() - 40) : m.start()])
        if before is not None and before.group(1)[0].isupper():
            b_start = m.start() - len(before.group(1)) - 1
            lead = prompt[max(0, b_start - 2) : b_start].strip()
            if b_start > 0 and lead not in (".", "!", "?") and before.group(1).lower() not in NOT_NAMES:
                out.append(Finding("name", b_start, b_start + len(before.group(1)), before.group(1), 10))  # surname first
    for m in _TITLED.finditer(prompt):  # "пані Коваль, тел [PHONE]", "Mr. Smith" (issue 11 r7 B3)
        out.append(Finding("name", m.start("name"), m.end("name"), m.group("name"), 10))
    for f in findings:  # a word right before an identifier's label: "Giulia, тел. [PHONE]", "Giulia: [EMAIL]" (B1)
        if f.kind in ("name", "health", "special"):
            continue
        m = _NAME_BEFORE_ID.search(prompt, max(0, f.start - 40), f.start)
        if m is not None and m.group("name").lower() not in NOT_NAMES and m.group("name").lower() not in NOT_SUBJECTS \
                and m.group("name").lower() not in _NOT_A_NAME_LABEL and not CUES.fullmatch(m.group("name").lower()):
            out.append(Finding("name", m.start("name"), m.end("name"), m.group("name"), 10))
    for rx in (_INITIALS, _CAPS_RUN):
        for m in rx.finditer(prompt):
            if rx is _INITIALS or any(True for _ in first_names(m.group())):
                out.append(Finding("name", m.start(), m.end(), m.group(), 10))
    for m in _NAME_FIELD.finditer(prompt):
        g = next(k for k in ("q", "s", "v") if m.group(k) is not None)
        start, end = m.span(g)
        value = prompt[start:end].rstrip()
        if any(ch.isalpha() for ch in value) and not value.startswith("["):
            out.append(Finding("name", start, start + len(value), value, 10))
    return out


def redact_for_log(prompt: str, findings=None) -> str:
    """``prompt`` as the log keeps it: every finding (``findings``, else detected anew) as its placeholder, the
    people near health data, the names next to personal data (:func:`people_with_identifiers`) and two-word names
    as ``[NAME]``."""
    found = list(detect_pii(prompt) if findings is None else findings)
    people = _joined(prompt, people_near_health(prompt, found) + people_with_identifiers(prompt, found))
    return mask_names(redact(prompt, found + _outside(prompt, people, found)))


def _outside(prompt: str, names: list[Finding], found: list[Finding]) -> list[Finding]:
    """The parts of ``names`` outside every other finding: "ОЛЕНА МАЄ ДІАБЕТ" (a run of capitals that holds the
    health word) keeps its "ОЛЕНА МАЄ " as a name, not lose all of it to the health finding's overlap."""
    spans = sorted((f.start, f.end) for f in found if f.kind != "name")
    out = []
    for n in names:
        pos = n.start
        for s, e in spans:
            if e <= pos or s >= n.end:
                continue
            if prompt[pos:s].strip(" ,;:"):
                end = pos + len(prompt[pos:s].rstrip())
                out.append(Finding("name", pos, end, prompt[pos:end], 10))
            pos = max(pos, e)
        if pos < n.end and prompt[pos : n.end].strip(" ,;:"):
            end = pos + len(prompt[pos : n.end].rstrip())
            out.append(Finding("name", pos, end, prompt[pos:end], 10))
    return out


def _joined(prompt: str, names: list[Finding]) -> list[Finding]:
    """``names`` with overlapping ones, and those only blanks apart ("Olena" "Koval"), made one: one ``[NAME]``."""
    out: list[Finding] = []
    for f in sorted(names, key=lambda f: (f.start, -f.end)):
        if out and (f.start <= out[-1].end or not prompt[out[-1].end : f.start].strip(" ")):
            last = out[-1]
            end = max(last.end, f.end)
            out[-1] = Finding("name", last.start, end, prompt[last.start : end], 10)
        else:
            out.append(f)
    return out


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
        # surrogatepass: a lone surrogate (a JSON body's "\\ud800") is hashed too, never an error (issue 11 r14)
        return hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

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
        line = without_surrogates(json.dumps(entry, ensure_ascii=False))  # a lone surrogate would not encode as UTF-8
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return entry

    def read(self) -> list[dict]:
        """All entries, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
