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
import json
import math
import re
import typing
from typing import Annotated, Any, ClassVar, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model, model_validator

from labs.gojson import ANY, EMPTY, GO_MAX_DEPTH, SKIP, GoObject, SyntaxError_, TooManyValues, decode_first, fold_key
from labs.server.runner import Sampling


class RequestError(ValueError):
    """A request body the contract refuses; ``str()`` is the message the API answers with (400)."""


class BodyTooLarge(RequestError):
    """A body that would build more than :data:`MAX_BUILT_VALUES` JSON values (413)."""


def _field_keys(model: type) -> tuple[set[str], dict[str, str]]:
    keys = _FIELD_KEYS.get(model)
    if keys is None:
        exact = {*model.model_fields, *(f.alias for f in model.model_fields.values() if f.alias)}
        folded = {fold_key(f.alias or name): f.alias or name for name, f in model.model_fields.items()}
        keys = _FIELD_KEYS[model] = (exact, folded)
    return keys


_FIELD_KEYS: dict[type, tuple[set[str], dict[str, str]]] = {}


def _nillable(model: type, name: str) -> bool:
    """Whether Go's field for ``name`` is a pointer, slice, map or interface, which a JSON ``null`` sets to nil
    (``encoding/json``'s ``literalStore``); ``null`` into a string, bool or number field leaves it as it was."""
    cache = _NILLABLE.get(model)
    if cache is None:
        cache = _NILLABLE[model] = set(getattr(model, "go_pointers", ()))
        for field_name, f in model.model_fields.items():
            ann, args = f.annotation, typing.get_args(f.annotation)
            if ann is Any or typing.get_origin(ann) in (list, dict) or type(None) in args or \
                    typing.get_origin(ann) is typing.Annotated and typing.get_origin(args[0]) in (list, dict):
                cache.add(f.alias or field_name)
    return name in cache


_NILLABLE: dict[type, set[str]] = {}


def _body_pairs(model: type, data: dict) -> list[tuple[str, Any]]:
    """``data``'s ``(field, value)`` pairs in body order (a repeated key each time: :class:`labs.gojson.GoObject`),
    keys matched to ``model``'s fields as Go matches them (exact first, then case-insensitively by
    :func:`fold_key`, unless ``model.fold_keys`` is false); unknown keys dropped."""
    exact, folded = _field_keys(model)
    fold = getattr(model, "fold_keys", True)
    items = data.body_items() if isinstance(data, GoObject) else data.items()
    out = []
    for key, value in items:
        name = key if key in exact else folded.get(fold_key(key)) if fold else None
        if name is not None:
            out.append((name, value))
    return out


def _canonical(model: type, data: dict) -> dict:
    """``data`` as Go's decoder leaves ``model``'s fields: each key sets its field in body order, so the last
    spelling wins (``prompt``, ``Prompt``, ``prompt`` → the third); ``null`` sets a pointer, slice or map field to
    nil (absent here) and leaves a string, bool or number field as it was; an object into a map field is merged
    into the map an earlier key made (``options`` given twice: both sets of keys, the later value of a repeated one)."""
    out: dict = {}
    for name, value in _body_pairs(model, data):
        if value is None:
            if _nillable(model, name):
                out.pop(name, None)
            continue
        before = out.get(name)
        if isinstance(value, dict) and isinstance(before, dict) and name in _map_fields(model):
            merged = GoObject(before)
            for key, item in (value.body_items() if isinstance(value, GoObject) else value.items()):
                merged[key] = item
            value = merged
        out[name] = value
    return out


def _map_fields(model: type) -> set[str]:
    """The fields Go decodes into a map (``options``), which a second object adds to instead of replacing."""
    cache = _MAPS.get(model)
    if cache is None:
        cache = _MAPS[model] = {f.alias or n for n, f in model.model_fields.items()
                                if typing.get_origin(f.annotation) is dict or
                                dict in (typing.get_origin(a) for a in typing.get_args(f.annotation))}
    return cache


_MAPS: dict[type, set[str]] = {}


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


def _go_lower(role: str) -> str:
    """Go's ``strings.ToLower``: one character for one (Python lowers ``İ`` to two, Go to ``i``)."""
    return role.lower() if role.isascii() else "".join(c.lower()[0] for c in role)


def _zero_message(value: Any) -> Any:
    return {} if value is None else value  # Go decodes null into a struct (a Message) as a zero one (role "")


def _zero_int(value: Any) -> Any:
    return 0 if value is None else value  # Go decodes null into an int as nothing: it stays 0


# Ollama's Message.UnmarshalJSON lowercases the role "for compatibility with clients" (PR #5695): "User" is "user"
Role = Annotated[str, AfterValidator(_go_lower)]


