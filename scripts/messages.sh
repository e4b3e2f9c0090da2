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
  -k gettext_lazy -k _lazy -k ngettext_lazy:1,2 -k pgettext_lazy:1c,2 -k npgettext_lazy:1c,2,3 \
  -o "$POT" coproduce

# allauth ships no Welsh: add the strings of the allauth pages we use (log in, sign up, email
# verification, password reset, MFA) to our catalogue, which Django reads first (LOCALE_PATHS).
# Django templates are turned into gettext calls with Django's own templatize, as makemessages does.
COPRODUCE_ENV=development DJANGO_SETTINGS_MODULE=coproduce.config.settings .venv/bin/python - "$POT" <<'PY'
import ast
import re
import sys
from pathlib import Path

import allauth
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

ALLAUTH = Path(allauth.__file__).parent
TEMPLATES = """
account/login.html account/signup.html account/verification_sent.html account/email_confirm.html
account/logout.html account/password_reset.html account/password_reset_done.html
account/password_reset_from_key.html account/password_reset_from_key_done.html account/reauthenticate.html
account/account_inactive.html account/verified_email_required.html account/snippets/already_logged_in.html
account/messages/logged_in.txt account/messages/logged_out.txt account/messages/email_confirmation_sent.txt
account/messages/email_confirmed.txt account/messages/password_changed.txt account/messages/password_set.txt
mfa/authenticate.html mfa/index.html mfa/reauthenticate.html mfa/totp/activate_form.html
mfa/totp/deactivate_form.html mfa/recovery_codes/index.html mfa/recovery_codes/generate.html
mfa/webauthn/add_form.html mfa/webauthn/authenticator_list.html mfa/webauthn/reauthenticate.html
mfa/messages/totp_activated.txt mfa/messages/totp_deactivated.txt mfa/messages/recovery_codes_generated.txt
mfa/messages/webauthn_added.txt
""".split()
# Every email allauth sends (a person who prefers Welsh gets them in Welsh).
TEMPLATES += sorted(
    str(path.relative_to(ALLAUTH / "templates"))
    for folder in ("account/email", "mfa/email")
    for path in (ALLAUTH / "templates" / folder).glob("*.txt")
)
PYTHON = """
account/forms.py account/fields.py account/adapter.py mfa/base/forms.py mfa/totp/forms.py mfa/adapter.py
mfa/webauthn/forms.py mfa/recovery_codes/forms.py
""".split()
# We log in by email only: allauth's username and phone strings never show.
UNUSED = ("phone", "Phone", "Username", "username")
STRING = r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"

found = set()
for name in TEMPLATES:
    text = templatize((ALLAUTH / "templates" / name).read_text())
    found |= {ast.literal_eval(m[0]) for m in re.findall(r"(?<![np])gettext\(" + STRING + r"()\)", text)}
    found |= {tuple(map(ast.literal_eval, m)) for m in re.findall(r"(?<!p)ngettext\(" + STRING + r"\s*,\s*" + STRING, text)}
# Django ships no Welsh for its password rules, which sign-up and password changes show.
import django

DJANGO_AUTH = Path(django.__file__).parent / "contrib" / "auth"
SOURCES = [ALLAUTH / name for name in PYTHON] + [DJANGO_AUTH / "password_validation.py"]
for path in SOURCES:
    with path.open("rb") as source:
        for _line, func, message, _comments in extract_python(source, ["_", "gettext", "gettext_lazy", "ngettext"], [], {}):
            # ngettext's third argument (the count) comes back as None: keep the two texts. Skip
            # pgettext, and calls whose text is not a literal.
            if isinstance(message, tuple):
                message = message[:2]
            parts = message if isinstance(message, tuple) else (message,)
            if func != "pgettext" and all(parts):
                found.add(message)

with open(sys.argv[1], "rb") as pot:
    catalogue = read_po(pot)
for message in found:
    if not any(word in (message if isinstance(message, str) else message[0]) for word in UNUSED):
        if message not in catalogue:
            catalogue.add(message, flags=["python-format"] if "%(" in str(message) else [])
with open(sys.argv[1], "wb") as pot:
    write_po(pot, catalogue, sort_output=True, no_location=True)
PY

if [[ -f "$LOCALE/cy/LC_MESSAGES/django.po" ]]; then
  # No fuzzy matching: a guessed translation is worse than an empty one the test reports.
  "$PYBABEL" update -i "$POT" -d "$LOCALE" -l cy -D django --no-fuzzy-matching --ignore-obsolete --no-wrap
else
  "$PYBABEL" init -i "$POT" -d "$LOCALE" -l cy -D django --no-wrap
fi

"$PYBABEL" compile -d "$LOCALE" -l cy -D django
