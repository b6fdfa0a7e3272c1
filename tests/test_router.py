"""The hybrid router (lesson 3): decisions, fail-closed fault injection, fallbacks, bounded waits.

The "cloud" here is :class:`StandInCloud` — a real HTTP server on 127.0.0.1 that records every
request (a paid cloud API cannot run in tests; the stand-in says so in every answer). The local
side is either a dead port (fault injection) or the real model server from ``conftest.py``.
"""

from __future__ import annotations

import time

import pytest

from labs.client import LocalLLM
from labs.host import free_port
from labs.router import AuditLog, CloudLLM, PersonalDataBlocked, Router, StandInCloud, detect_pii
from labs.router.cloud import CloudUnavailable
from labs.router.complexity import Complexity, LLMJudge

PERSONAL = [
    "Summarise the complaint from olena.koval@example.com and draft a reply.",
    "Пацієнт Іван Петренко, 12.03.1985 р.н., хворіє на діабет. Випиши діагнози.",
    "Analyse step by step why the payment with card 4111 1111 1111 1111 failed and compare the options.",
    "Мій РНОКПП 3124167891, поясни детально, як заповнити декларацію.",
]
COMPLEX = "Design a caching layer for a REST API and compare write-through with write-back step by step."
SIMPLE = "Translate 'good morning' into Ukrainian."


def dead_host() -> str:
    return f"127.0.0.1:{free_port()}"  # nothing listens there: connection refused at once


@pytest.fixture
def cloud():
    with StandInCloud() as server:
        yield server


def make_router(cloud_server, local=None, **kw) -> Router:
    return Router(local if local is not None else dead_host(), CloudLLM.stand_in(cloud_server, max_retries=0), **kw)


# --- route(): decisions without any model call --------------------------------------------------

def test_route_decides_without_contacting_anything(cloud):
    router = make_router(cloud)
    decisions = {p: router.route(p) for p in [*PERSONAL, COMPLEX, SIMPLE]}
    assert cloud.requests == []  # route() called no server
    for p in PERSONAL:
        d = decisions[p]
        assert (d.target, d.personal, d.fallback) == ("local", True, None), d.explain()
        assert d.findings and any("personal data found" in r for r in d.reasons)
    assert (decisions[COMPLEX].target, decisions[COMPLEX].fallback) == ("cloud", "local")
    assert decisions[SIMPLE].target == "local" and decisions[SIMPLE].fallback == "cloud"


def test_sensitive_flag_adds_but_cannot_remove_protection(cloud):
    router = make_router(cloud)
    assert router.route(COMPLEX, sensitive=True).target == "local"
    d = router.route(PERSONAL[0], sensitive=False)
    assert d.target == "local" and any("detector wins" in r for r in d.reasons)
    with pytest.raises(ValueError, match="True, False or None"):
        router.route(SIMPLE, sensitive="yes")


