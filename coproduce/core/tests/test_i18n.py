"""The committed Welsh catalogue is complete, translated, and compiled from the current .po."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "coproduce" / "locale" / "cy" / "LC_MESSAGES"
KEYWORDS = [
    "-k",
    "gettext_lazy",
    "-k",
    "_lazy",
    "-k",
    "ngettext_lazy:1,2",
    "-k",
    "pgettext_lazy:1c,2",
    "-k",
    "npgettext_lazy:1c,2,3",
]


def _catalogue():
    with (LOCALE / "django.po").open("rb") as po:
        return read_po(po)


def _ids(catalogue) -> set:
    return {(message.context, message.id) for message in catalogue if message.id}


def _entries(catalogue) -> dict:
    """msgid → translation(s), comparable whichever way the catalogue was read."""
    return {str(m.id): tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string for m in catalogue if m.id}


def test_every_extracted_string_is_in_the_catalogue(tmp_path):
    # The same extraction as scripts/messages.sh (Python and Jinja2 through babel.cfg).
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            *KEYWORDS,
            "-o",
            pot,
            "coproduce",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as template:
        extracted = _ids(read_po(template))
    missing = extracted - _ids(_catalogue())
    assert not missing, f"run scripts/messages.sh and translate: {sorted(map(str, missing))[:20]}"


def test_every_entry_has_a_welsh_translation():
    untranslated = [
        message.id
        for message in _catalogue()
        if message.id
        and (message.fuzzy or not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    assert not untranslated, untranslated


def test_the_compiled_catalogue_matches_the_po():
    catalogue = _catalogue()
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    with (LOCALE / "django.mo").open("rb") as committed:
        expected = _entries(read_mo(compiled))
        actual = _entries(read_mo(committed))
    assert actual == expected, "django.mo is stale: run scripts/messages.sh"


def test_every_name_given_to_gettext_is_extracted():
    """A module importing gettext under another name (``_lazy``) has its strings found only if
    the extraction knows that name: otherwise they are never translated, and no test notices."""
    import re

    names = {"_", "gettext", "ngettext", "pgettext"} | set(KEYWORDS[1::2])
    aliases = {
        (path.relative_to(ROOT).as_posix(), alias)
        for path in (ROOT / "coproduce").rglob("*.py")
        for alias in re.findall(r"import (?:n|p|np)?gettext(?:_lazy)? as (\w+)", path.read_text(encoding="utf-8"))
    }
    assert not {item for item in aliases if item[1].split(":")[0] not in {n.split(":")[0] for n in names}}
    assert "-k _lazy" in (ROOT / "scripts" / "messages.sh").read_text(encoding="utf-8")
