"""The one KV-cache formula (labs.kvcache), checked against llama.cpp's own allocation.

Toy GGUFs (labs.toygguf: random weights, the real SmolLM2 tokenizer) give llama.cpp the shapes of
Qwen3-0.6B and of a Gemma-3-style sliding-window model; llama.cpp logs what it allocates, and the
formula, sizing and the server's /api/ps must say the same.
"""

from __future__ import annotations

import gguf
import llama_cpp
import pytest

from labs import sizing
from labs.kvcache import KVLayout, kv_cache_bytes, llama_cpp_allocation, swa_pattern
from labs.toygguf import GEMMA3_TOY, QWEN3_0_6B, toy_gguf, write_toy_gguf

MIB = 2**20


@pytest.fixture(scope="module")
def toys():
    return {"qwen3": toy_gguf(QWEN3_0_6B), "gemma3": toy_gguf(GEMMA3_TOY)}


def test_the_toy_writer_writes_what_it_is_asked(tmp_path):
    meta = _metadata(write_toy_gguf(tmp_path / "t.gguf", GEMMA3_TOY, seed=1))
    assert (meta["general.architecture"], meta["gemma3.block_count"], meta["gemma3.attention.sliding_window"]) == \
        ("gemma3", 12, 256)


def _metadata(path) -> dict:
    reader = gguf.GGUFReader(str(path))
    return {k: f.contents() for k, f in reader.fields.items() if not k.startswith(("GGUF.", "tokenizer.ggml."))}


def test_qwen3_head_size_is_key_length_not_embedding_over_heads():
    # /api/show's model_info for Qwen3-0.6B: 1024 / 16 heads = 64, but key_length is 128
    info = {"general.architecture": "qwen3", "qwen3.block_count": 28, "qwen3.attention.head_count": 16,
            "qwen3.attention.head_count_kv": 8, "qwen3.attention.key_length": 128,
            "qwen3.attention.value_length": 128, "qwen3.embedding_length": 1024, "general.parameter_count": 596e6}
    assert kv_cache_bytes(KVLayout.from_metadata(info), 4096) == 448 * MIB
    arch = sizing.architecture_from_model_info(info)
    assert sizing.estimate_memory(arch, "Q8_0", context=4096).kv_gib * 1024 == pytest.approx(448)
    # llama-cpp-python hands the metadata over as strings: same answer
    as_text = {k: str(v) for k, v in info.items()}
    assert kv_cache_bytes(KVLayout.from_metadata(as_text), 4096) == 448 * MIB


def test_server_ps_counts_what_llama_cpp_allocated_for_the_qwen3_shape(toys):
    from labs.server.runner import Runner

    allocated = llama_cpp_allocation(toys["qwen3"], 4096)
    assert sum(a["mib"] for a in allocated) == 448.0  # llama.cpp's own log line
    runner = Runner(toys["qwen3"], num_ctx=4096, num_thread=1)
    try:
        kv = runner.memory_bytes() - int(llama_cpp.llama_model_size(runner.llm.model))
    finally:
        runner.close()
    assert kv == 448 * MIB  # the old /api/ps formula (embedding_length / heads) counted a sixteenth of it here


@pytest.mark.parametrize("swa_full", [False, True])
def test_sliding_window_matches_llama_cpp(toys, swa_full):
    layout = KVLayout.from_metadata(_metadata(toys["gemma3"]))
    assert (layout.sliding_window, layout.global_layers, layout.windowed_layers) == (256, 2, 10)
    allocated = llama_cpp_allocation(toys["gemma3"], 4096, swa_full=swa_full, n_ubatch=512)
    assert len(allocated) == 2  # llama.cpp keeps one cache for the global layers, one for the windowed
    expected = kv_cache_bytes(layout, 4096, n_ubatch=512, swa_full=swa_full)
    assert sum(a["mib"] for a in allocated) * MIB == expected
    windowed = next(a for a in allocated if a["layers"] == 10)
    assert windowed["cells"] == (4096 if swa_full else 768)  # pad256(window 256 + micro-batch 512)


def test_estimate_charges_windowed_layers_only_their_window(toys):
    layout = KVLayout.from_metadata(_metadata(toys["gemma3"]))
    row = 2 * 64 * 2 * 2  # kv heads × (key + value) × f16 bytes, per layer and token
    assert kv_cache_bytes(layout, 4096) == (2 * 4096 + 10 * min(256, 4096)) * row
    assert kv_cache_bytes(layout, 100) == 12 * 100 * row  # a context shorter than the window: every layer full
    gemma = sizing.reference_architectures()["Gemma-3-4B"]
    kv = sizing.estimate_memory(gemma, "Q4_K_M", context=32_768).kv_gib
    per_layer_token = 4 * (256 + 256) * 2
    assert kv * 2**30 == (5 * 32_768 + 29 * 1024) * per_layer_token  # was 34 × 32,768 × ... (4.25 GiB)
    assert kv < 0.2 * 34 * 32_768 * per_layer_token / 2**30


