"""Issue 10, attack round 6: request bodies. A body has a size cap (413, Ollama-style JSON), a long one is parsed off
the event loop so every other route answers meanwhile (F2), and JSON keys match the request's fields as Go's decoder
matches them: case-insensitively, with Unicode simple folding (F3). Server tests run a real embedded server; nothing
here compares with an absolute time or size of this machine."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.server.core import MAX_BODY_BYTES, PARSE_INLINE_BYTES


@pytest.fixture(scope="module")
def server(linked_server):
    srv = linked_server("bodies")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=300) as client:
        yield client


@pytest.mark.embedded
def test_a_body_over_the_cap_is_413_with_an_ollama_style_error(http):
    """r6 F2: no route but /api/create had a body limit; a body of any size was read and parsed whole."""
    r = http.post("/api/generate", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert f"{MAX_BODY_BYTES // 2**20} MiB" in r.json()["error"]

    def chunks():  # no content-length: counted as it arrives
        for _ in range(MAX_BODY_BYTES // 2**20 + 2):
            yield b" " * 2**20

    r = http.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "MiB" in r.json()["error"], r.text
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "stream": False,
                                         "options": {"num_predict": 1}})
    assert r.status_code == 200, r.text  # the server serves on


@pytest.mark.embedded
def test_a_long_body_is_parsed_while_other_routes_answer(http, server):
    """r6 F2: 30 MB of ``[[],[],…]`` in ``messages[0].foo`` froze every route for 14 s (parsed on the event loop).
    Now ``/api/version`` answers many times while one such body (within the cap) is parsed: its slowest answer is
    a small part of the long request's time."""
    n = 1_500_000  # ~4.5 MB: far above PARSE_INLINE_BYTES, far below the cap
    body = ('{"model": "%s", "stream": false, "options": {"num_predict": 1}, "messages": [{"role": "user", '
            '"content": "hi", "foo": [%s]}]}' % (DEFAULT_MODEL, ",".join(["[]"] * n))).encode()
    assert PARSE_INLINE_BYTES * 4 < len(body) < MAX_BODY_BYTES
    done, result = threading.Event(), {}

    def big() -> None:
        with httpx.Client(base_url=server.url, timeout=300) as client:
            start = time.perf_counter()
            result["r"] = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
            result["took"] = time.perf_counter() - start
        done.set()

    thread = threading.Thread(target=big)
    thread.start()
    slowest, answers = 0.0, 0
    while not done.is_set():
        start = time.perf_counter()
        assert http.get("/api/version").status_code == 200
        slowest = max(slowest, time.perf_counter() - start)
        answers += 1
        time.sleep(0.02)
    thread.join()
    assert result["r"].status_code == 200, result["r"].text
    assert answers >= 5 and slowest < result["took"] / 3, (answers, slowest, result["took"])


# --- F3: keys matched as Go's encoding/json matches them ---------------------------------------------------------

@pytest.mark.parametrize(("body", "expected"), [
    # each expected value is what Go's json.Decoder put in Ollama's struct (attack r6's gojson, Go encoding/json)
    ('{"model": "m", "Prompt": "hi", "Stream": false}', {"model": "m", "prompt": "hi", "stream": False}),
    ('{"Model": "m"}', {"model": "m"}),
    ('{"model": "m", "STREAM": false}', {"stream": False}),
    ('{"model": "m", "\\u017ftream": false}', {"stream": False}),  # ſ folds to s
    ('{"\\u212aeep_alive": "5m"}', {"keep_alive": "5m"}),  # the Kelvin sign folds to k
    ('{"prompt": "a", "Prompt": "b"}', {"prompt": "b"}),  # one field named twice: the last wins
    ('{"Prompt": "a", "prompt": "b"}', {"prompt": "b"}),
    ('{"prompt": "a", "PROMPT": null}', {"prompt": "a"}),  # null leaves the field as it was
    ('{"ımages": ["QUJD"]}', {"images": []}),  # the dotless i does not fold to i in Go
    ('{"prompt ": "x"}', {"prompt": ""}),
    ('{"raW": true, "Options": {"num_predict": 1}}', {"raw": True, "options": {"num_predict": 1}}),
])
def test_keys_match_fields_case_insensitively_as_go(body, expected):
    """r6 F3: ``Prompt``/``STREAM``/``Messages`` were ignored (a load-only request, or a streamed one)."""
    from labs.server.schema import GenerateRequest, parse
    req = parse(GenerateRequest, body.encode())
    assert {k: getattr(req, k) for k in expected} == expected


