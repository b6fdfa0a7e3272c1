"""Lesson 2 helpers: pull a model with a progress bar, and compare every model the server has with
the module's reference table ("Порівняння open-source моделей").

* :func:`pull_with_progress` streams ``/api/pull`` into an ``ipywidgets`` bar (plain text outside Jupyter);
* :func:`local_models` builds a pandas table of the server's models from ``/api/tags``, ``/api/show``
  (``model_info``) and ``/api/ps``, with a measured tokens/s for each;
* :func:`module_models` is the module's table (``labs/data/module_models.csv``, with source and date),
  and :func:`compare_models` joins the two on the Ollama tag, so a model the learner pulls
  (``ollama pull qwen3:8b``) lands on its reference row by itself.
"""

from __future__ import annotations

import math
import time
from importlib import resources
from typing import Any

import pandas as pd

from labs.client import LocalLLM
from labs.errors import StatusError
from labs.i18n import t

#: Options for the speed measurement in :func:`local_models`: greedy, seeded, short.
MEASURE_OPTIONS = {"temperature": 0, "seed": 42, "num_predict": 16}
MEASURE_PROMPT = "Count from one to ten."
GB = 1e9


def normalise_tag(name: str) -> str:
    """A model name as Ollama lists it: the tag defaults to ``latest``, the default namespace is dropped.

    >>> normalise_tag("llama3.2"), normalise_tag("qwen3:8b"), normalise_tag("library/qwen3:8b")
    ('llama3.2:latest', 'qwen3:8b', 'qwen3:8b')
    >>> normalise_tag("registry.ollama.ai/library/llama3.2:3b"), normalise_tag("me/tiny")
    ('llama3.2:3b', 'me/tiny:latest')
    """
    name = name.strip()
    for prefix in ("registry.ollama.ai/", "library/"):
        name = name.removeprefix(prefix)
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


# --- pulling ---------------------------------------------------------------------------------

def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class PullProgress:
    """A ``progress=`` callback for :meth:`LocalLLM.pull`: an ``ipywidgets.IntProgress`` bar with the
    current status in a Jupyter kernel, one line per status change elsewhere. Keeps what it saw."""

    def __init__(self, model: str, *, widget: bool | None = None):
        self.model = model
        self.events = 0
        self.statuses: list[str] = []
        self.bytes_total = 0
        self.started = time.perf_counter()
        self.ended: float | None = None
        self._layers: dict[str, int] = {}
        self._bar = self._label = None
        if widget if widget is not None else _in_notebook():
            import ipywidgets as widgets
            from IPython.display import display

            self._bar = widgets.IntProgress(value=0, min=0, max=100, description=model[:20],
                                            bar_style="info", layout=widgets.Layout(width="60%"))
            self._label = widgets.Label(t("models.progress.starting"))
            display(widgets.HBox([self._bar, self._label]))

    def __call__(self, event: dict) -> None:
        self.events += 1
        status = str(event.get("status", ""))
        if status and (not self.statuses or self.statuses[-1] != status):
            self.statuses.append(status)
            if self._bar is None:
                print(f"{self.model}: {status}", flush=True)
        total, done = event.get("total"), event.get("completed")
        if total:
            self._layers[event.get("digest", status)] = int(total)
            self.bytes_total = sum(self._layers.values())
        if self._bar is not None:
            if total:
                self._bar.value = int(100 * (done or 0) / total)
                self._label.value = f"{status}: {(done or 0) / 2**20:,.1f} / {total / 2**20:,.1f} MiB"
            elif status:
                self._label.value = status
            if status == "success":
                self._bar.value, self._bar.bar_style = 100, "success"
        if status == "success":
            self.ended = time.perf_counter()

    def summary(self) -> dict:
        seconds = (self.ended or time.perf_counter()) - self.started
        return {"model": self.model, "status": self.statuses[-1] if self.statuses else "", "events": self.events,
                "statuses": self.statuses, "bytes": self.bytes_total, "seconds": round(seconds, 3)}


def pull_with_progress(llm: LocalLLM, model: str | None = None, *, widget: bool | None = None) -> dict:
    """Pull ``model`` (default: the client's) showing a progress bar; returns what happened.

    On real Ollama this downloads (hundreds of MB to tens of GB); on the embedded server it copies
    the GGUF that ships in a Python package, and a second pull of a present model is instant. A model the
    server cannot get raises :class:`labs.client.ModelUnavailable` with what to run instead."""
    name = model or llm.model
    bar = PullProgress(name, widget=widget)
    llm.pull_or_explain(name, progress=bar)
    return bar.summary()


# --- the server's models ---------------------------------------------------------------------

def context_length(model_info: dict) -> int | None:
    """The trained context length from ``/api/show``'s ``model_info`` (``<arch>.context_length``).

    >>> context_length({"general.architecture": "llama", "llama.context_length": 8192})
    8192
    >>> context_length({}) is None
    True
    """
    arch = model_info.get("general.architecture")
    value = model_info.get(f"{arch}.context_length") if arch else None
    return int(value) if value is not None else None


