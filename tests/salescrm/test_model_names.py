"""Every model the Django admin lists has a Japanese name (a label that stays English in a Japanese
admin is a bug)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.utils import translation

# Third-party names that are plain strings in their packages: their _meta stays English, the admin shows
# them translated (salescrm.adminsite; tested below).
UNTRANSLATABLE = {"otp_totp.TOTPDevice", "pghistory.Events", "pghistory.MiddlewareEvents"}
OUR_APPS = {"accounts", "prospects", "pipeline", "closing", "targets", "imports"}


def _names(model) -> tuple[str, str]:
    return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


def _models():
    from django.apps import apps

    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    registered = [m for m in admin.site._registry if m._meta.label not in UNTRANSLATABLE]
    return {m._meta.label: m for m in [*ours, *registered]}.values()


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_model_has_a_japanese_name(model):
    with translation.override("en"):
        english = _names(model)
    with translation.override("ja"):
        japanese = _names(model)
    assert all(ja != en for ja, en in zip(japanese, english, strict=True)), (model._meta.label, japanese)


@pytest.mark.django_db
def test_the_admin_index_names_every_app_and_model_in_japanese(personas, client):
    """Including the packages whose names are plain strings (django-otp, pghistory): the index and the
    sidebar look every name up (salescrm.adminsite)."""
    client.force_login(personas.admin)

    def names(language: str) -> list[str]:
        client.cookies["django_language"] = language
        app_list = client.get("/admin/").context["app_list"]
        return [app["name"] for app in app_list] + [m["name"] for app in app_list for m in app["models"]]

    english, japanese = names("en"), names("ja")
    assert len(english) == len(japanese) > 20
    assert [en for en, ja in zip(english, japanese, strict=True) if en == ja] == []
