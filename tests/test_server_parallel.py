"""``OLLAMA_NUM_PARALLEL`` (issue 15): the embedded server decodes up to that many requests together,
each with its own options, and a request that ends (done, cancelled, client gone) frees its slot at
once. Real servers on their own ports; greedy or seeded requests, so a request run beside others must
give exactly what it gives alone. No clocks: "at once" is checked by the order things happen in."""

from __future__ import annotations

import json
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import jsonschema
import pytest

from labs import DEFAULT_MODEL
from labs.kvcache import KVLayout, kv_cache_bytes

pytestmark = pytest.mark.embedded
WAIT = 600  # a safety net against hangs, never a measurement


def _server(cls, store, tmp_path_factory, **env):
    models = tmp_path_factory.mktemp("parallel") / "models"
    shutil.copytree(store, models, copy_function=os.link)
    return cls(models, pull=False, env={"OLLAMA_KEEP_ALIVE": "-1", **env})


@pytest.fixture(scope="module")
def four(embedded_server_class, seeded_store, tmp_path_factory):
    server = _server(embedded_server_class, seeded_store, tmp_path_factory, OLLAMA_NUM_PARALLEL="4")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two(embedded_server_class, seeded_store, tmp_path_factory):
    """Two slots and room for one waiting request."""
    server = _server(embedded_server_class, seeded_store, tmp_path_factory, OLLAMA_NUM_PARALLEL="2", OLLAMA_MAX_QUEUE="1")
    yield server
    server.stop()


def stream(url: str, path: str, body: dict, first: threading.Event | None = None) -> dict:
    """Send a streamed request and read it to the end → {"text", "done_reason", "eval_count"};
    ``first`` is set when its first line arrives."""
    text, out = [], {}
    with httpx.Client(base_url=url, timeout=WAIT) as http, http.stream("POST", path, json={**body, "stream": True}) as r:
        assert r.status_code == 200, r.read()
        for raw in r.iter_lines():
            if first is not None:
                first.set()
            if path.startswith("/v1"):
                if not raw.startswith("data: ") or raw == "data: [DONE]":
                    continue
                event = json.loads(raw[6:])
                assert "error" not in event, event
                if event.get("usage"):
                    out["eval_count"] = event["usage"]["completion_tokens"]
                for choice in event["choices"]:
                    text.append(choice["delta"].get("content", ""))
                    out["done_reason"] = choice["finish_reason"] or out.get("done_reason")
            elif raw:
                event = json.loads(raw)
                assert "error" not in event, event
                text.append(event["message"]["content"] if "message" in event else event["response"])
                if event["done"]:
                    out.update(done_reason=event["done_reason"], eval_count=event["eval_count"])
    return {"text": "".join(text), **out}


def chat(question: str) -> list[dict]:
    return [{"role": "user", "content": question}]


# Each request has options of its own: greedy, seeded samplers, penalties, a stop word, num_predict.
MIXED = [
    ("/api/generate", {"prompt": "Name a colour.", "options": {"temperature": 0, "num_predict": 12}}),
    ("/api/chat", {"messages": chat("List three fruits."),
                   "options": {"temperature": 0.9, "top_k": 20, "top_p": 0.8, "seed": 7, "num_predict": 16}}),
    ("/api/generate", {"prompt": "Describe the sea.", "options": {"temperature": 0.7, "min_p": 0.1, "repeat_penalty": 1.3,
                                                                  "seed": 11, "num_predict": 14, "stop": ["."]}}),
    ("/v1/chat/completions", {"messages": chat("Say hello in Spanish."), "temperature": 1.1, "seed": 3, "max_tokens": 10,
                              "frequency_penalty": 0.5, "stream_options": {"include_usage": True}}),
]


def _run(url: str, requests: list[tuple[str, dict]], together: bool) -> list[dict]:
    jobs = [(path, {"model": DEFAULT_MODEL, **body}) for path, body in requests]
    if not together:
        return [stream(url, path, body) for path, body in jobs]
    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(lambda job: stream(url, *job), jobs))


