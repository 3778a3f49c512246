import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from prospects.models import Prospect
from prospects.selectors import prospect_timeline
from prospects.services import ProspectConflict, prospect_update

pytestmark = pytest.mark.django_db


def _form_data(prospect, **overrides):
    data = {
        "name": prospect.name,
        "source": prospect.source,
        "horizon": prospect.horizon,
        "probability": prospect.probability,
        "amount": str(prospect.amount),
        "expected_month": prospect.expected_month.strftime("%Y-%m") if prospect.expected_month else "",
        "version": prospect.version,
        "contact_person": "",
        "phone": "",
        "email": "",
        "address": "",
        "next_kind": "",
        "next_on": "",
        "next_subject": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_an_edit_saves_bumps_the_version_and_is_recorded_with_who(personas, client):
    client.force_login(personas.owner)
    prospect = personas.prospect
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, probability=70)
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.probability == 70 and prospect.version == 2
    timeline = prospect_timeline(prospect)
    assert timeline[0].user == personas.owner
    assert [(c.field, c.old, c.new) for c in timeline[0].changes] == [("probability", "50%", "70%")]
    page = client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()
    assert "確度: 50% → 70%" in page


def test_the_second_of_two_concurrent_edits_is_refused_and_shows_what_changed(personas, client):
    prospect = personas.prospect
    stale = _form_data(prospect)  # both open the form at version 1
    client.force_login(personas.manager)
    manager_post = {**stale, "amount": "2500000", "owner": personas.owner.pk}
    assert client.post(reverse("prospects:edit", args=[prospect.pk]), manager_post).status_code == 302
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:edit", args=[prospect.pk]), {**stale, "probability": "90"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "変更は保存されませんでした" in body
    assert "見込金額" in body and "¥2,500,000" in body
    prospect.refresh_from_db()
    assert prospect.amount == 2500000 and prospect.probability == 50  # nothing overwritten
    # the form keeps the user's value and now carries the current version
    assert response.context["form"]["probability"].value() == "90"
    assert str(response.context["form"]["version"].value()) == "2"


def test_the_service_raises_a_conflict_on_a_stale_version(personas):
    prospect = personas.prospect
    prospect_update(prospect=prospect, by=personas.owner, expected_version=1, probability=60)
    stale = Prospect.objects.get(pk=prospect.pk)
    with pytest.raises(ProspectConflict) as exc:
        prospect_update(prospect=stale, by=personas.owner, expected_version=1, probability=70)
    assert exc.value.current.probability == 60


def test_moving_the_expected_month_later_counts_a_slip(personas):
    prospect = personas.prospect
    prospect_update(
        prospect=prospect, by=personas.owner, expected_version=1, expected_month=dt.date(2026, 11, 1)
    )
    prospect = Prospect.objects.get(pk=prospect.pk)
    prospect_update(
        prospect=prospect, by=personas.owner, expected_version=2, expected_month=dt.date(2027, 1, 1)
    )
    prospect = Prospect.objects.get(pk=prospect.pk)
    prospect_update(
        prospect=prospect, by=personas.owner, expected_version=3, expected_month=dt.date(2026, 12, 1)
    )
    prospect.refresh_from_db()
    assert prospect.expected_month_slips == 1  # earlier is not a slip; the first setting is not a slip


def test_a_manager_reassigns_within_their_team(personas, client):
    client.force_login(personas.manager)
    prospect = personas.prospect
    response = client.post(
        reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, owner=personas.teammate.pk)
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.owner == personas.teammate


def test_a_rep_posting_owner_status_or_version_changes_nothing_else(personas, client):
    client.force_login(personas.owner)
    prospect = personas.prospect
    data = _form_data(
        prospect, owner=personas.outsider.pk, status="won", won_amount="1", closed_on="2026-11-01"
    )
    assert client.post(reverse("prospects:edit", args=[prospect.pk]), data).status_code == 302
    prospect.refresh_from_db()
    assert prospect.owner == personas.owner and prospect.status == "open" and prospect.won_amount is None


