import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pipeline.selectors import user_scope
from pipeline.services import snapshot_take
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_beat_runs_the_upkeep_daily_and_the_snapshot_on_the_1st_at_0005_tokyo():
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
    snap = settings.CELERY_BEAT_SCHEDULE["pipeline-snapshot-month"]
    assert snap["task"] == "pipeline.snapshot_month"
    assert snap["schedule"] == crontab(day_of_month=1, hour=0, minute=5)
    assert settings.CELERY_BEAT_SCHEDULE["pipeline-horizon-upkeep"]["task"] == "pipeline.horizon_upkeep"


@pytest.mark.parametrize(
    "url", ["home", "pipeline:board", "pipeline:month_list", "pipeline:forecast", "pipeline:rank_bands"]
)
def test_pages_have_no_inline_style_or_script(personas, client, url):
    client.force_login(personas.admin)
    body = client.get(reverse(url)).content.decode()
    assert "style=" not in body
    assert "<script>" not in body and "hx-on" not in body


def test_the_board_speaks_japanese_by_default_and_english_on_request(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("pipeline:board")).content.decode()
    assert "パイプラインボード" in body and "確度加味金額" in body and "今月買うかもリスト" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("pipeline:board")).content.decode()
    assert "Pipeline board" in body and "Weighted amount" in body and "Might buy this month" in body


def test_nav_links_are_in_the_menu(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("home")).content.decode()
    for name in ("pipeline:board", "pipeline:month_list", "pipeline:forecast"):
        assert f'href="{reverse(name)}"' in body


def test_the_accuracy_page_costs_constant_queries(personas, client):
    month = dt.date(2026, 11, 1)
    for i in range(5):
        make_prospect(personas.owner, name=f"a{i}", expected_month=month)
    snapshot, _ = snapshot_take(scope=user_scope(personas.owner), month=month)
    client.force_login(personas.owner)
    url = reverse("pipeline:snapshot", args=[snapshot.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    snapshot.delete()
    for i in range(60):
        make_prospect(personas.owner, name=f"b{i}", expected_month=month)
    snapshot, _ = snapshot_take(scope=user_scope(personas.owner), month=month)
    url = reverse("pipeline:snapshot", args=[snapshot.pk])
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.status_code == 200 and snapshot.lines.count() == 65
    assert len(big.captured_queries) == len(small.captured_queries)
