"""Ollama's blob and create API (what `ollama create` and `labs create` use), embeddings options,
logprobs and request templates, against a real embedded server."""

from __future__ import annotations

import base64
import hashlib
import math
import struct

import httpx
import pytest

from labs import DEFAULT_MODEL

pytestmark = pytest.mark.embedded
GREEDY = {"temperature": 0, "seed": 3, "num_predict": 4}


@pytest.fixture(scope="module")
def http(server_url):
    with httpx.Client(base_url=server_url, timeout=300) as client:
        yield client


def test_blob_upload_is_verified_against_its_digest(http):
    data = b"not a model, just bytes " * 100
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert http.head(f"/api/blobs/{digest}").status_code == 404
    wrong = "sha256:" + hashlib.sha256(b"other").hexdigest()
    r = http.post(f"/api/blobs/{wrong}", content=data)
    assert r.status_code == 400 and "digest mismatch" in r.json()["error"]
    assert http.head(f"/api/blobs/{wrong}").status_code == 404  # nothing kept
    assert http.post(f"/api/blobs/{digest}", content=data).status_code == 201
    assert http.head(f"/api/blobs/{digest}").status_code == 200
    assert http.post(f"/api/blobs/{digest}", content=data).status_code == 200  # already there
    r = http.post("/api/create", json={"model": "not-gguf:1", "files": {"x.gguf": digest}, "stream": False})
    assert r.status_code == 400 and "GGUF" in r.json()["error"]


def test_create_from_a_model_with_system_template_and_parameters(http):
    r = http.post("/api/create", json={"model": "pirate:1", "from": DEFAULT_MODEL, "system": "You are a pirate.",
                                       "template": "{{ if .System }}{{ .System }}\n{{ end }}Q: {{ .Prompt }}\nA:",
                                       "parameters": {"temperature": 0, "num_predict": 3}})
    statuses = [line for line in r.text.splitlines() if line]
    assert r.status_code == 200 and '"success"' in statuses[-1]
    try:
        show = http.post("/api/show", json={"model": "pirate:1"}).json()
        assert show["template"].startswith("{{ if .System }}") and "num_predict 3" in show["parameters"]
        out = http.post("/api/generate", json={"model": "pirate:1", "prompt": "Hi", "stream": False}).json()
        assert out["eval_count"] <= 3
        # the template was applied: the prompt is "You are a pirate.\nQ: Hi\nA:" — count its tokens raw
        raw = http.post("/api/generate", json={"model": "pirate:1", "prompt": "You are a pirate.\nQ: Hi\nA:", "raw": True,
                                               "stream": False}).json()
        assert out["prompt_eval_count"] == raw["prompt_eval_count"]
        assert out["response"] == raw["response"]
    finally:
        http.request("DELETE", "/api/delete", json={"model": "pirate:1"})
    bad = http.post("/api/create", json={"model": "x:1", "from": DEFAULT_MODEL, "parameters": {"temperature": "hot"}})
    assert bad.status_code == 400
    assert http.post("/api/create", json={"model": "x:1", "from": "nope:1", "stream": False}).status_code == 404


def test_request_template_is_applied(http):
    template = "Q: {{ .Prompt }}\nA:"
    a = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Hi", "template": template, "stream": False,
                                         "options": GREEDY}).json()
    b = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Q: Hi\nA:", "raw": True, "stream": False,
                                         "options": GREEDY}).json()
    assert (a["response"], a["prompt_eval_count"]) == (b["response"], b["prompt_eval_count"])


def test_logprobs_native_and_openai(http):
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Name a colour.", "stream": False,
                                         "logprobs": True, "top_logprobs": 3, "options": GREEDY}).json()
    assert len(r["logprobs"]) == r["eval_count"]
    for entry in r["logprobs"]:
        assert entry["logprob"] <= 0 and len(entry["top_logprobs"]) == 3
        assert entry["top_logprobs"][0]["logprob"] >= entry["top_logprobs"][-1]["logprob"]
        assert entry["logprob"] == pytest.approx(entry["top_logprobs"][0]["logprob"])  # greedy takes the best
    r = http.post("/v1/chat/completions", json={"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "Hi"}],
                                                "max_tokens": 3, "temperature": 0, "logprobs": True, "top_logprobs": 2}).json()
    content = r["choices"][0]["logprobs"]["content"]
    assert content and all(len(c["top_logprobs"]) == 2 for c in content)


def test_openai_embeddings_dimensions_and_base64(http):
    body = {"model": DEFAULT_MODEL, "input": ["local models"], "dimensions": 8}
    floats = http.post("/v1/embeddings", json=body).json()["data"][0]["embedding"]
    assert len(floats) == 8 and math.isclose(math.sqrt(sum(x * x for x in floats)), 1.0, rel_tol=1e-4)
    packed = http.post("/v1/embeddings", json={**body, "encoding_format": "base64"}).json()["data"][0]["embedding"]
    decoded = struct.unpack("<8f", base64.b64decode(packed))
    assert decoded == pytest.approx(floats, rel=1e-5, abs=1e-6)


def test_embed_truncate_false_over_the_context_and_the_true_token_count(http):
    long = "word " * 100
    r = http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": long, "truncate": False, "options": {"num_ctx": 32}})
    assert r.status_code == 400 and "exceeds the context length" in r.json()["error"]
    r = http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": long, "options": {"num_ctx": 32}})
    assert r.status_code == 200 and r.json()["prompt_eval_count"] == 32
    counts = [http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": t}).json()["prompt_eval_count"]
              for t in ("a b", "a b c d")]
    r = http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": ["a b", "a b c d"]})
    assert r.json()["prompt_eval_count"] == sum(counts) and 0 < counts[0] < counts[1]
