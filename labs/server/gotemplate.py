"""Ollama prompt templates: the part of Go's ``text/template`` that Ollama's library templates use, parsed
and run as Ollama's ``template`` package does (lesson 2 shows what a model's template does to a prompt).

* :func:`parse_template` refuses what Go's parser refuses, with Go's text
  (``template: :1: unclosed action``, ``unexpected EOF``, ``function "x" not defined``); Ollama's
  ``/api/create`` answers those with 400 ``template error: …``.
* Supported: text and ``{{- … -}}`` trims, comments, fields (``.Prompt``, ``.Messages``, ``$.System``),
  variables (``$i, $m := …``, ``$x = …``), string/number/bool literals, pipelines and parentheses,
  ``if``/``else if``/``else``, ``range`` (with ``else``, ``break``, ``continue``), ``with``, and the
  functions Go predefines (``eq``, ``ne``, ``lt``, ``and``, ``or``, ``not``, ``len``, ``index``, ``slice``,
  ``print``, ``printf``…) plus Ollama's ``json`` and ``currentDate``; ``define``, ``template`` and ``block``
  (a called template sees only ``$`` = what it is given; calls nest at most :data:`MAX_CALL_DEPTH` deep, Go's
  limit is 100000, and every node they run counts against the step budget).
  Not supported: complex constants (``1i``, refused at parse time with that reason).
* :func:`render_template` runs a template as Ollama's ``Template.Execute``: with ``.Messages`` when the
  template uses them, else the legacy ``.System``/``.Prompt``/``.Response`` turns, the last one cut at
  ``.Response``; with a ``suffix``, once with ``.Prompt`` and ``.Suffix`` (fill-in-the-middle).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["MAX_CALL_DEPTH", "MAX_RENDER_BYTES", "MAX_TEMPLATE_BYTES", "RenderCancelled", "TemplateError",
           "parse_template", "render_template", "stored_bytes", "template_vars"]

MAX_NESTING = 100  # parentheses in one action (Go has no limit; this bounds the parse's work)
MAX_STEPS = 1_000_000  # nodes one rendering may run; a real chat template runs a few per message
MAX_CALL_DEPTH = 100  # {{template}} calls inside calls (Go: 100000); deeper would exhaust Python's stack first
# Bytes of text one rendering may build or read (its output, every string a function makes or is given), on top
# of 4x the input's size, both counted as Python stores them (1, 2 or 4 bytes a character: an emoji string of
# 16 Mi characters is 64 MiB, issue 10 attack r5 F2). Go has no limit; a real chat template builds about its
# input once. A doubling {{ $x = print $x $x }} is stopped here after ~25 steps, long before it takes the
# machine's memory (issue 10 attack r4 F1).
MAX_RENDER_BYTES = 16 * 2**20
# The largest template /api/create or a request accepts (Ollama has none); the largest library template is ~10 KB,
# and a parsed tree takes ~100x its text in memory (a 256 KiB template: ~1 s and ~27 MB).
MAX_TEMPLATE_BYTES = 256 * 2**10
_CACHE_BYTES = 4 * MAX_TEMPLATE_BYTES  # the texts whose parsed trees are kept (the models' templates, recent ones)


class TemplateError(ValueError):
    """A template Go would not parse (or that fails when run); ``str()`` is Go's message."""


class RenderCancelled(Exception):
    """The rendering was stopped through its ``cancel`` event (the client left, or the server is stopping)."""


# --- lexer -------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<punct>[|(),])
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*(?:[pP][+-]?[\d_]+)?|0[bB][01_]+|0[oO][0-7_]+
                     |(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?[\d_]+)?)i?(?!\w))
  | (?P<field>(?:\.[^\W\d]\w*)+)
  | (?P<dot>\.)
  | (?P<var>\$\w*)
  | (?P<ident>[^\W\d]\w*)
""", re.X)


_COMMENT_OPEN = re.compile(r"[ \t\r\n]*/\*")
_COMMENT_CLOSE = re.compile(r"([ \t\r\n]+-)?\}\}")
_TRIM_CLOSE = re.compile(r"[ \t\r\n]+-\}\}")


@dataclass
class _Action:
    tokens: list[tuple[str, str]]
    line: int


def _lex(src: str) -> list[Any]:
    """Text pieces (``str``) and actions (:class:`_Action`), trims applied as Go's lexer does."""
    out: list[Any] = []
    pos, line, trim_next = 0, 1, False
    while True:
        start = src.find("{{", pos)
        text = src[pos:] if start < 0 else src[pos:start]
        left_trim = start >= 0 and src.startswith("{{-", start) and src[start + 3:start + 4] in (" ", "\t", "\r", "\n")
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if left_trim:
            text = text.rstrip(" \t\r\n")
        if text:
            out.append(text)
        line += src.count("\n", pos, start if start >= 0 else len(src))
        if start < 0:
            return out
        i = start + (4 if left_trim else 2)
        action_line = line
        if _COMMENT_OPEN.match(src, i):  # a comment: */ then the closing delimiter (matched in place: no copy)
            end = src.find("*/", i)
            if end < 0:
                raise TemplateError(f"template: :{action_line}: unclosed comment")
            j = end + 2
            m = _COMMENT_CLOSE.match(src, j)
            if not m:
                raise TemplateError(f"template: :{action_line}: comment ends before closing delimiter")
            line += src.count("\n", start, m.end())
            trim_next, pos = bool(m.group(1)), m.end()
            continue
        tokens: list[tuple[str, str]] = []
        while True:
            if i >= len(src):
                raise TemplateError(f"template: :{action_line}: unclosed action")
            m = _TRIM_CLOSE.match(src, i)
            if m:
                trim_next, end = True, m.end()
                break
            if src.startswith("}}", i):
                trim_next, end = False, i + 2
                break
            m = _TOKEN.match(src, i)
            if not m:
                ch = src[i]
                if ch in "\"`'":
                    raise TemplateError(f"template: :{action_line}: unterminated "
                                        f"{'character constant' if ch == chr(39) else 'quoted string'}")
                raise TemplateError(f"template: :{action_line}: unexpected {_go_quote(ch)} in command")
            if m.lastgroup != "space":
                tokens.append((m.lastgroup, m.group()))
            i = m.end()
        line += src.count("\n", start, end)
        out.append(_Action(tokens, action_line))
        pos = end


def _go_quote(ch: str) -> str:
    return json.dumps(ch)


# --- parser ------------------------------------------------------------------------------

@dataclass
class _Pipe:
    decls: list[str]
    assign: bool
    cmds: list[list[tuple]]


