"""The notebook's answers as the checks see them, in the worker: plain data, and functions that run in the sandbox.

:class:`RemoteNamespace` is the ``ns`` the public checks and hidden tests get. Reading a name asks the
kernel's agent (:mod:`labs.grading.agent`) and parses its JSON reply with :func:`from_data`: the checks
only ever see ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` made here (a ``str`` subclass
with a lying ``__eq__`` arrives as its characters), ``labs`` dataclasses rebuilt from the worker's own
classes, :class:`Opaque` for anything else, and :class:`RemoteFunction` for functions. Calling one runs
the learner's function in the sandbox, with ``OLLAMA_HOST`` pointed at the worker's recording proxy;
what that proxy saw is replayed into in-process HTTP watchers (``labs.quiz.practical.watch_http``), so a
check that watches a function's traffic sees the traffic the function really sent.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
from collections.abc import Mapping
from typing import Any, Iterator

from labs.grading.protocol import TAG, Kind, Op, Tag


class KernelGone(BaseException):
    """The kernel died or was stopped while a check talked to it (a BaseException: checks must not catch it)."""


@dataclasses.dataclass(frozen=True)
class Opaque:
    """A value that is not data (a module, a client object...): only its type name crossed."""

    type: str
    repr: str = ""

    def __repr__(self) -> str:
        return f"<{self.type} that is not data: {self.repr}>" if self.repr else f"<{self.type} that is not data>"


def _rebuild_dataclass(name: str, fields: dict) -> Any:
    module, _, qualname = name.partition(":")
    if not module.startswith("labs.") or module.startswith("labs.grading"):
        return Opaque(qualname or name)
    try:
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            return Opaque(qualname)
        return cls(**fields)
    except Exception:
        return Opaque(qualname, "fields that do not fit")


def from_data(value: Any, session: "Session | None" = None) -> Any:
    """JSON parsed by the worker → the values the checks see (tags decoded; see :class:`labs.grading.protocol.Tag`)."""
    if isinstance(value, list):
        return [from_data(v, session) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {str(k): from_data(v, session) for k, v in value.items()}
    items = value.get("items") if isinstance(value.get("items"), list) else []
    try:
        if tag == Tag.ELLIPSIS.value:
            return Ellipsis
        if tag == Tag.TUPLE.value:
            return tuple(from_data(v, session) for v in items)
        if tag == Tag.SET.value:
            return {from_data(v, session) for v in items}
        if tag == Tag.FLOAT.value:
            return float(str(value.get("value")))
        if tag == Tag.PAIRS.value:
            return {from_data(k, session): from_data(v, session) for k, v in items}
        if tag == Tag.DATACLASS.value:
            fields = value.get("fields") if isinstance(value.get("fields"), dict) else {}
            return _rebuild_dataclass(str(value.get("class")), {str(k): from_data(v, session) for k, v in fields.items()})
        if tag == Tag.FUNCTION.value and session is not None:
            return RemoteFunction(session, str(value.get("handle")), str(value.get("name", "function")),
                                  value.get("stub") is True)
    except (TypeError, ValueError):  # unhashable set members, a bad float: not data the checks can use
        pass
    return Opaque(str(value.get("type", tag))[:80], str(value.get("repr", ""))[:120])


class Session:
    """What the remote values need from the worker: one request to the agent, one reply (a dict) back.

    ``request`` raises :class:`KernelGone` when the kernel is gone; ``before_call``/``after_call`` wrap
    every function call (the worker points ``OLLAMA_HOST`` at its proxy and replays what it recorded)."""

    def request(self, op: Op, **fields: Any) -> dict:  # pragma: no cover - implemented by the worker
        raise NotImplementedError

    def call_env(self) -> dict[str, str]:
        return {}

    def after_call(self) -> None:
        pass


def _raised(reply: dict, name: str) -> BaseException:
    """The learner's exception, rebuilt as a builtin of the same name (or ``RuntimeError``), message only."""
    type_name, message = str(reply.get("type", "Exception")), str(reply.get("message", ""))[:2000]
    if reply.get("interrupted"):
        return TimeoutError(f"{name}(...) ran past the cell time limit and was interrupted")
    cls = getattr(builtins, type_name, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls not in (StopIteration, StopAsyncIteration):
        try:
            return cls(message)
        except Exception:
            pass
    return RuntimeError(f"{type_name}: {message}")


class RemoteFunction:
    """A learner's function that stays in the sandbox; calling it sends data and gets data back."""

    def __init__(self, session: Session, handle: str, name: str, stub: bool):
        self._session, self._handle, self.__name__ = session, handle, name
        self.labs_body_is_ellipsis = stub  # read by labs.exercises.answer: "still has `...` as its body"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from labs.grading.agent import to_data  # the same encoding the agent uses for what it returns

        reply = self._session.request(Op.CALL, handle=self._handle, args=to_data(list(args)),
                                      kwargs=to_data(dict(kwargs)), env=self._session.call_env())
        try:
            if reply.get("kind") == Kind.RAISED.value:
                raise _raised(reply, self.__name__)
            return _value(reply, self._session)
        finally:
            self._session.after_call()

    def __repr__(self) -> str:
        return f"<function {self.__name__} (runs in the submission's sandbox)>"


def _value(reply: dict, session: Session) -> Any:
    kind = reply.get("kind")
    if kind == Kind.FUNCTION.value:
        return from_data(reply.get("function"), session)
    if kind == Kind.DATA.value:
        return from_data(reply.get("value"), session)
    return Opaque("reply", f"the kernel answered {str(kind)[:40]!r}")


class RemoteNamespace(Mapping):
    """The notebook's namespace, read through the agent; values are fetched once per exercise."""

    def __init__(self, session: Session):
        self._session = session
        self._cache: dict[str, tuple[bool, Any]] = {}

    def _lookup(self, name: str) -> tuple[bool, Any]:
        if name not in self._cache:
            reply = self._session.request(Op.GET, name=str(name))
            self._cache[name] = (False, None) if reply.get("kind") == Kind.MISSING.value else (True, _value(reply, self._session))
        return self._cache[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._lookup(name)[0]

    def __getitem__(self, name: str) -> Any:
        found, value = self._lookup(name)
        if not found:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:  # the checks read names they know; the namespace is not listed
        return iter(())

    def __len__(self) -> int:
        return 0


