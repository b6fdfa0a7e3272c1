"""Ollama prompt templates: the part of Go's ``text/template`` that Ollama's library templates use, parsed
and run as Ollama's ``template`` package does (lesson 2 shows what a model's template does to a prompt).

* :func:`parse_template` refuses what Go's parser refuses, with Go's text
  (``template: :1: unclosed action``, ``unexpected EOF``, ``function "x" not defined``); Ollama's
  ``/api/create`` answers those with 400 ``template error: …``.
* Supported: text and ``{{- … -}}`` trims, comments, fields (``.Prompt``, ``.Messages``, ``$.System``),
  variables (``$i, $m := …``, ``$x = …``), string/number/bool literals, pipelines and parentheses,
  ``if``/``else if``/``else``, ``range`` (with ``else``, ``break``, ``continue``), ``with``, and the
  functions Go predefines (``eq``, ``ne``, ``lt``, ``and``, ``or``, ``not``, ``len``, ``index``, ``slice``,
  ``print``, ``printf``…) plus Ollama's ``json`` and ``currentDate``.
  Not supported: ``define``/``template``/``block`` (refused at parse time with that reason).
* :func:`render_template` runs a template as Ollama's ``Template.Execute``: with ``.Messages`` when the
  template uses them, else the legacy ``.System``/``.Prompt``/``.Response`` turns, the last one cut at
  ``.Response``; with a ``suffix``, once with ``.Prompt`` and ``.Suffix`` (fill-in-the-middle).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TemplateError", "parse_template", "render_template", "template_vars"]

MAX_NESTING = 100  # parentheses in one action (Go has no limit; this bounds the parse's work)
MAX_STEPS = 1_000_000  # nodes one rendering may run; a real chat template runs a few per message


class TemplateError(ValueError):
    """A template Go would not parse (or that fails when run); ``str()`` is Go's message."""


# --- lexer -------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<punct>[|(),])
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?))
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<dot>\.)
  | (?P<var>\$[A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.X)


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
        body = src[i:]
        stripped = body.lstrip(" \t\r\n")
        if stripped.startswith("/*"):  # a comment: */ then the closing delimiter
            end = src.find("*/", i)
            if end < 0:
                raise TemplateError(f"template: :{action_line}: unclosed comment")
            j = end + 2
            m = re.compile(r"([ \t\r\n]+-)?\}\}").match(src, j)
            if not m:
                raise TemplateError(f"template: :{action_line}: comment ends before closing delimiter")
            line += src.count("\n", start, m.end())
            trim_next, pos = bool(m.group(1)), m.end()
            continue
        tokens: list[tuple[str, str]] = []
        while True:
            if i >= len(src):
                raise TemplateError(f"template: :{action_line}: unclosed action")
            m = re.compile(r"[ \t\r\n]+-\}\}").match(src, i)
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
    kind: str  # text, action, if, range, with, break, continue
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
            elif kind == "ident" and word in ("define", "template", "block"):
                raise self.error(line, f"{{{{{word}}}}} is not supported by this server's template engine")
            else:
                nodes.append(_Node("action", line, pipe=self.parse_pipe(toks, line, "command", allow_decl=True)))
        if ends:
            raise self.error(self.items[-1].line if self.items and isinstance(self.items[-1], _Action) else 1,
                             "unexpected EOF")
        return nodes, None

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
                arg = ("str", json.loads(word))
            except ValueError:
                raise self.error(line, f"bad string syntax: {word}") from None
        elif kind == "raw":
            arg = ("str", word[1:-1])
        elif kind == "char":
            arg = ("num", ord(json.loads('"' + word[1:-1].replace('"', '\\"') + '"')[0]))
        elif kind == "number":
            try:
                text = word.replace("_", "")
                arg = ("num", int(text, 0) if re.fullmatch(r"[+-]?(0[xX][0-9a-fA-F]+|\d+)", text) else float(text))
            except ValueError:
                raise self.error(line, f"bad number syntax: {json.dumps(word)}") from None
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


def _describe(tok: tuple[str, str]) -> str:
    kind, word = tok
    return f"<{word}>" if kind in ("ident", "field", "var") else json.dumps(word)


@dataclass
class Template:
    """A parsed template: its nodes and the field names it uses (lower-case, as Ollama's ``Vars``)."""
    nodes: list[_Node]
    vars: list[str]


def parse_template(text: str) -> Template:
    """Parse ``text`` as Go's ``text/template`` would (Ollama's funcs), else :class:`TemplateError`.

    >>> parse_template("{{ range .Messages }}{{ .Content }}{{ end }}").vars
    ['content', 'messages']
    >>> parse_template("{{.Prompt")
    Traceback (most recent call last):
    ...
    labs.server.gotemplate.TemplateError: template: :1: unclosed action
    """
    parser = _Parser(_lex(text))
    try:
        nodes, _ = parser.parse_list(())
    except RecursionError:  # thousands of nested {{ if }}s or parentheses: refused, not a crash
        raise TemplateError("template: :1: the template is nested too deeply") from None
    names: set[str] = set()
    _walk_vars(nodes, names)
    return Template(nodes, sorted(names))


def template_vars(text: str) -> list[str]:
    """The field names a template uses, lower-case (``suffix`` there = the ``insert`` capability); [] if it
    does not parse."""
    try:
        return parse_template(text).vars
    except TemplateError:
        return []


def _walk_vars(nodes: list[_Node], names: set[str]) -> None:
    for node in nodes:
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
            elif arg[0] == "pipe":
                _pipe_vars(arg[1], names)
                names.update(n.lower() for n in arg[2])


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
        return repr(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e21 else f"{v:g}"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_go_str(x) for x in v) + "]"
    if isinstance(v, _Struct):
        return "{" + " ".join(_go_str(x) for x in v.values()) + "}"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_str(x)}" for k, x in sorted(v.items())) + "]"
    return str(v)


