"""Score the router on the labelled prompts shipped in ``labs/data/routing_prompts.jsonl`` (lesson 3).

Each row has ``text``, ``lang`` (en/uk), ``pii`` (gold spans: ``kind``, ``start``, ``end``,
``text``), ``sensitive``, ``complexity`` (simple/complex), ``expected_route`` (local/cloud) and a
``category`` (``hard_negative:price`` and so on). All people and numbers in it are made up; the
numbers pass their checksums so that a detector cannot cheat by failing them.

Labelling rules: a span marks a value that identifies or describes a person; for health, the
condition, medication or diagnosis words about a person. A prompt is ``sensitive`` when it has
at least one span; sensitive prompts must go local; others go to the cloud only when complex.

The scores here use the heuristic path only (no model calls): 170 prompts take milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from labs.router.complexity import heuristic
from labs.router.pii import KINDS, Finding, detect_pii
from labs.router.policy import decide

DATA_FILE = "routing_prompts.jsonl"


def load_prompts(path: str | Path | None = None) -> list[dict]:
    """The labelled prompts (a list of dicts); ``path`` overrides the packaged file."""
    if path is None:
        text = resources.files("labs").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _overlaps(a: dict | Finding, b: dict | Finding) -> bool:
    get = lambda x, k: x[k] if isinstance(x, dict) else getattr(x, k)  # noqa: E731
    return get(a, "start") < get(b, "end") and get(b, "start") < get(a, "end")


def detection_table(rows: Iterable[dict], detect: Callable[[str], list] = detect_pii):
    """Precision, recall and F2 per PII kind (a pandas DataFrame), matching spans by overlap.

    A found span is a true positive when it overlaps a gold span of the same kind; a gold span is
    recalled when some found span of its kind overlaps it. F2 weighs recall twice (as Presidio
    recommends for PII: a miss is worse than a false alarm). The last row, ``ALL``, pools kinds.
    """
    import pandas as pd

    stats = {k: {"tp": 0, "fp": 0, "fn": 0, "gold": 0} for k in KINDS}
    for row in rows:
        found = list(detect(row["text"]))
        for f in found:
            s = stats.setdefault(f.kind, {"tp": 0, "fp": 0, "fn": 0, "gold": 0})
            hit = any(g["kind"] == f.kind and _overlaps(f, g) for g in row["pii"])
            s["tp" if hit else "fp"] += 1
        for g in row["pii"]:
            s = stats.setdefault(g["kind"], {"tp": 0, "fp": 0, "fn": 0, "gold": 0})
            s["gold"] += 1
            if not any(f.kind == g["kind"] and _overlaps(f, g) for f in found):
                s["fn"] += 1
    out = []
    total = {"tp": 0, "fp": 0, "fn": 0, "gold": 0}
    for kind, s in list(stats.items()) + [("ALL", total)]:
        if kind != "ALL":
            for k in total:
                total[k] += s[k]
        recalled = s["gold"] - s["fn"]
        p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else float("nan")
        r = recalled / s["gold"] if s["gold"] else float("nan")
        f2 = 5 * p * r / (4 * p + r) if p == p and r == r and (4 * p + r) else float("nan")
        out.append({"kind": kind, "gold spans": s["gold"], "found": s["tp"] + s["fp"], "false alarms": s["fp"],
                    "missed": s["fn"], "precision": p, "recall": r, "F2": f2})
    return pd.DataFrame(out).set_index("kind")


@dataclass(frozen=True)
class RoutingScore:
    """How a policy did on the labelled prompts."""

    n: int
    accuracy: float  # share routed as labelled
    leaks: int  # personal-data prompts that reached the cloud: must be 0
    missed_complex: int  # non-personal complex prompts kept local (a quality cost)
    cloud_share: float
    per_row: list[dict]

    def __repr__(self) -> str:
        return (f"RoutingScore(n={self.n}, accuracy={self.accuracy:.3f}, leaks={self.leaks}, "
                f"missed_complex={self.missed_complex}, cloud_share={self.cloud_share:.3f})")


def router_policy(prompt: str) -> str:
    """The lesson's router as a policy (local model up, a cloud configured): prompt → target."""
    return decide(findings=detect_pii(prompt), complexity=heuristic(prompt), cloud_ready=True).target


