"""Issue 10, attack round 6 (F4, F5) and r7's memory bound: request bodies are read as Ollama reads them, through
gin's ``ShouldBindJSON`` = Go's ``json.NewDecoder(body).Decode`` (the first JSON value; what follows it is ignored;
Go's syntax messages), ``{{define ""}}`` is the root's own name as in Go's text/template, and junk inside a declared
field is not built into Python objects past a bound. Expected texts were recorded from Go 1.19
(``tests/goref_json/main.go``; the template ones from Go's text/template with Ollama's options); where ``go`` is
installed, a generated corpus is compared with it live. Nothing here compares with an absolute time or size."""

from __future__ import annotations

import random
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.gojson import SyntaxError_, decode_first, fold_key
from labs.server import schema
from labs.server.core import PARSE_INLINE_BYTES
from labs.server.gotemplate import TemplateError, render_template
from labs.server.schema import BodyTooLarge, ChatRequest, GenerateRequest, RequestError, parse

M = b'{"model":"m","prompt":"hi"'

# (body, Go's json.Decoder error for it); every one was worded as Python's json module before r7
GO_SYNTAX = [
    (b"\xef\xbb\xbf" + M + b"}", "invalid character '\u00ef' looking for beginning of value"),  # a UTF-8 BOM
    (M + b',"foo":01}', "invalid character '1' after object key:value pair"),
    (M + b' "stream":false}', "invalid character '\"' after object key:value pair"),
    (M + b',"foo":[1 2]}', "invalid character '2' after array element"),
    (M + b",}", "invalid character '}' looking for beginning of object key string"),
    (M + b',"foo":[1,]}', "invalid character ']' looking for beginning of value"),
    (M + b',"foo":1.}', "invalid character '}' after decimal point in numeric literal"),
    (M + b',"foo":1.x}', "invalid character 'x' after decimal point in numeric literal"),
    (M + b',"foo":-}', "invalid character '}' in numeric literal"),
    (M + b',"foo":1e+}', "invalid character '}' in exponent of numeric literal"),
    (M + b',"foo":nul}', "invalid character '}' in literal null (expecting 'l')"),
    (M + b',"foo":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (M + b',"foo":"\x01"}', "invalid character '\\x01' in string literal"),
    (M + b',"foo":"\\x"}', "invalid character 'x' in string escape code"),
    (M + b',"foo":"\\u00zz"}', "invalid character 'z' in \\u hexadecimal character escape"),
    (M + b',"foo":NaN}', "invalid character 'N' looking for beginning of value"),
    (M + b',"foo":\xc2\xa0}', "invalid character '\u00c2' looking for beginning of value"),  # NBSP is no whitespace
    (b"\x0c", "invalid character '\\f' looking for beginning of value"),  # was "missing request body"
    (M, "unexpected EOF"),
    (M + b',"foo":"ab', "unexpected EOF"),
    (b'{"model" "m"}', "invalid character '\"' after object key"),
    (b"{model:1}", "invalid character 'm' looking for beginning of object key string"),
]
TRAILING = [M + b"}xyz", M + b'}{"a":1}', M + b"} ]", M + b"}\x00", M + b"}\xff"]  # Go: the first value, served


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize("body", TRAILING)
def test_what_follows_the_first_value_is_ignored_as_gin_does(body, long):
    """r6 F4: ``{…}xyz`` was 400 ``Extra data: line 1 column 82`` (Python's text); gin's Decode reads one value."""
    if long:  # the same body past PARSE_INLINE_BYTES (the Go-style decoder in a thread)
        body = body.replace(b'"hi"', b'"hi","pad":"%s"' % (b"x" * PARSE_INLINE_BYTES))
    req = parse(GenerateRequest, body, interruptible=long)
    assert (req.model, req.prompt) == ("m", "hi")


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize(("body", "message"), GO_SYNTAX)
def test_syntax_errors_are_worded_as_go_words_them(body, message, long):
    """r6 F4: a BOM was accepted (Go refuses it), and syntax errors were Python's (``Expecting ',' delimiter``)."""
    if long and body.startswith(M):
        body = M + b',"pad":"%s"' % (b"x" * PARSE_INLINE_BYTES) + body[len(M):]
    with pytest.raises(RequestError) as err:
        parse(GenerateRequest, body, interruptible=long)
    assert str(err.value) == message


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
def test_a_huge_integer_is_skipped_where_go_skips_it_and_go_s_error_elsewhere(long):
    """r6 F4: 5000 digits in an unknown field leaked CPython's ``Exceeds the limit (4300 digits)``; Go skips it."""
    pad = b',"pad":"%s"' % (b"x" * PARSE_INLINE_BYTES) if long else b""
    digits = b"9" * 5000
    assert parse(GenerateRequest, M + pad + b',"foo":' + digits + b"}", interruptible=long).prompt == "hi"
    assert parse(GenerateRequest, M + pad + b',"foo":[-' + digits + b"]}", interruptible=long).prompt == "hi"
    with pytest.raises(RequestError) as err:  # Go: options is map[string]any, a number there is a float64
        parse(GenerateRequest, M + pad + b',"options":{"foo":' + digits + b"}}", interruptible=long)
    assert str(err.value) == f"json: cannot unmarshal number {digits.decode()} into Go value of type float64"
    with pytest.raises(RequestError) as err:
        parse(GenerateRequest, M + pad + b',"context":[' + digits + b"]}", interruptible=long)
    assert str(err.value) == (f"json: cannot unmarshal number {digits.decode()} into Go struct field "
                              "GenerateRequest.context of type int")


