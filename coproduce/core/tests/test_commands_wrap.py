"""Commands shown to copy (a recount, a selection to reproduce) wrap on a narrow screen instead of
running off the page: every ``<pre>`` in the templates uses ``app-command``, which the stylesheet wraps."""

from __future__ import annotations

import re
from pathlib import Path

import coproduce

ROOT = Path(coproduce.__file__).parent


def test_every_pre_in_the_templates_wraps():
    unwrapped = [
        f"{path.relative_to(ROOT)}: {tag}"
        for path in ROOT.rglob("*.html")
        for tag in re.findall(r"<pre\b[^>]*>", path.read_text(encoding="utf-8"))
        if "app-command" not in tag
    ]
    assert not unwrapped
    style = (ROOT / "static_src" / "coproduce.scss").read_text(encoding="utf-8")
    rule = re.search(r"\.app-command\s*\{([^}]*)\}", style)
    assert rule and "pre-wrap" in rule.group(1) and "overflow-wrap" in rule.group(1)
