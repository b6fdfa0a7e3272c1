"""A bounded load generator for a local model server, and capacity planning from what it measures
(lesson 4: "load and capacity").

Safety rules, enforced here rather than trusted to the caller:

* **loopback only** — a target that is not this machine (``127.0.0.1``, ``::1``, ``localhost``)
  raises ``ValueError``: this is a load test, not a way to flood someone's server;
* **bounded twice** — by a request count *and* a wall-clock limit, both capped; when the time is up
  the requests still in flight are cancelled and recorded as stopped, so it always ends by itself;
* **errors are results** — every non-200 status (503 "server busy" counted on its own), mid-stream
  error, timeout or refused connection is recorded and shown in the summary, never dropped;
* **cut-off requests count** — a request stopped by the time limit is the slowest kind there is: its
  latency (and, without a first token, its TTFT) counts as at least the time it waited (censored), and a
  percentile such a request could move is reported as a lower bound (``..._is_lower_bound``), never
  computed from the finished requests alone (that hides the tail: coordinated omission).

Streaming ``/api/generate`` gives the time to first token (TTFT) as well as the total latency.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import math
import numbers
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence
from urllib.parse import urlsplit

import httpx

from labs import DEFAULT_MODEL
from labs.costs import PLANNING_UTILISATION, SECONDS_PER_DAY
from labs.host import is_loopback, parse_host
from labs.i18n import shown, t
from labs.inputs import fraction, is_real, number
from labs.latency import Percentile, censored_percentile

MAX_REQUESTS = 1000
MAX_TIME_LIMIT_S = 300.0
STOPPED = "stopped: the time limit was reached while this request was in flight"
MIN_PLAN_SAMPLE = 20
"""Completed requests a capacity plan should rest on: the sample a p95 needs
(:func:`labs.sample_support.min_samples`), so one slow or lucky request cannot set the plan."""


def loopback_url(host: str | None) -> str:
    """The base URL for ``host`` (an ``OLLAMA_HOST`` value) if it is on this machine; else ValueError.

    >>> loopback_url("127.0.0.1:8080")
    'http://127.0.0.1:8080'
    >>> loopback_url("10.0.0.5:11434")
    Traceback (most recent call last):
    ...
    ValueError: load tests run only against this machine: '10.0.0.5' is not a loopback address (use 127.0.0.1, ::1 or localhost).
    """
    url = parse_host(host)
    name = urlsplit(url).hostname or ""
    if not is_loopback(name):
        raise ValueError(t("loadtest.error.not_loopback", name=name))
    return url


@dataclass
class RequestRecord:
    index: int
    started_s: float  # since the run began
    status: int | None = None
    ttft_s: float | None = None
    latency_s: float | None = None
    output_tokens: int = 0
    prompt_tokens: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class LoadResult:
    """Everything one run measured; failed requests are part of it."""

    url: str
    concurrency: int
    planned: int
    time_limit_s: float
    wall_s: float
    records: list[RequestRecord] = field(default_factory=list)

    @property
    def ok(self) -> list[RequestRecord]:
        return [r for r in self.records if r.ok]

    @property
    def failed(self) -> list[RequestRecord]:
        return [r for r in self.records if not r.ok]

    @property
    def busy_503(self) -> int:
        return sum(r.status == 503 for r in self.records)

    @property
    def not_started(self) -> int:
        return self.planned - len(self.records)

    @property
    def stopped_by_time_limit(self) -> bool:
        return self.not_started > 0 or any(r.error == STOPPED for r in self.records)

    def errors(self) -> Counter:
        """Error messages and how often each happened."""
        return Counter(r.error or f"HTTP {r.status}" for r in self.failed)

    @property
    def cut_off(self) -> list[RequestRecord]:
        """Requests the time limit stopped in flight (their timings are censored, not missing)."""
        return [r for r in self.records if r.error == STOPPED]

    def percentile(self, what: str, q: float) -> Percentile | None:
        """``"latency"`` or ``"ttft"`` percentile over completed requests and the cut-off ones, each
        cut-off one counted as at least its wait. ``None`` when no request was measured to the end of what it
        describes (no completed request for latency, no first token for TTFT): a figure made of cut-off waits
        alone describes no request, only how long the time limit let them wait."""
        cut = self.cut_off
        if what == "latency":
            observed = [r.latency_s for r in self.ok if r.latency_s is not None]
            censored = [r.latency_s for r in cut if r.latency_s is not None]
        elif what == "ttft":
            observed = [r.ttft_s for r in self.ok + cut if r.ttft_s is not None]
            censored = [r.latency_s for r in cut if r.ttft_s is None and r.latency_s is not None]
        else:
            raise ValueError(t("loadtest.error.what", what=what))
        return censored_percentile(observed, censored, q) if observed else None

    def summary(self) -> dict:
        """One row of :func:`sweep_frame`: ``errors`` counts failed requests (non-200, stream error, timeout, refused);
        a request the time limit cut off is ``cut_off`` instead, not an error (its wait is a lower bound)."""
        tokens = sum(r.output_tokens for r in self.ok)
        n_ok = len(self.ok) or math.nan
        wall = self.wall_s or math.nan
        return {
            "concurrency": self.concurrency, "planned": self.planned, "completed_ok": len(self.ok),
            "errors": len(self.failed) - len(self.cut_off), "http_503": self.busy_503, "not_started": self.not_started,
            "wall_s": round(self.wall_s, 3), "requests_per_s": len(self.ok) / wall,
            "output_tokens_per_s": tokens / wall,
            "mean_output_tokens": tokens / n_ok, "mean_prompt_tokens": sum(r.prompt_tokens for r in self.ok) / n_ok,
            **self._percentiles(), "cut_off": len(self.cut_off),
            "stopped_by_time_limit": self.stopped_by_time_limit,
        }

    def _percentiles(self) -> dict:
        row: dict = {}
        for what, qs in (("latency", (50, 95, 99)), ("ttft", (50, 95))):
            for q in qs:
                p = self.percentile(what, q)
                row[f"{what}_p{q}_s"] = math.nan if p is None else p.value
                row[f"{what}_p{q}_is_lower_bound"] = bool(p and p.lower_bound)
        return row

    def __repr__(self) -> str:
        s = self.summary()
        samples = len(self.ok) + len(self.cut_off)  # each completed or cut-off request is one latency sample

        def bound(name: str) -> str:
            from labs.i18n import number, t
            from labs.sample_support import min_samples

            need = min_samples(float(name.rsplit("_p", 1)[1]))
            if samples < need:  # as the sweep table hides it (sample_support.supported_only): no figure it cannot back
                return t("loadtest.result.unsupported", need=need, have=samples)
            value = s[name + "_s"]
            shown = "—" if math.isnan(value) else number(value, 2) + " " + t("loadtest.unit.s")
            return ("≥ " if s[f"{name}_is_lower_bound"] else "") + shown

        from labs.i18n import t

        text = t("loadtest.result", url=self.url, concurrency=self.concurrency, ok=s["completed_ok"], planned=self.planned,
                 failed=s["errors"], busy=s["http_503"], cut=s["cut_off"], rate=s["requests_per_s"],
                 p50=bound("latency_p50"), p95=bound("latency_p95"))
        for message, count in self.errors().most_common(5):
            shown = t("loadtest.result.stopped") if message == STOPPED else message
            text += f"\n  {count} × {shown}"
        if self.not_started:
            text += "\n  " + t("loadtest.result.not_started", n=self.not_started)
        return text


def _check(name: str, value: object, low: float, high: float, whole: bool = True) -> None:
    kind = numbers.Integral if whole else numbers.Real  # np.int64 from a range or an array is a number too
    if not is_real(value) or not isinstance(value, kind) or not low <= value <= high:
        raise ValueError(t("loadtest.error.range_whole" if whole else "loadtest.error.range", name=name, low=low,
                           high=high, value=shown(value)))


async def _one(client: httpx.AsyncClient, rec: RequestRecord, body: dict, records: list) -> None:
    start = time.perf_counter()
    try:
        async with client.stream("POST", "/api/generate", json=body) as response:
            rec.status = response.status_code
            if response.status_code != 200:
                raw = (await response.aread()).decode(errors="replace")
                try:
                    detail = json.loads(raw).get("error", raw)
                except (ValueError, AttributeError):
                    detail = raw
                rec.error = t("loadtest.error.http", status=response.status_code, detail=str(detail)[:200])
                return
            done = False
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                chunk = json.loads(line)
                if "error" in chunk:
                    rec.error = t("loadtest.error.in_stream", detail=chunk["error"])
                    return
                if chunk.get("response") and rec.ttft_s is None:
                    rec.ttft_s = time.perf_counter() - start
                if chunk.get("done"):
                    done = True
                    rec.output_tokens = int(chunk.get("eval_count", 0))
                    rec.prompt_tokens = int(chunk.get("prompt_eval_count", 0))
            if not done:
                rec.error = t("loadtest.error.no_done")
    except asyncio.CancelledError:
        rec.error = STOPPED
        raise
    except httpx.ConnectError as exc:
        rec.error = t("loadtest.error.connect", detail=exc)
    except httpx.TimeoutException as exc:
        rec.error = t("loadtest.error.timeout", kind=type(exc).__name__)
    except (httpx.HTTPError, ValueError) as exc:
        rec.error = f"{type(exc).__name__}: {exc}"
    finally:
        rec.latency_s = time.perf_counter() - start
        records.append(rec)


async def run_load(host: str | None, *, concurrency: int, requests: int, time_limit_s: float,
                   model: str = DEFAULT_MODEL, prompts: Sequence[str] = ("Say hello.",), num_predict: int = 16,
                   options: dict | None = None) -> LoadResult:
    """Send ``requests`` streaming generations with ``concurrency`` workers; stop at ``time_limit_s``.

    Requests use temperature 0 and no seed, so they can share the server's decode steps (lesson 4's batching: the
    embedded server decodes a seeded request in calls of its own, to keep its tokens bit for bit); prompts are used in
    turn.
    """
    url = loopback_url(host)
    _check("concurrency", concurrency, 1, 64)
    _check("requests", requests, 1, MAX_REQUESTS)
    _check("time_limit_s", time_limit_s, 0.1, MAX_TIME_LIMIT_S, whole=False)
    _check("num_predict", num_predict, 1, 1024)
    if not prompts:
        raise ValueError(t("loadtest.error.no_prompts"))
    records: list[RequestRecord] = []
    counter = iter(range(requests))
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    timeout = httpx.Timeout(connect=2.0, read=time_limit_s, write=10.0, pool=time_limit_s)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        for i in counter:
            if time.perf_counter() >= deadline:
                return
            body = {"model": model, "prompt": prompts[i % len(prompts)], "stream": True,
                    "options": {"temperature": 0, **(options or {}), "num_predict": num_predict}}
            await _one(client, RequestRecord(i, time.perf_counter() - t0), body, records)

    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        tasks = [asyncio.create_task(worker(client)) for _ in range(concurrency)]
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.perf_counter()))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - t0
    records.sort(key=lambda r: r.index)
    return LoadResult(url, concurrency, requests, time_limit_s, wall, records)


def load_test(host: str | None, **kwargs) -> LoadResult:
    """:func:`run_load` from ordinary code or from a notebook (whose event loop is already running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run_load(host, **kwargs))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run_load(host, **kwargs)).result()