class ToolCallFunction(Body):
    index: GoInt = 0
    name: str = ""
    arguments: Json = None  # checked by nothing here: this server runs no tools


class ToolCall(Body):
    """A tool call in a message (Ollama's ``ToolCall``): its fields typed as Go decodes them."""

    id: str = ""
    function: ToolCallFunction = ToolCallFunction()


class Message(Body):
    role: Role = ""
    content: str = ""
    thinking: str = ""
    images: list[Image] = []
    tool_calls: list[Annotated[ToolCall, BeforeValidator(_zero_message)]] = []
    tool_name: str = ""


class GenerateRequest(Body):
    go_pointers: ClassVar[frozenset] = frozenset({"stream"})  # Go's *bool: null sets it back to "not given"
    model: str = ""
    prompt: str = ""
    suffix: str = ""
    system: str = ""
    template: str = ""
    context: list[Annotated[GoInt, BeforeValidator(_zero_int)]] = []
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
    go_pointers: ClassVar[frozenset] = frozenset({"stream"})
    model: str = ""
    messages: list[Annotated[Message, BeforeValidator(_zero_message)]] = []
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
    go_pointers: ClassVar[frozenset] = frozenset({"stream"})
    model: str = ""
    name: str = ""
    insecure: bool = False
    stream: bool = True


class CreateRequest(Body):
    go_pointers: ClassVar[frozenset] = frozenset({"stream"})
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
    role: Role = "user"  # Ollama hands /v1 messages to its chat handler as JSON: Message.UnmarshalJSON lowercases
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
    messages: list[Annotated[OpenAIMessage, BeforeValidator(_zero_message)]] = []
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
             "float_type": "float64", "list_type": "[]", "dict_type": "map[string]interface {}", "model_type": "struct",
             "int_parsing": "int", "float_parsing": "float64", "literal_error": "string"}


_GO_LISTS = {"images": "[]api.ImageData", "messages": "[]api.Message", "context": "[]int", "tool_calls": "[]api.ToolCall"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else "array" if isinstance(value, list) else \
        "object" if isinstance(value, dict) else "null"


def _refuse_constant(name: str) -> float:
    raise ValueError(name)  # NaN, Infinity: Go refuses them; the Go-style decoder words the error


# A declared field (format, tool_calls, options…) may nest this deep here: what reads it later (json.dumps,
# llama.cpp's schema converter) recurses on Python's stack. Go takes 10000; real requests nest a few levels.
MAX_FIELD_DEPTH = 500
# JSON values one long body may build (Go has no limit): each costs ~60-100 bytes as a Python object, so 30 MB of
# `[[],[],…]` in `options` built 10M lists, ~1.5 GB (issue 10 r7). This bounds one parse to ~50 MB; a real request
# (a chat, a context of token ids, a batch of embedding inputs) holds far fewer.
MAX_BUILT_VALUES = 500_000
_C_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=lambda t: _finite_float(t),
                              parse_int=lambda t: _go_int(t), object_pairs_hook=GoObject.from_pairs)


def loads(raw: bytes, *, interruptible: bool = False, model: type | None = None) -> Any:
    """The body's first JSON value, read as Go's ``json.Decoder.Decode`` reads it (gin's ``ShouldBindJSON``;
    :func:`labs.gojson.decode_first`): what follows the value is ignored, a syntax error is Go's message, an empty
    body is Ollama's "missing request body", nesting goes to Go's depth (:data:`GO_MAX_DEPTH`).
    Short bodies are read by Python's C decoder (the Go-style one words its errors); ``interruptible``: always
    read by the Go-style decoder, whose loop lets other threads run (``json.loads`` holds the GIL for its whole
    run: ~0.1 s a MB of small values; issue 10 attack r6 F2), which then builds only what ``model`` declares
    (Go skips unknown fields), a field of a scalar type holding a container as an empty one (the type error is
    the same), and at most :data:`MAX_BUILT_VALUES` values (else :class:`BodyTooLarge`)."""
    data, done = None, False
    if not interruptible:
        try:
            text = raw.decode("utf-8")
            start = len(text) - len(text.lstrip(" \t\n\r"))
            if text[start:start + 1] in ("{", "["):
                data, _ = _C_DECODER.raw_decode(text, start)
                done = True
        except (ValueError, RecursionError):  # decoded again below, for Go's message (or past Python's depth)
            pass
    if not done:
        try:
            data = decode_first(raw, spec=_ModelSpec(model) if interruptible and model else ANY,
                                max_values=MAX_BUILT_VALUES, parse_int=_go_int, parse_float=_finite_float,
                                keep_pairs=True)
        except SyntaxError_ as exc:
            raise RequestError("missing request body" if str(exc) == "EOF" else str(exc)) from None
        except TooManyValues:
            raise BodyTooLarge(f"the request body holds more than {MAX_BUILT_VALUES:,} JSON values in the fields this "
                               "server reads, the most it takes (Go's decoder has no such limit)") from None
    return _without_lone_surrogates(data) if b"\\u" in raw or not raw.isascii() else data


