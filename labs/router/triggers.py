"""One pass over a prompt that finds every trigger literal of the router's detectors (lesson 3; issue 11's time to
decide).

A regex scan of 2 KB costs ~15-100 us even when it finds nothing: Python's ``re`` runs its matcher at each position a
pattern could start at, and a list of 1,400 health stems or 160 complexity cues can start at almost any letter. Many
detectors' regexes, though, start every match with one of a few literal strings (:func:`trigger_literals`, read off
the pattern itself). An Aho-Corasick automaton (the ``ahocorasick_rs`` package, a Rust matcher: ~25 us for 2 KB in
a warm loop where ``pyahocorasick``'s took ~100; ~80 us inside a route, whose other work leaves the caches cold) over
all those strings finds every occurrence of every one in one pass over the lower-cased prompt; each detector then runs its
regex only where one of its own literals stands (:meth:`Triggers.finditer`): the same matches as a full scan, since a
match can start nowhere else, and ``rx.match`` at a position reads the text exactly as a scan does there. (Each
literal is cut at 5 characters: long enough to be rare, and the expansion stays small.) A text that only one
detector reads (the complexity heuristic's prompt as typed, when the detectors read its normalised view) is read
by a :class:`Group`, a small automaton of that detector's sets alone.

>>> import re
>>> rx = re.compile(r"(?<!\\w)(?:diabet\\w*|asthma|a[+\\-] blood)(?!\\w)")
>>> trigger_literals(rx)
('diabe', 'asthm', 'a+ bl', 'a- bl')
>>> lits = Literals(rx)
>>> [m.group() for m in triggers("diabetes, asthma, prediabetes").finditer(rx, lits)]
['diabetes', 'asthma']
"""

from __future__ import annotations

import bisect
import re
import threading
from typing import Any, Iterable

from labs.router.textscan import without_surrogates

_ZERO_WIDTH_OPS = ("ASSERT", "ASSERT_NOT", "AT")
_MOST_WAYS = 8192  # literal expansions followed before a pattern counts as having no usable literals
_LONG_ENOUGH = 5  # a literal this long is specific enough: the expansion stops there (it would multiply the ways)
_CLASS_MOST = 8
_DENSE = 16  # more than one place a literal stands per this many characters: the plain scan is used  # a class of at most this many literal characters is expanded ("[+\\-−]" -> "+", "-", "−")


def trigger_literals(rx: re.Pattern, most: int = 4096) -> tuple[str, ...] | None:
    """Non-empty strings one of which every match of ``rx`` STARTS with, read off the pattern, or None.

    Zero-width items (lookarounds, anchors) are skipped: they consume nothing. Small classes of literal characters and
    optional items are expanded ("п['’]?ят" -> "п'ят", "п’ят", "пят"), a branch gives each alternative's strings, a
    repeat of at least one gives its body's. None when some way to match starts with no literal (a class such as
    ``\\d``, a group or pattern that ignores case), or more than ``most`` strings would be needed. A string that
    another one of the set begins is dropped (its places are among the shorter one's).
    """
    if rx.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser

        ways = _seq(list(_parser.parse(rx.pattern, rx.flags).data))
    except _TooMany:
        return None
    except Exception:  # noqa: BLE001 - any parser difference: no literals, never wrong ones
        return None
    out = {s for s, _ in ways}
    if not out or "" in out:
        return None
    minimal = _minimal(out)
    if len(minimal) > most:
        return None
    order = {s: i for i, s in enumerate(s for s, _ in ways)}  # the pattern's own order, for readable output
    return tuple(sorted(minimal, key=lambda s: order.get(s, 0)))


def _minimal(words: Iterable[str]) -> list[str]:
    """``words`` less each one that another of them begins."""
    kept: set[str] = set()
    for w in sorted(words, key=len):
        if not any(w[:k] in kept for k in range(1, len(w))):
            kept.add(w)
    return list(kept)


class _TooMany(Exception):
    pass


