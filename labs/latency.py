"""Latency measured over repeated calls: time to first token (TTFT) and total time, p50 and p95.

A percentile is printed or drawn only when the sample supports it (:func:`labs.sample_support.min_samples`:
p95 needs 20 calls, p99 100), the rule lesson 4's load test follows; lesson 1's five calls show p50 only.

Taught in lesson 1 ("latency, measured"). The local figures come from the live model through
:meth:`labs.client.LocalLLM.measure`. The cloud figure is measured only when ``OPENAI_API_KEY`` is
set (the key is read by the ``openai`` library and never printed); otherwise it is the module's own
range, labelled as a reference figure, not a measurement.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass
from typing import Sequence

from .inputs import whole
from .i18n import localised, number, t
from .sample_support import min_samples

REFERENCE_CLOUD_MS = (200.0, 2_000.0)
"""The module's latency range for a cloud API, network included (ms); lesson 1's decision rules use it too."""
REFERENCE_LOCAL_MS = (50.0, 500.0)
"""The module's latency range for a local model (ms)."""


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between ranks (numpy's default).

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    >>> round(percentile([10, 20, 30, 40, 50], 95), 6)
    48.0
    >>> percentile([], 50)
    Traceback (most recent call last):
    ...
    ValueError: a percentile of no values: measure at least one call first.
    """
    if not values:
        raise ValueError(t("latency.error.no_values"))
    if not 0 <= q <= 100:
        raise ValueError(t("latency.error.q", q=q))
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Percentile:
    """A percentile of timings some of which were cut off by a deadline (censored).

    ``lower_bound`` is true when a cut-off timing ranks at or below the percentile: its real value
    is unknown but at least what was waited, so the true percentile is at least ``value``."""

    value: float
    lower_bound: bool
    censored: int

    def __str__(self) -> str:
        return f"≥ {self.value:.3f}" if self.lower_bound else f"{self.value:.3f}"


def censored_percentile(observed: Sequence[float], censored: Sequence[float], q: float) -> Percentile:
    """The ``q``-th percentile of measured times plus times cut off by a limit, each cut-off one
    counted as the time it had waited (a lower bound of its real value). Leaving them out instead
    drops exactly the slowest requests (coordinated omission) and understates the tail.

    >>> censored_percentile([0.2, 0.3, 2.43], [2.87], 95)   # a request cut off after 2.87 s without a token
    Percentile(value=2.8040000000000003, lower_bound=True, censored=1)
    >>> censored_percentile([1.0, 2.0, 3.0], [9.0], 50)      # cut off above the median: the median is exact
    Percentile(value=2.5, lower_bound=False, censored=1)
    """
    values = sorted([(float(v), False) for v in observed] + [(float(v), True) for v in censored])
    if not values:
        raise ValueError(t("latency.error.no_values"))
    value = percentile([v for v, _ in values], q)
    high = math.ceil((len(values) - 1) * q / 100)
    return Percentile(value, any(cut for _, cut in values[: high + 1]), len(censored))


@dataclass(frozen=True)
class LatencyStats:
    """Timings of repeated calls (seconds), with what was measured and how."""

    label: str
    ttft_s: tuple[float, ...]
    total_s: tuple[float, ...]
    tokens_per_s: tuple[float, ...] = ()
    output_tokens: tuple[int, ...] = ()
    prefill_tokens_per_s: tuple[float, ...] = ()
    source: str = "measured on this machine"
    kind: str = "measured"

    def p(self, q: float, what: str = "ttft_s") -> float:
        """Percentile ``q`` of ``"ttft_s"``, ``"total_s"`` or ``"tokens_per_s"`` (seconds, or tokens/s), computed
        whatever the sample size (see :meth:`supported` before you show it)."""
        return percentile(getattr(self, what), q)

    def supported(self, q: float) -> bool:
        """Whether these calls are enough for percentile ``q`` to say more than the slowest call (p95: 20 calls)."""
        return len(self.total_s) >= min_samples(q)

    def summary(self, percentiles: Sequence[float] = (50, 95)) -> dict[str, float]:
        """The number of calls, the supported ``percentiles`` of TTFT and total in milliseconds (p95 appears
        from 20 calls on, :meth:`supported`), and the median decode speed.

        >>> five = LatencyStats("x", ttft_s=(0.1,) * 5, total_s=(0.2,) * 5)
        >>> sorted(five.summary())
        ['calls', 'total_p50_ms', 'ttft_p50_ms']
        >>> sorted(LatencyStats("x", ttft_s=(0.1,) * 20, total_s=(0.2,) * 20).summary())
        ['calls', 'total_p50_ms', 'total_p95_ms', 'ttft_p50_ms', 'ttft_p95_ms']
        """
        row = {"calls": len(self.total_s)}
        for what in ("ttft_s", "total_s"):
            name = what[:-2]
            for q in percentiles:
                if self.supported(q):
                    row[f"{name}_p{q:g}_ms"] = self.p(q, what) * 1000
        if self.tokens_per_s:
            row["tokens_per_s_p50"] = statistics.median(self.tokens_per_s)
        return row


@dataclass(frozen=True)
class ReferenceLatency:
    """A latency range quoted by a source, not measured here; plots draw it as a labelled band."""

    label: str
    low_ms: float
    high_ms: float
    source: str
    kind: str = "reference"

    def summary(self) -> dict[str, float]:
        return {"low_ms": self.low_ms, "high_ms": self.high_ms}


def reference_cloud() -> ReferenceLatency:
    """The module's cloud latency range (200-2000 ms, network included), clearly marked as a reference."""
    return ReferenceLatency(t("latency.reference.label"), *REFERENCE_CLOUD_MS, t("latency.reference.source"))


def measure_local(llm, prompt: str, *, calls: int = 5, num_predict: int = 16, warmup: int = 1,
                  seed: int = 0) -> LatencyStats:
    """Time ``calls`` generations of the live local model (after ``warmup`` untimed ones, which load it).

    Each call starts with its own number ("Request 3. ...") so the server cannot reuse the previous
    call's prompt cache, as a stream of different users' requests would not. Deterministic settings
    (temperature 0, fixed seed); ``llm`` is a :class:`labs.client.LocalLLM`.
    """
    whole("calls", calls)
    whole("num_predict", num_predict)
    options = {"num_predict": num_predict, "temperature": 0, "seed": seed}
    for i in range(warmup):
        llm.measure(f"Warm-up {i}. {prompt}", options=options)
    runs = [llm.measure(f"Request {i + 1}. {prompt}", options=options) for i in range(calls)]
    return LatencyStats(
        label=t("latency.label.local", model=llm.model),
        ttft_s=tuple(m.ttft_s for m in runs),
        total_s=tuple(m.total_s for m in runs),
        tokens_per_s=tuple(m.server_tokens_per_s for m in runs if m.server_tokens_per_s),
        output_tokens=tuple(m.eval_count for m in runs),
        prefill_tokens_per_s=tuple(m.prompt_eval_count / m.prompt_eval_s for m in runs if m.prompt_eval_s > 0),
        source=t("latency.source.local", calls=calls, url=llm.url, num_predict=num_predict),
    )


def measure_openai(prompt: str, *, model: str = "gpt-4o-mini", calls: int = 3, max_tokens: int = 16) -> LatencyStats:
    """Time streamed calls to the real OpenAI API (needs ``OPENAI_API_KEY``; costs a fraction of a cent)."""
    import openai

    if not os.environ.get("OPENAI_API_KEY"):
        raise ValueError(t("latency.error.no_key"))
    client = openai.OpenAI(max_retries=0, timeout=30)
    ttft, total = [], []
    for _ in range(calls):
        started = time.perf_counter()
        first = None
        stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}],
                                                max_tokens=max_tokens, temperature=0, stream=True)
        for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter()
        ended = time.perf_counter()
        ttft.append((first or ended) - started)
        total.append(ended - started)
    return LatencyStats(t("latency.label.cloud", model=model), tuple(ttft), tuple(total),
                        source=t("latency.source.openai", calls=calls, max_tokens=max_tokens))


