"""ipywidgets for the "Check yourself" questions: immediate feedback, progress saved by the kernel.

:func:`show` builds one question (all its parts); :func:`summary` a table of what is done. Each
answer is judged by :mod:`labs.quiz.bank` (the right options are not in the notebook), saved by
:mod:`labs.quiz.progress`, and restored when the notebook is run again. Every widget carries CSS
classes (``labs-quiz-<qid>``, ``labs-quiz-option-<id>``, ``labs-quiz-check``, ``labs-quiz-feedback``)
so a browser test can find it. Used at the end of lessons 1–4 and in ``05_check_yourself``.

A single-answer part shows radio buttons (one ``RadioButtons`` of one option per row, so that every option
keeps its own wrapped HTML text and CSS class; the view lets only one be on), a multiple-answer part
checkboxes. Captions are ``HTML`` widgets, not ``Label``: a Label cuts long text off and JupyterLab
typesets ``$…$`` in it as math (see :mod:`labs.display`); buttons are as wide as their text (never cut off, never stretched).
"""

from __future__ import annotations

import html
import re
import weakref
from typing import Any, Callable

from labs.i18n import messages, number, t
from labs.quiz import bank, practical, progress
from labs.quiz.bank import Part, Question, ui

_SUMMARIES: list[weakref.ref] = []
# Marks drawn from plain fonts (DejaVu has them), not emoji: they render in any browser, headless included.
OK = "<span style='color:#1a7f37;font-weight:bold'>✔</span>"
NO = "<span style='color:#cf222e;font-weight:bold'>✘</span>"
TODO = "<span style='color:#9a6700'>✎</span>"
SKIP = "<span style='color:#666'>–</span>"


