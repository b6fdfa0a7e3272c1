"""Ollama's Go prompt templates (labs.server.gotemplate): bounded in work and bytes, cancellable, rendered off the
model's thread, parsed once, and run as Ollama's ``template.go`` does. Expected outputs marked "Go" were produced by
Go's text/template with Ollama's Parse/Execute logic (attack round 4's reference harness); the server tests run a real
embedded server."""

from __future__ import annotations

import gc
import json
import re
import socket
import threading
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labs import DEFAULT_MODEL
from labs.server.gotemplate import (MAX_CALL_DEPTH, MAX_RENDER_BYTES, MAX_TEMPLATE_BYTES, RenderCancelled,
                                    TemplateError, parse_template, render_template)

DOUBLING = '{{ $x := "ab" }}{{ range 26 }}{{ $x = print $x $x }}{{ end }}{{ $x }}'  # 2^27 bytes if nothing stops it


# --- 1. bounded in bytes, and cancellable ---------------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    DOUBLING,
    '{{ $x := "ab" }}{{ range 26 }}{{ $x = printf "%s%s" $x $x }}{{ end }}',
    '{{ $x := "<>" }}{{ range 26 }}{{ $x = html $x $x }}{{ end }}',
    '{{ $x := "ab" }}{{ range 26 }}{{ $x = json (print $x $x) }}{{ end }}',
    '{{ range 600 }}{{ $.Prompt }}{{ end }}',  # 600 x a 64 KB prompt: the output itself
    # a string under the cap, copied again and again: the work is bounded too, not only the size
    '{{ $x := print .Prompt .Prompt }}{{ range 400 }}{{ $y := print $x $x }}{{ end }}',
    '{{ $x := print .Prompt .Prompt }}{{ range 400 }}{{ if eq $x $.Prompt }}{{ end }}{{ end }}',
])
def test_a_template_cannot_build_unbounded_text(template):
    """Attack r4 F1: a doubling variable reached gigabytes within the step budget."""
    with pytest.raises(TemplateError, match="built more than"):
        render_template(template, prompt="p" * 65536)


def test_a_real_template_with_a_long_conversation_is_within_the_budget():
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": "w" * 20000} for i in range(400)]
    out = render_template("{{ range .Messages }}<{{ .Role }}>{{ .Content }}{{ end }}", messages=messages)
    assert len(out) > 400 * 20000 > MAX_RENDER_BYTES // 4


def test_a_cancelled_rendering_stops_at_its_next_step():
    """Attack r4 F2: nothing stopped a rendering whose client had gone, nor one under way at shutdown."""
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RenderCancelled):
        render_template("{{ range 900000 }}{{ end }}{{ .Prompt }}", prompt="p", cancel=cancel)
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    started = time.perf_counter()
    with pytest.raises(RenderCancelled):
        render_template("{{ range 300000 }}{{ $y := len $.Prompt }}{{ end }}", prompt="p", cancel=cancel)
    stopped = time.perf_counter() - started
    started = time.perf_counter()
    render_template("{{ range 300000 }}{{ $y := len $.Prompt }}{{ end }}", prompt="p")
    assert stopped < time.perf_counter() - started  # it stopped before the whole rendering would have ended


# --- 3. a linear lexer, parsed once -------------------------------------------------------------------------------

def test_the_lexer_is_linear_and_a_parse_is_cached():
    """Attack r4 F3: the lexer copied the rest of the template at every {{ (quadratic: 2 MB took 30 s)."""
    def parse_time(n: int) -> float:
        text = "{{ .Prompt }}x" * n + f"{{{{/* {n} {time.perf_counter()} */}}}}"  # a new text: not from the cache
        started = time.perf_counter()
        parse_template(text)
        return time.perf_counter() - started
    gc.disable()  # a full collection over the test session's heap lands in one timing or the other: noise
    try:
        small, large = min(parse_time(3000) for _ in range(2)), min(parse_time(24000) for _ in range(2))
    finally:
        gc.enable()
    assert large < 8 * 3 * small  # 8x the text: linear is ~8x, the old lexer was ~40x
    text = "{{ .Prompt }}" * 1000
    assert parse_template(text) is parse_template(text)


# --- 5. templates without .Messages, as Ollama's Template.Execute -------------------------------------------------

CHAT = [{"role": "system", "content": "S"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "u2"}, {"role": "user", "content": "u2b"}, {"role": "assistant", "content": "a2"},
        {"role": "tool", "content": "t1"}, {"role": "user", "content": "u3"}]