@dataclass
class _Node:
    kind: str  # text, action, if, range, with, break, continue, template (text: the name; pipe: None or dot)
    line: int = 0
    text: str = ""
    pipe: _Pipe | None = None
    body: list["_Node"] = field(default_factory=list)
    orelse: list["_Node"] = field(default_factory=list)


_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}


class _Parser:
    def __init__(self, items: list[Any]):
        self.items, self.i = items, 0
        self.scopes: list[set[str]] = [{"$"}]
        self.range_depth = 0
        self.parens = 0
        self.defines: dict[str, list[_Node]] = {}  # {{define}}/{{block}} bodies by name

    def error(self, line: int, msg: str) -> TemplateError:
        return TemplateError(f"template: :{line}: {msg}")

    def parse_list(self, ends: tuple[str, ...]) -> tuple[list[_Node], _Action | None]:
        """Nodes up to one of ``ends`` (``end``/``else``); returns (nodes, the action that ended it)."""
        nodes: list[_Node] = []
        while self.i < len(self.items):
            item = self.items[self.i]
            self.i += 1
            if isinstance(item, str):
                nodes.append(_Node("text", text=item))
                continue
            toks, line = item.tokens, item.line
            if not toks:
                raise self.error(line, "missing value for command")
            kind, word = toks[0]
            if kind == "ident" and word in ("end", "else"):
                if word not in ends:
                    raise self.error(line, f"unexpected {{{{{word}}}}}")
                if word == "end" and len(toks) > 1:
                    raise self.error(line, f"unexpected {_describe(toks[1])} in end")
                return nodes, item
            if kind == "ident" and word in ("if", "range", "with"):
                nodes.append(self.parse_control(word, toks[1:], line))
            elif kind == "ident" and word in ("break", "continue"):
                if not self.range_depth:
                    raise self.error(line, f"{{{{{word}}}}} outside {{{{range}}}}")
                nodes.append(_Node(word, line))
            elif kind == "ident" and word == "define":
                if ends:  # Go reads {{define}} only at the top level
                    raise self.error(line, "unexpected <define> in command")
                name, rest = self.template_name(toks[1:], line, "define clause")
                if rest:
                    raise self.error(line, f"unexpected {_describe(rest[0])} in define clause")
                self.define(name, line)
            elif kind == "ident" and word in ("template", "block"):
                name, rest = self.template_name(toks[1:], line, f"{word} clause")
                pipe = self.parse_pipe(rest, line, f"{word} clause") if rest or word == "block" else None
                if word == "block":  # a define here, and a call to it
                    self.define(name, line)
                nodes.append(_Node("template", line, text=name, pipe=pipe))
            else:
                nodes.append(_Node("action", line, pipe=self.parse_pipe(toks, line, "command", allow_decl=True)))
        if ends:
            raise self.error(self.items[-1].line if self.items and isinstance(self.items[-1], _Action) else 1,
                             "unexpected EOF")
        return nodes, None

    def template_name(self, toks: list, line: int, context: str) -> tuple[str, list]:
        if not toks:
            raise self.error(line, f'unexpected "}}}}" in {context}')
        kind, word = toks[0]
        if kind == "string":
            try:
                return _unquote(word[1:-1], '"'), toks[1:]
            except ValueError:
                raise self.error(line, f"bad string syntax: {word}") from None
        if kind == "raw":
            return word[1:-1].replace("\r", ""), toks[1:]
        raise self.error(line, f"unexpected {_describe(toks[0])} in {context}")

    def define(self, name: str, line: int) -> None:
        """A named template's body up to its {{end}}: a tree of its own, where only ``$`` is a variable."""
        saved = self.scopes, self.range_depth
        self.scopes, self.range_depth = [{"$"}], 0
        try:
            body, _ = self.parse_list(("end",))
        finally:
            self.scopes, self.range_depth = saved
        old = self.defines.get(name)
        if old is not None and not _empty_tree(old) and not _empty_tree(body):
            raise self.error(line, f"template: multiple definition of template {json.dumps(name)}")
        if old is None or not _empty_tree(body):  # as Go, an empty definition does not replace a full one
            self.defines[name] = body

    def parse_control(self, word: str, toks: list, line: int) -> _Node:
        self.scopes.append(set())
        try:
            pipe = self.parse_pipe(toks, line, word, allow_decl=True, range_decl=word == "range")
            if word == "range":
                self.range_depth += 1
            try:
                body, stop = self.parse_list(("end", "else"))
            finally:
                if word == "range":
                    self.range_depth -= 1
            node = _Node(word, line, pipe=pipe, body=body)
            if stop is not None and stop.tokens[0][1] == "else":
                rest = stop.tokens[1:]
                if rest and rest[0] == ("ident", "if") and word == "if" or rest and rest[0] == ("ident", "with") and word == "with":
                    # {{else if …}} / {{else with …}}: a nested control that shares this {{end}}
                    node.orelse = [self.parse_control(word, rest[1:], stop.line)]
                elif rest:
                    raise self.error(stop.line, f"unexpected {_describe(rest[0])} in else")
                else:
                    node.orelse, _ = self.parse_list(("end",))
            return node
        finally:
            self.scopes.pop()

    def parse_pipe(self, toks: list, line: int, context: str, *, allow_decl: bool = False,
                   range_decl: bool = False) -> _Pipe:
        decls: list[str] = []
        assign = False
        # a declaration: $x := …, or $i, $x := … in range
        if allow_decl and toks and toks[0][0] == "var":
            if len(toks) > 1 and toks[1][0] in ("declare", "assign"):
                decls, assign = [toks[0][1]], toks[1][0] == "assign"
                toks = toks[2:]
            elif range_decl and len(toks) > 3 and toks[1] == ("punct", ",") and toks[2][0] == "var" \
                    and toks[3][0] in ("declare", "assign"):
                decls, assign = [toks[0][1], toks[2][1]], toks[3][0] == "assign"
                toks = toks[4:]
        if assign:
            for name in decls:
                self.check_var(name, line)
        cmds = self.parse_cmds(toks, line, context)
        for name in decls:
            if not assign:
                self.scopes[-1].add(name)
        return _Pipe(decls, assign, cmds)

    def check_var(self, name: str, line: int) -> None:
        if not any(name in s for s in self.scopes):
            raise self.error(line, f"undefined variable {json.dumps(name)}")

    def parse_cmds(self, toks: list, line: int, context: str) -> list[list[tuple]]:
        cmds: list[list[tuple]] = [[]]
        i = 0
        while i < len(toks):
            kind, word = toks[i]
            if kind == "punct" and word == "|":
                if not cmds[-1]:
                    raise self.error(line, "missing command")
                cmds.append([])
                i += 1
                continue
            arg, i = self.parse_operand(toks, i, line)
            cmds[-1].append(arg)
        if not cmds[-1]:
            raise self.error(line, f"missing value for {context}" if len(cmds) == 1 else "missing command")
        for cmd in cmds[1:]:
            if cmd[0][0] in ("str", "num", "bool", "nil"):
                raise self.error(line, "non executable command in pipeline stage 2")
        return cmds

    def parse_operand(self, toks: list, i: int, line: int) -> tuple[tuple, int]:
        kind, word = toks[i]
        i += 1
        if kind == "field":
            arg: tuple = ("field", word[1:].split("."))
        elif kind == "dot":
            arg = ("dot",)
        elif kind == "var":
            self.check_var(word, line)
            arg = ("var", word, [])
        elif kind == "string":
            try:
                arg = ("str", _unquote(word[1:-1], '"'))
            except ValueError:
                raise self.error(line, f"bad string syntax: {word}") from None
        elif kind == "raw":
            arg = ("str", word[1:-1].replace("\r", ""))
        elif kind == "char":
            try:
                value = _unquote(word[1:-1], "'", char=True)
            except ValueError:
                raise self.error(line, f"malformed character constant: {word}") from None
            arg = ("num", value)
        elif kind == "number":
            arg = ("num", _number(word, line))
        elif kind == "ident":
            if word in ("true", "false"):
                arg = ("bool", word == "true")
            elif word == "nil":
                arg = ("nil",)
            elif word in _KEYWORDS:
                raise self.error(line, f"unexpected <{word}> in command")
            elif word not in _FUNCS:
                raise self.error(line, f"function {json.dumps(word)} not defined")
            else:
                arg = ("func", word)
        elif kind == "punct" and word == "(":
            self.parens += 1
            if self.parens > MAX_NESTING:
                raise self.error(line, "the template is nested too deeply")
            depth, j = 1, i
            while j < len(toks) and depth:
                depth += {"(": 1, ")": -1}.get(toks[j][1], 0) if toks[j][0] == "punct" else 0
                j += 1
            if depth:
                raise self.error(line, "unclosed left paren")
            arg = ("pipe", self.parse_pipe(toks[i:j - 1], line, "parenthesized pipeline"), [])
            self.parens -= 1
            i = j
        else:
            raise self.error(line, f"unexpected {_describe((kind, word))} in operand")
        # a field chain right after a variable or a parenthesised pipeline: $x.Content, (index .M 0).Role
        if i < len(toks) and toks[i][0] == "field" and arg[0] in ("var", "pipe"):
            arg = (arg[0], arg[1], toks[i][1][1:].split("."))
            i += 1
        return arg, i


