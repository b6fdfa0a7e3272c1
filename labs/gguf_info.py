"""Read a GGUF file's metadata with the ``gguf`` package (lessons 2 and 4: what is inside a model file).

The server stores this once per model (``/api/show`` → ``model_info``); lesson 4's sizing reads
architecture numbers from it instead of typing them in.
"""

from __future__ import annotations

import math
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


def _text(part) -> str:
    """A GGUF string as Ollama shows it: Go keeps any bytes and its JSON encoder writes U+FFFD for invalid UTF-8."""
    return bytes(part.tobytes()).decode("utf-8", errors="replace")


def _value(field: "gguf.ReaderField"):
    """A field's value, whatever its bytes hold: text decoded leniently (:func:`_text`), non-finite floats as
    ``None`` (JSON has no NaN or infinity; Go's encoder refuses them, which Ollama answers with a 500)."""
    main, sub = field.types[0], field.types[-1]
    if main == gguf.GGUFValueType.ARRAY and sub == gguf.GGUFValueType.STRING:
        return [_text(field.parts[i]) for i in field.data]
    if main == gguf.GGUFValueType.STRING:
        return _text(field.parts[-1])
    value = field.contents()
    if isinstance(value, list):
        return [None if isinstance(v, float) and not math.isfinite(v) else v for v in value]
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _valid_text(field: "gguf.ReaderField | None") -> str:
    """A string field's text, or ``""`` for a field of another type or with invalid UTF-8 (what Ollama's
    ``kv.String`` and its template detection make of it: the default, ``fs/ggml/ggml.go`` ``keyValue``)."""
    if field is None or not field.types or field.types[0] != gguf.GGUFValueType.STRING:
        return ""
    try:
        return bytes(field.parts[-1].tobytes()).decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _uint(value) -> int | None:
    """An unsigned integer metadata value, else ``None`` (a string, float, bool or list in its place is ignored,
    as Ollama's typed ``kv.Uint`` falls back to its default)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def read_gguf(path: str | Path) -> dict:
    """Scalar metadata (arrays such as the vocabulary are summarised by length), the parameter
    count summed over the tensors, and the file size. Values keep the type the file gives them (text with
    invalid UTF-8 gets U+FFFD, NaN/infinity become ``None``); ``tokenizer.chat_template`` is the template's
    text only when it is a valid UTF-8 string, else ``""``. Raises what ``gguf`` raises for a file that is not
    a GGUF."""
    reader = gguf.GGUFReader(str(path))
    info: dict = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or not field.types:
            continue
        if field.types[0] == gguf.GGUFValueType.ARRAY and key.startswith("tokenizer.ggml."):
            continue  # vocabulary, merges, scores: large, and Ollama leaves them out unless verbose
        info[key] = _value(field)
    if "tokenizer.chat_template" in info:
        info["tokenizer.chat_template"] = _valid_text(reader.fields["tokenizer.chat_template"])
    if _uint(info.get("general.parameter_count")) is None:
        info["general.parameter_count"] = sum(int(t.n_elements) for t in reader.tensors)
    info["_file_size"] = Path(path).stat().st_size
    return info


def describe(path: str | Path) -> dict:
    """What the store keeps about a model: ``model_info``, ``details``, ``template``, ``capabilities``.
    Metadata of an unexpected type counts as absent, as in Ollama's typed readers (``fs/ggml/ggml.go``):
    a non-text architecture is ``"unknown"``, a non-integer file type ``unknown(-1)``, a non-text
    template the default one."""
    meta = read_gguf(path)
    arch = meta.get("general.architecture")
    arch = arch if isinstance(arch, str) and arch else "unknown"
    template = meta.pop("tokenizer.chat_template", "")
    file_size = meta.pop("_file_size")
    params = int(meta["general.parameter_count"])
    label = meta.get("general.size_label")
    file_type = _uint(meta.get("general.file_type"))
    details = {
        "parent_model": "",
        "format": "gguf",
        "family": arch,
        "families": [arch],
        "parameter_size": label if isinstance(label, str) and label else _round_size(params),
        "quantization_level": quantization_name(-1 if file_type is None else file_type),
    }
    capabilities = ["completion"] + (["tools"] if "tools" in template else [])
    return {"model_info": meta, "details": details, "template": template,
            "capabilities": capabilities, "file_size": file_size}
