"""Browser protection as Ollama does it: the ``Origin``/CORS rule, then the ``Host`` rule.

Read from Ollama's ``server/routes.go`` (``GenerateRoutes``: gin-contrib/cors v1.7.2 with wildcards, then
``allowedHostsMiddleware``) and ``envconfig.AllowedOrigins``. Lesson 2 (Ollama setup) explains why a
local model server must refuse web pages: any page the learner opens could otherwise drive it
(a ``text/plain`` POST needs no preflight), and DNS rebinding could reach it under a foreign name.

* A request with an ``Origin`` that is neither this server's own (``http://<Host>``) nor allowed
  gets 403 before any handler runs. An allowed one gets ``Access-Control-Allow-Origin`` (and
  ``Vary: Origin``); its ``OPTIONS`` preflight answers 204 with the allowed methods and headers.
* When the server listens on a loopback address, a ``Host`` that is not local gets 403.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Iterable

# Ollama's defaults (envconfig.AllowedOrigins); OLLAMA_ORIGINS entries come first.
DEFAULT_ORIGIN_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0")
DEFAULT_ORIGIN_SCHEMES = ("app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*")
ALLOW_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")  # gin-contrib/cors DefaultConfig
ALLOW_HEADERS = ("Authorization", "Content-Type", "User-Agent", "Accept", "X-Requested-With", "Openai-Beta",
                 "X-Stainless-Arch", "X-Stainless-Async", "X-Stainless-Custom-Poll-Interval",
                 "X-Stainless-Helper-Method", "X-Stainless-Lang", "X-Stainless-Os", "X-Stainless-Package-Version",
                 "X-Stainless-Poll-Helper", "X-Stainless-Retry-Count", "X-Stainless-Runtime",
                 "X-Stainless-Runtime-Version", "X-Stainless-Timeout")
MAX_AGE_S = 12 * 3600  # DefaultConfig: 12 h
LOCAL_SUFFIXES = (".localhost", ".local", ".internal")


def allowed_origins(env: dict[str, str] | None = None) -> list[str]:
    """``OLLAMA_ORIGINS`` (comma-separated, one ``*`` each at most) then Ollama's defaults.

    >>> allowed_origins({"OLLAMA_ORIGINS": "https://example.com"})[:3]
    ['https://example.com', 'http://localhost', 'https://localhost']
    """
    env = os.environ if env is None else env
    extra = [o for o in env.get("OLLAMA_ORIGINS", "").split(",") if o.strip()]
    defaults = []
    for host in DEFAULT_ORIGIN_HOSTS:
        defaults += [f"http://{host}", f"https://{host}", f"http://{host}:*", f"https://{host}:*"]
    return extra + defaults + list(DEFAULT_ORIGIN_SCHEMES)


class OriginPolicy:
    """Which ``Origin`` values may call the API (gin-contrib/cors matching, as Ollama configures it).

    >>> p = OriginPolicy(allowed_origins({}))
    >>> [p.allows(o) for o in ("http://localhost:8888", "https://127.0.0.1", "app://obsidian.md",
    ...                        "https://evil.example", "http://localhost.evil.example", "null")]
    [True, True, True, False, False, False]
    >>> OriginPolicy(["*"]).allow_all, OriginPolicy(["https://*.example.com"]).allows("https://a.example.com")
    (True, True)
    """

    def __init__(self, origins: Iterable[str]):
        origins = [o.strip() for o in origins]
        self.allow_all = "*" in origins
        self.exact = {o.lower() for o in origins if "*" not in o}
        self.wildcards: list[tuple[str, str]] = []
        for o in origins:
            if "*" not in o or o == "*":
                continue
            if o.count("*") > 1:
                raise ValueError(f"OLLAMA_ORIGINS: only one * is allowed in {o!r}")
            i = o.index("*")
            self.wildcards.append(("*", o[1:]) if i == 0 else (o[:i], "*") if i == len(o) - 1 else (o[:i], o[i + 1:]))

    def allows(self, origin: str) -> bool:
        if self.allow_all or origin in self.exact:
            return True
        for prefix, suffix in self.wildcards:
            if (prefix == "*" and origin.endswith(suffix)) or (suffix == "*" and origin.startswith(prefix)):
                return True
            if origin.startswith(prefix) and origin.endswith(suffix):
                return True
        return False


def _local_addresses() -> set[str]:
    """This machine's own addresses (Ollama's ``isLocalIP`` asks the interfaces; we ask the resolver)."""
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.add(info[4][0])
    except OSError:
        pass
    return found


_GO_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _go_is_private(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Go's ``net.IP.IsPrivate`` (RFC 1918 and RFC 4193 only). Python's ``is_private`` also counts
    link-local, documentation, benchmarking and reserved ranges (169.254.169.254, 198.18.0.1, ...),
    which Ollama's Host check refuses."""
    return any(addr in net for net in _GO_PRIVATE if net.version == addr.version)


