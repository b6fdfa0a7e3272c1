"""Shared by the PII attack rounds' test files (issue 11): route a prompt end to end with the stand-in cloud."""

from __future__ import annotations

import time

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


def best_cpu_seconds(fn, texts: list[str], repeat: int = 5) -> list[float]:
    """The best CPU time in seconds of ``fn(text)`` for each of ``texts``, timed in turns (``repeat`` rounds).

    The detector's time tests assert ratios of these (any machine). CPU time, not wall time: on a busy machine a call
    that the scheduler pauses keeps its wall time but not its CPU time (wall-clock ratios read 10-16x for a linear
    4x at load 4 on 2 cores); in turns, so what load does to caches slows every text alike."""
    best = [float("inf")] * len(texts)
    for _ in range(repeat):
        for k, text in enumerate(texts):
            t0 = time.process_time()
            fn(text)
            best[k] = min(best[k], time.process_time() - t0)
    return best