def cloud_latency(prompt: str, **kwargs) -> LatencyStats | ReferenceLatency:
    """Measured cloud latency when ``OPENAI_API_KEY`` is set and works, else the labelled reference range."""
    if not os.environ.get("OPENAI_API_KEY"):
        return reference_cloud()
    try:
        return measure_openai(prompt, **kwargs)
    except Exception as exc:  # a wrong key or no network: say so, and fall back to the reference
        ref = reference_cloud()
        return ReferenceLatency(ref.label, ref.low_ms, ref.high_ms,
                                t("latency.source.failed", source=ref.source, error=type(exc).__name__))


def plot_latency(local: LatencyStats, cloud: LatencyStats | ReferenceLatency | None = None, ax=None):
    """The distribution of local TTFT and total latency (ms) over the calls, p50 and (from 20 calls on) p95
    marked, with the cloud figure beside it: its own points when measured, a shaded labelled band when a
    reference. A percentile the calls cannot support is not drawn; the legend says how many calls it needs."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4))
    rows = [(t("latency.plot.local_ttft"), local.ttft_s), (t("latency.plot.local_total"), local.total_s)]
    if isinstance(cloud, LatencyStats):
        rows += [(t("latency.plot.cloud_ttft"), cloud.ttft_s), (t("latency.plot.cloud_total"), cloud.total_s)]
    markers = {50: "|", 95: "x"}
    for y, (name, values) in enumerate(rows):
        ms = [v * 1000 for v in values]
        ax.plot(ms, [y] * len(ms), "o", alpha=0.6, label=t("latency.plot.calls", name=name, count=len(ms)))
        for q, marker in markers.items():
            if len(ms) >= min_samples(q):
                ax.plot([percentile(ms, q)], [y], marker, color="black", ms=14)
    fewest = min(len(values) for _, values in rows)
    for q, marker in markers.items():
        if fewest >= min_samples(q):
            ax.plot([], [], marker, color="black", ms=10 if marker == "|" else 8, label=f"p{q}")
        else:
            ax.plot([], [], " ", label=t("latency.plot.unsupported", q=q, needed=min_samples(q), count=fewest))
    if isinstance(cloud, ReferenceLatency):
        ax.axvspan(cloud.low_ms, cloud.high_ms, color="grey", alpha=0.2,
                   label=t("latency.plot.band", label=cloud.label, low=cloud.low_ms, high=cloud.high_ms))
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(x) if x >= 1 else f"{localised(x):g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(t("latency.plot.xlabel"))
    ax.set_title(t("latency.plot.title", label=local.label) + f"\n{local.source}"
                 + ("\n" + t("latency.plot.cloud_source", source=cloud.source) if cloud is not None else ""), fontsize=9)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3, axis="x")
    ax.figure.tight_layout()
    return ax.figure