def _field_of(model: type, key: str) -> Any:
    """The field of ``model`` that the JSON ``key`` sets (as :func:`_canonical` matches it), else ``None``."""
    exact, folded = _field_keys(model)
    name = key if key in exact else folded.get(fold_key(key)) if getattr(model, "fold_keys", True) else None
    if name is None:
        return None
    return model.model_fields.get(name) or next(f for f in model.model_fields.values() if f.alias == name)


class _ModelSpec:
    """What :func:`labs.gojson.decode_first` builds of an object read into ``model``: its declared fields only."""

    def __init__(self, model: type):
        self.model = model

    def field(self, key: str) -> Any:
        f = _field_of(self.model, key)
        return SKIP if f is None else _spec_for(f.annotation)

    def item(self) -> Any:
        return SKIP  # an array where an object belongs: a type error, built empty


class _ListSpec:
    def __init__(self, items: Any):
        self.items = items

    def field(self, key: str) -> Any:
        return SKIP

    def item(self) -> Any:
        return self.items


class _DictSpec(_ListSpec):
    def field(self, key: str) -> Any:
        return self.items

    def item(self) -> Any:
        return SKIP


_SPECS: dict[Any, Any] = {}


def _spec_for(annotation: Any) -> Any:
    """A field's type → what to build of a JSON value in it (``Any`` all; ``str``, ``bool``, ``int``: a container
    there is a type error, built empty)."""
    try:
        return _SPECS[annotation]
    except (KeyError, TypeError):
        pass
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Any:
        spec = ANY
    elif isinstance(annotation, type) and issubclass(annotation, Body):
        spec = _ModelSpec(annotation)
    elif origin is list:
        spec = _ListSpec(_spec_for(args[0]))
    elif origin is dict:
        spec = _DictSpec(_spec_for(args[1]))
    elif origin is typing.Annotated:
        spec = _spec_for(args[0])
    elif origin is Union:
        kinds = [k for k in (_spec_for(a) for a in args if a is not type(None)) if k is not EMPTY]
        spec = kinds[0] if len(kinds) == 1 else ANY if kinds else EMPTY
    else:
        spec = EMPTY
    try:
        _SPECS[annotation] = spec
    except TypeError:
        pass
    return spec


def _values(obj: dict) -> Any:
    """An object's values, each value of a repeated key included (Go decodes every one)."""
    pairs = getattr(obj, "pairs", None)
    return obj.values() if pairs is None else [v for _, v in pairs]


def _depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar 0, ``[]`` 1), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            todo.extend((v, level + 1) for v in (_values(item) if isinstance(item, dict) else item))
    return deepest


class _Number(float):
    """A JSON number with a fraction or exponent, with its text: Go names it in an int field's error
    (``cannot unmarshal number 1e2 into … of type int``); a validated float field holds a plain float."""

    text = ""


class _Overflow(_Number):
    """A JSON number past float64's range (``1e999``). Go refuses it only where it decodes it, into a field
    the request type declares; an unknown field is skipped unread (see :func:`_refuse_overflow`)."""

    text = ""


class _BigInt(int):
    """A JSON integer past float64's range (or too long for Python's ``int()``, >4300 digits), kept as its text:
    an out-of-range value for a Go ``int`` field (Go's message names the number), Go's float64 error in any other
    declared field (:func:`_refuse_overflow`), ignored in an unknown one (Go skips it unconverted)."""

    text = ""

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return self.text


def _go_int(text: str) -> int:
    if len(text) < 300:
        return int(text)
    value = int(text) if len(text) <= 4000 else None
    if value is not None and abs(value) <= 1.7976931348623157e308:
        return value
    big = _BigInt(-2**1100 if text.startswith("-") else 2**1100)
    big.text = text
    return big


def _finite_float(text: str) -> float:
    value = float(text)
    value = _Overflow(value) if math.isinf(value) else _Number(value)
    value.text = text
    return value


def _overflow_in(value: Any, ints_fit: bool = False) -> _Overflow | _BigInt | None:
    """The first number in ``value`` Go cannot read as a float64; ``ints_fit``: a Go int field, where a huge
    integer is the field's own range error (pydantic's, with the number's text) instead."""
    todo = [value]  # without recursion: a body may nest 10000 deep
    while todo:
        item = todo.pop()
        if isinstance(item, _Overflow) or (isinstance(item, _BigInt) and not ints_fit):
            return item
        if isinstance(item, (list, dict)):
            todo.extend(reversed(_values(item) if isinstance(item, dict) else item))
    return None