_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _unquote(body: str, quote: str, *, char: bool = False) -> Any:
    """A Go string (``"…"``) or character (``'…'``) literal's body, as ``strconv.Unquote`` reads it: ``\\x41``,
    ``\\101``, ``\\u00e9``, ``\\U0001F600``; a lone surrogate or an unknown escape is ``ValueError``. A string
    comes back as ``str`` (bytes that are not UTF-8 become U+FFFD), a character as its code point."""
    out = bytearray()
    runes: list[int] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == quote or ch == "\n":
            raise ValueError("unescaped quote")
        if ch != "\\":
            runes.append(ord(ch))
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        esc = body[i + 1:i + 2]
        if esc in _SIMPLE_ESCAPES or esc == quote:
            value = _SIMPLE_ESCAPES.get(esc, ord(quote))
            runes.append(value)
            out.append(value)
            i += 2
        elif esc in ("x", "u", "U") or esc in "01234567" and esc:
            size, base, start = {"x": (2, 16, 2), "u": (4, 16, 2), "U": (8, 16, 2)}.get(esc, (3, 8, 1))
            digits = body[i + start:i + start + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF"[:base if base == 8 else 22] for c in digits):
                raise ValueError("bad escape")
            value = int(digits, base)
            if esc in ("x",) or base == 8:
                if value > 255:
                    raise ValueError("octal escape value > 255")
                out.append(value)
            else:
                if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
                    raise ValueError("invalid code point")
                out += chr(value).encode()
            runes.append(value)
            i += start + size
        else:
            raise ValueError("unknown escape")
    if char:
        if len(runes) != 1:
            raise ValueError("malformed character constant")
        return runes[0]
    text = out.decode("utf-8", "replace")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):  # a lone surrogate typed into the template itself
        raise ValueError("invalid code point")
    return text


_INT_SYNTAX = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9]\d*)")


def _empty_tree(nodes: list[_Node]) -> bool:
    """Go's ``parse.IsEmptyTree``: nothing but white space."""
    return all(n.kind == "text" and not n.text.strip() for n in nodes)


def _number(word: str, line: int) -> int | float:
    """A Go number constant: ints in any base (``0b101``, ``0o17``, ``017``, ``0x1F``), decimal and hex floats
    (``0x1p-2``); a float that is whole and written without ``.eEpP`` is an int, as text/template does."""
    text = word.replace("_", "")
    bad = TemplateError(f"template: :{line}: illegal number syntax: {json.dumps(word)}")
    if text.endswith("i"):
        raise TemplateError(f"template: :{line}: complex constants are not supported by this server's template engine")
    if re.fullmatch(r"[+-]?0\d+", text) and not _INT_SYNTAX.fullmatch(text):  # 08: not octal, not decimal
        raise bad
    if _INT_SYNTAX.fullmatch(text):
        digits = text.lstrip("+-")
        value = int(digits, 8) if len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567" else int(digits, 0)
        return -value if text.startswith("-") else value
    try:
        hexa = text.lstrip("+-")[:2] in ("0x", "0X")
        value = float.fromhex(text) if hexa else float(text)
    except ValueError:
        raise bad from None
    if value in (float("inf"), float("-inf")):
        raise bad
    if not hexa and not any(c in text for c in ".eEpP") and value.is_integer():
        return int(value)
    return value


def _describe(tok: tuple[str, str]) -> str:
    kind, word = tok
    return f"<{word}>" if kind in ("ident", "field", "var") else json.dumps(word)


