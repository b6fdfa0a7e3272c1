"""OpenAI-compatible routes under ``/v1`` (ollama-api.md §7): what lets ``openai.OpenAI(base_url=…/v1)``
talk to a local model — lesson 2's "same code as with OpenAI, just another provider"."""

from __future__ import annotations

import functools
import json
import time
import uuid
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labs.server.core import ApiError, Job, Session, SessionStream, find_model, read_json, sampling_from, typed
from labs.server.native import embed_texts, normalise, state

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


def _content(message: dict) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    if not isinstance(content, str):
        raise ApiError(400, "message content must be a string or an array of text parts")
    return content


def _job(request: Request, body: dict) -> Job:
    model = find_model(state(request).store, typed(body, "model", str, ""), "model \"{name}\" not found, try pulling it first")
    if typed(body, "tools", list, []):
        raise ApiError(400, f'"{model.name}" does not support tools')
    options = {"temperature": 1.0, "top_p": 1.0}  # OpenAI's defaults, as Ollama's /v1 applies them
    for key in ("temperature", "top_p", "seed", "frequency_penalty", "presence_penalty", "stop"):
        if body.get(key) is not None:
            options[key] = body[key]
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None:
        options["num_predict"] = limit
    sampling, _ = sampling_from(options, model.config.get("parameters"))
    fmt = None
    response_format = typed(body, "response_format", dict) or {}
    if response_format.get("type") == "json_object":
        fmt = '"json"'
    elif response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise ApiError(400, "response_format.json_schema.schema must be a JSON schema object")
        fmt = json.dumps(schema, sort_keys=True)
    return Job(model=model, sampling=sampling, fmt=fmt)


def _usage(session: Session) -> dict:
    s = session.stats
    return {"prompt_tokens": s.prompt_eval_count, "completion_tokens": s.eval_count,
            "total_tokens": s.prompt_eval_count + s.eval_count}


def _sse(obj: dict | str) -> bytes:
    return f"data: {obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)}\n\n".encode()


async def _complete(request: Request, body: dict, job: Job, kind: str) -> Response:
    """Run ``job`` and answer as ``chat.completion`` or ``text_completion``, streamed (SSE) or not."""
    session = await Session(state(request).scheduler, job).open()
    ident, created = f"{'chatcmpl' if kind == 'chat' else 'cmpl'}-{uuid.uuid4().hex[:12]}", int(time.time())
    head = {"id": ident, "created": created, "model": job.model.name, "system_fingerprint": "fp_ollama"}
    reason = lambda: session.stats.done_reason  # noqa: E731 - "stop" | "length", known at the end

    def choice(text: str, finish: str | None, stream: bool) -> dict:
        if kind == "text":
            return {"index": 0, "text": text, "finish_reason": finish}
        key = "delta" if stream else "message"
        return {"index": 0, key: {"role": "assistant", "content": text} if (text or not stream) else {},
                "finish_reason": finish}

    if not typed(body, "stream", bool, False):
        try:
            async for _ in session.pieces():
                pass
        finally:
            await session.close()
        obj = "chat.completion" if kind == "chat" else "text_completion"
        return JSONResponse({**head, "object": obj, "choices": [choice("".join(session.text), reason(), False)],
                             "usage": _usage(session)})

    chunk_obj = "chat.completion.chunk" if kind == "chat" else "text_completion"
    include_usage = bool((typed(body, "stream_options", dict) or {}).get("include_usage"))

    async def events() -> AsyncIterator[bytes]:
        try:
            async for piece in session.pieces():
                yield _sse({**head, "object": chunk_obj, "choices": [choice(piece, None, True)]})
            yield _sse({**head, "object": chunk_obj, "choices": [choice("", reason(), True)]})
            if include_usage:
                yield _sse({**head, "object": chunk_obj, "choices": [], "usage": _usage(session)})
        except Exception as exc:
            yield _sse({"error": {"message": str(exc), "type": "api_error", "param": None, "code": None}})
        yield _sse("[DONE]")

    return SessionStream(events(), session, "text/event-stream")


@openai_errors
async def chat_completions(request: Request) -> Response:
    body = await read_json(request)
    messages = typed(body, "messages", list, [])
    if not messages:
        raise ApiError(400, "[] is too short - 'messages'")
    job = _job(request, body)
    job.messages = [{"role": m.get("role", "user"), "content": _content(m)} for m in messages if isinstance(m, dict)]
    return await _complete(request, body, job, "chat")


@openai_errors
async def completions(request: Request) -> Response:
    body = await read_json(request)
    prompt = typed(body, "prompt", str)
    if not prompt:
        raise ApiError(400, "prompt is required")
    job = _job(request, body)
    job.prompt = prompt
    return await _complete(request, body, job, "text")


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
    body = await read_json(request)
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not texts or not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "invalid input: a string or an array of strings is required")
    vectors, count, session = await embed_texts(request, body, texts, 'model "{name}" not found, try pulling it first')
    data = [{"object": "embedding", "embedding": normalise(v), "index": i} for i, v in enumerate(vectors)]
    return JSONResponse({"object": "list", "data": data, "model": session.job.model.name,
                         "usage": {"prompt_tokens": count, "total_tokens": count}})


routes = [
    Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/v1/completions", completions, methods=["POST"]),
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/models/{model:path}", retrieve_model, methods=["GET"]),
    Route("/v1/embeddings", embeddings, methods=["POST"]),
]
