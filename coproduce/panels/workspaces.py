"""What panels put on a person's home and an organisation's workspace (a fixed number of queries).

Residents selected for a panel are told to answer (urgent: their place waits for them); the
council's officers and secretaries are told what each panel they run needs now: the letters to
draw, the seed and the selection once registration has closed, targets that cannot be met, the
selection to publish, drop-outs to replace.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coproduce.core.jinja import long_date
from coproduce.core.models import Role, RoleKind
from coproduce.core.registry import WorkItem

from .audit import AUDIT_ACTIONS
from .models import Panel, Registrant, RegistrantStatus, Stage

__all__ = ["AUDIT_ACTIONS", "home_items", "to_do", "workspace_items"]

# Published panels stay on the workspace this long (drop-outs, sessions, payments).
RECENT = datetime.timedelta(days=180)


def _dropouts(panels: list[Panel]) -> dict[int, int]:
    """Each panel's members who declined and have no replacement yet (one query)."""
    ids = [panel.pk for panel in panels if panel.stage == Stage.PUBLISHED]
    if not ids:
        return {}
    replaced = Registrant.objects.filter(replaced=OuterRef("pk"))
    rows = (
        Registrant.objects.filter(panel__in=ids, status=RegistrantStatus.DECLINED)
        .filter(~Exists(replaced))
        .order_by()
        .values_list("panel")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def to_do(panel: Panel, dropouts: int, *, now: datetime.datetime) -> list[str]:
    """What the panel's officers have to do now, in plain words (empty when nothing waits)."""
    items: list[str] = []
    if panel.stage == Stage.DRAFT:
        items.append(_("Import the addresses and draw the letters"))
    elif panel.stage in (Stage.INVITING, Stage.REGISTERING) and now >= panel.registration_closes:
        if panel.selection_problem:
            items.append(_("The targets cannot all be met: change them, then run the selection"))
        elif not panel.seed_published_at:
            items.append(_("Publish the seed, then run the selection"))
        else:
            items.append(_("Run the selection"))
    elif panel.stage == Stage.SELECTED:
        items.append(_("Check the selection and publish it"))
    if dropouts:
        items.append(
            ngettext("%(count)s drop-out to replace", "%(count)s drop-outs to replace", dropouts) % {"count": dropouts}
        )
    return items


def manage_url(panel: Panel) -> str:
    return reverse("panels:manage", kwargs={"pk": panel.pk})


def home_items(user) -> list[WorkItem]:
    """A place on a panel to take or give up (urgent), and, for the council's officers and
    secretaries, the panels they run with something to do. Three queries."""
    if not user.is_authenticated:
        return []
    language = get_language()
    now = timezone.now()
    items: list[WorkItem] = []

    # Only once the selection is published: before, nobody may learn they were drawn.
    offered = Registrant.objects.filter(
        person=user,
        status__in=(RegistrantStatus.SELECTED, RegistrantStatus.REPLACEMENT),
        panel__stage=Stage.PUBLISHED,
    ).select_related("panel")
    for registrant in offered:
        panel = registrant.panel
        items.append(
            WorkItem(
                _("You have been selected for %(panel)s") % {"panel": panel.localised("title", language)},
                reverse("panels:detail", kwargs={"pk": panel.pk}),
                urgent=True,
                hint=_("Use the link in the email we sent you to take your place, or to give it up."),
            )
        )

    organisations = (
        Role.objects.current()
        .filter(person=user, kind__in=(RoleKind.OFFICER, RoleKind.SECRETARY))
        .values("organisation")
    )
    running = list(
        Panel.objects.filter(organisation__in=organisations)
        .filter(Q(published_at__isnull=True) | Q(published_at__gte=now - RECENT))
        .select_related("organisation")
    )
    dropouts = _dropouts(running)
    for panel in running:
        waiting = to_do(panel, dropouts.get(panel.pk, 0), now=now)
        if waiting:
            items.append(
                WorkItem(
                    _("%(panel)s: %(to_do)s")
                    % {"panel": panel.localised("title", language), "to_do": "; ".join(waiting)},
                    manage_url(panel),
                    urgent=panel.stage != Stage.DRAFT,
                    hint=_("A resident panel of %(organisation)s.") % {"organisation": panel.organisation.name},
                )
            )
    return items


def _stage_hint(panel: Panel, now: datetime.datetime) -> str:
    if panel.stage in (Stage.INVITING, Stage.REGISTERING):
        if now < panel.registration_opens:
            return _("Registration opens on %(date)s") % {"date": long_date(panel.registration_opens)}
        if now < panel.registration_closes:
            return _("Taking registrations until %(date)s") % {"date": long_date(panel.registration_closes)}
        return _("Registration closed")
    return str(panel.get_stage_display())


def workspace_items(user, organisation) -> list[WorkItem]:
    """For the council's officers and secretaries: its panels (published ones for six months), each
    with where it has got to and what needs doing; then the list of panels. Two queries."""
    if not user.has_perm("panels.manage", organisation):
        return []
    language = get_language()
    now = timezone.now()
    panels = list(
        Panel.objects.filter(organisation=organisation).filter(
            Q(published_at__isnull=True) | Q(published_at__gte=now - RECENT)
        )
    )
    dropouts = _dropouts(panels)
    items: list[WorkItem] = []
    for panel in panels:
        waiting = to_do(panel, dropouts.get(panel.pk, 0), now=now)
        hint = _stage_hint(panel, now)
        if waiting:
            hint = f"{hint}: {'; '.join(waiting)}"
        items.append(
            WorkItem(
                panel.localised("title", language),
                manage_url(panel),
                urgent=bool(waiting) and panel.stage != Stage.DRAFT,
                hint=hint,
            )
        )
    items.append(WorkItem(_("Resident panels"), reverse("panels:manage_list", kwargs={"slug": organisation.slug})))
    return items
