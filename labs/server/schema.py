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
from typing import Annotated, Any, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model, model_validator

from labs.server.runner import Sampling


class RequestError(ValueError):
    """A request body the contract refuses; ``str()`` is the message the API answers with (400)."""


def _drop_nulls(data: Any) -> Any:
    return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


class Body(BaseModel):
    """A request body: strict JSON types, ``null`` = absent, unknown keys ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _nulls(cls, data: Any) -> Any:
        return _drop_nulls(data)


Json = Any  # any JSON value, checked where it is used (format, keep_alive, input)
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
    context: list[int] = []
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
    top_logprobs: int = 0


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
    top_logprobs: int = 0


class EmbedRequest(Body):
    model: str = ""
    input: Json = None
    truncate: Union[bool, None] = None
    dimensions: int = 0
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
    max_tokens: Union[int, None] = None
    temperature: Union[float, None] = None
    top_p: Union[float, None] = None
    seed: Union[int, None] = None
    stop: Union[str, list[str], None] = None
    frequency_penalty: Union[float, None] = None
    presence_penalty: Union[float, None] = None


class Reasoning(Body):
    effort: str = ""


class ChatCompletionRequest(OpenAISampling):
    messages: list[OpenAIMessage] = []
    reasoning: Union[Reasoning, None] = None
    reasoning_effort: Union[str, None] = None
    max_completion_tokens: Union[int, None] = None
    response_format: Union[dict[str, Json], None] = None
    tools: list[Json] = []
    logprobs: Union[bool, None] = None
    top_logprobs: Union[int, None] = None


class CompletionRequest(OpenAISampling):
    prompt: Json = None
    suffix: str = ""
    logprobs: Union[int, None] = None


class OpenAIEmbeddingRequest(Body):
    model: str = ""
    input: Json = None
    dimensions: Union[int, None] = None
    encoding_format: str = ""


# --- options ----------------------------------------------------------------------------

def _int_option(value: Any) -> Any:
    """Go decodes JSON numbers as float64 and Ollama truncates them into int options."""
    return int(value) if isinstance(value, float) and math.isfinite(value) else value


def _stop_option(value: Any) -> Any:
    return [value] if isinstance(value, str) else value  # a lone string, as Ollama's /v1 accepts


_KINDS = {
    "int": (Annotated[int, BeforeValidator(_int_option), Field(ge=-2**63, lt=2**63)], "integer"),
    "float": (float, "float32"),
    "list[str]": (Annotated[list[str], BeforeValidator(_stop_option)], "array of strings"),
    "bool": (bool, "boolean"),
}
LOAD_OPTIONS = {"num_ctx": "int", "num_batch": "int", "num_thread": "int"}  # a change reloads the model
OPTION_KINDS = {**{f.name: str(f.type) for f in dataclasses.fields(Sampling)}, **LOAD_OPTIONS}
Options = create_model("Options", __base__=Body,
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


def loads(raw: bytes) -> Any:
    """Strict JSON (no NaN/Infinity, as Go); an empty body is Ollama's "missing request body"."""
    if not raw.strip():
        raise RequestError("missing request body")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RequestError:
        raise
    except (ValueError, RecursionError) as exc:
        raise RequestError(f"invalid character in request body: {exc}") from None
    return _without_lone_surrogates(data) if b"\\u" in raw or b"\\U" in raw else data


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
    if isinstance(value, _Overflow):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for v in items if (found := _overflow_in(v)) is not None), None)


def _body_type(annotation: Any) -> type[Body] | None:
    """The request sub-model a field holds (``Message`` in ``list[Message]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, Body):
        return annotation
    return next((t for a in typing.get_args(annotation) if (t := _body_type(a)) is not None), None)


def _refuse_overflow(model: type[Body], data: dict) -> None:
    """Go's error for ``1e999`` in a declared field (``json: cannot unmarshal number 1e999 into Go value of
    type float64``); in an unknown field it is ignored, as Go's decoder skips those without converting."""
    fields = {**model.model_fields, **{f.alias: f for f in model.model_fields.values() if f.alias}}
    for key, value in data.items():
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
    fail later when the text is encoded (a 500 where Ollama answers 200)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def parse(model: type[Body], raw: bytes) -> Body:
    """Decode a request body into ``model`` or raise :class:`RequestError` with Go's message."""
    data = loads(raw)
    if data is None:  # Go decodes `null` into an empty struct
        data = {}
    if not isinstance(data, dict):
        raise RequestError(f"json: cannot unmarshal {_json_type(data)} into Go value of type api.{model.__name__}")
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
                               f"{model.__name__}.{field} of type int64") from None
        raise RequestError(f"json: cannot unmarshal {_json_type(err['input'])} into Go struct field "
                           f"{model.__name__}.{field} of type {go}") from None


__all__ = ["Body", "ChatCompletionRequest", "ChatRequest", "CompletionRequest", "CopyRequest", "CreateRequest",
           "DeleteRequest", "EmbedRequest", "EmbeddingRequest", "GenerateRequest", "LOAD_OPTIONS",
           "Message", "OPTION_KINDS", "OpenAIEmbeddingRequest", "PullRequest", "RequestError", "ShowRequest",
           "loads", "parse", "parse_options"]
