"""The REST API (/api/v1/): tokens, access per persona, versions, errors, pagination, rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiToken, TokenScope
from api.services import token_revoke
from prospects.models import Prospect, Status
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db

ROLES = ["owner", "teammate", "outsider", "manager", "other_manager", "admin"]
VIEWERS = {"owner", "manager", "admin"}


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:salescrm:problem:") and body["title"]
    return body


# --- Tokens


def test_a_token_is_kept_only_as_a_hash_and_shown_once_on_its_page(personas, client):
    client.force_login(personas.owner)
    response = client.post("/api/tokens/", {"name": "会計ソフト連携", "scope": "read"})
    assert response.status_code == 302
    page = client.get("/api/tokens/").content.decode()
    text = re.search(r'value="(scrm_[0-9a-f]{8}_[^"]+)"', page)[1]
    token = ApiToken.objects.get(user=personas.owner)
    assert token.name == "会計ソフト連携" and token.scope == TokenScope.READ
    assert token.secret_hash == hashlib.sha256(text.split("_", 2)[2].encode()).hexdigest()
    assert text not in str(list(ApiToken.objects.values_list()))
    assert text not in client.get("/api/tokens/").content.decode()  # once only


def test_a_user_revokes_only_their_own_tokens(personas, client, api_as):
    mine = api_as(personas.owner)
    client.force_login(personas.teammate)
    assert client.post(f"/api/tokens/{mine.token.pk}/revoke/").status_code == 404
    client.force_login(personas.owner)
    assert client.post(f"/api/tokens/{mine.token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=mine.token.pk).revoked_at is not None


def test_no_token_or_a_wrong_one_is_401_with_a_problem(personas, client, api_as):
    body = _problem(client.get("/api/v1/prospects"), 401)
    assert body["type"] == "urn:salescrm:problem:unauthorized"
    good = api_as(personas.owner)
    wrong = good.text[:-4] + ("aaaa" if not good.text.endswith("aaaa") else "bbbb")
    response = client.get("/api/v1/prospects", headers={"Authorization": f"Bearer {wrong}"})
    _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_fails_at_once(personas, api_as):
    api = api_as(personas.owner)
    assert api.get("/api/v1/prospects").status_code == 200
    token_revoke(token=ApiToken.objects.get(pk=api.token.pk))
    _problem(api.get("/api/v1/prospects"), 401)


def test_a_deactivated_users_token_fails(personas, api_as):
    api = api_as(personas.owner)
    personas.owner.is_active = False
    personas.owner.save()
    _problem(api.get("/api/v1/prospects"), 401)


def test_a_read_only_token_cannot_write(personas, api_as):
    api = api_as(personas.owner, TokenScope.READ)
    p = personas.prospect
    assert api.get(f"/api/v1/prospects/{p.pk}").status_code == 200
    _problem(api.patch(f"/api/v1/prospects/{p.pk}", {"version": p.version, "name": "変更"}), 403)
    _problem(api.post("/api/v1/prospects", {"name": "新規", "source": "inbound"}), 403)
    assert Prospect.objects.get(pk=p.pk).name == p.name
    assert Prospect.objects.filter(name="新規").count() == 0


def test_last_use_is_recorded(personas, api_as):
    api = api_as(personas.owner)
    assert api.token.last_used_at is None
    api.get("/api/v1/prospects")
    assert ApiToken.objects.get(pk=api.token.pk).last_used_at is not None


@override_settings(API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=3600)
def test_the_rate_limit_answers_429_with_retry_after_per_token(personas, api_as):
    api = api_as(personas.owner)
    assert [api.get("/api/v1/prospects").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/prospects")
    _problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 3600
    # Another token of the same user has its own window.
    assert api_as(personas.owner).get("/api/v1/prospects").status_code == 200


# --- Access: the screens' rules


def test_each_persona_lists_exactly_the_prospects_the_screens_show(personas, api_as):
    others = [
        make_prospect(personas.teammate),
        make_prospect(personas.outsider),
        make_prospect(personas.manager),
    ]
    everyone = [personas.prospect, *others]
    for role in ROLES:
        user = getattr(personas, role)
        ids = {row["id"] for row in api_as(user).get("/api/v1/prospects", {"limit": 100}).json()["items"]}
        expected = set(
            Prospect.objects.visible_to(user).filter(status=Status.OPEN).values_list("pk", flat=True)
        )
        assert ids == expected, role
        assert ids <= {p.pk for p in everyone}


@pytest.mark.parametrize("role", ROLES)
def test_a_prospect_outside_the_view_is_404_for_reads_and_writes(personas, api_as, role):
    api = api_as(getattr(personas, role))
    p = personas.prospect
    today = timezone.localdate().isoformat()
    responses = [
        api.get(f"/api/v1/prospects/{p.pk}"),
        api.get(f"/api/v1/prospects/{p.pk}/test-closings"),
        api.post(
            f"/api/v1/prospects/{p.pk}/test-closings",
            {"question_text": "来月でいかがですか", "answer": "前向き", "reading": "positive"},
        ),
        api.patch(f"/api/v1/prospects/{p.pk}", {"version": p.version, "probability": 50}),
    ]
    version = p.version + 1 if role in VIEWERS else p.version
    won = {"version": version, "amount": "1000", "closed_on": today}
    responses.append(api.post(f"/api/v1/prospects/{p.pk}/won", won))
    if role in VIEWERS:
        assert [r.status_code for r in responses] == [200, 200, 201, 200, 200], role
    else:
        for response in responses:
            _problem(response, 404)
        assert Prospect.objects.get(pk=p.pk).status == Status.OPEN


def test_odd_ids_are_404_never_500(personas, api_as):
    api = api_as(personas.admin)
    for odd in ["\u00b2", "99999999999999999999999999", "-1", "0", "1e3", "%00", "\u0661\u0662"]:
        for path in ["prospects", "activities", "companies", "contacts", "alerts"]:
            _problem(api.get(f"/api/v1/{path}/{odd}"), 404)


def test_filters_with_odd_values_are_refused_not_500(personas, api_as):
    api = api_as(personas.admin)
    _problem(api.get("/api/v1/activities", {"status": "\x00"}), 422)
    _problem(api.get("/api/v1/activities", {"prospect": "\u00b2"}), 404)
    _problem(api.get("/api/v1/prospects", {"q": "\x00"}), 422)
    _problem(api.get("/api/v1/prospects", {"cursor": "\x00"}), 400)


# --- Writes and versions


def test_create_applies_the_prospect_forms_rules(personas, api_as):
    api = api_as(personas.owner)
    body = _problem(
        api.post("/api/v1/prospects", {"name": "x", "source": "inbound", "probability": 150}), 422
    )
    assert "probability" in body["errors"]
    response = api.post(
        "/api/v1/prospects",
        {
            "name": "ミナト工務店",
            "source": "inbound",
            "probability": 40,
            "amount": "1200000",
            "expected_month": "2026-12",
        },
    )
    assert response.status_code == 201, response.content
    created = Prospect.objects.get(pk=response.json()["id"])
    assert created.owner == personas.owner and created.expected_month == dt.date(2026, 12, 1)


def test_a_stale_version_is_409_with_the_current_values(personas, api_as):
    api = api_as(personas.owner)
    p = personas.prospect
    first = api.patch(f"/api/v1/prospects/{p.pk}", {"version": p.version, "probability": 60})
    assert first.status_code == 200 and first.json()["version"] == p.version + 1
    stale = api.patch(f"/api/v1/prospects/{p.pk}", {"version": p.version, "probability": 10})
    body = _problem(stale, 409)
    assert body["current"]["probability"] == 60 and body["current"]["version"] == p.version + 1
    assert Prospect.objects.get(pk=p.pk).probability == 60
    # A stale version on an outcome too: nothing is closed.
    today = timezone.localdate().isoformat()
    _problem(
        api.post(f"/api/v1/prospects/{p.pk}/won", {"version": p.version, "amount": "1", "closed_on": today}),
        409,
    )
    assert Prospect.objects.get(pk=p.pk).status == Status.OPEN


def test_won_and_lost_go_through_the_closing_services(personas, api_as):
    api = api_as(personas.owner)
    p = personas.prospect
    today = timezone.localdate().isoformat()
    won = api.post(
        f"/api/v1/prospects/{p.pk}/won", {"version": p.version, "amount": "500000", "closed_on": today}
    )
    assert won.status_code == 200 and won.json()["status"] == "won"
    again = api.post(
        f"/api/v1/prospects/{p.pk}/won", {"version": won.json()["version"], "amount": "1", "closed_on": today}
    )
    assert _problem(again, 409)["current"]["status"] == "won"
    other = make_prospect(personas.owner)
    refused = api.post(
        f"/api/v1/prospects/{other.pk}/lost",
        {"version": other.version, "closed_on": today, "reason": "competitor"},
    )
    assert "competitor" in _problem(refused, 422)["errors"]
    lost = api.post(
        f"/api/v1/prospects/{other.pk}/lost",
        {"version": other.version, "closed_on": today, "reason": "competitor", "competitor": "ABC社"},
    )
    assert lost.status_code == 200 and Prospect.objects.get(pk=other.pk).competitor == "ABC社"


def test_the_list_uses_the_list_pages_filters(personas, api_as):
    make_prospect(personas.owner, name="北斗建設", horizon="short")
    api = api_as(personas.owner)
    names = {row["name"] for row in api.get("/api/v1/prospects", {"q": "北斗"}).json()["items"]}
    assert names == {"北斗建設"}
    assert "horizon" in _problem(api.get("/api/v1/prospects", {"horizon": "someday"}), 422)["errors"]


# --- Pagination


def test_cursor_pages_are_stable_under_inserts(personas, api_as):
    for i in range(7):
        make_prospect(personas.owner, name=f"見込み{i}")
    api = api_as(personas.owner)
    expected = [
        row["id"] for row in api.get("/api/v1/prospects", {"limit": 100, "sort": "name"}).json()["items"]
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3, "sort": "name", **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/prospects", params).json()
        seen += [row["id"] for row in page["items"]]
        # Rows added meanwhile, before and after the page, neither repeat nor skip the ones listed.
        make_prospect(personas.owner, name="あ先頭")
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


@pytest.mark.parametrize(
    "sort", ["updated", "name", "amount", "probability", "expected_month", "next_activity"]
)
def test_a_page_with_a_next_cursor_costs_the_queries_of_the_last_page(
    personas, api_as, sort, django_assert_num_queries
):
    """The cursor is made from the last row's ordering values, which the list's query loads itself."""
    for i in range(3):
        make_prospect(personas.owner, name=f"p{i}")
    api = api_as(personas.owner)
    with CaptureQueriesContext(connection) as last_page:
        assert api.get("/api/v1/prospects", {"limit": 5, "sort": sort}).json()["next_cursor"] is None
    with django_assert_num_queries(len(last_page.captured_queries)):
        assert api.get("/api/v1/prospects", {"limit": 1, "sort": sort}).json()["next_cursor"]


def test_a_tampered_cursor_is_400(personas, api_as):
    api = api_as(personas.owner)
    for i in range(3):
        make_prospect(personas.owner, name=f"p{i}")
    cursor = api.get("/api/v1/prospects", {"limit": 1}).json()["next_cursor"]
    _problem(api.get("/api/v1/prospects", {"cursor": cursor[:-2] + "xx"}), 400)
    _problem(api.get("/api/v1/prospects", {"cursor": cursor, "sort": "name"}), 400)  # another order's
    _problem(api.get("/api/v1/prospects", {"limit": 0}), 400)


# --- The documentation


def test_the_docs_page_loads_nothing_from_outside(personas, client):
    client.force_login(personas.owner)
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), page
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert '"validatorUrl": null' in page


def test_every_error_is_documented_as_a_problem(client, personas):
    client.force_login(personas.owner)
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "404", "422", "429"):
                assert "application/problem+json" in operation["responses"][status]["content"], (path, method)


def test_the_external_id_is_read_and_written_and_another_prospects_is_422(personas, api_as):
    api = api_as(personas.owner)
    make_prospect(personas.teammate, name="Other", external_id="OPP-1")
    created = api.post(
        "/api/v1/prospects", {"name": "ミナト工務店", "source": "inbound", "external_id": "OPP-2"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["external_id"] == "OPP-2"
    pk = created.json()["id"]
    assert Prospect.objects.get(pk=pk).external_id == "OPP-2"
    assert api.get(f"/api/v1/prospects/{pk}").json()["external_id"] == "OPP-2"
    # Another prospect's: a problem naming the field, for a create and an update, and nothing written.
    clash = _problem(
        api.post("/api/v1/prospects", {"name": "x", "source": "inbound", "external_id": "OPP-1"}), 422
    )
    assert list(clash["errors"]) == ["external_id"]
    assert not Prospect.objects.filter(name="x").exists()
    clash = _problem(api.patch(f"/api/v1/prospects/{pk}", {"version": 1, "external_id": "OPP-1"}), 422)
    assert list(clash["errors"]) == ["external_id"]
    assert Prospect.objects.get(pk=pk).external_id == "OPP-2"
    # "" clears it.
    cleared = api.patch(f"/api/v1/prospects/{pk}", {"version": 1, "external_id": ""})
    assert cleared.status_code == 200 and cleared.json()["external_id"] == ""
    assert Prospect.objects.get(pk=pk).external_id == ""
