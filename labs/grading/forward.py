"""Inside a submission's sandbox: listen on the notebook's ``OLLAMA_HOST`` and pass every connection to the gate.

``python -m labs.grading.forward PORT SOCKET -- COMMAND...`` binds ``127.0.0.1:PORT`` in the sandbox's
own network namespace, forks a relay that copies bytes between each accepted connection and the Unix
socket ``SOCKET`` (the worker's :class:`labs.grading.gate.Gate`, bind-mounted into the sandbox), and
replaces itself with ``COMMAND`` (the kernel). Notebooks run unchanged: their client talks HTTP to the
address they always use. The relay decides nothing (the gate, outside, does); it dies with the sandbox.
"""

from __future__ import annotations

import os
import socket
import sys
import threading

CHUNK = 65536


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(CHUNK):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass


def _serve(listener: socket.socket, path: str) -> None:
    while True:
        client, _ = listener.accept()
        gate = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            gate.connect(path)
        except OSError:
            client.close()
            gate.close()
            continue
        threading.Thread(target=_pump, args=(client, gate), daemon=True).start()
        threading.Thread(target=_pump, args=(gate, client), daemon=True).start()


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: python -m labs.grading.forward PORT SOCKET -- COMMAND...", file=sys.stderr)
        return 2
    port, path, command = int(argv[0]), argv[1], argv[3:]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))  # bound before the kernel starts: no race with its first request
    listener.listen(64)
    if os.fork() == 0:
        try:
            _serve(listener, path)
        finally:
            os._exit(0)
    listener.close()
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