def score_policy(policy: Callable[[str], str], rows: Iterable[dict]) -> RoutingScore:
    """Run ``policy(text) -> "local" | "cloud" | "refuse"`` over ``rows`` and count what matters."""
    rows = list(rows)
    if not rows:
        raise ValueError("score_policy() needs labelled rows: use load_prompts()")
    per_row = []
    for row in rows:
        target = policy(row["text"])
        if target not in ("local", "cloud", "refuse"):
            from labs.i18n import t

            raise ValueError(t("router.evaluate.bad_route", got=repr(target), id=row["id"]))
        per_row.append({"id": row["id"], "lang": row["lang"], "category": row["category"], "sensitive": row["sensitive"],
                        "complexity": row["complexity"], "expected": row["expected_route"], "routed": target,
                        "correct": target == row["expected_route"],
                        "leak": row["sensitive"] and target == "cloud"})
    n = len(per_row)
    return RoutingScore(
        n=n,
        accuracy=sum(r["correct"] for r in per_row) / n,
        leaks=sum(r["leak"] for r in per_row),
        missed_complex=sum(1 for r in per_row if not r["sensitive"] and r["complexity"] == "complex"
                           and r["routed"] != "cloud"),
        cloud_share=sum(r["routed"] == "cloud" for r in per_row) / n,
        per_row=per_row,
    )


def estimate_tokens(text: str) -> int:
    """A rough token count (about 4 characters per token for English; an estimate, labelled so)."""
    return max(1, round(len(text) / 4))


@dataclass(frozen=True)
class CostModel:
    """Assumptions for comparing strategies; every one is shown next to the result.

    Output lengths are assumptions (a short answer for simple prompts, a long one for complex);
    latency: local = ``local_overhead_s`` + tokens / ``local_tokens_per_s`` (measure yours), cloud =
    ``cloud_overhead_s`` (network and queue; the module's table says 200-2000 ms) + tokens /
    ``cloud_tokens_per_s``. Local cost is 0 at the margin (the hardware is paid for: lesson 1).
    """

    input_usd_per_mtok: float
    output_usd_per_mtok: float
    price_label: str  # model, source and date of the prices
    simple_output_tokens: int = 80
    complex_output_tokens: int = 400
    local_tokens_per_s: float = 20.0
    local_overhead_s: float = 0.3
    cloud_tokens_per_s: float = 80.0
    cloud_overhead_s: float = 0.6
    cached_input_share: float = 0.0  # share of input tokens served from the provider's prompt cache

    @classmethod
    def from_price(cls, model: str = "gpt-4o-mini", **kw) -> "CostModel":
        from labs.costs import api_price
        from labs.prices import in_language

        p = api_price(model)  # the source in the reader's language, as lesson 1's price table shows it (one fact, one place)
        return cls(p.input_usd_per_mtok, p.output_usd_per_mtok, f"{model}, {in_language(p, 'source')}, {p.as_of}", **kw)

    def price(self):
        """These prices as a :class:`labs.costs.ApiPrice` (cached input at the table's price, if the
        label names a model the table has)."""
        from labs.costs import ApiPrice, api_prices

        known = api_prices().get(self.price_label.split(",")[0])
        cached = known.cached_input_usd_per_mtok if known is not None else None
        return ApiPrice(model=self.price_label.split(",")[0], input_usd_per_mtok=self.input_usd_per_mtok,
                        output_usd_per_mtok=self.output_usd_per_mtok, source=self.price_label, as_of="",
                        cached_input_usd_per_mtok=cached)

    def cost(self, row: dict, target: str) -> float:
        """USD for one request routed to ``target`` (0 unless "cloud"), by :func:`labs.costs.api_cost`."""
        from labs.costs import api_cost

        if target != "cloud":
            return 0.0
        out = self.complex_output_tokens if row["complexity"] == "complex" else self.simple_output_tokens
        return api_cost(self.price(), requests_per_day=1, input_tokens=estimate_tokens(row["text"]),
                        output_tokens=out, cached_input_share=self.cached_input_share).usd_per_request

    def latency(self, row: dict, target: str) -> float:
        out = self.complex_output_tokens if row["complexity"] == "complex" else self.simple_output_tokens
        if target == "cloud":
            return self.cloud_overhead_s + out / self.cloud_tokens_per_s
        if target == "local":
            return self.local_overhead_s + out / self.local_tokens_per_s
        return 0.0


def compare_strategies(rows: Iterable[dict], model: CostModel, policies: dict[str, Callable[[str], str]]):
    """One row per strategy: accuracy, leaks, complex prompts kept local, cost per 1,000 requests,
    median and p95 latency (modelled, see :class:`CostModel`)."""
    import pandas as pd

    rows = list(rows)
    out = []
    for name, policy in policies.items():
        score = score_policy(policy, rows)
        targets = [r["routed"] for r in score.per_row]
        costs = [model.cost(row, t) for row, t in zip(rows, targets)]
        lat = pd.Series([model.latency(row, t) for row, t in zip(rows, targets)])
        out.append({"strategy": name, "routing accuracy": score.accuracy, "personal → cloud (leaks)": score.leaks,
                    "complex kept local": score.missed_complex, "cloud share": score.cloud_share,
                    "USD per 1,000 requests": 1000 * sum(costs) / len(rows),
                    "median latency s": lat.median(), "p95 latency s": lat.quantile(0.95)})
    return pd.DataFrame(out).set_index("strategy")
