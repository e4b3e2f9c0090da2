"""Errors shared by the counting engines and their file readers."""

from __future__ import annotations


class CountingError(Exception):
    """Base class: every error an engine or reader raises on purpose."""


class InputError(CountingError):
    """Input that cannot be read or counted, located as precisely as we can.

    ``str(error)`` reads ``FILE:LINE: reason`` (or ``FILE: reason`` without a line) so the
    command-line tools can print it as it is, like a compiler would.
    """

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"

    def located(self, *, file: str) -> InputError:
        """The same error, naming ``file`` (for readers that parse text without a name)."""
        return InputError(self.reason, file=file, line=self.line)
