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

    cases = [('format "json"', JSON_GBNF), ("3-field object schema", json_schema_to_gbnf(json.dumps(OBJECT)))]
    cases += [(f"enum of {n}", json_schema_to_gbnf(json.dumps({"enum": [f"v{i}" for i in range(n)]})))
              for n in map(int, args.sizes.split(","))]
    for name, gbnf in cases:
        cost = max(0.0, sample_with(gbnf) - sample_with(gbnf, sample=False) - plain)  # per token: not the parse
        print(f"{name:>24} {grammar_alternatives(gbnf):>12} {cost * 1e3:>11.2f} {cost / token:>15.2f}")
    llm.close()


if __name__ == "__main__":
    main()
