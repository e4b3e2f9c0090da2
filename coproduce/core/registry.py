"""The registry feature apps plug into, so that ``core`` never imports them.

A feature app declares itself once, in its ``AppConfig.ready()``::

    registry.register(FeatureApp(label="members", name=_("Membership"),
                                 navigation=(NavItem(_("My memberships"), "members:mine", login_required=True),),
                                 demo_data="coproduce.members.demo:build_demo_members", demo_order=10))

``core`` reads the registry for the service navigation and the demo borough (each app adds
its own demo data on top of the core's places and people), for what an app holds about a
person (their data download, closing their account), and for the ways a resident's address
can be verified (``register_verification_method``). Permissions need no registry:
each app's ``rules.py`` is found by django-rules' autodiscovery.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    """A link in the service navigation."""

    label: str | Promise
    url_name: str
    login_required: bool = False
    order: int = 100


@dataclass(frozen=True)
class WorkItem:
    """One line on a person's home or an organisation's workspace: what needs them, with a link.

    ``count`` is shown as a number to act on (e.g. 3 applications waiting); ``None`` for a
    plain link. ``urgent`` items are listed first and marked.
    """

    label: str | Promise
    url: str
    count: int | None = None
    urgent: bool = False
    hint: str | Promise = ""


@dataclass(frozen=True)
class Table:
    """A table an app hands to a core page (the programme workspace), rendered by core's macro.

    ``numeric`` holds the indexes of right-aligned columns. Cells are text or numbers.
    """

    caption: str | Promise
    head: tuple[str | Promise, ...]
    rows: tuple[tuple[Any, ...], ...]
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Section:
    """A titled part of a core workspace page that an app fills: tables, a chart's series, links."""

    title: str | Promise
    tables: tuple[Table, ...] = ()
    # A line chart over time: (label of the x value, value) pairs; core draws it as SVG beside its table.
    series: tuple[tuple[str, int], ...] = ()
    series_label: str | Promise = ""
    links: tuple[WorkItem, ...] = ()


@dataclass(frozen=True)
class FeatureApp:
    """What a feature app tells the core about itself."""

    label: str
    name: str | Promise
    navigation: tuple[NavItem, ...] = ()
    # The URL name of the app's page for one organisation (it takes ``slug``): the directory
    # links each organisation there, so core templates name no app's URLs.
    organisation_page: str | None = None
    # "module:function", called with the demo context (a dict of what the core and earlier apps
    # created). A dotted path, imported only when the demo is built, not at every start.
    demo_data: str | None = None
    demo_order: int = 100
    # What the app holds about a person, as JSON-ready data for their download ("my data").
    personal_data: Callable[[Any], dict[str, Any]] | None = None
    # Called (inside the closing transaction) when a person closes their account: erase what
    # the app need not keep.
    on_account_close: Callable[[Any], None] | None = None
    # Why the app must keep a closing person's name and postal address (e.g. a register of
    # members kept by law), as sentences shown to the person; empty when it need not.
    retention_reasons: Callable[[Any], list[str]] | None = None
    # The signed-in home: (user) -> what needs this person and what they take part in.
    home_items: Callable[[Any], list[WorkItem]] | None = None
    # The workspace hub (core:work): (user, organisation) -> what needs doing in an organisation
    # where the user holds a role; empty when the app has nothing for them there.
    workspace_items: Callable[[Any, Any], list[WorkItem]] | None = None
    # The council's programme workspace: (user, council) -> sections about the organisations
    # the council sponsors (members by ward, growth over time, …).
    programme_sections: Callable[[Any, Any], list[Section]] | None = None
    # The audit trail in words people use: action code (e.g. "membership.admit") -> a phrase
    # ("Admitted a member"). Actions an app does not describe are shown by their code.
    audit_actions: dict[str, str | Promise] = field(default_factory=dict)


_features: dict[str, FeatureApp] = {}


def register(feature: FeatureApp) -> None:
    """Register a feature app (idempotent: re-registering a label replaces it)."""
    _features[feature.label] = feature


def demo_builder(feature: FeatureApp) -> Callable[[dict[str, Any]], None] | None:
    """Import a feature's demo builder (only ``coproduce demo`` and tests need it)."""
    if feature.demo_data is None:
        return None
    module, _, function = feature.demo_data.partition(":")
    return getattr(importlib.import_module(module), function)


def features() -> list[FeatureApp]:
    return sorted(_features.values(), key=lambda feature: (feature.demo_order, feature.label))


def audit_action_label(action: str) -> str | Promise:
    """The words for an audit action, from whichever app describes it (else the code itself)."""
    for feature in features():
        if action in feature.audit_actions:
            return feature.audit_actions[action]
    return action


