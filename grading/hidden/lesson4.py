"""Hidden instructor tests for ``04_gpu_deployment`` (run by ``labs grade``, never shown to learners).

The public check accepts ``need_gib`` within 5 % — wide enough to forget the runtime overhead
(about 3 % here) — and compares the card with the set the expected total gives. These tests hold
the total to 1 % and name the part that is missing, check that the card follows from the learner's
OWN total (two answers that agree), and re-derive the cheapest tier from first principles
(:mod:`labs.sizing` memory and speed, :mod:`labs.costs` rent) instead of ``tiers.gpu_options``.
Scenarios come from :mod:`labs.checks.lesson4`.
"""

from __future__ import annotations

import math

from labs import costs, sizing, tiers
from labs.checks.lesson4 import PICK, SIZE
from labs.exercises import answer, hidden_test

TIGHT = 0.01  # 1 %


def _gib(value: object) -> float:
    assert isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0, \
        f"`need_gib` should be a positive number of GiB, got {value!r}"
    return float(value)


@hidden_test("lesson4.size_deployment", points=1)
def need_counts_weights_kv_and_overhead(ns: dict) -> str:
    """``need_gib`` within 1 %: weights + KV cache (full context × every slot) + runtime overhead, in GiB."""
    need = _gib(answer(ns, "need_gib"))
    est = sizing.estimate_memory(SIZE["model"], SIZE["quant"], SIZE["context"], SIZE["parallel"])
    total = est.total_gib
    if math.isclose(need, total, rel_tol=TIGHT):
        return f"{need:.2f} GiB = weights {est.weights_gib:.2f} + KV {est.kv_gib:.2f} + overhead {est.overhead_gib:.2f}"
    slips = {"you left out the runtime overhead": total - est.overhead_gib,
             "you left out the KV cache": total - est.kv_gib,
             f"you counted the KV cache for one slot, not all {SIZE['parallel']}":
                 total - est.kv_gib * (SIZE["parallel"] - 1) / SIZE["parallel"],
             "your figure is in GB (10⁹ bytes), not GiB (2³⁰ bytes)": total * sizing.GIB / 1e9}
    why = [what for what, value in slips.items() if math.isclose(need, value, rel_tol=TIGHT)]
    raise AssertionError(
        f"`need_gib` = {need:.2f} GiB is not within 1% of the estimate, {total:.2f} GiB (weights "
        f"{est.weights_gib:.2f} + KV {est.kv_gib:.2f} + overhead {est.overhead_gib:.2f})" + (f": {why[0]}" if why else ""))


@hidden_test("lesson4.size_deployment", points=1)
def gpu_agrees_with_your_need(ns: dict) -> str:
    """``smallest_gpu`` holds YOUR ``need_gib`` in its usable memory, and no single GPU with less memory does."""
    need = _gib(answer(ns, "need_gib"))
    pick = answer(ns, "smallest_gpu")
    catalogue = sizing.hardware_catalogue()
    assert isinstance(pick, str) and pick in catalogue, \
        f"`smallest_gpu` = {pick!r} is not a name from sizing.hardware_catalogue()"
    card = catalogue[pick]
    assert card.kind == "gpu", f"{pick!r} is a {card.kind!r} machine, not a GPU (kind 'gpu')"
    assert need <= sizing.usable_gib(pick), (
        f"{pick} has {sizing.usable_gib(pick):.2f} GiB usable, less than your {need:.2f} GiB")
    smaller = sorted(name for name, hw in catalogue.items()
                     if hw.kind == "gpu" and hw.memory_gb < card.memory_gb and need <= sizing.usable_gib(name))
    assert not smaller, (f"{', '.join(smaller)} also hold{'s' if len(smaller) == 1 else ''} {need:.2f} GiB "
                         f"with less memory than {pick}")
    return f"{pick}: {sizing.usable_gib(pick):.2f} GiB usable ≥ {need:.2f} GiB; no smaller single GPU holds it"


@hidden_test("lesson4.cheapest_tier", points=1)
def fits_meets_target_and_nothing_cheaper_does(ns: dict) -> str:
    """From memory, speed and rent, option by option: the pick fits, answers 300 tokens within 4 s,
    and every cheaper rental either does not fit or is too slow."""
    pick = answer(ns, "cheapest")
    options = dict(tiers.GPU_OPTIONS)
    assert isinstance(pick, str) and pick in options, \
        f"`cheapest` = {pick!r} is not one of the single-GPU rentals: {', '.join(options)}"
    need = sizing.estimate_memory(PICK["model"], PICK["quant"], PICK["context"], PICK["parallel"]).total_gib

    def assess(hardware: str) -> tuple[bool, float, float]:
        tps = sizing.decode_tokens_per_s(PICK["model"], PICK["quant"], hardware,
                                         context_filled=PICK["output_tokens"] // 2)
        rent = costs.rental_cost(options[hardware]).monthly_usd
        return need <= sizing.usable_gib(hardware), PICK["output_tokens"] / tps, rent

    fits, seconds, rent = assess(pick)
    assert fits, f"{pick} holds {sizing.usable_gib(pick):.1f} GiB, the deployment needs {need:.1f} GiB"
    assert seconds <= PICK["latency_target_s"], (
        f"{pick} needs about {seconds:.2f} s for {PICK['output_tokens']} tokens, over the {PICK['latency_target_s']} s target")
    for other in options:
        o_fits, o_seconds, o_rent = assess(other)
        assert not (o_rent < rent and o_fits and o_seconds <= PICK["latency_target_s"]), (
            f"{other} also fits and answers in {o_seconds:.2f} s, for ${o_rent:,.0f}/month against {pick}'s ${rent:,.0f}")
    return f"{pick}: fits {need:.1f} GiB, ~{seconds:.2f} s per answer, ${rent:,.0f}/month; nothing cheaper meets both"