@pytest.mark.parametrize("template, messages, go", [
    # {{ .Response }} is appended when the template uses neither .Messages nor .Response: earlier answers stay
    ("{{ .System }} USER: {{ .Prompt }} ASSISTANT:", CHAT,
     "S USER: u1 ASSISTANT:a1 USER: u2\n\nu2b ASSISTANT:a2 USER: u3 ASSISTANT:"),
    ("{{- if .System }}### System:\n{{ .System }}\n\n{{ end }}### User:\n{{ .Prompt }}\n\n### Response:\n", CHAT[:4],
     "### System:\nS\n\n### User:\nu1\n\n### Response:\na1### User:\nu2\n\n### Response:\n"),
    ("{{ .System }}", CHAT, "Sa1a2"),
    # the cut is at the first .Response field, not at an if/with condition nor at $.Response
    ("{{ if .System }}S:{{ .System }}\n{{ end }}{{ if .Response }}(has response){{ end }}U:{{ .Prompt }}\nA:{{ .Response }}\n",
     CHAT[:4], "S:S\n(has response)U:u1\nA:a1\nU:u2\nA:"),
    ("{{ with .Prompt }}U:{{ . }}{{ end }} A:{{ with .Response }}{{ . }}{{ end }}</s>", CHAT[1:4],
     "U:u1 A:a1</s>U:u2 A:</s>"),
    ("U:{{ $.Prompt }} A:{{ $.Response }}|", CHAT[1:4], "U:u1 A:a1|U:u2 A:|"),
    ("U:{{ .Prompt }} A:{{ .Response | print }}|{{ .System }}", CHAT[1:4], "U:u1 A:a1|U:u2 A:"),
    ("U:{{ .Prompt }} A:{{ (.Response) }}|tail", CHAT[1:4], "U:u1 A:a1|tailU:u2 A:"),
    ("{{ $r := .Response }}U:{{ .Prompt }} A:{{ $r }}|", CHAT[1:4], "U:u1 A:a1|"),
])
def test_a_legacy_template_renders_as_ollama(template, messages, go):
    """Attack r4 F5: labs dropped earlier assistant turns and cut at an if .Response (an empty prompt)."""
    assert render_template(template, messages=messages) == go


# --- 6. literals as Go's parser reads them ------------------------------------------------------------------------

@pytest.mark.parametrize("template, go", [
    (r"{{ '\'' }}|{{ '\x41' }}|{{ '\101' }}|{{ '\U0001F600' }}|{{ 'é' }}", "39|65|65|128512|233"),
    (r'{{ "\x41\101\u00e9\U0001F600" }}', "AAé\U0001F600"),
    ("{{ 0b101 }} {{ 0o17 }} {{ 017 }} {{ 0x1F }} {{ 1_000 }} {{ 0x1p-2 }} {{ 1.5 }}", "5 15 15 31 1000 0.25 1.5"),
    ("{{ 1e20 }}|{{ 123456789.0 }}|{{ 123456.0 }}|{{ 1e-7 }}|{{ 0.0001 }}|{{ 3.0 }}",
     "1e+20|1.23456789e+08|123456|1e-07|0.0001|3"),
    ("{{ $ім := 1 }}{{ $ім }}{{ .Préfix }}", "1<no value>"),
])
def test_go_literals_are_read_as_go_reads_them(template, go):
    assert render_template(template, prompt="P") == go


@pytest.mark.parametrize("template", [
    "{{ 'ab' }}", "{{ '' }}", r"{{ '\q' }}", "{{ 1e400 }}", "{{ -1e400 }}", r'{{ "\/" }}', r'{{ "\udc00" }}',
    r'{{ "\ud800" }}', "{{ 08 }}", "{{ 9223372036854775808 }}",
])
def test_invalid_go_literals_are_a_template_error(template):
    """Attack r4 F6: '\\x41' was a JSONDecodeError (500), a lone surrogate saved a model that always 500ed."""
    with pytest.raises(TemplateError):
        render_template(template, prompt="P")


