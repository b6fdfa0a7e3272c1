"""Issue 10, attack round 7 (F1, F2, F3, F5): a request body means what it means to Ollama's Go decoder.

* Message roles are lowercased, as Ollama's ``Message.UnmarshalJSON`` does (PR #5695), on ``/api/chat`` and ``/v1``.
* A key given twice sets its field in body order (the last spelling wins), ``null`` sets a pointer, slice or map
  field back to nil and leaves a string, bool or number as it was, and ``options`` given twice is merged (Go decodes
  into the same map); every value given is type-checked, and the error is the one Go meets first in the body.

Expected values were recorded from Go 1.19 ``encoding/json`` decoding into copies of Ollama's ``GenerateRequest``,
``ChatRequest`` and ``Message`` (with its ``UnmarshalJSON``), from ollama ``api/types.go``. Every case here was
answered differently before this round. Nothing compares with an absolute time or size."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.gojson import GoObject, struct_fields
from labs.server.core import PARSE_INLINE_BYTES
from labs.server.schema import ChatCompletionRequest, ChatRequest, GenerateRequest, RequestError, parse

# (body, Go's result): the fields Go set, or Go's error text ("api." where the harness printed "main.")
GENERATE = [
    ('{"model":"m","prompt":"a","Prompt":"b","prompt":"c"}', {"prompt": "c"}),
    ('{"model":"m","PROMPT":"a","prompt":"b","PROMPT":"c"}', {"prompt": "c"}),
    ('{"model":"m","prompt":"Paris","prompt":null}', {"prompt": "Paris"}),
    ('{"model":"m","options":{"num_predict":1},"options":{"temperature":0}}',
     {"options": {"num_predict": 1, "temperature": 0}}),
    ('{"model":"m","options":{"num_predict":1},"Options":{"temperature":0}}',
     {"options": {"num_predict": 1, "temperature": 0}}),
    ('{"model":"m","options":{"num_predict":1},"options":{}}', {"options": {"num_predict": 1}}),
    ('{"model":"m","options":{"num_predict":1},"options":{"num_predict":2,"top_k":3},"OPTIONS":{"seed":4}}',
     {"options": {"num_predict": 2, "top_k": 3, "seed": 4}}),
    ('{"model":"m","stream":false,"Stream":true,"stream":false}', {"stream": False}),
    ('{"model":"m","raw":true,"raw":null}', {"raw": True}),  # a plain bool: null leaves it
    ('{"model":"m","context":[null]}', {"context": [0]}),
    ('{"model":"m","context":[1,null,3]}', {"context": [1, 0, 3]}),
    ('{"model":"m","prompt":5,"prompt":"a"}',
     "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string"),
    ('{"model":"m","prompt":"a","prompt":{"x":1},"prompt":"b"}',
     "json: cannot unmarshal object into Go struct field GenerateRequest.prompt of type string"),
    ('{"model":"m","stream":"x","prompt":5}',  # two type errors: Go's is the first in the body
     "json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool"),
    ('{"model":"m","options":5,"options":{"seed":4}}',
     "json: cannot unmarshal number into Go struct field GenerateRequest.options of type map[string]interface {}"),
    ('{"model":"m","options":{"seed":4},"options":[]}',
     "json: cannot unmarshal array into Go struct field GenerateRequest.options of type map[string]interface {}"),
    # r7 F5: Go names a number it cannot read as an int, as written
    ('{"model":"m","context":[1.5]}', "json: cannot unmarshal number 1.5 into Go struct field GenerateRequest.context of type int"),
    ('{"model":"m","context":[1e2]}', "json: cannot unmarshal number 1e2 into Go struct field GenerateRequest.context of type int"),
    ('{"model":"m","top_logprobs":1.0}',
     "json: cannot unmarshal number 1.0 into Go struct field GenerateRequest.top_logprobs of type int"),
]

CHAT = [
    ('{"model":"m","messages":[{"role":"User","content":"a"},{"role":"ASSISTANT","content":"b"},'
     '{"Role":"SyStEm","CONTENT":"c"}]}', [["user", "a"], ["assistant", "b"], ["system", "c"]]),
    ('{"model":"m","messages":[{"role":"user","role":"Tool","content":"x"}]}', [["tool", "x"]]),
    ('{"model":"m","messages":[{"role":"user","content":"x","role":null}]}', [["user", "x"]]),
    ('{"model":"m","messages":[{"role":"user","content":"a","Content":"b","content":"c"}]}', [["user", "c"]]),
    ('{"model":"m","messages":[null,{"role":"user","content":"x"}]}', [["", ""], ["user", "x"]]),
    ('{"model":"m","messages":[{"role":5}]}',  # Message has its own UnmarshalJSON: Go names the list
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type string"),
    ('{"model":"m","messages":[{"role":"user","content":5}]}',
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type string"),
    ('{"model":"m","messages":[{"role":"user","images":[5]}]}',
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type api.ImageData"),
    ('{"model":"m","messages":[{"role":"user","content":"x"}, 5]}',
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type api.Alias"),
    ('{"model":"m","stream":"x","messages":[5]}',  # a message's error ends Go's decoding: it wins over a saved one
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type api.Alias"),
    # r7 F5: a message's tool calls are typed as Go's ToolCall (they were accepted whatever they held)
    ('{"model":"m","messages":[{"role":"user","tool_calls":[{"function":{"name":5}}]}]}',
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type string"),
    ('{"model":"m","messages":[{"role":"user","tool_calls":[5]}]}',
     "json: cannot unmarshal number into Go struct field ChatRequest.messages of type api.ToolCall"),
    ('{"model":"m","messages":[{"role":"user","tool_calls":[{"function":{"index":1.5}}]}]}',
     "json: cannot unmarshal number 1.5 into Go struct field ChatRequest.messages of type int"),
]


# Answered as Go already before this round; kept as guards of the null rule (a pointer, slice or map field: nil)
GUARDS_GENERATE = [
    ('{"model":"m","options":{"num_predict":1},"options":null,"options":{"seed":4}}', {"options": {"seed": 4}}),
    ('{"model":"m","stream":false,"stream":null}', {"stream": True}),  # Go's *bool: null is nil, i.e. not given
    ('{"model":"m","context":[1,2],"context":null}', {"context": []}),
]
GUARDS_CHAT = [
    ('{"model":"m","messages":[{"role":"user","content":"x","Role":null,"CONTENT":"y"}]}', [["user", "y"]]),
    ('{"model":"m","messages":[{"role":"user","content":"x"}],"messages":null}', []),
]


def _parse(model, body: str, long: bool):
    raw = body.encode()
    if long:  # the same body past PARSE_INLINE_BYTES: the Go-style decoder, in a thread on the server
        raw = b'{"pad":"%s",' % (b"x" * PARSE_INLINE_BYTES) + raw[1:]
    return parse(model, raw, interruptible=long)


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize(("body", "go"), GENERATE + GUARDS_GENERATE)
def test_generate_fields_are_set_as_go_sets_them(body, go, long):
    if isinstance(go, str):
        with pytest.raises(RequestError) as err:
            _parse(GenerateRequest, body, long)
        assert str(err.value) == go
        return
    req = _parse(GenerateRequest, body, long)
    assert {k: getattr(req, k) for k in go} == go


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize(("body", "go"), CHAT + GUARDS_CHAT)
def test_chat_messages_are_set_as_go_sets_them(body, go, long):
    if isinstance(go, str):
        with pytest.raises(RequestError) as err:
            _parse(ChatRequest, body, long)
        assert str(err.value) == go
        return
    req = _parse(ChatRequest, body, long)
    assert [[m.role, m.content] for m in req.messages] == go


def test_v1_roles_are_lowercased_as_ollama_s_chat_handler_reads_them():
    """Ollama's /v1 middleware hands the messages to its chat handler as JSON: Message.UnmarshalJSON lowercases."""
    req = parse(ChatCompletionRequest, b'{"model":"m","messages":[{"role":"User","content":"a"},'
                                        b'{"ROLE":"SyStEm","content":"b"}]}')
    assert [m.role for m in req.messages] == ["user", "system"]
    req = parse(ChatCompletionRequest, b'{"model":"m","messages":[null,{"role":"user","content":"a"}]}')
    assert [m.content for m in req.messages] == [None, "a"]  # Go: null into a struct leaves a zero openai.Message


