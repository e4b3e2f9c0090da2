#!/usr/bin/env bash
# Extract translatable strings (Python and Jinja2), update the Welsh catalogue, compile it.
#
#   scripts/messages.sh          extract → update coproduce/locale/cy/LC_MESSAGES/django.po → compile .mo
#
# Then translate any new empty msgstr in the .po and run it again to compile. The test
# coproduce/core/tests/test_i18n.py fails while a string is missing or untranslated.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
LOCALE=coproduce/locale
POT="$(mktemp --suffix=.pot)"
trap 'rm -f "$POT"' EXIT

"$PYBABEL" extract -F babel.cfg --no-location --sort-output --project=Coproduce \
  -k gettext_lazy -k ngettext_lazy:1,2 -k pgettext_lazy:1c,2 -k npgettext_lazy:1c,2,3 \
  -o "$POT" coproduce

if [[ -f "$LOCALE/cy/LC_MESSAGES/django.po" ]]; then
  # No fuzzy matching: a guessed translation is worse than an empty one the test reports.
  "$PYBABEL" update -i "$POT" -d "$LOCALE" -l cy -D django --no-fuzzy-matching --ignore-obsolete --no-wrap
else
  "$PYBABEL" init -i "$POT" -d "$LOCALE" -l cy -D django --no-wrap
fi

"$PYBABEL" compile -d "$LOCALE" -l cy -D django