def sweep(host: str | None, concurrencies: Sequence[int] = (1, 2, 4), requests_per_level: int | None = None,
          time_limit_s: float = 20.0, **kwargs) -> list[LoadResult]:
    """One bounded run per concurrency level (``requests_per_level`` defaults to 2 × concurrency)."""
    return [load_test(host, concurrency=c, requests=requests_per_level or 2 * c, time_limit_s=time_limit_s, **kwargs)
            for c in concurrencies]


def sized_sweep(host: str | None, concurrencies: Sequence[int] = (1, 2, 4), *, time_budget_s: float = 90.0,
                requests_per_level: int = MIN_PLAN_SAMPLE, **kwargs) -> list[LoadResult]:
    """A sweep sized by a time budget instead of a guessed per-level limit (lesson 4, section 4).

    One request is sent first and not counted (it loads the model, which would otherwise land in the
    first level's latency). Each level then has ``requests_per_level`` requests and an equal share of
    ``time_budget_s`` (seconds, wall clock) as its time limit, so the whole sweep ends within about the
    budget (plus at most one share for the warm-up) however slow the machine is; a slow machine completes
    fewer than it sent, and each
    :class:`LoadResult` says how many (``planned`` vs ``completed_ok``, ``cut_off``, ``not_started``).
    ``kwargs`` go to :func:`run_load` (``prompts``, ``num_predict``, ``model`` …).
    """
    if not concurrencies:
        raise ValueError(t("loadtest.error.no_levels"))
    _check("time_budget_s", time_budget_s, 0.1 * len(concurrencies), MAX_TIME_LIMIT_S * len(concurrencies), whole=False)
    share = time_budget_s / len(concurrencies)
    load_test(host, concurrency=1, requests=1, time_limit_s=share, **kwargs)  # warm-up: loads the model
    return [load_test(host, concurrency=c, requests=requests_per_level, time_limit_s=share, **kwargs)
            for c in concurrencies]


