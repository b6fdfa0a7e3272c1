"""The embedded server's request contract: one pydantic model per request body, read from Ollama's
``api/types.go`` (native) and ``openai/openai.go`` (``/v1``), and one error style, Ollama's own.

* A wrong JSON type in the body → 400 with Go's decoder message, as Ollama answers:
  ``json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string``.
* A wrong type in ``options`` → 400 with Ollama's ``Options.FromMap`` message
  (``option "temperature" must be of type float32``); Ollama itself answers that one with 500.
* ``null`` means "not given", as in Go. Unknown fields and unknown options are ignored.

Option names are declared once: the sampling ones are :class:`labs.server.runner.Sampling`'s fields,
the load-time ones are :data:`LOAD_OPTIONS`. Lesson 2 (Ollama's API) teaches these fields.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import typing
from typing import Annotated, Any, ClassVar, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model, model_validator

from labs.server.runner import Sampling


class RequestError(ValueError):
    """A request body the contract refuses; ``str()`` is the message the API answers with (400)."""


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
    any other character folded to the smallest of its simple-fold orbit. ``Prompt``, ``PROMPT`` and ``prompt`` fold
    alike, and so do ``stream`` and ``ſtream``."""
    return key.upper() if key.isascii() else "".join(c.upper() if c.isascii() else _fold_rune(c) for c in key)


def _field_keys(model: type) -> tuple[set[str], dict[str, str]]:
    keys = _FIELD_KEYS.get(model)
    if keys is None:
        exact = {*model.model_fields, *(f.alias for f in model.model_fields.values() if f.alias)}
        folded = {fold_key(f.alias or name): f.alias or name for name, f in model.model_fields.items()}
        keys = _FIELD_KEYS[model] = (exact, folded)
    return keys


_FIELD_KEYS: dict[type, tuple[set[str], dict[str, str]]] = {}


def _canonical(model: type, data: dict) -> dict:
    """``data``'s keys as ``model``'s field names, matched as Go matches them (exact first, then
    case-insensitively by :func:`fold_key`, unless ``model.fold_keys`` is false); unknown keys dropped; ``null``
    skipped (Go leaves the field as it was); of keys that name one field, the last wins, as in Go."""
    exact, folded = _field_keys(model)
    fold = getattr(model, "fold_keys", True)
    out = {}
    for key, value in data.items():
        if value is None:
            continue
        name = key if key in exact else folded.get(fold_key(key)) if fold else None
        if name is not None:
            out[name] = value
    return out


class Body(BaseModel):
    """A request body: strict JSON types, ``null`` = absent, unknown keys ignored, keys matched to the fields as
    Go's decoder matches them (case-insensitively, :func:`fold_key`; issue 10 attack r6 F3)."""

    model_config = ConfigDict(strict=True, extra="ignore", populate_by_name=True)
    fold_keys: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _nulls(cls, data: Any) -> Any:
        return _canonical(cls, data) if isinstance(data, dict) else data


Json = Any  # any JSON value, checked where it is used (format, keep_alive, input)
# Go's int (64-bit): a JSON integer past it is Go's unmarshal error, not a value that is later clamped or wrapped
GoInt = Annotated[int, Field(ge=-2**63, lt=2**63)]
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _base64_image(value: str) -> str:
    """An image as Go's JSON decoder reads a ``[]byte``: standard base64 with padding (CR/LF ignored),
    else Ollama's 400 ``illegal base64 data at input byte N``."""
    text = value.replace("\r", "").replace("\n", "")
    good = _BASE64.match(text).end()
    if good < len(text) or len(text) % 4:
        raise RequestError(f"illegal base64 data at input byte {min(good, len(text) - len(text) % 4 or good)}")
    return value


def _null_image(value: Any) -> Any:
    return "" if value is None else value  # Go decodes null into a []byte as nothing: an empty image


Image = Annotated[str, BeforeValidator(_null_image), AfterValidator(_base64_image)]


def _think_value(value: Any) -> Any:
    """``think`` as Ollama's ``ThinkValue.UnmarshalJSON``: a boolean or a string, else its own message."""
    if value is not None and not isinstance(value, (bool, str)):
        raise RequestError('think must be a boolean or string ("high", "medium", "low", "max", true, or false)')
    return value


Think = Annotated[Union[bool, str, None], BeforeValidator(_think_value)]


class Message(Body):
    role: str = ""
    content: str = ""
    thinking: str = ""
    images: list[Image] = []
    tool_calls: list[Json] = []
    tool_name: str = ""


