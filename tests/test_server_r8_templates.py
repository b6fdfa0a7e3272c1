"""Issue 10, attack round 8 (F2, F3, F4): a GGUF's Jinja chat template is never run; its family's Go template is.

Ollama matches a GGUF's ``tokenizer.chat_template`` against the templates it knows and renders the matching Go
template, else its default ``{{ .Prompt }}`` (ollama ``server/model.go`` ``detectChatTemplate``). Before this round
the server ran the Jinja (llama-cpp-python's ``Jinja2ChatFormatter``): a hostile uploaded GGUF looped for hours or
built gigabyte strings while holding the model slot (F2), and a template that raised gave a 500 naming a Python
exception (F3). ``/api/show`` returned that Jinja, which ``/api/create`` cannot take back, and no ``system`` (F4).

The failing inputs are the attacker's templates (``/work/attacks/issue10-r8/mkgguf.py``), patched into a copy of the
shipped SmolLM2 GGUF here and uploaded as a client does (``/api/blobs`` + ``/api/create`` with ``files``). Times are
only compared with a normal request measured in the same test."""

from __future__ import annotations

import functools

import hashlib
import struct
import time
from pathlib import Path

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.server.chat_templates import DEFAULT_TEMPLATE, family, go_template_for
from labs.server.gotemplate import render_template
from labs.server.store import catalogue_file

pytestmark = pytest.mark.embedded

HOSTILE = {  # the attacker's r8 templates (F2: cpu, mem; F3: raise, syntax, undef, alt)
    "raise": "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
             "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
             "<|im_start|>assistant\n",
    "cpu": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
           "{% for m in messages %}{{ m['content'] }}{% endfor %}",
    "mem": "{% set x = 'ab' * 400000000 %}{{ x|length }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
    "syntax": "{% for m in messages %}{{ m['content'] }}{% endfor",
    "undef": "{{ messages[5]['content'] }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
    "alt": "{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}"
           "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
           "<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n",
}

