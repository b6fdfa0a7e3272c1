"""labs.quality: the checkers on hand-written answers, the item file, the published figures, and one live run."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from labs import quality
from labs.quality import CATEGORIES, CHECKERS, score_answer


@pytest.mark.parametrize("check, answer, expected, right", [
    ("number", "42", 42, True),
    ("number", "17 + 25 = 42.", 42, True),
    ("number", "The answer is 1,000.", 1000, True),
    ("number", "17 + 25 = 42, or 43", 42, False),
    ("number", "17 + 25 = 32.", 42, False),
    ("number", "I cannot compute that.", 42, False),
    ("words", "The capital of France is Paris.", ["Paris"], True),
    ("words", "paris", ["Paris"], True),
    ("words", "A Parisian café.", ["Paris"], False),
    ("words", "A spider has 8 legs.", ["8", "eight"], True),
    ("words", "A spider has 18 legs.", ["8", "eight"], False),
    ("exact", "HELLO", "HELLO", True),
    ("exact", "\"HELLO.\"", "HELLO", True),
    ("exact", "Hello in capital letters.", "HELLO", False),
    ("exact", "Yes", "yes", True),
    ("exact", "Yes, 10 is greater.", "yes", False),
    ("exact", "The cat sat on the mat.", "The cat sat on the mat.", True),
    ("exact", "The cat sat on a mat.", "The cat sat on the mat.", False),
    ("comma_list", "apple, banana, cherry", 3, True),
    ("comma_list", "1. Bananas\n2. Apples\n3. Grapes", 3, False),
    ("comma_list", "apple, banana", 3, False),
    ("dash_lines", "- one\n- two\n- three", 3, True),
    ("dash_lines", "- one\n- two", 3, False),
    ("dash_lines", "one\ntwo\nthree", 3, False),
    ("json", '{"name": "Anna", "age": 30}', {"name": "Anna", "age": 30}, True),
    ("json", '```json\n{"name": "Anna", "age": 30.0, "city": "Kyiv"}\n```', {"name": "Anna", "age": 30}, True),
    ("json", 'Here it is: {"name": "Anna", "age": 30}', {"name": "Anna", "age": 30}, False),
    ("json", '{"name": "Anna", "age": "30"}', {"name": "Anna", "age": 30}, False),
    ("json", '{"ok": 1}', {"ok": True}, False),
    ("json", "[1, 2, 3, 4, 5]", [1, 2, 3, 4, 5], True),
    ("json", '{"user": {"id": 7}', {"user": {"id": 7}}, False),
    ("ukrainian", "Київ", ["Київ"], True),
    ("ukrainian", "Столиця України — Київ.", ["Київ"], True),
    ("ukrainian", "Kyiv", ["Київ"], False),
    ("ukrainian", "Киев", ["Київ"], False),
    ("ukrainian", "Дякую!", ["дякую"], True),
    ("ukrainian", "Спасибо", ["дякую"], False),
    ("ukrainian", "Трава зелена.", ["зелен"], True),
    ("ukrainian", "Прассексівная рус", ["дякую"], False),
    ("ukrainian", "П’ять", ["п'ять"], True),
    ("ukrainian", "Погода сьогодні гарна.", ["погод"], True),
    ("ukrainian", "Это хорошая погода.", ["погод"], False),  # э and ы: Russian
])
def test_checkers_on_hand_written_answers(check, answer, expected, right):
    prompt = "What is 17 + 25? Answer with the number only." if expected == 42 else ""
    assert score_answer(check, answer, expected, prompt) is right


# The walkthrough's failing inputs (issue 17, F2) and more, both ways: wrong answers that used to pass, and right
# answers in the phrasing models really use, scored by each item exactly as the lesson scores them.
ADVERSARIAL = [
    # an echo of the question holds its numbers but answers nothing
    ("divide", "What is 144 divided by 12?", False),
    ("divide", "What is 144 divided by 12? Answer with the number only.", False),
    ("divide", "144 divided by 12", False),
    ("red_planet", "Which planet is called the Red Planet?", False),
    ("uk_capital", "Яка столиця України?", False),
    # a second candidate number, or the right one negated
    ("multiply", "9 times 8 is 64, not 72", False),
    ("multiply", "9 × 8 = 72, not 64", False),
    ("multiply", "The answer is not 72.", False),
    ("add", "17 + 25 = 41. Actually 42", False),
    ("add", "17, 25", False),
    ("divide", "144 divided by 12 is 1.", False),
    ("divide", "144 divided by 12 is 1.44", False),
    ("two_steps", "7 * 6 + 5 = 42 + 5 = 47", True),  # working whose last step is the answer (issue 17 r2 F12)
    ("subtract", "-63", False),
    ("percent", "15", False),
    # Russian without ы э ъ ё
    ("uk_weather", "Погода сегодня хорошая.", False),
    ("uk_weather", "Погода хорошая.", False),
    ("uk_grass", "Зеленая", False),
    ("uk_grass", "зелёная", False),
    ("uk_five", "Пять", False),
    ("uk_thanks", "Спасибо", False),
    ("uk_morning", "Доброе утро", False),
    ("uk_capital", "Киев", False),
    # right answers, phrased as models phrase them
    ("divide", "12", True),
    ("divide", "144 divided by 12 is 12.", True),
    ("divide", "144 / 12 = 12", True),
    ("divide", "Twelve.", True),
    ("divide", "What is 144 divided by 12? 12", True),
    ("multiply", "72", True),
    ("multiply", "9 times 8 is 72.", True),
    ("multiply", "8 × 9 = 72", True),
    ("add", "The answer is **42**.", True),
    ("add", "Forty-two", True),
    ("add", "42 (17 + 25)", True),
    ("subtract", "100 minus 37 equals 63.", True),
    ("subtract", "63 + 37 = 100, so 63", True),
    ("percent", "15% of 200 is 30.", True),
    ("percent", "30.0", True),
    ("two_steps", "7 * 6 + 5 = 47", True),
    ("uk_weather", "Погода сьогодні гарна.", True),
    ("uk_weather", "Сьогодні хороша погода.", True),
    ("uk_grass", "Зелена", True),
    ("uk_grass", "Трава зелена.", True),
    ("uk_grass", "Зелений.", True),
    ("uk_five", "П’ять", True),
    ("uk_morning", "Доброго ранку!", True),
    ("uk_morning", "Добрий ранок.", True),
    ("uk_capital", "Київ.", True),
    ("red_planet", "Mars.", True),
    # issue 17 r2 F12: a negated answer is ruled out, not given; working whose last step is the answer is the answer
    ("capital_france", "Not Paris; it's Lyon", False),
    ("capital_france", "It is not Paris.", False),
    ("capital_france", "Paris, not Lyon.", True),
    ("spider_legs", "not 8, it's 6", False),
    ("spider_legs", "8", True),
    ("two_steps", "7 * 6 = 42, 42 + 5 = 47", True),
    ("two_steps", "7 * 6 = 42, 42 + 5 = 47.", True),
    ("two_steps", "7 * 6 = 42, 42 + 5 = 48", False),
    ("add", "17 + 25 = 41. Actually 42", False),
]


@pytest.mark.parametrize("item_id, answer, right", ADVERSARIAL)
def test_items_score_adversarial_and_real_phrasing(item_id, answer, right):
    item = {i.id: i for i in quality.items()}[item_id]
    assert item.score(answer) is right, (item.prompt, answer)


def test_russian_markers_name_what_gave_the_answer_away():
    assert quality.russian_markers("Погода сегодня хорошая.") == ["сегодня", "хорошая"]
    assert quality.russian_markers("Погода сьогодні гарна, зграя птахів.") == []
    assert quality.check_ukrainian("Привіт", None) and not quality.check_ukrainian("Привет", None)


def test_without_echo_keeps_the_answer():
    assert quality.without_echo("Which planet is called the Red Planet? Mars.",
                                "Which planet is called the Red Planet? Answer in one word.") == "Mars."


def test_russian_only_letters_and_latin_fail_the_ukrainian_check():
    assert not quality.check_ukrainian("Это хорошая погода", None)  # э, ы
    assert not quality.check_ukrainian("Hello, світ", None)  # mostly Latin
    assert quality.check_ukrainian("Привіт, світе!", None)


def test_a_reasoning_block_is_ignored():
    assert score_answer("number", "<think>17+25 is 42, or 41?</think>\n42", 42)
    assert not score_answer("number", "<think>the answer is 42", 42)  # cut off while thinking: no answer


def test_unknown_checker_names_the_known_ones():
    with pytest.raises(KeyError, match="number"):
        score_answer("spelling", "x", None)


def test_items_cover_every_category_with_known_checkers():
    items = quality.items()
    assert len(items) >= 25 and len({i.id for i in items}) == len(items)
    assert {i.category for i in items} == set(CATEGORIES)
    assert all(i.check in CHECKERS and 0 < i.num_predict <= 64 for i in items)
    assert all(len([i for i in items if i.category == c]) >= 5 for c in CATEGORIES)


def test_score_table_adds_up():
    answers = pd.DataFrame({"category": ["json", "facts", "facts", "facts"], "correct": [False, True, True, False]})
    table = quality.score_table(answers)
    assert list(table.index) == ["facts", "json", "all"]
    assert table.loc["all", "items"] == 4 and table.loc["all", "correct"] == 2 and table.loc["all", "score_pct"] == 50.0
    assert math.isclose(table.loc["facts", "score_pct"], 66.7)


def test_published_scores_are_sourced_and_dated():
    pub = quality.published_scores()
    assert {"smollm2:135m", "llama3.2:3b", "qwen3:8b"} <= set(pub["ollama_tag"])
    assert pub["source_url"].str.startswith("https://").all()
    assert pub["published"].str.fullmatch(r"\d{4}-\d{2}").all() and pub["as_of"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert pub["score_pct"].between(0, 100).all() and pub["category"].isin(CATEGORIES).all()
    assert pub["read_via"].str.len().gt(0).all()


def test_the_module_tag_llama3_2_is_the_published_3b():
    assert quality._same_model("llama3.2:3b", "llama3.2")
    assert quality._same_model("smollm2:135m", "smollm2:135m")
    assert not quality._same_model("qwen3:8b", "qwen3:235b")


def test_live_run_reports_a_score_per_category(llm):
    run = quality.run_quality(llm)
    assert run.model == llm.model and run.seconds > 0
    assert list(run.answers.columns) == ["id", "category", "prompt", "answer", "correct", "tokens", "seconds"]
    assert len(run.answers) == len(quality.items()) and run.answers["answer"].map(type).eq(str).all()
    # each answer respects its item's token cap
    caps = {i.id: i.num_predict for i in quality.items()}
    assert all(0 < t <= caps[i] for i, t in zip(run.answers["id"], run.answers["tokens"]))
    assert list(run.table.index) == [*CATEGORIES, "all"]
    assert run.table.loc["all", "items"] == len(run.answers) and 0 <= run.score_pct <= 100
    # the run is deterministic: the same item asked again gets the same answer and the same verdict
    again = quality.run_quality(llm, categories=("arithmetic",))
    first = run.answers.set_index("id").loc[again.answers["id"], ["answer", "correct"]]
    assert first.reset_index(drop=True).equals(again.answers[["answer", "correct"]])
    assert quality.same_answers(run, again) == (len(again.answers), len(again.answers))  # what lesson 1 prints
    table = quality.compare_with_published(run)
    measured = table.filter(like="measured_here_pct").iloc[:, 0]
    assert measured.notna().tolist() == table["this_model"].tolist()  # a measured number only beside its own model
    if llm.model == "smollm2:135m":
        assert table["this_model"].sum() >= 3


def _run_with(correct: dict[str, bool], model: str = "smollm2:135m") -> quality.QualityRun:
    chosen = quality.items()
    answers = pd.DataFrame({"id": [i.id for i in chosen], "category": [i.category for i in chosen],
                            "prompt": [i.prompt for i in chosen], "answer": ["line one\nline two " + "x" * 90] * len(chosen),
                            "correct": [correct.get(i.id, False) for i in chosen], "tokens": 1, "seconds": 0.1})
    return quality.QualityRun(model, "labs embedded server", answers, 1.0)


def test_published_comparison_reads_like_with_like():
    """Issue 17 F12: the measured column sat off-screen after the URLs, and MMLU (cloze) read as MMLU."""
    table = quality.compare_with_published(_run_with({"capital_france": True}))
    measured = [c for c in table.columns if c.startswith("measured_here_pct")]
    assert len(measured) == 1 and list(table.columns).index(measured[0]) <= 3  # next to the published figure
    assert table["this_model"].iloc[:3].all() and not table["this_model"].iloc[3:].any()  # the measured model first
    cloze = table.set_index("benchmark").loc["MMLU (cloze)", "their_test"]
    assert "not comparable" in cloze
    mine = table[table["this_model"]]
    assert mine["our_items"].str.contains("one step").all() and (table.loc[~table["this_model"], "our_items"] == "").all()
    assert table.loc[~table["this_model"], measured[0]].isna().all()


def test_answers_table_shows_every_answer_on_one_line():
    run = _run_with({})
    shown = run.answers_table(width=40)
    assert len(shown) == len(quality.items())
    assert shown["answer"].str.len().le(40).all() and shown["answer"].str.contains("⏎").all()
    assert not shown["answer"].str.contains("\n").any()