def _md(value: str) -> str:
    """Escape text for HTML, turning `code` into <code>code</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(value, quote=False))


def _when(stamp: str | None) -> str:
    return (stamp or "").replace("T", " ")[:16] + " UTC" if stamp else "?"


def _user_namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell.user_ns if shell is not None else {}
    except ImportError:
        return {}


def _record(qid: str, part_id: str, lang: str, **kw: Any) -> str:
    """Save an answer; returns a small line saying where (or why not)."""
    try:
        progress.record_part(qid, part_id, **kw)
        note = ui("saved", lang, path=progress.progress_path())
    except OSError as exc:
        note = ui("not_saved", lang, error=exc)
    refresh_summaries()
    return f"<div style='color:#666;font-size:0.85em'>{_md(note)}</div>"


class PartView:
    """The widgets of one part and what its button does."""

    def __init__(self, question: Question, part: Part, lang: str, namespace: Callable[[], dict]):
        import ipywidgets as w

        self.q, self.part, self.lang, self.namespace = question, part, lang, namespace
        self.ctx = bank.context(part)
        self.feedback = w.HTML().add_class("labs-quiz-feedback")
        self.boxes: list[Any] = []
        self.input: Any = None
        prompt = w.HTML(f"<p><b>{_md(bank.text(part.prompt, lang, **self.ctx))}</b></p>")
        label = ui("run_check" if part.kind == "practical" else "check", lang)
        self.button = w.Button(description=label, button_style="primary", layout=w.Layout(width="max-content"))
        self.button.add_class("labs-quiz-check")
        self.button.on_click(lambda _b: self.check())
        rows: list[Any] = [prompt]
        if part.kind in ("single", "multiple"):
            for opt in part.options:
                if part.kind == "single":
                    box = w.RadioButtons(options=[("", opt.id)], value=None, layout=w.Layout(width="28px"))
                    box.observe(self._only_one, names="value")
                else:
                    box = w.Checkbox(value=False, indent=False, layout=w.Layout(width="28px"))
                box.add_class(f"labs-quiz-option-{opt.id}")
                self.boxes.append(box)
                words = w.HTML(f"<b>{opt.id})</b> {_md(bank.text(opt.text, lang))}", layout=w.Layout(width="auto", flex="1"))
                rows.append(w.HBox([box, words], layout=w.Layout(align_items="center")))
            rows.append(self.button)
        elif part.kind == "numeric":
            self.input = w.Text(placeholder=number(0, 2, lang), layout=w.Layout(width="160px")).add_class("labs-quiz-number")
            unit = w.HTML(_md(bank.text(part.unit, lang)), layout=w.Layout(width="auto", margin="0 8px"))
            rows.append(w.HBox([self.input, unit, self.button], layout=w.Layout(align_items="center")))
        else:
            default = "ask_local" if part.probe == "sdk" else ""
            caption = ui("function_label" if part.probe == "sdk" else "model_label", lang)
            from labs.settings import lesson_model

            # the lessons' own model (LABS_MODEL, else the one the embedded server ships), not one it cannot pull
            hint = "ask_local" if part.probe == "sdk" else lesson_model()
            self.input = w.Text(value=default, placeholder=hint, layout=w.Layout(width="200px"))
            self.input.add_class("labs-quiz-input")
            label = w.HTML(_md(caption), layout=w.Layout(width="auto", margin="0 8px 0 0"))
            rows.append(w.HBox([label, self.input, self.button], layout=w.Layout(align_items="center")))
        rows.append(self.feedback)
        self.widget = w.VBox(rows).add_class(f"labs-quiz-part-{part.id}")
        self._restore()

    # --- state ------------------------------------------------------------------------------
    def _only_one(self, change: dict) -> None:
        if change["new"] is not None:
            for box in self.boxes:
                if box is not change["owner"]:
                    box.value = None

    @staticmethod
    def _is_on(box: Any) -> bool:
        return bool(box.value)  # a checkbox's True, a radio's option id (None when off)

    def _set(self, box: Any, opt_id: str, on: bool) -> None:
        if self.part.kind == "single":
            box.value = opt_id if on else None
        else:
            box.value = on

    def select(self, ids: Any) -> None:
        """Tick exactly these options (what a learner's clicks do; tests and restore use it)."""
        wanted = set(ids)
        for opt, box in zip(self.part.options, self.boxes):
            self._set(box, opt.id, opt.id in wanted)

    def chosen(self) -> list[str]:
        """The ids of the ticked options, in the bank's order."""
        return [o.id for o, box in zip(self.part.options, self.boxes) if self._is_on(box)]

    def _restore(self) -> None:
        state = progress.part_state(self.q.id, self.part.id)
        if not state:
            return
        note = f"<div style='color:#666;font-size:0.85em'>{_md(ui('previously', self.lang, when=_when(state.get('at'))))}</div>"
        saved = state.get("answer")
        if self.part.kind in ("single", "multiple") and isinstance(saved, list):
            self.select(saved)
            self.feedback.value = self._choice_feedback(bank.evaluate(self.q.id, self.part.id, saved, self.lang)) + note
        elif self.part.kind == "numeric" and isinstance(saved, (int, float)):
            self.input.value = f"{saved:g}"
            self.feedback.value = self._numeric_feedback(bank.evaluate(self.q.id, self.part.id, saved, self.lang)) + note
        elif self.part.kind == "practical":
            if isinstance(saved, str) and saved:
                self.input.value = saved
            mark = OK if state.get("last_correct") else NO
            self.feedback.value = f"<div>{mark} {_md(ui('step_ok' if state.get('last_correct') else 'step_failed', self.lang))}</div>" + note

    # --- checking -----------------------------------------------------------------------------
    def check(self) -> None:
        if self.part.kind in ("single", "multiple"):
            chosen = self.chosen()
            if not chosen:
                self.feedback.value = f"<div>{TODO} {_md(ui('not_answered', self.lang))}</div>"
                return
            verdict = bank.evaluate(self.q.id, self.part.id, chosen, self.lang)
            self.feedback.value = self._choice_feedback(verdict) + _record(
                self.q.id, self.part.id, self.lang, correct=verdict.correct, answer=chosen)
        elif self.part.kind == "numeric":
            if not self.input.value.strip():
                self.feedback.value = f"<div>{TODO} {_md(ui('not_answered', self.lang))}</div>"
                return
            verdict = bank.evaluate(self.q.id, self.part.id, self.input.value, self.lang)
            if verdict.problem:
                self.feedback.value = f"<div>{TODO} {_md(ui('bad_answer', self.lang, problem=verdict.problem))}</div>"
                return
            self.feedback.value = self._numeric_feedback(verdict) + _record(
                self.q.id, self.part.id, self.lang, correct=verdict.correct, answer=verdict.value)
        else:
            self.button.disabled = True
            self.feedback.value = "<div>…</div>"
            try:
                probe = self._probe()
            finally:
                self.button.disabled = False
            self.feedback.value = self._probe_feedback(probe) + _record(
                self.q.id, self.part.id, self.lang, correct=probe.ok, answer=self.input.value, detail=probe.summary())

    def _probe(self) -> practical.Probe:
        name = self.input.value.strip()
        if self.part.probe == "setup":
            return practical.setup(name or None, lang=self.lang)
        if self.part.probe == "sdk":
            name = name or "ask_local"
            return practical.sdk(self.namespace().get(name), name=name, lang=self.lang)
        raise ValueError(f"{self.part.ref}: unknown probe {self.part.probe!r}")

    def _choice_feedback(self, verdict: bank.Verdict) -> str:
        if verdict.problem:
            return f"<div>{TODO} {_md(ui('bad_answer', self.lang, problem=verdict.problem))}</div>"
        head = ui("correct" if verdict.correct else "wrong", self.lang)
        lines = [f"<div><b>{OK if verdict.correct else NO} {_md(head)}</b></div><ul style='list-style:none'>"]
        for opt in self.part.options:
            chosen, right = verdict.options[opt.id]
            if not verdict.correct and not chosen:
                continue  # do not give away the unticked right options
            mark = OK if chosen == right else NO
            tick = ("◉" if chosen else "○") if self.part.kind == "single" else ("☑" if chosen else "☐")
            lines.append(f"<li>{mark} {tick} <b>{opt.id})</b> {_md(bank.text(opt.why, self.lang))}</li>")
        lines.append("</ul>")
        missed = sum(1 for chosen, right in verdict.options.values() if right and not chosen)
        if not verdict.correct and missed and self.part.kind == "multiple":
            lines.append(f"<div>{_md(ui('missed', self.lang, n=missed))}</div>")
        return "".join(lines)

    def _numeric_feedback(self, verdict: bank.Verdict) -> str:
        value = verdict.value  # a count (41 846 requests) without decimals, an amount (248,20) with two
        digits = 0 if value is None or float(value).is_integer() else 2
        shown = number(value, digits, self.lang) if value is not None else "—"
        # the unit's noun agrees with the number shown (41 846,2 запиту, 41 846 запитів)
        unit = self.part.unit_for(round(value, digits), self.lang) if value is not None else bank.text(self.part.unit,
                                                                                                          self.lang)
        yours = ui("your_value", self.lang, value=shown, unit=unit)
        tol = ui("tolerance", self.lang, rel=float(self.part.tolerance.get("rel", 0)))
        if verdict.correct:
            how = bank.text(self.part.solution, self.lang, **self.ctx)
            return (f"<div><b>{OK} {_md(ui('correct', self.lang))}</b> {_md(yours)}</div>"
                    f"<div><i>{_md(ui('solution', self.lang))}:</i> {_md(how)}</div>")
        side = ui("too_high" if verdict.value > verdict.expected else "too_low", self.lang)
        hint = bank.text(self.part.hint, self.lang) if self.part.hint else ""
        return (f"<div><b>{NO} {_md(side)}</b> {_md(yours)}</div><div>{_md(hint)}</div>"
                f"<div style='color:#666;font-size:0.85em'>{_md(tol)}</div>")

    def _probe_feedback(self, probe: practical.Probe) -> str:
        rows = []
        for step in probe.steps:
            mark = {True: OK, False: NO, None: SKIP}[step.ok]
            template = self.part.steps.get(step.key, {})
            name = t(f"quiz.step.{step.key}", self.lang)
            try:
                said = bank.text(template, self.lang, **step.fields) if step.fields else name
            except (KeyError, ValueError, IndexError):
                said = name
            if step.ok is None:
                said = f"{name}: {ui('step_skipped', self.lang)}"
            extra = f" — {_md(step.error)}" if step.error else ""
            rows.append(f"<li>{mark} {_md(said)}{extra}</li>")
        hint = "" if probe.ok or not self.part.hint else f"<div><i>{_md(bank.text(self.part.hint, self.lang))}</i></div>"
        head = ui("correct" if probe.ok else "step_failed", self.lang)
        return f"<div><b>{OK if probe.ok else NO} {_md(head)}</b></div><ul style='list-style:none'>{''.join(rows)}</ul>{hint}"


def show(qid: str, *, lang: str | None = None, namespace: dict | None = None):
    """The widget for one question (``show("q1")``): every part, each with its own Check button."""
    import ipywidgets as w

    lang = bank.language(lang)
    q = bank.question(qid)
    views = []
    get_ns = (lambda: namespace) if namespace is not None else _user_namespace
    for part in q.parts:
        views.append(PartView(q, part, lang, get_ns))
    ctx: dict = {}
    for v in views:
        ctx.update(v.ctx)
    intro = bank.text(q.intro, lang, **ctx) if q.intro else ""
    lesson = ui("lesson", lang, n=q.lesson)
    head = w.HTML(f"<h3 style='margin-bottom:0'>{_md(bank.text(q.title, lang))}</h3>"
                  f"<div style='color:#666;font-size:0.85em'>{_md(lesson)}</div>"
                  + (f"<p>{_md(intro)}</p>" if intro else ""))
    box = w.VBox([head, *[v.widget for v in views]], layout=w.Layout(border="1px solid #ccc", padding="8px"))
    box.add_class("labs-quiz").add_class(f"labs-quiz-{qid}")
    box.views = views  # for tests and for code that wants to press the buttons
    return box


# --- the summary -----------------------------------------------------------------------------

def summary_html(lang: str | None = None, path: Any = None) -> str:
    """The progress table as HTML (what :func:`summary` shows)."""
    lang = bank.language(lang)
    data = progress.load(path)
    rows = []
    for q in bank.questions().values():
        saved = data["quiz"].get(q.id, {})
        done = sum(1 for p in q.parts if saved.get(p.id, {}).get("correct"))
        if done == len(q.parts):
            status = f"{OK} {ui('summary_done', lang)}"
        elif saved:
            status = f"{TODO} {ui('summary_partial', lang, done=done, total=len(q.parts))}"
        else:
            status = f"{SKIP} {ui('summary_todo', lang)}"
        rows.append(f"<tr><td style='text-align:left'>{_md(bank.text(q.title, lang))}</td><td>{status}</td></tr>")
    out = [f"<h3>{_md(ui('summary_title', lang))}</h3>",
           f"<table class='labs-quiz-summary-table'><tr><th>{_md(ui('summary_question', lang))}</th>"
           f"<th>{_md(ui('summary_status', lang))}</th></tr>{''.join(rows)}</table>"]
    if data["exercises"]:
        items = []
        for ex_id, e in sorted(data["exercises"].items()):
            mark = {"passed": OK, "failed": NO, "not answered": TODO, "error": NO}.get(e.get("status"), "?")
            status = e.get("status")
            said = t(f"check.status.{status}", lang) if f"check.status.{status}" in messages() else str(status)
            items.append(f"<li style='list-style:none'>{mark} <code>{html.escape(ex_id)}</code>: {html.escape(said)} "
                         f"({e.get('points', 0)}/{e.get('max_points', 0)})</li>")
        out.append(f"<p><b>{_md(ui('summary_exercises', lang))}</b></p><ul>{''.join(items)}</ul>"
                   f"<p><i>{_md(ui('summary_hidden', lang))}</i></p>")
    out.append(f"<p style='color:#666;font-size:0.85em'>{_md(ui('summary_file', lang, path=progress.progress_path(path)))}</p>")
    return "".join(out)


def summary(lang: str | None = None):
    """A widget with the progress table; it refreshes itself whenever an answer is saved."""
    import ipywidgets as w

    lang = bank.language(lang)
    widget = w.HTML(summary_html(lang)).add_class("labs-quiz-summary")
    widget.lang = lang
    _SUMMARIES.append(weakref.ref(widget))
    return widget


def refresh_summaries() -> None:
    """Redraw every live summary widget (called after each saved answer)."""
    alive = []
    for ref in _SUMMARIES:
        widget = ref()
        if widget is not None:
            try:
                widget.value = summary_html(getattr(widget, "lang", None))
            except Exception:  # a broken summary must never break answering
                continue
            alive.append(ref)
    _SUMMARIES[:] = alive
