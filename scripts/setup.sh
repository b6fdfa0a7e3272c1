#!/usr/bin/env bash
# Set up everything the workbook needs into .venv/ at the repo root. Idempotent: a second run
# only re-installs when pyproject.toml changed. `--test` also installs the Debian packages the
# test suite drives (Chromium for the browser test, nginx to validate the generated proxy config)
# when this machine has apt-get and we may use it; without them those tests skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi

stamp=.venv/.labs-installed
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing the labs package and its dependencies (llama-cpp-python compiles from source: ~5 min the first time)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  CMAKE_BUILD_PARALLEL_LEVEL=$(nproc 2>/dev/null || echo 2) .venv/bin/python -m pip install --quiet -e '.[test]'
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  while read -r pkg bin; do
    [ -z "$pkg" ] || [ "${pkg:0:1}" = "#" ] && continue
    command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
  done < scripts/apt-packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      echo "setup: installing Debian packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: not installing ${missing[*]} (needs apt-get as root); the tests that use them will skip"
    fi
  fi
fi
