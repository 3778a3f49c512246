"""Every write path leaves a pghistory event whose context names the acting user.

To cover a new write path, append a WritePath to WRITE_PATHS: `run(client, personas)` performs the write
as some user and returns (tracked object, acting user); `event_model` is the pghistory event model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pghistory
import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.models import User
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class WritePath:
    name: str
    event_model: str  # "app_label.EventModel"
    label: str  # pgh_label of the expected event: insert / update / delete
    run: Callable[[Client, Any], tuple[Any, User]]
    via_request: bool = True

    def __str__(self) -> str:
        return self.name


PROSPECT_FORM = {
    "name": "監査テスト商事",
    "source": "referral",
    "horizon": "mid",
    "probability": "40",
    "amount": "2500000",
    "currency": "JPY",
    "expected_month": "2027-01",
}


def prospect_create_view(client, p):
    client.force_login(p.owner)
    response = client.post(reverse("prospects:create"), PROSPECT_FORM)
    assert response.status_code == 302
    return Prospect.objects.get(name=PROSPECT_FORM["name"]), p.owner


def prospect_edit_view(client, p):
    client.force_login(p.manager)
    data = {**PROSPECT_FORM, "owner": p.owner.pk, "version": p.prospect.version, "probability": "70"}
    response = client.post(reverse("prospects:edit", args=[p.prospect.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return p.prospect, p.manager


def admin_form_data(prospect: Prospect, **changes) -> dict:
    """The admin change form as the browser would post it: every field of the ModelAdmin form."""
    from django.contrib import admin
    from django.test import RequestFactory

    model_admin = admin.site._registry[Prospect]
    request = RequestFactory().get("/")
    request.user = User.objects.filter(is_superuser=True).first() or User(role="admin", is_staff=True)
    form = model_admin.get_form(request, prospect)(instance=prospect)
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def admin_change(client, p):
    client.force_login(p.admin)
    url = reverse("admin:prospects_prospect_change", args=[p.prospect.pk])
    response = client.post(url, admin_form_data(p.prospect, probability="90", next_action="電話"))
    assert response.status_code == 302, response.content.decode()[:3000]
    return p.prospect, p.admin


def admin_delete(client, p):
    client.force_login(p.admin)
    url = reverse("admin:prospects_prospect_delete", args=[p.prospect.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Prospect.objects.filter(pk=p.prospect.pk).exists()
    return p.prospect, p.admin


def queryset_update_with_context(client, p):
    """A bulk .update() (a command, a task): the trigger records it; the caller names the actor."""
    with pghistory.context(user=p.admin.pk):
        assert Prospect.objects.filter(pk=p.prospect.pk).update(probability=5) == 1
    return p.prospect, p.admin


WRITE_PATHS = [
    WritePath("prospect create (view)", "prospects.ProspectEvent", "insert", prospect_create_view),
    WritePath("prospect edit (view)", "prospects.ProspectEvent", "update", prospect_edit_view),
    WritePath("prospect change (admin)", "prospects.ProspectEvent", "update", admin_change),
    WritePath("prospect delete (admin)", "prospects.ProspectEvent", "delete", admin_delete),
    WritePath(
        "prospect bulk update (queryset)",
        "prospects.ProspectEvent",
        "update",
        queryset_update_with_context,
        via_request=False,
    ),
]


@pytest.mark.parametrize("path", WRITE_PATHS, ids=str)
def test_the_write_leaves_an_event_naming_the_acting_user(personas, path):
    event_model = apps.get_model(path.event_model)
    last_before = event_model.objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0
    obj, actor = path.run(Client(), personas)
    events = list(
        event_model.objects.filter(
            pgh_id__gt=last_before, pgh_obj_id=obj.pk, pgh_label=path.label
        ).select_related("pgh_context")
    )
    assert len(events) == 1
    context = events[0].pgh_context
    assert context is not None, "the event has no context: the acting user is unknown"
    assert context.metadata["user"] == actor.pk
    if path.via_request:
        assert context.metadata["url"].startswith("/")


def test_a_bulk_update_without_context_is_still_recorded(personas):
    """Raw writes cannot escape the trigger; they only lose the actor (so code must set a context)."""
    event_model = apps.get_model("prospects.ProspectEvent")
    before = event_model.objects.filter(pgh_obj_id=personas.prospect.pk).count()
    Prospect.objects.filter(pk=personas.prospect.pk).update(probability=77)
    events = event_model.objects.filter(pgh_obj_id=personas.prospect.pk).order_by("pgh_id")
    assert events.count() == before + 1
    assert events.last().probability == 77


def test_a_write_that_changes_nothing_leaves_no_event(personas):
    event_model = apps.get_model("prospects.ProspectEvent")
    before = event_model.objects.filter(pgh_obj_id=personas.prospect.pk).count()
    Prospect.objects.filter(pk=personas.prospect.pk).update(probability=personas.prospect.probability)
    assert event_model.objects.filter(pgh_obj_id=personas.prospect.pk).count() == before


def test_reads_leave_no_event(personas):
    event_model = apps.get_model("prospects.ProspectEvent")
    before = event_model.objects.count()
    client = Client()
    client.force_login(personas.owner)
    client.get(reverse("prospects:detail", args=[personas.prospect.pk]))
    client.get(reverse("prospects:list"))
    assert event_model.objects.count() == before


def test_an_admin_change_bumps_the_version_for_the_optimistic_lock(personas):
    version = personas.prospect.version
    admin_change(Client(), personas)
    personas.prospect.refresh_from_db()
    assert personas.prospect.version == version + 1


def test_an_admin_change_on_a_stale_form_is_refused_as_a_conflict(personas):
    client = Client()
    client.force_login(personas.admin)
    stale = admin_form_data(personas.prospect, probability="90")
    Prospect.objects.filter(pk=personas.prospect.pk).update(probability=33, version=F("version") + 1)
    url = reverse("admin:prospects_prospect_change", args=[personas.prospect.pk])
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "変更は保存されませんでした" in response.content.decode()
    personas.prospect.refresh_from_db()
    assert personas.prospect.probability == 33
