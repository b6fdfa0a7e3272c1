"""One catalogue of the messages a learner reads from ``labs``, in English and Ukrainian.

The texts live in ``labs/data/messages.yaml`` (``key: {en: ..., uk: ...}``, ``str.format`` fields in
braces); the language is ``LAB_LANG`` (``uk`` or ``en``, default ``en``), picked exactly as the
"Check yourself" widgets pick it (:func:`labs.quiz.bank.language`). Technical terms follow the module's
own usage and ``labs/data/glossary.yaml``. Used by the exercise checks' feedback
(:mod:`labs.exercises`), ``labs lab`` / ``labs with-server`` (:mod:`labs.launcher`) and
``labs build-notebooks`` (:mod:`labs.translations`).

>>> t("check.not_answered_ellipsis", "uk", name="x")
'`x` досі `...`: замініть його своєю відповіддю й виконайте клітинку.'
>>> t("check.not_answered_ellipsis", "en", name="x")
'`x` is still `...`: replace it with your answer and run the cell.'
>>> t("no.such.key")
Traceback (most recent call last):
...
KeyError: "no message 'no.such.key' in labs/data/messages.yaml: add it there in both languages"
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from labs.quiz.bank import LANGS, language

__all__ = ["LANGS", "language", "messages", "t"]


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """Every message, by key: ``{"check.passed": {"en": ..., "uk": ...}, ...}`` (read once)."""
    import yaml

    raw = yaml.safe_load(resources.files("labs").joinpath("data", "messages.yaml").read_text(encoding="utf-8"))
    return {key: dict(texts) for key, texts in raw.items()}


def t(key: str, lang: str | None = None, /, **fields: Any) -> str:
    """The message ``key`` in ``lang`` (else ``LAB_LANG``, else English), with ``fields`` filled in.

    Raises ``KeyError`` for a key the catalogue lacks and ``ValueError`` for an unknown language."""
    texts = messages().get(key)
    if texts is None:
        raise KeyError(f"no message {key!r} in labs/data/messages.yaml: add it there in both languages")
    chosen = language(lang)
    template = texts.get(chosen) or texts["en"]
    return template.format(**fields) if fields else template
