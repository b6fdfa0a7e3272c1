"""Show in-process HTTP watchers the traffic a sandboxed function really sent.

Some checks watch a learner's function from inside the same process (``labs.quiz.practical.watch_http``
wraps ``httpx.Client.send``). Under ``labs grade`` the function runs in the sandbox, so its requests go
through the worker's :class:`~labs.proxy.RecordingProxy` instead. After each call the worker passes
each recorded exchange through ``httpx.Client.send`` once more with :class:`RecordedTransport`, which
answers with the recorded response and sends nothing: a watcher sees the request and the response the
model server really exchanged with the function, and nothing else.
"""

from __future__ import annotations

import httpx

from labs.proxy import Exchange

_SKIP = {"host", "content-length", "transfer-encoding", "connection", "accept-encoding"}


class RecordedTransport(httpx.BaseTransport):
    """Answers one request with a response recorded earlier (no network)."""

    def __init__(self, exchange: Exchange):
        self.exchange = exchange

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        ex = self.exchange
        headers = {"content-type": ex.content_type} if ex.content_type else {}
        return httpx.Response(ex.status or 502, headers=headers, content=ex.response, request=request)


def replay(exchanges: list[Exchange], upstream: str) -> None:
    """Send each recorded exchange through ``httpx.Client.send`` to ``upstream`` + its path, answered from the record."""
    for ex in exchanges:
        headers = {k: v for k, v in ex.headers.items() if k.lower() not in _SKIP}
        with httpx.Client(transport=RecordedTransport(ex)) as client:
            request = client.build_request(ex.method, upstream + ex.path, headers=headers, content=ex.body)
            try:
                client.send(request).read()
            except httpx.HTTPError:
                continue
