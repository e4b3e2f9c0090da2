"""Small helpers every app's views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ..forms import service_error_on


def call_service(form: forms.Form, service: Callable[..., Any], /, *, field: str | None = None, **kwargs: Any) -> Any:
    """Call a service; if it refuses, put its message on ``form`` and return None.

    Services raise ``ValidationError`` with a message fit for the person and write nothing, so
    the view can show the form again with the reason. The refusal goes on ``field`` when given;
    otherwise beside the field it names (the form's ``add_service_error`` where it maps them,
    else ``core.forms.service_error_on``), or at the top of the form. Returns the service's result.
    """
    try:
        return service(**kwargs)
    except ValidationError as error:
        if field is not None:
            form.add_error(field, error.messages)
        elif hasattr(form, "add_service_error"):
            form.add_service_error(error)
        else:
            service_error_on(form, error)
        return None


def messages_of(error: ValidationError) -> list[str]:
    """A service's refusal as the lines of an error summary."""
    return [str(message) for message in error.messages]


def as_id(value: Any) -> int | None:
    """``value`` (a query or form field) as a row id or number, or None when it is not one.

    ``str.isdigit`` alone lets through digits such as "²" or "٣" that ``int`` and the database
    refuse, and numbers longer than a database integer holds: both would end in a 500.
    """
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
