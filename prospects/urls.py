from django.urls import path

from prospects import bulk_views, customer_views, views

app_name = "prospects"
urlpatterns = [
    path("", views.prospect_list, name="list"),
    path("new/", views.prospect_create_view, name="create"),
    path("bulk/", bulk_views.prospect_bulk, name="bulk"),
    path("horizon-hint/", views.horizon_hint, name="horizon_hint"),
    path("company-offer/", customer_views.company_offer, name="company_offer"),
    path("contact-offer/", customer_views.contact_offer, name="contact_offer"),
    path("<int:pk>/", views.prospect_detail, name="detail"),
    path("<int:pk>/edit/", views.prospect_edit, name="edit"),
]