def test_gguf_reader_sees_the_window(toys):
    model = sizing.architecture_from_gguf(toys["gemma3"])
    assert model.architecture.sliding_window == 256
    assert model.architecture.kv_layout().windowed == swa_pattern(12, 6)


def test_pattern_as_per_layer_array_and_architecture_defaults():
    info = {"general.architecture": "gpt-oss", "gpt-oss.block_count": 4, "gpt-oss.attention.head_count": 8,
            "gpt-oss.attention.head_count_kv": 2, "gpt-oss.attention.key_length": 64,
            "gpt-oss.attention.sliding_window": 128}
    assert KVLayout.from_metadata(info).windowed == (True, False, True, False)  # gpt-oss: llama.cpp's period 2
    info["gpt-oss.attention.sliding_window_pattern"] = [True, True, False, False]
    assert KVLayout.from_metadata(info).windowed == (True, True, False, False)
    plain = {"general.architecture": "llama", "llama.block_count": 2, "llama.attention.head_count": 4,
             "llama.embedding_length": 256, "llama.attention.sliding_window": 4096}
    assert not any(KVLayout.from_metadata(plain).windowed)  # llama.cpp ignores a window for llama


def test_bad_kv_cache_type_lists_the_choices():
    with pytest.raises(ValueError, match="unknown KV cache type 'q5': use one of f16, q8_0, q4_0"):
        kv_cache_bytes(KVLayout.uniform(layers=1, kv_heads=1, key_length=8), 16, cache_type="q5")


# --- issue 13, finding 5: "llama.cpp's exact figure" was not exact --------------------------------

@pytest.mark.parametrize("shape", ["qwen3", "gemma3"])
@pytest.mark.parametrize("context,parallel,kv_unified", [(300, 1, False), (1024, 4, False), (1000, 3, False),
                                                         (1000, 3, True)])
def test_allocation_mode_matches_llama_cpp_padding_and_slots(toys, shape, context, parallel, kv_unified):
    """Contexts that are not multiples of 256 (llama.cpp pads them) and several slots (one stream per
    slot unless kv_unified): the reviewer's 300-token Qwen3 case was 32.8 MiB against llama.cpp's 56."""
    layout = KVLayout.from_metadata(_metadata(toys[shape]))
    allocated = llama_cpp_allocation(toys[shape], context, parallel=parallel, n_ubatch=512, kv_unified=kv_unified)
    formula = kv_cache_bytes(layout, context, parallel=parallel, n_ubatch=512, kv_unified=kv_unified)
    assert sum(a["mib"] for a in allocated) * MIB == formula
    assert all(a["streams"] == (1 if kv_unified else parallel) for a in allocated)


def test_allocation_pads_a_short_context_to_256_cells(toys):
    layout = KVLayout.from_metadata(_metadata(toys["qwen3"]))
    assert kv_cache_bytes(layout, 300, n_ubatch=512) == 56 * MIB  # 512 cells, as llama.cpp logs
    assert kv_cache_bytes(layout, 300) == 28 * 300 * 8 * 256 * 2  # the attention's need: 300 cells


def test_gemma3n_layers_past_20_keep_no_cache_of_their_own():
    """llama.cpp's gemma3n loader: n_layer_kv_from_start = 20, so E2B (30 layers, window 512, period 5)
    caches 4 global + 16 windowed layers, not 6 + 24 (408 MiB at 32K was +50%)."""
    info = {"general.architecture": "gemma3n", "gemma3n.block_count": 30, "gemma3n.attention.head_count": 8,
            "gemma3n.attention.head_count_kv": 2, "gemma3n.attention.key_length": 256,
            "gemma3n.attention.value_length": 256, "gemma3n.attention.sliding_window": 512}
    layout = KVLayout.from_metadata(info)
    assert (layout.cached_layers, layout.global_layers, layout.windowed_layers) == (20, 4, 16)
    assert kv_cache_bytes(layout, 32_768) == 272 * MIB
    # gemma4 reads how many layers share from the file
    info4 = {"general.architecture": "gemma4", "gemma4.block_count": 10, "gemma4.attention.head_count_kv": 1,
             "gemma4.attention.key_length": 64, "gemma4.attention.shared_kv_layers": 4}
    assert KVLayout.from_metadata(info4).cached_layers == 6
