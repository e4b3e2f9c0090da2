"""The ``coproduce`` command.

Sub-commands are looked up in a table and imported only when called, so the counting
commands (``coproduce count …``, ``coproduce select …``) start without importing Django.
Each target module exposes ``main(argv: list[str], prog: str) -> int``.
"""

from __future__ import annotations

import importlib
import sys

# (words of the command) -> (module, one-line help)
COMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("demo",): ("coproduce.demo", "set up and serve the demo borough at http://127.0.0.1:8000"),
    ("manage",): ("coproduce.manage", "run a Django management command (migrate, createsuperuser, …)"),
    ("count", "stv"): ("coproduce.counting.stv.cli", "count single-transferable-vote ballots (BLT files)"),
    ("count", "pb"): ("coproduce.counting.pb.cli", "count a participatory budget (Pabulib .pb files)"),
    ("select",): ("coproduce.counting.sortition.cli", "select a representative panel by sortition"),
}


def _usage() -> str:
    lines = ["usage: coproduce COMMAND [ARGS…]", "", "commands:"]
    for words, (_module, help_text) in COMMANDS.items():
        lines.append(f"  {' '.join(words):<14} {help_text}")
    lines.append("")
    lines.append("Run 'coproduce COMMAND --help' for a command's options.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    for words, (module_name, _help) in sorted(COMMANDS.items(), key=lambda item: -len(item[0])):
        if tuple(args[: len(words)]) == words:
            module = importlib.import_module(module_name)
            return int(module.main(args[len(words) :], prog="coproduce " + " ".join(words)) or 0)
    print(f"coproduce: unknown command {' '.join(args[:2])!r}\n", file=sys.stderr)
    print(_usage(), file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
