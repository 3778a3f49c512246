from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("daily/team/", views.team, name="team"),
    path("daily/<int:pk>/", views.detail, name="detail"),
]
