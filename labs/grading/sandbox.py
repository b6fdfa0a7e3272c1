"""The sandbox a submission's kernel runs in: bubblewrap (``bwrap``, Debian package ``bubblewrap``) and limits.

Inside, the kernel sees the system (``/usr``, ``/etc``...), the Python installation, the virtualenv and
the ``labs`` package, all read-only; of ``/etc`` only the files a Python kernel reads (:data:`ETC_FILES`:
no ``shadow``, no tokens in ``pip.conf``/``npmrc``/``gitconfig``); a private, size-capped, writable home (its
working folder) and ``/tmp``; the connection file of its own kernel and the folder of its Unix sockets. It
does not see the other submissions, the report folder, the hidden tests, the rest of the instructor's tree
or the grader's processes (its own PID namespace), and it gets an environment with no secrets
(:data:`PASSED_ENV` only). It has its own network namespace (loopback only): the kernel talks to the
worker over Unix sockets (ZeroMQ ``ipc``), and the model server is reached only through the worker's gate
(:mod:`labs.grading.gate`, via :mod:`labs.grading.forward` listening on ``OLLAMA_HOST`` inside). Limits
(:class:`Limits`) are set by :mod:`labs.grading.confine` before ``bwrap`` starts, so they hold for every
process inside.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable

HOME = "/home/learner"
"""The kernel's home and working folder inside the sandbox (a private tmpfs)."""
CONNECTION_FILE = "/run/labs/kernel.json"
SANDBOX_UID = 1000
PROJECT_READABLE = ("sdk",)
"""Learner-facing folders of the project (beside ``labs``) a notebook reads; never ``grading/`` or ``solutions/``."""
PASSED_ENV = ("OLLAMA_HOST", "LABS_MODEL", "LABS_MODELS", "LAB_LANG")
"""The only variables of the grader's environment a kernel gets (never API keys)."""
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`), or pass --no-sandbox to grade "
                "work you trust without isolation")


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Memory is per process (``RLIMIT_DATA``: memory it writes, so Node's and
    V8's large address-space reservations still start); processes count every
    process and thread of the sandbox (``RLIMIT_NPROC``, or a pids cgroup when the grader runs as
    root); file size is per file; ``tmp_mib`` caps each private writable folder (``/tmp``, home), ``shm_mib``
    ``/dev/shm``; ``output_kib`` caps the notebook output the worker keeps (the rest is dropped and flagged);
    ``total_mib`` caps the whole sandbox (every process and its tmpfs pages) where a memory cgroup can be made
    (:func:`memory_cgroup`; otherwise the total is only ``memory_mib`` × ``processes`` and each row says so)."""

    memory_mib: int = field(default=6144, metadata={"help": "MiB of memory one process of a sandbox may write"})
    processes: int = field(default=512, metadata={"help": "processes and threads a sandbox may hold"})
    file_mib: int = field(default=256, metadata={"help": "MiB one file written in a sandbox may reach"})
    tmp_mib: int = field(default=1024, metadata={"help": "MiB of each private writable folder (/tmp, home)"})
    output_kib: int = field(default=2048, metadata={"help": "KiB of notebook output kept per submission"})
    shm_mib: int = field(default=64, metadata={"help": "MiB of /dev/shm in a sandbox"})
    total_mib: int = field(default=8192, metadata={"help": "MiB of the whole sandbox, where a memory cgroup can be made"})
    worker_mib: int = field(default=4096, metadata={
        "help": "MiB of memory the grader's worker for one submission may write (it reads the notebook's output "
                "outside the sandbox; past it the worker dies, the row keeps the points graded before)"})

    def __post_init__(self) -> None:
        bad = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
               if not isinstance(getattr(self, f.name), int) or getattr(self, f.name) <= 0]
        if bad:
            raise ValueError(f"every limit must be a whole number above 0 (0 would fail every notebook): {', '.join(bad)}")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces on this machine."""


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox here (``None`` when it can): tried once, with a real ``bwrap`` run."""
    path = shutil.which("bwrap")
    if path is None:
        return f"bubblewrap (`bwrap`) is not installed: {INSTALL_HINT}"
    probe = [path, "--unshare-user", "--unshare-pid", "--unshare-net", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
             "--", "true"]
    try:
        run = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`bwrap` failed to run ({exc}): {INSTALL_HINT}"
    if run.returncode != 0:
        why = (run.stderr or run.stdout).strip()[:300] or f"exit status {run.returncode}"
        return (f"`bwrap` cannot create user, PID and network namespaces here ({why}); allow unprivileged user namespaces "
                f"(sysctl kernel.unprivileged_userns_clone=1 / a container with seccomp that permits them), or pass "
                "--no-sandbox to grade work you trust without isolation")
    return None


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        p = Path(top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), top]
        elif p.is_dir():
            args += ["--ro-bind", top, top]
    for name in ETC_FILES:
        if os.path.lexists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


ETC_FILES = ("passwd", "group", "hosts", "host.conf", "nsswitch.conf", "gai.conf", "protocols", "services",
             "localtime", "timezone", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl",
             "ca-certificates", "ca-certificates.conf", "mime.types", "fonts", "os-release", "matplotlibrc")
"""The only parts of ``/etc`` a kernel sees: name lookup, time zone, the dynamic linker, certificates, MIME
types, fonts (never ``shadow``, ``gshadow``, ``sudoers`` or any tool's credentials)."""


def readable_roots() -> list[Path]:
    """The instructor's folders the kernel may read: the Python installation, the virtualenv, ``labs`` and
    :data:`PROJECT_READABLE`."""
    import labs

    package = Path(labs.__file__).resolve().parent
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package, Path(sys.executable).resolve().parent.parent}
    roots |= {package.parent / name for name in PROJECT_READABLE if (package.parent / name).is_dir()}
    return sorted(r for r in roots if not str(r).startswith(("/usr/", "/etc/")) and r != Path("/usr"))


def kernel_env(home: str) -> dict[str, str]:
    """The environment of the kernel: a clean one, with the model server's address and no secrets."""
    venv_bin = str(Path(sys.executable).parent)
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "LAB_LANG": "en", "LABS_PROGRESS": f"{home}/.labs-progress.json", "PYTHONDONTWRITEBYTECODE": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "VIRTUAL_ENV": sys.prefix, "TMPDIR": "/tmp"}
    env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
    return env


def sandbox_host(upstream: str) -> tuple[str, int]:
    """(``OLLAMA_HOST`` inside the sandbox, the port the forwarder listens on there) for the model server
    ``upstream`` (a base URL): the same port, on the sandbox's own loopback."""
    from urllib.parse import urlsplit

    port = urlsplit(upstream).port or 11434
    return f"127.0.0.1:{port}", port


def bwrap_argv(connection_file: Path, limits: Limits, sockets: Path, upstream: str) -> list[str]:
    """``bwrap ... -- python -m labs.grading.forward PORT GATE -- python -m ipykernel_launcher -f CONNECTION_FILE``
    for one kernel: ``sockets`` is the worker's folder of Unix sockets (the kernel's ZeroMQ ``ipc`` channels and
    the gate's ``gate.sock``), bound at the same path inside; ``upstream`` is the model server's base URL."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(bwrap_problem() or INSTALL_HINT)
    args = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--die-with-parent", "--new-session", "--clearenv"]
    if os.geteuid() == 0:
        args += ["--cap-drop", "ALL"]
    host, port = sandbox_host(upstream)
    for key, value in (kernel_env(HOME) | {"OLLAMA_HOST": host}).items():
        args += ["--setenv", key, value]
    size = str(limits.tmp_mib * 1024 * 1024)
    # the private /tmp first: binds come after it, so a checkout or virtualenv under /tmp (a `mktemp -d` clone)
    # is still seen inside instead of being hidden by the tmpfs
    args += ["--size", size, "--tmpfs", "/tmp"]
    args += _system_binds()
    for root in readable_roots():
        args += ["--ro-bind", str(root), str(root)]
    # every writable place is a capped tmpfs: /tmp and HOME (tmp_mib), /dev/shm (shm_mib); `sockets` is the
    # worker's own capped tmpfs (worker_argv); `/` (bwrap's root tmpfs, /run with it) and /dev are made read-only
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits.shm_mib * 1024 * 1024), "--tmpfs", "/dev/shm",
             "--size", size, "--tmpfs", HOME, "--ro-bind", str(connection_file), CONNECTION_FILE,
             "--bind", str(sockets), str(sockets), "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", HOME]
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", CONNECTION_FILE]
    return args + ["--", *limited(limits, [sys.executable, "-m", "labs.grading.forward", str(port),
                                           str(sockets / GATE_SOCKET), "--", *kernel])]


SOCKETS_KIB = 1024
"""Size of the tmpfs that holds a worker's Unix sockets (:func:`worker_argv`): sockets take no space, so
whatever a notebook writes there beyond them stops at this cap instead of reaching the grader's disk."""


def worker_argv(sockets: Path, command: list[str]) -> list[str]:
    """``command`` (the worker) run in a mount namespace of its own where ``sockets`` is a tmpfs of
    :data:`SOCKETS_KIB`: the sandbox binds that folder read-write (ZeroMQ ``ipc`` sockets are made by the kernel,
    the gate's by the worker), so it must not be a folder of the host's disk. Everything else is the host's
    (``--dev-bind / /``): the same processes, network, files and cgroups. The tmpfs, and whatever a notebook left
    in it, goes with the worker."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(bwrap_problem() or INSTALL_HINT)
    return [bwrap, "--dev-bind", "/", "/", "--size", str(SOCKETS_KIB * 1024), "--tmpfs", str(sockets),
            "--die-with-parent", "--", *command]


WORKER_PID = "worker.pid"
"""The file in a worker's folder with its process id (the grader removes the cgroup it names if the worker cannot)."""
GATE_SOCKET = "gate.sock"
"""The gate's Unix socket in the worker's socket folder."""


SANDBOX_NICE = 19
"""The nice value of every process of a sandbox (the lowest CPU priority): a notebook that spins on the CPU takes
almost nothing from the model server and the grader, which run at the normal priority; sandboxes share among themselves
as before (round 5, Q7: three spinners slowed a neighbour's 64-token requests to 166 s)."""
CPU_SHARES = 64
"""The CPU weight of a sandbox's cpu cgroup on cgroup v1 (``cpu.shares``; a normal process weighs 1024): where the
grader can make one, the whole sandbox weighs as one low-priority process, whatever it forks or ``setsid``s."""
CPU_WEIGHT = 6
"""The same on cgroup v2 (``cpu.weight``, 100 by default)."""


def limited(limits: Limits, command: list[str]) -> list[str]:
    """``command`` started by :mod:`labs.grading.confine`, which sets the limits and :data:`SANDBOX_NICE` first."""
    return [sys.executable, "-m", "labs.grading.confine", "--memory-mib", str(limits.memory_mib),
            "--processes", str(limits.processes), "--file-mib", str(limits.file_mib), "--nice", str(SANDBOX_NICE),
            "--", *command]


def in_cgroup(group: Path | None, command: list[str], *more: Path | None) -> list[str]:
    """``command`` started inside the pids cgroup ``group`` and the cgroups ``more`` (a memory cgroup; unchanged
    when there are none)."""
    groups = [g for g in (group, *more) if g is not None]
    flags = [part for g in dict.fromkeys(groups) for part in ("--cgroup", str(g))]
    return command if not flags else [sys.executable, "-m", "labs.grading.confine", *flags, "--", *command]


PIDS_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
"""Where a root grader makes its sandboxes' pids cgroups (cgroup v1's pids hierarchy, or the v2 root)."""
CGROUP_ENV = "LABS_GRADE_CGROUP"
"""A folder in which the grader makes pids cgroups instead of :data:`PIDS_CGROUP_ROOTS` (a delegated cgroup v2
subtree with the pids controller enabled, e.g. a systemd ``Delegate=yes`` unit's folder), by root or any user."""
UNLIMITED_HINT = ("pass --unlimited-processes (grade(..., unlimited_processes=True)) only to grade knowingly with no "
                  "process limit: a fork bomb in one notebook can then exhaust the machine")


class ProcessLimitUnavailable(SandboxUnavailable):
    """The sandbox could not hold a submission to :attr:`Limits.processes` here (the grader refuses to run)."""


def cgroup_roots() -> tuple[Path, ...]:
    """Folders to make pids cgroups in: ``$LABS_GRADE_CGROUP`` alone when set, else :data:`PIDS_CGROUP_ROOTS`."""
    own = os.environ.get(CGROUP_ENV)
    return (Path(own),) if own else PIDS_CGROUP_ROOTS


def rlimit_binds() -> bool:
    """Does ``RLIMIT_NPROC`` bind the sandbox's processes? Not for root's processes (the kernel exempts uid 0:
    bubblewrap maps the sandbox's uid to the caller's) nor for a caller with ``CAP_SYS_ADMIN`` or
    ``CAP_SYS_RESOURCE`` (``kernel/fork.c``, ``copy_process``)."""
    if os.geteuid() == 0:
        return False
    try:
        status = Path("/proc/self/status").read_text()
        effective = int(next(line.split()[1] for line in status.splitlines() if line.startswith("CapEff:")), 16)
    except (OSError, StopIteration, ValueError):
        return True
    return not effective & ((1 << 21) | (1 << 24))  # CAP_SYS_ADMIN, CAP_SYS_RESOURCE


def process_limit_problem() -> str | None:
    """Why no sandbox here can be held to a process limit (``None`` when one can): ``RLIMIT_NPROC`` binds an
    ordinary user; root needs a pids cgroup it can make (tried with a real one, removed at once)."""
    if rlimit_binds():
        return None
    probe = pids_cgroup(f"labs-grade-probe-{os.getpid()}", 1)
    if probe is not None:
        kill_cgroup(probe)
        return None
    return ("the grader runs as root (or with CAP_SYS_ADMIN/CAP_SYS_RESOURCE), which RLIMIT_NPROC does not bind, and "
            f"no pids cgroup can be made in {', '.join(map(str, cgroup_roots()))}: nothing would stop a fork bomb. Run "
            f"`labs grade` as an ordinary user, or set {CGROUP_ENV} to a cgroup v2 folder this user may write with "
            "the pids controller enabled (echo +pids > PARENT/cgroup.subtree_control), or mount cgroup v1's pids "
            f"hierarchy at /sys/fs/cgroup/pids; or {UNLIMITED_HINT}")


def cgroup_name(worker_pid: int) -> str:
    """The pids cgroup of the worker ``worker_pid``'s sandbox (the grader removes it if the worker cannot)."""
    return f"labs-grade-{worker_pid}"


def leftover_cgroup(worker_pid: int) -> Path | None:
    """The worker's pids cgroup when it is still there (the worker was killed before it removed it)."""
    return next((root / cgroup_name(worker_pid) for root in cgroup_roots()
                 if (root / cgroup_name(worker_pid)).is_dir()), None)


def pids_cgroup(name: str, limit: int) -> Path | None:
    """A new pids cgroup holding at most ``limit`` processes, in the first of :func:`cgroup_roots` where this
    process may make one; ``None`` where it may not (an ordinary user without ``$LABS_GRADE_CGROUP``: there
    ``RLIMIT_NPROC`` holds the limit)."""
    return _new_cgroup(PIDS_CGROUP_ROOTS, name, lambda group: (group / "pids.max").write_text(str(limit)))


MEMORY_CGROUP_ROOTS = (Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup"))
"""Where a root grader makes its sandboxes' memory cgroups (cgroup v1's memory hierarchy, or the v2 root)."""


def memory_cgroup(name: str, limit_mib: int) -> Path | None:
    """A memory cgroup holding every process of one sandbox to ``limit_mib`` MiB in all (``memory.max`` on cgroup
    v2, ``memory.limit_in_bytes`` on v1; the kernel's OOM killer stops the sandbox beyond it), in the first of
    ``$LABS_GRADE_CGROUP`` / :data:`MEMORY_CGROUP_ROOTS` where this process may make one; ``None`` elsewhere."""
    def limit(group: Path) -> None:
        (group / "memory.max" if (group / "memory.max").exists() else group / "memory.limit_in_bytes").write_text(
            str(limit_mib * 1024 * 1024))

    return _new_cgroup(MEMORY_CGROUP_ROOTS, name, limit)


CPU_CGROUP_ROOTS = (Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup/cpu,cpuacct"), Path("/sys/fs/cgroup"))
"""Where a root grader makes its sandboxes' cpu cgroups (cgroup v1's cpu hierarchy, or the v2 root)."""


def cpu_cgroup(name: str) -> Path | None:
    """A cpu cgroup that weighs one sandbox as a single low-priority process (:data:`CPU_SHARES` on v1,
    :data:`CPU_WEIGHT` on v2), in the first of ``$LABS_GRADE_CGROUP`` / :data:`CPU_CGROUP_ROOTS` where this process
    may make one; ``None`` elsewhere (then only :data:`SANDBOX_NICE` holds, which a process that starts its own
    session can partly undo where autogroups are on)."""
    def weigh(group: Path) -> None:
        if (group / "cpu.shares").exists():
            (group / "cpu.shares").write_text(str(CPU_SHARES))
        else:
            (group / "cpu.weight").write_text(str(CPU_WEIGHT))

    return _new_cgroup(CPU_CGROUP_ROOTS, name, weigh)


def _new_cgroup(roots: tuple[Path, ...], name: str, configure: Callable[[Path], None]) -> Path | None:
    """The cgroup ``name``, configured, in the first of ``$LABS_GRADE_CGROUP`` / ``roots`` (root only) where it can be
    made; ``None`` elsewhere. A folder this call made is removed again when configuring it fails."""
    own = os.environ.get(CGROUP_ENV)
    for root in (Path(own),) if own else roots if os.geteuid() == 0 else ():
        if not (root / "cgroup.procs").exists():
            continue
        group = root / name
        made = not group.exists()
        try:
            group.mkdir(exist_ok=True)
            configure(group)
            return group
        except OSError:
            if made:
                try:
                    group.rmdir()
                except OSError:
                    pass
    return None


def leftover_cpu_cgroup(worker_pid: int) -> Path | None:
    """The worker's cpu cgroup when it is still there (the worker was killed before it removed it)."""
    return _leftover(CPU_CGROUP_ROOTS, worker_pid)


def _leftover(roots: tuple[Path, ...], worker_pid: int) -> Path | None:
    own = os.environ.get(CGROUP_ENV)
    name = cgroup_name(worker_pid)
    return next((root / name for root in ((Path(own),) if own else roots) if (root / name).is_dir()), None)


def memory_name(worker_pid: int) -> str:
    """The memory cgroup of the worker ``worker_pid``'s sandbox (on cgroup v2 the same folder as its pids cgroup)."""
    return cgroup_name(worker_pid)


def leftover_memory_cgroup(worker_pid: int) -> Path | None:
    """The worker's memory cgroup when it is still there (the worker was killed before it removed it)."""
    return _leftover(MEMORY_CGROUP_ROOTS, worker_pid)


def forks_refused(group: Path | None) -> int:
    """How many times the pids cgroup ``group`` refused a new process at its limit (``pids.events``' ``max``)."""
    if group is None:
        return 0
    try:
        fields = dict(line.split() for line in (group / "pids.events").read_text().splitlines() if line.strip())
        return int(fields.get("max", 0))
    except (OSError, ValueError):
        return 0


REMOVE_SECONDS = 30.0
"""Seconds :func:`kill_cgroup` keeps trying to remove a cgroup: its processes are killed at once, but the kernel
refuses ``rmdir`` (EBUSY) until every one of them has finished exiting, and a sandbox that filled its tmpfs with
files can take seconds to free them (round 8: a pids and a memory cgroup stayed after a 2.5 s try)."""


def kill_cgroup(group: Path | None, seconds: float = REMOVE_SECONDS) -> bool:
    """Kill whatever is left in the cgroup ``group`` and remove it, trying for up to ``seconds``. Returns True when
    it is gone (or was ``None``)."""
    if group is None:
        return True
    import signal
    import time

    deadline, pause = time.monotonic() + seconds, 0.05
    while True:
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except OSError:
            return not group.exists()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not pids:
            try:
                group.rmdir()
                return True
            except FileNotFoundError:
                return True
            except OSError:  # EBUSY: its last processes are still exiting
                pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


STALE_CGROUP = re.compile(r"labs-grade-(probe-)?(\d+)")
"""The names of the cgroups ``labs grade`` makes: ``labs-grade-<worker pid>`` (:func:`cgroup_name`) and the
grader's ``labs-grade-probe-<pid>`` (:func:`process_limit_problem`)."""


def _owner_alive(pid: int, worker: bool) -> bool:
    """Is ``pid`` still the process that named a cgroup (for a worker's: a live ``labs.grading.worker``; a reused pid
    is not)?"""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return not worker or b"labs.grading.worker" in command


def remove_stale_cgroups(seconds: float = 5.0) -> list[Path]:
    """Remove the cgroups an earlier run left behind (a grader killed with ``kill -9`` leaves its workers' pids, memory
    and cpu cgroups): only folders named like :data:`STALE_CGROUP`, in ``$LABS_GRADE_CGROUP`` or the roots this
    grader makes cgroups in, whose owner process is gone; another run's live workers keep theirs. Whatever is still
    inside is killed first. Returns the folders removed."""
    own = os.environ.get(CGROUP_ENV)
    roots = (Path(own),) if own else tuple(dict.fromkeys(PIDS_CGROUP_ROOTS + MEMORY_CGROUP_ROOTS + CPU_CGROUP_ROOTS))
    removed = []
    for root in roots:
        try:
            entries = sorted(root.iterdir()) if (root / "cgroup.procs").exists() else []
        except OSError:
            continue
        for group in entries:
            found = STALE_CGROUP.fullmatch(group.name)
            if found and group.is_dir() and not _owner_alive(int(found[2]), worker=not found[1]) \
                    and kill_cgroup(group, seconds):
                removed.append(group)
    return removed
