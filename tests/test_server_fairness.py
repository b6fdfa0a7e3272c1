"""Issue 10, attack round 6 F1: a request that needs no costly render must not queue behind other clients' costly
renders. Renders run at once while cheap and take one of the few shared slots only when they stop being cheap;
tokenisations have slots of their own. Server tests run a real embedded server; nothing here compares with an absolute
time of this machine (only which requests end first)."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from labs import DEFAULT_MODEL
from labs.server.core import WorkSlots
from labs.server.gotemplate import CHEAP_STEPS, render_template


def test_a_cheap_render_never_calls_its_gate_and_a_costly_one_calls_it_once():
    calls = []
    assert render_template("{{ range .Messages }}{{ .Content }}{{ end }}", prompt="hi",
                           gate=lambda: calls.append(1)) == "hi"
    assert calls == []
    render_template("{{ range %d }}{{ end }}" % (CHEAP_STEPS * 3), prompt="hi", gate=lambda: calls.append(1))
    assert calls == [1]
    render_template('{{ $x := printf "%2000000c" 97 }}{{ len $x }}', prompt="hi", gate=lambda: calls.append(2))
    assert calls == [1, 2]  # past the cheap bytes, in a few steps


def test_a_thread_waits_its_turn_in_the_same_queue_and_gives_it_up_when_cancelled():
    slots = WorkSlots(1)
    cancel, got = threading.Event(), []
    assert slots.acquire_blocking(cancel)  # the only slot
    waiter = threading.Thread(target=lambda: got.append(slots.acquire_blocking(cancel)))
    waiter.start()
    time.sleep(0.1)
    assert got == []  # it waits
    cancel.set()
    waiter.join(5)
    assert got == [False]  # cancelled: no slot taken
    slots.release()

    async def after() -> None:  # the slot came back and nobody holds the queue
        await asyncio.wait_for(slots.acquire(), 5)
        slots.release()

    asyncio.run(after())
    second = threading.Thread(target=lambda: got.append(slots.acquire_blocking(threading.Event())))
    assert slots.acquire_blocking(threading.Event())
    second.start()
    time.sleep(0.1)
    slots.release()  # handed to the waiting thread
    second.join(5)
    assert got == [False, True]


@pytest.fixture(scope="module")
def server(linked_server):
    srv = linked_server("fairness")
    yield srv
    srv.stop()


# what starve.py sent (r6 F1), lighter: ~100k printf calls (within the step limit), then the prompt
COSTLY = '{{range 100}}{{range 1000}}{{$n := len (printf "%v%v%v" . . .)}}{{end}}{{end}}{{.Prompt}}'


@pytest.mark.embedded
def test_plain_requests_do_not_queue_behind_other_clients_costly_renders(server):
    """r6 F1: 8 costly renders made a plain generate take 49.6 s (2.9 s alone): it queued for the same 4 slots.
    Six costly renders are sent, then a plain request and one with a cheap template of its own: both end before
    nearly every costly one (before the fix all six, or at least five, had ended first)."""
    def body(template: str | None) -> dict:
        b = {"model": DEFAULT_MODEL, "prompt": "Say hi", "stream": False, "options": {"num_predict": 1, "temperature": 0}}
        return {**b, "template": template} if template else b

    ends: dict[str, float] = {}
    with httpx.Client(base_url=server.url, timeout=600, limits=httpx.Limits(max_connections=16)) as http:
        assert http.post("/api/generate", json=body(None)).status_code == 200  # loaded

        def send(name: str, template: str | None) -> None:
            r = http.post("/api/generate", json=body(template))
            assert r.status_code == 200, r.text
            ends[name] = time.perf_counter()

        costly = [threading.Thread(target=send, args=(f"costly{i}", COSTLY)) for i in range(6)]
        for t in costly:
            t.start()
        time.sleep(0.5)
        plain = [threading.Thread(target=send, args=("plain", None)),
                 threading.Thread(target=send, args=("cheap", "<s>{{ .Prompt }}</s>"))]
        for t in plain:
            t.start()
        for t in costly + plain:
            t.join()
    assert len(ends) == 8, ends  # every request answered 200
    for name in ("plain", "cheap"):
        before = sorted(k for k, v in ends.items() if k.startswith("costly") and v < ends[name])
        assert len(before) <= 1, (name, before, ends)
