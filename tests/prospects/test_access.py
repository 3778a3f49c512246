import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROSPECT_URLS = [("prospects:detail", "get"), ("prospects:edit", "get"), ("prospects:edit", "post")]


@pytest.mark.parametrize("name,method", PROSPECT_URLS)
@pytest.mark.parametrize("who", ["teammate", "outsider", "other_manager"])
def test_someone_who_may_not_see_the_prospect_gets_404(personas, client, name, method, who):
    client.force_login(getattr(personas, who))
    response = getattr(client, method)(reverse(name, args=[personas.prospect.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name,method", [("prospects:detail", "get"), ("prospects:edit", "get")])
@pytest.mark.parametrize("who", ["owner", "manager", "admin"])
def test_owner_manager_and_admin_see_the_prospect(personas, client, name, method, who):
    client.force_login(getattr(personas, who))
    response = getattr(client, method)(reverse(name, args=[personas.prospect.pk]))
    assert response.status_code == 200


def test_unknown_and_malformed_ids_are_404(personas, client):
    client.force_login(personas.admin)
    assert client.get(reverse("prospects:detail", args=[999999])).status_code == 404
    assert client.get("/prospects/abc/").status_code == 404


def test_anonymous_is_sent_to_login(personas, client):
    response = client.get(reverse("prospects:detail", args=[personas.prospect.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_visible_prospects(personas, client):
    from tests.conftest import make_prospect

    make_prospect(personas.outsider, name="Outsider deal")
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:list")).content.decode()
    assert "山田工務店" in body and "Outsider deal" not in body
    client.force_login(personas.manager)
    body = client.get(reverse("prospects:list")).content.decode()
    assert "山田工務店" in body and "Outsider deal" not in body
    client.force_login(personas.admin)
    body = client.get(reverse("prospects:list")).content.decode()
    assert "山田工務店" in body and "Outsider deal" in body


def test_rep_cannot_assign_a_foreign_owner_by_posting_it(personas, client):
    client.force_login(personas.owner)
    response = client.post(
        reverse("prospects:create"),
        {
            "name": "New",
            "source": "inbound",
            "horizon": "long",
            "probability": 10,
            "amount": 0,
            "owner": personas.outsider.pk,
        },
    )
    assert response.status_code == 302
    from prospects.models import Prospect

    assert Prospect.objects.get(name="New").owner == personas.owner


def test_manager_cannot_assign_to_a_user_outside_their_teams(personas, client):
    client.force_login(personas.manager)
    response = client.post(
        reverse("prospects:create"),
        {
            "name": "New",
            "source": "inbound",
            "horizon": "long",
            "probability": 10,
            "amount": 0,
            "owner": personas.outsider.pk,
        },
    )
    assert response.status_code == 422
    assert "owner" in response.context["form"].errors