def organisation_page() -> str | None:
    """The URL name an organisation's name links to: the first registered app's page for it."""
    return next((feature.organisation_page for feature in features() if feature.organisation_page), None)


def navigation(*, authenticated: bool) -> list[NavItem]:
    items = [item for feature in features() for item in feature.navigation]
    return sorted((item for item in items if authenticated or not item.login_required), key=lambda item: item.order)


@dataclass(frozen=True)
class VerificationMethod:
    """A way to verify that a person lives where they say.

    ``level`` is a ``VerificationLevel`` (higher is surer). ``start_url_name`` is where a
    resident begins this method (linked from their account page); None when an officer or an
    upload does it. An app plugs in a method by registering one and recording verifications
    through ``core.services.person_verify(method=code, ...)``.
    """

    code: str
    label: str | Promise
    level: int
    description: str | Promise = ""
    start_url_name: str | None = None


_verification_methods: dict[str, VerificationMethod] = {}


def register_verification_method(method: VerificationMethod) -> None:
    """Register a verification method (re-registering a code replaces it)."""
    _verification_methods[method.code] = method


def verification_methods() -> list[VerificationMethod]:
    return sorted(_verification_methods.values(), key=lambda method: (method.level, method.code))


def verification_method(code: str) -> VerificationMethod:
    """The method registered under ``code``; KeyError for one nobody registered."""
    return _verification_methods[code]


def _register_builtin_methods() -> None:
    from django.utils.translation import gettext_lazy as _

    from .verification import IN_PERSON, LETTER, RESIDENT_LIST, SELF_DECLARED, VerificationLevel

    for method in (
        VerificationMethod(
            SELF_DECLARED,
            _("Self-declared"),
            VerificationLevel.DECLARED,
            _("You told us you live at this address."),
        ),
        VerificationMethod(
            LETTER,
            _("Code posted to your address"),
            VerificationLevel.CONFIRMED,
            _("We post a letter with a code to your address and you enter the code here."),
            start_url_name="core:verify_code",
        ),
        VerificationMethod(
            RESIDENT_LIST,
            _("Matched against a council list"),
            VerificationLevel.CONFIRMED,
            _("Your name and postcode matched a list the council holds, such as the electoral register."),
        ),
        VerificationMethod(
            IN_PERSON,
            _("Checked in person"),
            VerificationLevel.CHECKED,
            _("A council officer saw proof of your address, for example at a library or council office."),
        ),
    ):
        register_verification_method(method)


_register_builtin_methods()


def _core_workspace_items(user, organisation) -> list[WorkItem]:
    from .selectors import core_workspace_items

    return core_workspace_items(user=user, organisation=organisation)


def _register_core() -> None:
    """The core's own entry: the account link in the service navigation for signed-in people, its
    lines on the workspace hub (a council's programme, verification, the audit trail), and its
    audit actions in words people use."""
    from django.utils.translation import gettext_lazy as _

    register(
        FeatureApp(
            label="core",
            name=_("Co-operative core"),
            navigation=(NavItem(_("Your account"), "core:account", login_required=True, order=90),),
            demo_order=0,
            workspace_items=_core_workspace_items,
            audit_actions={
                "demo.build": _("Created the demo borough"),
                "feedback.give": _("Gave feedback on the service"),
                "letter.code_wrong": _("Entered a wrong code from a letter"),
                "letter.request": _("Asked for a code by post"),
                "letters.batch_create": _("Started a batch of letters"),
                "letters.batch_ready": _("Made a batch of letters"),
                "letters.batch_failed": _("A batch of letters could not be made"),
                "letters.batch_download": _("Downloaded a batch of letters"),
                "letters.clear_expired": _("Deleted letters whose codes had expired"),
                "organisation.create": _("Added an organisation"),
                "organisation.change": _("Changed an organisation's details"),
                "person.close": _("Closed their account"),
                "person.data_download": _("Downloaded their data"),
                "person.update_details": _("Changed their details"),
                "person.verify": _("Verified a resident's address"),
                "place.create": _("Added a place"),
                "place.change": _("Changed a place"),
                "postcodes.import": _("Imported postcodes"),
                "census.import": _("Imported census figures"),
                "resident_list.upload": _("Uploaded a list of residents"),
                "resident_list.delete": _("Deleted a list of residents"),
                "role.grant": _("Gave someone a role"),
                "role.end": _("Ended someone's role"),
                "verification.record": _("Verified a resident's address"),
                "verification.end": _("Ended the verification of an address"),
            },
        )
    )


_register_core()
