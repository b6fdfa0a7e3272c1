"""Public checks for lesson 4's exercises (sizing a deployment, picking a tier).

Expected values are computed here from :mod:`labs.sizing` and :mod:`labs.tiers` with the exercise's
own inputs, never typed in, so a change to the data files moves both together.
"""

from __future__ import annotations

import math

from labs import sizing, tiers
from labs.exercises import answer, exercise

# The exercises' scenarios (the notebook states the same numbers in words).
SIZE = dict(model="Qwen3-8B", quant="Q8_0", context=16_384, parallel=4)
PICK = dict(model="Qwen3-8B", quant="Q4_K_M", context=8192, parallel=4, output_tokens=300, latency_target_s=4.0)


def expected_size() -> tuple[float, set[str]]:
    """Total GiB for SIZE, and the single GPUs with the least memory that hold it."""
    need = sizing.estimate_memory(SIZE["model"], SIZE["quant"], SIZE["context"], SIZE["parallel"]).total_gib
    single = [r for r in sizing.gpus_that_fit(need) if r["count"] == 1 and r["kind"] == "gpu"]
    least = min(r["memory_gb"] for r in single)
    return need, {r["hardware"] for r in single if r["memory_gb"] == least}


@exercise("lesson4.size_deployment", points=2,
          hint="need = weights (params × bits ÷ 8) + KV (per token × context × parallel) + overhead; "
               "sizing.estimate_memory(...).total_gib and sizing.gpus_that_fit(need) do both.")
def size_deployment(ns: dict) -> str:
    need_gib = answer(ns, "need_gib")
    smallest_gpu = answer(ns, "smallest_gpu")
    expected, names = expected_size()
    assert isinstance(need_gib, (int, float)) and math.isfinite(need_gib), "`need_gib` should be a number of GiB."
    assert math.isclose(need_gib, expected, rel_tol=0.05), (
        f"`need_gib` = {need_gib:.2f} GiB is not within 5% of the estimate. Did you count the KV cache once per "
        "parallel slot, at the full context?")
    assert smallest_gpu in names, (
        f"`smallest_gpu` = {smallest_gpu!r}: pick a single card from sizing.hardware_catalogue() with the least "
        "memory that still holds the deployment (kind 'gpu').")
    return f"{need_gib:.1f} GiB on one {smallest_gpu} — matches labs.sizing."


@exercise("lesson4.cheapest_tier", points=2,
          hint="tiers.gpu_options(...) gives fits / latency / rent per option; keep those that fit AND meet "
               "the target, then take the lowest monthly rent.")
def cheapest_tier(ns: dict) -> str:
    cheapest = answer(ns, "cheapest")
    rows = tiers.gpu_options(PICK["model"], PICK["quant"], context=PICK["context"], parallel=PICK["parallel"],
                             output_tokens=PICK["output_tokens"], latency_target_s=PICK["latency_target_s"])
    expected = tiers.cheapest_meeting(rows)
    too_slow = {r["hardware"] for r in rows if r["fits"] and not r["meets_target"]}
    assert cheapest not in too_slow, f"{cheapest!r} is cheaper but too slow for a {PICK['latency_target_s']} s target."
    assert cheapest == expected, f"`cheapest` = {cheapest!r}: another option meets the target for less per month."
    return f"{cheapest}: the cheapest rental that fits and answers within {PICK['latency_target_s']} s (estimated)."
