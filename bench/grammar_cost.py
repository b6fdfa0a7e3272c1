"""Issue 10, attack round 8 (F1): what a format's grammar costs per token, against a normal token.

llama.cpp's grammar sampler checks every vocabulary token against every parse stack the grammar is in, in one C
call per token on the server's one llama.cpp thread (uncancellable). A rule of N alternatives (a JSON-schema enum,
anyOf) puts up to N stacks there at once. This prints, for grammars of growing size, the time of one grammar
sampling step at that position (``llama_sampler_sample`` with the grammar, best of a few) divided by a normal
token's time (one ``llama_decode`` of one token plus plain greedy sampling), next to the grammar's alternatives as
``labs.server.runner.grammar_alternatives`` counts them. The server refuses a grammar over
``MAX_GRAMMAR_ALTERNATIVES`` (400).

    .venv/bin/python bench/grammar_cost.py [--sizes 16,64,256,1024]

Measured on the shared 2-core dev box (other sessions running, load 4-34), smollm2:135m (49 152-token vocabulary),
a normal token 19-62 ms; grammar work at the position where all alternatives are open, in normal tokens:
"json" (18 alternatives) 0.06-0.34, a 3-field object 0.25-0.27, an enum of 64 0.9-1.2, of 128 (the limit,
129 alternatives: refused, 127 values pass) 4.2-8.0, of 256 7.7-13.4, of 2048 48-133 (the attack's 10 s tokens).
So at the limit one such token costs about 4 normal ones, and only while the alternatives are all open (the first
token or two of an enum value); past it the cost grows linearly without bound.

``--stacks-only`` (issue 10 attack r9 F1): grammars with few alternatives whose parse stacks fan out (nested or
overlapping optional repetitions), next to ordinary schemas: the time of one sampling step where the stacks are
wide (after ``"aaaa`` for the patterns), in normal tokens, and :func:`labs.server.grammar.stack_cost`. Shared 2-core
box (load 5-6), a normal token 15-22 ms, figures from three runs:
ordinary schemas — "json" 199 → 0.6-0.9, 3-field object 87 → 0.6-0.7, 40 optional properties 678 → 0.9-1.2,
maxLength 1000 48 → 0.4-1.2, version / e-mail patterns 25 / 64 → 0.2-0.3 / 0.3-0.6, 32 overlapping anyOf 727 → 0.4-1.3;
fan-outs under the limit — (a?){20}a{20} 4344 → 0.3-0.7, (a{0,5}){0,5} 2121 → 0.2-0.75;
over it — (a{0,10}){0,10} 24 536 → 0.6-1.8, (a?){40}a{40} 21 144 → 1.1-5.1, ((a{0,4}){0,4}){0,4} 260 268 → 2.4-3.2,
((a{0,6}){0,6}){0,6} over 10^7 → ~0.9 s a token (~60 normal tokens; timed apart, it is not run here), and the
attack's ((a{0,30}){0,30}){0,30} never finished a token. The measure is a conservative bound (it grows as the product
of the nested bounds, faster than the time does), so the server's MAX_STACK_COST of 5000 keeps every ordinary schema
(100 optional properties: 1719) and refuses each fan-out well before its time grows past a few normal tokens.
"""

from __future__ import annotations

import argparse
import json
import time

import llama_cpp

from labs import DEFAULT_MODEL
from labs.server.runner import MAX_GRAMMAR_ALTERNATIVES, NoJinjaLlama, grammar_alternatives
from labs.server.store import catalogue_file

OBJECT = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                           "tags": {"type": "array", "items": {"type": "string"}}},
          "required": ["name", "age"]}


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="16,64,96,128,192,256,512,2048")
    parser.add_argument("--stacks-only", action="store_true", help="only the parse-stack table (issue 10 r9)")
    args = parser.parse_args()
    llm = NoJinjaLlama(model_path=str(catalogue_file(DEFAULT_MODEL)[0]), n_ctx=512, verbose=False)
    prompt = llm.tokenize(b"<|im_start|>user\nJSON please<|im_end|>\n<|im_start|>assistant\n", special=True)
    llm.eval(prompt)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)

    def sample_with(gbnf: str | None, sample: bool = True) -> float:
        """One sampling step at the grammar's first position (parsing the grammar included unless subtracted)."""
        def one() -> None:
            chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
            if gbnf is not None:
                llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(),
                                                                                              b"root"))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
            if sample:
                llama_cpp.llama_sampler_sample(chain, llm.ctx, -1)
            llama_cpp.llama_sampler_free(chain)
        return best(one)

    def normal_token() -> None:
        llm.n_tokens = len(prompt) - 1
        llm.eval(prompt[-1:])
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
        llama_cpp.llama_sampler_sample(chain, llm.ctx, -1)
        llama_cpp.llama_sampler_free(chain)

    token = best(normal_token, 9)
    plain = sample_with(None)
    print(f"normal token (decode + greedy): {token * 1e3:.2f} ms; greedy sampling alone {plain * 1e3:.2f} ms")
    print(f"limit: MAX_GRAMMAR_ALTERNATIVES = {MAX_GRAMMAR_ALTERNATIVES}")
    print(f"{'grammar':>24} {'alternatives':>12} {'grammar ms':>11} {'÷ normal token':>15}")
    from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

    if args.stacks_only:
        stack_table(llm, prompt, vocab, token)
        llm.close()
        return
    cases = [('format "json"', JSON_GBNF), ("3-field object schema", json_schema_to_gbnf(json.dumps(OBJECT)))]
    cases += [(f"enum of {n}", json_schema_to_gbnf(json.dumps({"enum": [f"v{i}" for i in range(n)]})))
              for n in map(int, args.sizes.split(","))]
    for name, gbnf in cases:
        cost = max(0.0, sample_with(gbnf) - sample_with(gbnf, sample=False) - plain)  # per token: not the parse
        print(f"{name:>24} {grammar_alternatives(gbnf):>12} {cost * 1e3:>11.2f} {cost / token:>15.2f}")
    stack_table(llm, prompt, vocab, token)
    llm.close()


