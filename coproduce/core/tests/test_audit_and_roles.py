import pytest
from django.core.exceptions import PermissionDenied

from coproduce.core.models import AuditEvent, RoleKind
from coproduce.core.selectors import audit_trail
from coproduce.core.services import audit_record, role_end, role_grant

from .factories import OrganisationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_only_the_organisations_secretary_reads_its_audit_trail():
    trust, homes = OrganisationFactory(), OrganisationFactory()
    secretary = RoleFactory(organisation=trust, kind=RoleKind.SECRETARY).person
    board_member = RoleFactory(organisation=trust, kind=RoleKind.BOARD_MEMBER).person
    audit_record(actor=secretary, action="test.one", organisation=trust)
    audit_record(actor=secretary, action="test.other", organisation=homes)
    assert [event.action for event in audit_trail(user=secretary, organisation=trust)] == ["test.one"]
    for user, organisation in [(secretary, homes), (board_member, trust), (UserFactory(), trust)]:
        with pytest.raises(PermissionDenied):
            audit_trail(user=user, organisation=organisation)


def test_ended_role_loses_its_permissions_and_both_changes_are_audited():
    trust = OrganisationFactory()
    person = UserFactory()
    role = role_grant(organisation=trust, person=person, kind=RoleKind.SECRETARY, actor=None)
    assert person.has_perm("core.view_audit_trail", trust)
    role_end(role=role, actor=None)
    assert not person.has_perm("core.view_audit_trail", trust)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["role.grant", "role.end"]


def test_audit_events_are_immutable():
    event = audit_record(actor=None, action="test.once")
    event.action = "test.changed"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="immutable"):
        event.delete()