def sweep_frame(results: Sequence[LoadResult]):
    """The sweep as a pandas table, one row per concurrency level."""
    import pandas as pd

    return pd.DataFrame([r.summary() for r in results])


def plot_sweep(frame, title: str = "Load test on this machine"):
    """Throughput and latency against concurrency (two panels)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from labs.i18n import number, t

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.plot(frame["concurrency"], completed_throughput(frame), "o-", label=t("loadtest.plot.tokens_s"))
    left.set(xlabel=t("loadtest.plot.concurrent"), ylabel=t("loadtest.plot.tokens_axis"),
             title=t("loadtest.plot.throughput"))
    for col, style in (("latency_p50_s", "o-"), ("latency_p95_s", "s--"), ("latency_p99_s", "^:"),
                       ("ttft_p50_s", "d-")):
        what, q, _ = col.split("_")
        plot_percentile(right, frame, col, style, t(f"loadtest.plot.{what}", q=q))
    right.set(xlabel=t("loadtest.plot.concurrent"), ylabel=t("loadtest.plot.seconds"),
              title=t("loadtest.plot.latency_title"))
    legend_clear_of_data(right)
    for ax in (left, right):
        ax.set_xticks(list(frame["concurrency"]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y, 0 if float(y).is_integer() else 1)))
    bounds = [c for c in frame.columns if c.endswith("_is_lower_bound")]
    if bounds and frame[bounds].to_numpy().any():
        title += f" ({t('loadtest.plot.lower_bound')})"
    fig.suptitle(f"{title}\n{sample_text(frame)}", fontsize=9)
    fig.tight_layout()
    return fig


def completed_throughput(frame):
    """``frame["output_tokens_per_s"]`` with NaN where a level completed no request: "nothing measured" is a gap in
    a plot, never a throughput of 0 tokens/s (a collapse the run did not show). Lesson 4's sweep plots.

    >>> import pandas as pd
    >>> completed_throughput(pd.DataFrame({"completed_ok": [3, 0], "output_tokens_per_s": [12.5, 0.0]})).tolist()
    [12.5, nan]
    """
    return frame["output_tokens_per_s"].where(frame["completed_ok"] > 0)


def legend_clear_of_data(ax, fontsize: int = 8) -> None:
    """A legend in a band above the data: the y axis starts at 0 and leaves the top third free, so no point is
    clipped at the top edge or hidden under the legend (lesson 4's sweep plots, where points crowd the top left)."""
    import math

    tops = [float(y) for line in ax.lines for y in line.get_ydata() if math.isfinite(float(y))]
    top = max(tops, default=1.0) or 1.0
    ax.set_ylim(0, top * 1.5)
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=fontsize, loc="upper left", ncol=2)


