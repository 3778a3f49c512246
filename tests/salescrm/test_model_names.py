"""Every model the Django admin lists has a Japanese name (a label that stays English in a Japanese
admin is a bug)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.utils import translation

# Third-party names that are plain strings, not marked for translation by their packages.
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
