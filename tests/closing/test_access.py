"""Every closing URL: who gets what. Not visible -> 404 (also POST and htmx); visible but not allowed -> 403."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from closing import services
from closing.models import TestClosing
from prospects.models import Prospect, Status
from tests.closing.conftest import HTMX

pytestmark = pytest.mark.django_db

HIDDEN_FROM = ["teammate", "outsider", "other_manager"]
MAY_SEE = ["owner", "manager", "admin"]


def _open_urls(p):
    return [
        reverse("closing:test_closing_log", args=[p.pk]),
        reverse("closing:won", args=[p.pk]),
        reverse("closing:lost", args=[p.pk]),
    ]


def _test_closing(personas):
    return services.test_closing_log(
        prospect=personas.prospect,
        by=personas.owner,
        question=None,
        question_text="q",
        answer="a",
        reading="positive",
    )


def _tc_urls(tc):
    return [
        reverse("closing:test_closing_edit", args=[tc.pk]),
        reverse("closing:test_closing_annotate", args=[tc.pk]),
        reverse("closing:proposal", args=[tc.pk]),
    ]


def _close(personas):
    p = personas.prospect
    services.outcome_record_won(
        prospect=p,
        by=personas.owner,
        expected_version=p.version,
        amount=Decimal(1),
        closed_on=timezone.localdate(),
    )
    return Prospect.objects.get(pk=p.pk)


@pytest.mark.parametrize("who", HIDDEN_FROM)
@pytest.mark.parametrize("method", ["get", "post"])
def test_prospect_dialogs_are_404_for_those_who_may_not_see_it(personas, client, who, method):
    tc = _test_closing(personas)
    client.force_login(getattr(personas, who))
    for url in [
        *_open_urls(personas.prospect),
        *_tc_urls(tc),
        reverse("closing:reopen", args=[personas.prospect.pk]),
    ]:
        assert getattr(client, method)(url, {}, **HTMX).status_code == 404, url
    assert TestClosing.objects.count() == 1
    assert Prospect.objects.get(pk=personas.prospect.pk).status == Status.OPEN


@pytest.mark.parametrize("who", MAY_SEE)
def test_prospect_dialogs_open_for_owner_manager_and_admin(personas, client, who):
    client.force_login(getattr(personas, who))
    for url in _open_urls(personas.prospect):
        assert client.get(url, **HTMX).status_code == 200, url


def test_a_test_closing_posted_by_an_outsider_writes_nothing(personas, client):
    client.force_login(personas.outsider)
    response = client.post(
        reverse("closing:test_closing_log", args=[personas.prospect.pk]),
        {"question_text": "q", "answer": "a", "reading": "positive"},
        **HTMX,
    )
    assert response.status_code == 404
    assert not TestClosing.objects.exists()


@pytest.mark.parametrize("who,status", [("owner", 200), ("manager", 403), ("admin", 403)])
def test_only_the_author_edits_a_test_closing(personas, client, who, status):
    tc = _test_closing(personas)
    client.force_login(getattr(personas, who))
    assert client.get(reverse("closing:test_closing_edit", args=[tc.pk]), **HTMX).status_code == status


@pytest.mark.parametrize("who", MAY_SEE)
def test_annotate_and_proposal_open_for_those_who_see_the_prospect(personas, client, who):
    tc = _test_closing(personas)
    client.force_login(getattr(personas, who))
    assert client.get(reverse("closing:test_closing_annotate", args=[tc.pk]), **HTMX).status_code == 200
    assert client.get(reverse("closing:proposal", args=[tc.pk]), **HTMX).status_code == 200


@pytest.mark.parametrize(
    "who,status", [("owner", 200), ("manager", 200), ("admin", 200), *((w, 404) for w in HIDDEN_FROM)]
)
def test_reopen_access(personas, client, who, status):
    p = _close(personas)
    client.force_login(getattr(personas, who))
    assert client.get(reverse("closing:reopen", args=[p.pk]), **HTMX).status_code == status


def test_the_owner_may_not_reopen_a_prospect_closed_on_an_earlier_day(personas, client):
    p = _close(personas)
    Prospect.objects.filter(pk=p.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(personas.owner)
    assert client.get(reverse("closing:reopen", args=[p.pk]), **HTMX).status_code == 403


@pytest.mark.parametrize("who", ["owner", "teammate", "outsider", "manager", "other_manager", "admin"])
@pytest.mark.parametrize("name", ["closing:waiting", "closing:statistics"])
def test_lists_open_for_every_signed_in_user(personas, client, who, name):
    client.force_login(getattr(personas, who))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "who,status", [("owner", 403), ("manager", 403), ("other_manager", 403), ("admin", 200)]
)
def test_the_question_library_is_for_admins(personas, client, who, status):
    from closing.models import TestClosingQuestion

    q = TestClosingQuestion.objects.create(text_ja="テスト", text_en="test", kind="price")
    client.force_login(getattr(personas, who))
    assert client.get(reverse("closing:questions")).status_code == status
    assert client.get(reverse("closing:question_create")).status_code == status
    assert client.get(reverse("closing:question_edit", args=[q.pk])).status_code == status
    if status == 403:
        assert client.post(reverse("closing:question_retire", args=[q.pk])).status_code == 403
        assert client.post(reverse("closing:question_delete", args=[q.pk])).status_code == 403
        assert TestClosingQuestion.objects.filter(pk=q.pk, is_retired=False).exists()


def test_anonymous_is_sent_to_login_everywhere(personas, client):
    tc = _test_closing(personas)
    urls = [
        *_open_urls(personas.prospect),
        *_tc_urls(tc),
        reverse("closing:reopen", args=[personas.prospect.pk]),
        reverse("closing:waiting"),
        reverse("closing:statistics"),
        reverse("closing:questions"),
        reverse("closing:question_create"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_unknown_and_malformed_ids_are_404(personas, client):
    client.force_login(personas.admin)
    assert client.get(reverse("closing:won", args=[999999])).status_code == 404
    assert client.get(reverse("closing:proposal", args=[999999])).status_code == 404
    assert client.get("/closing/prospects/abc/won/").status_code == 404


def test_waiting_list_and_statistics_show_only_visible_prospects(personas, client):
    from tests.conftest import make_prospect

    old = timezone.now() - dt.timedelta(days=90)
    make_prospect(personas.owner, name="Mine waiting", created_at=old)
    make_prospect(personas.outsider, name="Outsider waiting", created_at=old)
    client.force_login(personas.manager)
    body = client.get(reverse("closing:waiting")).content.decode()
    assert "Mine waiting" in body and "Outsider waiting" not in body