def plot_percentile(ax, frame, column: str, style: str, label: str, x: str = "concurrency") -> None:
    """Draw one percentile column of a :func:`sweep_frame` table (``column``, e.g. ``"latency_p50_s"``, seconds)
    against ``x`` on ``ax`` so that each marker is what it claims: a percentile measured exactly as a point of
    the ``style`` line labelled ``label``; one the time limit cut short (its ``<column>_is_lower_bound`` row is
    true: cut-off requests count only as their wait) as a hollow upward triangle, "at least", in its own legend
    entry. Blank values (NaN: no request measured to the end, or too few for the percentile) draw nothing.
    Lesson 4, "Load test and capacity" (its two sweep plots)."""
    import numpy as np

    from labs.i18n import t

    values = np.asarray(frame[column], dtype=float)
    flag = column.removesuffix("_s") + "_is_lower_bound"
    bound = np.asarray(frame[flag], dtype=bool) if flag in frame else np.zeros(len(values), dtype=bool)
    xs = np.asarray(frame[x], dtype=float)
    exact = np.where(bound, np.nan, values)
    (line,) = ax.plot(xs, exact, style, label=label)
    if (bound & ~np.isnan(values)).any():
        ax.plot(xs[bound], values[bound], "^", markerfacecolor="none", color=line.get_color(),
                label=t("loadtest.plot.at_least", label=label))


