"""The Ukrainian edition is the English source, translated cell by cell, and nothing else.

For every lesson: each English cell has a translation made from its current text (fingerprint), the two
editions' code cells differ only in comments and learner-facing strings, check cells are identical, and the
committed ``solutions/uk`` / ``notebooks/uk`` files are what ``labs build-notebooks`` writes. The glossary's
terms are used consistently. The mechanism itself is tested on small notebooks written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from labs.exercises import build_notebooks, learner_version
from labs.translations import (Translation, build_editions, candidates, check_edition, code_differences, dump, editions,
                               fingerprint, load, orphan_editions, stamp, translate)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, NOTEBOOKS = ROOT / "solutions", ROOT / "notebooks"
LESSONS = [p.stem for p in sorted(SOLUTIONS.glob("*.ipynb"))]
UNTRANSLATED: set[str] = set()
"""Lessons whose translation is still to be written (each fails its check below, as expected). Empty when done."""


@pytest.mark.parametrize("lang", editions())
@pytest.mark.parametrize("lesson", LESSONS)
def test_edition_is_the_current_english_translated(lang, lesson, request):
    if lesson in UNTRANSLATED:
        request.applymarker(pytest.mark.xfail(strict=True, reason="translation not written yet"))
    problems = check_edition(SOLUTIONS, NOTEBOOKS, lang, lesson)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("lang", editions())
def test_no_edition_without_an_english_lesson(lang):
    assert orphan_editions(SOLUTIONS, NOTEBOOKS, lang) == []


# --- the glossary: one term per concept, current orthography -----------------------------------------------------------

GLOSSARY = yaml.safe_load((ROOT / "labs" / "data" / "glossary.yaml").read_text(encoding="utf-8"))


def _ukrainian_texts() -> dict[str, str]:
    texts = {"README.uk.md": (ROOT / "README.uk.md").read_text(encoding="utf-8")}
    for path in sorted((SOLUTIONS / "uk").glob("*.yaml")):
        tr = load(path)
        for cid, entry in tr.cells.items():
            texts[f"{path.name} {cid}"] = entry.get("markdown", "") + "\n".join(b for _, b in entry.get("replace", []))
    messages = yaml.safe_load((ROOT / "labs" / "data" / "messages.yaml").read_text(encoding="utf-8"))
    texts.update({f"messages.yaml {k}": v["uk"] for k, v in messages.items()})
    # the quiz bank speaks to the learner in lessons 0-5 and 05_check_yourself (issue 17 r2 F7): every Ukrainian
    # string in it, wherever it sits (a `uk:` value, or a list/dict under one)
    bank = yaml.safe_load((ROOT / "labs" / "data" / "questions.yaml").read_text(encoding="utf-8"))
    texts.update({f"questions.yaml {where}": text for where, text in _uk_strings(bank, "")})
    return texts


def _uk_strings(node, where: str, under_uk: bool = False):
    """(path, text) for every string in ``node`` that is Ukrainian: under a ``uk`` key, or written in Cyrillic."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _uk_strings(value, f"{where}.{key}", under_uk or key == "uk")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _uk_strings(value, f"{where}[{i}]", under_uk)
    elif isinstance(node, str) and (under_uk or re.search("[а-яіїєґ]", node, re.I)):
        yield where, node


def test_glossary_terms_are_used_consistently():
    assert GLOSSARY["terms"], "the glossary is empty"
    for term in GLOSSARY["terms"]:
        assert term.get("en") and term.get("uk"), f"a glossary term needs both `en` and `uk`: {term}"
    avoided = [(re.compile(rf"(?i)(?<!\w){pattern}"), term) for term in GLOSSARY["terms"] for pattern in term.get("avoid", [])]
    found = [f"{where}: «{m.group(0)}» — write «{term['uk']}» ({term['en']})"
             for where, text in _ukrainian_texts().items() for rx, term in avoided for m in [rx.search(text)] if m]
    assert not found, "\n".join(found)


# --- the mechanism, on notebooks written here ---------------------------------------------------------------------------

