"""Check lesson 4's generated deployment files with real tools, where they run on this machine.

* Compose: YAML parse, the Compose Specification JSON schema (shipped in the ``check-jsonschema``
  package as ``vendor.compose-spec``), and structural rules the lesson cares about;
* nginx: ``nginx -t`` on the generated proxy config (Debian package ``nginx-light`` or ``nginx``),
  and :func:`running_proxy` to actually serve it in front of a loopback model server;
* systemd: ``systemd-analyze verify`` on the generated unit.

A tool that is missing is reported as *not run* with the reason — never as a pass. Docker and GPUs are
not available in the lab, so nothing here starts a container.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from labs.deploy import MANAGEMENT_ROUTES, ProxySettings, api_keys_map, new_api_key, nginx_site


@dataclass
class ToolResult:
    tool: str
    ran: bool
    ok: bool
    output: str = ""

    def __repr__(self) -> str:
        """One line in ``LAB_LANG``: mark, what ran (a command such as ``nginx -t`` as it is), its output."""
        from labs.i18n import t

        mark = "✅" if self.ok else ("❌" if self.ran else "⏭️ " + t("deploy.check.not_run"))
        tool = t(_TOOL_LABELS[self.tool]) if self.tool in _TOOL_LABELS else self.tool
        tail = f": {self.output.strip()}" if self.output.strip() else ""
        return f"{mark} {tool}{tail}"


_YAML, _SCHEMA, _RULES = ("YAML parse", "compose-spec JSON schema (check-jsonschema)",
                          "lesson rules (loopback ports, GPU, volume, healthcheck)")
_TOOL_LABELS = {_YAML: "deploy.check.yaml", _SCHEMA: "deploy.check.schema", _RULES: "deploy.check.rules"}


_PUBLIC_SERVICE = "proxy"  # the only service meant to face the network (labs.deploy.compose names it so)


@dataclass(frozen=True)
class PortMapping:
    """One entry of a Compose service's ``ports`` (Compose Specification, "ports": short and long syntax).

    ``host_ip`` is ``""`` when none is given (Docker then binds every interface); ``published`` is ``""``
    when the host port is left to Docker (a random one, still published on the host).
    """

    host_ip: str
    published: str
    target: str
    protocol: str = "tcp"


def parse_port(entry: object) -> PortMapping:
    """Parse a ``ports`` entry the way Compose reads it (lesson 4, "Compose").

    Short syntax ``[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`` (ports or ranges; an IPv6 host address may be
    written in square brackets, ``[::1]:11434:11434``), a bare int (``11434``: a random host port on every
    interface), or the long syntax mapping ``{target, published, host_ip, protocol, mode}``.
    Raises ``ValueError`` for anything else (the JSON-schema check reports the detail).
    """
    if isinstance(entry, bool):
        raise ValueError(entry)
    if isinstance(entry, int):
        return PortMapping("", "", str(entry))
    if isinstance(entry, dict):
        if "target" not in entry:
            raise ValueError(entry)
        published = entry.get("published")
        return PortMapping(str(entry.get("host_ip") or ""), "" if published is None else str(published),
                           str(entry["target"]), str(entry.get("protocol") or "tcp"))
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError(entry)
    text, _, protocol = entry.strip().partition("/")
    host, sep, target = text.rpartition(":")
    if not target:
        raise ValueError(entry)
    host_ip, published = "", host
    if ":" in host:
        host_ip, _, published = host.rpartition(":")
    elif not sep:
        published = ""
    if not _PORTS.fullmatch(target) or (published and not _PORTS.fullmatch(published)):
        raise ValueError(entry)  # "xx", "abc:11434": no port Compose could publish
    return PortMapping(host_ip.strip("[]"), published, target, protocol or "tcp")


_PORTS = re.compile(r"\d{1,5}(-\d{1,5})?")
"""A port or a range (``11434``, ``8000-8010``), as the short syntax writes one."""


def is_loopback(host_ip: str) -> bool:
    """``127.0.0.0/8``, ``::1`` or ``localhost``; ``""`` (no address: every interface) is not."""
    import ipaddress

    if host_ip.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host_ip).is_loopback
    except ValueError:
        return False


def binds_every_interface(host_ip: str) -> bool:
    """``""`` (no address), ``0.0.0.0`` or ``::``: Docker publishes on every interface of the host; any other
    non-loopback address (``192.168.1.10``) is one interface, still reachable from its network."""
    import ipaddress

    if not host_ip:
        return True
    try:
        return ipaddress.ip_address(host_ip).is_unspecified
    except ValueError:
        return False


def publishes_beyond_loopback(entry: object) -> bool:
    """True when a ``ports`` entry makes the container port reachable from other machines: no host address
    (``11434``, ``11434:11434``, ``11434:11434/tcp``, long form without ``host_ip``) or a non-loopback one
    (``0.0.0.0:…``, ``[::]:…``). Docker publishes through NAT rules that ``ufw`` does not see, so this is the
    only guard (lesson 4, firewall). Raises ``ValueError`` for an entry :func:`parse_port` cannot read."""
    return not is_loopback(parse_port(entry).host_ip)


def _port_text(entry: object) -> str:
    return entry if isinstance(entry, str) else repr(entry)


def compose_problems(data: dict) -> list[str]:
    """What the lesson requires of a Compose file for a model server (empty list: all good), in ``LAB_LANG``."""
    from labs.i18n import t

    problems = []
    services = data.get("services") or {}
    if not services:
        return [t("deploy.compose.no_services")]
    if not isinstance(services, dict):
        return [t("deploy.compose.services_not_mapping")]
    volumes = data.get("volumes")
    declared = set(volumes) if isinstance(volumes, dict) else set()
    for name, svc in services.items():
        if not isinstance(svc, dict):  # "ollama:" with nothing under it, or a list/string in its place
            problems.append(t("deploy.compose.service_not_mapping", name=name))
            continue
        if "image" not in svc:
            problems.append(t("deploy.compose.no_image", name=name))
        if name != _PUBLIC_SERVICE:
            if svc.get("network_mode") == "host":
                problems.append(t("deploy.compose.host_network", name=name))
            problems += _port_problems(name, svc.get("ports"))
        svc_volumes = svc.get("volumes") or []
        for vol in svc_volumes if isinstance(svc_volumes, list) else []:  # the schema check reports a non-list
            source = str(vol.get("source", "") if isinstance(vol, dict) else vol).split(":")[0]
            if source and not source.startswith((".", "/", "~")) and source not in declared:
                problems.append(t("deploy.compose.volume", name=name, volume=repr(source)))
        if svc.get("restart", "no") == "no":
            continue  # one-shot jobs (a model pull) need no health check or GPU
        if "healthcheck" not in svc and name != "proxy":
            problems.append(t("deploy.compose.no_healthcheck", name=name))
        if name != "proxy":
            devices = _dig(svc, "deploy", "resources", "reservations", "devices")
            if not any(isinstance(d, dict) and "gpu" in (d.get("capabilities") or []) for d in devices or []):
                problems.append(t("deploy.compose.no_gpu", name=name))
    return problems


def _dig(mapping: object, *keys: str) -> object:
    """``mapping[k1][k2]…``, or None where a level is missing or not a mapping (an edited file may hold anything)."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping if isinstance(mapping, list) else None


def _port_problems(name: str, ports: object) -> list[str]:
    """The lesson's port rule for one service's ``ports`` (a list; anything else is one message, not one per
    character of a string)."""
    from labs.i18n import t

    if ports is None:
        return []
    if not isinstance(ports, list):
        return [t("deploy.compose.ports_not_list", name=name, ports=_port_text(ports))]
    problems = []
    for port in ports:
        try:
            mapping = parse_port(port)
        except ValueError:
            problems.append(t("deploy.compose.bad_port", name=name, port=_port_text(port)))
            continue
        if "$" in mapping.host_ip:  # ${HOST_IP:-127.0.0.1}: decided when Compose runs
            problems.append(t("deploy.compose.variable_port", name=name, port=_port_text(port)))
        elif binds_every_interface(mapping.host_ip):
            problems.append(t("deploy.compose.public_port", name=name, port=_port_text(port)))
        elif not is_loopback(mapping.host_ip):
            problems.append(t("deploy.compose.address_port", name=name, port=_port_text(port),
                              address=mapping.host_ip))
    return problems


def _compose_schema_result(path: Path) -> ToolResult:
    from labs.i18n import t

    tool = _SCHEMA
    if importlib.util.find_spec("check_jsonschema") is None:
        return ToolResult(tool, False, False, t("deploy.check.missing", tool="check-jsonschema",
                                                install="pip install check-jsonschema"))
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                           str(path)], capture_output=True, text=True, timeout=60)
    return ToolResult(tool, True, proc.returncode == 0, (proc.stdout + proc.stderr).strip())