def test_a_post_without_csrf_token_is_refused(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.owner)
    response = client.post(
        reverse("prospects:edit", args=[personas.prospect.pk]), _form_data(personas.prospect)
    )
    assert response.status_code == 403


def test_an_edit_post_costs_a_small_constant_number_of_queries(
    personas, client, django_assert_max_num_queries
):
    client.force_login(personas.owner)
    client.get("/")  # the session's first request writes it once
    prospect = personas.prospect
    # Django would validate each of the 15 CHECK constraints with its own query (and savepoint);
    # the form's rules and the database cover them instead.
    with django_assert_max_num_queries(10):
        response = client.post(
            reverse("prospects:edit", args=[prospect.pk]), _form_data(prospect, probability=70)
        )
    assert response.status_code == 302


def test_the_detail_page_of_a_prospect_without_recorded_history_shows_an_empty_history(personas, client):
    """Rows written without the history triggers (bulk loads, restores) have no events: no crash."""
    personas.prospect.events.all().delete()
    client.force_login(personas.owner)
    response = client.get(reverse("prospects:detail", args=[personas.prospect.pk]))
    assert response.status_code == 200
    timeline = response.content.decode().split('id="timeline-items"')[1]
    assert 'class="tl-change"' not in timeline and "まだ記録はありません" in timeline


def test_the_timeline_reads_no_user_when_only_the_owner_is_named(personas, django_assert_num_queries):
    from prospects.selectors import access_prospect

    prospect = access_prospect(personas.owner, personas.prospect.pk)  # the owner comes with it
    with django_assert_num_queries(1):  # the events (with their context), no User query
        prospect_timeline(prospect)


def test_the_timeline_names_a_former_owner_it_has_to_read(personas):
    from prospects.selectors import access_prospect

    prospect = access_prospect(personas.manager, personas.prospect.pk)
    prospect_update(
        prospect=prospect, by=personas.manager, expected_version=prospect.version, owner=personas.teammate
    )
    entries = prospect_timeline(access_prospect(personas.manager, personas.prospect.pk))
    change = next(c for c in entries[0].changes if c.field == "owner_id")
    assert change.new == personas.teammate.display_name and change.old == personas.owner.display_name


def test_the_timeline_names_the_companies_of_a_company_change_not_their_ids(personas):
    from companies.models import Company
    from prospects.selectors import access_prospect

    before, after = Company.objects.create(name="北野商店"), Company.objects.create(name="みなと工務店")
    prospect = access_prospect(personas.owner, personas.prospect.pk)
    prospect = prospect_update(
        prospect=prospect, by=personas.owner, expected_version=prospect.version, company=before
    )
    prospect_update(prospect=prospect, by=personas.owner, expected_version=prospect.version, company=after)
    before_id = before.pk
    before.delete()  # a deleted company is named as deleted, with its ID
    with translation.override("en"):
        timeline = prospect_timeline(personas.prospect)
    changes = [c for e in timeline for c in e.changes if c.field == "company_id"]
    assert [(c.old, c.new) for c in changes[:1]] == [(f"(deleted, ID {before_id})", "みなと工務店")]


def test_the_detail_page_links_the_prospects_company_and_contact(personas, client):
    from companies.models import Company, Contact

    company = Company.objects.create(name="みなと工務店")
    contact = Contact.objects.create(name="山田 太郎", company=company)
    Prospect.objects.filter(pk=personas.prospect.pk).update(company=company, contact=contact)
    client.force_login(personas.owner)
    page = client.get(reverse("prospects:detail", args=[personas.prospect.pk])).content.decode()
    assert f'href="{reverse("companies:detail", args=[company.pk])}">みなと工務店</a>' in page
    assert f'href="{reverse("companies:contact_detail", args=[contact.pk])}">山田 太郎</a>' in page