class GenerateRequest(Body):
    model: str = ""
    prompt: str = ""
    suffix: str = ""
    system: str = ""
    template: str = ""
    context: list[GoInt] = []
    stream: bool = True
    raw: bool = False
    format: Json = None
    keep_alive: Json = None
    images: list[Image] = []
    options: dict[str, Json] = {}
    think: Think = None
    truncate: Union[bool, None] = None
    shift: Union[bool, None] = None
    logprobs: bool = False
    top_logprobs: GoInt = 0


class ChatRequest(Body):
    model: str = ""
    messages: list[Message] = []
    tools: list[Json] = []
    format: Json = None
    options: dict[str, Json] = {}
    keep_alive: Json = None
    think: Think = None
    stream: bool = True
    truncate: Union[bool, None] = None
    shift: Union[bool, None] = None
    logprobs: bool = False
    top_logprobs: GoInt = 0


class EmbedRequest(Body):
    model: str = ""
    input: Json = None
    truncate: Union[bool, None] = None
    dimensions: GoInt = 0
    options: dict[str, Json] = {}
    keep_alive: Json = None


class EmbeddingRequest(Body):
    model: str = ""
    prompt: str = ""
    options: dict[str, Json] = {}
    keep_alive: Json = None


class ShowRequest(Body):
    model: str = ""
    name: str = ""  # the older spelling
    verbose: bool = False


class DeleteRequest(Body):
    model: str = ""
    name: str = ""


class CopyRequest(Body):
    source: str = ""
    destination: str = ""


class PullRequest(Body):
    model: str = ""
    name: str = ""
    insecure: bool = False
    stream: bool = True


class CreateRequest(Body):
    model: str = ""
    from_: str = Field("", alias="from")
    files: dict[str, str] = {}
    system: Union[str, None] = None
    template: Union[str, None] = None
    parameters: dict[str, Json] = {}
    license: Union[str, list[str], None] = None
    messages: list[Message] = []
    quantize: str = ""
    stream: bool = True


# --- /v1 (OpenAI) -----------------------------------------------------------------------

class StreamOptions(Body):
    include_usage: bool = False


class OpenAIMessage(Body):
    role: str = "user"
    content: Union[str, list[Json], None] = None
    name: str = ""
    tool_calls: list[Json] = []
    tool_call_id: str = ""


class OpenAISampling(Body):
    model: str = ""
    stream: bool = False
    stream_options: Union[StreamOptions, None] = None
    max_tokens: Union[GoInt, None] = None
    temperature: Union[float, None] = None
    top_p: Union[float, None] = None
    seed: Union[GoInt, None] = None
    stop: Union[str, list[str], None] = None
    frequency_penalty: Union[float, None] = None
    presence_penalty: Union[float, None] = None


class Reasoning(Body):
    effort: str = ""


class ChatCompletionRequest(OpenAISampling):
    messages: list[OpenAIMessage] = []
    reasoning: Union[Reasoning, None] = None
    reasoning_effort: Union[str, None] = None
    max_completion_tokens: Union[GoInt, None] = None
    response_format: Union[dict[str, Json], None] = None
    tools: list[Json] = []
    logprobs: Union[bool, None] = None
    top_logprobs: Union[GoInt, None] = None


class CompletionRequest(OpenAISampling):
    prompt: Json = None
    suffix: str = ""
    logprobs: Union[GoInt, None] = None


class OpenAIEmbeddingRequest(Body):
    model: str = ""
    input: Json = None
    dimensions: Union[GoInt, None] = None
    encoding_format: str = ""


# --- options ----------------------------------------------------------------------------

def _int_option(value: Any) -> Any:
    """Go decodes JSON numbers as float64 and Ollama truncates them into int options."""
    return int(value) if isinstance(value, float) and math.isfinite(value) else value


def _stop_option(value: Any) -> Any:
    return [value] if isinstance(value, str) else value  # a lone string, as Ollama's /v1 accepts


_KINDS = {
    "int": (Annotated[GoInt, BeforeValidator(_int_option)], "integer"),
    "float": (float, "float32"),
    "list[str]": (Annotated[list[str], BeforeValidator(_stop_option)], "array of strings"),
    "bool": (bool, "boolean"),
}
LOAD_OPTIONS = {"num_ctx": "int", "num_batch": "int", "num_thread": "int"}  # a change reloads the model
OPTION_KINDS = {**{f.name: str(f.type) for f in dataclasses.fields(Sampling)}, **LOAD_OPTIONS}
class _ExactKeys(Body):
    """Option names match exactly: Ollama reads ``options`` into a map and looks each key up as it is written."""

    fold_keys: ClassVar[bool] = False


