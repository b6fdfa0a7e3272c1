"""Issue 10, attack round 11: a grammar whose work builds up with the text is ended at run time (F1); ordinary schemas
the old alternatives limit refused are served (F2); a root ``$ref`` is served (as Ollama does).

F1: ``^[abc]*a([abc](c?){8}){1000}$`` as a string property's pattern passes the static measure (its parse stacks
are few at any one place), but each ``a`` the model writes starts one more live stack, so each token's grammar work
grew to seconds and every other request waited 100+ s. Now the engine times each token's grammar work against that
token's decode step (:data:`labs.server.batching.GRAMMAR_STEP_RATIO`, from ``bench/grammar_runtime.py``) and ends the
request with a clear error once :data:`~labs.server.batching.GRAMMAR_STRIKES` of the last few tokens are over it.
Timings here are bounds derived from a baseline and a decode step measured in the same test, and the server's
declared budget; never an absolute time of this machine."""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import pytest
from pydantic import BaseModel

from labs import DEFAULT_MODEL
from labs.server.batching import GRAMMAR_FLOOR_NS, GRAMMAR_STEP_RATIO, GRAMMAR_WINDOW
from labs.server.runner import MAX_GRAMMAR_ALTERNATIVES, canonical_format, grammar_alternatives, grammar_for, schema_gbnf

pytestmark = pytest.mark.embedded

# the attacker's format (F1): the one required string property's pattern
BUILD_UP = {"type": "object", "properties": {"s": {"type": "string", "pattern": "^[abc]*a([abc](c?){8}){1000}$"}},
            "required": ["s"]}
ATTACK_PROMPT = "a" * 200  # raw: the model goes on writing a's and b's (what made the stacks build up)


def _optional(n: int, kind: object = "string") -> dict:
    return {"type": "object", "properties": {f"field_{i}": {"type": kind} for i in range(n)}}


def _enum(n: int) -> dict:
    return {"type": "object", "properties": {"v": {"enum": [f"value_{i}" for i in range(n)]}}, "required": ["v"]}


class Node(BaseModel):  # pydantic makes {"$defs": {"Node": ...}, "$ref": "#/$defs/Node"} of a recursive model
    name: str
    children: list["Node"] = []


@pytest.fixture(scope="module")
def server(linked_server):
    srv = linked_server("r11grammar", env={"OLLAMA_NUM_PARALLEL": "2", "OLLAMA_KEEP_ALIVE": "-1"})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=600) as client:
        yield client


def _ordinary(http: httpx.Client, n: int = 8) -> tuple[float, float]:
    """An ordinary request of ``n`` tokens: (its time in s, its decode step in s from eval_duration / eval_count)."""
    started = time.perf_counter()
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Count from one to ten:", "stream": False,
                                         "options": {"num_predict": n, "temperature": 0}})
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text
    data = r.json()
    return elapsed, data["eval_duration"] / max(1, data["eval_count"]) / 1e9


def _baseline(http: httpx.Client) -> tuple[float, float]:
    """The best of 3 ordinary requests (one sample on a shared machine can take 10x): (time, decode step)."""
    runs = [_ordinary(http) for _ in range(3)]
    return min(t for t, _ in runs), min(d for _, d in runs)


def _budget(step: float) -> float:
    """The grammar work per token the server allows at this decode step (s): its declared ratio, or its floor."""
    return max(GRAMMAR_STEP_RATIO * step, GRAMMAR_FLOOR_NS / 1e9)


def _ended_after(message: str) -> int:
    found = re.search(r"too costly after (\d+) generated tokens", message)
    assert found, message
    return int(found.group(1))


def _attack_body(stream: bool) -> dict:
    return {"model": DEFAULT_MODEL, "prompt": ATTACK_PROMPT, "raw": True, "format": BUILD_UP, "stream": stream,
            "options": {"num_predict": 2000, "temperature": 0}}


# --- F1: the runtime guard ------------------------------------------------------------------------------------------

def test_the_build_up_format_passes_the_static_measure():
    """The attack's premise: no static check refuses it (so only the runtime guard can stop it)."""
    grammar_for(canonical_format(BUILD_UP))