@dataclass
class Template:
    """A parsed template: its nodes and the field names it uses (lower-case, as Ollama's ``Vars``).

    ``legacy`` is the tree Ollama runs for a conversation turn: ``nodes`` with ``{{ .Response }}`` appended
    when the template uses neither ``.Messages`` nor ``.Response`` (Ollama's ``template.Parse``); ``cut`` is
    that tree cut after its first ``.Response`` field (the open turn, which the model completes)."""
    nodes: list[_Node]
    vars: list[str]
    legacy: list[_Node] = field(default_factory=list)
    cut: list[_Node] = field(default_factory=list)
    defines: dict[str, list[_Node]] = field(default_factory=dict)  # {{define}}/{{block}} bodies by name


_SURROGATE = re.compile("[\ud800-\udfff]")
_RESPONSE_NODE = _Node("action", 0, pipe=_Pipe([], False, [[("field", ["Response"])]]))


def parse_template(text: str) -> Template:
    """Parse ``text`` as Go's ``text/template`` would (Ollama's funcs), else :class:`TemplateError`; the
    result is cached per text (a model's template is parsed once, not on every request or ``/api/show``).
    The work is linear in the text; callers keep texts over :data:`MAX_TEMPLATE_BYTES` out.

    >>> parse_template("{{ range .Messages }}{{ .Content }}{{ end }}").vars
    ['content', 'messages']
    >>> parse_template("{{.Prompt")
    Traceback (most recent call last):
    ...
    labs.server.gotemplate.TemplateError: template: :1: unclosed action
    """
    with _CACHE_LOCK:
        found = _CACHE.pop(text, None)
        if found is not None:
            _CACHE[text] = found  # the most recently used last
            return found
    parsed = _parse(text)
    with _CACHE_LOCK:
        _CACHE[text] = parsed
        while sum(map(len, _CACHE)) > _CACHE_BYTES and len(_CACHE) > 1:
            del _CACHE[next(iter(_CACHE))]
    return parsed


_CACHE: dict[str, Template] = {}
_CACHE_LOCK = threading.Lock()


def _parse(text: str) -> Template:
    if _SURROGATE.search(text):  # as Go's JSON decoding leaves them: U+FFFD, never a prompt that cannot be encoded
        text = _SURROGATE.sub("\ufffd", text)
    parser = _Parser(_lex(text))
    try:
        nodes, _ = parser.parse_list(())
    except RecursionError:  # thousands of nested {{ if }}s or parentheses: refused, not a crash
        raise TemplateError("template: :1: the template is nested too deeply") from None
    named_root = parser.defines.get("")
    if named_root is not None:  # "" is the root's own name: Go adds the root last, as a define of "" (F5, r6)
        if not _empty_tree(nodes) and not _empty_tree(named_root):  # Go reports it at the end of the text
            raise parser.error(text.count("\n") + 1, 'template: multiple definition of template ""')
        if _empty_tree(nodes):
            nodes = named_root
        else:
            parser.defines[""] = nodes
    names: set[str] = set()
    for tree in (nodes, *parser.defines.values()):  # Ollama's Vars reads every template the text defines
        _walk_vars(tree, names)
    legacy = nodes + [_RESPONSE_NODE] if not names & {"messages", "response"} else nodes
    return Template(nodes, sorted(names), legacy, _delete_after_response(legacy, [False]), parser.defines)


def template_vars(text: str) -> list[str]:
    """The field names a template uses, lower-case (``suffix`` there = the ``insert`` capability); [] if it
    does not parse."""
    try:
        return parse_template(text).vars
    except TemplateError:
        return []


def _walk_vars(nodes: list[_Node], names: set[str]) -> None:
    for node in nodes:
        if node.kind == "template" and node.pipe is None:  # Ollama's Identifiers refuses it (its Parse fails)
            raise TemplateError("undefined template specified")
        if node.pipe:
            _pipe_vars(node.pipe, names)
        _walk_vars(node.body, names)
        _walk_vars(node.orelse, names)


def _pipe_vars(pipe: _Pipe, names: set[str]) -> None:
    for cmd in pipe.cmds:
        for arg in cmd:
            if arg[0] == "field":
                names.update(n.lower() for n in arg[1])
            elif arg[0] == "var":
                names.update(n.lower() for n in arg[2])
            elif arg[0] == "pipe" and not arg[2]:  # Go's Identifiers does not look into a chain (…).Field
                _pipe_vars(arg[1], names)


# --- execution ---------------------------------------------------------------------------

class _Struct(dict):
    """A Go struct value (``api.Message``): a field it lacks is an execution error, not a zero value."""
    type_name = "api.Message"


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_NO_VALUE = object()  # a map key that is not there: Go prints "<no value>"


def _truth(v: Any) -> bool:
    if v is None or v is _NO_VALUE:
        return False
    if isinstance(v, (bool, int, float, str, list, tuple)) and not isinstance(v, _Struct):
        return bool(v)
    if isinstance(v, _Struct):
        return True
    if isinstance(v, dict):
        return bool(v)
    return True


def _go_str(v: Any) -> str:
    if v is _NO_VALUE:
        return "<no value>"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _go_float(v)
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_go_str(x) for x in v) + "]"
    if isinstance(v, _Struct):
        return "{" + " ".join(_go_str(x) for x in v.values()) + "}"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_str(x)}" for k, x in sorted(v.items())) + "]"
    return str(v)


def _go_float(v: float) -> str:
    """A float64 as Go's ``%v`` prints it: the shortest digits, with an exponent below 1e-4 or from 1e6
    (strconv's ``%g`` rule for the shortest precision)."""
    if v != v or v in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(v)]
    sign = "-" if repr(v).startswith("-") else ""
    if v == 0:
        return sign + "0"
    d = decimal.Decimal(repr(abs(v)))  # repr: the shortest digits that read back as v
    digits = "".join(map(str, d.as_tuple().digits)).strip("0") or "0"
    exp10 = d.adjusted()
    if exp10 < -4 or exp10 >= 6:
        frac = digits[1:]
        return f"{sign}{digits[0]}{'.' + frac if frac else ''}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    text = format(d, "f")
    return sign + (text.rstrip("0").rstrip(".") if "." in text else text)


def _go_json(v: Any) -> str:
    """``json.Marshal`` as Go writes it: compact, with ``<``, ``>``, ``&`` escaped."""
    if isinstance(v, _NilList) and not v:
        return "null"
    text = json.dumps(None if v is _NO_VALUE else v, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _kind(v: Any) -> str:
    """Go's basicKind for a value here: bool, int, float, string; ``nil`` (a missing key); else not basic."""
    if v is None or v is _NO_VALUE:
        return "nil"
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("string", str)):
        if isinstance(v, types):
            return kind
    return "other"


