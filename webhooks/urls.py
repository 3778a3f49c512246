from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_edit, name="create"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/edit/", views.subscription_edit, name="edit"),
    path("<int:pk>/pause/", views.subscription_pause, name="pause"),
    path("<int:pk>/secret/", views.subscription_secret, name="secret"),
    path("<int:pk>/delete/", views.subscription_delete, name="delete"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/resend/", views.delivery_resend, name="resend"),
]