@pytest.mark.parametrize("template, go", [  # attack r4 F7: what text/template does, from Go's harness
    ('{{ printf "%5d|%x|%.2f|%q|%03d|%T|%-3s|" 3 255 3.14159 "a" 1 "s" "x" }}', '    3|ff|3.14|"a"|001|string|x  |'),
    ('{{ printf "%s" }}|{{ printf "%d %d" 1 }}|{{ printf "%s" 1 2 }}', "%!s(MISSING)|1 %!d(MISSING)|%!s(int=1)%!(EXTRA int=2)"),
    ('{{ slice "abc" 1 }}|{{ slice "héllo" 1 3 }}|{{ len "é" }}|{{ index "abc" 1 }}', "bc|é|2|98"),
    ('{{ js "<script>" }}|{{ js "a\'b" }}', "\\u003Cscript\\u003E|a\\'b"),
    ("{{ json .Tools }}", "null"),
    # attack r5 F1: a width/precision past 1e6 is Go's %!(NOVERB), not gigabytes of padding before the budget counts
    ('{{ printf "%1000000000c" 128512 }}|{{ printf "a%.100000000f b" 1.0 }}',
     "%!(NOVERB)%!(EXTRA int=128512)|a%!(NOVERB)%!(EXTRA float64=1)"),
    ("{{ eq 1 1 2 }}|{{ eq .Nope .Nope }}|{{ lt 1 2 }}|{{ eq \"a\" \"a\" }}", "true|true|true|true"),
])
def test_functions_behave_as_in_go(template, go):
    assert render_template(template, messages=[{"role": "user", "content": "a"}]) == go


@pytest.mark.parametrize("template", [
    "{{ index .Messages -1 }}", "{{ eq 1 1.0 }}", '{{ eq 1 "1" }}', "{{ lt 1 2.5 }}", "{{ eq .Messages .Messages }}",
    "{{ nil }}",
])
def test_what_go_refuses_at_run_time_is_an_error(template):
    with pytest.raises(TemplateError):
        render_template(template, messages=[{"role": "user", "content": "a"}])


CALLS = [{"role": "system", "content": "S"}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "A1"},
         {"role": "user", "content": "again"}]


@pytest.mark.parametrize("template, go", [  # r5 F4: define/template/block were refused; outputs from Go's harness
    ('{{define "a"}}A{{.}}{{end}}{{range .Messages}}<{{template "a" .Content}}>{{end}}', "<AS><Ahi><AA1><Aagain>"),
    ('{{block "b" .System}}B{{.}}{{end}}|{{template "b" "x"}}{{len .Messages}}', "BS|Bx4"),
    ('{{define "a"}}{{$.Role}}:{{$x := 1}}{{$x}}{{end}}{{range .Messages}}{{template "a" .}}{{end}}',
     "system:1user:1assistant:1user:1"),
    ('{{define "a"}}{{range .}}{{if eq .Role "user"}}{{break}}{{end}}{{.Content}}{{end}}{{end}}{{template "a" .Messages}}',
     "S"),
    ('{{define "a"}}{{if .}}{{.}},{{template "a" (slice . 1)}}{{end}}{{end}}{{template "a" "0123"}}{{len .Messages}}',
     "0123,123,23,3,4"),
    ('{{define `r`}}R{{.}}{{end}}{{template `r` 1}}{{len .Messages}}', "R14"),
    ('{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}<{{.}}>{{end}}{{template "a" 5}}{{len .Messages}}', "<5>4"),
    ('{{with .Messages}}{{block "w" .}}{{len .}}{{end}}{{end}}', "4"),
    # a legacy template: Ollama runs the last turn, cut at .Response, as a new template without the named ones
    ('{{define "s"}}S:{{.}}{{end}}{{ .Response }}{{template "s" .Prompt}}', "A1S:hi"),
    ('{{define "x"}}{{.Suffix}}{{end}}{{.Prompt}}', "hiA1again"),
])
def test_define_template_and_block_run_as_in_go(template, go):
    assert render_template(template, messages=CALLS) == go


@pytest.mark.parametrize("template, error", [
    ('{{define "a"}}A{{end}}<{{template "a" .Prompt}}>', 'template "a" not defined'),  # legacy: the cut runs alone
    ('{{if 1}}{{define "a"}}x{{end}}{{end}}', "unexpected <define>"),
    ('{{define "a"}}x{{end}}{{define "a"}}y{{end}}', 'multiple definition of template "a"'),
    ('{{define "a"}}{{$x}}{{end}}', 'undefined variable "$x"'),  # a named template sees no caller's variables
    ('{{define "a"}}{{break}}{{end}}{{range .Messages}}{{template "a" .}}{{end}}', "{{break}} outside {{range}}"),
    ("{{template}}", 'unexpected "}}" in template clause'),
    ('{{block "b"}}x{{end}}', "missing value for block clause"),
    ('{{define "a" 1}}x{{end}}', 'unexpected "1" in define clause'),
    ('{{define "a"}}x{{end}}{{template "a"}}{{.Messages}}', "undefined template specified"),  # Ollama's Vars
    ('{{define "a"}}{{.Nope}}{{end}}{{range .Messages}}{{template "a" .}}{{end}}', "can't evaluate field Nope"),
])
def test_what_go_or_ollama_refuses_in_named_templates_is_an_error(template, error):
    with pytest.raises(TemplateError, match=re.escape(error)):
        render_template(template, messages=CALLS, prompt="P")


