"""Peak memory of parsing one long request body with junk inside a *declared* field (issue 10 r7, item 3).

Prints, per body, the process's peak RSS (VmHWM) before and after :func:`labs.server.schema.parse` reads it as the
server reads a long body (``interruptible=True``, in a thread beside the event loop), each in a fresh interpreter
so one case's peak does not hide the next. Run: ``.venv/bin/python bench/server_body_memory.py [MB]`` (default 30).
Figures depend on the machine's allocator; compare the rows, not with another machine.
"""

from __future__ import annotations

import subprocess
import sys

CASES = {
    "options.foo = [[],[],…]": ('{"model": "m", "options": {"num_predict": 1, "foo": [%s]}, "messages": '
                                '[{"role": "user", "content": "hi"}]}', "[]"),
    "messages[0].content = [[],[],…]": ('{"model": "m", "messages": [{"role": "user", "content": [%s]}]}', "[]"),
    "messages[0].images = [\"\",\"\",…]": ('{"model": "m", "messages": [{"role": "user", "images": [%s]}]}', '""'),
    "format = {\"a\":[{},{},…]}": ('{"model": "m", "format": {"a": [%s]}, "messages": []}', "{}"),
    "messages[0].foo = [[],[],…] (unknown)": ('{"model": "m", "messages": [{"role": "user", "foo": [%s]}]}', "[]"),
}

_CHILD = r"""
import sys, time
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
template, item, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
n = int(mb * 2**20) // (len(item) + 1)
body = (template % (f"{item}," * (n - 1) + item)).encode()  # no list of n items: the baseline stays the body
from labs.server.schema import ChatRequest, RequestError, parse
before = hwm()
start = time.perf_counter()
try:
    parse(ChatRequest, body, interruptible=True)
    result = "parsed"
except RequestError as exc:
    result = f"refused: {str(exc)[:70]}"
print(f"{len(body) / 2**20:.1f} MB body | peak RSS {before} MB before, {hwm()} MB after | "
      f"{time.perf_counter() - start:.1f} s | {result}")
"""


def main() -> None:
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    for name, (template, item) in CASES.items():
        out = subprocess.run([sys.executable, "-c", _CHILD, template, item, str(mb)], capture_output=True, text=True)
        print(f"{name:40s} {(out.stdout or out.stderr).strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
