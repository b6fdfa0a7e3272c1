"""A model's chat template as Ollama picks it: a Go template, never the GGUF's own Jinja.

A GGUF carries its chat template as Jinja (``tokenizer.chat_template``). Running it would run code that whoever
made the file wrote: unbounded loops, gigabyte strings, exceptions (issue 10 attack r8 F2/F3). Ollama never runs it:
it matches the text against the templates it knows and uses its Go template for that family, else its default
``{{ .Prompt }}`` (ollama ``server/model.go`` ``detectChatTemplate``, ``template/template.go`` ``DefaultTemplate``).
This module does the same with the families' distinctive special tokens, and the Go templates below are rendered by
:mod:`labs.server.gotemplate` (bounded in steps and bytes, cancellable). Lesson 2 shows what a chat template adds.
"""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_TEMPLATE = "{{ .Prompt }}"  # Ollama's, for a model whose template it does not know

# ChatML (Qwen, SmolLM2, Hermes...): "<|im_start|>role\ncontent<|im_end|>\n", then the assistant's open turn.
# ``%s`` is the default system turn the model's Jinja adds when the conversation has none (SmolLM2 has one).
_CHATML = ("{{- range $i, $m := .Messages }}%s<|im_start|>{{ $m.Role }}\n{{ $m.Content }}<|im_end|>\n"
           "{{ end }}<|im_start|>assistant\n")
_CHATML_DEFAULT_SYSTEM = '{{ if and (eq $i 0) (ne $m.Role "system") }}<|im_start|>system\n%s<|im_end|>\n{{ end }}'

# Llama 3: header-framed turns, each ended by <|eot_id|> (the tokenizer adds <|begin_of_text|> as BOS).
_LLAMA3 = ("{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>"
           "{{- end }}<|start_header_id|>assistant<|end_header_id|>\n\n")

# What Ollama renders for these families is the spec (its ``template/*.gotmpl``, checked against its
# ``template/testdata``): system texts wait for the next user turn; consecutive ones are joined by a blank line.
# Gemma: only "user" and "model" turns; a waiting system text opens the next user turn, one line before it.
_GEMMA = ("{{- $sys := \"\" }}{{- range .Messages }}"
          "{{- if eq .Role \"system\" }}{{ if $sys }}{{ $sys = printf \"%s\\n\\n%s\" $sys .Content }}"
          "{{ else }}{{ $sys = .Content }}{{ end }}{{ continue }}"
          "{{- else if eq .Role \"user\" }}<start_of_turn>user{{ if $sys }}\n{{ $sys }}{{ $sys = \"\" }}{{ end }}"
          "{{- else if eq .Role \"assistant\" }}<start_of_turn>model{{ end }}\n{{ .Content }}<end_of_turn>\n"
          "{{ end }}<start_of_turn>model\n")

# Mistral: one "[INST] " opens; a system text stands where it was sent, a blank line after it; an answer
# ends with "</s>" and opens the next "[INST] ".
_MISTRAL = ("[INST] {{ range .Messages }}"
            "{{- if eq .Role \"system\" }}{{ .Content }}\n\n"
            "{{ else if eq .Role \"user\" }}{{ .Content }}[/INST]"
            "{{- else if eq .Role \"assistant\" }} {{ .Content }}</s>[INST] {{ end }}{{- end }}")

# Llama 2: every user turn in its own <<SYS>> block (empty once the waiting system text was used).
_LLAMA2 = ("{{- $sys := \"\" }}[INST] {{ range .Messages }}"
           "{{- if eq .Role \"system\" }}{{ if $sys }}{{ $sys = printf \"%s\\n\\n%s\" $sys .Content }}"
           "{{ else }}{{ $sys = .Content }}{{ end }}"
           "{{- else if eq .Role \"user\" }}<<SYS>>{{ if $sys }}\n{{ $sys }}\n{{ $sys = \"\" }}{{ end }}<</SYS>>\n\n"
           "{{ .Content }} [/INST]"
           "{{- else if eq .Role \"assistant\" }} {{ .Content }}</s><s>[INST] {{ end }}{{- end }}")

# Phi-3: "<|role|>\ncontent<|end|>\n", then "<|assistant|>\n".
_PHI3 = ("{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}<|end|>\n{{ end }}<|assistant|>\n")

# Zephyr: as Phi-3, each turn ended by </s>.
_ZEPHYR = ("{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}</s>\n{{ end }}<|assistant|>\n")

