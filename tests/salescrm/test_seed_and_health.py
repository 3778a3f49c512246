import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role, Team, User
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def _snapshot():
    rows = {}
    for model in (User, Team, Prospect):
        fields = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("last_login", "password")
        ]
        rows[model.__name__] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*fields)
        )
    return rows


def test_seed_demo_twice_leaves_the_same_data():
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_seed_demo_creates_a_realistic_company():
    call_command("seed_demo")
    assert User.objects.filter(role=Role.ADMIN).count() == 1
    assert User.objects.filter(role=Role.MANAGER).count() == 2
    assert User.objects.filter(role=Role.REP).count() == 8
    assert Team.objects.count() == 2
    assert Prospect.objects.count() == 300
    statuses = set(Prospect.objects.values_list("status", flat=True))
    assert statuses == {"open", "won", "lost"}
    assert set(Prospect.objects.open().values_list("horizon", flat=True)) == {"short", "mid", "long"}
    assert Prospect.objects.values("source").distinct().count() >= 5
    assert User.objects.filter(last_name="田中").exists()


def test_seed_demo_plans_next_steps_as_the_kind_of_activity_they_are():
    from activities.models import Activity, ActivityStatus

    call_command("seed_demo")
    planned = Activity.objects.filter(status=ActivityStatus.PLANNED)
    kinds = dict(planned.values_list("subject", "kind__code").distinct())
    assert kinds["電話でフォロー"] == "call" and kinds["決裁者と面談"] == "meeting"
    assert not planned.filter(kind__code="other").exists()


def test_health_reports_database_and_broker(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_says_503_when_the_broker_is_unreachable(client, settings):
    from salescrm.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"] == "error" and response.json()["database"] == "ok"


def test_every_model_is_in_the_django_admin(admin_client):
    from django.contrib import admin

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "prospects", "pipeline", "closing", "targets", "imports"}
        # History event models are browsed through pghistory's admin; snapshot lines are an inline.
        and not m.__name__.endswith("Event")
        and m.__name__ != "ForecastSnapshotLine"
    ]
    assert len(ours) >= 14
    for model in ours:
        assert admin.site.is_registered(model), model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200


def test_login_logout_and_password_change(client):
    User.objects.create_user("rep1", password="old-pass-123!", role=Role.REP)
    response = client.post(reverse("login"), {"username": "rep1", "password": "old-pass-123!"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "old-pass-123!",
            "new_password1": "n3w-Secret-2026",
            "new_password2": "n3w-Secret-2026",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    response = client.post(reverse("login"), {"username": "rep1", "password": "n3w-Secret-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_health_says_503_when_the_database_connection_is_unusable(client, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "is_usable", lambda: False)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "error" and response.json()["broker"] == "ok"


def test_health_says_503_when_the_database_cannot_be_reached(client, monkeypatch):
    from django.db import OperationalError, connection

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"
