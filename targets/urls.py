from django.urls import path

from targets import views

app_name = "targets"
urlpatterns = [
    path("", views.target_settings, name="settings"),
    path("row/<str:key>/", views.target_row, name="row"),
    path("row/<str:key>/edit/", views.target_edit, name="edit"),
    path("bell/", views.bell, name="bell"),
    path("alerts/", views.alert_list, name="alerts"),
    path("health/", views.cycle_health, name="health"),
]