# The stop parameters Ollama adds at /api/create when it recognises a family (its ``template/<name>.json``, the
# params layer ``detectChatTemplate`` writes), shown by /api/show and applied when generating. Mistral's are
# ChatML's tokens in Ollama's own file (``template/mistral-instruct.json``): kept as Ollama has them.
STOPS: dict[str, tuple[str, ...]] = {
    "chatml": ("<|im_start|>", "<|im_end|>"),  # chatml.json
    "llama3": ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),  # llama3-instruct.json
    "gemma": ("<start_of_turn>", "<end_of_turn>"),  # gemma-instruct.json
    "mistral": ("<|im_start|>", "<|im_end|>"),  # mistral-instruct.json
    "llama2": ("[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"),  # llama2-chat.json
    "phi3": ("<|end|>", "<|system|>", "<|user|>", "<|assistant|>"),  # phi-3.json
    "zephyr": ("<|system|>", "</s>", "<|user|>", "<|assistant|>"),  # zephyr.json
}

# What the Jinja's default system turn says, in a string literal of the template ('...' or "...").
_DEFAULT_SYSTEM = re.compile(r"""<\|im_start\|>system(?:\n|\\n)([^'"{}\\<]*)<\|im_end\|>""")


def family(jinja: str) -> str:
    """The chat family a GGUF's Jinja template belongs to, by its special tokens; ``""`` when unknown (also for a
    template that is not text: Ollama's ``ChatTemplate()`` reads only a string and uses its default otherwise).

    >>> family("{{'<|im_start|>' + m['role'] }}"), family("<start_of_turn>"), family("{% raise %}"), family(["x"])
    ('chatml', 'gemma', '', '')
    """
    if not isinstance(jinja, str):
        return ""
    if "<|im_start|>" in jinja:
        return "chatml"
    if "<|start_header_id|>" in jinja:
        return "llama3"
    if "<start_of_turn>" in jinja:
        return "gemma"
    if "[INST]" in jinja:
        return "llama2" if "<<SYS>>" in jinja else "mistral"
    if "<|user|>" in jinja:
        return "phi3" if "<|end|>" in jinja else "zephyr"
    return ""


@lru_cache(maxsize=32)
def go_template_for(jinja: str) -> str:
    """The Go template (:mod:`labs.server.gotemplate`) that renders what a GGUF's Jinja ``jinja`` means, or
    :data:`DEFAULT_TEMPLATE` for a family this does not know (or no template). The Jinja is only searched
    for fixed tokens (linear time), never run. A ChatML template that adds a default system turn when the
    conversation has none keeps it (SmolLM2's "You are a helpful AI assistant named SmolLM...").

    >>> go_template_for("") == DEFAULT_TEMPLATE
    True
    """
    kind = family(jinja)
    if kind == "chatml":
        found = _DEFAULT_SYSTEM.search(jinja) if "!= 'system'" in jinja or '!= "system"' in jinja else None
        # the text has no quote, brace or backslash (the pattern stops at them): it is literal in a Go template
        system = _CHATML_DEFAULT_SYSTEM % found.group(1) if found else ""
        return _CHATML % system
    return {"llama3": _LLAMA3, "gemma": _GEMMA, "mistral": _MISTRAL, "llama2": _LLAMA2, "phi3": _PHI3,
            "zephyr": _ZEPHYR}.get(kind, DEFAULT_TEMPLATE)


def family_parameters(jinja: str) -> dict:
    """The parameters Ollama's ``/api/create`` adds for a GGUF whose Jinja ``jinja`` it recognises: the family's
    :data:`STOPS` (``{}`` for an unknown family or no template).

    >>> family_parameters("<start_of_turn>"), family_parameters("")
    ({'stop': ['<start_of_turn>', '<end_of_turn>']}, {})
    """
    stops = STOPS.get(family(jinja))
    return {"stop": list(stops)} if stops else {}


def model_template(config: dict) -> str:
    """The Go template a stored model's prompts are rendered with: the one given at ``/api/create``
    (``go_template``), else the one matched to its GGUF's Jinja (:func:`go_template_for`). A template stored
    as something other than text (a store written before GGUF metadata types were checked) counts as none."""
    given, jinja = config.get("go_template"), config.get("template")
    if isinstance(given, str) and given:
        return given
    return go_template_for(jinja if isinstance(jinja, str) else "")
