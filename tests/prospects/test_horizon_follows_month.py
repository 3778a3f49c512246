"""The horizon follows the expected month's suggestion until the rep picks one on purpose."""

import pytest
from django.urls import reverse

from prospects.models import Prospect, suggest_horizon
from salescrm.lib.months import add_months, this_month

pytestmark = pytest.mark.django_db


def _new_prospect_data(**overrides):
    data = {"name": "春日部商事", "source": "inbound", "probability": "20", "amount": "100000", "horizon": ""}
    data.update(overrides)
    return data


def _month(offset: int) -> str:
    return add_months(this_month(), offset).strftime("%Y-%m")


def test_a_new_prospect_takes_the_horizon_its_expected_month_suggests(personas, client):
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:create"), _new_prospect_data(expected_month=_month(0)))
    assert response.status_code == 302
    assert Prospect.objects.get(name="春日部商事").horizon == "short"


def test_a_horizon_picked_on_purpose_is_kept_whatever_the_month(personas, client):
    client.force_login(personas.owner)
    client.post(reverse("prospects:create"), _new_prospect_data(expected_month=_month(0), horizon="long"))
    assert Prospect.objects.get(name="春日部商事").horizon == "long"


def test_the_new_form_offers_following_the_month_first_and_selects_it(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:create")).content.decode()
    assert '<option value="" selected>受注予定月に合わせる(長期)</option>' in body


def test_the_horizon_field_redrawn_for_a_month_names_its_suggestion_and_keeps_a_choice(personas, client):
    client.force_login(personas.owner)
    url = reverse("prospects:horizon_hint")
    body = client.get(url, {"expected_month": _month(0), "horizon": ""}).content.decode()
    assert '<option value="" selected>受注予定月に合わせる(短期)</option>' in body
    assert "受注予定月からの見込み区分" not in body  # following: nothing to point out
    body = client.get(url, {"expected_month": _month(0), "horizon": "mid"}).content.decode()
    assert '<option value="mid" selected>' in body and "受注予定月からの見込み区分: 短期" in body


def test_an_edit_follows_the_new_month_when_the_horizon_followed_the_old_one(personas, client):
    prospect = personas.prospect
    Prospect.objects.filter(pk=prospect.pk).update(expected_month=None, horizon="long")
    prospect.refresh_from_db()
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:edit", args=[prospect.pk])).content.decode()
    assert '<option value="" selected>' in body
    data = {
        "name": prospect.name,
        "source": prospect.source,
        "probability": prospect.probability,
        "amount": str(prospect.amount),
        "expected_month": _month(2),
        "horizon": "",
        "version": prospect.version,
    }
    assert client.post(reverse("prospects:edit", args=[prospect.pk]), data).status_code == 302
    prospect.refresh_from_db()
    assert prospect.horizon == suggest_horizon(prospect.expected_month) == "mid"


def test_an_edit_keeps_a_horizon_that_differs_from_the_month_selected(personas, client):
    prospect = personas.prospect
    Prospect.objects.filter(pk=prospect.pk).update(expected_month=this_month(), horizon="long")
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:edit", args=[prospect.pk])).content.decode()
    assert '<option value="long" selected>' in body


def test_a_month_changed_without_a_horizon_moves_a_horizon_that_followed_the_old_month(personas):
    from pipeline.services import prospect_quick_edit

    following = personas.prospect
    Prospect.objects.filter(pk=following.pk).update(expected_month=None, horizon="long")
    following.refresh_from_db()
    chosen = Prospect.objects.create(
        name="指定", source="inbound", owner=personas.owner, expected_month=None, horizon="mid"
    )
    for p in (following, chosen):
        prospect_quick_edit(
            prospect=p,
            by=personas.owner,
            expected_version=p.version,
            probability=p.probability,
            amount=p.amount,
            expected_month=this_month(),
        )
    following.refresh_from_db()
    chosen.refresh_from_db()
    assert (following.horizon, chosen.horizon) == ("short", "mid")


def test_a_test_closings_proposal_follows_the_month_it_is_given():
    from closing.forms import ProposalForm

    month = this_month()
    form = ProposalForm(
        initial={"horizon": "short", "expected_month": month, "probability": 80, "version": 1}
    )
    assert form["horizon"].value() == ""  # the month's own suggestion: followed
    later = ProposalForm({"horizon": "", "expected_month": _month(9), "probability": "80", "version": "1"})
    assert later.is_valid(), later.errors
    assert later.cleaned_data["horizon"] == "long"
    assert ProposalForm(initial={"horizon": "long", "expected_month": month})["horizon"].value() == "long"