def _body_type(annotation: Any) -> type[Body] | None:
    """The request sub-model a field holds (``Message`` in ``list[Message]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, Body):
        return annotation
    return next((t for a in typing.get_args(annotation) if (t := _body_type(a)) is not None), None)


def _holds_int(annotation: Any) -> bool:
    """Whether a field's type is (a list of) Go ints (``GoInt``, ``list[GoInt]``)."""
    return annotation is int or any(_holds_int(a) for a in typing.get_args(annotation))


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
        bad = _overflow_in([v for v in (value if isinstance(value, list) else [value]) if not (sub and isinstance(v, dict))],
                           _holds_int(fields[key].annotation))
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
            pairs = getattr(item, "pairs", None)
            fixed = {fix(k): fix(v) for k, v in item.items()}
            item.clear()
            item.update(fixed)
            if pairs is not None:
                item.pairs = [(fix(k), fix(v)) for k, v in pairs]
            todo.extend(v for v in _values(item) if isinstance(v, (list, dict)))
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
    pairs = _body_pairs(model, data)
    data = _canonical(model, data)
    if raw.count(b"[") + raw.count(b"{") > MAX_FIELD_DEPTH:  # else nothing in it can nest that deep
        data = _shallow_fields(model, data)
    _refuse_overflow(model, data)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        _first_error(model, pairs)  # the error Go meets first in the body
        raise _go_error(model, exc) from None
    if len(pairs) > len(data):  # a field given more than once: Go decodes (and type-checks) every value
        _first_error(model, pairs)
    return parsed


def _first_error(model: type[Body], pairs: list[tuple[str, Any]]) -> None:
    """Raise the error Go's decoder returns for these fields, set in body order: the first type error (Go saves
    it and decodes on), unless a later value's own ``UnmarshalJSON`` fails first (a message: Go stops there)."""
    saved = None
    for name, value in pairs:
        if value is None:
            continue
        try:
            model.model_validate({name: value})
        except ValidationError as exc:
            err = exc.errors()[0]
            own = isinstance((err.get("ctx") or {}).get("error"), RequestError)
            if own or _in_message(model, err["loc"]):
                raise _go_error(model, exc) from None
            saved = saved or exc
    if saved is not None:
        raise _go_error(model, saved) from None


def _in_message(model: type[Body], loc: tuple) -> bool:
    """Whether an error is inside one of ``messages`` of a native request (Ollama's ``Message`` has its own
    ``UnmarshalJSON``: its error ends the decoding, and Go names the list, ``ChatRequest.messages``)."""
    return len(loc) > 1 and loc[0] == "messages" and isinstance(loc[1], int) and model in (ChatRequest, CreateRequest)


def _go_error(model: type[Body], exc: ValidationError) -> RequestError:
    """A pydantic error as Go's ``UnmarshalTypeError`` text (or the field's own message)."""
    err = exc.errors()[0]
    if isinstance((err.get("ctx") or {}).get("error"), RequestError):  # a field's own Go message
        return err["ctx"]["error"]
    loc = err["loc"]
    field = ".".join(str(p) for p in loc if not isinstance(p, int)) or "?"
    go = _GO_TYPES.get(err["type"], err["type"])
    if go == "[]":  # Go names the element type: []api.ImageData, not a bare []
        go = _GO_LISTS.get(field.rsplit(".", 1)[-1], go)
    if _in_message(model, loc):  # Go: the type inside the message, the field named as the list
        if len(loc) == 2:
            go = "api.Alias"
        elif len(loc) == 4 and loc[2] in ("images", "tool_calls"):  # an item of the wrong type
            go = "api.ImageData" if loc[2] == "images" else "api.ToolCall" if go == "struct" else go
        field = "messages"
    if go == "int" and isinstance(err["input"], _Number):  # Go names a number it cannot read as an int
        return RequestError(f"json: cannot unmarshal number {err['input'].text} into Go struct field "
                            f"{model.__name__}.{field} of type int")
    if err["type"] in ("greater_than_equal", "less_than"):
        return RequestError(f"json: cannot unmarshal number {err['input']} into Go struct field "
                            f"{model.__name__}.{field} of type int")
    return RequestError(f"json: cannot unmarshal {_json_type(err['input'])} into Go struct field "
                        f"{model.__name__}.{field} of type {go}")


__all__ = ["Body", "ChatCompletionRequest", "ChatRequest", "CompletionRequest", "CopyRequest", "CreateRequest",
           "DeleteRequest", "EmbedRequest", "EmbeddingRequest", "GenerateRequest", "LOAD_OPTIONS",
           "Message", "OPTION_KINDS", "OpenAIEmbeddingRequest", "PullRequest", "RequestError", "ShowRequest",
           "loads", "parse", "parse_options"]
