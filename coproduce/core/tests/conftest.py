"""Fixtures every core test gets."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request under /cy/ leaves Welsh active in the thread; the next test on the same worker must
    not inherit it (its messages and reversed URLs would come out in Welsh)."""
    yield
    translation.activate("en")