def test_recursion_through_template_is_bounded_in_depth_and_in_steps():
    """Go stops at 100000 nested calls; here at MAX_CALL_DEPTH (Python's stack ends first), and a call tree that
    fans out is stopped by the same step budget as everything else."""
    with pytest.raises(TemplateError, match=f"exceeded maximum template depth \\({MAX_CALL_DEPTH}\\)"):
        render_template('{{define "a"}}{{template "a" .}}{{end}}{{template "a" 1}}{{.Messages}}', messages=CALLS)
    fan = "".join(f'{{{{define "f{i}"}}}}{{{{template "f{i + 1}" .}}}}{{{{template "f{i + 1}" .}}}}{{{{end}}}}'
                  for i in range(40)) + '{{define "f40"}}x{{end}}{{template "f0" .}}{{.Messages}}'  # 2^40 calls
    with pytest.raises(TemplateError, match="steps|built more than"):
        render_template(fan, messages=CALLS)


FRAGMENTS = ["{{", "}}", "{{-", "-}}", " ", ".Prompt", ".Messages", "$", "$x", ":=", "=", "(", ")", "|", "'", '"', "\\",
             "`", "x", "\\x4", "\\u", "\\ud800", "1", "0x", "e9", "_", "if", "else", "end", "range", "with", "print",
             "printf", "json", "eq", "len", "index", "slice", "nil", "true", "/*", "*/", "\ud800", "é", "%d", ".", "1e999",
             "define", "template", "block", '"a"', '{{define "a"}}', '{{template "a" .}}']


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=24).map("".join), st.booleans())
def test_any_template_renders_or_is_a_template_error(template, chat):
    """No template input may end other than a prompt that encodes as UTF-8, or a TemplateError (a 400)."""
    try:
        out = render_template(template, messages=CHAT if chat else None, prompt="" if chat else "P", system="S")
    except TemplateError:
        return
    out.encode("utf-8")


# --- against a real server ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(linked_server):
    srv = linked_server("templates")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=300) as client:
        yield client


def _generate(http, template: str, prompt: str = "hi", **extra) -> httpx.Response:
    return http.post("/api/generate", json={"model": DEFAULT_MODEL, "prompt": prompt, "template": template, "stream": False,
                                            "options": {"num_predict": 1, "temperature": 0}, **extra})


@pytest.mark.embedded
def test_a_doubling_template_is_a_400_and_the_server_keeps_serving(http):
    r = _generate(http, '{{ $x := "ab" }}{{ range 40 }}{{ $x = print $x $x }}{{ end }}{{ $x }}')
    assert r.status_code == 400 and "built more than" in r.json()["error"], r.text
    assert _generate(http, "Q: {{ .Prompt }}\nA:").status_code == 200


@pytest.mark.embedded
def test_a_slow_template_delays_only_its_own_request(http, server):
    """Attack r4 F2: a rendering ran on the llama.cpp thread, so a plain request waited for it (310 s in the attack).
    Now it renders before taking the slot, in a thread of its own: the plain request sent during it ends first."""
    assert _generate(http, "{{ .Prompt }}").status_code == 200  # the model is loaded
    slow = "{{ range 330000 }}{{ $y := len $.Prompt }}{{ end }}{{ .Prompt }}"
    ended: dict[str, float] = {}

    def send(name: str, template: str) -> None:
        with httpx.Client(base_url=server.url, timeout=300) as own:
            assert _generate(own, template).status_code == 200
        ended[name] = time.perf_counter()

    heavy = threading.Thread(target=send, args=("slow", slow))
    heavy.start()
    time.sleep(0.05)
    send("plain", "{{ .Prompt }}")
    heavy.join()
    assert ended["plain"] < ended["slow"]


