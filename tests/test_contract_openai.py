"""The ``openai`` client pointed at ``<host>/v1`` — lesson 2's one-line provider switch."""

from __future__ import annotations

import json

import openai
import pytest

from labs import DEFAULT_MODEL
from labs.client import openai_client


@pytest.fixture
def client(server_url):
    return openai_client(server_url)


def test_chat_completion(client):
    r = client.chat.completions.create(model=DEFAULT_MODEL, messages=[{"role": "user", "content": "Hi"}],
                                       temperature=0, seed=1, max_tokens=8)
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert r.choices[0].message.role == "assistant" and r.choices[0].message.content
    assert r.choices[0].finish_reason in ("stop", "length")
    assert r.usage.completion_tokens <= 8 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_chat_streaming_with_usage(client):
    stream = client.chat.completions.create(model=DEFAULT_MODEL, messages=[{"role": "user", "content": "Hi"}],
                                            temperature=0, max_tokens=8, stream=True,
                                            stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert any(c.choices and c.choices[0].finish_reason for c in chunks)
    usage = [c.usage for c in chunks if c.usage]
    assert usage and usage[-1].completion_tokens > 0


def test_response_format_json_schema(client):
    schema = {"type": "object", "properties": {"answer": {"type": "boolean"}}, "required": ["answer"]}
    r = client.chat.completions.create(
        model=DEFAULT_MODEL, messages=[{"role": "user", "content": "Is water wet? Answer in JSON."}], temperature=0,
        max_tokens=32, response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}})
    assert isinstance(json.loads(r.choices[0].message.content)["answer"], bool)


def test_completions(client):
    r = client.completions.create(model=DEFAULT_MODEL, prompt="The capital of France is", max_tokens=4, temperature=0)
    assert r.object == "text_completion" and isinstance(r.choices[0].text, str)


def test_models_and_embeddings(client):
    assert DEFAULT_MODEL in [m.id for m in client.models.list().data]
    r = client.embeddings.create(model=DEFAULT_MODEL, input=["a", "b"])
    assert [d.index for d in r.data] == [0, 1] and len(r.data[0].embedding) > 100


def test_error_status(client):
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="no-such-model:1b", messages=[{"role": "user", "content": "x"}])
    assert info.value.status_code == 404
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=DEFAULT_MODEL, messages=[])
