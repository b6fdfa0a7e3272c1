"""Read a GGUF file's metadata with the ``gguf`` package (lessons 2 and 4: what is inside a model file).

The server stores this once per model (``/api/show`` → ``model_info``); lesson 4's sizing reads
architecture numbers from it instead of typing them in.
"""

from __future__ import annotations

from pathlib import Path

import gguf


def _round_size(count: int) -> str:
    """Ollama's short parameter size.

    >>> [_round_size(n) for n in (134_515_008, 3_212_749_824, 8_030_261_248, 109_000_000_000)]
    ['135M', '3.2B', '8.0B', '109B']
    """
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f}{unit}" if value >= 100 or unit != "B" else f"{value:.1f}{unit}"
    return str(count)


def quantization_name(file_type: int) -> str:
    """``general.file_type`` as Ollama shows it.

    >>> quantization_name(3), quantization_name(15), quantization_name(1)
    ('Q4_1', 'Q4_K_M', 'F16')
    """
    try:
        return gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_").replace("ALL_", "")
    except ValueError:
        return f"unknown({file_type})"


def read_gguf(path: str | Path) -> dict:
    """Scalar metadata (arrays such as the vocabulary are summarised by length), the parameter
    count summed over the tensors, and the file size."""
    reader = gguf.GGUFReader(str(path))
    info: dict = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        if field.types and field.types[0] == gguf.GGUFValueType.ARRAY:
            if key.startswith("tokenizer.ggml."):
                continue  # vocabulary, merges, scores: large, and Ollama leaves them out unless verbose
            info[key] = field.contents()
        else:
            info[key] = field.contents()
    info.setdefault("general.parameter_count", sum(int(t.n_elements) for t in reader.tensors))
    info["_file_size"] = Path(path).stat().st_size
    return info


def describe(path: str | Path) -> dict:
    """What the store keeps about a model: ``model_info``, ``details``, ``template``, ``capabilities``."""
    meta = read_gguf(path)
    arch = meta.get("general.architecture", "unknown")
    template = meta.pop("tokenizer.chat_template", "")
    file_size = meta.pop("_file_size")
    params = int(meta["general.parameter_count"])
    details = {
        "parent_model": "",
        "format": "gguf",
        "family": arch,
        "families": [arch],
        "parameter_size": meta.get("general.size_label") or _round_size(params),
        "quantization_level": quantization_name(int(meta.get("general.file_type", -1))),
    }
    capabilities = ["completion"] + (["tools"] if "tools" in template else [])
    return {"model_info": meta, "details": details, "template": template,
            "capabilities": capabilities, "file_size": file_size}
