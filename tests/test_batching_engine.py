"""The continuous-batching engine (labs.server.batching), driven directly on the real model file:
requests with different options decode together and each still gets what it gets alone."""

from __future__ import annotations

import json
import threading

import jsonschema
import llama_cpp
import pytest

from labs import DEFAULT_MODEL
from labs.kvcache import KVLayout, kv_cache_bytes
from labs.server.batching import BatchEngine
from labs.server.runner import Sampling
from labs.server.store import catalogue_file

pytestmark = pytest.mark.embedded

QUESTIONS = ["Name a colour.", "List three fruits.", "What is the capital of France?", "Say hello in Spanish.",
             "Describe the sea in one sentence.", "Count from one to five."]


def chat(question: str) -> str:
    """SmolLM2's own ChatML turn (the server renders the same from the GGUF's template)."""
    return f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def engine():
    gguf, _ = catalogue_file(DEFAULT_MODEL)
    # One thread: these checks are about tokens, not speed (the batch-invariance holds at any thread
    # count), and on a shared CI machine a second OpenMP thread spin-waits for a busy core.
    eng = BatchEngine(gguf, n_parallel=4, num_ctx=512, num_thread=1)
    yield eng
    eng.close()


def alone(engine: BatchEngine, tokens: list[int], sampling: Sampling, fmt: str | None = None) -> str:
    """The request's output with nothing else in the engine."""
    assert engine.busy_slots == 0
    return engine.generate(tokens, sampling, fmt).text()


def run_together(engine: BatchEngine, jobs: list[tuple[list[int], Sampling, str | None]]):
    gens = [engine.submit(tokens, sampling, fmt) for tokens, sampling, fmt in jobs]
    return gens, [g.text(timeout=300) for g in gens]


OPTIONS = [Sampling(temperature=0, num_predict=12),
           Sampling(temperature=0.9, top_k=20, top_p=0.8, seed=7, num_predict=16),
           Sampling(temperature=0.7, min_p=0.1, repeat_penalty=1.3, seed=11, num_predict=10, stop=["."]),
           Sampling(temperature=0, num_predict=8, frequency_penalty=0.5, presence_penalty=0.5)]  # unseeded: shares steps


def test_concurrent_requests_with_different_options_match_their_solo_runs(engine):
    jobs = [(engine.tokenize(chat(q)), s, None) for q, s in zip(QUESTIONS, OPTIONS)]
    steps, rows = engine.steps, engine.rows
    gens, texts = run_together(engine, jobs)
    # the unseeded ones share llama_decode calls; each seeded one decodes in calls of its own
    assert engine.rows - rows > engine.steps - steps, "the unseeded requests were never decoded in one batch"
    for gen, text, (tokens, sampling, _) in zip(gens, texts, jobs):
        assert gen.error is None and text
        assert gen.stats.eval_count <= sampling.num_predict
        assert gen.stats.done_reason in ("stop", "length")
        assert gen.stats.context[: len(tokens)] == tokens
        assert not any(stop in text for stop in sampling.stop)
        assert text == alone(engine, tokens, sampling), "batching changed a request's output"
    assert gens[0].stats.done_reason == "length" and gens[0].stats.eval_count == 12


def test_requests_join_and_leave_mid_batch_and_seeded_output_is_reproducible(engine):
    """Continuous batching: a request that arrives while others decode joins at the next step,
    and a seeded request's tokens are the same whatever else is in the batch, and whenever."""
    seeded = (engine.tokenize(chat("Tell me a short story about a cat.")), Sampling(temperature=0.8, seed=42, num_predict=24))
    greedy = (engine.tokenize(chat("Explain rain to a child.")), Sampling(temperature=0, num_predict=24))
    story = (engine.tokenize(chat("Write a long story about a lighthouse keeper.")), Sampling(temperature=0, num_predict=40))
    reference = [alone(engine, *seeded), alone(engine, *greedy), alone(engine, *story)]
    long_runner = engine.submit(*story)
    pieces = long_runner.pieces(timeout=300)
    head = next(pieces).text  # it is decoding when the others arrive
    first = engine.submit(*seeded)
    short = engine.submit(engine.tokenize(chat(QUESTIONS[0])), Sampling(temperature=0, num_predict=3))
    second = engine.submit(*greedy)
    assert [first.text(timeout=300), second.text(timeout=300), head + "".join(p.text for p in pieces)] == reference
    assert short.text(timeout=300) and short.stats.done_reason == "length" and short.stats.eval_count == 3


