#!/usr/bin/env bash
# Set up a development environment: a Python 3.13 virtualenv in .venv with Coproduce and its
# pinned dependencies, and the GOV.UK Frontend assets. Safe to run again; fast when nothing changed.
# Usage: scripts/setup.sh [EXTRAS]   (EXTRAS e.g. "test" or "test,bench"; default none)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

# Letters and notices are rendered to PDF by WeasyPrint, which needs Pango (a Debian package).
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing Pango for PDF letters (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
  else
    echo "Note: install Pango (e.g. sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0) to print letters as PDF." >&2
  fi
fi

find_python() {
  for candidate in "${PYTHON:-}" python3.13 "$(command -v pyenv >/dev/null && pyenv root 2>/dev/null)/versions/3.13"*/bin/python3 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
  python=$(find_python) || { echo "Coproduce needs Python 3.13 (pyenv install 3.13, or your system's python3.13)." >&2; exit 1; }
  echo "==> Creating .venv with $python"
  rm -rf .venv
  "$python" -m venv .venv
fi
stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> Installing Coproduce${extras:+ [$extras]} and its pinned dependencies"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
  .venv/bin/uv pip install --quiet --python .venv/bin/python -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
if [ -x scripts/build-assets.sh ]; then
  scripts/build-assets.sh
fi
