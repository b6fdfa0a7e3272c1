"""The limits of open models, measured: a small quality check a learner runs on any model at ``OLLAMA_HOST``.

Lesson 1 ("quality: frontier vs open-source") runs it. Thirty short items in five categories (arithmetic,
facts, following a format, valid JSON, answering in Ukrainian) live in ``labs/data/quality_items.yaml``;
each answer is scored by a deterministic checker in :data:`CHECKERS` (never by another model), so the same
answers always get the same score. :func:`run_quality` asks the model (temperature 0, fixed seed, a few
tokens per item) and returns a :class:`QualityRun` with a per-item table and a per-category score table;
:func:`published_scores` reads ``labs/data/published_scores.csv`` (MMLU, GSM8K, IFEval… with source, URL and
date) and :func:`compare_with_published` puts the measured scores next to them.

It is a smoke test of what a model can do, not a benchmark: 30 items give a coarse score (one item is
3 percentage points), and the checkers accept only answers in the shape the prompt asks for.

What is repeatable: every request carries :data:`OPTIONS` (greedy, seeded), so the same model on the same
server build and machine gives the same answers run after run and after a restart (checked: two full runs on
one embedded server, identical). What is not: another server build, llama.cpp version, thread count or CPU
does the arithmetic in another order, and a 135M model's near-ties then flip — the walkthrough's 6/30 vs 7/30
(issue 17) were the embedded server before and after it moved generation to its batching engine
(``labs/server/batching.py``, commit 6e3b53a); the server at 739ac21 reproduces the first run's answers
exactly, the current one the second's. Compare scores across machines only to within a few items.

>>> ask = "What is 17 + 25? Answer with the number only."
>>> score_answer("number", "17 + 25 = 42.", 42, ask), score_answer("number", "42, not 41", 42, ask)
(True, False)
>>> score_answer("ukrainian", "Київ", ["Київ"]), score_answer("ukrainian", "Kyiv", ["Київ"])
(True, False)
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

import pandas as pd

CATEGORIES = ("arithmetic", "facts", "format", "json", "ukrainian")
OPTIONS = {"temperature": 0, "seed": 42}
"""Sampling sent with every item: greedy and seeded, so a run repeats on the same server build and machine
(the token cap is per item; see the module docstring for what does not repeat)."""
SYSTEM = "Answer briefly and exactly as asked."


# --- checkers: (answer text, expected, prompt) -> correct? ----------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")
_NEGATED = re.compile(r"(?:\bnot|n't|≠|!=|\bне|\bні)\s*(?:equal(?:s)?(?: to)?|be|дорівнює)?\s*$", re.I)
_FINAL_RESULT = re.compile(r"=\s*\**(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\**\s*[.!]?\s*$")
"""The result of the last step of shown working, when nothing follows it ("…, 42 + 5 = 47.")."""
_WORD_NEGATED = re.compile(r"(?:\bnot|n't|\bне|\bні)\s*(?:the|a|an|is|it's|це)?\s*$", re.I)
"""A negation right before a word ("Not Paris; it's Lyon", "not 8, it's 6"): that word is ruled out, not given."""
_THINK = re.compile(r"<think>.*?(</think>|$)", re.S)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*(.*?)\s*```$", re.S)
_SENTENCE = re.compile(r"[^.?!]+[.?!]?")
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ`][^\W\d_]+)*")
RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
"""Letters Russian writes and Ukrainian does not: an answer with them is not Ukrainian."""
UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
"""Letters Ukrainian writes and Russian does not."""
RUSSIAN_WORDS = frozenset("""
    что как сегодня хорошо хорошая хороший хорошее хорошие спасибо пожалуйста привет здравствуйте доброе утро
    утра нет она они его ее или если где когда сейчас очень будет есть пять зеленая зелёная зеленый зеленое
    киев столица вечер ночь сказать можно нужно
