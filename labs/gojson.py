"""Go's ``encoding/json`` as Ollama's handlers meet it (gin's ``ShouldBindJSON`` = ``json.NewDecoder(body).Decode``),
for code that must read JSON exactly as Ollama does. Lesson 2 (Ollama's API) teaches the request bodies.

* :func:`fold_key`: how Go matches a JSON key to a struct field (case-insensitively, Unicode simple folding).
* :func:`decode_first`: the first JSON value of a body, as ``Decoder.Decode`` reads it: what follows that value is
  ignored (``{…}xyz`` is read), a syntax error is Go's text (``invalid character 'x' after object key:value pair``,
  ``unexpected EOF``), bytes that are not UTF-8 become U+FFFD inside strings, a UTF-8 BOM is an invalid character.
  An optional ``spec`` says which subtrees to build; the rest are checked but not built (as Go skips unknown
  fields), and ``max_values`` bounds how many values one body may build.

Source of the behaviour: Go's ``encoding/json`` (``scanner.go``, ``stream.go``, ``fold.go``), read, not copied.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable

__all__ = ["ANY", "EMPTY", "GO_MAX_DEPTH", "SKIP", "AnySpec", "GoObject", "struct_fields", "SyntaxError_", "TooManyValues", "decode_first", "fold_key", "quote_char"]

# Go's scanner nests at most this deep (maxNestingDepth), then "exceeded max depth"
GO_MAX_DEPTH = 10_000


@functools.lru_cache(maxsize=4096)
def _fold_rune(c: str) -> str:
    """The smallest character of ``c``'s simple case-folding orbit (Go's ``foldRune``: ``ſ`` → ``S``, the Kelvin
    sign → ``K``); the orbit is walked through one-character upper/lower mappings (Unicode's simple ones)."""
    if c in "\u0130\u0131":  # Turkish dotted/dotless i: their own orbits in Go, not I/i
        return c
    orbit, todo = {c}, [c]
    while todo:
        x = todo.pop()
        for y in (x.lower(), x.upper()):
            if len(y) == 1 and y not in orbit:
                orbit.add(y)
                todo.append(y)
    return min(orbit)


def fold_key(key: str) -> str:
    """A JSON key as Go's ``encoding/json`` compares it with a struct field's name (``foldName``): ASCII upper-cased,
    any other character folded to the smallest of its simple-fold orbit. Two keys name the same field in Go iff their
    ``fold_key`` are equal: ``Prompt``, ``PROMPT`` and ``prompt`` fold alike, and so do ``stream`` and ``ſtream``
    (``str.casefold`` differs: it maps ``ß`` to ``ss``, which Go does not)."""
    return key.upper() if key.isascii() else "".join(c.upper() if c.isascii() else _fold_rune(c) for c in key)


class GoObject(dict):
    """A JSON object as a dict (a repeated key: its first position, its last value, as ``json.loads`` gives it) that
    also keeps ``pairs``, every ``(key, value)`` in body order, when a key repeats (else ``None``: the dict's own
    order is the body's). Go's decoder sets a struct's fields in body order, so ``{"a":1,"A":2,"a":3}`` sets the
    field to 3, which the dict alone cannot tell (it holds ``a`` first, then ``A``)."""

    pairs: list[tuple[str, Any]] | None = None

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> "GoObject":
        """``object_pairs_hook`` for :mod:`json`."""
        obj = cls(pairs)
        if len(obj) < len(pairs):
            obj.pairs = pairs
        return obj

    def put(self, key: str, value: Any) -> None:
        """Set ``key`` as the decoder meets it in the body, keeping ``pairs`` once a key repeats."""
        if key in self:
            if self.pairs is None:
                self.pairs = list(self.items())
            self.pairs.append((key, value))
        elif self.pairs is not None:
            self.pairs.append((key, value))
        self[key] = value

    def body_items(self) -> Any:
        """Every ``(key, value)`` in body order, repeats included."""
        return self.pairs if self.pairs is not None else self.items()


def struct_fields(obj: dict, *, nillable: frozenset = frozenset(), maps: frozenset = frozenset()) -> dict:
    """A JSON object's fields as Go's decoder leaves a struct's, keyed by :func:`fold_key`: each key sets its field
    in body order (``obj`` a :class:`GoObject` from ``decode_first(..., keep_pairs=True)`` or
    ``json.loads(..., object_pairs_hook=GoObject.from_pairs)`` keeps a repeated key's every value), so the last
    spelling wins; ``null`` removes a field whose folded name is in ``nillable`` (Go's pointer, slice, map) and
    leaves any other as it was (a string, bool, number); an object given again for a field in ``maps`` is merged.

    >>> body = '{"prompt":"a","Prompt":"b","prompt":null,"options":{"num_predict":1},"OPTIONS":{"seed":4}}'
    >>> struct_fields(json.loads(body, object_pairs_hook=GoObject.from_pairs), maps=frozenset({"OPTIONS"}))
    {'PROMPT': 'b', 'OPTIONS': {'num_predict': 1, 'seed': 4}}
    """
    out: dict = {}
    for key, value in (obj.body_items() if isinstance(obj, GoObject) else obj.items()):
        name = fold_key(str(key))
        if value is None:
            if name in nillable:
                out.pop(name, None)
            continue
        if name in maps and isinstance(value, dict) and isinstance(out.get(name), dict):
            value = {**out[name], **value}
        out[name] = value
    return out


class SyntaxError_(ValueError):  # noqa: N801 - not Python's SyntaxError
    """A body Go's scanner refuses; ``str()`` is Go's message (``invalid character '}' after array element``)."""


class TooManyValues(ValueError):
    """The body would build more than ``max_values`` values (:func:`decode_first`); checked to its end first, so a
    syntax error anywhere still wins, as in Go."""


def quote_char(byte: int) -> str:
    """Go's ``quoteChar``: one byte quoted for an error message (``'x'``, ``'\\x00'``, ``'ï'`` for a BOM's first)."""
    if byte == 0x27:
        return "'\\''"
    if byte == 0x22:
        return "'\"'"
    c = chr(byte)
    if c.isprintable():
        return f"'{c}'" if c != "\\" else "'\\\\'"
    named = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}
    return "'" + (named.get(byte) or (f"\\x{byte:02x}" if byte < 0x80 else f"\\u{byte:04x}")) + "'"


