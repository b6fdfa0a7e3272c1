"""Self-hosted, cloud or hybrid? A small rules function that says which, and why.

Taught in lesson 1. The rules restate the module's section 29.1: self-hosting fits when data may not
leave the network (medicine, finance), at large volume (over ~100K requests a day), when latency must
be minimal, or offline; the cloud wins on quality (frontier models), instant scaling and zero
maintenance; section 29.3's hybrid keeps sensitive or simple work local and sends complex work to the cloud.

>>> d = decide(data_sensitivity="regulated", requests_per_day=2_000, latency_ms=None, offline=False, quality="good")
>>> d.choice
'self-hosted'
>>> decide(data_sensitivity="public", requests_per_day=500, quality="frontier").choice
'cloud'
>>> decide(data_sensitivity="regulated", requests_per_day=500, quality="frontier").choice
'hybrid'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from labs import i18n
from labs.costs import BreakEven
from labs.i18n import t
from labs.inputs import number
from labs.latency import REFERENCE_CLOUD_MS, REFERENCE_LOCAL_MS

SENSITIVITY = ("public", "internal", "regulated")
"""``public``: may go anywhere; ``internal``: business data a provider contract may cover;
``regulated``: may not leave your network (medical, financial, personal data under strict rules)."""
QUALITY = ("basic", "good", "frontier")
"""The module's model table: basic (Llama 3.2 3B), good (Qwen3 8B, DeepSeek R1 7B), frontier (GPT-5, Claude)."""
LARGE_VOLUME = 100_000
"""Requests per day above which the module calls the volume large (section 29.1)."""
CLOUD_LATENCY_MS = REFERENCE_CLOUD_MS
"""The module's latency range for a cloud API (network included), in milliseconds (:mod:`labs.latency`)."""
LOCAL_LATENCY_MS = REFERENCE_LOCAL_MS
"""The module's latency range for a local model, in milliseconds (:mod:`labs.latency`)."""

CHOICES = ("self-hosted", "cloud", "hybrid")


def _same(a: float, b: float) -> bool:
    """Two volumes that cost the same: equal up to float noise (the tolerance :func:`labs.costs.cheaper_option`
    calls "equal")."""
    return math.isclose(a, b, rel_tol=1e-9)


def _digits(a: float, b: float) -> int:
    """The fewest decimals at which ``a`` and ``b`` read differently (0 for 50,000 against 41,846.2; 1 for 41,846
    against 41,846.2), so a comparison of the two never reads "41,846 is under 41,846"."""
    return next((d for d in range(16) if i18n.number(a, d, "en") != i18n.number(b, d, "en")), 0)


def _as_typed(x: float) -> int:
    """The decimals (0-2) a volume with nothing to tell it apart from shows: 41,846 or 41,846.15."""
    return next(d for d in range(3) if d == 2 or round(x, d) == round(x, 2))


def _shown(x: float, digits: int) -> tuple[str, float]:
    """``x`` as a reader of ``LAB_LANG`` reads it with up to ``digits`` decimals (trailing zeros dropped: 41,846 and
    41,846.2 side by side), and ``x`` rounded as shown, for the noun after it to agree with the number printed
    (Ukrainian «41 846 запитів», «41 846,2 запиту»).

    >>> [_shown(x, _digits(41_846, 41_846.2))[0] for x in (41_846, 41_846.2)], _shown(50_000.4, 0)
    (['41,846', '41,846.2'], ('50,000', 50000.0))
    """
    text = i18n.number(x, digits)
    if digits:
        text = text.rstrip("0").rstrip("," if i18n.language() == "uk" else ".")
    return text, round(x, digits)


@dataclass(frozen=True)
class Decision:
    """The recommendation, and the reasons on each side."""

    choice: str
    reasons: list[str]
    for_self_hosted: list[str] = field(default_factory=list)
    for_cloud: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return t(f"decide.choice.{self.choice}") + "\n" + "\n".join(f"  - {r}" for r in self.reasons)


