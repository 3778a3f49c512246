"""The prospect list (prospects.selectors.prospect_list_queryset): for every viewer and filter what
visible_to lets them see and the filters keep, in the chosen order, page after page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from accounts.access import visible_user_names
from activities.selectors import next_activity_columns
from prospects.forms import ProspectFilterForm
from prospects.models import Horizon, Prospect, Source, Status
from prospects.selectors import prospect_list_queryset
from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(personas):
    """Ties in every sort key, nulls where the columns allow them (month, next action date), LIKE
    wildcards and case in names."""
    names = ["Acme 100%", "acme_co", "ACME\\back", "山田工務店 支店", "Beta", "beta", "Gamma"]
    owners = [personas.owner, personas.teammate, personas.outsider, personas.manager]
    for i, name in enumerate(names * 2):
        make_prospect(
            owners[i % len(owners)],
            name=name,
            contact_person="Ms. Acme" if i % 5 == 0 else "",
            horizon=[Horizon.SHORT, Horizon.MID, Horizon.LONG][i % 3],
            source=[Source.INBOUND, Source.REFERRAL][i % 2],
            probability=[10, 50, 50, 90][i % 4],
            amount=[Decimal("1000"), Decimal("1000"), Decimal("250.50")][i % 3],
            expected_month=[None, dt.date(2026, 12, 1), dt.date(2027, 2, 1)][i % 3],
            next_activity_on=[None, dt.date(2026, 12, 3)][i % 2],
        )
    make_prospect(
        personas.owner, name="Won one", status=Status.WON, closed_on=dt.date(2026, 11, 2), won_amount=1
    )
    make_user("inactive", is_active=False)
    return personas


QUERIES = [
    {},
    {"status": ""},
    {"q": "acme"},
    {"q": "100%"},
    {"q": "_"},
    {"q": "\\"},
    {"q": "支店"},
    {"horizon": "short", "source": "inbound"},
    {"month_from": "2027-01", "status": ""},
    {"month_to": "2026-12", "month_from": "2026-12"},
    {"status": "won"},
    {"owner": "OWNER"},
    {"source": "bogus"},  # not valid: no rows
]
SORTS = ["", "name", "amount", "probability", "expected_month", "next_activity"]


def _reference(viewer, query: dict) -> set[int]:
    """The filters worked out in Python over what visible_to lets the viewer see."""
    rows = list(Prospect.objects.visible_to(viewer))
    status = query.get("status", "open")
    q = query.get("q", "").casefold()
    keep = set()
    for p in rows:
        if q and q not in p.name.casefold() and q not in p.contact_person.casefold():
            continue
        if status and p.status != status:
            continue
        if any(query.get(f) and getattr(p, f) != query[f] for f in ("horizon", "source")):
            continue
        if query.get("month_from") and (
            p.expected_month is None or p.expected_month < dt.date.fromisoformat(query["month_from"] + "-01")
        ):
            continue
        if query.get("month_to") and (
            p.expected_month is None or p.expected_month > dt.date.fromisoformat(query["month_to"] + "-01")
        ):
            continue
        if query.get("owner") and p.owner_id != int(query["owner"]):
            continue
        keep.add(p.pk)
    return keep


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["owner", "manager", "admin", "other_manager"])
def test_the_list_is_what_the_viewer_may_see_matching_the_filters(listed, who, query):
    viewer = getattr(listed, who)
    data = QueryDict(mutable=True)
    data.update({k: (str(listed.owner.pk) if v == "OWNER" else v) for k, v in query.items()})
    data.setdefault("status", "open")
    owners = visible_user_names(viewer) if viewer.is_manager or viewer.is_admin_role else None
    form = ProspectFilterForm(data, user=viewer, owners=owners)
    got = list(prospect_list_queryset(viewer, form).values_list("pk", flat=True))
    if query.get("source") == "bogus" or (query.get("owner") and who == "other_manager"):
        assert got == []  # a form that is not valid lists nothing
    else:
        assert len(got) == len(set(got)) and set(got) == _reference(viewer, dict(data.items()))


@pytest.mark.parametrize("sort", SORTS)
def test_pages_follow_the_chosen_sort_with_the_id_breaking_ties(listed, sort):
    viewer = listed.admin
    data = QueryDict(mutable=True)
    data.update({"status": "", "sort": sort} if sort else {"status": ""})
    form = ProspectFilterForm(data, user=viewer)
    paginator = Paginator(prospect_list_queryset(viewer, form), 4)
    got = [p.pk for number in paginator.page_range for p in paginator.page(number).object_list]
    # The "next action" sort reads the next planned activity's date, annotated as the list does.
    reference = Prospect.objects.annotate(**next_activity_columns()).order_by(*form.ordering())
    assert got == list(reference.values_list("pk", flat=True))
    assert len(set(got)) == paginator.count == Prospect.objects.count()


def test_a_row_carries_what_the_list_shows_in_one_query(listed):
    viewer = listed.owner
    form = ProspectFilterForm(QueryDict("status=open&sort=name"), user=viewer)
    with CaptureQueriesContext(connection) as queries:
        rows = list(prospect_list_queryset(viewer, form))
        shown = [
            (p.name, p.owner.display_name, p.amount, p.next_activity_at, p.get_status_display()) for p in rows
        ]
    assert rows and len(queries.captured_queries) == 1
    assert shown == [
        (p.name, p.owner.display_name, p.amount, p.next_activity_at, p.get_status_display())
        for p in Prospect.objects.visible_to(viewer)
        .open()
        .annotate(**next_activity_columns())
        .order_by("name", "id")
    ]


def test_an_inactive_viewer_sees_nothing(listed):
    viewer = listed.owner
    viewer.is_active = False
    form = ProspectFilterForm(QueryDict("status="), user=viewer)
    assert prospect_list_queryset(viewer, form).count() == 0