# --- through the real server ---------------------------------------------------------------------------------

ROLE_TEMPLATE = ('{{range .Messages}}{{if eq .Role "user"}}one two three four five six seven eight nine ten '
                 '{{end}}{{.Content}}{{end}}')


@pytest.fixture(scope="module")
def http(linked_server):
    srv = linked_server("json_r8")
    with httpx.Client(base_url=srv.url, timeout=300) as client:
        yield client
    srv.stop()


@pytest.mark.embedded
def test_a_capitalised_role_is_served_as_ollama_serves_it(http):
    """r7 F1: ``"role": "User"`` was a 400 on /api/chat, and /v1 rendered it as an unknown role (2 prompt tokens
    where "user" gave 12)."""
    body = {"model": DEFAULT_MODEL, "stream": False, "options": {"num_predict": 1, "temperature": 0},
            "messages": [{"role": "User", "content": "What is the capital of France?"}]}
    r = http.post("/api/chat", json=body)
    assert r.status_code == 200 and r.json()["done"] is True, r.text
    r = http.post("/api/create", json={"model": "r8roles", "from": DEFAULT_MODEL, "template": ROLE_TEMPLATE,
                                       "stream": False})
    assert r.status_code == 200, r.text
    counts = []
    for role in ("user", "User", "USER"):
        r = http.post("/v1/chat/completions", json={"model": "r8roles", "max_tokens": 1, "temperature": 0,
                                                    "messages": [{"role": role, "content": "x"}]})
        assert r.status_code == 200, r.text
        counts.append(r.json()["usage"]["prompt_tokens"])
    assert counts[0] == counts[1] == counts[2], counts


