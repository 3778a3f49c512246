"""A prospect's external ID (issue #20): the deal's ID in the system it came from. Unique among the
prospects that have one; shown on the detail page, edited on the form, recorded in the history."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from prospects.models import EXTERNAL_ID_TAKEN, Prospect
from prospects.selectors import prospect_timeline
from prospects.services import prospect_create, prospect_update
from tests.conftest import make_prospect
from tests.prospects.test_editing import _form_data

pytestmark = pytest.mark.django_db


def _taken_message() -> str:
    with translation.override("en"):
        return str(EXTERNAL_ID_TAKEN)


def test_two_prospects_cannot_share_an_external_id_but_many_have_none(personas):
    make_prospect(personas.owner, name="A", external_id="006A1")
    make_prospect(personas.owner, name="B")
    make_prospect(personas.owner, name="C")  # a second empty one is no clash
    with pytest.raises(IntegrityError), transaction.atomic():
        make_prospect(personas.teammate, name="D", external_id="006A1")
    assert Prospect.objects.filter(external_id="006A1").count() == 1


def test_the_detail_page_shows_the_external_id_only_when_set(personas, client):
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    with_id = make_prospect(personas.owner, name="With", external_id="OPP-42")
    page = client.get(reverse("prospects:detail", args=[with_id.pk])).content.decode()
    assert "<dt>External ID</dt><dd>OPP-42</dd>" in page
    page = client.get(reverse("prospects:detail", args=[personas.prospect.pk])).content.decode()
    assert "External ID" not in page


def test_the_form_sets_the_external_id_and_the_history_names_it(personas, client):
    client.force_login(personas.owner)
    prospect = personas.prospect
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, external_id=" OPP-7 ")
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.external_id == "OPP-7"
    with translation.override("en"):
        changes = prospect_timeline(prospect)[0].changes
    assert [(c.field, c.label, c.old, c.new) for c in changes] == [
        ("external_id", "external ID", "—", "OPP-7")
    ]


def test_an_external_id_another_prospect_has_is_a_form_error_not_a_500(personas, client):
    make_prospect(personas.teammate, name="Other", external_id="OPP-7")
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    prospect = personas.prospect
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, external_id="OPP-7")
    )
    assert response.status_code == 422
    assert response.context["form"].errors["external_id"] == [_taken_message()]
    prospect.refresh_from_db()
    assert prospect.external_id == "" and prospect.version == 1
    # On the add form too, and nothing is made.
    data = {**_form_data(prospect, name="新規", external_id="OPP-7"), "version": ""}
    response = client.post(reverse("prospects:create"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["external_id"] == [_taken_message()]
    assert not Prospect.objects.filter(name="新規").exists()


def test_saving_again_with_its_own_external_id_is_no_clash(personas, client):
    prospect = make_prospect(personas.owner, name="Mine", external_id="OPP-9")
    client.force_login(personas.owner)
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]),
        _form_data(prospect, external_id="OPP-9", probability=80),
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.probability == 80 and prospect.external_id == "OPP-9"


def test_an_external_id_taken_between_the_check_and_the_write_is_a_validation_error(personas):
    """A race the form's check cannot see: the database's refusal becomes the same field error, and the
    transaction stays usable (the write ran in a savepoint)."""
    make_prospect(personas.teammate, name="Other", external_id="OPP-7")
    prospect = Prospect.objects.get(pk=personas.prospect.pk)
    with transaction.atomic():
        with pytest.raises(ValidationError) as exc:
            prospect_update(prospect=prospect, by=personas.owner, expected_version=1, external_id="OPP-7")
        assert exc.value.message_dict == {"external_id": [str(EXTERNAL_ID_TAKEN)]}
        with pytest.raises(ValidationError):
            prospect_create(by=personas.owner, name="New", source="inbound", external_id="OPP-7")
        assert Prospect.objects.filter(external_id="OPP-7").count() == 1  # still usable
    assert Prospect.objects.get(pk=prospect.pk).external_id == ""


def test_the_edit_view_shows_the_race_as_the_form_error(personas, client):
    make_prospect(personas.teammate, name="Other", external_id="OPP-7")
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    prospect = personas.prospect
    # The form's own check passes (as when the other prospect is saved just after it ran).
    with mock.patch("prospects.forms.ProspectForm.validate_constraints"):
        response = client.post(
            reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, external_id="OPP-7")
        )
    assert response.context["form"].errors["external_id"] == [_taken_message()]
    assert response.status_code == 422
    prospect.refresh_from_db()
    assert prospect.external_id == "" and prospect.version == 1