Options = create_model("Options", __base__=_ExactKeys,
                       **{name: (Union[_KINDS[kind][0], None], None) for name, kind in OPTION_KINDS.items()})


def parse_options(raw: dict) -> dict[str, Any]:
    """``options`` → the known options that were given, type-checked as Ollama's ``FromMap`` does.

    >>> parse_options({"temperature": 0, "num_predict": 8.0, "stop": "x", "mirostat": "ignored"})
    {'temperature': 0.0, 'num_predict': 8, 'stop': ['x']}
    >>> parse_options({"temperature": "hot"})
    Traceback (most recent call last):
    ...
    labs.server.schema.RequestError: option "temperature" must be of type float32
    """
    try:
        return Options.model_validate(raw).model_dump(exclude_none=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0])
        if err["type"] in ("greater_than_equal", "less_than"):  # Ollama wraps it silently (Go's int64(float64))
            raise RequestError(f'option "{name}" must be an integer between {-2**63} and {2**63 - 1}, '
                               f'got {raw[name]}') from None
        raise RequestError(f'option "{name}" must be of type {_KINDS[OPTION_KINDS[name]][1]}') from None


# --- parsing ----------------------------------------------------------------------------

_GO_TYPES = {"string_type": "string", "bool_type": "bool", "int_type": "int", "int_from_float": "int",
             "float_type": "float64", "list_type": "[]", "dict_type": "map", "model_type": "struct",
             "int_parsing": "int", "float_parsing": "float64", "literal_error": "string"}