def validate_compose(text: str) -> list[ToolResult]:
    """YAML parse, schema check, and the lesson's structural rules for a Compose file's text (their lines in
    ``LAB_LANG``)."""
    from labs.i18n import t

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [ToolResult(_YAML, True, False, str(exc))]
    not_mapping = t("deploy.compose.not_mapping")
    results = [ToolResult(_YAML, True, isinstance(data, dict), "" if isinstance(data, dict) else not_mapping)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "compose.yaml"
        path.write_text(text, encoding="utf-8")
        results.append(_compose_schema_result(path))
    problems = compose_problems(data) if isinstance(data, dict) else [not_mapping]
    results.append(ToolResult(_RULES, True, not problems,
                              "; ".join(problems)))
    return results


def find_tool(name: str) -> str | None:
    """A system tool on PATH or in the sbin directories (nginx lives in /usr/sbin on Debian)."""
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def self_signed_certificate(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A throwaway certificate and key (``openssl``), for testing the TLS listener only."""
    openssl = find_tool("openssl")
    if openssl is None:
        raise RuntimeError("openssl is not installed: apt-get install openssl")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def _local_proxy_files(directory: Path, proxy: ProxySettings, keys: list[str]) -> Path:
    """Write a complete nginx.conf (main + the generated site) under ``directory``; return its path."""
    for sub in ("client_body", "proxy", "logs"):
        (directory / sub).mkdir(exist_ok=True)
    (directory / "api_keys.map").write_text(api_keys_map(keys), encoding="utf-8")
    (directory / "site.conf").write_text(nginx_site(proxy), encoding="utf-8")
    main = f"""worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/proxy;
    uwsgi_temp_path {directory}/proxy;
    scgi_temp_path {directory}/proxy;
    include {directory}/site.conf;
}}
"""
    path = directory / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


def local_proxy_settings(directory: Path, upstream: str, https_port: int, base: ProxySettings = ProxySettings(),
                         ) -> ProxySettings:
    """``base`` with this machine's paths: a throwaway certificate, the key file, a loopback upstream."""
    cert, key = self_signed_certificate(directory)
    return ProxySettings(**{**base.__dict__, "server_name": "localhost", "upstream": upstream,
                            "https_port": https_port, "http_port": None, "certificate": str(cert),
                            "certificate_key": str(key), "api_keys_file": str(directory / "api_keys.map")})


