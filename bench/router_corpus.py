"""A pytest plugin that records every text the router's detector and complexity heuristic read during a test run, for
bench/router_diff.py's ``--corpus`` (issue 11 speed work: the prompts the tests build at run time, hypothesis's too).

    PYTHONPATH=$PWD:bench .venv/bin/python -m pytest -q -p router_corpus tests/test_pii*.py tests/test_router*.py
    ROUTER_CORPUS=/tmp/corpus.json (default) is written at exit: a JSON list of the texts, each under 20,000 characters.
"""

from __future__ import annotations

import atexit
import json
import os

import labs.router.complexity as _complexity
import labs.router.pii as _pii

SEEN: set[str] = set()
_normalize, _lower = _pii.normalize, _complexity.lower


def _keep(text) -> None:
    if isinstance(text, str) and len(text) < 20_000:
        SEEN.add(text)


def _recording_normalize(text, *args, **kwargs):
    _keep(text)
    return _normalize(text, *args, **kwargs)


def _recording_lower(text):
    _keep(text)
    return _lower(text)


# a bench tool, loaded only into a recording test run: it wraps the two entry points for that run alone
_pii.normalize = _recording_normalize
_complexity.lower = _recording_lower
atexit.register(lambda: open(os.environ.get("ROUTER_CORPUS", "/tmp/corpus.json"), "w").write(json.dumps(sorted(SEEN))))
