"""The prospect list reads its count and page with written-out SQL (prospects.selectors.prospect_list_rows):
for every viewer, filter and sort it must give what the ORM filter of ProspectFilterForm gives, in the
same order, page after page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict

from accounts.access import visible_user_names
from prospects.forms import ProspectFilterForm
from prospects.models import Horizon, Prospect, Source, Status
from prospects.selectors import prospect_list_rows
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
            next_action_on=[None, dt.date(2026, 12, 3)][i % 2],
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
SORTS = ["", "name", "amount", "probability", "expected_month", "next_action"]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["owner", "manager", "admin", "other_manager"])
def test_the_sql_rows_are_the_orm_rows_page_after_page(listed, who, query, sort):
    viewer = getattr(listed, who)
    data = QueryDict(mutable=True)
    data.update({k: (str(listed.owner.pk) if v == "OWNER" else v) for k, v in query.items()})
    data.setdefault("status", "open")
    if sort:
        data["sort"] = sort
    owners = visible_user_names(viewer) if viewer.is_manager or viewer.is_admin_role else None
    form = ProspectFilterForm(data, user=viewer, owners=owners)
    valid = form.is_valid()
    orm = form.filter(Prospect.objects.visible_to(viewer)) if valid else Prospect.objects.none()
    expected = list(orm.values_list("pk", flat=True))
    for ids in (form.owner_ids(), None):  # the manager's listed owners, or visible_to's subquery
        rows = prospect_list_rows(
            viewer, form.cleaned_data if valid else None, form.ordering(), owner_ids=ids
        )
        paginator = Paginator(rows, 4)
        assert paginator.count == len(expected)
        got = [row.pk for number in paginator.page_range for row in paginator.page(number).object_list]
        assert got == expected


def test_a_row_carries_what_the_list_shows(listed):
    viewer = listed.owner
    form = ProspectFilterForm(QueryDict("status=open&sort=name"), user=viewer)
    assert form.is_valid()
    rows = prospect_list_rows(viewer, form.cleaned_data, form.ordering())
    for row in rows[0 : rows.count()]:
        p = Prospect.objects.select_related("owner").get(pk=row.pk)
        fields = (
            "name",
            "horizon",
            "probability",
            "expected_month",
            "amount",
            "currency",
            "source",
            "status",
        )
        assert [getattr(row, f) for f in fields] == [getattr(p, f) for f in fields]
        assert (row.next_action, row.next_action_on) == (p.next_action, p.next_action_on)
        assert (row.owner.pk, row.owner.display_name) == (p.owner.pk, p.owner.display_name)


def test_an_inactive_viewer_sees_nothing(listed):
    viewer = listed.owner
    viewer.is_active = False
    assert prospect_list_rows(viewer, {}, ("-updated_at", "-id")).count() == 0


def test_only_a_managers_form_gives_owner_ids(listed):
    for who in ("owner", "manager", "admin"):
        viewer = getattr(listed, who)
        owners = visible_user_names(viewer)
        ids = ProspectFilterForm(QueryDict("status=open"), user=viewer, owners=owners).owner_ids()
        assert ids == ([u.pk for u in owners] if who == "manager" else None)
    assert ProspectFilterForm(QueryDict(""), user=listed.manager).owner_ids() is None