def host_allowed(host_header: str, hostname: str | None = None) -> bool:
    """Ollama's rule for the ``Host`` header when it listens on loopback.

    >>> [host_allowed(h) for h in ("localhost:11434", "127.0.0.1", "[::1]:11434", "10.0.0.5:11434", "0.0.0.0",
    ...                            "box.local", "api.internal:80", "x.localhost", "", "evil.example:11434", "[::1]",
    ...                            "169.254.169.254", "198.18.0.1", "[fe80::1]:80", "[fd00::1]:80")]
    [True, True, True, True, True, True, True, True, True, False, False, False, False, False, True]
    """
    host = host_header
    if host.startswith("["):  # Go's SplitHostPort: "[::1]:p" splits, a bare "[::1]" does not
        end = host.find("]")
        if end != -1 and host[end + 1: end + 2] == ":":
            host = host[1:end]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    try:
        addr = None if "%" in host else ipaddress.ip_address(host)  # Go's ParseIP takes no zone ("::1%lo")
    except ValueError:
        addr = None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped  # Go tests ::ffff:a.b.c.d as a.b.c.d (To4)
    if addr is not None:
        if addr.is_loopback or _go_is_private(addr) or addr.is_unspecified or host in _local_addresses():
            return True
    host = host.lower()
    if host in ("", "localhost") or host == (hostname if hostname is not None else socket.gethostname()).lower():
        return True
    return host.endswith(LOCAL_SUFFIXES)


class BrowserGuard:
    """ASGI middleware: the CORS rule for every request, then (``check_host``) the Host rule."""

    def __init__(self, app, *, origins: Iterable[str], check_host: bool):
        self.app, self.policy, self.check_host = app, OriginPolicy(origins), check_host
        self.preflight = [(b"access-control-allow-methods", ",".join(ALLOW_METHODS).encode()),
                          (b"access-control-allow-headers", ",".join(ALLOW_HEADERS).encode()),
                          (b"access-control-max-age", str(MAX_AGE_S).encode())]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin, host = headers.get("origin", ""), headers.get("host", "")
        cors: list[tuple[bytes, bytes]] = []
        if origin and origin not in (f"http://{host}", f"https://{host}"):
            if not self.policy.allows(origin):
                return await _empty(send, 403)
            allow = b"*" if self.policy.allow_all else origin.encode("latin-1")
            if scope["method"] == "OPTIONS":
                vary = [] if self.policy.allow_all else [(b"vary", b"Origin"), (b"vary", b"Access-Control-Request-Method"),
                                                         (b"vary", b"Access-Control-Request-Headers")]
                return await _empty(send, 204, [*self.preflight, *vary, (b"access-control-allow-origin", allow)])
            cors = [(b"access-control-allow-origin", allow)] + ([] if self.policy.allow_all else [(b"vary", b"Origin")])
        if self.check_host and not host_allowed(host):
            return await _empty(send, 403)
        if self.check_host and scope["method"] == "OPTIONS" and not _is_ip_host(host):
            return await _empty(send, 204, cors)  # Ollama answers a local-name OPTIONS itself

        async def send_with_cors(message):
            if message["type"] == "http.response.start" and cors:
                message = {**message, "headers": [*message.get("headers", []), *cors]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _is_ip_host(host: str) -> bool:
    name = host[1: host.find("]")] if host.startswith("[") and "]:" in host else (
        host.split(":", 1)[0] if host.count(":") == 1 else host)
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


async def _empty(send, status: int, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0"), *(headers or [])]})
    await send({"type": "http.response.body", "body": b""})
