"""Turn ``OLLAMA_HOST`` into a base URL (lesson 2: "serve the API on localhost:11434").

The rules follow the official ``ollama`` Python client, so a learner's setting means the
same thing to the notebooks, to ``labs serve`` and to ``ollama`` itself.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 11434


def parse_host(host: str | None) -> str:
    """Return the base URL (no trailing slash) for an ``OLLAMA_HOST`` value.

    >>> parse_host(None)
    'http://127.0.0.1:11434'
    >>> parse_host('')
    'http://127.0.0.1:11434'
    >>> parse_host('1.2.3.4')
    'http://1.2.3.4:11434'
    >>> parse_host(':56789')
    'http://127.0.0.1:56789'
    >>> parse_host('0.0.0.0:11434')
    'http://0.0.0.0:11434'
    >>> parse_host('example.com')
    'http://example.com:11434'
    >>> parse_host('https://example.com')
    'https://example.com:443'
    >>> parse_host('http://example.com')  # an explicit scheme without a port: its own port, as Ollama's envconfig
    'http://example.com:80'
    >>> parse_host('http://example.com:8080/ollama/')
    'http://example.com:8080/ollama'
    >>> parse_host('[::1]:5000')
    'http://[::1]:5000'
    >>> parse_host('localhost')
    'http://localhost:11434'
    >>> parse_host('ftp://x')
    Traceback (most recent call last):
    ...
    ValueError: OLLAMA_HOST='ftp://x': the scheme must be http or https
    >>> parse_host('host:notaport')
    Traceback (most recent call last):
    ...
    ValueError: OLLAMA_HOST='host:notaport': the port must be a number from 1 to 65535
    """
    raw = (host or "").strip()
    scheme, _, rest = raw.rpartition("://") if "://" in raw else ("http", "", raw)
    if scheme not in ("http", "https"):
        raise ValueError(f"OLLAMA_HOST={raw!r}: the scheme must be http or https")
    default_port = {"http": 80, "https": 443}[scheme] if "://" in raw else DEFAULT_PORT
    parts = urlsplit(f"{scheme}://{rest}")
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError(
            f"OLLAMA_HOST={raw!r}: the port must be a number from 1 to 65535"
        ) from None
    hostname = parts.hostname or DEFAULT_HOST
    if ":" in hostname:  # bare IPv6 address
        hostname = f"[{hostname}]"
    path = parts.path.rstrip("/")
    return f"{scheme}://{hostname}:{port}{path}"


def base_url(env: dict[str, str] | None = None) -> str:
    """The server every lesson talks to: ``OLLAMA_HOST`` from the environment, parsed."""
    return parse_host((os.environ if env is None else env).get("OLLAMA_HOST"))


def bind_address(host: str | None) -> tuple[str, int]:
    """Where ``labs serve`` listens for an ``OLLAMA_HOST`` value: (address, port).

    >>> bind_address(None)
    ('127.0.0.1', 11434)
    >>> bind_address('0.0.0.0:8080')
    ('0.0.0.0', 8080)
    >>> bind_address('http://[::1]:5000')
    ('::1', 5000)
    """
    parts = urlsplit(parse_host(host))
    return parts.hostname or DEFAULT_HOST, parts.port or DEFAULT_PORT


def is_loopback(address: str) -> bool:
    """True for names and addresses that never leave this machine.

    >>> [is_loopback(a) for a in ('127.0.0.1', '::1', 'localhost', 'app.localhost', '0.0.0.0', '10.0.0.5')]
    [True, True, True, True, False, False]
    """
    name = address.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((DEFAULT_HOST, 0))
        return sock.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts TCP connections at ``host:port`` (whatever it is)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host.strip("[]"), port)) == 0
