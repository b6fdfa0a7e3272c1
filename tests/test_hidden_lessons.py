"""The hidden instructor tests of lessons 0-4 (``grading/hidden/{start,lesson1..4}.py``).

Each must pass on what the solution notebook's exercise cells produce, and fail — status "failed",
never "error" — on a plausible wrong answer. The namespaces are built without running whole
notebooks: the notebook's setup cell (its first code cell), the few cells an answer depends on, and
the answer cells of its "Exercises" section, executed in a fresh dict.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from labs.exercises import exercise_ids, hidden_tests, load_hidden, run_hidden

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = ROOT / "grading" / "hidden"


@pytest.fixture(scope="module", autouse=True)
def _hidden_loaded():
    load_hidden(HIDDEN)


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("LABS_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # mkdtemp() in a setup cell lands under tmp_path


def _sources(name: str) -> list[str]:
    nb = json.loads((ROOT / "solutions" / name).read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in nb["cells"]]


def solution_namespace(name: str, *, needs: tuple[str, ...] = (), extra: dict | None = None) -> dict:
    """Run the setup cell, the cells that define ``needs`` and the exercise answer cells of
    ``solutions/<name>`` in a fresh namespace (``extra`` stands in for values of skipped cells)."""
    cells = _sources(name)
    code = [src for kind, src in cells if kind == "code"]
    start = max(i for i, (kind, src) in enumerate(cells) if kind == "markdown" and "Exercises" in src
                and src.lstrip().startswith("#"))
    answers = [src for kind, src in cells[start:] if kind == "code" and "check(" not in src]
    assert answers, f"no answer cells found in {name}"
    defining = [next(src for src in code if any(line.startswith(f"{n} = ") for line in src.splitlines()))
                for n in needs]
    ns: dict = {"__name__": "__main__", **(extra or {})}
    for src in [code[0], *defining, *answers]:
        exec(compile(src, name, "exec"), ns)
    return ns


def results(exercise_id: str, ns: dict) -> dict[str, str]:
    """``{test name: status}`` for every hidden test of one exercise."""
    return {r.id.split(":", 1)[1]: r.status for r in run_hidden(exercise_id, ns)}


def assert_all_pass(exercise_id: str, ns: dict) -> None:
    got = run_hidden(exercise_id, ns)
    assert got and all(r.status == "passed" for r in got), [repr(r) for r in got]


def assert_fails(exercise_id: str, ns: dict, test: str) -> None:
    got = {r.id.split(":", 1)[1]: r for r in run_hidden(exercise_id, ns)}
    assert got[test].status == "failed", repr(got[test])


def test_every_exercise_with_a_public_check_has_hidden_tests():
    from labs.exercises import lookup

    for name in ("00_start_here", "01_self_hosted_vs_api", "02_ollama_setup", "03_hybrid_routing", "04_gpu_deployment"):
        nb = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
        for exercise_id in exercise_ids(nb):
            lookup(exercise_id)  # has a public check
            tests = hidden_tests(exercise_id)
            assert 1 <= len(tests) <= 2 and all(t.points == 1 for t in tests), (exercise_id, tests)


# --- 00 start here ---------------------------------------------------------------------------

def test_start(monkeypatch, server_url, llm):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    ns = solution_namespace("00_start_here.ipynb")
    assert_all_pass("start.first_reply", ns)

    long = llm.generate("What is llama.cpp?", options={"temperature": 0, "seed": 42, "num_predict": 28})
    assert long["eval_count"] > 20  # the solution's question runs past 20 tokens when allowed
    assert results("start.first_reply", {"reply": long}) == {"kept_to_the_token_budget": "failed",
                                                            "a_fresh_reply_from_the_server": "passed"}
    pasted = {"model": "smollm2:135m", "created_at": "2023-08-04T19:22:45.499127Z", "response": "The sky is blue.",
              "done": True, "total_duration": 5043500667, "load_duration": 5025959, "prompt_eval_count": 26,
              "prompt_eval_duration": 325953000, "eval_count": 5, "eval_duration": 4709213000}
    assert_fails("start.first_reply", {"reply": pasted}, "a_fresh_reply_from_the_server")
    assert results("start.first_reply", {"reply": ...}) == dict.fromkeys(
        ("kept_to_the_token_budget", "a_fresh_reply_from_the_server"), "not answered")


# --- 01 self-hosted vs API --------------------------------------------------------------------

LESSON1 = ("lesson1.break_even", "lesson1.rtx4090_vs_mini", "lesson1.no_break_even", "lesson1.capacity", "lesson1.clinic")


def test_lesson1(monkeypatch, server_url, llm):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    speed = llm.measure("In one sentence: what is a GPU?", options={"temperature": 0, "num_predict": 12})
    ns = solution_namespace("01_self_hosted_vs_api.ipynb", needs=("mini_10k",),
                            extra={"local_tps": speed.server_tokens_per_s})  # section 10's measurement, shortened
    for exercise_id in LESSON1:
        assert_all_pass(exercise_id, ns)

    rounded_down = {"a100_break_even": ns["a100_break_even"] * 0.995, "rtx_box_beats_mini_at": ns["rtx_box_beats_mini_at"] * 0.995}
    assert_fails("lesson1.break_even", rounded_down, "rent_is_cheaper_from_your_volume")
    assert_fails("lesson1.rtx4090_vs_mini", rounded_down, "box_is_cheaper_from_your_volume")
    assert results("lesson1.break_even", {"a100_break_even": ns["a100_break_even"] * 1.005}) == {
        "rent_is_cheaper_from_your_volume": "passed"}  # rounding up is fine

    from labs.checks.lesson1 import H100_CAPPED
    from labs.costs import api_cost, break_even, rental_cost

    api = api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=H100_CAPPED["input_tokens"],
                   output_tokens=H100_CAPPED["output_tokens"])
    uncapped = break_even(api, rental_cost(H100_CAPPED["offer"])).requests_per_day  # ignores one machine's limit
    assert_fails("lesson1.no_break_even", {"h100_break_even": uncapped}, "api_wins_at_every_volume")

    # A figure typed in from elsewhere (a datacenter GPU's peak): derived from this machine's own measurement, far
    # outside the factor the hidden test allows, so it is wrong on a laptop, a GPU box and a slow CI runner alike.
    factor = next(t for t in hidden_tests("lesson1.capacity") if t.name == "speed_is_this_machines").fn.__globals__["SPEED_FACTOR"]
    elsewhere = speed.server_tokens_per_s * factor * 100  # ×100: this test's own measurement can be 7× slow under load
    typed_in = {"local_tps": elsewhere, "requests_per_day_capacity": 86_400 * 0.7 * elsewhere / 200}
    assert_fails("lesson1.capacity", typed_in, "speed_is_this_machines")
    assert_fails("lesson1.clinic", {"clinic_choice": "cloud"}, "choice_follows_from_the_data_not_the_volume")


# --- 02 Ollama ---------------------------------------------------------------------------------

def test_lesson2_solution(monkeypatch, server_url):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    ns = solution_namespace("02_ollama_setup.ipynb")
    for exercise_id in ("lesson2.ask_local", "lesson2.ttft", "lesson2.structured"):
        assert_all_pass(exercise_id, ns)


def test_lesson2_wrong_answers(monkeypatch, server_url):
    from labs import DEFAULT_MODEL
    from labs.client import LocalLLM, openai_client

    monkeypatch.setenv("OLLAMA_HOST", server_url)

    def reworded(prompt):  # "improves" the prompt and lets the reply run long
        reply = openai_client().chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": prompt.strip().split("\n")[0]}], max_tokens=2)
        return reply.choices[0].message.content

    assert_fails("lesson2.ask_local", {"ask_local": reworded}, "unseen_prompt_arrives_word_for_word")

    def unbounded(prompt):
        reply = openai_client().chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": prompt}], max_tokens=200, stop=["."])
        return reply.choices[0].message.content

    assert_fails("lesson2.ask_local", {"ask_local": unbounded}, "reply_is_kept_short")

    def typical(prompt):  # streams, but returns a typical figure instead of its own clock
        for chunk in LocalLLM().stream_generate(prompt, options={"temperature": 0, "num_predict": 2}):
            if chunk.get("response"):
                return 0.45
        return 0.45

    assert_fails("lesson2.ttft", {"time_to_first_token": typical}, "follows_a_longer_delay")

    def fixed_shape(prompt, schema):  # ignores the schema it is given
        return {"answer": "yes"}

    assert_fails("lesson2.structured", {"ask_json": fixed_shape}, "another_schema_shape")
    raising = {"ask_json": lambda prompt, schema: schema["properties"]["sure"]}  # KeyError on a new schema
    assert_fails("lesson2.structured", raising, "another_schema_shape")


# --- 03 hybrid routing -------------------------------------------------------------------------

def test_lesson3(monkeypatch, server_url):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    ns = solution_namespace("03_hybrid_routing.ipynb")
    assert_all_pass("lesson3.policy", ns)
    assert_all_pass("lesson3.detector", ns)

    from labs.router import Finding, detect_pii, heuristic

    def cheap(prompt):  # complexity only: personal data in a hard question goes to the cloud
        return "cloud" if heuristic(prompt).is_complex else "local"

    assert_fails("lesson3.policy", {"my_policy": cheap}, "no_leak_on_new_personal_data")

    def first_word(prompt):
        return "local" if detect_pii(prompt) or prompt.split()[0].lower() != "design" else "cloud"

    assert_fails("lesson3.policy", {"my_policy": first_word}, "answers_any_prompt")  # "".split()[0] raises

    import re

    def naive_ip(text):  # four dotted numbers, nothing checked around them
        return [Finding("ip", m.start(), m.end(), m.group()) for m in re.finditer(r"\d+\.\d+\.\d+\.\d+", text)]

    assert_fails("lesson3.detector", {"find_ip": naive_ip}, "new_surroundings_and_look_alikes")

    def shifted(text):  # right addresses, offsets off by one
        return [Finding("ip", f.start + 1, f.end + 1, f.text) for f in ns["find_ip"](text)]

    assert results("lesson3.detector", {"find_ip": shifted}) == {
        "new_surroundings_and_look_alikes": "failed", "router_keeps_and_masks_a_new_prompt": "failed"}


# --- 04 GPU deployment -------------------------------------------------------------------------

def test_lesson4(monkeypatch, server_url):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    ns = solution_namespace("04_gpu_deployment.ipynb")
    assert_all_pass("lesson4.size_deployment", ns)
    assert_all_pass("lesson4.cheapest_tier", ns)

    from labs import sizing
    from labs.checks.lesson4 import SIZE

    est = sizing.estimate_memory(SIZE["model"], SIZE["quant"], SIZE["context"], SIZE["parallel"])
    no_overhead = {"need_gib": est.weights_gib + est.kv_gib, "smallest_gpu": ns["smallest_gpu"]}
    assert_fails("lesson4.size_deployment", no_overhead, "need_counts_weights_kv_and_overhead")
    bigger = {"need_gib": ns["need_gib"], "smallest_gpu": "A100 80 GB"}
    assert_fails("lesson4.size_deployment", bigger, "gpu_agrees_with_your_need")
    assert_fails("lesson4.cheapest_tier", {"cheapest": "L4 24 GB"}, "fits_meets_target_and_nothing_cheaper_does")
    assert_fails("lesson4.cheapest_tier", {"cheapest": "H100 SXM 80 GB"}, "fits_meets_target_and_nothing_cheaper_does")


# --- blank and junk answers --------------------------------------------------------------------

ANSWERS = {"start.first_reply": ("reply",),
           "lesson1.break_even": ("a100_break_even",), "lesson1.rtx4090_vs_mini": ("rtx_box_beats_mini_at",),
           "lesson1.no_break_even": ("h100_break_even",), "lesson1.capacity": ("requests_per_day_capacity",),
           "lesson1.clinic": ("clinic_choice",),
           "lesson2.ask_local": ("ask_local",), "lesson2.ttft": ("time_to_first_token",), "lesson2.structured": ("ask_json",),
           "lesson3.policy": ("my_policy",), "lesson3.detector": ("find_ip",),
           "lesson4.size_deployment": ("need_gib", "smallest_gpu"), "lesson4.cheapest_tier": ("cheapest",)}
FUNCTIONS = {"ask_local", "time_to_first_token", "ask_json", "my_policy", "find_ip"}


def test_answer_names_cover_every_hidden_exercise():
    assert set(ANSWERS) == {e for e in ANSWERS if hidden_tests(e)} and len(ANSWERS) == 13


def test_blank_answers_are_not_answered():
    """The learner notebook's ``...``: every hidden test says "not answered" (and calls no model)."""
    ns = {name: ... for names in ANSWERS.values() for name in names} | {"local_tps": 40.0}  # local_tps: section 10's
    for exercise_id in ANSWERS:
        assert set(results(exercise_id, ns).values()) == {"not answered"}, exercise_id


