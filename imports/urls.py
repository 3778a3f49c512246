from django.urls import path

from imports import people_views, views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/mapping/", views.job_mapping, name="mapping"),
    path("<int:pk>/run/", views.job_run, name="run"),
    path("<int:pk>/errors.csv", views.job_errors, name="errors"),
    path("<int:pk>/activate-owners/", views.job_activate_owners, name="activate_owners"),
    # The people import (admins): accounts, teams and managers from a file.
    path("people/new/", people_views.people_upload, name="people_upload"),
    path("people/<int:pk>/", people_views.people_job, name="people_job"),
    path("people/<int:pk>/mapping/", people_views.people_mapping, name="people_mapping"),
    path("people/<int:pk>/run/", people_views.people_run, name="people_run"),
]
