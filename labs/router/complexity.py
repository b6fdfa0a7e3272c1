"""Is a prompt simple or complex? A heuristic in microseconds, or a local model as judge (lesson 3).

The module's ``smartRoute(prompt, complexity)`` needs the caller to say which; here the router
decides. :func:`heuristic` scores cues — length, reasoning words, code, several steps, maths —
in English and Ukrainian, and says which cues fired. :class:`LLMJudge` asks the local model
instead (no data leaves the machine, so it may see personal data) and falls back to the
heuristic when the model is down or answers nonsense. Both can be scored against the labelled
prompts with :func:`accuracy`.

>>> heuristic("Translate 'thank you' into Ukrainian.").label
'simple'
>>> c = heuristic("Design a caching layer for our API, compare write-through and write-back step by step.")
>>> c.label, c.cues
('complex', ('reasoning', 'code', 'multi_step'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from labs.router.textscan import lower, word_regex

THRESHOLD = 2.0  # score at or above which a prompt is "complex"

REASONING = word_regex([
    r"analy[sz]\w*", "compare", "comparison", "contrast", r"evaluat\w*", "trade-offs?", "tradeoffs?",
    "pros and cons", "design", r"architect\w*", r"optimi[sz]\w*", "prove", "proof", "derive", "derivation",
    "justify", "critique", "in depth", "in detail", "detailed", "comprehensive", "strategy", "implications",
    r"recommend\w*", "explain why", "root cause", r"refactor\w*", "debug", "plan", r"assess\w*", "reason about",
    r"проаналізу\w*", r"аналіз\w*", r"порівня\w*", r"оціни\w*", "переваги та недоліки", "переваги і недоліки",
    r"компроміс\w*", r"спроектуй\w*", r"спроєктуй\w*", r"архітектур\w*", r"оптиміз\w*", "доведи", "виведи",
    r"обґрунту\w*", "детально", "поясни чому", r"стратегі\w*", r"рекоменд\w*", r"рефактор\w*", r"налагод\w*",
    r"сплануй\w*", r"план\w*",
])
CODE = word_regex([
    "python", "javascript", "typescript", "sql", "regex", "function", "class", "code", "script", "implement",
    "algorithm", "api", "bug", "traceback", "exception", "compile", "unit tests?", "kubernetes", "docker",
    "rust", "c\\+\\+", "java", "react", "async", "concurrency", "database", "schema", "query",
    r"код\w*", r"функці\w*", r"скрипт\w*", r"реалізу\w*", r"алгоритм\w*", r"програм\w*", r"запит\w*", r"тест\w*",
    r"баз\w* даних", r"клас\w*",
])
STEPS = word_regex([
    "step by step", "steps", "first", "then", "after that", "finally", "multi-step", "for each", "and then",
    "крок за кроком", "кроки", "спочатку", "потім", "після цього", "нарешті", "для кожного",
])
MATH = word_regex([
    "calculate", "compute", "solve", "equation", "integral", "derivative", "probability", "estimate",
    "statistically", "regression", r"обчисл\w*", r"розв'яж\w*", "розвяжи", r"рівнян\w*", r"інтеграл\w*",
    r"ймовірн\w*", r"оцін\w* вартість",
])
SIMPLE = word_regex([
    "translate", "one word", "one sentence", "yes or no", "define", "synonym", "spell", "rephrase", "fix the typo",
    "capital of", "what time", "hello", "thanks", "thank you", "short", "briefly", "tl;dr",
    "переклади", "перекладіть", "одним словом", "одним реченням", "так чи ні", "синонім", "перефразуй",
    "столиця", "привіт", "дякую", "коротко", "стисло",
])
_NUMBERED = re.compile(r"(?m)^\s*(?:\d+[.)]|[-*•])\s+\S")
_CODE_MARKS = ("```", "def ", "return ", "import ", "{", "=>", "();", "select ")

WEIGHTS = {"long": 1.0, "very_long": 2.0, "reasoning": 1.5, "code": 1.5, "multi_step": 1.0, "math": 1.5,
           "list": 1.0, "simple": -1.5}


@dataclass(frozen=True)
class Complexity:
    """``label`` is ``"simple"`` or ``"complex"``; ``cues`` name what fired (never the prompt's words)."""

    label: str
    score: float
    cues: tuple[str, ...] = ()
    by: str = "heuristic"

    @property
    def is_complex(self) -> bool:
        return self.label == "complex"


def _hits(rx: re.Pattern, low: str) -> int:
    return sum(1 for _ in rx.finditer(low))


def heuristic(prompt: str, *, threshold: float = THRESHOLD) -> Complexity:
    """Score ``prompt`` from its cues; ``complex`` when the score reaches ``threshold``."""
    low = lower(prompt)
    words = low.count(" ") + low.count("\n") + 1
    found: dict[str, float] = {}
    if words > 200:
        found["very_long"] = WEIGHTS["very_long"]
    elif words > 60:
        found["long"] = WEIGHTS["long"]
    n = _hits(REASONING, low)
    if n:
        found["reasoning"] = WEIGHTS["reasoning"] * min(n, 2)
    if _hits(CODE, low) or any(mark in low for mark in _CODE_MARKS):
        found["code"] = WEIGHTS["code"]
    if _hits(STEPS, low) >= 2 or "step by step" in low or "крок за кроком" in low:
        found["multi_step"] = WEIGHTS["multi_step"]
    if _hits(MATH, low):
        found["math"] = WEIGHTS["math"]
    if len(_NUMBERED.findall(prompt)) >= 2:
        found["list"] = WEIGHTS["list"]
    if _hits(SIMPLE, low) and words < 40:
        found["simple"] = WEIGHTS["simple"]
    score = round(sum(found.values()), 2)
    return Complexity("complex" if score >= threshold else "simple", score, tuple(k for k in found if k != "simple")
                      + (("simple",) if "simple" in found else ()))


JUDGE_PROMPT = (
    "Classify the difficulty of the task below. Answer with exactly one word: SIMPLE (a short fact, "
    "translation, greeting or one-line answer) or COMPLEX (reasoning, code, analysis, several steps).\n\n"
    "Task: {prompt}\n\nAnswer:"
)


class LLMJudge:
    """Ask the local model whether a prompt is complex (optional; slower, measurable).

    ``llm`` is a :class:`labs.client.LocalLLM`. The answer is read from the first word; anything
    else, or an error, falls back to :func:`heuristic` (``by`` says which decided).
    """

    def __init__(self, llm, *, num_predict: int = 3, seed: int = 42, max_chars: int = 1500):
        self.llm = llm
        self.options = {"num_predict": num_predict, "temperature": 0, "seed": seed}
        self.max_chars = max_chars

    def __call__(self, prompt: str) -> Complexity:
        try:
            reply = self.llm.generate(JUDGE_PROMPT.format(prompt=prompt[: self.max_chars]), options=self.options)
            word = lower(reply.get("response", "")).strip()
        except Exception:  # the judge is optional: any failure means "use the heuristic"
            return _fallback(prompt, "judge unavailable")
        if word.startswith("complex"):
            return Complexity("complex", 1.0, ("judge",), "llm")
        if word.startswith("simple"):
            return Complexity("simple", 0.0, ("judge",), "llm")
        return _fallback(prompt, "judge answer unreadable")


def _fallback(prompt: str, why: str) -> Complexity:
    c = heuristic(prompt)
    return Complexity(c.label, c.score, c.cues, f"heuristic ({why})")


def accuracy(classify: Callable[[str], Complexity], rows: Iterable[dict]) -> float:
    """Share of ``rows`` (with ``text`` and ``complexity``) that ``classify`` labels right."""
    rows = list(rows)
    if not rows:
        raise ValueError("accuracy() needs at least one labelled row (dicts with 'text' and 'complexity')")
    return sum(classify(r["text"]).label == r["complexity"] for r in rows) / len(rows)
