"""Roles people hold in an organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    BOARD_MEMBER = "board_member", _("Board member")
    OFFICER = "officer", _("Officer")
    COUNCILLOR = "councillor", _("Councillor")
    MODERATOR = "moderator", _("Moderator")
    # Sees equality monitoring answers, only ever in aggregate with small groups suppressed.
    EQUALITIES = "equalities", _("Equalities officer")


# Roles whose holders handle personal data and money: they must use two-factor authentication.
MFA_REQUIRED_ROLES = frozenset({RoleKind.SECRETARY, RoleKind.OFFICER, RoleKind.EQUALITIES})


class RoleQuerySet(models.QuerySet):
    def current(self) -> RoleQuerySet:
        return self.filter(ended_at__isnull=True)


class Role(models.Model):
    """A person's role in an organisation; ended roles stay for the record."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "kind"],
                condition=Q(ended_at__isnull=True),
                name="one_current_role_of_a_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_kind_display()}, {self.organisation}"