@pytest.mark.embedded
def test_repeated_keys_reach_the_model_as_go_decodes_them(http):
    """r7 F2/F3: a later ``"prompt": null`` erased the prompt (a load-only answer), and a second ``options``
    dropped the first one's ``num_predict`` (an unbounded generation)."""
    head = '{"model":"%s","stream":false,' % DEFAULT_MODEL
    r = http.post("/api/generate", content=head + '"prompt":"Paris","prompt":null,"options":{"num_predict":2}}',
                  headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["done_reason"] != "load" and r.json()["eval_count"] >= 1, r.text
    r = http.post("/api/generate", content=head + '"prompt":"Tell a long story.","options":{"num_predict":1},'
                  '"options":{"temperature":0}}', headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["eval_count"] == 1, r.text
    assert http.get("/api/version").status_code == 200


@pytest.mark.embedded
@pytest.mark.parametrize(("keep_alive", "go"), [(True, "bool"), ([], "[]interface {}"), ({}, "map[string]interface {}")])
def test_a_keep_alive_of_a_type_go_refuses_gets_go_s_words(http, keep_alive, go):
    """r7 F5: ``keep_alive: true`` was ``invalid keep_alive: True`` (Python's repr); Ollama's Duration says this."""
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "keep_alive": keep_alive})
    assert r.status_code == 400 and r.json() == {"error": f"Unsupported type: '{go}'"}, r.text


def _post_raw(url: str, path: str, body: bytes) -> socket.socket:
    """Send a whole POST on a socket of its own; the answer is read later (:func:`_status`)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n" % (path.encode(), f"{host}:{port}".encode(), len(body)) + body)
    return sock


def _status(sock: socket.socket, done: list, name: str) -> None:
    with sock:
        sock.settimeout(600)
        head = sock.recv(64)
    done.append((name, head.split(b" ")[1].decode() if head else "closed"))


@pytest.mark.embedded
def test_a_short_long_body_does_not_wait_behind_huge_ones(http):
    """r7 F4: bodies over PARSE_INLINE_BYTES were parsed two at a time server-wide, first come first served, so
    one client's 31 MB bodies of junk held another's 300 KB request (a chat with a photo) 185 s instead of 5.7 s.
    Here four huge bodies are queued first; the short one must be answered before any of them."""
    url = str(http.base_url).rstrip("/")
    huge = b'{"model":"absent-r8","junk":[%s0]}' % (b"0," * (3 * 2**20))  # 6 MiB, skipped by Go: a 404 after parsing
    short = b'{"model":"absent-r8","junk":"%s"}' % (b"x" * (300 * 2**10))
    done: list = []
    threads = []
    for i in range(4):
        sock = _post_raw(url, "/api/generate", huge)
        threads.append(threading.Thread(target=_status, args=(sock, done, f"huge{i}")))
        threads[-1].start()
    time.sleep(0.5)  # the huge bodies are read (loopback) and queued for parsing
    sock = _post_raw(url, "/api/generate", short)
    threads.append(threading.Thread(target=_status, args=(sock, done, "short")))
    threads[-1].start()
    for t in threads:
        t.join(600)
    assert sorted(status for _, status in done) == ["404"] * 5, done
    assert done[0][0] == "short", done
    assert http.get("/api/version").status_code == 200


@pytest.mark.parametrize("body", [b'{"model":"m","prompt":"Write","prompt":null}',
                                  b'{"model":"m","prompt":"x","Prompt":"","prompt":"y"}',
                                  b'{"model":"m","options":{"num_predict":9},"options":{"seed":1}}',
                                  b'{"model":"m","options":{"num_predict":9},"options":null}'])
def test_struct_fields_reads_a_body_as_the_server_does(body):
    """:func:`labs.gojson.struct_fields` gives code outside the server (the grading gate reads prompt and
    num_predict from a body) the fields the server's contract decodes, repeated keys and nulls included."""
    fields = struct_fields(json.loads(body, object_pairs_hook=GoObject.from_pairs),
                           nillable=frozenset({"OPTIONS", "CONTEXT", "IMAGES"}), maps=frozenset({"OPTIONS"}))
    req = parse(GenerateRequest, body)
    assert (fields.get("PROMPT", ""), fields.get("OPTIONS", {})) == (req.prompt, req.options)
