"""The worker of ``labs grade``: one submission, one sandboxed kernel, checks run here, outside it.

Started by :func:`labs.grading.grader.grade_submission` as ``python -m labs.grading.worker JOB`` in its
own private folder, which the kernel never sees. The worker

1. loads the public checks and the hidden tests into itself (the kernel never sees them);
2. starts the kernel in the sandbox (:mod:`labs.grading.sandbox`; or, with ``--no-sandbox``, as a plain
   process with the same limits) and sends it the notebook's code cells one by one, with a per-cell
   timeout (the cell is interrupted, the run goes on) under a per-notebook watchdog (the sandbox is
   killed), keeping at most ``output_kib`` of output; time its requests waited while other submissions of the run
   held the model server (:attr:`labs.grading.gate.Gate.waits`) is not charged to either limit; it refuses to start a
   kernel that no process limit holds unless the job says ``unlimited_processes``;
3. at each exercise's check cell (which the kernel does not run: its result would be the notebook's
   word), grades that exercise here: the checks read the notebook's values through the agent as JSON
   (:mod:`labs.grading.remote`) and call its functions in the sandbox; every request the sandbox sends to
   the model server passes the worker's gate (:mod:`labs.grading.gate`), whose records are the evidence
   the checks compare answers with (:mod:`labs.grading.evidence`);
4. records what it sees of the kernel, from outside it, that only tampering explains (a grading reply of a shape the
   agent cannot send, or one it did not ask for): such a reply is flagged and never used;
5. writes its :class:`~labs.grading.results.WorkerResult` after every graded exercise, so a kernel or a
   worker that dies later keeps the points earned before.
"""

from __future__ import annotations

import functools
import json
import os
import re
import resource
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from labs.grading.protocol import REPLY_MIME, SERVER_SLOW, Kind, Op, RunState, Status, is_reply, reply
from labs.grading.remote import KernelGone, RemoteNamespace, Session
from labs.grading.results import CheckOutcome, ExerciseResult, Job, WorkerResult, cap
from labs.grading.sandbox import (GATE_SOCKET, UNLIMITED_HINT, WORKER_PID, Limits, bwrap_argv, cgroup_name, forks_refused,
                                  cpu_cgroup, in_cgroup, kill_cgroup, limited, memory_cgroup, memory_name, pids_cgroup, rlimit_binds,
                                  sandbox_host)

ONLY_CHECKS = re.compile(r"""\s*(?:check\(\s*["'][\w.\-]+["']\s*\)[\s;]*)+""")  # linear: one way to split spaces
"""A cell that does nothing but call ``check(...)``: the worker grades instead of running it."""
MAX_REPLY = 16 * 1024 * 1024  # bytes of one agent reply (JSON)
SIDE_CAP_FACTOR = 8
"""Widget state and display updates may use this many times the output cap (widgets' state is larger than text)."""
AGENT_MODULE = "labs.grading.agent"
FORK_FAILED = ("BlockingIOError", "can't start new thread", "Resource temporarily unavailable")
"""How a cell's error reads when ``RLIMIT_NPROC`` refused it a process or thread (EAGAIN)."""


def _cell_errors(cell: Any, index: int, seconds: float, timeout: float, waiting: bool = False) -> list[str]:
    """The errors of one cell as flags; ``waiting``: a request to the model server was in flight when it ended."""
    out = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "KeyboardInterrupt" and seconds >= timeout * 0.9:
                out.append((f"{SERVER_SLOW} (cell {index} ran out of its {timeout:g} s while the model server was "
                            "still answering it: the server, not the notebook, may be slow)") if waiting else
                           f"cell {index} timed out after {timeout:g} s and was interrupted")
            else:
                out.append(f"cell {index} raised {cap(output.get('ename'), 80)}: {cap(output.get('evalue'), 200)}")
    return out


