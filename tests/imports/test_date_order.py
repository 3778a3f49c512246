"""Dates written year last (10/20/2016, 20/10/2016): read in the file's date order, chosen by the user or
guessed from the file's values when they allow one order only; never a guess between two orders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from imports import parsing
from imports.models import ImportJob, JobStatus
from imports.parsing import DMY, MDY, YMD, ParseError
from imports.services import import_job_date_order, import_job_preview, import_job_set_date_order
from prospects.models import Prospect
from tests.imports.conftest import create_job, csv_bytes, run_import, upload

# --- The parsers, in each order.


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("10/20/2016", MDY, dt.date(2016, 10, 20)),
        ("3/1/2017", MDY, dt.date(2017, 3, 1)),
        ("03-01-2017", MDY, dt.date(2017, 3, 1)),
        ("10/20/2016 14:05", MDY, dt.date(2016, 10, 20)),
        ("10/20/2016 2:05 PM", MDY, dt.date(2016, 10, 20)),
        ("20/10/2016", DMY, dt.date(2016, 10, 20)),
        ("3/1/2017", DMY, dt.date(2017, 1, 3)),
        ("20.10.2016", DMY, dt.date(2016, 10, 20)),
    ],
)
def test_year_last_dates_are_read_in_the_files_order(text, order, expected):
    assert parsing.parse_date(text, order) == expected


@pytest.mark.parametrize("order", [YMD, MDY, DMY, None])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-10-20", dt.date(2016, 10, 20)),
        ("2016/10/20", dt.date(2016, 10, 20)),
        ("2016年10月20日", dt.date(2016, 10, 20)),
        ("令和8年11月27日", dt.date(2026, 11, 27)),
        ("R8.11.27", dt.date(2026, 11, 27)),
        (dt.datetime(2016, 10, 20, 9, 0), dt.date(2016, 10, 20)),
    ],
)
def test_year_first_japanese_and_era_dates_read_the_same_in_every_order(text, order, expected):
    assert parsing.parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "order", "reason"),
    [
        ("10/20/2016", DMY, parsing.BAD_DATE_DMY),  # no 20th month
        ("20/10/2016", MDY, parsing.BAD_DATE_MDY),
        ("02/30/2017", MDY, parsing.BAD_DATE_MDY),
        ("10/20/2016", YMD, parsing.NOT_YEAR_FIRST),
        ("10/20/2016", None, parsing.DATE_ORDER_NEEDED),
        # A day that is no month (13/01) reads one way only, yet without an order it is still refused:
        # which way the file writes dates is its columns' question, not one cell's.
        ("13/01/2017", None, parsing.DATE_ORDER_NEEDED),
    ],
)
def test_a_date_that_does_not_fit_the_order_is_refused_with_a_reason(text, order, reason):
    with pytest.raises(ParseError) as info:
        parsing.parse_date(text, order)
    assert info.value.reason is reason


@pytest.mark.parametrize("order", [YMD, MDY, DMY, None])
@pytest.mark.parametrize("text", ["10/20/16", "20/10/16", "1/2/17", "16/10/20"])
def test_a_two_digit_year_is_refused_in_every_order(text, order):
    with pytest.raises(ParseError) as info:
        parsing.parse_date(text, order)
    assert info.value.reason is parsing.TWO_DIGIT_YEAR


@pytest.mark.parametrize("order", [MDY, DMY, None])
def test_a_month_written_year_last_is_that_month(order):
    assert parsing.parse_month("10/2016", order) == dt.date(2016, 10, 1)
    assert parsing.parse_month("10/20/2016", MDY) == dt.date(2016, 10, 1)


def test_a_month_written_year_last_is_refused_in_year_first_order():
    with pytest.raises(ParseError) as info:
        parsing.parse_month("10/2016", YMD)
    assert info.value.reason is parsing.NOT_YEAR_FIRST
    with pytest.raises(ParseError) as info:
        parsing.parse_month("13/2016", MDY)
    assert info.value.reason is parsing.BAD_MONTH_YEAR_LAST


@settings(max_examples=300, deadline=None)
@given(
    first=st.integers(0, 99),
    second=st.integers(0, 99),
    year=st.integers(0, 9999),
    separator=st.sampled_from("/-."),
    order=st.sampled_from([YMD, MDY, DMY, None]),
)
def test_any_year_last_cell_is_a_date_in_range_or_refused_in_every_order(
    first, second, year, separator, order
):
    text = f"{first}{separator}{second}{separator}{year}"
    try:
        day = parsing.parse_date(text, order)
    except ParseError as exc:
        assert str(exc.reason)
        return
    assert order in (MDY, DMY) and 2000 <= day.year <= 2100
    assert (day.month, day.day) == ((first, second) if order == MDY else (second, first))


@pytest.mark.parametrize(
    ("samples", "order"),
    [
        (["10/20/2016", "3/1/2017"], MDY),  # a 20th month is impossible
        (["20/10/2016", "3/1/2017"], DMY),
        (["01/13/2017"], MDY),
        (["13/01/2017"], DMY),
        (["2017/01/13", "2017-02-01", "2017年3月1日"], YMD),
        (["2016-10-20", "令和8年11月27日", "not a date"], YMD),  # a non-date is its own error
        ([], YMD),
        (["3/1/2017", "4/2/2017"], None),  # either order reads them
        (["2017-01-13", "3/1/2017"], None),  # one year-last value is enough to need an order
        (["13/01/2017", "01/13/2017"], None),  # the values contradict each other
        (["10/2016"], None),
    ],
)
def test_the_date_order_is_guessed_only_when_the_values_allow_one(samples, order):
    assert parsing.guess_date_order(samples) == order


# --- The import.

CRM_ROWS = [
    ["account", "sales_agent", "deal_stage", "engage_date", "close_date", "close_value"],
    ["Acme Corporation", "owner", "Won", "10/20/2016", "3/1/2017", "1054"],
    ["Betatech", "owner", "Engaging", "10/25/2016", "", ""],
    ["Cheers", "owner", "Won", "12/13/2016", "1/2/2017", "550"],
]


@pytest.mark.django_db
def test_an_upload_with_month_day_year_dates_is_guessed_as_mdy_and_imports(personas):
    job = run_import(personas.owner, CRM_ROWS)
    assert job.status == JobStatus.DONE, job.errors
    in_use = import_job_date_order(job=job)
    assert (in_use.order, in_use.guessed) == (MDY, True)
    acme = Prospect.objects.get(name="Acme Corporation")
    assert acme.status == "won"
    assert acme.closed_on == dt.date(2017, 3, 1)
    assert timezone.localtime(acme.created_at).date() == dt.date(2016, 10, 20)
    assert Prospect.objects.get(name="Cheers").closed_on == dt.date(2017, 1, 2)


@pytest.mark.django_db
def test_dates_that_fit_two_orders_ask_the_user_to_choose_then_import(personas):
    rows = [["会社名", "登録日"], ["鈴木建設", "3/1/2017"], ["佐藤工務店", "4/2/2017"]]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(rows)))
    assert import_job_date_order(job=job).order is None
    with translation.override(job.options["language"]):
        expected = str(parsing.DATE_ORDER_NEEDED)
    assert [(e["row"], e["column"], e["reason"]) for e in job.errors] == [
        (2, "登録日", expected),
        (3, "登録日", expected),
    ]
    assert not job.can_import

    import_job_set_date_order(job=job, date_order=DMY)
    job = import_job_preview(job=job)
    assert job.error_count == 0
    assert import_job_date_order(job=job).guessed is False
    assert job.preview[0]["created_at"] == "2017-01-03"


@pytest.mark.django_db
def test_an_order_chosen_at_upload_wins_over_the_guess(personas):
    rows = [["会社名", "登録日"], ["鈴木建設", "3/1/2017"]]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(rows), date_order=MDY))
    assert job.error_count == 0
    assert job.preview[0]["created_at"] == "2017-03-01"


@pytest.mark.django_db
def test_the_upload_form_asks_for_the_order_and_the_mapping_page_changes_it(personas, login):
    client = login(personas.owner)
    form = client.get(reverse("imports:upload")).content.decode()
    assert 'name="date_order"' in form
    rows = [["会社名", "登録日"], ["鈴木建設", "3/1/2017"]]
    client.post(
        reverse("imports:upload"),
        {"file": upload(csv_bytes(rows)), "encoding": "auto", "date_order": MDY},
    )
    job = ImportJob.objects.get()
    assert job.options["date_order"] == MDY
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert f'<option value="{MDY}" selected>' in page

    client.post(
        reverse("imports:mapping", args=[job.pk]), {"col-0": "name", "col-1": "created_at", "date_order": DMY}
    )
    job.refresh_from_db()
    assert job.options["date_order"] == DMY
    assert job.preview[0]["created_at"] == "2017-01-03"


@pytest.mark.django_db
def test_the_job_page_shows_the_order_in_use_and_whether_it_was_guessed(personas, login):
    client = login(personas.owner)
    job = run_import(personas.owner, CRM_ROWS)
    with translation.override("en"):
        page = client.get(reverse("imports:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Month/day/year (11/27/2026), guessed from the file" in page

    import_job_set_date_order(job=job, date_order=MDY)
    with translation.override("en"):
        page = client.get(reverse("imports:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Month/day/year (11/27/2026), as chosen" in page


@pytest.mark.django_db
def test_the_job_page_says_when_the_order_is_not_known(personas, login):
    client = login(personas.owner)
    rows = [["会社名", "登録日"], ["鈴木建設", "3/1/2017"]]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(rows)))
    page = client.get(reverse("imports:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not known: choose it on the mapping page" in page


@pytest.mark.django_db
def test_the_mapping_page_shows_the_guess_or_asks_for_the_order(personas, login):
    client = login(personas.owner)
    guessed = create_job(personas.owner, csv_bytes(CRM_ROWS))
    page = client.get(reverse("imports:mapping", args=[guessed.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Guessed from the file: Month/day/year (11/27/2026)." in page.content.decode()

    rows = [["会社名", "登録日"], ["鈴木建設", "3/1/2017"]]
    unknown = create_job(personas.owner, csv_bytes(rows))
    page = client.get(reverse("imports:mapping", args=[unknown.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "dates do not show their order (month/day/year or day/month/year)" in page.content.decode()


@pytest.mark.django_db
def test_a_saved_mapping_keeps_the_chosen_date_order_for_the_next_file(personas, login):
    from imports.models import ImportMapping

    client = login(personas.owner)
    rows = [["会社名", "登録日"], ["鈴木建設", "3/1/2017"]]
    client.post(reverse("imports:upload"), {"file": upload(csv_bytes(rows)), "encoding": "auto"})
    job = ImportJob.objects.get()
    client.post(
        reverse("imports:mapping", args=[job.pk]),
        {"col-0": "name", "col-1": "created_at", "date_order": DMY, "save_as": "CRM"},
    )
    saved = ImportMapping.objects.get(name="CRM")
    assert saved.json["date_order"] == DMY
    client.post(
        reverse("imports:upload"),
        {"file": upload(csv_bytes(rows)), "encoding": "auto", "saved_mapping": saved.pk},
    )
    assert ImportJob.objects.latest("pk").options["date_order"] == DMY
