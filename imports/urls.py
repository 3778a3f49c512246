from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/mapping/", views.job_mapping, name="mapping"),
    path("<int:pk>/run/", views.job_run, name="run"),
    path("<int:pk>/errors.csv", views.job_errors, name="errors"),
    path("<int:pk>/activate-owners/", views.job_activate_owners, name="activate_owners"),
]