def test_cancelling_one_request_does_not_disturb_the_others(engine):
    jobs = [(engine.tokenize(chat(q)), Sampling(temperature=0, num_predict=20), None) for q in QUESTIONS[:3]]
    reference = [alone(engine, t, s) for t, s, _ in jobs]
    gens = [engine.submit(t, s) for t, s, _ in jobs]
    pieces = gens[1].pieces(timeout=300)
    next(pieces)
    moves = engine.moves
    gens[1].cancel()
    list(pieces)  # the stream ends
    assert gens[1].stats.done_reason == "cancel" and gens[1].stats.eval_count < 20
    # its slot is free at once: the last busy sequence moves down into it (its KV cells copied
    # exactly), and a newcomer takes the slot that frees, while the others keep decoding
    newcomer = engine.submit(engine.tokenize(chat(QUESTIONS[3])), Sampling(temperature=0, num_predict=4))
    assert newcomer.text(timeout=300)
    assert [gens[0].text(timeout=300), gens[2].text(timeout=300)] == [reference[0], reference[2]]
    assert engine.moves > moves and newcomer.stats.eval_count == 4
    memory = llama_cpp.llama_get_memory(engine.ctx)
    assert engine.thread.call(lambda: [llama_cpp.llama_memory_seq_pos_max(memory, s) for s in range(4)]) == [-1] * 4


SCHEMA = {"type": "object", "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
          "required": ["colour", "count"]}


def test_structured_output_holds_under_batching(engine):
    fmt = json.dumps(SCHEMA, sort_keys=True)
    jobs = [(engine.tokenize(chat(f"Give a colour and a number as JSON. {q}")),
             Sampling(temperature=0.7, seed=i, num_predict=60), fmt) for i, q in enumerate(QUESTIONS[:3])]
    jobs.append((engine.tokenize(chat('Give a JSON object with one key, "name".')), Sampling(temperature=0, num_predict=80), '"json"'))
    gens, texts = run_together(engine, jobs)
    for gen, text in zip(gens[:3], texts[:3]):
        assert gen.stats.done_reason == "stop", text
        jsonschema.validate(json.loads(text), SCHEMA)
    assert gens[3].stats.done_reason == "stop" and isinstance(json.loads(texts[3]), dict)


def test_requests_beyond_the_slots_wait_for_one(engine):
    jobs = [(engine.tokenize(chat(q)), Sampling(temperature=0, num_predict=6), None) for q in QUESTIONS]
    gens, texts = run_together(engine, jobs)  # 6 requests, 4 slots
    assert all(texts) and all(g.stats.done_reason in ("stop", "length") for g in gens)
    assert engine.busy_slots == 0


def test_bad_requests_are_refused_before_they_take_a_slot(engine):
    with pytest.raises(ValueError, match="exceeds the context length"):
        engine.submit(list(range(100, 700)), Sampling())
    with pytest.raises(ValueError):
        engine.submit([], Sampling())
    with pytest.raises(ValueError):
        engine.submit(engine.tokenize("hi"), Sampling(), fmt=json.dumps({"type": "no-such-type"}))
    assert engine.generate(engine.tokenize(chat("hi")), Sampling(temperature=0, num_predict=2)).stats.eval_count >= 1