def test_concurrent_streams_with_different_options_each_equal_their_solo_run(four):
    alone = _run(four.url, MIXED, together=False)
    together = _run(four.url, MIXED, together=True)
    assert together == alone, "a request's tokens changed because others decoded beside it"
    limits = [12, 16, 14, 10]
    for out, limit in zip(together, limits):
        assert out["text"] and out["done_reason"] in ("stop", "length") and 0 < out["eval_count"] <= limit
    assert "." not in together[2]["text"]  # its own stop word, not the others'
    assert (together[0]["done_reason"], together[0]["eval_count"]) == ("length", 12)


def _holder(url: str, events: list[str], name: str, first: threading.Event, stop: threading.Event) -> None:
    """A greedy raw request that counts and would run to the end of its context: it holds a slot until
    ``stop``; the client reads every line as it comes, and notes when the server ended it."""
    body = {"model": DEFAULT_MODEL, "prompt": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,", "raw": True,
            "options": {"temperature": 0}}
    with httpx.Client(base_url=url, timeout=WAIT) as http, http.stream("POST", "/api/generate", json=body) as r:
        for raw in r.iter_lines():
            if raw and json.loads(raw).get("done"):
                events.append(f"{name} done")
                break
            first.set()
            if stop.is_set():
                break  # the client goes away mid-stream
    first.set()


class Holders:
    """Requests that hold slots for as long as the test needs them (closed on exit)."""

    def __init__(self, url: str):
        self.url, self.events, self.threads, self.stops = url, [], {}, {}

    def start(self, name: str) -> None:
        first, stop = threading.Event(), threading.Event()
        thread = threading.Thread(target=_holder, args=(self.url, self.events, name, first, stop), daemon=True)
        thread.start()
        assert first.wait(WAIT), f"{name} never started"
        self.threads[name], self.stops[name] = thread, stop

    def release(self, name: str) -> None:
        self.stops[name].set()
        self.threads[name].join(WAIT)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        for name in self.threads:
            self.release(name)


def test_cancelling_one_stream_does_not_disturb_the_others(four):
    greedy = [("/api/generate", {"prompt": q, "options": {"temperature": 0, "num_predict": 48}})
              for q in ("Explain rain to a child.", "Describe a forest.")]
    alone = _run(four.url, greedy, together=False)
    with Holders(four.url) as holders, ThreadPoolExecutor(2) as pool:
        holders.start("cancelled")  # decoding when the others arrive
        started = [threading.Event() for _ in greedy]
        results = [pool.submit(stream, four.url, path, {"model": DEFAULT_MODEL, **body}, first)
                   for (path, body), first in zip(greedy, started)]
        assert all(first.wait(WAIT) for first in started)
        holders.release("cancelled")  # the client hangs up mid-stream while the others decode
        assert [f.result(WAIT) for f in results] == alone
        assert holders.events == []  # it was cancelled, not finished


SCHEMA = {"type": "object", "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
          "required": ["colour", "count"]}


def test_structured_output_holds_under_batching(four):
    asks = [("/api/chat", {"messages": chat(f"Give a colour and a number as JSON. {q}"), "format": SCHEMA,
                           "options": {"temperature": 0.7, "seed": i, "num_predict": 60}})
            for i, q in enumerate(("Think of the sky.", "Think of grass.", "Think of the sun."))]
    asks.append(("/v1/chat/completions", {"messages": chat("Give a colour and a number as JSON. Think of snow."),
                                          "temperature": 0.7, "seed": 5, "max_tokens": 60, "response_format": {
                                              "type": "json_schema", "json_schema": {"name": "pick", "schema": SCHEMA}}}))
    together = _run(four.url, asks, together=True)
    for out in together:
        assert out["done_reason"] == "stop", out
        jsonschema.validate(json.loads(out["text"]), SCHEMA)
    assert together == _run(four.url, asks, together=False)


