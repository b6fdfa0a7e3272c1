"""The package, tests, benchmarks and hidden tests pass ruff's defect rules (pyproject's [tool.ruff])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_no_defects():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                             "labs", "tests", "bench", "grading", "notebooks", "solutions"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
