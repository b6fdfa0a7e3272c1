"""Lesson 4 deployment artefacts, checked with real tools: PyYAML, the Compose JSON schema
(check-jsonschema), nginx (``nginx -t`` and a live TLS proxy in front of a loopback HTTP server),
and ``systemd-analyze verify``. Docker and GPUs are not available here; nothing starts a container."""

from __future__ import annotations

import importlib.util
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import yaml

from labs import deploy, sizing
from labs.deploy import OllamaSettings, ProxySettings, VLLMSettings
from labs.deploy_validate import (compose_problems, find_tool, nginx_test, running_proxy, systemd_verify,
                                  validate_compose)
from labs.host import free_port

needs_nginx = pytest.mark.skipif(find_tool("nginx") is None,
                                 reason="nginx is not installed (Debian package nginx-light)")
needs_openssl = pytest.mark.skipif(find_tool("openssl") is None, reason="openssl is not installed")
needs_schema = pytest.mark.skipif(importlib.util.find_spec("check_jsonschema") is None,
                                  reason="check-jsonschema (ships the Compose JSON schema) is not installed")
needs_systemd = pytest.mark.skipif(find_tool("systemd-analyze") is None, reason="systemd-analyze is not installed")


def test_docker_run_matches_the_module_plus_production_settings():
    s = OllamaSettings(num_parallel=2, context_length=16384, keep_alive="-1")
    args = deploy.docker_run_args(s)
    joined = " ".join(args)
    assert "--gpus all" in joined and "-v ollama_data:/root/.ollama" in joined  # the module's command
    assert "-p 127.0.0.1:11434:11434" in joined  # ... but published on loopback only
    assert "--restart unless-stopped" in joined and "--health-cmd" in joined
    for key in ("OLLAMA_KEEP_ALIVE=-1", "OLLAMA_NUM_PARALLEL=2", "OLLAMA_MAX_LOADED_MODELS=1",
                "OLLAMA_CONTEXT_LENGTH=16384"):
        assert key in args
    assert deploy.shell(args).splitlines()[-1].strip() == s.image
    assert deploy.pull_args(s)[-1] == "qwen3:8b"


@pytest.mark.parametrize("kwargs, message", [
    ({"keep_alive": "24 hours"}, "Ollama would ignore it"),
    ({"keep_alive": "5 min"}, "Ollama would ignore it"),
    ({"num_parallel": 0}, "num_parallel must be a whole number of 1 or more"),
    ({"kv_cache_type": "q8_0", "flash_attention": False}, "needs flash_attention"),
    ({"restart": "sometimes"}, "restart='sometimes'"),
])
def test_bad_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OllamaSettings(**kwargs)


def test_keep_alive_follows_the_servers_own_rules():
    """One duration parser: what the generator accepts is what the server reads from OLLAMA_KEEP_ALIVE."""
    from labs.durations import parse_duration
    from labs.server.config import ServerConfig

    for value in ("300", "-5m", "1.5h", ".5h", "-1", "0", "1h30m"):  # the old generator refused the first four
        env = OllamaSettings(keep_alive=value).environment()
        assert ServerConfig.from_env(env).keep_alive == parse_duration(value, bare_seconds=True)
    assert ServerConfig.from_env({"OLLAMA_KEEP_ALIVE": "300"}).keep_alive == 300.0


