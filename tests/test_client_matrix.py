"""The client matrix: every call the workbook teaches, through every client a learner uses (issue 14).

Six clients against the server at ``OLLAMA_HOST`` (the embedded one under ``make test``, or real
Ollama — nothing here depends on the embedded server's internals):

- TypeScript (``sdk/client-matrix.ts``, one Node process for all its rows): the AI SDK with
  ``ollama-ai-provider`` (``ai-sdk/ollama``), the official ``ollama`` JS client (``ollama-js``), and
  the AI SDK's OpenAI provider pointed at ``/v1`` (``ai-sdk/openai``);
- Python, as the notebooks use them: :class:`labs.client.LocalLLM`, the official ``ollama`` client,
  the ``openai`` client on ``/v1``.

Every client reports the same FACTS for a call (shape, counts, status — never the small model's free
text), and one check per call judges them all, so a failure names the client, the call, and what the
server answered. Node rows skip, saying why, where Node or ``sdk/node_modules`` is missing.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any, Callable

import pytest
from pydantic import BaseModel

from labs import DEFAULT_MODEL
from labs.client import LocalLLM, ollama_client, openai_client
from labs.host import parse_host
from labs.sdk import SDK_DIR, run_example, unavailable

# What every client is asked, in one place (the Node half receives it as MATRIX_INPUT).
NUM_PREDICT = 8
INPUT = {
    "model": DEFAULT_MODEL,
    "missing": "no-such-model:1b",
    "numPredict": NUM_PREDICT,
    "objectTokens": 32,
    # long: a stream that is really aborted after its first piece ends far short of it (see check())
    "abortTokens": 1024,
    "prompt": "Say hello.",
    "system": "You are a terse assistant. Answer in one word.",
    "history": [{"role": "user", "content": "My name is Olena."},
                {"role": "assistant", "content": "Hello, Olena."},
                {"role": "user", "content": "What is my name?"}],
    "objectPrompt": 'Is water wet? Answer in JSON with the key "answer".',
    "abortPrompt": "Count from one to one hundred.",
    "embedInput": ["a cat", "a dog"],
    "rowTimeoutMs": 300_000,  # one TypeScript row that never settles costs that row, not the report
}
OPTIONS = {"num_predict": NUM_PREDICT, "temperature": 0, "seed": 42}


class Answer(BaseModel):  # the Python twin of the zod schema in sdk/client-matrix.ts
    answer: bool


JS_CLIENTS = ("ai-sdk/ollama", "ollama-js", "ai-sdk/openai")
PY_CLIENTS = ("LocalLLM", "ollama", "openai")
CALLS = ("generate", "stream", "chat", "structured", "embed", "unknown_model", "abort")

# What each client calls the end of a generation. ollama-ai-provider 1.2 maps Ollama's "length" to
# "other" (non-streamed) and reports "stop" for every streamed end: the provider's loss, not the server's.
FINISH = {"ai-sdk/ollama": {"stop", "other"}}
FINISH_DEFAULT = {"stop", "length"}


# --- the Python half: each client's answer turned into the shared facts ---------------------------

def _messages(system: bool = True) -> list[dict]:
    return ([{"role": "system", "content": INPUT["system"]}] if system else []) + INPUT["history"]


def _error(exc: Exception) -> dict:
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    if body is None:
        body = getattr(exc, "error", None)
    return {"name": type(exc).__name__, "message": str(exc), "status": status,
            "body": body if isinstance(body, (str, type(None))) else json.dumps(body)}


def _thrown(run: Callable[[], Any]) -> dict:
    try:
        run()
    except Exception as exc:  # noqa: BLE001 — the facts are the error itself
        return {"error": _error(exc)}
    return {"error": None}


def _follow_up(run: Callable[[], str]) -> dict:
    try:
        text = run()
        return {"followUp": {"ok": isinstance(text, str) and len(text) > 0}}
    except Exception as exc:  # noqa: BLE001
        return {"followUp": {"ok": False, "error": _error(exc)}}


def _native_facts(r: dict, text: str) -> dict:
    return {"text": text, "finishReason": r.get("done_reason"), "promptTokens": r.get("prompt_eval_count"),
            "completionTokens": r.get("eval_count")}


def _native_stream(chunks) -> dict:
    n, text, last = 0, "", {}
    for part in chunks:
        piece = part.get("response") or (part.get("message") or {}).get("content") or ""
        n += bool(piece)
        text += piece
        if part.get("done"):
            last = part
    return {"chunks": n, **_native_facts(last, text)}


def _abort_after_first(parts, close: Callable[[], None]) -> dict:
    """Close a stream after its first piece, then keep reading the SAME iterator to see how it ended.

    ``parts`` yields ``(piece, done)``; ``close`` is the client's own way to abort (it closes the HTTP
    response, so the server sees the client go away). The facts are what happened, not what we hope:
    ``chunks`` (all pieces, before and after the close), ``finished`` (a ``done``/finish was seen),
    ``endedBy`` ('closed' when the iterator simply stopped after the close, else the error it raised,
    or 'finished' when it ran to its end without the close taking effect), ``aborted``.
    """
    chunks, finished, aborted, ended = 0, False, False, "finished"
    it = iter(parts)
    try:
        for piece, done in it:
            chunks += bool(piece)
            finished = finished or bool(done)
            if chunks == 1 and not aborted:
                close()
                aborted = True
        if aborted and not finished:
            ended = "closed"
    except Exception as exc:  # noqa: BLE001 — after the close, the error IS how it ended
        if not aborted:
            raise
        ended = type(exc).__name__
    return {"chunks": chunks, "finished": finished, "endedBy": ended, "aborted": aborted,
            "requested": INPUT["abortTokens"]}


def _native_abort(stream, follow: Callable[[], str], parts=None) -> dict:
    parts = parts if parts is not None else ((c.get("response"), c.get("done")) for c in stream)
    return {**_abort_after_first(parts, stream.close), **_follow_up(follow)}


def _parsed(text: str) -> dict:
    try:
        obj = json.loads(text)
    except ValueError:
        return {"object": None, "valid": False, "raw": text}
    try:
        Answer.model_validate(obj, strict=True)
        return {"object": obj, "valid": True}
    except ValueError:
        return {"object": obj, "valid": False}


def local_llm_case(url: str, call: str) -> dict:
    with LocalLLM(url) as llm:
        if call == "generate":
            r = llm.generate(INPUT["prompt"], options=OPTIONS)
            return _native_facts(r, r["response"])
        if call == "stream":
            return _native_stream(llm.stream_generate(INPUT["prompt"], options=OPTIONS))
        if call == "chat":
            r = llm.chat(_messages(), options=OPTIONS)
            return {"role": r["message"]["role"], **_native_facts(r, r["message"]["content"])}
        if call == "structured":
            r = llm.chat([{"role": "user", "content": INPUT["objectPrompt"]}], format=Answer.model_json_schema(),
                         options={**OPTIONS, "num_predict": INPUT["objectTokens"]})
            return _parsed(r["message"]["content"])
        if call == "embed":
            vectors = llm.embed(INPUT["embedInput"])
            return {"count": len(vectors), "dims": [len(v) for v in vectors]}
        if call == "unknown_model":
            return _thrown(lambda: llm.generate(INPUT["prompt"], model=INPUT["missing"], options=OPTIONS))
        if call == "abort":
            stream = llm.stream_generate(INPUT["abortPrompt"], options={**OPTIONS, "num_predict": INPUT["abortTokens"]})
            return _native_abort(stream, lambda: llm.generate(INPUT["prompt"], options=OPTIONS)["response"])
    raise ValueError(call)


def ollama_case(url: str, call: str) -> dict:
    client = ollama_client(url)
    m = INPUT["model"]
    if call == "generate":
        r = client.generate(model=m, prompt=INPUT["prompt"], options=OPTIONS)
        return _native_facts(dict(r), r.response)
    if call == "stream":
        return _native_stream(dict(c) for c in client.generate(model=m, prompt=INPUT["prompt"], options=OPTIONS,
                                                                  stream=True))
    if call == "chat":
        r = client.chat(model=m, messages=_messages(), options=OPTIONS)
        return {"role": r.message.role, **_native_facts(dict(r), r.message.content)}
    if call == "structured":
        r = client.chat(model=m, messages=[{"role": "user", "content": INPUT["objectPrompt"]}],
                        format=Answer.model_json_schema(), options={**OPTIONS, "num_predict": INPUT["objectTokens"]})
        return _parsed(r.message.content)
    if call == "embed":
        vectors = client.embed(model=m, input=INPUT["embedInput"]).embeddings
        return {"count": len(vectors), "dims": [len(v) for v in vectors]}
    if call == "unknown_model":
        return _thrown(lambda: client.generate(model=INPUT["missing"], prompt=INPUT["prompt"], options=OPTIONS))
    if call == "abort":
        stream = client.generate(model=m, prompt=INPUT["abortPrompt"], stream=True,
                                 options={**OPTIONS, "num_predict": INPUT["abortTokens"]})
        return _native_abort(stream, lambda: client.generate(model=m, prompt=INPUT["prompt"], options=OPTIONS).response,
                             parts=((c.response, c.done) for c in stream))
    raise ValueError(call)


def openai_case(url: str, call: str) -> dict:
    client = openai_client(url)
    m = INPUT["model"]
    short = {"max_tokens": NUM_PREDICT, "temperature": 0, "seed": 42}
    user = [{"role": "user", "content": INPUT["prompt"]}]

    def facts(r) -> dict:
        return {"text": r.choices[0].message.content, "finishReason": r.choices[0].finish_reason,
                "promptTokens": r.usage.prompt_tokens, "completionTokens": r.usage.completion_tokens}

    if call == "generate":
        return facts(client.chat.completions.create(model=m, messages=user, **short))
    if call == "stream":
        n, text, finish, usage = 0, "", None, None
        for c in client.chat.completions.create(model=m, messages=user, stream=True,
                                                stream_options={"include_usage": True}, **short):
            if c.choices:
                piece = c.choices[0].delta.content or ""
                n += bool(piece)
                text += piece
                finish = c.choices[0].finish_reason or finish
            usage = c.usage or usage
        return {"chunks": n, "text": text, "finishReason": finish,
                "promptTokens": usage.prompt_tokens if usage else None,
                "completionTokens": usage.completion_tokens if usage else None}
    if call == "chat":
        r = client.chat.completions.create(model=m, messages=_messages(), **short)
        return {"role": r.choices[0].message.role, **facts(r)}
    if call == "structured":
        r = client.chat.completions.parse(model=m, messages=[{"role": "user", "content": INPUT["objectPrompt"]}],
                                          response_format=Answer, **{**short, "max_tokens": INPUT["objectTokens"]})
        parsed = r.choices[0].message.parsed
        return {"object": parsed.model_dump() if parsed else None, "valid": isinstance(parsed, Answer)}
    if call == "embed":
        r = client.embeddings.create(model=m, input=INPUT["embedInput"])
        return {"count": len(r.data), "dims": [len(d.embedding) for d in r.data]}
    if call == "unknown_model":
        return _thrown(lambda: client.chat.completions.create(model=INPUT["missing"], messages=user, **short))
    if call == "abort":
        stream = client.chat.completions.create(model=m, messages=[{"role": "user", "content": INPUT["abortPrompt"]}],
                                                stream=True, **{**short, "max_tokens": INPUT["abortTokens"]})
        parts = ((c.choices[0].delta.content if c.choices else None,
                  bool(c.choices and c.choices[0].finish_reason)) for c in stream)
        return {**_abort_after_first(parts, stream.close),
                **_follow_up(lambda: client.chat.completions.create(model=m, messages=user, **short)
                             .choices[0].message.content)}
    raise ValueError(call)


PY_CASES = {"LocalLLM": local_llm_case, "ollama": ollama_case, "openai": openai_case}


# --- the checks: one per call, the same for all six clients ---------------------------------------

def _need(cond: bool, what: str, facts: dict) -> None:
    if not cond:
        raise AssertionError(f"{what}; the client reported: {json.dumps(facts, ensure_ascii=False)[:1500]}")


def _tokens(facts: dict, at_most: int) -> None:
    _need(isinstance(facts.get("completionTokens"), int) and 0 < facts["completionTokens"] <= at_most,
          f"completion tokens should be 1..{at_most}", facts)
    _need(isinstance(facts.get("promptTokens"), int) and facts["promptTokens"] > 0, "prompt tokens should be > 0", facts)


def check(client: str, call: str, facts: dict) -> None:
    finish = FINISH.get(client, FINISH_DEFAULT)
    if call in ("generate", "stream", "chat"):
        _need(isinstance(facts.get("text"), str) and facts["text"] != "", "the answer should be non-empty text", facts)
        _need(facts.get("finishReason") in finish, f"the finish reason should be one of {sorted(finish)}", facts)
        _tokens(facts, NUM_PREDICT)
    if call == "stream":  # arrived in pieces, not as one block
        _need(facts["chunks"] >= min(2, facts["completionTokens"]), "the answer should arrive in several chunks", facts)
    if call == "chat":
        _need(facts.get("role") == "assistant", "the reply's role should be 'assistant'", facts)
    if call == "structured":
        _need(facts.get("valid") is True and isinstance((facts.get("object") or {}).get("answer"), bool),
              'the object should match the schema {"answer": boolean}', facts)
    if call == "embed":
        dims = facts.get("dims") or []
        _need(facts.get("count") == len(INPUT["embedInput"]) and len(set(dims)) == 1 and dims[0] > 0,
              f"{len(INPUT['embedInput'])} vectors of one positive length", facts)
    if call == "unknown_model":
        err = facts.get("error") or {}
        _need(err.get("status") == 404, "an unknown model should be an HTTP 404 error", facts)
        _need(INPUT["missing"] in f"{err.get('message')} {err.get('body')}", "the error should name the model", facts)
    if call == "abort":  # aborted after the first piece of a long generation
        _need(facts.get("aborted") is True and facts.get("chunks", 0) >= 1, "the stream should be aborted after "
              "its first piece", facts)
        _need(facts.get("finished") is False and facts.get("endedBy") != "finished",
              "the client should see the abort, not a normal finish", facts)
        if client in JS_CLIENTS:  # each JS client raises its AbortError; Python's close simply stops
            _need(facts.get("endedBy") == "AbortError", "the client should raise AbortError", facts)
        # the server-agnostic proof that the stream stopped: far fewer pieces than were requested
        _need(facts["chunks"] < facts["requested"] // 4, f"the stream should end well before the "
              f"{facts['requested']} tokens requested", facts)
        _need((facts.get("followUp") or {}).get("ok") is True, "the server should keep serving after the abort", facts)


# --- the rows -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def js_run(server_url) -> dict:
    """The TypeScript half's whole report, from one Node process."""
    why = unavailable()
    if why:
        pytest.skip(why)
    return run_example("client-matrix.ts", host=server_url, env={"MATRIX_INPUT": json.dumps(INPUT)}, timeout=900)