def _string(pattern: str) -> dict:
    return {"type": "string", "pattern": pattern}


# issue 10 attack r9 F1: grammars with few alternatives whose parse stacks fan out, next to ordinary schemas
STACK_CASES = {
    'format "json"': None,
    "3-field object": OBJECT,
    "40 optional properties": {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(40)}},
    "enum of 127": {"enum": [f"v{i}" for i in range(127)]},
    "version pattern": _string(r"^\d+\.\d+\.\d+$"),
    "e-mail pattern": _string(r"^([a-zA-Z0-9._%+-]+)@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$"),
    "maxLength 1000": {"type": "string", "maxLength": 1000},
    "(a?){5}a{5}": _string("^(a?){5}a{5}$"),
    "(a?){10}a{10}": _string("^(a?){10}a{10}$"),
    "(a?){20}a{20}": _string("^(a?){20}a{20}$"),
    "(a{0,3}){0,3}": _string("^((a{0,3}){0,3})$"),
    "(a{0,5}){0,5}": _string("^((a{0,5}){0,5})$"),
    "(a{0,7}){0,7}": _string("^((a{0,7}){0,7})$"),
    "(a{0,10}){0,10}": _string("^((a{0,10}){0,10})$"),
    "(a?){40}a{40}": _string("^(a?){40}a{40}$"),
    "((a{0,4}){0,4}){0,4}": _string("^(((a{0,4}){0,4}){0,4})$"),
    "((a{0,6}){0,6}){0,6}": _string("^(((a{0,6}){0,6}){0,6})$"),
    "((a{0,30}){0,30}){0,30}": _string("^(((a{0,30}){0,30}){0,30})$"),
    "8 overlapping anyOf": {"anyOf": [{"type": "string"}, {"type": "string", "pattern": "^a*$"},
                                      {"type": "string", "pattern": "^[a-z]*$"}, {"type": "string", "pattern": "^.*$"}] * 2},
    "16 overlapping anyOf": {"anyOf": [{"type": "string"}, {"type": "string", "pattern": "^a*$"},
                                       {"type": "string", "pattern": "^[a-z]*$"}, {"type": "string", "pattern": "^.*$"}] * 4},
    "32 overlapping anyOf": {"anyOf": [{"type": "string"}, {"type": "string", "pattern": "^a*$"},
                                       {"type": "string", "pattern": "^[a-z]*$"}, {"type": "string", "pattern": "^.*$"}] * 8},
}


# where each grammar's stacks are widest: the text already generated when the step is timed
PREFIX = {'format "json"': '{"', "3-field object": '{"name": "', "40 optional properties": "{",
          "enum of 127": '"', "version pattern": '"1.', "e-mail pattern": '"ab', "maxLength 1000": '"abc'}


RUN_LIMIT = 10**7  # stack cost past which a grammar is not timed (measuring up to it takes ~15 s)


def stack_table(llm, prompt: list[int], vocab, token: float) -> None:
    """For each grammar: the time of one sampling step after the text in :data:`PREFIX` (default ``"aaaa``) was
    generated (llama.cpp's grammar sampler over the whole vocabulary, then accepting the token; the prefix's own
    accepting subtracted), in normal tokens, next to :func:`labs.server.grammar.stack_cost`. A grammar over
    :data:`RUN_LIMIT` is not run (it would hold this process for minutes or hours: the attack's point)."""
    from llama_cpp.llama_grammar import JSON_GBNF

    from labs.server.grammar import stack_cost
    from labs.server.runner import MAX_STACK_COST, schema_gbnf

    print(f"\nlimit: MAX_STACK_COST = {MAX_STACK_COST} (labs.server.grammar.stack_cost)")
    print(f"{'grammar':>24} {'stack cost':>10} {'grammar ms':>11} {'÷ normal token':>15}")
    for name, schema in STACK_CASES.items():
        gbnf = JSON_GBNF if schema is None else schema_gbnf(json.dumps(schema))
        cost = stack_cost(gbnf, RUN_LIMIT)
        if cost > RUN_LIMIT:
            print(f"{name:>24} {'>' + str(RUN_LIMIT):>10} {'not run':>11}")
            continue
        prefix = llm.tokenize(PREFIX.get(name, '"aaaa').encode(), add_bos=False, special=False)

        def step(sample: bool, gbnf: str = gbnf, prefix: list[int] = prefix) -> None:
            chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(), b"root"))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
            for tok in prefix:
                llama_cpp.llama_sampler_accept(chain, tok)
            if sample:
                llama_cpp.llama_sampler_sample(chain, llm.ctx, -1)
            llama_cpp.llama_sampler_free(chain)

        per = max(0.0, best(lambda: step(True), 3) - best(lambda: step(False), 3))
        print(f"{name:>24} {cost:>10} {per * 1e3:>11.1f} {per / token:>15.2f}")


if __name__ == "__main__":
    main()