def _go_json(v: Any) -> str:
    """``json.Marshal`` as Go writes it: compact, with ``<``, ``>``, ``&`` escaped."""
    text = json.dumps(None if v is _NO_VALUE else v, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cmp(name: str):
    def compare(a, b):
        if isinstance(a, bool) != isinstance(b, bool) or (isinstance(a, str) != isinstance(b, str)):
            raise TemplateError(f"error calling {name}: incompatible types for comparison")
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[name]
    return compare


def _eq(a, *others):
    if not others:
        raise TemplateError("error calling eq: missing argument for comparison")
    a = None if a is _NO_VALUE else a
    return any(a == (None if b is _NO_VALUE else b) and type(a) is type(None if b is _NO_VALUE else b)
               or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
                   and not isinstance(b, bool) and a == b) for b in others)


def _len(v):
    if isinstance(v, (str, list, tuple, dict)):
        return len(v.encode() if isinstance(v, str) else v)
    raise TemplateError(f"error calling len: len of type {type(v).__name__}")


def _index(v, *keys):
    for k in keys:
        try:
            v = v[k]
        except (IndexError, KeyError, TypeError):
            if isinstance(v, dict) and not isinstance(v, _Struct):
                return _NO_VALUE
            raise TemplateError(f"error calling index: index out of range: {k}") from None
    return v


def _slice(v, *idx):
    if not isinstance(v, (str, list, tuple)) or len(idx) > 2:
        raise TemplateError("error calling slice: can't slice item")
    lo = idx[0] if idx else 0
    hi = idx[1] if len(idx) > 1 else len(v)
    if not 0 <= lo <= hi <= len(v):
        raise TemplateError(f"error calling slice: index out of range: {hi}")
    return v[lo:hi]


def _printf(fmt: str, *args):
    vals = iter(args)

    def one(m: re.Match) -> str:
        verb = m.group(1)
        if verb == "%":
            return "%"
        v = next(vals, _NO_VALUE)
        if verb == "q":
            return json.dumps(_go_str(v) if not isinstance(v, str) else v, ensure_ascii=False)
        if verb == "d" and isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(int(v))
        return _go_str(v)
    return re.sub(r"%[-+# 0-9.]*([a-zA-Z%])", one, fmt)


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
    "js": lambda *a: json.dumps("".join(_go_str(x) for x in a))[1:-1],
    "urlquery": lambda *a: __import__("urllib.parse").parse.quote_plus("".join(_go_str(x) for x in a)),
    "call": lambda *a: (_ for _ in ()).throw(TemplateError("error calling call: non-function")),
    "json": _go_json,
    "currentDate": lambda *a: dt.date.today().isoformat(),
    "toTypeScriptType": lambda *a: "any",
}