def local_models(llm: LocalLLM, *, measure: bool = True, prompt: str = MEASURE_PROMPT,
                 options: dict | None = None) -> pd.DataFrame:
    """One row per model on the server: parameters, quantization, file size, context length,
    and — when ``measure`` — decode tokens/s, time to first token and resident memory (``/api/ps``).

    Measuring loads each model in turn (slow for big models on a CPU: pass ``measure=False``).
    Models that cannot generate (embedding models) get no speed."""
    rows = []
    for entry in llm.models():
        name = entry["name"]
        shown = llm.show(name)
        info = shown.get("model_info") or {}
        details = entry.get("details") or shown.get("details") or {}
        count = info.get("general.parameter_count")
        row: dict[str, Any] = {
            "model": name, "family": details.get("family", ""), "parameters": details.get("parameter_size", ""),
            "params_b": round(count / 1e9, 3) if count else math.nan,
            "quantization": details.get("quantization_level", ""), "file_gb": round(entry["size"] / GB, 3),
            "context_length": context_length(info), "tokens_per_s": math.nan, "ttft_s": math.nan,
            "memory_gb": math.nan,
        }
        if measure and "completion" in (shown.get("capabilities") or ["completion"]):
            try:
                m = llm.measure(prompt, model=name, options={**MEASURE_OPTIONS, **(options or {})})
                row["tokens_per_s"], row["ttft_s"] = round(m.server_tokens_per_s, 1), round(m.ttft_s, 3)
            except StatusError as exc:  # e.g. "does not support generate"
                row["note"] = str(exc)
            loaded = {p["name"]: p for p in llm.ps()}
            if name in loaded:
                row["memory_gb"] = round(loaded[name]["size"] / GB, 3)
        rows.append(row)
    return pd.DataFrame(rows)


# --- the module's table and the join ------------------------------------------------------------

def module_models() -> pd.DataFrame:
    """The module's comparison table with its source and date, plus parameter counts from each
    model's config (``labs/data/architectures.csv`` via :mod:`labs.sizing`) and the Q4_K_M weight size
    that implies (calc: parameters × 4.89 bits ÷ 8).

    >>> table = module_models()
    >>> list(table["model"])
    ['Llama 3.2 3B', 'Qwen3 8B', 'DeepSeek R1 7B', 'Llama 4 Scout', 'Qwen3 235B']
    >>> table.set_index("model").loc["Llama 4 Scout", ["params_b", "active_params_b", "ram_gb_module"]].tolist()
    [109.0, 17.0, 64.0]
    """
    from labs.sizing import bits_per_weight, reference_architectures

    path = resources.files("labs").joinpath("data", "module_models.csv")
    with resources.as_file(path) as csv:
        table = pd.read_csv(csv)
    archs = reference_architectures()
    table["params_b"] = [round(archs[a].params / 1e9, 3) for a in table["architecture"]]
    table["active_params_b"] = [round(archs[a].params_per_token / 1e9, 3) for a in table["architecture"]]
    table["q4_k_m_gb"] = (table["params_b"] * bits_per_weight("Q4_K_M") / 8).round(2)
    return table


COLUMNS = ["model", "tag", "where", "parameters", "params_b", "active_params_b", "quantization", "file_gb",
           "q4_k_m_gb", "context_length", "tokens_per_s", "ttft_s", "memory_gb", "ram_gb_module", "quality", "use",
           "source"]


def compare_models(local: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """The measured table next to the module's: a reference model the server has is ONE row with
    both the measurements and the module's figures (``where == "both"``); the others stay apart.

    >>> local = pd.DataFrame([{"model": "llama3.2:latest", "parameters": "3.2B", "tokens_per_s": 11.0}])
    >>> out = compare_models(local)
    >>> out.loc[out["tag"] == "llama3.2:latest", ["model", "where", "tokens_per_s", "ram_gb_module"]].values.tolist()
    [['Llama 3.2 3B', 'both', 11.0, 4.0]]
    >>> sorted(out["where"].value_counts().items())
    [('both', 1), ('module table', 4)]
    """
    reference = module_models() if reference is None else reference
    by_tag = {normalise_tag(t): i for i, tags in reference["ollama_tags"].items() for t in tags.split("|")}
    rows, matched = [], set()
    for _, row in local.iterrows():
        tag = normalise_tag(str(row["model"]))
        out = {**row.to_dict(), "tag": tag, "where": "measured here", "source": "this server, measured now"}
        if tag in by_tag:
            ref = reference.loc[by_tag[tag]]
            matched.add(by_tag[tag])
            out.update(model=ref["model"], where="both", ram_gb_module=ref["ram_gb_module"],
                       quality=ref["quality_en"], use=ref["use_en"], active_params_b=ref["active_params_b"],
                       q4_k_m_gb=ref["q4_k_m_gb"], source=f"measured now + {ref['source']} ({ref['as_of']})")
        rows.append(out)
    for i, ref in reference.iterrows():
        if i not in matched:
            rows.append({"model": ref["model"], "tag": ref["ollama_tags"].split("|")[0], "where": "module table",
                         "parameters": ref["params_module"], "params_b": ref["params_b"],
                         "active_params_b": ref["active_params_b"], "q4_k_m_gb": ref["q4_k_m_gb"],
                         "ram_gb_module": ref["ram_gb_module"], "quality": ref["quality_en"], "use": ref["use_en"],
                         "source": f"{ref['source']} ({ref['as_of']})"})
    table = pd.DataFrame(rows)
    for col in COLUMNS:
        if col not in table:
            table[col] = math.nan
    table["ram_gb_module"] = table["ram_gb_module"].astype(float)
    return table[COLUMNS + [c for c in table.columns if c not in COLUMNS]]
