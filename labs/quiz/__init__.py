"""The module's five "Check yourself" (Перевір себе) questions, as widgets with saved progress.

One line at the end of each lesson shows its question; ``05_check_yourself`` collects all five::

    from labs import quiz
    quiz.show("q1")      # lesson 1: when does self-hosting beat a cloud API?
    quiz.summary()       # what is done (read from ./.labs-progress.json)

The texts come from ``labs/data/questions.yaml`` in Ukrainian and English (``LAB_LANG=uk|en``,
default ``en``, or ``show("q1", lang="uk")``). See :mod:`labs.quiz.bank` (questions and judging),
:mod:`labs.quiz.practical` (live checks), :mod:`labs.quiz.progress` (the progress file) and
:mod:`labs.quiz.widgets` (the ipywidgets).
"""

from __future__ import annotations

from typing import Any


def show(qid: str, *, lang: str | None = None, namespace: dict | None = None):
    """The widget for one question: ``show("q1")`` … ``show("q5")``."""
    from labs.quiz.widgets import show as _show

    return _show(qid, lang=lang, namespace=namespace)


def summary(lang: str | None = None):
    """A widget with the learner's progress; it updates as answers are saved."""
    from labs.quiz.widgets import summary as _summary

    return _summary(lang)


def evaluate(qid: str, part_id: str, answer: Any):
    """Judge an answer in code (``evaluate("q2", "port", "b").correct``); see :func:`labs.quiz.bank.evaluate`."""
    from labs.quiz.bank import evaluate as _evaluate

    return _evaluate(qid, part_id, answer)


def reset_progress() -> None:
    """Forget every saved answer (deletes the progress file)."""
    from labs.quiz.progress import reset

    reset()


__all__ = ["show", "summary", "evaluate", "reset_progress"]
