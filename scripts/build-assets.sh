#!/usr/bin/env bash
# Build the front-end assets into coproduce/static/coproduce/ (generated; not committed).
#
# Idempotent and fast when nothing changed: `npm ci` runs only when package-lock.json is newer
# than node_modules, and Sass runs only when a source is newer than the compiled CSS.
# Uses the npm registry only (through npm itself).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

OUT="coproduce/static/coproduce"
CSS="$OUT/coproduce.css"
FRONTEND="node_modules/govuk-frontend/dist/govuk"
STAMP="node_modules/.coproduce-installed"

if [[ ! -f "$STAMP" || package-lock.json -nt "$STAMP" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$STAMP"
fi

mkdir -p "$OUT"

# Recompile when any of our Sass sources or the installed govuk-frontend is newer than the CSS.
if [[ ! -f "$CSS" || -n "$(find coproduce/static_src "$STAMP" -newer "$CSS" -print -quit)" ]]; then
  node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
    --load-path=node_modules coproduce/static_src/coproduce.scss "$CSS"
fi

# govuk-frontend's JavaScript (an ES module). We copy no images: the GOV.UK crown, crest and
# icons are for GOV.UK services only.
cp -u "$FRONTEND/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