@pytest.fixture(scope="session")
def js_matrix(js_run) -> dict:
    """All TypeScript rows: {(client, call): row}."""
    return {(r["client"], r["call"]): r for r in js_run["results"]}


def _row(client: str, call: str, rows: dict) -> dict:
    row = rows.get((client, call))
    assert row is not None, f"sdk/client-matrix.ts reported no row for {client} · {call}"
    if not row["ok"]:
        e = row["error"]
        raise AssertionError(f"{client} · {call} raised {e['name']}: {e['message']}; "
                             f"the server answered HTTP {e['status']}: {e['body']}")
    return row["facts"]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("client", JS_CLIENTS)
def test_typescript_client(client, call, js_matrix):
    facts = _row(client, call, js_matrix)
    try:
        check(client, call, facts)
    except AssertionError as exc:
        raise AssertionError(f"{client} · {call}: {exc}") from None


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("client", PY_CLIENTS)
def test_python_client(client, call, server_url):
    try:
        facts = PY_CASES[client](server_url, call)
    except Exception as exc:  # noqa: BLE001 — name the client, the call and the server's answer
        e = _error(exc)
        raise AssertionError(f"{client} · {call} raised {e['name']}: {e['message']}; "
                             f"the server answered HTTP {e['status']}: {e['body']}") from exc
    try:
        check(client, call, facts)
    except AssertionError as exc:
        raise AssertionError(f"{client} · {call}: {exc}") from None