def decide(*, data_sensitivity: str, requests_per_day: float, latency_ms: float | None = None, offline: bool = False,
           quality: str = "good", break_even: BreakEven | float | None = None) -> Decision:
    """Recommend ``"self-hosted"``, ``"cloud"`` or ``"hybrid"`` with reasons.

    ``latency_ms`` is the latency you need (``None`` = no hard need); ``quality`` one of :data:`QUALITY`;
    ``break_even`` replaces the module's rule of thumb (:data:`LARGE_VOLUME`) with the break-even you
    computed: a :class:`labs.costs.BreakEven` (one with no solution means volume never favours
    self-hosting) or a number of requests per day. A ``BreakEven`` solved with a capacity
    (``SelfHostCost.with_capacity``) is read as the cost functions give it: the volume favours self-hosting
    only where ``n`` machines cost less than the API (:meth:`labs.costs.BreakEven.self_hosted_cheaper_at`);
    one without a capacity, or a bare number, assumes one machine serves the volume, and the reason says so.

    Rules: offline forces self-hosting. Otherwise any reason to self-host (regulated data, large volume,
    a latency need under the cloud's 200 ms) gives self-hosted, unless frontier quality is needed too:
    then a hybrid (route each request to where it fits). With no reason to self-host, the cloud
    (no hardware, no maintenance).

    >>> print(decide(data_sensitivity="public", requests_per_day=250_000, quality="basic"))
    SELF-HOSTED
      - volume: 250,000 requests/day is over 100,000 (the module's rule of thumb for large volume); a fixed hardware cost beats paying per token
    >>> decide(data_sensitivity="secret", requests_per_day=1)
    Traceback (most recent call last):
    ...
    ValueError: data_sensitivity must be one of ('public', 'internal', 'regulated'); got 'secret'.
    """
    if data_sensitivity not in SENSITIVITY:
        raise ValueError(t("decide.error.choice", name="data_sensitivity", options=SENSITIVITY, got=data_sensitivity))
    if quality not in QUALITY:
        raise ValueError(t("decide.error.choice", name="quality", options=QUALITY, got=quality))
    if not isinstance(offline, bool):
        raise ValueError(t("decide.error.offline", got=offline))
    volume = number("requests_per_day", requests_per_day, "requests per day")
    need_ms = None if latency_ms is None else number("latency_ms", latency_ms, "milliseconds")
    threshold, threshold_note = LARGE_VOLUME, t("decide.note.rule_of_thumb")
    limited = isinstance(break_even, BreakEven) and break_even.capacity_requests_per_day is not None
    if isinstance(break_even, BreakEven):
        threshold = math.inf if break_even.requests_per_day is None else break_even.requests_per_day
        threshold_note = t("decide.note.your_break_even") if limited else None
    elif break_even is not None:
        threshold = number("break_even", break_even, "requests per day")
        threshold_note = None
    if threshold_note is None and not math.isinf(threshold):
        # solved without a capacity: the answer holds only if one machine serves the larger of the two volumes
        # (the break-even itself below it, the learner's volume above it), never "your volume" below it (F6)
        threshold_note = t("decide.note.no_capacity", served=max(volume, threshold))

    local: list[str] = []
    cloud: list[str] = []
    neither: list[str] = []  # a volume exactly at the break-even: it costs the same either way
    if offline:
        local.append(t("decide.offline"))
    if data_sensitivity == "regulated":
        local.append(t("decide.privacy.regulated"))
    elif data_sensitivity == "internal":
        cloud.append(t("decide.privacy.internal"))
    digits = _as_typed(volume) if math.isinf(threshold) or _same(volume, threshold) else _digits(volume, threshold)
    shown, volume_as_shown = _shown(volume, digits)
    said = dict(shown=shown, volume=volume_as_shown, threshold=_shown(threshold, digits)[0], note=threshold_note)
    if math.isinf(threshold):
        lead = t("costs.break_even.none") + ": "  # the sentence already says "no break-even": not twice
        reason = break_even.reason.removeprefix(lead)
        cloud.append(t("decide.volume.no_break_even", reason=reason, volume=volume))
    elif _same(volume, threshold):  # at the line: the rule of thumb counts it as large; a break-even is a tie
        if break_even is None:
            local.append(t("decide.volume.at_large", **said))
        else:
            neither.append(t("decide.volume.at_break_even", **said))
    elif limited and volume > threshold and not break_even.self_hosted_cheaper_at(volume):
        machines = break_even.machines_at(volume)  # past a full machine: the next one is not yet paid for
        paid_from = machines * threshold
        # the volume against what it is compared with here: n × the break-even
        digits = _as_typed(volume) if _same(volume, paid_from) else _digits(volume, paid_from)
        (shown, volume_as_shown), (shown_paid, paid) = _shown(volume, digits), _shown(paid_from, digits)
        machine = dict(shown=shown, volume=volume_as_shown, machines=machines, paid_from=shown_paid, paid=paid,
                       capacity=break_even.capacity_requests_per_day, threshold=_shown(threshold, digits)[0])
        if _same(volume, paid_from):
            neither.append(t("decide.volume.next_machine_at", **machine))
        else:
            cloud.append(t("decide.volume.next_machine", **machine))
    elif volume > threshold:
        local.append(t("decide.volume.over", **said))
    else:
        cloud.append(t("decide.volume.under", **said))
    if need_ms is not None and need_ms < CLOUD_LATENCY_MS[0]:
        local.append(t("decide.latency", need=need_ms, cloud_low=CLOUD_LATENCY_MS[0], cloud_high=CLOUD_LATENCY_MS[1],
                       local_low=LOCAL_LATENCY_MS[0], local_high=LOCAL_LATENCY_MS[1]))
    if quality == "frontier":
        cloud.append(t("decide.quality.frontier"))

    if offline:
        choice = "self-hosted"
        reasons = local + neither
        if quality == "frontier":
            reasons.append(t("decide.trade_off.offline_frontier"))
    elif local and quality == "frontier":
        choice = "hybrid"
        reasons = local + cloud + neither + [t("decide.hybrid.route")]
    elif local:
        choice = "self-hosted"
        reasons = local + neither
    else:
        choice = "cloud"
        reasons = cloud + neither + [t("decide.cloud.no_constraint")]
    return Decision(choice, reasons, local, cloud)