TINY = {"model": DEFAULT_MODEL, "prompt": "Say hi.", "stream": False, "options": {"temperature": 0, "num_predict": 4}}


def test_a_full_queue_answers_503_at_once_and_a_freed_slot_serves_the_waiting_request(two):
    with Holders(two.url) as holders, ThreadPoolExecutor(2) as pool, httpx.Client(base_url=two.url, timeout=WAIT) as http:
        holders.start("a")
        holders.start("b")  # both slots decode at once: neither has ended
        waiting = [pool.submit(http.post, "/api/generate", json=TINY) for _ in range(2)]
        first = next(f for f in _as_completed(waiting))
        assert first.result().status_code == 503  # one waits in the queue, the other finds it full
        assert "maximum pending requests exceeded" in first.result().json()["error"]
        other = waiting[1 - waiting.index(first)]
        assert not other.done() and holders.events == []  # while both slots are still busy
        holders.release("a")  # a client goes away: its slot serves the waiting request
        assert other.result(WAIT).status_code == 200
        assert holders.events == [], "the waiting request was served only when a holder ended by itself"


def _as_completed(futures):
    from concurrent.futures import as_completed

    return as_completed(futures, timeout=WAIT)


GONE = [
    ("/api/generate", {"prompt": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,", "raw": True, "options": {"temperature": 0}}),
    ("/api/chat", {"messages": chat("Write a very long essay."), "options": {"temperature": 0, "num_predict": 4000}}),
    ("/v1/chat/completions", {"messages": chat("Write a very long essay."), "temperature": 0, "max_tokens": 4000}),
    ("/v1/completions", {"prompt": "Once upon a time", "temperature": 0, "max_tokens": 4000}),
]


@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "not-streamed"])
@pytest.mark.parametrize("path,body", GONE, ids=[p for p, _ in GONE])
def test_a_client_that_goes_away_frees_its_slot_at_once(two, path, body, streamed):
    """One slot held, the other taken by a request whose client leaves mid-generation: the next request
    is served while the holder still decodes (had the slot stayed taken, it would wait for the holder)."""
    with Holders(two.url) as holders, httpx.Client(base_url=two.url, timeout=WAIT) as http:
        holders.start("holder")
        payload = {"model": DEFAULT_MODEL, **body, "stream": streamed}
        if streamed:
            with http.stream("POST", path, json=payload) as r:
                assert r.status_code == 200
                next(line for line in r.iter_lines() if line.strip())  # generating; then the client leaves
        else:
            probe = http.post("/api/generate", json=TINY)  # how long one short request takes here
            with pytest.raises(httpx.ReadTimeout):  # leaves while the answer is still being generated
                http.post(path, json=payload, timeout=max(1.0, 4 * probe.elapsed.total_seconds()))
        assert http.post("/api/generate", json=TINY).status_code == 200
        assert holders.events == [], "the next request was served only once the holder ended by itself"


def test_ps_counts_the_weights_once_and_a_kv_cache_per_slot(four, start_server):
    one = start_server("--keep-alive", "-1")
    sizes = {}
    for server in (one, four):
        with httpx.Client(base_url=server.url, timeout=WAIT) as http:
            assert http.post("/api/generate", json=TINY).status_code == 200
            entry = next(m for m in http.get("/api/ps").json()["models"] if m["name"] == DEFAULT_MODEL)
            sizes[server.url] = entry["size"]
            info = http.post("/api/show", json={"model": DEFAULT_MODEL}).json()["model_info"]
            context = entry["context_length"]
    per_slot = kv_cache_bytes(KVLayout.from_metadata(info), context)
    assert sizes[four.url] - sizes[one.url] == 3 * per_slot