def _cmp(name: str):
    def compare(a, b):
        ka, kb = _kind(a), _kind(b)
        if ka in ("bool", "other", "nil") or kb in ("bool", "other", "nil"):
            raise TemplateError(f"error calling {name}: invalid type for comparison")
        if ka != kb:
            raise TemplateError(f"error calling {name}: incompatible types for comparison")
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[name]
    return compare


def _eq(a, *others):
    """Go's ``eq``: basic values of one kind compare; two kinds (``1`` and ``1.0``, ``1`` and ``"1"``) are an error;
    a missing value equals only a missing value; a list or map cannot be compared; a message is compared by identity."""
    if not others:
        raise TemplateError("error calling eq: missing argument for comparison")
    ka = _kind(a)
    if ka == "other" and not isinstance(a, _Struct):
        raise TemplateError(f"error calling eq: non-comparable type {_go_str(a)}")
    for b in others:
        kb = _kind(b)
        if ka != kb:
            if ka != "nil" and kb != "nil":
                raise TemplateError("error calling eq: incompatible types for comparison")
            continue
        if ka == "other":
            if b is a:
                return True
        elif ka == "nil" or a == b:
            return True
    return False


def _len(v):
    if isinstance(v, (str, list, tuple, dict)):
        return len(v.encode() if isinstance(v, str) else v)
    raise TemplateError(f"error calling len: len of type {type(v).__name__}")


def _index(v, *keys):
    """Go's ``index``: a list by 0..len-1 (no negative index), a string's byte, a map's value (missing: no value)."""
    for k in keys:
        if isinstance(v, dict) and not isinstance(v, _Struct):
            v = v.get(k, _NO_VALUE) if isinstance(k, str) else _NO_VALUE
            continue
        if isinstance(v, (str, list, tuple)) and _kind(k) == "int":
            seq = v.encode() if isinstance(v, str) else v
            if not 0 <= k < len(seq):
                raise TemplateError(f"error calling index: index out of range: {k}")
            v = seq[k]
            continue
        if v is None or v is _NO_VALUE:
            raise TemplateError("error calling index: index of untyped nil")
        raise TemplateError(f"error calling index: cannot index slice/array with type {type(k).__name__}"
                            if isinstance(v, (list, tuple, str)) else "error calling index: can't index item")
    return v


def _slice(v, *idx):
    """Go's ``slice``: a list, or a string by bytes (``slice "héllo" 1 3`` is ``é``)."""
    if not isinstance(v, (str, list, tuple)) or len(idx) > 2 or any(_kind(i) != "int" for i in idx):
        raise TemplateError("error calling slice: can't slice item")
    seq = v.encode() if isinstance(v, str) else v
    lo = idx[0] if idx else 0
    hi = idx[1] if len(idx) > 1 else len(seq)
    if not 0 <= lo <= hi <= len(seq):
        raise TemplateError(f"error calling slice: index out of range: {hi if lo <= hi else lo}")
    part = seq[lo:hi]
    return part.decode("utf-8", "replace") if isinstance(v, str) else part


def _go_type(v: Any) -> str:
    return {"bool": "bool", "int": "int", "float": "float64", "string": "string", "nil": "<nil>"}.get(_kind(v)) or (
        "*api.Message" if isinstance(v, _Struct) else "[]interface {}" if isinstance(v, (list, tuple))
        else "map[string]interface {}")


def _go_quote_str(text: str) -> str:
    """``strconv.Quote``: printable runes as they are, the rest as ``\\a``, ``\\x..``, ``\\u....``."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out) + '"'


_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])")


def _go_number_overflows(digits: str | None) -> bool:
    """Go's ``fmt`` parsenum: it stops with "overflow" once the number read so far passes 1e6 and a digit follows."""
    num = 0
    for d in digits or "":
        if num > 1_000_000:
            return True
        num = num * 10 + int(d)
    return False


def _printf(fmt: str, *args):
    """Go's ``fmt.Sprintf`` for the verbs templates use (``%v %s %q %d %x %X %o %b %c %f %e %g %t %T``), with
    flags, width and precision, and Go's ``%!d(MISSING)``, ``%!(EXTRA …)`` and ``%!d(string=x)`` marks."""
    out: list[str] = []
    pos, used = 0, 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if _go_number_overflows(width) or _go_number_overflows(prec):
            # Go's parsenum gives up on a width/precision past 1e6 and consumes the rest of the format: %!(NOVERB).
            # It also keeps "%1000000000c" from padding a string of gigabytes before any budget could count it.
            out.append("%!(NOVERB)")
            pos = len(fmt)
            break
        if verb == "%":
            out.append("%")
            continue
        if used >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        v = args[used]
        used += 1
        out.append(_format_one(v, flags, int(width) if width else 0, None if prec is None else int(prec or 0), verb))
    out.append(fmt[pos:])
    if used < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{_go_type(a)}={_go_str(a)}" for a in args[used:]) + ")")
    return "".join(out)


def _format_one(v: Any, flags: str, width: int, prec: int | None, verb: str) -> str:
    kind = _kind(v)
    sign = "+" if "+" in flags else " " if " " in flags else ""
    numeric = False
    if verb == "v":
        text = _go_str(v) if kind != "float" or prec is None else f"{v:.{prec}g}"
    elif verb == "T":
        text = _go_type(v)
    elif verb == "t" and kind == "bool":
        text = _go_str(v)
    elif verb == "s" and kind == "string":
        text = v if prec is None else v[:prec]
    elif verb == "s" and kind == "other":
        text = _go_str(v)
    elif verb == "q" and kind == "string":
        text = _go_quote_str(v)
    elif verb == "q" and kind == "int":
        text = "'" + _go_quote_str(chr(v))[1:-1].replace("'", "\\'").replace('\\"', '"') + "'"
    elif verb == "c" and kind == "int" and 0 <= v <= 0x10FFFF:
        text = chr(v)
    elif verb in "dxXob" and kind == "int":
        numeric = True
        text = format(v, f"{sign}{'#' if '#' in flags and verb != 'd' else ''}{verb}")
    elif verb in "xX" and kind == "string":
        text = v.encode().hex() if verb == "x" else v.encode().hex().upper()
    elif verb in "eEfFgG" and kind == "float":
        numeric = True
        if verb in "gG" and prec is None:
            text = sign * (v >= 0) + _go_float(v)
            text = text.upper() if verb == "G" else text
        else:
            text = format(v, f"{sign}.{6 if prec is None else prec}{verb}")
    elif kind == "nil":
        text = f"%!{verb}(<nil>)"
    else:
        text = f"%!{verb}({_go_type(v)}={_go_str(v)})"
    if width > len(text):
        if "-" in flags:
            text = text.ljust(width)
        elif "0" in flags and numeric:
            head = text[0] if text[:1] in "+- " else ""
            text = head + text[len(head):].rjust(width - len(head), "0")
        else:
            text = text.rjust(width)
    return text


