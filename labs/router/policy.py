"""Where a prompt may go, and why — the router's rules in one pure function (lesson 3).

=========================  ==============================  ===========================================
prompt                     normal                          when that side is down
=========================  ==============================  ===========================================
personal data              local                           **refuse** — never the cloud (fail closed)
not personal, simple       local                           cloud, if one is configured
not personal, complex      cloud                           local (no key, or cloud unreachable)
=========================  ==============================  ===========================================

"Personal" means the detector found something **or** the caller said ``sensitive=True``. A caller's
``sensitive=False`` cannot overrule the detector: a prompt with a card number stays local however
it is labelled. :func:`decide` calls nothing and takes microseconds.

>>> from labs.router.complexity import Complexity
>>> d = decide(findings=(), complexity=Complexity("complex", 3.0, ("reasoning",)), cloud_ready=True)
>>> d.target, d.fallback
('cloud', 'local')
>>> d = decide(findings=(), complexity=Complexity("simple", 0.0), sensitive=True, local_up=False, cloud_ready=True)
>>> d.target, d.reasons[-1]
('refuse', 'the local model is down and personal data never goes to the cloud (fail closed)')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from labs.i18n import language, messages, t
from labs.router.complexity import Complexity
from labs.router.pii import KINDS, Finding

TARGETS = ("local", "cloud", "refuse")


@dataclass(frozen=True)
class Decision:
    """The router's answer for one prompt: where it goes, why, and what was found in it."""

    target: str
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    complexity: Complexity = field(default_factory=lambda: Complexity("simple", 0.0))
    personal: bool = False
    fallback: str | None = None  # where to go if ``target`` fails; never "cloud" for personal data

    @property
    def pii_kinds(self) -> dict[str, int]:
        """How many findings of each kind (safe to log: no text)."""
        return dict(Counter(f.kind for f in self.findings))

    def explain(self) -> str:
        """One line per reason, for people (the reasons are in ``LAB_LANG``, from the message catalogue)."""
        head = f"→ {self.target}" + (t("router.explain.fallback", fallback=self.fallback) if self.fallback else "")
        return "\n".join([head, *(f"  • {r}" for r in self.reasons)])


def describe_kinds(kinds: dict[str, int], lang: str | None = None) -> str:
    """``{'phone': 2, 'email': 1}`` → ``'2 phone, 1 email'`` (Ukrainian: ``'телефон: 2, e-mail: 1'``);
    a kind from another detector (not in ``KINDS``, ``handle``, ``id_number`` or ``special``) shows as itself.
    ``lang``: as :func:`labs.i18n.t` takes it (None: ``LAB_LANG``)."""
    lang = language(lang)
    names = _kind_names(lang)
    return ", ".join(t("router.kind.count", lang, count=n, kind=names.get(k, k)) for k, n in kinds.items())


# the built-in kinds with a catalogue name (a handle and an ID number are outside the labelled set)
_NAMED_KINDS = (*KINDS, "handle", "id_number", "special")


_KIND_NAMES: dict[str, tuple[dict, dict[str, str]]] = {}  # per language: (the catalogue read, its kinds' names)


def _kind_names(lang: str) -> dict[str, str]:
    """Each built-in kind's name in ``lang``: one look-up a kind, read again when the catalogue is
    (:func:`labs.i18n.messages` re-read after its ``cache_clear()``)."""
    catalogue = messages()
    got = _KIND_NAMES.get(lang)
    if got is None or got[0] is not catalogue:
        got = _KIND_NAMES[lang] = (catalogue, {k: t(f"router.kind.{k}", lang) for k in _NAMED_KINDS})
    return got[1]


def decide(
    *,
    findings: Iterable[Finding],
    complexity: Complexity,
    sensitive: bool | None = None,
    local_up: bool | None = None,
    cloud_ready: bool = False,
) -> Decision:
    """Apply the table in the module docstring.

    ``local_up``: ``False`` when the local model is known to be down (``None``: not known, assume up).
    ``cloud_ready``: a cloud endpoint is configured (key or stand-in) and not known to be down.
    """
    if sensitive not in (None, True, False):
        raise ValueError(f"sensitive={sensitive!r}: pass True, False or None (None: let the detector decide)")
    findings = tuple(findings)
    kinds = dict(Counter(f.kind for f in findings))
    # the reasons' language, read once: each t() without it asks the environment and the working folder (Path.cwd():
    # ~10 us a call, 8 calls a decision, issue 11's time to decide)
    lang = language()
    reasons: list[str] = []
    personal = bool(findings) or sensitive is True
    local_ok = local_up is not False

    def result(target: str, fallback: str | None = None) -> Decision:
        return Decision(target, tuple(reasons), findings, complexity, personal, fallback)

    if personal:
        if findings:
            reasons.append(t("router.reason.pii_found", lang, kinds=describe_kinds(kinds, lang)))
            if sensitive is False:
                reasons.append(t("router.reason.detector_wins", lang))
        else:
            reasons.append(t("router.reason.caller_sensitive", lang))
        if not local_ok:
            reasons.append(t("router.reason.fail_closed", lang))
            return result("refuse")
        reasons.append(t("router.reason.stays_local", lang))
        return result("local")

    reasons.append(t("router.reason.no_pii", lang))
    cues = ", ".join(cue_label(c, lang) for c in complexity.cues) or t("router.reason.no_cues", lang)
    if complexity.is_complex:
        reasons.append(t("router.reason.complex", lang, score=complexity.score, cues=cues))
        if cloud_ready:
            reasons.append(t("router.reason.complex_cloud", lang))
            return result("cloud", "local" if local_ok else None)
        if local_ok:
            reasons.append(t("router.reason.no_cloud", lang))
            return result("local")
        reasons.append(t("router.reason.nothing_serves", lang))
        return result("refuse")
    reasons.append(t("router.reason.simple", lang, score=complexity.score, cues=cues))
    if local_ok:
        reasons.append(t("router.reason.simple_local", lang) + (t("router.reason.cloud_fallback", lang) if cloud_ready else ""))
        return result("local", "cloud" if cloud_ready else None)
    if cloud_ready:
        reasons.append(t("router.reason.local_down_cloud", lang))
        return result("cloud")
    reasons.append(t("router.reason.nothing_serves", lang))
    return result("refuse")


def cue_label(cue: str, lang: str | None = None) -> str:
    """A complexity cue (:data:`labs.router.complexity.WEIGHTS`' keys, such as ``"code_task"``) as a reader of ``lang``
    sees it in a decision's reasons (``router.cue.*``); the cue itself stays the key code reads. Lesson 3.

    >>> cue_label("reasoning", "uk"), cue_label("simple", "en"), cue_label("unknown", "uk")
    ('міркування', 'simple-task words', 'unknown')
    """
    key = f"router.cue.{cue}"
    return t(key, lang) if key in messages() else cue
