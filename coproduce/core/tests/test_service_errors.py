"""A service's refusal lands on the form beside the field it names, whatever the form (core.forms,
core.views.helpers.call_service): the one mechanism every app's views use."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from coproduce.core.forms import ServiceErrorsForm
from coproduce.core.views.helpers import call_service, messages_of


class _Plain(forms.Form):
    title = forms.CharField(required=False)
    opens_at_day = forms.CharField(required=False)


class _Mapped(ServiceErrorsForm):
    service_fields = {"funded": "decision"}
    decision = forms.CharField(required=False)


def _refuse(error):
    def service(**kwargs):
        raise error

    return service


def _bound(form_class):
    form = form_class({})
    assert form.is_valid()
    return form


def test_a_refusal_naming_a_field_lands_beside_it_and_the_rest_on_top():
    form = _bound(_Plain)
    refusal = ValidationError({"title": "Too long.", "opens_at": "Must be later.", "other": "Not allowed."})
    assert call_service(form, _refuse(refusal)) is None
    assert form.errors["title"] == ["Too long."]
    assert form.errors["opens_at_day"] == ["Must be later."]  # a date's refusal on its day box
    assert form.non_field_errors() == ["Not allowed."]  # a key the form does not have: no crash


def test_a_form_maps_a_services_key_to_its_field():
    form = _bound(_Mapped)
    call_service(form, _refuse(ValidationError({"funded": "Say why."})))
    assert form.errors["decision"] == ["Say why."]


def test_a_refusal_on_a_field_given_and_a_plain_one():
    form = _bound(_Plain)
    call_service(form, _refuse(ValidationError({"other": "No."})), field="title")
    assert form.errors["title"] == ["No."]
    plain = _bound(_Plain)
    call_service(plain, _refuse(ValidationError("Closed.")))
    assert plain.non_field_errors() == ["Closed."]
    assert messages_of(ValidationError(["One.", "Two."])) == ["One.", "Two."]


def test_the_service_result_is_returned():
    assert call_service(_bound(_Plain), lambda **kwargs: kwargs["n"] + 1, n=1) == 2
