"""Issue 10, attack round 11 (F1): a format's grammar work per token against the model's decode step, as the output
grows; the figures behind ``labs.server.batching.GRAMMAR_STEP_RATIO`` (the runtime guard).

For each format, a valid output is forced through llama.cpp's grammar sampler (accepted token by token, as the
server's sampler chain accepts them) and, at several output lengths, this times one grammar apply over the whole
vocabulary (the C call the server's guard times, in this thread's CPU time as the guard does; best of 3) and one
``llama_decode`` of one token at that position in
the model's own context (best of 3), and prints their ratio. Ordinary formats stay flat; a format whose parse stacks
build up with the text (the attack's ``^[abc]*a([abc](c?){8}){1000}$`` as a string property's pattern) grows with
every character, and is not followed past ``--stop`` seconds a token.

    .venv/bin/python bench/grammar_runtime.py [--lengths 1,25,50,100,200,400] [--stop 2]

Measured on the shared 2-core dev box (other sessions running): see the module docstring of
``labs.server.batching`` (GRAMMAR_STEP_RATIO) for the figures and how the ratio was chosen.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import time

import llama_cpp

from labs import DEFAULT_MODEL
from labs.server.batching import GRAMMAR_FLOOR_NS, GRAMMAR_STEP_RATIO, GRAMMAR_STRIKES, GRAMMAR_WINDOW, Candidates
from labs.server.runner import NoJinjaLlama, schema_gbnf
from labs.server.store import catalogue_file

EMAIL = r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,}$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
ATTACK = "^[abc]*a([abc](c?){8}){1000}$"  # issue 10 attack r11 F1 (accepted by the static measure)
ATTACK_AB = "^[ab]*a([ab](c?){10}){300}$"


def _person_schema() -> dict:
    """A pydantic model's JSON schema (what a client sends with ``format=Model.model_json_schema()``)."""
    from pydantic import BaseModel

    class Address(BaseModel):
        street: str
        city: str
        postcode: str

    class Person(BaseModel):
        name: str
        age: int
        email: str
        tags: list[str]
        address: Address

    return Person.model_json_schema()


def _optional(n: int) -> dict:
    return {"type": "object", "properties": {f"field_{i}": {"type": "string"} for i in range(n)}}


def _array_of(items: dict) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": items}}, "required": ["items"]}


def _one(schema: dict) -> dict:
    return {"type": "object", "properties": {"v": schema}, "required": ["v"]}


def _string_pattern(pattern: str) -> dict:
    return {"type": "object", "properties": {"s": {"type": "string", "pattern": pattern}}, "required": ["s"]}


def cases() -> list[tuple[str, str | None, str]]:
    """(name, schema as JSON or None for "json", a long valid output)."""
    words = [f"item {i}" for i in range(400)]
    person = {"name": "Ada Lovelace", "age": 36, "email": "ada@example.com", "tags": words,
              "address": {"street": "1 Main St", "city": "London", "postcode": "N1"}}
    abc = "abacacacaab" + "abaababaab" * 60  # what the model wrote in the attack (live2.log), continued
    return [
        ('format "json"', None, json.dumps({"items": [{"name": w, "value": i, "ok": True} for i, w in enumerate(words)]})),
        ("pydantic model", json.dumps(_person_schema()), json.dumps(person)),
        ("40 optional properties", json.dumps(_optional(40)),
         json.dumps({f"field_{i}": f"value number {i} of forty" for i in range(40)})),
        ("100 optional properties", json.dumps(_optional(100)),
         json.dumps({f"field_{i}": f"value {i}" for i in range(100)})),
        ("e-mail pattern items", json.dumps(_array_of({"type": "string", "pattern": EMAIL})),
         json.dumps({"items": [f"user.{i}@mail{i}.example.com" for i in range(200)]})),
        ("date pattern items", json.dumps(_array_of({"type": "string", "pattern": DATE})),
         json.dumps({"items": [f"20{i % 100:02d}-0{i % 9 + 1}-1{i % 10}" for i in range(300)]})),
        ("enum of 300 in an array", json.dumps(_array_of({"enum": [f"value_{i}" for i in range(300)]})),
         json.dumps({"items": [f"value_{(i * 37) % 300}" for i in range(400)]})),
        *((f"enum of {n}, one value", json.dumps(_one({"enum": [f"value_{i}" for i in range(n)]})),
           json.dumps({"v": f"value_{n - 1}"})) for n in (300, 500)),
        ("anyOf of 255 consts, one value", json.dumps(_one({"anyOf": [{"const": f"c{i}"} for i in range(255)]})),
         json.dumps({"v": "c254"})),
        (f"attack {ATTACK}", json.dumps(_string_pattern(ATTACK)), '{"s": "' + abc),
        (f"attack {ATTACK_AB}", json.dumps(_string_pattern(ATTACK_AB)), '{"s": "' + abc.replace("c", "b")),
    ]


