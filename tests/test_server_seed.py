"""With a seed, the same request gives the same tokens whatever was cached or served before
(issue 10, fault 6: Ollama's prompt cache re-evaluates the last prompt token alone, which changes
its logits and the sampled answer). Several prompts, in several orders, repeated back to back."""

from __future__ import annotations

import httpx
import pytest

from labs import DEFAULT_MODEL

pytestmark = pytest.mark.embedded
SEEDED = {"seed": 42, "temperature": 0.8, "num_predict": 12}
PROMPTS = ["Name a colour.", "Name a colour. Then name an animal.", "Write one word about the sea.",
           "Say hello in French.", "List three fruits: " + "apple, pear, plum, " * 90]  # the last is over 512 tokens


def _answer(http: httpx.Client, prompt: str, **extra) -> tuple[str, list[int]]:
    r = http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": prompt, "stream": False,
                                         "options": SEEDED, **extra})
    assert r.status_code == 200, r.text
    return r.json()["response"], r.json()["context"]


def test_seeded_answers_do_not_depend_on_what_was_served_before(server_url):
    with httpx.Client(base_url=server_url, timeout=300) as http:
        answers: dict[str, set[str]] = {p: set() for p in PROMPTS}
        orders = [PROMPTS, PROMPTS[::-1], [PROMPTS[i] for i in (2, 0, 4, 1, 3)]]
        for order in orders:
            for prompt in order:
                for _ in range(2):  # the second run finds the whole prompt cached
                    answers[prompt].add(_answer(http, prompt)[0])
        assert all(len(a) == 1 for a in answers.values()), answers


def test_a_continued_conversation_gives_what_a_fresh_one_gives(server_url):
    """The cache then holds generated tokens (evaluated one at a time) under the new prompt's prefix."""
    with httpx.Client(base_url=server_url, timeout=300) as http:
        _, context = _answer(http, "Tell me about cats.")
        follow = {"prompt": "And dogs?", "context": context}
        first = _answer(http, **follow)[0]
        _answer(http, "Something unrelated to clear the cache.")
        assert _answer(http, **follow)[0] == first