def test_junk_answers_fail_and_never_error(monkeypatch, server_url):
    """A wrong type, or a function that returns None, is a failed test with a message, not a grader error."""
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    ns = {name: (lambda *args: None) if name in FUNCTIONS else [1] for names in ANSWERS.values() for name in names}
    ns["local_tps"] = 40.0
    for exercise_id in ANSWERS:
        for r in run_hidden(exercise_id, ns):
            assert r.status == "failed" and r.message, repr(r)


# --- 05 check yourself -------------------------------------------------------------------------

def test_quiz_q3_needs_the_models_answer_to_each_prompt(monkeypatch, server_url):
    """The solution's ``ask_local`` passes; one that gets the model to print the same text whatever it is asked (a
    system prompt that dictates it, round 3 of the grading attack) fails on two unrelated prompts."""
    from labs import DEFAULT_MODEL
    from labs.client import openai_client

    monkeypatch.setenv("OLLAMA_HOST", server_url)
    (cell,) = [src for kind, src in _sources("05_check_yourself.ipynb") if kind == "code" and "def ask_local" in src]
    ns: dict = {"__name__": "__main__"}
    exec(compile(cell, "05_check_yourself.ipynb", "exec"), ns)
    assert results("quiz.q3", ns) == {"prompt_reaches_the_server": "passed"}

    def dictated(prompt):
        reply = openai_client().chat.completions.create(model=DEFAULT_MODEL, temperature=0, seed=1, max_tokens=8,
                                                        messages=[{"role": "user", "content": prompt}])
        return "Privacy." if reply.choices else reply  # the call is real, the answer is not the model's

    assert_fails("quiz.q3", {"ask_local": dictated}, "prompt_reaches_the_server")
