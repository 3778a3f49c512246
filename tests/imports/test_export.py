"""The prospect list exports what is on screen: same filters, columns and labels, visible rows only."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def screen_labels(language: str) -> list[str]:
    """The first column headings of the list page, as the catalogue translates them."""
    with translation.override(language):
        return [gettext("Prospect name"), gettext("Owner"), gettext("Horizon")]


def csv_body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_csv_export_is_utf8_with_bom_and_has_the_screen_columns_in_japanese(personas, login):
    make_prospect(personas.owner, name="鈴木建設", expected_month=dt.date(2026, 11, 1), horizon="short")
    body = csv_body(login(personas.owner).get(reverse("prospects:list") + "?export=csv"))
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\xef\xbb\xbf") == 1
    text = body.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.split(",")[:3] == screen_labels("ja")
    assert any(r.startswith("鈴木建設,田中 翔太,") and "2026年11月" in r for r in rows)


def test_csv_export_in_cp932_for_old_excel(personas, login):
    make_prospect(personas.owner, name="鈴木建設")
    body = csv_body(login(personas.owner).get(reverse("prospects:list") + "?export=csv&encoding=cp932"))
    assert not body.startswith(b"\xef\xbb\xbf")
    assert "鈴木建設".encode("cp932") in body
    body.decode("cp932")


def test_export_labels_follow_the_users_language(personas, login):
    client = login(personas.owner)
    client.cookies["django_language"] = "en"
    body = csv_body(client.get(reverse("prospects:list") + "?export=csv")).decode("utf-8-sig")
    assert body.splitlines()[0].split(",")[:3] == ["Prospect name", "Owner", "Horizon"]


def test_export_keeps_the_filters_and_shows_only_visible_prospects(personas, login):
    make_prospect(personas.owner, name="短期の会社", horizon="short")
    make_prospect(personas.owner, name="長期の会社", horizon="long")
    make_prospect(personas.outsider, name="他チームの会社", horizon="short")
    body = csv_body(
        login(personas.manager).get(reverse("prospects:list") + "?horizon=short&export=csv")
    ).decode("utf-8-sig")
    assert "短期の会社" in body
    assert "長期の会社" not in body
    assert "他チームの会社" not in body


def test_a_formula_in_a_cell_is_escaped_in_the_csv_and_the_xlsx(personas, login):
    formula = '=HYPERLINK("http://evil.example","click")'
    make_prospect(personas.owner, name=formula, next_activity="+1+1")
    client = login(personas.owner)
    body = csv_body(client.get(reverse("prospects:list") + "?export=csv")).decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil.example"",""click"")"' in body
    assert ",'+1+1," in body
    assert '\n"=HYPERLINK' not in body and ",=HYPERLINK" not in body

    response = client.get(reverse("prospects:list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + formula in names


def test_xlsx_export_is_readable_with_numbers_as_numbers(personas, login):
    make_prospect(personas.owner, name="鈴木建設", amount=Decimal("1200000"), probability=80)
    response = login(personas.owner).get(reverse("prospects:list") + "?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:3]) == screen_labels("ja")
    row = next(r for r in rows if r[0] == "鈴木建設")
    assert row[3] == 80
    assert row[5] == 1200000


def test_the_list_page_links_to_the_exports_with_the_current_filters(personas, login):
    page = login(personas.owner).get(reverse("prospects:list") + "?horizon=short").content.decode()
    assert "horizon=short&amp;export=csv" in page
    assert "export=csv&amp;encoding=cp932" in page
    assert "export=xlsx" in page


def test_htmx_filtering_refreshes_the_export_links_out_of_band(personas, login):
    response = login(personas.owner).get(
        reverse("prospects:list") + "?horizon=mid", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="export-links" hx-swap-oob="true"' in body
    assert "horizon=mid&amp;export=csv" in body


def test_the_export_takes_the_same_queries_for_more_rows(personas, login, django_assert_num_queries):
    client = login(personas.manager)
    make_prospect(personas.owner)
    url = reverse("prospects:list") + "?export=csv"
    b"".join(client.get(url).streaming_content)
    # Session, user, the manager's teams and visible owners (accounts.access, once a request), their
    # names for the owner filter, the rows.
    with django_assert_num_queries(5) as ctx:
        b"".join(client.get(url).streaming_content)
    for _ in range(5):
        make_prospect(personas.teammate)
    with django_assert_num_queries(len(ctx.captured_queries)):
        b"".join(client.get(url).streaming_content)


def test_the_export_carries_the_next_planned_activity_and_imports_back_as_one(personas, login):
    """The next planned activity (not a field of the prospect any more) is the export's "next action"
    and its date; the same file imported as an update plans nothing twice."""
    import csv

    from activities.models import Activity
    from imports.parsing import guess_columns

    day = dt.date(2027, 2, 3)
    make_prospect(personas.owner, name="鈴木建設", next_activity="見積を持参", next_activity_on=day)
    make_prospect(personas.owner, name="佐藤商事")
    body = csv_body(login(personas.owner).get(reverse("prospects:list") + "?export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    header = rows[0]
    assert "次回アクション" in header and "次回アクション日" in header
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["鈴木建設"]["次回アクション"] == "見積を持参"
    assert by_name["鈴木建設"]["次回アクション日"] == "2027-02-03"
    assert by_name["佐藤商事"]["次回アクション"] == "" and by_name["佐藤商事"]["次回アクション日"] == ""
    mapped = guess_columns(header)
    assert mapped["次回アクション"] == "next_activity" and mapped["次回アクション日"] == "next_activity_on"
    from tests.imports.conftest import run_import

    names = ("見込み客名", "次回アクション", "次回アクション日")
    back = {row[0]: [row[header.index(n)] for n in names] for row in rows[1:]}
    back = [list(names), back["鈴木建設"], ["佐藤商事", "電話", "2027-02-04"]]
    job = run_import(personas.owner, back, update_duplicates=True)
    assert job.status == "done", job.message
    plans = sorted(Activity.objects.values_list("prospect__name", "subject", "status"))
    assert plans == [("佐藤商事", "電話", "planned"), ("鈴木建設", "見積を持参", "planned")]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_next_activity_without_a_subject_exports_as_its_kind_and_imports_back_as_the_same_one(
    personas, login, language
):
    """The export names a subject-less plan by its kind (電話 / Call); the re-import of that file
    recognises it instead of planning a second activity of kind "other" with the label as subject."""
    import csv

    from activities.models import Activity
    from tests.activities.conftest import at, make_activity
    from tests.imports.conftest import run_import

    deal = make_prospect(personas.owner, name="鈴木建設")
    make_activity(deal, starts_at=at(dt.date(2027, 2, 3)), code="call", subject="")
    client = login(personas.owner)
    with translation.override(language):
        response = client.get(reverse("prospects:list") + "?export=csv", HTTP_ACCEPT_LANGUAGE=language)
        body = csv_body(response).decode("utf-8-sig")
        header, *rows = list(csv.reader(io.StringIO(body)))
        action, action_on = header.index(gettext("Next action")), header.index(gettext("Next action date"))
    row = next(r for r in rows if r[0] == "鈴木建設")
    assert row[action] == ("電話" if language == "ja" else "Call")
    back = [[header[0], header[action], header[action_on]], [row[0], row[action], row[action_on]]]
    job = run_import(personas.owner, back, update_duplicates=True)
    assert job.status == "done", job.message
    assert list(Activity.objects.filter(prospect=deal).values_list("kind__code", "subject")) == [("call", "")]