""".split())
"""Common words that are Russian and not Ukrainian ("сегодня" — Ukrainian "сьогодні", "спасибо" — "дякую",
"как" — "як"); with the adjective endings in :data:`RUSSIAN_ENDINGS` they catch a Russian answer that has
none of the Russian-only letters ("Погода сегодня хорошая.", "Зеленая")."""
RUSSIAN_ENDINGS = ("ая", "яя", "ое")
"""Russian adjective endings Ukrainian does not use (Russian "зеленая", "доброе" — Ukrainian "зелена", "добре")."""
_UK_AYA = frozenset({"зграя"})  # Ukrainian words that happen to end like a Russian adjective
APOSTROPHES = "'’ʼ`"
NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {w: 10 * n for n, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if n >= 2}
"""English number words, so "forty-two" counts as 42 (tens and ones; "hundred" and above are not read)."""


def clean(answer: str) -> str:
    """The answer without a reasoning model's ``<think>…</think>`` block and surrounding space."""
    return _THINK.sub("", answer or "").strip()


def without_echo(answer: str, prompt: str) -> str:
    """``answer`` with every sentence of ``prompt`` it repeats word for word removed (case and spacing ignored).

    A model that only repeats the question ("What is 144 divided by 12?") has not answered it, though the
    question holds the answer's number.

    >>> without_echo("What is 144 divided by 12? 12", "What is 144 divided by 12? Answer with the number only.")
    '12'
    """
    text = " ".join(clean(answer).split())
    for sentence in _SENTENCE.findall(prompt or ""):
        sentence = " ".join(sentence.split())
        for piece in (sentence, sentence.rstrip(".?!")):  # with its question mark first
            if len(piece) >= 8:
                text = re.sub(re.escape(piece), " ", text, flags=re.I)
    return " ".join(text.split())


def _spelled(text: str) -> str:
    """English number words as digits: "forty-two" → "42", "Twelve." → "12."."""
    def one(match: re.Match) -> str:
        words = match.group(0).lower().replace("-", " ").split()
        if len(words) == 2 and words[0] in NUMBER_WORDS and words[1] in NUMBER_WORDS \
                and NUMBER_WORDS[words[0]] >= 20 and NUMBER_WORDS[words[1]] < 10:
            return str(NUMBER_WORDS[words[0]] + NUMBER_WORDS[words[1]])
        return str(NUMBER_WORDS[words[0]]) if len(words) == 1 else match.group(0)

    names = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    return re.sub(rf"\b(?:{names})(?:[- ](?:{names}))?\b", one, text, flags=re.I)


def _numbers(text: str) -> list[tuple[float, bool]]:
    """Each number in ``text`` and whether it is negated ("not 72", "≠ 72")."""
    out = []
    for match in _NUMBER.finditer(text):
        value = float(match.group(0).replace(",", ""))
        out.append((value, bool(_NEGATED.search(text[:match.start()]))))
    return out


def _drop_run(values: list[float], run: list[float]) -> list[float]:
    """``values`` without each contiguous occurrence of ``run`` (the question's numbers restated)."""
    if not run or len(run) > len(values):
        return values
    out, i = [], 0
    while i < len(values):
        if values[i:i + len(run)] == run:
            i += len(run)
        else:
            out.append(values[i])
            i += 1
    return out


def check_number(answer: str, expected: float, prompt: str = "") -> bool:
    """``expected`` is THE number the answer states: after removing an echo of ``prompt`` and a restatement
    of the question's numbers in their order or reversed ("17 + 25 = 42", "8 × 9 = 72"), every number left
    equals ``expected`` and none is negated. "42", "The answer is forty-two." pass; "9 times 8 is 64, not 72",
    "17 + 25 = 41. Actually 42" (two candidates) and the question repeated back (no answer) fail.

    Shown working whose last step ends the answer is read by that last result: "7 * 6 = 42, 42 + 5 = 47" passes
    for 47, while "17 + 25 = 41. Actually 42" still fails (the last "=" gives 41).
    """
    found = _numbers(_spelled(without_echo(answer, prompt)))
    if any(neg and abs(v - float(expected)) < 1e-9 for v, neg in found):
        return False
    values = [v for v, _ in found]
    asked = [v for v, _ in _numbers(prompt or "")]
    for run in (asked, asked[::-1]):
        if len(run) >= 2:
            values = _drop_run(values, run)
    if bool(values) and all(abs(v - float(expected)) < 1e-9 for v in values):
        return True
    final = _FINAL_RESULT.search(_spelled(without_echo(answer, prompt)))  # "… = 42, 42 + 5 = 47": the last step
    return bool(final) and abs(float(final.group(1).replace(",", "")) - float(expected)) < 1e-9


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    for mark in APOSTROPHES:
        text = text.replace(mark, "'")
    return text


