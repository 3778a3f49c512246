from django.urls import path

from activities import leadgen_views, views

app_name = "activities"

urlpatterns = [
    path("agenda/", views.agenda, name="agenda"),
    path("settings/", views.activity_settings, name="settings"),
    path("settings/feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("prospect/<int:pk>/new/", views.activity_create_view, name="create"),
    path("prospect/<int:pk>/timeline/", views.prospect_timeline, name="timeline"),
    path("<int:pk>/edit/", views.activity_edit_view, name="edit"),
    path("<int:pk>/done/", views.activity_complete_view, name="complete"),
    path("<int:pk>/delete/", views.activity_delete_view, name="delete"),
    path("leads/", leadgen_views.lead_activity_list, name="lead_list"),
    path("leads/new/", leadgen_views.lead_activity_create_view, name="lead_create"),
    path("leads/yields/", leadgen_views.lead_yields, name="lead_yields"),
    path("leads/<int:pk>/", leadgen_views.lead_activity_detail, name="lead_detail"),
]
