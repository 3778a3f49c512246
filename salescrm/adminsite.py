"""The Django admin as the project uses it: Django's own, with every app and model name in the catalogues.

A few packages name their models and apps with plain strings (django-otp's TOTP device, pghistory's
events, the app labels), which Django shows untranslated; the index and the sidebar look each name up,
so salescrm/admin_names.py can list them for makemessages."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext


class CrmAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = gettext(str(app["name"]))
            for model in app["models"]:
                model["name"] = gettext(str(model["name"]))
        return app_list


class CrmAdminConfig(AdminConfig):
    default_site = "salescrm.adminsite.CrmAdminSite"