def test_bytes_that_are_not_utf8_become_u_fffd_in_strings_as_in_go():
    """Was 400 ``'utf-8' codec can't decode``; Go keeps the string and puts U+FFFD for each bad byte."""
    assert parse(GenerateRequest, b'{"model":"m","prompt":"a\xff\xe2\x82b"}').prompt == "a\ufffd\ufffd\ufffdb"
    with pytest.raises(RequestError, match="^invalid character '\u00ff' looking for beginning of value$"):
        parse(GenerateRequest, b'{"model":\xff}')


def test_fold_key_is_gos_not_casefold():
    """One place for Go's key folding (labs/gojson.py): ``ſ`` and the Kelvin sign fold, ``ß`` is not ``ss``."""
    assert fold_key("ſtream") == fold_key("STREAM") == fold_key("stream")
    assert fold_key("\u212aeep") == fold_key("keep")
    assert fold_key("straße") != fold_key("strasse")  # str.casefold makes these equal; Go does not


# --- item 3: memory of junk inside a declared field -----------------------------------------------------------

def _peak_parse(body: bytes, model=ChatRequest) -> tuple[int, Exception | None]:
    tracemalloc.start()
    try:
        parse(model, body, interruptible=True)
        error = None
    except RequestError as exc:
        error = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, error


def test_junk_in_a_declared_field_is_not_built_past_the_bound(monkeypatch):
    """r7: 30 MB of ``[[],…]`` in ``options`` (a declared ``map[string]any``) built 10M lists (~1.5 GB peak). Now at
    most MAX_BUILT_VALUES are built (413 past it); here the bound is lowered so a small body shows it: the parse's
    peak stays within a few times the body (the text it decodes), where it was ~50x."""
    monkeypatch.setattr(schema, "MAX_BUILT_VALUES", 10_000)
    n = 400_000
    body = ('{"model":"m","options":{"foo":[%s]},"messages":[]}' % ",".join(["[]"] * n)).encode()
    peak, error = _peak_parse(body)
    assert isinstance(error, BodyTooLarge) and "10,000 JSON values" in str(error), error
    assert peak < 4 * len(body), (peak, len(body))
    small = parse(ChatRequest, body.replace(b"[]," * (n - 5), b""), interruptible=True)  # within the bound: built
    assert small.options["foo"] == [[]] * 5


def test_a_container_in_a_string_field_is_gos_type_error_without_being_built():
    """``messages[0].content`` as a long list: Go skips it after the type error; it was built whole first."""
    n = 300_000
    body = ('{"model":"m","messages":[{"role":"user","content":[%s]}]}' % ",".join(["[1]"] * n)).encode()
    peak, error = _peak_parse(body)
    assert str(error) == "json: cannot unmarshal array into Go struct field ChatRequest.messages of type string"
    assert peak < 4 * len(body), (peak, len(body))


