#!/usr/bin/env bash
# One command for a newcomer: set up, build the demo borough (SQLite) and serve it at
# http://127.0.0.1:8000. Extra arguments go to `coproduce demo` (e.g. --port 8001).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/coproduce demo "$@"
