"""OpenAI-compatible routes under ``/v1`` (ollama-api.md §7): what lets ``openai.OpenAI(base_url=…/v1)``
talk to a local model — lesson 2's "same code as with OpenAI, just another provider"."""

from __future__ import annotations

import base64
import functools
import json
import struct
import time
import uuid
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labs.server.chat_templates import model_template
from labs.server.core import ApiError, Job, Session, SessionStream, find_model, read, sampling_from, until_disconnect
from labs.server.native import (_check_think, _full_name, capabilities, embed_inputs, embed_texts, normalise,
                                parsed_template, state)
from labs.server.schema import ChatCompletionRequest, CompletionRequest, OpenAIEmbeddingRequest

_TYPES = {400: "invalid_request_error", 404: "not_found_error"}


def openai_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": _TYPES.get(status, "api_error"),
                                   "param": None, "code": None}}, status_code=status)


def openai_errors(handler):
    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as exc:
            return openai_error(exc.status, exc.message)
    return wrapped


def _content(content) -> str:
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        parts = [p for p in content if isinstance(p, dict)]
        if len(parts) != len(content) or any(p.get("type") != "text" or not isinstance(p.get("text", ""), str) for p in parts):
            raise ApiError(400, "invalid message content: only text parts are supported")
        return "".join(p.get("text", "") for p in parts)
    return content or ""


def _job(request: Request, req) -> Job:
    if not req.model:
        raise ApiError(400, "model is required")
    model = find_model(state(request).store, req.model, "model \"{name}\" not found, try pulling it first")
    if getattr(req, "tools", None):
        raise ApiError(400, f'"{model.name}" does not support tools')
    options = {"temperature": 1.0, "top_p": 1.0}  # OpenAI's defaults, as Ollama's /v1 applies them
    for key in ("temperature", "top_p", "seed", "frequency_penalty", "presence_penalty", "stop"):
        if getattr(req, key) is not None:
            options[key] = getattr(req, key)
    limit = getattr(req, "max_completion_tokens", None) or req.max_tokens
    if limit is not None:
        options["num_predict"] = limit
    sampling, _ = sampling_from(model, options)
    fmt = None
    response_format = getattr(req, "response_format", None) or {}
    if response_format.get("type") == "json_object":
        fmt = '"json"'
    elif response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise ApiError(400, "response_format.json_schema.schema must be a JSON schema object")
        fmt = json.dumps(schema, sort_keys=True)
    return Job(model=model, sampling=sampling, fmt=fmt, system=model.config.get("system"),
               template=model_template(model.config))


def _usage(session: Session) -> dict:
    s = session.stats
    return {"prompt_tokens": s.prompt_eval_count, "completion_tokens": s.eval_count,
            "total_tokens": s.prompt_eval_count + s.eval_count}


def _sse(obj: dict | str) -> bytes:
    return f"data: {obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


async def _complete(request: Request, req, job: Job, kind: str) -> Response:
    """Run ``job`` and answer as ``chat.completion`` or ``text_completion``, streamed (SSE) or not."""
    st = state(request)
    ident, created = f"{'chatcmpl' if kind == 'chat' else 'cmpl'}-{uuid.uuid4().hex[:12]}", int(time.time())
    head = {"id": ident, "created": created, "model": job.model.name, "system_fingerprint": "fp_ollama"}

    def choice(session: Session, text: str, finish: str | None, stream: bool, logprobs: list[dict]) -> dict:
        if kind == "text":
            out = {"index": 0, "text": text, "finish_reason": finish}
        else:
            key = "delta" if stream else "message"
            out = {"index": 0, key: {"role": "assistant", "content": text} if (text or not stream) else {},
                   "finish_reason": finish}
        if logprobs:
            out["logprobs"] = {"content": logprobs}
        return out

    if not req.stream:
        async def whole() -> Response:
            session = await Session(st.scheduler, job).run_to_end()
            obj = "chat.completion" if kind == "chat" else "text_completion"
            return JSONResponse({**head, "object": obj, "choices": [choice(session, "".join(session.text),
                                                                             session.stats.done_reason, False, session.logprobs)],
                                 "usage": _usage(session)})
        return await until_disconnect(request, whole()) or Response(status_code=499)

    session = await until_disconnect(request, Session(st.scheduler, job).open())
    if session is None:
        return Response(status_code=499)
    chunk_obj = "chat.completion.chunk" if kind == "chat" else "text_completion"
    include_usage = bool(req.stream_options and req.stream_options.include_usage)

    async def events() -> AsyncIterator[bytes]:
        try:
            async for piece in session.pieces():
                lp = [piece.logprobs] if piece.logprobs else []
                yield _sse({**head, "object": chunk_obj, "choices": [choice(session, piece.text, None, True, lp)]})
            yield _sse({**head, "object": chunk_obj, "choices": [choice(session, "", session.stats.done_reason, True, [])]})
            if include_usage:
                yield _sse({**head, "object": chunk_obj, "choices": [], "usage": _usage(session)})
        except Exception as exc:
            yield _sse({"error": {"message": str(getattr(exc, "message", exc)), "type": "api_error", "param": None, "code": None}})
        yield _sse("[DONE]")

    return SessionStream(events(), session, "text/event-stream")