_GO_LISTS = {"images": "[]api.ImageData", "messages": "[]api.Message", "context": "[]int", "tool_calls": "[]api.ToolCall"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


# Go's encoding/json nests at most this deep (its scanner's maxNestingDepth), then "exceeded max depth"
GO_MAX_DEPTH = 10_000
# A declared field (format, tool_calls, options…) may nest this deep here: what reads it later (json.dumps,
# llama.cpp's schema converter) recurses on Python's stack. Go takes 10000; real requests nest a few levels.
MAX_FIELD_DEPTH = 500


def loads(raw: bytes, *, interruptible: bool = False, model: type | None = None) -> Any:
    """Strict JSON (no NaN/Infinity, as Go); an empty body is Ollama's "missing request body". Nesting is
    accepted to Go's depth (:data:`GO_MAX_DEPTH`, then Go's message); Python's own decoder stops near 1000
    levels (a recursion), so a deeper body is read by :func:`_loads_deep`, which does not recurse.
    ``interruptible``: always read by :func:`_loads_deep`, whose loop lets other threads run between values
    (``json.loads`` holds the GIL for its whole run: ~0.1 s a MB of small values; issue 10 attack r6 F2), which
    then skips what ``model`` does not declare without building it."""
    if not raw.strip():
        raise RequestError("missing request body")
    try:
        if interruptible:
            data = _loads_deep(raw, model)
        else:
            data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RequestError:
        raise
    except RecursionError:
        data = _loads_deep(raw)
    except ValueError as exc:
        raise RequestError(f"invalid character in request body: {exc}") from None
    return _without_lone_surrogates(data) if b"\\u" in raw or b"\\U" in raw else data


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": True, "false": False, "null": None}


def _field_of(model: type, key: str) -> Any:
    """The field of ``model`` that the JSON ``key`` sets (as :func:`_canonical` matches it), else ``None``."""
    exact, folded = _field_keys(model)
    name = key if key in exact else folded.get(fold_key(key)) if getattr(model, "fold_keys", True) else None
    if name is None:
        return None
    return model.model_fields.get(name) or next(f for f in model.model_fields.values() if f.alias == name)


def _loads_deep(raw: bytes, model: type | None = None) -> Any:
    """``json.loads`` with an explicit stack instead of recursion, for bodies nested deeper than Python's
    decoder goes; past :data:`GO_MAX_DEPTH` levels it is Go's error. The same values as ``json.loads``
    (numbers by Python's own pattern, strings by its ``scanstring``). With ``model`` (a :class:`Body`), a value
    under a key no object's model declares is checked but not built, as Go's decoder skips it (30 MB of
    ``[[],[],…]`` in an unknown field took ~3 GB built; issue 10 attack r6 F2)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(f"invalid character in request body: {exc}") from None

    def bad(at: int, what: str = "looking for beginning of value") -> RequestError:  # Go's messages
        if at >= len(text):
            return RequestError("unexpected end of JSON input")
        return RequestError(f"invalid character {text[at]!r} {what}")

    def key_at(i: int) -> tuple[str, int]:
        if text[i:i + 1] != '"':
            raise bad(i, "looking for beginning of object key string")
        key, i = json.decoder.scanstring(text, i + 1, True)
        i = _WHITESPACE.match(text, i).end()
        if text[i:i + 1] != ":":
            raise bad(i, "after object key")
        return key, _WHITESPACE.match(text, i + 1).end()

    def unknown(entry: list) -> bool:  # the value about to go into this open container is skipped
        if entry[0] is None:
            return True
        return isinstance(entry[0], dict) and entry[2] is not None and _field_of(entry[2], entry[1]) is None

    # each open array/object: [container (None: skipped), key, its model (objects), its items' model (arrays), closer]
    stack: list[list] = []
    i = _WHITESPACE.match(text).end()
    while True:
        char = text[i:i + 1]
        skip = bool(stack) and unknown(stack[-1])
        if char in ("[", "{"):
            if len(stack) >= GO_MAX_DEPTH:
                raise RequestError(f"invalid character '{char}' exceeded max depth")
            sub = None
            if not stack:
                sub = model
            elif not skip and isinstance(stack[-1][0], list):
                sub = stack[-1][3]
            elif not skip and stack[-1][2] is not None:
                sub = _body_type(_field_of(stack[-1][2], stack[-1][1]).annotation)
            container: Any = None if skip else [] if char == "[" else {}
            closer = "]" if char == "[" else "}"
            i = _WHITESPACE.match(text, i + 1).end()
            if text[i:i + 1] == closer:
                value, i = container, i + 1
            else:
                stack.append([container, None, sub if char == "{" else None, sub if char == "[" else None, closer])
                if char == "{":
                    stack[-1][1], i = key_at(i)
                continue
        elif char == '"':
            try:
                value, i = json.decoder.scanstring(text, i + 1, True)
            except ValueError as exc:
                raise RequestError(f"invalid character in request body: {exc}") from None
        elif (number := json.scanner.NUMBER_RE.match(text, i)) is not None:
            whole, frac, exp = number.groups()
            if skip:  # not converted, as Go skips it (a 5000-digit integer is no error there)
                value = None
            else:
                value = _finite_float(whole + (frac or "") + (exp or "")) if frac or exp else int(whole)
            i = number.end()
        elif (word := re.match(r"[a-zA-Z-]+", text[i:i + 9])) is not None and word.group() in _LITERALS:
            value, i = _LITERALS[word.group()], i + len(word.group())
        else:
            raise bad(i)
        while True:  # the value goes into its container; then a comma, or the container closes
            i = _WHITESPACE.match(text, i).end()
            if not stack:
                if i != len(text):
                    raise bad(i, "after top-level value")
                return value
            entry = stack[-1]
            container = entry[0]
            if not unknown(entry):
                if isinstance(container, list):
                    container.append(value)
                else:
                    container[entry[1]] = value
            value = None
            char = text[i:i + 1]
            if char == ",":
                i = _WHITESPACE.match(text, i + 1).end()
                if entry[4] == "}":
                    entry[1], i = key_at(i)
                break
            if char != entry[4]:
                raise bad(i, "after array element" if entry[4] == "]" else "after object key:value pair")
            stack.pop()
            value, i = container, i + 1


def _depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar 0, ``[]`` 1), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            todo.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


class _Overflow(float):
    """A JSON number past float64's range (``1e999``). Go refuses it only where it decodes it, into a field
    the request type declares; an unknown field is skipped unread (see :func:`_refuse_overflow`)."""

    text = ""


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        value = _Overflow(value)
        value.text = text
    return value


def _overflow_in(value: Any) -> _Overflow | None:
    todo = [value]  # without recursion: a body may nest 10000 deep
    while todo:
        item = todo.pop()
        if isinstance(item, _Overflow):
            return item
        if isinstance(item, (list, dict)):
            todo.extend(reversed(item.values() if isinstance(item, dict) else item))
    return None


def _body_type(annotation: Any) -> type[Body] | None:
    """The request sub-model a field holds (``Message`` in ``list[Message]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, Body):
        return annotation
    return next((t for a in typing.get_args(annotation) if (t := _body_type(a)) is not None), None)


def _refuse_overflow(model: type[Body], data: dict) -> None:
    """Go's error for ``1e999`` in a declared field (``json: cannot unmarshal number 1e999 into Go value of
    type float64``); in an unknown field it is ignored, as Go's decoder skips those without converting."""
    fields = {**model.model_fields, **{f.alias: f for f in model.model_fields.values() if f.alias}}
    for key, value in _canonical(model, data).items():
        if key not in fields:
            continue
        sub = _body_type(fields[key].annotation)
        for item in (value if isinstance(value, list) else [value]) if sub else ():
            if isinstance(item, dict):
                _refuse_overflow(sub, item)
        bad = _overflow_in([v for v in (value if isinstance(value, list) else [value]) if not (sub and isinstance(v, dict))])
        if bad is not None:
            raise RequestError(f"json: cannot unmarshal number {bad.text} into Go value of type float64")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """Go's JSON decoder turns an unpaired ``\\ud800`` escape into U+FFFD; Python keeps it, and it would
    fail later when the text is encoded (a 500 where Ollama answers 200). In place, without recursion."""
    def fix(v: Any) -> Any:
        return _LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v

    if not isinstance(value, (list, dict)):
        return fix(value)
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            item[:] = map(fix, item)
            todo.extend(v for v in item if isinstance(v, (list, dict)))
        else:
            fixed = {fix(k): fix(v) for k, v in item.items()}
            item.clear()
            item.update(fixed)
            todo.extend(v for v in item.values() if isinstance(v, (list, dict)))
    return value


def _shallow_fields(model: type[Body], data: dict) -> dict:
    """``data`` without the fields ``model`` does not declare (Go skips those, however deep), else a 400 for
    a declared one nested deeper than :data:`MAX_FIELD_DEPTH`."""
    names = {*model.model_fields, *(f.alias for f in model.model_fields.values() if f.alias)}
    data = {k: v for k, v in data.items() if k in names}
    for key, value in data.items():
        if _depth(value) > MAX_FIELD_DEPTH:
            raise RequestError(f'the field "{key}" nests deeper than {MAX_FIELD_DEPTH} levels, the most this server '
                               f"takes (Go's decoder takes {GO_MAX_DEPTH})")
    return data


def parse(model: type[Body], raw: bytes, *, interruptible: bool = False) -> Body:
    """Decode a request body into ``model`` or raise :class:`RequestError` with Go's message; ``interruptible``
    as :func:`loads` (for a long body parsed in a thread beside the event loop)."""
    data = loads(raw, interruptible=interruptible, model=model)
    if data is None:  # Go decodes `null` into an empty struct
        data = {}
    if not isinstance(data, dict):
        raise RequestError(f"json: cannot unmarshal {_json_type(data)} into Go value of type api.{model.__name__}")
    data = _canonical(model, data)
    if raw.count(b"[") + raw.count(b"{") > MAX_FIELD_DEPTH:  # else nothing in it can nest that deep
        data = _shallow_fields(model, data)
    _refuse_overflow(model, data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        if isinstance((err.get("ctx") or {}).get("error"), RequestError):  # a field's own Go message
            raise err["ctx"]["error"] from None
        field = ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or "?"
        go = _GO_TYPES.get(err["type"], err["type"])
        if go == "[]":  # Go names the element type: []api.ImageData, not a bare []
            go = _GO_LISTS.get(field.rsplit(".", 1)[-1], go)
        if err["type"] in ("greater_than_equal", "less_than"):
            raise RequestError(f"json: cannot unmarshal number {err['input']} into Go struct field "
                               f"{model.__name__}.{field} of type int") from None
        raise RequestError(f"json: cannot unmarshal {_json_type(err['input'])} into Go struct field "
                           f"{model.__name__}.{field} of type {go}") from None


__all__ = ["Body", "ChatCompletionRequest", "ChatRequest", "CompletionRequest", "CopyRequest", "CreateRequest",
           "DeleteRequest", "EmbedRequest", "EmbeddingRequest", "GenerateRequest", "LOAD_OPTIONS",
           "Message", "OPTION_KINDS", "OpenAIEmbeddingRequest", "PullRequest", "RequestError", "ShowRequest",
           "loads", "parse", "parse_options"]
