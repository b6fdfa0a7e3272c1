"""The ``labs`` command line: ``serve``, ``doctor``, ``pull``, ``create``, ``lab``, ``with-server``, ``build-notebooks``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from labs import DEFAULT_MODEL
from labs.i18n import t


def cmd_serve(args: argparse.Namespace) -> int:
    from labs.host import bind_address
    from labs.server.app import serve
    from labs.server.config import ServerConfig

    host, port = bind_address(os.environ.get("OLLAMA_HOST"))
    host = args.host or host
    port = args.port or port
    overrides = {k: v for k, v in (("max_queue", args.max_queue), ("context_length", args.context_length)) if v is not None}
    if args.models_dir:
        overrides["models_dir"] = Path(args.models_dir)
    if args.keep_alive is not None:
        from labs.server.config import parse_keep_alive
        overrides["keep_alive"] = parse_keep_alive(args.keep_alive, bare_seconds=True)
    config = ServerConfig.from_env(**overrides)
    pull = () if args.no_pull else tuple(args.pull or [DEFAULT_MODEL])
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL goes in brackets (RFC 3986)
    print(t("cli.serving", url=f"http://{shown}:{port}", models=config.models_dir), flush=True)
    serve(host, port, config, pull=pull, log_level=args.log_level)
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from labs.client import LocalLLM

    llm = LocalLLM()  # a failed pull says what this server can serve and what to run instead, in LAB_LANG
    last = llm.pull_or_explain(args.model, progress=lambda e: print(e.get("status", ""), e.get("completed", ""),
                                                                    e.get("total", ""), flush=True))
    return 0 if last.get("status") == "success" else 1


def cmd_create(args: argparse.Namespace) -> int:
    """Create a model on the server at OLLAMA_HOST the way ``ollama create`` does: upload the GGUF
    as a blob (``HEAD``/``POST /api/blobs/<digest>``), then ``POST /api/create``."""
    import httpx

    from labs.client import LocalLLM
    from labs.server.store import sha256_file

    body: dict = {"model": args.name}
    with LocalLLM(timeout=None) as llm:
        if args.gguf:
            path = Path(args.gguf)
            if not path.is_file():
                raise ValueError(t("cli.no_gguf", path=path))
            digest = f"sha256:{sha256_file(path)}"
            try:
                if llm._http.head(f"/api/blobs/{digest}").status_code != 200:
                    with path.open("rb") as fh:
                        r = llm._http.post(f"/api/blobs/{digest}", content=iter(lambda: fh.read(1 << 20), b""))
                    if r.status_code not in (200, 201):
                        raise ValueError(t("cli.upload_failed", name=path.name, status=r.status_code, body=r.text))
            except httpx.ConnectError:
                from labs.errors import ServerNotRunning
                raise ServerNotRunning(llm.url) from None
            body["files"] = {path.name: digest}
        if args.from_:
            body["from"] = args.from_
        for key in ("system", "template"):
            if getattr(args, key) is not None:
                body[key] = getattr(args, key)
        last: dict = {}
        for event in llm.stream("/api/create", body):
            last = event
            print(event.get("status", ""), flush=True)
    return 0 if last.get("status") == "success" else 1


def cmd_doctor(args: argparse.Namespace) -> int:
    from labs.doctor import run_doctor

    return run_doctor()


def cmd_with_server(args: argparse.Namespace) -> int:
    from labs.launcher import run_with_server

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print(t("cli.with_server_needs_command"), file=sys.stderr)
        return 2
    return run_with_server(command)


def cmd_lab(args: argparse.Namespace) -> int:
    from labs.launcher import run_with_server

    extra = list(args.jupyter_args)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # containers and CI run as root; JupyterLab refuses that unless told
    return run_with_server([sys.executable, "-m", "jupyter", "lab", str(lab_folder()), *extra])


def _notebooks_dir() -> Path:
    """``notebooks/`` here, else the workbook's own (an editable install knows where it lives)."""
    here = Path("notebooks")
    if here.is_dir():
        return here
    beside_package = Path(__file__).resolve().parents[1] / "notebooks"
    return beside_package if beside_package.is_dir() else here


