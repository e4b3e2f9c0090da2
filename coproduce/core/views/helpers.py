"""Small helpers every app's views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def call_service(form: forms.Form, service: Callable[..., Any], /, *, field: str | None = None, **kwargs: Any) -> Any:
    """Call a service; if it refuses, put its message on ``form`` (on ``field``, or the whole form).

    Services raise ``ValidationError`` with a message fit for the person and write nothing, so
    the view can show the form again with the reason. Returns the service's result, or None.
    """
    try:
        return service(**kwargs)
    except ValidationError as error:
        form.add_error(field, error)
        return None


def as_id(value: Any) -> int | None:
    """``value`` (a query or form field) as a row id or number, or None when it is not one.

    ``str.isdigit`` alone lets through digits such as "²" or "٣" that ``int`` and the database
    refuse, and numbers longer than a database integer holds: both would end in a 500.
    """
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
