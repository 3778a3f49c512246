from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("count/", views.notification_count, name="count"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<str:pk>/open/", views.notification_open, name="open"),
]
