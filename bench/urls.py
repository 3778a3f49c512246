"""The project's URLs plus the baseline and frame views (only mounted under bench.settings)."""

from django.urls import include, path

from bench.baseline import baseline, frame

urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("bench/frame/", frame, name="bench_frame"),
    path("", include("salescrm.urls")),
]
