"""The registry feature apps plug into, so that ``core`` never imports them.

A feature app declares itself once, in its ``AppConfig.ready()``::

    registry.register(FeatureApp(label="members", name=_("Membership"),
                                 navigation=(NavItem(_("My memberships"), "members:mine", login_required=True),),
                                 demo_data="coproduce.members.demo:build_demo_members", demo_order=10))

``core`` reads the registry for the service navigation and the demo borough (each app adds
its own demo data on top of the core's places and people). Permissions need no registry:
each app's ``rules.py`` is found by django-rules' autodiscovery.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
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
class FeatureApp:
    """What a feature app tells the core about itself."""

    label: str
    name: str | Promise
    navigation: tuple[NavItem, ...] = ()
    # "module:function", called with the demo context (a dict of what the core and earlier apps
    # created). A dotted path, imported only when the demo is built, not at every start.
    demo_data: str | None = None
    demo_order: int = 100


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


def navigation(*, authenticated: bool) -> list[NavItem]:
    items = [item for feature in features() for item in feature.navigation]
    return sorted((item for item in items if authenticated or not item.login_required), key=lambda item: item.order)
