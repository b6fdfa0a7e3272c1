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
('complex', ('reasoning', 'code'))
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

from labs.router.textscan import lower, word_regex
from labs.router.triggers import Group, Literals, Triggers, any_of

THRESHOLD = 2.0  # score at or above which a prompt is "complex"

REASONING_WORDS = [
    r"analy[sz]\w*", "compare", "comparison", "contrast", r"evaluat\w*", "trade-offs?", "tradeoffs?",
    "pros and cons", "design", r"architect\w*", "prove", "proof", "derive", "derivation", "justify", "critique",
    "in depth", "in detail", "detailed", "comprehensive", "strategy", "implications", r"recommend\w*",
    "explain why", "root cause", "plan", "planning", r"assess\w*", "reason about", "step by step", "step-by-step",
    r"проаналізу\w*", r"порівня\w*", r"оціни\w*", "переваги та недоліки", "переваги і недоліки", r"компроміс\w*",
    r"спроектуй\w*", r"спроєктуй\w*", r"архітектур\w*", "доведи", "виведи", r"обґрунту\w*", "детально",
    "детальну", "детальний", "поясни чому", r"стратегі\w*", r"рекоменд\w*", r"сплануй\w*", r"переплан\w*",
    "план", "плану", "планом", "крок за кроком", "склади план",
]
CODE_TASK_WORDS = [
    "implement", "refactor", "debug", "optimi[sz]e", "write (?:a |an )?(?:python |sql |bash |javascript |java )?"
    "(?:function|script|query|class|program|regex|test|tests|unit tests|parser)", "traceback", "stack trace",
    "schema", r"реалізу\w*", r"рефактор\w*", r"налагод\w*", r"оптиміз\w*",
    r"напиши (?:\w+ )?(?:функці\w*|скрипт\w*|запит\w*|клас\w*|програм\w*|тест\w*|регулярн\w*)", r"схем\w* бази",
]
CODE_WORDS = [
    "python", "javascript", "typescript", "sql", "regex", "function", "class", "code", "script", "algorithm",
    "api", "bug", "exception", "compile", "kubernetes", "docker", "rust", "c\\+\\+", "java", "react", "async",
    "concurrency", "database", "query", r"код\w*", r"функці\w*", r"скрипт\w*", r"алгоритм\w*", r"програм\w*",
    r"баз\w* даних",
]
MATH_WORDS = [
    "calculate", "compute", "solve", "equation", "integral", "derivative", "probability", "estimate", "forecast",
    "break-even", "statistically", "regression", r"обчисл\w*", r"розрахуй\w*", r"розв'яж\w*", "розвяжи",
    r"рівнян\w*", r"інтеграл\w*", r"ймовірн\w*", r"прогноз\w*", r"беззбитков\w*",
]
STEPS_WORDS = [
    "steps", "first", "then", "after that", "finally", "for each", "and then",
    "кроки", "спочатку", "потім", "після цього", "нарешті", "для кожного",
]
SIMPLE_WORDS = [
    "translate", "one word", "one sentence", "yes or no", "define", "synonym", "spell", "rephrase", "fix the typo",
    "capital of", "what time", "hello", "thanks", "thank you", "short", "briefly", "tl;dr", "convert", "round",
    "переклади", "перекладіть", "одним словом", "одним реченням", "так чи ні", "синонім", "перефразуй",
    "столиця", "привіт", "дякую", "коротко", "стисло", "округли",
]
# [ \t], not \s: "^\s*" restarts at every line of a run of blank lines and scans the rest (quadratic)
_NUMBERED = re.compile(r"(?m)^[ \t]*+(?:\d++[.)]|[-*•])[ \t]++\S")
# the same item after a line break: a pattern led by a literal character is searched for that character first (C-fast),
# where "(?m)^" is tried at every position (~20 us for 2 KB); a match never holds a line break, so the items of a text
# are the one at its start (_NUMBERED.match) and one for each of these
_NUMBERED_AFTER_BREAK = re.compile("\n" + _NUMBERED.pattern.removeprefix("(?m)^"))
_CODE_MARKS = ("```", "def ", "return ", "import ", "{", "=>", "();", "select ")
_CODE_MARKS_AT = any_of(_CODE_MARKS)  # one trigger look-up, not a substring scan for each

