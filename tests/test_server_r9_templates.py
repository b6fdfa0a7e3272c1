"""Issue 10 (templates): a known chat family renders a conversation exactly as Ollama does.

The expected texts are what Ollama's own templates render for the conversation its template tests use
(ollama ``template/testdata/<family>.gotmpl/system-user-assistant-user``, read 2026-12-01): a system message
waits for the next user turn (Gemma: one line before it; Llama 2: in that turn's ``<<SYS>>`` block, later
turns get an empty one; Mistral: where it was sent). Before this test, Gemma put a blank line after the
system text, Mistral moved it before the last user turn and Llama 2 dropped the empty ``<<SYS>>`` blocks.
"""

from __future__ import annotations

import pytest

from labs.server.chat_templates import family, go_template_for
from labs.server.gotemplate import render_template

CONVERSATION = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Hello, how are you?"},
    {"role": "assistant", "content": "I'm doing great. How can I help you today?"},
    {"role": "user", "content": "I'd like to show off how chat templating works!"},
]
SYS, U1, A1, U2 = (m["content"] for m in CONVERSATION)

EXPECTED = {
    "<|im_start|>": f"<|im_start|>system\n{SYS}<|im_end|>\n<|im_start|>user\n{U1}<|im_end|>\n<|im_start|>assistant\n"
                    f"{A1}<|im_end|>\n<|im_start|>user\n{U2}<|im_end|>\n<|im_start|>assistant\n",
    "<|start_header_id|>": "".join(f"<|start_header_id|>{r}<|end_header_id|>\n\n{c}<|eot_id|>" for r, c in
                                   [("system", SYS), ("user", U1), ("assistant", A1), ("user", U2)])
                           + "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "<start_of_turn>": f"<start_of_turn>user\n{SYS}\n{U1}<end_of_turn>\n<start_of_turn>model\n{A1}<end_of_turn>\n"
                       f"<start_of_turn>user\n{U2}<end_of_turn>\n<start_of_turn>model\n",
    "[INST]": f"[INST] {SYS}\n\n{U1}[/INST] {A1}</s>[INST] {U2}[/INST]",
    "[INST] <<SYS>>": f"[INST] <<SYS>>\n{SYS}\n<</SYS>>\n\n{U1} [/INST] {A1}</s><s>[INST] <<SYS>><</SYS>>\n\n{U2} [/INST]",
    "<|user|><|end|>": f"<|system|>\n{SYS}<|end|>\n<|user|>\n{U1}<|end|>\n<|assistant|>\n{A1}<|end|>\n<|user|>\n{U2}"
                       "<|end|>\n<|assistant|>\n",
    "<|user|>": f"<|system|>\n{SYS}</s>\n<|user|>\n{U1}</s>\n<|assistant|>\n{A1}</s>\n<|user|>\n{U2}</s>\n<|assistant|>\n",
}


@pytest.mark.parametrize("tokens", list(EXPECTED))
def test_a_known_family_renders_the_conversation_as_ollama_does(tokens):
    assert family(tokens)
    assert render_template(go_template_for(tokens), messages=CONVERSATION) == EXPECTED[tokens]


@pytest.mark.parametrize(("tokens", "expected"), [
    ("<start_of_turn>", "<start_of_turn>user\na\n\nb\nu<end_of_turn>\n<start_of_turn>model\n"),
    ("[INST] <<SYS>>", "[INST] <<SYS>>\na\n\nb\n<</SYS>>\n\nu [/INST]"),
    ("[INST]", "[INST] a\n\nb\n\nu[/INST]"),
])
def test_two_system_messages_are_joined_by_a_blank_line(tokens, expected):
    messages = [{"role": "system", "content": "a"}, {"role": "system", "content": "b"}, {"role": "user", "content": "u"}]
    assert render_template(go_template_for(tokens), messages=messages) == expected
