"""factory_boy factories for members."""

import factory

from coproduce.core.tests.factories import OrganisationFactory, UserFactory
from coproduce.members.models import (
    Membership,
    MembershipRules,
    MembershipStatus,
    PaymentMethod,
    SharePayment,
    ShareTransaction,
    StakeholderClass,
    rules_for,
)


class MembershipRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipRules
        django_get_or_create = ["organisation"]

    organisation = factory.SubFactory(OrganisationFactory)


class StakeholderClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StakeholderClass

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"class-{n}")
    name = factory.Sequence(lambda n: f"Class {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    """An admitted member holding ``shares`` shares (1 unless given), paid for unless ``paid=False``.

    ``rules={...}`` sets the organisation's membership rules first.
    """

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
    def rules(obj, create, extracted, **kwargs):
        if create and extracted:
            rules = rules_for(obj.organisation)
            for field, value in extracted.items():
                setattr(rules, field, value)
            rules.save()
            obj.organisation.membership_rules = rules

    @factory.post_generation
    def shares(obj, create, extracted, **kwargs):
        count = 1 if extracted is None else extracted
        if create and count and obj.status == MembershipStatus.ADMITTED:
            issue = ShareTransaction.objects.create(
                membership=obj,
                kind="issue",
                shares=count,
                amount_pence=count * rules_for(obj.organisation).share_value_pence,
            )
            obj._factory_issue = issue

    @factory.post_generation
    def paid(obj, create, extracted, **kwargs):
        issue = getattr(obj, "_factory_issue", None)
        if create and issue is not None and extracted is not False:
            SharePayment.objects.create(
                share_transaction=issue,
                amount_pence=issue.amount_pence,
                method=PaymentMethod.CASH,
                paid_on=obj.admitted_on,
            )
