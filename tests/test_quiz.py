"""The "Check yourself" bank, its widgets and the progress file — on real widgets and a real server."""

from __future__ import annotations

import json
import re

import pytest

from labs.exercises import CheckResult, check, hidden_test, run_hidden
from labs.quiz import bank, practical, progress
from labs.quiz.widgets import show, summary

LANG_FIELDS = ("title",)


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "work" / ".labs-progress.json"
    monkeypatch.setenv("LABS_PROGRESS", str(path))
    monkeypatch.delenv("LAB_LANG", raising=False)
    return path


def _both(value, where):
    assert isinstance(value, dict) and value.get("en") and value.get("uk"), f"{where}: needs en and uk texts"
    assert value["en"] != value["uk"] or value["en"].startswith("http"), f"{where}: uk text is a copy of en"


def test_every_text_exists_in_both_languages():
    for name, value in bank.ui_texts().items():
        _both(value, f"ui.{name}")
    assert [q for q in bank.questions()] == ["q1", "q2", "q3", "q4", "q5"]
    for q in bank.questions().values():
        _both(q.title, q.id)
        for part in q.parts:
            _both(part.prompt, part.ref)
            for opt in part.options:
                _both(opt.text, f"{part.ref}.{opt.id}")
                _both(opt.why, f"{part.ref}.{opt.id} why")
            for name in ("unit", "solution", "hint"):
                if getattr(part, name):
                    _both(getattr(part, name), f"{part.ref}.{name}")
            for key, step in part.steps.items():
                _both(step, f"{part.ref}.steps.{key}")


def test_every_choice_key_decodes_to_one_set_and_answers_are_not_stored_plainly():
    import yaml

    raw = yaml.safe_load(bank.resources.files("labs").joinpath("data", "questions.yaml").read_text(encoding="utf-8"))
    for q in raw["questions"].values():
        for part in q["parts"]:  # an option says what it is and why, never whether it is right
            assert all(set(opt) == {"id", "text", "why"} for opt in part.get("options", []))
    for q in bank.questions().values():
        for part in q.parts:
            if part.kind not in ("single", "multiple"):
                continue
            right = bank.right_options(q.id, part.id)
            assert len(part.key) == 20
            assert right and right <= set(part.option_ids())
            if part.kind == "single":
                assert len(right) == 1
            else:  # a multiple-choice part with one right option would be a single choice in disguise
                assert 1 < len(right) < len(part.options)


def test_choice_answers_are_judged_with_a_mark_for_every_option():
    right = bank.right_options("q1", "when")
    verdict = bank.evaluate("q1", "when", sorted(right))
    assert verdict.correct and set(verdict.options) == set("abcdefg")
    assert all(chosen == ok for chosen, ok in verdict.options.values())
    wrong = bank.evaluate("q1", "when", "a, B")
    assert not wrong.correct and wrong.answer == ["a", "b"]
    assert wrong.options["b"] == (True, "b" in right)
    assert bank.evaluate("q1", "when", "z").problem.startswith("no option z")
    assert bank.evaluate("q2", "port", "ab").problem == "choose exactly one option"
    assert bank.evaluate("q2", "port", "b").correct


