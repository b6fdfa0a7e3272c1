"""A format's grammar before it reaches llama.cpp: regex ``pattern`` escapes written the way llama.cpp's parser takes
them, and what the grammar will cost llama.cpp's sampler, measured so that a grammar that would stall the thread
every model shares is refused first (issue 10 attack r9 F1, F3).

* :func:`llama_pattern` rewrites a JSON-schema ``pattern`` for llama-cpp-python's Python converter, which copies
  ``\\.``, ``\\d``, ``\\-`` … into GBNF as they are (llama.cpp refuses ``"\\."``; ``"\\d"`` is not a digit). llama.cpp's
  C++ converter (Ollama's, through llama-server) reads them as regex escapes; so does this.
* :func:`stack_cost` reads a GBNF grammar as llama.cpp's parser does (repetitions unrolled into rules, the same
  way) and follows llama.cpp's parse stacks (``llama_grammar_advance_stack``) on the characters the grammar names:
  the most stack expansions one character can need. Nested optional repetitions (``((a{0,30}){0,30}){0,30}``,
  ``(a?){40}``) or overlapping ``anyOf`` branches make one character fan out into thousands of stacks, and llama.cpp
  repeats that for every vocabulary token, in one uncancellable C call. ``bench/grammar_cost.py`` prints the
  measured time per token against this figure; the server refuses a grammar over :data:`MAX_STACK_COST`.

Lesson 2 (Ollama's API, structured outputs) teaches ``format``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

WALK_FACTOR = 600  # the whole walk may cost this many tokens' budgets (~3 s of Python at worst; 100 optional properties pass)
TOKEN_CHARS = 8  # characters of one vocabulary token the cost follows (most tokens are shorter)
MAX_REPEAT = 2000  # llama.cpp's MAX_REPETITION_THRESHOLD for {m,n}


class GrammarError(ValueError):
    """A grammar or pattern this server cannot hand to llama.cpp (a 400)."""


# --- patterns --------------------------------------------------------------------------------------

_CLASS_ESCAPES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": " \\t\\n\\r\\x0B\\x0C"}
_CONTROL = {"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\x0C", "v": "\\x0B", "0": "\\x00"}


def _hex(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02X}" if code < 0x80 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def llama_pattern(pattern: str) -> str:
    """A JSON-schema regex ``pattern`` with its escapes spelled so that llama-cpp-python's converter writes a GBNF
    llama.cpp parses, meaning what the regex means (as llama.cpp's C++ converter reads it): ``\\d`` → ``[0-9]``,
    ``\\.`` → ``[\\x2E]``, ``[\\w.-]`` → ``[a-zA-Z0-9_\\x2E-]``. Raises :class:`GrammarError` for an escape a grammar
    cannot express (``\\b``, back-references, ``\\p{…}``).

    >>> llama_pattern(r"^\\d+\\.\\d+$")
    '^[0-9]+[\\\\x2E][0-9]+$'
    """
    out, i, n = [], 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            i += 2
            if nxt in "xu" and not in_class and i < n:  # \xHH, \uHHHH: one character
                width = 2 if nxt == "x" else 4
                out.append(f"[\\{nxt}{pattern[i:i + width]}]")
                i += width
            elif nxt in "xu":
                width = 2 if nxt == "x" else 4
                out.append(f"\\{nxt}{pattern[i:i + width]}")
                i += width
            elif nxt in _CLASS_ESCAPES:
                out.append(_CLASS_ESCAPES[nxt] if in_class else f"[{_CLASS_ESCAPES[nxt]}]")
            elif nxt in "DWS":
                if in_class:
                    raise GrammarError(f"invalid format: the pattern escape \\{nxt} inside [...] is not supported: spell the "
                                       f"characters out ({pattern!r})")
                out.append(f"[^{_CLASS_ESCAPES[nxt.lower()]}]")
            elif nxt in _CONTROL:
                out.append(_CONTROL[nxt] if in_class else f"[{_CONTROL[nxt]}]")
            elif nxt.isalnum():
                raise GrammarError(f"invalid format: the pattern escape \\{nxt} (word boundaries, back-references, Unicode classes) "
                                   f"cannot be turned into a grammar ({pattern!r})")
            else:  # an escaped punctuation character: itself
                out.append(_hex(nxt) if in_class else f"[{_hex(nxt)}]")
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a leading ] is a character
                out.append("\\]")
                i += 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def with_llama_patterns(schema: object) -> object:
    """A copy of a JSON schema with every ``pattern`` passed through :func:`llama_pattern` (values of ``enum``,
    ``const``, ``default`` and ``examples`` are data, not schemas: left alone). Iterative: a schema may nest deep."""
    root = [schema]
    todo = [(root, 0)]
    while todo:
        parent, key = todo.pop()
        value = parent[key]
        if isinstance(value, dict):
            copy = dict(value)
            parent[key] = copy
            for k, v in copy.items():
                if k == "pattern" and isinstance(v, str):
                    copy[k] = llama_pattern(v)
                elif k not in ("enum", "const", "default", "examples") and isinstance(v, (dict, list)):
                    todo.append((copy, k))
        elif isinstance(value, list):
            copy = list(value)
            parent[key] = copy
            todo.extend((copy, j) for j, v in enumerate(copy) if isinstance(v, (dict, list)))
    return root[0]


def root_ref_resolved(schema: object) -> object:
    """A schema whose root is a local ``$ref`` (``{"$ref": "#/$defs/Node", "$defs": {...}}``, what pydantic makes of
    a recursive model) with the root replaced by the target's keys, the root's other keys (``$defs``,
    ``definitions``) kept beside them; anything else is returned as it is. llama-cpp-python's converter does not
    rewrite the references inside ``$defs`` when the root itself is a ``$ref``, so a recursive target failed with
    ``KeyError: '#/$defs/Node'`` (issue 10 attack r11); llama.cpp's C++ converter (Ollama's) serves it. Follows a
    chain of root references up to 32 long; a reference it cannot follow is left for the converter to refuse.

    >>> root_ref_resolved({"$ref": "#/$defs/A", "$defs": {"A": {"type": "integer"}}})
    {'type': 'integer', '$defs': {'A': {'type': 'integer'}}}
    """
    for _ in range(32):
        if not isinstance(schema, dict) or not isinstance(schema.get("$ref"), str) or not schema["$ref"].startswith("#/"):
            return schema
        target: object = schema
        for part in schema["$ref"][2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]  # "#/$defs/list/0": a JSON pointer indexes an array (r12 F3)
            elif isinstance(target, dict) and part in target:
                target = target[part]
            else:
                return schema
        if not isinstance(target, dict) or target is schema or target is schema.get("$defs") \
                or target is schema.get("definitions"):
            return schema
        # the target's keys win over the root's siblings, as llama.cpp's converter reads them; but every reference is
        # rooted at the document, so the root's "$defs"/"definitions" stay and the target's own nested ones are left
        # where they are ("#/$defs/A/$defs/C" still points into A: issue 10 attack r12 F3)
        schema = {**{k: v for k, v in target.items() if k not in _DEFINITIONS},
                  **{k: v for k, v in schema.items() if k != "$ref" and (k not in target or k in _DEFINITIONS)}}
    return schema


_DEFINITIONS = ("$defs", "definitions")


# --- GBNF as llama.cpp reads it ----------------------------------------------------------------------

@dataclass
class Rules:
    """A grammar as llama.cpp holds it: each rule a list of alternatives, each a list of elements, an element
    either ``("c", ranges, negated)`` (one character; ``ranges`` a tuple of (lo, hi) code points) or ``("r", id)``."""

    alts: list[list[list[tuple]]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    def rule_id(self, name: str) -> int:
        if name not in self.ids:
            self.ids[name] = len(self.alts)
            self.alts.append([])
        return self.ids[name]

    def new_rule(self, alts: list[list[tuple]]) -> int:
        self.alts.append(alts)
        return len(self.alts) - 1


_SIMPLE = {"t": "\t", "r": "\r", "n": "\n", "\\": "\\", '"': '"', "[": "[", "]": "]"}


class _Parser:
    """llama.cpp's ``llama_grammar_parser`` (src/llama-grammar.cpp), enough to know the rules it builds."""

    def __init__(self, text: str, rules: Rules):
        self.s, self.rules = text, rules

    def space(self, i: int, newline_ok: bool) -> int:
        s = self.s
        while i < len(s):
            if s[i] in " \t" or (newline_ok and s[i] in "\r\n"):
                i += 1
            elif s[i] == "#":
                while i < len(s) and s[i] not in "\r\n":
                    i += 1
            else:
                break
        return i

    def name(self, i: int) -> int:
        j = i
        while j < len(self.s) and (self.s[j].isascii() and self.s[j].isalnum() or self.s[j] == "-"):
            j += 1
        if j == i:
            raise GrammarError(f"expecting a name at {self.s[i:i + 20]!r}")
        return j

    def char(self, i: int) -> tuple[int, int]:
        s = self.s
        if i >= len(s):
            raise GrammarError("unexpected end of input")
        if s[i] != "\\":
            return ord(s[i]), i + 1
        kind = s[i + 1:i + 2]
        if kind in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[kind]
            digits = s[i + 2:i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise GrammarError(f"expecting {width} hex chars at {s[i:i + 10]!r}")
            return int(digits, 16), i + 2 + width
        if kind in _SIMPLE:
            return ord(_SIMPLE[kind]), i + 2
        raise GrammarError(f"unknown escape at {s[i:i + 10]!r}")

    def symbols(self, i: int, out: list[tuple], last: int, nested: bool) -> tuple[list[tuple], int, int]:
        """Symbols from ``i`` onto ``out`` up to a ``(``, ``)``, ``|`` or the rule's end; ``last``: where the last
        symbol starts (a repetition applies to it). Returns ``(out, last, i)``."""
        s = self.s
        while i < len(s):
            ch = s[i]
            if ch == '"':
                i += 1
                last = len(out)
                while i < len(s) and s[i] != '"':
                    code, i = self.char(i)
                    out.append(("c", ((code, code),), False))
                if i >= len(s):
                    raise GrammarError("unexpected end of input")
                i = self.space(i + 1, nested)
            elif ch == "[":
                i += 1
                negated = s[i:i + 1] == "^"
                i += negated
                ranges = []
                while i < len(s) and s[i] != "]":
                    lo, i = self.char(i)
                    hi = lo
                    if s[i:i + 1] == "-" and s[i + 1:i + 2] != "]":
                        hi, i = self.char(i + 1)
                    ranges.append((lo, hi))
                if i >= len(s):
                    raise GrammarError("unexpected end of input")
                last = len(out)
                out.append(("c", tuple(ranges), negated))
                i = self.space(i + 1, nested)
            elif ch == ".":
                last = len(out)
                out.append(("c", (), True))
                i = self.space(i + 1, nested)
            elif ch.isascii() and (ch.isalnum() or ch == "-"):
                j = self.name(i)
                last = len(out)
                out.append(("r", self.rules.rule_id(s[i:j])))
                i = self.space(j, nested)
            elif ch in "*+?{":
                if last == len(out):
                    raise GrammarError(f"expecting something before {ch}")
                if ch == "{":
                    j = s.find("}", i)
                    if j < 0:
                        raise GrammarError("expecting '}'")
                    parts = [p.strip() for p in s[i + 1:j].split(",")]
                    try:
                        lo = int(parts[0] or 0)
                        hi = lo if len(parts) == 1 else (int(parts[1]) if parts[1] else -1)
                    except ValueError:
                        raise GrammarError(f"bad repetition {s[i:j + 1]!r}") from None
                    i = j + 1
                else:
                    lo, hi = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[ch]
                    i += 1
                if lo > MAX_REPEAT or hi > MAX_REPEAT:
                    raise GrammarError(f"a repetition of more than {MAX_REPEAT}")
                out = self.repeat(out, last, lo, hi)
                i = self.space(i, nested)
            else:
                break
        return out, last, i

    def repeat(self, out: list[tuple], last: int, lo: int, hi: int) -> list[tuple]:
        """llama.cpp's ``handle_repetitions``: S{m,n} → S×m then a chain of n-m optional rules."""
        sym = out[last:]
        out = out[:last] + sym * lo if lo else out[:last]
        n_opt = 1 if hi < 0 else hi - lo
        prev = None
        for k in range(n_opt):
            rid = self.rules.new_rule([])
            first = list(sym)
            if k > 0 or hi < 0:
                first.append(("r", rid if hi < 0 else prev))
            self.rules.alts[rid] = [first, []]
            prev = rid
        if n_opt > 0:
            out = out + [("r", prev)]
        return out

    def alternates(self, i: int, rule_name: str, nested: bool) -> tuple[list[list[tuple]], int]:
        """A rule's alternatives from ``i``: ``(alternatives, where they end)``. Groups ``( … )`` are kept on an
        explicit stack, not by recursion, so a deep nest costs no Python stack (and never touches the process's
        recursion limit, which other parsers rely on); a group becomes a new rule when it closes, as in llama.cpp."""
        s, groups = self.s, []  # the enclosing levels: (their alternatives, their symbols, their `nested`)
        alts: list[list[tuple]] = []
        out, last = [], 0
        while True:
            out, last, i = self.symbols(i, out, last, nested)
            ch = s[i:i + 1]
            if ch == "(":
                groups.append((alts, out, nested))
                alts, out, last, nested = [], [], 0, True
                i = self.space(i + 1, True)
            elif ch == "|":
                alts.append(out)
                out, last = [], 0
                i = self.space(i + 1, True)
            else:
                alts.append(out)
                if not groups:
                    return alts, i
                if ch != ")":
                    raise GrammarError("expecting ')'")
                rid = self.rules.new_rule(alts)
                alts, out, nested = groups.pop()
                last = len(out)
                out.append(("r", rid))
                i = self.space(i + 1, nested)

    def parse(self) -> Rules:
        i = self.space(0, True)
        while i < len(self.s):
            j = self.name(i)
            name = self.s[i:j]
            i = self.space(j, False)
            if self.s[i:i + 3] != "::=":
                raise GrammarError(f"expecting ::= at {self.s[i:i + 20]!r}")
            alts, i = self.alternates(self.space(i + 3, True), name, False)
            self.rules.alts[self.rules.rule_id(name)] = alts
            if i < len(self.s) and self.s[i] not in "\r\n":
                raise GrammarError(f"expecting newline or end at {self.s[i:i + 20]!r}")
            i = self.space(i, True)
        return self.rules


LLAMA_MAX_NESTING = 1000  # the deepest ( … ) llama.cpp's grammar parser takes (found: 1000 parses, 1001 does not)


def structure(gbnf: str) -> Iterator[tuple[int, str]]:
    """The positions and characters of a GBNF text outside its literals, character classes and comments (where
    ``(``, ``)``, ``|`` and ``::=`` mean structure).

    >>> "".join(ch for _, ch in structure('r ::= "(|" [)] ( x ) # |('))
    'r ::=   ( x ) '
    """
    i, n = 0, len(gbnf)
    while i < n:
        ch = gbnf[i]
        if ch in "\"[":  # a literal or a class: skip to its unescaped end
            end = '"' if ch == '"' else "]"
            i += 1
            while i < n and gbnf[i] != end:
                i += 2 if gbnf[i] == "\\" else 1
        elif ch == "#":
            while i < n and gbnf[i] != "\n":
                i += 1
        else:
            yield i, ch
        i += 1


def nesting(gbnf: str) -> int:
    """The deepest parenthesis nesting of a GBNF text, outside literals, classes and comments (the converter writes
    ``maxLength: n`` as n nested optional groups).

    >>> nesting('root ::= ("(" (x [)]))?  # ((')
    2
    """
    deepest = depth = 0
    for _, ch in structure(gbnf):
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def parse_gbnf(text: str) -> Rules:
    """GBNF → :class:`Rules` as llama.cpp builds them; :class:`GrammarError` where llama.cpp's parser would fail."""
    rules = _Parser(text, Rules()).parse()
    if "root" not in rules.ids:
        raise GrammarError("the grammar has no root rule")
    for name, rid in rules.ids.items():
        if not rules.alts[rid]:
            raise GrammarError(f"undefined rule {name!r}")
    return rules


# --- the parse stacks ----------------------------------------------------------------------------------

class CostExceeded(Exception):
    """The measurement passed its budget: the grammar costs more than the limit it was asked about."""


PLACE_STATES = 6  # stack sets walked from each place of each rule (the fan-out shows within a few characters)

def stack_cost(gbnf: str, budget: int, token_chars: int = TOKEN_CHARS, states: int = 400,
               walk_budget: int | None = None) -> int:
    """What llama.cpp's grammar does for one vocabulary token, at the worst place this walk finds: the most parse-stack
    expansions (``llama_grammar_advance_stack`` calls, one unit each) that matching ``token_chars`` characters in a
    row costs. The walk starts at the grammar's start and tries every character class the grammar names, breadth
    first, over at most ``states`` distinct sets of stacks. llama.cpp repeats at least this much for every token of
    the vocabulary that spells such characters, in one C call, so the figure scales the time of a sampling step
    (``bench/grammar_cost.py`` prints both). Returns ``budget + 1`` as soon as it is over ``budget``, and also when
    the whole walk needs more than ``walk_budget`` units (default ``WALK_FACTOR × budget``: the measurement itself
    stays bounded, ~1.5 s at the server's limit).

    >>> stack_cost('root ::= "a" "b"', 100) < stack_cost('root ::= (("a"?){0,8}){0,8} "b"', 10**6)
    True
    """
    rules = parse_gbnf(gbnf)
    alts = rules.alts
    work = [0]
    walk_budget = WALK_FACTOR * budget if walk_budget is None else walk_budget

    # what entering each rule pushes: one frame per alternative, none for an empty one (built once, not per step)
    entries = [[((r, k, 0),) if alt else () for k, alt in enumerate(rule)] for r, rule in enumerate(alts)]

    def advance(stack: tuple, out: set) -> None:
        """llama.cpp's ``llama_grammar_advance_stack``: one unit per expansion, no memo, as there (a loop, not
        recursion: a 1000-deep chain of optional rules is ordinary)."""
        todo = [stack]
        pop, push, keep = todo.pop, todo.append, out.add
        n = work[0]
        try:
            while todo:
                stack = pop()
                n += 1
                if n > budget:
                    raise CostExceeded
                if not stack:
                    keep(stack)
                    continue
                r, a, e = stack[-1]
                alt = alts[r][a]
                elem = alt[e]
                if elem[0] == "c":
                    keep(stack)
                    continue
                rest = stack[:-1]
                if e + 1 < len(alt):
                    rest += ((r, a, e + 1),)
                for entry in entries[elem[1]]:
                    push(rest + entry)
        finally:
            work[0] = n

    merged: dict[int, tuple[list[int], list[int]]] = {}  # a class's ranges, sorted and merged: a bisect per test

    def matches(elem: tuple, code: int) -> bool:
        key = id(elem[1])
        if key not in merged:
            los: list[int] = []
            his: list[int] = []
            for lo, hi in sorted(elem[1]):
                if his and lo <= his[-1] + 1:
                    his[-1] = max(his[-1], hi)
                else:
                    los.append(lo)
                    his.append(hi)
            merged[key] = (los, his)
        los, his = merged[key]
        k = bisect_right(los, code) - 1
        return (k >= 0 and code <= his[k]) != elem[2]

    # one character per distinct range start (and one past each end): every class the grammar names is tried
    points = {0x20, 0x7F}
    for rule in alts:
        for alt in rule:
            for elem in alt:
                if elem[0] == "c":
                    for lo, hi in elem[1]:
                        points.update((lo, hi + 1))
    chars = sorted(p for p in points if p < 0x110000)
    moves: dict[frozenset, list[tuple[int, frozenset]]] = {}  # stack set → (work, next set) per character
    walked_box = [0]

    bits: dict[int, int] = {}  # an element (by id) → the characters of ``chars`` it matches, as a bit mask

    def char_bits(elem: tuple) -> int:
        key = id(elem)
        if key not in bits:
            bits[key] = sum(1 << j for j, code in enumerate(chars) if matches(elem, code))
        return bits[key]

    def walk(frontier: list, limit: int) -> None:
        """Breadth first from ``frontier`` over at most ``limit`` new stack sets (``moves`` is shared: a set seen
        from an earlier start is not walked again). Characters that match the same stacks of a set lead to the
        same work and the same next set: the stacks are advanced once per such group of characters (r11 F3)."""
        todo = deque(frontier)
        fresh = 0
        while todo and fresh < limit:
            stacks = todo.popleft()
            if stacks in moves:
                continue
            fresh += 1
            out_moves = moves[stacks] = []
            groups: dict[int, list[tuple]] = {}  # the stacks of this set by the characters their top matches
            for stack in stacks:
                if stack:
                    r, a, e = stack[-1]
                    groups.setdefault(char_bits(alts[r][a][e]), []).append(stack)
            # the walk's own cost: one unit per stack tested against each character, and the stack work below
            walked_box[0] += len(stacks) * len(chars)
            done: set[tuple[int, ...]] = set()
            for j in range(len(chars)):
                matched = tuple(mask for mask in groups if mask >> j & 1)
                if not matched or matched in done:
                    continue
                done.add(matched)
                if walked_box[0] > walk_budget:
                    raise CostExceeded
                work[0] = 0  # the budget bounds one character's work
                out: set = set()
                for mask in matched:
                    for stack in groups[mask]:
                        r, a, e = stack[-1]
                        advance(stack[:-1] + (((r, a, e + 1),) if e + 1 < len(alts[r][a]) else ()), out)
                walked_box[0] += work[0]
                if work[0]:
                    nxt = frozenset(out)
                    out_moves.append((work[0], nxt))
                    if out and nxt not in moves:
                        todo.append(nxt)

    try:
        start: set = set()
        root = rules.ids["root"]
        for k, alt in enumerate(alts[root]):
            advance(((root, k, 0),) if alt else (), start)
        first = work[0]
        walk([frozenset(start)], states)
        # then from every place in every rule, with no caller above it: a costly part behind a long prefix
        # ("^a{400}((b{0,30}){0,30}){0,30}") is measured where it stands, not only as far as the walk from the root
        # reaches (r10 F1); a few sets from each place, as the fan-out shows within a token's characters
        for r, rule in enumerate(alts):
            for a, alt in enumerate(rule):
                for e in range(len(alt)):
                    work[0] = 0
                    seed: set = set()
                    advance(((r, a, e),), seed)
                    walk([frozenset(seed)], PLACE_STATES)
        # the costliest run of token_chars characters from any set reached (sets not walked count nothing)
        best: dict[frozenset, int] = dict.fromkeys(moves, 0)
        for _ in range(token_chars):
            best = {s: max((w + best.get(n, 0) for w, n in m), default=0) for s, m in moves.items()}
            if max(best.values(), default=0) > budget:
                raise CostExceeded
        return max(first, max(best.values(), default=0))
    except CostExceeded:
        return budget + 1
