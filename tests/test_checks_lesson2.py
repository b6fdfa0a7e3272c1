"""Lesson 2's exercise checks: right answers pass, fakes and shortcuts fail, blanks are "not answered"."""

from __future__ import annotations

import json
import time

import pytest

from labs import DEFAULT_MODEL
from labs.client import LocalLLM, openai_client
from labs.exercises import run_check

OPTS = {"temperature": 0, "seed": 42}


@pytest.fixture(autouse=True)
def _host(monkeypatch, server_url):
    monkeypatch.setenv("OLLAMA_HOST", server_url)


def ask_local(prompt: str) -> str:
    reply = openai_client().chat.completions.create(
        model=DEFAULT_MODEL, messages=[{"role": "user", "content": prompt}], max_tokens=8, temperature=0, seed=42)
    return reply.choices[0].message.content


def time_to_first_token(prompt: str) -> float:
    started = time.perf_counter()
    for chunk in LocalLLM().stream_generate(prompt, options={**OPTS, "num_predict": 6}):
        if chunk.get("response"):
            return time.perf_counter() - started
    raise RuntimeError("no token")


def ask_json(prompt: str, schema: dict) -> dict:
    return json.loads(LocalLLM().generate(prompt, format=schema, options={**OPTS, "num_predict": 48})["response"])


def test_right_answers_pass():
    ns = {"ask_local": ask_local, "time_to_first_token": time_to_first_token, "ask_json": ask_json}
    for name in ("ask_local", "ttft", "structured"):
        result = run_check(f"lesson2.{name}", ns)
        assert result.status == "passed", result


def test_a_constant_reply_fails():
    result = run_check("lesson2.ask_local", {"ask_local": lambda prompt: "Hello! How can I help?"})
    assert result.status == "failed" and "OLLAMA_HOST" in result.message


def test_a_client_made_before_the_check_fails(server_url):
    client = openai_client(server_url)  # bound to the real server: bypasses OLLAMA_HOST

    def early(prompt):
        return client.chat.completions.create(model=DEFAULT_MODEL, messages=[{"role": "user", "content": prompt}],
                                              max_tokens=4).choices[0].message.content

    assert run_check("lesson2.ask_local", {"ask_local": early}).status == "failed"


def test_the_native_api_is_not_the_openai_client():
    def native(prompt):
        return LocalLLM().generate(prompt, options={**OPTS, "num_predict": 4})["response"]

    result = run_check("lesson2.ask_local", {"ask_local": native})
    assert result.status == "failed" and "/api/generate" in result.message


def test_total_time_is_not_time_to_first_token():
    def total(prompt):
        started = time.perf_counter()
        for _ in LocalLLM().stream_generate(prompt, options={**OPTS, "num_predict": 6}):
            pass
        return time.perf_counter() - started

    result = run_check("lesson2.ttft", {"time_to_first_token": total})
    assert result.status == "failed" and "FIRST chunk" in result.message


def test_a_constant_time_fails():
    # The check's proxy holds the first token back 0.4 s, so any constant under that is wrong on every machine
    # (a plausible-looking 0.5 s would pass on a box whose model answers in under 0.1 s).
    assert run_check("lesson2.ttft", {"time_to_first_token": lambda prompt: 0.01}).status == "failed"


def test_unconstrained_json_fails_the_schema():
    def no_schema(prompt, schema):
        return {"answer": "yes"}

    result = run_check("lesson2.structured", {"ask_json": no_schema})
    assert result.status == "failed" and "schema" in result.message


def test_blank_answers_are_not_answered():
    def ask_json(prompt, schema):
        ...

    for name, ns in (("ask_local", {"ask_local": ...}), ("structured", {"ask_json": ask_json}), ("ttft", {})):
        assert run_check(f"lesson2.{name}", ns).status == "not answered"
