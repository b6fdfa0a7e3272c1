"""What the lesson benchmarks share: they measure the server at OLLAMA_HOST, so one must answer there."""

from __future__ import annotations

import sys
from pathlib import Path

from labs.client import LocalLLM


def require_server(script: str) -> str:
    """The server's URL, or exit with the one command that runs ``script`` with a server."""
    with LocalLLM() as llm:
        if llm.is_up():
            return llm.url
    name = Path(script).name
    sys.exit(f"bench: no model server answers at {llm.url}. Run it with one: "
             f".venv/bin/labs with-server -- .venv/bin/python bench/{name}")