# --- the examples and their plumbing --------------------------------------------------------------

def test_the_zod_schema_is_the_pydantic_one(js_run):
    """The structured-output rows ask every client for one schema: zod's, as JSON, is pydantic's."""
    def shape(schema: dict) -> tuple:
        return schema["type"], {k: v["type"] for k, v in schema["properties"].items()}, sorted(schema["required"])

    assert shape(js_run["schema"]) == shape(Answer.model_json_schema())


def test_host_rules_match_python():
    """sdk/host.ts reads OLLAMA_HOST exactly as labs.host does (its doctests' values and a few more)."""
    why = unavailable()
    if why:
        pytest.skip(why)
    import labs.host

    values = re.findall(r">>> parse_host\('([^']*)'\)", labs.host.parse_host.__doc__ or "")
    values += ["x:0", "http://h:/p", "HTTP://x", "::1", "h:65536", "http://[::1]",
               "http://example.com", "http://example.com/ollama", "https://[::1]/p"]  # scheme, no port
    proc = subprocess.run(["node", "--import", "tsx", "host.ts", *values], cwd=SDK_DIR, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for row in json.loads(proc.stdout):
        try:
            want = {"url": parse_host(row["value"])}
        except ValueError as exc:
            want = {"error": str(exc)}
        got = {k: row[k] for k in ("url", "error") if k in row}
        assert got == want, f"OLLAMA_HOST={row['value']!r}: host.ts {got}, labs.host {want}"


def test_module_example_generate_text(server_url):
    """Section 29.2's example, as the module wrote it (model and address aside), against this server."""
    why = unavailable()
    if why:
        pytest.skip(why)
    out = run_example("generate-text.ts", host=server_url)
    assert isinstance(out["text"], str) and out["text"]
    assert 0 < out["usage"]["completionTokens"] <= 16 and out["finishReason"] in FINISH["ai-sdk/ollama"]


def test_without_node_the_message_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no node on it
    why = unavailable()
    assert why and "apt-get install nodejs npm" in why and "https://nodejs.org" in why
    from labs.sdk import NodeMissing

    with pytest.raises(NodeMissing, match="not installed"):
        run_example("generate-text.ts")


def test_package_versions_are_pinned():
    """package.json pins exact versions, and package-lock.json agrees with it."""
    pkg = json.loads((SDK_DIR / "package.json").read_text())
    lock = json.loads((SDK_DIR / "package-lock.json").read_text())
    pinned = {**pkg["dependencies"], **pkg.get("devDependencies", {})}
    assert {"ai", "ollama-ai-provider", "@ai-sdk/openai", "zod", "ollama", "tsx"} <= set(pinned)
    for name, version in pinned.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: pin an exact version, not {version!r}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, f"{name}: run `npm install` in sdk/"



def test_examples_type_check():
    """tsx runs TypeScript without checking types; a learner's editor does check them: so do we."""
    why = unavailable()
    if why:
        pytest.skip(why)
    proc = subprocess.run(["node", "node_modules/typescript/bin/tsc", "-p", "."], cwd=SDK_DIR, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_module_smart_route_leaks_to_the_stand_in_cloud(server_url, monkeypatch):
    """Section 29.3's smartRoute sends a 'complex' prompt to the cloud whatever is in it; its
    processSensitiveData keeps the data local. The stand-in cloud's record proves both."""
    why = unavailable()
    if why:
        pytest.skip(why)
    from labs.router.cloud import STAND_IN_LABEL, StandInCloud
    from labs.sdk import smart_route

    leaky = "Analyse why the payment of Olena Koval (card 4111 1111 1111 1111) failed."
    with StandInCloud() as cloud:
        complex_run = smart_route(leaky, "complex", cloud=cloud, host=server_url)
        sensitive_run = smart_route(leaky, "sensitive", cloud=cloud, host=server_url)
        everything = cloud.requests
    assert complex_run.routed == "cloud" and complex_run.leaked and complex_run.text.startswith(STAND_IN_LABEL)
    assert [r.path for r in complex_run.cloud_requests] == ["/v1/chat/completions"]
    assert complex_run.cloud_requests[0].body["model"] == "gpt-4o-mini"
    assert sensitive_run.routed == "local" and sensitive_run.model_id == DEFAULT_MODEL
    assert sensitive_run.cloud_requests == [] and len(everything) == 1 and not sensitive_run.leaked
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # no key: a stand-in of its own, started and stopped for the call
    own = smart_route(leaky, "complex", host=server_url)
    assert own.routed == "cloud" and own.leaked and len(own.cloud_requests) == 1


# --- attacks kept as tests (issue 14, /work/attacks/issue14/FINDINGS.md) ---------------------------

def _node_or_skip() -> None:
    why = unavailable()
    if why:
        pytest.skip(why)


def test_examples_run_from_a_path_with_spaces_and_cyrillic(tmp_path):
    """A learner's course folder may be `~/Мій курс/module 29`: `import.meta.url` is percent-encoded there,
    so a main-module check that compares it with `process.argv[1]` as text silently does nothing."""
    _node_or_skip()
    sdk = tmp_path / "Мій курс" / "module 29" / "sdk"
    sdk.mkdir(parents=True)
    for f in [*SDK_DIR.glob("*.ts"), SDK_DIR / "package.json", SDK_DIR / "tsconfig.json"]:
        (sdk / f.name).write_bytes(f.read_bytes())
    (sdk / "node_modules").symlink_to(SDK_DIR / "node_modules", target_is_directory=True)

    def node(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["node", "--import", "tsx", *args], cwd=sdk, capture_output=True, text=True, timeout=120)

    proc = node("host.ts", "1.2.3.4")
    assert proc.returncode == 0 and json.loads(proc.stdout) == [{"value": "1.2.3.4", "url": parse_host("1.2.3.4")}], \
        f"host.ts printed nothing from {sdk}: {proc.stdout!r} {proc.stderr!r}"
    proc = node("smart-route.ts", "bogus")
    assert proc.returncode == 2 and "usage:" in proc.stderr, (proc.returncode, proc.stdout, proc.stderr)
    # and every example with a main block decides it by file path, not by comparing URLs as text
    for f in SDK_DIR.glob("*.ts"):
        assert "`file://${process.argv[1]}`" not in f.read_text(), f"{f.name}: use isMain(import.meta.url)"


def _js_rows(*rows: str, **changes) -> tuple[dict, dict]:
    report = run_example("client-matrix.ts", *rows, env={"MATRIX_INPUT": json.dumps({**INPUT, **changes})},
                         timeout=600)
    return report, {(r["client"], r["call"]): r for r in report["results"]}


def test_a_failing_stream_costs_its_row_not_the_report(server_url):
    """A stream that errors (here: an unknown model, as any stream-level 4xx/5xx) once made the AI SDK's
    `await result.finishReason` hang and Node exit 13 with no output, erasing all rows. Now every row
    reports itself, and its failure names the client, the call and the server's answer."""
    _node_or_skip()
    wanted = [(c, call) for c in JS_CLIENTS for call in ("stream", "abort")]
    _, rows = _js_rows(*(f"{c}/{call}" for c, call in wanted), model=INPUT["missing"])
    assert sorted(rows) == sorted(wanted)
    for client, call in wanted:
        with pytest.raises(AssertionError) as failed:
            _row(client, call, rows)
        message = str(failed.value)
        assert f"{client} · {call} raised" in message and "HTTP 404" in message, message
        assert INPUT["missing"] in message, message


def test_a_row_that_never_settles_times_out_alone(server_url):
    """The row timeout itself: with 1 ms every row reports RowTimeout naming itself, and the report prints."""
    _node_or_skip()
    _, rows = _js_rows("ai-sdk/ollama/stream", "ollama-js/generate", rowTimeoutMs=1)
    assert set(rows) == {("ai-sdk/ollama", "stream"), ("ollama-js", "generate")}
    for (client, call), row in rows.items():
        assert not row["ok"] and row["error"]["name"] == "RowTimeout", row
        assert f"{client} · {call}" in row["error"]["message"], row


def test_smart_route_takes_any_prompt_on_stdin(server_url):
    """A prompt once went through argv: 140,000 characters raised a bare OSError (E2BIG), a NUL a ValueError.
    On stdin it reaches the (stand-in) cloud whole."""
    _node_or_skip()
    from labs.router.cloud import StandInCloud
    from labs.sdk import smart_route

    prompt = "Olena Koval, \x00 card 4111 1111 1111 1111. " * 3500  # ~140,000 characters, over Linux's argv limit
    with StandInCloud() as cloud:
        run = smart_route(prompt, "complex", cloud=cloud, host=server_url)
    assert len(prompt) > 131_072 and run.leaked and len(run.cloud_requests) == 1
