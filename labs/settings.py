"""One setting for the model every lesson uses: ``LABS_MODEL``.

Each notebook asks :func:`lesson_model` once (``MODEL = lesson_model()``) and passes ``MODEL`` on. Set the
variable before starting JupyterLab (``LABS_MODEL=llama3.2 make lab``) or in the first cell
(``os.environ["LABS_MODEL"] = "qwen3:8b"``), and every lesson switches to that model. Unset, it is
:data:`labs.DEFAULT_MODEL`, the only model the embedded server ships (``smollm2:135m``).
Taught in lesson 0 ("Which model?").
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from labs import DEFAULT_MODEL

ENV_VAR = "LABS_MODEL"

REAL_OLLAMA_MODELS = ("llama3.2", "qwen3:8b")
"""The module's own suggestions (§29.2: ``ollama pull llama3.2`` — 3B, runs on a CPU; ``ollama pull qwen3:8b``)."""


def lesson_model(default: str = DEFAULT_MODEL, env: Mapping[str, str] | None = None) -> str:
    """The model the lessons use: ``LABS_MODEL`` from ``env`` (the process environment unless given)
    if set and not blank, else ``default``.

    >>> lesson_model(env={})
    'smollm2:135m'
    >>> lesson_model(env={"LABS_MODEL": " llama3.2 "})
    'llama3.2'
    """
    chosen = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    return chosen or default


def missing_model_help(model: str, *, embedded: bool, lang: str | None = None) -> str:
    """What to do when ``model`` is not on the server (one actionable sentence or two, in ``LAB_LANG``
    unless ``lang`` is given; texts ``settings.missing_model.*`` in ``labs/data/messages.yaml``).

    The embedded server ships only ``smollm2:135m`` (plus any GGUF the learner adds with ``labs create``);
    pulling anything else there fails with Ollama's own "pull model manifest: file does not exist".

    >>> "ollama pull llama3.2" in missing_model_help("llama3.2", embedded=True, lang="en")
    True
    >>> missing_model_help("llama3.2", embedded=True, lang="en").count("llama3.2`")  # not repeated as a suggestion
    1
    >>> "'smollm2:135m'" in missing_model_help("smollm2:135M", embedded=True, lang="en")
    True
    """
    from labs.i18n import t

    wanted = model.strip().lower()
    if model != DEFAULT_MODEL and (wanted == DEFAULT_MODEL or DEFAULT_MODEL.startswith(wanted + ":")):
        # "smollm2", "smollm2:135M": the lessons' model spelled otherwise, not another model to pull (a tag is exact)
        other = "" if ":" in model else t("settings.missing_model.spelled_other", lang, model=model)
        return t("settings.missing_model.spelled", lang, model=model, default=DEFAULT_MODEL, other=other)
    if embedded:
        # the module's two suggestions, unless the learner already chose one of them (no "pull llama3.2 (... llama3.2 ...)")
        suggest = ("" if model in REAL_OLLAMA_MODELS else
                   t("settings.missing_model.module_suggests", lang, first=REAL_OLLAMA_MODELS[0], second=REAL_OLLAMA_MODELS[1]))
        return t("settings.missing_model.embedded", lang, model=model, default=DEFAULT_MODEL, env=ENV_VAR,
                 suggest=suggest)
    return t("settings.missing_model.ollama", lang, model=model, env=ENV_VAR)
