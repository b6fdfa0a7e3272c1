"""Server settings, read from the same ``OLLAMA_*`` variables real Ollama reads."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from labs.server.store import default_root

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_keep_alive(value: object, *, bare_seconds: bool = False) -> float:
    """``keep_alive`` → seconds (negative: forever), as Ollama reads it (Go durations or seconds).
    A string without a unit is refused in a request, but read as seconds from ``OLLAMA_KEEP_ALIVE``
    and the command line (``bare_seconds``), as Ollama's own settings do. The rules live once, in
    :func:`labs.durations.parse_duration` (lesson 4's deployment generator uses the same one).

    >>> [parse_keep_alive(v) for v in ("5m", "1h30m", "0", 0, -1, "-1m", 300, 2.5, "10s")]
    [300.0, 5400.0, 0.0, 0.0, -1.0, -60.0, 300.0, 2.5, 10.0]
    >>> parse_keep_alive("-1", bare_seconds=True), parse_keep_alive("300", bare_seconds=True)
    (-1.0, 300.0)
    >>> parse_keep_alive("300")
    Traceback (most recent call last):
    ...
    ValueError: time: missing unit in duration "300"
    """
    from labs.durations import parse_duration

    return parse_duration(value, bare_seconds=bare_seconds)


@dataclass
class ServerConfig:
    models_dir: Path = field(default_factory=default_root)
    keep_alive: float = 300.0  # OLLAMA_KEEP_ALIVE: 5 minutes
    max_queue: int = 512  # OLLAMA_MAX_QUEUE: waiting requests beyond this get 503
    max_loaded_models: int = 3  # OLLAMA_MAX_LOADED_MODELS
    num_parallel: int = 1  # OLLAMA_NUM_PARALLEL: requests a loaded model decodes together (a KV stream each)
    context_length: int = 4096  # OLLAMA_CONTEXT_LENGTH
    num_thread: int = 0  # 0 = one per core
    origins_check: bool = True  # refuse non-local Host headers when bound to loopback
    origins: list[str] = field(default_factory=list)  # OLLAMA_ORIGINS: browser origins allowed besides Ollama's defaults

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "ServerConfig":
        env = dict(os.environ if env is None else env)
        cfg = cls(**overrides)
        if "models_dir" not in overrides and env.get("LABS_MODELS"):
            cfg.models_dir = Path(env["LABS_MODELS"]).expanduser()
        if "keep_alive" not in overrides and env.get("OLLAMA_KEEP_ALIVE"):
            cfg.keep_alive = parse_keep_alive(env["OLLAMA_KEEP_ALIVE"], bare_seconds=True)
        if "origins" not in overrides and env.get("OLLAMA_ORIGINS"):
            cfg.origins = [o.strip() for o in env["OLLAMA_ORIGINS"].split(",") if o.strip()]
        for attr, var in (("max_queue", "OLLAMA_MAX_QUEUE"), ("max_loaded_models", "OLLAMA_MAX_LOADED_MODELS"),
                          ("context_length", "OLLAMA_CONTEXT_LENGTH"), ("num_parallel", "OLLAMA_NUM_PARALLEL")):
            if attr not in overrides and env.get(var):
                setattr(cfg, attr, _env_uint(var, env[var], getattr(cfg, attr)))
        cfg.num_parallel = max(1, cfg.num_parallel)  # Ollama reads 0 as "the default", 1
        if cfg.num_parallel > 1:
            import llama_cpp  # its own limit (LLAMA_MAX_SEQ), the one the batching engine checks too

            most = llama_cpp.llama_max_parallel_sequences()
            if cfg.num_parallel > most:
                raise ValueError(f"OLLAMA_NUM_PARALLEL={cfg.num_parallel}: llama.cpp decodes at most {most} sequences "
                                 f"together; choose 1 to {most} (each slot holds its own KV cache of num_ctx)")
        return cfg


def _env_uint(var: str, text: str, default: int) -> int:
    """An unsigned number as Ollama's ``envconfig.Uint`` reads it: anything else ("abc", "1.5", "-1") is
    logged and the default used, not a crash at start."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    logging.getLogger("labs.server").warning("invalid environment variable, using default: %s=%r (default %d)",
                                             var, text, default)
    return default
