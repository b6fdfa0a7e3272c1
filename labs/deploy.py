"""Deployment artefacts for a local model server (lesson 4: "GPU сервер для production").

Generators only: each returns text (or an argv list) that a learner copies to a GPU host.
``labs.deploy_validate`` checks them with real tools (YAML + the Compose JSON schema, ``nginx -t``,
``systemd-analyze verify``); Docker and GPUs are not available in the lab, so nothing here runs them.

The shape follows the module's ``docker run -d --gpus all -v ollama_data:/root/.ollama -p 11434:11434``
with the production changes the lesson teaches:

* Ollama publishes on **127.0.0.1 only** — it has no authentication of its own, and a ``-p 11434:11434``
  on a public host exposes it to the internet (Docker's published ports bypass ``ufw``);
* a reverse proxy (nginx) terminates TLS and checks an API key before anything reaches Ollama,
  and blocks model-management endpoints (pull/push/delete/create/copy) from outside;
* ``OLLAMA_*`` settings from the sizing: keep-alive, parallel slots, max loaded models, context length.
"""

from __future__ import annotations

import re
import secrets
import shlex
from dataclasses import dataclass, field

import yaml

from .durations import env_keep_alive_problem
from .i18n import t
from .inputs import whole

RESTART_POLICIES = ("no", "always", "on-failure", "unless-stopped")
MANAGEMENT_ROUTES = (
    ("POST", "/api/pull"), ("POST", "/api/push"), ("DELETE", "/api/delete"), ("POST", "/api/copy"),
    ("POST", "/api/create"), ("HEAD", "/api/blobs/:digest"), ("POST", "/api/blobs/:digest"),
    ("POST", "/api/me"), ("POST", "/api/signout"), ("DELETE", "/api/user/keys/:encodedKey"),
    ("POST", "/api/experimental/web_search"), ("POST", "/api/experimental/web_fetch"),
)
"""Every route Ollama serves that changes its model store, its ollama.com account, or spends that
account, as its router registers them (``server/routes.go``, ``GenerateRoutes``): pulling, pushing,
deleting, copying and creating models, uploading and probing blobs (``/api/blobs/:digest``), the account
routes, and web search/fetch (sent to ollama.com signed with the host's key, so any API-key holder
would spend the host's account). The proxy refuses them all, and everything under ``/api/experimental``;
inference (``/api/generate``, ``/api/chat``, ``/api/embed``, ``/v1/...``) and the read-only listing
routes pass. Cloud models (``...:cloud``) on the inference routes are refused by Ollama itself with
``OLLAMA_NO_CLOUD=1`` (:meth:`OllamaSettings.environment`), which also refuses web search."""
MANAGEMENT_ENDPOINTS = tuple(dict.fromkeys(path.split("/")[2] for _, path in MANAGEMENT_ROUTES))
"""The first path segment after ``/api/`` of each management route; the proxy blocks it and everything below it."""


@dataclass(frozen=True)
class OllamaSettings:
    """How one Ollama server runs; ``environment()`` turns it into ``OLLAMA_*`` variables."""

    model: str = "qwen3:8b"
    image: str = "ollama/ollama:latest"  # pin a version tag (or digest) in production
    keep_alive: str = "24h"  # keep the model loaded: no reload pause on the first request of the day
    num_parallel: int = 4  # request slots per model; KV memory grows with num_parallel × context
    max_loaded_models: int = 1
    context_length: int = 8192
    max_queue: int = 512  # beyond this Ollama answers 503
    flash_attention: bool = True
    kv_cache_type: str = "f16"  # q8_0 halves the KV cache (needs flash attention)
    gpus: str = "all"
    volume: str = "ollama_data"
    port: int = 11434
    restart: str = "unless-stopped"
    allow_cloud: bool = False  # False: OLLAMA_NO_CLOUD=1, no ":cloud" models or web search on the host's account

    def __post_init__(self) -> None:
        for name in ("num_parallel", "max_loaded_models", "context_length", "max_queue", "port"):
            whole(name, getattr(self, name))
        # Ollama reads OLLAMA_KEEP_ALIVE silently: a value it cannot read becomes its 5-minute default,
        # so the generator refuses it here instead of writing it into a unit file.
        problem = env_keep_alive_problem(str(self.keep_alive))
        if problem:
            go_error = problem.split("; ")[0]  # Go's own words (time: invalid duration ...); the rest is said below
            raise ValueError(t("deploy.error.keep_alive", value=self.keep_alive, problem=go_error))
        if self.kv_cache_type not in ("f16", "q8_0", "q4_0"):
            raise ValueError(t("deploy.error.kv_cache_type", value=self.kv_cache_type))
        if self.kv_cache_type != "f16" and not self.flash_attention:
            raise ValueError(t("deploy.error.kv_needs_flash", value=self.kv_cache_type))
        if self.restart not in RESTART_POLICIES:
            raise ValueError(t("deploy.error.restart", value=self.restart, policies=", ".join(RESTART_POLICIES)))

    def environment(self) -> dict[str, str]:
        """The ``OLLAMA_*`` variables, as strings.

        >>> OllamaSettings(num_parallel=2).environment()["OLLAMA_NUM_PARALLEL"]
        '2'
        """
        return {
            "OLLAMA_KEEP_ALIVE": str(self.keep_alive),
            "OLLAMA_NUM_PARALLEL": str(self.num_parallel),
            "OLLAMA_MAX_LOADED_MODELS": str(self.max_loaded_models),
            "OLLAMA_CONTEXT_LENGTH": str(self.context_length),
            "OLLAMA_MAX_QUEUE": str(self.max_queue),
            "OLLAMA_FLASH_ATTENTION": "1" if self.flash_attention else "0",
            "OLLAMA_KV_CACHE_TYPE": self.kv_cache_type,
            **({} if self.allow_cloud else {"OLLAMA_NO_CLOUD": "1"}),
        }


