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

A count's noun agrees with it through a ``plural`` format spec, ``{n:plural:one|few|many}`` (Ukrainian,
:func:`plural_uk`) or ``{n:plural:one|many}`` (English):

>>> t("latency.plot.calls", "uk", name="x", count=3), t("latency.plot.calls", "uk", name="x", count=5)
('x (3 виклики)', 'x (5 викликів)')

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

__all__ = ["LANGS", "language", "messages", "plural_uk", "t"]


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
    if fields and ":plural:" in template:  # numbers may pick their noun's form ({n:plural:...})
        fields = {k: _Count(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                  for k, v in fields.items()}
    return template.format(**fields) if fields else template


def plural_uk(n: float, one: str, few: str, many: str) -> str:
    """The Ukrainian form of a noun after the whole number ``n``: ``one`` for 1, 21, 101 …; ``few`` for 2-4,
    22-24 …; ``many`` for 0, 5-20, 11-14, 25 … (a float is rounded as it is printed, ``:.0f``).

    >>> [f"{n} " + plural_uk(n, "токен", "токени", "токенів") for n in (1, 4, 11, 22, 154, 231)]
    ['1 токен', '4 токени', '11 токенів', '22 токени', '154 токени', '231 токен']
    """
    whole = abs(round(n))
    if whole % 10 == 1 and whole % 100 != 11:
        return one
    if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
        return few
    return many


class _Count:
    """A number inside :func:`t`: formats as itself, and ``plural:a|b|c`` picks the noun form for it."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        if not spec.startswith("plural:"):
            return format(self.value, spec)
        forms = spec[len("plural:"):].split("|")
        if len(forms) == 3:
            return plural_uk(self.value, *forms)
        if len(forms) == 2:
            return forms[0] if abs(round(self.value)) == 1 else forms[1]
        raise ValueError(f"a plural spec has 2 (English) or 3 (Ukrainian) forms separated by |; got {spec!r}")

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)
