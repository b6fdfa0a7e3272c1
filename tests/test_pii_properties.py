"""Property tests for lesson 3's detector and router (issue 11): the class, not the examples.

Hypothesis draws valid identifiers of every kind (:mod:`labs.router.synthetic`), disguises them the
way real text does (mixed separators, full-width or Arabic-Indic digits, NBSP, line breaks,
zero-width characters, links, query strings, HTML entities, look-alike letters) and glues them into
complex English and Ukrainian prompts with random neighbours. Each must be found, and routed local:
end to end through :class:`Router` the stand-in cloud must record nothing. The stand-in is
STAND-IN, NOT A CLOUD: a real HTTP server on 127.0.0.1 that records requests (a paid API cannot run
in tests). Harmless numbers must (almost) never be flagged.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii
from labs.router.synthetic import DISGUISES, KINDS, LANGS, glued_prompt, harmless_prompt

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.randoms(use_true_random=False), st.sampled_from(KINDS), st.sampled_from(LANGS), st.sampled_from(DISGUISES))
def test_every_kind_is_found_however_it_is_written_and_glued(rng, kind, lang, how):
    prompt, (start, end), _ = glued_prompt(kind, rng, lang=lang, how=how)
    found = detect_pii(prompt)
    assert any(f.kind == kind and f.start < end and start < f.end for f in found), (prompt, found)
    for f in found:
        assert prompt[f.start : f.end] == f.text


def test_glued_identifiers_never_reach_the_stand_in_cloud():
    with StandInCloud() as cloud:
        # the local side is a dead port, so a personal prompt can only be refused, never sent on
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)

        @FAST
        @given(st.randoms(use_true_random=False), st.sampled_from(KINDS), st.sampled_from(LANGS))
        def routed_local(rng, kind, lang):
            prompt, _, _ = glued_prompt(kind, rng, lang=lang)
            router.mark("local", True)  # forget the last refusal: route() must answer "local"
            decision = router.route(prompt)
            assert (decision.target, decision.fallback) == ("local", None), decision.explain()
            done = router.complete(prompt)
            assert done.target == "refuse" and done.decision.personal, done.decision.explain()

        routed_local()
        assert cloud.requests == [], [r.text()[:80] for r in cloud.requests]
        # the harness can see a leak: the same kind of complex prompt without personal data does arrive
        prompt, (start, end), _ = glued_prompt("phone", random.Random(1), lang="en", how="plain")
        router.mark("local", True)
        assert router.complete(prompt[:start] + prompt[end:]).target == "cloud"
        assert len(cloud.requests) == 1


@FAST
@given(st.integers(0, 10**11 - 1), st.sampled_from([
    "The job processed {n} tokens yesterday.", "Задача обробила {n} токенів учора.",
    "A model with {n} parameters.", "Модель на {n} параметрів.", "We sold {n} units.",
]))
def test_counts_up_to_eleven_digits_are_never_personal(n, template):
    assert detect_pii(template.format(n=n)) == []


def test_false_alarm_rate_on_harmless_numbers_stays_under_one_percent():
    rng = random.Random(29)
    prompts = [harmless_prompt(rng, lang) for lang in LANGS for _ in range(600)]
    flagged = [p for p in prompts if detect_pii(p)]
    assert len(flagged) / len(prompts) < 0.01, flagged[:10]
