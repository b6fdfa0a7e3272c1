"""Property-based hostile input (issue 10): random JSON bodies — wrong types, empty values, huge
numbers, deep nesting, long strings, random options — on every route of a real embedded server.
Whatever arrives: an answer (no hang), no 500 except where Ollama answers 500, and the server still
answers ``/api/version`` afterwards. Generation is kept to a few tokens so this runs in seconds."""

from __future__ import annotations


import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labs import DEFAULT_MODEL
from labs.server.schema import OPTION_KINDS

pytestmark = pytest.mark.embedded

ROUTES = {  # path: (method, the fields its contract declares)
    "/api/generate": ("POST", ["model", "prompt", "suffix", "system", "template", "context", "stream", "raw", "format",
                               "keep_alive", "images", "options", "think", "truncate", "logprobs", "top_logprobs"]),
    "/api/chat": ("POST", ["model", "messages", "tools", "format", "options", "keep_alive", "think", "stream",
                           "logprobs", "top_logprobs"]),
    "/api/embed": ("POST", ["model", "input", "truncate", "dimensions", "options", "keep_alive"]),
    "/api/embeddings": ("POST", ["model", "prompt", "options", "keep_alive"]),
    "/api/show": ("POST", ["model", "name", "verbose"]),
    "/api/copy": ("POST", ["source", "destination"]),
    "/api/delete": ("DELETE", ["model", "name"]),
    "/api/pull": ("POST", ["model", "name", "stream"]),
    "/api/create": ("POST", ["model", "from", "files", "system", "template", "parameters", "stream"]),
    "/v1/chat/completions": ("POST", ["model", "messages", "stream", "max_tokens", "temperature", "top_p", "seed",
                                      "stop", "response_format", "tools", "logprobs", "top_logprobs", "stream_options"]),
    "/v1/completions": ("POST", ["model", "prompt", "suffix", "stream", "max_tokens", "temperature", "seed", "logprobs"]),
    "/v1/embeddings": ("POST", ["model", "input", "dimensions", "encoding_format"]),
}
OLLAMA_500 = {"/api/pull"}  # a model name the registry does not have: Ollama answers 500 too

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
           | st.sampled_from(["", " ", "json", "5m", "-1", "0", DEFAULT_MODEL, "smollm2", "{{ .Prompt }}",
                              "sha256:" + "0" * 64, "\u0000", "<|im_end|>"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                      max_leaves=12)
models = st.sampled_from([DEFAULT_MODEL, "", "nope:1b", "a b", "smollm2:135m-instruct-q4_1", "x/y/z/w"])
options = st.dictionaries(st.sampled_from(sorted(OPTION_KINDS) + ["mirostat", "num_gpu"]), values, max_size=4)
messages = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "assistant", "wizard", ""]) | values},
                                          optional={"content": st.text(max_size=30) | values}), max_size=3)


def bodies(path: str) -> st.SearchStrategy:
    _, fields = ROUTES[path]
    special = {"model": models | values, "options": options | values, "messages": messages | values,
               "parameters": options | values, "source": models, "destination": models}
    shaped = st.fixed_dictionaries({}, optional={f: special.get(f, values) for f in fields})
    return shaped | values


@pytest.fixture(scope="module")
def hostile_server(linked_server):
    server = linked_server("hostile")
    yield server
    server.stop()


def _cheap(path: str, body):
    """Keep generation to a couple of tokens and never delete the one model every request needs."""
    if not isinstance(body, dict):
        return body
    if path.startswith("/v1/"):
        body["max_tokens"] = 2
    elif isinstance(body.get("options"), dict):
        body["options"] = {**body["options"], "num_predict": 2}
        body["options"].pop("num_ctx", None) if not isinstance(body["options"].get("num_ctx"), int) else None
    elif "options" not in body:
        body["options"] = {"num_predict": 2}
    if path == "/api/delete" and DEFAULT_MODEL.split(":")[0] in str(body.get("model", "")) + str(body.get("name", "")):
        body["model"] = body["name"] = "nope:1b"
    return body


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_bodies_never_take_the_server_down(hostile_server, data):
    path = data.draw(st.sampled_from(sorted(ROUTES)))
    body = _cheap(path, data.draw(bodies(path)))
    method = ROUTES[path][0]
    with httpx.Client(base_url=hostile_server.url, timeout=120) as http:  # a hang fails as a timeout
        r = http.request(method, path, json=body)
        if r.status_code == 500:
            assert path in OLLAMA_500, (path, body, r.text)
        if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
            error = r.json()["error"]
            assert isinstance(error, (str, dict)) and error
        assert http.get("/api/version").status_code == 200
    assert hostile_server.proc.poll() is None


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.sampled_from([b"null", b"[]", b"{", b'{"model": NaN}', b"[" * 5000, b'"x"']))
def test_random_bytes_get_a_400_not_a_crash(hostile_server, raw):
    with httpx.Client(base_url=hostile_server.url, timeout=120) as http:
        r = http.post("/api/generate", content=raw)
        assert r.status_code in (400, 404), (raw, r.text)
        assert http.get("/api/version").status_code == 200


def test_copy_onto_itself_is_not_a_500(hostile_server):
    """Found by the property test above: copying a model onto its own name crashed with 500 (shutil: same file)."""
    with httpx.Client(base_url=hostile_server.url, timeout=120) as http:
        r = http.post("/api/copy", json={"source": DEFAULT_MODEL, "destination": DEFAULT_MODEL})
        assert r.status_code == 200, r.text
        assert DEFAULT_MODEL in [m["name"] for m in http.get("/api/tags").json()["models"]]