@pytest.mark.embedded
def test_template_size_limits_are_clear_400_and_413(http):
    big = "{{ .Prompt }}" * (MAX_TEMPLATE_BYTES // 12 + 10)
    r = http.post("/api/create", json={"model": "big:1", "from": DEFAULT_MODEL, "template": big, "stream": False})
    assert r.status_code == 400 and "larger than" in r.json()["error"], r.text
    assert _generate(http, big).status_code == 400
    r = http.post("/api/create", json={"model": "big:1", "from": DEFAULT_MODEL, "system": "s" * (9 * 2**20)})
    assert r.status_code == 413 and "larger than" in r.json()["error"], r.text
    assert http.get("/api/version").status_code == 200


@pytest.mark.embedded
@pytest.mark.parametrize("template, status", [
    (r"{{ '\'' }}{{ '\x41' }}{{ .Prompt }}", 200),
    (r'{{ "\udc00" }}{{ .Prompt }}', 400),
    (r"{{ '\q' }}{{ .Prompt }}", 400),
])
def test_create_refuses_what_go_refuses_and_never_500s(http, template, status):
    """Attack r4 F6: char escapes were a 500 at create; a lone-surrogate string saved a model that 500ed on every call."""
    r = http.post("/api/create", json={"model": "lit:1", "from": DEFAULT_MODEL, "template": template, "stream": False})
    try:
        assert r.status_code == status, r.text
        if status == 200:
            assert http.post("/api/generate", json={"model": "lit:1", "prompt": "hi", "stream": False,
                                                    "options": {"num_predict": 1}}).status_code == 200
    finally:
        http.request("DELETE", "/api/delete", json={"model": "lit:1"})


@pytest.mark.embedded
def test_a_legacy_model_sees_its_earlier_answers_in_a_chat(http):
    """Attack r4 F5 end to end: the chat reads exactly Go's rendering, with the assistant's earlier answer in it."""
    template = "{{ .System }} USER: {{ .Prompt }} ASSISTANT:"
    r = http.post("/api/create", json={"model": "legacy-chat:1", "from": DEFAULT_MODEL, "template": template, "stream": False})
    assert r.status_code == 200, r.text
    try:
        greedy = {"temperature": 0, "seed": 3, "num_predict": 2}
        messages = [{"role": "user", "content": "u1"}, {"role": "assistant", "content": "a long earlier answer"},
                    {"role": "user", "content": "u2"}]
        chat = http.post("/api/chat", json={"model": "legacy-chat:1", "messages": messages, "stream": False,
                                            "options": greedy}).json()
        raw = http.post("/api/generate", json={"model": DEFAULT_MODEL, "raw": True, "stream": False, "options": greedy,
                                               "prompt": " USER: u1 ASSISTANT:a long earlier answer USER: u2 ASSISTANT:"}).json()
        assert chat["prompt_eval_count"] == raw["prompt_eval_count"]
        assert chat["message"]["content"] == raw["response"]
    finally:
        http.request("DELETE", "/api/delete", json={"model": "legacy-chat:1"})


@pytest.mark.embedded
def test_quiet_blob_uploads_do_not_stall_create_or_pull(http, server):
    """Attack r4 F4: two uploads that went quiet held both shared I/O workers; create and pull waited for them."""
    started = time.perf_counter()
    r = http.post("/api/create", json={"model": "control:1", "from": DEFAULT_MODEL, "system": "be brief", "stream": False})
    control = time.perf_counter() - started
    assert r.status_code == 200, r.text
    quiet = []
    try:
        for k in range(3):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(f"POST /api/blobs/sha256:{k:064x} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                      "Content-Length: 1000000000\r\n\r\n".encode() + b"x" * 1000)
            quiet.append(s)
        time.sleep(0.5)
        limit = max(30.0, 20 * control)  # relative to the same create with no upload open
        with httpx.Client(base_url=server.url, timeout=limit) as own:
            r = own.post("/api/create", json={"model": "afterstall:1", "from": DEFAULT_MODEL, "system": "be brief",
                                              "stream": False})
            assert r.status_code == 200, r.text
            r = own.post("/api/pull", json={"model": DEFAULT_MODEL, "stream": False})
            assert r.status_code == 200, r.text
    finally:
        for s in quiet:
            s.close()
        for name in ("control:1", "afterstall:1"):
            http.request("DELETE", "/api/delete", json={"model": name})


@pytest.mark.embedded
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(template=st.lists(st.sampled_from(FRAGMENTS), max_size=16).map("".join))
def test_no_template_gets_a_500(http, template):
    body = {"model": "fuzz:1", "from": DEFAULT_MODEL, "template": template, "stream": False}
    r = http.post("/api/create", content=json.dumps(body))  # ASCII JSON: a lone surrogate travels as \ud800
    assert r.status_code in (200, 400), r.text
    if r.status_code == 200:
        r = http.post("/api/chat", json={"model": "fuzz:1", "messages": CHAT, "stream": False,
                                         "options": {"num_predict": 1}})
        assert r.status_code in (200, 400), r.text
