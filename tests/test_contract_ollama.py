"""The official ``ollama`` Python client against the live server (embedded, or real Ollama)."""

from __future__ import annotations

import json
import math

import ollama
import pytest

from labs import DEFAULT_MODEL
from labs.host import free_port

GREEDY = {"temperature": 0, "seed": 7, "num_predict": 8}


@pytest.fixture
def client(server_url):
    return ollama.Client(host=server_url)


def test_list_has_the_default_model(client):
    names = [m.model for m in client.list().models]
    assert DEFAULT_MODEL in names
    entry = next(m for m in client.list().models if m.model == DEFAULT_MODEL)
    assert entry.size > 50_000_000 and len(entry.digest) == 64
    assert entry.details.format == "gguf" and entry.details.parameter_size


def test_show_reports_gguf_metadata(client):
    info = client.show(DEFAULT_MODEL)
    arch = info.modelinfo["general.architecture"]
    assert info.modelinfo[f"{arch}.context_length"] > 0
    assert info.modelinfo[f"{arch}.block_count"] > 0
    assert info.details.quantization_level
    assert "completion" in info.capabilities
    assert info.template


def test_pull_streams_progress_to_success(client):
    events = list(client.pull(DEFAULT_MODEL, stream=True))
    statuses = [e.status for e in events]
    assert statuses[0] == "pulling manifest" and statuses[-1] == "success"
    layers = [e for e in events if e.digest]
    assert layers and layers[-1].completed == layers[-1].total > 0
    assert client.pull(DEFAULT_MODEL).status == "success"


def test_pull_of_an_unknown_model_fails_like_ollama(client):
    with pytest.raises(ollama.ResponseError):
        client.pull("no-such-model-xyz:1b")
    with pytest.raises(ollama.ResponseError):
        list(client.pull("no-such-model-xyz:1b", stream=True))


def test_generate_not_streamed(client):
    r = client.generate(model=DEFAULT_MODEL, prompt="Name a colour.", options=GREEDY)
    assert r.done and r.done_reason in ("stop", "length")
    assert isinstance(r.response, str) and r.response
    assert 0 < r.eval_count <= 8 and r.eval_duration > 0 and r.prompt_eval_count > 0
    assert r.total_duration >= r.eval_duration


def test_generate_streamed_ends_with_metrics(client):
    chunks = list(client.generate(model=DEFAULT_MODEL, prompt="Count to five.", options=GREEDY, stream=True))
    assert all(not c.done for c in chunks[:-1]) and chunks[-1].done
    assert chunks[-1].eval_count > 0 and isinstance(chunks[-1].total_duration, int)
    assert "".join(c.response for c in chunks)


def test_same_seed_and_temperature_zero_give_the_same_text(client):
    a = client.generate(model=DEFAULT_MODEL, prompt="Say something.", options=GREEDY).response
    b = client.generate(model=DEFAULT_MODEL, prompt="Say something.", options=GREEDY).response
    assert a == b


def test_chat_streamed_and_not(client):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    r = client.chat(model=DEFAULT_MODEL, messages=messages, options=GREEDY)
    assert r.message.role == "assistant" and r.message.content and r.done
    chunks = list(client.chat(model=DEFAULT_MODEL, messages=messages, options=GREEDY, stream=True))
    assert chunks[-1].done and chunks[-1].message.content == ""
    assert "".join(c.message.content for c in chunks) == r.message.content


def test_structured_output_follows_the_schema(client):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
              "required": ["city", "population"]}
    r = client.chat(model=DEFAULT_MODEL, messages=[{"role": "user", "content": "Give a city and its population as JSON."}],
                    format=schema, options={"temperature": 0, "num_predict": 64})
    data = json.loads(r.message.content)
    assert isinstance(data["city"], str) and isinstance(data["population"], int)


def test_format_json_gives_json(client):
    r = client.generate(model=DEFAULT_MODEL, prompt="Describe a cat as JSON.", format="json",
                        options={"temperature": 0, "num_predict": 48})
    if r.done_reason == "stop":
        assert isinstance(json.loads(r.response), (dict, list))
    else:  # cut off by num_predict: still JSON so far
        assert r.response.lstrip().startswith(("{", "["))


def test_embed_is_normalised(client):
    r = client.embed(model=DEFAULT_MODEL, input=["local models", "cloud APIs"])
    assert len(r.embeddings) == 2
    for vector in r.embeddings:
        assert len(vector) > 100
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, rel_tol=1e-3)
    legacy = client.embeddings(model=DEFAULT_MODEL, prompt="local models")
    assert len(legacy.embedding) == len(r.embeddings[0])


def test_ps_lists_the_loaded_model(client):
    client.generate(model=DEFAULT_MODEL, prompt="hi", options={"num_predict": 1})
    loaded = {m.model: m for m in client.ps().models}
    assert DEFAULT_MODEL in loaded
    entry = loaded[DEFAULT_MODEL]
    assert entry.size > 0 and entry.expires_at is not None


def test_copy_and_delete(client):
    client.copy(DEFAULT_MODEL, "contract-copy:test")
    assert "contract-copy:test" in [m.model for m in client.list().models]
    client.delete("contract-copy:test")
    assert "contract-copy:test" not in [m.model for m in client.list().models]
    assert DEFAULT_MODEL in [m.model for m in client.list().models]  # the original is untouched


def test_errors_have_ollama_types(client):
    with pytest.raises(ollama.ResponseError) as info:
        client.generate(model="no-such-model:1b", prompt="hi")
    assert info.value.status_code == 404
    with pytest.raises(ollama.ResponseError) as info:
        client.delete("no-such-model:1b")
    assert info.value.status_code == 404
    with pytest.raises(ollama.ResponseError) as info:
        client.show("no-such-model:1b")
    assert info.value.status_code == 404


def test_connection_refused_is_a_connection_error():
    with pytest.raises(ConnectionError):
        ollama.Client(host=f"http://127.0.0.1:{free_port()}").list()


def test_eval_count_never_exceeds_num_predict_even_with_a_cached_prompt(client):
    for _ in range(3):  # the second and third calls reuse the cached prompt
        r = client.generate(model=DEFAULT_MODEL, prompt="Tell me a long story.", options={"temperature": 0, "num_predict": 8})
        assert r.done_reason == "length" and r.eval_count == 8
