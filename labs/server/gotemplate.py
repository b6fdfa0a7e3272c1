"""The part of Go's ``text/template`` that Ollama prompt templates use for ``/api/generate``:
``{{ .System }}``, ``{{ .Prompt }}``, ``{{ .Response }}``, ``{{ if .X }}…{{ else }}…{{ end }}`` and the
``{{-``/``-}}`` whitespace trims (Go's rules). Anything else is refused with a clear error, so a request
``template`` is either applied as Ollama would apply it or answered with 400 — never ignored.
Lesson 2 shows what a model's template does to a prompt.
"""

from __future__ import annotations

import re

_ACTION = re.compile(r"\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}", re.S)
_FIELD = re.compile(r"\.(System|Prompt|Response|Suffix)")


class TemplateError(ValueError):
    """A template this renderer does not support (or Go would not parse)."""


def _tokens(template: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _ACTION.finditer(template):
        text = template[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        if out and out[-1][0] == "trim":
            out.pop()
            text = text.lstrip()
        out.append(("text", text))
        out.append(("action", m.group(2)))
        if m.group(3):
            out.append(("trim", ""))
        pos = m.end()
    text = template[pos:]
    if out and out[-1][0] == "trim":
        out.pop()
        text = text.lstrip()
    out.append(("text", text))
    return out


def render_template(template: str, *, system: str = "", prompt: str = "", response: str = "", suffix: str = "") -> str:
    """Render an Ollama prompt template.

    >>> render_template("{{ if .System }}<s>{{ .System }}</s>\\n{{ end }}U: {{ .Prompt }}\\nA:", prompt="Hi")
    'U: Hi\\nA:'
    >>> render_template("{{- .System -}}  |  {{ .Prompt }}", system="S", prompt="P")
    'S|  P'
    >>> render_template("{{ range .Messages }}x{{ end }}")
    Traceback (most recent call last):
    ...
    labs.server.gotemplate.TemplateError: template: unsupported action {{ range .Messages }}: only .System, .Prompt, .Response, .Suffix, if/else/end
    """
    values = {"System": system, "Prompt": prompt, "Response": response, "Suffix": suffix}
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # (this branch is active, an enclosing one is)

    def active() -> bool:
        return all(a for a, _ in stack)

    for kind, body in _tokens(template):
        if kind == "text":
            if active():
                out.append(body)
            continue
        m_if = re.fullmatch(r"if\s+\.(\w+)", body)
        if m_if and m_if.group(1) in values:
            stack.append((bool(values[m_if.group(1)]), active()))
        elif body == "else" and stack:
            cond, outer = stack.pop()
            stack.append((not cond, outer))
        elif body == "end" and stack:
            stack.pop()
        elif _FIELD.fullmatch(body):
            if active():
                out.append(values[body[1:]])
        elif body.startswith("/*") and body.endswith("*/"):
            continue
        else:
            raise TemplateError(f"template: unsupported action {{{{ {body} }}}}: "
                                "only .System, .Prompt, .Response, .Suffix, if/else/end")
    if stack:
        raise TemplateError("template: unexpected EOF (an {{ if }} has no {{ end }})")
    return "".join(out)
