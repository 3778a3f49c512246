"""A company's and a contact's page show the timeline of their prospects the viewer may see: activities and
test closings, newest first, ten at a time ("older" in place with htmx, or plain pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityKind
from companies.models import Company, Contact
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def _activity(prospect, subject: str, day: int) -> Activity:
    kind, _ = ActivityKind.objects.get_or_create(code="visit", defaults={"label_ja": "訪問"})
    at = timezone.make_aware(dt.datetime(2026, 10, day, 10))
    return Activity.objects.create(
        prospect=prospect,
        owner=prospect.owner,
        kind=kind,
        subject=subject,
        starts_at=at,
        status="done",
        done_at=at,
    )


@pytest.fixture
def minato(personas):
    company = Company.objects.create(name="ﾐﾅﾄ工務店(株)")
    yamada = Contact.objects.create(name="山田 太郎", company=company)
    mine = ProspectFactory(owner=personas.owner, company=company, contact=yamada, name="屋根の葺き替え")
    theirs = ProspectFactory(owner=personas.outsider, company=company, contact=yamada, name="外壁塗装")
    _activity(mine, "屋根の現地調査", 1)
    _activity(mine, "見積の説明", 3)
    _activity(theirs, "他チームの秘密の訪問", 2)
    return company


def test_the_company_page_shows_the_viewers_activities_newest_first_and_never_anothers(
    client, personas, minato
):
    client.force_login(personas.owner)
    page = client.get(reverse("companies:detail", args=[minato.pk])).content.decode()
    assert page.index("見積の説明") < page.index("屋根の現地調査")
    assert "他チームの秘密の訪問" not in page and "外壁塗装" not in page
    client.force_login(personas.outsider)
    page = client.get(reverse("companies:detail", args=[minato.pk])).content.decode()
    assert "他チームの秘密の訪問" in page and "屋根の現地調査" not in page


def test_the_contact_page_shows_its_prospects_timeline(client, personas, minato):
    client.force_login(personas.manager)  # the owner's manager: the owner's deals, not the outsider's
    yamada = Contact.objects.get(name="山田 太郎")
    page = client.get(reverse("companies:contact_detail", args=[yamada.pk])).content.decode()
    assert "屋根の現地調査" in page and "他チームの秘密の訪問" not in page


def test_the_timeline_is_paged_in_place_and_without_javascript(client, personas, minato):
    mine = minato.prospects.get(name="屋根の葺き替え")
    for day in range(10, 22):
        _activity(mine, f"訪問{day}日", day)
    client.force_login(personas.owner)
    url = reverse("companies:detail", args=[minato.pk])
    first = client.get(url).content.decode()
    assert "訪問21日" in first and "訪問12日" in first and "訪問11日" not in first and "?page=2" in first
    fragment = client.get(url, {"page": "2"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "訪問11日" in body and "屋根の現地調査" in body and "訪問21日" not in body
    plain = client.get(url, {"page": "2"}).content.decode()
    assert "訪問11日" in plain and "ﾐﾅﾄ工務店(株)" in plain
    # An odd page number is the first page, never an error.
    assert client.get(url, {"page": "２"}).status_code == 200  # noqa: RUF001