def docker_run_args(s: OllamaSettings = OllamaSettings()) -> list[str]:
    """``docker run`` for Ollama with GPUs, a named volume, restart policy, health check, loopback port.

    >>> args = docker_run_args()
    >>> args[:3], "127.0.0.1:11434:11434" in args, args[-1]
    (['docker', 'run', '-d'], True, 'ollama/ollama:latest')
    """
    args = ["docker", "run", "-d", "--name", "ollama", "--gpus", s.gpus, "--restart", s.restart,
            "-v", f"{s.volume}:/root/.ollama", "-p", f"127.0.0.1:{s.port}:11434"]
    for key, value in s.environment().items():
        args += ["-e", f"{key}={value}"]
    args += ["--health-cmd", "ollama list || exit 1", "--health-interval", "30s",
             "--health-timeout", "10s", "--health-retries", "3", s.image]
    return args


def shell(args: list[str]) -> str:
    """An argv list as a copy-pasteable shell command: one option per line, the last word alone.

    >>> print(shell(["docker", "run", "-d", "--name", "x", "img"]))
    docker run \\
      -d \\
      --name x \\
      img
    """
    lines: list[list[str]] = [[]]
    for i, arg in enumerate(args):
        last = (i == len(args) - 1 and not arg.startswith("-") and len(args) > 1
                and (len(lines[-1]) >= 2 or not lines[-1][0].startswith("-")))
        if (arg.startswith("-") and lines[-1]) or last:
            lines.append([])
        lines[-1].append(arg)
    return " \\\n  ".join(" ".join(shlex.quote(a) for a in line) for line in lines)


def pull_args(s: OllamaSettings = OllamaSettings()) -> list[str]:
    """Pull the model inside the running container (the module's ``docker exec ollama ollama pull``)."""
    return ["docker", "exec", "ollama", "ollama", "pull", s.model]


@dataclass(frozen=True)
class ProxySettings:
    """nginx in front of Ollama: TLS termination, API keys, rate limit, streaming-friendly proxying."""

    server_name: str = "llm.example.com"
    upstream: str = "ollama:11434"
    https_port: int = 443
    http_port: int | None = 80  # None: no plain-HTTP listener (no redirect)
    certificate: str = "/etc/nginx/certs/fullchain.pem"
    certificate_key: str = "/etc/nginx/certs/privkey.pem"
    api_keys_file: str = "/etc/nginx/api_keys.map"
    rate_per_second: int = 10
    burst: int = 20
    max_body: str = "20m"
    read_timeout_s: int = 600
    image: str = "nginx:1.27-alpine"


