"""Public checks for lesson 4's exercises (sizing a deployment, picking a tier).

Expected values are computed here from :mod:`labs.sizing` and :mod:`labs.tiers` with the exercise's
own inputs, never typed in, so a change to the data files moves both together.
"""

from __future__ import annotations

import math

from labs import sizing, tiers
from labs.exercises import answer, answers, exercise
from labs.i18n import t
from labs.inputs import is_real

# The exercises' scenarios (the notebook states the same numbers in words).
SIZE = dict(model="Qwen3-8B", quant="Q8_0", context=16_384, parallel=4)
PICK = dict(model="Qwen3-8B", quant="Q4_K_M", context=8192, parallel=4, output_tokens=300, latency_target_s=4.0)


def _one_of(name: str, got: object, options: list[str]) -> None:
    """Feedback for an answer that is not one of ``options``: a list/dict (a row, not its name) or a name
    spelled otherwise, so the learner is sent to the name rather than to a cheaper or smaller option."""
    example = options[0] if options else ""
    assert isinstance(got, str), t("checks.lesson4.not_a_name", name=name, example=example, kind=type(got).__name__)
    assert got in options, t("checks.lesson4.not_an_option", name=name, got=got, options=", ".join(options))


def expected_size() -> tuple[float, set[str]]:
    """Total GiB for SIZE, and the single GPUs with the least memory that hold it."""
    need = sizing.estimate_memory(SIZE["model"], SIZE["quant"], SIZE["context"], SIZE["parallel"]).total_gib
    single = [r for r in sizing.gpus_that_fit(need) if r["count"] == 1 and r["kind"] == "gpu"]
    least = min(r["memory_gb"] for r in single)
    return need, {r["hardware"] for r in single if r["memory_gb"] == least}


@exercise("lesson4.size_deployment", points=2,
          hint=lambda: t("checks.lesson4.size_deployment.hint"))
def size_deployment(ns: dict) -> str:
    need_gib, smallest_gpu = answers(ns, "need_gib", "smallest_gpu")  # both blanks named at once
    expected, names = expected_size()
    assert is_real(need_gib) and math.isfinite(need_gib) and need_gib > 0, \
        t("checks.lesson4.size_deployment.not_number", value=need_gib)
    need_gib = float(need_gib)  # np.float32 from a DataFrame cell, as the float it stands for
    in_gb = expected * 2**30 / 1e9
    assert not math.isclose(need_gib, in_gb, rel_tol=0.02), t("checks.lesson4.size_deployment.in_gb", got=need_gib)
    assert math.isclose(need_gib, expected, rel_tol=0.05), t("checks.lesson4.size_deployment.off", got=need_gib)
    _one_of("smallest_gpu", smallest_gpu, [name for name, hw in sizing.hardware_catalogue().items() if hw.kind == "gpu"])
    assert smallest_gpu in names, t("checks.lesson4.size_deployment.wrong_gpu", got=smallest_gpu)
    return t("checks.lesson4.size_deployment.passed", need=need_gib, gpu=smallest_gpu)


@exercise("lesson4.cheapest_tier", points=2,
          hint=lambda: t("checks.lesson4.cheapest_tier.hint"))
def cheapest_tier(ns: dict) -> str:
    cheapest = answer(ns, "cheapest")
    rows = tiers.gpu_options(PICK["model"], PICK["quant"], context=PICK["context"], parallel=PICK["parallel"],
                             output_tokens=PICK["output_tokens"], latency_target_s=PICK["latency_target_s"])
    expected = tiers.cheapest_meeting(rows)
    too_slow = {r["hardware"] for r in rows if r["fits"] and not r["meets_target"]}
    target = PICK["latency_target_s"]
    _one_of("cheapest", cheapest, [r["hardware"] for r in rows])
    assert cheapest not in too_slow, t("checks.lesson4.cheapest_tier.too_slow", got=cheapest, target=target)
    assert cheapest == expected, t("checks.lesson4.cheapest_tier.not_cheapest", got=cheapest)
    return t("checks.lesson4.cheapest_tier.passed", got=cheapest, target=target)