def _byte_at(text: str, i: int) -> int:
    """The first byte of the character at ``text[i]`` as it arrived (an undecodable byte is kept as U+DC80..U+DCFF)."""
    c = text[i]
    if "\udc80" <= c <= "\udcff":
        return ord(c) - 0xDC00
    return c.encode("utf-8", "surrogatepass")[0]


def _bad(text: str, i: int, context: str) -> SyntaxError_:
    if i >= len(text):
        return SyntaxError_("unexpected EOF")
    return SyntaxError_(f"invalid character {quote_char(_byte_at(text, i))} {context}")


_HEX = frozenset("0123456789abcdefABCDEF")
_LITERAL_WORDS = {"t": "true", "f": "false", "n": "null"}


def _token_error(text: str, i: int) -> SyntaxError_ | None:
    """Go's error inside the string, number or literal that starts at ``text[i]`` (walked as Go's scanner walks it,
    one character at a time); ``None`` if the token is whole (the error, if any, comes after it)."""
    c, n = text[i], len(text)
    if c == '"':
        j = i + 1
        while True:
            if j >= n:
                return _bad(text, j, "")
            c = text[j]
            if c == '"':
                return None
            if c == "\\":
                j += 1
                if j >= n:
                    return _bad(text, j, "")
                if text[j] in 'bfnrt\\/"':
                    j += 1
                    continue
                if text[j] != "u":
                    return _bad(text, j, "in string escape code")
                for k in range(j + 1, j + 5):
                    if k >= n or text[k] not in _HEX:
                        return _bad(text, k, "in \\u hexadecimal character escape")
                j += 5
                continue
            if c < " ":
                return _bad(text, j, "in string literal")
            j += 1
    if c in _LITERAL_WORDS:
        word = _LITERAL_WORDS[c]
        for k, want in enumerate(word[1:], start=1):
            if i + k >= n or text[i + k] != want:
                return _bad(text, i + k, f"in literal {word} (expecting {quote_char(ord(want))})")
        return None
    j = i
    if text[j] == "-":
        j += 1
        if j >= n or not "0" <= text[j] <= "9":
            return _bad(text, j, "in numeric literal")
    if text[j] == "0":
        j += 1
    else:
        while j < n and "0" <= text[j] <= "9":
            j += 1
    if j < n and text[j] == ".":
        j += 1
        if j >= n or not "0" <= text[j] <= "9":
            return _bad(text, j, "after decimal point in numeric literal")
        while j < n and "0" <= text[j] <= "9":
            j += 1
    if j < n and text[j] in "eE":
        j += 1
        if j < n and text[j] in "+-":
            j += 1
        if j >= n or not "0" <= text[j] <= "9":
            return _bad(text, j, "in exponent of numeric literal")
    return None


SKIP = None  # spec: check this value, do not build it (Go skips an unknown field)
EMPTY = "empty"  # spec: a container here is built empty (its items checked, not built); for a field of a scalar type


class AnySpec:
    """Build everything below (``map[string]any`` in Go)."""

    def field(self, key: str) -> Any:
        return self

    def item(self) -> Any:
        return self


ANY = AnySpec()
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_VALUE_START = frozenset('"-0123456789tfn[{')


