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


def _create(http, name: str, template: str, **extra) -> None:
    r = http.post("/api/create", json={"model": name, "from": DEFAULT_MODEL, "template": template, "stream": False, **extra})
    assert r.status_code == 200 and r.json() == {"status": "success"}, r.text


def _same_as_raw(http, path: str, body: dict, raw_prompt: str) -> None:
    """``body`` on ``path`` reads exactly ``raw_prompt`` (the rendered template): same tokens, same answer."""
    a = http.post(path, json={**body, "stream": False, "options": GREEDY})
    assert a.status_code == 200, a.text
    b = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": raw_prompt, "raw": True, "stream": False,
                                         "options": GREEDY}).json()
    text = a.json()["message"]["content"] if path == "/api/chat" else a.json()["response"]
    assert (text, a.json()["prompt_eval_count"]) == (b["response"], b["prompt_eval_count"])


# Ollama's library templates are written with range over .Messages, $., eq, else if, variables and literals
MESSAGES_TEMPLATE = """{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range $i, $m := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq $m.Role "assistant" }}<|im_start|>assistant
{{ .Content }}{{ if not $last }}<|im_end|>
{{ end }}
{{- end }}
{{- if and $last (ne .Role "assistant") }}<|im_start|>assistant
{{ end }}
{{- end }}"""


def test_a_template_over_messages_is_rendered_as_ollama_does(http):
    """Attack round 3: range .Messages, with, else if, eq and literals were refused at create ("unsupported")."""
    _create(http, "msgs:1", MESSAGES_TEMPLATE, system="Be brief.")
    try:
        _same_as_raw(http, "/api/generate", {"model": "msgs:1", "prompt": "Hi"},
                     "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                    {"role": "user", "content": "Name a colour."}]
        _same_as_raw(http, "/api/chat", {"model": "msgs:1", "messages": messages},
                     "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
                     "Hello<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n")
        r = http.post("/v1/chat/completions", json={"model": "msgs:1", "messages": messages, "max_tokens": 4,
                                                    "temperature": 0, "seed": 3})
        assert r.status_code == 200, r.text
    finally:
        http.request("DELETE", "/api/delete", json={"model": "msgs:1"})


def test_a_legacy_template_stops_at_response_and_with_else_literals_work(http):
    template = ('{{ with .System }}[{{ . }}] {{ else }}{{ "[none] " }}{{ end }}U: {{ .Prompt }}\nA: {{ .Response }}'
                '</s>{{ printf "%d" 1 }}')
    _create(http, "legacy:1", template)
    try:
        # the text after .Response is what the model writes: Ollama cuts the last turn there
        _same_as_raw(http, "/api/generate", {"model": "legacy:1", "prompt": "Hi"}, "[none] U: Hi\nA: ")
        _same_as_raw(http, "/api/generate", {"model": "legacy:1", "prompt": "Hi", "system": "S"}, "[S] U: Hi\nA: ")
    finally:
        http.request("DELETE", "/api/delete", json={"model": "legacy:1"})


def test_a_template_go_parses_is_accepted_at_create_and_fails_only_when_run(http):
    """Ollama parses at create; a field a message lacks is an error only when the template runs."""
    _create(http, "runtime-error:1", "{{ range .Messages }}{{ .Nope }}{{ end }}")
    try:
        r = http.post("/api/generate", json={"model": "runtime-error:1", "prompt": "Hi", "stream": False})
        assert r.status_code == 400 and "can't evaluate field Nope in type api.Message" in r.json()["error"], r.text
        assert http.get("/api/version").status_code == 200
    finally:
        http.request("DELETE", "/api/delete", json={"model": "runtime-error:1"})


SUFFIX_TEMPLATE = "{{ if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{ else }}{{ .Prompt }}{{ end }}"


def test_suffix_needs_a_template_that_uses_it_as_ollamas_insert_capability(http):
    """Attack round 3: suffix was refused always; Ollama allows it when the model's template uses .Suffix."""
    assert "insert" not in http.post("/api/show", json={"model": DEFAULT_MODEL}).json()["capabilities"]
    for path, body in (("/api/generate", {"prompt": "def f(", "suffix": "return x"}),
                       ("/v1/completions", {"prompt": "def f(", "suffix": "return x"})):
        r = http.post(path, json={"model": DEFAULT_MODEL, **body, "stream": False})
        assert r.status_code == 400 and "does not support insert" in r.text
    _create(http, "fim:1", SUFFIX_TEMPLATE)
    try:
        assert "insert" in http.post("/api/show", json={"model": "fim:1"}).json()["capabilities"]
        _same_as_raw(http, "/api/generate", {"model": "fim:1", "prompt": "def f(", "suffix": "return x"},
                     "<PRE> def f( <SUF>return x <MID>")
        _same_as_raw(http, "/api/generate", {"model": "fim:1", "prompt": "def f("}, "def f(")
        r = http.post("/v1/completions", json={"model": "fim:1", "prompt": "def f(", "suffix": "return x",
                                               "max_tokens": 2, "temperature": 0})
        assert r.status_code == 200, r.text
    finally:
        http.request("DELETE", "/api/delete", json={"model": "fim:1"})