def test_numeric_answers_come_from_labs_costs_with_units_and_tolerance():
    # independent arithmetic with the dated prices: 0.34 USD/h × 730 h; (500 × 0.15 + 200 × 0.60)/1M per request
    gpu, per_request, days = 0.34 * 730, (500 * 0.15 + 200 * 0.60) / 1e6, 730 / 24
    expected = {"gpu_month": gpu, "api_month": 10_000 * per_request * days, "break_even": gpu / (per_request * days)}
    for part_id, value in expected.items():
        part = bank.question("q5").part(part_id)
        assert bank.expected_value(part) == pytest.approx(value, rel=1e-9)
        assert part.unit["en"] and part.tolerance["rel"] > 0
        assert bank.evaluate("q5", part_id, value * (1 + part.tolerance["rel"] * 0.9)).correct
        assert not bank.evaluate("q5", part_id, value * (1 + part.tolerance["rel"] * 1.1)).correct
    assert bank.evaluate("q5", "gpu_month", "$248.20").correct
    assert bank.evaluate("q5", "break_even", "41 846").correct
    assert bank.evaluate("q5", "gpu_month", "lots").problem
    # the decimal comma and no-break-space groups of Ukrainian typography (the Ukrainian edition shows 41 846)
    assert bank.evaluate("q5", "gpu_month", "248,2").correct and bank.evaluate("q5", "break_even", "41\u00a0846").correct
    assert bank.evaluate("q5", "gpu_month", "1\u202f963,70", "uk").value == 1963.7
    assert bank.evaluate("q5", "break_even", "41,846", "en").correct  # an English thousands comma
    ambiguous = bank.evaluate("q5", "break_even", "41,846", "uk")  # 41.846 in Ukrainian, 41846 in English: ask
    assert not ambiguous.correct and "41846" in ambiguous.problem and "41.846" in ambiguous.problem
    ctx = bank.context(bank.question("q5").part("gpu_month"))
    assert ctx["gpu_as_of"] == "2026-09" and ctx["api_as_of"] == "2025-06"  # dated prices reach the text


def test_language_comes_from_lab_lang(monkeypatch):
    assert "When is a self-hosted" in show("q1").children[0].value
    monkeypatch.setenv("LAB_LANG", "uk")
    box = show("q1")
    assert "Коли self-hosted" in box.children[0].value
    assert box.views[0].button.description == "Перевірити"
    assert "Коли self-hosted" in show("q1", lang="uk").children[0].value
    monkeypatch.setenv("LAB_LANG", "fr")
    with pytest.raises(ValueError, match="LAB_LANG to one of uk, en"):
        show("q1")


def _tick(view, ids):
    view.select(ids)


def test_choice_widget_gives_feedback_saves_and_restores(progress_file):
    live = summary()
    assert "not started" in live.value
    view = show("q1").views[0]
    view.button.click()
    assert "Choose an answer first" in view.feedback.value and not progress_file.exists()

    right = bank.right_options("q1", "when")
    wrong_pick = {"b"} | set(sorted(right)[:1])
    _tick(view, wrong_pick)
    view.button.click()
    html = view.feedback.value
    assert "✘</span> Not yet" in html and "You missed" in html
    assert html.count("<li>") == len(wrong_pick)  # only the ticked options are explained on a wrong answer
    assert "0 of 1 parts" in live.value  # the summary refreshed itself

    _tick(view, right)
    view.button.click()
    assert "✔</span> Correct." in view.feedback.value and view.feedback.value.count("<li>") == 7
    saved = json.loads(progress_file.read_text())
    entry = saved["quiz"]["q1"]["when"]
    assert entry["correct"] and entry["attempts"] == 2 and entry["answer"] == sorted(right)
    assert "✔</span> done" in live.value

    again = show("q1").views[0]  # re-running the cell restores the answer and its feedback
    assert again.chosen() == sorted(right)
    assert "✔</span> Correct." in again.feedback.value and "Answered before" in again.feedback.value


def test_single_choice_uses_radio_buttons_and_keeps_one_on(progress_file):
    import ipywidgets as w

    view = show("q2").views[0]
    assert view.part.kind == "single" and all(isinstance(b, w.RadioButtons) for b in view.boxes)
    assert [b.value for b in view.boxes] == [None] * 4  # nothing chosen until the learner clicks
    view.boxes[0].value = "a"  # what a click on option a's radio does
    view.boxes[1].value = "b"
    assert [b.value for b in view.boxes] == [None, "b", None, None] and view.chosen() == ["b"]
    view.button.click()
    assert "✔</span> Correct." in view.feedback.value and "◉" in view.feedback.value
    assert show("q2").views[0].chosen() == ["b"]  # restored as a radio choice
    multiple = show("q1").views[0]
    assert multiple.part.kind == "multiple" and all(isinstance(b, w.Checkbox) for b in multiple.boxes)


