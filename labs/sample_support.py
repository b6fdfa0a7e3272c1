"""Which percentiles a load test's sample supports, and a sweep table and plot that show only those.

A p-th percentile says something about the tail only when at least one sample lies above it: with ``n``
requests that needs ``n × (1 − p/100) ≥ 1``, so p95 needs 20 requests and p99 needs 100 (with fewer, the
"p99" is just the slowest request). Lesson 4's short sweep sends 20 requests per concurrency level, enough
for p50 and p95; its table and plot leave p99 blank instead of printing a number the sample cannot carry
(issue 17). Taught in lesson 4, section 4 ("Load test and capacity").
"""

from __future__ import annotations

import math


def min_samples(q: float) -> int:
    """Requests needed before the ``q``-th percentile is more than the maximum.

    >>> min_samples(50), min_samples(95), min_samples(99)
    (2, 20, 100)
    >>> min_samples(100)
    Traceback (most recent call last):
    ...
    ValueError: q must be above 0 and below 100 (a percentile), got 100
    """
    if not 0 < q < 100:
        from labs.i18n import t

        raise ValueError(t("sample_support.error.q", q=q))
    return math.ceil(round(100 / (100 - q), 9))


def _percentile_columns(frame) -> dict[str, int]:
    """``{"latency_p95_s": 95, ...}`` for a :func:`labs.loadtest.sweep_frame` table."""
    found = {}
    for col in frame.columns:
        parts = col.split("_")
        if len(parts) == 3 and parts[1].startswith("p") and parts[1][1:].isdigit() and parts[2] == "s":
            found[col] = int(parts[1][1:])
    return found


def supported_only(frame):
    """A copy of a sweep table (``labs.loadtest.sweep_frame``) with a ``samples`` column (completed plus
    cut-off requests, each a latency sample) and every percentile its row's sample cannot support set to NaN.

    >>> import pandas as pd
    >>> row = {"completed_ok": 19, "cut_off": 1, "latency_p50_s": 1.0, "latency_p95_s": 2.0, "latency_p99_s": 2.5}
    >>> supported_only(pd.DataFrame([row]))[["samples", "latency_p95_s", "latency_p99_s"]].values.tolist()
    [[20.0, 2.0, nan]]
    """
    out = frame.copy()
    out["samples"] = (out["completed_ok"] + out["cut_off"]).astype(float)
    for col, q in _percentile_columns(out).items():
        out.loc[out["samples"] < min_samples(q), col] = math.nan
    return out


def plot_supported(frame, title: str):
    """:func:`labs.loadtest.plot_sweep` over :func:`supported_only` ``(frame)``, without the lines that have no
    supported point (their legend entries would promise a number that is not there); returns the figure."""
    from labs.loadtest import plot_sweep

    fig = plot_sweep(supported_only(frame), title=title)
    for ax in fig.axes:
        empty = [line for line in ax.lines if all(math.isnan(y) for y in line.get_ydata())]
        for line in empty:
            line.remove()
        if empty and ax.get_legend() is not None:
            ax.legend(fontsize=8)
    return fig