def _client_class():
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete

    class CappedClient(NotebookClient):
        """nbclient that keeps at most ``output_cap`` bytes of output and survives odd messages."""

        output_cap = 2 * 1024 * 1024
        kept = dropped = 0
        unasked = 0  # grading replies published when the worker had asked for none (only code in the notebook does that)
        awaiting_reply = False  # True while the worker waits for the agent's one reply


        side_kept = 0  # widget (comm) messages and display updates: kept by nbclient outside the outputs
        gate: Any = None  # the submission's gate: how long its requests waited for other submissions
        cell_started = 0.0

        def execute_cell(self, cell, cell_index, *args, **kwargs):  # nbclient binds it to its own async_execute_cell
            self.cell_started = time.perf_counter()
            return super().execute_cell(cell, cell_index, *args, **kwargs)

        async def _async_handle_timeout(self, timeout, cell=None):
            """Time this cell's requests waited while other submissions held the model server is not charged to
            it: keep waiting until the cell has had ``timeout`` seconds of its own (or its reply is in)."""
            import asyncio

            while self.gate is not None:
                now = time.perf_counter()
                if now - self.cell_started - self.gate.waited(self.cell_started, now) >= timeout:
                    break
                if await self.kc.shell_channel.msg_ready():
                    return None  # the reply came in: nbclient reads it
                await asyncio.sleep(0.2)
            return await super()._async_handle_timeout(timeout, cell)

        def process_message(self, msg, cell, cell_index):
            kind = str(msg.get("msg_type", ""))
            if kind.startswith("comm") or kind == "update_display_data":
                size = len(json.dumps(msg.get("content", {}), default=str)) + sum(len(b) for b in msg.get("buffers") or [])
                if self.side_kept + size > SIDE_CAP_FACTOR * self.output_cap:
                    self.dropped += size
                    return None
                self.side_kept += size
            try:
                return super().process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                raise
            except (IndexError, KeyError, ValueError, TypeError, AttributeError):  # a message about no real output
                return None

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(json.dumps(content, default=str))
            is_reply = isinstance(content.get("data"), dict) and REPLY_MIME in content["data"]
            if is_reply and self.awaiting_reply and size <= MAX_REPLY:
                self.awaiting_reply = False  # one reply per request
            else:
                if is_reply:  # only code in the notebook publishes one unasked: evidence, and it counts against the cap
                    self.unasked += 1
                if self.kept + size > self.output_cap:
                    self.dropped += size
                    return None
                self.kept += size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _kernel_manager(job: Job, limits: Limits, cgroup: Path | None, sockets: Path, gate: Any,
                    memory: Path | None = None, cpu: Path | None = None):
    """The kernel's manager: in the sandbox its channels are Unix sockets in ``sockets`` (ZeroMQ ``ipc``: no
    TCP port crosses the sandbox's own network namespace); without a sandbox, TCP and the gate's port."""
    from jupyter_client import AsyncKernelManager  # nbclient waits on async channels (a blocking one stalls it)
    from jupyter_client.kernelspec import KernelSpec

    workdir = Path(job.workdir)
    connection = workdir / "kernel.json"
    env: dict[str, str] = {}
    if job.sandbox:
        argv = in_cgroup(cgroup, bwrap_argv(connection, limits, sockets, gate.upstream), memory, cpu)
        cwd = workdir
        km = AsyncKernelManager(connection_file=str(connection), transport="ipc", ip=str(sockets / "kernel"))
    else:
        home = workdir / "home"
        home.mkdir(exist_ok=True)
        argv = in_cgroup(cgroup, limited(limits, [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]),
                         memory, cpu)
        cwd = home
        env = {"OLLAMA_HOST": gate.host}
        km = AsyncKernelManager(connection_file=str(connection))
    km._kernel_spec = KernelSpec(argv=argv, display_name="labs grading sandbox", language="python",
                                 interrupt_mode="message", env=env, metadata={})
    km.client = functools.partial(km.client, context=_bounded_context(SIDE_CAP_FACTOR * limits.output_kib * 1024))
    return km, cwd