REASONING_EFFORTS = ("high", "medium", "low", "none")


def _think_from_reasoning(req: ChatCompletionRequest) -> bool | str | None:
    """``reasoning.effort`` (it wins when ``reasoning`` is given) or ``reasoning_effort`` → ``think``, as
    Ollama's ``FromChatRequest`` maps them: ``"none"`` is ``false``, a level stays a level, empty is unset."""
    effort = req.reasoning.effort if req.reasoning is not None else (req.reasoning_effort or "")
    if not effort:
        return None
    if effort not in REASONING_EFFORTS:
        raise ApiError(400, f"invalid reasoning value: '{effort}' (must be \"high\", \"medium\", \"low\", or \"none\")")
    return False if effort == "none" else effort


@openai_errors
async def chat_completions(request: Request) -> Response:
    req = await read(request, ChatCompletionRequest)
    if not req.messages:
        raise ApiError(400, "[] is too short - 'messages'")
    if req.top_logprobs is not None and not 0 <= req.top_logprobs <= 20:
        raise ApiError(400, "top_logprobs must be between 0 and 20")
    think = _think_from_reasoning(req)
    job = _job(request, req)
    _check_think(job.model, think)  # a level on a model without thinking: /api/chat's 400
    job.messages = [{"role": m.role, "content": _content(m.content)} for m in req.messages]
    if req.logprobs:
        job.top_logprobs = req.top_logprobs or 0
    return await _complete(request, req, job, "chat")


@openai_errors
async def completions(request: Request) -> Response:
    req = await read(request, CompletionRequest)
    if not isinstance(req.prompt, str) or not req.prompt:
        raise ApiError(400, "prompt is required" if not req.prompt else "prompt must be a string")
    job = _job(request, req)
    await parsed_template(job.model)
    if req.suffix and "insert" not in capabilities(job.model):
        raise ApiError(400, f"{_full_name(job.model.name)} does not support insert")
    job.prompt, job.suffix = req.prompt, req.suffix
    if req.logprobs is not None:
        if not 0 <= req.logprobs <= 20:
            raise ApiError(400, "logprobs must be between 0 and 20")
        job.top_logprobs = req.logprobs
    return await _complete(request, req, job, "text")


def _model_obj(model) -> dict:
    return {"id": model.name, "object": "model", "created": int(model.modified_at.timestamp()), "owned_by": "library"}


@openai_errors
async def list_models(request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [_model_obj(m) for m in state(request).store.list()]})


@openai_errors
async def retrieve_model(request: Request) -> Response:
    name = request.path_params["model"]
    return JSONResponse(_model_obj(find_model(state(request).store, name, 'model "{name}" not found')))


@openai_errors
async def embeddings(request: Request) -> Response:
    req = await read(request, OpenAIEmbeddingRequest)
    if req.encoding_format.lower() not in ("", "float", "base64"):
        raise ApiError(400, f"Invalid value for 'encoding_format' = {req.encoding_format}. Supported values: ['float', 'base64'].")
    if req.input is None or req.input == []:
        raise ApiError(400, "invalid input")
    if not req.model:
        raise ApiError(400, "model is required")
    try:
        texts = embed_inputs([""] if req.input == "" else req.input)
    except ApiError:
        raise ApiError(400, "invalid input") from None
    vectors, count, session = await embed_texts(request, req, texts, 'model "{name}" not found, try pulling it first')
    if session is None:
        return Response(status_code=499)
    dims = req.dimensions or 0
    vectors = [normalise(v[:dims]) if 0 < dims < len(v) else normalise(v) for v in vectors]

    def encode(v: list[float]):
        return base64.b64encode(struct.pack(f"<{len(v)}f", *v)).decode() if req.encoding_format.lower() == "base64" else v

    data = [{"object": "embedding", "embedding": encode(v), "index": i} for i, v in enumerate(vectors)]
    return JSONResponse({"object": "list", "data": data, "model": session.job.model.name,
                         "usage": {"prompt_tokens": count, "total_tokens": count}})


routes = [
    Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/v1/completions", completions, methods=["POST"]),
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/models/{model:path}", retrieve_model, methods=["GET"]),
    Route("/v1/embeddings", embeddings, methods=["POST"]),
]