def _go_js(*args) -> str:
    """``template.JSEscapeString``: ``\\ ' "`` backslashed, ``< > & =`` and control characters as ``\\uXXXX``."""
    out = []
    for ch in "".join(_go_str(x) for x in args):
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in "<>&=" or ord(ch) < 0x20 or not ch.isprintable():
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


class _NilList(list):
    """A nil Go slice (``.Tools`` when a request sends none): empty and ranges as [], but ``json`` writes ``null``."""


_FUNCS: dict[str, Any] = {
    "and": None, "or": None,  # short-circuit: evaluated in _call
    "not": lambda v: not _truth(v),
    "eq": _eq, "ne": lambda a, b: not _eq(a, b),
    "lt": _cmp("lt"), "le": _cmp("le"), "gt": _cmp("gt"), "ge": _cmp("ge"),
    "len": _len, "index": _index, "slice": _slice,
    "print": lambda *a: "".join(_go_str(x) if i == 0 or isinstance(x, str) or isinstance(a[i - 1], str) else " " + _go_str(x)
                                for i, x in enumerate(a)),
    "println": lambda *a: " ".join(_go_str(x) for x in a) + "\n",
    "printf": _printf,
    "html": lambda *a: "".join(_go_str(x) for x in a).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    .replace('"', "&#34;").replace("'", "&#39;"),
    "js": _go_js,
    "urlquery": lambda *a: __import__("urllib.parse").parse.quote_plus("".join(_go_str(x) for x in a)),
    "call": lambda *a: (_ for _ in ()).throw(TemplateError("error calling call: non-function")),
    "json": _go_json,
    "currentDate": lambda *a: dt.date.today().isoformat(),
    "toTypeScriptType": lambda *a: "any",
}


_WIDE_HEADER = sys.getsizeof("\xe9") - 2  # CPython's header of a non-ASCII string (1-char + terminator)


def stored_bytes(text: str) -> int:
    """The bytes ``text`` takes in memory (its characters times 1, 2 or 4; O(1)), the unit the render
    budget counts in: a string of emoji takes 4x the memory of an ASCII one of the same length.

    >>> stored_bytes("abc"), stored_bytes("\xe9\xe9"), stored_bytes("\U0001F600")
    (3, 3, 8)
    """
    return len(text) if text.isascii() else sys.getsizeof(text) - _WIDE_HEADER


# A rendering within both of these is cheap (a real chat template: a few hundred steps, its input once): it runs at
# once. One that goes past either calls its ``gate`` first (the server's few shared render slots), so a costly
# render waits behind costly ones only and never delays a cheap one (issue 10 attack r6 F1).
CHEAP_STEPS = 20_000
CHEAP_BYTES = 2**20  # on top of the input's own size
_DIGITS = re.compile(r"\d{1,7}")


class _Budget:
    """What one rendering may spend, across all of its executions: steps, bytes of text built, and a
    ``cancel`` event it checks at every step (so a client that hangs up, or a shutdown, stops it).
    ``gate`` is called once, when the rendering stops being cheap (:data:`CHEAP_STEPS`, ``cheap_bytes``)."""

    def __init__(self, max_bytes: int, cancel: threading.Event | None,
                 gate: Callable[[], None] | None = None, cheap_bytes: int = CHEAP_BYTES):
        self.steps, self.bytes, self.max_bytes, self.cancel = 0, 0, max_bytes, cancel
        self.gate, self.cheap_bytes = gate, cheap_bytes

    def _ungate(self) -> None:
        gate, self.gate = self.gate, None
        gate()

    def step(self, line: int = 0) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:  # {{ range 1000000000 }}: a request must not hold a thread for minutes
            raise TemplateError(f"template: :{line}: the template ran more than {MAX_STEPS} steps")
        if self.cancel is not None and self.cancel.is_set():
            raise RenderCancelled("the rendering was cancelled")
        if self.gate is not None and self.steps > CHEAP_STEPS:
            self._ungate()

    def expect(self, name: str, values: list) -> None:
        """Before a function runs: the gate first if its result may take the rendering past cheap, so a render
        waiting for a slot holds no big string (``printf "%700000c"`` builds 2.8 MB in one step)."""
        if self.gate is None:
            return
        most = 6 * sum(stored_bytes(v) for v in values if isinstance(v, str))  # html/js escapes: up to 6x
        if name == "printf" and values and isinstance(values[0], str):  # widths and precisions, 4 bytes a char
            most += 4 * sum(min(int(d), 10**6) for d in _DIGITS.findall(values[0]))
        if self.bytes + most > self.cheap_bytes:
            self._ungate()

    def built(self, value: Any, line: int) -> Any:
        if isinstance(value, str):
            self.bytes += stored_bytes(value)
            if self.gate is not None and self.bytes > self.cheap_bytes:
                self._ungate()
            if self.bytes > self.max_bytes:
                raise TemplateError(f"template: :{line}: the template built more than {self.max_bytes // 2**20} MiB "
                                    "of text, the most one rendering may (no model's context holds that much)")
        return value


