"""Issue 17 / 16, attack round 7 (``/work/attacks/issue17-r7/FINDINGS.md``): one test per class R1-R7.

The tests that need a model talk to the session's real server (``server_url``); a stopped server is a real closed
port (``labs.host.free_port()`` with nothing listening), never a mock.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from labs.exercises import run_check
from labs.i18n import t

ROOT = Path(__file__).resolve().parents[1]
UK_WORD = re.compile("[а-яєіїґ]{4}")


def _closed_host() -> str:
    from labs.host import free_port

    return f"127.0.0.1:{free_port()}"  # nothing listens there: a stopped server


# --- R1: a missing model or a stopped server, on every client lesson 2 teaches ---------------------------------------

def _openai_wrong_model(prompt):
    from labs.client import openai_client

    return openai_client().chat.completions.create(
        model="llama3.2", messages=[{"role": "user", "content": prompt}], max_tokens=8).choices[0].message.content


def _openai_stream_wrong_model(prompt):
    from labs.client import openai_client

    started = time.perf_counter()
    for _ in openai_client().chat.completions.create(model="llama3.2", messages=[{"role": "user", "content": prompt}],
                                                     max_tokens=8, stream=True):
        return time.perf_counter() - started


def _ollama_stream_wrong_model(prompt):
    from labs.client import ollama_client

    started = time.perf_counter()
    for _ in ollama_client().chat(model="llama3.2", messages=[{"role": "user", "content": prompt}], stream=True):
        return time.perf_counter() - started


def _lesson_model_call(prompt):
    from labs.client import openai_client
    from labs.settings import lesson_model

    return openai_client().chat.completions.create(
        model=lesson_model(), messages=[{"role": "user", "content": prompt}], max_tokens=4).choices[0].message.content


def _json_from_lesson_model(prompt, schema):
    from labs.models import LocalLLM

    return json.loads(LocalLLM().generate(prompt, format=schema, options={"num_predict": 24})["response"])


WRONG_MODEL = [("lesson2.ask_local", {"ask_local": _openai_wrong_model}),
               ("lesson2.ttft", {"time_to_first_token": _openai_stream_wrong_model}),
               ("lesson2.ttft", {"time_to_first_token": _ollama_stream_wrong_model}),
               ("quiz.q3", {"ask_local": _openai_wrong_model})]


@pytest.mark.embedded
@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("check_id, ns", WRONG_MODEL, ids=lambda v: v if isinstance(v, str) else next(iter(v.values())).__name__)
def test_a_missing_model_gets_the_catalogues_help_on_every_client(server_url, is_embedded, monkeypatch, lang, check_id, ns):
    from labs.settings import missing_model_help

    monkeypatch.setenv("OLLAMA_HOST", server_url)
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check(check_id, ns)
    assert result.status in ("error", "failed"), result
    assert missing_model_help("llama3.2", embedded=is_embedded, lang=lang) in result.message, result.message
    assert "try pulling it first" not in result.message and "status code" not in result.message


STOPPED = [("lesson2.ask_local", {"ask_local": _lesson_model_call}),
           ("lesson2.ttft", {"time_to_first_token": _ollama_stream_wrong_model}),
           ("lesson2.structured", {"ask_json": _json_from_lesson_model}),
           ("quiz.q3", {"ask_local": _lesson_model_call})]


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("check_id, ns", STOPPED, ids=lambda v: v if isinstance(v, str) else next(iter(v.values())).__name__)
def test_a_stopped_server_gets_the_catalogues_start_it_message(monkeypatch, lang, check_id, ns):
    from labs.host import base_url

    monkeypatch.setenv("OLLAMA_HOST", _closed_host())
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check(check_id, ns)
    assert result.status in ("error", "failed"), result
    assert t("errors.server_down", lang, url=base_url()) in result.message, result.message
    assert "recording proxy" not in result.message and "Connection error" not in result.message
    assert "Error code: 502" not in result.message


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_hard_coded_client_address_is_named(server_url, monkeypatch, lang):
    closed = _closed_host()

    def ask_hard_coded(prompt):
        from openai import OpenAI

        client = OpenAI(base_url=f"http://{closed}/v1", api_key="ollama", max_retries=0, timeout=5)
        return client.chat.completions.create(model="smollm2:135m", messages=[{"role": "user", "content": prompt}],
                                              max_tokens=4).choices[0].message.content

    monkeypatch.setenv("OLLAMA_HOST", server_url)
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check("lesson2.ask_local", {"ask_local": ask_hard_coded})
    assert result.status == "error", result
    assert f"http://{closed}" in result.message and "openai_client()" in result.message, result.message
    assert "Connection error" not in result.message


def test_explain_error_knows_every_clients_errors(monkeypatch):
    """The client errors themselves, as the SDKs build them (no server needed for their shapes)."""
    import httpx
    import ollama
    import openai

    from labs.quiz.hints import explain_error

    monkeypatch.setenv("LAB_LANG", "uk")
    host = _closed_host()
    monkeypatch.setenv("OLLAMA_HOST", host)
    request = httpx.Request("POST", f"http://{host}/v1/chat/completions")
    down = t("errors.server_down", "uk", url=f"http://{host}")
    assert down in explain_error(openai.APIConnectionError(request=request))
    assert down in explain_error(ConnectionError("Failed to connect to Ollama. Please check that Ollama is downloaded"))
    assert down in explain_error(ollama.ResponseError(
        f'{{"error": "recording proxy: the upstream http://{host} failed: [Errno 111] Connection refused"}}', 502))
    said = explain_error(ollama.ResponseError("model 'llama3.2' not found", 404))
    assert "llama3.2" in said and UK_WORD.search(said) and "not found" not in said
    assert explain_error(ValueError("my bug")) == "ValueError: my bug"  # the learner's own bug stays as it is


# --- R2: plausible wrong answers are failures that say what was returned and what is expected ------------------------

def _find_one(text):
    from labs.router import Finding

    m = re.search(r"\d+\.\d+\.\d+\.\d+", text)
    return Finding("ip", m.start(), m.end(), m.group()) if m else []


def _find_kind(kind):
    from labs.router import Finding

    return lambda text: [Finding(kind, m.start(), m.end(), m.group()) for m in re.finditer(r"\d+\.\d+\.\d+\.\d+", text)]


def _raises(prompt):
    raise ValueError("my bug")


WRONG = [
    ("lesson3.detector", {"find_ip": _find_one}, {"en": "one Finding", "uk": "один Finding"}),
    ("lesson3.detector", {"find_ip": lambda text: 5}, {"en": "returned a int (5)", "uk": "повернула int (5)"}),
    ("lesson3.detector", {"find_ip": lambda text: {"ip": []}}, {"en": "dict ({'ip': []})", "uk": "dict ({'ip': []})"}),
    ("lesson3.detector", {"find_ip": lambda text: "203.0.113.45"}, {"en": "str ('203.0.113.45')",
                                                                    "uk": "str ('203.0.113.45')"}),
    ("lesson3.detector", {"find_ip": _find_kind("IP")}, {"en": "kind 'IP'", "uk": "kind 'IP'"}),
    ("lesson2.structured", {"ask_json": lambda prompt: {}}, {"en": "def ask_json(prompt, schema)",
                                                             "uk": "def ask_json(prompt, schema)"}),
    ("lesson2.structured", {"ask_json": lambda prompt, schema: {}}, {"en": "the keys 'a_", "uk": "бракує ключів 'a_"}),
    ("lesson2.ask_local", {"ask_local": _raises}, {"en": "ValueError: my bug", "uk": "ValueError: my bug"}),
    ("lesson2.ask_local", {"ask_local": 5}, {"en": "ask_local(prompt)", "uk": "ask_local(prompt)"}),
    ("lesson2.ttft", {"time_to_first_token": lambda prompt: "0.3"}, {"en": "str: '0.3'", "uk": "str: '0.3'"}),
    ("lesson1.capacity", {"requests_per_day_capacity": 5.0, "local_tps": "12"},
     {"en": "(output tokens per second); got str: '12'", "uk": "(вихідних токенів за секунду); отримано str: '12'"}),
]


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("check_id, ns, says", WRONG, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(WRONG)])
def test_wrong_answers_are_failures_that_say_what_was_returned(server_url, monkeypatch, lang, check_id, ns, says):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check(check_id, ns)
    assert result.status == "failed", result  # a wrong answer, not a crash
    assert says[lang] in result.message, result.message
    hint_start = t("check.hint", lang, hint="").strip()
    before_hint = result.message.split(hint_start)[0]
    assert "Error code" not in before_hint and "is a required property" not in before_hint
    if lang == "uk":
        assert UK_WORD.search(before_hint), result.message
        assert "requests per day" not in result.message and "запитів на день" not in result.message


def test_a_chat_completion_is_shown_by_its_head_not_cut_mid_structure():
    from labs.checks.calls import short

    class ChatCompletion:
        def __repr__(self):
            return "ChatCompletion(id='chatcmpl-1', choices=[Choice(finish_reason='stop', index=0, " + "x" * 200 + ")])"

    assert short(ChatCompletion()) == "ChatCompletion(…)"


# --- R7: every blank named; an undefined name is "not run yet", not "still ..." --------------------------------------

@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("check_id, ns, names", [
    ("lesson4.size_deployment", {}, ["need_gib", "smallest_gpu"]),
    ("quiz.q5", {}, ["q5_gpu_usd_per_month", "q5_api_usd_per_month", "q5_break_even_requests_per_day"]),
])
def test_undefined_answers_are_not_called_still_ellipsis(monkeypatch, lang, check_id, ns, names):
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check(check_id, ns)
    assert result.status == "not answered", result
    assert all(f"`{n}`" in result.message for n in names)
    assert "`...`" not in result.message, result.message
    assert t("check.not_defined_many", lang, names="").strip()[:8] in result.message


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_capacity_names_both_blanks_at_once(monkeypatch, lang):
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check("lesson1.capacity", {"requests_per_day_capacity": ...})
    assert result.status == "not answered", result
    assert "`requests_per_day_capacity`" in result.message and "`local_tps`" in result.message, result.message


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_blank_and_an_undefined_name_are_each_said_for_what_they_are(monkeypatch, lang):
    monkeypatch.setenv("LAB_LANG", lang)
    result = run_check("quiz.q4", {"q4_local": ...})
    assert t("check.not_answered_ellipsis", lang, name="q4_local") in result.message
    assert t("check.not_defined", lang, name="q4_fallback") in result.message


# --- R3: the errors of the helpers the lessons teach come from the catalogue, in the learner's language -----------

def _helper_calls():
    from labs import deploy, latency, sizing, tiers

    return {
        "gpus_that_fit(0)": lambda: sizing.gpus_that_fit(0),
        "gpus_that_fit(estimate)": lambda: sizing.gpus_that_fit(sizing.estimate_memory("Qwen3-8B", "Q4_K_M", 8192, 1)),
        "gpus_that_fit('12')": lambda: sizing.gpus_that_fit("12"),
        "gpu_options(latency_target_s=0)": lambda: tiers.gpu_options("Qwen3-8B", "Q4_K_M", context=8192, parallel=1,
                                                                      output_tokens=300, latency_target_s=0),
        "kv_cache_type='q8'": lambda: deploy.OllamaSettings(kv_cache_type="q8"),
        "keep_alive='forever'": lambda: deploy.OllamaSettings(keep_alive="forever"),
        "q8_0 without flash": lambda: deploy.OllamaSettings(kv_cache_type="q8_0", flash_attention=False),
        "tensor_parallel=3": lambda: deploy.VLLMSettings(model="x", tensor_parallel=3),
        "gpu_memory_utilization=90": lambda: deploy.VLLMSettings(model="x", gpu_memory_utilization=90),
        "percentile([])": lambda: latency.percentile([], 95),
        "percentile(q=101)": lambda: latency.percentile([1.0], 101),
    }


@pytest.mark.parametrize("call", list(_helper_calls()))
def test_helper_errors_speak_the_learners_language(monkeypatch, call):
    said = {}
    for lang in ("en", "uk"):
        monkeypatch.setenv("LAB_LANG", lang)
        with pytest.raises(ValueError) as raised:
            _helper_calls()[call]()
        said[lang] = str(raised.value)
    assert said["en"] != said["uk"], said
    assert UK_WORD.search(said["uk"]), said["uk"]
    for english in ("must be", "got ", "use ", "needs ", "not supported between", "percentile of"):
        assert english not in said["uk"], said["uk"]
    if call == "gpus_that_fit(estimate)":
        assert ".total_gib" in said["en"] and ".total_gib" in said["uk"]


# --- R4: a translated prompt or lookup key, and a blindly stamped English string, fail the single-source tests ------

def _lesson_copy(tmp_path: Path, lesson: str) -> Path:
    import shutil

    solutions = tmp_path / "solutions"
    (solutions / "uk").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{lesson}.ipynb", solutions / f"{lesson}.ipynb")
    shutil.copy(ROOT / "solutions" / "uk" / f"{lesson}.yaml", solutions / "uk" / f"{lesson}.yaml")
    return solutions


@pytest.mark.parametrize("lesson, cell, english, translated", [
    ("01_self_hosted_vs_api", "1abc1e5a", '"In one sentence: what is a GPU?"', '"Одним реченням: що таке GPU?"'),
    ("03_hybrid_routing", "lesson3-16", '"Summarise the attached board minutes in two lines."',
     '"Підсумуй додані протоколи правління у двох рядках."'),
    ("03_hybrid_routing", "lesson3-16", '"Design a caching layer for a REST API and compare write-through with write-back step by step."',
     '"Спроєктуй шар кешування для REST API і порівняй write-through із write-back крок за кроком."'),
    ("03_hybrid_routing", "lesson3-16", '"Translate \'good morning\' into Ukrainian."', '"Переклади \'good morning\' українською."'),
    ("03_hybrid_routing", "lesson3-30", '"Hello, about order #58213377', '"Вітаю, щодо замовлення #58213377'),
    ("04_gpu_deployment", "e26ab6d4", '"CPU DDR5-5600 dual channel (8 GB)"', '"CPU DDR5-5600 двоканальна (8 GB)"'),
])
def test_a_translated_model_input_or_lookup_key_fails(tmp_path, lesson, cell, english, translated):
    from labs.translations import check_edition, dump, load

    solutions = _lesson_copy(tmp_path, lesson)
    nb = json.loads((solutions / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    assert english in "".join(next(c for c in nb["cells"] if c.get("id") == cell)["source"])
    path = solutions / "uk" / f"{lesson}.yaml"
    tr = load(path)
    tr.cells[cell].setdefault("replace", []).append([english, translated])
    path.write_text(dump(tr, [str(c.get("id", "")) for c in nb["cells"]]), encoding="utf-8")
    problems = [p for p in check_edition(solutions, tmp_path / "notebooks", "uk", lesson) if p.kind == "code"]
    assert any(p.cell == cell for p in problems), problems


def test_a_stamped_cell_with_new_english_output_fails(tmp_path, capsys):
    from labs.translations import check_edition, main, stamp

    lesson, cell = "01_self_hosted_vs_api", "1abc1e5a"
    solutions = _lesson_copy(tmp_path, lesson)
    path = solutions / f"{lesson}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    target = next(c for c in nb["cells"] if c.get("id") == cell)
    sentence = '"The cloud figure is a published range, not measured here."'
    target["source"] = "".join(target["source"]) + f"\nprint({sentence})"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert stamp(solutions, "uk", lesson, [cell]) == [cell]  # the blind stamp the round found
    problems = check_edition(solutions, tmp_path / "notebooks", "uk", lesson)
    assert [(p.cell, p.kind) for p in problems if p.kind == "untranslated"] == [(cell, "untranslated")], problems
    assert sentence in str(problems[0]) or any(sentence in str(p) for p in problems)
    assert main(["status", "uk", lesson, "--solutions", str(solutions), "--notebooks", str(tmp_path / "notebooks")]) == 1
    assert "up to date" not in capsys.readouterr().out


# --- R3 (editions): raw headers, raw enum values and Python booleans never reach the uk reader --------------------

def test_lesson4_slot_table_header_and_hardware_kinds_are_translated():
    from labs.display import for_reader, header
    from labs.widgets_sizing import fit_report

    assert header("latency_p50_is_lower_bound", "uk") != "latency_p50_is_lower_bound"
    _, frame = fit_report("Qwen3-8B", "Q4_K_M", 8192, 4)
    assert {"gpu", "unified", "cpu"} <= set(frame["kind"])  # the catalogue has all three kinds
    shown = for_reader(frame, "uk")
    cells = {str(v) for v in getattr(shown, "data", shown).to_numpy().ravel()}
    assert not cells & {"gpu", "unified", "cpu"}, cells & {"gpu", "unified", "cpu"}


def _prints_of_bare_truth_values(source: str) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            for arg in node.args:
                if isinstance(arg, (ast.Compare, ast.BoolOp)) or (
                        isinstance(arg, ast.Call) and getattr(arg.func, "id", "").endswith("_ok")):
                    found.append(ast.get_source_segment(source, arg))
    return found


@pytest.mark.parametrize("lesson", ["01_self_hosted_vs_api", "02_ollama_setup", "03_hybrid_routing", "04_gpu_deployment"])
def test_no_lesson_prints_python_true_or_false_into_prose(lesson):
    nb = json.loads((ROOT / "solutions" / "uk" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    bare = {c["id"]: _prints_of_bare_truth_values("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"}
    assert not {k: v for k, v in bare.items() if v}, "print a check's outcome through labs.i18n.yes_no (так/ні)"


def test_yes_no_speaks_the_learners_language():
    from labs.i18n import yes_no

    assert (yes_no(True, "uk"), yes_no(False, "uk"), yes_no(True, "en"), yes_no(False, "en")) == ("так", "ні", "yes", "no")


# --- R5: only the percentiles a sample supports; "no completed requests" is a gap; the legend clears the data -----

def _result(n: int):
    from labs.loadtest import LoadResult, RequestRecord

    records = [RequestRecord(i, 0.1 * i, status=200, ttft_s=0.2, latency_s=1.0 + i, output_tokens=16, prompt_tokens=8)
               for i in range(n)]
    return LoadResult("http://127.0.0.1:1", concurrency=2, planned=n, time_limit_s=60, wall_s=10.0, records=records)


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_load_result_line_prints_only_supported_percentiles(monkeypatch, lang):
    from labs.i18n import number

    monkeypatch.setenv("LAB_LANG", lang)
    small, large = repr(_result(7)), repr(_result(20))
    p95_of_7 = _result(7).summary()["latency_p95_s"]
    assert number(p95_of_7, 2, lang) not in small, small  # no p95 from 7 measurements
    assert "20" in small and "7" in small  # it says what the p95 needs and what it has
    assert number(_result(20).summary()["latency_p95_s"], 2, lang) in large  # 20 support a p95


def test_a_level_without_completed_requests_is_a_gap_and_the_legend_clears_the_data():
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from labs import loadtest

    frame = pd.DataFrame({"concurrency": [1, 2, 4], "completed_ok": [5, 3, 0], "output_tokens_per_s": [9.0, 12.0, 0.0]})
    assert math.isnan(loadtest.completed_throughput(frame).iloc[2])
    fig, ax = plt.subplots()
    ax.plot([1, 2, 4], [30.0, 40.0, 41.0], "o-", label="p50")
    loadtest.legend_clear_of_data(ax)
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    points = ax.transData.transform([(x, y) for x, y in zip([1, 2, 4], [30.0, 40.0, 41.0])])
    assert all(not legend.contains(px, py) for px, py in points)  # no point under the legend
    assert ax.get_ylim()[1] > 41.0 * 1.2  # the top point is not clipped at the edge
    plt.close(fig)
    fig = loadtest.plot_sweep(frame.assign(planned=5, latency_p50_s=[1.0, 2.0, float("nan")],
                                           latency_p50_is_lower_bound=False, latency_p95_s=float("nan"),
                                           latency_p99_s=float("nan"), ttft_p50_s=[0.1, 0.2, float("nan")],
                                           cut_off=0, wall_s=10.0, errors=0, not_started=0))
    ys = fig.axes[0].lines[0].get_ydata()
    assert math.isnan(ys[2]), ys  # plot_sweep too
    plt.close(fig)


# --- R6: decimals a number has, plurals from the catalogue -----------------------------------------------------------

def test_uk_tables_show_the_decimals_their_numbers_have():
    import pandas as pd

    from labs.display import table_html

    table = pd.DataFrame({"value": [793.0, 41.0], "published": [29.3, 1.4], "latency_p50_s": [14.956623, 2.5012],
                          "requests_per_s": [0.0333333, 0.05], "usd_per_month": [248.2, 1963.7]})
    html = table_html(table, "uk")
    for wrong in ("793,00", "29,30", "1,40", "14,9566", "0,03333"):
        assert wrong not in html, wrong
    for right in (">793<", ">29,3<", ">14,96<", ">0,0333<", "248,20", "1\xa0963,70"):
        assert right in html, right


@pytest.mark.parametrize("count, word", [(1, "шматок"), (2, "шматки"), (4, "шматки"), (5, "шматків"), (11, "шматків"),
                                         (21, "шматок"), (22, "шматки")])
def test_streamed_chunk_count_agrees_with_its_noun(count, word):
    said = t("lesson2.stream.chunks", "uk", count=count, reason="stop", eval_count=count)
    assert said.startswith(f"{count} {word};"), said
    source = "".join(next(c for c in json.loads((ROOT / "solutions" / "02_ollama_setup.ipynb").read_text(
        encoding="utf-8"))["cells"] if c.get("id") == "l2-017")["source"])
    assert 't("lesson2.stream.chunks"' in source and "chunks;" not in source


# --- R8: silent wrong answers and confusing help ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "uk"])
def test_break_even_refuses_swapped_or_same_kind_arguments(monkeypatch, lang):
    from labs import costs

    monkeypatch.setenv("LAB_LANG", lang)
    api = costs.api_cost("gpt-4o-mini", requests_per_day=1, input_tokens=500, output_tokens=200)
    rental = costs.rental_cost("A100 80 GB — RunPod secure cloud")
    with pytest.raises(ValueError, match="break_even"):
        costs.break_even(rental, api)
    with pytest.raises(ValueError, match="break_even"):
        costs.break_even(api, api)
    assert costs.break_even(api, rental).api_label == api.label  # the right order still works


@pytest.mark.parametrize("value", ["uk_UA", "uk-UA", "uk_UA.UTF-8"])
def test_a_ukrainian_locale_name_selects_ukrainian(monkeypatch, value):
    monkeypatch.setenv("LAB_LANG", value)
    assert t("check.not_defined", name="x") == t("check.not_defined", "uk", name="x")


@pytest.mark.parametrize("spelled", ["smollm2", "smollm2:135M", "SmolLM2:135m"])
def test_the_lessons_model_spelled_otherwise_is_named_not_sent_to_pull(spelled):
    from labs.settings import missing_model_help

    said = missing_model_help(spelled, embedded=True, lang="en")
    assert "'smollm2:135m'" in said and "size tag" in said and "pull model manifest" not in said
    if ":" in spelled:
        assert f"ollama pull {spelled}" not in said


def test_no_break_even_is_said_once(monkeypatch):
    from labs import costs
    from labs.decide import decide

    monkeypatch.setenv("LAB_LANG", "uk")
    api = costs.api_cost("gpt-4o-mini", requests_per_day=1000, input_tokens=500, output_tokens=200)
    even = costs.break_even(api, costs.rental_cost("H100 SXM 80 GB — RunPod community cloud").with_capacity(50_000))
    said = str(decide(data_sensitivity="public", requests_per_day=1000, break_even=even))
    assert said.count("точки беззбитковості немає") == 1, said


def test_a_returned_chat_completion_is_named_by_its_head(server_url, monkeypatch):
    from labs.client import openai_client
    from labs.quiz import practical
    from labs.settings import lesson_model

    monkeypatch.setenv("OLLAMA_HOST", server_url)

    def whole_reply(prompt):  # the slip: the SDK's object, not its text
        return openai_client().chat.completions.create(model=lesson_model(), max_tokens=4,
                                                       messages=[{"role": "user", "content": prompt}])

    probe = practical.sdk(whole_reply, lang="en")
    said = " ".join(s.error or "" for s in probe.steps)
    assert "ChatCompletion(…)" in said and "Choice(f" not in said, said


# --- R9: cosmetic consistency ----------------------------------------------------------------------------------------

def test_hints_are_sentences_and_fallback_has_one_word():
    for key in ("checks.lesson2.ask_local.hint", "checks.lesson2.structured.hint", "checks.start.first_reply.hint"):
        for lang in ("en", "uk"):
            assert t(key, lang).endswith("."), (key, lang)
    assert "запасний варіант" in t("checks.quiz.q4.passed", "uk", first="a", second="b")
    assert "730/24 дня" in t("checks.lesson1.break_even.hint", "uk")
    readme = (ROOT / "README.uk.md").read_text(encoding="utf-8")
    assert "КіБ" not in readme and "МіБ" not in readme  # the lessons write KiB/MiB/GiB
