"""The board card (pipeline/_board_card.html) must escape what users typed and keep the markup the
board's script and the browser tests rely on."""

import pytest
from django.urls import reverse

from prospects.models import Horizon
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_card_escapes_the_name_the_next_action_and_the_owner(personas, client):
    personas.owner.first_name = "<b>翔太</b>"
    personas.owner.save()
    p = make_prospect(
        personas.owner, name="<script>alert(1)</script>", next_activity='"><img src=x onerror=alert(1)>'
    )
    client.force_login(personas.manager)  # a manager sees the owner's name on the card
    body = client.get(reverse("pipeline:board"), {"scope": f"team-{personas.team.pk}"}).content.decode()
    assert f'id="card-{p.pk}"' in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    assert "<b>翔太</b>" not in body and "&lt;b&gt;翔太&lt;/b&gt;" in body


def test_card_carries_the_move_form_version_and_actions(personas, client):
    p = make_prospect(personas.owner, horizon=Horizon.MID)
    client.force_login(personas.owner)
    body = client.get(reverse("pipeline:board")).content.decode()
    start = body.index(f'id="card-{p.pk}"')
    card = body[start : body.index("</article>", start)]
    assert f'data-version="{p.version}"' in card and 'data-horizon="mid"' in card
    assert f'action="{reverse("pipeline:move", args=[p.pk])}"' in card
    assert 'name="csrfmiddlewaretoken"' in card and f'name="version" value="{p.version}"' in card
    assert '<option value="mid" selected>' in card and '<option value="short">' in card
    for name in ("closing:test_closing_log", "closing:won", "closing:lost", "pipeline:card_edit"):
        assert reverse(name, args=[p.pk]) in card
    # The rep's own card does not repeat the owner's name.
    assert "card-owner" not in card


def test_card_labels_follow_the_language(personas, client):
    make_prospect(personas.owner)
    client.force_login(personas.owner)
    ja = client.get(reverse("pipeline:board"), headers={"accept-language": "ja"}).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(reverse("pipeline:board")).content.decode()
    assert "見込金額" in ja or "金額" in ja
    assert "Quick edit" in en and "Quick edit" not in ja


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_fast_short_date_matches_djangos(language):
    import datetime as dt

    from django.template import Context, Template
    from django.utils import formats, timezone, translation

    from salescrm.templatetags.crm import format_short_date

    django_filter = Template('{{ v|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        for value in (dt.date(2026, 1, 5), dt.date(2026, 12, 31), timezone.now(), None):
            local = timezone.localtime(value) if isinstance(value, dt.datetime) else value
            if value is not None:
                assert format_short_date(value) == formats.date_format(local, "SHORT_DATE_FORMAT")
            # The |short_date filter shows what Django's |date:"SHORT_DATE_FORMAT" shows.
            assert format_short_date(value) == django_filter.render(Context({"v": value}))


def test_formatted_card_texts_are_per_language(personas, client, today):
    import datetime as dt

    from prospects.models import Prospect

    p = make_prospect(personas.owner, expected_month_slips=2)
    Prospect.objects.filter(pk=p.pk).update(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    en = client.get(reverse("pipeline:board")).content.decode()
    client.cookies["django_language"] = "ja"
    ja = client.get(reverse("pipeline:board")).content.decode()
    assert "3 days ago" in en and "slipped 2 times" in en
    assert "3 days ago" not in ja and "slipped 2 times" not in ja
    client.cookies["django_language"] = "en"
    assert "3 days ago" in client.get(reverse("pipeline:board")).content.decode()  # not the cached Japanese


def test_the_scope_menu_markup(personas, client):
    personas.team.name = "営業<1>課"
    personas.team.save()
    client.force_login(personas.manager)
    body = client.get(reverse("pipeline:board"), {"scope": f"team-{personas.team.pk}"}).content.decode()
    assert '<select name="scope" id="id_scope">' in body
    assert f'<option value="team-{personas.team.pk}" selected>営業&lt;1&gt;課</option>' in body
    assert f'<option value="user-{personas.owner.pk}">' in body
    client.force_login(personas.owner)  # a rep has nothing to choose: the scope rides along hidden
    body = client.get(reverse("pipeline:month_list")).content.decode()
    assert f'<input type="hidden" name="scope" value="user-{personas.owner.pk}">' in body
    assert 'id="id_scope"' not in body
