"""Issue 10, attack rounds 5 (F2, F3) and 6 (F1, F2): what many renders at once, one huge prompt, costly renders
before a plain request and a long body cost the embedded server.

Prints (1) the server's peak resident memory (VmHWM) before and after N concurrent ~200-byte generate requests whose
template builds a 7 Mi-character emoji string (28 MB) and (2) how long a plain 2-token generate takes alone and when
sent 1 s after a request whose template repeats a 3 MB prompt 8 times (24 MB to tokenise, before the fix), (3) a plain
generate alone and 1 s after 8 costly renders, (4) /api/version's time while a 15 MB body of small values is parsed.

    .venv/bin/python bench/server_limits.py [--models-dir DIR] [--concurrent 60]

Starts its own ``labs serve`` (Linux: reads /proc/PID/status) on a free port with the store in ``--models-dir``
(default ``$LABS_MODELS`` or ``~/.cache/labs/models``, smollm2:135m installed); figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from labs import DEFAULT_MODEL
from labs.host import free_port
from labs.launcher import stop, wait_for_server
from labs.server.store import default_root

WIDE = '{{ $x := printf "%1000000c" 128512 }}{{ $y := print $x $x $x $x $x $x $x }}{{ $y }}'  # r5 F2's shape
REPEAT = "{{ range 8 }}{{ $.Prompt }}{{ end }}"  # r5 F3's tok_stall.py
COSTLY = '{{range 990}}{{range 1000}}{{len (printf "%v%v%v" . . .)}}{{end}}{{end}}{{.Prompt}}'  # r6 F1's starve.py


def peak_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def generate(url: str, prompt: str = "Say hi", template: str | None = None, num_predict: int = 2) -> tuple[int, float]:
    body = {"model": DEFAULT_MODEL, "prompt": prompt, "stream": False, "options": {"num_predict": num_predict}}
    if template:
        body["template"] = template
    started = time.perf_counter()
    r = httpx.post(f"{url}/api/generate", json=body, timeout=600)
    return r.status_code, time.perf_counter() - started


def starve(url: str, n: int) -> None:
    """r6 F1 (starve.py): a plain generate alone, then 1 s after ``n`` concurrent costly renders."""
    alone = generate(url)[1]
    threads = [threading.Thread(target=generate, args=(url, "hi", COSTLY, 1)) for _ in range(n)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(1)
    status, behind = generate(url)
    for t in threads:
        t.join()
    print(f"plain 2-token generate alone: {alone:.2f} s; 1 s after {n} costly renders: {behind:.2f} s (status {status}); "
          f"the renders all ended after {time.perf_counter() - started:.1f} s")


def parse_stall(url: str, pid: int, n: int) -> None:
    """r6 F2 (parse_stall.py arr N messages): /api/version's time while a chat whose messages[0] holds ``n`` empty
    arrays is parsed, and the server's peak memory."""
    body = ('{"model": "%s", "stream": false, "options": {"num_predict": 1}, "messages": [{"role": "user", '
            '"content": "hi", "foo": [%s]}]}' % (DEFAULT_MODEL, ",".join(["[]"] * n))).encode()
    result: dict[str, tuple[int, float]] = {}

    def big() -> None:
        started = time.perf_counter()
        r = httpx.post(f"{url}/api/chat", content=body, headers={"content-type": "application/json"}, timeout=900)
        result["r"] = (r.status_code, time.perf_counter() - started)

    thread = threading.Thread(target=big)
    thread.start()
    time.sleep(0.3)
    started = time.perf_counter()
    httpx.get(f"{url}/api/version", timeout=900)
    version = time.perf_counter() - started
    thread.join()
    print(f"/api/version during a {len(body) / 1e6:.0f} MB body of {n} values: {version:.2f} s; that chat answered "
          f"{result['r'][0]} after {result['r'][1]:.1f} s; server VmHWM {peak_kb(pid) / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models-dir", default=str(default_root()))
    ap.add_argument("--concurrent", type=int, default=60)
    ap.add_argument("--starvers", type=int, default=8, help="costly renders sent before a plain request (r6 F1)")
    ap.add_argument("--body-values", type=int, default=5_000_000, help="empty arrays in the parsed body (r6 F2)")
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "labs.cli", "serve", "--port", str(port), "--models-dir",
                               args.models_dir, "--no-pull", "--keep-alive", "-1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_server(server, url)
        generate(url)  # loads the model
        before = peak_kb(server.pid)
        statuses: list[int] = []
        threads = [threading.Thread(target=lambda: statuses.append(generate(url, "hi", WIDE, 1)[0]))
                   for _ in range(args.concurrent)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = peak_kb(server.pid)
        print(f"{args.concurrent} concurrent wide renders: statuses {sorted(set(statuses))}, "
              f"server VmHWM {before / 1024:.0f} MB -> {after / 1024:.0f} MB")

        alone = generate(url)[1]
        prompt = ("the quick brown fox jumps over the lazy dog " * 70000)[:3_000_000]
        huge: dict[str, tuple[int, float]] = {}
        heavy = threading.Thread(target=lambda: huge.setdefault("r", generate(url, prompt, REPEAT, 1)))
        heavy.start()
        time.sleep(1)
        status, behind = generate(url)
        heavy.join()
        print(f"plain 2-token generate alone: {alone:.2f} s; sent 1 s after a 24 MB prompt: {behind:.2f} s "
              f"(status {status}); the huge prompt answered {huge['r'][0]} after {huge['r'][1]:.2f} s")
        starve(url, args.starvers)
        parse_stall(url, server.pid, args.body_values)
    finally:
        stop(server)


if __name__ == "__main__":
    main()
