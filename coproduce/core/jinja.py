"""The Jinja2 environment for Coproduce's pages (``TEMPLATES[0]["OPTIONS"]["environment"]``).

Templates come from each app's ``jinja2/`` folder (Django's loader) and from the
govuk-frontend-jinja package under the ``govuk_frontend_jinja/`` prefix, the import path its
documentation uses: ``{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csp import get_nonce
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import formats, timezone, translation
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, pass_context, select_autoescape
from markupsafe import escape

from . import registry
from .charts import line_chart

# Language codes as they appear in the language switch: each named in its own language.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """``reverse`` for templates: ``url("core:organisation", slug=org.slug)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def csp_nonce(context) -> str:
    """The request's CSP nonce, for our one inline script (empty when there is no request, e.g. a 500)."""
    request = context.get("request")
    nonce = get_nonce(request) if request is not None else None
    # LazyNonce is falsy until first read, so test for None rather than truth.
    return str(nonce) if nonce is not None else ""


def other_language() -> str:
    """The language the switch offers: Welsh from English and English from Welsh."""
    return "en" if translation.get_language() == "cy" else "cy"


@pass_context
def language_switch_url(context, language: str) -> str:
    """This page in ``language`` (URLs carry a ``/cy/`` prefix for Welsh; English has none)."""
    request = context.get("request")
    if request is None:
        return "/cy/" if language == "cy" else "/"
    return translate_url(request.get_full_path(), language)


@pass_context
def navigation(context) -> list[dict[str, Any]]:
    """Service navigation items from the feature registry, as govukServiceNavigation wants them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    path = request.path if request is not None else ""
    items = [{"href": reverse("core:home"), "text": translation.gettext("Home"), "active": False}]
    if request is not None and _has_work(request):
        items.append({"href": reverse("core:work"), "text": translation.gettext("Your work"), "active": False})
    items += [
        {"href": reverse(item.url_name), "text": str(item.label), "active": False}
        for item in registry.navigation(authenticated=bool(user and user.is_authenticated))
    ]
    # The most specific link that the current path starts with is the active one; Home only on itself
    # (every path starts with "/", and a page with no link of its own is not "Home").
    home = items[0]["href"]
    matches = (
        item for item in items if path == item["href"] or (item["href"] != home and path.startswith(item["href"]))
    )
    best = max(matches, key=lambda i: len(i["href"]), default=None)
    if best is not None:
        best["active"] = True
    return items


def _has_work(request) -> bool:
    """Whether the signed-in person holds a role (asked once per request, for the service navigation)."""
    from .selectors import has_work

    if not hasattr(request, "_coproduce_has_work"):
        user = getattr(request, "user", None)
        request._coproduce_has_work = bool(user is not None and has_work(user))
    return request._coproduce_has_work


def organisation_url(organisation) -> str | None:
    """The page for one organisation, from the registry (None when no feature app offers one)."""
    url_name = registry.organisation_page()
    return reverse(url_name, kwargs={"slug": organisation.slug}) if url_name else None


@pass_context
def page_messages(context) -> list:
    """Django's messages for this request (read once, so they are shown once)."""
    request = context.get("request")
    return list(get_messages(request)) if request is not None else []


def page_url(request, number: int) -> str:
    """A link to page ``number`` of a list, keeping the filters in the query string."""
    query = request.GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


def pounds(pence: int | None) -> str:
    """Format pence as pounds: 100 → "£1.00"."""
    return f"£{(pence or 0) / 100:,.2f}"


def long_date(value, time: bool = True) -> str:
    """A date as people write it, in the page's language: "4 December 2026", "4 Rhagfyr 2026".

    A moment (a datetime) reads in the site's time zone with its time: "4 December 2026, 10:41";
    ``value | long_date(time=false)`` gives its date alone.
    """
    if not value:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if time:
            return formats.date_format(value, "j F Y, H:i")
    return formats.date_format(value, "j F Y")


class SiteName:
    """The name of the council that runs the site (``COPRODUCE_SITE_NAME``), read when shown.

    A Jinja global that reads as text (``{{ site_name }}``, ``"x – " ~ site_name``) and follows the
    setting as tests change it.
    """

    def __str__(self) -> str:
        return site_name_text()

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __call__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return True


def site_name_text() -> str:
    return getattr(settings, "COPRODUCE_SITE_NAME", "") or "Coproduce"


def site_logo() -> str:
    """The URL of the council's logo (``COPRODUCE_LOGO``: a static path or a URL), or "" for none."""
    logo = (getattr(settings, "COPRODUCE_LOGO", "") or "").strip()
    if not logo:
        return ""
    if logo.startswith(("https://", "http://", "/")):
        return logo
    return static(logo)


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend uses."""
    app_loader = options.pop("loader", None)
    options.pop("autoescape", None)  # whatever a setting says: on for every page, off only for plain text
    # Plain-text templates (emails' subjects and bodies) are not HTML: escaping them would send
    # "Meinciau&#39;r gamlas" for "Meinciau'r gamlas".
    env = Environment(
        autoescape=select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        **options,
    )
    # Django's backend gives us a FileSystemLoader over every app's jinja2/ folder.
    loaders = [
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
    ]
    if app_loader is not None:
        loaders.insert(0, app_loader)
    env.loader = ChoiceLoader(loaders)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.globals.update(
        url=url,
        static=static,
        csp_nonce=csp_nonce,
        get_language=translation.get_language,
        other_language=other_language,
        language_names=LANGUAGE_NAMES,
        language_switch_url=language_switch_url,
        navigation=navigation,
        organisation_url=organisation_url,
        page_messages=page_messages,
        page_url=page_url,
        pgettext=translation.pgettext,
        site_name=SiteName(),
        site_logo=site_logo,
        line_chart=line_chart,
        audit_action_label=registry.audit_action_label,
    )
    env.filters["pounds"] = pounds
    env.filters["long_date"] = long_date
    return env
