from django.urls import path

from closing import views

app_name = "closing"
urlpatterns = [
    path("waiting/", views.waiting, name="waiting"),
    path("statistics/", views.statistics, name="statistics"),
    path("export/<slug:what>/", views.export, name="export"),
    path("questions/", views.question_list, name="questions"),
    path("questions/new/", views.question_edit, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/retire/", views.question_retire, name="question_retire"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("prospects/<int:pk>/test-closing/", views.test_closing_log, name="test_closing_log"),
    path("prospects/<int:pk>/won/", views.outcome_won, name="won"),
    path("prospects/<int:pk>/lost/", views.outcome_lost, name="lost"),
    path("prospects/<int:pk>/reopen/", views.outcome_reopen, name="reopen"),
    path("test-closings/<int:pk>/edit/", views.test_closing_edit, name="test_closing_edit"),
    path("test-closings/<int:pk>/annotate/", views.test_closing_annotate, name="test_closing_annotate"),
    path("test-closings/<int:pk>/proposal/", views.proposal, name="proposal"),
]
