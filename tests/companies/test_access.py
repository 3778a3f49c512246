"""Who sees a company: its existence and name are shared across the firm, its deals stay private."""

from __future__ import annotations

import pytest
from django.http import Http404

from companies.models import Company
from companies.selectors import access_company, visible_deals
from prospects.models import Prospect
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def minato(personas):
    company = Company.objects.create(name="ミナト工務店(株)")
    ProspectFactory(owner=personas.owner, company=company, lost=True, name="ミナト 外壁")
    ProspectFactory(owner=personas.owner, company=company, name="ミナト 屋根")
    return company


def test_a_rep_of_another_team_sees_the_company_but_never_its_deals(personas, minato):
    assert access_company(personas.outsider, minato.pk) == minato
    deals = visible_deals(personas.outsider, minato.prospects.all())
    assert deals.count == 0 and deals.open_amount == 0


def test_the_owner_and_their_manager_see_the_deals_by_status(personas, minato):
    for user in (personas.owner, personas.manager, personas.admin):
        deals = visible_deals(user, minato.prospects.all())
        assert ([p.name for p in deals.open], [p.name for p in deals.lost]) == (
            ["ミナト 屋根"],
            ["ミナト 外壁"],
        )
    assert visible_deals(personas.teammate, minato.prospects.all()).count == 0
    assert visible_deals(personas.other_manager, minato.prospects.all()).count == 0


def test_an_inactive_user_sees_no_company(personas, minato):
    personas.outsider.is_active = False
    personas.outsider.save()
    with pytest.raises(Http404):
        access_company(personas.outsider, minato.pk)


def test_a_malformed_company_id_is_a_404(personas):
    with pytest.raises(Http404):
        access_company(personas.owner, "1 OR 1=1")


def test_the_totals_count_only_visible_deals(personas, minato):
    ProspectFactory(owner=personas.outsider, company=minato, amount=999)
    deals = visible_deals(personas.owner, minato.prospects.all())
    assert deals.open_amount == Prospect.objects.get(name="ミナト 屋根").amount
