"""Lesson 2 helpers against a real model server: pull progress, the model table and its join with the
module's table, the bandwidth ceiling (fixtures from conftest.py: ``llm``, ``server_url``, ``start_server``)."""

from __future__ import annotations

import math

import pytest

from labs import DEFAULT_MODEL
from labs.bandwidth import copy_bandwidth, decode_ceiling, kv_bytes_per_token, speed_vs_limit
from labs.errors import ModelNotFound
from labs.models import PullProgress, compare_models, local_models, module_models, pull_with_progress

FAST = {"num_predict": 4}


def test_pull_reports_progress_and_success(llm):
    summary = pull_with_progress(llm, DEFAULT_MODEL, widget=False)
    assert summary["status"] == "success"
    assert summary["statuses"][0] == "pulling manifest"
    assert summary["bytes"] > 50_000_000  # the GGUF layer's size, from the progress events
    assert summary["events"] >= 4


def test_pull_of_an_unknown_model_raises_with_the_servers_message(llm):
    from labs.errors import StatusError

    from labs.client import ModelUnavailable

    with pytest.raises(StatusError, match="file does not exist|not found|manifest") as info:
        pull_with_progress(llm, "no-such-model-xyz:1b", widget=False)
    # and says what to do: this server's models, and the command for real Ollama (issue 17 F13)
    assert isinstance(info.value, ModelUnavailable) and "ollama pull no-such-model-xyz:1b" in str(info.value)


def test_progress_widget_fills_and_turns_green():
    bar = PullProgress("demo", widget=True)
    for done in (0, 50, 100):
        bar({"status": "pulling abc", "digest": "sha256:abc", "total": 100, "completed": done})
    assert bar._bar.value == 100 and bar._bar.bar_style == "info"
    bar({"status": "success"})
    assert bar._bar.bar_style == "success"
    assert bar.summary()["statuses"] == ["pulling abc", "success"] and bar.summary()["bytes"] == 100


def test_local_models_table_has_measured_numbers(llm):
    table = local_models(llm, options=FAST).set_index("model")
    row = table.loc[DEFAULT_MODEL]
    assert row["params_b"] == pytest.approx(0.1345, abs=0.001)
    assert row["context_length"] == 8192
    assert row["quantization"] and row["file_gb"] > 0.05
    assert row["tokens_per_s"] > 0 and row["ttft_s"] > 0
    assert row["memory_gb"] >= row["file_gb"] * 0.9  # weights + KV cache, as /api/ps reports


def test_local_models_without_measuring_leaves_speed_empty(llm):
    row = local_models(llm, measure=False).set_index("model").loc[DEFAULT_MODEL]
    assert math.isnan(row["tokens_per_s"]) and math.isnan(row["memory_gb"])


def test_module_table_keeps_source_and_date():
    table = module_models()
    assert len(table) == 5 and table["source"].str.contains("Module 29").all() and (table["as_of"] != "").all()
    moe = table.set_index("model").loc[["Llama 4 Scout", "Qwen3 235B"]]
    assert (moe["active_params_b"] < moe["params_b"]).all()


def test_a_pulled_reference_model_joins_its_module_row(start_server):
    """Copy the small model under a reference tag: the table must merge it onto the module's row."""
    server = start_server()
    llm = server.client()
    llm.request("POST", "/api/copy", {"source": DEFAULT_MODEL, "destination": "qwen3:8b"})
    table = compare_models(local_models(llm, measure=False))
    row = table.set_index("tag").loc["qwen3:8b"]
    assert row["where"] == "both" and row["model"] == "Qwen3 8B"
    assert row["ram_gb_module"] == 6 and row["file_gb"] > 0
    assert (table["where"] == "module table").sum() == 4
    assert (table["where"] == "measured here").sum() == 1


def test_kv_bytes_from_the_servers_model_info(llm):
    info = llm.show(DEFAULT_MODEL)["model_info"]
    assert kv_bytes_per_token(info) == 2 * 30 * 3 * 64 * 2


def test_copy_bandwidth_is_a_plausible_figure():
    assert 1e8 < copy_bandwidth(megabytes=16, repeats=2) < 1e13


def test_decode_ceiling_rejects_nonsense():
    with pytest.raises(ValueError, match="positive"):
        decode_ceiling(0, 1e9)


def test_speed_vs_limit_divides_measured_by_ceiling(llm):
    out = speed_vs_limit(llm, bandwidth=20e9, options=FAST)
    assert out["measured_tps"] > 0
    assert out["ceiling_tps"] == pytest.approx(20e9 / (out["bytes_per_token_gb"] * 1e9))
    assert out["fraction"] == pytest.approx(out["measured_tps"] / out["ceiling_tps"])
    assert out["weights_gb"] < out["bytes_per_token_gb"]  # the KV cache is read too


def test_speed_vs_limit_for_a_missing_model_says_how_to_pull(llm):
    with pytest.raises(ModelNotFound, match="pull"):
        speed_vs_limit(llm, "absent-model:1b", bandwidth=1e9)