def sample_text(frame) -> str:
    """What a sweep table rests on, in ``LAB_LANG``: requests completed of those planned, and how many
    failed, were cut off by the time limit or never started (a cut-off request is not a failure)."""
    from labs.i18n import t

    cut = int(frame["cut_off"].sum()) if "cut_off" in frame else 0
    return t("loadtest.sample", completed=int(frame["completed_ok"].sum()), planned=int(frame["planned"].sum()),
             failed=int(frame["errors"].sum()), cut=cut, not_started=int(frame["not_started"].sum()))


@dataclass(frozen=True)
class CapacityPlan:
    requests_per_day: float
    peak_factor: float
    mean_requests_per_s: float
    peak_requests_per_s: float
    latency_s: float
    in_flight_at_peak: float  # Little's law: L = λ × W
    machines: int
    in_flight_per_machine: float
    slots_per_machine: int
    notes: tuple[str, ...]
    sample: int | None = None  # completed requests the measured rate rests on (None: not given)

    @property
    def sample_too_small(self) -> bool:
        """Whether the measurement rests on fewer than :data:`MIN_PLAN_SAMPLE` completed requests."""
        return self.sample is not None and self.sample < MIN_PLAN_SAMPLE


def capacity_plan(requests_per_day: float, *, machine_requests_per_s: float, latency_s: float,
                  slots_per_machine: int = 1, peak_factor: float = 3.0,
                  target_utilization: float = PLANNING_UTILISATION, sample: int | None = None) -> CapacityPlan:
    """Machines for a workload, from one machine's measured throughput and latency.

    * mean rate λ = requests/day ÷ 86,400 (:data:`labs.costs.SECONDS_PER_DAY`); peak = λ × ``peak_factor`` (traffic is not flat);
    * machines = ceil(peak λ ÷ (measured requests/s × ``target_utilization``)) — headroom so queues stay short
      (:data:`labs.costs.PLANNING_UTILISATION`, the one planning figure);
    * Little's law L = λ × W: requests in flight at peak; per machine it should not exceed the parallel slots,
      or requests queue and latency grows beyond the measured W;
    * ``sample``: the completed requests behind the measurement; under :data:`MIN_PLAN_SAMPLE` the first note
      says the plan is too weak to act on (notes are in ``LAB_LANG``).

    >>> plan = capacity_plan(86_400, machine_requests_per_s=2.0, latency_s=1.5, slots_per_machine=4)
    >>> plan.peak_requests_per_s, plan.machines, plan.in_flight_at_peak
    (3.0, 3, 4.5)
    """
    number("requests_per_day", requests_per_day, "requests per day")
    number("machine_requests_per_s", machine_requests_per_s, "requests per second one machine completes")
    number("latency_s", latency_s, "seconds per request")
    number("peak_factor", peak_factor, "peak rate ÷ mean rate")
    fraction("target_utilization", target_utilization)
    _check("slots_per_machine", slots_per_machine, 1, 1024)
    mean = requests_per_day / SECONDS_PER_DAY
    peak = mean * peak_factor
    machines = max(1, math.ceil(peak / (machine_requests_per_s * target_utilization) - 1e-9))
    in_flight = peak * latency_s
    per_machine = in_flight / machines
    from labs.i18n import t

    notes = []
    if sample is not None:
        _check("sample", sample, 0, MAX_REQUESTS)
        if sample < MIN_PLAN_SAMPLE:
            notes.append(t("loadtest.plan.small_sample", sample=sample, needed=MIN_PLAN_SAMPLE))
    if per_machine > slots_per_machine:
        notes.append(t("loadtest.plan.queue", in_flight=per_machine, slots=slots_per_machine))
    if peak_factor < 2:
        notes.append(t("loadtest.plan.flat"))
    return CapacityPlan(requests_per_day, peak_factor, mean, peak, latency_s, in_flight, machines, per_machine,
                        slots_per_machine, tuple(notes), sample)


