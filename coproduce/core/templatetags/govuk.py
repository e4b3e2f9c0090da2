"""Django template tags that let allauth's pages (Django templates) wear the Jinja2 layout.

``{% govuk_page %}title{% govuk_page_content %}body{% end_govuk_page %}`` renders both parts
with Django, then hands them to the Jinja2 template ``allauth_page.html`` (which extends
``layout.html``), so the layout exists once. ``{% govuk_field field %}`` renders one form
field with GOV.UK Frontend markup for allauth's ``fields`` element.
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

# Widget types that need the checkbox markup rather than a text input.
_CHECKBOX_TYPES = {"checkbox"}


class GovukPageNode(template.Node):
    # Named so that {% block %} tags inside are found by template inheritance.
    child_nodelists = ("title_nodelist", "content_nodelist")

    def __init__(self, title_nodelist, content_nodelist):
        self.title_nodelist = title_nodelist
        self.content_nodelist = content_nodelist

    def render(self, context):
        title = " ".join(self.title_nodelist.render(context).split())
        form = context.get("form")
        if getattr(form, "errors", None):
            # GOV.UK pattern: a page showing errors says so first in its title, for screen readers.
            title = f"{_error_prefix()} {title}"
        content = self.content_nodelist.render(context)
        page = engines["jinja2"].get_template("allauth_page.html")
        # Both parts are Django's output, escaped already; SafeString has __html__, which Jinja respects.
        parts = {"title": mark_safe(title), "content": mark_safe(content)}  # noqa: S308
        return page.render(parts, context.get("request"))


@register.tag("govuk_page")
def govuk_page(parser, token):
    title = parser.parse(("govuk_page_content",))
    parser.delete_first_token()
    content = parser.parse(("end_govuk_page",))
    parser.delete_first_token()
    return GovukPageNode(title, content)


@register.simple_tag
def govuk_field(field, unlabeled=False):
    """One bound field as a GOV.UK form group: label, hint, inline error, input.

    ``unlabeled`` is allauth's wish for placeholder-only inputs; we keep the label visible
    anyway, because a placeholder is not a label (WCAG 3.3.2).
    """
    if field.is_hidden:
        return field.as_widget()
    widget_id = field.auto_id
    described = []
    hint = error = ""
    if field.help_text:
        described.append(f"{widget_id}-hint")
        hint = format_html('<div id="{}-hint" class="govuk-hint">{}</div>', widget_id, mark_safe(field.help_text))  # noqa: S308 - allauth's own help text
    if field.errors:
        described.append(f"{widget_id}-error")
        error = format_html(
            '<p id="{}-error" class="govuk-error-message"><span class="govuk-visually-hidden">{}</span> {}</p>',
            widget_id,
            _error_prefix(),
            " ".join(field.errors),
        )
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    group_class = "govuk-form-group govuk-form-group--error" if field.errors else "govuk-form-group"
    if field.widget_type in _CHECKBOX_TYPES:
        attrs["class"] = "govuk-checkboxes__input"
        return format_html(
            '<div class="{}">{}{}<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">{}'
            '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label>'
            "</div></div></div>",
            group_class,
            hint,
            error,
            field.as_widget(attrs=attrs),
            widget_id,
            field.label,
        )
    css = "govuk-input govuk-input--error" if field.errors else "govuk-input"
    attrs["class"] = css
    return format_html(
        '<div class="{}"><label class="govuk-label" for="{}">{}</label>{}{}{}</div>',
        group_class,
        widget_id,
        field.label,
        hint,
        error,
        field.as_widget(attrs=attrs),
    )


@register.simple_tag
def govuk_error_summary(form):
    """The error summary for an allauth form: each error links to its field."""
    if not form or not form.errors:
        return ""
    items = [(None, error) for error in form.non_field_errors()]
    items += [(f"#{field.auto_id}", error) for field in form if not field.is_hidden for error in field.errors]
    rows = format_html_join(
        "",
        "<li>{}</li>",
        ((format_html('<a href="{}">{}</a>', href, error) if href else error,) for href, error in items),
    )
    return format_html(
        '<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert">'
        '<h2 class="govuk-error-summary__title">{}</h2><div class="govuk-error-summary__body">'
        '<ul class="govuk-list govuk-error-summary__list">{}</ul></div></div></div>',
        _problem_title(),
        rows,
    )


def _error_prefix() -> str:
    from django.utils.translation import gettext

    return gettext("Error:")


def _problem_title() -> str:
    from django.utils.translation import gettext

    return gettext("There is a problem")