def test_memory_counts_a_kv_cache_per_slot(engine):
    """Each slot has num_ctx cells: what llama.cpp allocated is the workbook's KV formula for
    4 slots, and the engine reports it in its memory."""
    layout = KVLayout.from_metadata(engine.metadata)
    assert engine.buffers["KV"] == kv_cache_bytes(layout, 512, parallel=4) == 4 * kv_cache_bytes(layout, 512)
    assert engine.memory_bytes() >= llama_cpp.llama_model_size(engine.model) + engine.buffers["KV"]


def test_llama_cpp_runs_on_one_thread_only(engine, monkeypatch):
    seen: set[int] = set()
    real = llama_cpp.llama_decode

    def spy(ctx, batch):
        seen.add(threading.get_ident())
        return real(ctx, batch)

    monkeypatch.setattr(llama_cpp, "llama_decode", spy)
    run_together(engine, [(engine.tokenize(chat(q)), Sampling(temperature=0, num_predict=3), None) for q in QUESTIONS[:2]])
    assert seen == {engine.thread.ident}


def test_logprobs_come_with_each_piece_under_batching(engine):
    jobs = [engine.submit(engine.tokenize(chat(q)), Sampling(temperature=0, num_predict=3), top_logprobs=2)
            for q in QUESTIONS[:2]]
    for gen in jobs:
        pieces = list(gen.pieces(timeout=300))
        assert len(pieces) == gen.stats.eval_count == 3
        for piece in pieces:
            best = piece.logprobs["top_logprobs"]
            assert len(best) == 2 and best[0]["logprob"] >= best[1]["logprob"]
            assert piece.logprobs["logprob"] == best[0]["logprob"] <= 0  # greedy: the sampled token is the best


def test_a_free_slot_keeps_its_prompt_in_whole_chunks_for_the_next_request():
    """The prompt cache (as the runner's): whole ``num_batch`` chunks of the last prompt stay in the
    slot, a request sharing them skips them, and its seeded answer is the same as evaluated afresh."""
    gguf, _ = catalogue_file(DEFAULT_MODEL)
    eng = BatchEngine(gguf, n_parallel=2, num_ctx=512, num_thread=1, num_batch=64)
    try:
        story = eng.tokenize(chat("Tell me a story about " + ", ".join(["a cat", "a dog", "a fox"] * 16) + "."))
        assert len(story) > 128
        seeded = Sampling(temperature=0.8, seed=9, num_predict=12)
        first = eng.generate(story, seeded).text()
        assert eng.reused == 0
        again = eng.generate(story, seeded).text()
        assert eng.reused == (len(story) - 1) // 64 * 64 and again == first
        other = eng.tokenize(chat("Name a colour."))
        eng.generate(other, Sampling(temperature=0, num_predict=2))
        reused = eng.reused
        assert eng.generate(story, seeded).text() == first and eng.reused == reused  # the cache held the other prompt
    finally:
        eng.close()


def test_a_runner_lends_its_weights_to_its_engine():
    """With ``n_parallel`` the runner's engine borrows the loaded model (the weights are in memory once), and
    the memory it reports is the weights plus the KV caches of every slot and of its tokenizer context."""
    from labs.kvcache import KV_PAD
    from labs.server.batching import LlamaThread
    from labs.server.runner import Runner

    gguf, _ = catalogue_file(DEFAULT_MODEL)
    thread = LlamaThread()
    runner = thread.call(lambda: Runner(gguf, num_ctx=512, num_thread=1, n_parallel=3, thread=thread))
    try:
        assert runner.engine.model == runner.llm.model
        layout = KVLayout.from_metadata(runner.engine.metadata)
        weights = llama_cpp.llama_model_size(runner.llm.model)
        assert runner.memory_bytes() == weights + kv_cache_bytes(layout, 512, parallel=3) + kv_cache_bytes(layout, KV_PAD)
        assert runner.engine.buffers["KV"] == kv_cache_bytes(layout, 512, parallel=3)  # what llama.cpp allocated
        gen = runner.engine.submit(runner.tokenize(chat("hi")), Sampling(temperature=0, num_predict=2))
        assert gen.text(timeout=300) and gen.stats.eval_count >= 1
    finally:
        thread.call(runner.close)
        thread.shutdown()