def _nb(*cells: tuple[str, str, str]) -> dict:
    return {"cells": [{"id": cid, "cell_type": kind, "source": src, "metadata": {},
                       **({"outputs": [], "execution_count": None} if kind == "code" else {})} for cid, kind, src in cells],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


ENGLISH = _nb(("m1", "markdown", "## Cost\n\nWhat a month costs."),
              ("c1", "code", 'total = 2 * 3  # SOLUTION\nprint(f"total: {total:,.2f} USD")  # per month\nreply = {"eval_count": 1}'),
              ("c2", "code", 'check("lesson9.total")'))
UKRAINIAN = {"m1": {"markdown": "## Вартість\n\nСкільки коштує місяць."},
             "c1": {"replace": [['"total: {total:,.2f} USD"', '"разом: {total:,.2f} USD"'], ["# per month", "# на місяць"]]},
             "c2": {}}


@pytest.fixture
def workbook(tmp_path):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    (solutions / "uk").mkdir(parents=True)
    notebooks.mkdir()
    (solutions / "09_cost.ipynb").write_text(json.dumps(ENGLISH), encoding="utf-8")
    tr = Translation("09_cost", "uk", {cid: dict(entry) for cid, entry in UKRAINIAN.items()})
    (solutions / "uk" / "09_cost.yaml").write_text(dump(tr, list(UKRAINIAN)), encoding="utf-8")
    stamp(solutions, "uk", "09_cost")
    build_notebooks(solutions, notebooks)
    return solutions, notebooks


def _edit_english(solutions: Path, cid: str, new_source: str) -> None:
    path = solutions / "09_cost.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    next(c for c in nb["cells"] if c["id"] == cid)["source"] = new_source
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_build_writes_both_editions_and_the_learner_one_from_the_translation(workbook):
    solutions, notebooks = workbook
    assert check_edition(solutions, notebooks, "uk", "09_cost") == []
    uk = json.loads((solutions / "uk" / "09_cost.ipynb").read_text(encoding="utf-8"))
    learner = json.loads((notebooks / "uk" / "09_cost.ipynb").read_text(encoding="utf-8"))
    assert [c["source"] for c in uk["cells"]][:2] == [
        "## Вартість\n\nСкільки коштує місяць.",
        'total = 2 * 3  # SOLUTION\nprint(f"разом: {total:,.2f} USD")  # на місяць\nreply = {"eval_count": 1}']
    assert learner == learner_version(uk)
    assert learner["cells"][1]["source"].startswith("total = ...\n")
    assert [c["id"] for c in uk["cells"]] == [c["id"] for c in ENGLISH["cells"]]


def test_a_changed_english_cell_is_reported_by_lesson_and_cell_and_shown_in_english(workbook):
    solutions, notebooks = workbook
    _edit_english(solutions, "m1", "## Cost per month\n\nWhat a month costs.")
    build_notebooks(solutions, notebooks)
    problems = check_edition(solutions, notebooks, "uk", "09_cost")
    assert [(p.lesson, p.cell, p.kind) for p in problems] == [("09_cost", "m1", "stale")]
    assert "09_cost, cell m1 [stale]" in str(problems[0])
    uk = json.loads((solutions / "uk" / "09_cost.ipynb").read_text(encoding="utf-8"))
    assert uk["cells"][0]["source"] == "## Cost per month\n\nWhat a month costs."  # never a translation of old text
    path = solutions / "uk" / "09_cost.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["cells"]["m1"]["markdown"] = "## Вартість за місяць\n\nСкільки коштує місяць."
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert stamp(solutions, "uk", "09_cost", ["m1"]) == ["m1"]
    build_notebooks(solutions, notebooks)
    assert check_edition(solutions, notebooks, "uk", "09_cost") == []


def test_a_changed_code_cell_keeps_the_replacements_that_still_match(workbook):
    solutions, notebooks = workbook
    _edit_english(solutions, "c1", ENGLISH["cells"][1]["source"] + "\nprint(reply)  # new line")
    build_notebooks(solutions, notebooks)
    problems = check_edition(solutions, notebooks, "uk", "09_cost")
    assert [(p.cell, p.kind) for p in problems] == [("c1", "stale")]
    uk = json.loads((solutions / "uk" / "09_cost.ipynb").read_text(encoding="utf-8"))
    assert "разом" in uk["cells"][1]["source"] and uk["cells"][1]["source"].endswith("print(reply)  # new line")


def test_a_new_english_cell_without_translation_fails(workbook):
    solutions, notebooks = workbook
    path = solutions / "09_cost.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"id": "m2", "cell_type": "markdown", "source": "## New", "metadata": {}})
    path.write_text(json.dumps(nb), encoding="utf-8")
    problems = check_edition(solutions, notebooks, "uk", "09_cost")
    assert ("m2", "missing") in [(p.cell, p.kind) for p in problems]
    assert any(p.kind == "generated" for p in problems)  # the committed edition is now behind its source


@pytest.mark.parametrize("pair, why", [
    (['"eval_count"', '"кількість"'], "code differs"),          # an API field name
    (["2 * 3", "2 * 4"], "code differs"),                       # the code itself
    (["# SOLUTION", "# РІШЕННЯ"], "learner edition"),           # the solution marker: the learner would see the answer
    (['{total:,.2f}', '{total:,.3f}'], "code differs"),         # a format spec inside an f-string
])
def test_a_replacement_that_touches_code_fails(workbook, pair, why):
    solutions, notebooks = workbook
    path = solutions / "uk" / "09_cost.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["cells"]["c1"]["replace"].append(pair)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    build_notebooks(solutions, notebooks)
    problems = [p for p in check_edition(solutions, notebooks, "uk", "09_cost") if p.kind == "code"]
    assert problems and problems[0].cell == "c1" and why in str(problems[0]), problems


def test_check_cells_and_hand_edits_of_the_generated_edition_are_caught(workbook):
    solutions, notebooks = workbook
    path = solutions / "uk" / "09_cost.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["cells"]["c2"]["replace"] = [["lesson9.total", "lesson9.total "]]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert any("check cell must be identical" in str(p) for p in check_edition(solutions, notebooks, "uk", "09_cost"))
    raw["cells"]["c2"]["replace"] = []
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    edited = notebooks / "uk" / "09_cost.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Вартість", "Ціна"), encoding="utf-8")
    assert [p.kind for p in check_edition(solutions, notebooks, "uk", "09_cost")] == ["generated"]