def _widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _widgets(child)


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_no_label_can_be_cut_off_or_typeset(lang):
    """Captions are HTML (a Label truncates and MathJax typesets its $); buttons size to their text."""
    import ipywidgets as w

    for qid in bank.questions():
        parts = list(_widgets(show(qid, lang=lang)))
        assert not [x for x in parts if isinstance(x, w.Label)]
        assert all(b.layout.width == "max-content" for b in parts if isinstance(b, w.Button))
        assert not [x for x in parts if getattr(x, "description", "") and "$" in x.description]


def test_numeric_widget(progress_file):
    view = show("q5", lang="uk").views[0]
    view.input.value = "not a number"
    view.button.click()
    assert "Не вдається прочитати" in view.feedback.value and not progress_file.exists()
    view.input.value = "300"
    view.button.click()
    assert "Забагато" in view.feedback.value and "$248,20" not in view.feedback.value  # no solution on a wrong answer
    view.input.value = "$248,2"  # the Ukrainian decimal comma, as the Ukrainian edition writes its numbers
    view.button.click()
    assert "✔</span> Правильно." in view.feedback.value and "$248,20" in view.feedback.value
    assert "$248.20" not in view.feedback.value and "248,20 USD" in view.feedback.value
    assert progress.part_state("q5", "gpu_month")["answer"] == pytest.approx(248.2)