WEIGHTS = {"long": 1.0, "very_long": 2.0, "reasoning": 2.0, "code_task": 2.0, "math": 2.0, "code": 0.5,
           "multi_step": 1.0, "list": 1.0, "simple": -1.5}


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


CATEGORIES: dict[str, list[str]] = {  # checked in this order: the first that matches a cue names it
    "code_task": CODE_TASK_WORDS, "reasoning": REASONING_WORDS, "math": MATH_WORDS, "code": CODE_WORDS,
    "steps": STEPS_WORDS, "simple": SIMPLE_WORDS,
}
# one pass over the prompt finds every cue; each distinct cue word is then classified once
_ALL_CUES = word_regex([p for words in CATEGORIES.values() for p in words])
_ALL_CUES_AT = Literals(_ALL_CUES)  # where a cue can start: one automaton pass finds them (labs.router.triggers)
_WHICH = [(name, re.compile("(?:" + "|".join(words) + ")")) for name, words in CATEGORIES.items()]
# a prompt the detector reads as typed shares its trigger pass; any other (line breaks, which its view reads as spaces)
# is read by an automaton of the cues alone (labs.router.triggers.Group)
_OWN_PASS = Group(_ALL_CUES_AT, _CODE_MARKS_AT)


@lru_cache(maxsize=4096)
def _category(cue: str) -> str:
    return next((name for name, rx in _WHICH if rx.fullmatch(cue)), "other")


def cue_counts(prompt: str) -> Counter:
    """How many cues of each category ``prompt`` holds (lower-cased matching).

    >>> dict(cue_counts("First write a Python function, then compare it step by step."))
    {'steps': 2, 'code_task': 1, 'reasoning': 2}
    """
    return _counts(_OWN_PASS.triggers(lower(prompt)))


def _counts(trig: Triggers) -> Counter:
    return Counter(_category(m.group()) for m in trig.finditer(_ALL_CUES, _ALL_CUES_AT))


def _numbered_items(prompt: str) -> int:
    """How many lines of ``prompt`` start a numbered or bulleted item (``_NUMBERED.findall``, without its scan)."""
    return (_NUMBERED.match(prompt) is not None) + len(_NUMBERED_AFTER_BREAK.findall(prompt))


def heuristic(prompt: str, *, threshold: float = THRESHOLD) -> Complexity:
    """Score ``prompt`` from its cues; ``complex`` when the score reaches ``threshold``.

    Reasoning, a coding task or a calculation is enough on its own (weight 2); a mention of
    code, several steps, a list or length add to it; a short translate/define/rephrase request
    takes 1.5 away.
    """
    low = lower(prompt)
    words = low.count(" ") + low.count("\n") + 1
    trig = _OWN_PASS.triggers(low)
    counts = _counts(trig)
    found: dict[str, float] = {}
    if words > 200:
        found["very_long"] = WEIGHTS["very_long"]
    elif words > 60:
        found["long"] = WEIGHTS["long"]
    for name in ("reasoning", "code_task", "math"):
        if counts[name]:
            found[name] = WEIGHTS[name]
    if counts["code"] or trig.contains(_CODE_MARKS_AT):
        found["code"] = WEIGHTS["code"]
    if counts["steps"] >= 2:
        found["multi_step"] = WEIGHTS["multi_step"]
    if _numbered_items(prompt) >= 2:
        found["list"] = WEIGHTS["list"]
    if words < 40 and counts["simple"]:
        found["simple"] = WEIGHTS["simple"]
    score = round(sum(found.values()), 2)
    return Complexity("complex" if score >= threshold else "simple", score, tuple(found))


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
