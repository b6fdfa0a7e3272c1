"""Lesson 1 latency helpers: percentiles by hand, the live model timed, the reference labelled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labs import latency  # noqa: E402
from labs.costs import capacity_requests_per_day  # noqa: E402


def test_percentile_matches_linear_interpolation():
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert latency.percentile(values, 0) == 0.1
    assert latency.percentile(values, 100) == 0.5
    assert latency.percentile(values, 50) == 0.3
    assert latency.percentile(values, 95) == pytest.approx(0.48)
    assert latency.percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError, match="from 0 to 100"):
        latency.percentile(values, 101)


def test_summary_in_milliseconds():
    stats = latency.LatencyStats("x", ttft_s=(0.01, 0.02, 0.03), total_s=(0.1, 0.2, 0.3), tokens_per_s=(10, 30, 20))
    summary = stats.summary()
    assert summary["calls"] == 3
    assert summary["ttft_p50_ms"] == pytest.approx(20)
    assert summary["tokens_per_s_p50"] == 20
    assert stats.p(95, "total_s") == pytest.approx(0.29)  # computed on request, but not shown:


@pytest.mark.parametrize("calls", [5, 19, 20, 40])
def test_p95_is_shown_only_when_the_sample_supports_it(calls):
    """Issue 17: lesson 1 printed p95 from 5 calls; lesson 4's rule (labs.sample_support) wants 20."""
    from labs.sample_support import min_samples

    values = tuple(0.01 * (i + 1) for i in range(calls))
    stats = latency.LatencyStats("x", ttft_s=values, total_s=values)
    shown = stats.summary()
    assert ("ttft_p95_ms" in shown) == ("total_p95_ms" in shown) == (calls >= min_samples(95)) == stats.supported(95)
    assert "ttft_p50_ms" in shown
    fig = latency.plot_latency(stats, latency.reference_cloud())
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x" and len(line.get_xdata())]
    if calls >= 20:
        assert "p95" in legend and len(crosses) == 2
    else:
        assert not crosses and any(text.startswith("p95: not shown, needs 20 calls") for text in legend)
    plt.close(fig)


def test_reference_cloud_is_labelled_as_not_measured(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    ref = latency.cloud_latency("hi")
    assert isinstance(ref, latency.ReferenceLatency)
    assert ref.kind == "reference"
    assert (ref.low_ms, ref.high_ms) == (200, 2000)
    assert "not measured" in ref.label and "not measured" in ref.source
    with pytest.raises(ValueError, match="OPENAI_API_KEY is not set"):
        latency.measure_openai("hi")


def test_live_local_latency_and_capacity(llm):
    stats = latency.measure_local(llm, "Name a colour.", calls=3, num_predict=8)
    assert stats.kind == "measured"
    assert len(stats.ttft_s) == len(stats.total_s) == 3
    for ttft, total in zip(stats.ttft_s, stats.total_s):
        assert 0 < ttft <= total < 60
    assert all(1 <= n <= 9 for n in stats.output_tokens)
    assert stats.p(50, "ttft_s") <= stats.p(95, "ttft_s")
    tps = stats.summary()["tokens_per_s_p50"]
    assert tps > 0
    per_day = capacity_requests_per_day(tps, 200)
    assert per_day == pytest.approx(86_400 * tps / 200)
    fig = latency.plot_latency(stats, latency.reference_cloud())
    ax = fig.axes[0]
    assert "milliseconds" in ax.get_xlabel()
    assert any("not measured" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)


@pytest.mark.parametrize("kwargs, message", [(dict(calls=0), "calls must be"), (dict(num_predict=0), "num_predict must be")])
def test_bad_arguments(llm, kwargs, message):
    with pytest.raises(ValueError, match=message):
        latency.measure_local(llm, "x", **kwargs)