class _Exec:
    def __init__(self, root: Any):
        self.root = root
        self.out: list[str] = []
        self.vars: list[dict[str, Any]] = [{"$": root}]
        self.steps = 0

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
            self.steps += 1
            if self.steps > MAX_STEPS:  # {{ range 1000000000 }}: a request must not hold the model's thread
                raise TemplateError(f"template: the template ran more than {MAX_STEPS} steps")
            if node.kind == "text":
                self.out.append(node.text)
            elif node.kind == "action":
                value = self.pipe(node.pipe, dot, node.line)
                if not node.pipe.decls:
                    self.out.append(_go_str(value))
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
            elif node.kind == "break":
                raise _Break
            elif node.kind == "continue":
                raise _Continue

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
                self.steps += 1
                if self.steps > MAX_STEPS:
                    raise TemplateError(f"template: :{node.line}: the template ran more than {MAX_STEPS} steps")
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
            try:
                return _FUNCS[name](*values)
            except TemplateError as exc:
                raise TemplateError(f"template: :{line}: executing \"\" at <{name}>: {exc}") from None
            except TypeError:
                raise TemplateError(f"template: :{line}: executing \"\" at <{name}>: wrong number of args for {name}") from None
        if len(cmd) > 1 or piped:
            raise TemplateError(f"template: :{line}: executing \"\": can't give argument to non-function")
        return self.arg(head, dot, line)

    def arg(self, arg: tuple, dot: Any, line: int) -> Any:
        kind = arg[0]
        if kind == "dot":
            return dot
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


def _refs_response(pipe: _Pipe) -> bool:
    names: set[str] = set()
    _pipe_vars(pipe, names)
    return "response" in names


def _cut_at_response(nodes: list[_Node]) -> tuple[list[_Node], bool]:
    """Ollama's legacy rendering: everything after the first ``.Response`` is dropped (the model writes it)."""
    out: list[_Node] = []
    for node in nodes:
        if node.pipe and _refs_response(node.pipe):
            out.append(_Node(node.kind, node.line, node.text, node.pipe) if node.kind != "action" else node)
            return out, True
        body, cut = _cut_at_response(node.body)
        if cut:
            out.append(_Node(node.kind, node.line, node.text, node.pipe, body))
            return out, True
        orelse, cut = _cut_at_response(node.orelse)
        out.append(_Node(node.kind, node.line, node.text, node.pipe, body, orelse) if cut else node)
        if cut:
            return out, True
    return out, False


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


def _execute(nodes: list[_Node], values: dict) -> str:
    ex = _Exec(values)
    try:
        ex.run(nodes, values)
    except (_Break, _Continue):
        pass
    except RecursionError:
        raise TemplateError("template: the template is nested too deeply") from None
    return "".join(ex.out)


def render_template(template: str, *, system: str = "", prompt: str = "", response: str = "", suffix: str = "",
                    messages: list[dict] | None = None, think: bool | str | None = None) -> str:
    """Render an Ollama prompt template as Ollama's ``Template.Execute`` does.

    ``messages`` (dicts with ``role``/``content``) is the conversation; without it, one turn is made of
    ``system`` and ``prompt``. Raises :class:`TemplateError` (Go's text) if it does not parse or run.

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
    think_values = {"Think": bool(think), "ThinkLevel": think if isinstance(think, str) else "",
                    "IsThinkSet": think is not None}
    if messages is None:
        messages = ([{"role": "system", "content": system}] if system else []) + \
                   ([{"role": "user", "content": prompt}] if prompt else [])
    if prompt and suffix:
        return _execute(parsed.nodes, {"Prompt": prompt, "Suffix": suffix, "Response": "", **think_values})
    collated_system, collated = _collate(messages)
    if "messages" in parsed.vars:
        return _execute(parsed.nodes, {"System": collated_system, "Messages": [_message(m) for m in collated],
                                       "Tools": [], "Response": "", **think_values})
    # the legacy template: one execution per finished turn, then the open one cut at .Response
    out: list[str] = []
    turn = {"System": "", "Prompt": "", "Response": ""}

    def flush() -> None:
        out.append(_execute(parsed.nodes, {**turn, **think_values}))
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
    cut, _ = _cut_at_response(parsed.nodes)
    out.append(_execute(cut, {**turn, "Response": response or turn["Response"], **think_values}))
    return "".join(out)