def test_nested_objects_fold_too_but_option_names_match_exactly_as_ollama():
    from labs.server.schema import ChatCompletionRequest, ChatRequest, CreateRequest, parse, parse_options
    chat = parse(ChatRequest, b'{"MODEL": "m", "Messages": [{"Role": "user", "CONTENT": "a", "content": "b"}]}')
    assert (chat.model, chat.messages[0].role, chat.messages[0].content) == ("m", "user", "b")
    v1 = parse(ChatCompletionRequest, b'{"Stream_Options": {"Include_Usage": true}, "MESSAGES": [{"ROLE": "system"}]}')
    assert v1.stream_options.include_usage and v1.messages[0].role == "system"
    assert parse(CreateRequest, b'{"FROM": "x"}').from_ == "x"
    # Ollama reads options into a map and looks each name up as written (Options.FromMap): no folding there
    assert parse_options({"Temperature": 1, "temperature": 0}) == {"temperature": 0.0}


@pytest.mark.embedded
def test_upper_case_keys_make_the_request_go_would_make(http):
    r = http.post("/api/generate", json={"Model": DEFAULT_MODEL, "Prompt": "hi", "Stream": False,
                                         "Options": {"num_predict": 1, "temperature": 0}})
    assert r.status_code == 200, r.text
    answer = r.json()  # one JSON object (not a stream) that answers the prompt, not a load-only reply
    assert answer["done_reason"] != "load" and answer["prompt_eval_count"] > 0, answer
    r = http.post("/api/chat", json={"model": DEFAULT_MODEL, "Messages": [{"Role": "user", "Content": "hi"}],
                                     "\u017ftream": False, "options": {"num_predict": 1}})
    assert r.status_code == 200, r.text
    assert r.json()["done_reason"] != "load" and r.json()["prompt_eval_count"] > 0, r.text


@pytest.mark.parametrize("body", [
    '{"model": "m", "messages": [{"role": "user", "content": "hi", "foo": [[], [1, {"a": 2}]], "images": ["QUJD"]}], '
    '"x": {"y": [1, 2, 3]}, "tools": [{"a": [1, {"b": null}]}], "options": {"num_predict": 1, "zz": [1]}, '
    '"format": {"type": "object"}}',
    '{"Model": "m", "Messages": [{"ROLE": "user", "Content": "x", "content": "y"}], "x": 123456789012345678901234567890}',
    '{"model": "m", "messages": [{"role": "user", "tool_calls": [{"function": {"arguments": {"a": [1e999]}}}]}]}',
    'null', '[]', '{"model": 1}', '{"messages": [1e999]}', '{"x": [1e999]}',
])
def test_a_long_body_is_read_into_the_same_request_by_the_skipping_decoder(body):
    """r6 F2: a long body is read by the interruptible decoder, which skips unknown subtrees unbuilt: the request
    (or the error) is the one the usual decoder makes."""
    from labs.server.schema import ChatRequest, parse

    def read(interruptible: bool):
        try:
            return parse(ChatRequest, body.encode(), interruptible=interruptible).model_dump()
        except ValueError as exc:
            return str(exc)

    assert read(True) == read(False)


def test_the_skipping_decoder_skips_an_unknown_number_go_would_not_convert():
    from labs.server.schema import GenerateRequest, parse
    body = ('{"model": "m", "x": [%s]}' % ("1" * 5000)).encode()
    assert parse(GenerateRequest, body, interruptible=True).model == "m"  # Go: 200 (CPython's int limit is moot)
