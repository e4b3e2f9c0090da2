"""What members gives the core's workspaces through the registry (``apps.py`` registers them):
a person's home, the workspace hub's lines for an organisation, the council's programme
sections, and the audit trail's actions in words.

Each hook runs a fixed number of queries whatever the number of members.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from coproduce.core.jinja import pounds
from coproduce.core.registry import Section, Table, WorkItem

from . import selectors
from .models import MembershipStatus

# Every action members services write, in words people use (the audit trail, a member's history).
AUDIT_ACTIONS = {
    "membership_rules.update": gettext_lazy("Changed the membership rules"),
    "membership.apply": gettext_lazy("Applied to join"),
    "membership.admit": gettext_lazy("Admitted a member"),
    "membership.refuse": gettext_lazy("Refused an application"),
    "membership.withdraw_application": gettext_lazy("Withdrew an application"),
    "membership.cease": gettext_lazy("Ended a membership"),
    "membership.email_use": gettext_lazy("Changed what a member's email may be used for"),
    "membership.correct_details": gettext_lazy("Corrected a member's name or address"),
    "share.purchase": gettext_lazy("Bought shares"),
    "share.withdraw": gettext_lazy("Withdrew shares"),
    "share.payment": gettext_lazy("Recorded a payment"),
    "register.export": gettext_lazy("Exported the register"),
    "stakeholder_class.update": gettext_lazy("Changed a class of membership"),
}


def _date(value) -> str:
    return formats.date_format(value, "j F Y")


def home_items(user) -> list[WorkItem]:
    """A person's memberships and what needs them: a share to pay for, an application waiting."""
    items = []
    for membership in selectors.memberships_for_person(user=user):
        organisation = membership.organisation
        url = reverse("members:membership", kwargs={"membership_id": membership.pk})
        if membership.status == MembershipStatus.APPLIED:
            items.append(
                WorkItem(
                    _("Your application to join %(organisation)s is waiting for a decision")
                    % {"organisation": organisation.name},
                    url,
                    hint=_("Applied on %(date)s, reference %(reference)s")
                    % {"date": _date(membership.applied_at), "reference": membership.reference},
                )
            )
        elif membership.status == MembershipStatus.ADMITTED:
            if membership.owed_pence:
                items.append(
                    WorkItem(
                        _("Pay %(amount)s for your share in %(organisation)s")
                        % {"amount": pounds(membership.owed_pence), "organisation": organisation.name},
                        url,
                        urgent=True,
                        hint=ngettext(
                            "You owe for %(num)d share until the secretary records your payment.",
                            "You owe for %(num)d shares until the secretary records your payment.",
                            membership.owed_shares,
                        )
                        % {"num": membership.owed_shares},
                    )
                )
            items.append(
                WorkItem(
                    _("You are a member of %(organisation)s") % {"organisation": organisation.name},
                    url,
                    hint=ngettext("%(num)d share", "%(num)d shares", membership.shares_held)
                    % {"num": membership.shares_held},
                )
            )
    return items


def workspace_items(user, organisation) -> list[WorkItem]:
    """For someone with a role in ``organisation``: what waits for them, and where to work on it."""
    if not user.has_perm("members.view_workspace", organisation):
        return []
    slug = organisation.slug
    data = selectors.workspace_summary(user=user, organisation=organisation)
    items = [
        WorkItem(
            _("Applications waiting for a decision"),
            reverse("members:workspace", kwargs={"slug": slug}) + "#applications",
            count=data.applications,
            urgent=bool(data.applications),
        ),
        WorkItem(
            _("Members who owe for shares"),
            reverse("members:workspace", kwargs={"slug": slug}) + "#owed",
            count=data.owing_members,
            hint=_("%(amount)s owed in all") % {"amount": pounds(data.owed_pence)} if data.owed_pence else "",
        ),
        WorkItem(_("Membership workspace"), reverse("members:workspace", kwargs={"slug": slug})),
    ]
    if user.has_perm("members.view_register", organisation):
        items.append(WorkItem(_("Register of members"), reverse("members:register", kwargs={"slug": slug})))
    if user.has_perm("members.export_register", organisation):
        items.append(
            WorkItem(
                _("Download the register (CSV)"),
                reverse("members:register_export", kwargs={"slug": slug, "fmt": "csv"}),
            )
        )
    return items


def programme_sections(user, council) -> list[Section]:
    """For a council officer: the organisations the council sponsors, their members by ward, and
    growth over the last 24 months (members admitted and ceased by month)."""
    if not user.has_perm("members.view_programme", council):
        return []
    organisations = selectors.sponsored_organisations(user=user, council=council)
    if not organisations:
        return []
    language = get_language()
    by_ward = selectors.members_by_ward(organisations=organisations)
    unknown_ward = _("Ward not known")
    # One table, a ward a row and an organisation a column, so wards can be compared across them.
    counts = {
        (organisation.pk, ward.pk if ward else None): n
        for organisation in organisations
        for ward, n in by_ward[organisation.pk]
    }
    wards = sorted(
        {ward for organisation in organisations for ward, _n in by_ward[organisation.pk] if ward},
        key=lambda ward: ward.localised_name(language),
    )
    rows = [
        (ward.localised_name(language), *(counts.get((organisation.pk, ward.pk), 0) for organisation in organisations))
        for ward in wards
    ]
    if any((organisation.pk, None) in counts for organisation in organisations):
        rows.append((unknown_ward, *(counts.get((organisation.pk, None), 0) for organisation in organisations)))
    rows.append((_("All wards"), *(sum(n for _ward, n in by_ward[organisation.pk]) for organisation in organisations)))
    tables = (
        Table(
            caption=_("Current members by ward"),
            head=(_("Ward"), *(organisation.name for organisation in organisations)),
            rows=tuple(rows),
            numeric=frozenset(range(1, len(organisations) + 1)),
        ),
    )
    growth = selectors.membership_growth(organisations=organisations, months=24)
    series = tuple((formats.date_format(row.month, "F Y"), row.members) for row in growth)
    growth_table = Table(
        caption=_("Members admitted and ceased by month, last 24 months"),
        head=(_("Month"), _("Admitted"), _("Ceased"), _("Members at the end of the month")),
        rows=tuple(
            (label, row.admitted, row.ceased, row.members) for (label, _n), row in zip(series, growth, strict=True)
        ),
        numeric=frozenset({1, 2, 3}),
    )
    return [
        Section(
            title=_("Co-operatives, mutuals and trusts: members by ward"),
            tables=tables,
            links=tuple(
                WorkItem(organisation.name, reverse("members:organisation", kwargs={"slug": organisation.slug}))
                for organisation in organisations
                if organisation.is_public
            ),
        ),
        Section(
            title=_("Growth in membership"),
            tables=(growth_table,),
            series=series,
            series_label=_("Members"),
        ),
    ]
