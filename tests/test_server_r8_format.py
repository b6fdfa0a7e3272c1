"""Issue 10, attack round 8 (F1): a format's grammar is bounded, and a stopped server ends even mid llama.cpp call.

A JSON-schema ``format`` with a 2000-value enum made llama.cpp's grammar sampling take seconds per token on the one
thread every model shares (a 100 000-value enum: hours), and SIGTERM could not end the process while that C call
ran. Now a grammar over :data:`labs.server.runner.MAX_GRAMMAR_ALTERNATIVES` is a 400 naming the limit (chosen with
``bench/grammar_cost.py``), before any model is loaded, and shutdown ends the process after its grace whatever runs.
The failing inputs are the attacker's (``schema.py``, ``v1enum.py``). Round 11 (F2) raised the limit from 128 to 512
(``labs.server.grammar.stack_cost`` measures the fan-out it stood in for; ordinary schemas of 42-100 optional properties
and enums of 130-300 values are served: ``tests/test_server_r11_grammar.py``); these inputs are still over it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest
from pydantic import BaseModel

from labs import DEFAULT_MODEL
from labs.server.runner import MAX_GRAMMAR_ALTERNATIVES, grammar_alternatives

pytestmark = pytest.mark.embedded


def _enum(n: int) -> dict:
    return {"enum": [f"v{i}" for i in range(n)]}


class Person(BaseModel):  # an ordinary structured-output schema: must stay accepted
    name: str
    age: int
    email: str | None = None
    tags: list[str]
    active: bool


@pytest.fixture(scope="module")
def http(linked_server):
    server = linked_server("r8format")
    with httpx.Client(base_url=server.url, timeout=600) as client:
        yield client
    server.stop()


def test_alternatives_are_counted_outside_literals_and_classes():
    from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

    assert grammar_alternatives('root ::= "|" | [|] | x # | \nx ::= "a" | "b"') == 5
    assert grammar_alternatives(json_schema_to_gbnf(json.dumps(_enum(300)))) > 300
    assert grammar_alternatives(JSON_GBNF) < MAX_GRAMMAR_ALTERNATIVES
    assert grammar_alternatives(json_schema_to_gbnf(json.dumps(Person.model_json_schema()))) < MAX_GRAMMAR_ALTERNATIVES


@pytest.mark.parametrize(("path", "body"), [
    ("/api/generate", lambda schema: {"prompt": "JSON please", "format": schema}),
    ("/api/chat", lambda schema: {"messages": [{"role": "user", "content": "JSON please"}], "format": schema}),
    ("/v1/chat/completions", lambda schema: {
        "messages": [{"role": "user", "content": "JSON please"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "v", "schema": schema}}}),
])
@pytest.mark.parametrize("schema", [_enum(2000), {"type": "object", "properties": {"v": _enum(2000)}, "required": ["v"]},
                                    {"anyOf": [{"const": f"c{i}"} for i in range(500)]}])
def test_a_grammar_over_the_limit_is_refused_with_the_limit_named(http, path, body, schema):
    r = http.post(path, json={"model": DEFAULT_MODEL, "stream": False, "options": {"num_predict": 5},
                              "max_tokens": 5, **body(schema)})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    message = error["message"] if isinstance(error, dict) else error
    assert str(MAX_GRAMMAR_ALTERNATIVES) in message and "alternatives" in message


def test_the_refusal_comes_before_the_model_is_loaded(http):
    http.post("/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": 0})  # unload
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "x", "format": _enum(100_000), "stream": False})
    assert r.status_code == 400
    assert http.get("/api/ps").json()["models"] == []


def test_schemas_under_the_limit_still_constrain_the_answer(http):
    for schema in (Person.model_json_schema(), _enum(MAX_GRAMMAR_ALTERNATIVES // 2)):
        r = http.post("/api/chat", json={"model": DEFAULT_MODEL, "stream": False, "format": schema,
                                         "messages": [{"role": "user", "content": "Describe a person as JSON."}],
                                         "options": {"temperature": 0, "num_predict": 3}})
        assert r.status_code == 200, r.text
        assert r.json()["message"]["content"]


def test_shutdown_ends_the_process_while_a_thread_is_stuck_in_a_call():
    """The watchdog the server arms at shutdown ends the process although a non-daemon thread (as the scheduler's
    llama.cpp thread is, joined at exit) is still inside a call that cannot be interrupted."""
    stuck = 60.0
    code = ("import threading, time\n"
            "from labs.server.app import _exit_after\n"
            f"threading.Thread(target=time.sleep, args=({stuck},)).start()\n"
            "_exit_after(0.2)\n")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], timeout=stuck * 2)
    assert proc.returncode == 0
    assert time.perf_counter() - started < stuck / 2
