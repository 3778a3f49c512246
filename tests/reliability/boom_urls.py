"""The project's URLs plus one view that raises, for the production error page test."""

from django.urls import path

from salescrm.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("boom: an unexpected error with a secret in it")


urlpatterns = [path("boom/", boom), *project_urls]