def _seq(items: list) -> list[tuple[str, bool]]:
    """The ways a sequence of parsed regex items can start: (literal text, open), open when the text is the whole
    sequence so far (a literal after it may be appended)."""
    from re import _constants as c

    zero = tuple(getattr(c, name) for name in _ZERO_WIDTH_OPS)
    ways: list[tuple[str, bool]] = [("", True)]
    for op, av in items:
        if op in zero:
            continue
        item = _item(op, av)
        new: dict[tuple[str, bool], None] = {}
        for s, is_open in ways:
            if not is_open:
                new[(s, False)] = None
                continue
            for t, o in item:
                new[(s + t, o and len(s + t) < _LONG_ENOUGH)] = None
        if len(new) > _MOST_WAYS:
            raise _TooMany
        ways = list(new)
        if not any(o for _, o in ways):
            break
    return ways


def _item(op: Any, av: Any) -> list[tuple[str, bool]]:
    from re import _constants as c

    if op is c.LITERAL:
        return [(chr(av), True)]
    if op is c.IN:
        if len(av) <= _CLASS_MOST and all(o is c.LITERAL for o, _ in av):
            return [(chr(v), True) for _, v in av]
        return [("", False)]
    if op is c.SUBPATTERN:
        if av[1] or av[2]:  # a group with flags of its own (case): no literal is safe
            return [("", False)]
        return _seq(list(av[3].data))
    if op is c.BRANCH:
        return [w for alt in av[1] for w in _seq(list(alt.data))]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        lo, hi, body = av
        inner = _seq(list(body.data))
        if lo == 0 and hi == 1:
            return [("", True), *inner]
        if lo == 1 and hi == 1:
            return inner
        if lo >= 1:
            return [(s, False) for s, _ in inner]
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _seq(list(av.data))
    return [("", False)]


class Literals:
    """A detector's trigger set: :func:`trigger_literals` of ``rx``, read when first needed. Every instance made
    before the first prompt is read goes into the one automaton; one made later is looked up with ``str.find``.

    ``cased``: ``rx`` reads the text as typed, not lower-cased (``"St"``, ``"Пл"``): its literals are looked up lower-cased
    (the lower-cased view has the same length, each character lower-cased in place), so each character of theirs must
    lower-case to one character, whatever stands around it (no "İ", no "Σ")."""

    _all: list["Literals"] = []

    def __init__(self, rx: re.Pattern, most: int = 4096, cased: bool = False) -> None:
        self.rx, self.most, self.cased = rx, most, cased
        self._lits: tuple[str, ...] | None = None
        self._slot: int | None = None  # its place in the automaton's values, once built
        Literals._all.append(self)

    @property
    def literals(self) -> tuple[str, ...]:
        if self._lits is None:
            lits = trigger_literals(self.rx, self.most)
            if lits is None:
                raise ValueError(f"pattern {self.rx.pattern[:60]!r}…: some match starts with no literal")
            if self.cased:
                odd = {ch for w in lits for ch in w if len(ch.lower()) != 1 or ch in "Σ"}
                if odd:
                    raise ValueError(f"pattern {self.rx.pattern[:60]!r}…: {sorted(odd)} lower-case to other lengths")
                kept = set(_minimal(w.lower() for w in lits))
                lits = tuple(dict.fromkeys(w.lower() for w in lits if w.lower() in kept))
            self._lits = lits
        return self._lits


def any_of(strings: Iterable[str]) -> Literals:
    """The trigger set of "one of ``strings`` occurs" (a substring gate): ``triggers(low).contains(any_of(keys))`` is
    ``any(k in low for k in keys)``, one look-up instead of a substring scan of the prompt for each key."""
    return Literals(re.compile("|".join(map(re.escape, strings))))


_lock = threading.Lock()
_automaton: "_Matcher | None" = None  # the one automaton over every set made before the first prompt was read
_in_automaton: frozenset[str] = frozenset()


