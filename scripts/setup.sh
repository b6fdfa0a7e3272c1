#!/usr/bin/env bash
# Set up everything the workbook needs into .venv/ at the repo root. Idempotent: a second run
# only re-installs when pyproject.toml changed. `--test` also installs the Debian packages the
# test suite drives (Chromium for the browser test, nginx to validate the generated proxy config)
# when this machine has apt-get and we may use it; without them those tests skip and say why. It
# also installs the TypeScript examples' npm packages into sdk/node_modules when Node is there.
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

  # The module's TypeScript examples (sdk/): `npm ci` installs exactly what sdk/package-lock.json
  # pins, from npm's cache when it holds them (--prefer-offline), from the registry when not. A stamp
  # of the lock file and the Node version skips it when nothing changed.
  node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>18||(a==18&&b>=19)?1:0)' 2>/dev/null || echo 0)
  if [ "$node_ok" = 1 ] && command -v npm >/dev/null 2>&1; then
    sdk_stamp=sdk/node_modules/.labs-installed
    sdk_want=$( (cat sdk/package-lock.json; node --version) | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$sdk_stamp" 2>/dev/null)" != "$sdk_want" ]; then
      echo "setup: installing the TypeScript examples' packages (npm ci in sdk/)"
      (cd sdk && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
      echo "$sdk_want" > "$sdk_stamp"
    fi
  else
    echo "setup: no Node.js 18.19+ with npm here: the TypeScript examples' tests will skip" \
         "(install it: apt-get install nodejs npm)"
  fi
fi