def test_a_grammar_whose_work_builds_up_is_ended_while_another_request_is_served(http):
    baseline, step = _baseline(http)
    budget = _budget(step)
    lines: list[dict] = []
    timing: dict[str, float] = {}
    first = threading.Event()

    def attack() -> None:
        started = time.perf_counter()
        with http.stream("POST", "/api/generate", json=_attack_body(True)) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line:
                    lines.append(json.loads(line))
                    first.set()
        timing["attack"] = time.perf_counter() - started
        first.set()

    thread = threading.Thread(target=attack)
    thread.start()
    assert first.wait(600)
    while thread.is_alive() and len(lines) < 20:  # into the part where its grammar work has grown
        time.sleep(0.05)
    n = 8
    beside, _ = _ordinary(http, n)  # runs beside the attack (2 slots), every step shared with its grammar work
    thread.join(600)
    assert not thread.is_alive()
    last = lines[-1]
    assert "error" in last, last  # Ollama's mid-stream error line
    tokens = _ended_after(last["error"])
    assert "simplify the schema" in last["error"] and "long enum" in last["error"]
    assert 1 <= sum(1 for line in lines[:-1] if line.get("response")) <= tokens  # what it wrote before the end
    # the damage is bounded by the budget: each step shared with the attack costs at most about one budget of grammar
    # work, as the guard ends it at its first over-budget tokens (3x slack for a shared machine); unguarded, its steps
    # went on growing to seconds each and an ordinary request waited 100+ s
    assert beside < 5 * baseline + 3 * (n + GRAMMAR_WINDOW) * (budget + step), (beside, budget, step, tokens)
    assert timing["attack"] < 5 * baseline + 3 * (tokens + GRAMMAR_WINDOW) * (budget + step), (timing, budget, tokens)
    # the slot is free and the server serves as before
    assert any(_ordinary(http)[0] < 10 * baseline for _ in range(5))


@pytest.mark.parametrize("path", ["/api/generate", "/v1/chat/completions"])
def test_the_guard_ends_a_whole_request_with_an_actionable_error_in_the_routes_shape(http, path):
    if path == "/api/generate":
        body = _attack_body(False)
    else:  # OpenAI's shape (the chat template around the prompt: the model still writes a's and b's)
        body = {"model": DEFAULT_MODEL, "max_tokens": 2000, "temperature": 0,
                "messages": [{"role": "user", "content": ATTACK_PROMPT}],
                "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": BUILD_UP}}}
    r = http.post(path, json=body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    message = error["message"] if path.startswith("/v1") else error
    if path.startswith("/v1"):
        assert error["type"] == "invalid_request_error"
    assert message.startswith("invalid format: the format's grammar became too costly after")
    _ended_after(message)


@pytest.mark.parametrize("fmt", ["json", _optional(40)], ids=["json", "40-optional-properties"])
def test_ordinary_formats_are_never_ended_by_the_guard(http, fmt):
    """~200 tokens of an ordinary format: generated to the end or to num_predict, never ended by the guard."""
    r = http.post("/api/generate", json={
        "model": DEFAULT_MODEL, "stream": False, "format": fmt,
        "prompt": "Write a long JSON object describing a library: books, authors, shelves, every field filled in.",
        "options": {"num_predict": 200, "temperature": 0}})
    assert r.status_code == 200, r.text
    assert r.json()["done_reason"] in ("stop", "length")
    assert r.json()["response"].lstrip().startswith("{")


# --- F2: the alternatives limit no longer refuses ordinary schemas ----------------------------------------------------

@pytest.mark.parametrize("schema", [_optional(42), _optional(100), _optional(60, ["string", "null"]), _enum(130),
                                    _enum(300)],
                         ids=["42-optional", "100-optional", "60-optional-nullable", "enum-130", "enum-300"])
def test_ordinary_schemas_the_old_limit_refused_are_built(schema):
    assert grammar_alternatives(schema_gbnf(json.dumps(schema))) < MAX_GRAMMAR_ALTERNATIVES
    grammar_for(canonical_format(schema))


@pytest.mark.parametrize("schema", [_optional(100), _enum(300)], ids=["100-optional", "enum-300"])
def test_ordinary_schemas_the_old_limit_refused_are_served(http, schema):
    r = http.post("/api/chat", json={"model": DEFAULT_MODEL, "stream": False, "format": schema,
                                     "messages": [{"role": "user", "content": "Fill in the JSON."}],
                                     "options": {"temperature": 0, "num_predict": 12}})
    assert r.status_code == 200, r.text
    assert r.json()["message"]["content"].lstrip().startswith("{")


# --- a root $ref (pydantic's recursive models) ----------------------------------------------------------------------

def test_a_root_ref_to_a_recursive_definition_is_served(http):
    schema = Node.model_json_schema()
    assert schema["$ref"].startswith("#/$defs/")  # the shape llama-cpp-python's converter failed on
    grammar_for(canonical_format(schema))
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "stream": False, "format": schema,
                                         "prompt": "A family tree as JSON:", "options": {"temperature": 0,
                                                                                         "num_predict": 64}})
    assert r.status_code == 200, r.text
    text = r.json()["response"]
    assert text.lstrip().startswith('{')
    if r.json()["done_reason"] == "stop":  # a whole answer: the grammar made it a Node
        Node.model_validate_json(text)