# --- F5: {{define ""}} ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("template", "expected"), [
    ('{{define ""}}E{{.Prompt}}{{end}}', "Ep"),  # was "" (the empty root rendered)
    ('{{define ""}}E{{.Prompt}}{{end}}  \n', "Ep"),  # was "  \n"
    ('{{define ""}}D{{end}}{{/* c */}}', "D"),
    ('{{define ""}}{{end}}R{{.Prompt}}', "Rp"),  # an empty define does not replace a full root
    ('{{define ""}}E{{end}}{{.Messages}}', 'template: :1: template: multiple definition of template ""'),
    ('{{.Prompt}}\n{{define ""}}E{{end}}', 'template: :2: template: multiple definition of template ""'),
])
def test_define_of_the_empty_name_is_the_root_as_in_go(template, expected):
    try:
        out = render_template(template, messages=[{"role": "user", "content": "p"}], prompt="p")
    except TemplateError as exc:
        out = str(exc)
    assert out == expected


# --- against Go itself, where it is installed ----------------------------------------------------------------

@pytest.fixture(scope="module")
def goref(tmp_path_factory) -> Path:
    if shutil.which("go") is None:
        pytest.skip("Go is not installed: the recorded Go texts above still run")
    out = tmp_path_factory.mktemp("goref") / "goref_json"
    src = Path(__file__).parent / "goref_json"
    built = subprocess.run(["go", "build", "-o", str(out), "."], cwd=src, capture_output=True, text=True,
                           env={**__import__("os").environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"})
    if built.returncode:
        pytest.skip(f"the Go reference does not build here: {built.stderr[-300:]}")
    return out


def _mutants(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    base = [b'{"a":1}', b"[1,2]", b'"x"', b"12", b"-0.5e+3", b"true", b"null", b'{"a":[1,{"b":"c"}],"d":null}',
            b"{}", b'"\\u00e9\\ud83d\\ude00"']
    alphabet = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"u", b"0", b"1", b".", b"e", b"-", b"+", b" ",
                b"\t", b"\x0c", b"\x00", b"t", b"n", b"l", b"x", b"\xef\xbb\xbf", b"\xff", b"\xc2\xa0", b"'", b"\xe2\x82"]
    out = []
    for _ in range(count):
        body = bytearray(rng.choice(base))
        for _ in range(rng.randint(1, 3)):
            at, piece, op = rng.randint(0, len(body)), rng.choice(alphabet), rng.random()
            if op < 0.4:
                body[at:at] = piece
            elif op < 0.7 and body:
                del body[min(at, len(body) - 1)]
            elif op < 0.85:
                del body[at:]
            else:
                body[at:at + 1] = piece
        out.append(bytes(body))
    return out


def test_decode_first_agrees_with_go_on_a_generated_corpus(goref):
    import json
    cases = _mutants(7, 3000) + [body for body, _ in GO_SYNTAX] + TRAILING
    lines = subprocess.run([str(goref)], input=b"\n".join(c.hex().encode() for c in cases) + b"\n",
                           capture_output=True, check=True).stdout.decode().splitlines()
    assert len(lines) == len(cases)

    def norm(v):  # Go's any: float64 numbers, U+FFFD for what Python keeps as a lone surrogate
        if isinstance(v, str):
            return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {norm(k): norm(x) for k, x in v.items()}
        return v if v is None or isinstance(v, bool) else float(v)

    differ = []
    for body, go in zip(cases, lines):
        try:
            ours = "OK", norm(decode_first(body))
        except SyntaxError_ as exc:
            ours = "ERR", str(exc)
        theirs = ("OK", norm(json.loads(go[3:]))) if go.startswith("OK ") else ("ERR", go[4:])
        if ours != theirs:
            differ.append((body, ours, theirs))
    assert not differ, differ[:5]


# --- through the real server ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def http(linked_server):
    srv = linked_server("json_r7")
    with httpx.Client(base_url=srv.url, timeout=300) as client:
        yield client
    srv.stop()


@pytest.mark.embedded
def test_the_server_answers_these_bodies_as_ollama(http):
    body = ('{"model":"%s","prompt":"Say hi","stream":false,"options":{"num_predict":1,"temperature":0}}'
            % DEFAULT_MODEL).encode()
    r = http.post("/api/generate", content=body + b'{"a":1}', headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["done"] is True, r.text
    r = http.post("/api/generate", content=b"\xef\xbb\xbf" + body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json() == {"error": "invalid character '\u00ef' looking for beginning of value"}
    junk = b'{"model":"%s","messages":[],"options":{"foo":[%s]}}' % (
        DEFAULT_MODEL.encode(), b",".join([b"[]"] * (schema.MAX_BUILT_VALUES + 1)))
    r = http.post("/api/chat", content=junk, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "JSON values" in r.json()["error"], r.text
    assert http.get("/api/version").status_code == 200