def lab_folder(lang: str | None = None) -> Path:
    """The learner notebooks ``labs lab`` opens: ``notebooks/`` in English, ``notebooks/uk/`` for ``LAB_LANG=uk``
    (``lang`` overrides). ``ValueError`` (with the fix) for an unknown language or an edition not built yet."""
    from labs.i18n import language
    from labs.translations import SOURCE_LANG

    chosen, folder = language(lang), _notebooks_dir()
    if chosen == SOURCE_LANG:
        return folder
    if not any((folder / chosen).glob("*.ipynb")):
        raise ValueError(t("cli.lab_edition_missing", chosen, lang=chosen, path=folder / chosen))
    return folder / chosen


def cmd_build_notebooks(args: argparse.Namespace) -> int:
    from labs.exercises import build_notebooks

    for path in build_notebooks(Path(args.solutions), Path(args.notebooks)):
        print(t("cli.wrote", path=path))
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade submitted notebooks, each in its own sandboxed kernel; write the gradebook, summary and plot."""
    from dataclasses import fields

    from labs.grading import SandboxUnavailable, grade
    from labs.grading.grader import STOP_SIGNALS, GradingInterrupted
    from labs.grading.report import ReportFolderUnusable, prepare_out, remove_created, write_report
    from labs.grading.sandbox import Limits

    settings = {"cell timeout (s)": args.cell_timeout, "notebook timeout (s)": args.notebook_timeout,
                "reference": args.solutions, "hidden tests": args.hidden,
                "sandbox": "none (--no-sandbox)" if args.no_sandbox else "bubblewrap"}
    limits = Limits(**{f.name: getattr(args, f.name) for f in fields(Limits)})
    settings.update({f.name.replace("_", " "): getattr(limits, f.name) for f in fields(Limits)})
    out = Path(args.out)
    try:  # before the run, not after it: a typo in --out must not cost every row
        created = prepare_out(out)
    except ReportFolderUnusable as exc:
        print(f"labs grade: {exc}", file=sys.stderr)
        return 2
    try:
        grades = grade(args.submissions, solutions=args.solutions, hidden=args.hidden, cell_timeout=args.cell_timeout,
                       notebook_timeout=args.notebook_timeout, jobs=args.jobs, sandbox=not args.no_sandbox,
                       unlimited_processes=args.unlimited_processes, limits=limits,
                       progress=lambda g: print(f"{g.mark.value:18} {g.score:>3}/{g.max_score:<3} {g.submission}",
                                                flush=True))
    except SandboxUnavailable as exc:  # ProcessLimitUnavailable too: a sandbox without a process limit
        remove_created(created)
        print(f"labs grade: will not run untrusted notebooks without a sandbox that holds them: {exc}", file=sys.stderr)
        return 2
    except GradingInterrupted as stopped:  # every worker is killed and every working folder removed by now
        remove_created(created)
        print(f"labs grade: stopped by {stopped.signal_name} after {len(stopped.graded)} of {stopped.total} "
              "submissions; every sandbox was stopped and its working copy removed; no gradebook was written "
              f"(nothing in {args.out} changed): run the same command again to grade them all", file=sys.stderr)
        return 128 + getattr(signal, stopped.signal_name, signal.SIGINT)
    except BaseException:
        remove_created(created)
        raise
    # a stop signal while the report is written waits for it (write_report replaces the files in one step), so the
    # folder holds this run's whole report or the previous one, never a mix; handlers, not a thread's signal mask,
    # so the signal is held whichever thread the kernel gives it to
    held: list[str] = []
    previous = {number: signal.signal(number, lambda n, _f: held.append(signal.Signals(n).name))
                for number in (getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name))}
    try:
        paths = write_report(grades, out, settings)
    except BaseException:
        remove_created(created)
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    for path in paths:
        print(t("cli.wrote", path=path))
    if held:
        print(f"labs grade: {held[0]} arrived while the report was written; the report was finished first (every "
              "row is in it) and the run stops now", file=sys.stderr)
        return 128 + getattr(signal, held[0])
    return 0


def _positive(text: str) -> int:
    """A whole number above 0 (a limit of 0 would fail every notebook and blame the student)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not above 0: a limit of 0 fails every notebook")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="labs", description="Module 29 workbook: local models, measured.")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("serve", help="run the embedded Ollama-compatible server (binds 127.0.0.1 unless told otherwise)")
    s.add_argument("--host", help="address to bind (default from OLLAMA_HOST, else 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default from OLLAMA_HOST, else 11434)")
    s.add_argument("--models-dir", help="model store (default $LABS_MODELS or ~/.cache/labs/models)")
    s.add_argument("--max-queue", type=int, help="waiting requests beyond this get 503 (OLLAMA_MAX_QUEUE, default 512)")
    s.add_argument("--keep-alive", help="how long an idle model stays loaded (OLLAMA_KEEP_ALIVE, default 5m)")
    s.add_argument("--context-length", type=int, help="default num_ctx (OLLAMA_CONTEXT_LENGTH, default 4096)")
    s.add_argument("--pull", action="append", help=f"install this model at start (default {DEFAULT_MODEL})")
    s.add_argument("--no-pull", action="store_true", help="install nothing at start")
    s.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("doctor", help="what is installed, which server answers, and what to do next")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("pull", help="pull a model into the server at OLLAMA_HOST")
    s.add_argument("model", nargs="?", default=DEFAULT_MODEL)
    s.set_defaults(func=cmd_pull)

    s = sub.add_parser("create", help="create a model on the server at OLLAMA_HOST from a local GGUF file (or --from a model)")
    s.add_argument("name")
    s.add_argument("gguf", nargs="?", help="a .gguf file, uploaded as a blob")
    s.add_argument("--from", dest="from_", help="an existing model to build on")
    s.add_argument("--system", help="the model's default system prompt")
    s.add_argument("--template", help="a prompt template (.System, .Prompt, if/else/end)")
    s.set_defaults(func=cmd_create)

    s = sub.add_parser("with-server", help="run a command with a model server at OLLAMA_HOST (starting the embedded one if none answers)")
    s.add_argument("command", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_with_server)

    s = sub.add_parser("lab", help="open the workbook in JupyterLab, with a model server running (LAB_LANG=uk: the Ukrainian "
                       "edition; other options go to JupyterLab)")
    s.add_argument("jupyter_args", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_lab)

    s = sub.add_parser("grade", help="instructors: run submitted notebooks with public and hidden tests, write a gradebook")
    s.add_argument("submissions", nargs="+", help="notebooks, or folders of them")
    s.add_argument("--out", default="grading-report", help="folder for gradebook.csv, summary.md, scores.png")
    s.add_argument("--solutions", default="solutions", help="reference notebooks (their check cells say what to grade)")
    s.add_argument("--hidden", default="grading/hidden", help="folder of hidden tests (*.py)")
    s.add_argument("--cell-timeout", type=float, default=60.0, help="seconds a cell may run before it is interrupted")
    s.add_argument("--notebook-timeout", type=float, default=600.0, help="seconds a notebook may run before its kernel is killed")
    s.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time")
    s.add_argument("--no-sandbox", action="store_true",
                   help="run notebooks WITHOUT bubblewrap isolation (only for work you trust; checks still run outside)")
    s.add_argument("--unlimited-processes", action="store_true",
                   help="grade even where no process limit can hold (root without a pids cgroup): a fork bomb is then "
                        "unlimited; every row says so")
    from dataclasses import fields

    from labs.grading.sandbox import Limits

    for f in fields(Limits):  # the sandbox's limits, declared once (Limits) and turned into flags here
        s.add_argument("--" + f.name.replace("_", "-"), type=_positive, default=f.default, help=f.metadata["help"])
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("build-notebooks", help="generate notebooks/ from solutions/ (solution regions become ...), "
                       "and the translated editions solutions/uk/, notebooks/uk/ from solutions/uk/*.yaml")
    s.add_argument("--solutions", default="solutions")
    s.add_argument("--notebooks", default="notebooks")
    s.set_defaults(func=cmd_build_notebooks)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra and args.cmd != "lab":
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.cmd == "lab":  # everything else is JupyterLab's: `labs lab --no-browser --port 8899`
        args.jupyter_args = extra + args.jupyter_args
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line, not a traceback, for the errors we expect
        from labs.errors import LabError

        if isinstance(exc, (LabError, ValueError)):
            print(f"labs: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