def best(fn, repeat: int = 3, cpu: bool = False) -> int:
    """The fastest of ``repeat`` runs of ``fn`` in ns: wall time, or this thread's CPU time (what the server's guard
    times a grammar by)."""
    clock = time.thread_time_ns if cpu else time.perf_counter_ns
    times = []
    for _ in range(repeat):
        started = clock()
        fn()
        times.append(clock() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="1,25,50,100,200,400", help="output lengths, in tokens")
    parser.add_argument("--stop", type=float, default=2.0, help="stop following a format past this many s a token")
    args = parser.parse_args()
    given = [int(n) for n in args.lengths.split(",")]
    from llama_cpp.llama_grammar import JSON_GBNF

    llm = NoJinjaLlama(model_path=str(catalogue_file(DEFAULT_MODEL)[0]), n_ctx=2048, verbose=False)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    cand = Candidates(llm.n_vocab())
    prompt = llm.tokenize(b"<|im_start|>user\nAnswer in JSON.<|im_end|>\n<|im_start|>assistant\n", special=True)
    print(f"GRAMMAR_STEP_RATIO = {GRAMMAR_STEP_RATIO}, GRAMMAR_FLOOR_NS = {GRAMMAR_FLOOR_NS / 1e6:.0f} ms, "
          f"GRAMMAR_STRIKES = {GRAMMAR_STRIKES} of GRAMMAR_WINDOW = {GRAMMAR_WINDOW}")
    print(f"{'format':>44} {'tokens':>6} {'chars':>6} {'grammar ms':>10} {'decode ms':>9} {'greedy ms':>9} "
          f"{'grammar/decode':>14}")
    for name, schema, text in cases():
        gbnf = JSON_GBNF if schema is None else schema_gbnf(schema)
        output = llm.tokenize(text.encode(), add_bos=False, special=False)
        lengths = given if len(output) > 40 else range(1, len(output) + 1)  # a short one: every position
        grammar = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(), b"root")
        greedy = llama_cpp.llama_sampler_init_greedy()
        llm.reset()
        llm.eval(prompt)
        done = 0
        worst = 0.0
        for length in lengths:
            if length > len(output):
                break
            for token in output[done:length - 1]:  # the output so far, through the grammar
                llama_cpp.llama_sampler_accept(grammar, token)
            if length - 1 > done:
                llm.eval(output[done:length - 1])
            done = max(done, length - 1)

            def decode(done: int = done, output: list[int] = output) -> None:  # the next token's decode step here
                llm.n_tokens = len(prompt) + done - 1
                llm.eval([prompt[-1] if done == 0 else output[done - 1]])

            decode_ns = best(decode)

            def apply(smpl=grammar) -> None:
                llama_cpp.llama_sampler_apply(smpl, ctypes.byref(cand.fill(llm.ctx, -1)))

            grammar_ns = best(apply, cpu=True)
            greedy_ns = best(lambda greedy=greedy: apply(greedy), cpu=True)
            chars = len(llm.detokenize(output[:done]).decode(errors="replace"))
            ratio = grammar_ns / decode_ns
            worst = max(worst, ratio)
            print(f"{name:>44} {length:>6} {chars:>6} {grammar_ns / 1e6:>10.2f} {decode_ns / 1e6:>9.2f} "
                  f"{greedy_ns / 1e6:>9.2f} {ratio:>14.2f}", flush=True)
            if grammar_ns > args.stop * 1e9:
                print(f"{name:>44} not followed further (over {args.stop} s a token)")
                break
        print(f"{name:>44} worst grammar/decode {worst:.2f} (the guard ends a request over {GRAMMAR_STEP_RATIO})")
        llama_cpp.llama_sampler_free(grammar)
        llama_cpp.llama_sampler_free(greedy)
    llm.close()


if __name__ == "__main__":
    main()
