"""Set a submission's limits, then run its sandbox: ``python -m labs.grading.confine [limits] -- COMMAND...``.

Run twice per kernel by the worker (:mod:`labs.grading.worker`): outside the sandbox to join a pids
cgroup (a grader that is root is not bound by ``RLIMIT_NPROC``), then inside it, before the kernel, to
set ``RLIMIT_DATA`` (writable memory per process), ``RLIMIT_NPROC`` (processes; inside the sandbox's own user
namespace it counts only the sandbox's), ``RLIMIT_FSIZE`` (file size), no core files, and the lowest CPU priority
(``--nice``: the process's nice value and its session's autogroup, so a notebook that spins cannot slow the model
server or the grader). It then
replaces itself with the command, so every process of the sandbox inherits the limits. Figures come from :class:`labs.grading.sandbox.Limits`.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

MIB = 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.grading.confine")
    parser.add_argument("--memory-mib", type=int)
    parser.add_argument("--processes", type=int)
    parser.add_argument("--file-mib", type=int)
    parser.add_argument("--nice", type=int)
    parser.add_argument("--cgroup", action="append", default=[])  # a pids cgroup, a memory and a cpu cgroup
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    for limit, value in ((resource.RLIMIT_DATA, args.memory_mib and args.memory_mib * MIB),
                         (resource.RLIMIT_NPROC, args.processes), (resource.RLIMIT_FSIZE, args.file_mib and args.file_mib * MIB),
                         (resource.RLIMIT_CORE, 0)):
        if value is not None:
            resource.setrlimit(limit, (value, value))
    if args.nice is not None:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        try:  # where autogroups are on, the CPU is shared between sessions first: lower this session's share too
            with open("/proc/self/autogroup", "w") as group:
                group.write(str(args.nice))
        except OSError:
            pass
    for group in args.cgroup:
        with open(os.path.join(group, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main())
