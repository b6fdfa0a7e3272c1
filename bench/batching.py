"""Continuous batching (issue 15): the engine's aggregate decode rate against llama.cpp's own batched
decoding, at 1, 4 and 8 sequences, on the same model file and threads, in one run.

- direct: a minimal loop on llama.cpp's C API (what ``examples/batched`` does): one context with a
  KV stream per sequence, the prompts evaluated, then one ``llama_decode`` per step with one token
  per sequence, greedy sampling per sequence.
- engine: :class:`labs.server.batching.BatchEngine` with that many slots, the same prompts submitted
  at once as separate requests (its own queue, admission, sampler chains, text and stop handling).
- server: the embedded server (``labs serve`` in its own process, ``OLLAMA_NUM_PARALLEL`` = the largest
  size, ``OLLAMA_CONTEXT_LENGTH`` = the same per-slot context), the same prompts as that many concurrent
  streamed ``/api/generate`` requests (raw, greedy), timed by the client as each NDJSON line arrives.

Rate = tokens sampled after every sequence has its first token ÷ the time they took (prompt
evaluation is left out). Blocks rotate the order of the paths so background load hits all alike;
medians are printed. Goals (issue 15): engine and server ≥ 0.85 × direct at each size, and at one
sequence (single-stream decode) ≥ 0.9.

``--invariance`` also prints whether one sequence's logits depend on what else is in the batch, with
the KV cache unified (one buffer for all sequences, llama.cpp's classic layout) and split (a stream
per sequence, the engine's layout): the measurement the engine's reproducibility rests on.

    .venv/bin/python bench/batching.py [--sizes 1 4 8] [--tokens 64] [--blocks 6] [--invariance]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import threading
import time

import httpx
import llama_cpp
import numpy as np

from labs import DEFAULT_MODEL
from labs.server.batching import BatchEngine, LlamaThread, captured_llama_log
from labs.server.runner import Sampling, default_threads
from labs.server.store import catalogue_file

from _server import own_server

TOPICS = ["a lighthouse keeper", "a lost robot", "a baker in Kyiv", "two rival chess players", "a dragon who hates fire",
          "a ship's cat", "the last day of summer", "a clockmaker's apprentice"]
NUM_CTX = 512


def prompt(i: int) -> str:
    return f"<|im_start|>user\nWrite a long story about {TOPICS[i % len(TOPICS)]}.<|im_end|>\n<|im_start|>assistant\n"


class Direct:
    """llama.cpp driven directly: a model, and a context per batch size (made on the llama.cpp thread)."""

    def __init__(self, gguf: str, threads: int):
        with captured_llama_log([]):
            self.model = llama_cpp.llama_model_load_from_file(gguf.encode(), llama_cpp.llama_model_default_params())
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.threads = threads
        self.nv = llama_cpp.llama_vocab_n_tokens(self.vocab)

    def context(self, n_seq: int, unified: bool = False):
        p = llama_cpp.llama_context_default_params()
        p.n_ctx, p.n_seq_max, p.n_batch, p.n_ubatch = n_seq * NUM_CTX, n_seq, 512, 512
        p.n_threads = p.n_threads_batch = self.threads
        p.kv_unified, p.no_perf = unified, True
        with captured_llama_log([]):
            return llama_cpp.llama_init_from_model(self.model, p)

    def tokens(self, text: str) -> list[int]:
        buf = (llama_cpp.llama_token * 1024)()
        n = llama_cpp.llama_tokenize(self.vocab, text.encode(), len(text.encode()), buf, 1024,
                                     llama_cpp.llama_vocab_get_add_bos(self.vocab), True)
        return list(buf[:n])

    @staticmethod
    def fill(batch, rows: list[tuple[int, int, int, bool]]) -> None:
        batch.n_tokens = len(rows)
        for j, (token, pos, seq, logits) in enumerate(rows):
            batch.token[j], batch.pos[j], batch.n_seq_id[j], batch.logits[j] = token, pos, 1, int(logits)
            batch.seq_id[j][0] = seq

    def rate(self, ctx, n_seq: int, tokens: int) -> float:
        """Aggregate decode tokens/s of ``n_seq`` greedy sequences (prompt evaluation left out)."""
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
        batch = llama_cpp.llama_batch_init(512, 0, 1)
        samplers = []
        for _ in range(n_seq):
            chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
            samplers.append(chain)
        try:
            last, pos = {}, {}
            for s in range(n_seq):  # each prompt in a decode of its own, as the engine does
                ids = self.tokens(prompt(s))
                self.fill(batch, [(t, j, s, j == len(ids) - 1) for j, t in enumerate(ids)])
                assert llama_cpp.llama_decode(ctx, batch) == 0
                last[s], pos[s] = llama_cpp.llama_sampler_sample(samplers[s], ctx, len(ids) - 1), len(ids)
            started, count = time.perf_counter(), 0
            for _ in range(tokens - 1):
                live = [s for s in sorted(last) if not llama_cpp.llama_vocab_is_eog(self.vocab, last[s])]
                if not live:
                    break
                self.fill(batch, [(last[s], pos[s], s, True) for s in live])
                assert llama_cpp.llama_decode(ctx, batch) == 0
                for j, s in enumerate(live):
                    last[s] = llama_cpp.llama_sampler_sample(samplers[s], ctx, j)
                    pos[s] += 1
                count += len(live)
            return count / (time.perf_counter() - started)
        finally:
            for chain in samplers:
                llama_cpp.llama_sampler_free(chain)
            llama_cpp.llama_batch_free(batch)

    def logits_trace(self, ctx, target: int, others: int, steps: int = 16) -> list[str]:
        """Hashes of the target sequence's logits per step (greedy), with ``others`` sequences
        decoding beside it; every prompt goes into the first decode together (llama.cpp's batching)."""
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
        batch = llama_cpp.llama_batch_init(1024, 0, 1)
        seqs = [target] + [s for s in range(others + 1) if s != target][:others]
        rows, out, pos, last = [], [], {}, {}
        for s in seqs:
            ids = self.tokens(prompt(s if s != target else 0))
            rows += [(t, j, s, j == len(ids) - 1) for j, t in enumerate(ids)]
            pos[s] = len(ids)
        for _ in range(steps):
            self.fill(batch, rows)
            assert llama_cpp.llama_decode(ctx, batch) == 0
            index = {s: j for j, (_, _, s, wanted) in enumerate(rows) if wanted}
            rows = []
            for s in seqs:
                logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, index[s]), shape=(self.nv,))
                if s == target:
                    out.append(hashlib.sha1(logits.tobytes()).hexdigest())
                last[s] = int(logits.argmax())
                rows.append((last[s], pos[s], s, True))
                pos[s] += 1
        llama_cpp.llama_batch_free(batch)
        return out

    def close(self) -> None:
        llama_cpp.llama_model_free(self.model)


