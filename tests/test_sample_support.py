"""Lesson 4's load-test table and plot show only the percentiles their sample supports (issue 17, point 3)."""

from __future__ import annotations

import math

import pytest

from labs.sample_support import min_samples, plot_supported, supported_only

pd = pytest.importorskip("pandas")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _sweep(samples: list[int]) -> "pd.DataFrame":
    rows = []
    for level, n in enumerate(samples, start=1):
        rows.append({"concurrency": level, "planned": n, "completed_ok": n - 1, "cut_off": 1, "not_started": 0, "errors": 0,
                     "output_tokens_per_s": 10.0 * level, "latency_p50_s": 1.0 * level, "latency_p95_s": 2.0 * level,
                     "latency_p99_s": 3.0 * level, "ttft_p50_s": 0.5 * level, "ttft_p95_s": 0.9 * level,
                     "latency_p95_is_lower_bound": False, "latency_p99_is_lower_bound": True})
    return pd.DataFrame(rows)


def test_a_percentile_needs_a_sample_above_it():
    for q in (50, 90, 95, 99, 99.9):
        n = min_samples(q)
        assert n * (1 - q / 100) >= 1 - 1e-9 and (n - 1) * (1 - q / 100) < 1


def test_unsupported_percentiles_are_blank_and_the_rest_untouched():
    frame = _sweep([8, 20, 120])
    shown = supported_only(frame)
    assert shown["samples"].tolist() == [8, 20, 120]
    assert math.isnan(shown.loc[0, "latency_p95_s"]) and math.isnan(shown.loc[0, "ttft_p95_s"])
    assert shown.loc[1, "latency_p95_s"] == frame.loc[1, "latency_p95_s"] and math.isnan(shown.loc[1, "latency_p99_s"])
    assert shown.loc[2, "latency_p99_s"] == frame.loc[2, "latency_p99_s"]
    assert shown["latency_p50_s"].tolist() == frame["latency_p50_s"].tolist()
    assert frame["latency_p99_s"].notna().all()  # the input is not changed


def test_the_plot_draws_no_line_for_a_percentile_with_no_support():
    fig = plot_supported(_sweep([20, 20]), title="test")
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "latency p95" in labels and "latency p99" not in labels
    assert all(not all(math.isnan(y) for y in line.get_ydata()) for line in fig.axes[1].lines)
    fig = plot_supported(_sweep([20, 120]), title="test")
    # supported, and a lower bound in this sweep: drawn as "at least" (labs.loadtest.plot_percentile), its own entry
    assert "latency p99: at least (cut-off requests)" in [
        t.get_text() for t in fig.axes[1].get_legend().get_texts()]