def test_untranslated_markdown_and_orphans_are_reported(workbook):
    solutions, notebooks = workbook
    path = solutions / "uk" / "09_cost.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["cells"]["m1"]["markdown"] = ENGLISH["cells"][0]["source"]
    raw["cells"]["gone"] = {"en": "0" * 12, "markdown": "Видалена клітинка"}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    kinds = {(p.cell, p.kind) for p in check_edition(solutions, notebooks, "uk", "09_cost")}
    assert {("m1", "untranslated"), ("gone", "orphan")} <= kinds
    (solutions / "09_cost.ipynb").unlink()
    assert len(orphan_editions(solutions, notebooks, "uk")) == 3  # the yaml and both generated notebooks


def test_code_differences_and_candidates():
    assert code_differences('assert x > 0, "x must be positive"', 'assert x > 0, "x має бути додатним"') is None
    assert code_differences('ax.set_title(f"Cold vs warm, {MODEL}")', 'ax.set_title(f"Холодний і теплий, {MODEL}")') is None
    assert code_differences('ax.set_title(f"Cold, {MODEL}")', 'ax.set_title(f"Холодний, {MODEL2}")') is not None
    assert code_differences('print(f"{n} machine(s) like this one")', 'print(f"машин, як ця: {n}")') is None  # text moves
    assert code_differences('print(f"{n:.2f} s")', 'print(f"{n:.3f} с")') is not None
    assert code_differences('x = "stop"', 'x = "стоп"') is not None  # a value the code uses, not text it shows
    assert code_differences('kind = "embedded server" if e else "real Ollama"', 'kind = "вбудований сервер" if e else "Ollama"') is None
    assert code_differences('r = llm.generate("Say hi.")', 'r = llm.generate("Привітайся.")') is not None  # a prompt stays
    assert code_differences('q1 = "a, c, e"', 'q1 = "а, в, е"') is not None  # an answer, not a phrase
    assert code_differences('if r == "stop": print("done")', 'if r == "стоп": print("готово")') is not None
    assert code_differences('display(s.to_frame("speed"))', 'display(s.to_frame("швидкість"))') is None
    assert code_differences('display(pd.DataFrame([{"case": 1}]))', 'display(pd.DataFrame([{"випадок": 1}]))') is not None
    assert code_differences('print(decide(data="public"))', 'print(decide(data="публічні"))') is not None
    assert code_differences('display(df[["model"]])', 'display(df[["модель"]])') is not None
    # a dict key that is a phrase is a name a learner reads (lesson 1's case names); a one-word key is code
    assert code_differences('cases = {"clinic with patient notes": dict(n=1)}',
                            'cases = {"клініка із записами пацієнтів": dict(n=1)}') is None
    assert code_differences('row = {"model": m, "quant": q}', 'row = {"модель": m, "quant": q}') is not None
    # a dict value that is a phrase is a table cell a learner reads (lesson 3's tools); a one-word value is code
    assert code_differences('rows = [{"tool": "RouteLLM", "personal data": "not its job"}]',
                            'rows = [{"tool": "RouteLLM", "персональні дані": "не її справа"}]') is None
    assert code_differences('p = {"target": "cloud"}', 'p = {"target": "хмара"}') is not None
    assert code_differences('ax.set_yticks(y, [f"{k} (of {n})" for k, n in z])',
                            'ax.set_yticks(y, [f"{k} (з {n})" for k, n in z])') is None  # tick labels are shown
    assert candidates('"""Doc."""\nx = df["a"]  # why\nprint("shown", f"{x} USD")') == ['"""Doc."""', '# why', '"shown"',
                                                                                                  'f"{x} USD"']