def engine_rate(engine: BatchEngine, n_seq: int, tokens: int) -> float:
    """The same through the engine: ``n_seq`` requests at once, rate measured the same way."""
    gens = [engine.submit(engine.tokenize(prompt(s)), Sampling(temperature=0, num_predict=tokens)) for s in range(n_seq)]
    for g in gens:
        g.done.wait()
    start = max(g.token_ns[0] for g in gens)
    end = max(g.token_ns[-1] for g in gens)
    count = sum(1 for g in gens for t in g.token_ns if t > start)
    return count / ((end - start) / 1e9)


def server_rate(url: str, n_seq: int, tokens: int, threads: int) -> float:
    """The same through the server: ``n_seq`` concurrent streamed requests, each token's line timed
    as it arrives (a line per token; one held back for an incomplete UTF-8 character is not counted)."""
    stamps: list[list[float]] = [[] for _ in range(n_seq)]
    ready = threading.Barrier(n_seq)

    def one(s: int) -> None:
        body = {"model": DEFAULT_MODEL, "prompt": prompt(s), "raw": True,
                "options": {"temperature": 0, "num_predict": tokens, "stop": [], "num_thread": threads}}
        with httpx.Client(base_url=url, timeout=600) as http:
            ready.wait()
            with http.stream("POST", "/api/generate", json=body) as response:
                for line in response.iter_lines():
                    if line and not json.loads(line)["done"]:
                        stamps[s].append(time.perf_counter())

    workers = [threading.Thread(target=one, args=(s,)) for s in range(n_seq)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if not all(stamps):
        raise RuntimeError("a request to the server produced no tokens (see the thread's error above)")
    start = max(s[0] for s in stamps)
    end = max(s[-1] for s in stamps)
    count = sum(1 for s in stamps for t in s if t > start)
    return count / (end - start)


def invariance(direct: Direct, thread: LlamaThread, sizes: list[int]) -> None:
    print("\nDoes a sequence's output depend on the batch? greedy logits of one sequence, alone vs beside others,")
    print("every prompt in the same first llama_decode (bit-exact comparison of all logits, 16 steps)")
    for unified in (True, False):
        for k in [k for k in sizes if k > 1]:
            def trial(k=k, unified=unified):
                ctx = direct.context(k, unified)
                try:
                    alone, beside = direct.logits_trace(ctx, 0, 0), direct.logits_trace(ctx, 0, k - 1)
                finally:
                    llama_cpp.llama_free(ctx)
                first = next((i for i, (a, b) in enumerate(zip(alone, beside)) if a != b), None)
                return "identical" if first is None else f"DIFFER from step {first}"
            layout = "unified KV (one buffer)" if unified else "KV stream per sequence (engine)"
            print(f"  {layout:32} {k} sequences: {thread.call(trial)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--tokens", type=int, default=64, help="tokens per sequence")
    parser.add_argument("--blocks", type=int, default=6, help="blocks per size (each runs every path once)")
    parser.add_argument("--threads", type=int, default=0, help="0: one per core, as the server")
    parser.add_argument("--invariance", action="store_true", help="also print the batch-invariance check")
    args = parser.parse_args()

    gguf, _ = catalogue_file(DEFAULT_MODEL)
    threads = args.threads or default_threads()
    thread = LlamaThread()  # every llama.cpp call of both paths on one thread, as in the server
    direct = thread.call(Direct, str(gguf), threads)
    results: dict[int, dict[str, list[float]]] = {}
    paths = ("direct", "engine", "server")
    env = {"OLLAMA_NUM_PARALLEL": str(max(args.sizes)), "OLLAMA_CONTEXT_LENGTH": str(NUM_CTX)}
    server = own_server(env=env)
    url = server.__enter__()
    try:
        for k in args.sizes:
            engine = BatchEngine(gguf, n_parallel=k, num_ctx=NUM_CTX, num_thread=threads, thread=thread)
            ctx = thread.call(direct.context, k)
            rows = results[k] = {path: [] for path in paths}
            measure = {"direct": lambda ctx=ctx, k=k: thread.call(direct.rate, ctx, k, args.tokens),
                       "engine": lambda engine=engine, k=k: engine_rate(engine, k, args.tokens),
                       "server": lambda k=k: server_rate(url, k, args.tokens, threads)}
            try:
                engine_rate(engine, k, 8)  # warm all three
                thread.call(direct.rate, ctx, k, 8)
                server_rate(url, k, 8, threads)
                for block in range(args.blocks):
                    for path in paths[block % 3:] + paths[: block % 3]:
                        rows[path].append(measure[path]())
            finally:
                thread.call(llama_cpp.llama_free, ctx)
                engine.close()
            d, e, v = (statistics.median(rows[p]) for p in paths)  # as it goes: a slow machine may be stopped
            print(f"{k} sequences: llama.cpp {d:.1f}, engine {e:.1f} ({e / d:.2f}), server {v:.1f} ({v / d:.2f}) tokens/s",
                  flush=True)
        if args.invariance:
            invariance(direct, thread, args.sizes)
    finally:
        server.__exit__(None, None, None)
        thread.call(direct.close)
        thread.shutdown()

    print(f"\nmodel {DEFAULT_MODEL} ({gguf.name}), {threads} threads, {args.tokens} tokens per sequence, "
          f"{args.blocks} alternating blocks, medians; aggregate decode tokens/s")
    print(f"(server: one labs serve with OLLAMA_NUM_PARALLEL={max(args.sizes)}, {NUM_CTX}-token slots, "
          "timed by its HTTP client)")
    print(f"{'sequences':>9} {'llama.cpp':>10} {'engine':>8} {'server':>8} {'engine/ll':>10} {'server/ll':>10} "
          f"{'goal':>5}  {'x one seq (llama.cpp)':>21}")
    base = statistics.median(results[min(results)]["direct"]) if results else 1.0
    for k, rows in results.items():
        d, e, v = (statistics.median(rows[p]) for p in paths)
        goal = 0.9 if k == 1 else 0.85
        print(f"{k:>9} {d:>10.1f} {e:>8.1f} {v:>8.1f} {e / d:>10.2f} {v / d:>10.2f} {goal:>5}  {d / base:>21.2f}")
    if 1 in results:
        d, e, v = (statistics.median(results[1][p]) for p in paths)
        print(f"single-stream decode, engine/llama.cpp: {e / d:.3f}, server/llama.cpp: {v / d:.3f} (keep >= 0.9)")
    print("(on a machine shared with other work these figures move from run to run: compare ratios, not rates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