class _Exec:
    def __init__(self, root: Any, budget: _Budget, defines: dict[str, list[_Node]]):
        self.root = root
        self.out: list[str] = []
        self.vars: list[dict[str, Any]] = [{"$": root}]
        self.budget = budget
        self.defines = defines
        self.depth = 0  # {{template}} calls under way

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.vars):
            if name in scope:
                return scope[name]
        raise TemplateError(f"template: undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for scope in reversed(self.vars):
            if name in scope:
                scope[name] = value
                return

    def run(self, nodes: list[_Node], dot: Any) -> None:
        for node in nodes:
            self.budget.step(node.line)
            if node.kind == "text":
                self.out.append(self.budget.built(node.text, node.line))
            elif node.kind == "action":
                value = self.pipe(node.pipe, dot, node.line)
                if not node.pipe.decls:
                    self.out.append(self.budget.built(_go_str(value), node.line))
            elif node.kind in ("if", "with"):
                self.vars.append({})
                try:
                    value = self.pipe(node.pipe, dot, node.line)
                    if _truth(value):
                        self.run(node.body, value if node.kind == "with" else dot)
                    else:
                        self.run(node.orelse, dot)
                finally:
                    self.vars.pop()
            elif node.kind == "range":
                self.range(node, dot)
            elif node.kind == "template":
                self.call(node, dot)
            elif node.kind == "break":
                raise _Break
            elif node.kind == "continue":
                raise _Continue

    def call(self, node: _Node, dot: Any) -> None:
        """{{template "name" pipeline}}: the named body with dot (and ``$``) = the pipeline's value, as Go's
        walkTemplate; no variables of the caller are seen."""
        where = f'template: :{node.line}: executing "" at <{{{{template {json.dumps(node.text)}}}}}>'
        body = self.defines.get(node.text)
        if body is None:
            raise TemplateError(f"{where}: template {json.dumps(node.text)} not defined")
        if self.depth >= MAX_CALL_DEPTH:
            raise TemplateError(f"{where}: exceeded maximum template depth ({MAX_CALL_DEPTH})")
        value = _NO_VALUE
        if node.pipe is not None:
            self.vars.append({})
            try:
                value = self.pipe(node.pipe, dot, node.line)
            finally:
                self.vars.pop()
        saved, self.vars = self.vars, [{"$": value}]
        self.depth += 1
        try:
            self.run(body, value)
        finally:
            self.depth -= 1
            self.vars = saved

    def range(self, node: _Node, dot: Any) -> None:
        self.vars.append({})
        try:
            pipe = node.pipe
            value = self.pipe(_Pipe([], False, pipe.cmds), dot, node.line)
            if isinstance(value, dict) and not isinstance(value, _Struct):
                items = sorted(value.items())
            elif isinstance(value, (list, tuple)):
                items = list(enumerate(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                items = ((i, i) for i in range(value))  # lazily: the step budget ends a huge one
            elif value is None or value is _NO_VALUE:
                items = []
            else:
                raise TemplateError(f"template: :{node.line}: range can't iterate over {_go_str(value)}")
            ran = False
            for key, elem in items:
                ran = True
                self.budget.step(node.line)
                scope = {}
                if len(pipe.decls) == 1:
                    scope[pipe.decls[0]] = elem
                elif len(pipe.decls) == 2:
                    scope[pipe.decls[0]], scope[pipe.decls[1]] = key, elem
                if pipe.assign:
                    for name, v in scope.items():
                        self.set_var(name, v)
                    scope = {}
                self.vars.append(scope)
                try:
                    self.run(node.body, elem)
                except _Break:
                    break
                except _Continue:
                    continue
                finally:
                    self.vars.pop()
            if not ran:
                self.run(node.orelse, dot)
        finally:
            self.vars.pop()

    def pipe(self, pipe: _Pipe, dot: Any, line: int) -> Any:
        value: Any = _NO_VALUE
        for n, cmd in enumerate(pipe.cmds):
            value = self.command(cmd, dot, line, value if n else None, n > 0)
        for name in pipe.decls:
            if pipe.assign:
                self.set_var(name, value)
            else:
                self.vars[-1][name] = value
        return value

    def command(self, cmd: list[tuple], dot: Any, line: int, last: Any, piped: bool) -> Any:
        head = cmd[0]
        if head[0] == "func":
            args = cmd[1:]
            name = head[1]
            if name in ("and", "or"):
                values = [lambda a=a: self.arg(a, dot, line) for a in args] + ([lambda: last] if piped else [])
                if not values:
                    raise TemplateError(f"template: :{line}: wrong number of args for {name}: want at least 1 got 0")
                result = None
                for get in values:
                    result = get()
                    if _truth(result) != (name == "and"):
                        return result
                return result
            values = [self.arg(a, dot, line) for a in args] + ([last] if piped else [])
            self.budget.step(line)
            for v in values:  # what a function reads counts too: eq/len/lt of a huge string, a million times
                self.budget.built(v, line)
            self.budget.expect(name, values)
            try:
                result = _FUNCS[name](*values)
            except TemplateError as exc:
                raise TemplateError(f"template: :{line}: executing \"\" at <{name}>: {exc}") from None
            except TypeError:
                raise TemplateError(f"template: :{line}: executing \"\" at <{name}>: wrong number of args for {name}") from None
            return self.budget.built(result, line)
        if head[0] == "nil":
            raise TemplateError(f"template: :{line}: executing \"\" at <nil>: nil is not a command")
        if len(cmd) > 1 or piped:
            raise TemplateError(f"template: :{line}: executing \"\": can't give argument to non-function")
        return self.arg(head, dot, line)

    def arg(self, arg: tuple, dot: Any, line: int) -> Any:
        kind = arg[0]
        if kind == "dot":
            return dot
        if kind == "num" and isinstance(arg[1], int) and not -2**63 <= arg[1] < 2**63:
            raise TemplateError(f"template: :{line}: executing \"\" at <{arg[1]}>: {arg[1]} overflows int")
        if kind in ("str", "num", "bool"):
            return arg[1]
        if kind == "nil":
            return None
        if kind == "field":
            return self.fields(dot, arg[1], line)
        if kind == "var":
            return self.fields(self.lookup(arg[1]), arg[2], line)
        if kind == "pipe":
            self.vars.append({})
            try:
                return self.fields(self.pipe(arg[1], dot, line), arg[2], line)
            finally:
                self.vars.pop()
        if kind == "func":
            return self.command([arg], dot, line, None, False)
        raise TemplateError(f"template: :{line}: can't evaluate {kind}")

    def fields(self, value: Any, names: list[str], line: int) -> Any:
        for name in names:
            if isinstance(value, _Struct):
                if name not in value:
                    raise TemplateError(f"template: :{line}: executing \"\" at <.{name}>: "
                                        f"can't evaluate field {name} in type {value.type_name}")
                value = value[name]
            elif isinstance(value, dict):
                value = value.get(name, _NO_VALUE)
            elif value is None or value is _NO_VALUE:
                raise TemplateError(f"template: :{line}: executing \"\" at <.{name}>: "
                                    f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise TemplateError(f"template: :{line}: executing \"\" at <.{name}>: "
                                    f"can't evaluate field {name} in type {type(value).__name__}")
        return value


def _delete_after_response(nodes: list[_Node], cut: list[bool]) -> list[_Node]:
    """Ollama's ``deleteNode`` on a copy of the tree: the first *field* that names ``Response`` (``.Response``,
    not ``$.Response``, not an ``if``/``with``/``range`` condition, which it does not walk) is kept, and every
    node after it is dropped (the model writes the rest). ``cut`` is the shared "seen it" flag."""
    out: list[_Node] = []
    for node in nodes:
        if cut[0]:
            break
        if node.kind == "action":
            pipe = _delete_in_pipe(node.pipe, cut)
            if pipe is not None:
                out.append(_Node("action", node.line, pipe=pipe))
        elif node.kind in ("if", "with", "range"):
            body = _delete_after_response(node.body, cut)
            # Go would panic on an else list walked after the cut (a nil list); it is dropped here
            orelse = [] if cut[0] else _delete_after_response(node.orelse, cut)
            out.append(_Node(node.kind, node.line, node.text, node.pipe, body, orelse))
        else:
            out.append(node)
    return out


def _delete_in_pipe(pipe: _Pipe, cut: list[bool]) -> _Pipe | None:
    cmds = []
    for cmd in pipe.cmds:
        args = []
        for arg in cmd:
            if arg[0] == "field" and "Response" in arg[1]:
                cut[0] = True
                args.append(arg)
            elif cut[0]:
                continue
            elif arg[0] == "pipe" and not arg[2]:  # a parenthesised pipeline (a chain is not walked)
                inner = _delete_in_pipe(arg[1], cut)
                if inner is not None:
                    args.append(("pipe", inner, []))
            else:
                args.append(arg)
        if not args:
            return None
        cmds.append(args)
    return _Pipe(pipe.decls, pipe.assign, cmds) if cmds else None


def _message(m: dict) -> _Struct:
    return _Struct(Role=m.get("role", ""), Content=m.get("content", ""), Thinking=m.get("thinking", ""),
                   Images=list(m.get("images") or []), ToolCalls=list(m.get("tool_calls") or []),
                   ToolName=m.get("tool_name", ""))


def _collate(messages: list[dict]) -> tuple[str, list[dict]]:
    """System texts joined; consecutive messages of one role (but tool) merged, as Ollama's ``collate``."""
    system, out = [], []
    for m in messages:
        if m.get("role") == "system":
            system.append(m.get("content", ""))
        if out and out[-1]["role"] == m.get("role") and m.get("role") != "tool":
            out[-1] = {**out[-1], "content": out[-1].get("content", "") + "\n\n" + m.get("content", "")}
        else:
            out.append(dict(m))
    return "\n\n".join(system), out


def _execute(nodes: list[_Node], values: dict, budget: _Budget, defines: dict[str, list[_Node]]) -> str:
    ex = _Exec(values, budget, defines)
    try:
        ex.run(nodes, values)
    except (_Break, _Continue):
        pass
    except RecursionError:
        ex.out.clear()
        raise TemplateError("template: the template is nested too deeply") from None
    except BaseException:
        ex.out.clear()  # the text built so far goes now, not when a traceback that holds this frame is collected
        ex.vars.clear()
        raise
    return "".join(ex.out)


def render_template(template: str, *, system: str = "", prompt: str = "", response: str = "", suffix: str = "",
                    messages: list[dict] | None = None, think: bool | str | None = None,
                    cancel: threading.Event | None = None, gate: Callable[[], None] | None = None) -> str:
    """Render an Ollama prompt template as Ollama's ``Template.Execute`` does.

    ``messages`` (dicts with ``role``/``content``) is the conversation; without it, one turn is made of
    ``system`` and ``prompt``. Raises :class:`TemplateError` (Go's text) if it does not parse or run, or
    builds more than :data:`MAX_RENDER_BYTES` + 4x its input's size of text, in bytes as stored (:func:`stored_bytes`;
    Go has no such limit), and
    :class:`RenderCancelled` once ``cancel`` is set (checked at every step). ``gate`` is called (at most once, in
    this thread) before the rendering goes past :data:`CHEAP_STEPS` steps or :data:`CHEAP_BYTES` + its input's size
    built; it may block (wait for a shared slot) or raise.

    >>> render_template("{{ if .System }}<s>{{ .System }}</s>\\n{{ end }}U: {{ .Prompt }}\\nA:", prompt="Hi")
    'U: Hi\\nA:'
    >>> render_template("{{- .System -}}  |  {{ .Prompt }}", system="S", prompt="P")
    'S|  P'
    >>> render_template("{{ range .Messages }}<{{ .Role }}>{{ .Content }}{{ end }}<assistant>", prompt="Hi")
    '<user>Hi<assistant>'
    >>> render_template("U: {{ .Prompt }} A: {{ .Response }}</s>", prompt="Hi")
    'U: Hi A: '
    """
    parsed = parse_template(template)
    size = sum(map(stored_bytes, (system, prompt, response, suffix))) + sum(
        stored_bytes(str(m.get("content") or "")) + stored_bytes(str(m.get("thinking") or ""))
        + stored_bytes(str(m.get("tool_calls") or "")) for m in messages or [])
    budget = _Budget(MAX_RENDER_BYTES + 4 * size, cancel, gate, CHEAP_BYTES + size)
    think_values = {"Think": bool(think), "ThinkLevel": think if isinstance(think, str) else "",
                    "IsThinkSet": think is not None}
    if messages is None:
        messages = ([{"role": "system", "content": system}] if system else []) + \
                   ([{"role": "user", "content": prompt}] if prompt else [])
    if prompt and suffix:
        return _execute(parsed.legacy, {"Prompt": prompt, "Suffix": suffix, "Response": "", **think_values}, budget,
                        parsed.defines)
    collated_system, collated = _collate(messages)
    if "messages" in parsed.vars:
        return _execute(parsed.nodes, {"System": collated_system, "Messages": [_message(m) for m in collated],
                                       "Tools": _NilList(), "Response": "", **think_values}, budget, parsed.defines)
    # the legacy template: one execution per finished turn, then the open one cut at .Response
    out: list[str] = []
    turn = {"System": "", "Prompt": "", "Response": ""}

    def flush() -> None:
        out.append(_execute(parsed.legacy, {**turn, **think_values}, budget, parsed.defines))
        turn.update(System="", Prompt="", Response="")

    for m in collated:
        role = m.get("role")
        if role == "system":
            if turn["Prompt"] or turn["Response"]:
                flush()
            turn["System"] = m.get("content", "")
        elif role == "user":
            if turn["Response"]:
                flush()
            turn["Prompt"] = m.get("content", "")
        elif role == "assistant":
            turn["Response"] = m.get("content", "")
    # Ollama runs the cut tree as a new template of its own: the named ones are not defined there
    out.append(_execute(parsed.cut, {**turn, "Response": response or turn["Response"], **think_values}, budget, {}))
    return "".join(out)