UNREADABLE_TYPE = "labs_unreadable"
"""The ``msg_type`` of the stand-in for a kernel message the worker could not read (:func:`_read_tolerantly`): nbclient
ignores it (its parent is no request of ours)."""


def _read_tolerantly(session: Any, skipped: dict[str, int]) -> None:
    """Make ``session`` (the kernel client's) hand on a message it cannot read as an empty stand-in, counted in
    ``skipped`` under why: a kernel whose code replaced its own ``session.pack`` sent JSON nested 200,000 deep or a 100,000-digit
    number, and the run stopped as if the kernel had died. Only a kernel changed by the notebook sends such a message;
    skipping it keeps the run and every point graded."""
    deserialize = session.deserialize

    def read(msg_list: Any, content: bool = True, copy: bool = True) -> dict:
        try:
            return deserialize(msg_list, content=content, copy=copy)
        except RecursionError:
            why = "JSON nested too deeply"
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            why = "bad JSON, a number too long or a bad signature"
        skipped[why] = skipped.get(why, 0) + 1
        header = {"msg_id": "", "msg_type": UNREADABLE_TYPE}
        return {"header": header, "msg_id": "", "msg_type": UNREADABLE_TYPE, "parent_header": {}, "metadata": {},
                "content": {}, "buffers": []}

    session.deserialize = read


def _reconnect_if_dropped(kc: Any) -> bool:
    """Connect a new output (IOPub) socket when ZeroMQ dropped the old one at a message over the cap: it does not
    reconnect after that protocol error by itself, and the grader's replies travel on that channel. True when it did."""
    import zmq

    channel = kc.iopub_channel
    events = getattr(channel, "labs_events", None)
    if events is not None and not events.poll(0):
        return False
    dropped = events is not None
    if dropped:
        events.close(0)
        old, channel.socket = channel.socket, kc.connect_iopub()
        old.close(0)
    channel.labs_events = zmq.Socket.shadow(channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED))
    return dropped


