import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_detail_page_shows_closing_actions_and_sections(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[personas.prospect.pk])).content.decode()
    assert reverse("closing:won", args=[personas.prospect.pk]) in body
    assert 'id="test-closings"' in body


@pytest.mark.parametrize("name", ["closing:waiting", "closing:statistics", "closing:questions"])
def test_closing_pages_render_for_an_admin(personas, client, name):
    client.force_login(personas.admin)
    assert client.get(reverse(name)).status_code == 200


def test_the_board_card_slot_offers_test_closing_won_and_lost_for_open_prospects(personas, rf):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = personas.owner
    html = render_to_string("closing/_card_actions.html", {"prospect": personas.prospect}, request=request)
    for name in ("closing:test_closing_log", "closing:won", "closing:lost"):
        assert reverse(name, args=[personas.prospect.pk]) in html
    personas.prospect.status = "won"
    assert (
        render_to_string(
            "closing/_card_actions.html", {"prospect": personas.prospect}, request=request
        ).strip()
        == ""
    )
