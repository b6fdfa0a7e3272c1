"""The sizing widget of lesson 4: pick a model, quantization, context and parallel requests; see the
memory it needs and which hardware holds it (numbers from :mod:`labs.sizing`)."""

from __future__ import annotations

from labs import sizing
from labs.i18n import t


def fit_report(model: str, quant: str, context: int, parallel: int, kv_cache: str = "f16"):
    """The estimate as text and the hardware table (pandas) for one choice; the text and the ``fits`` column
    ("no", "yes", "N cards") are in the learner's language (LAB_LANG), the column names stay as they are.
    ``decode_tokens_per_s_est`` is :func:`labs.sizing.serving_decode_tokens_per_s`, lesson 4's one speed per card.
    Raises ``ValueError`` (in LAB_LANG) for a context above the model's maximum."""
    import pandas as pd

    arch = sizing.reference_architectures().get(model)
    if arch is not None and arch.context_max and context > arch.context_max:  # the slider offers every length
        raise ValueError(t("sizing.error.context_max", context=context, model=arch.name, most=arch.context_max))
    est, rows = sizing.quick_fit(model, quant, context, parallel, kv_cache)
    frame = pd.DataFrame(rows)
    frame["fits"] = frame["count"].map(lambda n: t("sizing.fits.no") if pd.isna(n) else (
        t("sizing.fits.yes") if n == 1 else t("sizing.fits.cards", count=int(n))))
    speed = []
    for name in frame["hardware"]:
        count = frame.loc[frame["hardware"] == name, "count"].iloc[0]
        speed.append(None if pd.isna(count) or arch is None else
                     round(sizing.serving_decode_tokens_per_s(arch, quant, name, count=int(count), context=context)))
    frame["decode_tokens_per_s_est"] = pd.array(speed, dtype="Int64")  # whole tokens/s: no ".00" in a table
    return str(est), frame[["hardware", "kind", "fits", "memory_gb", "headroom_gib", "decode_tokens_per_s_est"]]


def sizing_explorer():
    """An ipywidgets form that redraws :func:`fit_report` on every change."""
    import ipywidgets as w

    from labs.display import show_table

    models = list(sizing.reference_architectures())
    quants = list(sizing.quantizations())
    model = w.Dropdown(options=models, value="Qwen3-8B", description=t("sizing.widget.model"))
    quant = w.Dropdown(options=quants, value="Q4_K_M", description=t("sizing.widget.quant"))
    context = w.SelectionSlider(options=[2048, 4096, 8192, 16384, 32768, 65536, 131072], value=8192,
                                description=t("sizing.widget.context"))
    parallel = w.IntSlider(value=1, min=1, max=16, description=t("sizing.widget.parallel"))
    kv = w.Dropdown(options=list(sizing.KV_CACHE_BYTES), value="f16", description=t("sizing.widget.kv_cache"))

    def show(model, quant, context, parallel, kv_cache):
        try:
            text, frame = fit_report(model, quant, context, parallel, kv_cache)
        except ValueError as exc:  # e.g. a context longer than the model supports
            print(f"⚠️ {exc}")
            return
        print(text)
        show_table(frame)  # numbers as the learner's language writes them (Ukrainian: 1 234,5)

    return w.interactive(show, model=model, quant=quant, context=context, parallel=parallel, kv_cache=kv)