def test_no_key_means_complex_goes_local(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    router = Router(dead_host())
    assert not router.cloud.configured
    d = router.route(COMPLEX)
    assert d.target == "local" and any("no cloud available" in r for r in d.reasons)


def test_key_comes_from_the_environment_and_is_never_shown(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-do-not-print-1234")
    c = CloudLLM()
    assert c.configured
    assert "sk-test" not in repr(c) and "key=set" in repr(c)
    assert "sk-test" not in repr(Router(dead_host(), c))


def test_bounded_settings_are_checked():
    with pytest.raises(ValueError, match="bounded"):
        Router(dead_host(), local_retries=50)
    with pytest.raises(ValueError, match="bounded"):
        CloudLLM(timeout=0)


# --- fault injection: the local model is unreachable ----------------------------------------------

def test_personal_data_is_refused_not_sent_when_local_is_down(cloud, tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    router = make_router(cloud, audit=log, local_retries=1)
    for prompt in PERSONAL:
        out = router.complete(prompt)
        assert out.refused and out.text is None, out.decision.explain()
        assert any("fail closed" in r for r in out.decision.reasons)
    assert cloud.requests == []  # the stand-in cloud received nothing at all
    entries = log.read()
    assert [e["used"] for e in entries] == ["refuse"] * len(PERSONAL)
    assert entries[0]["error"] == "ServerNotRunning" and entries[0]["attempts"] == 2  # 1 try + 1 bounded retry
    text = log.path.read_text(encoding="utf-8")
    for prompt in PERSONAL:
        for f in detect_pii(prompt):
            assert f.text not in text


def test_other_traffic_falls_back_to_the_cloud_when_local_is_down(cloud):
    router = make_router(cloud, local_retries=0)
    simple = router.complete(SIMPLE)
    assert (simple.target, simple.fallback_used, simple.error) == ("cloud", True, "ServerNotRunning")
    assert simple.text.startswith("[STAND-IN CLOUD")
    complex_ = router.complete(COMPLEX)
    assert complex_.target == "cloud" and not complex_.fallback_used
    assert complex_.cost_usd > 0 and complex_.prompt_tokens > 0
    # now the router knows local is down: personal data is refused at once, without trying
    started = time.perf_counter()
    out = router.complete(PERSONAL[1])
    assert out.refused and out.attempts == 0 and time.perf_counter() - started < 0.5
    assert [r.text() for r in cloud.requests] == [SIMPLE, COMPLEX]


def test_both_sides_down_refuses_everything(cloud):
    cloud.fail_status = 503
    router = make_router(cloud, local_retries=0)
    out = router.complete(SIMPLE)
    assert out.refused and out.error == "CloudUnavailable"
    assert [r.text() for r in cloud.requests] == [SIMPLE]  # it tried the cloud: not personal


def test_cloud_timeout_is_bounded(cloud):
    cloud.delay_s = 3.0
    client = CloudLLM.stand_in(cloud, timeout=0.5, max_retries=0)
    started = time.perf_counter()
    with pytest.raises(CloudUnavailable, match="unreachable"):
        client.chat([{"role": "user", "content": SIMPLE}])
    assert time.perf_counter() - started < 2.5


def test_cloud_payload_is_rechecked_before_sending(cloud):
    router = make_router(cloud)
    decision = router.route(COMPLEX)
    leaky = [{"role": "system", "content": "Customer: olena@example.com"}, {"role": "user", "content": COMPLEX}]
    with pytest.raises(PersonalDataBlocked):
        router._call("cloud", leaky, decision, 8)
    out = router.complete(COMPLEX, system="Customer: olena@example.com")  # the system prompt is checked too
    assert out.refused and out.decision.personal
    assert cloud.requests == []


def test_judge_falls_back_to_the_heuristic_when_local_is_down():
    with LocalLLM(dead_host()) as llm:
        c = LLMJudge(llm)(COMPLEX)
    assert c.label == "complex" and c.by.startswith("heuristic")


# --- with the real local model ----------------------------------------------------------------------

def test_personal_data_is_answered_locally(server_url, cloud, tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    router = make_router(cloud, local=LocalLLM(server_url, timeout=120), audit=log, num_predict=8)
    out = router.complete(PERSONAL[1])
    assert out.target == "local" and isinstance(out.text, str)
    assert out.completion_tokens > 0 and out.prompt_tokens > 0 and out.cost_usd == 0.0
    assert cloud.requests == []
    assert log.read()[0]["used"] == "local" and "12.03.1985" not in log.path.read_text(encoding="utf-8")


def test_complex_falls_back_to_local_when_the_cloud_fails(server_url, cloud):
    cloud.fail_status = 500
    # down_for_s longer than any local answer takes: on a busy machine the small model alone can take 30 s
    router = make_router(cloud, local=LocalLLM(server_url, timeout=120), num_predict=8, down_for_s=600)
    out = router.complete(COMPLEX)
    assert (out.target, out.fallback_used, out.error) == ("local", True, "CloudUnavailable")
    assert router.is_down("cloud") and router.route(COMPLEX).target == "local"
    assert router.check_health() == {"local": True, "cloud": False}


def test_judge_with_the_live_model_gives_a_label(server_url):
    with LocalLLM(server_url, timeout=120) as llm:
        c = LLMJudge(llm)(SIMPLE)
    assert isinstance(c, Complexity) and c.label in ("simple", "complex")


# --- the lesson's exercise checks ------------------------------------------------------------------

def test_policy_check_requires_zero_leaks_and_enough_cloud():
    from labs.exercises import run_check
    from labs.router import heuristic
    from labs.router.evaluate import router_policy

    assert run_check("lesson3.policy", {"my_policy": router_policy}).passed
    leaky = run_check("lesson3.policy", {"my_policy": lambda p: "cloud" if heuristic(p).is_complex else "local"})
    assert leaky.status == "failed" and "reach the cloud" in leaky.message
    timid = run_check("lesson3.policy", {"my_policy": lambda p: "local"})
    assert timid.status == "failed" and "complex prompts go to the cloud" in timid.message
    assert run_check("lesson3.policy", {"my_policy": ...}).status == "not answered"


def test_detector_check_accepts_a_validated_ip_detector_and_rejects_a_naive_one():
    from labs.exercises import run_check
    from labs.router import regex_detector

    good = regex_detector("ip", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)",
                          validate=lambda s: all(int(p) < 256 for p in s.split(".")))
    assert run_check("lesson3.detector", {"find_ip": good}).passed
    naive = regex_detector("ip", r"\d+(?:\.\d+){2,3}")
    result = run_check("lesson3.detector", {"find_ip": naive})
    assert result.status == "failed" and "not an IP address" in result.message


# --- cost: one formula (labs.costs.api_cost), cached input billed at its own price -------------------

def test_cloud_cost_bills_cached_input_through_api_cost():
    from labs.costs import api_cost

    cloud = CloudLLM(_api_key="unused")  # gpt-4o-mini, priced from the workbook's table
    assert round(cloud.cost(2006, 300, cached_tokens=1920) * 1e6, 1) == 336.9  # the figure
    expected = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=2006, output_tokens=300,
                        cached_input_share=1920 / 2006).usd_per_request
    assert cloud.cost(2006, 300, cached_tokens=1920) == pytest.approx(expected, rel=1e-12)
    assert cloud.cost(2006, 300) > cloud.cost(2006, 300, cached_tokens=1920)
    assert cloud.cost(0, 0) == 0.0 and cloud.cost(100, 0) > 0 and cloud.cost(0, 10) > 0
    with pytest.raises(ValueError, match="cached_tokens"):
        cloud.cost(100, 10, cached_tokens=101)


def test_evaluation_cost_column_uses_api_cost():
    from labs.costs import api_cost
    from labs.router.evaluate import CostModel, estimate_tokens, load_prompts

    model = CostModel.from_price("gpt-4o-mini")
    row = next(r for r in load_prompts() if r["complexity"] == "complex")
    expected = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=estimate_tokens(row["text"]),
                        output_tokens=model.complex_output_tokens).usd_per_request
    assert model.cost(row, "cloud") == pytest.approx(expected, rel=1e-12)
    assert model.cost(row, "local") == 0.0
    cached = CostModel.from_price("gpt-4o-mini", cached_input_share=0.5)
    assert cached.cost(row, "cloud") < model.cost(row, "cloud")
