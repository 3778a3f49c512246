import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from prospects.models import Prospect
from tests.conftest import make_prospect
from tests.factories import TestClosingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(personas):
    today = timezone.localdate()
    won = make_prospect(personas.owner, name="受注した工務店")
    Prospect.objects.filter(pk=won.pk).update(status="won", closed_on=today, won_amount=Decimal(1200000))
    lost = make_prospect(personas.outsider, name="他チームの失注")
    Prospect.objects.filter(pk=lost.pk).update(
        status="lost", closed_on=today, lost_reason="competitor", competitor="A社"
    )
    TestClosingFactory(
        prospect=personas.prospect,
        question_text="一度、ショールームに来られませんか?",
        answer="行きます",
        reading="positive",
    )
    TestClosingFactory(prospect=lost, question_text="他社の質問", answer="いいえ", reading="negative")
    return personas


def _csv(response, encoding="utf-8-sig"):
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode(encoding))))


def test_outcomes_export_in_japanese_with_bom_and_only_what_the_user_may_see(history, client):
    client.force_login(history.owner)
    response = client.get(reverse("closing:export", args=["outcomes"]))
    raw, rows = _csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0][:5] == ["完了日", "担当者", "見込み客", "結果(受注・失注)", "受注金額"]
    assert [r[2] for r in rows[1:]] == ["受注した工務店"]
    assert rows[1][3] == "受注" and rows[1][4] == "1200000"


def test_test_closings_export_for_an_admin_has_every_log_and_reads_in_cp932(history, client):
    client.force_login(history.admin)
    response = client.get(reverse("closing:export", args=["test-closings"]), {"encoding": "cp932"})
    _raw, rows = _csv(response, "cp932")
    assert {r[2] for r in rows[1:]} == {"山田工務店", "他チームの失注"}
    assert "前向き" in {r[5] for r in rows[1:]}


def test_exports_as_xlsx(history, client):
    client.force_login(history.manager)
    response = client.get(reverse("closing:export", args=["test-closings"]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][:3] == ("質問日時", "質問した担当者", "見込み客")
    assert [v[2] for v in values[1:]] == ["山田工務店"]  # the manager's team only


def test_the_period_filters_the_outcomes(history, client):
    client.force_login(history.admin)
    last_year = (timezone.localdate() - dt.timedelta(days=400)).strftime("%Y-%m")
    response = client.get(
        reverse("closing:export", args=["outcomes"]), {"month_from": last_year, "month_to": last_year}
    )
    _raw, rows = _csv(response)
    assert rows[1:] == []


def test_an_unknown_export_is_404(history, client):
    client.force_login(history.admin)
    assert client.get(reverse("closing:export", args=["passwords"])).status_code == 404