class _Matcher:
    """An automaton over the literals of ``sets``, and for each literal (by its index) the slots of its sets (a set's
    slot: its place in ``sets``)."""

    def __init__(self, sets: list[Literals]) -> None:
        import ahocorasick_rs

        owners: dict[str, list[int]] = {}
        for k, lits in enumerate(sets):
            for w in lits.literals:
                owners.setdefault(w, []).append(k)
        # Standard match kind with overlapping=True reports every occurrence of every literal (as a scan would find
        # each start); the indexes it returns are character offsets in the str
        self.automaton = ahocorasick_rs.AhoCorasick(list(owners), matchkind=ahocorasick_rs.MatchKind.Standard)
        self.owners = [tuple(ks) for ks in owners.values()]
        self.slots = len(sets)
        self.literals = frozenset(owners)

    def hits(self, low: str) -> list[list[int]]:
        """Per slot, where one of its set's literals starts in ``low`` (the automaton's order)."""
        per: list[list[int]] = [[] for _ in range(self.slots)]
        owners = self.owners
        try:
            matches = self.automaton.find_matches_as_indexes(low, overlapping=True)
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" from a JSON body): the matcher reads UTF-8
            # one character for each, so every position stays; no literal holds a surrogate (issue 11 r14)
            matches = self.automaton.find_matches_as_indexes(without_surrogates(low), overlapping=True)
        for which, start, _end in matches:
            for k in owners[which]:
                per[k].append(start)
        return per


def _build() -> None:
    """The one automaton over every set's literals; each set learns its slot in it."""
    global _automaton, _in_automaton

    with _lock:
        if _automaton is not None:
            return
        sets = list(Literals._all)
        matcher = _Matcher(sets)
        for k, lits in enumerate(sets):
            lits._slot = k
        _in_automaton = matcher.literals
        _automaton = matcher


class Group:
    """A small automaton of its own over a few sets (which stay in the one automaton too), for a text that only their
    detector reads: one pass over 160 literals costs a fraction of a pass over all 2,400 (issue 11 r15: ~15 us for
    2 KB, not ~50, and far less memory to bring back into the cache inside a route). :meth:`triggers` answers as
    :func:`triggers` does: the same matches, since either automaton reports every occurrence of these literals."""

    def __init__(self, *sets: Literals) -> None:
        self.sets = sets
        self._matcher: _Matcher | None = None
        self._slots = {id(lits): k for k, lits in enumerate(sets)}

    def triggers(self, low: str) -> "Triggers":
        """The :class:`Triggers` of ``low`` for this group's sets: the prompt's shared one when a detector has made it
        already (its pass is paid for), else one whose pass is this group's own (not kept: the caller holds it)."""
        for text, t in _recent:
            if text == low:
                return t
        if self._matcher is None:
            with _lock:
                if self._matcher is None:
                    self._matcher = _Matcher(list(self.sets))
        return Triggers(low, group=self)

    def slot(self, lits: Literals) -> int | None:
        return self._slots.get(id(lits))