def test_progress_file_survives_corruption_and_keeps_done_parts(progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{not json")
    assert progress.load()["quiz"] == {}
    progress.record_part("q2", "port", correct=True, answer=["b"])
    progress.record_part("q2", "port", correct=False, answer=["a"])
    state = progress.part_state("q2", "port")
    assert state["correct"] and not state["last_correct"] and state["attempts"] == 2
    assert [p.name for p in progress_file.parent.iterdir()] == [progress_file.name]  # no temp files left
    progress.reset()
    assert not progress_file.exists()


def test_check_reports_honestly_and_saves_its_result(progress_file):
    right = ", ".join(sorted(bank.right_options("q1", "when")))
    result = check("quiz.q1", {"q1_choices": right})
    assert result.passed and "public checks passed, hidden tests pending" in repr(result)
    assert "all tests passed" not in repr(result).lower()
    assert check("quiz.q1", {"q1_choices": ...}).status == "not answered"
    failed = check("quiz.q1", {"q1_choices": "b"})
    assert failed.status == "failed" and "wrong option" in failed.message
    saved = progress.load()["exercises"]["quiz.q1"]
    assert saved["status"] == "failed" and saved["best_points"] == 1
    assert "quiz.q1" in summary().value


def test_hidden_tests_run_only_when_asked():
    @hidden_test("quiz.test_only", points=2)
    def needs_x(ns):
        assert ns["x"] == 1, "x should be 1"
        return "ok"

    assert [r.status for r in run_hidden("quiz.test_only", {"x": 1})] == ["passed"]
    result = run_hidden("quiz.test_only", {"x": 2})[0]
    assert isinstance(result, CheckResult) and result.status == "failed" and result.max_points == 2
    assert run_hidden("quiz.test_only", {})[0].status == "error"


# --- practical checks against a real server --------------------------------------------------

def test_setup_probe_on_a_live_server(server_url, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    probe = practical.setup()
    assert probe.ok, probe.steps
    assert probe.step("speed").fields["tps"] > 0 and probe.step("generates").fields["tokens"] > 0
    missing = practical.setup("no-such-model:1b")
    assert [s.ok for s in missing.steps] == [True, False, None, None]
    assert "ollama pull no-such-model:1b" in missing.step("model").error


def test_setup_probe_with_no_server(monkeypatch):
    from labs.host import free_port

    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    probe = practical.setup()
    assert [s.ok for s in probe.steps] == [False, None, None, None]


def test_setup_widget_runs_the_probe(server_url, monkeypatch, progress_file):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    view = show("q2").views[1]
    view.button.click()
    assert "✔</span> Correct." in view.feedback.value and "tokens/s" in view.feedback.value
    assert progress.part_state("q2", "setup")["detail"]["speed"]["tps"] > 0


def ask_openai(prompt: str) -> str:
    from labs.client import openai_client

    reply = openai_client().chat.completions.create(
        model="smollm2:135m", messages=[{"role": "user", "content": prompt}], max_tokens=8, temperature=0, seed=1)
    return reply.choices[0].message.content


def ask_ollama(prompt: str) -> str:
    from labs.client import ollama_client

    return ollama_client().generate(model="smollm2:135m", prompt=prompt, options={"num_predict": 8})["response"]


def pretend(prompt: str) -> str:
    return "Local models keep data private."


def lies(prompt: str) -> str:
    ask_ollama(prompt)
    return "Something the server never said."


def unanswered(prompt: str) -> str:
    ...


def streams_then_lies(prompt: str) -> str:
    """Issue 12's attack: stream the reply (not kept whole by the client), then return a fixed sentence."""
    from labs.client import ollama_client

    for _ in ollama_client().generate(model="smollm2:135m", prompt=prompt, stream=True, options={"num_predict": 8}):
        pass
    return "Local models keep data private."


def streams_openai_then_lies(prompt: str) -> str:
    from labs.client import openai_client

    for _ in openai_client().chat.completions.create(model="smollm2:135m", messages=[{"role": "user", "content": prompt}],
                                                     max_tokens=8, temperature=0, seed=1, stream=True):
        pass
    return "Local models keep data private."


def ask_ollama_streamed(prompt: str) -> str:
    from labs.client import ollama_client

    return "".join(part["response"] for part in ollama_client().generate(
        model="smollm2:135m", prompt=prompt, stream=True, options={"num_predict": 8}))


def few_shot(prompt: str) -> str:
    """Issue 12 round 5: canned answers dictated by lines around the prompt in the one user message."""
    from labs.client import ollama_client

    shots = "".join(f"Q: {q}\nA: Cost.\n\n" for q in ("What is 2+2?", "Which is smaller, 7 or 2?"))
    return ollama_client().chat(model="smollm2:135m", messages=[{"role": "user", "content": f"{shots}Q: {prompt}\nA:"}],
                                options={"num_predict": 4})["message"]["content"]


def with_system(prompt: str) -> str:
    from labs.client import ollama_client

    return ollama_client().chat(model="smollm2:135m", options={"num_predict": 4}, messages=[
        {"role": "system", "content": "Reply exactly: Cost."}, {"role": "user", "content": prompt}])["message"]["content"]


@pytest.mark.parametrize("fn", [ask_openai, ask_ollama, ask_ollama_streamed])
def test_sdk_probe_accepts_real_local_calls(fn, server_url, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    probe = practical.sdk(fn)
    assert probe.ok, probe.steps
    assert "127.0.0.1" in probe.step("local_call").fields["calls"]


@pytest.mark.parametrize("fn, failing", [(pretend, "local_call"), (lies, "answer"), (unanswered, "defined"),
                                         (None, "defined"), (streams_then_lies, "answer"),
                                         (streams_openai_then_lies, "answer"), (few_shot, "local_call"),
                                         (with_system, "local_call")])
def test_sdk_probe_rejects_functions_that_do_not_use_the_server(fn, failing, server_url, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    probe = practical.sdk(fn)
    assert not probe.ok and probe.step(failing).ok is False


def test_sdk_widget_finds_the_function_in_the_namespace(server_url, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    view = show("q3", namespace={"ask_local": ask_ollama}).views[1]
    view.button.click()
    assert "✔</span> Correct." in view.feedback.value and "/api/generate" in view.feedback.value


def test_a_learner_json_error_gets_a_hint_not_a_bare_decode_error(server_url, monkeypatch):
    """A function that json.loads a reply the model did not write as JSON: the check says what to change."""
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    from labs.client import LocalLLM

    def ask_local(prompt: str) -> str:
        reply = LocalLLM().generate(prompt, options={"temperature": 0, "seed": 42, "num_predict": 8})  # no format
        return json.loads(reply["response"])["answer"]

    probe = practical.sdk(ask_local)
    step = probe.step("answer") if probe.step("local_call").ok else probe.step("local_call")
    assert step.ok is False and "JSONDecodeError" in step.error
    assert "format=schema" in step.error and "num_predict" in step.error


@pytest.mark.parametrize("answer", ["z", "ab", "", "б", 5])
def test_unreadable_answers_are_explained_in_the_learners_language(answer):
    en = bank.evaluate("q2", "port", answer, "en").problem
    uk = bank.evaluate("q2", "port", answer, "uk").problem
    assert en and uk and en != uk
    assert re.search("[а-яіїєґ]{4}", uk) and not re.search("[а-яіїєґ]{4}", en), (en, uk)
    for words in ("option", "choose", "give", "letters"):
        assert words not in uk, uk


def test_unreadable_numbers_are_explained_in_the_learners_language(monkeypatch):
    for answer in ("lots", True, "nan", "inf"):
        uk = bank.evaluate("q5", "gpu_month", answer, "uk").problem
        en = bank.evaluate("q5", "gpu_month", answer, "en").problem
        assert re.search("[а-яіїєґ]{4}", uk) and "number" in en and "number" not in uk, (en, uk)
    monkeypatch.setenv("LAB_LANG", "uk")  # without lang=, LAB_LANG speaks, as everywhere
    with pytest.raises(ValueError, match="питання 'q9' немає"):
        bank.question("q9")
    assert bank.evaluate("q2", "port", "z").problem.startswith("варіанта z немає")


@pytest.mark.parametrize("written", ["248,20 $", "248,20$", "$248.20", "248.20$", "248,20 дол.", "248,2 USD"])
def test_an_amount_is_read_with_the_dollar_sign_before_or_after(written):
    """F11 (issue 17 r2): a Ukrainian writes the sign after the amount ("248,20 $") or the word ("дол.")."""
    assert bank.evaluate("q5", "gpu_month", written, "uk").correct, written
    assert bank.parse_number(written, "uk") == pytest.approx(248.2)


def test_the_numeric_widget_speaks_the_learners_typography(progress_file):
    """F11: the placeholder is "0,00" in the Ukrainian edition; an entered count is shown without decimals."""
    uk, en = show("q5", lang="uk").views[0], show("q5", lang="en").views[0]
    assert uk.input.placeholder == "0,00" and en.input.placeholder == "0.00"
    count = next(v for v in show("q5", lang="uk").views if v.part.id == "break_even")
    count.input.value = "41 846"
    count.button.click()
    assert "41\u00a0846 " in count.feedback.value and "41\u00a0846,00" not in count.feedback.value, count.feedback.value
    uk.input.value = "248,20 $"
    uk.button.click()
    assert "Ваша відповідь: 248,20 " in uk.feedback.value, uk.feedback.value


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_q5_check_writes_the_learners_numbers_in_their_typography(lang, monkeypatch):
    """Issue 17 r3 F2: the pass message said "41,846.00 запитів на день" and "248.20" in the uk edition."""
    from labs.exercises import run_check

    monkeypatch.setenv("LAB_LANG", lang)
    typed = {"uk": ("248,2", "59,31", "41 846"), "en": ("248.2", "59.31", "41,846")}[lang]
    ns = dict(zip(("q5_gpu_usd_per_month", "q5_api_usd_per_month", "q5_break_even_requests_per_day"), typed))
    result = run_check("quiz.q5", ns)
    assert result.passed, result.message
    want = {"uk": ("248,20 USD", "59,31 USD", "41\u00a0846 запитів"), "en": ("248.20 USD", "59.31 USD", "41,846 requests")}
    assert all(w in result.message for w in want[lang]), result.message
    assert ".00 " not in result.message and ",00 з" not in result.message  # a count has no cents