def nginx_test(proxy: ProxySettings = ProxySettings(), keys: list[str] | None = None) -> ToolResult:
    """``nginx -t`` on the generated site (with a throwaway certificate and a loopback upstream,
    because nginx resolves upstream names and opens the certificate while testing)."""
    from labs.i18n import t

    nginx = find_tool("nginx")
    if nginx is None:
        return ToolResult("nginx -t", False, False, t("deploy.check.missing", tool="nginx",
                                                      install="Debian: apt-get install nginx-light"))
    if find_tool("openssl") is None:
        return ToolResult("nginx -t", False, False, t("deploy.check.no_openssl"))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        local = local_proxy_settings(d, "127.0.0.1:11434", 8443, proxy)
        conf = _local_proxy_files(d, local, keys or [new_api_key()])
        proc = subprocess.run([nginx, "-t", "-p", str(d), "-e", str(d / "logs/error.log"), "-c", str(conf)],
                              capture_output=True, text=True, timeout=60)
    return ToolResult("nginx -t", True, proc.returncode == 0, (proc.stdout + proc.stderr).replace(tmp, "<tmp>").strip())


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def running_proxy(upstream: str, keys: list[str], https_port: int,
                  proxy: ProxySettings = ProxySettings()) -> Iterator[str]:
    """Serve the generated nginx config on ``https://127.0.0.1:<https_port>`` in front of ``upstream``
    (a loopback model server) until the ``with`` block ends; yields the base URL.

    The certificate is self-signed: clients pass ``verify=False`` for this local check only.
    """
    nginx = find_tool("nginx")
    if nginx is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        conf = _local_proxy_files(d, local_proxy_settings(d, upstream, https_port, proxy), keys)
        proc = subprocess.Popen([nginx, "-p", str(d), "-e", str(d / "logs/error.log"), "-c", str(conf),
                                 "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            if not _wait_port(https_port, 10):
                proc.terminate()
                out = proc.communicate(timeout=10)[0].decode(errors="replace")
                raise RuntimeError(f"nginx did not start: {out}")
            yield f"https://127.0.0.1:{https_port}"
        finally:
            if proc.poll() is None:
                proc.terminate()  # SIGTERM: nginx's fast shutdown; its workers exit with the master
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
            if proc.stdout:
                proc.stdout.close()


def systemd_verify(unit_text: str, unit_name: str = "ollama.service") -> ToolResult:
    """``systemd-analyze verify`` on a unit. A missing ``ExecStart`` binary (Ollama is not installed in
    the lab) is reported in the output but does not fail the check; every other message does."""
    from labs.i18n import t

    tool = find_tool("systemd-analyze")
    if tool is None:
        return ToolResult("systemd-analyze verify", False, False, t("deploy.check.missing", tool="systemd-analyze",
                                                                    install="Debian: apt-get install systemd"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / unit_name
        path.write_text(unit_text, encoding="utf-8")
        env = {**os.environ, "SYSTEMD_LOG_COLOR": "0"}
        proc = subprocess.run([tool, "verify", str(path)], capture_output=True, text=True, timeout=60, env=env)
    lines = [ln.replace(tmp, "<tmp>") for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    missing_binary = [ln for ln in lines if "is not executable" in ln]
    other = [ln for ln in lines if ln not in missing_binary]
    ok = not other and (proc.returncode == 0 or bool(missing_binary))
    note = [f"({t('deploy.check.expected_missing')}) {ln}" for ln in missing_binary]
    return ToolResult("systemd-analyze verify", True, ok, "\n".join(other + note))


def blocked_routes() -> list[tuple[str, str]]:
    """Every management route the proxy refuses, as ``(method, path)`` with example parameters
    (``HEAD /api/blobs/sha256:000…``), for probing a running proxy."""
    examples = {":digest": "sha256:" + "0" * 64, ":encodedKey": "c3NoLWVkMjU1MTk"}
    out = []
    for method, path in MANAGEMENT_ROUTES:
        for placeholder, value in examples.items():
            path = path.replace(placeholder, value)
        out.append((method, path))
    return out


def blocked_paths() -> list[str]:
    """The paths of :func:`blocked_routes` (``/api/pull`` ...)."""
    return [path for _, path in blocked_routes()]