class Triggers:
    """Where each trigger literal stands in one lower-cased prompt ``low`` (one automaton pass, at the first
    question). :meth:`finditer` / :meth:`search` equal ``rx.finditer`` / ``rx.search`` on ``low``."""

    def __init__(self, low: str, scan: bool = False, group: Group | None = None) -> None:
        self.low = low
        self.scan = scan  # answer with the plain scans, no pass (see scan_only)
        self.group = group  # whose automaton makes the pass (None: the one over every set)
        self._per: list[list[int]] | None = None  # per slot: where one of its set's literals starts
        self._starts: dict[int, list[int]] = {}

    def _hits(self) -> list[list[int]]:
        if self._per is None:
            if self.group is not None:
                self._per = self.group._matcher.hits(self.low)
            else:
                if _automaton is None:
                    _build()
                self._per = _automaton.hits(self.low)
        return self._per

    def _slot(self, lits: Literals) -> int | None:
        return lits._slot if self.group is None else self.group.slot(lits)

    def starts(self, lits: Literals) -> list[int]:
        """Sorted positions in ``low`` where one of ``lits``' strings starts (every occurrence, overlaps included)."""
        key = id(lits)
        got = self._starts.get(key)
        if got is not None:
            return got
        if _automaton is None:
            _build()
        slot = self._slot(lits)
        if slot is not None:  # no two of a set's literals start at one place: none begins another
            got = sorted(self._hits()[slot])
        else:  # a set made after the automaton was built, or outside this pass's group
            got = sorted(self._find(lits.literals))
        self._starts[key] = got
        return got

    def _find(self, want: tuple[str, ...]) -> set[int]:
        at: set[int] = set()
        for w in want:
            i = self.low.find(w)
            while i >= 0:
                at.add(i)
                i = self.low.find(w, i + 1)
        return at

    def finditer(self, rx: re.Pattern, lits: Literals, pos: int = 0, endpos: int | None = None,
                 text: str | None = None) -> list[re.Match]:
        """``list(rx.finditer(low, pos, endpos))``, tried only where one of ``lits`` (every match of ``rx`` starts with
        one) stands; each search resumes where the last match ended, as a scan does. ``text``: the text as typed, for
        a ``cased`` set (``low`` is its lower-cased view)."""
        subject = self.low if text is None else text
        endpos = len(self.low) if endpos is None else endpos
        if self.scan:
            return list(rx.finditer(subject, pos, endpos))
        at = self.starts(lits)
        lo, hi = bisect.bisect_left(at, pos), bisect.bisect_left(at, endpos)
        if (hi - lo) * _DENSE > endpos - pos:  # a literal every few characters: the scan is faster than each match
            return list(rx.finditer(subject, pos, endpos))
        out: list[re.Match] = []
        resume = pos
        for i in at[lo:hi]:
            if i >= resume and (m := rx.match(subject, i, endpos)) is not None:
                out.append(m)
                resume = m.end()  # a match holds its literal: never empty
        return out

    def search(self, rx: re.Pattern, lits: Literals, pos: int = 0, endpos: int | None = None,
               text: str | None = None) -> re.Match | None:
        """``rx.search(low, pos, endpos)`` (on ``text`` for a ``cased`` set), tried only where one of ``lits`` stands."""
        subject = self.low if text is None else text
        endpos = len(self.low) if endpos is None else endpos
        if self.scan:
            return rx.search(subject, pos, endpos)
        at = self.starts(lits)
        lo, hi = bisect.bisect_left(at, pos), bisect.bisect_left(at, endpos)
        if (hi - lo) * _DENSE > endpos - pos:
            return rx.search(subject, pos, endpos)
        for i in at[lo:hi]:
            if (m := rx.match(subject, i, endpos)) is not None:
                return m
        return None

    def contains(self, lits: Literals) -> bool:
        """Does ``low`` hold a match of ``lits.rx`` (for :func:`any_of`: one of its strings)?"""
        return self.search(lits.rx, lits) is not None

    def search_slice(self, rx: re.Pattern, lits: Literals, lo: int, hi: int) -> re.Match | None:
        """``rx.search(low[lo:hi])`` (positions in the slice: a lookbehind or an anchor sees the slice's ends), tried
        only where one of ``lits`` stands: a literal wholly inside the slice stands at the same place in ``low``."""
        lo, hi = max(0, lo), min(len(self.low), hi)
        part = self.low[lo:hi]
        if self.scan:
            return rx.search(part)
        at = self.starts(lits)
        first, last = bisect.bisect_left(at, lo), bisect.bisect_left(at, hi)
        if (last - first) * _DENSE > hi - lo:
            return rx.search(part)
        for i in at[first:last]:
            if (m := rx.match(part, i - lo)) is not None:
                return m
        return None


_KEPT = 4  # a prompt is read in up to 4 lower-cased forms (the view, its plain reading, the text as typed, the prompt)
_recent: tuple[tuple[str, Triggers], ...] = ()


def triggers(low: str) -> Triggers:
    """The :class:`Triggers` of ``low``: the detectors of one prompt share one (the last few are kept)."""
    global _recent
    recent = _recent
    for text, t in recent:
        if text == low:
            return t
    t = Triggers(low)
    _recent = ((low, t), *recent[: _KEPT - 1])
    return t


def scan_only(low: str) -> None:
    """Let the detectors read ``low`` with their plain scans, no automaton pass: for a short text read for one or two
    kinds only (a pass costs about what those scans cost, and it would push a prompt's own pass out of the cache)."""
    global _recent
    if not any(text == low for text, _ in _recent):
        _recent = (*_recent[: _KEPT - 1], (low, Triggers(low, scan=True)))
