#!/usr/bin/env bash
# One command for the whole test suite, on a fresh machine:
#   1. installs what the machine lacks (PostgreSQL, Chromium: Debian packages, when run as root),
#   2. sets up .venv with the test dependencies and builds the GOV.UK assets,
#   3. lints (ruff) and checks the architecture contracts (import-linter),
#   4. runs the Django tests on SQLite, then the whole suite — counting engines against the
#      real data in ../shared/data, browser journeys in Chromium — on a throwaway PostgreSQL
#      cluster that it starts and removes.
# Extra arguments go to the final pytest run (e.g. -k leisure, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
need=()
[ -n "$(pg_bin)" ] || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing ${need[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" fonts-dejavu-core >/dev/null
  else
    echo "Please install: ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

scripts/setup.sh test

export COPRODUCE_SHARED_DATA="${COPRODUCE_SHARED_DATA:-$root/../shared/data}"
if [ -d "$COPRODUCE_SHARED_DATA" ]; then
  export COPRODUCE_REQUIRE_SHARED_DATA=1   # the data is here: a missing file is a failure, not a skip
else
  echo "==> $COPRODUCE_SHARED_DATA is absent: tests on real data will skip, saying so"
fi
export COPRODUCE_DATA_DIR="$root/.tmp/test-data"
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"

echo "==> ruff"
.venv/bin/ruff check .
echo "==> import-linter"
.venv/bin/lint-imports

echo "==> Django tests on SQLite"
.venv/bin/python -m pytest coproduce/core coproduce/members -q -m "not browser and not postgres" -p no:cacheprovider

echo "==> Starting a throwaway PostgreSQL cluster"
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/coproduce-pg.XXXXXX")
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
bin=$(pg_bin)
"${as_pg[@]}" "$bin/initdb" -D "$pgdir/data" -U coproduce --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cleanup() { "${as_pg[@]}" "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
"${as_pg[@]}" "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-c listen_addresses='' -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
export DATABASE_URL="postgres://coproduce@/coproduce?host=$pgdir"

echo "==> Whole suite on PostgreSQL (engines, Django, browser journeys)"
set +e
.venv/bin/python -m pytest -p no:cacheprovider "$@"
status=$?
set -e
exit $status
