"""The company and contact pages: shared directory, private deals, duplicates offered, merge by managers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from companies.models import Company, Contact
from companies.services import MERGE_SAME
from companies.views import NO_SUCH_RECORD
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def minato(personas):
    company = Company.objects.create(name="株式会社みなと工務店", furigana="みなとこうむてん")
    Contact.objects.create(name="山田 太郎", company=company)
    ProspectFactory(owner=personas.owner, company=company, name="ミナト 屋根", amount=1_000_000)
    ProspectFactory(owner=personas.owner, company=company, name="ミナト 外壁", lost=True)
    return company


def test_a_rep_of_another_team_sees_the_company_page_but_none_of_its_deals(client, personas, minato):
    client.force_login(personas.outsider)
    page = client.get(reverse("companies:detail", args=[minato.pk])).content.decode()
    assert "株式会社みなと工務店" in page and "山田 太郎" in page
    assert "ミナト 屋根" not in page and "ミナト 外壁" not in page
    assert "¥1,000,000" not in page


def test_the_owner_sees_every_deal_with_totals(client, personas, minato):
    client.force_login(personas.owner)
    page = client.get(reverse("companies:detail", args=[minato.pk])).content.decode()
    assert "ミナト 屋根" in page and "ミナト 外壁" in page and "¥1,000,000" in page


def test_the_page_offers_a_kana_variant_as_a_duplicate_and_a_manager_merges_it(client, personas, minato):
    variant = Company.objects.create(name="ﾐﾅﾄ工務店(株)")
    ProspectFactory(owner=personas.owner, company=variant)
    client.force_login(personas.manager)
    page = client.get(reverse("companies:detail", args=[variant.pk])).content.decode()
    assert "株式会社みなと工務店" in page and reverse("companies:merge", args=[variant.pk]) in page
    response = client.post(reverse("companies:merge", args=[variant.pk]), {"into": minato.pk})
    assert response.status_code == 302 and response["Location"] == reverse(
        "companies:detail", args=[minato.pk]
    )
    assert minato.prospects.count() == 3
    # The merged one's address now leads to the one that stays.
    assert client.get(reverse("companies:detail", args=[variant.pk]))["Location"] == response["Location"]


def test_a_company_sharing_only_a_trade_word_is_not_offered_as_a_duplicate(client, personas):
    sakura = Company.objects.create(name="株式会社さくらクリニック")
    Company.objects.create(name="株式会社光クリニック")  # another clinic: only クリニック in common
    Company.objects.create(name="共栄クリニック")
    Company.objects.create(name="さくらクリニツク")  # a typo of the same name
    Company.objects.create(name="サクラ歯科クリニック")  # close enough to ask
    client.force_login(personas.manager)
    page = client.get(reverse("companies:detail", args=[sakura.pk])).content.decode()
    offered = page[page.index('id="duplicates"') :]
    assert "さくらクリニツク" in offered and "サクラ歯科クリニック" in offered
    assert "光クリニック" not in offered and "共栄クリニック" not in offered


def test_a_likely_duplicate_counts_every_prospect_under_it(personas, minato):
    """similar_companies: the same normalised name or a trigram match, most similar first, each with
    its prospects counted (the viewer's or not: the count says how much a merge moves)."""
    from companies.selectors import similar_companies

    variant = Company.objects.create(name="㈱ミナト工務店")
    ProspectFactory(owner=personas.outsider, company=variant)
    ProspectFactory(owner=personas.owner, company=variant, lost=True)
    empty = Company.objects.create(name="ミナト工務店 本店")
    Company.objects.create(name="山田商事")  # not alike
    found = similar_companies(minato.name, exclude=minato.pk)
    assert [(c.pk, c.deals) for c in found] == [(variant.pk, 2), (empty.pk, 0)]
    assert found[0].similarity == 1  # the same normalised name
    by_pk = {c.pk: c.deals for c in similar_companies("ミナト工務店")}
    assert by_pk[minato.pk] == minato.prospects.count() == 2


def test_a_rep_is_not_offered_a_merge(client, personas, minato):
    variant = Company.objects.create(name="㈱ミナト工務店")
    client.force_login(personas.owner)
    page = client.get(reverse("companies:detail", args=[variant.pk])).content.decode()
    assert "株式会社みなと工務店" in page and reverse("companies:merge", args=[variant.pk]) not in page
    assert client.post(reverse("companies:merge", args=[variant.pk]), {"into": minato.pk}).status_code == 403


def test_merging_into_itself_is_a_form_error_not_a_500(client, personas, minato):
    client.force_login(personas.admin)
    response = client.post(reverse("companies:merge", args=[minato.pk]), {"into": minato.pk})
    assert response.status_code == 400 and str(MERGE_SAME) in response.content.decode()


@pytest.mark.parametrize("into", ["999999", "99999999999999999999"])
def test_merging_into_an_id_that_is_not_there_is_a_form_error_not_a_404(client, personas, minato, into):
    client.force_login(personas.admin)
    response = client.post(reverse("companies:merge", args=[minato.pk]), {"into": into})
    assert response.status_code in (400, 422)
    assert str(NO_SUCH_RECORD) in response.content.decode()
    assert Company.objects.get(pk=minato.pk).merged_into is None


def test_the_company_list_finds_a_kana_variant(client, personas, minato):
    Company.objects.create(name="ミナト工業")
    client.force_login(personas.owner)
    page = client.get(reverse("companies:list"), {"q": "ﾐﾅﾄ工務店"}).content.decode()
    assert "株式会社みなと工務店" in page and "ミナト工業" not in page


@pytest.mark.parametrize("name", ["admin:companies_company_changelist", "admin:companies_contact_changelist"])
def test_the_django_admin_lists_companies_and_contacts_for_admins(client, personas, minato, name):
    client.force_login(personas.admin)
    assert client.get(reverse(name), {"q": "みなと"}).status_code == 200
    client.force_login(personas.owner)
    assert client.get(reverse(name)).status_code == 302