def _bounded_context(max_message: int):
    """A ZeroMQ context whose sockets drop the connection on a message over ``max_message`` bytes before reading it
    (``ZMQ_MAXMSGSIZE``; ZeroMQ reconnects): the output cap drops text only after a message is in, so one 1 GB
    ``print`` took the worker, which no sandbox limit holds, to 2.9 GB."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, max_message)
    return context


class Worker(Session):
    def __init__(self, job: Job):
        self.job = job
        self.limits = job.limits
        self.result = WorkerResult(sandboxed=job.sandbox)
        self.fired = threading.Event()
        self.done = threading.Event()
        self.client: Any = None
        self.nb: Any = None
        self.gate: Any = None
        self._server = ""  # the model server's base URL, the gate's usual upstream
        self._seen = 0

    # --- the Session the remote values use -------------------------------------------------
    def request(self, op: Op, **fields: Any) -> dict:
        import nbformat
        from nbclient.exceptions import DeadKernelError

        payload = repr(json.dumps(list(fields.values()), ensure_ascii=True))
        source = f"__import__({AGENT_MODULE!r}, fromlist=['_']).{op.value}(*__import__('json').loads({payload}))"
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        self.client.awaiting_reply = True
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        except DeadKernelError:
            raise KernelGone(self._gone()) from None
        except Exception as exc:  # nbclient gave up on the kernel
            self.client.awaiting_reply = False
            if self.fired.is_set() or self.client.km.provisioner is None or self.client.km.provisioner.process.poll() is not None:
                raise KernelGone(self._gone()) from None
            return reply(Kind.RAISED, type="RuntimeError", message=f"the grader could not run it: {exc}",
                         interrupted=False)
        self.client.awaiting_reply = False
        if self.fired.is_set():
            raise KernelGone(self._gone())
        outputs, cell.outputs = cell.get("outputs", []), []
        for output in outputs:
            data = output.get("data", {}).get(REPLY_MIME) if output.get("output_type") == "display_data" else None
            if isinstance(data, dict):
                if not is_reply(data):  # rewritten in the kernel: evidence, and no answer
                    self._tampered(f"a grading reply the agent cannot have sent (fields {cap(sorted(data), 120)}): code "
                                   "in the notebook rewrote the grader's answer channel")
                    return reply(Kind.RAISED, type="RuntimeError", interrupted=False,
                                 message="the notebook rewrote the grader's reply; nothing in it was used")
                return json.loads(json.dumps(data))  # plain dicts, lists, str, numbers: nothing else crosses
        errors = [o for o in outputs if o.get("output_type") == "error"]
        if errors:
            e = errors[-1]
            return reply(Kind.RAISED, type=str(e.get("ename")), message=str(e.get("evalue")),
                         interrupted=e.get("ename") == "KeyboardInterrupt")
        return reply(Kind.RAISED, type="RuntimeError", message="the notebook's kernel gave no answer", interrupted=False)

    def call_env(self) -> dict[str, str]:
        from labs.host import base_url

        self.gate.upstream = base_url()  # a check's own recording proxy, or the model server
        self._seen = len(self.gate.exchanges)
        return {"OLLAMA_HOST": sandbox_host(self._server)[0] if self.job.sandbox else self.gate.host}

    def after_call(self) -> None:
        from labs.grading.replay import replay

        replay(self.gate.exchanges[self._seen:], self.gate.upstream)
        self.gate.upstream = self._server

    def _gone(self) -> str:
        if self.fired.is_set():
            return f"the notebook ran past {self.job.notebook_timeout:g} s and its sandbox was stopped"
        return "the kernel died (the notebook exited or crashed its process)"

    # --- grading --------------------------------------------------------------------------
    def save(self) -> None:
        self.result.save(Path(self.job.result))

    def grade(self, exercise_id: str, at_cell: int) -> None:
        from labs.exercises import run_check, run_hidden

        namespace = RemoteNamespace(self)
        entry = ExerciseResult(exercise_id, at_cell=at_cell)
        self.result.exercises[exercise_id] = entry
        try:
            try:
                public = run_check(exercise_id, namespace)
                entry.public = CheckOutcome(public.id, Status(public.status), cap(public.message), public.points,
                                            public.max_points)
            except KeyError as exc:
                entry.public = CheckOutcome(exercise_id, Status.ERROR, f"unknown exercise: {exc}")
            entry.hidden = [CheckOutcome(r.id, Status(r.status), cap(r.message), r.points, r.max_points)
                            for r in run_hidden(exercise_id, namespace)]
        except KernelGone as gone:
            entry.public, entry.hidden = None, []
            entry.note = f"not graded: {gone} while its checks ran"
            raise
        finally:
            self.save()

    def run(self) -> None:
        import nbformat
        from nbclient.exceptions import DeadKernelError

        from labs.exercises import CHECK_CALL, load_hidden
        from labs.grading import evidence
        from labs.grading.gate import Gate
        from labs.host import base_url

        job = self.job
        if Path(job.hidden).is_dir():
            try:
                load_hidden(Path(job.hidden))
            except Exception as exc:  # the instructor's hidden tests are broken: say so, grade the public checks
                self.result.cell_errors.append(cap(f"the hidden tests failed to load (the instructor's files, not the "
                                                   f"notebook): {type(exc).__name__}: {exc}"))
        self.nb = nbformat.read(job.notebook, as_version=4)
        cells = list(self.nb.cells)
        (Path(job.workdir) / WORKER_PID).write_text(str(os.getpid()))
        cgroup = pids_cgroup(cgroup_name(os.getpid()), self.limits.processes)
        self.result.process_limit = "pids cgroup" if cgroup else "RLIMIT_NPROC" if rlimit_binds() else ""
        if not self.result.process_limit and not job.unlimited_processes:  # fail closed: never run unlimited unasked
            self.result.state = RunState.NO_KERNEL
            self.result.detail = ("not run: no process limit could be set for its sandbox (root, and no pids cgroup could "
                                  f"be made); {UNLIMITED_HINT}")
            for exercise_id in job.exercises:
                self.result.exercises[exercise_id] = ExerciseResult(exercise_id, note="not graded: the notebook was not run")
            self.save()
            return
        sockets = Path(job.workdir) / "sockets"
        sockets.mkdir(exist_ok=True)
        self._server = base_url()
        self.gate = Gate(str(sockets / GATE_SOCKET) if job.sandbox else None, self._server, job.turns or None,
                         turn_seconds=job.turn_seconds or job.cell_timeout, hold_seconds=job.cell_timeout).start()
        evidence.use(self.gate.exchanges)
        memory = memory_cgroup(memory_name(os.getpid()), self.limits.total_mib)
        self.result.memory_limit = "memory cgroup" if memory else ""
        cpu = cpu_cgroup(cgroup_name(os.getpid()))
        km, cwd = _kernel_manager(job, self.limits, cgroup, sockets, self.gate, memory, cpu)
        client = self.client = _client_class()(self.nb, km=km, timeout=max(1, int(job.cell_timeout)),
                                               interrupt_on_timeout=True, allow_errors=True, iopub_timeout=10)
        client.output_cap = job.limits.output_kib * 1024
        pending = list(job.exercises)
        watchdog = threading.Thread(target=self._watch, args=(job.notebook_timeout,), daemon=True)
        client.gate = self.gate
        last = 0
        unreadable: dict[str, int] = {}  # kernel messages the worker could not read, by why
        try:
            try:
                with client.setup_kernel(cwd=str(cwd), stdout=open(os.devnull, "wb"),
                                         stderr=open(Path(job.workdir) / "kernel.log", "wb")):
                    (Path(job.workdir) / "kernel.pid").write_text(str(km.provisioner.process.pid))
                    _read_tolerantly(client.kc.session, unreadable)
                    _reconnect_if_dropped(client.kc)  # arms the watch on the output channel
                    watchdog.start()
                    for index, cell in enumerate(cells):
                        last = index + 1
                        if cell.cell_type != "code":
                            continue
                        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
                        here = [i for i in CHECK_CALL.findall(source) if i in pending]
                        if not ONLY_CHECKS.fullmatch(source):
                            started = time.perf_counter()
                            client.execute_cell(cell, index)
                            ended = time.perf_counter()
                            self.result.cell_errors += _cell_errors(cell, index + 1, ended - started, job.cell_timeout,
                                                                    self._server_busy(started, ended))
                            if _reconnect_if_dropped(client.kc):
                                client.dropped += SIDE_CAP_FACTOR * job.limits.output_kib * 1024  # at least that much
                                self.result.cell_errors.append(
                                    f"cell {index + 1} sent one output message over "
                                    f"{SIDE_CAP_FACTOR * job.limits.output_kib // 1024} MiB: it was dropped unread")
                            cell.outputs = []
                            if self.fired.is_set():
                                raise KernelGone(self._gone())
                        for exercise_id in here:
                            pending.remove(exercise_id)
                            self.grade(exercise_id, index + 1)
                    for exercise_id in list(pending):  # check cells deleted: graded at the end
                        pending.remove(exercise_id)
                        self.grade(exercise_id, last)
            except (DeadKernelError, KernelGone) as exc:
                self.result.state = RunState.TIMEOUT if self.fired.is_set() else RunState.KERNEL_DIED
                self.result.detail = self._gone() if isinstance(exc, DeadKernelError) else str(exc)
                where = f"the kernel stopped at cell {last}, before this exercise was graded"
                for exercise_id in pending:
                    self.result.exercises[exercise_id] = ExerciseResult(exercise_id, note=f"not graded: {where}")
        except Exception as exc:  # the kernel did not start, or nbclient failed
            self.result.state = RunState.TIMEOUT if self.fired.is_set() else RunState.NO_KERNEL
            log = (Path(job.workdir) / "kernel.log").read_text(errors="replace")[-400:] \
                if (Path(job.workdir) / "kernel.log").exists() else ""
            self.result.detail = cap(f"{type(exc).__name__}: {exc} {log}", 600)
            for exercise_id in pending:
                self.result.exercises.setdefault(exercise_id, ExerciseResult(exercise_id, note="not graded: the kernel did not run"))
        finally:
            self.done.set()
            if unreadable:
                self.result.cell_errors.append(
                    f"the notebook's kernel sent {sum(unreadable.values())} message(s) the grader could not read "
                    f"({'; '.join(unreadable)}): skipped, the run went on and the kernel did not die; code in the "
                    "notebook changed how its kernel sends messages")
            self.result.slowed_by_others = round(self.gate.waited(0.0, time.perf_counter()), 1)
            self.result.turns_cut = self.gate.cuts
            self.result.given_up = self.gate.given_up_so_far()
            self.result.longest_wait = round(max((end - start for start, end in self.gate.waits), default=0.0), 1)
            self._kill()
            self._reap()  # a dead child not waited for still counts as a member of its cgroup
            self.result.limit_hits = forks_refused(cgroup) if cgroup else sum(
                any(sign in e for sign in FORK_FAILED) for e in self.result.cell_errors)
            kill_cgroup(cgroup)
            kill_cgroup(memory)
            kill_cgroup(cpu)
            self.gate.stop()
            self.result.output_dropped_bytes = client.dropped
            if client.unasked:
                self._tampered(f"the notebook published {client.unasked} grading repl(ies) the grader had not asked for")
            self.result.gate_refused = self.gate.refused
            self.result.gate_dropped_bytes = self.gate.dropped_bytes
            self.save()

    def _tampered(self, what: str) -> None:
        if what not in self.result.tampering:
            self.result.tampering.append(what)

    def _server_busy(self, started: float, ended: float) -> bool:
        """Was a request of this notebook to the model server still open (or just answered) as the cell ended?"""
        margin = max(1.0, 0.05 * (ended - started))
        return any(e.received_at < ended and e.status != 403 and (e.finished_at is None or e.finished_at > ended - margin)
                   for e in self.gate.exchanges if e.received_at >= started)

    def _reap(self) -> None:
        try:
            self.client.km.provisioner.process.wait(10)
        except Exception:  # already reaped, never started, or stuck: kill_cgroup handles what is left
            pass

    def _watch(self, limit: float) -> None:
        """Kill the sandbox once the notebook has run ``limit`` seconds of its own: time its requests waited while
        other submissions held the model server is added to the limit (and written to ``waited`` in the worker's
        folder, where the grader reads it to extend its own limit on this worker)."""
        started = time.perf_counter()
        waited_file = Path(self.job.workdir) / "waited"
        while not self.done.wait(0.5):
            now = time.perf_counter()
            waited = self.gate.waited(started, now)
            waited_file.write_text(f"{waited:.1f}")
            if now - started - waited >= limit:
                self._kill()
                return

    def _kill(self) -> None:
        """Stop the kernel's whole process tree (the sandbox's PID namespace dies with its first process)."""
        if self.client is None or self.client.km is None:
            return
        if threading.current_thread() is not threading.main_thread():
            self.fired.set()
        try:
            process = self.client.km.provisioner.process
        except AttributeError:
            return
        if process is None:
            return
        for kill in (lambda: os.killpg(process.pid, signal.SIGKILL), lambda: os.kill(process.pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError, OSError):
                pass


def bound_memory(mib: int) -> None:
    """Hold this process (the worker, outside the sandbox's limits) to ``mib`` MiB of written memory
    (``RLIMIT_DATA``, soft limit: the sandbox's ``confine`` sets its own for the kernel). One output message made
    of many buffers took an unbounded worker to 1.3 GB; past the limit the worker fails and the row keeps the points
    graded before."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def main(argv: list[str]) -> int:
    import faulthandler

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <worker>` writes where it is to worker.log
    job = Job.load(Path(argv[0]))
    bound_memory(job.limits.worker_mib)
    Worker(job).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