# conversations of the shapes the notebooks send (system or not, a finished turn, Ukrainian text)
CONVERSATIONS = [
    [{"role": "user", "content": "Name a colour."}],
    [{"role": "system", "content": "Answer in one word."}, {"role": "user", "content": "Capital of France?"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
     {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Яка столиця України?"}],
    [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}, {"role": "user", "content": "x {{ .Prompt }}"}],
]


def _gguf() -> Path:
    return catalogue_file(DEFAULT_MODEL)[0]


@functools.cache  # GGUFReader parses every field of the file in Python: seconds per read
def _jinja() -> str:
    import gguf

    return gguf.GGUFReader(str(_gguf())).fields["tokenizer.chat_template"].contents()


def _jinja_render(messages: list[dict]) -> str:
    """What the server rendered before this round (the GGUF's Jinja through llama-cpp-python), for comparison."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    return Jinja2ChatFormatter(template=_jinja(), eos_token="<|im_end|>", bos_token="<|im_start|>")(
        messages=messages).prompt


# --- the matched Go template renders what the Jinja did -------------------------------------------------------------

@pytest.mark.parametrize("messages", CONVERSATIONS)
def test_smollm2_prompt_is_byte_identical_to_its_jinja(messages):
    """The notebooks' prompts do not change: SmolLM2's ChatML with its default system turn when none is given."""
    assert render_template(go_template_for(_jinja()), messages=messages) == _jinja_render(messages)


def test_smollm2_keeps_its_default_system_prompt():
    out = render_template(go_template_for(_jinja()), messages=CONVERSATIONS[0])
    assert out.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")


@pytest.mark.parametrize(("jinja", "kind", "expected"), [
    ("{% for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] + "
     "'<|eot_id|>' }}{% endfor %}", "llama3",
     "<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>"
     "<|start_header_id|>assistant<|end_header_id|>\n\n"),
    ("{{ '<start_of_turn>' + role + '\\n' }}{{ raise_exception('System role not supported') }}", "gemma",
     "<start_of_turn>user\nS\nU<end_of_turn>\n<start_of_turn>model\n"),
    ("{{ '[INST] ' + m['content'] + '[/INST]' }}{{ raise_exception('Conversation roles must alternate') }}", "mistral",
     "[INST] S\n\nU[/INST]"),
    ("{{ '[INST] <<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' }}", "llama2", "[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST]"),
    ("{{ '<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n' }}{{ '<|assistant|>' }}{{ '<|user|>' }}", "phi3",
     "<|system|>\nS<|end|>\n<|user|>\nU<|end|>\n<|assistant|>\n"),
    ("{{ '<|user|>\\n' + m['content'] + eos_token }}", "zephyr", "<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\n"),
])
def test_each_known_family_gets_its_go_template(jinja, kind, expected):
    assert family(jinja) == kind
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    assert render_template(go_template_for(jinja), messages=messages) == expected


@pytest.mark.parametrize("name", ["cpu", "mem", "syntax", "undef"])
def test_an_unknown_template_gets_ollamas_default(name):
    assert go_template_for(HOSTILE[name]) == DEFAULT_TEMPLATE


def test_no_jinja_engine_is_used_by_the_server():
    """F2: the only way to be sure no model-supplied Jinja runs is not to have a Jinja renderer in the server."""
    for path in Path(__file__).parents[1].joinpath("labs", "server").glob("*.py"):
        text = path.read_text()
        assert "Jinja2ChatFormatter" not in text and "import jinja2" not in text, path


# --- against a real server: hostile GGUFs uploaded the way ollama-python does ----------------------------------------

def _patched(template: str) -> bytes:
    """The shipped GGUF with its chat template replaced (same length: padded with a Jinja comment)."""
    data = bytearray(_gguf().read_bytes())
    key = b"tokenizer.chat_template"
    at = data.find(key)
    size = struct.unpack_from("<Q", data, at + len(key) + 4)[0]  # after the key: its type (u32), then the length
    start = at + len(key) + 12
    body = template.encode()
    assert len(body) == size or len(body) + 4 <= size
    if len(body) < size:
        body += b"{#" + b" " * (size - len(body) - 4) + b"#}"
    data[start:start + size] = body
    return bytes(data)


@pytest.fixture(scope="module")
def http(linked_server):
    server = linked_server("r8templates")
    with httpx.Client(base_url=server.url, timeout=600) as client:
        yield client
    server.stop()


def _upload(http: httpx.Client, name: str, template: str) -> None:
    data = _patched(template)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert http.post(f"/api/blobs/{digest}", content=data).status_code in (200, 201)
    r = http.post("/api/create", json={"model": name, "files": {"model.gguf": digest}, "stream": False})
    assert r.status_code == 200, r.text


def _chat(http: httpx.Client, model: str, messages: list[dict], **kw) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    r = http.post("/api/chat", json={"model": model, "messages": messages, "stream": False,
                                     "options": {"temperature": 0, "num_predict": 2}, **kw})
    return r, time.perf_counter() - started


def test_hostile_templates_are_never_run_and_the_model_answers(http):
    """F2/F3: each hostile model answers 200 as Ollama does (its Jinja matched or left for the default), in about
    the time an ordinary freshly loaded model takes; before, 'cpu' ran for hours, 'mem' took GBs, the others 500."""
    _upload(http, "r8-plain", _jinja())
    _, baseline = _chat(http, "r8-plain", CONVERSATIONS[1], keep_alive=0)  # a fresh load, as for each below
    for name, template in HOSTILE.items():
        _upload(http, f"r8-{name}", template)
        for messages in (CONVERSATIONS[1], CONVERSATIONS[2]):
            r, took = _chat(http, f"r8-{name}", messages, keep_alive=0)
            assert r.status_code == 200, (name, r.text)
            assert "Error" not in r.text and r.json()["done"]
            assert took < 20 * baseline + 5, (name, took, baseline)
    # and the other entry points of such a model
    for path, body in (("/api/generate", {"prompt": "hi", "system": "S"}),
                       ("/v1/chat/completions", {"messages": CONVERSATIONS[1], "max_tokens": 2})):
        r = http.post(path, json={"model": "r8-raise", "stream": False, **body, "options": {"num_predict": 2}})
        assert r.status_code == 200, (path, r.text)


def test_an_unknown_family_renders_ollamas_default_prompt(http):
    """The default ``{{ .Prompt }}``: the model reads the user's text alone, exactly as a raw request."""
    _upload(http, "r8-undef", HOSTILE["undef"])
    chat = http.post("/api/generate", json={"model": "r8-undef", "prompt": "Name a colour.", "stream": False,
                                            "options": {"temperature": 0, "num_predict": 4}}).json()
    raw = http.post("/api/generate", json={"model": "r8-undef", "prompt": "Name a colour.", "raw": True, "stream": False,
                                           "options": {"temperature": 0, "num_predict": 4}}).json()
    assert chat["prompt_eval_count"] == raw["prompt_eval_count"] and chat["response"] == raw["response"]


@pytest.mark.parametrize("messages", CONVERSATIONS[1:3])
def test_smollm2_chat_reads_the_same_prompt_as_before(http, messages):
    """End to end: /api/chat on the shipped model evaluates exactly the tokens of the Jinja-rendered prompt (sent raw)
    and answers the same at temperature 0."""
    options = {"temperature": 0, "seed": 1, "num_predict": 6}
    chat = http.post("/api/chat", json={"model": DEFAULT_MODEL, "messages": messages, "stream": False,
                                        "options": options}).json()
    raw = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": _jinja_render(messages), "raw": True,
                                           "stream": False, "options": options}).json()
    assert chat["prompt_eval_count"] == raw["prompt_eval_count"]
    assert chat["message"]["content"] == raw["response"]


# --- F4: show gives the Go template used and the system text; show -> create round-trips ----------------------------

def test_show_returns_the_go_template_and_system_and_round_trips(http):
    r = http.post("/api/create", json={"model": "r8-c1", "from": DEFAULT_MODEL, "system": "You are a pirate.",
                                       "parameters": {"temperature": 0, "num_predict": 5}, "stream": False})
    assert r.status_code == 200, r.text
    assert http.post("/api/create", json={"model": "r8-c2", "from": "r8-c1", "system": "You are a cat.",
                                          "stream": False}).status_code == 200
    show = http.post("/api/show", json={"model": "r8-c2"}).json()
    assert show["system"] == "You are a cat."
    assert 'SYSTEM """You are a cat."""' in show["modelfile"]
    assert show["template"] == go_template_for(_jinja()) and "{%" not in show["template"]
    assert f'TEMPLATE """{show["template"]}"""' in show["modelfile"]
    assert "system" not in http.post("/api/show", json={"model": DEFAULT_MODEL}).json()  # Ollama omits an empty one
    # what show gave, fed back to create, is accepted and renders the same prompt
    r = http.post("/api/create", json={"model": "r8-rt", "from": DEFAULT_MODEL, "template": show["template"],
                                       "system": show["system"], "stream": False})
    assert r.status_code == 200, r.text
    assert http.post("/api/show", json={"model": "r8-rt"}).json()["template"] == show["template"]
    body = {"prompt": "Who are you?", "stream": False, "options": {"temperature": 0, "num_predict": 5}}
    a = http.post("/api/generate", json={"model": "r8-c2", **body}).json()
    b = http.post("/api/generate", json={"model": "r8-rt", **body}).json()
    assert a["prompt_eval_count"] == b["prompt_eval_count"] and a["response"] == b["response"]