def test_translation_files_round_trip_and_reject_bad_entries(tmp_path):
    tr = Translation("09_cost", "uk", {"m1": {"en": fingerprint("x"), "markdown": "Рядок\n\n  з відступом\n"},
                                       "c1": {"en": "abc", "replace": [['"a\\"b"', "'в'"]]}})
    path = tmp_path / "09_cost.yaml"
    path.write_text(dump(tr, ["m1", "c1"]), encoding="utf-8")
    assert load(path).cells == tr.cells
    path.write_text("cells:\n  c1:\n    replace: [only-one]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="c1.*pairs"):
        load(path)


def test_build_editions_reports_what_is_shown_in_english(workbook):
    solutions, notebooks = workbook
    _edit_english(solutions, "m1", "## Changed")
    said: list[str] = []
    build_editions(solutions, notebooks, report=said.append)
    assert len(said) == 1 and "1 cell" in said[0]
    nb, problems = translate(json.loads((solutions / "09_cost.ipynb").read_text(encoding="utf-8")),
                             load(solutions / "uk" / "09_cost.yaml"))
    assert [p.kind for p in problems] == ["stale"]


def test_lab_opens_the_edition_lab_lang_names(tmp_path, monkeypatch):
    from labs.cli import lab_folder

    monkeypatch.chdir(tmp_path)
    (tmp_path / "notebooks").mkdir()
    assert lab_folder("en") == Path("notebooks")
    with pytest.raises(ValueError, match="labs build-notebooks"):
        lab_folder("uk")
    (tmp_path / "notebooks" / "uk").mkdir()
    (tmp_path / "notebooks" / "uk" / "00_start_here.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("LAB_LANG", "uk")
    assert lab_folder() == Path("notebooks") / "uk"
    monkeypatch.setenv("LAB_LANG", "fr")
    with pytest.raises(ValueError, match="LAB_LANG to one of"):
        lab_folder()


@pytest.mark.parametrize("lang", editions())
def test_translated_markdown_shows_dollar_amounts_as_written(lang):
    from labs import display

    found = []
    for path in sorted((SOLUTIONS / lang).glob("*.yaml")):
        for cid, entry in load(path).cells.items():
            found += [f"{path.name} {cid}: {span[:60]!r}" for span in display.money_as_math(entry.get("markdown", ""))]
    assert not found, "write amounts as the English cell does ('<span>&#36;</span>', labs.display.literal_dollars):\n" + \
        "\n".join(found)


def test_a_ukrainian_file_matches_the_english_exercise_notebook_and_its_check_cells(tmp_path):
    from labs.grading import find_reference, review

    for uk in sorted((SOLUTIONS / "uk").glob("*.ipynb")) + sorted((NOTEBOOKS / "uk").glob("*.ipynb")):
        submission = tmp_path / f"alice-{uk.name}"
        submission.write_bytes(uk.read_bytes())
        reference = find_reference(submission, SOLUTIONS)
        assert reference == SOLUTIONS / uk.name
        cells, _ = review(json.loads(uk.read_text(encoding="utf-8")), json.loads(reference.read_text(encoding="utf-8")))
        assert cells == [], f"{uk}: {cells}"


def _sandbox_problem() -> str | None:
    from labs.grading import bwrap_problem

    return bwrap_problem()


@pytest.mark.skipif(_sandbox_problem() is not None, reason="labs grade needs bubblewrap (scripts/apt-packages.txt)")
def test_labs_grade_scores_a_ukrainian_submission_as_the_english_one(server_url, monkeypatch, tmp_path):
    """The shortest real lesson, solved and unsolved, in both editions: the same mark and points per exercise."""
    from labs.grading import grade

    lesson = "05_check_yourself"
    if not (SOLUTIONS / "uk" / f"{lesson}.ipynb").exists():
        pytest.skip(f"{lesson} has no Ukrainian edition yet")
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    files = []
    for edition, folder in (("en", ""), ("uk", "uk")):
        for kind, root in (("solved", SOLUTIONS), ("learner", NOTEBOOKS)):
            (tmp_path / edition).mkdir(exist_ok=True)
            files.append(tmp_path / edition / f"{kind}-{lesson}.ipynb")
            files[-1].write_bytes((root / folder / f"{lesson}.ipynb").read_bytes())
    grades = grade(files, solutions=SOLUTIONS, cell_timeout=60, notebook_timeout=240)

    def summary(g):
        return g.mark, g.score, g.max_score, [(e.id, e.points, e.public.status if e.public else None,
                                                [h.status for h in e.hidden]) for e in g.exercises]

    en_solved, en_learner, uk_solved, uk_learner = (summary(g) for g in grades)
    assert en_solved[1] == en_solved[2] > 0 and en_learner[1] == 0  # the comparison means something
    assert uk_solved == en_solved and uk_learner == en_learner