def nginx_site(p: ProxySettings = ProxySettings()) -> str:
    """An nginx ``http``-context snippet (for ``conf.d/``): TLS, bearer API keys, rate limit, no management API."""
    blocked = "|".join(MANAGEMENT_ENDPOINTS)
    redirect = "" if p.http_port is None else f"""
server {{
    listen {p.http_port};
    server_name {p.server_name};
    return 301 https://$host$request_uri;
}}
"""
    return f"""# Generated by labs.deploy (lesson 4). Ollama has no authentication: this proxy is the only way in.
map_hash_bucket_size 128;  # "Bearer sk-local-..." keys are longer than the default bucket allows
map $http_authorization $ollama_api_key_ok {{
    default 0;
    include {p.api_keys_file};
}}

limit_req_zone $binary_remote_addr zone=ollama_per_ip:10m rate={p.rate_per_second}r/s;

upstream ollama_backend {{
    server {p.upstream};
    keepalive 16;
}}
{redirect}
server {{
    listen {p.https_port} ssl;
    server_name {p.server_name};

    ssl_certificate     {p.certificate};
    ssl_certificate_key {p.certificate_key};
    ssl_protocols       TLSv1.2 TLSv1.3;

    client_max_body_size {p.max_body};

    # model management stays on the host (docker exec ollama ollama pull ...), never on the internet:
    # each route and everything below it (/api/blobs/sha256:...), in any letter case. nginx matches the
    # normalised path (%-escapes decoded, // merged, ./.. resolved), so a disguised path is caught too.
    location ~* ^/api/({blocked})(/|$) {{
        return 403;
    }}

    location / {{
        if ($ollama_api_key_ok = 0) {{
            return 401;
        }}
        limit_req zone=ollama_per_ip burst={p.burst} nodelay;
        limit_req_status 429;

        proxy_pass http://ollama_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host localhost;  # Ollama on loopback answers 403 to a non-local Host (DNS rebinding guard)
        proxy_set_header Authorization "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_buffering off;          # stream tokens as they are generated
        proxy_read_timeout {p.read_timeout_s}s;
    }}
}}
"""


def new_api_key() -> str:
    """A random API key (``sk-local-`` + 32 URL-safe characters)."""
    return "sk-local-" + secrets.token_urlsafe(24)


def api_keys_map(keys: list[str]) -> str:
    """The file ``nginx_site`` includes: one ``"Bearer <key>" 1;`` line per allowed key.

    >>> print(api_keys_map(["sk-local-abc"]), end="")
    "Bearer sk-local-abc" 1;
    """
    bad = [k for k in keys if not re.fullmatch(r"[A-Za-z0-9_\-.]{8,}", k)]
    if not keys or bad:
        raise ValueError(t("deploy.error.api_keys", bad=bad))
    return "".join(f'"Bearer {k}" 1;\n' for k in keys)


def compose(s: OllamaSettings = OllamaSettings(), proxy: ProxySettings | None = ProxySettings(),
            pull_model: bool = True) -> dict:
    """A Compose project: ``ollama`` (GPU reservation, named volume, health check, restart policy),
    an optional one-shot ``ollama-pull`` and the ``proxy``. With a proxy, Ollama publishes no port at all."""
    ollama: dict = {
        "image": s.image,
        "restart": s.restart,
        "volumes": [f"{s.volume}:/root/.ollama"],
        "environment": s.environment(),
        "healthcheck": {"test": ["CMD", "ollama", "list"], "interval": "30s", "timeout": "10s",
                        "retries": 3, "start_period": "30s"},
        "deploy": {"resources": {"reservations": {"devices": [
            {"driver": "nvidia", "count": "all" if s.gpus == "all" else int(s.gpus), "capabilities": ["gpu"]}]}}},
    }
    if proxy is None:
        ollama["ports"] = [f"127.0.0.1:{s.port}:11434"]
    else:
        ollama["expose"] = ["11434"]
    services: dict = {"ollama": ollama}
    if pull_model:
        services["ollama-pull"] = {
            "image": s.image, "restart": "no", "entrypoint": ["ollama"], "command": ["pull", s.model],
            "environment": {"OLLAMA_HOST": "ollama:11434"},
            "depends_on": {"ollama": {"condition": "service_healthy"}},
        }
    if proxy is not None:
        ports = [f"{proxy.https_port}:{proxy.https_port}"]
        if proxy.http_port is not None:
            ports.insert(0, f"{proxy.http_port}:{proxy.http_port}")
        services["proxy"] = {
            "image": proxy.image, "restart": s.restart, "ports": ports,
            "volumes": ["./nginx/ollama.conf:/etc/nginx/conf.d/default.conf:ro",
                        f"./nginx/api_keys.map:{proxy.api_keys_file}:ro", "./certs:/etc/nginx/certs:ro"],
            "depends_on": {"ollama": {"condition": "service_healthy"}},
        }
    return {"name": "local-llm", "services": services, "volumes": {s.volume: {}}}


