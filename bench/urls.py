"""The project's URLs plus the baseline view (only mounted under bench.settings)."""

from django.urls import include, path

from bench.baseline import baseline

urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("", include("salescrm.urls")),
]
