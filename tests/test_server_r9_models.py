"""Issue 10, attack round 9 (F2, F4, F5, F6): GGUF metadata of unexpected types, the loaded-model limit, the chat
families' stop parameters and ``/api/ps``'s expiry, each against a real local server.

F2: a GGUF whose ``tokenizer.chat_template`` was an array of strings was created, then every request to it was a 500
``TypeError: unhashable type: 'list'``; an integer template or invalid UTF-8 was refused at create with a Python
message. Ollama reads the template with its typed ``kv.String`` (``fs/ggml/ggml.go`` ``keyValue``: another type gives
the default ""), so such a model gets ``{{ .Prompt }}`` and answers. F4: ``OLLAMA_MAX_LOADED_MODELS`` was exceeded
when every loaded model was busy; Ollama drains one and waits (``server/sched.go`` ``processPending``). F5: Ollama's
``detectChatTemplate`` (``server/model.go``) adds the family's stops (``template/<name>.json``). F6: ``/api/ps`` showed
a model busy since its load as expiring in year 2318.

The GGUFs are the shipped SmolLM2 file with its metadata rewritten (:func:`_rewrite`), uploaded as ollama-python does
(``/api/blobs`` + ``/api/create`` with ``files``). No absolute time is compared: only events and ratios."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import struct
import threading
import time

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.server.chat_templates import DEFAULT_TEMPLATE, STOPS
from labs.server.store import catalogue_file

pytestmark = pytest.mark.embedded

STRING, ARRAY, UINT32, FLOAT32, UINT8 = 8, 9, 4, 6, 0


# --- GGUF metadata rewriting (the file format: github.com/ggml-org/ggml docs/gguf.md) ------------------------------

def _str(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def enc_string(text: str | bytes) -> bytes:
    return struct.pack("<I", STRING) + _str(text)


def enc_strings(items: list[str]) -> bytes:
    return struct.pack("<IIQ", ARRAY, STRING, len(items)) + b"".join(_str(s) for s in items)


def enc_u32(value: int) -> bytes:
    return struct.pack("<II", UINT32, value)


def enc_f32(value: float) -> bytes:
    return struct.pack("<If", FLOAT32, value)


def enc_bytes(data: bytes) -> bytes:
    return struct.pack("<IIQ", ARRAY, UINT8, len(data)) + data


@functools.cache
def _layout() -> tuple[bytes, int, list[tuple[str, bytes]], bytes, bytes]:
    """The shipped GGUF split as (magic and version, tensor count, [(key, encoded type+value)], tensor infos,
    tensor data)."""
    data = catalogue_file(DEFAULT_MODEL)[0].read_bytes()
    _, _, n_tensors, n_kv = struct.unpack_from("<IIQQ", data, 0)
    at, kvs = 24, []
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def value_end(kind: int, at: int) -> int:
        if kind == STRING:
            return at + 8 + struct.unpack_from("<Q", data, at)[0]
        if kind == ARRAY:
            sub, count = struct.unpack_from("<IQ", data, at)
            at += 12
            for _ in range(count):
                at = value_end(sub, at) if sub in (STRING, ARRAY) else at + sizes[sub]
            return at
        return at + sizes[kind]

    for _ in range(n_kv):
        length = struct.unpack_from("<Q", data, at)[0]
        key = data[at + 8:at + 8 + length].decode()
        start = at + 8 + length
        end = value_end(struct.unpack_from("<I", data, start)[0], start + 4)
        kvs.append((key, data[start:end]))
        at = end
    infos = at
    for _ in range(n_tensors):
        length = struct.unpack_from("<Q", data, at)[0]
        at += 8 + length
        dims = struct.unpack_from("<I", data, at)[0]
        at += 4 + 8 * dims + 4 + 8
    start = -(-at // 32) * 32  # general.alignment: 32 by default
    return data[:8], n_tensors, kvs, data[infos:at], data[start:]


def _rewrite(changes: dict[str, bytes]) -> bytes:
    """The shipped GGUF with metadata ``changes`` (key -> encoded type and value; a new key is added at the end),
    its tensor data realigned: the model still loads."""
    magic_version, n_tensors, kvs, infos, tensors = _layout()
    kvs = [(k, changes.get(k, v)) for k, v in kvs] + [(k, v) for k, v in changes.items() if k not in dict(kvs)]
    body = magic_version + struct.pack("<QQ", n_tensors, len(kvs)) + b"".join(_str(k) + v for k, v in kvs) + infos
    return body + b"\0" * (-len(body) % 32) + tensors


# --- a server, and uploads the way ollama-python does them ---------------------------------------------------------

@pytest.fixture(scope="module")
def http(linked_server):
    server = linked_server("r9models")
    with httpx.Client(base_url=server.url, timeout=600) as client:
        yield client
    server.stop()


def _upload(http: httpx.Client, name: str, data: bytes) -> httpx.Response:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert http.post(f"/api/blobs/{digest}", content=data).status_code in (200, 201)
    return http.post("/api/create", json={"model": name, "files": {"model.gguf": digest}, "stream": False})


ODD_TEMPLATES = {  # F2: the attacker's three, and other shapes of the same class
    "arr": enc_strings([("<|im_start|>user hello <|im_end|>" * 20)[:356]]),
    "inttype": enc_u32(7),
    "badutf": enc_string(b"<|im_start|>" + b"\xff\xfe" * 170),
    "bytes": enc_bytes(b"<|im_start|>user"),
    "float": enc_f32(float("nan")),
}


def test_the_rewriter_keeps_a_loadable_model(http):
    """The helper itself: rewriting nothing gives back the shipped file byte for byte."""
    assert _rewrite({}) == catalogue_file(DEFAULT_MODEL)[0].read_bytes()


@pytest.mark.parametrize("kind", list(ODD_TEMPLATES))
def test_a_template_that_is_not_text_gets_the_default_template(http, kind):
    """F2: created, shown with Ollama's default template and no stops, and every route answers 200 (before: arr was
    a 500 'unhashable type' on show/chat/generate/v1; inttype and badutf a 400 naming a Python error at create)."""
    name = f"r9-{kind}"
    r = _upload(http, name, _rewrite({"tokenizer.chat_template": ODD_TEMPLATES[kind]}))
    assert r.status_code == 200 and r.json()["status"] == "success", r.text
    show = http.post("/api/show", json={"model": name})
    assert show.status_code == 200, show.text
    assert show.json()["template"] == DEFAULT_TEMPLATE and show.json()["parameters"] == ""
    options = {"temperature": 0, "num_predict": 2}
    for path, body in (("/api/chat", {"messages": [{"role": "user", "content": "hi"}]}),
                       ("/api/generate", {"prompt": "hi"}), ("/api/generate", {"prompt": "hi", "raw": True}),
                       ("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2})):
        r = http.post(path, json={"model": name, "stream": False, "options": options, **body})
        assert r.status_code == 200, (path, r.text)
    # a copy made from it works too
    assert http.post("/api/create", json={"model": f"{name}-copy", "from": name, "stream": False}).status_code == 200
    assert http.post("/api/show", json={"model": f"{name}-copy"}).status_code == 200


def test_other_metadata_of_odd_types_or_encodings_is_shown_not_a_500(http):
    """The same class for names and numbers: invalid UTF-8 in a name is shown with U+FFFD (what Go's JSON encoder
    writes), a NaN is null, a parameter count that is text is computed from the tensors; tags, show and ps answer."""
    data = _rewrite({"general.name": enc_string(b"Smol\xff\xfeLM"), "general.basename": enc_u32(5),
                     "general.size_label": enc_strings(["135M"]), "general.file_type": enc_string("Q4_1"),
                     "general.parameter_count": enc_string("lots"), "general.odd_float": enc_f32(float("nan"))})
    r = _upload(http, "r9-meta", data)
    assert r.status_code == 200, r.text
    show = http.post("/api/show", json={"model": "r9-meta"})
    assert show.status_code == 200, show.text
    info, details = show.json()["model_info"], show.json()["details"]
    assert info["general.name"] == "Smol\ufffd\ufffdLM" and info["general.odd_float"] is None
    assert isinstance(info["general.parameter_count"], int) and info["general.parameter_count"] > 0
    assert details["quantization_level"].startswith("unknown") and details["parameter_size"] == "135M"
    assert http.get("/api/tags").status_code == 200
    assert "r9-meta:latest" in [m["name"] for m in http.get("/api/tags").json()["models"]]


def test_a_model_llama_cpp_cannot_load_is_ollamas_500_and_the_server_goes_on(http):
    """A number stored as text where llama.cpp's loader wants an integer: created and shown (as Ollama), then a load
    failure answered as Ollama's ('llama runner process has terminated: error loading model: ...'), not a Python
    ValueError with the blob path (before: 'internal error: ValueError: Failed to load model from file: ...')."""
    assert _upload(http, "r9-ctx", _rewrite({"llama.context_length": enc_string("8192")})).status_code == 200
    assert http.post("/api/show", json={"model": "r9-ctx"}).status_code == 200
    for _ in range(2):
        r = http.post("/api/generate", json={"model": "r9-ctx", "prompt": "hi", "stream": False})
        assert r.status_code == 500 and r.json()["error"].startswith("llama runner process has terminated"), r.text
        assert "Error" not in r.json()["error"] and "blobs" not in r.json()["error"]
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "stream": False,
                                         "options": {"num_predict": 1}})
    assert r.status_code == 200


def test_an_embedding_json_cannot_carry_is_a_clear_500(http):
    """A NaN rope base (a float of the right type, a damaged value) makes NaN embeddings: Ollama's JSON encoder
    refuses them (500); here too, with a message that says why (before: 'internal error: ValueError: Out of range
    float values are not JSON compliant'), and the server goes on."""
    assert _upload(http, "r9-nan", _rewrite({"llama.rope.freq_base": enc_f32(float("nan"))})).status_code == 200
    r = http.post("/api/embed", json={"model": "r9-nan", "input": "hi"})
    assert r.status_code == 500 and "NaN" in r.json()["error"] and "Error" not in r.json()["error"], r.text
    assert http.post("/api/embed", json={"model": DEFAULT_MODEL, "input": "hi"}).status_code == 200


def test_a_file_that_is_not_a_gguf_is_refused_without_python_internals(http):
    r = _upload(http, "r9-notgguf", b"GGUF" + b"\xff" * 64)
    assert r.status_code == 400 and "invalid GGUF blob" in r.json()["error"], r.text
    assert "Error" not in r.json()["error"] and "'" not in r.json()["error"].split(":", 2)[-1]


# --- F5: a recognised family brings its stops ------------------------------------------------------------------------

FAMILY_JINJA = {  # a distinctive piece of each family's Jinja (labs.server.chat_templates.family)
    "llama3": "{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>' + m['content'] + '<|eot_id|>' }}",
    "gemma": "{{ '<start_of_turn>' + role + '\\n' + m['content'] + '<end_of_turn>' }}",
    "mistral": "{{ '[INST] ' + m['content'] + '[/INST]' }}",
    "llama2": "{{ '[INST] <<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' }}",
    "phi3": "{{ '<|user|>\\n' + m['content'] + '<|end|>\\n<|assistant|>' }}",
    "zephyr": "{{ '<|user|>\\n' + m['content'] + eos_token }}",
}


@pytest.mark.parametrize("kind", list(FAMILY_JINJA))
def test_a_recognised_family_gets_its_stop_parameters(http, kind):
    """F5: /api/show lists Ollama's stops for the family (its template/<name>.json) as parameters and in the
    Modelfile (before: parameters ""), and a request's own parameters at create win, as Ollama's setParameters."""
    data = _rewrite({"tokenizer.chat_template": enc_string(FAMILY_JINJA[kind])})
    assert _upload(http, f"r9-{kind}", data).status_code == 200
    show = http.post("/api/show", json={"model": f"r9-{kind}"}).json()
    expected = "\n".join(f"stop {json.dumps(s)}" for s in STOPS[kind])
    assert show["parameters"] == expected
    assert all(f"PARAMETER stop {json.dumps(s)}" in show["modelfile"] for s in STOPS[kind])
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    r = http.post("/api/create", json={"model": f"r9-{kind}-own", "files": {"model.gguf": digest}, "stream": False,
                                       "parameters": {"stop": ["END"], "temperature": 0}})
    assert r.status_code == 200
    assert http.post("/api/show", json={"model": f"r9-{kind}-own"}).json()["parameters"] == 'stop "END"\ntemperature 0'


def test_the_family_stops_end_a_generation(http):
    """Applied when generating: a Gemma-family model stops at "<start_of_turn>" in its own output. The raw prompt
    asks it to repeat text containing that marker; without the stop the same request runs past it."""
    data = _rewrite({"tokenizer.chat_template": enc_string(FAMILY_JINJA["gemma"])})
    assert _upload(http, "r9-gemma", data).status_code == 200
    prompt = ("Repeat exactly: one two <start_of_turn> three four\nRepeat exactly: one two <start_of_turn> three four\n"
              "Repeat exactly: one two <start_of_turn> three four\nRepeat exactly: one two")
    body = {"prompt": prompt, "raw": True, "stream": False, "options": {"temperature": 0, "num_predict": 12}}
    free = http.post("/api/generate", json={"model": "r9-gemma", **body,
                                            "options": {**body["options"], "stop": ["NEVER-SEEN"]}}).json()
    assert "<start_of_turn>" in free["response"], free  # the model does write the marker here
    stopped = http.post("/api/generate", json={"model": "r9-gemma", **body}).json()
    assert stopped["done_reason"] == "stop" and "<start_of_turn>" not in stopped["response"]
    assert free["response"].startswith(stopped["response"])


# --- F4: never more than OLLAMA_MAX_LOADED_MODELS in memory -----------------------------------------------------------

@pytest.fixture(scope="module")
def limited(embedded_server_class, seeded_store, tmp_path_factory):
    """A server with OLLAMA_MAX_LOADED_MODELS=2 and 5 names of the shipped model (each loads its own runner)."""
    import os
    import shutil

    models = tmp_path_factory.mktemp("r9limit") / "models"
    shutil.copytree(seeded_store, models, copy_function=os.link)
    server = embedded_server_class(models, pull=False, env={"OLLAMA_MAX_LOADED_MODELS": "2"})
    with httpx.Client(base_url=server.url, timeout=600) as client:
        for i in range(5):
            assert client.post("/api/copy", json={"source": DEFAULT_MODEL, "destination": f"cp{i}"}).status_code == 200
        yield client
    server.stop()


def _watch_ps(http: httpx.Client, stop: threading.Event, seen: list[int]) -> None:
    while not stop.is_set():
        seen.append(len(http.get("/api/ps").json()["models"]))
        time.sleep(0.02)


def test_concurrent_models_never_exceed_the_limit(limited):
    """F4: 5 models requested at once with a limit of 2: all answer 200, /api/ps never lists more than 2 (before:
    all 5 loaded, and stayed), and the idle ones are evicted, longest unused first."""
    seen: list[int] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_ps, args=(limited, stop, seen))
    watcher.start()
    results: dict[str, int] = {}

    def gen(name: str) -> None:
        r = limited.post("/api/generate", json={"model": name, "prompt": "hi", "stream": False,
                                                "options": {"num_predict": 3}})
        results[name] = r.status_code

    threads = [threading.Thread(target=gen, args=(f"cp{i}",)) for i in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    stop.set()
    watcher.join()
    assert results == {f"cp{i}": 200 for i in range(5)}
    assert seen and max(seen) <= 2, seen
    assert len(limited.get("/api/ps").json()["models"]) <= 2
    # LRU among idle ones: use A then B, then C evicts A
    for name in ("cp0", "cp1", "cp2"):
        assert limited.post("/api/generate", json={"model": name, "prompt": "hi", "stream": False,
                                                   "options": {"num_predict": 1}}).status_code == 200
    assert sorted(m["name"] for m in limited.get("/api/ps").json()["models"]) == ["cp1:latest", "cp2:latest"]


def test_a_client_that_hangs_up_while_waiting_for_room_leaves_the_queue(limited):
    """F4: with both places busy a third model's request waits; its client hangs up; when the busy ones end the
    abandoned model is never loaded, and a later request is served."""
    for m in limited.get("/api/ps").json()["models"]:  # start from nothing loaded
        limited.post("/api/generate", json={"model": m["name"], "keep_alive": 0})
    long = {"prompt": "Tell a long story about a dragon.", "stream": False,
            "options": {"num_predict": 60, "temperature": 0}}
    busy = [threading.Thread(target=lambda n=n: limited.post("/api/generate", json={"model": n, **long}))
            for n in ("cp0", "cp1")]
    [t.start() for t in busy]
    deadline = time.monotonic() + 300
    while len(limited.get("/api/ps").json()["models"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(httpx.TimeoutException):  # waits: no place is free
        httpx.post(f"{limited.base_url}/api/generate", json={"model": "cp3", "prompt": "hi", "stream": False,
                                                             "options": {"num_predict": 1}}, timeout=0.5)
    [t.join() for t in busy]
    time.sleep(0.5)
    names = [m["name"] for m in limited.get("/api/ps").json()["models"]]
    assert "cp3:latest" not in names and len(names) <= 2, names
    r = limited.post("/api/generate", json={"model": "cp4", "prompt": "hi", "stream": False,
                                            "options": {"num_predict": 1}})
    assert r.status_code == 200 and len(limited.get("/api/ps").json()["models"]) <= 2


# --- F6: /api/ps shows when a busy model would unload -----------------------------------------------------------------

def test_ps_shows_a_real_expiry_while_the_first_request_runs(http):
    """F6: during the request that loaded it (keep_alive 5m), /api/ps shows about now + 5 minutes, not 2318; with
    keep_alive -1 it shows Ollama's 'forever' (2318). Compared with the server's own clock: the Date header."""
    http.post("/api/generate", json={"model": DEFAULT_MODEL, "keep_alive": 0})
    seen: list[tuple[dt.datetime, dt.datetime]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            r = http.get("/api/ps")
            for m in r.json()["models"]:
                if m["name"] != DEFAULT_MODEL:
                    continue
                now = dt.datetime.strptime(r.headers["date"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.timezone.utc)
                seen.append((now, dt.datetime.fromisoformat(m["expires_at"])))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "Tell a story.", "stream": False,
                                     "keep_alive": "5m", "options": {"num_predict": 40}})
    done.set()
    watcher.join()
    assert seen, "the model was never seen loaded"
    for now, expires in seen:
        assert expires.year < 2318
        assert 0.9 < (expires - now).total_seconds() / 300 < 1.1, (now, expires)
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": "hi", "stream": False, "keep_alive": -1,
                                         "options": {"num_predict": 1}})
    assert r.status_code == 200
    ps = {m["name"]: m["expires_at"] for m in http.get("/api/ps").json()["models"]}
    assert ps[DEFAULT_MODEL].startswith("2318")
