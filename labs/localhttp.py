"""A small HTTP server on 127.0.0.1 that runs in a background thread of the notebook's kernel.

What lesson 2's recording proxy and lesson 3's stand-in "cloud" stand on: each says which handler
answers; this class owns the socket and the thread (``with Server() as s:`` starts and stops it).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

S = TypeVar("S", bound="BackgroundHTTPServer")


class BackgroundHTTPServer:
    thread_name = "local-http"

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self: S) -> S:
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())  # loopback only, free port
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                            name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            name = type(self).__name__
            raise RuntimeError(f"the {name} is not running: use `with {name}() as server:` or call .start()")
        return self._server.server_address[1]