def check_words(answer: str, expected: list[str], prompt: str = "") -> bool:
    """One of ``expected`` appears as a whole word, ignoring case, outside an echo of ``prompt``
    ("Paris." matches, "Parisian" does not)."""
    text = _fold(without_echo(answer, prompt))
    hits = [m for w in expected for m in re.finditer(rf"(?<!\w){re.escape(_fold(w))}(?!\w)", text)]
    return bool(hits) and not any(_WORD_NEGATED.search(text[:m.start()]) for m in hits)


def check_exact(answer: str, expected: str, prompt: str = "") -> bool:
    """The answer is ``expected`` and nothing else: case counts, a final full stop or quotes do not.

    >>> check_exact("HELLO.", "HELLO"), check_exact("hello", "HELLO"), check_exact("Yes, it is.", "yes")
    (True, False, False)
    """
    text = clean(answer).strip().strip("\"'“”«»").strip()
    want = str(expected)
    if want.islower():  # "yes" / "blue": the word matters, not its capital letter
        text = text[:1].lower() + text[1:]
    return text.rstrip(".!") == want.rstrip(".!")


def check_comma_list(answer: str, expected: int, prompt: str = "") -> bool:
    """One line of exactly ``expected`` comma-separated items, each of at most three words."""
    text = clean(answer).rstrip(".")
    if "\n" in text:
        return False
    parts = [p.strip() for p in text.split(",")]
    return len(parts) == int(expected) and all(p and len(p.split()) <= 3 for p in parts)


def check_dash_lines(answer: str, expected: int, prompt: str = "") -> bool:
    """Exactly ``expected`` non-empty lines, each starting with "-"."""
    lines = [ln.strip() for ln in clean(answer).splitlines() if ln.strip()]
    return len(lines) == int(expected) and all(ln.startswith("-") and len(ln) > 1 for ln in lines)


def parse_json_answer(answer: str) -> Any:
    """The answer as JSON (one ``` fence around it is allowed); raises ``ValueError`` when it is not JSON."""
    text = clean(answer)
    fenced = _FENCE.match(text)
    return json.loads(fenced.group(1) if fenced else text)


def check_json(answer: str, expected: Any, prompt: str = "") -> bool:
    """The whole answer is JSON and equals ``expected`` (objects: these keys with these values, extra keys allowed)."""
    try:
        value = parse_json_answer(answer)
    except ValueError:
        return False
    return _json_matches(value, expected)


def _json_matches(value: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(k in value and _json_matches(value[k], v) for k, v in expected.items())
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, (int, float)):
        return isinstance(value, (int, float)) and float(value) == float(expected)
    if isinstance(expected, str):
        return isinstance(value, str) and _fold(value.strip()) == _fold(expected)
    if isinstance(expected, list):
        return isinstance(value, list) and len(value) == len(expected) and all(map(_json_matches, value, expected))
    return value == expected