def to_yaml(data: dict) -> str:
    """YAML text of a Compose dict (keys in the order written)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def firewall_rules(public_tcp_ports: tuple[int, ...] = (22, 443, 80), ollama_port: int = 11434) -> list[str]:
    """``ufw`` commands for a GPU host: deny by default, open only SSH and the proxy.

    Docker's published ports are NAT rules that ``ufw`` does not see: a ``-p 11434:11434`` is public
    whatever ufw says. That is why the generators publish Ollama on 127.0.0.1 or not at all.
    """
    rules = ["ufw default deny incoming", "ufw default allow outgoing"]
    rules += [f"ufw allow {port}/tcp" for port in public_tcp_ports]
    rules += [f"ufw deny {ollama_port}/tcp", "ufw enable"]
    return rules


def systemd_unit(s: OllamaSettings = OllamaSettings(), exec_path: str = "/usr/local/bin/ollama",
                 user: str = "ollama", models_dir: str = "/usr/share/ollama/.ollama/models") -> str:
    """A bare-metal unit for ``ollama serve`` on loopback with the same ``OLLAMA_*`` settings and hardening.

    ``PrivateDevices`` stays off: it would hide ``/dev/nvidia*`` from the server.
    """
    env = {"OLLAMA_HOST": f"127.0.0.1:{s.port}", "OLLAMA_MODELS": models_dir, **s.environment()}
    env_lines = "\n".join(f'Environment="{k}={v}"' for k, v in env.items())
    home = models_dir.split("/.ollama")[0]
    return f"""# Generated by labs.deploy (lesson 4): /etc/systemd/system/ollama.service
[Unit]
Description=Ollama model server (loopback only; nginx in front)
After=network-online.target
Wants=network-online.target

[Service]
Type=exec
ExecStart={exec_path} serve
User={user}
Group={user}
Restart=always
RestartSec=3
{env_lines}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
ProtectHome=yes
ReadWritePaths={home}
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
"""


@dataclass(frozen=True)
class VLLMSettings:
    """vLLM for the enterprise tier: one model split over ``tensor_parallel`` GPUs, continuous batching.

    Default: Qwen3-235B-A22B as a GPTQ 4-bit checkpoint on 4× A100 80 GB (BF16 is ~470 GB and does
    not fit 320 GB; vLLM's FP8 MoE kernels need Ada/Hopper, so A100s use an INT4 checkpoint).
    """

    model: str = "Qwen/Qwen3-235B-A22B-GPTQ-Int4"
    served_model_name: str = "qwen3-235b"
    tensor_parallel: int = 4
    max_model_len: int = 32768
    gpu_memory_utilization: float = 0.90
    max_num_seqs: int = 64
    image: str = "vllm/vllm-openai:latest"  # pin a release tag in production
    port: int = 8000
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.tensor_parallel not in (1, 2, 4, 8):
            raise ValueError(t("deploy.error.tensor_parallel", value=self.tensor_parallel))
        if not (isinstance(self.gpu_memory_utilization, (int, float)) and 0.1 <= self.gpu_memory_utilization <= 0.98):
            raise ValueError(t("deploy.error.gpu_memory_utilization", value=self.gpu_memory_utilization))


def vllm_args(v: VLLMSettings = VLLMSettings(), host: str = "127.0.0.1") -> list[str]:
    """``vllm serve`` argv (bare metal: loopback; the API key comes from ``VLLM_API_KEY`` in the environment)."""
    return ["vllm", "serve", v.model, "--served-model-name", v.served_model_name,
            "--tensor-parallel-size", str(v.tensor_parallel), "--max-model-len", str(v.max_model_len),
            "--gpu-memory-utilization", str(v.gpu_memory_utilization), "--max-num-seqs", str(v.max_num_seqs),
            "--host", host, "--port", str(v.port), *v.extra_args]


def vllm_compose(v: VLLMSettings = VLLMSettings()) -> dict:
    """A Compose project with one vLLM service: N GPUs, shared memory for tensor parallelism, HF cache volume."""
    service = {
        "image": v.image,
        "restart": "unless-stopped",
        "entrypoint": ["vllm", "serve"],
        "command": vllm_args(v, host="0.0.0.0")[2:],
        "ipc": "host",  # PyTorch workers of a tensor-parallel group share memory
        "ports": [f"127.0.0.1:{v.port}:{v.port}"],
        "volumes": ["hf_cache:/root/.cache/huggingface"],
        "environment": {"HF_TOKEN": "${HF_TOKEN}", "VLLM_API_KEY": "${VLLM_API_KEY:?set an API key}"},
        "healthcheck": {"test": ["CMD", "python3", "-c",
                                 f"import urllib.request; urllib.request.urlopen('http://localhost:{v.port}/health')"],
                        "interval": "30s", "timeout": "10s", "retries": 5, "start_period": "15m"},
        "deploy": {"resources": {"reservations": {"devices": [
            {"driver": "nvidia", "count": v.tensor_parallel, "capabilities": ["gpu"]}]}}},
    }
    return {"name": "local-llm-vllm", "services": {"vllm": service}, "volumes": {"hf_cache": {}}}