def plan_lines(plan: CapacityPlan, level: dict) -> list[str]:
    """What lesson 4 prints for a plan from :func:`plan_from_sweep` ``(plan, level)``, in ``LAB_LANG``: the measured
    level (with how many of its requests completed), the plan, then each note (a small sample first)."""
    from labs.i18n import t

    bound = bool(level.get("latency_p50_is_lower_bound"))  # cut-off requests in the p50: W is at least this
    lines = [t("lesson4.plan.measured_bound" if bound else "lesson4.plan.measured", rate=level["requests_per_s"],
               concurrency=level["concurrency"], p50=level["latency_p50_s"], tokens=level["mean_output_tokens"],
               completed=level["completed_ok"], planned=level["planned"]),
             t("lesson4.plan.machines", requests_per_day=plan.requests_per_day, mean=plan.mean_requests_per_s,
               peak=plan.peak_requests_per_s, in_flight=plan.in_flight_at_peak, machines=plan.machines),
             *(f"  • {note}" for note in plan.notes)]
    if bound:
        lines.append("  • " + t("lesson4.plan.lower_bound", in_flight=plan.in_flight_at_peak))
    return lines


def plan_from_sweep(requests_per_day: float, results: Sequence[LoadResult], *, slots_per_machine: int = 1,
                    **kwargs) -> tuple[CapacityPlan, dict]:
    """:func:`capacity_plan` from a sweep's fastest level (most completed requests per second): returns the
    plan, with ``sample`` = that level's completed requests, and the level's summary row. ``kwargs`` go to
    :func:`capacity_plan`. Raises ``ValueError`` when no level completed a request (nothing to plan on)."""
    rows = [r.summary() for r in results if r.ok]
    if not rows:
        raise ValueError(t("loadtest.error.nothing_completed"))
    best = max(rows, key=lambda row: row["requests_per_s"])
    plan = capacity_plan(requests_per_day, machine_requests_per_s=best["requests_per_s"],
                         latency_s=best["latency_p50_s"], slots_per_machine=slots_per_machine,
                         sample=best["completed_ok"], **kwargs)
    return plan, best