@pytest.mark.parametrize("text,slots", [("abc", 1), ("1.5", 1), ("-1", 1), ("0", 1), (" 4 ", 4), ("256", 256)])
def test_num_parallel_is_read_as_ollamas_envconfig_reads_it(text, slots):
    """Attack on issue 15: 'abc' or '1.5' crashed the server at start (Ollama logs and uses the default)."""
    from labs.server.config import ServerConfig

    assert ServerConfig.from_env({"OLLAMA_NUM_PARALLEL": text}).num_parallel == slots


def test_num_parallel_over_llama_cpps_limit_is_refused_at_start():
    """Attack on issue 15: 300 started a server whose every request answered 500."""
    from labs.server.config import ServerConfig

    with pytest.raises(ValueError, match="at most 256"):
        ServerConfig.from_env({"OLLAMA_NUM_PARALLEL": "300"})


# The issue 15 attack's prompts (~380 tokens): in a shared decode step a near-tie between two tokens flipped.
LONG = {"Kharkiv": "Tell me about the history of the city of Kharkiv. " * 30,
        "Lviv": "Tell me about the history of the city of Lviv. " * 30}


@pytest.mark.parametrize("temperature", [0.8, 0], ids=["sampled", "greedy"])
def test_a_seeded_request_gives_the_same_tokens_alone_and_while_others_decode(four, temperature):
    """A request with a seed decodes in llama_decode calls of its own (the others still batch), so its
    tokens are bit for bit those it gets alone: one neighbour decoding from before it starts, and a
    second that joins once it streams (the attack's repro gave other words on these prompts)."""
    asks = [("/api/generate", {"model": DEFAULT_MODEL, "prompt": prompt,
                               "options": {"seed": 3, "temperature": temperature, "num_predict": 16}})
            for prompt in LONG.values()]
    alone = [stream(four.url, path, body) for path, body in asks]
    busy = []
    with Holders(four.url) as holders, ThreadPoolExecutor(1) as pool:
        holders.start("before")  # decoding when the seeded request arrives
        for n, (path, body) in enumerate(asks):
            first = threading.Event()
            result = pool.submit(stream, four.url, path, body, first)
            assert first.wait(WAIT)
            holders.start(f"joins {n}")  # starts decoding while the seeded request does
            busy.append(result.result(WAIT))
            holders.release(f"joins {n}")
        assert holders.events == [], "a neighbour ended before the seeded request did: it did not share its steps"
    assert busy == alone


def test_a_request_that_needs_a_reload_is_not_passed_by_newcomers(four):
    """Attack on issue 15 (F2): a request with another num_ctx waited as long as requests that fit kept
    arriving (70 s, until they stopped). Now it joins the line and later arrivals queue behind it, as in
    Ollama: each looping client finishes at most the request it had running and one that reached the
    line first, before the reload request is answered (a client stops at CAP, where it used to end)."""
    cap, clients = 12, 3
    done, counts, warm = threading.Event(), [0] * clients, [threading.Event() for _ in range(clients)]

    def loop(n: int) -> None:
        with httpx.Client(base_url=four.url, timeout=WAIT) as http:
            while not done.is_set() and counts[n] < cap:
                assert http.post("/api/generate", json={**TINY, "prompt": f"Say hi {n}."}).status_code == 200
                counts[n] += 1
                warm[n].set()

    with ThreadPoolExecutor(clients) as pool, httpx.Client(base_url=four.url, timeout=WAIT) as http:
        loops = [pool.submit(loop, n) for n in range(clients)]
        assert all(w.wait(WAIT) for w in warm)  # every client is looping
        before = list(counts)
        r = http.post("/api/generate", json={**TINY, "options": {**TINY["options"], "num_ctx": 2048}})
        during = [c - b for c, b in zip(counts, before)]
        done.set()
        for f in loops:
            f.result(WAIT)
    assert r.status_code == 200, r.text
    assert max(during) <= 2, f"requests that fit kept passing the reload request: {during} each (cap {cap})"