def test_compose_structure_and_yaml_round_trip():
    data = deploy.compose(OllamaSettings(num_parallel=3))
    text = deploy.to_yaml(data)
    assert yaml.safe_load(text) == data
    ollama = data["services"]["ollama"]
    assert ollama["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert ollama["environment"]["OLLAMA_NUM_PARALLEL"] == "3"
    assert "ports" not in ollama and ollama["expose"] == ["11434"]  # only the proxy is reachable
    assert data["services"]["proxy"]["ports"] == ["80:80", "443:443"]
    assert compose_problems(data) == []
    assert deploy.compose(proxy=None)["services"]["ollama"]["ports"] == ["127.0.0.1:11434:11434"]


def test_compose_rules_catch_an_exposed_port_and_missing_gpu():
    data = deploy.compose(proxy=None)
    data["services"]["ollama"]["ports"] = ["11434:11434"]
    del data["services"]["ollama"]["deploy"]
    del data["volumes"]
    problems = " | ".join(compose_problems(data))
    assert "publishes 11434:11434 on every interface" in problems
    assert "no GPU reservation" in problems
    assert "named volume 'ollama_data' is not declared" in problems


# Issue 17 r3 F1: every form that publishes Ollama on all interfaces, short and long syntax.
_PUBLIC_FORMS = ["11434:11434", "8080:11434", "0.0.0.0:11434:11434", "[::]:11434:11434", "11434:11434/tcp",
                 "11434", 11434, "0.0.0.0::11434", "11430-11440:11430-11440",
                 {"target": 11434, "published": 11434}, {"target": 11434, "published": "11434", "host_ip": "0.0.0.0"},
                 {"target": 11434}, {"target": 11434, "host_ip": "::", "protocol": "tcp"}]
_LOOPBACK_FORMS = ["127.0.0.1:11434:11434", "[::1]:11434:11434", "127.0.0.1::11434", "127.0.0.1:11434:11434/tcp",
                   "localhost:11434:11434", {"target": 11434, "published": 11434, "host_ip": "127.0.0.1"},
                   {"target": 11434, "host_ip": "::1"}]


@pytest.mark.parametrize("port", _PUBLIC_FORMS, ids=repr)
def test_compose_rules_catch_every_public_port_form(port):
    data = deploy.compose(proxy=None)
    data["services"]["ollama"]["ports"] = [port]
    problems = compose_problems(data)
    assert len(problems) == 1 and "on every interface" in problems[0], problems


@pytest.mark.parametrize("port", _LOOPBACK_FORMS, ids=repr)
def test_compose_rules_accept_loopback_ports(port):
    data = deploy.compose(proxy=None)
    data["services"]["ollama"]["ports"] = [port]
    assert compose_problems(data) == []


def test_compose_port_parser_reads_the_short_and_long_syntax():
    from labs.deploy_validate import PortMapping, parse_port

    assert parse_port("[::1]:8080:11434/udp") == PortMapping("::1", "8080", "11434", "udp")
    assert parse_port("127.0.0.1::11434") == PortMapping("127.0.0.1", "", "11434")
    assert parse_port(11434) == PortMapping("", "", "11434")
    assert parse_port({"target": 80, "published": 8080}) == PortMapping("", "8080", "80")
    for bad in (None, True, "", "11434:", {"published": 1}):
        with pytest.raises(ValueError):
            parse_port(bad)


def test_compose_rules_catch_host_network_and_unreadable_ports():
    data = deploy.compose(proxy=None)
    data["services"]["ollama"]["network_mode"] = "host"
    data["services"]["ollama"]["ports"] = [None]
    problems = " | ".join(compose_problems(data))
    assert "network_mode: host" in problems and "cannot read the ports entry None" in problems


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_compose_rules_on_an_edited_file_say_one_clear_thing(lang, monkeypatch):
    """Issue 17 r4 N7: a learner's edited Compose file never crashes the check, a string of ports is one message (not
    one per character), an unreadable port is "cannot read", and one LAN address is not "every interface"."""
    from labs.i18n import t

    monkeypatch.setenv("LAB_LANG", lang)
    every = t("deploy.compose.public_port", name="N", port="P").split("P")[1].split("(")[0].strip()
    results = validate_compose("services:\n  ollama:\n")
    assert not results[-1].ok and t("deploy.compose.service_not_mapping", name="ollama") == results[-1].output

    def problems(ports):
        data = deploy.compose(proxy=None)
        data["services"]["ollama"]["ports"] = ports
        return compose_problems(data)

    assert problems("0.0.0.0:11434:11434") == [t("deploy.compose.ports_not_list", name="ollama",
                                                 ports="0.0.0.0:11434:11434")]
    for bad in ("xx", "abc:11434", "127.0.0.1:x:11434"):
        assert problems([bad]) == [t("deploy.compose.bad_port", name="ollama", port=bad)], bad
    for lan in ("192.168.1.10:11434:11434", "10.0.0.5:11434:11434", {"target": 11434, "host_ip": "192.168.1.10"}):
        said = problems([lan])
        assert len(said) == 1 and every not in said[0] and ("192.168.1.10" in said[0] or "10.0.0.5" in said[0]), said
    said = problems(["${HOST:-127.0.0.1}:11434:11434"])
    assert said == [t("deploy.compose.variable_port", name="ollama", port="${HOST:-127.0.0.1}:11434:11434")]
    assert compose_problems({"services": ["ollama"]}) == [t("deploy.compose.services_not_mapping")]
    odd = {"services": {"ollama": {"image": "x", "restart": "always", "healthcheck": {}, "volumes": None,
                                   "deploy": None}}}
    assert compose_problems(odd) == [t("deploy.compose.no_gpu", name="ollama")]


@needs_schema
def test_compose_files_pass_the_compose_schema():
    for data in (deploy.compose(), deploy.compose(proxy=None, pull_model=False), deploy.vllm_compose()):
        results = validate_compose(deploy.to_yaml(data))
        assert all(r.ran and r.ok for r in results), results


@needs_schema
def test_compose_schema_rejects_a_typo():
    data = deploy.compose(proxy=None)
    data["services"]["ollama"]["imagee"] = data["services"]["ollama"].pop("image")
    schema = next(r for r in validate_compose(deploy.to_yaml(data)) if "schema" in r.tool)
    assert schema.ran and not schema.ok and "imagee" in schema.output


def test_validate_compose_reports_broken_yaml():
    results = validate_compose("services: [unclosed")
    assert len(results) == 1 and results[0].ran and not results[0].ok


def test_api_keys_map_rejects_unsafe_keys():
    assert deploy.new_api_key().startswith("sk-local-")
    with pytest.raises(ValueError, match="at least one key"):
        deploy.api_keys_map([])
    with pytest.raises(ValueError, match="bad"):
        deploy.api_keys_map(['sk" 1; default 1;'])  # would otherwise inject into the nginx map


@needs_nginx
@needs_openssl
def test_nginx_accepts_the_generated_config():
    result = nginx_test(ProxySettings())
    assert result.ran and result.ok, result.output
    assert "syntax is ok" in result.output


@needs_nginx
@needs_openssl
def test_nginx_rejects_a_broken_config():
    result = nginx_test(ProxySettings(max_body="twenty megabytes"))
    assert result.ran and not result.ok


class _Upstream(BaseHTTPRequestHandler):
    """A loopback stand-in for the model server behind the proxy: it reports what reached it."""

    def _reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        payload = json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                              "host": self.headers.get("Host"),
                              "body": body}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_HEAD(self):
        self.seen.append(("HEAD", self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _seen_reply(self):
        self.seen.append((self.command, self.path))
        self._reply()

    do_GET = do_POST = do_DELETE = _seen_reply
    seen: list = []

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    _Upstream.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@needs_nginx
@needs_openssl
def test_live_proxy_enforces_tls_api_key_and_blocks_management(upstream):
    key = deploy.new_api_key()
    with running_proxy(upstream, [key], free_port()) as base, httpx.Client(base_url=base, verify=False,
                                                                            timeout=10) as http:
        assert base.startswith("https://127.0.0.1:")
        assert http.get("/api/tags").status_code == 401
        assert http.get("/api/tags", headers={"Authorization": "Bearer sk-local-wrong-key"}).status_code == 401
        ok = http.post("/api/generate", json={"model": "m", "prompt": "hi"},
                       headers={"Authorization": f"Bearer {key}"})
        assert ok.status_code == 200
        seen = ok.json()
        assert seen["path"] == "/api/generate" and json.loads(seen["body"])["prompt"] == "hi"
        assert seen["authorization"] is None  # the key stops at the proxy
        assert seen["host"] == "localhost"  # a loopback Ollama refuses non-local Host headers
        for path in ("/api/pull", "/api/delete", "/api/create"):
            assert http.post(path, json={}, headers={"Authorization": f"Bearer {key}"}).status_code == 403


@needs_nginx
@needs_openssl
def test_every_management_route_ollama_serves_is_blocked_through_the_running_proxy(upstream):
    """Issue 13: /api/blobs/:digest (HEAD and POST) went through with a valid key; now every route
    Ollama registers for the model store or the account is refused before it reaches the server."""
    from labs.deploy_validate import blocked_routes

    key = deploy.new_api_key()
    auth = {"Authorization": f"Bearer {key}"}
    routes = blocked_routes()
    assert {("HEAD", "/api/blobs/sha256:" + "0" * 64), ("POST", "/api/blobs/sha256:" + "0" * 64),
            ("POST", "/api/push"), ("POST", "/api/copy"), ("DELETE", "/api/delete"), ("POST", "/api/pull"),
            ("POST", "/api/create"), ("POST", "/api/experimental/web_search"),
            ("POST", "/api/experimental/web_fetch")} <= set(routes)  # web search spends the host's ollama.com account
    disguised = [("POST", "/api//pull"), ("POST", "/api/%70ull"), ("POST", "/api/./copy"), ("POST", "/v1/../api/push"),
                 ("POST", "/API/CREATE"), ("POST", "/api/pull/"), ("DELETE", "/api/user/keys/abc")]
    with running_proxy(upstream, [key], free_port()) as base, httpx.Client(base_url=base, verify=False,
                                                                            timeout=10) as http:
        for method, path in routes + disguised:
            request = http.build_request(method, path, headers=auth, content=b"{}" if method != "HEAD" else None)
            request.url = request.url.copy_with(raw_path=path.encode())  # send the path exactly as written
            assert http.send(request).status_code == 403, (method, path)
        assert _Upstream.seen == []  # nothing reached the model server
        for method, path in (("POST", "/api/generate"), ("POST", "/api/chat"), ("POST", "/api/embed"),
                             ("POST", "/v1/chat/completions"), ("GET", "/api/tags"), ("POST", "/api/show")):
            assert http.request(method, path, headers=auth, json={}).status_code == 200, (method, path)


@needs_systemd
def test_systemd_unit_verifies():
    unit = deploy.systemd_unit(OllamaSettings(num_parallel=2), exec_path=shutil.which("sleep"))
    assert 'Environment="OLLAMA_HOST=127.0.0.1:11434"' in unit
    assert 'Environment="OLLAMA_NUM_PARALLEL=2"' in unit
    result = systemd_verify(unit)
    assert result.ran and result.ok and result.output == ""


@needs_systemd
def test_systemd_verify_reports_the_missing_binary_and_catches_mistakes():
    missing = systemd_verify(deploy.systemd_unit(exec_path="/nonexistent/ollama"))
    assert missing.ok and "not executable" in missing.output
    broken = deploy.systemd_unit(exec_path=shutil.which("sleep")).replace("Restart=always", "Restart=sometimes")
    result = systemd_verify(broken)
    assert result.ran and not result.ok and "sometimes" in result.output


def test_firewall_keeps_ollama_closed():
    rules = deploy.firewall_rules()
    assert rules[0] == "ufw default deny incoming" and "ufw deny 11434/tcp" in rules
    assert "ufw allow 443/tcp" in rules and not any("allow 11434" in r for r in rules)


def test_vllm_enterprise_tier_fits_by_sizing():
    v = VLLMSettings()
    args = deploy.vllm_args(v)
    assert args[:3] == ["vllm", "serve", v.model]
    assert args[args.index("--tensor-parallel-size") + 1] == "4"
    service = deploy.vllm_compose(v)["services"]["vllm"]
    assert service["deploy"]["resources"]["reservations"]["devices"][0]["count"] == 4
    assert service["ipc"] == "host" and service["ports"] == ["127.0.0.1:8000:8000"]
    budget = sizing.vllm_budget_gib("A100 80 GB", v.tensor_parallel, v.gpu_memory_utilization)
    assert budget == 4 * 80 * 0.90  # issue 13 finding 12: 265 GiB took the reserve off twice
    fits = sizing.estimate_memory("Qwen3-235B-A22B", "GPTQ-INT4", context=v.max_model_len).total_gib
    too_big = sizing.estimate_memory("Qwen3-235B-A22B", "BF16", context=v.max_model_len).total_gib
    assert fits < budget < too_big
    with pytest.raises(ValueError, match="tensor_parallel=3"):
        VLLMSettings(tensor_parallel=3)


# --- issue 13, finding 4: durations exactly as Ollama reads them ------------------------------------

@pytest.mark.parametrize("value,seconds", [
    ("1.5", 300.0), ("-0.5", 300.0), ("0.0", 300.0),       # not a Go duration, not a whole number: the default
    ("1e3", 300.0), ("5M", 300.0), ("24 hours", 300.0), ("", 300.0),
    ("'10m'", 600.0), (' "10m" ', 600.0), (" 10m ", 600.0),  # Var() trims spaces, then quotes
    ("300", 300.0), ("+300", 300.0), ("-1", -1.0), ("0", 0.0), ("-5m", -300.0), ("1h30m", 5400.0),
])
def test_ollama_keep_alive_from_the_environment(value, seconds):
    """envconfig.KeepAlive: ParseDuration, else ParseInt seconds, else silently 5 minutes. The server
    reads what Ollama reads, and refuses to start (saying why) where Ollama would silently use 5m."""
    from labs.durations import env_keep_alive_problem, ollama_env_keep_alive, parse_duration
    from labs.server.config import ServerConfig

    assert ollama_env_keep_alive(value) == seconds
    if env_keep_alive_problem(value):
        with pytest.raises(ValueError, match="as its default, 5m"):
            ServerConfig.from_env({"OLLAMA_KEEP_ALIVE": value})
    else:
        assert parse_duration(value, bare_seconds=True) == seconds
        assert ServerConfig.from_env({"OLLAMA_KEEP_ALIVE": value}).keep_alive == seconds


@pytest.mark.parametrize("value", [" 5m", "5m ", "++5m", "\u0665m", "3000000h", "1e3", "1.5", "5M", "", "-", ".m", "5"])
def test_a_request_keep_alive_ollama_refuses_is_refused(value):
    """api.Duration.UnmarshalJSON: a string goes to time.ParseDuration with no trimming; an error is a 400."""
    from labs.durations import parse_duration

    with pytest.raises(ValueError, match="time: "):
        parse_duration(value)


@pytest.mark.parametrize("value,seconds", [("1\u03bcs", 1e-6), ("1\u00b5s", 1e-6), ("1us", 1e-6), ("2562047h", 2562047 * 3600.0),
                                           ("-3000000h", None), ("1.5h", 5400.0), ("+.5s", 0.5), ("0", 0.0), ("-0", 0.0)])
def test_a_request_keep_alive_ollama_reads(value, seconds):
    from labs.durations import parse_duration

    if seconds is None:  # beyond int64 nanoseconds either way
        with pytest.raises(ValueError, match="invalid duration"):
            parse_duration(value)
    else:
        assert parse_duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["1.5", "-0.5", "0.0", "1e3", "24 hours"])
def test_the_generator_refuses_a_keep_alive_ollama_would_ignore(value):
    """These were written into docker run, Compose and systemd; real Ollama reads each as 5 minutes."""
    with pytest.raises(ValueError, match="Ollama would ignore it and keep its default of 5m"):
        OllamaSettings(keep_alive=value)


# --- issue 13, finding 7: the host's ollama.com account stays on the host ----------------------------

def test_generated_server_disables_ollama_cloud_everywhere():
    """OLLAMA_NO_CLOUD=1 makes Ollama refuse :cloud models and web search (envconfig, routes.go)."""
    settings = OllamaSettings()
    assert settings.environment()["OLLAMA_NO_CLOUD"] == "1"
    assert "OLLAMA_NO_CLOUD=1" in deploy.docker_run_args(settings)
    assert deploy.compose(settings)["services"]["ollama"]["environment"]["OLLAMA_NO_CLOUD"] == "1"
    assert 'Environment="OLLAMA_NO_CLOUD=1"' in deploy.systemd_unit(settings)
    assert "OLLAMA_NO_CLOUD" not in OllamaSettings(allow_cloud=True).environment()
