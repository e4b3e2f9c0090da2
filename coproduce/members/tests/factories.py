"""factory_boy factories for members."""

import factory

from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.members.models import Membership, MembershipStatus, ShareTransaction, StakeholderClass


class StakeholderClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StakeholderClass

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"class-{n}")
    name = factory.Sequence(lambda n: f"Class {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    """An admitted member holding one share (as membership_admit would leave it)."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    person = factory.SubFactory(UserFactory)
    stakeholder_class = factory.SubFactory(StakeholderClassFactory)
    organisation = factory.SelfAttribute("stakeholder_class.organisation")
    status = MembershipStatus.ADMITTED
    member_number = factory.Sequence(lambda n: n + 1)
    admitted_on = factory.Faker("date_between", start_date="-5y", end_date="-1d")

    @factory.post_generation
    def shares(obj, create, extracted, **kwargs):
        count = 1 if extracted is None else extracted
        if create and count and obj.status == MembershipStatus.ADMITTED:
            ShareTransaction.objects.create(
                membership=obj, kind="issue", shares=count, amount_pence=count * obj.organisation.share_value_pence
            )
