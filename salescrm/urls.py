from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from api.v1 import api as api_v1
from salescrm import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("prospects/", include("prospects.urls")),
    path("pipeline/", include("pipeline.urls")),
    path("closing/", include("closing.urls")),
    path("targets/", include("targets.urls")),
    path("imports/", include("imports.urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("companies/", include("companies.urls")),
    path("notifications/", include("notifications.urls")),
    path("inbound/", include("inbound.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("api/tokens/", include("api.urls")),
    path("api/v1/", api_v1.urls),
    path("admin/", admin.site.urls),
]
