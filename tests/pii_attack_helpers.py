"""Shared by the PII attack rounds' test files (issue 11): route a prompt end to end with the stand-in cloud."""

from __future__ import annotations

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud

# a complex task: without the detector the router would send it to the cloud
COMPLEX = ("Поясни детально, крок за кроком, з прикладами і порівнянням підходів, як спланувати архітектуру "
           "розподіленої системи для обробки черг повідомлень із гарантіями доставки: ")


def leaks(prompt: str) -> tuple[str, bool]:
    """Route ``prompt`` with the local model down: (target, whether the cloud received anything)."""
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        result = router.complete(prompt)
        return result.target, bool(cloud.requests)