def decode_first(raw: bytes, *, spec: Any = ANY, max_values: int | None = None,
                 parse_int: Callable[[str], Any] = int, parse_float: Callable[[str], Any] = float,
                 keep_pairs: bool = False) -> Any:
    """The first JSON value in ``raw`` (bytes), as Go's ``json.Decoder.Decode`` reads it; what follows is ignored.

    ``spec`` (default: build all) has ``field(key)`` and ``item()``, each returning the spec of a value in the
    object/array it describes: another spec, :data:`SKIP` (checked, not built: ``None`` is put in its place and
    the caller drops it) or :data:`EMPTY` (a container built empty). ``max_values``: once more values than this
    are built, the rest is only checked and :class:`TooManyValues` is raised at the end. Numbers go through
    ``parse_int``/``parse_float`` (their JSON text; skipped ones are not converted, as Go does not).
    ``keep_pairs``: objects are :class:`GoObject`, which keep a repeated key's every value in body order.
    Raises :class:`SyntaxError_` with Go's message (``unexpected EOF`` when the body ends inside the value).
    Never recurses: nesting is only bounded by :data:`GO_MAX_DEPTH`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # kept byte by byte (U+DC80..): Go turns each into U+FFFD inside a string
        text = raw.decode("utf-8", "surrogateescape")
    n = len(text)
    if _WS.fullmatch(text) is not None:
        raise SyntaxError_("EOF")  # io.EOF: no value at all (Ollama answers "missing request body")
    scanstring = json.decoder.scanstring
    built = 0
    over = False

    def string_at(i: int) -> tuple[str, int]:
        try:
            return scanstring(text, i + 1, True)
        except ValueError:
            raise _token_error(text, i) or _bad(text, i, "looking for beginning of value") from None

    # each open container: [value (None: not built), spec of its items (None: skip), key, closer]
    stack: list[list] = []
    i = _WS.match(text).end()
    item_spec: Any = spec
    while True:
        if i >= n:
            raise _bad(text, i, "")
        c = text[i]
        building = item_spec is not None and not over
        if c == "{" or c == "[":
            if len(stack) >= GO_MAX_DEPTH:
                raise _bad(text, i, "exceeded max depth")
            closer = "}" if c == "{" else "]"
            if building:
                built += 1
                over = max_values is not None and built > max_values
                building = not over
            value: Any = ((GoObject() if keep_pairs else {}) if c == "{" else []) if building else None
            inner = (None if item_spec is EMPTY else item_spec) if building else None
            i = _WS.match(text, i + 1).end()
            if text[i:i + 1] == closer:
                i += 1
            else:
                entry = [value, inner, None, closer]
                stack.append(entry)
                if c == "{":
                    i = _key(text, i, entry, string_at)
                    item_spec = inner.field(entry[2]) if inner is not None else None
                else:
                    if i >= n:
                        raise _bad(text, i, "")
                    item_spec = inner.item() if inner is not None else None
                continue
        elif c == '"':
            value, i = string_at(i)
            if not building:
                value = None
        elif c == "-" or "0" <= c <= "9":
            number = _NUMBER.match(text, i)
            after = number.end() if number else i
            if number is None or (after < n and text[after] in ".eE"):  # maybe a number cut short (`1.`, `1e+`)
                error = _token_error(text, i)
                if error is not None:
                    raise error
            whole, frac, exp = number.groups()
            value = (parse_float(number.group()) if frac or exp else parse_int(whole)) if building else None
            i = after
        elif c in _LITERAL_WORDS:
            word = _LITERAL_WORDS[c]
            if not text.startswith(word, i):
                raise _token_error(text, i) or _bad(text, i, "")
            value, i = {"true": True, "false": False, "null": None}[word] if building else None, i + len(word)
        else:
            raise _bad(text, i, "looking for beginning of value")
        if building and c not in "{[":
            built += 1
            over = max_values is not None and built > max_values
        while True:  # the value goes into its container; then a comma, or the container closes
            if not stack:
                if over:
                    raise TooManyValues(f"more than {max_values} values")
                return value
            i = _WS.match(text, i).end()
            entry = stack[-1]
            container = entry[0]
            if container is not None and item_spec is not None and not over:
                if entry[3] != "}":
                    container.append(value)
                elif keep_pairs:
                    container.put(entry[2], value)
                else:
                    container[entry[2]] = value
            value = None
            if i >= n:
                raise _bad(text, i, "")
            c = text[i]
            if c == ",":
                i = _WS.match(text, i + 1).end()
                inner = entry[1]
                if entry[3] == "}":
                    i = _key(text, i, entry, string_at)
                    item_spec = inner.field(entry[2]) if inner is not None else None
                else:
                    item_spec = inner.item() if inner is not None else None
                break
            if c != entry[3]:
                raise _bad(text, i, "after array element" if entry[3] == "]" else "after object key:value pair")
            stack.pop()
            value, i = container, i + 1
            item_spec = ANY if container is not None else SKIP  # a closed container goes into its parent if built


def _key(text: str, i: int, entry: list, string_at: Callable[[int], tuple[str, int]]) -> int:
    """Reads ``"key" :`` at ``text[i]`` into ``entry``; returns where the value starts."""
    if i >= len(text):
        raise _bad(text, i, "")
    if text[i] != '"':
        raise _bad(text, i, "looking for beginning of object key string")
    entry[2], i = string_at(i)
    i = _WS.match(text, i).end()
    if i >= len(text):
        raise _bad(text, i, "")
    if text[i] != ":":
        raise _bad(text, i, "after object key")
    return _WS.match(text, i + 1).end()
