"""The project's URLs plus one view that raises, for the production error page test."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from salescrm.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("boom: an unexpected error with a secret in it")


def refused(request):
    raise PermissionDenied("secret-detail-in-the-log")


def suspicious(request):
    raise SuspiciousOperation("secret-detail-in-the-log")


urlpatterns = [
    path("boom/", boom),
    path("refused/", refused),
    path("suspicious/", suspicious),
    *project_urls,
]