def cyrillic_share(text: str) -> float:
    """The share of letters in ``text`` that are Cyrillic (0.0 when it has no letters).

    >>> cyrillic_share("Київ"), cyrillic_share("Kyiv"), cyrillic_share("123")
    (1.0, 0.0, 0.0)
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum("CYRILLIC" in unicodedata.name(c, "") for c in letters) / len(letters)


def russian_markers(text: str) -> list[str]:
    """What marks ``text`` as Russian rather than Ukrainian: Russian-only letters (ы э ъ ё), common
    Russian-only words (:data:`RUSSIAN_WORDS`) and Russian adjective endings (:data:`RUSSIAN_ENDINGS`).

    >>> russian_markers("Погода сегодня хорошая."), russian_markers("Погода сьогодні гарна.")
    (['сегодня', 'хорошая'], [])
    """
    found = sorted(RUSSIAN_ONLY & set(text))
    for word in _WORD.findall(_fold(text)):
        if word in RUSSIAN_WORDS or (len(word) >= 4 and word.endswith(RUSSIAN_ENDINGS) and word not in _UK_AYA):
            found.append(word)
    return found


def check_ukrainian(answer: str, expected: list[str] | None, prompt: str = "", *, min_share: float = 0.8) -> bool:
    """Written in Ukrainian, not Russian: at least ``min_share`` of the letters Cyrillic, no
    :func:`russian_markers`, and — when ``expected`` is given — one of those words (or stems: "зелен"
    matches "зелений") outside an echo of ``prompt``; without ``expected``, at least one letter only
    Ukrainian writes (і ї є ґ) or an apostrophe inside a word (п'ять)."""
    text = without_echo(answer, prompt)
    if cyrillic_share(text) < min_share or russian_markers(text):
        return False
    folded = _fold(text)
    if expected is None:
        return bool(UKRAINIAN_ONLY & set(text)) or bool(re.search(r"\w'\w", folded))
    return any(_fold(w) in folded for w in expected)


CHECKERS: dict[str, Callable[..., bool]] = {
    "number": check_number, "words": check_words, "exact": check_exact, "comma_list": check_comma_list,
    "dash_lines": check_dash_lines, "json": check_json, "ukrainian": check_ukrainian,
}
"""Each checker is ``(answer, expected, prompt="") -> bool``; ``prompt`` lets it ignore an echo of the question."""


def score_answer(check: str, answer: str, expected: Any, prompt: str = "") -> bool:
    """Score one answer with the named checker; an unknown name is a ``KeyError`` that lists the known ones."""
    try:
        checker = CHECKERS[check]
    except KeyError:
        raise KeyError(f"unknown checker {check!r}: use one of {', '.join(CHECKERS)}") from None
    return bool(checker(answer, expected, prompt))


# --- items ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    id: str
    category: str
    prompt: str
    check: str
    expect: Any
    num_predict: int

    def score(self, answer: str) -> bool:
        return score_answer(self.check, answer, self.expect, self.prompt)


@lru_cache(maxsize=None)
def _load(text: str) -> tuple[Item, ...]:
    import yaml

    raw = yaml.safe_load(text)
    default_cap = int(raw.get("defaults", {}).get("num_predict", 16))
    items = []
    for entry in raw["items"]:
        item = Item(entry["id"], entry["category"], entry["prompt"], entry["check"], entry.get("expect"),
                    int(entry.get("num_predict", default_cap)))
        if item.category not in CATEGORIES:
            raise ValueError(f"quality item {item.id!r}: category {item.category!r} is not one of {CATEGORIES}")
        if item.check not in CHECKERS:
            raise ValueError(f"quality item {item.id!r}: checker {item.check!r} is not one of {tuple(CHECKERS)}")
        items.append(item)
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("quality items: ids must be unique")
    return tuple(items)


def items(categories: tuple[str, ...] | None = None) -> list[Item]:
    """The items of ``labs/data/quality_items.yaml`` (optionally only some categories)."""
    text = resources.files("labs").joinpath("data", "quality_items.yaml").read_text(encoding="utf-8")
    chosen = _load(text)
    return [i for i in chosen if categories is None or i.category in categories]


# --- running --------------------------------------------------------------------------------------------

@dataclass
class QualityRun:
    """One run: ``answers`` has a row per item (id, category, prompt, answer, correct, tokens, seconds);
    ``table`` a row per category (items, correct, score_pct) plus an ``all`` row; ``seconds`` is the
    wall time of the whole run on this machine."""

    model: str
    server: str
    answers: pd.DataFrame
    seconds: float
    table: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.table = score_table(self.answers)

    @property
    def score_pct(self) -> float:
        """The share of all items answered correctly, in percent."""
        return float(self.table.loc["all", "score_pct"])

    def score_line(self) -> str:
        """The run in one line (``LAB_LANG``): model, server, items right of those asked, percent, seconds."""
        from labs.i18n import t

        return t("lesson1.quality.score", model=self.model, server=self.server,
                 correct=int(self.table.loc["all", "correct"]), items=len(self.answers), pct=self.score_pct,
                 seconds=self.seconds)

    def answers_table(self, width: int = 70) -> pd.DataFrame:
        """Every item's answer on one line (line breaks shown as ⏎, cut to ``width`` characters with …), by
        category, with ``correct``: the evidence behind each category's score, all rows at once (lesson 1)."""
        def one_line(text: str) -> str:
            text = " ⏎ ".join(part.strip() for part in str(text).strip().splitlines() if part.strip())
            return text if len(text) <= width else text[: width - 1] + "…"

        shown = self.answers[["category", "id", "answer", "correct"]].copy()
        shown["answer"] = shown["answer"].map(one_line)
        return shown.set_index(["category", "id"])


def score_table(answers: pd.DataFrame) -> pd.DataFrame:
    """Per-category scores from a per-item table with ``category`` and ``correct`` columns.

    >>> score_table(pd.DataFrame({"category": ["facts", "facts", "json"], "correct": [True, False, True]}))
              items  correct  score_pct
    category                           
    facts         2        1       50.0
    json          1        1      100.0
    all           3        2       66.7
    """
    grouped = answers.groupby("category", sort=False)["correct"].agg(items="size", correct="sum")
    order = [c for c in CATEGORIES if c in grouped.index] + [c for c in grouped.index if c not in CATEGORIES]
    table = grouped.loc[order]
    table.loc["all"] = [int(table["items"].sum()), int(table["correct"].sum())]
    table = table.astype(int)
    table["score_pct"] = (100 * table["correct"] / table["items"]).round(1)
    table.index.name = "category"
    return table


def _think_off(llm, model: str) -> dict:
    """``{"think": False}`` for a reasoning model (qwen3, deepseek-r1): its thinking would use up the few
    tokens each item allows. Asked of ``/api/show``'s capabilities; a server that does not list them, or a
    model without thinking, gets nothing (Ollama refuses ``think`` for those)."""
    try:
        caps = llm.show(model).get("capabilities") or []
    except Exception:  # the run itself reports a missing model with the client's own message
        return {}
    return {"think": False} if "thinking" in caps else {}


def run_quality(llm=None, *, model: str | None = None, categories: tuple[str, ...] | None = None,
                progress: Callable[[int, int], None] | None = None) -> QualityRun:
    """Ask ``model`` every item (chat API, temperature 0, seed 42, each item's ``num_predict``) and score it.

    ``llm`` is a :class:`labs.client.LocalLLM` (one for ``OLLAMA_HOST`` if omitted); ``model`` defaults
    to ``llm.model``. Raises the client's errors (``ServerNotRunning``, ``ModelNotFound``) unchanged.
    """
    from labs.client import LocalLLM
    from labs.i18n import t

    own = llm is None
    llm = llm or LocalLLM()
    name = model or llm.model
    try:
        extra = _think_off(llm, name)
        chosen = items(categories)
        rows = []
        started = time.perf_counter()
        for n, item in enumerate(chosen, 1):
            t0 = time.perf_counter()
            reply = llm.chat([{"role": "system", "content": SYSTEM}, {"role": "user", "content": item.prompt}],
                             model=name, options={**OPTIONS, "num_predict": item.num_predict}, **extra)
            answer = reply.get("message", {}).get("content", "")
            rows.append({"id": item.id, "category": item.category, "prompt": item.prompt, "answer": answer,
                         "correct": item.score(answer), "tokens": reply.get("eval_count", 0),
                         "seconds": round(time.perf_counter() - t0, 3)})
            if progress:
                progress(n, len(chosen))
        seconds = time.perf_counter() - started
        server = t("quiz.probe.embedded") if llm.is_embedded() else "Ollama"  # in LAB_LANG, as score_line reads it
    finally:
        if own:
            llm.close()
    return QualityRun(name, server, pd.DataFrame(rows), seconds)


def same_answers(first: QualityRun, second: QualityRun) -> tuple[int, int]:
    """``(identical, compared)``: the items both runs asked, and how many of their answers are the same
    text. Lesson 1 asks some items twice and prints this, so what it says about repeatability was
    measured in that run, not promised.

    >>> a = QualityRun("m", "s", pd.DataFrame({"id": ["x", "y"], "category": ["facts"] * 2, "answer": ["1", "2"],
    ...                                         "correct": [True, False]}), 1.0)
    >>> b = QualityRun("m", "s", pd.DataFrame({"id": ["y"], "category": ["facts"], "answer": ["2"], "correct": [False]}), 1.0)
    >>> same_answers(a, b)
    (1, 1)
    """
    one, two = first.answers.set_index("id")["answer"], second.answers.set_index("id")["answer"]
    common = one.index.intersection(two.index)
    return int((one[common] == two[common]).sum()), len(common)


def repeat_line(same: int, asked: int) -> str:
    """:func:`same_answers`' result as lesson 1 prints it (``LAB_LANG``): how many answers asked twice repeated."""
    from labs.i18n import t

    return t("lesson1.quality.repeat", same=same, asked=asked)


# --- published figures ----------------------------------------------------------------------------------

def published_scores() -> pd.DataFrame:
    """Published benchmark scores of the module's models (``labs/data/published_scores.csv``): one row per
    model and benchmark with ``score_pct``, ``setting``, ``source``, ``source_url``, ``published`` (when the
    figure appeared), ``as_of`` (when it was read) and ``read_via`` (the stored copy it was read from)."""
    with resources.files("labs").joinpath("data", "published_scores.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"ollama_tag": str}).fillna({"ollama_tag": ""})


def _same_model(tag: str, model: str) -> bool:
    """Whether ``model`` is the model published as ``tag``: the same name, or another tag of the same row of
    the module's table (``labs/data/module_models.csv``: ``llama3.2:latest`` is ``llama3.2:3b``)."""
    from labs.models import normalise_tag

    if not tag:
        return False
    with resources.files("labs").joinpath("data", "module_models.csv").open(encoding="utf-8") as fh:
        rows = pd.read_csv(fh)["ollama_tags"]
    names = {normalise_tag(tag)}
    for tags in rows:
        group = {normalise_tag(t) for t in str(tags).split("|")}
        if names & group:
            names |= group
    return normalise_tag(model) in names


BENCHMARK_KEYS = {"MMLU": "mmlu", "MMLU (cloze)": "mmlu_cloze", "GSM8K": "gsm8k", "IFEval": "ifeval", "MMMLU": "mmmlu"}
"""Which ``quality.benchmark.*`` message says what a published benchmark measures (test-set sizes from each
benchmark's paper: MMLU 14,042 questions, GSM8K 1,319 problems, IFEval 541 prompts)."""


def compare_with_published(run: QualityRun) -> pd.DataFrame:
    """The published scores next to this run, like with like: one row per published figure, the measured
    model's rows first, with ``published_pct``, this run's ``measured_here_pct (<model>)`` for the closest
    category (only on the measured model's own rows), ``our_items`` (what that category asked here) and
    ``their_test`` (what the benchmark asks, and when its format is not comparable with another row's).
    Our items are short one-step questions, far easier than the benchmarks: a tiny model can score high on
    them and near chance on MMLU. Texts in ``LAB_LANG`` (``quality.benchmark.*``, ``quality.ours``)."""
    from labs.display import header
    from labs.i18n import t

    pub = published_scores()
    measured, counts = run.table["score_pct"], run.table["items"]
    mine = [_same_model(tag, run.model) for tag in pub["ollama_tag"]]
    out = pd.DataFrame({
        "model": pub["model"], "benchmark": pub["benchmark"], "published_pct": pub["score_pct"],
        f"measured_here_pct ({run.model})": [measured.get(c, float("nan")) if m else float("nan")
                                              for c, m in zip(pub["category"], mine)],
        "our_items": [t("quality.ours", count=int(counts.get(c, 0)), category=header(c)) if m else ""
                      for c, m in zip(pub["category"], mine)],
        "their_test": [t(f"quality.benchmark.{BENCHMARK_KEYS[b]}") if b in BENCHMARK_KEYS else b
                       for b in pub["benchmark"]],
        "setting": pub["setting"], "this_model": mine, "published": pub["published"], "source_url": pub["source_url"],
    })
    return out.sort_values("this_model", ascending=False, kind="stable").reset_index(drop=True)
